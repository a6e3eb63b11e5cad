// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: stream rings - setup, mapping, the C2H consumer and the PAT producer.
 *
 * Memory ordering (uapi/linux/qkdchip.h, Documentation/hw/streams.rst): the card
 * writes records, then the write-back block with its index; we load card_index with
 * acquire semantics before reading the records it covers, and store host_index with
 * release semantics after the reads of the records it gives back (C2H) or after the
 * writes of the pattern bytes it publishes (PAT). The card-facing fields are
 * little-endian.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How long qkd_ring_wait() sleeps at most before it looks at the ring's state again. */
#define QKD_WAIT_SLICE_MS	100

static uint64_t load_card(const struct qkd_ring *ring)
{
	return le64toh(__atomic_load_n(&ring->status->card_index, __ATOMIC_ACQUIRE));
}

static uint64_t load_host(const struct qkd_ring *ring)
{
	return le64toh(__atomic_load_n(&ring->index->host_index, __ATOMIC_RELAXED));
}

static void publish(struct qkd_ring *ring, uint64_t v)
{
	ring->host = v;
	__atomic_store_n(&ring->index->host_index, htole64(v), __ATOMIC_RELEASE);
}

static int ring_fail(struct qkd_ring *ring, int err, const char *fmt, ...) QKD_PRINTF(3, 4);
static int ring_fail(struct qkd_ring *ring, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ring->dev)
		return err;
	va_start(ap, fmt);
	qkd_verr(ring->dev->err, sizeof(ring->dev->err), err, fmt, ap);
	va_end(ap);
	return err;
}

void qkd_ring_resync(struct qkd_ring *ring)
{
	uint64_t h = load_host(ring);

	ring->pos = ring->end = ring->host = h;
}

int qkd_ring_geometry(const struct qkdchip_info *info, uint64_t bytes,
		      struct qkd_ring_config *cfg)
{
	uint64_t size = 1, page = (uint64_t)sysconf(_SC_PAGESIZE), min_buf, max_buf, buf;
	uint64_t count;

	memset(cfg, 0, sizeof(*cfg));
	if (!bytes)
		bytes = 4u << 20;
	if (bytes > (1ULL << 40))
		return -EINVAL;
	while (size < bytes)
		size <<= 1;
	min_buf = info->ring_min_buf > page ? info->ring_min_buf : page;
	max_buf = info->ring_max_buf;
	if (!max_buf || max_buf < min_buf || info->ring_max_desc < 2)
		return -EINVAL;
	if (size < 2 * min_buf)
		size = 2 * min_buf;
	buf = size / 2 < max_buf ? size / 2 : max_buf;
	/* buf is a power of two as long as the card's limits are */
	count = size / buf;
	if (count > info->ring_max_desc || buf < min_buf)
		return -EINVAL;
	cfg->buf_size = (uint32_t)buf;
	cfg->buf_count = (uint32_t)count;
	return 0;
}

static struct qkd_ring *ring_alloc(unsigned int stream, uint64_t size)
{
	struct qkd_ring *ring = calloc(1, sizeof(*ring));

	if (!ring)
		return NULL;
	ring->stream = stream;
	ring->size = size;
	ring->mask = (stream == QKDCHIP_STREAM_C2H ? size / 8 : size) - 1;
	return ring;
}

int qkd_ring_open(struct qkd_dev *dev, unsigned int stream, const struct qkd_ring_config *cfg,
		  struct qkd_ring **ringp)
{
	struct qkdchip_ring_setup rs;
	struct qkdchip_ring_free rf;
	struct qkd_ring *ring;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;
	int err;

