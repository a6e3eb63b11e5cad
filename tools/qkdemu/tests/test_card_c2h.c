// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_card_c2h - the card model's C2H stream engine against
 * Documentation/hw/streams.rst: descriptor and configuration validation, the ring and
 * its write-back block, moderation, C2H_ARM, ring-full accounting with LOST triples,
 * stop, DMA faults (injected and by unmapping memory under a running engine), stalls,
 * corrupted records, reset mid-stream, and the record formats of both sources.
 * The test pattern is checked against a re-implementation of the document's formula.
 */
#include <math.h>
#include <stdlib.h>

#include "kselftest_harness.h"

#include "card_harness.h"

#define RING_BASE	(FAKE_BASE + 0x100000)
#define SLOT_NS(ns)	((ns) / 4 * 5 + ((ns) % 4) * 5 / 4)

/* streams.rst, "Stream contents by role": the test pattern, written from the formula */
static uint64_t doc_mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ULL;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z;
}

static uint64_t doc_test_record(uint64_t seed, uint64_t n)
{
	uint64_t h = doc_mix64(seed + (n + 1) * 0x9e3779b97f4a7c15ULL);

	return 1ULL << 60 | (h >> 62) << 56 | ((h >> 61) & 1) << 55 | (h & 0xfff) << 40 |
	       (n & ((1ULL << 40) - 1));
}

/* "h is output n+1 of SplitMix64 seeded with S": the formula agrees with the generator */
TEST(test_pattern_formula_is_splitmix64)
{
	uint64_t state = 0x0123456789abcdefULL, n;

	for (n = 0; n < 100; n++) {
		uint64_t z;

		state += 0x9e3779b97f4a7c15ULL;
		z = doc_mix64(state);
		EXPECT_EQ(z >> 62, (doc_test_record(0x0123456789abcdefULL, n) >> 56) & 3);
		EXPECT_EQ(z & 0xfff, (doc_test_record(0x0123456789abcdefULL, n) >> 40) & 0xfff);
	}
}

struct wbblk {
	uint64_t prod, dropped, time;
	uint32_t status, seq;
};

static struct wbblk wb_read(struct fake *f, const struct fake_ring *r)
{
	struct wbblk w;

	w.prod = fake_u64(f, r->wb);
	w.dropped = fake_u64(f, r->wb + 8);
	w.time = fake_u64(f, r->wb + 16);
	w.status = fake_u32(f, r->wb + 24);
	w.seq = fake_u32(f, r->wb + 28);
	return w;
}

FIXTURE(c2h) {
	struct fake f;
	struct fake_ring r;
};

FIXTURE_SETUP(c2h)
{
	ASSERT_EQ(0, fake_init(&self->f, CARD_CLIENT, 5, 0));
	fake_ring_init(&self->f, &self->r, RING_BASE, 4, 12);	/* 4 x 4 KiB: 2048 records */
	fake_ring_program(&self->f, &self->r, 0x1000);
	wr(&self->f, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_ALL);
	fake_run(&self->f, 1 * NS_PER_MS);
}

FIXTURE_TEARDOWN(c2h)
{
	fake_fini(&self->f);
}

static void start_test(struct fake *f, uint32_t rate, uint32_t seed)
{
	wr(f, QKDCHIP_REG_C2H_TEST_RATE, rate);
	wr(f, QKDCHIP_REG_C2H_TEST_SEED, seed);
	wr(f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN | QKDCHIP_C2H_SOURCE_TEST << 4);
}

/* ---- validation at start -------------------------------------------------------------- */

enum mutation {
	M_DESC_ALIGN, M_COUNT_3, M_COUNT_1, M_COUNT_BIG, M_BUF_SMALL, M_BUF_BIG, M_WB_ALIGN,
	M_SHADOW_ALIGN, M_SOURCE, M_DESC_UNREADABLE, M_BAD_ADDR, M_BAD_LEN, M_BAD_FLAGS,
	M_BAD_WRAP, M_INJECTED, M_NUM
};

static const struct {
	uint32_t code, arg;
} expect[M_NUM] = {
	[M_DESC_ALIGN] = { QKDCHIP_ERR_BAD_CONFIG, 0x1008 >> 2 },
	[M_COUNT_3] = { QKDCHIP_ERR_BAD_CONFIG, 0x1010 >> 2 },
	[M_COUNT_1] = { QKDCHIP_ERR_BAD_CONFIG, 0x1010 >> 2 },
	[M_COUNT_BIG] = { QKDCHIP_ERR_BAD_CONFIG, 0x1010 >> 2 },
	[M_BUF_SMALL] = { QKDCHIP_ERR_BAD_CONFIG, 0x1014 >> 2 },
	[M_BUF_BIG] = { QKDCHIP_ERR_BAD_CONFIG, 0x1014 >> 2 },
	[M_WB_ALIGN] = { QKDCHIP_ERR_BAD_CONFIG, 0x1018 >> 2 },
	[M_SHADOW_ALIGN] = { QKDCHIP_ERR_BAD_CONFIG, 0x1020 >> 2 },
	[M_SOURCE] = { QKDCHIP_ERR_BAD_CONFIG, 0x1000 >> 2 },
	[M_DESC_UNREADABLE] = { QKDCHIP_ERR_DMA_READ, 0 },
	[M_BAD_ADDR] = { QKDCHIP_ERR_BAD_DESC, 2 },
	[M_BAD_LEN] = { QKDCHIP_ERR_BAD_DESC, 1 },
	[M_BAD_FLAGS] = { QKDCHIP_ERR_BAD_DESC, 3 },
	[M_BAD_WRAP] = { QKDCHIP_ERR_BAD_DESC, 0 },
	[M_INJECTED] = { QKDCHIP_ERR_BAD_DESC, 2 },
};

