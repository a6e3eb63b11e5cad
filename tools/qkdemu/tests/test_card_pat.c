// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_card_pat - the client card's table and pattern engines against
 * Documentation/hw/streams.rst: table load, every validation error and its order, two
 * banks, the switch at a frame boundary, busy and not-loaded refusals; host-streamed
 * patterns locked to time (PAT_START, consumption, underruns with their events, UNDERRUN
 * triples and counters, stale bytes, bad symbols, write-back, PAT_ARM, DMA faults); and
 * the card-seeded generator, checked against libsodium's ChaCha20 from the seeds the
 * card reports in its stream.
 */
#include <stdlib.h>
#include <sodium.h>

#include "kselftest_harness.h"

#include "card_harness.h"
#include "chacha20.h"

#define C2H_BASE	(FAKE_BASE + 0x100000)
#define PAT_BASE	(FAKE_BASE + 0x400000)
#define TABLE_ADDR	(FAKE_BASE + 0x80000)
#define SLOT_NS(ns)	((ns) / 4 * 5 + ((ns) % 4) * 5 / 4)

/* CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: an independent reference */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
	}
	return ~c;
}

TEST(reference_crc32_check_value)
{
	EXPECT_EQ(0xcbf43926u, ref_crc32((const uint8_t *)"123456789", 9));
}

/* RFC 8439 section 2.3.2: the block function test vector */
TEST(chacha20_rfc8439_block)
{
	static const uint8_t expect[16] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
					    0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4 };
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0x00000000 };
	uint8_t out[64];
	unsigned int i;

	for (i = 0; i < 8; i++)
		key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	EXPECT_EQ(0, memcmp(expect, out, 16));
	EXPECT_EQ(0x4e, out[63]);
}

/* ---- tables ------------------------------------------------------------------------------ */

struct image {
	uint8_t b[32 + 256 * 5 * 8 * 2];
	uint32_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void image_make(struct image *im, unsigned int symbols, unsigned int seed)
{
	uint32_t data = symbols * 5 * 8 * 2, i;

	memset(im, 0, sizeof(*im));
	put32(im->b, 0x54574b51);
	put16(im->b + 4, 1);
	put16(im->b + 6, 32);
	put16(im->b + 8, (uint16_t)symbols);
	im->b[10] = 5;
	im->b[11] = 8;
	put32(im->b + 12, data);
	for (i = 0; i < data / 2; i++)
		put16(im->b + 32 + 2 * i, (uint16_t)(int16_t)((int)((i * 2654435761u + seed) %
								      16384) - 8192));
	put32(im->b + 16, ref_crc32(im->b + 32, data));
	im->len = 32 + data;
}

static void image_fix_crc(struct image *im)
{
	uint32_t data = im->b[12] | im->b[13] << 8 | im->b[14] << 16 | (uint32_t)im->b[15] << 24;

	if (data <= sizeof(im->b) - 32)
		put32(im->b + 16, ref_crc32(im->b + 32, data));
}

static void table_load(struct fake *f, const struct image *im, uint64_t addr)
{
	memcpy(fake_at(f, addr), im->b, im->len < sizeof(im->b) ? im->len : sizeof(im->b));
	wr64(f, QKDCHIP_REG_TABLE_ADDR_LO, addr);
	wr(f, QKDCHIP_REG_TABLE_LEN, im->len);
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_LOAD);
}

/* Load and switch in a table, waiting for the frame boundary. */
static void table_activate(struct fake *f, const struct image *im)
{
	table_load(f, im, TABLE_ADDR);
	fake_run(f, 100 * NS_PER_US);
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
	while (rd(f, QKDCHIP_REG_TABLE_STATUS) & QKDCHIP_TABLE_ST_PENDING)
		fake_run(f, 100 * NS_PER_US);
}

FIXTURE(client) { struct fake f; };
FIXTURE_SETUP(client)
{
	ASSERT_EQ(0, fake_init(&self->f, CARD_CLIENT, 3, 1));
	wr(&self->f, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_ALL);
	wr(&self->f, QKDCHIP_REG_FRAME_LOG2, 16);	/* frames of 52.4 us */
	fake_run(&self->f, 1 * NS_PER_MS);
}
FIXTURE_TEARDOWN(client) { fake_fini(&self->f); }

