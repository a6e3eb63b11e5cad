// SPDX-License-Identifier: GPL-2.0-only
/*
 * A randomized sequence of ioctl/mmap/munmap/read/write/poll/open/close calls on every
 * card, valid and invalid mixed, for a bounded number of iterations. The kernel must
 * not oops or warn, and the calls must only fail with the errnos the ABI documents.
 *
 * QKDCHIP_FUZZ_ITERATIONS (default 3000) and QKDCHIP_FUZZ_SEED (default 1) steer it;
 * the seed is printed so a failure can be replayed; QKDCHIP_FUZZ_TRACE=1 prints every
 * call before it is made.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"

#define NFD	4
#define NMAP	8

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t pick(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* Ring geometries, valid and not; the valid ones stay small (the guest has 512 MiB). */
static const struct { uint32_t size, count; } geoms[] = {
	{ 4096, 2 }, { 8192, 4 }, { 65536, 16 }, { 4096, 4096 }, { 1u << 22, 2 },
	{ 0, 2 }, { 1, 2 }, { 2048, 2 }, { 4095, 2 }, { 1u << 23, 2 }, { 4096, 0 },
	{ 4096, 1 }, { 4096, 3 }, { 4096, 8192 }, { 1u << 22, 4096 },
};

struct mapping {
	void *p;
	size_t len;
};

/* Errnos the ABI may return from these calls; anything else is a failure. */
static int allowed(int err)
{
	switch (err) {
	case EINVAL: case ENOTTY: case EFAULT: case ENXIO: case EBUSY: case EEXIST:
	case EOPNOTSUPP: case E2BIG: case EPERM: case EACCES: case EAGAIN: case EIO:
	case ENOSPC: case ENOMEM: case ENODEV:
		return 1;
	}
	return 0;
}