TEST(c2h_start_validation)
{
	enum mutation m;

	for (m = 0; m < M_NUM; m++) {
		struct fake f;
		struct fake_ring r;
		uint32_t ctrl = QKDCHIP_C2H_RUN | QKDCHIP_C2H_SOURCE_TEST << 4, st, head;
		uint8_t before[64];

		ASSERT_EQ(0, fake_init(&f, CARD_SERVER, 1, 0));
		fake_ring_init(&f, &r, RING_BASE, 4, 12);
		memset(fake_at(&f, r.wb), 0xaa, 64);
		memcpy(before, fake_at(&f, r.wb), 64);
		fake_ring_program(&f, &r, 0x1000);
		switch (m) {
		case M_DESC_ALIGN: wr64(&f, QKDCHIP_REG_C2H_DESC_LO, r.desc + 16); break;
		case M_COUNT_3: wr(&f, QKDCHIP_REG_C2H_DESC_COUNT, 3); break;
		case M_COUNT_1: wr(&f, QKDCHIP_REG_C2H_DESC_COUNT, 1); break;
		case M_COUNT_BIG: wr(&f, QKDCHIP_REG_C2H_DESC_COUNT, 8192); break;
		case M_BUF_SMALL: wr(&f, QKDCHIP_REG_C2H_BUF_LOG2, 11); break;
		case M_BUF_BIG: wr(&f, QKDCHIP_REG_C2H_BUF_LOG2, 23); break;
		case M_WB_ALIGN: wr64(&f, QKDCHIP_REG_C2H_WB_LO, r.wb + 32); break;
		case M_SHADOW_ALIGN: wr64(&f, QKDCHIP_REG_C2H_SHADOW_LO, r.shadow + 4); break;
		case M_SOURCE: ctrl = QKDCHIP_C2H_RUN | 2 << 4; break;
		case M_DESC_UNREADABLE: wr64(&f, QKDCHIP_REG_C2H_DESC_LO, 0x40000); break;
		case M_BAD_ADDR: fake_put64(&f, r.desc + 2 * 16, r.buf0 + 8); break;
		case M_BAD_LEN: memset(fake_at(&f, r.desc + 16 + 8), 0, 4); break;
		case M_BAD_FLAGS: memset(fake_at(&f, r.desc + 3 * 16 + 12), 1, 1); break;
		case M_BAD_WRAP:
			/* 0xfffffffffffff000 + 8 KiB goes beyond 2^64 */
			wr(&f, QKDCHIP_REG_C2H_BUF_LOG2, 13);
			fake_ring_init(&f, &r, RING_BASE, 4, 13);
			fake_put64(&f, r.desc, 0xfffffffffffff000ULL);
			break;
		case M_INJECTED: {
			char *argv[] = { "desc-error", "c2h", "2" }, err[128];
			struct card_fault flt;

			ASSERT_EQ(0, card_fault_parse(3, argv, &flt, err, sizeof(err)));
			ASSERT_EQ(0, card_inject(f.card, &flt, err, sizeof(err)));
			break;
		}
		default:
			break;
		}
		head = rd(&f, QKDCHIP_REG_EVLOG_HEAD);
		wr(&f, QKDCHIP_REG_C2H_CTRL, ctrl);
		st = rd(&f, QKDCHIP_REG_C2H_STATUS);
		EXPECT_EQ((uint32_t)QKDCHIP_C2H_ST_ERROR, st & 0xff) TH_LOG("mutation %d", m);
		EXPECT_EQ(expect[m].code, QKDCHIP_C2H_ST_ERRCODE(st)) TH_LOG("mutation %d", m);
		EXPECT_EQ(expect[m].arg, QKDCHIP_C2H_ST_ERRARG(st)) TH_LOG("mutation %d", m);
		EXPECT_NE(0u, rd(&f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_ERROR);
		EXPECT_EQ(0u, rd(&f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_C2H_RUNNING);
		EXPECT_NE(0u, rd(&f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_ERROR);
		EXPECT_EQ(0u, rd(&f, QKDCHIP_REG_C2H_CTRL) & QKDCHIP_C2H_RUN);
		if (expect[m].code == QKDCHIP_ERR_BAD_DESC) {
			int i = ev_find(&f, head, QKDCHIP_EV_DESC_ERROR);

			ASSERT_GE(i, 0) TH_LOG("mutation %d", m);
			EXPECT_EQ(expect[m].arg, ev_arg(&f, (uint32_t)i));	/* engine 0 */
		}
		if (expect[m].code == QKDCHIP_ERR_DMA_READ)
			EXPECT_GE(ev_find(&f, head, QKDCHIP_EV_DMA_ERROR), 0);
		/* nothing written to host memory, even later */
		if (m == M_BAD_WRAP) {
			memset(fake_at(&f, r.wb), 0xaa, 64);
			memcpy(before, fake_at(&f, r.wb), 64);
		}
		fake_run(&f, 5 * NS_PER_MS);
		EXPECT_EQ(0, memcmp(before, fake_at(&f, r.wb), 64)) TH_LOG("mutation %d", m);
		/* the next successful start clears the error (the injection was spent) */
		fake_ring_init(&f, &r, RING_BASE, 4, 12);
		fake_ring_program(&f, &r, 0x1000);
		wr(&f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN | QKDCHIP_C2H_SOURCE_TEST << 4);
		EXPECT_EQ((uint32_t)QKDCHIP_C2H_ST_RUNNING, rd(&f, QKDCHIP_REG_C2H_STATUS))
			TH_LOG("mutation %d", m);
		EXPECT_EQ(0u, rd(&f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_ERROR);
		fake_fini(&f);
	}
}

/* Configuration cannot change while the engine runs. */
TEST_F(c2h, config_locked_while_running)
{
	struct fake *f = &self->f;

	start_test(f, 1000, 1);
	wr(f, QKDCHIP_REG_C2H_DESC_COUNT, 8);
	wr64(f, QKDCHIP_REG_C2H_WB_LO, 0x12340000);
	EXPECT_EQ(4u, rd(f, QKDCHIP_REG_C2H_DESC_COUNT));
	EXPECT_EQ((uint32_t)self->r.wb, rd(f, QKDCHIP_REG_C2H_WB_LO));
	wr(f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN);	/* source stays test */
	EXPECT_EQ((uint32_t)(QKDCHIP_C2H_RUN | QKDCHIP_C2H_SOURCE_TEST << 4),
		  rd(f, QKDCHIP_REG_C2H_CTRL));
}

/* ---- the ring, the write-back block, moderation ---------------------------------------- */

TEST_F(c2h, test_pattern_and_writeback)
{
	struct fake *f = &self->f;
	uint64_t start = SLOT_NS(f->now_ns), n, prod;
	struct wbblk w;
	unsigned int i;

	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 256);
	start_test(f, 1000000, 0xfeed);
	/* 1 ms: records 0..999 are due (record n at n us) */
	fake_run(f, 1 * NS_PER_MS);
	w = wb_read(f, &self->r);
	EXPECT_EQ(768u, w.prod);		/* three count triggers */
	EXPECT_EQ(3u, w.seq);
	EXPECT_EQ(0u, w.dropped);
	EXPECT_EQ(start + 767 * 1250, w.time);	/* at the due time of record 767 */
	EXPECT_EQ((uint32_t)QKDCHIP_C2H_ST_RUNNING, w.status);
	for (i = 32; i < 64; i++)
		EXPECT_EQ(0, ((uint8_t *)fake_at(f, self->r.wb))[i]);
	EXPECT_EQ(1000u, rd64(f, QKDCHIP_REG_C2H_PROD_LO));
	EXPECT_EQ(1000u, rd64(f, QKDCHIP_REG_C2H_RECORDS_LO));
	EXPECT_EQ(3u, rd64(f, QKDCHIP_REG_C2H_WRITEBACKS_LO));
	for (n = 0; n < 1000; n++) {
		ASSERT_EQ(doc_test_record(0xfeed, n), ring_rec(f, &self->r, n))
			TH_LOG("n %lu", (unsigned long)n);
	}
	EXPECT_EQ(0u, ring_rec(f, &self->r, 1000));
	/* the count trigger goes on: 1024, 1280, 1536 */
	fake_run(f, 767 * NS_PER_US);
	EXPECT_EQ(1536u, wb_read(f, &self->r).prod);
	EXPECT_EQ(6u, wb_read(f, &self->r).seq);
	/* the ring wraps while the host consumes: records continue */
	for (i = 0; i < 30; i++) {
		fake_put64(f, self->r.shadow, wb_read(f, &self->r).prod);
		fake_run(f, 100 * NS_PER_US);
	}
	w = wb_read(f, &self->r);
	EXPECT_GT(w.prod, 4000u);
	EXPECT_EQ(0u, w.dropped);
	/* the last R records written (older ones were released and may be reused) */
	prod = rd64(f, QKDCHIP_REG_C2H_PROD_LO);
	for (n = prod - 2048; n < prod; n++) {
		ASSERT_EQ(doc_test_record(0xfeed, n), ring_rec(f, &self->r, n));
	}
	EXPECT_EQ(0u, w.dropped);
}

TEST_F(c2h, moderation_by_time)
{
	struct fake *f = &self->f;
	uint64_t start = SLOT_NS(f->now_ns);

	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 0);
	wr(f, QKDCHIP_REG_C2H_MOD_TIME_US, 100);
	start_test(f, 1000, 3);		/* a record every ms */
	fake_run(f, 99 * NS_PER_US);
	EXPECT_EQ(0u, wb_read(f, &self->r).seq);
	fake_run(f, 1 * NS_PER_US);
	EXPECT_EQ(1u, wb_read(f, &self->r).seq);
	EXPECT_EQ(1u, wb_read(f, &self->r).prod);
	EXPECT_EQ(start + 125000, wb_read(f, &self->r).time);
	fake_run(f, 999 * NS_PER_US);	/* record 1 due at 1 ms, published at 1.1 ms */
	EXPECT_EQ(1u, wb_read(f, &self->r).prod);
	fake_run(f, 1 * NS_PER_US);
	EXPECT_EQ(2u, wb_read(f, &self->r).prod);
	EXPECT_EQ(2u, wb_read(f, &self->r).seq);
	/* nothing new: no write-back */
	fake_run(f, 500 * NS_PER_US);
	EXPECT_EQ(2u, wb_read(f, &self->r).seq);
}

TEST_F(c2h, moderation_by_count)
{
	struct fake *f = &self->f;

	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 10);
	wr(f, QKDCHIP_REG_C2H_MOD_TIME_US, 0);
	start_test(f, 1000000, 3);
	fake_run(f, 95 * NS_PER_US);	/* records 0..94 due */
	EXPECT_EQ(90u, wb_read(f, &self->r).prod);
	EXPECT_EQ(9u, wb_read(f, &self->r).seq);
	EXPECT_EQ(95u, rd64(f, QKDCHIP_REG_C2H_PROD_LO));
	/* no time trigger: the five wait */
	fake_run(f, 4 * NS_PER_US);
	EXPECT_EQ(90u, wb_read(f, &self->r).prod);
	fake_run(f, 1 * NS_PER_US);
	EXPECT_EQ(100u, wb_read(f, &self->r).prod);
}

TEST_F(c2h, arm)
{
	struct fake *f = &self->f;
	uint64_t prod;

	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 0);
	wr(f, QKDCHIP_REG_C2H_MOD_TIME_US, 100);
	/* arming with the last write-back's prod (0): nothing yet */
	wr(f, QKDCHIP_REG_C2H_ARM, 0);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	start_test(f, 1000, 3);
	fake_run(f, 50 * NS_PER_US);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	fake_run(f, 60 * NS_PER_US);	/* the write-back with prod 1 */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	EXPECT_EQ(1u, f->irqs[1]);
	/* the arm is spent: the next write-back raises nothing */
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_C2H);
	fake_run(f, 1 * NS_PER_MS);
	prod = wb_read(f, &self->r).prod;
	EXPECT_EQ(2u, prod);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	/* arming with a value the last write-back differs from raises at once */
	wr(f, QKDCHIP_REG_C2H_ARM, 1);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	EXPECT_EQ(2u, f->irqs[1]);
	/* arming with the current one waits for the next */
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_C2H);
	wr(f, QKDCHIP_REG_C2H_ARM, (uint32_t)prod);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	fake_run(f, 1 * NS_PER_MS);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_C2H);
	EXPECT_EQ(3u, f->irqs[1]);
}

