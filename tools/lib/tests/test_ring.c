// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring consumer and producer logic against fake rings in memory: this test plays
 * the card (writes records, publishes card_index) and checks what the library hands
 * out, what it gives back (host_index) and when - wrap-around, batches, bad indices,
 * restarts - and runs a producer thread against the iterator.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "kselftest_harness.h"

#include "internal.h"

#define R	8	/* records in the C2H test ring */

FIXTURE(c2h) {
	uint64_t data[R];
	struct qkdchip_ring_status status;
	struct qkdchip_ring_index index;
	struct qkd_ring *ring;
	uint64_t produced;
};

FIXTURE_SETUP(c2h)
{
	memset(self->data, 0xee, sizeof(self->data));
	memset(&self->status, 0, sizeof(self->status));
	memset(&self->index, 0, sizeof(self->index));
	self->status.state = QKDCHIP_RING_RUNNING;
	self->produced = 0;
	self->ring = qkd__ring_fake(QKDCHIP_STREAM_C2H, self->data, sizeof(self->data),
				    &self->status, &self->index);
	ASSERT_NE(NULL, self->ring);
}

FIXTURE_TEARDOWN(c2h)
{
	qkd_ring_close(self->ring);
}

/* The card writes records produced..produced+n-1 (value: 0x1000 + n) and publishes. */
static void card_write(FIXTURE_DATA(c2h) *self, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, self->produced++)
		self->data[self->produced % R] = htole64(0x1000 + self->produced);
	__atomic_store_n(&self->status.card_index, htole64(self->produced), __ATOMIC_RELEASE);
}

static uint64_t host(FIXTURE_DATA(c2h) *self)
{
	return le64toh(__atomic_load_n(&self->index.host_index, __ATOMIC_ACQUIRE));
}

TEST_F(c2h, empty)
{
	const uint64_t *p;
	uint64_t rec;

	EXPECT_EQ(0, qkd_ring_next(self->ring, &rec));
	EXPECT_EQ(0, qkd_ring_peek(self->ring, &p));
	EXPECT_EQ(0u, host(self));
	EXPECT_EQ((uint64_t)R * 8, qkd_ring_size(self->ring));
	EXPECT_EQ((unsigned int)QKDCHIP_RING_RUNNING, qkd_ring_state(self->ring));
}

/* next() hands out a batch and gives it back only when it loads the next one. */
TEST_F(c2h, iterator_batches)
{
	uint64_t rec, i;

	card_write(self, 5);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(1, qkd_ring_next(self->ring, &rec));
		EXPECT_EQ(0x1000 + i, rec);
		EXPECT_EQ(0u, host(self));	/* the batch is still ours */
	}
	EXPECT_EQ(0, qkd_ring_next(self->ring, &rec));
	EXPECT_EQ(5u, host(self));

	/* across the ring's end: records 5..12 sit at 5,6,7,0,1,2,3,4 */
	card_write(self, 8);
	for (i = 5; i < 13; i++) {
		ASSERT_EQ(1, qkd_ring_next(self->ring, &rec));
		EXPECT_EQ(0x1000 + i, rec);
	}
	EXPECT_EQ(5u, host(self));
	card_write(self, 2);
	ASSERT_EQ(1, qkd_ring_next(self->ring, &rec));	/* a new batch: 13 released */
	EXPECT_EQ(0x1000 + 13u, rec);
	EXPECT_EQ(13u, host(self));
}

/* peek() returns what is contiguous; consume() gives back at once. */
TEST_F(c2h, peek_consume_wrap)
{
	const uint64_t *p;
	ssize_t n;

	card_write(self, 6);
	n = qkd_ring_peek(self->ring, &p);
	ASSERT_EQ(6, n);
	EXPECT_EQ(&self->data[0], p);
	qkd_ring_consume(self->ring, 4);
	EXPECT_EQ(4u, host(self));

	card_write(self, 6);			/* records 6..11: slots 6,7,0,1,2,3 */
	n = qkd_ring_peek(self->ring, &p);
	ASSERT_EQ(4, n);			/* 4,5,6,7 up to the end */
	EXPECT_EQ(&self->data[4], p);
	EXPECT_EQ(0x1000 + 4u, le64toh(p[0]));
	EXPECT_EQ(0x1000 + 7u, le64toh(p[3]));
	qkd_ring_consume(self->ring, 4);
	EXPECT_EQ(8u, host(self));
	n = qkd_ring_peek(self->ring, &p);
	ASSERT_EQ(4, n);			/* 8..11 from the start */
	EXPECT_EQ(&self->data[0], p);
	EXPECT_EQ(0x1000 + 8u, le64toh(p[0]));
	qkd_ring_consume(self->ring, 100);	/* more than handed out: clamped */
	EXPECT_EQ(12u, host(self));
	EXPECT_EQ(0, qkd_ring_peek(self->ring, &p));

	/* a full ring: all R records, in two pieces */
	card_write(self, R);
	ASSERT_EQ(4, qkd_ring_peek(self->ring, &p));
	qkd_ring_consume(self->ring, 4);
	ASSERT_EQ(4, qkd_ring_peek(self->ring, &p));
	EXPECT_EQ(0x1000 + 16u, le64toh(p[0]));
	qkd_ring_consume(self->ring, 4);
	EXPECT_EQ(20u, host(self));
}

