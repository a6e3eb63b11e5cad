// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu card model: the card-to-host (C2H) stream engine (Documentation/hw/streams.rst).
 *
 * Records are produced lazily, in slot order, when the card is advanced: the test
 * pattern in bulk straight into the ring, card-source records one by one through a
 * small staging buffer. Guest memory is reached only through card_dma(), never through
 * a kept pointer, so a DMA_UNMAP between two advances makes the next access fail
 * cleanly (a DMA fault as documented).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "card_priv.h"

#define REC(type)		((uint64_t)(type) << 60)
#define MASK(bits)		((1ULL << (bits)) - 1)

bool c2h_card_source(const struct card *c)
{
	return c->c2h.running && c->c2h.source == QKDCHIP_C2H_SOURCE_CARD;
}

static uint32_t c2h_status(const struct card *c)
{
	const struct c2h *h = &c->c2h;
	uint32_t s = h->err_code << 8 | h->err_arg << 16;

	if (h->running && !h->stopping)
		s |= QKDCHIP_C2H_ST_RUNNING;
	if (h->loss_open && h->loss_reason == QKDCHIP_LOSS_RING_FULL)
		s |= QKDCHIP_C2H_ST_FULL;
	if (h->stalled)
		s |= QKDCHIP_C2H_ST_STALLED;
	if (h->error)
		s |= QKDCHIP_C2H_ST_ERROR;
	return s;
}

static void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

void c2h_reset(struct card *c)
{
	ring_free(&c->c2h.ring);
	memset(&c->c2h, 0, sizeof(c->c2h));
	c->c2h.test_rate = 1000000;
}

static uint64_t ring_free_recs(const struct c2h *h)
{
	return h->ring_recs - (h->prod - h->cons);
}

/* Address of record @n; the run's buffers hold 2^(buf_log2 - 3) records each. */
static uint64_t rec_addr(const struct c2h *h, uint64_t n, uint64_t *room)
{
	unsigned int shift = h->ring.buf_log2 - 3;
	uint64_t in_buf = n & MASK(shift);

	*room = (1ULL << shift) - in_buf;
	return h->ring.buf[(n >> shift) & (h->ring.count - 1)] + 8 * in_buf;
}

/* A DMA write of the engine; the dma-write fault makes the next one fail. */
static void *c2h_dma_w(struct card *c, uint64_t iova, uint64_t len)
{
	if (c->fault.dma_write) {
		c->fault.dma_write = false;
		return NULL;
	}
	return card_dma(c, iova, len, true);
}

static void wb_fill(struct card *c, uint8_t wb[QKDCHIP_WB_SIZE], uint64_t slot)
{
	struct c2h *h = &c->c2h;
	uint32_t st = c2h_status(c), seq = h->seq;

	memset(wb, 0, QKDCHIP_WB_SIZE);
	memcpy(wb + QKDCHIP_WB_PROD, &h->prod, 8);
	memcpy(wb + QKDCHIP_WB_DROPPED, &h->dropped, 8);
	memcpy(wb + QKDCHIP_WB_TIME, &slot, 8);
	memcpy(wb + QKDCHIP_WB_STATUS, &st, 4);
	memcpy(wb + QKDCHIP_WB_SEQ, &seq, 4);
}

static void c2h_end_run(struct card *c)
{
	struct c2h *h = &c->c2h;

	h->running = false;
	h->stopping = false;
	h->stalled = false;
	h->loss_open = false;
	h->nstage = 0;
	h->ctrl &= ~QKDCHIP_C2H_RUN;
	ring_free(&h->ring);
}

/*
 * A DMA access failed: the engine stops on an error (events.rst). It then tries one
 * last write-back so that a host polling its write-back block sees the stop, unless
 * the write-back block itself is what failed.
 */