/* ---- ring full ---------------------------------------------------------------------- */

TEST_F(c2h, ring_full_lost_triple)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), st;
	uint64_t dropped, n, rec;
	struct wbblk w;
	int i;

	start_test(f, 1000000, 77);
	fake_run(f, 3 * NS_PER_MS);		/* 3000 records due, 2048 fit */
	w = wb_read(f, &self->r);
	EXPECT_EQ(2048u, w.prod);
	st = rd(f, QKDCHIP_REG_C2H_STATUS);
	EXPECT_NE(0u, st & QKDCHIP_C2H_ST_FULL);
	dropped = rd64(f, QKDCHIP_REG_C2H_DROPPED_LO);
	EXPECT_EQ(3000u - 2048u, dropped);
	EXPECT_GE(w.dropped, 1u);		/* written back at the start of the interval */
	i = ev_find(f, head, QKDCHIP_EV_C2H_OVERFLOW);
	EXPECT_GE(i, 0);
	/* never overwrites: record 0 is still there */
	EXPECT_EQ(doc_test_record(77, 0), ring_rec(f, &self->r, 0));
	/* a bogus shadow (above prod) is ignored */
	fake_put64(f, self->r.shadow, 5000);
	fake_run(f, 1 * NS_PER_MS);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_FULL);
	dropped = rd64(f, QKDCHIP_REG_C2H_DROPPED_LO);
	EXPECT_EQ(4000u - 2048u, dropped);
	/* the host releases everything: LOST triple, then records go on */
	fake_put64(f, self->r.shadow, 2048);
	fake_run(f, 2 * NS_PER_US);	/* record 4000 is due at 4 ms after start */
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_FULL);
	rec = ring_rec(f, &self->r, 2048);
	EXPECT_EQ((uint32_t)QKDCHIP_REC_LOST, QKDCHIP_REC_TYPE(rec));
	EXPECT_EQ((uint32_t)QKDCHIP_LOSS_COUNT_KIND, QKDCHIP_LOSS_KIND(rec));
	EXPECT_EQ((uint32_t)QKDCHIP_LOSS_RING_FULL, QKDCHIP_LOSS_REASON(rec));
	EXPECT_EQ(4000u - 2048u, QKDCHIP_LOSS_COUNT(rec));
	rec = ring_rec(f, &self->r, 2049);
	EXPECT_EQ((uint32_t)QKDCHIP_LOSS_FIRST_KIND, QKDCHIP_LOSS_KIND(rec));
	EXPECT_EQ(2048u, QKDCHIP_LOSS_SLOT(rec));	/* test mode: n of the first */
	rec = ring_rec(f, &self->r, 2050);
	EXPECT_EQ((uint32_t)QKDCHIP_LOSS_LAST_KIND, QKDCHIP_LOSS_KIND(rec));
	EXPECT_EQ(3999u, QKDCHIP_LOSS_SLOT(rec));
	EXPECT_EQ(doc_test_record(77, 4000), ring_rec(f, &self->r, 2051));
	EXPECT_EQ(1u, rd64(f, QKDCHIP_REG_C2H_LOSSES_LO));
	i = ev_find(f, head, QKDCHIP_EV_C2H_OVERFLOW_END);
	ASSERT_GE(i, 0);
	EXPECT_EQ(4000u - 2048u, ev_arg(f, (uint32_t)i));
	/* every record is accounted for: received + LOST counts = records made */
	fake_run(f, 1 * NS_PER_MS);
	wr(f, QKDCHIP_REG_C2H_CTRL, 0);
	w = wb_read(f, &self->r);
	EXPECT_EQ(w.dropped, 4000u - 2048u);
	for (n = 2051; n < w.prod; n++) {
		ASSERT_EQ(doc_test_record(77, n - 3 + 4000 - 2048), ring_rec(f, &self->r, n));
	}
}

