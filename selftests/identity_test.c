// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity: every identity register of both roles, as the driver reports it
 * (QKDCHIP_IOC_INFO, sysfs) and as the emulator serves it (control channel), against
 * the values Documentation/hw/registers.rst gives for the emulated cards. The expected
 * values are written here from that document, not read from the emulator.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

/* registers.rst: "What the emulated cards report", and the identity table */
struct doc_identity {
	uint32_t role, features;
	unsigned int dac_channels, samples, dac_bits;
	unsigned int det_channels, det_units, fine_ps;
	unsigned int table_symbols, table_banks;
};

static const struct doc_identity doc_client = {
	.role = 1, .features = 0xcf,
	.dac_channels = 5, .samples = 8, .dac_bits = 14,
	.table_symbols = 256, .table_banks = 2,
};

static const struct doc_identity doc_server = {
	.role = 2, .features = 0xb1,
	.det_channels = 4, .det_units = 2, .fine_ps = 1,
};

#define DOC_MAGIC		0x51444b43u	/* "QKDC" */
#define DOC_VERSION		0x01000000u	/* 1.0.0 */
#define DOC_SLOT_RATE_KHZ	1250000u
#define DOC_RING_MAX_DESC	4096u		/* 2^12 buffers ... */
#define DOC_RING_MIN_BUF	4096u		/* ... of 2^12 .. */
#define DOC_RING_MAX_BUF	(4u << 20)	/* ... 2^22 bytes */
#define DOC_FRAME_MIN_LOG2	10
#define DOC_FRAME_MAX_LOG2	30

static const struct doc_identity *doc_for(int role)
{
	return role == QKDCHIP_ROLE_CLIENT ? &doc_client :
	       role == QKDCHIP_ROLE_SERVER ? &doc_server : NULL;
}

/* The emulator's registers (control channel) against the document */
TEST(registers_match_document)
{
	int ncards = qk_emu_cards(), card, seen[3] = { 0 };

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		int role = qk_emu_role(card);
		const struct doc_identity *d = doc_for(role);
		uint32_t v, lo, hi;

		ASSERT_NE(NULL, d) TH_LOG("card %d: role %d", card, role);
		seen[role]++;
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_MAGIC, &v));
		EXPECT_EQ(DOC_MAGIC, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_VERSION, &v));
		EXPECT_EQ(DOC_VERSION, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_ROLE, &v));
		EXPECT_EQ(d->role, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FEATURES, &v));
		EXPECT_EQ(d->features, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_DAC, &v));
		EXPECT_EQ(d->dac_channels | d->samples << 8 | d->dac_bits << 16, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_SLOT_RATE, &v));
		EXPECT_EQ(DOC_SLOT_RATE_KHZ, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_DET, &v));
		EXPECT_EQ(d->det_channels | d->det_units << 8 | d->fine_ps << 16, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_RING, &v));
		EXPECT_EQ(12u | 12u << 8 | 22u << 16, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_TABLE, &v));
		EXPECT_EQ(d->table_symbols | d->table_banks << 16, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_CAP_FRAME, &v));
		EXPECT_EQ((uint32_t)(DOC_FRAME_MIN_LOG2 | DOC_FRAME_MAX_LOG2 << 8), v);
		/* serial, firmware build and date: per card / per build, but set */
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_LO, &lo));
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_HI, &hi));
		EXPECT_NE(0u, lo | hi);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_BUILD, &v));
		EXPECT_NE(0u, v);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_DATE, &v));
		/* BCD 0xYYYYMMDD */
		EXPECT_EQ(0u, v & 0x88888888 & ((v & 0x44444444) << 1 | (v & 0x22222222) << 2))
			TH_LOG("FW_DATE %08x is not BCD", v);
		EXPECT_GE(v >> 16, 0x2020u);
		EXPECT_LE((v >> 8) & 0xff, 0x12u);
		EXPECT_LE(v & 0xff, 0x31u);
	}
	/* the standard test network has both roles */
	EXPECT_GT(seen[QKDCHIP_ROLE_CLIENT], 0);
	EXPECT_GT(seen[QKDCHIP_ROLE_SERVER], 0);
}

