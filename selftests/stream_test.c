// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path: what a consumer gets through the mmapped ring and through read() is
 * exactly what the card produced (the test pattern lets the test recompute every
 * record), loss is reported in-band and adds up to the card's own count, pattern
 * underruns likewise, and poll() wakes a sleeping consumer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

FIXTURE(c2h) {
	int card;
	int fd;
	struct qk_ring ring;
};

FIXTURE_SETUP(c2h)
{
	self->card = qk_emu_find(QKDCHIP_ROLE_SERVER);
	ASSERT_GE(self->card, 0);
	self->fd = qk_open_dev(qk_dev_index(self->card), O_RDWR);
	ASSERT_GE(self->fd, 0);
	memset(&self->ring, 0, sizeof(self->ring));
}

FIXTURE_TEARDOWN(c2h)
{
	qk_ring_unmap(&self->ring);
	close(self->fd);
}

/* Every record read through the mapping equals the test pattern, none missing. */
TEST_F(c2h, mmap_records_are_exact)
{
	static uint64_t buf[4096];
	struct qk_pattern_check pc = { .seed = 0x5eed1 };
	const uint64_t want = 200000;
	long n;

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 65536, 16, &self->ring));
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST,
				     200000, pc.seed, NULL));
	while (pc.records < want) {
		n = qk_ring_consume(self->fd, &self->ring, buf, 4096, 5000);
		ASSERT_GT(n, 0) TH_LOG("no records after %llu", (unsigned long long)pc.records);
		for (long i = 0; i < n; i++) {
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]))
				TH_LOG("record %llu: %#llx", (unsigned long long)pc.next,
				       (unsigned long long)buf[i]);
		}
	}
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
	EXPECT_EQ(0, pc.lost);
	EXPECT_EQ(0, pc.bad);
	EXPECT_EQ(QKDCHIP_RING_STOPPED, self->ring.status->state);
}

/* The same through read(), which copies. */
TEST_F(c2h, read_records_are_exact)
{
	static uint64_t buf[4096];
	struct qk_pattern_check pc = { .seed = 77 };
	struct qkdchip_stats st0, st1;
	ssize_t n;

	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st0));
	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 16384, 8, &self->ring));
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST,
				     100000, pc.seed, NULL));
	while (pc.records < 100000) {
		n = read(self->fd, buf, sizeof(buf));
		ASSERT_GT(n, 0);
		ASSERT_EQ(0, n % 8);
		for (ssize_t i = 0; i < n / 8; i++)
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]));
	}
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
	/* after the stop, read() drains what is left and then reports the end */
	while ((n = read(self->fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n / 8; i++)
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, pc.lost);
	EXPECT_EQ(self->ring.status->card_index, pc.records);
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st1));
	EXPECT_EQ(pc.records, st1.c2h_read - st0.c2h_read);
	EXPECT_EQ(0, st1.c2h_bad - st0.c2h_bad);
}

/* read() needs a buffer for one record at least, and a ring. */
TEST_F(c2h, read_bad_input)
{
	void *volatile bad = (void *)8;	/* hidden from the compiler's checks */
	uint64_t rec;

	EXPECT_EQ(-1, read(self->fd, &rec, sizeof(rec)));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 4096, 2, &self->ring));
	EXPECT_EQ(-1, read(self->fd, &rec, 7));
	EXPECT_EQ(EINVAL, errno);
	/* not started, nothing in the ring: end of stream */
	EXPECT_EQ(0, read(self->fd, &rec, sizeof(rec)));
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST, 1000,
				     1, NULL));
	EXPECT_EQ(-1, read(self->fd, bad, 8));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
}

/*
 * A stalled consumer: the card drops, says so in-band, and the in-band counts add up
 * exactly to its own count of dropped records.
 */