static void c2h_fail(struct card *c, uint32_t code, bool try_wb)
{
	struct c2h *h = &c->c2h;
	uint8_t wb[QKDCHIP_WB_SIZE];
	void *p;

	h->dma_errors++;
	h->error = true;
	h->err_code = code;
	h->err_arg = 0;
	h->running = false;	/* no EVENT record into a ring that is not trusted */
	if (try_wb) {
		h->seq++;
		wb_fill(c, wb, c->now);
		p = c2h_dma_w(c, h->ring.wb, QKDCHIP_WB_SIZE);
		if (p) {
			memcpy(p, wb, QKDCHIP_WB_SIZE);
			h->writebacks++;
			h->last_wb_prod = h->prod;
		} else {
			h->dma_errors++;
		}
	}
	c2h_end_run(c);
	card_event(c, QKDCHIP_EV_DMA_ERROR, 0);
	card_raise(c, QKDCHIP_IRQ_ERROR);
}

/* Write the staged records into the ring. Returns false if the engine stopped. */
static bool stage_flush(struct card *c)
{
	struct c2h *h = &c->c2h;
	uint64_t n = h->prod - h->nstage;
	unsigned int done = 0;

	while (done < h->nstage) {
		uint64_t room, addr = rec_addr(h, n + done, &room);
		uint64_t cnt = h->nstage - done < room ? h->nstage - done : room;
		void *p = c2h_dma_w(c, addr, cnt * 8);

		if (!p) {
			uint64_t lost = h->nstage - done;

			/* the records of that write are dropped and counted */
			h->prod -= lost;
			h->dropped += lost;
			h->dropped_total += lost;
			h->nstage = 0;
			c2h_fail(c, QKDCHIP_ERR_DMA_WRITE, true);
			return false;
		}
		memcpy(p, h->stage + done, cnt * 8);
		h->records += cnt;
		done += (unsigned int)cnt;
	}
	h->nstage = 0;
	return true;
}

void c2h_flush(struct card *c)
{
	if (c->c2h.running && c->c2h.nstage)
		stage_flush(c);
}

/* Read the host's consumer index. Returns false if the engine stopped. */
static bool refresh_cons(struct card *c)
{
	struct c2h *h = &c->c2h;
	uint64_t v;

	if (!card_dma_read(c, h->ring.shadow, &v, 8)) {
		c2h_fail(c, QKDCHIP_ERR_DMA_READ, true);
		return false;
	}
	if (v <= h->prod && h->prod - v <= h->ring_recs)
		h->cons = v;	/* else ignored: the last good value stays */
	return true;
}

/* Publish progress at @slot: records, consumer index, write-back block, C2H cause. */
static void writeback(struct card *c, uint64_t slot)
{
	struct c2h *h = &c->c2h;
	uint8_t wb[QKDCHIP_WB_SIZE];
	void *p;

	if (!h->running || h->stalled)
		return;
	if (h->nstage && !stage_flush(c))
		return;
	if (!refresh_cons(c))
		return;
	h->seq++;
	wb_fill(c, wb, slot);
	p = c2h_dma_w(c, h->ring.wb, QKDCHIP_WB_SIZE);
	if (!p) {
		c2h_fail(c, QKDCHIP_ERR_DMA_WRITE, false);
		return;
	}
	memcpy(p, wb, QKDCHIP_WB_SIZE);
	h->writebacks++;
	h->unpub = 0;
	h->last_wb_prod = h->prod;
	if (h->armed && (uint32_t)h->prod != h->arm) {
		h->armed = false;
		card_raise(c, QKDCHIP_IRQ_C2H);
	}
}

static uint64_t mod_time_slots(const struct card *c)
{
	return us_to_slots(c->c2h_mod_time_us);
}

/* Put a record into the ring (room checked by the caller). */
static void put_raw(struct card *c, uint64_t rec, uint64_t slot)
{
	struct c2h *h = &c->c2h;

	if (c->fault.corrupt) {
		c->fault.corrupt = false;
		rec = REC(8) | (rec & MASK(60));	/* type 8: undefined */
	}
	h->stage[h->nstage++] = rec;
	h->prod++;
	if (!h->unpub++)
		h->oldest_unpub = slot;
	if (h->nstage == sizeof(h->stage) / sizeof(h->stage[0]))
		stage_flush(c);
}