TEST_F(client, table_load_and_switch)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), st;
	uint64_t boundary;
	struct image im;
	int i;

	image_make(&im, 4, 1);
	table_load(f, &im, TABLE_ADDR);
	st = rd(f, QKDCHIP_REG_TABLE_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ST_BUSY, st & 0xf);
	fake_run(f, 100 * NS_PER_US);
	st = rd(f, QKDCHIP_REG_TABLE_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ST_LOADED, st & 0xf);
	EXPECT_EQ(0u, QKDCHIP_TABLE_ST_BANK(st));
	EXPECT_EQ(0u, QKDCHIP_TABLE_ST_ERROR(st));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));	/* the active bank is empty */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_TABLE);
	EXPECT_EQ(1u, f->irqs[2]);
	i = ev_find(f, head, QKDCHIP_EV_TABLE_LOADED);
	ASSERT_GE(i, 0);
	EXPECT_EQ(1u, ev_arg(f, (uint32_t)i));		/* into the inactive bank */
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_TABLE);

	boundary = ((card_now_slot(f->card) >> 16) + 1) << 16;
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_TABLE_STATUS) & QKDCHIP_TABLE_ST_PENDING);
	/* the frame before the boundary still plays the old (no) table */
	f->now_ns = (boundary - 1) * 4 / 5;
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_TABLE_STATUS) & QKDCHIP_TABLE_ST_PENDING);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));
	fake_run(f, 2);
	st = rd(f, QKDCHIP_REG_TABLE_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ST_ACTIVE_VALID, st & 0xf);
	EXPECT_EQ(1u, QKDCHIP_TABLE_ST_BANK(st));
	EXPECT_EQ(1u, QKDCHIP_TABLE_ST_SWITCHES(st));
	EXPECT_EQ(boundary >> 16, rd64(f, QKDCHIP_REG_TABLE_FRAME_LO));
	EXPECT_EQ(ref_crc32(im.b + 32, im.len - 32), rd(f, QKDCHIP_REG_TABLE_ACTIVE_CRC));
	EXPECT_EQ(4u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_TABLE);
	i = ev_find(f, head, QKDCHIP_EV_TABLE_SWITCHED);
	ASSERT_GE(i, 0);
	EXPECT_EQ((uint32_t)(boundary >> 16), ev_arg(f, (uint32_t)i));

	/* a failing load never touches the active bank */
	im.b[0] ^= 1;
	table_load(f, &im, TABLE_ADDR);
	fake_run(f, 100 * NS_PER_US);
	st = rd(f, QKDCHIP_REG_TABLE_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_HEADER, QKDCHIP_TABLE_ST_ERROR(st));
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ST_ACTIVE_VALID, st & 0xf);
	EXPECT_EQ(4u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));
	/* a second table goes into the other bank and back */
	image_make(&im, 256, 2);
	table_activate(f, &im);
	st = rd(f, QKDCHIP_REG_TABLE_STATUS);
	EXPECT_EQ(0u, QKDCHIP_TABLE_ST_BANK(st));
	EXPECT_EQ(2u, QKDCHIP_TABLE_ST_SWITCHES(st));
	EXPECT_EQ(256u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));
}

enum tmut {
	T_MAGIC, T_VERSION, T_HDRSIZE, T_RESERVED, T_LEN, T_SHORT, T_SYMS0, T_SYMS257,
	T_CHANNELS, T_SAMPLES, T_DATASIZE, T_CRC, T_RANGE_HI, T_RANGE_LO, T_UNMAPPED,
	T_UNALIGNED, T_INJECTED, T_GEOM_AND_CRC, T_CRC_AND_RANGE, T_NUM
};

static const uint32_t texpect[T_NUM] = {
	[T_MAGIC] = QKDCHIP_TABLE_ERR_HEADER, [T_VERSION] = QKDCHIP_TABLE_ERR_HEADER,
	[T_HDRSIZE] = QKDCHIP_TABLE_ERR_HEADER, [T_RESERVED] = QKDCHIP_TABLE_ERR_HEADER,
	[T_LEN] = QKDCHIP_TABLE_ERR_HEADER, [T_SHORT] = QKDCHIP_TABLE_ERR_HEADER,
	[T_SYMS0] = QKDCHIP_TABLE_ERR_GEOMETRY, [T_SYMS257] = QKDCHIP_TABLE_ERR_GEOMETRY,
	[T_CHANNELS] = QKDCHIP_TABLE_ERR_GEOMETRY, [T_SAMPLES] = QKDCHIP_TABLE_ERR_GEOMETRY,
	[T_DATASIZE] = QKDCHIP_TABLE_ERR_GEOMETRY, [T_CRC] = QKDCHIP_TABLE_ERR_CRC,
	[T_RANGE_HI] = QKDCHIP_TABLE_ERR_RANGE, [T_RANGE_LO] = QKDCHIP_TABLE_ERR_RANGE,
	[T_UNMAPPED] = QKDCHIP_TABLE_ERR_DMA, [T_UNALIGNED] = QKDCHIP_TABLE_ERR_DMA,
	[T_INJECTED] = QKDCHIP_TABLE_ERR_DMA, [T_GEOM_AND_CRC] = QKDCHIP_TABLE_ERR_GEOMETRY,
	[T_CRC_AND_RANGE] = QKDCHIP_TABLE_ERR_CRC,
};

