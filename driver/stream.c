// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: the data path - ring setup, stream start and stop, read() and write(),
 * poll() and mmap(). Documentation/userspace-api/qkdchip.rst describes the ABI and
 * Documentation/hw/streams.rst what the card does with the rings.
 *
 * Locking:
 *  - qd->lock (read) is held around every use of the card's registers, never while
 *    waiting for data; removal takes it for writing.
 *  - st->lock protects a stream's state and is never held across a user copy
 *    (mmap takes it under mmap_lock).
 *  - st->io_lock serialises read() and write() of the stream's owner.
 * Order: st->io_lock, qd->lock, st->lock; mmap_lock, st->lock.
 */

#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "qkdchip.h"

static unsigned int max_ring_mb = 1024;
module_param(max_ring_mb, uint, 0644);
MODULE_PARM_DESC(max_ring_mb, "Largest ring one stream may allocate, MiB (default 1024)");

#define QKDCHIP_REC_SIZE	8
#define QKDCHIP_ENGINE_TIMEOUT_US	200000

/* The registers of each stream's engine. */
static const struct qkdchip_engine {
	u32 ctrl, status, desc_lo, desc_count, buf_log2, wb_lo, shadow_lo, arm;
	u32 mod_count, mod_time;
	u32 cause, feature;
	unsigned int unit;	/* bytes per index step: a record or a pattern byte */
	unsigned int mod_idx;	/* index into qd->mod_default */
} qkdchip_engines[QKDCHIP_NUM_STREAMS] = {
	[QKDCHIP_STREAM_C2H] = {
		.ctrl = QKDCHIP_REG_C2H_CTRL, .status = QKDCHIP_REG_C2H_STATUS,
		.desc_lo = QKDCHIP_REG_C2H_DESC_LO, .desc_count = QKDCHIP_REG_C2H_DESC_COUNT,
		.buf_log2 = QKDCHIP_REG_C2H_BUF_LOG2, .wb_lo = QKDCHIP_REG_C2H_WB_LO,
		.shadow_lo = QKDCHIP_REG_C2H_SHADOW_LO, .arm = QKDCHIP_REG_C2H_ARM,
		.mod_count = QKDCHIP_REG_C2H_MOD_COUNT, .mod_time = QKDCHIP_REG_C2H_MOD_TIME_US,
		.cause = QKDCHIP_IRQ_C2H, .feature = QKDCHIP_FEAT_C2H,
		.unit = QKDCHIP_REC_SIZE, .mod_idx = 0,
	},
	[QKDCHIP_STREAM_PAT] = {
		.ctrl = QKDCHIP_REG_PAT_CTRL, .status = QKDCHIP_REG_PAT_STATUS,
		.desc_lo = QKDCHIP_REG_PAT_DESC_LO, .desc_count = QKDCHIP_REG_PAT_DESC_COUNT,
		.buf_log2 = QKDCHIP_REG_PAT_BUF_LOG2, .wb_lo = QKDCHIP_REG_PAT_WB_LO,
		.shadow_lo = QKDCHIP_REG_PAT_SHADOW_LO, .arm = QKDCHIP_REG_PAT_ARM,
		.mod_count = QKDCHIP_REG_PAT_MOD_COUNT, .mod_time = QKDCHIP_REG_PAT_MOD_TIME_US,
		.cause = QKDCHIP_IRQ_PAT, .feature = QKDCHIP_FEAT_H2C_PATTERN,
		.unit = 1, .mod_idx = 2,
	},
};

void qkdchip_streams_init(struct qkdchip_dev *qd)
{
	unsigned int s;

	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++) {
		struct qkdchip_stream *st = &qd->streams[s];

		mutex_init(&st->lock);
		mutex_init(&st->io_lock);
		init_waitqueue_head(&st->wq);
	}
}

/* The ring of @st if @file owns it, with a reference; NULL otherwise. */
static struct qkdchip_ring *qkdchip_owned_ring(struct qkdchip_stream *st, struct file *file)
{
	struct qkdchip_ring *ring = NULL;

	mutex_lock(&st->lock);
	if (st->owner == file && st->ring) {
		ring = st->ring;
		kref_get(&ring->ref);
	}
	mutex_unlock(&st->lock);
	return ring;
}

