/*
 * A QEMU TCG plugin that measures, for each wake-up of a latency
 * benchmark, the instructions the measured vCPU itself executed from the
 * timer interrupt's vector to the woken thread's clock read (P0), and the
 * instructions every other vCPU executed in the same span (the share the
 * emulator's round-robin adds to an end-to-end figure, docs/measuring.md).
 *
 * Markers are virtual addresses of instructions (the bench script finds
 * them with nm):
 *   irq=ADDR     an IRQ vector entry (repeatable): a candidate start
 *   timer=ADDR   the timer interrupt's handler (repeatable, optional): it
 *                makes the last irq= entry before it the sample's start,
 *                so that another interrupt is not taken for the timer's
 *   end=ADDR     the woken thread's clock read (repeatable)
 *   endsig=OFF:HEX  an end marker in user space found by what it is: the
 *                instruction at page offset OFF whose bytes (and the next
 *                ones of its block) are HEX, for a library whose load
 *                address is not known in advance
 *   hyp=ADDR     the hypervisor's first instruction: a marker written
 *                hyp:ADDR is the hypervisor's own, any other one is not
 *                (a guest may run at the hypervisor's virtual addresses,
 *                from other RAM: told apart by host address, as el2exits)
 *   vcpu=N       the measured vCPU (default 0)
 *   out=FILE     one line per sample: P0, the others' instructions, of
 *                P0 the hypervisor's own (EL2) instructions, and the
 *                passes: how many times the timer's handler ran from the
 *                sample's start (1 unless the timer expired again before
 *                the thread ran, as when the emulator gave the other
 *                vCPUs a whole period meanwhile; docs/measuring.md)
 * A sample runs from its start (the irq= entry that led to the last
 * timer= hit, or without timer=, the first irq= entry after the previous
 * sample) to the first end marker after it; a timer= hit with no irq=
 * entry since the last one is one more pass of the same sample. An end
 * marker with no start
 * before it is ignored. Counts are per translation block, corrected to
 * the marker's place in its block; an exception in the middle of a block
 * (a fault) would count the rest of the block.
 * Built only for make bench-compare, against the installed QEMU's
 * qemu-plugin.h (tools/qemu-plugin-header.sh).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 16
#define MAX_MARKERS 16
#define MAX_SIG 64 /* bytes of an endsig */
#define USER_TOP 0x0001000000000000ull

enum kind { IRQ, TIMER, END };

struct marker {
	enum kind kind;
	uint64_t va;
	bool hyp;
};

/* One marker's place in one translated block. */
struct site {
	enum kind kind;
	size_t left; /* the block's instructions from the marker to its end */
	bool hyp;    /* in the hypervisor's code */
};

struct stamp {
	uint64_t own, total, hyp;
	bool valid;
};

static struct marker markers[MAX_MARKERS];
static int nmarkers;
static uint64_t sig_off;
static uint8_t sig[MAX_SIG];
static size_t sig_len;
static int measured;
static const char *out_path;
static bool have_timer;

static uint64_t hyp_start;
static bool delta_known;
static intptr_t hyp_delta;

static uint64_t own[MAX_VCPUS];
static uint64_t own_hyp[MAX_VCPUS]; /* of own[], the hypervisor's */
static uint64_t total; /* every vCPU's, in the one round-robin thread */
static struct stamp candidate, latched;
/* Whether an irq= entry came after the last timer= hit. */
static bool entered;
static uint64_t passes;

static uint64_t *p0s, *others, *hyps, *npasses;
static size_t nsamples, cap;

/* A block's udata: its instruction count, and whether it is the hypervisor's.
 */
#define TB_HYP (1ull << 63)

static void tb_exec(unsigned int vcpu, void *udata)
{
	uint64_t n = (uint64_t)(uintptr_t)udata & ~TB_HYP;

	own[vcpu % MAX_VCPUS] += n;
	if ((uint64_t)(uintptr_t)udata & TB_HYP)
		own_hyp[vcpu % MAX_VCPUS] += n;
	total += n;
}

static bool grow(uint64_t **v, size_t ncap)
{
	uint64_t *a = realloc(*v, ncap * sizeof(*a));

	if (a)
		*v = a;
	return a != NULL;
}