/* C2H_TEST_RATE 0: as fast as the ring allows, never dropping */
TEST_F(c2h, rate_zero_is_flow_controlled)
{
	struct fake *f = &self->f;
	uint64_t n, prod;

	start_test(f, 0, 9);
	fake_run(f, 2 * NS_PER_MS);
	EXPECT_EQ(2048u, wb_read(f, &self->r).prod);
	EXPECT_EQ(0u, rd64(f, QKDCHIP_REG_C2H_DROPPED_LO));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_FULL);
	fake_put64(f, self->r.shadow, 1000);
	fake_run(f, 1 * NS_PER_MS);
	prod = wb_read(f, &self->r).prod;
	EXPECT_EQ(3048u, prod);
	for (n = 1000; n < prod; n++) {
		ASSERT_EQ(doc_test_record(9, n), ring_rec(f, &self->r, n));
	}
	EXPECT_EQ(0u, rd64(f, QKDCHIP_REG_C2H_DROPPED_LO));
}

/* ---- stop, faults, reset ---------------------------------------------------------------- */

TEST_F(c2h, stop_final_writeback_then_silence)
{
	struct fake *f = &self->f;
	uint8_t snap[4 * 4096];
	uint64_t calls;
	struct wbblk w;

	start_test(f, 1000000, 1);
	fake_run(f, 300 * NS_PER_US);
	wr(f, QKDCHIP_REG_C2H_CTRL, 0);
	w = wb_read(f, &self->r);
	EXPECT_EQ(300u, w.prod);
	EXPECT_EQ(0u, w.status & QKDCHIP_C2H_ST_RUNNING);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS));
	EXPECT_EQ(300u, rd64(f, QKDCHIP_REG_C2H_PROD_LO));
	memcpy(snap, fake_at(f, self->r.buf0), sizeof(snap));
	calls = f->dma_calls;
	fake_run(f, 10 * NS_PER_MS);
	EXPECT_EQ(calls, f->dma_calls);
	EXPECT_EQ(0, memcmp(snap, fake_at(f, self->r.buf0), sizeof(snap)));
	EXPECT_EQ(w.seq, wb_read(f, &self->r).seq);
}