/* After records were put: the count and ring-full write-back triggers. */
static void after_put(struct card *c, uint64_t slot)
{
	struct c2h *h = &c->c2h;

	if (!h->running)
		return;
	if ((c->c2h_mod_count && h->unpub >= c->c2h_mod_count) || !ring_free_recs(h))
		writeback(c, slot);
}

/* Write the LOST triple of the open interval (room for three checked by the caller). */
static void close_loss(struct card *c, uint64_t slot)
{
	struct c2h *h = &c->c2h;
	uint64_t count = h->loss_count;
	unsigned int reason = h->loss_reason;

	put_raw(c, REC(QKDCHIP_REC_LOST) | (uint64_t)QKDCHIP_LOSS_COUNT_KIND << 56 |
		(uint64_t)reason << 52 | (count & MASK(52)), slot);
	put_raw(c, REC(QKDCHIP_REC_LOST) | (uint64_t)QKDCHIP_LOSS_FIRST_KIND << 56 |
		(h->loss_first & MASK(56)), slot);
	put_raw(c, REC(QKDCHIP_REC_LOST) | (uint64_t)QKDCHIP_LOSS_LAST_KIND << 56 |
		(h->loss_last & MASK(56)), slot);
	h->loss_open = false;
	h->losses++;
	if (reason == QKDCHIP_LOSS_RING_FULL)
		card_event(c, QKDCHIP_EV_C2H_OVERFLOW_END, (uint32_t)count);
	after_put(c, slot);
}

/* Count @n dropped records whose keys (slot, or test record number) span [first, last]. */
static void drop(struct card *c, unsigned int reason, uint64_t n, uint64_t first,
		 uint64_t last)
{
	struct c2h *h = &c->c2h;
	bool start = !h->loss_open;

	if (start) {
		h->loss_open = true;
		h->loss_reason = reason;
		h->loss_count = 0;
		h->loss_first = first;
	}
	h->loss_count += n;
	h->loss_last = last;
	h->dropped += n;
	h->dropped_total += n;
	if (start && reason == QKDCHIP_LOSS_RING_FULL) {
		card_event(c, QKDCHIP_EV_C2H_OVERFLOW, 0);
		writeback(c, c->now > last ? c->now : last);
	}
}

/* Try to close an open loss interval; returns true if records may be written. */
static bool loss_try_close(struct card *c, uint64_t slot)
{
	struct c2h *h = &c->c2h;

	if (!h->loss_open)
		return true;
	if (h->stalled)
		return false;
	if (ring_free_recs(h) < 3 && !refresh_cons(c))
		return false;
	if (ring_free_recs(h) < 3)
		return false;
	close_loss(c, slot);
	return h->running;
}

/* Emit one card-source record due at @slot (the emitters call this in slot order). */
void c2h_emit(struct card *c, uint64_t rec, uint64_t slot)
{
	struct c2h *h = &c->c2h;

	if (!h->running || h->source != QKDCHIP_C2H_SOURCE_CARD)
		return;
	if (h->stalled) {
		drop(c, QKDCHIP_LOSS_STALL, 1, slot, slot);
		return;
	}
	if (h->unpub && c->c2h_mod_time_us && h->oldest_unpub + mod_time_slots(c) <= slot) {
		writeback(c, h->oldest_unpub + mod_time_slots(c));
		if (!h->running)
			return;
	}
	if (!loss_try_close(c, slot)) {
		if (h->running)
			drop(c, h->loss_reason, 1, slot, slot);
		return;
	}
	if (!ring_free_recs(h)) {
		if (!refresh_cons(c))
			return;
		if (!ring_free_recs(h)) {
			drop(c, QKDCHIP_LOSS_RING_FULL, 1, slot, slot);
			return;
		}
	}
	put_raw(c, rec, slot);
	after_put(c, slot);
}

/* ---- the test pattern ------------------------------------------------------------------- */

static uint64_t test_record(uint64_t seed, uint64_t n)
{
	uint64_t h = mix64(seed + (n + 1) * 0x9e3779b97f4a7c15ULL);

	return REC(QKDCHIP_REC_TAG) | (h >> 62) << 56 | ((h >> 61) & 1) << 55 |
	       (h & 0xfff) << 40 | (n & MASK(40));
}

