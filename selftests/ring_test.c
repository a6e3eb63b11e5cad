// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data-path ioctls and mmap() refuse bad input with the documented errno and
 * change nothing when they do: ring geometry, reserved fields, wrong state, a second
 * owner, unprivileged table uploads, malformed tables, and every kind of bad mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

FIXTURE(ring) {
	int card, fd, fd2;
	struct qkdchip_info info;
};

FIXTURE_SETUP(ring)
{
	self->card = qk_emu_find(QKDCHIP_ROLE_CLIENT);
	ASSERT_GE(self->card, 0);
	self->fd = qk_open_dev(qk_dev_index(self->card), O_RDWR);
	self->fd2 = qk_open_dev(qk_dev_index(self->card), O_RDWR);
	ASSERT_GE(self->fd, 0);
	ASSERT_GE(self->fd2, 0);
	ASSERT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_INFO, &self->info));
}

FIXTURE_TEARDOWN(ring)
{
	close(self->fd);
	close(self->fd2);
}

static int setup(int fd, uint32_t stream, uint32_t size, uint32_t count)
{
	struct qkdchip_ring_setup rs = { .stream = stream, .buf_size = size, .buf_count = count };

	return ioctl(fd, QKDCHIP_IOC_RING_SETUP, &rs) ? errno : 0;
}

static int ring_free(int fd, uint32_t stream)
{
	struct qkdchip_ring_free rf = { .stream = stream };

	return ioctl(fd, QKDCHIP_IOC_RING_FREE, &rf) ? errno : 0;
}

TEST_F(ring, setup_geometry_checked)
{
	struct qkdchip_ring_setup rs = { .stream = 0, .buf_size = 4096, .buf_count = 2 };

	EXPECT_EQ(EINVAL, setup(self->fd, 2, 4096, 2));		/* no such stream */
	EXPECT_EQ(EINVAL, setup(self->fd, 0, 4095, 2));		/* not a power of two */
	EXPECT_EQ(EINVAL, setup(self->fd, 0, 2048, 2));		/* below the card's min */
	EXPECT_EQ(EINVAL, setup(self->fd, 0, self->info.ring_max_buf * 2, 2));
	EXPECT_EQ(EINVAL, setup(self->fd, 0, 4096, 1));		/* one buffer */
	EXPECT_EQ(EINVAL, setup(self->fd, 0, 4096, 3));
	EXPECT_EQ(EINVAL, setup(self->fd, 0, 4096, self->info.ring_max_desc * 2));
	EXPECT_EQ(E2BIG, setup(self->fd, 0, self->info.ring_max_buf, self->info.ring_max_desc));
	rs.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_RING_SETUP, &rs));
	EXPECT_EQ(EINVAL, errno);
	rs.flags = 0;
	rs.reserved[7] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_RING_SETUP, &rs));
	EXPECT_EQ(EINVAL, errno);
	/* none of that left a ring behind */
	EXPECT_EQ(ENXIO, ring_free(self->fd, 0));
}

TEST_F(ring, setup_struct_size_rules)
{
	unsigned char big[sizeof(struct qkdchip_ring_setup) + 16] = { 0 };
	struct qkdchip_ring_setup *rs = (void *)big;

	rs->stream = 0;
	rs->buf_size = 4096;
	rs->buf_count = 2;
	big[sizeof(*rs) + 3] = 1;	/* a field this driver does not know, set */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(QKDCHIP_IOC_MAGIC, 0x02, char[sizeof(big)]), big));
	EXPECT_EQ(E2BIG, errno);
	big[sizeof(*rs) + 3] = 0;	/* ... and zero: accepted */
	EXPECT_EQ(0, ioctl(self->fd, _IOWR(QKDCHIP_IOC_MAGIC, 0x02, char[sizeof(big)]), big));
	EXPECT_EQ(4096 * 2, rs->ring_size);
	EXPECT_EQ(0, ring_free(self->fd, 0));
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_RING_SETUP, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ring, one_owner_per_direction)
{
	ASSERT_EQ(0, setup(self->fd, QKDCHIP_STREAM_C2H, 4096, 2));
	EXPECT_EQ(EEXIST, setup(self->fd, QKDCHIP_STREAM_C2H, 4096, 2));
	EXPECT_EQ(EBUSY, setup(self->fd2, QKDCHIP_STREAM_C2H, 4096, 2));
	EXPECT_EQ(0, setup(self->fd2, QKDCHIP_STREAM_PAT, 4096, 2));	/* other direction */
	EXPECT_EQ(-EBUSY, qk_stream_start(self->fd2, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST,
					  1000, 0, NULL));
	EXPECT_EQ(-EBUSY, qk_stream_stop(self->fd2, QKDCHIP_STREAM_C2H));
	EXPECT_EQ(ENXIO, ring_free(self->fd2, QKDCHIP_STREAM_C2H));
	EXPECT_EQ(0, ring_free(self->fd, QKDCHIP_STREAM_C2H));
	/* now free for the other file */
	EXPECT_EQ(0, setup(self->fd2, QKDCHIP_STREAM_C2H, 4096, 2));
}