/* Stop the engine; called with qd->lock held and the card alive, and st->lock. */
static int qkdchip_engine_stop(struct qkdchip_dev *qd, unsigned int s)
{
	const struct qkdchip_engine *e = &qkdchip_engines[s];
	u32 v;
	int err;

	qkdchip_wr(qd, e->ctrl, 0);
	err = read_poll_timeout(qkdchip_rd, v, !(v & QKDCHIP_C2H_ST_RUNNING) || v == ~0u,
				100, QKDCHIP_ENGINE_TIMEOUT_US, false, qd, e->status);
	if (err)
		dev_warn(&qd->pdev->dev, "%s engine did not stop (status %#x)\n",
			 s == QKDCHIP_STREAM_C2H ? "c2h" : "pattern", v);
	return err;
}

static void qkdchip_set_state(struct qkdchip_ring *ring, u32 state, u32 error)
{
	if (!ring)
		return;
	WRITE_ONCE(ring->status->error, error);
	smp_wmb();	/* error before state, for a reader that sees the state */
	WRITE_ONCE(ring->status->state, state);
}

/*
 * Take a stream out of service: stop the engine if the card can still be told to, and
 * drop the ring's DMA mappings. st->lock held; the card bound (qd->lock held).
 */
static void qkdchip_stream_teardown(struct qkdchip_dev *qd, struct qkdchip_stream *st,
				    unsigned int s, bool stop_card)
{
	if (st->running && stop_card)
		qkdchip_engine_stop(qd, s);
	st->running = false;
	if (st->ring)
		qkdchip_ring_unmap_dma(st->ring);
}

/*
 * Forget a stopped pattern run: indices restart from 0. Done lazily, at the first
 * write() or start after a stop, so that the final indices stay readable meanwhile.
 */
static void qkdchip_pat_rewind(struct qkdchip_stream *st)
{
	struct qkdchip_ring *ring = st->ring;

	if (!st->rewind || !ring)
		return;
	memset(ring->status, 0, offsetof(struct qkdchip_ring_status, state));
	WRITE_ONCE(ring->index->host_index, 0);
	st->rewind = false;
}

/*
 * The stream an ioctl argument names: NULL if the index is out of range or a reserved
 * byte is set (the caller returns -EINVAL). The index is clamped under speculation too,
 * as the callers also use it to index qkdchip_engines[].
 */
static struct qkdchip_stream *qkdchip_stream_arg(struct qkdchip_dev *qd, u32 *stream,
						 const void *reserved, size_t len)
{
	if (*stream >= QKDCHIP_NUM_STREAMS || memchr_inv(reserved, 0, len))
		return NULL;
	*stream = array_index_nospec(*stream, QKDCHIP_NUM_STREAMS);
	return &qd->streams[*stream];
}

/*
 * Stop a running stream on request (its owner, or an operator): the ring reads STOPPED,
 * a pattern run restarts from index 0 at its next start, and a card-seeded pattern,
 * which has no ring, ends its owner's claim. st->lock and qd->lock held.
 */
static int qkdchip_stream_halt(struct qkdchip_dev *qd, struct qkdchip_stream *st,
			       unsigned int s)
{
	int err = qkdchip_engine_stop(qd, s) ? -EIO : 0;

	st->running = false;
	st->rewind = s == QKDCHIP_STREAM_PAT;
	qkdchip_set_state(st->ring, QKDCHIP_RING_STOPPED, 0);
	if (!st->ring)
		st->owner = NULL;
	return err;
}

