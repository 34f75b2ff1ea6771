/*
 * The port's reading of the /tenon-health node (the HM interrupt) from
 * device trees built here: taken with its compatible and an SPI, left out
 * otherwise, so that a malformed node means "no HM interrupt", never a
 * wrong one.
 */
#include "arch/aarch64/aarch64.h"
#include "simtest.h"

static uint8_t blob[1024];
static char strings[256];
static uint32_t len, slen;
static struct fdt_info info;

static void put32(uint32_t v)
{
	blob[len++] = (uint8_t)(v >> 24);
	blob[len++] = (uint8_t)(v >> 16);
	blob[len++] = (uint8_t)(v >> 8);
	blob[len++] = (uint8_t)v;
}

static void put_bytes(const void *p, uint32_t n)
{
	memcpy(blob + len, p, n);
	len += n;
	while (len % 4)
		blob[len++] = 0;
}

static uint32_t string_offset(const char *name)
{
	uint32_t off = slen, n = (uint32_t)strlen(name) + 1;

	memcpy(strings + slen, name, n);
	slen += n;
	return off;
}

static void begin(const char *name)
{
	put32(1);
	put_bytes(name, (uint32_t)strlen(name) + 1);
}

static void end(void)
{
	put32(2);
}

static void prop(const char *name, const void *val, uint32_t n)
{
	put32(3);
	put32(n);
	put32(string_offset(name));
	put_bytes(val, n);
}

static void prop_cells(const char *name, const uint32_t *cells, int count)
{
	uint8_t be[16];

	for (int i = 0; i < count; i++) {
		be[4 * i] = (uint8_t)(cells[i] >> 24);
		be[4 * i + 1] = (uint8_t)(cells[i] >> 16);
		be[4 * i + 2] = (uint8_t)(cells[i] >> 8);
		be[4 * i + 3] = (uint8_t)cells[i];
	}
	prop(name, be, (uint32_t)(4 * count));
}

static void set32(uint32_t off, uint32_t v)
{
	blob[off] = (uint8_t)(v >> 24);
	blob[off + 1] = (uint8_t)(v >> 16);
	blob[off + 2] = (uint8_t)(v >> 8);
	blob[off + 3] = (uint8_t)v;
}

/* A tree with one /NODE holding compatible (if any) and interrupts. */
static int read_tree(const char *node, const char *compatible,
		     const uint32_t *irq, int cells)
{
	uint32_t off_struct = 40, off_strings;

	memset(blob, 0, sizeof(blob));
	len = off_struct;
	slen = 0;
	begin("");
	begin(node);
	if (compatible)
		prop("compatible", compatible,
		     (uint32_t)strlen(compatible) + 1);
	if (cells)
		prop_cells("interrupts", irq, cells);
	end();
	end();
	put32(9);
	off_strings = len;
	memcpy(blob + len, strings, slen);
	len += slen;
	set32(0, 0xd00dfeedu);
	set32(4, len);
	set32(8, off_struct);
	set32(12, off_strings);
	set32(16, 0);
	set32(20, 17);
	set32(24, 16);
	set32(32, slen);
	set32(36, off_strings - off_struct);
	return fdt_read(blob, &info);
}

static const uint32_t spi_7[3] = {0, 7, 1};

TEST(fdt_health_node_gives_hm_interrupt)
{
	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v1", spi_7, 3), 0);
	EXPECT_EQ(info.hm_intid, 32 + 7);
	EXPECT_EQ(read_tree("tenon-health@0", "tenon,health-v1", spi_7, 3), 0);
	EXPECT_EQ(info.hm_intid, 32 + 7);
}

TEST(fdt_health_node_without_its_compatible_is_left_out)
{
	EXPECT_EQ(read_tree("tenon-health", NULL, spi_7, 3), 0);
	EXPECT_EQ(info.hm_intid, 0);
	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v2", spi_7, 3), 0);
	EXPECT_EQ(info.hm_intid, 0);
	EXPECT_EQ(read_tree("tenon-healthy", "tenon,health-v1", spi_7, 3), 0);
	EXPECT_EQ(info.hm_intid, 0);
}

TEST(fdt_health_node_with_bad_interrupt_is_left_out)
{
	static const uint32_t ppi[3] = {1, 7, 4}, huge[3] = {0, 988, 4};

	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v1", ppi, 3), 0);
	EXPECT_EQ(info.hm_intid, 0);
	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v1", huge, 3), 0);
	EXPECT_EQ(info.hm_intid, 0);
	/* Too short for a triple. */
	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v1", spi_7, 2), 0);
	EXPECT_EQ(info.hm_intid, 0);
	EXPECT_EQ(read_tree("tenon-health", "tenon,health-v1", spi_7, 0), 0);
	EXPECT_EQ(info.hm_intid, 0);
}
