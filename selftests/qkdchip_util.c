// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the qkdchip kselftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "qkdchip_util.h"
#include "qkdchip_hw.h"

#define CTL_PORT_NAME	"qkdemu.control"

static int ctl_fd = -1;
static unsigned int ctl_seq;

/* Find the virtio port named CTL_PORT_NAME: udev's symlink, else sysfs. */
static int ctl_open(void)
{
	char path[600], name[64];
	struct dirent *de;
	DIR *d;
	int fd;

	if (ctl_fd >= 0)
		return ctl_fd;
	fd = open("/dev/virtio-ports/" CTL_PORT_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		d = opendir("/sys/class/virtio-ports");
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(name, sizeof(name), f) &&
			    !strncmp(name, CTL_PORT_NAME, strlen(CTL_PORT_NAME))) {
				snprintf(path, sizeof(path), "/dev/%s", de->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC);
			}
			fclose(f);
			if (fd >= 0)
				break;
		}
		closedir(d);
		if (fd < 0)
			return -ENOENT;
	}
	ctl_fd = fd;
	return fd;
}

int qk_ctl(char *reply, size_t len, const char *fmt, ...)
{
	char cmd[512], line[1024], tag[32];
	size_t have = 0, taglen;
	struct timespec start, now;
	va_list ap;
	int fd, n;

	fd = ctl_open();
	if (fd < 0)
		return fd;
	snprintf(tag, sizeof(tag), "#t%d-%u", (int)getpid(), ++ctl_seq);
	taglen = strlen(tag);
	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -EINVAL;
	snprintf(line, sizeof(line), "%s %s\n", tag, cmd);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		return -EIO;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *nl;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= 10000)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(10000 - ms)) <= 0)
			continue;
		n = read(fd, line + have, sizeof(line) - 1 - have);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		have += (size_t)n;
		line[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (!strncmp(line, tag, taglen) && line[taglen] == ' ') {
				const char *r = line + taglen + 1;
				int ret = strncmp(r, "ok", 2) ? 1 : 0;

				if (reply)
					snprintf(reply, len, "%s", r);
				return ret;
			}
			/* somebody else's reply: skip it */
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
		if (have == sizeof(line) - 1)
			have = 0;	/* a line longer than any reply: drop it */
	}
}

int qk_ctl_reg(unsigned int card, uint32_t off, uint32_t *val)
{
	char rep[128];
	int ret;

	ret = qk_ctl(rep, sizeof(rep), "reg %u 0x%x", card, off);
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (sscanf(rep, "ok 0x%" SCNx32, val) != 1)
		return -EIO;
	return 0;
}

int qk_emu_cards(void)
{
	char rep[64];
	unsigned int n;
	int ret;

	ret = qk_ctl(rep, sizeof(rep), "cards");
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (sscanf(rep, "ok %u", &n) != 1)
		return -EIO;
	return (int)n;
}

int qk_emu_role(unsigned int card)
{
	char rep[160];
	int ret;

	ret = qk_ctl(rep, sizeof(rep), "info %u", card);
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (strstr(rep, " role=client "))
		return QKDCHIP_ROLE_CLIENT;
	if (strstr(rep, " role=server "))
		return QKDCHIP_ROLE_SERVER;
	return -EIO;
}

int qk_sysfs_read(int index, const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/qkdchip/qkdchip%d/%s", index, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int qk_sysfs_u64(int index, const char *attr, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = qk_sysfs_read(index, attr, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

int qk_dev_index(unsigned int card)
{
	uint32_t lo, hi;
	uint64_t serial, s;
	char buf[64];
	int i, ret;

	ret = qk_ctl_reg(card, QKDCHIP_REG_SERIAL_LO, &lo);
	if (!ret)
		ret = qk_ctl_reg(card, QKDCHIP_REG_SERIAL_HI, &hi);
	if (ret)
		return ret;
	serial = (uint64_t)hi << 32 | lo;
	for (i = 0; i < 64; i++) {
		if (qk_sysfs_read(i, "serial", buf, sizeof(buf)))
			continue;
		s = strtoull(buf, NULL, 16);
		if (s == serial)
			return i;
	}
	return -ENOENT;
}

int qk_open_dev(int index, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/qkdchip%d", index);
	return open(path, flags | O_CLOEXEC);
}

int qk_debugfs_reg(int index, uint32_t reg, uint32_t *val)
{
	char path[128], line[128], name[32];
	unsigned int r, v;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/qkdchip/qkdchip%d/regs", index);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %31s %x", &r, name, &v) == 3 && r == reg) {
			*val = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int qk_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(s))
		err = -EIO;
	close(fd);
	return err;
}

