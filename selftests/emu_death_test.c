// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulator process dies while the guest runs (a card that vanishes from the bus
 * without notice): the driver keeps the kernel healthy, open files keep working or
 * fail cleanly, and unbinding the dead card is clean. Run this last: it ends the
 * emulator for the rest of the boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

TEST(emulator_dies)
{
	char path[128], pci[64], link[256];
	struct qkdchip_info info;
	int idx, fd, i;
	uint32_t v;
	ssize_t n;

	idx = qk_dev_index(0);
	ASSERT_GE(idx, 0);
	fd = qk_open_dev(idx, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, qk_kmsg_mark());

	/* "exit" gets no reply: the emulator is gone before it could send one. */
	EXPECT_NE(0, qk_ctl(NULL, 0, "exit 0"));

	/* Hardware access to the dead card: reads fail or read all ones, no crash. */
	for (i = 0; i < 3; i++) {
		int ret = qk_debugfs_reg(idx, QKDCHIP_REG_MAGIC, &v);

		EXPECT_TRUE(ret != 0 || v == 0xffffffffu || v == 0)
			TH_LOG("magic of a dead card read as %#x", v);
	}
	snprintf(path, sizeof(path), "/sys/kernel/debug/qkdchip/qkdchip%d/doorbell", idx);
	qk_write_file(path, "0");	/* may fail; must not crash */
	EXPECT_EQ(0, ioctl(fd, QKDCHIP_IOC_INFO, &info));	/* identity is cached */

	/* Unbind the dead card while the file is open, then use the file. */
	snprintf(path, sizeof(path), "/sys/class/qkdchip/qkdchip%d/device", idx);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	snprintf(pci, sizeof(pci), "%s", strrchr(link, '/') + 1);
	ASSERT_EQ(0, qk_write_file("/sys/bus/pci/drivers/qkdchip/unbind", pci));
	EXPECT_EQ(-1, ioctl(fd, QKDCHIP_IOC_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, close(fd));

	EXPECT_EQ(0, qk_kmsg_problems());
}

TEST_HARNESS_MAIN