TEST_F(c2h, dma_write_fault)
{
	struct fake *f = &self->f;
	struct card_fault flt = { .kind = CARD_FAULT_DMA_WRITE };
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), st;
	char err[64];
	int i;

	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 100);
	start_test(f, 1000000, 1);
	fake_run(f, 200 * NS_PER_US);
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	fake_run(f, 100 * NS_PER_US);
	st = rd(f, QKDCHIP_REG_C2H_STATUS);
	EXPECT_EQ(0u, st & QKDCHIP_C2H_ST_RUNNING);
	EXPECT_NE(0u, st & QKDCHIP_C2H_ST_ERROR);
	EXPECT_EQ((uint32_t)QKDCHIP_ERR_DMA_WRITE, QKDCHIP_C2H_ST_ERRCODE(st));
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_C2H_DMA_ERRORS));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_IRQ_STATUS) & QKDCHIP_IRQ_ERROR);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_ERROR);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_CTRL) & QKDCHIP_C2H_RUN);
	i = ev_find(f, head, QKDCHIP_EV_DMA_ERROR);
	ASSERT_GE(i, 0);
	EXPECT_EQ(0u, ev_arg(f, (uint32_t)i));
	/* the failed write's records count as dropped; the final write-back says so */
	EXPECT_GT(rd64(f, QKDCHIP_REG_C2H_DROPPED_LO), 0u);
	EXPECT_EQ(rd64(f, QKDCHIP_REG_C2H_DROPPED_LO), wb_read(f, &self->r).dropped);
	EXPECT_NE(0u, wb_read(f, &self->r).status & QKDCHIP_C2H_ST_ERROR);
	EXPECT_EQ(200u, wb_read(f, &self->r).prod);
	/* restart after fixing the cause */
	start_test(f, 1000000, 1);
	EXPECT_EQ((uint32_t)QKDCHIP_C2H_ST_RUNNING, rd(f, QKDCHIP_REG_C2H_STATUS));
}

