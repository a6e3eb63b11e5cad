// SPDX-License-Identifier: GPL-2.0-only
/*
 * Waveform tables: the text parser (valid texts, and every error with its line and
 * column), checks against a card's geometry and DAC range, the binary image (header
 * and CRC-32 against a bitwise reference implementation) and the text writer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qkdchip/qkdchip.h"

/* The emulated client card (Documentation/hw/registers.rst) */
static const struct qkdchip_info client = {
	.abi_version = QKDCHIP_ABI_VERSION,
	.role = QKDCHIP_ROLE_CLIENT,
	.features = 0xcf,
	.dac_channels = 5,
	.samples_per_slot = 8,
	.dac_bits = 14,
	.table_symbols = 256,
	.table_banks = 2,
};

static const struct qkdchip_info server = {
	.abi_version = QKDCHIP_ABI_VERSION,
	.role = QKDCHIP_ROLE_SERVER,
	.features = 0xb1,
	.det_channels = 4,
	.det_units = 2,
};

static int parse(struct qkd_table *t, const char *text)
{
	return qkd_table_parse(t, text, strlen(text));
}

static int16_t at(const struct qkd_table *t, unsigned int s, unsigned int c, unsigned int i)
{
	int16_t v = -12345;

	if (qkd_table_get(t, s, c, i, &v))
		return -12345;
	return v;
}

#define HDR123 "qkdchip-table 1\nsymbols 1\nchannels 2\nsamples 3\n"

TEST(minimal)
{
	struct qkd_table *t = qkd_table_new();
	unsigned int s, c, n;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, parse(t, "qkdchip-table 1\nsymbols 1\nchannels 1\nsamples 1\nsymbol 0\n0 -7\n"))
		TH_LOG("%s", qkd_table_error(t));
	ASSERT_EQ(0, qkd_table_geometry(t, &s, &c, &n));
	EXPECT_EQ(1u, s);
	EXPECT_EQ(1u, c);
	EXPECT_EQ(1u, n);
	EXPECT_EQ(-7, at(t, 0, 0, 0));
	EXPECT_EQ(-EINVAL, qkd_table_get(t, 0, 0, 1, &(int16_t){ 0 }));
	EXPECT_EQ(-EINVAL, qkd_table_get(t, 1, 0, 0, &(int16_t){ 0 }));
	qkd_table_free(t);
}

/* Names, numbers, repeats, comments, tabs, CRLF, blocks and rows in any order. */
TEST(full_featured)
{
	static const char text[] =
		"# a test table\r\n"
		"qkdchip-table 1   # format\r\n"
		"symbols 2\n"
		"channels 5\n"
		"samples 8\n"
		"\n"
		"symbol 1\n"
		"\tpmref 1 2 3 4 5 6 7 8\n"
		"\t0 -8192*8\n"
		"\tim2 0*4 100*4   # step\n"
		"\tim3 8191 -1 0*6\n"
		"\t3\t-5 -5 -5 -5 -5 -5 -5 -5\r\n"
		"symbol 0\n"
		"im1 7*8\n"
		"im2 +3*2 -3*6\n"
		"im3 0*8\n"
		"pm1 0*8\n"
		"4 1*1 2*7";
	struct qkd_table *t = qkd_table_new();
	unsigned int i;

	ASSERT_EQ(0, parse(t, text)) TH_LOG("%s", qkd_table_error(t));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ((int16_t)(i + 1), at(t, 1, 4, i));
		EXPECT_EQ(-8192, at(t, 1, 0, i));
		EXPECT_EQ(i < 4 ? 0 : 100, at(t, 1, 1, i));
		EXPECT_EQ(-5, at(t, 1, 3, i));
		EXPECT_EQ(7, at(t, 0, 0, i));
		EXPECT_EQ(i < 2 ? 3 : -3, at(t, 0, 1, i));
		EXPECT_EQ(i < 1 ? 1 : 2, at(t, 0, 4, i));
	}
	EXPECT_EQ(8191, at(t, 1, 2, 0));
	EXPECT_EQ(-1, at(t, 1, 2, 1));
	EXPECT_EQ(0, at(t, 1, 2, 7));
	EXPECT_EQ(0, qkd_table_check(t, &client)) TH_LOG("%s", qkd_table_error(t));
	qkd_table_free(t);
}

