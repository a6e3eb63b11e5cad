// SPDX-License-Identifier: GPL-2.0-only
/*
 * Probe and identity: every emulated card is bound to qkdchip, and what the driver
 * reports (ioctl, sysfs, debugfs) equals what the emulator serves.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

/* Count PCI functions with our IDs, and those bound to the qkdchip driver. */
static void count_pci(int *found, int *bound)
{
	char path[512], buf[64], link[512];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/devices");
	unsigned int vendor, device;
	ssize_t n;
	FILE *f;

	*found = *bound = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		vendor = fgets(buf, sizeof(buf), f) ? strtoul(buf, NULL, 16) : 0;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		device = fgets(buf, sizeof(buf), f) ? strtoul(buf, NULL, 16) : 0;
		fclose(f);
		if (vendor != QKDCHIP_PCI_VENDOR || device != QKDCHIP_PCI_DEVICE)
			continue;
		(*found)++;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (!strcmp(strrchr(link, '/') + 1, "qkdchip"))
				(*bound)++;
		}
	}
	closedir(d);
}

TEST(every_card_bound)
{
	int ncards = qk_emu_cards(), found, bound, i;

	ASSERT_GT(ncards, 0) TH_LOG("emulator control channel: %d", ncards);
	count_pci(&found, &bound);
	EXPECT_EQ(ncards, found);
	EXPECT_EQ(ncards, bound);
	for (i = 0; i < ncards; i++) {
		int idx = qk_dev_index(i), fd;

		ASSERT_GE(idx, 0) TH_LOG("no /dev/qkdchipN with the serial of card %d", i);
		fd = qk_open_dev(idx, O_RDWR);
		ASSERT_GE(fd, 0);
		close(fd);
	}
}

/* Each identity field of the ioctl equals the emulator's register. */
TEST(identity_ioctl_matches_emulator)
{
	int ncards = qk_emu_cards(), card;

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		struct qkdchip_info info;
		uint32_t r[0x40 / 4];
		int idx, fd;
		unsigned int i;

		for (i = 0; i < sizeof(r) / 4; i++)
			ASSERT_EQ(0, qk_ctl_reg(card, i * 4, &r[i]));
		ASSERT_EQ(QKDCHIP_MAGIC, r[QKDCHIP_REG_MAGIC / 4]);

		idx = qk_dev_index(card);
		ASSERT_GE(idx, 0);
		fd = qk_open_dev(idx, O_RDONLY);
		ASSERT_GE(fd, 0);
		memset(&info, 0xa5, sizeof(info));
		ASSERT_EQ(0, ioctl(fd, QKDCHIP_IOC_INFO, &info));
		close(fd);

		EXPECT_EQ(QKDCHIP_ABI_VERSION, info.abi_version);
		EXPECT_EQ(r[QKDCHIP_REG_VERSION / 4], info.hw_version);
		EXPECT_EQ(r[QKDCHIP_REG_ROLE / 4], info.role);
		EXPECT_EQ(r[QKDCHIP_REG_FEATURES / 4], info.features);
		EXPECT_EQ((uint64_t)r[QKDCHIP_REG_SERIAL_HI / 4] << 32 |
			  r[QKDCHIP_REG_SERIAL_LO / 4], info.serial);
		EXPECT_EQ(r[QKDCHIP_REG_FW_BUILD / 4], info.fw_build);
		EXPECT_EQ(r[QKDCHIP_REG_FW_DATE / 4], info.fw_date);
		EXPECT_EQ(r[QKDCHIP_REG_CAP_SLOT_RATE / 4], info.slot_rate_khz);
		EXPECT_EQ((unsigned int)idx, info.index);
		EXPECT_EQ(QKDCHIP_CAP_DAC_CHANNELS(r[QKDCHIP_REG_CAP_DAC / 4]), info.dac_channels);
		EXPECT_EQ(QKDCHIP_CAP_DAC_SAMPLES(r[QKDCHIP_REG_CAP_DAC / 4]), info.samples_per_slot);
		EXPECT_EQ(QKDCHIP_CAP_DAC_BITS(r[QKDCHIP_REG_CAP_DAC / 4]), info.dac_bits);
		EXPECT_EQ(QKDCHIP_CAP_DET_CHANNELS(r[QKDCHIP_REG_CAP_DET / 4]), info.det_channels);
		EXPECT_EQ(QKDCHIP_CAP_DET_UNITS(r[QKDCHIP_REG_CAP_DET / 4]), info.det_units);
		EXPECT_EQ(QKDCHIP_CAP_DET_FINE_PS(r[QKDCHIP_REG_CAP_DET / 4]), info.fine_time_ps);
		EXPECT_EQ(1u << QKDCHIP_CAP_RING_MAX_DESC(r[QKDCHIP_REG_CAP_RING / 4]),
			  info.ring_max_desc);
		EXPECT_EQ(1u << QKDCHIP_CAP_RING_MIN_BUF(r[QKDCHIP_REG_CAP_RING / 4]),
			  info.ring_min_buf);
		EXPECT_EQ(1u << QKDCHIP_CAP_RING_MAX_BUF(r[QKDCHIP_REG_CAP_RING / 4]),
			  info.ring_max_buf);
		EXPECT_EQ(QKDCHIP_CAP_TABLE_SYMBOLS(r[QKDCHIP_REG_CAP_TABLE / 4]), info.table_symbols);
		EXPECT_EQ(QKDCHIP_CAP_TABLE_BANKS(r[QKDCHIP_REG_CAP_TABLE / 4]), info.table_banks);
		EXPECT_EQ(QKDCHIP_CAP_FRAME_MIN(r[QKDCHIP_REG_CAP_FRAME / 4]), info.frame_min_log2);
		EXPECT_EQ(QKDCHIP_CAP_FRAME_MAX(r[QKDCHIP_REG_CAP_FRAME / 4]), info.frame_max_log2);
		for (i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]); i++)
			EXPECT_EQ(0, info.reserved[i]);
	}
}

