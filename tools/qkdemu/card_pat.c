// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu card model: the client's waveform table engine, pattern engine (host-streamed
 * ring and card-seeded generator) and frame-boundary events
 * (Documentation/hw/streams.rst, "Waveform tables" and "Patterns").
 *
 * Pattern consumption is computed lazily from the slot counter: the engine wakes at the
 * slot where it runs out of bytes it knows of, at write-backs, at frame boundaries and,
 * while starving, every PAT_POLL_SLOTS to read the host's producer index.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "card_priv.h"
#include "chacha20.h"

#define REC(type)		((uint64_t)(type) << 60)
#define MASK(bits)		((1ULL << (bits)) - 1)

/* ---- seeds --------------------------------------------------------------------------- */

/* K_f: the 256-bit seed of frame @frame, from the card's DRBG (random access by frame). */
void seed_for_frame(const struct card *c, uint64_t frame, uint32_t key[8])
{
	const uint32_t nonce[3] = { 0x47425244 /* "DRBG" */, (uint32_t)frame,
				    (uint32_t)(frame >> 32) };
	uint8_t blk[64];
	unsigned int i;

	chacha20_block(c->drbg_key, 0, nonce, blk);
	for (i = 0; i < 8; i++)
		key[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
			 (uint32_t)blk[4 * i + 2] << 16 | (uint32_t)blk[4 * i + 3] << 24;
}

/* The card-seeded symbol of @slot with frames of 2^@log2 slots */
static unsigned int seeded_symbol(struct card *c, uint64_t slot, unsigned int log2)
{
	uint64_t f = slot >> log2, i = slot - (f << log2);
	const uint32_t nonce[3] = { 0, (uint32_t)f, (uint32_t)(f >> 32) };
	uint8_t blk[64];

	if (!c->seed_cache_valid || c->seed_cache_frame != f) {
		seed_for_frame(c, f, c->seed_cache_key);
		c->seed_cache_frame = f;
		c->seed_cache_valid = true;
	}
	chacha20_block(c->seed_cache_key, (uint32_t)(i >> 6), nonce, blk);
	return blk[i & 63];
}

/* ---- tables --------------------------------------------------------------------------- */

void table_reset(struct card *c, bool power_up)
{
	struct table *t = &c->tbl;
	unsigned int b;

	(void)power_up;
	t->addr.v = 0;
	t->addr.held = false;
	t->len = 0;
	t->err = 0;
	t->switches = 0;
	t->frame = 0;
	t->active = 0;
	t->busy = t->loaded = t->pending = false;
	t->load_done = NEVER;
	t->switch_slot = 0;
	t->prev_symbols = 0;
	for (b = 0; b < CARD_TABLE_BANKS; b++) {
		t->bank[b].valid = false;
		t->bank[b].symbols = 0;
		t->bank[b].crc = 0;
	}
}

static bool pat_dma_read_fault(struct card *c)
{
	if (c->fault.dma_read) {
		c->fault.dma_read = false;
		return true;
	}
	return false;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Read and check the image into bank @b (streams.rst order). Returns TABLE_ERR_*. */
static uint32_t table_fetch(struct card *c, struct table_bank *bank)
{
	struct table *t = &c->tbl;
	uint8_t hdr[32];
	const uint8_t *data;
	uint32_t symbols, data_size, i, n, crc;
	int16_t lo = -(1 << (CARD_DAC_BITS - 1)), hi = (1 << (CARD_DAC_BITS - 1)) - 1;

	if (t->len < sizeof(hdr))
		return QKDCHIP_TABLE_ERR_HEADER;
	if ((t->addr.v & 7) || pat_dma_read_fault(c) ||
	    !card_dma_read(c, t->addr.v, hdr, sizeof(hdr)))
		return QKDCHIP_TABLE_ERR_DMA;
	data_size = le32(hdr + 12);
	if (le32(hdr) != QKDCHIP_TABLE_MAGIC || le16(hdr + 4) != QKDCHIP_TABLE_VERSION ||
	    le16(hdr + 6) != sizeof(hdr) || le32(hdr + 20) || le32(hdr + 24) || le32(hdr + 28) ||
	    (uint64_t)t->len != sizeof(hdr) + (uint64_t)data_size)
		return QKDCHIP_TABLE_ERR_HEADER;
	symbols = le16(hdr + 8);
	if (!symbols || symbols > CARD_TABLE_SYMBOLS || hdr[10] != CARD_DAC_CHANNELS ||
	    hdr[11] != CARD_DAC_SAMPLES ||
	    data_size != symbols * CARD_DAC_CHANNELS * CARD_DAC_SAMPLES * 2)
		return QKDCHIP_TABLE_ERR_GEOMETRY;
	data = card_dma(c, t->addr.v + sizeof(hdr), data_size, false);
	if (!data)
		return QKDCHIP_TABLE_ERR_DMA;
	crc = (uint32_t)crc32(0L, data, data_size);
	if (crc != le32(hdr + 16))
		return QKDCHIP_TABLE_ERR_CRC;
	n = data_size / 2;
	for (i = 0; i < n; i++) {
		int16_t s = (int16_t)le16(data + 2 * i);

		if (s < lo || s > hi)
			return QKDCHIP_TABLE_ERR_RANGE;
		bank->samples[i] = s;
	}
	bank->symbols = symbols;
	bank->crc = crc;
	return QKDCHIP_TABLE_ERR_NONE;
}

static void table_refuse(struct card *c, uint32_t err)
{
	c->tbl.err = err;
	card_event(c, QKDCHIP_EV_TABLE_ERROR, err);
	card_raise(c, QKDCHIP_IRQ_TABLE);
}

static void table_load(struct card *c)
{
	struct table *t = &c->tbl;
	struct table_bank *bank = &t->bank[t->active ^ 1];

	if (t->busy || t->pending) {
		table_refuse(c, QKDCHIP_TABLE_ERR_BUSY);
		return;
	}
	t->err = QKDCHIP_TABLE_ERR_NONE;
	t->busy = true;
	t->loaded = false;
	bank->valid = false;
	/* The image is read now; the result shows when the load completes. */
	t->load_result = table_fetch(c, bank);
	t->load_done = c->now + 10 * SLOTS_PER_US + (uint64_t)t->len * 5 / 4;
}

static void table_load_done(struct card *c)
{
	struct table *t = &c->tbl;
	struct table_bank *bank = &t->bank[t->active ^ 1];

	t->busy = false;
	t->load_done = NEVER;
	t->err = t->load_result;
	if (t->err == QKDCHIP_TABLE_ERR_NONE) {
		bank->valid = true;
		t->loaded = true;
		card_event(c, QKDCHIP_EV_TABLE_LOADED, t->active ^ 1);
	} else {
		bank->valid = false;
		bank->symbols = 0;
		if (t->err == QKDCHIP_TABLE_ERR_DMA)
			card_event(c, QKDCHIP_EV_DMA_ERROR, 2);
		card_event(c, QKDCHIP_EV_TABLE_ERROR, t->err);
	}
	card_raise(c, QKDCHIP_IRQ_TABLE);
}

static void table_switch(struct card *c)
{
	struct table *t = &c->tbl;

	if (t->busy || t->pending) {
		table_refuse(c, QKDCHIP_TABLE_ERR_BUSY);
		return;
	}
	if (!t->loaded) {
		table_refuse(c, QKDCHIP_TABLE_ERR_NOT_LOADED);
		return;
	}
	t->err = QKDCHIP_TABLE_ERR_NONE;
	t->pending = true;
	t->switch_slot = next_frame_after(c, c->now);
}

/* At the frame boundary c->now: the banks swap */
static void table_switch_now(struct card *c)
{
	struct table *t = &c->tbl;

	t->prev_symbols = t->bank[t->active].valid ? t->bank[t->active].symbols : 0;
	t->active ^= 1;
	t->pending = false;
	t->loaded = false;
	t->bank[t->active ^ 1].valid = false;
	t->switch_slot = c->now;
	t->frame = c->now >> c->frame_log2;
	t->switches++;
	card_event(c, QKDCHIP_EV_TABLE_SWITCHED, (uint32_t)t->frame);
	card_raise(c, QKDCHIP_IRQ_TABLE);
}

bool table_read(struct card *c, uint32_t off, uint32_t *val)
{
	struct table *t = &c->tbl;

	if (off < 0x2000 || off >= 0x2100)
		return false;
	switch (off) {
	case QKDCHIP_REG_TABLE_ADDR_LO:
		*val = (uint32_t)t->addr.v;
		break;
	case QKDCHIP_REG_TABLE_ADDR_HI:
		*val = (uint32_t)(t->addr.v >> 32);
		break;
	case QKDCHIP_REG_TABLE_LEN:
		*val = t->len;
		break;
	case QKDCHIP_REG_TABLE_STATUS:
		*val = (t->busy ? QKDCHIP_TABLE_ST_BUSY : 0) |
		       (t->loaded ? QKDCHIP_TABLE_ST_LOADED : 0) |
		       (t->pending ? QKDCHIP_TABLE_ST_PENDING : 0) |
		       (t->bank[t->active].valid ? QKDCHIP_TABLE_ST_ACTIVE_VALID : 0) |
		       t->active << 4 | (t->err & 0xff) << 8 | (t->switches & 0xffff) << 16;
		break;
	case QKDCHIP_REG_TABLE_ACTIVE_CRC:
		*val = t->bank[t->active].valid ? t->bank[t->active].crc : 0;
		break;
	case QKDCHIP_REG_TABLE_ACTIVE_SYMS:
		*val = t->bank[t->active].valid ? t->bank[t->active].symbols : 0;
		break;
	default:
		*val = 0;
		break;
	}
	return true;
}

bool table_write(struct card *c, uint32_t off, uint32_t val)
{
	if (off < 0x2000 || off >= 0x2100)
		return false;
	switch (off) {
	case QKDCHIP_REG_TABLE_ADDR_LO:
	case QKDCHIP_REG_TABLE_ADDR_HI:
		reg64_write(&c->tbl.addr, off == QKDCHIP_REG_TABLE_ADDR_HI, val, false);
		break;
	case QKDCHIP_REG_TABLE_LEN:
		c->tbl.len = val;
		break;
	case QKDCHIP_REG_TABLE_CTRL:
		if (val & QKDCHIP_TABLE_LOAD)
			table_load(c);
		if (val & QKDCHIP_TABLE_SWITCH)
			table_switch(c);
		break;
	}
	return true;
}

/* Symbols of the table that plays slot @slot (0: no table) */
static uint32_t table_symbols_at(const struct card *c, uint64_t slot, unsigned int *bank)
{
	const struct table *t = &c->tbl;

	if (slot >= t->switch_slot || !t->switches) {
		if (bank)
			*bank = t->active;
		return t->bank[t->active].valid ? t->bank[t->active].symbols : 0;
	}
	if (bank)
		*bank = t->active ^ 1;
	return t->prev_symbols;
}

/* ---- the pattern engine ------------------------------------------------------------------- */

static void ring_release(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

void pat_reset(struct card *c)
{
	ring_release(&c->pat.ring);
	memset(&c->pat, 0, sizeof(c->pat));
	c->pat.stop = 0;
}

static uint32_t pat_status(const struct card *c, bool running)
{
	const struct pat *p = &c->pat;
	uint32_t s = p->err_code << 8 | p->err_arg << 16;

	if (running)
		s |= QKDCHIP_PAT_ST_RUNNING;
	if (p->in_underrun)
		s |= QKDCHIP_PAT_ST_UNDERRUN;
	if (p->error)
		s |= QKDCHIP_PAT_ST_ERROR;
	return s;
}

static uint64_t pat_due(const struct card *c)
{
	return c->now > c->pat.start ? c->now - c->pat.start : 0;
}

static uint64_t underrun_now(const struct card *c)
{
	const struct pat *p = &c->pat;

	return p->in_underrun ? pat_due(c) - p->u_first : 0;
}

static void pat_end_run(struct card *c)
{
	struct pat *p = &c->pat;

	p->running = false;
	p->in_underrun = false;
	p->stop = c->now;
	p->ctrl &= ~QKDCHIP_PAT_RUN;
	ring_release(&p->ring);
}

static void pat_fail(struct card *c, uint32_t code);

/* Write the pattern write-back block; returns false if the engine stopped. */
static bool pat_writeback(struct card *c, bool running, bool read_shadow)
{
	struct pat *p = &c->pat;
	uint8_t wb[QKDCHIP_WB_SIZE] = { 0 };
	uint64_t und = p->underrun_run + underrun_now(c), slot = c->now, v;
	uint32_t st, seq;
	void *dst;

	if (read_shadow) {
		if (!card_dma_read(c, p->ring.shadow, &v, 8)) {
			pat_fail(c, QKDCHIP_ERR_DMA_READ);
			return false;
		}
		if (v >= p->prod && v - p->cons <= p->ring_bytes)
			p->prod = v;
	}
	st = pat_status(c, running);
	seq = ++p->seq;
	memcpy(wb + QKDCHIP_PWB_CONS, &p->cons, 8);
	memcpy(wb + QKDCHIP_PWB_UNDERRUN, &und, 8);
	memcpy(wb + QKDCHIP_PWB_TIME, &slot, 8);
	memcpy(wb + QKDCHIP_PWB_STATUS, &st, 4);
	memcpy(wb + QKDCHIP_PWB_SEQ, &seq, 4);
	dst = card_dma(c, p->ring.wb, QKDCHIP_WB_SIZE, true);
	if (!dst) {
		if (running)
			pat_fail(c, QKDCHIP_ERR_DMA_WRITE);
		else
			p->dma_errors++;
		return false;
	}
	memcpy(dst, wb, QKDCHIP_WB_SIZE);
	p->last_wb_cons = p->cons;
	p->last_wb_slot = slot;
	p->last_wb_underrun = und;
	p->pub_cons = p->cons;
	if (p->armed && (uint32_t)p->cons != p->arm) {
		p->armed = false;
		card_raise(c, QKDCHIP_IRQ_PAT);
	}
	return true;
}

/* The open underrun interval ends at c->now (bytes are on time again, or a stop). */
static void underrun_end(struct card *c)
{
	struct pat *p = &c->pat;
	uint64_t due = pat_due(c), count = due - p->u_first;
	uint64_t first = p->start + p->u_first, last = p->start + due - 1;

	p->in_underrun = false;
	p->underrun_run += count;
	p->underrun_total += count;
	card_event(c, QKDCHIP_EV_PAT_UNDERRUN_END, (uint32_t)count);
	c2h_emit(c, REC(QKDCHIP_REC_UNDERRUN) | (uint64_t)QKDCHIP_LOSS_COUNT_KIND << 56 |
		 (count & MASK(52)), c->now);
	c2h_emit(c, REC(QKDCHIP_REC_UNDERRUN) | (uint64_t)QKDCHIP_LOSS_FIRST_KIND << 56 |
		 (first & MASK(56)), c->now);
	c2h_emit(c, REC(QKDCHIP_REC_UNDERRUN) | (uint64_t)QKDCHIP_LOSS_LAST_KIND << 56 |
		 (last & MASK(56)), c->now);
}

/* A DMA access of the running engine failed: it stops (events.rst). */
static void pat_fail(struct card *c, uint32_t code)
{
	struct pat *p = &c->pat;

	p->dma_errors++;
	p->error = true;
	p->err_code = code;
	p->err_arg = 0;
	if (p->in_underrun)
		underrun_end(c);
	if (code == QKDCHIP_ERR_DMA_READ)
		pat_writeback(c, false, false);	/* a last word, if the block is reachable */
	pat_end_run(c);
	card_event(c, QKDCHIP_EV_DMA_ERROR, 1);
	card_raise(c, QKDCHIP_IRQ_ERROR);
}

/* Play bytes [a, b): check they can be read and count the bad symbols. */
static bool pat_play(struct card *c, uint64_t a, uint64_t b)
{
	struct pat *p = &c->pat;
	uint32_t syms = table_symbols_at(c, p->start + a, NULL);
	uint64_t bsize = 1ULL << p->ring.buf_log2;

	while (a < b) {
		uint64_t off = a & (bsize - 1), n = bsize - off;
		const uint8_t *src;

		if (n > b - a)
			n = b - a;
		src = pat_dma_read_fault(c) ? NULL :
		      card_dma(c, p->ring.buf[(a >> p->ring.buf_log2) & (p->ring.count - 1)] + off,
			       n, false);
		if (!src) {
			pat_fail(c, QKDCHIP_ERR_DMA_READ);
			return false;
		}
		if (syms && syms < 256) {
			uint32_t bad = 0;
			uint64_t i;

			for (i = 0; i < n; i++)
				bad += src[i] >= syms;
			p->bad_symbols += bad;
		}
		a += n;
	}
	return true;
}

/* Read the host's producer index. Returns false if the engine stopped. */
static bool pat_refresh_prod(struct card *c)
{
	struct pat *p = &c->pat;
	uint64_t v;

	if (!card_dma_read(c, p->ring.shadow, &v, 8)) {
		pat_fail(c, QKDCHIP_ERR_DMA_READ);
		return false;
	}
	if (v >= p->prod && v - p->cons <= p->ring_bytes)
		p->prod = v;	/* else ignored: the last good value stays */
	return true;
}

void pat_update(struct card *c)
{
	struct pat *p = &c->pat;
	uint64_t due;

	if (!p->running || c->now <= p->start)
		return;
	due = pat_due(c);
	if (p->source == QKDCHIP_PAT_SOURCE_SEEDED) {
		p->cons = due;
		return;
	}
	if (p->in_underrun) {
		/* bytes produced for slots that passed are consumed without playing */
		p->cons = p->prod < due ? p->prod : due;
		return;
	}
	if (p->prod < due && !pat_refresh_prod(c))
		return;
	if (p->prod >= due) {
		if (pat_play(c, p->cons, due))
			p->cons = due;
		return;
	}
	/* ran out: the underrun starts at the first byte the host has not produced */
	if (!pat_play(c, p->cons, p->prod))
		return;
	p->cons = p->prod;
	p->in_underrun = true;
	p->u_first = p->prod;
	p->underruns++;
	p->next_poll = c->now + PAT_POLL_SLOTS;
	card_event(c, QKDCHIP_EV_PAT_UNDERRUN, 0);
	pat_writeback(c, true, false);
}

static uint64_t pat_mod_time(const struct card *c)
{
	return us_to_slots(c->pat_mod_time_us);
}

uint64_t pat_next_deadline(const struct card *c)
{
	const struct pat *p = &c->pat;
	uint64_t t = NEVER, v;

	if (!p->running || p->source != QKDCHIP_PAT_SOURCE_HOST)
		return NEVER;
	if (p->in_underrun)
		t = p->next_poll;
	else
		t = p->start + p->prod;		/* runs out of bytes */
	if (c->pat_mod_count && !p->in_underrun &&
	    p->last_wb_cons + c->pat_mod_count <= p->prod) {
		v = p->start + p->last_wb_cons + c->pat_mod_count;
		if (v < t)
			t = v;
	}
	if (c->pat_mod_time_us &&
	    (p->cons != p->last_wb_cons || (!p->in_underrun && p->prod > p->cons) ||
	     p->underrun_run + underrun_now(c) != p->last_wb_underrun || p->in_underrun)) {
		v = (p->last_wb_slot > p->start ? p->last_wb_slot : p->start) + pat_mod_time(c);
		if (v < t)
			t = v;
	}
	return t;
}

void pat_at(struct card *c)
{
	struct pat *p = &c->pat;
	uint64_t due;

	if (c->tbl.busy && c->now >= c->tbl.load_done)
		table_load_done(c);
	if (!p->running || p->source != QKDCHIP_PAT_SOURCE_HOST || c->now < p->start)
		return;
	due = pat_due(c);
	if (p->in_underrun && c->now >= p->next_poll) {
		if (!pat_refresh_prod(c))
			return;
		if (p->prod >= due) {
			p->cons = due;
			underrun_end(c);
			pat_writeback(c, true, false);
			return;
		}
		p->cons = p->prod;
		p->next_poll = c->now + PAT_POLL_SLOTS;
	}
	if ((c->pat_mod_count && p->cons - p->last_wb_cons >= c->pat_mod_count) ||
	    (c->pat_mod_time_us &&
	     c->now >= (p->last_wb_slot > p->start ? p->last_wb_slot : p->start) +
		       pat_mod_time(c) &&
	     (p->cons != p->last_wb_cons ||
	      p->underrun_run + underrun_now(c) != p->last_wb_underrun)))
		pat_writeback(c, true, true);
}

static void pat_start(struct card *c)
{
	struct pat *p = &c->pat;
	unsigned int src = QKDCHIP_PAT_SOURCE(p->ctrl);
	uint32_t code, arg;

	ring_release(&p->ring);
	if (src > QKDCHIP_PAT_SOURCE_SEEDED) {
		code = QKDCHIP_ERR_BAD_CONFIG;
		arg = QKDCHIP_REG_PAT_CTRL >> 2;
		goto fail;
	}
	if (src == QKDCHIP_PAT_SOURCE_HOST && ring_start(c, 1, &p->regs, &p->ring, &code, &arg))
		goto fail;
	p->error = false;
	p->err_code = p->err_arg = 0;
	p->running = true;
	p->source = src;
	p->ring_bytes = (uint64_t)p->ring.count << p->ring.buf_log2;
	/* the first frame boundary at least 1 ms ahead */
	p->start = ((c->now + PAT_LEAD_SLOTS + frame_slots(c) - 1) >> c->frame_log2) <<
		   c->frame_log2;
	p->stop = NEVER;
	p->cons_done += p->cons;
	p->prod = p->cons = p->pub_cons = 0;
	p->underrun_run = 0;
	p->in_underrun = false;
	p->last_wb_cons = 0;
	p->last_wb_slot = c->now;
	p->last_wb_underrun = 0;
	p->seq = 0;
	p->next_frame = p->start;
	return;

fail:
	p->error = true;
	p->err_code = code;
	p->err_arg = arg;
	p->ctrl &= ~QKDCHIP_PAT_RUN;
	if (code == QKDCHIP_ERR_BAD_DESC)
		card_event(c, QKDCHIP_EV_DESC_ERROR, 1u << 16 | arg);
	else if (code == QKDCHIP_ERR_DMA_READ) {
		p->dma_errors++;
		card_event(c, QKDCHIP_EV_DMA_ERROR, 1);
	}
	card_raise(c, QKDCHIP_IRQ_ERROR);
}

static void pat_stop(struct card *c)
{
	struct pat *p = &c->pat;

	if (p->source == QKDCHIP_PAT_SOURCE_HOST) {
		if (p->in_underrun)
			underrun_end(c);
		if (!p->running)
			return;
		pat_writeback(c, false, false);
	}
	pat_end_run(c);
}

bool pat_read(struct card *c, uint32_t off, uint32_t *val)
{
	struct pat *p = &c->pat;

	if (off < 0x2100 || off >= 0x2200)
		return false;
	if (ring_regs_read(&p->regs, off - 0x2100, val))
		return true;
	switch (off) {
	case QKDCHIP_REG_PAT_CTRL:
		*val = p->ctrl;
		break;
	case QKDCHIP_REG_PAT_STATUS:
		*val = pat_status(c, p->running);
		break;
	case QKDCHIP_REG_PAT_UNDERRUNS:
		*val = p->underruns;
		break;
	case QKDCHIP_REG_PAT_BAD_SYMBOLS:
		*val = p->bad_symbols;
		break;
	case QKDCHIP_REG_PAT_DMA_ERRORS:
		*val = p->dma_errors;
		break;
	default:
		*val = 0;
		break;
	}
	return true;
}

uint64_t pat_live64(struct card *c, uint32_t off)
{
	const struct pat *p = &c->pat;

	switch (off) {
	case QKDCHIP_REG_PAT_START_LO:
		return p->start;
	case QKDCHIP_REG_PAT_CONS_LO:
		return p->cons;
	case QKDCHIP_REG_PAT_TOTAL_LO:
		return p->cons_done + p->cons;
	case QKDCHIP_REG_PAT_UNDERRUN_LO:
		return p->underrun_total + underrun_now(c);
	}
	return 0;
}

bool pat_write(struct card *c, uint32_t off, uint32_t val)
{
	struct pat *p = &c->pat;

	if (off < 0x2100 || off >= 0x2200)
		return false;
	if (ring_regs_write(&p->regs, off - 0x2100, val, p->running))
		return true;
	switch (off) {
	case QKDCHIP_REG_PAT_CTRL:
		if (p->running) {
			if (!(val & QKDCHIP_PAT_RUN))
				pat_stop(c);
			return true;
		}
		p->ctrl = val & (QKDCHIP_PAT_RUN | 0x30);
		if (val & QKDCHIP_PAT_RUN)
			pat_start(c);
		return true;
	case QKDCHIP_REG_PAT_ARM:
		p->arm = val;
		p->armed = true;
		if ((uint32_t)p->pub_cons != val) {
			p->armed = false;
			card_raise(c, QKDCHIP_IRQ_PAT);
		}
		return true;
	}
	return true;
}

/* ---- frame boundaries ------------------------------------------------------------------------ */

/* The next frame boundary the pattern engine reports in the stream (>= now) */
static uint64_t pat_frame_due(const struct card *c)
{
	const struct pat *p = &c->pat;
	uint64_t f = p->next_frame;

	if (f < c->now)
		f = ((c->now + frame_slots(c) - 1) >> c->frame_log2) << c->frame_log2;
	return f;
}

uint64_t frame_next_deadline(const struct card *c)
{
	uint64_t t = NEVER;

	if (c->tbl.pending)
		t = c->tbl.switch_slot;
	if (c->pat.running && c2h_card_source(c)) {
		uint64_t f = pat_frame_due(c);

		if (f < t)
			t = f;
	}
	return t;
}

void frame_at(struct card *c)
{
	struct pat *p = &c->pat;

	if (p->running && c2h_card_source(c)) {
		p->next_frame = pat_frame_due(c);
		if (p->next_frame == c->now) {
			uint64_t f = c->now >> c->frame_log2;

			c2h_emit(c, REC(QKDCHIP_REC_TIME) | (uint64_t)QKDCHIP_TIME_FRAME << 56 |
				 (c->now & MASK(56)), c->now);
			if (p->source == QKDCHIP_PAT_SOURCE_SEEDED) {
				uint32_t key[8];
				unsigned int w;

				seed_for_frame(c, f, key);
				for (w = 0; w < 8; w++)
					c2h_emit(c, REC(QKDCHIP_REC_SEED) | (uint64_t)w << 57 |
						 (f & MASK(25)) << 32 | key[w], c->now);
			}
			p->next_frame = c->now + frame_slots(c);
		}
	}
	if (c->tbl.pending && c->now >= c->tbl.switch_slot)
		table_switch_now(c);
}

/* ---- the symbol of a slot ------------------------------------------------------------------------ */

int card_symbol_at(struct card *c, uint64_t slot, unsigned int *bank)
{
	struct pat *p = &c->pat;
	uint32_t syms;
	uint64_t k;
	int sym;

	if (!card_is_client(c))
		return CARD_SYM_BLANK;
	syms = table_symbols_at(c, slot, bank);
	if ((!p->running && slot >= p->stop) || slot < p->start || (!p->running && !p->stop))
		return CARD_SYM_BLANK;
	if (p->source == QKDCHIP_PAT_SOURCE_SEEDED) {
		sym = (int)seeded_symbol(c, slot, c->frame_log2);
	} else {
		const uint8_t *src;

		k = slot - p->start;
		if (!p->running || k < p->pub_cons)
			return CARD_SYM_UNKNOWN;
		if (p->in_underrun && k >= p->u_first && slot < c->now)
			return CARD_SYM_BLANK;
		if (k >= p->prod && slot >= c->now) {
			/* a look ahead at the host's producer index (no error if it fails) */
			uint64_t v;

			if (card_dma_read(c, p->ring.shadow, &v, 8) && v >= p->prod &&
			    v - p->cons <= p->ring_bytes)
				p->prod = v;
		}
		if (k >= p->prod)
			return slot < c->now ? CARD_SYM_BLANK : CARD_SYM_UNKNOWN;
		src = card_dma(c, p->ring.buf[(k >> p->ring.buf_log2) & (p->ring.count - 1)] +
			       (k & ((1ULL << p->ring.buf_log2) - 1)), 1, false);
		if (!src)
			return CARD_SYM_UNKNOWN;
		sym = *src;
	}
	if (!syms || (uint32_t)sym >= syms)
		return CARD_SYM_BLANK;
	return sym;
}