TEST(table_validation)
{
	enum tmut m;

	for (m = 0; m < T_NUM; m++) {
		uint64_t addr = TABLE_ADDR;
		struct fake f;
		struct image im;
		uint32_t head, st;
		int i;

		ASSERT_EQ(0, fake_init(&f, CARD_CLIENT, 3, 1));
		image_make(&im, 16, m);
		switch (m) {
		case T_MAGIC: im.b[3] = 0; break;
		case T_VERSION: put16(im.b + 4, 2); break;
		case T_HDRSIZE: put16(im.b + 6, 36); break;
		case T_RESERVED: im.b[31] = 1; break;
		case T_LEN: im.len += 2; break;
		case T_SHORT: im.len = 31; break;
		case T_SYMS0: put16(im.b + 8, 0); break;
		case T_SYMS257:
			put16(im.b + 8, 257);
			put32(im.b + 12, 257 * 80);
			im.len = 32 + 257 * 80;
			break;
		case T_CHANNELS: im.b[10] = 4; break;
		case T_SAMPLES: im.b[11] = 9; break;
		case T_DATASIZE:
			put32(im.b + 12, 16 * 80 + 2);
			im.len += 2;
			break;
		case T_CRC: im.b[16] ^= 0x40; break;
		case T_RANGE_HI: put16(im.b + 32 + 2 * 77, 8192); image_fix_crc(&im); break;
		case T_RANGE_LO: put16(im.b + 32 + 2 * 5, (uint16_t)-8193); image_fix_crc(&im); break;
		case T_UNMAPPED: addr = 0x7000; break;
		case T_UNALIGNED: addr = TABLE_ADDR + 4; break;
		case T_INJECTED: {
			struct card_fault flt = { .kind = CARD_FAULT_DMA_READ };
			char err[64];

			ASSERT_EQ(0, card_inject(f.card, &flt, err, sizeof(err)));
			break;
		}
		case T_GEOM_AND_CRC: im.b[11] = 7; im.b[16] ^= 1; break;
		case T_CRC_AND_RANGE: put16(im.b + 32, 9000); break;
		default: break;
		}
		head = rd(&f, QKDCHIP_REG_EVLOG_HEAD);
		if (m == T_UNMAPPED) {
			wr64(&f, QKDCHIP_REG_TABLE_ADDR_LO, addr);
			wr(&f, QKDCHIP_REG_TABLE_LEN, im.len);
			wr(&f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_LOAD);
		} else {
			table_load(&f, &im, addr);
		}
		fake_run(&f, 100 * NS_PER_US);
		st = rd(&f, QKDCHIP_REG_TABLE_STATUS);
		EXPECT_EQ(texpect[m], QKDCHIP_TABLE_ST_ERROR(st)) TH_LOG("mutation %d", m);
		EXPECT_EQ(0u, st & 0xf) TH_LOG("mutation %d: not loaded, not busy", m);
		EXPECT_NE(0u, rd(&f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_TABLE);
		i = ev_find(&f, head, QKDCHIP_EV_TABLE_ERROR);
		ASSERT_GE(i, 0) TH_LOG("mutation %d", m);
		EXPECT_EQ(texpect[m], ev_arg(&f, (uint32_t)i));
		if (texpect[m] == QKDCHIP_TABLE_ERR_DMA) {
			i = ev_find(&f, head, QKDCHIP_EV_DMA_ERROR);
			ASSERT_GE(i, 0);
			EXPECT_EQ(2u, ev_arg(&f, (uint32_t)i));
		}
		/* switching in a failed load is refused */
		wr(&f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
		EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_NOT_LOADED,
			  QKDCHIP_TABLE_ST_ERROR(rd(&f, QKDCHIP_REG_TABLE_STATUS)));
		fake_fini(&f);
	}
}

TEST_F(client, table_busy_and_not_loaded)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	struct image im;
	int i;

	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_NOT_LOADED,
		  QKDCHIP_TABLE_ST_ERROR(rd(f, QKDCHIP_REG_TABLE_STATUS)));
	i = ev_find(f, head, QKDCHIP_EV_TABLE_ERROR);
	ASSERT_GE(i, 0);
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_NOT_LOADED, ev_arg(f, (uint32_t)i));
	image_make(&im, 8, 1);
	table_load(f, &im, TABLE_ADDR);
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_LOAD);	/* while loading */
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_BUSY,
		  QKDCHIP_TABLE_ST_ERROR(rd(f, QKDCHIP_REG_TABLE_STATUS)));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_TABLE_STATUS) & QKDCHIP_TABLE_ST_BUSY);
	fake_run(f, 100 * NS_PER_US);
	/* the first load completes normally */
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ST_LOADED, rd(f, QKDCHIP_REG_TABLE_STATUS) & 0xff);
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);	/* while pending */
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_BUSY,
		  QKDCHIP_TABLE_ST_ERROR(rd(f, QKDCHIP_REG_TABLE_STATUS)));
	wr(f, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_LOAD);	/* load while pending */
	EXPECT_EQ((uint32_t)QKDCHIP_TABLE_ERR_BUSY,
		  QKDCHIP_TABLE_ST_ERROR(rd(f, QKDCHIP_REG_TABLE_STATUS)));
	/* FRAME_LOG2 cannot change while a switch is pending */
	wr(f, QKDCHIP_REG_FRAME_LOG2, 18);
	EXPECT_EQ(16u, rd(f, QKDCHIP_REG_FRAME_LOG2));
	fake_run(f, 100 * NS_PER_US);
	EXPECT_EQ(8u, rd(f, QKDCHIP_REG_TABLE_ACTIVE_SYMS));
}