TEST_F(ring, start_stop_state_checked)
{
	struct qkdchip_stream_start ss = { .stream = 0, .source = QKDCHIP_SOURCE_TEST };
	struct qkdchip_wakeup w = { .stream = 0 };

	EXPECT_EQ(-ENXIO, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 1000, 0, NULL));
	EXPECT_EQ(-ENXIO, qk_stream_stop(self->fd, 0));
	ASSERT_EQ(0, setup(self->fd, 0, 4096, 2));
	EXPECT_EQ(-EINVAL, qk_stream_start(self->fd, 0, 7, 0, 0, NULL));	/* no source 7 */
	EXPECT_EQ(-EINVAL, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_CARD, 1000, 0, NULL));
	ss.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_STREAM_START, &ss));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, QKDCHIP_IOC_WAKEUP, &w));		/* not running */
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 1000, 0, NULL));
	EXPECT_EQ(-EBUSY, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 1000, 0, NULL));
	EXPECT_EQ(EBUSY, ring_free(self->fd, 0));			/* running */
	EXPECT_EQ(0, ioctl(self->fd, QKDCHIP_IOC_WAKEUP, &w));
	EXPECT_EQ(0, qk_stream_stop(self->fd, 0));
	EXPECT_EQ(0, qk_stream_stop(self->fd, 0));			/* twice is fine */
	EXPECT_EQ(0, ring_free(self->fd, 0));
}

/* An allocation failure (injected through debugfs) is ENOMEM and leaves no ring. */
TEST_F(ring, setup_allocation_failure)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/qkdchip/qkdchip%d/fail_ring_alloc",
		 qk_dev_index(self->card));
	ASSERT_EQ(0, qk_write_file(path, "1"));
	EXPECT_EQ(ENOMEM, setup(self->fd, 0, 65536, 4));
	EXPECT_EQ(ENXIO, ring_free(self->fd, 0));
	EXPECT_EQ(0, setup(self->fd, 0, 65536, 4));
	EXPECT_EQ(0, ring_free(self->fd, 0));
}

TEST(server_has_no_pattern_engine)
{
	int card = qk_emu_find(QKDCHIP_ROLE_SERVER), fd;

	ASSERT_GE(card, 0);
	fd = qk_open_dev(qk_dev_index(card), O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(EOPNOTSUPP, setup(fd, QKDCHIP_STREAM_PAT, 4096, 2));
	EXPECT_EQ(-EOPNOTSUPP, qk_stream_start(fd, QKDCHIP_STREAM_PAT, QKDCHIP_SOURCE_SEEDED, 0,
					       0, NULL));
	close(fd);
}

TEST_F(ring, mmap_misuse_refused)
{
	struct qk_ring r;
	void *p;

	/* before any ring */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd,
		 QKDCHIP_MMAP_OFFSET(0, QKDCHIP_AREA_STATUS));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 4096, 2, &r));
	/* the other file does not own the ring */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd2, r.setup.status_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
	/* writable maps of read-only areas */
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, r.setup.data_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, self->fd, r.setup.status_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	/* a read-only map cannot be made writable */
	EXPECT_EQ(-1, mprotect(r.data, 8192, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* too large, unaligned, unknown area, unknown stream, private */
	p = mmap(NULL, 16384, PROT_READ, MAP_SHARED, self->fd, r.setup.data_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd, 8192 * 2);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, QKDCHIP_MMAP_OFFSET(0, 9));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, QKDCHIP_MMAP_OFFSET(5, 1));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->fd, r.setup.status_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* a second mapping of the status page is fine; freeing while mapped is not */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, r.setup.status_offset);
	EXPECT_NE(MAP_FAILED, p);
	EXPECT_EQ(EBUSY, ring_free(self->fd, 0));
	munmap(p, 4096);
	qk_ring_unmap(&r);
	EXPECT_EQ(0, ring_free(self->fd, 0));
	/* after the ring is gone */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, r.setup.status_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENXIO, errno);
}