static void record(uint64_t p0, uint64_t other, uint64_t hyp, uint64_t n)
{
	if (nsamples == cap) {
		size_t ncap = cap ? 2 * cap : 4096;

		if (!grow(&p0s, ncap) || !grow(&others, ncap) ||
		    !grow(&hyps, ncap) || !grow(&npasses, ncap))
			return;
		cap = ncap;
	}
	p0s[nsamples] = p0;
	others[nsamples] = other;
	hyps[nsamples] = hyp;
	npasses[nsamples] = n;
	nsamples++;
}

static void at_marker(unsigned int vcpu, void *udata)
{
	const struct site *s = udata;
	struct stamp now;

	if ((int)vcpu != measured)
		return;
	/* The block's count went in at its start: take back what follows. */
	now.own = own[vcpu % MAX_VCPUS] - s->left;
	now.total = total - s->left;
	/* A marker is in guest code or in the hypervisor's, wholly. */
	now.hyp = own_hyp[vcpu % MAX_VCPUS] - (s->hyp ? s->left : 0);
	now.valid = true;
	switch (s->kind) {
	case IRQ:
		candidate = now;
		entered = true;
		if (!have_timer && !latched.valid) {
			latched = now;
			passes = 1;
		}
		break;
	case TIMER:
		if (latched.valid && !entered) {
			passes++; /* again, in the same vector entry */
		} else if (candidate.valid) {
			latched = candidate;
			passes = 1;
		}
		entered = false;
		break;
	case END:
		if (!latched.valid)
			break;
		record(now.own - latched.own,
		       (now.total - latched.total) - (now.own - latched.own),
		       now.hyp - latched.hyp, passes);
		latched.valid = false;
		candidate.valid = false;
		break;
	}
}

/* Whether the instruction runs from the hypervisor's RAM. */
static bool from_hyp(struct qemu_plugin_insn *insn)
{
	uint64_t va = qemu_plugin_insn_vaddr(insn);
	intptr_t delta = (intptr_t)qemu_plugin_insn_haddr(insn) - (intptr_t)va;

	if (!delta_known && hyp_start && va == hyp_start) {
		hyp_delta = delta;
		delta_known = true;
	}
	return delta_known && delta == hyp_delta;
}

static bool sig_matches(struct qemu_plugin_tb *tb, size_t i, size_t n)
{
	size_t done = 0;

	for (; i < n && done < sig_len; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		size_t len = qemu_plugin_insn_size(insn);
		const uint8_t *data = qemu_plugin_insn_data(insn);

		if (len > sig_len - done)
			len = sig_len - done;
		if (memcmp(data, sig + done, len))
			return false;
		done += len;
	}
	/* A block may end before the signature does: what it has matched. */
	return done >= 4;
}

static void add_site(struct qemu_plugin_insn *insn, enum kind kind, size_t left,
		     bool hyp)
{
	struct site *s = malloc(sizeof(*s));

	if (!s)
		return;
	s->kind = kind;
	s->left = left;
	s->hyp = hyp;
	qemu_plugin_register_vcpu_insn_exec_cb(insn, at_marker,
					       QEMU_PLUGIN_CB_NO_REGS, s);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	bool hyp_tb = n && from_hyp(qemu_plugin_tb_get_insn(tb, 0));

	qemu_plugin_register_vcpu_tb_exec_cb(
	    tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
	    (void *)(uintptr_t)(n | (hyp_tb ? TB_HYP : 0)));
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);
		bool hyp = from_hyp(insn);

		for (int m = 0; m < nmarkers; m++)
			if (markers[m].va == va && markers[m].hyp == hyp)
				add_site(insn, markers[m].kind, n - i, hyp);
		if (sig_len && va < USER_TOP && (va & 0xfff) == sig_off &&
		    sig_matches(tb, i, n))
			add_site(insn, END, n - i, false);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-th quantile (q in thousandths) of n sorted values, nearest rank. */
static uint64_t quantile(const uint64_t *v, size_t n, unsigned q)
{
	size_t rank = (n * q + 999) / 1000;

	return v[rank ? rank - 1 : 0];
}