/* Slot at which test record @n is due */
static uint64_t test_due(const struct c2h *h, uint64_t n)
{
	unsigned __int128 x = (unsigned __int128)n * SLOT_HZ + h->run_rate - 1;

	return h->start + (uint64_t)(x / h->run_rate);
}

/* Number of test records due before slot @s */
static uint64_t test_ndue(const struct c2h *h, uint64_t s)
{
	if (s <= h->start)
		return 0;
	return (uint64_t)((unsigned __int128)(s - h->start - 1) * h->run_rate / SLOT_HZ) + 1;
}

static void produce_test(struct card *c, uint64_t s)
{
	struct c2h *h = &c->c2h;

	while (h->running) {
		uint64_t ndue = test_ndue(h, s), t, chunk, room, addr, i;
		uint64_t *p;

		if (h->test_n >= ndue)
			return;
		t = test_due(h, h->test_n);
		if (h->run_flow && t < c->now)
			t = c->now;	/* backlogged: produced now */
		if (h->stalled) {
			drop(c, QKDCHIP_LOSS_STALL, ndue - h->test_n, h->test_n, ndue - 1);
			h->test_n = ndue;
			return;
		}
		if (h->unpub && c->c2h_mod_time_us && h->oldest_unpub + mod_time_slots(c) <= t) {
			writeback(c, h->oldest_unpub + mod_time_slots(c));
			continue;
		}
		if (h->nstage && !stage_flush(c))
			return;
		if (!loss_try_close(c, t)) {
			if (h->running) {
				drop(c, h->loss_reason, ndue - h->test_n, h->test_n, ndue - 1);
				h->test_n = ndue;
			}
			return;
		}
		if (!ring_free_recs(h)) {
			if (!refresh_cons(c))
				return;
			if (!ring_free_recs(h)) {
				if (h->run_flow)
					return;	/* throttled: never drops */
				drop(c, QKDCHIP_LOSS_RING_FULL, ndue - h->test_n, h->test_n,
				     ndue - 1);
				h->test_n = ndue;
				return;
			}
		}
		if (h->nstage && !stage_flush(c))
			return;
		chunk = ndue - h->test_n;
		if (chunk > ring_free_recs(h))
			chunk = ring_free_recs(h);
		if (c->c2h_mod_count && chunk > c->c2h_mod_count - h->unpub)
			chunk = c->c2h_mod_count - h->unpub;
		if (c->c2h_mod_time_us && !h->run_flow) {
			uint64_t dl = (h->unpub ? h->oldest_unpub : t) + mod_time_slots(c);
			uint64_t before = test_ndue(h, dl) - h->test_n;

			if (chunk > before)
				chunk = before ? before : 1;
		}
		addr = rec_addr(h, h->prod, &room);
		if (chunk > room)
			chunk = room;
		p = c2h_dma_w(c, addr, chunk * 8);
		if (!p) {
			h->dropped += chunk;
			h->dropped_total += chunk;
			h->test_n += chunk;
			c2h_fail(c, QKDCHIP_ERR_DMA_WRITE, true);
			return;
		}
		for (i = 0; i < chunk; i++)
			p[i] = test_record(h->run_seed, h->test_n + i);
		if (c->fault.corrupt) {
			c->fault.corrupt = false;
			p[0] = REC(8) | (p[0] & MASK(60));
		}
		if (!h->unpub)
			h->oldest_unpub = t;
		h->prod += chunk;
		h->unpub += chunk;
		h->records += chunk;
		h->test_n += chunk;
		t = h->run_flow ? t : test_due(h, h->test_n - 1);
		after_put(c, t);
	}
}

/* ---- the card source ------------------------------------------------------------------------ */

static void click_schedule(struct card *c, unsigned int ch, uint64_t slot, uint32_t fine,
			   bool deadtime)
{
	struct det *d = &c->det;
	double rate = det_click_rate(c, ch), ps;
	uint64_t tot;

	if (!(rate > 0)) {
		d->next_click[ch] = NEVER;
		return;
	}
	ps = rng_exp(&c->click_rng) * 1e12 / rate;
	if (deadtime)
		ps += (double)d->deadtime_ns * 1000.0;
	if (ps > 1e18) {
		d->next_click[ch] = NEVER;
		return;
	}
	tot = fine + (uint64_t)ps;
	d->next_click[ch] = slot + tot / SLOT_PS;
	d->next_fine[ch] = (uint32_t)(tot % SLOT_PS);
}