/* ---- host-streamed patterns -------------------------------------------------------------- */

struct pat_env {
	struct fake_ring c2h, pat;
	uint64_t c2h_cons;
};

/* Pattern ring 16 x 256 KiB = 4 MiB (3.4 ms of slots); C2H ring 8 x 64 KiB */
static void pat_env_init(struct fake *f, struct pat_env *e, bool c2h)
{
	fake_ring_init(f, &e->pat, PAT_BASE, 16, 18);
	fake_ring_program(f, &e->pat, 0x2100);
	e->c2h_cons = 0;
	if (c2h) {
		fake_ring_init(f, &e->c2h, C2H_BASE, 8, 16);
		fake_ring_program(f, &e->c2h, 0x1000);
		wr(f, QKDCHIP_REG_HEARTBEAT_US, 0);
		wr(f, QKDCHIP_REG_C2H_MOD_TIME_US, 20);
		wr(f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN);
	}
}

static uint8_t *pat_byte(struct fake *f, struct pat_env *e, uint64_t k)
{
	k &= (16ULL << 18) - 1;
	return fake_at(f, e->pat.buf0 + k);
}

/* The host produces pattern bytes [from, to) with byte k = fn(k) */
static void produce(struct fake *f, struct pat_env *e, uint64_t from, uint64_t to)
{
	uint64_t k;

	for (k = from; k < to; k++)
		*pat_byte(f, e, k) = (uint8_t)(k % 7 == 0 ? 200 : k % 4);
	fake_put64(f, e->pat.shadow, to);
}

/* C2H records published so far */
static size_t c2h_drain(struct fake *f, struct pat_env *e, uint64_t *out, size_t max)
{
	uint64_t prod = fake_u64(f, e->c2h.wb);
	size_t n = 0;

	while (e->c2h_cons < prod) {
		if (n < max)
			out[n++] = ring_rec(f, &e->c2h, e->c2h_cons);
		e->c2h_cons++;
	}
	fake_put64(f, e->c2h.shadow, e->c2h_cons);
	return n;
}