int qkdchip_ioc_ring_setup(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_ring_setup *rs = arg;
	const struct qkdchip_engine *e;
	struct qkdchip_stream *st;
	struct qkdchip_ring *ring;
	int err = 0;

	st = qkdchip_stream_arg(qd, &rs->stream, rs->reserved, sizeof(rs->reserved));
	if (!st || rs->flags)
		return -EINVAL;
	e = &qkdchip_engines[rs->stream];
	if (!(qd->info.features & e->feature))
		return -EOPNOTSUPP;
	if (!is_power_of_2(rs->buf_size) || rs->buf_size < qd->info.ring_min_buf ||
	    rs->buf_size > qd->info.ring_max_buf || rs->buf_size < PAGE_SIZE ||
	    !is_power_of_2(rs->buf_count) || rs->buf_count < 2 ||
	    rs->buf_count > qd->info.ring_max_desc)
		return -EINVAL;
	if ((u64)rs->buf_size * rs->buf_count > (u64)max_ring_mb << 20)
		return -E2BIG;

	mutex_lock(&st->lock);
	if (st->owner && st->owner != file)
		err = -EBUSY;		/* another file owns this direction */
	else if (st->ring)
		err = -EEXIST;		/* free it first */
	if (err) {
		mutex_unlock(&st->lock);
		return err;
	}
	ring = qkdchip_ring_alloc(qd, rs->stream, rs->buf_size, rs->buf_count);
	if (IS_ERR(ring)) {
		mutex_unlock(&st->lock);
		return PTR_ERR(ring);
	}
	st->owner = file;
	st->ring = ring;
	st->mod_count = rs->mod_count;
	st->mod_time_us = rs->mod_time_us;
	mutex_unlock(&st->lock);

	rs->ring_size = ring->size;
	rs->data_offset = QKDCHIP_MMAP_OFFSET(rs->stream, QKDCHIP_AREA_DATA);
	rs->status_offset = QKDCHIP_MMAP_OFFSET(rs->stream, QKDCHIP_AREA_STATUS);
	rs->index_offset = QKDCHIP_MMAP_OFFSET(rs->stream, QKDCHIP_AREA_INDEX);
	return 0;
}

/* Free @st's ring and give up ownership; st->lock held, the stream not running. */
static void qkdchip_stream_free(struct qkdchip_stream *st)
{
	qkdchip_ring_put(st->ring);
	st->ring = NULL;
	st->owner = NULL;
}

int qkdchip_ioc_ring_free(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_ring_free *rf = arg;
	struct qkdchip_stream *st;
	int err = 0;

	st = qkdchip_stream_arg(qd, &rf->stream, rf->reserved, sizeof(rf->reserved));
	if (!st)
		return -EINVAL;
	mutex_lock(&st->lock);
	if (st->owner != file || !st->ring)
		err = -ENXIO;
	else if (st->running)
		err = -EBUSY;
	else if (atomic_read(&st->ring->mapcount))
		err = -EBUSY;
	if (!err) {
		qkdchip_ring_unmap_dma(st->ring);
		qkdchip_stream_free(st);
	}
	mutex_unlock(&st->lock);
	return err;
}