TEST_F(c2h, overflow_accounted_exactly)
{
	static uint64_t buf[4096];
	struct qk_pattern_check pc = { .seed = 4242 };
	uint64_t emu_dropped = 0;
	long n;

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 16384, 4, &self->ring));
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST,
				     200000, pc.seed, NULL));
	/* 8192 records of room at 200 000/s: sleeping 300 ms loses about 50 000 */
	sleep_ms(300);
	EXPECT_NE(0, self->ring.status->card_lost);
	while (!pc.losses || pc.records < 100000) {
		n = qk_ring_consume(self->fd, &self->ring, buf, 4096, 5000);
		ASSERT_GT(n, 0);
		for (long i = 0; i < n; i++) {
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]))
				TH_LOG("record %#llx at index %llu", (unsigned long long)buf[i],
				       (unsigned long long)pc.next);
		}
	}
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
	while ((n = qk_ring_consume(self->fd, &self->ring, buf, 4096, 0)) > 0)
		for (long i = 0; i < n; i++)
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]));
	EXPECT_EQ(0, pc.in_lost);
	EXPECT_GT(pc.lost, 10000);
	EXPECT_EQ(self->ring.status->card_lost, pc.lost);
	ASSERT_EQ(0, qk_emu_status_u64(self->card, "dropped", &emu_dropped));
	EXPECT_EQ(emu_dropped, pc.lost);
	EXPECT_EQ(0, pc.bad);
}

/* A consumer asleep in poll() is woken by the card's interrupt when records arrive. */
TEST_F(c2h, poll_wakes_consumer)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct qkdchip_stats st0, st1;
	uint64_t buf[16];

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 4096, 2, &self->ring));
	EXPECT_EQ(0, poll(&pfd, 1, 0));		/* nothing yet */
	/* 5 records a second: after the first, the next is 200 ms away */
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST, 5,
				     9, NULL));
	ASSERT_EQ(1, qk_ring_consume(self->fd, &self->ring, buf, 16, 5000));
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));		/* drained */
	EXPECT_EQ(1, poll(&pfd, 1, 5000));	/* asleep until the next record */
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st1));
	EXPECT_GE(st1.irq[QKDCHIP_VEC_C2H], st0.irq[QKDCHIP_VEC_C2H] + 1);
	ASSERT_EQ(1, qk_ring_consume(self->fd, &self->ring, buf, 16, 0));
	EXPECT_EQ(qk_test_record(9, 1), buf[0]);
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
	/* stopped and drained: the end of the stream */
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP);
}

/* The card's own stream (source card) carries a START time record and heartbeats. */
TEST_F(c2h, card_source_time_records)
{
	static uint64_t buf[1024];
	unsigned int heartbeats = 0, starts = 0;
	uint64_t start_slot, last = 0;
	long n, i;

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 65536, 4, &self->ring));
	ASSERT_EQ(0, qk_stream_start(self->fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_CARD, 0, 0,
				     &start_slot));
	while (heartbeats < 5) {
		n = qk_ring_consume(self->fd, &self->ring, buf, 1024, 5000);
		ASSERT_GT(n, 0);
		for (i = 0; i < n; i++) {
			if (QKDCHIP_REC_TYPE(buf[i]) != QKDCHIP_REC_TIME)
				continue;
			EXPECT_GE(QKDCHIP_TIME_SLOT(buf[i]), last);
			last = QKDCHIP_TIME_SLOT(buf[i]);
			if (QKDCHIP_TIME_KIND(buf[i]) == QKDCHIP_TIME_START) {
				starts++;
				/* before the driver read the clock after the start, within 1 s */
				EXPECT_LE(last, start_slot);
				EXPECT_LT(start_slot - last, 1250000000ULL);
			} else if (QKDCHIP_TIME_KIND(buf[i]) == QKDCHIP_TIME_HEARTBEAT) {
				heartbeats++;
			}
		}
	}
	EXPECT_EQ(1, starts);
	ASSERT_EQ(0, qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H));
}

