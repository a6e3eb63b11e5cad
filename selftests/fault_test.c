// SPDX-License-Identifier: GPL-2.0-only
/*
 * Card faults, injected through the emulator: the driver survives each one, reports
 * it through its statistics, the stream state and the kernel log, and the kernel log
 * shows no oops or warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

FIXTURE(fault) {
	int card, fd;
	struct qk_ring ring;
	struct qkdchip_stats st0;
};

FIXTURE_SETUP(fault)
{
	self->card = qk_emu_find(QKDCHIP_ROLE_SERVER);
	ASSERT_GE(self->card, 0);
	self->fd = qk_open_dev(qk_dev_index(self->card), O_RDWR);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, qk_kmsg_mark());
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &self->st0));
	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 16384, 4, &self->ring));
}

FIXTURE_TEARDOWN(fault)
{
	qk_stream_stop(self->fd, QKDCHIP_STREAM_C2H);
	qk_ring_unmap(&self->ring);
	close(self->fd);
	EXPECT_EQ(0, qk_kmsg_problems());
}

struct state_wait {
	volatile struct qkdchip_ring_status *status;
	uint32_t state;
};

static bool state_is(void *arg)
{
	struct state_wait *w = arg;

	return w->status->state == w->state;
}

/* A failed DMA write stops the stream: state ERROR, POLLERR, read() ends with EIO. */
TEST_F(fault, dma_write_error_stops_stream)
{
	struct state_wait w = { self->ring.status, QKDCHIP_RING_ERROR };
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct qkdchip_stats st;
	uint64_t buf[512];
	ssize_t n;

	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 10000, 5, NULL));
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d dma-write", self->card));
	ASSERT_TRUE(qk_wait(state_is, &w, 5000));
	EXPECT_EQ(QKDCHIP_ERR_DMA_WRITE, self->ring.status->error);
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLERR);
	/* what was written before the fault can still be read, then EIO */
	while ((n = read(self->fd, buf, sizeof(buf))) > 0)
		;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st));
	EXPECT_EQ(self->st0.c2h_dma_errors + 1, st.c2h_dma_errors);
	/* the stream can be started again */
	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 10000, 5, NULL));
	EXPECT_EQ(QKDCHIP_RING_RUNNING, self->ring.status->state);
}

static bool events_grew(void *arg)
{
	FIXTURE_DATA(fault) *self = arg;
	struct qkdchip_stats st;

	return !ioctl(self->fd, QKDCHIP_IOC_STATS, &st) && st.events > self->st0.events;
}

/* A bad descriptor fails the start with EIO; the next start works. */
TEST_F(fault, descriptor_error_fails_start)
{
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d desc-error c2h 1", self->card));
	EXPECT_EQ(-EIO, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 1000, 5, NULL));
	EXPECT_EQ(QKDCHIP_RING_ERROR, self->ring.status->state);
	EXPECT_EQ(QKDCHIP_ERR_BAD_DESC, self->ring.status->error);
	/* DESC_ERROR goes through the event log, drained by the events thread */
	ASSERT_TRUE(qk_wait(events_grew, self, 5000));
	EXPECT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 1000, 5, NULL));
}

/* A stalled engine drops records with reason STALL and says so in-band. */
TEST_F(fault, stall_reported_in_band)
{
	struct qk_pattern_check pc = { .seed = 11 };
	struct qkdchip_stats st;
	uint64_t buf[2048];
	unsigned int stall_triples = 0;
	long n, i;

	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 50000, pc.seed, NULL));
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d stall 100", self->card));
	while (!stall_triples || pc.records < 20000) {
		n = qk_ring_consume(self->fd, &self->ring, buf, 2048, 5000);
		if (n <= 0) {
			char st[1024] = "";

			qk_ctl(st, sizeof(st), "status %d", self->card);
			TH_LOG("card %llu host %llu state %u hw %#x; emulator: %s",
			       (unsigned long long)self->ring.status->card_index,
			       (unsigned long long)self->ring.index->host_index,
			       self->ring.status->state, self->ring.status->card_status, st);
		}
		ASSERT_GT(n, 0);
		for (i = 0; i < n; i++) {
			if (QKDCHIP_REC_TYPE(buf[i]) == QKDCHIP_REC_LOST &&
			    QKDCHIP_LOSS_KIND(buf[i]) == QKDCHIP_LOSS_COUNT_KIND &&
			    QKDCHIP_LOSS_REASON(buf[i]) == QKDCHIP_LOSS_STALL)
				stall_triples++;
			ASSERT_EQ(0, qk_pattern_feed(&pc, buf[i]));
		}
	}
	EXPECT_EQ(1, stall_triples);
	EXPECT_GT(pc.lost, 1000);	/* 100 ms at 50 000/s */
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st));
	EXPECT_EQ(self->st0.c2h_stalls + 1, st.c2h_stalls);
}

/* A corrupted record reaches the consumer as an unknown type and is counted. */
TEST_F(fault, corrupted_record_counted)
{
	struct qk_pattern_check pc = { .seed = 12 };
	struct qkdchip_stats st;
	uint64_t buf[1024];
	ssize_t n, i;

	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 20000, pc.seed, NULL));
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d corrupt", self->card));
	while (pc.records < 5000) {
		n = read(self->fd, buf, sizeof(buf));
		ASSERT_GT(n, 0);
		for (i = 0; i < n / 8; i++)
			qk_pattern_feed(&pc, buf[i]);
	}
	EXPECT_EQ(1, pc.unknown);
	EXPECT_EQ(0, pc.bad);
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st));
	EXPECT_EQ(self->st0.c2h_bad + 1, st.c2h_bad);
}

struct irq_wait {
	int fd;
	uint64_t want;
};

static bool irqs_reached(void *arg)
{
	struct irq_wait *w = arg;
	struct qkdchip_stats st;

	return !ioctl(w->fd, QKDCHIP_IOC_STATS, &st) && st.irq[QKDCHIP_VEC_EVENTS] >= w->want;
}

/* An interrupt storm with no cause: counted, harmless. */
TEST_F(fault, interrupt_storm_survived)
{
	struct irq_wait w = { .fd = self->fd, .want = self->st0.irq[QKDCHIP_VEC_EVENTS] + 50 };
	struct qkdchip_info info;

	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d irq-storm 0 20000", self->card));
	ASSERT_TRUE(qk_wait(irqs_reached, &w, 10000));
	EXPECT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_INFO, &info));
}

struct status_wait {
	int idx;
	uint32_t bit;
	bool set;
};

static bool status_bit_is(void *arg)
{
	struct status_wait *w = arg;
	uint32_t v;

	return !qk_debugfs_reg(w->idx, QKDCHIP_REG_STATUS, &v) && !!(v & w->bit) == w->set;
}

/* Over-temperature: the card protects itself, the driver logs and counts events. */
TEST_F(fault, over_temperature_reported)
{
	struct status_wait w = { qk_dev_index(self->card), QKDCHIP_STATUS_OVER_TEMP, false };
	struct qkdchip_stats st0, st;

	/* an earlier excursion (it decays over seconds) must be over first */
	ASSERT_TRUE(qk_wait(status_bit_is, &w, 30000));
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st0));
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d over-temp board", self->card));
	w.set = true;
	ASSERT_TRUE(qk_wait(status_bit_is, &w, 5000));
	ASSERT_TRUE(qk_wait(events_grew, self, 5000));
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_STATS, &st));
	EXPECT_GT(st.events, st0.events);
	ASSERT_EQ(0, qk_ctl(NULL, 0, "temp %d board auto", self->card));
}

TEST_HARNESS_MAIN