TEST(random_calls)
{
	const char *it_env = getenv("QKDCHIP_FUZZ_ITERATIONS"), *seed_env = getenv("QKDCHIP_FUZZ_SEED");
	int trace = getenv("QKDCHIP_FUZZ_TRACE") != NULL;
	long iterations = it_env ? atol(it_env) : 3000, i;
	int ncards = qk_emu_cards(), fds[NFD], devs[QK_MAX_CARDS], bad_errno = 0;
	struct mapping maps[NMAP] = { 0 };
	unsigned char junk[512];
	long calls = 0;

	rng_state = seed_env ? strtoull(seed_env, NULL, 0) : 1;
	printf("# fuzz: %ld iterations, seed %llu\n", iterations, (unsigned long long)rng_state);
	ASSERT_GT(ncards, 0);
	for (i = 0; i < ncards; i++) {
		devs[i] = qk_dev_index(i);
		ASSERT_GE(devs[i], 0);
	}
	for (i = 0; i < NFD; i++)
		fds[i] = -1;
	ASSERT_EQ(0, qk_kmsg_mark());

	for (i = 0; i < iterations; i++) {
		int slot = pick(NFD), fd = fds[slot], ret = 0, op = pick(14);
		uint32_t stream = pick(4) == 0 ? pick(5) : pick(2);

		if (fd < 0 && op != 0)
			op = 0;
		calls++;
		if (trace)
			fprintf(stderr, "# fuzz %ld: op %d fd %d stream %u\n", i, op, fd, stream);
		switch (op) {
		case 0:		/* open or reopen */
			if (fd >= 0)
				close(fd);
			fds[slot] = qk_open_dev(devs[pick(ncards)], O_RDWR | O_NONBLOCK);
			ASSERT_GE(fds[slot], 0) TH_LOG("open: %s", strerror(errno));
			continue;
		case 1: {
			struct qkdchip_ring_setup rs = {
				.stream = stream,
				.mod_count = pick(3) ? 0 : pick(100000), .mod_time_us = pick(2) ? 0 : 1000,
			};

			unsigned int g = pick(sizeof(geoms) / sizeof(geoms[0]));

			rs.buf_size = geoms[g].size;
			rs.buf_count = geoms[g].count;
			if (!pick(8))
				rs.reserved[pick(8)] = 1;
			ret = ioctl(fd, QKDCHIP_IOC_RING_SETUP, &rs);
			break;
		}
		case 2: {
			struct qkdchip_ring_free rf = { .stream = stream };

			ret = ioctl(fd, QKDCHIP_IOC_RING_FREE, &rf);
			break;
		}
		case 3: {
			struct qkdchip_stream_start ss = {
				.stream = stream, .source = pick(3),
				.test_rate = pick(2) ? 1000 + pick(200000) : 0, .test_seed = pick(100),
			};

			ret = ioctl(fd, QKDCHIP_IOC_STREAM_START, &ss);
			break;
		}
		case 4: {
			struct qkdchip_stream_stop sp = { .stream = stream };

			ret = ioctl(fd, QKDCHIP_IOC_STREAM_STOP, &sp);
			break;
		}
		case 5: {	/* map an area, possibly wrongly */
			int m = pick(NMAP);
			size_t len = (1 + pick(8)) * 4096;
			off_t off = (off_t)QKDCHIP_MMAP_OFFSET(stream, pick(4)) + (pick(6) ? 0 : 4096);
			void *p;

			if (maps[m].p)
				break;
			p = mmap(NULL, len, pick(2) ? PROT_READ : PROT_READ | PROT_WRITE,
				 pick(8) ? MAP_SHARED : MAP_PRIVATE, fd, off);
			if (p == MAP_FAILED) {
				ret = -1;
			} else {
				maps[m].p = p;
				maps[m].len = len;
			}
			break;
		}
		case 6: {	/* unmap */
			int m = pick(NMAP);

			if (maps[m].p)
				munmap(maps[m].p, maps[m].len);
			maps[m].p = NULL;
			break;
		}
		case 7: {	/* read every page of a mapping */
			int m = pick(NMAP);
			volatile unsigned char *p = maps[m].p;
			size_t k;

			for (k = 0; p && k < maps[m].len; k += 4096)
				(void)p[k];
			break;
		}
		case 8: {
			uint64_t buf[64];

			ret = read(fd, buf, pick(4) ? sizeof(buf) : pick(16)) < 0 ? -1 : 0;
			break;
		}
		case 9:
			memset(junk, pick(256), sizeof(junk));
			ret = write(fd, junk, pick(sizeof(junk))) < 0 ? -1 : 0;
			break;
		case 10: {
			struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

			ret = poll(&pfd, 1, 0) < 0 ? -1 : 0;
			break;
		}
		case 11: {	/* any command number, any size, random bytes */
			unsigned int dir = pick(4), nr = pick(12), size = pick(300);

			for (unsigned int k = 0; k < sizeof(junk); k++)
				junk[k] = (unsigned char)rnd();
			if (dir && !size)
				size = 1;
			if (trace)
				fprintf(stderr, "# fuzz ioctl dir %u nr %u size %u\n", dir, nr, size);
			ret = ioctl(fd, _IOC(dir, QKDCHIP_IOC_MAGIC, nr, size), junk);
			break;
		}
		case 12: {
			union {
				struct qkdchip_stats st;
				struct qkdchip_wakeup w;
			} u = { .w = { .stream = stream } };

			ret = ioctl(fd, pick(2) ? QKDCHIP_IOC_STATS : QKDCHIP_IOC_WAKEUP, &u);
			break;
		}
		case 13: {	/* a table image that is mostly garbage */
			struct qkdchip_table_load tl = { .image = (uintptr_t)junk, .size = pick(600) };

			for (unsigned int k = 0; k < sizeof(junk); k++)
				junk[k] = (unsigned char)rnd();
			ret = ioctl(fd, QKDCHIP_IOC_TABLE_LOAD, &tl);
			break;
		}
		}
		if (ret < 0 && !allowed(errno)) {
			TH_LOG("iteration %ld, op %d: unexpected errno %d (%s)", i, op, errno,
			       strerror(errno));
			bad_errno++;
		}
	}

	for (i = 0; i < NMAP; i++)
		if (maps[i].p)
			munmap(maps[i].p, maps[i].len);
	for (i = 0; i < NFD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	printf("# fuzz: %ld calls\n", calls);
	EXPECT_EQ(0, bad_errno);
	EXPECT_EQ(0, qk_kmsg_problems());
}

TEST_HARNESS_MAIN
