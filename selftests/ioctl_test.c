// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl interface refuses what it does not know with the right errno, and honours
 * the size-versioning rules of uapi/linux/qkdchip.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	int idx = qk_dev_index(0);

	ASSERT_GE(idx, 0);
	self->fd = qk_open_dev(idx, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, info_works)
{
	struct qkdchip_info info;

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_INFO, &info));
	EXPECT_EQ(QKDCHIP_ABI_VERSION, info.abi_version);
	EXPECT_TRUE(info.role == QKDCHIP_ROLE_CLIENT || info.role == QKDCHIP_ROLE_SERVER);
}

TEST_F(dev, unknown_magic_is_enotty)
{
	char buf[8];

	EXPECT_EQ(-1, ioctl(self->fd, _IOR('X', 0x00, struct qkdchip_info), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(QKDCHIP_IOC_MAGIC - 1, 0x00)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, unknown_number_is_enotty)
{
	struct qkdchip_info info;
	unsigned int nr;

	for (nr = 0x40; nr <= 0xff; nr += 0x3f) {
		EXPECT_EQ(-1, ioctl(self->fd, _IOR(QKDCHIP_IOC_MAGIC, nr, struct qkdchip_info), &info));
		EXPECT_EQ(ENOTTY, errno);
	}
}

TEST_F(dev, wrong_direction_is_enotty)
{
	struct qkdchip_info info = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOW(QKDCHIP_IOC_MAGIC, 0x00, struct qkdchip_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(QKDCHIP_IOC_MAGIC, 0x00, struct qkdchip_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(QKDCHIP_IOC_MAGIC, 0x00)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, bad_pointer_is_efault)
{
	void *unmapped;

	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_INFO, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	/* a page that was mapped and is no longer */
	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, 4096));
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_INFO, unmapped));
	EXPECT_EQ(EFAULT, errno);
	/* read-only memory cannot take the output */
	unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_INFO, unmapped));
	EXPECT_EQ(EFAULT, errno);
	munmap(unmapped, 4096);
}

/* An older program with a shorter struct gets the prefix it knows, nothing more. */
TEST_F(dev, shorter_struct_gets_prefix)
{
	struct qkdchip_info full;
	unsigned char buf[sizeof(full) + 16];

	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_INFO, &full));
	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(0, ioctl(self->fd, _IOR(QKDCHIP_IOC_MAGIC, 0x00, char[24]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, 24));
	EXPECT_EQ(0xee, buf[24]);
}

/* A newer program with a longer struct gets ours; its extra bytes are not touched. */
TEST_F(dev, longer_struct_extra_untouched)
{
	struct qkdchip_info full;
	unsigned char buf[sizeof(full) + 32];
	unsigned int i;

	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_INFO, &full));
	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(0, ioctl(self->fd, _IOR(QKDCHIP_IOC_MAGIC, 0x00, char[sizeof(full) + 32]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, sizeof(full)));
	for (i = sizeof(full); i < sizeof(buf); i++)
		EXPECT_EQ(0xee, buf[i]);
}

TEST_F(dev, zero_size_is_einval)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IOC(_IOC_READ, QKDCHIP_IOC_MAGIC, 0x00, 0), NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, not_seekable)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_HARNESS_MAIN