TEST_F(client, pattern_start_and_consumption)
{
	struct fake *f = &self->f;
	struct pat_env e;
	uint64_t s0, start, due;

	pat_env_init(f, &e, false);
	produce(f, &e, 0, 2000000);
	s0 = card_now_slot(f->card);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	/* the first frame boundary at least 1 ms ahead */
	start = rd64(f, QKDCHIP_REG_PAT_START_LO);
	EXPECT_EQ(0u, start & 0xffff);
	EXPECT_GE(start, s0 + 1250000);
	EXPECT_LT(start, s0 + 1250000 + 65536);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_PAT_RUNNING);
	EXPECT_EQ((uint32_t)QKDCHIP_PAT_ST_RUNNING, rd(f, QKDCHIP_REG_PAT_STATUS));
	fake_run(f, 900 * NS_PER_US);
	EXPECT_EQ(0u, rd64(f, QKDCHIP_REG_PAT_CONS_LO));
	/* byte k plays at slot PAT_START + k: consumed = slots due */
	f->now_ns = (start + 1000000) * 4 / 5;
	due = card_now_slot(f->card) > start ? 0 : 0;
	rd(f, 0);
	due = card_now_slot(f->card) - start;
	EXPECT_EQ(due, rd64(f, QKDCHIP_REG_PAT_CONS_LO));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_PAT_STATUS) & QKDCHIP_PAT_ST_UNDERRUN);
	/* write-back: every PAT_MOD_COUNT (65536) consumed slots */
	EXPECT_EQ(0u, fake_u64(f, e.pat.wb) % 65536);
	EXPECT_GE(fake_u64(f, e.pat.wb), due - 65536);
	EXPECT_EQ(0u, fake_u64(f, e.pat.wb + 8));		/* no underrun */
	EXPECT_EQ((uint32_t)QKDCHIP_PAT_ST_RUNNING, fake_u32(f, e.pat.wb + 24));
	EXPECT_EQ(fake_u64(f, e.pat.wb) / 65536, fake_u32(f, e.pat.wb + 28));
	/* configuration cannot change while running */
	wr(f, QKDCHIP_REG_PAT_DESC_COUNT, 2);
	EXPECT_EQ(16u, rd(f, QKDCHIP_REG_PAT_DESC_COUNT));
	/* stop: final write-back, RUNNING clear */
	wr(f, QKDCHIP_REG_PAT_CTRL, 0);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_PAT_STATUS));
	EXPECT_EQ(due, fake_u64(f, e.pat.wb));
	EXPECT_EQ(0u, fake_u32(f, e.pat.wb + 24) & QKDCHIP_PAT_ST_RUNNING);
}

static void check_frames_and_events(struct __test_metadata *_metadata, const uint64_t *recs,
				    size_t n, uint64_t start)
{
	uint64_t frames = 0, prev = 0;
	int seen = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (QKDCHIP_REC_TYPE(recs[i]) == QKDCHIP_REC_EVENT &&
		    (QKDCHIP_EVREC_CODE(recs[i]) == QKDCHIP_EV_PAT_UNDERRUN ||
		     QKDCHIP_EVREC_CODE(recs[i]) == QKDCHIP_EV_PAT_UNDERRUN_END))
			seen++;
		if (QKDCHIP_REC_TYPE(recs[i]) == QKDCHIP_REC_TIME &&
		    QKDCHIP_TIME_KIND(recs[i]) == QKDCHIP_TIME_FRAME) {
			uint64_t s = QKDCHIP_TIME_SLOT(recs[i]);

			EXPECT_EQ(0u, s & 0xffff);
			EXPECT_GE(s, start);
			if (frames++) {
				EXPECT_EQ(prev + 65536, s);
			}
			prev = s;
		}
	}
	EXPECT_EQ(2, seen);
	EXPECT_GT(frames, 50u);
}