TEST(sysfs_identity_matches_ioctl)
{
	int ncards = qk_emu_cards(), card;

	ASSERT_GT(ncards, 0);
	for (card = 0; card < ncards; card++) {
		struct qkdchip_info info;
		char buf[64], want[64];
		uint64_t serial;
		int idx = qk_dev_index(card), fd;

		ASSERT_GE(idx, 0);
		fd = qk_open_dev(idx, O_RDONLY);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, ioctl(fd, QKDCHIP_IOC_INFO, &info));
		close(fd);

		ASSERT_EQ(0, qk_sysfs_read(idx, "role", buf, sizeof(buf)));
		EXPECT_STREQ(info.role == QKDCHIP_ROLE_CLIENT ? "client" : "server", buf);
		ASSERT_EQ(0, qk_sysfs_read(idx, "serial", buf, sizeof(buf)));
		serial = strtoull(buf, NULL, 16);
		EXPECT_EQ(info.serial, serial);
		ASSERT_EQ(0, qk_sysfs_read(idx, "hw_version", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%u.%u.%u", QKDCHIP_VERSION_MAJOR(info.hw_version),
			 QKDCHIP_VERSION_MINOR(info.hw_version), QKDCHIP_VERSION_PATCH(info.hw_version));
		EXPECT_STREQ(want, buf);
	}
}

/* The scratch register round-trips between the emulator and the driver's view. */
TEST(scratch_register_visible_in_debugfs)
{
	unsigned int want = 0x5a5a0000u | (unsigned int)getpid() % 0xffff;
	int idx = qk_dev_index(0);
	uint32_t val;

	ASSERT_GE(idx, 0);
	ASSERT_EQ(0, qk_ctl(NULL, 0, "reg 0 0x%x 0x%x", QKDCHIP_REG_SCRATCH, want));
	ASSERT_EQ(0, qk_debugfs_reg(idx, QKDCHIP_REG_SCRATCH, &val));
	EXPECT_EQ(want, val);
}

TEST_HARNESS_MAIN
