// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data-path benchmark (make bench; not a test): records per second delivered to one
 * consumer thread in the guest, through the mmapped ring and through read(), with
 * the card producing as fast as the ring lets it (test-pattern rate 0, which never
 * drops). Prints "name: value unit" lines. Zero loss is required: a run that lost
 * anything prints an error and exits non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "qkdchip_util.h"

#define BUF_SIZE	(1u << 20)
#define BUF_COUNT	16

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Consume for @secs seconds; returns records, and the checksum of their slots. */
static int run(int fd, int use_read, double secs, uint64_t *records, double *wall,
	       double *cpu, uint64_t *lost)
{
	static uint64_t buf[BUF_SIZE / 8];
	struct qk_ring r;
	uint64_t n = 0, sum = 0, expect = 0;
	double t0, c0;
	int err;

	err = qk_ring_open(fd, QKDCHIP_STREAM_C2H, BUF_SIZE, BUF_COUNT, &r);
	if (err)
		return err;
	err = qk_stream_start(fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST, 0, 7, NULL);
	if (err)
		goto out;
	t0 = now_s();
	c0 = cpu_s();
	while (now_s() - t0 < secs) {
		long got;

		if (use_read) {
			ssize_t b = read(fd, buf, sizeof(buf));

			got = b < 0 ? -errno : b / 8;
			for (long i = 0; i < got; i++)
				sum += buf[i] & 0xffffffffffULL;
		} else {
			const uint64_t *ring = r.data;
			uint64_t recs = r.setup.ring_size / 8;
			uint64_t tail = r.index->host_index;
			uint64_t head = __atomic_load_n(&r.status->card_index, __ATOMIC_ACQUIRE);

			if (head == tail) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				poll(&pfd, 1, 100);
				continue;
			}
			got = (long)(head - tail);
			for (uint64_t i = tail; i < head; i++)
				sum += ring[i & (recs - 1)] & 0xffffffffffULL;
			__atomic_store_n(&r.index->host_index, head, __ATOMIC_RELEASE);
		}
		if (got < 0) {
			err = (int)got;
			goto out;
		}
		n += (uint64_t)got;
	}
	*wall = now_s() - t0;
	*cpu = cpu_s() - c0;
	err = qk_stream_stop(fd, QKDCHIP_STREAM_C2H);
	*lost = r.status->card_lost;
	*records = n;
	/* the test records carry their index: the sum of slots must be 0 + 1 + ... + n-1 */
	expect = n ? (n - 1) * n / 2 : 0;
	if (sum != expect) {
		fprintf(stderr, "bench: records out of order or missing (sum %llu, want %llu)\n",
			(unsigned long long)sum, (unsigned long long)expect);
		err = -EIO;
	}
out:
	qk_ring_unmap(&r);
	{
		struct qkdchip_ring_free rf = { .stream = QKDCHIP_STREAM_C2H };

		ioctl(fd, QKDCHIP_IOC_RING_FREE, &rf);
	}
	return err;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5.0, wall[2], cpu[2];
	uint64_t recs[2], lost[2];
	int card = qk_emu_find(QKDCHIP_ROLE_SERVER), fd, mode, err;
	static const char *const name[2] = { "mmap", "read" };

	if (card < 0 || (fd = qk_open_dev(qk_dev_index(card), O_RDWR)) < 0) {
		fprintf(stderr, "bench: no server card\n");
		return 1;
	}
	for (mode = 0; mode < 2; mode++) {
		err = run(fd, mode, secs, &recs[mode], &wall[mode], &cpu[mode], &lost[mode]);
		if (err) {
			fprintf(stderr, "bench: %s run failed: %s\n", name[mode], strerror(-err));
			return 1;
		}
		if (lost[mode]) {
			fprintf(stderr, "bench: %s run lost %llu records\n", name[mode],
				(unsigned long long)lost[mode]);
			return 1;
		}
		printf("c2h_%s_records_per_s: %.0f records/s\n", name[mode], recs[mode] / wall[mode]);
		printf("c2h_%s_cpu_per_record: %.1f ns\n", name[mode],
		       recs[mode] ? cpu[mode] * 1e9 / recs[mode] : 0.0);
		printf("c2h_%s_lost: %llu records\n", name[mode], (unsigned long long)lost[mode]);
	}
	printf("c2h_mmap_over_read: %.2f x\n", (recs[0] / wall[0]) / (recs[1] / wall[1]));
	close(fd);
	return 0;
}