TEST_F(client, pattern_underrun)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), arg;
	uint64_t recs[4096], start, t_prod, count, first = 0, last = 0, rc = 0, cons;
	struct pat_env e;
	size_t n, i;
	int k;

	pat_env_init(f, &e, true);
	produce(f, &e, 0, 1000000);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	start = rd64(f, QKDCHIP_REG_PAT_START_LO);
	/* byte 1 000 000 is late: the underrun starts at PAT_START + 1 000 000 */
	f->now_ns = (start + 1200000) * 4 / 5;
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_PAT_STATUS) & QKDCHIP_PAT_ST_UNDERRUN);
	EXPECT_EQ(1000000u, rd64(f, QKDCHIP_REG_PAT_CONS_LO));
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_PAT_UNDERRUNS));
	EXPECT_EQ(card_now_slot(f->card) - start - 1000000, rd64(f, QKDCHIP_REG_PAT_UNDERRUN_LO));
	k = ev_find(f, head, QKDCHIP_EV_PAT_UNDERRUN);
	ASSERT_GE(k, 0);
	/* written back at the start of the underrun */
	EXPECT_EQ(1000000u, fake_u64(f, e.pat.wb));
	EXPECT_NE(0u, fake_u32(f, e.pat.wb + 24) & QKDCHIP_PAT_ST_UNDERRUN);
	/* the host catches up: late bytes are consumed without playing */
	t_prod = card_now_slot(f->card) - start;
	produce(f, &e, 1000000, t_prod + 3000000);
	fake_run(f, 200 * NS_PER_US);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_PAT_STATUS) & QKDCHIP_PAT_ST_UNDERRUN);
	k = ev_find(f, head, QKDCHIP_EV_PAT_UNDERRUN_END);
	ASSERT_GE(k, 0);
	arg = ev_arg(f, (uint32_t)k);
	count = rd64(f, QKDCHIP_REG_PAT_UNDERRUN_LO);
	EXPECT_EQ(count, arg);
	/* it ended at the first poll (every 100 us) after the host caught up */
	EXPECT_GE(count, t_prod - 1000000);
	EXPECT_LE(count, t_prod - 1000000 + 125000);
	cons = rd64(f, QKDCHIP_REG_PAT_CONS_LO);
	EXPECT_EQ(card_now_slot(f->card) - start, cons);
	/* the UNDERRUN triple (count, first slot, last slot) and the EVENT records */
	fake_run(f, 2 * NS_PER_MS);
	n = c2h_drain(f, &e, recs, 4096);
	for (i = 0; i < n; i++) {
		if (QKDCHIP_REC_TYPE(recs[i]) != QKDCHIP_REC_UNDERRUN)
			continue;
		switch (QKDCHIP_LOSS_KIND(recs[i])) {
		case QKDCHIP_LOSS_COUNT_KIND:
			EXPECT_EQ(0u, QKDCHIP_LOSS_REASON(recs[i]));
			rc = QKDCHIP_LOSS_COUNT(recs[i]);
			ASSERT_LT(i + 2, n);
			EXPECT_EQ((uint32_t)QKDCHIP_LOSS_FIRST_KIND, QKDCHIP_LOSS_KIND(recs[i + 1]));
			EXPECT_EQ((uint32_t)QKDCHIP_LOSS_LAST_KIND, QKDCHIP_LOSS_KIND(recs[i + 2]));
			first = QKDCHIP_LOSS_SLOT(recs[i + 1]);
			last = QKDCHIP_LOSS_SLOT(recs[i + 2]);
			break;
		}
	}
	EXPECT_EQ(count, rc);
	EXPECT_EQ(start + 1000000, first);
	EXPECT_EQ(first + count - 1, last);
	/* EVENT records for both, in stream order, and TIME FRAME records from PAT_START */
	check_frames_and_events(_metadata, recs, n, start);
	/* the write-back's underrun field is this run's blank slots */
	wr(f, QKDCHIP_REG_PAT_CTRL, 0);
	EXPECT_EQ(count, fake_u64(f, e.pat.wb + 8));
}


TEST_F(client, pattern_bad_symbols_and_symbol_at)
{
	struct fake *f = &self->f;
	struct pat_env e;
	struct image im;
	uint64_t start, k, bad = 0, played;
	int sym;

	image_make(&im, 4, 1);
	table_activate(f, &im);
	pat_env_init(f, &e, false);
	produce(f, &e, 0, 3000000);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	start = rd64(f, QKDCHIP_REG_PAT_START_LO);
	/* the symbol of a future slot whose byte is produced: byte k */
	EXPECT_EQ(1, card_symbol_at(f->card, start + 5, NULL));
	EXPECT_EQ(CARD_SYM_BLANK, card_symbol_at(f->card, start + 7, NULL));	/* 200 >= 4 */
	EXPECT_EQ(CARD_SYM_UNKNOWN, card_symbol_at(f->card, start + 3000000, NULL));
	EXPECT_EQ(CARD_SYM_BLANK, card_symbol_at(f->card, start - 1, NULL));
	f->now_ns = (start + 2000000) * 4 / 5;
	rd(f, 0);
	played = card_now_slot(f->card) - start;
	for (k = 0; k < played; k++)
		bad += k % 7 == 0;
	EXPECT_EQ(bad, rd(f, QKDCHIP_REG_PAT_BAD_SYMBOLS));
	/* slots the host may have reused since the last write-back: unknown */
	EXPECT_EQ(CARD_SYM_UNKNOWN, card_symbol_at(f->card, start + 10, NULL));
	k = fake_u64(f, e.pat.wb);
	sym = card_symbol_at(f->card, start + k + 1, NULL);
	EXPECT_EQ((int)((k + 1) % 7 == 0 ? CARD_SYM_BLANK : (int)((k + 1) % 4)), sym);
}