int qkdchip_ioc_stream_start(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_stream_start *ss = arg;
	const struct qkdchip_engine *e;
	struct qkdchip_stream *st;
	struct qkdchip_ring *ring;
	bool seeded;
	u32 v, mod;
	int err;

	st = qkdchip_stream_arg(qd, &ss->stream, ss->reserved, sizeof(ss->reserved));
	if (!st || ss->start_slot)
		return -EINVAL;
	e = &qkdchip_engines[ss->stream];
	if (!(qd->info.features & e->feature))
		return -EOPNOTSUPP;
	if (ss->stream == QKDCHIP_STREAM_C2H) {
		if (ss->source != QKDCHIP_SOURCE_CARD && ss->source != QKDCHIP_SOURCE_TEST)
			return -EINVAL;
		if (ss->source != QKDCHIP_SOURCE_TEST && (ss->test_rate || ss->test_seed))
			return -EINVAL;
		seeded = false;
	} else {
		if (ss->source != QKDCHIP_SOURCE_HOST && ss->source != QKDCHIP_SOURCE_SEEDED)
			return -EINVAL;
		if (ss->test_rate || ss->test_seed)
			return -EINVAL;
		seeded = ss->source == QKDCHIP_SOURCE_SEEDED;
		if (seeded && !(qd->info.features & QKDCHIP_FEAT_CARD_SEEDED))
			return -EOPNOTSUPP;
	}

	mutex_lock(&st->lock);
	err = -EBUSY;
	if (st->owner && st->owner != file)
		goto out;
	if (st->running)
		goto out;
	ring = st->ring;
	err = -ENXIO;
	if (!ring && !seeded)
		goto out;		/* started before the ring was set up */
	if (seeded && !ring)
		st->owner = file;	/* a card-seeded pattern needs no ring */

	if (ring) {
		if (ss->stream == QKDCHIP_STREAM_C2H) {
			memset(ring->status, 0, offsetof(struct qkdchip_ring_status, state));
			WRITE_ONCE(ring->index->host_index, 0);
		} else {
			qkdchip_pat_rewind(st);	/* bytes written since keep their place */
		}
		qkdchip_set_state(ring, QKDCHIP_RING_RUNNING, 0);
		/* the zeroed indices reach memory before the card can read them */
		wmb();
		qkdchip_wr64(qd, e->desc_lo, ring->desc_dma);
		qkdchip_wr(qd, e->desc_count, ring->buf_count);
		qkdchip_wr(qd, e->buf_log2, ilog2(ring->buf_size));
		qkdchip_wr64(qd, e->wb_lo, ring->status_dma);
		qkdchip_wr64(qd, e->shadow_lo, ring->index_dma);
	}
	if (ss->stream == QKDCHIP_STREAM_C2H) {
		qkdchip_wr(qd, QKDCHIP_REG_C2H_TEST_RATE, ss->test_rate);
		qkdchip_wr(qd, QKDCHIP_REG_C2H_TEST_SEED, ss->test_seed);
	}
	mod = st->mod_count ? st->mod_count : qd->mod_default[e->mod_idx];
	qkdchip_wr(qd, e->mod_count, mod);
	mod = st->mod_time_us ? st->mod_time_us : qd->mod_default[e->mod_idx + 1];
	qkdchip_wr(qd, e->mod_time, mod);

	st->error = 0;
	qkdchip_wr(qd, e->ctrl, QKDCHIP_C2H_RUN | ss->source << 4);
	err = read_poll_timeout(qkdchip_rd, v, v & (QKDCHIP_C2H_ST_RUNNING | QKDCHIP_C2H_ST_ERROR),
				50, QKDCHIP_ENGINE_TIMEOUT_US, false, qd, e->status);
	if (err || (v & QKDCHIP_C2H_ST_ERROR) || v == ~0u) {
		st->error = (v & QKDCHIP_C2H_ST_ERROR) ? QKDCHIP_C2H_ST_ERRCODE(v) : 0;
		dev_warn(&qd->pdev->dev, "%s stream did not start: status %#x (error %u, argument %u)\n",
			 ss->stream == QKDCHIP_STREAM_C2H ? "c2h" : "pattern", v, st->error,
			 QKDCHIP_C2H_ST_ERRARG(v));
		qkdchip_wr(qd, e->ctrl, 0);
		qkdchip_set_state(ring, QKDCHIP_RING_ERROR, st->error);
		if (seeded && !ring)
			st->owner = NULL;
		err = -EIO;
		goto out;
	}

	if (ss->stream == QKDCHIP_STREAM_PAT)
		ss->start_slot = qkdchip_rd64(qd, QKDCHIP_REG_PAT_START_LO);
	else
		ss->start_slot = qkdchip_rd64(qd, QKDCHIP_REG_TIME_LO);
	if (ring)
		WRITE_ONCE(ring->status->start_slot, ss->start_slot);
	st->source = ss->source;
	st->running = true;
	err = 0;
out:
	mutex_unlock(&st->lock);
	return err;
}

int qkdchip_ioc_stream_stop(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_stream_stop *sp = arg;
	struct qkdchip_stream *st;
	int err = 0;

	st = qkdchip_stream_arg(qd, &sp->stream, sp->reserved, sizeof(sp->reserved));
	if (!st)
		return -EINVAL;
	mutex_lock(&st->lock);
	if (st->owner != file)
		err = st->owner ? -EBUSY : -ENXIO;
	else if (st->running)
		err = qkdchip_stream_halt(qd, st, sp->stream);
	mutex_unlock(&st->lock);
	wake_up_interruptible_all(&st->wq);
	return err;
}

/* An operator stops a stream, whoever owns it (netlink); qd->lock held. */
int qkdchip_stream_force_stop(struct qkdchip_dev *qd, unsigned int s)
{
	struct qkdchip_stream *st = &qd->streams[s];
	int err = 0;

	mutex_lock(&st->lock);
	if (st->running) {
		err = qkdchip_stream_halt(qd, st, s);
		dev_info(&qd->pdev->dev, "%s stream stopped by an operator\n",
			 s == QKDCHIP_STREAM_C2H ? "c2h" : "pattern");
	}
	mutex_unlock(&st->lock);
	wake_up_interruptible_all(&st->wq);
	return err;
}