/* A mapping made after a stop sees the data; unmapping during a stream is harmless. */
TEST_F(ring, map_after_stop_and_unmap_during_stream)
{
	struct qk_ring r;
	uint64_t *data;

	ASSERT_EQ(0, qk_ring_open(self->fd, QKDCHIP_STREAM_C2H, 4096, 4, &r));
	ASSERT_EQ(0, qk_stream_start(self->fd, 0, QKDCHIP_SOURCE_TEST, 100000, 3, NULL));
	qk_ring_unmap(&r);		/* the card keeps writing; nobody watches */
	usleep(20000);
	ASSERT_EQ(0, qk_stream_stop(self->fd, 0));
	data = mmap(NULL, 16384, PROT_READ, MAP_SHARED, self->fd,
		    QKDCHIP_MMAP_OFFSET(0, QKDCHIP_AREA_DATA));
	ASSERT_NE(MAP_FAILED, data);
	EXPECT_EQ(qk_test_record(3, 0), data[0]);
	munmap(data, 16384);
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bit by bit. */
static uint32_t crc32_ieee(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = ~0u;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

/* A table image built here: every symbol's samples are (symbol * 7 + channel) mod 8000. */
static size_t make_table(const struct qkdchip_info *info, unsigned int symbols, void **out)
{
	size_t n = (size_t)symbols * info->dac_channels * info->samples_per_slot, i;
	struct qkdchip_table_hdr *h;
	int16_t *s;

	h = calloc(1, sizeof(*h) + n * 2);
	s = (int16_t *)(h + 1);
	for (i = 0; i < n; i++)
		s[i] = (int16_t)((i * 7) % 8000 - 4000);
	h->magic = QKDCHIP_TABLE_MAGIC;
	h->version = QKDCHIP_TABLE_VERSION;
	h->hdr_size = sizeof(*h);
	h->symbols = symbols;
	h->channels = info->dac_channels;
	h->samples = info->samples_per_slot;
	h->data_size = n * 2;
	h->crc32 = crc32_ieee(s, n * 2);
	*out = h;
	return sizeof(*h) + n * 2;
}

static int table_load(int fd, void *img, size_t size, uint32_t flags,
		      struct qkdchip_table_load *out)
{
	struct qkdchip_table_load tl = { .image = (uintptr_t)img, .size = size, .flags = flags };
	int ret = ioctl(fd, QKDCHIP_IOC_TABLE_LOAD, &tl) ? errno : 0;

	if (out)
		*out = tl;
	return ret;
}

TEST_F(ring, table_load_checked)
{
	struct qkdchip_table_load tl;
	struct qkdchip_table_hdr *h;
	uint32_t crc_before, crc_after;
	size_t size;
	void *img;

	size = make_table(&self->info, 16, &img);
	h = img;
	ASSERT_EQ(0, qk_ctl_reg(self->card, QKDCHIP_REG_TABLE_ACTIVE_CRC, &crc_before));

	h->magic ^= 1;
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size, 0, NULL));
	h->magic ^= 1;
	h->crc32 ^= 1;
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size, 0, NULL));
	h->crc32 ^= 1;
	h->channels++;
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size, 0, NULL));
	h->channels--;
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size - 2, 0, NULL));	/* truncated */
	EXPECT_EQ(EINVAL, table_load(self->fd, img, 8, 0, NULL));
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size, 0x80, NULL));	/* unknown flag */
	EXPECT_EQ(EFAULT, table_load(self->fd, (void *)16, size, 0, NULL));
	((int16_t *)(h + 1))[5] = 8192;	/* outside a 14-bit DAC */
	h->crc32 = crc32_ieee(h + 1, h->data_size);
	EXPECT_EQ(EINVAL, table_load(self->fd, img, size, 0, NULL));
	ASSERT_EQ(0, qk_ctl_reg(self->card, QKDCHIP_REG_TABLE_ACTIVE_CRC, &crc_after));
	EXPECT_EQ(crc_before, crc_after);	/* nothing reached the card */
	free(img);

	size = make_table(&self->info, 256, &img);
	ASSERT_EQ(0, table_load(self->fd, img, size, QKDCHIP_TABLE_F_SWITCH, &tl));
	EXPECT_EQ(((struct qkdchip_table_hdr *)img)->crc32, tl.crc32);
	ASSERT_EQ(0, qk_ctl_reg(self->card, QKDCHIP_REG_TABLE_ACTIVE_CRC, &crc_after));
	EXPECT_EQ(tl.crc32, crc_after);
	EXPECT_NE(0, tl.frame);
	free(img);
}

