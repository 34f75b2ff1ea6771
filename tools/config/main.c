/*
 * tenon-config: reads a compiled system description, checks it against
 * docs/system-description.md and reports every error it finds (exit
 * status 1). When there is none, it generates into the --out directory:
 *   sysconfig.c   the hypervisor's table, struct tn_sysconfig
 *   <name>.dtb    each partition's device tree
 *   qemu-loads    QEMU's arguments loading every image where it belongs,
 *                 and its pristine copy (for restarts) in RAM nobody has
 *   machine       QEMU's arguments sizing the machine (-smp, -m)
 *   summary.txt   the layout, for people (-v also prints it)
 * A file whose contents would not change is left alone, so that what is
 * built from it is not rebuilt.
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "tenon-config.h"

static const char usage[] =
    "usage: tenon-config [-v] --build BUILDDIR [--source DTS] [--out DIR] "
    "FILE.dtb\n"
    "  FILE.dtb       the system description, compiled by dtc from DTS\n"
    "  --source DTS   the source file, named in messages (default FILE.dtb)\n"
    "  --build DIR    the build directory the images are relative to\n"
    "  --out DIR      where to generate sysconfig.c, <partition>.dtb,\n"
    "                 qemu-loads and summary.txt (default: only check)\n"
    "  -v             print the summary\n"
    "Exit status: 0 valid (and generated), 1 errors, 2 usage.\n";

static unsigned nerrors;

void cfg_error(const struct sys *sys, const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", sys->source, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	nerrors++;
}

unsigned cfg_errors(void)
{
	return nerrors;
}

static void out_of_memory(void)
{
	fprintf(stderr, "tenon-config: out of memory\n");
	exit(1);
}

char *xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		out_of_memory();
	return copy;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

const char *fmt_range(char *buf, size_t size, uint64_t base, uint64_t len)
{
	snprintf(buf, size, "0x%08llx+0x%08llx", (unsigned long long)base,
		 (unsigned long long)len);
	return buf;
}

const char *fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB"};
	unsigned u = 0;
	uint64_t scale = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes >= scale * 1024)
		scale *= 1024, u++;
	if (bytes % scale == 0)
		snprintf(buf, size, "%llu %s",
			 (unsigned long long)(bytes / scale), units[u]);
	else
		snprintf(buf, size, "%.1f %s", (double)bytes / (double)scale,
			 units[u]);
	return buf;
}

/* The whole file, or NULL with a message. */
static void *read_file(const char *name, size_t *size)
{
	FILE *f = fopen(name, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "tenon-config: %s: %s\n", name,
			strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				out_of_memory();
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "tenon-config: %s: %s\n", name,
			strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

/* mkdir -p. */
static int make_dirs(const char *dir)
{
	char *path = xstrdup(dir);
	int ret = 0;

	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST) {
			fprintf(stderr, "tenon-config: %s: %s\n", path,
				strerror(errno));
			ret = -1;
			break;
		}
		*p = c;
		if (!c)
			break;
	}
	free(path);
	return ret;
}

/* Writes DIR/NAME unless it already holds exactly that. */
static int write_output(const char *dir, const char *name, const void *data,
			size_t size)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.tmp", dir, name);
	FILE *f;
	size_t old_size;
	void *old;
	int ret = -1;

	f = fopen(path, "rb");
	if (f) {
		fclose(f);
		old = read_file(path, &old_size);
		if (old && old_size == size && !memcmp(old, data, size)) {
			free(old);
			ret = 0;
			goto out;
		}
		free(old);
	}
	f = fopen(tmp, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "tenon-config: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "tenon-config: %s: %s\n", path,
			strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(path);
	free(tmp);
	return ret;
}

typedef void text_writer(FILE *f, const struct sys *sys, const char *out);

/* Writes DIR/NAME with what `writer` prints; returns its text. */
static char *write_text(const char *dir, const char *name, text_writer *writer,
			const struct sys *sys, int *ret)
{
	char *text;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		out_of_memory();
	writer(f, sys, dir);
	if (fclose(f))
		out_of_memory();
	if (write_output(dir, name, text, size))
		*ret = -1;
	return text;
}

static void sysconfig_writer(FILE *f, const struct sys *sys, const char *out)
{
	(void)out;
	cfg_write_sysconfig(f, sys);
}

/* Writes every file into out; returns the summary's text. */
static char *generate(struct sys *sys, const char *out, int *ret)
{
	for (unsigned i = 0; i < sys->nparts; i++) {
		struct part *p = &sys->parts[i];
		char *name = xasprintf("%s.dtb", p->name);

		if (write_output(out, name, p->dtb, p->dtb_size))
			*ret = -1;
		free(name);
	}
	free(write_text(out, "sysconfig.c", sysconfig_writer, sys, ret));
	free(write_text(out, "qemu-loads", cfg_write_loads, sys, ret));
	free(write_text(out, "machine", cfg_write_machine, sys, ret));
	return write_text(out, "summary.txt", cfg_write_summary, sys, ret);
}

/* The last message of a description with errors; the exit status. */
static int count_errors(const struct sys *sys)
{
	fprintf(stderr, "%s: %u error%s; see docs/system-description.md\n",
		sys->source, cfg_errors(), cfg_errors() > 1 ? "s" : "");
	return 1;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
	    {"source", required_argument, NULL, 's'},
	    {"build", required_argument, NULL, 'b'},
	    {"out", required_argument, NULL, 'o'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sys sys = {0};
	const char *out = NULL;
	bool verbose = false;
	size_t size;
	void *blob;
	char *text;
	int opt, err, ret = 0;

	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			sys.source = optarg;
			break;
		case 'b':
			sys.build = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !sys.build) {
		fprintf(stderr, "tenon-config: %s\n%s",
			optind != argc - 1 ? "give one FILE.dtb"
					   : "--build is missing",
			usage);
		return 2;
	}
	if (!sys.source)
		sys.source = argv[optind];
	if (!*sys.build || (out && !*out)) {
		fprintf(stderr, "tenon-config: empty directory name\n%s",
			usage);
		return 2;
	}

	blob = read_file(argv[optind], &size);
	if (!blob)
		return 1;
	err = fdt_check_full(blob, size);
	if (err) {
		fprintf(stderr,
			"tenon-config: %s: not a valid device tree blob (%s); "
			"compile %s with dtc -I dts -O dtb\n",
			argv[optind], fdt_strerror(err), sys.source);
		return 1;
	}

	cfg_read(blob, &sys);
	if (cfg_errors())
		return count_errors(&sys);
	cfg_place_channels(&sys);
	if (cfg_errors())
		return count_errors(&sys);
	for (unsigned i = 0; i < sys.nparts; i++)
		if (cfg_partition_dtb(&sys, &sys.parts[i]))
			return 1;
	cfg_layout_dtbs(&sys);
	cfg_place_manager(&sys);
	cfg_place_copies(&sys);
	cfg_place_channel_ram(&sys);
	cfg_place_load_window(&sys);
	if (cfg_errors())
		return count_errors(&sys);
	if (!out) {
		if (verbose)
			cfg_write_summary(stdout, &sys, NULL);
		return 0;
	}
	if (make_dirs(out))
		return 1;
	text = generate(&sys, out, &ret);
	if (verbose)
		fputs(text, stdout);
	free(text);
	return ret ? 1 : 0;
}