struct bad {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int err;
	unsigned int line, col;
	const char *msg;	/* the whole message after "line L, column C: " */
};

static const struct bad bad_texts[] = {
	{ "", 0, -EINVAL, 1, 1, "empty table: expected 'qkdchip-table 1'" },
	{ "# only a comment\n", 0, -EINVAL, 2, 1, "empty table: expected 'qkdchip-table 1'" },
	{ "symbols 1\n", 0, -EINVAL, 1, 1,
	  "expected 'qkdchip-table 1' as the first line, found 'symbols'" },
	{ "qkdchip-table 2\n", 0, -EINVAL, 1, 15,
	  "unsupported table format version 2 (this library reads 1)" },
	{ "qkdchip-table\n", 0, -EINVAL, 1, 14, "'qkdchip-table' needs the format version (1)" },
	{ "qkdchip-table 1 x\n", 0, -EINVAL, 1, 17, "unexpected 'x' after the format version" },
	{ "qkdchip-table 1\nqkdchip-table 1\n", 0, -EINVAL, 2, 1, "'qkdchip-table' given twice" },
	{ "qkdchip-table 1\nsymbols 0\n", 0, -EINVAL, 2, 9, "symbols 0 is out of range (1..65535)" },
	{ "qkdchip-table 1\nsymbols x12\n", 0, -EINVAL, 2, 9, "symbols: 'x12' is not a number" },
	{ "qkdchip-table 1\nsymbols 99999999999999999999\n", 0, -EINVAL, 2, 9,
	  "symbols 99999999999999999999 is out of range (1..65535)" },
	{ "qkdchip-table 1\nsymbols 2\n  symbols 2\n", 0, -EINVAL, 3, 3,
	  "'symbols' given twice (first on line 2)" },
	{ "qkdchip-table 1\nchannels 256\n", 0, -EINVAL, 2, 10, "channels 256 is out of range (1..255)" },
	{ "qkdchip-table 1\nsamples -1\n", 0, -EINVAL, 2, 9, "samples -1 is out of range (1..255)" },
	{ "qkdchip-table 1\nsamples\n", 0, -EINVAL, 2, 8, "'samples' needs a number" },
	{ "qkdchip-table 1\nsymbls 2\n", 0, -EINVAL, 2, 1,
	  "unknown keyword 'symbls' (expected symbols, channels, samples or symbol)" },
	{ "qkdchip-table 1\nsymbols 1\nchannels 2\nsymbol 0\n", 0, -EINVAL, 4, 1,
	  "'symbol' before the header is complete: 'samples' is missing" },
	{ "qkdchip-table 1\nsymbols 1\n", 0, -EINVAL, 3, 1, "end of text: 'channels' is missing" },
	{ HDR123, 0, -EINVAL, 5, 1, "end of text: no symbol blocks" },
	{ HDR123 "0 1 2 3\n", 0, -EINVAL, 5, 1, "'0' outside a symbol block (expected 'symbol N')" },
	{ HDR123 "symbol\n", 0, -EINVAL, 5, 7, "'symbol' needs a symbol number" },
	{ HDR123 "symbol 1\n", 0, -EINVAL, 5, 8, "symbol 1 is out of range (0..0)" },
	{ HDR123 "symbol 0 extra\n", 0, -EINVAL, 5, 10, "unexpected 'extra' after the symbol number" },
	{ HDR123 "symbol 0\n0 1 2 3\n1 1 2 3\nsymbol 0\n", 0, -EINVAL, 8, 1,
	  "symbol 0 appears twice (first on line 5)" },
	{ HDR123 "symbol 0\n0 1 2 3\n", 0, -EINVAL, 5, 1, "symbol 0 lacks channel im2 (1)" },
	{ HDR123 "symbol 0\n2 1 2 3\n", 0, -EINVAL, 6, 1,
	  "channel 2 is out of range (the table has 2 channels: 0..1)" },
	{ HDR123 "symbol 0\n  im3 1 2 3\n", 0, -EINVAL, 6, 3,
	  "channel im3 (2) is beyond the table's 2 channels (0..1)" },
	{ HDR123 "symbol 0\nfoo 1 2 3\n", 0, -EINVAL, 6, 1,
	  "unknown channel 'foo' (a number 0..1, or im1, im2, im3, pm1, pmref)" },
	{ HDR123 "symbol 0\n-1 1 2 3\n", 0, -EINVAL, 6, 1,
	  "unknown channel '-1' (a number 0..1, or im1, im2, im3, pm1, pmref)" },
	{ HDR123 "symbol 0\n0 1 2\n", 0, -EINVAL, 6, 6,
	  "channel im1 (0) has 2 samples, the table has 3 per slot" },
	{ HDR123 "symbol 0\n0 1 2   # comment 3\n", 0, -EINVAL, 6, 6,
	  "channel im1 (0) has 2 samples, the table has 3 per slot" },
	{ HDR123 "symbol 0\n0 1 2 3 4\n", 0, -EINVAL, 6, 9,
	  "too many samples for channel im1 (0): the table has 3 per slot" },
	{ HDR123 "symbol 0\n0 1 2*3\n", 0, -EINVAL, 6, 5,
	  "too many samples for channel im1 (0): the table has 3 per slot" },
	{ HDR123 "symbol 0\n0 1 x 3\n", 0, -EINVAL, 6, 5,
	  "'x' is not a sample (an integer, or VALUE*COUNT)" },
	{ HDR123 "symbol 0\n0 1 12ab 3\n", 0, -EINVAL, 6, 5,
	  "'12ab' is not a sample (an integer, or VALUE*COUNT)" },
	{ HDR123 "symbol 0\n0\t1 40000 3\n", 0, -EINVAL, 6, 5,
	  "sample 40000 is outside -32768..32767 (16-bit DAC codes)" },
	{ HDR123 "symbol 0\n0 1 -32769 3\n", 0, -EINVAL, 6, 5,
	  "sample -32769 is outside -32768..32767 (16-bit DAC codes)" },
	{ HDR123 "symbol 0\n0 99999999999999999999 1 1\n", 0, -EINVAL, 6, 3,
	  "sample 99999999999999999999 is outside -32768..32767 (16-bit DAC codes)" },
	{ HDR123 "symbol 0\n0 5*0\n", 0, -EINVAL, 6, 5, "repeat count 0 is out of range (1..3)" },
	{ HDR123 "symbol 0\n0 5*x\n", 0, -EINVAL, 6, 5,
	  "bad repeat count 'x' (VALUE*COUNT, COUNT >= 1)" },
	{ HDR123 "symbol 0\n0 5*\n", 0, -EINVAL, 6, 5,
	  "bad repeat count '' (VALUE*COUNT, COUNT >= 1)" },
	{ HDR123 "symbol 0\n0 *3\n", 0, -EINVAL, 6, 3,
	  "'*3' is not a sample (an integer, or VALUE*COUNT)" },
	{ HDR123 "symbol 0\n0 1 2 3\n0 1 2 3\n", 0, -EINVAL, 7, 1,
	  "channel im1 (0) appears twice in symbol 0 (first on line 6)" },
	{ "qkdchip-table 1\nsymbols 3\nchannels 1\nsamples 1\nsymbol 2\n0 5\nsymbol 0\n0 1\n", 0,
	  -EINVAL, 2, 9, "the table has 3 symbols, but symbol 1 has no block" },
	{ HDR123 "symbol 0\n0 1\0 2 3\n", sizeof(HDR123 "symbol 0\n0 1\0 2 3\n") - 1, -EINVAL,
	  6, 4, "NUL byte in the text" },
	{ "qkdchip-table 1\nsymbols 65535\nchannels 255\nsamples 255\nsymbol 0\n", 0, -EFBIG, 2, 9,
	  "a table of 4261413375 samples is too large (at most 16777216)" },
};

