// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module unload and reload: refused while a file is open, clean otherwise, and the
 * cards come back with the same identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"

static bool no_class_dir(void *arg)
{
	struct stat st;

	(void)arg;
	return stat("/sys/class/qkdchip", &st) != 0;
}

TEST(unload_refused_while_open)
{
	int idx = qk_dev_index(0), fd;
	struct qkdchip_info info;

	ASSERT_GE(idx, 0);
	fd = qk_open_dev(idx, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EWOULDBLOCK, qk_module_unload(true));
	EXPECT_TRUE(qk_module_loaded());
	/* the file still works */
	EXPECT_EQ(0, ioctl(fd, QKDCHIP_IOC_INFO, &info));
	close(fd);
}

TEST(unload_and_reload)
{
	int ncards = qk_emu_cards(), card;
	char before[QK_MAX_CARDS][32], after[32];

	ASSERT_GT(ncards, 0);
	ASSERT_LE(ncards, QK_MAX_CARDS);
	for (card = 0; card < ncards; card++) {
		int idx = qk_dev_index(card);

		ASSERT_GE(idx, 0);
		ASSERT_EQ(0, qk_sysfs_read(idx, "serial", before[card], sizeof(before[card])));
	}
	ASSERT_EQ(0, qk_kmsg_mark());

	ASSERT_EQ(0, qk_module_unload(false));
	EXPECT_FALSE(qk_module_loaded());
	EXPECT_TRUE(no_class_dir(NULL));
	EXPECT_EQ(-ENOENT, qk_dev_index(0));

	ASSERT_EQ(0, qk_module_load()) TH_LOG("loading %s", qk_module_path());
	for (card = 0; card < ncards; card++) {
		int idx = qk_dev_index(card);	/* found by the emulator's serial */

		ASSERT_GE(idx, 0) TH_LOG("card %d did not come back", card);
		ASSERT_EQ(0, qk_sysfs_read(idx, "serial", after, sizeof(after)));
		EXPECT_STREQ(before[card], after);
	}
	EXPECT_EQ(0, qk_kmsg_problems());
}

/* Unload and reload in a loop, with the cards bound: no leak, no warning. */
TEST(reload_loop)
{
	int i;

	ASSERT_EQ(0, qk_kmsg_mark());
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, qk_module_unload(false));
		ASSERT_EQ(0, qk_module_load());
		ASSERT_GE(qk_dev_index(0), 0);
	}
	EXPECT_EQ(0, qk_kmsg_problems());
}

TEST_HARNESS_MAIN