void c2h_clicks_changed(struct card *c, int channel)
{
	unsigned int ch;

	if (!c2h_card_source(c) || card_is_client(c))
		return;
	for (ch = 0; ch < CARD_DET_CHANNELS; ch++)
		if (channel < 0 || (unsigned int)channel == ch)
			click_schedule(c, ch, c->now, 0, false);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* REFCOUNT records of the reference window that ends at @end. */
static void window_end(struct card *c, uint64_t end)
{
	struct det *d = &c->det;
	double secs = (double)(end - d->win_start) / (double)SLOT_HZ;
	double vis = d->visibility_ppm / 1e6, tau = d->deadtime_ns * 1e-9;
	uint64_t w = (end - 1) >> d->win_log2;
	unsigned int u, k;

	for (u = 0; u < CARD_DET_UNITS; u++) {
		unsigned int l = 2 * u, r = 2 * u + 1;
		double photons = (double)d->ref_rate[u] * secs / 4;
		double live_l = 1 / (1 + tau * (det_click_rate(c, l) + det_eff(c, l) *
						  (double)d->ref_rate[u] / 2));
		double live_r = 1 / (1 + tau * (det_click_rate(c, r) + det_eff(c, r) *
						  (double)d->ref_rate[u] / 2));

		for (k = 0; k < 4; k++) {
			double fl = clamp01((1 + vis * cos(d->phase[u] + k * M_PI / 2)) / 2);
			uint64_t nl = rng_poisson(&c->ref_rng, photons * fl * det_eff(c, l) * live_l);
			uint64_t nr = rng_poisson(&c->ref_rng, photons * (1 - fl) * det_eff(c, r) *
						  live_r);

			if (nl > QKDCHIP_REF_COUNT_MAX)
				nl = QKDCHIP_REF_COUNT_MAX;
			if (nr > QKDCHIP_REF_COUNT_MAX)
				nr = QKDCHIP_REF_COUNT_MAX;
			c2h_emit(c, REC(QKDCHIP_REC_REFCOUNT) | (uint64_t)u << 56 | (uint64_t)k << 54 |
				 (w & MASK(10)) << 44 | nl << 22 | nr, end);
			if (!c->c2h.running)
				return;
		}
		d->phase[u] += d->drift_mrad / 1000.0 * sqrt(secs) * rng_normal(&c->ref_rng);
		d->phase[u] = remainder(d->phase[u], 2 * M_PI);
	}
	d->win_start = end;
	d->win_log2 = d->ref_window_log2;
	d->next_win = ((end >> d->win_log2) + 1) << d->win_log2;
}

static uint64_t time_rec(unsigned int kind, uint64_t slot)
{
	return REC(QKDCHIP_REC_TIME) | (uint64_t)kind << 56 | (slot & MASK(56));
}

static uint64_t next_pps(const struct card *c)
{
	uint64_t from = c->c2h.next_pps_from;

	if (!clock_pps_active(c))
		return NEVER;
	if (from < c->clk.locked_since)
		from = c->clk.locked_since;
	return clock_next_pps(c, from);
}

/* The slot of the next record the card source produces by itself */
static uint64_t card_next_due(const struct card *c, unsigned int *which)
{
	const struct c2h *h = &c->c2h;
	uint64_t t = h->next_hb, v;
	unsigned int ch;

	*which = 0;
	v = next_pps(c);
	if (v < t) {
		t = v;
		*which = 1;
	}
	if (!card_is_client(c)) {
		if (c->det.next_win < t) {
			t = c->det.next_win;
			*which = 2;
		}
		for (ch = 0; ch < CARD_DET_CHANNELS; ch++) {
			if (c->det.next_click[ch] < t) {
				t = c->det.next_click[ch];
				*which = 3 + ch;
			}
		}
	}
	return t;
}

static void produce_card(struct card *c, uint64_t s)
{
	struct c2h *h = &c->c2h;

	while (h->running) {
		unsigned int which, ch;
		uint64_t t = card_next_due(c, &which);

		if (t >= s)
			return;
		switch (which) {
		case 0:	/* heartbeat: time reached */
			c2h_emit(c, time_rec(QKDCHIP_TIME_HEARTBEAT, t), t);
			h->next_hb = c->heartbeat_us ? t + us_to_slots(c->heartbeat_us) : NEVER;
			break;
		case 1:	/* a PPS edge */
			c2h_emit(c, time_rec(QKDCHIP_TIME_PPS, t), t);
			h->next_pps_from = t + 1;
			break;
		case 2:
			window_end(c, t);
			break;
		default:
			ch = which - 3;
			c2h_emit(c, REC(QKDCHIP_REC_TAG) | (uint64_t)ch << 56 |
				 (uint64_t)c->det.next_fine[ch] << 40 | (t & MASK(40)), t);
			click_schedule(c, ch, t, c->det.next_fine[ch], true);
			break;
		}
	}
}

void c2h_produce_until(struct card *c, uint64_t slot)
{
	if (!c->c2h.running)
		return;
	if (c->c2h.source == QKDCHIP_C2H_SOURCE_TEST)
		produce_test(c, slot);
	else
		produce_card(c, slot);
}

/* ---- start, stop, stalls -------------------------------------------------------------------- */

static void stall_begin(struct card *c, uint64_t slots)
{
	struct c2h *h = &c->c2h;

	if (h->stalled) {
		if (h->stall_end < c->now + slots)
			h->stall_end = c->now + slots;
		return;
	}
	c2h_flush(c);
	if (!h->running)
		return;
	h->stalled = true;
	h->stall_start = c->now;
	h->stall_end = c->now + slots;
	card_event(c, QKDCHIP_EV_C2H_STALL, 0);
}

static void stall_end(struct card *c)
{
	struct c2h *h = &c->c2h;
	uint64_t us = (c->now - h->stall_start) / SLOTS_PER_US;

	h->stalled = false;
	h->stalls++;
	loss_try_close(c, c->now);
	card_event(c, QKDCHIP_EV_C2H_STALL_END, (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us));
	writeback(c, c->now);
}

void c2h_stall(struct card *c, uint64_t slots)
{
	if (c->c2h.running)
		stall_begin(c, slots);
	else
		c->fault.stall_slots = slots;	/* at the next start */
}

static void c2h_start(struct card *c)
{
	struct c2h *h = &c->c2h;
	unsigned int src = QKDCHIP_C2H_SOURCE(h->ctrl), ch;
	uint32_t code, arg;

	ring_free(&h->ring);
	if (src > QKDCHIP_C2H_SOURCE_TEST) {
		code = QKDCHIP_ERR_BAD_CONFIG;
		arg = QKDCHIP_REG_C2H_CTRL >> 2;
		goto fail;
	}
	if (ring_start(c, 0, &h->regs, &h->ring, &code, &arg))
		goto fail;
	h->error = false;
	h->err_code = h->err_arg = 0;
	h->running = true;
	h->stopping = false;
	h->source = src;
	h->ring_recs = (uint64_t)h->ring.count << (h->ring.buf_log2 - 3);
	h->start = c->now;
	h->prod = h->cons = h->dropped = h->last_wb_prod = 0;
	h->seq = 0;
	h->unpub = 0;
	h->loss_open = h->stalled = false;
	h->nstage = 0;
	h->test_n = 0;
	h->run_flow = !h->test_rate;
	h->run_rate = h->test_rate && h->test_rate < C2H_MAX_RATE ? h->test_rate : C2H_MAX_RATE;
	h->run_seed = h->test_seed;
	h->next_hb = NEVER;
	h->next_pps_from = c->now;
	if (src == QKDCHIP_C2H_SOURCE_CARD) {
		h->next_hb = c->heartbeat_us ? c->now + us_to_slots(c->heartbeat_us) : NEVER;
		if (!card_is_client(c)) {
			c->det.win_start = c->now;
			c->det.win_log2 = c->det.ref_window_log2;
			c->det.next_win = ((c->now >> c->det.win_log2) + 1) << c->det.win_log2;
			for (ch = 0; ch < CARD_DET_CHANNELS; ch++)
				click_schedule(c, ch, c->now, 0, false);
		}
		c2h_emit(c, time_rec(QKDCHIP_TIME_START, c->now), c->now);
	}
	if (c->fault.stall_slots) {
		uint64_t slots = c->fault.stall_slots;

		c->fault.stall_slots = 0;
		stall_begin(c, slots);
	}
	return;

fail:
	h->error = true;
	h->err_code = code;
	h->err_arg = arg;
	h->ctrl &= ~QKDCHIP_C2H_RUN;
	if (code == QKDCHIP_ERR_BAD_DESC)
		card_event(c, QKDCHIP_EV_DESC_ERROR, arg);
	else if (code == QKDCHIP_ERR_DMA_READ) {
		h->dma_errors++;
		card_event(c, QKDCHIP_EV_DMA_ERROR, 0);
	}
	card_raise(c, QKDCHIP_IRQ_ERROR);
}

static void c2h_stop(struct card *c)
{
	struct c2h *h = &c->c2h;

	if (h->stalled)
		stall_end(c);
	if (!h->running)
		return;
	c2h_flush(c);
	if (h->running && h->loss_open)
		loss_try_close(c, c->now);
	if (!h->running)
		return;
	h->stopping = true;	/* the final write-back reports RUNNING clear */
	writeback(c, c->now);
	if (h->running)
		c2h_end_run(c);
}

/* ---- registers -------------------------------------------------------------------------------- */

/* The ring registers of an engine block (same layout in both), relative offsets */
bool ring_regs_read(const struct ring_regs *r, uint32_t rel, uint32_t *val)
{
	switch (rel) {
	case 0x08:
		*val = (uint32_t)r->desc.v;
		return true;
	case 0x0c:
		*val = (uint32_t)(r->desc.v >> 32);
		return true;
	case 0x10:
		*val = r->desc_count;
		return true;
	case 0x14:
		*val = r->buf_log2;
		return true;
	case 0x18:
		*val = (uint32_t)r->wb.v;
		return true;
	case 0x1c:
		*val = (uint32_t)(r->wb.v >> 32);
		return true;
	case 0x20:
		*val = (uint32_t)r->shadow.v;
		return true;
	case 0x24:
		*val = (uint32_t)(r->shadow.v >> 32);
		return true;
	}
	return false;
}

bool ring_regs_write(struct ring_regs *r, uint32_t rel, uint32_t val, bool locked)
{
	switch (rel) {
	case 0x08:
	case 0x0c:
		reg64_write(&r->desc, rel == 0x0c, val, locked);
		return true;
	case 0x10:
		if (!locked)
			r->desc_count = val;
		return true;
	case 0x14:
		if (!locked)
			r->buf_log2 = val;
		return true;
	case 0x18:
	case 0x1c:
		reg64_write(&r->wb, rel == 0x1c, val, locked);
		return true;
	case 0x20:
	case 0x24:
		reg64_write(&r->shadow, rel == 0x24, val, locked);
		return true;
	}
	return false;
}

bool c2h_read(struct card *c, uint32_t off, uint32_t *val)
{
	struct c2h *h = &c->c2h;

	if (off < 0x1000 || off >= 0x1100)
		return false;
	if (ring_regs_read(&h->regs, off - 0x1000, val))
		return true;
	switch (off) {
	case QKDCHIP_REG_C2H_CTRL:
		*val = h->ctrl;
		break;
	case QKDCHIP_REG_C2H_STATUS:
		*val = c2h_status(c);
		break;
	case QKDCHIP_REG_C2H_TEST_RATE:
		*val = h->test_rate;
		break;
	case QKDCHIP_REG_C2H_TEST_SEED:
		*val = h->test_seed;
		break;
	case QKDCHIP_REG_C2H_DMA_ERRORS:
		*val = h->dma_errors;
		break;
	case QKDCHIP_REG_C2H_STALLS:
		*val = h->stalls;
		break;
	default:
		*val = 0;
		break;
	}
	return true;
}

uint64_t c2h_live64(struct card *c, uint32_t off)
{
	const struct c2h *h = &c->c2h;

	switch (off) {
	case QKDCHIP_REG_C2H_PROD_LO:
		return h->prod - h->nstage;
	case QKDCHIP_REG_C2H_RECORDS_LO:
		return h->records;
	case QKDCHIP_REG_C2H_DROPPED_LO:
		return h->dropped_total;
	case QKDCHIP_REG_C2H_LOSSES_LO:
		return h->losses;
	case QKDCHIP_REG_C2H_WRITEBACKS_LO:
		return h->writebacks;
	}
	return 0;
}

bool c2h_write(struct card *c, uint32_t off, uint32_t val)
{
	struct c2h *h = &c->c2h;

	if (off < 0x1000 || off >= 0x1100)
		return false;
	if (ring_regs_write(&h->regs, off - 0x1000, val, h->running))
		return true;
	switch (off) {
	case QKDCHIP_REG_C2H_CTRL:
		if (h->running) {
			/* SOURCE cannot change while running */
			if (!(val & QKDCHIP_C2H_RUN))
				c2h_stop(c);
			return true;
		}
		h->ctrl = val & (QKDCHIP_C2H_RUN | 0xf0);
		if (val & QKDCHIP_C2H_RUN)
			c2h_start(c);
		return true;
	case QKDCHIP_REG_C2H_ARM:
		h->arm = val;
		h->armed = true;
		if ((uint32_t)h->last_wb_prod != val) {
			h->armed = false;
			card_raise(c, QKDCHIP_IRQ_C2H);
		}
		return true;
	case QKDCHIP_REG_C2H_TEST_RATE:
		h->test_rate = val;
		return true;
	case QKDCHIP_REG_C2H_TEST_SEED:
		h->test_seed = val;
		return true;
	}
	return true;	/* read-only: ignored */
}

/* ---- discrete events -------------------------------------------------------------------------- */

uint64_t c2h_next_deadline(const struct card *c)
{
	const struct c2h *h = &c->c2h;
	uint64_t t = NEVER, mt = mod_time_slots(c), due;
	unsigned int which;

	if (!h->running)
		return NEVER;
	if (h->stalled)
		return h->stall_end;
	if (h->loss_open)
		t = c->now + SLOTS_PER_MS;	/* look for room again */
	if (h->unpub && c->c2h_mod_time_us && h->oldest_unpub + mt < t)
		t = h->oldest_unpub + mt;
	if (h->source == QKDCHIP_C2H_SOURCE_TEST) {
		/* rate 0 and the ring full: look for room again soon */
		if (h->run_flow && !ring_free_recs(h) && c->now + PAT_POLL_SLOTS < t)
			t = c->now + PAT_POLL_SLOTS;
		due = test_due(h, h->test_n);
		if (h->run_flow && due < c->now)
			due = c->now;
		if (!h->unpub && c->c2h_mod_time_us && due + mt < t)
			t = due + mt;
		if (c->c2h_mod_count) {
			uint64_t left = c->c2h_mod_count > h->unpub ? c->c2h_mod_count - h->unpub : 1;

			due = test_due(h, h->test_n + left - 1);
			if (due < t)
				t = due;
		}
		return t;
	}
	due = card_next_due(c, &which);
	if (due == NEVER)
		return t;
	if (!h->unpub && c->c2h_mod_time_us && due + mt < t)
		t = due + mt;
	if (c->c2h_mod_count && h->unpub + 1 >= c->c2h_mod_count && due < t)
		t = due;
	return t;
}

void c2h_at(struct card *c)
{
	struct c2h *h = &c->c2h;

	if (!h->running)
		return;
	if (h->stalled) {
		if (c->now >= h->stall_end)
			stall_end(c);
		return;
	}
	if (h->unpub && c->c2h_mod_time_us && h->oldest_unpub + mod_time_slots(c) <= c->now)
		writeback(c, c->now);
	if (h->running && h->loss_open)
		loss_try_close(c, c->now);
}