TEST(malformed_texts)
{
	unsigned int i, line, col;
	char want[512];

	for (i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		const struct bad *b = &bad_texts[i];
		struct qkd_table *t = qkd_table_new();
		size_t len = b->len ? b->len : strlen(b->text);
		int ret;

		ASSERT_NE(NULL, t);
		ret = qkd_table_parse(t, b->text, len);
		qkd_table_error_pos(t, &line, &col);
		snprintf(want, sizeof(want), "line %u, column %u: %s", b->line, b->col, b->msg);
		EXPECT_EQ(b->err, ret) TH_LOG("case %u", i);
		EXPECT_EQ(b->line, line) TH_LOG("case %u: %s", i, qkd_table_error(t));
		EXPECT_EQ(b->col, col) TH_LOG("case %u: %s", i, qkd_table_error(t));
		EXPECT_STREQ(want, qkd_table_error(t)) TH_LOG("case %u", i);
		EXPECT_EQ(-ENODATA, qkd_table_geometry(t, NULL, NULL, NULL)) TH_LOG("case %u", i);
		qkd_table_free(t);
	}
}

/* A failed parse leaves the table as it was. */
TEST(failure_keeps_table)
{
	struct qkd_table *t = qkd_table_new();
	unsigned int s, c, n;

	ASSERT_EQ(0, parse(t, HDR123 "symbol 0\n0 1 2 3\n1 4 5 6\n"));
	ASSERT_EQ(-EINVAL, parse(t, HDR123 "symbol 0\n0 1 2 3\n"));
	ASSERT_EQ(0, qkd_table_geometry(t, &s, &c, &n));
	EXPECT_EQ(1u, s);
	EXPECT_EQ(2u, c);
	EXPECT_EQ(3u, n);
	EXPECT_EQ(6, at(t, 0, 1, 2));
	qkd_table_free(t);
}