/* A guest DMA_UNMAP while the engine runs: the next access fails cleanly. */
TEST_F(c2h, unmap_buffers_while_running)
{
	struct fake *f = &self->f;
	uint32_t st;

	start_test(f, 1000000, 1);
	fake_run(f, 100 * NS_PER_US);
	fake_unmap(f, self->r.buf0, 4 * 4096);
	fake_run(f, 2 * NS_PER_MS);
	st = rd(f, QKDCHIP_REG_C2H_STATUS);
	EXPECT_EQ((uint32_t)QKDCHIP_ERR_DMA_WRITE, QKDCHIP_C2H_ST_ERRCODE(st));
	EXPECT_EQ(0u, st & QKDCHIP_C2H_ST_RUNNING);
	fake_remap(f);
}

TEST_F(c2h, unmap_shadow_while_running)
{
	struct fake *f = &self->f;
	uint32_t st;

	start_test(f, 1000000, 1);
	fake_run(f, 100 * NS_PER_US);
	fake_unmap(f, self->r.shadow, 8);	/* with the write-back block (same page) */
	fake_run(f, 2 * NS_PER_MS);
	st = rd(f, QKDCHIP_REG_C2H_STATUS);
	EXPECT_NE(0u, st & QKDCHIP_C2H_ST_ERROR);
	EXPECT_EQ(0u, st & QKDCHIP_C2H_ST_RUNNING);
	EXPECT_GE(rd(f, QKDCHIP_REG_C2H_DMA_ERRORS), 1u);
	fake_remap(f);
}

TEST_F(c2h, stall)
{
	struct fake *f = &self->f;
	struct card_fault flt = { .kind = CARD_FAULT_STALL, .a = 2 };
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	uint64_t prod, rec, n;
	char err[64];
	int i;

	start_test(f, 1000000, 4);
	fake_run(f, 500 * NS_PER_US);
	fake_put64(f, self->r.shadow, wb_read(f, &self->r).prod);
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_STALLED);
	prod = rd64(f, QKDCHIP_REG_C2H_PROD_LO);
	EXPECT_EQ(500u, prod);
	fake_run(f, 1 * NS_PER_MS);
	EXPECT_EQ(prod, rd64(f, QKDCHIP_REG_C2H_PROD_LO));	/* no writes meanwhile */
	fake_run(f, 1 * NS_PER_MS);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_STALLED);
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_C2H_STALLS));
	EXPECT_EQ(2000u, rd64(f, QKDCHIP_REG_C2H_DROPPED_LO));	/* records 500..2499 */
	rec = ring_rec(f, &self->r, prod);
	EXPECT_EQ((uint32_t)QKDCHIP_REC_LOST, QKDCHIP_REC_TYPE(rec));
	EXPECT_EQ((uint32_t)QKDCHIP_LOSS_STALL, QKDCHIP_LOSS_REASON(rec));
	EXPECT_EQ(2000u, QKDCHIP_LOSS_COUNT(rec));
	EXPECT_EQ(500u, QKDCHIP_LOSS_SLOT(ring_rec(f, &self->r, prod + 1)));
	EXPECT_EQ(2499u, QKDCHIP_LOSS_SLOT(ring_rec(f, &self->r, prod + 2)));
	fake_run(f, 10 * NS_PER_US);
	for (n = prod + 3; n < prod + 10; n++)
		EXPECT_EQ(doc_test_record(4, n - 3 + 2000), ring_rec(f, &self->r, n));
	EXPECT_GE(ev_find(f, head, QKDCHIP_EV_C2H_STALL), 0);
	i = ev_find(f, head, QKDCHIP_EV_C2H_STALL_END);
	ASSERT_GE(i, 0);
	EXPECT_EQ(2000u, ev_arg(f, (uint32_t)i));	/* microseconds */
}

/* A stall injected while the engine is stopped starts with the next run (--fault). */
TEST_F(c2h, stall_pending_until_start)
{
	struct fake *f = &self->f;
	struct card_fault flt = { .kind = CARD_FAULT_STALL, .a = 1 };
	char err[64];

	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	fake_run(f, 5 * NS_PER_MS);
	start_test(f, 1000000, 4);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_STALLED);
	fake_run(f, 1 * NS_PER_MS);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS) & QKDCHIP_C2H_ST_STALLED);
	EXPECT_EQ(1000u, rd64(f, QKDCHIP_REG_C2H_DROPPED_LO));
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_C2H_STALLS));
}

TEST_F(c2h, corrupted_record)
{
	struct fake *f = &self->f;
	struct card_fault flt = { .kind = CARD_FAULT_CORRUPT };
	char err[64];
	uint64_t n;

	start_test(f, 1000000, 6);
	fake_run(f, 100 * NS_PER_US);
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	fake_run(f, 100 * NS_PER_US);
	for (n = 0; n < 200; n++) {
		uint64_t rec = ring_rec(f, &self->r, n);

		if (n == 100) {
			EXPECT_GE(QKDCHIP_REC_TYPE(rec), 8u);	/* "types not listed" */
			EXPECT_GT(QKDCHIP_REC_TYPE(rec), (unsigned int)QKDCHIP_REC_MAX);
		} else {
			EXPECT_EQ(doc_test_record(6, n), rec);
		}
	}
}

