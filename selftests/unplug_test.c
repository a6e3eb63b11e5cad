// SPDX-License-Identifier: GPL-2.0-only
/*
 * Surprise removal with rings mapped and a reader asleep: the card disappears (the
 * emulator drops it) and the guest removes the PCI function. The blocked reader gets
 * ENODEV, poll() reports POLLHUP, ioctls fail with ENODEV, the mapped ring stays
 * readable without SIGBUS, and closing everything is clean. Run it near the end: the
 * removed card does not come back in this boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"

struct reader {
	int fd;
	ssize_t ret;
	int err;
};

static void *blocked_read(void *arg)
{
	struct reader *r = arg;
	uint64_t buf[64];

	for (;;) {
		r->ret = read(r->fd, buf, sizeof(buf));
		if (r->ret <= 0)
			break;
	}
	r->err = errno;
	return NULL;
}

TEST(surprise_removal_with_rings_mapped)
{
	int card = qk_emu_find(QKDCHIP_ROLE_CLIENT), idx, fd, i;
	struct reader rd;
	struct qk_ring ring;
	struct pollfd pfd;
	struct qkdchip_info info;
	char path[256], link[256], pci[64];
	volatile uint64_t sum = 0;
	const uint64_t *data;
	pthread_t t;
	ssize_t n;

	ASSERT_GE(card, 0);
	idx = qk_dev_index(card);
	ASSERT_GE(idx, 0);
	snprintf(path, sizeof(path), "/sys/class/qkdchip/qkdchip%d/device", idx);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	snprintf(pci, sizeof(pci), "%s", strrchr(link, '/') + 1);

	fd = qk_open_dev(idx, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, qk_ring_open(fd, QKDCHIP_STREAM_C2H, 16384, 4, &ring));
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST, 100, 1, NULL));
	ASSERT_EQ(0, qk_kmsg_mark());

	rd.fd = fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_read, &rd));
	usleep(100000);			/* let it drain and fall asleep */

	ASSERT_EQ(0, qk_ctl(NULL, 0, "remove %d", card));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", pci);
	ASSERT_EQ(0, qk_write_file(path, "1"));

	pthread_join(t, NULL);
	EXPECT_EQ(-1, rd.ret);
	EXPECT_EQ(ENODEV, rd.err);

	pfd.fd = fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	EXPECT_EQ(-1, ioctl(fd, QKDCHIP_IOC_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-ENODEV, qk_stream_stop(fd, QKDCHIP_STREAM_C2H));
	EXPECT_EQ(QKDCHIP_RING_GONE, ring.status->state);

	/* every page of the mapping is still there */
	data = ring.data;
	for (i = 0; i < (int)(ring.setup.ring_size / 8); i += 512)
		sum += data[i];
	EXPECT_EQ(qk_test_record(1, 0), data[0]);
	(void)sum;

	qk_ring_unmap(&ring);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, qk_kmsg_problems());
}

TEST_HARNESS_MAIN