/* Arm the stream's interrupt with the card index the caller has seen. */
static void qkdchip_arm(struct qkdchip_dev *qd, unsigned int s, u64 seen)
{
	down_read(&qd->lock);
	if (qd->alive)
		qkdchip_wr(qd, qkdchip_engines[s].arm, lower_32_bits(seen));
	up_read(&qd->lock);
}

int qkdchip_ioc_wakeup(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_wakeup *w = arg;
	struct qkdchip_stream *st;
	int err = 0;

	st = qkdchip_stream_arg(qd, &w->stream, w->reserved, sizeof(w->reserved));
	if (!st)
		return -EINVAL;
	mutex_lock(&st->lock);
	if (st->owner != file || !st->ring)
		err = -ENXIO;
	else if (!st->running)
		err = -EINVAL;
	else	/* the caller holds qd->lock already (ioctl path) */
		qkdchip_wr(qd, qkdchip_engines[w->stream].arm,
			   lower_32_bits(READ_ONCE(st->ring->status->card_index)));
	mutex_unlock(&st->lock);
	return err;
}

/* Called from the event thread when the card reports an engine error. */
void qkdchip_stream_error(struct qkdchip_dev *qd, unsigned int s)
{
	struct qkdchip_stream *st = &qd->streams[s];
	u32 v;

	/*
	 * Read the status under st->lock: a report can arrive late, after the stream
	 * it was about (a failed start) has been started again. Only a stream the
	 * card has stopped (RUNNING clear) is taken out of service.
	 */
	mutex_lock(&st->lock);
	v = qkdchip_rd(qd, qkdchip_engines[s].status);
	if (st->running && v != ~0u && (v & QKDCHIP_C2H_ST_ERROR) &&
	    !(v & QKDCHIP_C2H_ST_RUNNING)) {
		st->running = false;
		st->rewind = s == QKDCHIP_STREAM_PAT;
		st->error = QKDCHIP_C2H_ST_ERRCODE(v);
		qkdchip_set_state(st->ring, QKDCHIP_RING_ERROR, st->error);
		dev_err(&qd->pdev->dev, "%s stream stopped by the card: error %u, argument %u\n",
			s == QKDCHIP_STREAM_C2H ? "c2h" : "pattern", st->error,
			QKDCHIP_C2H_ST_ERRARG(v));
	}
	mutex_unlock(&st->lock);
	wake_up_interruptible_all(&st->wq);
}

/* The file is going away: stop what it runs, free what it owns. */
void qkdchip_streams_release(struct qkdchip_dev *qd, struct file *file)
{
	unsigned int s;

	down_read(&qd->lock);
	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++) {
		struct qkdchip_stream *st = &qd->streams[s];

		mutex_lock(&st->lock);
		if (st->owner == file) {
			if (qd->alive)	/* else removal has torn it down */
				qkdchip_stream_teardown(qd, st, s, true);
			qkdchip_stream_free(st);
		}
		mutex_unlock(&st->lock);
	}
	up_read(&qd->lock);
}

/*
 * The card is being removed (qd->lock held for writing, registers still mapped):
 * stop the engines, drop every DMA mapping. Rings stay for their owners, readable.
 */
void qkdchip_streams_remove(struct qkdchip_dev *qd)
{
	bool usable = qkdchip_rd(qd, QKDCHIP_REG_MAGIC) == QKDCHIP_MAGIC;
	unsigned int s;

	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++) {
		struct qkdchip_stream *st = &qd->streams[s];

		mutex_lock(&st->lock);
		if (st->running && !usable)
			qkdchip_wr(qd, qkdchip_engines[s].ctrl, 0);	/* just in case */
		qkdchip_stream_teardown(qd, st, s, usable);
		qkdchip_set_state(st->ring, QKDCHIP_RING_GONE, 0);
		mutex_unlock(&st->lock);
		wake_up_interruptible_all(&st->wq);
	}
}