	*ringp = NULL;
	if (stream >= QKDCHIP_NUM_STREAMS)
		return qkd_dev_fail(dev, -EINVAL, "no stream %u", stream);
	if (dev->ring[stream])
		return qkd_dev_fail(dev, -EEXIST, "%s: this handle has a %s ring already",
				    dev->name, qkd_stream_name(stream));
	memset(&rs, 0, sizeof(rs));
	rs.stream = stream;
	rs.buf_size = cfg->buf_size;
	rs.buf_count = cfg->buf_count;
	rs.mod_count = cfg->mod_count;
	rs.mod_time_us = cfg->mod_time_us;
	if (ioctl(dev->fd, QKDCHIP_IOC_RING_SETUP, &rs)) {
		err = -errno;
		switch (err) {
		case -EBUSY:
			return qkd_dev_fail(dev, err, "%s: the %s stream belongs to another program",
					    dev->name, qkd_stream_name(stream));
		case -EEXIST:
			return qkd_dev_fail(dev, err, "%s: this file has a %s ring already",
					    dev->name, qkd_stream_name(stream));
		case -EOPNOTSUPP:
			return qkd_dev_fail(dev, err, "%s: the card has no %s stream", dev->name,
					    qkd_stream_name(stream));
		case -EINVAL:
			return qkd_dev_fail(dev, err,
					    "%s: ring of %u buffers of %u bytes refused (the card allows %u..%u bytes, 2..%u buffers, powers of two)",
					    dev->name, cfg->buf_count, cfg->buf_size,
					    dev->info.ring_min_buf, dev->info.ring_max_buf,
					    dev->info.ring_max_desc);
		case -E2BIG:
			return qkd_dev_fail(dev, err,
					    "%s: a ring of %llu bytes is above the driver's max_ring_mb",
					    dev->name,
					    (unsigned long long)cfg->buf_size * cfg->buf_count);
		default:
			return qkd_dev_fail(dev, err, "%s: %s ring setup: %s", dev->name,
					    qkd_stream_name(stream), strerror(-err));
		}
	}
	ring = ring_alloc(stream, rs.ring_size);
	if (!ring) {
		err = qkd_dev_fail(dev, -ENOMEM, "out of memory");
		goto err_free;
	}
	ring->dev = dev;
	ring->page = page;
	ring->data_len = rs.ring_size;
	p = mmap(NULL, ring->data_len,
		 stream == QKDCHIP_STREAM_C2H ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
		 dev->fd, (off_t)rs.data_offset);
	if (p == MAP_FAILED)
		goto err_map;
	ring->data = p;
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, dev->fd, (off_t)rs.status_offset);
	if (p == MAP_FAILED)
		goto err_map;
	ring->status = p;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)rs.index_offset);
	if (p == MAP_FAILED)
		goto err_map;
	ring->index = p;
	qkd_ring_resync(ring);
	dev->ring[stream] = ring;
	*ringp = ring;
	return 0;

err_map:
	err = qkd_dev_fail(dev, -errno, "%s: mapping the %s ring: %s", dev->name,
			   qkd_stream_name(stream), strerror(errno));
	ring->dev = NULL;	/* do not free what was not set up */
	if (ring->data)
		munmap(ring->data, ring->data_len);
	if (ring->status)
		munmap((void *)ring->status, page);
	free(ring);
err_free:
	memset(&rf, 0, sizeof(rf));
	rf.stream = stream;
	ioctl(dev->fd, QKDCHIP_IOC_RING_FREE, &rf);
	return err;
}

void qkd_ring_close(struct qkd_ring *ring)
{
	struct qkdchip_ring_free rf;
	struct qkd_dev *dev;

	if (!ring)
		return;
	dev = ring->dev;
	if (!dev) {		/* a fake ring: the memory is the caller's */
		free(ring);
		return;
	}
	dev->ring[ring->stream] = NULL;
	qkd_stream_stop(dev, ring->stream);
	munmap(ring->data, ring->data_len);
	munmap((void *)ring->status, ring->page);
	munmap((void *)ring->index, ring->page);
	memset(&rf, 0, sizeof(rf));
	rf.stream = ring->stream;
	ioctl(dev->fd, QKDCHIP_IOC_RING_FREE, &rf);
	free(ring);
}

struct qkd_ring *qkd__ring_fake(unsigned int stream, void *data, uint64_t size,
				struct qkdchip_ring_status *status,
				struct qkdchip_ring_index *index)
{
	struct qkd_ring *ring;