/* Reset while streams run: no DMA after the reset write completes */
TEST_F(c2h, reset_mid_stream)
{
	struct fake *f = &self->f;
	uint64_t calls;
	uint8_t snap[64];

	start_test(f, 1000000, 1);
	fake_run(f, 300 * NS_PER_US);
	wr(f, QKDCHIP_REG_CTRL, QKDCHIP_CTRL_RESET);
	calls = f->dma_calls;
	memcpy(snap, fake_at(f, self->r.wb), sizeof(snap));
	fake_run(f, 20 * NS_PER_MS);
	EXPECT_EQ(calls, f->dma_calls);
	EXPECT_EQ(0, memcmp(snap, fake_at(f, self->r.wb), sizeof(snap)));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_CTRL));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_STATUS));
	EXPECT_EQ(0u, rd64(f, QKDCHIP_REG_C2H_RECORDS_LO));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_DESC_COUNT));
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_EVLOG_HEAD));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_C2H_RUNNING);
}

/* ---- the card source ------------------------------------------------------------------------ */

/* Collect the published records, releasing them to the card. */
static size_t drain(struct fake *f, const struct fake_ring *r, uint64_t *cons, uint64_t *out,
		    size_t max, size_t have)
{
	uint64_t prod = fake_u64(f, r->wb);

	while (*cons < prod) {
		if (have < max)
			out[have++] = ring_rec(f, r, *cons);
		(*cons)++;
	}
	fake_put64(f, r->shadow, *cons);
	return have;
}

TEST(server_card_source)
{
	enum { MAXREC = 400000 };
	uint64_t *recs = calloc(MAXREC, sizeof(*recs)), cons = 0, last_slot = 0, start;
	uint64_t tags[4] = { 0 }, refsum[2] = { 0 }, hb = 0, prev_hb = 0, refrecs = 0;
	double eff[4], dark[4];
	struct fake_ring r;
	struct fake f;
	size_t n = 0, i;
	unsigned int ch, k;
	int64_t prev_win = -1;

	ASSERT_NE(NULL, recs);
	ASSERT_EQ(0, fake_init(&f, CARD_SERVER, 11, 0));
	fake_ring_init(&f, &r, RING_BASE, 64, 16);
	fake_ring_program(&f, &r, 0x1000);
	for (ch = 0; ch < 4; ch++) {
		wr(&f, QKDCHIP_REG_DET_BIAS_UA(ch), 20);
		eff[ch] = rd(&f, QKDCHIP_REG_DET_EFF_PPM(ch)) / 1e6;
		dark[ch] = rd(&f, QKDCHIP_REG_DET_DARK_CPS(ch));
		ASSERT_EQ(0, card_model_set(f.card, "quantum", ch, 100000 * (ch + 1), NULL, 0));
	}
	ASSERT_EQ(0, card_model_set(f.card, "reference", 0, 20000000, NULL, 0));
	fake_run(&f, 3 * NS_PER_MS);
	start = SLOT_NS(f.now_ns);
	wr(&f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN);		/* source card */
	for (i = 0; i < 200; i++) {
		fake_run(&f, 1 * NS_PER_MS);
		n = drain(&f, &r, &cons, recs, MAXREC, n);
	}
	wr(&f, QKDCHIP_REG_C2H_CTRL, 0);
	n = drain(&f, &r, &cons, recs, MAXREC, n);
	ASSERT_LT(n, (size_t)MAXREC);
	EXPECT_EQ(0u, rd64(&f, QKDCHIP_REG_C2H_DROPPED_LO));

	/* TIME START first */
	ASSERT_GT(n, 0u);
	EXPECT_EQ((uint32_t)QKDCHIP_REC_TIME, QKDCHIP_REC_TYPE(recs[0]));
	EXPECT_EQ((uint32_t)QKDCHIP_TIME_START, QKDCHIP_TIME_KIND(recs[0]));
	EXPECT_EQ(start, QKDCHIP_TIME_SLOT(recs[0]));
	last_slot = start;
	for (i = 1; i < n; i++) {
		uint64_t rec = recs[i], slot;

		switch (QKDCHIP_REC_TYPE(rec)) {
		case QKDCHIP_REC_TIME:
			slot = QKDCHIP_TIME_SLOT(rec);
			ASSERT_EQ((uint32_t)QKDCHIP_TIME_HEARTBEAT, QKDCHIP_TIME_KIND(rec));
			ASSERT_GE(slot, last_slot);
			/* every HEARTBEAT_US (1000 us) */
			ASSERT_EQ(prev_hb ? prev_hb + 1250000 : start + 1250000, slot);
			prev_hb = slot;
			hb++;
			last_slot = slot;
			break;
		case QKDCHIP_REC_TAG:
			/* unwrap from the last TIME record */
			slot = prev_hb + ((QKDCHIP_TAG_SLOT(rec) - prev_hb) & ((1ULL << 40) - 1));
			if (!prev_hb)
				slot = start + ((QKDCHIP_TAG_SLOT(rec) - start) & ((1ULL << 40) - 1));
			ASSERT_GE(slot, last_slot);
			ASSERT_LT(QKDCHIP_TAG_FINE_PS(rec), 800u);
			ASSERT_EQ(0u, QKDCHIP_TAG_REF(rec));	/* 1.0: reference never tagged */
			ASSERT_EQ(0u, (rec >> 52) & 7);
			tags[QKDCHIP_TAG_CHANNEL(rec)]++;
			last_slot = slot;
			break;
		case QKDCHIP_REC_REFCOUNT: {
			int64_t w = QKDCHIP_REF_WINDOW(rec);

			/* 8 per window: unit 0 buckets 0..3, unit 1 buckets 0..3 */
			k = (unsigned int)(refrecs % 8);
			ASSERT_EQ(k / 4, QKDCHIP_REF_UNIT(rec));
			ASSERT_EQ(k % 4, QKDCHIP_REF_BUCKET(rec));
			if (!k && prev_win >= 0)
				ASSERT_EQ((prev_win + 1) & 1023, w);
			if (!k)
				prev_win = w;
			refsum[QKDCHIP_REF_UNIT(rec)] += QKDCHIP_REF_LEFT(rec) + QKDCHIP_REF_RIGHT(rec);
			refrecs++;
			break;
		}
		default:
			ASSERT_TRUE(false) TH_LOG("unexpected record type %u",
						  QKDCHIP_REC_TYPE(rec));
		}
	}
	EXPECT_EQ(199u, hb);	/* at 1..199 ms: the one at 200 ms is the stop's slot */
	EXPECT_EQ(0u, refrecs % 8);
	/* 200 ms in windows of 2^17 slots: about 1907 windows */
	EXPECT_GT(refrecs / 8, 1890u);
	EXPECT_LT(refrecs / 8, 1910u);
	/* click counts: Poisson around (eta * rate + dark) * 0.2 s (dead time 50 ns negligible) */
	for (ch = 0; ch < 4; ch++) {
		double mean = (eff[ch] * 100000 * (ch + 1) + dark[ch]) * 0.2;

		EXPECT_LT(fabs((double)tags[ch] - mean), 5 * sqrt(mean))
			TH_LOG("channel %u: %lu tags, expected %.0f", ch, (unsigned long)tags[ch], mean);
	}
	/*
	 * reference: unit 0 gets 2e7 photons/s, half to each side on average over the four
	 * buckets; each side counts eta * 1e7/s, reduced by the non-paralysable dead time
	 * (50 ns) of its total click rate: n / (1 + n * tau). Unit 1 gets nothing.
	 */
	{
		double want = 0;

		for (ch = 0; ch < 2; ch++) {
			double ref = eff[ch] * 1e7, all = ref + eff[ch] * 100000 * (ch + 1) + dark[ch];

			want += ref * 0.2 / (1 + all * 50e-9);
		}
		EXPECT_LT(fabs((double)refsum[0] - want), 0.01 * want)
			TH_LOG("reference counts %lu, expected %.0f", (unsigned long)refsum[0], want);
	}
	EXPECT_EQ(0u, refsum[1]);
	free(recs);
	fake_fini(&f);
}