static unsigned long long kmsg_mark_seq;

/* The sequence number of a /dev/kmsg record "PRI,SEQ,TS,FLAGS;TEXT". */
static unsigned long long kmsg_seq(const char *rec)
{
	const char *p = strchr(rec, ',');

	return p ? strtoull(p + 1, NULL, 10) : 0;
}

int qk_kmsg_mark(void)
{
	char rec[2048];
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	kmsg_mark_seq = 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			break;
		rec[n] = '\0';
		kmsg_mark_seq = kmsg_seq(rec) + 1;
	}
	close(fd);
	return 0;
}

int qk_kmsg_problems(void)
{
	static const char *const bad[] = {
		"Oops", "BUG:", "WARNING:", "Call Trace", "general protection",
		"KASAN", "UBSAN", "kernel BUG", "possible circular locking", "blocked for more than",
	};
	char rec[2048];
	int fd, problems = 0;
	unsigned int i;
	ssize_t n;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (kmsg_seq(rec) < kmsg_mark_seq)
			continue;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				fprintf(stderr, "# kernel log: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
				problems++;
				break;
			}
		}
	}
	close(fd);
	return problems;
}

const char *qk_module_path(void)
{
	static char path[512];
	const char *env = getenv("QKDCHIP_MODULE");
	struct utsname u;

	if (env)
		return env;
	uname(&u);
	snprintf(path, sizeof(path), "build/kmod/%s/driver/qkdchip.ko", u.release);
	return path;
}

int qk_module_load(void)
{
	int fd, ret;

	fd = open(qk_module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int qk_module_unload(bool nonblock)
{
	return syscall(SYS_delete_module, "qkdchip", nonblock ? O_NONBLOCK : 0) ? -errno : 0;
}

bool qk_module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/qkdchip", &st);
}

bool qk_wait(bool (*cond_fn)(void *arg), void *arg, int timeout_ms)
{
	struct timespec start, now, nap = { 0, 1000000 };	/* poll every 1 ms */

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (cond_fn(arg))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    timeout_ms)
			return cond_fn(arg);
		nanosleep(&nap, NULL);
	}
}

int qk_emu_find(int role)
{
	int n = qk_emu_cards(), i;

	for (i = 0; i < n; i++)
		if (qk_emu_role(i) == role)
			return i;
	return -ENOENT;
}

int qk_emu_status_u64(unsigned int card, const char *key, uint64_t *val)
{
	char rep[2048], pat[64], *p;
	int ret;

	ret = qk_ctl(rep, sizeof(rep), "status %u", card);
	if (ret)
		return ret < 0 ? ret : -EIO;
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(rep, pat);
	if (!p)
		return -ENOENT;
	*val = strtoull(p + strlen(pat), NULL, 0);
	return 0;
}

int qk_ring_open(int fd, unsigned int stream, uint32_t buf_size, uint32_t buf_count,
		 struct qk_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->setup.stream = stream;
	r->setup.buf_size = buf_size;
	r->setup.buf_count = buf_count;
	if (ioctl(fd, QKDCHIP_IOC_RING_SETUP, &r->setup))
		return -errno;
	r->data = mmap(NULL, r->setup.ring_size,
		       PROT_READ | (stream == QKDCHIP_STREAM_PAT ? PROT_WRITE : 0), MAP_SHARED,
		       fd, (off_t)r->setup.data_offset);
	r->status = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)r->setup.status_offset);
	r->index = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			(off_t)r->setup.index_offset);
	if (r->data == MAP_FAILED || r->status == MAP_FAILED || r->index == MAP_FAILED) {
		int err = -errno;

		qk_ring_unmap(r);
		return err;
	}
	return 0;
}