	if (stream >= QKDCHIP_NUM_STREAMS || !size || (size & (size - 1)) ||
	    (stream == QKDCHIP_STREAM_C2H && size < 8))
		return NULL;
	ring = ring_alloc(stream, size);
	if (!ring)
		return NULL;
	ring->data = data;
	ring->data_len = size;
	ring->status = status;
	ring->index = index;
	qkd_ring_resync(ring);
	return ring;
}

uint64_t qkd_ring_size(const struct qkd_ring *ring)
{
	return ring->size;
}

const volatile struct qkdchip_ring_status *qkd_ring_status(const struct qkd_ring *ring)
{
	return ring->status;
}

unsigned int qkd_ring_state(const struct qkd_ring *ring)
{
	return __atomic_load_n(&ring->status->state, __ATOMIC_ACQUIRE);
}

/* Load the card's index into ring->end; 0 or -EIO. C2H only. */
static int c2h_refresh(struct qkd_ring *ring)
{
	uint64_t card, entries = ring->mask + 1;

	/* Somebody else moved the host index (a start, or read()): follow it. */
	if (load_host(ring) != ring->host)
		qkd_ring_resync(ring);
	card = load_card(ring);
	if (card - ring->host > entries || ring->pos - ring->host > card - ring->host)
		return ring_fail(ring, -EIO,
				 "%s: c2h ring: card index %llu inconsistent with host index %llu",
				 ring->dev ? ring->dev->name : "fake",
				 (unsigned long long)card, (unsigned long long)ring->host);
	ring->end = card;
	return 0;
}

ssize_t qkd_ring_peek(struct qkd_ring *ring, const uint64_t **recs)
{
	uint64_t off, avail, contig;
	int err;

	if (ring->stream != QKDCHIP_STREAM_C2H)
		return ring_fail(ring, -EINVAL, "qkd_ring_peek: not a c2h ring");
	err = c2h_refresh(ring);
	if (err)
		return err;
	avail = ring->end - ring->pos;
	off = ring->pos & ring->mask;
	contig = ring->mask + 1 - off;
	*recs = (const uint64_t *)ring->data + off;
	return (ssize_t)(avail < contig ? avail : contig);
}

void qkd_ring_consume(struct qkd_ring *ring, size_t n)
{
	if (ring->stream != QKDCHIP_STREAM_C2H)
		return;
	if (n > ring->end - ring->pos)
		n = (size_t)(ring->end - ring->pos);
	ring->pos += n;
	publish(ring, ring->pos);
}

int qkd_ring_next(struct qkd_ring *ring, uint64_t *rec)
{
	int err;

	if (ring->pos == ring->end) {
		if (ring->stream != QKDCHIP_STREAM_C2H)
			return ring_fail(ring, -EINVAL, "qkd_ring_next: not a c2h ring");
		if (ring->host != ring->pos)
			publish(ring, ring->pos);	/* the batch we handed out */
		err = c2h_refresh(ring);
		if (err)
			return err;
		if (ring->pos == ring->end)
			return 0;
	}
	*rec = le64toh(((const uint64_t *)ring->data)[ring->pos & ring->mask]);
	ring->pos++;
	return 1;
}

/* PAT: free bytes and where they start; -EIO on a bad index. */
static ssize_t pat_space(struct qkd_ring *ring, uint64_t *off)
{
	uint64_t card = load_card(ring), host = load_host(ring), used = host - card, contig;

	if (used > ring->size)
		return ring_fail(ring, -EIO,
				 "%s: pattern ring: card index %llu inconsistent with host index %llu",
				 ring->dev ? ring->dev->name : "fake",
				 (unsigned long long)card, (unsigned long long)host);
	*off = host & ring->mask;
	contig = ring->size - *off;
	used = ring->size - used;	/* free */
	return (ssize_t)(used < contig ? used : contig);
}

ssize_t qkd_ring_space(struct qkd_ring *ring, uint8_t **buf)
{
	unsigned int state;
	uint64_t off;
	ssize_t n;

	if (ring->stream != QKDCHIP_STREAM_PAT)
		return ring_fail(ring, -EINVAL, "qkd_ring_space: not a pattern ring");
	state = qkd_ring_state(ring);
	if (ring->dev && (state == QKDCHIP_RING_STOPPED || state == QKDCHIP_RING_ERROR))
		return ring_fail(ring, -ESTALE,
				 "%s: the pattern ring holds a finished run: fill it with qkd_ring_write() before the next start",
				 ring->dev->name);
	n = pat_space(ring, &off);
	if (n >= 0)
		*buf = (uint8_t *)ring->data + off;
	return n;
}