/* A card index more than the ring ahead of us, or behind us, is refused. */
TEST_F(c2h, bad_indices)
{
	const uint64_t *p;
	uint64_t rec;

	card_write(self, 3);
	ASSERT_EQ(3, qkd_ring_peek(self->ring, &p));
	qkd_ring_consume(self->ring, 3);
	__atomic_store_n(&self->status.card_index, htole64(3 + R + 1), __ATOMIC_RELEASE);
	EXPECT_EQ(-EIO, qkd_ring_peek(self->ring, &p));
	EXPECT_EQ(-EIO, qkd_ring_next(self->ring, &rec));
	__atomic_store_n(&self->status.card_index, htole64(3 + R), __ATOMIC_RELEASE);
	EXPECT_EQ(R, qkd_ring_peek(self->ring, &p) + 3) TH_LOG("a full ring is fine");
	__atomic_store_n(&self->status.card_index, htole64(2), __ATOMIC_RELEASE);
	EXPECT_EQ(-EIO, qkd_ring_peek(self->ring, &p));
	EXPECT_EQ(3u, host(self));		/* nothing given back on errors */
}

/* A restart zeroes both indices (the driver does it): the cursors follow. */
TEST_F(c2h, restart)
{
	uint64_t rec;

	card_write(self, 7);
	while (qkd_ring_next(self->ring, &rec) == 1)
		;
	EXPECT_EQ(7u, host(self));
	__atomic_store_n(&self->status.card_index, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&self->index.host_index, 0, __ATOMIC_RELEASE);
	self->produced = 0;
	EXPECT_EQ(0, qkd_ring_next(self->ring, &rec));
	card_write(self, 2);
	ASSERT_EQ(1, qkd_ring_next(self->ring, &rec));
	EXPECT_EQ(0x1000u, rec);
}

TEST_F(c2h, wrong_direction)
{
	uint8_t *buf;

	EXPECT_EQ(-EINVAL, qkd_ring_space(self->ring, &buf));
	EXPECT_EQ(-EINVAL, qkd_ring_write(self->ring, "x", 1));
	EXPECT_EQ(-EOPNOTSUPP, qkd_ring_wait(self->ring, 0)) TH_LOG("a fake ring has no file");
}

/* ---- A producer thread against the iterator --------------------------------------- */

#define BIG_R		64
#define TOTAL		100000

struct race {
	uint64_t data[BIG_R];
	struct qkdchip_ring_status status;
	struct qkdchip_ring_index index;
	unsigned long overwrites;	/* the producer found a record not given back */
};