/* Five channels of eight samples, @sym symbols, every sample 0 but one. */
static char *client_text(unsigned int symbols, unsigned int hot_sym, unsigned int hot_ch,
			 int hot_val)
{
	static const char *const names[] = { "im1", "im2", "im3", "pm1", "pmref" };
	size_t cap = 64 + symbols * 120, len;
	char *s = malloc(cap);
	unsigned int k, c;

	len = (size_t)snprintf(s, cap, "qkdchip-table 1\nsymbols %u\nchannels 5\nsamples 8\n",
			       symbols);
	for (k = 0; k < symbols; k++) {
		len += (size_t)snprintf(s + len, cap - len, "symbol %u\n", k);
		for (c = 0; c < 5; c++) {
			if (k == hot_sym && c == hot_ch)
				len += (size_t)snprintf(s + len, cap - len, "%s 0 0 %d 0*5\n",
							names[c], hot_val);
			else
				len += (size_t)snprintf(s + len, cap - len, "%s 0*8\n", names[c]);
		}
	}
	return s;
}

TEST(check_dac_range)
{
	struct qkd_table *t = qkd_table_new();
	char *s;

	/* symbol 1, channel pm1: line 4 + 6 (symbol 0) + 1 (symbol 1) + 4 = 15; "pm1 0 0 " */
	s = client_text(2, 1, 3, 8192);
	ASSERT_EQ(0, parse(t, s)) TH_LOG("%s", qkd_table_error(t));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("line 15, column 9: sample 8192 is outside the card's 14-bit DAC range -8192..8191",
		     qkd_table_error(t));
	free(s);

	s = client_text(2, 0, 0, -8193);
	ASSERT_EQ(0, parse(t, s));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("line 6, column 9: sample -8193 is outside the card's 14-bit DAC range -8192..8191",
		     qkd_table_error(t));
	free(s);

	/* the ends of the range are fine */
	s = client_text(2, 0, 4, -8192);
	ASSERT_EQ(0, parse(t, s));
	EXPECT_EQ(0, qkd_table_check(t, &client)) TH_LOG("%s", qkd_table_error(t));
	free(s);
	s = client_text(2, 1, 2, 8191);
	ASSERT_EQ(0, parse(t, s));
	EXPECT_EQ(0, qkd_table_check(t, &client)) TH_LOG("%s", qkd_table_error(t));
	free(s);

	/* a value set by a program has no place in a text */
	ASSERT_EQ(0, qkd_table_set(t, 1, 3, 7, 9000));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("symbol 1, channel pm1 (3), sample 7: 9000 is outside the card's 14-bit DAC range -8192..8191",
		     qkd_table_error(t));
	qkd_table_free(t);
}