/* Client, source card: TIME START, heartbeats, EVENT records in stream order, PPS */
TEST(client_card_source)
{
	uint64_t recs[8192], cons = 0, pps = 0, ev_slot = 0, last = 0, prev_pps = 0;
	struct fake_ring r;
	struct fake f;
	size_t n = 0, i;
	bool seen_event = false;

	ASSERT_EQ(0, fake_init(&f, CARD_CLIENT, 11, 1));
	fake_ring_init(&f, &r, RING_BASE, 8, 14);
	fake_ring_program(&f, &r, 0x1000);
	wr(&f, QKDCHIP_REG_HEARTBEAT_US, 100000);
	wr(&f, QKDCHIP_REG_CLOCK_CTRL, QKDCHIP_CLOCK_EXT_10M_PPS);
	card_set_clock_ref(f.card, true);
	wr(&f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN);
	for (i = 0; i < 250; i++) {
		fake_run(&f, 10 * NS_PER_MS);
		if (i == 100) {
			ASSERT_EQ(0, card_force_temp(f.card, 0, true, 90000));
			ev_slot = card_now_slot(f.card);
		}
		n = drain(&f, &r, &cons, recs, 8192, n);
	}
	for (i = 0; i < n; i++) {
		uint64_t rec = recs[i], slot = 0;

		if (QKDCHIP_REC_TYPE(rec) == QKDCHIP_REC_TIME) {
			slot = QKDCHIP_TIME_SLOT(rec);
			if (QKDCHIP_TIME_KIND(rec) == QKDCHIP_TIME_PPS) {
				/* one per second of slots */
				if (pps++)
					EXPECT_EQ(prev_pps + 1250000000ULL, slot);
				prev_pps = slot;
			}
		} else if (QKDCHIP_REC_TYPE(rec) == QKDCHIP_REC_EVENT) {
			slot = QKDCHIP_EVREC_SLOT(rec);
			if (QKDCHIP_EVREC_CODE(rec) == QKDCHIP_EV_OVER_TEMP) {
				EXPECT_EQ(ev_slot & ((1ULL << 48) - 1), slot);
				seen_event = true;
			}
		} else {
			ASSERT_TRUE(false) TH_LOG("record type %u", QKDCHIP_REC_TYPE(rec));
		}
		ASSERT_GE(slot, last);
		last = slot;
	}
	EXPECT_TRUE(seen_event);
	/* 2.5 s with the reference locked after 50 ms: two or three PPS edges */
	EXPECT_GE(pps, 2u);
	EXPECT_LE(pps, 3u);
	fake_fini(&f);
}

TEST_HARNESS_MAIN
