/*
 * A QEMU TCG plugin that counts, per vCPU, the instructions each exit to
 * the hypervisor executes: from the first hypervisor instruction after
 * guest code to the last before guest code again (ERET included; the
 * boot, up to each vCPU's first entry into its guest, is left out). Only
 * that vCPU's own instructions count, so the other vCPUs' turns of the
 * round-robin (docs/measuring.md) are not in the figures, as they are in
 * any clock the hypervisor could read.
 *
 * Hypervisor code is told from guest code by its address and by where its
 * bytes are: a real-time guest runs at the same virtual addresses (its RAM
 * is seen at the platform's RAM base too), but from other RAM. The first
 * instruction QEMU runs is the hypervisor's entry (`_start`); the offset
 * between its host and virtual addresses then marks every hypervisor
 * instruction.
 *
 *   -plugin el2exits.so,start=ADDR,end=ADDR[,profile=CPU]
 *
 * start and end bound the hypervisor's text. With profile=CPU it also
 * counts how often vCPU CPU ran each hypervisor instruction, and prints
 * them at exit ("el2exits: profile ADDR COUNT"): tools/el2-profile.py
 * sums them per function, to show where an exit's instructions go.
 *
 * At exit it prints, per vCPU that took exits: their number, the average
 * and the longest, and how many took more than 2000 instructions, with a
 * histogram. Built only for make bench-console, against the qemu-plugin.h
 * of the QEMU installed (tools/qemu-plugin-header.sh).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 8
#define GOAL 2000 /* instructions: 2 us under -icount shift=0 */

static const uint64_t buckets[] = {250, 500, 1000, 2000, 5000, 20000};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]) + 1)

struct vcpu_exits {
	bool in_hyp;
	bool booted;	/* its first run at EL2, the boot, was left out */
	uint64_t count; /* of the exit under way */
	uint64_t exits, total, longest, over;
	uint64_t hist[NBUCKETS];
};

static struct vcpu_exits vcpus[MAX_VCPUS];
static uint64_t hyp_start, hyp_end;
static bool delta_known;
static int profile_cpu = -1;
static uint64_t *profile;  /* per instruction of the text, profile_cpu's */
static intptr_t hyp_delta; /* host address - virtual address, hypervisor */

static void end_exit(struct vcpu_exits *v)
{
	size_t b = 0;

	v->in_hyp = false;
	if (!v->booted) {
		/* From reset to its first guest: the boot, not an exit. */
		v->booted = true;
		return;
	}
	v->exits++;
	v->total += v->count;
	if (v->count > v->longest)
		v->longest = v->count;
	if (v->count > GOAL)
		v->over++;
	while (b < NBUCKETS - 1 && v->count > buckets[b])
		b++;
	v->hist[b]++;
}

static void hyp_insn(unsigned int vcpu, void *udata)
{
	struct vcpu_exits *v = &vcpus[vcpu % MAX_VCPUS];

	if (!v->in_hyp) {
		v->in_hyp = true;
		v->count = 0;
	}
	v->count++;
	if (profile && (int)vcpu == profile_cpu)
		profile[(uintptr_t)udata]++;
}

static void guest_tb(unsigned int vcpu, void *udata)
{
	struct vcpu_exits *v = &vcpus[vcpu % MAX_VCPUS];

	(void)udata;
	if (v->in_hyp)
		end_exit(v);
}

static bool is_hyp(struct qemu_plugin_insn *insn)
{
	uint64_t va = qemu_plugin_insn_vaddr(insn);
	intptr_t delta = (intptr_t)qemu_plugin_insn_haddr(insn) - (intptr_t)va;

	if (va < hyp_start || va >= hyp_end)
		return false;
	if (!delta_known && va == hyp_start) {
		hyp_delta = delta;
		delta_known = true;
	}
	return delta_known && delta == hyp_delta;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	bool hyp = n && is_hyp(qemu_plugin_tb_get_insn(tb, 0));

	(void)id;
	if (!hyp) {
		qemu_plugin_register_vcpu_tb_exec_cb(
		    tb, guest_tb, QEMU_PLUGIN_CB_NO_REGS, NULL);
		return;
	}
	/* Each instruction, so that a TB left early counts what ran. */
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uintptr_t index =
		    (uintptr_t)(qemu_plugin_insn_vaddr(insn) - hyp_start) / 4;

		qemu_plugin_register_vcpu_insn_exec_cb(
		    insn, hyp_insn, QEMU_PLUGIN_CB_NO_REGS, (void *)index);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	char line[512];

	(void)id;
	(void)p;
	for (int c = 0; c < MAX_VCPUS; c++) {
		const struct vcpu_exits *v = &vcpus[c];
		size_t len;

		if (!v->exits)
			continue;
		len = (size_t)snprintf(
		    line, sizeof(line),
		    "el2exits: CPU %d: %" PRIu64 " exits, instructions at EL2 "
		    "per exit: average %" PRIu64 ", longest %" PRIu64
		    ", %" PRIu64 " over %d; histogram",
		    c, v->exits, v->total / v->exits, v->longest, v->over,
		    GOAL);
		for (size_t b = 0; b < NBUCKETS && len < sizeof(line); b++)
			len += (size_t)snprintf(
			    line + len, sizeof(line) - len,
			    b < NBUCKETS - 1 ? " <=%" PRIu64 ": %" PRIu64
					     : " >%" PRIu64 ": %" PRIu64,
			    b < NBUCKETS - 1 ? buckets[b] : buckets[b - 1],
			    v->hist[b]);
		if (len < sizeof(line) - 1)
			strcat(line, "\n");
		qemu_plugin_outs(line);
	}
	for (uint64_t i = 0; profile && i < (hyp_end - hyp_start) / 4; i++) {
		if (!profile[i])
			continue;
		snprintf(line, sizeof(line),
			 "el2exits: profile %#" PRIx64 " %" PRIu64 "\n",
			 hyp_start + 4 * i, profile[i]);
		qemu_plugin_outs(line);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "start=", 6))
			hyp_start = strtoull(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "end=", 4))
			hyp_end = strtoull(argv[i] + 4, NULL, 0);
		else if (!strncmp(argv[i], "profile=", 8))
			profile_cpu = atoi(argv[i] + 8);
		else {
			fprintf(stderr,
				"el2exits: unknown argument %s; give "
				"start=ADDR,end=ADDR[,profile=CPU]\n",
				argv[i]);
			return -1;
		}
	}
	if (!hyp_start || hyp_end <= hyp_start) {
		fprintf(stderr, "el2exits: give the hypervisor's text as "
				"start=ADDR,end=ADDR\n");
		return -1;
	}
	if (profile_cpu >= 0) {
		profile =
		    calloc((hyp_end - hyp_start) / 4 + 1, sizeof(*profile));
		if (!profile) {
			fprintf(stderr,
				"el2exits: no memory for the profile\n");
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