static bool qkdchip_stream_done(struct qkdchip_dev *qd, struct qkdchip_stream *st,
				struct qkdchip_ring *ring, u64 seen)
{
	return READ_ONCE(ring->status->card_index) != seen || !READ_ONCE(st->running) ||
	       READ_ONCE(qd->dying);
}

/*
 * Wait until the card index moves away from @seen, the stream stops or the card
 * goes. Returns 0 to look again, or what the caller should return.
 */
static ssize_t qkdchip_stream_wait(struct qkdchip_dev *qd, struct file *file,
				   unsigned int s, struct qkdchip_ring *ring, u64 seen)
{
	struct qkdchip_stream *st = &qd->streams[s];

	if (READ_ONCE(ring->status->state) == QKDCHIP_RING_GONE || READ_ONCE(qd->dying))
		return -ENODEV;
	if (!READ_ONCE(st->running))
		return READ_ONCE(ring->status->state) == QKDCHIP_RING_ERROR ? -EIO : 0;
	if (file->f_flags & O_NONBLOCK)
		return -EAGAIN;
	qkdchip_arm(qd, s, seen);
	if (wait_event_interruptible(st->wq, qkdchip_stream_done(qd, st, ring, seen)))
		return -ERESTARTSYS;
	return 1;
}

/* Count records of a type a working card never writes. */
static unsigned long qkdchip_count_bad(const __le64 *rec, size_t n)
{
	unsigned long bad = 0;

	while (n--) {
		unsigned int type = QKDCHIP_REC_TYPE(le64_to_cpu(*rec++));

		bad += type == QKDCHIP_REC_INVALID || type > QKDCHIP_REC_MAX;
	}
	return bad;
}

ssize_t qkdchip_stream_read(struct qkdchip_dev *qd, struct file *file, char __user *buf,
			    size_t count)
{
	struct qkdchip_stream *st = &qd->streams[QKDCHIP_STREAM_C2H];
	struct qkdchip_ring *ring;
	u64 head, tail, avail, recs, want, done = 0;
	ssize_t ret;

	if (count < QKDCHIP_REC_SIZE)
		return -EINVAL;
	if (mutex_lock_interruptible(&st->io_lock))
		return -ERESTARTSYS;
	ring = qkdchip_owned_ring(st, file);
	if (!ring) {
		ret = -ENXIO;
		goto out_unlock;
	}
	recs = ring->size / QKDCHIP_REC_SIZE;

	for (;;) {
		head = READ_ONCE(ring->status->card_index);
		dma_rmb();	/* the records the index covers, after the index */
		tail = ring->index->host_index;
		avail = head - tail;
		if (avail > recs) {
			dev_err_ratelimited(&qd->pdev->dev, "c2h: card index %llu out of range (host %llu)\n",
					    head, tail);
			ret = -EIO;
			goto out_put;
		}
		if (avail)
			break;
		ret = qkdchip_stream_wait(qd, file, QKDCHIP_STREAM_C2H, ring, head);
		if (ret <= 0)
			goto out_put;
	}

	want = min_t(u64, avail, count / QKDCHIP_REC_SIZE);
	while (done < want) {
		size_t len;
		void *p = qkdchip_ring_data(ring, (tail + done) * QKDCHIP_REC_SIZE, &len);
		u64 n = min_t(u64, want - done, len / QKDCHIP_REC_SIZE);

		atomic64_add(qkdchip_count_bad(p, n), &qd->stats.c2h_bad);
		if (copy_to_user(buf + done * QKDCHIP_REC_SIZE, p, n * QKDCHIP_REC_SIZE))
			break;
		done += n;
	}
	if (done) {
		/* our reads of the records are done before the card may reuse them */
		mb();
		WRITE_ONCE(ring->index->host_index, tail + done);
		atomic64_add(done, &qd->stats.c2h_read);
	}
	ret = done ? (ssize_t)(done * QKDCHIP_REC_SIZE) : -EFAULT;
out_put:
	qkdchip_ring_put(ring);
out_unlock:
	mutex_unlock(&st->io_lock);
	return ret;
}