TEST(check_geometry)
{
	struct qkd_table *t = qkd_table_new();
	unsigned int line, col;
	char *s;

	ASSERT_EQ(0, parse(t, "qkdchip-table 1\nsymbols 1\nchannels   4\nsamples 8\nsymbol 0\n"
			      "0 0*8\n1 0*8\n2 0*8\n3 0*8\n"));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("line 3, column 12: 4 channels, but the card has 5 DAC channels",
		     qkd_table_error(t));

	ASSERT_EQ(0, parse(t, "qkdchip-table 1\nsymbols 1\nchannels 5\nsamples 4\nsymbol 0\n"
			      "0 0*4\n1 0*4\n2 0*4\n3 0*4\n4 0*4\n"));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("line 4, column 9: 4 samples per slot, but the card plays 8", qkd_table_error(t));

	s = client_text(257, 0, 0, 0);
	ASSERT_EQ(0, parse(t, s)) TH_LOG("%s", qkd_table_error(t));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("line 2, column 9: 257 symbols, but the card holds at most 256",
		     qkd_table_error(t));
	free(s);
	s = client_text(256, 0, 0, 0);
	ASSERT_EQ(0, parse(t, s));
	EXPECT_EQ(0, qkd_table_check(t, &client)) TH_LOG("%s", qkd_table_error(t));
	free(s);

	EXPECT_EQ(-EOPNOTSUPP, qkd_table_check(t, &server));
	EXPECT_STREQ("the card has no waveform table engine (a server card)", qkd_table_error(t));
	qkd_table_error_pos(t, &line, &col);
	EXPECT_EQ(0u, line);
	EXPECT_EQ(0u, col);

	/* a program's table has no lines to point at */
	ASSERT_EQ(0, qkd_table_init(t, 1, 3, 8));
	EXPECT_EQ(-EINVAL, qkd_table_check(t, &client));
	EXPECT_STREQ("3 channels, but the card has 5 DAC channels", qkd_table_error(t));
	qkd_table_free(t);
}

TEST(init_limits)
{
	struct qkd_table *t = qkd_table_new();

	EXPECT_EQ(-EINVAL, qkd_table_init(t, 0, 5, 8));
	EXPECT_EQ(-EINVAL, qkd_table_init(t, 65536, 5, 8));
	EXPECT_EQ(-EINVAL, qkd_table_init(t, 1, 256, 8));
	EXPECT_EQ(-EINVAL, qkd_table_init(t, 1, 5, 0));
	EXPECT_EQ(-EFBIG, qkd_table_init(t, 65535, 255, 255));
	EXPECT_EQ(-ENODATA, qkd_table_check(t, &client));
	EXPECT_EQ(0, qkd_table_init(t, 256, 5, 8));
	EXPECT_EQ(0, at(t, 255, 4, 7));
	EXPECT_EQ(-EINVAL, qkd_table_set(t, 256, 0, 0, 1));
	qkd_table_free(t);
}