/* Without CAP_NET_ADMIN a table upload is refused; the rest of the ABI works. */
TEST_F(ring, table_load_needs_cap_net_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2] = { 0 };
		struct qkdchip_stats st;
		void *img;
		size_t size = make_table(&self->info, 4, &img);

		if (syscall(SYS_capset, &hdr, data))	/* drop every capability */
			_exit(10);
		if (table_load(self->fd, img, size, 0, NULL) != EPERM)
			_exit(11);
		if (ioctl(self->fd, QKDCHIP_IOC_STATS, &st))
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

struct loader {
	int fd;
	void *img;
	size_t size;
	int ret;
};

static void *load_and_switch(void *arg)
{
	struct loader *l = arg;

	l->ret = table_load(l->fd, l->img, l->size, QKDCHIP_TABLE_F_SWITCH, NULL);
	return NULL;
}

/* A second upload while one waits for its switch gets EBUSY, and the first one wins. */
TEST_F(ring, table_load_while_switching_busy)
{
	struct loader l = { .fd = self->fd };
	pthread_t t;
	uint32_t st;
	void *img2;
	size_t size2;
	int busy = 0, i;

	/* long frames: 2^28 slots, 215 ms, so the switch is surely pending a while */
	ASSERT_EQ(0, qk_ctl(NULL, 0, "reg %d 0x%x 28", self->card, QKDCHIP_REG_FRAME_LOG2));
	l.size = make_table(&self->info, 8, &l.img);
	size2 = make_table(&self->info, 9, &img2);
	ASSERT_EQ(0, pthread_create(&t, NULL, load_and_switch, &l));
	for (i = 0; i < 2000 && !busy; i++) {
		ASSERT_EQ(0, qk_ctl_reg(self->card, QKDCHIP_REG_TABLE_STATUS, &st));
		if (st & (QKDCHIP_TABLE_ST_PENDING | QKDCHIP_TABLE_ST_BUSY))
			busy = table_load(self->fd2, img2, size2, 0, NULL) == EBUSY;
		else
			usleep(100);
	}
	pthread_join(t, NULL);
	ASSERT_EQ(0, qk_ctl(NULL, 0, "reg %d 0x%x 20", self->card, QKDCHIP_REG_FRAME_LOG2));
	EXPECT_EQ(1, busy);
	EXPECT_EQ(0, l.ret);
	ASSERT_EQ(0, qk_ctl_reg(self->card, QKDCHIP_REG_TABLE_ACTIVE_SYMS, &st));
	EXPECT_EQ(8, st);
	free(l.img);
	free(img2);
}

TEST(table_load_on_server_refused)
{
	int card = qk_emu_find(QKDCHIP_ROLE_SERVER), fd;
	char img[64] = { 0 };

	ASSERT_GE(card, 0);
	fd = qk_open_dev(qk_dev_index(card), O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(EOPNOTSUPP, table_load(fd, img, sizeof(img), 0, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