/* The card: never writes over what the host has not given back; publishes in bursts. */
static void *producer(void *arg)
{
	struct race *r = arg;
	uint64_t n = 0;

	while (n < TOTAL) {
		uint64_t cons = le64toh(__atomic_load_n(&r->index.host_index, __ATOMIC_ACQUIRE));
		uint64_t room = BIG_R - (n - cons), burst = 1 + n % 7, i;

		if (n - cons > BIG_R)
			r->overwrites++;
		if (!room) {
			sched_yield();	/* the machine may have fewer cores than threads */
			continue;
		}
		if (burst > room)
			burst = room;
		for (i = 0; i < burst && n < TOTAL; i++, n++)
			r->data[n % BIG_R] = htole64(n * 0x9e3779b97f4a7c15ULL);
		__atomic_store_n(&r->status.card_index, htole64(n), __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST(producer_thread)
{
	static struct race r;
	struct qkd_ring *ring;
	pthread_t th;
	uint64_t want = 0, rec;
	unsigned long bad = 0;

	memset(&r, 0, sizeof(r));
	ring = qkd__ring_fake(QKDCHIP_STREAM_C2H, r.data, sizeof(r.data), &r.status, &r.index);
	ASSERT_NE(NULL, ring);
	ASSERT_EQ(0, pthread_create(&th, NULL, producer, &r));
	while (want < TOTAL) {
		int ret = qkd_ring_next(ring, &rec);

		ASSERT_GE(ret, 0);
		if (!ret) {
			sched_yield();
			continue;
		}
		bad += rec != want * 0x9e3779b97f4a7c15ULL;
		want++;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0u, bad);
	EXPECT_EQ(0u, r.overwrites);
	EXPECT_EQ(0, qkd_ring_next(ring, &rec));
	EXPECT_EQ((uint64_t)TOTAL, le64toh(r.index.host_index));
	qkd_ring_close(ring);
}

/* ---- The pattern producer ------------------------------------------------------------ */

FIXTURE(pat) {
	uint8_t data[16];
	struct qkdchip_ring_status status;
	struct qkdchip_ring_index index;
	struct qkd_ring *ring;
};

FIXTURE_SETUP(pat)
{
	memset(self->data, 0, sizeof(self->data));
	memset(&self->status, 0, sizeof(self->status));
	memset(&self->index, 0, sizeof(self->index));
	self->status.state = QKDCHIP_RING_RUNNING;
	self->ring = qkd__ring_fake(QKDCHIP_STREAM_PAT, self->data, sizeof(self->data),
				    &self->status, &self->index);
	ASSERT_NE(NULL, self->ring);
}

FIXTURE_TEARDOWN(pat)
{
	qkd_ring_close(self->ring);
}

static void card_consume(FIXTURE_DATA(pat) *self, uint64_t upto)
{
	__atomic_store_n(&self->status.card_index, htole64(upto), __ATOMIC_RELEASE);
}

TEST_F(pat, space_and_wrap)
{
	static const uint8_t a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t b[12], *buf;
	unsigned int i;

	ASSERT_EQ(16, qkd_ring_space(self->ring, &buf));
	EXPECT_EQ(&self->data[0], buf);
	ASSERT_EQ(10, qkd_ring_write(self->ring, a, sizeof(a)));
	EXPECT_EQ(10u, le64toh(self->index.host_index));
	EXPECT_EQ(0, memcmp(self->data, a, 10));
	ASSERT_EQ(6, qkd_ring_space(self->ring, &buf));	/* 10..15 */
	EXPECT_EQ(&self->data[10], buf);

	card_consume(self, 6);				/* 12 free: 6 at the end, 6 at the start */
	ASSERT_EQ(6, qkd_ring_space(self->ring, &buf));
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(100 + i);
	ASSERT_EQ(12, qkd_ring_write(self->ring, b, sizeof(b)));
	EXPECT_EQ(22u, le64toh(self->index.host_index));
	EXPECT_EQ(0, memcmp(&self->data[10], b, 6));
	EXPECT_EQ(0, memcmp(&self->data[0], b + 6, 6));
	EXPECT_EQ(7, self->data[6]) TH_LOG("bytes the card has not consumed stay");
	EXPECT_EQ(0, qkd_ring_space(self->ring, &buf));	/* full */
	EXPECT_EQ(0, qkd_ring_write(self->ring, b, 1));

	/* zero-copy: write into the space, then publish */
	card_consume(self, 20);
	ASSERT_EQ(10, qkd_ring_space(self->ring, &buf));	/* 6..15 */
	EXPECT_EQ(&self->data[6], buf);
	memset(buf, 0xaa, 3);
	qkd_ring_produce(self->ring, 3);
	EXPECT_EQ(25u, le64toh(self->index.host_index));
}

TEST_F(pat, bad_indices)
{
	uint8_t *buf;
	const uint64_t *p;
	uint64_t rec;

	card_consume(self, 1);		/* consumed what was never produced */
	EXPECT_EQ(-EIO, qkd_ring_space(self->ring, &buf));
	EXPECT_EQ(-EIO, qkd_ring_write(self->ring, "x", 1));
	EXPECT_EQ(-EINVAL, qkd_ring_peek(self->ring, &p));
	EXPECT_EQ(-EINVAL, qkd_ring_next(self->ring, &rec));
}

TEST(fake_ring_arguments)
{
	uint64_t data[4];
	struct qkdchip_ring_status st = { 0 };
	struct qkdchip_ring_index ix = { 0 };

	EXPECT_EQ(NULL, qkd__ring_fake(QKDCHIP_STREAM_C2H, data, 24, &st, &ix));
	EXPECT_EQ(NULL, qkd__ring_fake(QKDCHIP_STREAM_C2H, data, 4, &st, &ix));
	EXPECT_EQ(NULL, qkd__ring_fake(2, data, 32, &st, &ix));
}

TEST(geometry)
{
	struct qkdchip_info info = {
		.ring_max_desc = 4096, .ring_min_buf = 4096, .ring_max_buf = 4u << 20,
	};
	struct qkd_ring_config cfg;

	ASSERT_EQ(0, qkd_ring_geometry(&info, 0, &cfg));
	EXPECT_EQ(4u << 20, (uint64_t)cfg.buf_size * cfg.buf_count);
	EXPECT_EQ(2u, cfg.buf_count);
	ASSERT_EQ(0, qkd_ring_geometry(&info, 100u << 20, &cfg));	/* 128 MiB */
	EXPECT_EQ(4u << 20, cfg.buf_size);
	EXPECT_EQ(32u, cfg.buf_count);
	ASSERT_EQ(0, qkd_ring_geometry(&info, 1, &cfg));		/* the smallest */
	EXPECT_EQ(4096u, cfg.buf_size);
	EXPECT_EQ(2u, cfg.buf_count);
	EXPECT_EQ(-EINVAL, qkd_ring_geometry(&info, 1ULL << 35, &cfg));	/* 8192 buffers */
}

TEST_HARNESS_MAIN