static void summary(const char *what, uint64_t *v, size_t n)
{
	char line[256];

	qsort(v, n, sizeof(*v), cmp_u64);
	snprintf(line, sizeof(line),
		 "p0: %s: min %" PRIu64 " median %" PRIu64 " 99.9%% %" PRIu64
		 " max %" PRIu64 "\n",
		 what, v[0], quantile(v, n, 500), quantile(v, n, 999),
		 v[n - 1]);
	qemu_plugin_outs(line);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	char line[128];

	(void)id;
	(void)p;
	if (out_path) {
		FILE *f = fopen(out_path, "w");

		if (!f) {
			fprintf(stderr, "p0: cannot write %s\n", out_path);
		} else {
			for (size_t i = 0; i < nsamples; i++)
				fprintf(f,
					"%" PRIu64 " %" PRIu64 " %" PRIu64
					" %" PRIu64 "\n",
					p0s[i], others[i], hyps[i], npasses[i]);
			fclose(f);
		}
	}
	snprintf(line, sizeof(line), "p0: vCPU %d: %zu samples\n", measured,
		 nsamples);
	qemu_plugin_outs(line);
	if (!nsamples)
		return;
	summary("P0 (own instructions)", p0s, nsamples);
	summary("other vCPUs' instructions", others, nsamples);
	summary("of P0, the hypervisor's", hyps, nsamples);
	summary("passes of the timer's handler", npasses, nsamples);
}

static int bad(const char *arg, const char *why)
{
	fprintf(stderr, "p0: %s: %s\n", arg, why);
	return -1;
}

static bool parse_u64(const char *text, int base, uint64_t *out)
{
	char *end;

	if (!*text)
		return false;
	*out = strtoull(text, &end, base);
	return !*end;
}

static int add_marker(const char *arg, const char *value, enum kind kind)
{
	struct marker *m = &markers[nmarkers];

	if (nmarkers == MAX_MARKERS)
		return bad(arg, "too many markers");
	m->kind = kind;
	m->hyp = !strncmp(value, "hyp:", 4);
	if (m->hyp)
		value += 4;
	if (!parse_u64(value, 0, &m->va) || !m->va)
		return bad(arg, "not an address");
	nmarkers++;
	if (kind == TIMER)
		have_timer = true;
	return 0;
}

static int parse_sig(const char *arg, const char *value)
{
	const char *colon = strchr(value, ':');
	char off[32];
	size_t len;

	if (!colon || (size_t)(colon - value) >= sizeof(off))
		return bad(arg, "give OFFSET:HEXBYTES");
	memcpy(off, value, (size_t)(colon - value));
	off[colon - value] = 0;
	if (!parse_u64(off, 0, &sig_off) || sig_off > 0xfff || sig_off % 4)
		return bad(arg,
			   "the offset must be a multiple of 4 below 4096");
	len = strlen(colon + 1);
	if (len < 8 || len % 2 || len / 2 > MAX_SIG)
		return bad(arg, "give 4 to 64 bytes as hex digits");
	for (size_t i = 0; i < len / 2; i++) {
		char byte[3] = {colon[1 + 2 * i], colon[2 + 2 * i], 0};
		uint64_t v;

		if (!parse_u64(byte, 16, &v))
			return bad(arg, "not hex digits");
		sig[i] = (uint8_t)v;
	}
	sig_len = len / 2;
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	bool any_hyp = false, any_irq = false, any_end = false;
	int ret = 0;

	for (int i = 0; i < argc && !ret; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strncmp(a, "irq=", 4))
			ret = add_marker(a, a + 4, IRQ);
		else if (!strncmp(a, "timer=", 6))
			ret = add_marker(a, a + 6, TIMER);
		else if (!strncmp(a, "end=", 4))
			ret = add_marker(a, a + 4, END);
		else if (!strncmp(a, "endsig=", 7))
			ret = parse_sig(a, a + 7);
		else if (!strncmp(a, "hyp=", 4)) {
			if (!parse_u64(a + 4, 0, &hyp_start) || !hyp_start)
				ret = bad(a, "not an address");
		} else if (!strncmp(a, "vcpu=", 5)) {
			if (!parse_u64(a + 5, 10, &v) || v >= MAX_VCPUS ||
			    (info->system_emulation &&
			     v >= (uint64_t)info->system.max_vcpus))
				ret = bad(a, "no such vCPU");
			else
				measured = (int)v;
		} else if (!strncmp(a, "out=", 4) && a[4])
			out_path = a + 4;
		else
			ret = bad(a, "unknown argument; give irq=, timer=, "
				     "end=, endsig=, hyp=, vcpu=, out=");
	}
	if (ret)
		return ret;
	for (int m = 0; m < nmarkers; m++) {
		any_hyp |= markers[m].hyp;
		any_irq |= markers[m].kind == IRQ;
		any_end |= markers[m].kind == END;
	}
	if (any_hyp && !hyp_start)
		return bad("hyp:", "a hypervisor's marker needs hyp=ADDR");
	if (!any_irq || (!any_end && !sig_len))
		return bad("markers", "give irq= and end= (or endsig=)");
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