void qk_ring_unmap(struct qk_ring *r)
{
	if (r->data && r->data != MAP_FAILED)
		munmap(r->data, r->setup.ring_size);
	if (r->status && r->status != MAP_FAILED)
		munmap((void *)r->status, 4096);
	if (r->index && r->index != MAP_FAILED)
		munmap((void *)r->index, 4096);
	r->data = NULL;
	r->status = NULL;
	r->index = NULL;
}

int qk_stream_start(int fd, unsigned int stream, unsigned int source, uint32_t rate,
		    uint32_t seed, uint64_t *start_slot)
{
	struct qkdchip_stream_start ss = {
		.stream = stream, .source = source, .test_rate = rate, .test_seed = seed,
	};

	if (ioctl(fd, QKDCHIP_IOC_STREAM_START, &ss))
		return -errno;
	if (start_slot)
		*start_slot = ss.start_slot;
	return 0;
}

int qk_stream_stop(int fd, unsigned int stream)
{
	struct qkdchip_stream_stop sp = { .stream = stream };

	return ioctl(fd, QKDCHIP_IOC_STREAM_STOP, &sp) ? -errno : 0;
}

static uint64_t qk_mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ULL;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z;
}

uint64_t qk_test_record(uint32_t seed, uint64_t n)
{
	uint64_t h = qk_mix64((uint64_t)seed + (n + 1) * 0x9e3779b97f4a7c15ULL);

	return 1ULL << 60 | (h >> 62) << 56 | ((h >> 61) & 1) << 55 | (h & 0xfff) << 40 |
	       (n & ((1ULL << 40) - 1));
}

long qk_ring_consume(int fd, struct qk_ring *r, uint64_t *out, size_t max, int timeout_ms)
{
	uint64_t recs = r->setup.ring_size / 8, head, tail, n, i;
	const uint64_t *ring = r->data;

	tail = r->index->host_index;
	head = __atomic_load_n(&r->status->card_index, __ATOMIC_ACQUIRE);
	if (head == tail) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, timeout_ms) < 0)
			return -errno;
		head = __atomic_load_n(&r->status->card_index, __ATOMIC_ACQUIRE);
	}
	if (head - tail > recs)
		return -EIO;
	n = head - tail;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		if (out)
			out[i] = ring[(tail + i) & (recs - 1)];
	__atomic_store_n(&r->index->host_index, tail + n, __ATOMIC_RELEASE);
	return (long)n;
}

int qk_pattern_feed(struct qk_pattern_check *pc, uint64_t rec)
{
	unsigned int type = QKDCHIP_REC_TYPE(rec);

	if (pc->in_lost) {
		unsigned int want = (unsigned int)pc->in_lost;

		pc->in_lost = want == 2 ? 0 : want + 1;
		if (type != QKDCHIP_REC_LOST || QKDCHIP_LOSS_KIND(rec) != want)
			goto bad;
		if (want == QKDCHIP_LOSS_FIRST_KIND) {
			pc->lost_first = QKDCHIP_LOSS_SLOT(rec);
			if (pc->lost_first != pc->next)
				goto bad;
		} else {
			uint64_t last = QKDCHIP_LOSS_SLOT(rec);

			if (last - pc->lost_first + 1 != pc->lost_count)
				goto bad;
			pc->next = last + 1;
		}
		return 0;
	}
	if (type == QKDCHIP_REC_LOST) {
		if (QKDCHIP_LOSS_KIND(rec) != QKDCHIP_LOSS_COUNT_KIND)
			goto bad;
		pc->lost_count = QKDCHIP_LOSS_COUNT(rec);
		pc->lost += pc->lost_count;
		pc->losses++;
		pc->in_lost = 1;
		return 0;
	}
	if (type == QKDCHIP_REC_INVALID || type > QKDCHIP_REC_MAX) {
		pc->unknown++;
		pc->next++;	/* a corrupted record takes its place in the stream */
		return -1;
	}
	if (rec != qk_test_record(pc->seed, pc->next))
		goto bad;
	pc->next++;
	pc->records++;
	return 0;
bad:
	pc->bad++;
	return -1;
}