/* Bitwise CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320): the reference. */
static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
	}
	return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(image)
{
	struct qkd_table *t = qkd_table_new();
	const uint8_t *img;
	void *vimg;
	size_t size;

	/* the reference gives the standard check value */
	ASSERT_EQ(0xcbf43926u, crc32_ref((const uint8_t *)"123456789", 9));

	/* samples whose little-endian bytes spell "12345678", then -2 and 258 */
	ASSERT_EQ(0, parse(t, "qkdchip-table 1\nsymbols 2\nchannels 1\nsamples 3\n"
			      "symbol 0\n0 12849 13363 13877\nsymbol 1\n0 14391 -2 258\n"));
	ASSERT_EQ(0, qkd_table_image(t, &vimg, &size));
	img = vimg;
	ASSERT_EQ(32u + 12u, size);
	EXPECT_EQ(0, memcmp(img, "QKWT", 4));
	EXPECT_EQ(1, img[4] | img[5] << 8);		/* version */
	EXPECT_EQ(32, img[6] | img[7] << 8);		/* hdr_size */
	EXPECT_EQ(2, img[8] | img[9] << 8);		/* symbols */
	EXPECT_EQ(1, img[10]);				/* channels */
	EXPECT_EQ(3, img[11]);				/* samples */
	EXPECT_EQ(12u, le32(img + 12));			/* data_size */
	EXPECT_EQ(0, memcmp(img + 32, "12345678\xfe\xff\x02\x01", 12));
	EXPECT_EQ(crc32_ref(img + 32, 12), le32(img + 16));
	EXPECT_EQ(0u, le32(img + 20) | le32(img + 24) | le32(img + 28));
	free(vimg);
	qkd_table_free(t);
}

TEST(print_round_trip)
{
	struct qkd_table *t = qkd_table_new(), *u = qkd_table_new();
	unsigned int s, c, i;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, qkd_table_init(t, 3, 5, 8));
	for (s = 0; s < 3; s++)
		for (c = 0; c < 5; c++)
			for (i = 0; i < 8; i++)
				qkd_table_set(t, s, c, i, (int16_t)((s * 7 + c * 3 + i / 3) % 5 - 2));
	qkd_table_set(t, 2, 4, 7, INT16_MIN);
	qkd_table_set(t, 2, 4, 6, INT16_MAX);
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, qkd_table_print(t, f));
	fclose(f);
	ASSERT_EQ(0, qkd_table_parse(u, buf, len)) TH_LOG("%s\n%s", qkd_table_error(u), buf);
	for (s = 0; s < 3; s++)
		for (c = 0; c < 5; c++)
			for (i = 0; i < 8; i++)
				EXPECT_EQ(at(t, s, c, i), at(u, s, c, i));
	EXPECT_NE(NULL, strstr(buf, "\tpmref")) TH_LOG("client channels are printed by name");
	free(buf);
	qkd_table_free(t);
	qkd_table_free(u);
}

TEST(parse_file)
{
	char path[] = "/tmp/qkd-table-XXXXXX";
	struct qkd_table *t = qkd_table_new();
	static const char text[] = HDR123 "symbol 0\n0 1 2 3\n1 4 5\n";
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
	EXPECT_EQ(-EINVAL, qkd_table_parse_file(t, path));
	EXPECT_STREQ("line 7, column 6: channel im2 (1) has 2 samples, the table has 3 per slot",
		     qkd_table_error(t));
	unlink(path);
	EXPECT_EQ(-ENOENT, qkd_table_parse_file(t, path));
	EXPECT_NE(NULL, strstr(qkd_table_error(t), "No such file"));
	EXPECT_EQ(-EISDIR, qkd_table_parse_file(t, "/tmp"));
	qkd_table_free(t);
}

TEST_HARNESS_MAIN