/* The pattern stream: bytes the host does not deliver in time play blank, counted. */
TEST(pattern_underrun_accounted)
{
	static uint64_t buf[4096];
	struct qk_ring c2h = {}, pat = {};
	struct qkdchip_stats st0, st1;
	uint64_t emu = 0, inband = 0, triples = 0, start_slot;
	int card = qk_emu_find(QKDCHIP_ROLE_CLIENT), fd;
	long n, i;

	ASSERT_GE(card, 0);
	fd = qk_open_dev(qk_dev_index(card), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, QKDCHIP_IOC_STATS, &st0));
	ASSERT_EQ(0, qk_ring_open(fd, QKDCHIP_STREAM_C2H, 65536, 4, &c2h));
	ASSERT_EQ(0, qk_ring_open(fd, QKDCHIP_STREAM_PAT, 4096, 4, &pat));
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_CARD, 0, 0, NULL));
	/* 16 KiB of pattern, written before the start: 13 us of slots at 1.25 GHz */
	memset(pat.data, 0, pat.setup.ring_size);
	__atomic_store_n(&pat.index->host_index, pat.setup.ring_size, __ATOMIC_RELEASE);
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_PAT, QKDCHIP_SOURCE_HOST, 0, 0,
				     &start_slot));
	EXPECT_EQ(start_slot, pat.status->start_slot);
	sleep_ms(50);
	ASSERT_EQ(0, qk_stream_stop(fd, QKDCHIP_STREAM_PAT));
	EXPECT_EQ(pat.setup.ring_size, pat.status->card_index);	/* all consumed */
	ASSERT_EQ(0, qk_stream_stop(fd, QKDCHIP_STREAM_C2H));
	while ((n = qk_ring_consume(fd, &c2h, buf, 4096, 0)) > 0) {
		for (i = 0; i < n; i++) {
			if (QKDCHIP_REC_TYPE(buf[i]) == QKDCHIP_REC_UNDERRUN &&
			    QKDCHIP_LOSS_KIND(buf[i]) == QKDCHIP_LOSS_COUNT_KIND) {
				inband += QKDCHIP_LOSS_COUNT(buf[i]);
				triples++;
			}
		}
	}
	EXPECT_GE(triples, 1);
	EXPECT_GT(inband, 1000000);	/* 50 ms at 1.25 GHz, minus 16 Ki slots */
	EXPECT_EQ(pat.status->card_lost, inband);
	ASSERT_EQ(0, qk_emu_status_u64(card, "underrun", &emu));
	ASSERT_EQ(0, ioctl(fd, QKDCHIP_IOC_STATS, &st1));
	EXPECT_EQ(emu, st1.pat_underrun_slots);
	EXPECT_EQ(inband, st1.pat_underrun_slots - st0.pat_underrun_slots);
	EXPECT_EQ(triples, st1.pat_underruns - st0.pat_underruns);
	EXPECT_EQ(pat.setup.ring_size, st1.pat_consumed - st0.pat_consumed);
	qk_ring_unmap(&c2h);
	qk_ring_unmap(&pat);
	close(fd);
}

/* Card-seeded patterns need no ring; the client reports a seed per frame. */
TEST(card_seeded_reports_seeds)
{
	static uint64_t buf[4096];
	struct qk_ring c2h = {};
	unsigned int frames = 0, seeds = 0;
	int card = qk_emu_find(QKDCHIP_ROLE_CLIENT), fd;
	long n, i;

	ASSERT_GE(card, 0);
	fd = qk_open_dev(qk_dev_index(card), O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, qk_ring_open(fd, QKDCHIP_STREAM_C2H, 65536, 4, &c2h));
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_CARD, 0, 0, NULL));
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_PAT, QKDCHIP_SOURCE_SEEDED, 0, 0, NULL));
	while (frames < 4) {
		n = qk_ring_consume(fd, &c2h, buf, 4096, 5000);
		ASSERT_GT(n, 0);
		for (i = 0; i < n; i++) {
			if (QKDCHIP_REC_TYPE(buf[i]) == QKDCHIP_REC_SEED)
				seeds++;
			if (QKDCHIP_REC_TYPE(buf[i]) == QKDCHIP_REC_TIME &&
			    QKDCHIP_TIME_KIND(buf[i]) == QKDCHIP_TIME_FRAME)
				frames++;
		}
	}
	ASSERT_EQ(0, qk_stream_stop(fd, QKDCHIP_STREAM_PAT));
	ASSERT_EQ(0, qk_stream_stop(fd, QKDCHIP_STREAM_C2H));
	EXPECT_GE(seeds, 8 * (frames - 1));
	qk_ring_unmap(&c2h);
	close(fd);
}

TEST_HARNESS_MAIN