TEST_F(client, pattern_arm)
{
	struct fake *f = &self->f;
	struct pat_env e;
	uint64_t start, c;

	pat_env_init(f, &e, false);
	wr(f, QKDCHIP_REG_PAT_MOD_COUNT, 0);
	wr(f, QKDCHIP_REG_PAT_MOD_TIME_US, 100);
	produce(f, &e, 0, 4000000);
	wr(f, QKDCHIP_REG_PAT_ARM, 0);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	start = rd64(f, QKDCHIP_REG_PAT_START_LO);
	f->now_ns = (start + 100000) * 4 / 5;
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
	f->now_ns = (start + 130000) * 4 / 5;		/* the write-back at start + 100 us */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
	EXPECT_EQ(1u, f->irqs[2]);
	c = fake_u64(f, e.pat.wb);
	EXPECT_EQ(125000u, c);
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_PAT);
	wr(f, QKDCHIP_REG_PAT_ARM, (uint32_t)c);
	fake_run(f, 50 * NS_PER_US);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
	fake_run(f, 100 * NS_PER_US);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_PAT);
	wr(f, QKDCHIP_REG_PAT_ARM, (uint32_t)c);	/* differs from the last: at once */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_PAT);
}

TEST_F(client, pattern_dma_fault)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), st;
	struct pat_env e;
	uint64_t start;
	int k;

	pat_env_init(f, &e, false);
	produce(f, &e, 0, 4000000);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	start = rd64(f, QKDCHIP_REG_PAT_START_LO);
	f->now_ns = (start + 300000) * 4 / 5;
	rd(f, 0);
	fake_unmap(f, e.pat.buf0, 16 << 18);
	fake_run(f, 500 * NS_PER_US);
	st = rd(f, QKDCHIP_REG_PAT_STATUS);
	EXPECT_EQ(0u, st & QKDCHIP_PAT_ST_RUNNING);
	EXPECT_NE(0u, st & QKDCHIP_PAT_ST_ERROR);
	EXPECT_EQ((uint32_t)QKDCHIP_ERR_DMA_READ, (st >> 8) & 0xff);
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_PAT_DMA_ERRORS));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_ERROR);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_ERROR);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_PAT_CTRL) & QKDCHIP_PAT_RUN);
	k = ev_find(f, head, QKDCHIP_EV_DMA_ERROR);
	ASSERT_GE(k, 0);
	EXPECT_EQ(1u, ev_arg(f, (uint32_t)k));
	EXPECT_EQ(CARD_SYM_BLANK, card_symbol_at(f->card, card_now_slot(f->card) + 10, NULL));
	fake_remap(f);
}

TEST_F(client, pattern_start_errors)
{
	struct fake *f = &self->f;
	uint32_t head, st;
	struct pat_env e;
	int k;

	pat_env_init(f, &e, false);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN | 2 << 4);
	st = rd(f, QKDCHIP_REG_PAT_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_ERR_BAD_CONFIG, (st >> 8) & 0xff);
	EXPECT_EQ(0x2100u >> 2, st >> 16);
	wr(f, QKDCHIP_REG_PAT_BUF_LOG2, 23);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	st = rd(f, QKDCHIP_REG_PAT_STATUS);
	EXPECT_EQ(0x2114u >> 2, st >> 16);
	wr(f, QKDCHIP_REG_PAT_BUF_LOG2, 18);
	fake_put64(f, e.pat.desc + 5 * 16, e.pat.buf0 + 5 * (1 << 18) + 64);
	head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	wr(f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN);
	st = rd(f, QKDCHIP_REG_PAT_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_ERR_BAD_DESC, (st >> 8) & 0xff);
	EXPECT_EQ(5u, st >> 16);
	k = ev_find(f, head, QKDCHIP_EV_DESC_ERROR);
	ASSERT_GE(k, 0);
	EXPECT_EQ(1u << 16 | 5, ev_arg(f, (uint32_t)k));	/* engine 1: pattern */
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_PAT_RUNNING);
}

/* ---- card-seeded patterns ------------------------------------------------------------------ */

/* The symbol of a slot from the seed words in the stream, with libsodium's ChaCha20. */
static int sodium_symbol(const uint32_t words[8], uint64_t frame, uint64_t i)
{
	uint8_t key[32], nonce[12] = { 0 }, zero[64] = { 0 }, out[64];
	unsigned int w;

	for (w = 0; w < 8; w++) {
		key[4 * w] = (uint8_t)words[w];
		key[4 * w + 1] = (uint8_t)(words[w] >> 8);
		key[4 * w + 2] = (uint8_t)(words[w] >> 16);
		key[4 * w + 3] = (uint8_t)(words[w] >> 24);
	}
	for (w = 0; w < 8; w++)
		nonce[4 + w] = (uint8_t)(frame >> (8 * w));
	crypto_stream_chacha20_ietf_xor_ic(out, zero, 64, nonce, (uint32_t)(i >> 6), key);
	return out[i & 63];
}