/* QKDCHIP_IOC_INFO against the document (and the per-card values of the emulator) */
TEST(ioctl_matches_document)
{
	int ncards = qk_emu_cards(), card;

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		const struct doc_identity *d = doc_for(qk_emu_role(card));
		struct qkdchip_info info;
		uint32_t lo, hi, build, date;
		int idx = qk_dev_index(card), fd;
		unsigned int i;

		ASSERT_NE(NULL, d);
		ASSERT_GE(idx, 0);
		fd = qk_open_dev(idx, O_RDONLY);
		ASSERT_GE(fd, 0);
		memset(&info, 0x5a, sizeof(info));
		ASSERT_EQ(0, ioctl(fd, QKDCHIP_IOC_INFO, &info));
		close(fd);
		EXPECT_EQ(QKDCHIP_ABI_VERSION, info.abi_version);
		EXPECT_EQ(DOC_VERSION, info.hw_version);
		EXPECT_EQ(d->role, info.role);
		EXPECT_EQ(d->features, info.features);
		EXPECT_EQ(DOC_SLOT_RATE_KHZ, info.slot_rate_khz);
		EXPECT_EQ((unsigned int)idx, info.index);
		EXPECT_EQ(d->dac_channels, info.dac_channels);
		EXPECT_EQ(d->samples, info.samples_per_slot);
		EXPECT_EQ(d->dac_bits, info.dac_bits);
		EXPECT_EQ(d->det_channels, info.det_channels);
		EXPECT_EQ(d->det_units, info.det_units);
		EXPECT_EQ(d->fine_ps, info.fine_time_ps);
		EXPECT_EQ(DOC_RING_MAX_DESC, info.ring_max_desc);
		EXPECT_EQ(DOC_RING_MIN_BUF, info.ring_min_buf);
		EXPECT_EQ(DOC_RING_MAX_BUF, info.ring_max_buf);
		EXPECT_EQ(d->table_symbols, info.table_symbols);
		EXPECT_EQ(d->table_banks, info.table_banks);
		EXPECT_EQ(DOC_FRAME_MIN_LOG2, info.frame_min_log2);
		EXPECT_EQ(DOC_FRAME_MAX_LOG2, info.frame_max_log2);
		for (i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]); i++)
			EXPECT_EQ(0u, info.reserved[i]);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_LO, &lo));
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_HI, &hi));
		EXPECT_EQ((uint64_t)hi << 32 | lo, info.serial);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_BUILD, &build));
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_DATE, &date));
		EXPECT_EQ(build, info.fw_build);
		EXPECT_EQ(date, info.fw_date);
	}
}

/* sysfs: role, serial, hw_version, fw_version, features */
TEST(sysfs_matches_document)
{
	int ncards = qk_emu_cards(), card;

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		int role = qk_emu_role(card), idx = qk_dev_index(card);
		const struct doc_identity *d = doc_for(role);
		char buf[64], want[64];
		uint32_t lo, hi, build, date;

		ASSERT_NE(NULL, d);
		ASSERT_GE(idx, 0);
		ASSERT_EQ(0, qk_sysfs_read(idx, "role", buf, sizeof(buf)));
		EXPECT_STREQ(role == QKDCHIP_ROLE_CLIENT ? "client" : "server", buf);
		ASSERT_EQ(0, qk_sysfs_read(idx, "hw_version", buf, sizeof(buf)));
		EXPECT_STREQ("1.0.0", buf);
		ASSERT_EQ(0, qk_sysfs_read(idx, "features", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%#010x", d->features);
		EXPECT_STREQ(want, buf);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_LO, &lo));
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_SERIAL_HI, &hi));
		ASSERT_EQ(0, qk_sysfs_read(idx, "serial", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%08x%08x", hi, lo);
		EXPECT_STREQ(want, buf);
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_BUILD, &build));
		ASSERT_EQ(0, qk_ctl_reg(card, QKDCHIP_REG_FW_DATE, &date));
		ASSERT_EQ(0, qk_sysfs_read(idx, "fw_version", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%u %08x", build, date);
		EXPECT_STREQ(want, buf);
	}
}

/* The driver's own MMIO reads (debugfs) see the same identity registers. */
TEST(debugfs_matches_document)
{
	int ncards = qk_emu_cards(), card;

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		const struct doc_identity *d = doc_for(qk_emu_role(card));
		int idx = qk_dev_index(card);
		uint32_t v;

		ASSERT_NE(NULL, d);
		ASSERT_GE(idx, 0);
		ASSERT_EQ(0, qk_debugfs_reg(idx, QKDCHIP_REG_MAGIC, &v));
		EXPECT_EQ(DOC_MAGIC, v);
		ASSERT_EQ(0, qk_debugfs_reg(idx, QKDCHIP_REG_FEATURES, &v));
		EXPECT_EQ(d->features, v);
		ASSERT_EQ(0, qk_debugfs_reg(idx, QKDCHIP_REG_CAP_FRAME, &v));
		EXPECT_EQ((uint32_t)(DOC_FRAME_MIN_LOG2 | DOC_FRAME_MAX_LOG2 << 8), v);
	}
}

TEST_HARNESS_MAIN
