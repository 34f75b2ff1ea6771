/*
 * A partition's RAM, laid out once, by the Linux arm64 boot protocol
 * (Documentation/arch/arm64/booting.rst) whatever the image: the image at
 * a 2 MiB-aligned base (RAM + 2 MiB, where real-time images are linked)
 * plus the text_offset of its header, an initrd above it from the next
 * 2 MiB boundary, the device tree above both from the next one (so
 * 8-byte aligned and not across a 2 MiB boundary, as the protocol wants),
 * within 512 MiB of the image's start (older kernels map it with their
 * first page tables, which reach no further), all inside the partition's
 * RAM. Each starts a 2 MiB block, so that putting back a pristine copy in
 * whole blocks (copies.c) never writes over another, and the layout
 * changes only when a size crosses 2 MiB (a system's variants may swap
 * images, not the table). The table, the loads, the initrd properties of
 * the device tree and the pristine copies all read these offsets; nothing
 * computes them again.
 */
#include "tenon-config.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The smallest memory size that holds `need` bytes, in 2 MiB steps. */
static const char *need_size(char *buf, size_t size, uint64_t need)
{
	return fmt_size(buf, size, align_up(need, PART_ALIGN));
}

void cfg_layout_images(const struct sys *sys, struct part *p)
{
	char s1[32], s2[32], s3[32], s4[48];

	if (!p->mem_ok || !p->kind || !p->image_file)
		return;
	p->image_off = PART_IMAGE_BASE + p->text_offset;
	p->image_end = p->image_off + p->image_span;
	if (p->text_offset)
		snprintf(s4, sizeof(s4), "RAM + 2 MiB + text_offset 0x%llx",
			 (unsigned long long)p->text_offset);
	else
		snprintf(s4, sizeof(s4), "RAM + 2 MiB");
	if (p->image_end > p->ram_size) {
		cfg_error(sys, p->path,
			  "image \"%s\" (%s%s) does not fit: loaded at %s, it "
			  "needs memory of at least %s, not %s; give the "
			  "partition more memory",
			  p->image, fmt_size(s1, sizeof(s1), p->image_span),
			  p->image_span > p->image_size ? " when running" : "",
			  s4, need_size(s2, sizeof(s2), p->image_end),
			  fmt_size(s3, sizeof(s3), p->ram_size));
		return;
	}
	if (p->initrd && !p->initrd_file)
		return;
	if (p->initrd) {
		p->initrd_off = align_up(p->image_end, PART_ALIGN);
		if (p->initrd_size > p->ram_size - p->initrd_off) {
			cfg_error(sys, p->path,
				  "initrd \"%s\" (%s) does not fit: loaded "
				  "above the image, at RAM + %s, it needs "
				  "memory of at least %s, not %s; give the "
				  "partition more memory",
				  p->initrd,
				  fmt_size(s1, sizeof(s1), p->initrd_size),
				  fmt_size(s2, sizeof(s2), p->initrd_off),
				  need_size(s3, sizeof(s3),
					    p->initrd_off + p->initrd_size),
				  fmt_size(s4, sizeof(s4), p->ram_size));
			return;
		}
	}
	p->laid_out = true;
}

void cfg_layout_dtbs(struct sys *sys)
{
	for (unsigned i = 0; i < sys->nparts; i++) {
		struct part *p = &sys->parts[i];
		uint64_t end =
		    p->initrd ? p->initrd_off + p->initrd_size : p->image_end;
		uint64_t at = align_up(end, PART_ALIGN);
		char s1[32], s2[32], s3[32];

		if (!p->laid_out)
			continue;
		p->dtb_off = at;
		if (at > p->ram_size || PART_DTB_MAX > p->ram_size - at)
			cfg_error(sys, p->path,
				  "its device tree (%s) does not fit above "
				  "the image%s, at RAM + %s: it needs memory "
				  "of at least %s; give the partition more "
				  "memory",
				  fmt_size(s1, sizeof(s1), p->dtb_size),
				  p->initrd ? " and the initrd" : "",
				  fmt_size(s2, sizeof(s2), at),
				  need_size(s3, sizeof(s3), at + PART_DTB_MAX));
		else if (at + p->dtb_size - p->image_off > PART_DTB_REACH)
			cfg_error(sys, p->path,
				  "its device tree would be at RAM + %s, "
				  "above the image%s, more than 512 MiB from "
				  "the image's start, where the arm64 boot "
				  "protocol wants it; give it a smaller %s",
				  fmt_size(s2, sizeof(s2), at),
				  p->initrd ? " and the initrd" : "",
				  p->initrd ? "initrd" : "image");
	}
}

uint32_t cfg_pa_bits(const struct sys *sys)
{
	uint64_t end = sys->ram_base + sys->ram_size;
	uint32_t bits = plat.pa_bits_min;

	while (bits < 64 && end > 1ull << bits)
		bits++;
	return bits;
}
