// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts: the card's doorbell raises an MSI-X vector; the driver's handler runs
 * and counts it, and the count is visible in sysfs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

static const char *const counter_name[QKDCHIP_NUM_VECTORS] = {
	"statistics/irq_events", "statistics/irq_c2h", "statistics/irq_h2c",
};

struct counter_wait {
	int idx;
	const char *attr;
	uint64_t want;
};

static bool counter_reached(void *arg)
{
	struct counter_wait *w = arg;
	uint64_t v = 0;

	return !qk_sysfs_u64(w->idx, w->attr, &v) && v >= w->want;
}

static int doorbell(int idx, unsigned int vec)
{
	char path[128], val[16];

	snprintf(path, sizeof(path), "/sys/kernel/debug/qkdchip/qkdchip%d/doorbell", idx);
	snprintf(val, sizeof(val), "%u", vec);
	return qk_write_file(path, val);
}

FIXTURE(irq) {
	int idx;
};

FIXTURE_SETUP(irq)
{
	self->idx = qk_dev_index(0);
	ASSERT_GE(self->idx, 0);
}

FIXTURE_TEARDOWN(irq)
{
}

/* One doorbell per vector: that vector's counter goes up by exactly one, no other. */
TEST_F(irq, doorbell_raises_each_vector)
{
	unsigned int vec, other;

	for (vec = 0; vec < QKDCHIP_NUM_VECTORS; vec++) {
		uint64_t before[QKDCHIP_NUM_VECTORS], after;
		struct counter_wait w = { .idx = self->idx, .attr = counter_name[vec] };

		for (other = 0; other < QKDCHIP_NUM_VECTORS; other++)
			ASSERT_EQ(0, qk_sysfs_u64(self->idx, counter_name[other], &before[other]));
		ASSERT_EQ(0, doorbell(self->idx, vec));
		w.want = before[vec] + 1;
		ASSERT_TRUE(qk_wait(counter_reached, &w, 5000))
			TH_LOG("vector %u: no interrupt within 5 s", vec);
		for (other = 0; other < QKDCHIP_NUM_VECTORS; other++) {
			ASSERT_EQ(0, qk_sysfs_u64(self->idx, counter_name[other], &after));
			EXPECT_EQ(before[other] + (other == vec), after)
				TH_LOG("vector %u rung, counter %s", vec, counter_name[other]);
		}
	}
}

/* Twenty doorbells, each awaited: the counter moves by exactly twenty. */
TEST_F(irq, doorbell_counts_exactly)
{
	struct counter_wait w = { .idx = self->idx, .attr = counter_name[QKDCHIP_VEC_EVENTS] };
	uint64_t start, end;
	int i;

	ASSERT_EQ(0, qk_sysfs_u64(self->idx, w.attr, &start));
	for (i = 1; i <= 20; i++) {
		ASSERT_EQ(0, doorbell(self->idx, QKDCHIP_VEC_EVENTS));
		w.want = start + i;
		ASSERT_TRUE(qk_wait(counter_reached, &w, 5000));
	}
	ASSERT_EQ(0, qk_sysfs_u64(self->idx, w.attr, &end));
	EXPECT_EQ(start + 20, end);
}

/* The handler acknowledged the cause: nothing is left pending. */
TEST_F(irq, status_acknowledged)
{
	struct counter_wait w = { .idx = self->idx, .attr = counter_name[QKDCHIP_VEC_C2H] };
	uint32_t status;
	uint64_t start;

	ASSERT_EQ(0, qk_sysfs_u64(self->idx, w.attr, &start));
	ASSERT_EQ(0, doorbell(self->idx, QKDCHIP_VEC_C2H));
	w.want = start + 1;
	ASSERT_TRUE(qk_wait(counter_reached, &w, 5000));
	ASSERT_EQ(0, qk_debugfs_reg(self->idx, QKDCHIP_REG_IRQ_STATUS, &status));
	EXPECT_EQ(0, status & QKDCHIP_IRQ_DOORBELL_ALL);
}

TEST_F(irq, doorbell_bad_vector_refused)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/qkdchip/qkdchip%d/doorbell", self->idx);
	EXPECT_EQ(-EINVAL, qk_write_file(path, "3"));
	EXPECT_EQ(-EINVAL, qk_write_file(path, "-1"));
	EXPECT_EQ(-EINVAL, qk_write_file(path, "banana"));
}

TEST_HARNESS_MAIN