void qkd_ring_produce(struct qkd_ring *ring, size_t n)
{
	if (ring->stream != QKDCHIP_STREAM_PAT)
		return;
	publish(ring, load_host(ring) + n);
}

ssize_t qkd_ring_write(struct qkd_ring *ring, const void *syms, size_t n)
{
	const uint8_t *p = syms;
	size_t done = 0;

	if (ring->stream != QKDCHIP_STREAM_PAT)
		return ring_fail(ring, -EINVAL, "qkd_ring_write: not a pattern ring");
	/*
	 * Before a run, the driver restarts the indices of a finished run at the first
	 * write() or start: fill through write() then, so that the bytes keep their place.
	 */
	if (ring->dev && qkd_ring_state(ring) != QKDCHIP_RING_RUNNING) {
		struct qkd_dev *dev = ring->dev;
		int flags = fcntl(dev->fd, F_GETFL);
		ssize_t w;

		/* never block: a full ring that nobody consumes would wait forever */
		if (flags >= 0 && !(flags & O_NONBLOCK))
			fcntl(dev->fd, F_SETFL, flags | O_NONBLOCK);
		w = write(dev->fd, syms, n);
		if (w < 0)
			w = errno == EAGAIN || errno == ENOSPC ? 0 :
			    ring_fail(ring, -errno, "%s: pattern write: %s", dev->name,
				      strerror(errno));
		if (flags >= 0 && !(flags & O_NONBLOCK))
			fcntl(dev->fd, F_SETFL, flags);
		return w;
	}
	while (done < n) {
		uint64_t off;
		ssize_t space = pat_space(ring, &off);
		size_t k;

		if (space < 0)
			return done ? (ssize_t)done : space;
		if (!space)
			break;
		k = n - done < (size_t)space ? n - done : (size_t)space;
		memcpy((uint8_t *)ring->data + off, p + done, k);
		publish(ring, load_host(ring) + k);
		done += k;
	}
	return (ssize_t)done;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qkd_ring_wait(struct qkd_ring *ring, int timeout_ms)
{
	bool c2h = ring->stream == QKDCHIP_STREAM_C2H;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int err;

	if (!ring->dev)
		return -EOPNOTSUPP;
	if (c2h && ring->host != ring->pos)
		publish(ring, ring->pos);
	for (;;) {
		struct pollfd pfd = { .fd = ring->dev->fd, .events = c2h ? POLLIN : POLLOUT };
		unsigned int state = qkd_ring_state(ring);
		int64_t left;
		int slice;

		if (c2h) {
			err = c2h_refresh(ring);
			if (err)
				return err;
			if (ring->end != ring->pos)
				return 1;
		} else {
			uint64_t off;
			ssize_t n = pat_space(ring, &off);

			if (n < 0)
				return (int)n;
			if (n > 0)
				return 1;
		}
		if (state == QKDCHIP_RING_GONE)
			return ring_fail(ring, -ENODEV, "%s: the card is gone", ring->dev->name);
		if (state == QKDCHIP_RING_ERROR)
			return ring_fail(ring, -EIO, "%s: the card stopped the %s stream on an error (code %u)",
					 ring->dev->name, qkd_stream_name(ring->stream),
					 ring->status->error);
		if (state != QKDCHIP_RING_RUNNING)
			return -ENODATA;
		left = deadline < 0 ? QKD_WAIT_SLICE_MS : deadline - now_ms();
		if (left <= 0)
			return 0;
		slice = left < QKD_WAIT_SLICE_MS ? (int)left : QKD_WAIT_SLICE_MS;
		if (poll(&pfd, 1, slice) < 0) {
			if (errno == EINTR)
				return -EINTR;
			return ring_fail(ring, -errno, "%s: poll: %s", ring->dev->name,
					 strerror(errno));
		}
	}
}