ssize_t qkdchip_stream_write(struct qkdchip_dev *qd, struct file *file,
			     const char __user *buf, size_t count)
{
	struct qkdchip_stream *st = &qd->streams[QKDCHIP_STREAM_PAT];
	struct qkdchip_ring *ring;
	u64 head, tail, space, want, done = 0;
	ssize_t ret;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&st->io_lock))
		return -ERESTARTSYS;
	ring = qkdchip_owned_ring(st, file);
	if (!ring) {
		ret = -ENXIO;
		goto out_unlock;
	}
	mutex_lock(&st->lock);
	if (!st->running)
		qkdchip_pat_rewind(st);
	mutex_unlock(&st->lock);

	for (;;) {
		head = READ_ONCE(ring->status->card_index);	/* consumed by the card */
		tail = ring->index->host_index;			/* produced by us */
		if (tail - head > ring->size) {
			dev_err_ratelimited(&qd->pdev->dev, "pattern: card index %llu out of range (host %llu)\n",
					    head, tail);
			ret = -EIO;
			goto out_put;
		}
		space = ring->size - (tail - head);
		if (space)
			break;
		ret = qkdchip_stream_wait(qd, file, QKDCHIP_STREAM_PAT, ring, head);
		if (ret <= 0) {
			if (!ret)
				ret = -ENOSPC;	/* full, and not running: nobody consumes */
			goto out_put;
		}
	}

	want = min_t(u64, space, count);
	while (done < want) {
		size_t len;
		void *p = qkdchip_ring_data(ring, tail + done, &len);
		u64 n = min_t(u64, want - done, len);

		if (copy_from_user(p, buf + done, n))
			break;
		done += n;
	}
	if (done) {
		/* the bytes reach memory before the index that publishes them */
		wmb();
		WRITE_ONCE(ring->index->host_index, tail + done);
		atomic64_add(done, &qd->stats.pat_written);
	}
	ret = done ? (ssize_t)done : -EFAULT;
out_put:
	qkdchip_ring_put(ring);
out_unlock:
	mutex_unlock(&st->io_lock);
	return ret;
}

__poll_t qkdchip_stream_poll(struct qkdchip_dev *qd, struct file *file,
			     struct poll_table_struct *wait)
{
	__poll_t mask = 0;
	unsigned int s;

	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++) {
		struct qkdchip_stream *st = &qd->streams[s];
		struct qkdchip_ring *ring;
		u64 card, host;
		bool ready, running;
		u32 state;

		ring = qkdchip_owned_ring(st, file);
		if (!ring)
			continue;
		poll_wait(file, &st->wq, wait);
		card = READ_ONCE(ring->status->card_index);
		host = READ_ONCE(ring->index->host_index);
		state = READ_ONCE(ring->status->state);
		running = READ_ONCE(st->running);
		if (s == QKDCHIP_STREAM_C2H) {
			ready = card != host;
			if (ready)
				mask |= EPOLLIN | EPOLLRDNORM;
		} else {
			ready = host - card < ring->size;
			if (ready)
				mask |= EPOLLOUT | EPOLLWRNORM;
		}
		if (state == QKDCHIP_RING_GONE)
			mask |= EPOLLHUP | EPOLLERR;
		else if (state == QKDCHIP_RING_ERROR)
			mask |= EPOLLERR;
		else if (state == QKDCHIP_RING_STOPPED && !ready && s == QKDCHIP_STREAM_C2H)
			mask |= EPOLLHUP;	/* stopped and drained: the end of the stream */
		else if (!ready && running)
			qkdchip_arm(qd, s, card);	/* sleep until the card moves */
		qkdchip_ring_put(ring);
	}
	if (READ_ONCE(qd->dying))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

int qkdchip_stream_mmap(struct qkdchip_dev *qd, struct file *file, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned int s = off >> 40, area = (off >> 36) & 0xf;
	struct qkdchip_stream *st;
	int err;

	if (off & ((1ULL << 36) - 1) || s >= QKDCHIP_NUM_STREAMS)
		return -EINVAL;
	st = &qd->streams[s];
	mutex_lock(&st->lock);
	if (st->owner != file || !st->ring)
		err = -ENXIO;
	else if (READ_ONCE(st->ring->status->state) == QKDCHIP_RING_GONE)
		err = -ENODEV;
	else
		err = qkdchip_ring_mmap(st->ring, vma, area);
	mutex_unlock(&st->lock);
	return err;
}