TEST(card_seeded_against_libsodium)
{
	uint64_t recs[8192], start, frame0 = 0;
	uint32_t words[4][8];
	struct pat_env e;
	struct image im;
	struct fake f, g;
	size_t n, i;
	unsigned int frames = 0, checked = 0, w;

	ASSERT_EQ(0, sodium_init() < 0 ? -1 : 0);
	ASSERT_EQ(0, fake_init(&f, CARD_CLIENT, 99, 2));
	wr(&f, QKDCHIP_REG_FRAME_LOG2, 16);
	image_make(&im, 256, 5);
	table_activate(&f, &im);
	pat_env_init(&f, &e, true);
	wr(&f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN | QKDCHIP_PAT_SOURCE_SEEDED << 4);
	start = rd64(&f, QKDCHIP_REG_PAT_START_LO);
	EXPECT_EQ(0u, start & 0xffff);
	fake_run(&f, 1500 * NS_PER_US);
	n = c2h_drain(&f, &e, recs, 8192);
	/* TIME FRAME, then 8 SEED records, per frame from PAT_START */
	for (i = 0; i + 8 < n && frames < 4; i++) {
		uint64_t fr;

		if (QKDCHIP_REC_TYPE(recs[i]) != QKDCHIP_REC_TIME ||
		    QKDCHIP_TIME_KIND(recs[i]) != QKDCHIP_TIME_FRAME)
			continue;
		fr = QKDCHIP_TIME_SLOT(recs[i]) >> 16;
		if (!frames) {
			frame0 = fr;
			EXPECT_EQ(start >> 16, fr);
		}
		EXPECT_EQ(frame0 + frames, fr);
		for (w = 0; w < 8; w++) {
			uint64_t s = recs[i + 1 + w];

			ASSERT_EQ((uint32_t)QKDCHIP_REC_SEED, QKDCHIP_REC_TYPE(s));
			EXPECT_EQ(w, QKDCHIP_SEED_WORD(s));
			EXPECT_EQ(fr & ((1u << 25) - 1), QKDCHIP_SEED_FRAME(s));
			words[frames][w] = QKDCHIP_SEED_DATA(s);
		}
		frames++;
	}
	ASSERT_EQ(4u, frames);
	/* seeds are fresh per frame */
	EXPECT_NE(0, memcmp(words[0], words[1], sizeof(words[0])));
	/* every slot's symbol, by random access, equals libsodium's keystream byte */
	for (w = 0; w < 4; w++) {
		uint64_t idx[] = { 0, 1, 63, 64, 65, 4095, 4096, 40000, 65535 };

		for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
			uint64_t slot = ((frame0 + w) << 16) + idx[i];

			EXPECT_EQ(sodium_symbol(words[w], frame0 + w, idx[i]),
				  card_symbol_at(f.card, slot, NULL))
				TH_LOG("frame %u index %lu", w, (unsigned long)idx[i]);
			checked++;
		}
	}
	EXPECT_EQ(36u, checked);
	/* PAT_CONS counts slots played */
	EXPECT_EQ(card_now_slot(f.card) - start, rd64(&f, QKDCHIP_REG_PAT_CONS_LO));
	/* determinism: another card with the same seed and index has the same seeds */
	ASSERT_EQ(0, fake_init(&g, CARD_CLIENT, 99, 2));
	wr(&g, QKDCHIP_REG_FRAME_LOG2, 16);
	table_activate(&g, &im);
	wr(&g, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN | QKDCHIP_PAT_SOURCE_SEEDED << 4);
	fake_run(&g, 2 * NS_PER_MS);
	EXPECT_EQ(card_symbol_at(f.card, (frame0 << 16) + 1234, NULL),
		  card_symbol_at(g.card, (frame0 << 16) + 1234, NULL));
	fake_fini(&g);
	/* ... and another index has other seeds */
	ASSERT_EQ(0, fake_init(&g, CARD_CLIENT, 99, 3));
	wr(&g, QKDCHIP_REG_FRAME_LOG2, 16);
	table_activate(&g, &im);
	wr(&g, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN | QKDCHIP_PAT_SOURCE_SEEDED << 4);
	fake_run(&g, 2 * NS_PER_MS);
	{
		unsigned int same = 0;

		for (i = 0; i < 64; i++)
			same += card_symbol_at(f.card, (frame0 << 16) + i, NULL) ==
				card_symbol_at(g.card, (frame0 << 16) + i, NULL);
		EXPECT_LT(same, 8u);
	}
	fake_fini(&g);
	fake_fini(&f);
}

TEST_HARNESS_MAIN
