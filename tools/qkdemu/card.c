// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu card model: identity, control, time base, interrupts, the event log, BAR
 * access rules and the discrete-event loop that advances the card in time
 * (Documentation/hw/registers.rst, Documentation/qkdemu/index.rst). The engines are
 * in card_c2h.c and card_pat.c, the slow-control physics in card_slow.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_priv.h"

const char *card_role_name(enum card_role role)
{
	switch (role) {
	case CARD_CLIENT:
		return "client";
	case CARD_SERVER:
		return "server";
	}
	return "unknown";
}

enum card_role card_role(const struct card *c)
{
	return c->cfg.role;
}

/* ---- time -------------------------------------------------------------------- */

static uint64_t ns_to_slot(uint64_t ns)
{
	return ns / 4 * 5 + (ns % 4) * 5 / 4;
}

/* The first time in ns at which the slot counter has reached @slot */
static uint64_t slot_to_ns(uint64_t slot)
{
	if (slot >= UINT64_MAX / 5 * 4)
		return UINT64_MAX;
	return slot / 5 * 4 + ((slot % 5) * 4 + 4) / 5;
}

uint64_t card_now_slot(const struct card *c)
{
	return c->now;
}

/* ---- interrupts and events ------------------------------------------------------ */

static const uint32_t vec_causes[QKDCHIP_NUM_VECTORS] = {
	QKDCHIP_IRQ_VEC0, QKDCHIP_IRQ_VEC1, QKDCHIP_IRQ_VEC2,
};

static void raise_vectors(struct card *c, uint32_t newly)
{
	unsigned int vec;

	for (vec = 0; vec < QKDCHIP_NUM_VECTORS; vec++)
		if (newly & c->irq_enable & vec_causes[vec])
			c->host.irq(c->host.ctx, vec);
}

/* Causes become pending; a cause that was not pending and is enabled raises its vector. */
void card_raise(struct card *c, uint32_t causes)
{
	uint32_t newly = causes & ~c->irq_status;

	c->irq_status |= causes;
	raise_vectors(c, newly);
}

static void evlog_put(struct card *c, uint32_t code, uint32_t arg)
{
	struct evlog *ev = &c->ev;
	uint32_t *e = ev->e[ev->head % QKDCHIP_EVLOG_ENTRIES];

	if (ev->head - ev->tail >= QKDCHIP_EVLOG_ENTRIES) {
		/* the oldest unread entry is overwritten: the card moves TAIL past it */
		ev->lost++;
		ev->tail = ev->head - QKDCHIP_EVLOG_ENTRIES + 1;
	}
	e[0] = code;
	e[1] = arg;
	e[2] = (uint32_t)c->now;
	e[3] = (uint32_t)(c->now >> 32);
	ev->head++;
}

void card_event(struct card *c, uint32_t code, uint32_t arg)
{
	evlog_put(c, code, arg);
	card_raise(c, QKDCHIP_IRQ_EVENT);
	if (c2h_card_source(c))
		c2h_emit(c, (uint64_t)QKDCHIP_REC_EVENT << 60 | (uint64_t)(code & 0xfff) << 48 |
			 (c->now & ((1ULL << 48) - 1)), c->now);
}

/* ---- DMA ------------------------------------------------------------------------- */

void *card_dma(struct card *c, uint64_t iova, uint64_t len, bool write)
{
	if (!len || iova + len < iova)
		return NULL;
	return c->host.dma_ptr(c->host.ctx, iova, len, write);
}

bool card_dma_read(struct card *c, uint64_t iova, void *dst, uint64_t len)
{
	void *p = card_dma(c, iova, len, false);

	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool card_dma_write(struct card *c, uint64_t iova, const void *src, uint64_t len)
{
	void *p = card_dma(c, iova, len, true);

	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

/*
 * Validate a ring's configuration and read its descriptors (streams.rst,
 * "Descriptors"). Register offsets are relative to the engine's block, which has the
 * same layout for both engines. Returns 0, or -1 with the error code and argument.
 */
int ring_start(struct card *c, unsigned int engine, const struct ring_regs *regs,
	       struct ring *ring, uint32_t *err_code, uint32_t *err_arg)
{
	uint32_t base = engine ? QKDCHIP_REG_PAT_CTRL : QKDCHIP_REG_C2H_CTRL;
	uint32_t count = regs->desc_count, blog = regs->buf_log2, i;
	uint8_t *tab;

	*err_code = QKDCHIP_ERR_BAD_CONFIG;
	if (regs->desc.v & 63) {
		*err_arg = (base + 0x08) >> 2;
		return -1;
	}
	if (count < 2 || count > (1u << CARD_RING_MAX_DESC_LOG2) || (count & (count - 1))) {
		*err_arg = (base + 0x10) >> 2;
		return -1;
	}
	if (blog < CARD_RING_MIN_BUF_LOG2 || blog > CARD_RING_MAX_BUF_LOG2) {
		*err_arg = (base + 0x14) >> 2;
		return -1;
	}
	if (regs->wb.v & 63) {
		*err_arg = (base + 0x18) >> 2;
		return -1;
	}
	if (regs->shadow.v & 7) {
		*err_arg = (base + 0x20) >> 2;
		return -1;
	}
	tab = malloc((size_t)count * QKDCHIP_DESC_SIZE);
	ring->buf = calloc(count, sizeof(*ring->buf));
	if (!tab || !ring->buf ||
	    !card_dma_read(c, regs->desc.v, tab, (uint64_t)count * QKDCHIP_DESC_SIZE)) {
		free(tab);
		free(ring->buf);
		ring->buf = NULL;
		*err_code = QKDCHIP_ERR_DMA_READ;
		*err_arg = 0;
		return -1;
	}
	for (i = 0; i < count; i++) {
		const uint8_t *d = tab + (size_t)i * QKDCHIP_DESC_SIZE;
		uint64_t addr = 0;
		uint32_t len = 0, flags = 0;
		unsigned int b;

		for (b = 0; b < 8; b++)
			addr |= (uint64_t)d[b] << (8 * b);
		for (b = 0; b < 4; b++) {
			len |= (uint32_t)d[8 + b] << (8 * b);
			flags |= (uint32_t)d[12 + b] << (8 * b);
		}
		if ((addr & 4095) || len != (1u << blog) || flags ||
		    addr > UINT64_MAX - (len - 1) || (c->fault.desc_error[engine] &&
					  i == (c->fault.desc_index[engine] < count ?
						c->fault.desc_index[engine] : count - 1))) {
			c->fault.desc_error[engine] = false;
			free(tab);
			free(ring->buf);
			ring->buf = NULL;
			*err_code = QKDCHIP_ERR_BAD_DESC;
			*err_arg = i;
			return -1;
		}
		ring->buf[i] = addr;
	}
	free(tab);
	ring->count = count;
	ring->buf_log2 = blog;
	ring->wb = regs->wb.v;
	ring->shadow = regs->shadow.v;
	return 0;
}

/* Write half of a writable pair (a locked pair ignores the HI write; LO stays held). */
void reg64_write(struct reg64 *r, bool hi, uint32_t val, bool locked)
{
	if (!hi) {
		r->lo_held = val;
		r->held = true;
		return;
	}
	if (!locked)
		r->v = (uint64_t)val << 32 | (r->held ? r->lo_held : (uint32_t)r->v);
	r->held = false;
}

bool card_engine_busy(const struct card *c)
{
	return c->c2h.running || c->pat.running || c->tbl.pending;
}

/* ---- reset ------------------------------------------------------------------------ */

static void regs_reset(struct card *c)
{
	c->scratch = 0;
	c->frame_log2 = 20;
	c->frame_base_count = 0;
	c->frame_base_slot = c->now;
	c->heartbeat_us = 1000;
	c->irq_status = 0;
	c->irq_enable = 0;
	c->c2h_mod_count = 4096;
	c->c2h_mod_time_us = 1000;
	c->pat_mod_count = 65536;
	c->pat_mod_time_us = 1000;
	memset(c->latch, 0, sizeof(c->latch));
	memset(&c->ev, 0, sizeof(c->ev));
	/* the log holds RESET_DONE; IRQ_STATUS stays 0 (its reset value) */
	evlog_put(c, QKDCHIP_EV_RESET_DONE, 0);
}

void card_reset(struct card *c)
{
	c2h_reset(c);
	pat_reset(c);
	table_reset(c, false);
	slow_reset(c);
	regs_reset(c);
}

struct card *card_new(const struct card_config *cfg, const struct card_host *host)
{
	struct card *c;
	uint64_t s;
	unsigned int i;

	if ((cfg->role != CARD_CLIENT && cfg->role != CARD_SERVER) || !host ||
	    !host->dma_ptr || !host->irq)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.hw_version)
		c->cfg.hw_version = CARD_HW_VERSION;
	c->host = *host;
	/* Serial: role in the top byte, then a per-seed, per-index value. */
	s = rng_derive(cfg->seed, cfg->index, STREAM_SERIAL);
	c->serial = ((uint64_t)cfg->role << 56) | (s & 0x00ffffffffffffffULL);
	rng_init(&c->drift_rng, rng_derive(cfg->seed, cfg->index, STREAM_DRIFT));
	rng_init(&c->noise_rng, rng_derive(cfg->seed, cfg->index, STREAM_NOISE));
	rng_init(&c->click_rng, rng_derive(cfg->seed, cfg->index, STREAM_CLICKS));
	rng_init(&c->ref_rng, rng_derive(cfg->seed, cfg->index, STREAM_REFS));
	s = rng_derive(cfg->seed, cfg->index, STREAM_DRBG);
	for (i = 0; i < 8; i += 2) {
		uint64_t w = splitmix64_next(&s);

		c->drbg_key[i] = (uint32_t)w;
		c->drbg_key[i + 1] = (uint32_t)(w >> 32);
	}
	c->next_tick = SLOW_TICK_SLOTS;
	slow_init(c);
	table_reset(c, true);
	card_reset(c);
	return c;
}

void card_free(struct card *c)
{
	if (!c)
		return;
	c2h_reset(c);
	pat_reset(c);
	free(c);
}

/* ---- registers ---------------------------------------------------------------------- */

static uint32_t card_features(const struct card *c)
{
	if (card_is_client(c))
		return QKDCHIP_FEAT_C2H | QKDCHIP_FEAT_H2C_TABLE | QKDCHIP_FEAT_H2C_PATTERN |
		       QKDCHIP_FEAT_CARD_SEEDED | QKDCHIP_FEAT_LASER | QKDCHIP_FEAT_EXT_CLOCK;
	return QKDCHIP_FEAT_C2H | QKDCHIP_FEAT_TAGGER | QKDCHIP_FEAT_COMB | QKDCHIP_FEAT_EXT_CLOCK;
}

static uint64_t frame_count(const struct card *c)
{
	return c->frame_base_count + (c->now >> c->frame_log2) -
	       (c->frame_base_slot >> c->frame_log2);
}

/* Live 64-bit values read through _LO/_HI pairs (latched on LO reads) */
static const uint32_t latched_lo[CARD_NUM_LATCHES] = {
	QKDCHIP_REG_SERIAL_LO, QKDCHIP_REG_TIME_LO, QKDCHIP_REG_FRAME_COUNT_LO,
	QKDCHIP_REG_C2H_PROD_LO, QKDCHIP_REG_C2H_RECORDS_LO, QKDCHIP_REG_C2H_DROPPED_LO,
	QKDCHIP_REG_C2H_LOSSES_LO, QKDCHIP_REG_C2H_WRITEBACKS_LO, QKDCHIP_REG_PAT_START_LO,
	QKDCHIP_REG_PAT_CONS_LO, QKDCHIP_REG_PAT_UNDERRUN_LO, QKDCHIP_REG_TABLE_FRAME_LO,
	QKDCHIP_REG_PAT_TOTAL_LO,
};

static bool role_has(const struct card *c, uint32_t off)
{
	bool client = card_is_client(c);

	if (off >= 0x2000 && off < 0x2200)
		return client;
	if (off >= 0x3000 && off < 0x3080)
		return client;
	if (off >= 0x3100 && off < 0x3300)
		return !client;
	return true;
}

static uint64_t live64(struct card *c, uint32_t lo)
{
	switch (lo) {
	case QKDCHIP_REG_SERIAL_LO:
		return c->serial;
	case QKDCHIP_REG_TIME_LO:
		return c->now;
	case QKDCHIP_REG_FRAME_COUNT_LO:
		return frame_count(c);
	case QKDCHIP_REG_TABLE_FRAME_LO:
		return c->tbl.frame;
	}
	if (lo >= 0x1000 && lo < 0x1100)
		return c2h_live64(c, lo);
	return pat_live64(c, lo);
}

static uint32_t status_reg(const struct card *c)
{
	uint32_t s = QKDCHIP_STATUS_READY;

	if (c->c2h.running)
		s |= QKDCHIP_STATUS_C2H_RUNNING;
	if (c->pat.running)
		s |= QKDCHIP_STATUS_PAT_RUNNING;
	if (source_locked(c))
		s |= QKDCHIP_STATUS_SOURCE_LOCKED;
	if (c->clk.locked)
		s |= QKDCHIP_STATUS_CLOCK_LOCKED;
	if (c->temp.over_temp)
		s |= QKDCHIP_STATUS_OVER_TEMP;
	if (c->c2h.error || c->pat.error)
		s |= QKDCHIP_STATUS_ERROR;
	return s;
}

static uint32_t reg_read(struct card *c, uint32_t off, bool side_effects)
{
	bool client = card_is_client(c);
	uint32_t v = 0;
	unsigned int i;

	if (off & 3)
		return 0;
	if (!role_has(c, off))
		return 0;
	for (i = 0; i < CARD_NUM_LATCHES; i++) {
		if (off == latched_lo[i]) {
			uint64_t q = live64(c, off);

			if (side_effects) {
				c->latch[i].valid = true;
				c->latch[i].hi = (uint32_t)(q >> 32);
			}
			return (uint32_t)q;
		}
		if (off == latched_lo[i] + 4) {
			if (side_effects && c->latch[i].valid) {
				c->latch[i].valid = false;
				return c->latch[i].hi;
			}
			return (uint32_t)(live64(c, latched_lo[i]) >> 32);
		}
	}
	if (off >= QKDCHIP_EVLOG_BASE &&
	    off < QKDCHIP_EVLOG_BASE + QKDCHIP_EVLOG_ENTRIES * QKDCHIP_EVLOG_ENTRY_SIZE) {
		i = (off - QKDCHIP_EVLOG_BASE) / QKDCHIP_EVLOG_ENTRY_SIZE;
		return c->ev.e[i][(off % QKDCHIP_EVLOG_ENTRY_SIZE) / 4];
	}

	switch (off) {
	case QKDCHIP_REG_MAGIC:
		return QKDCHIP_MAGIC;
	case QKDCHIP_REG_VERSION:
		return c->cfg.hw_version;
	case QKDCHIP_REG_ROLE:
		return c->cfg.role;
	case QKDCHIP_REG_FEATURES:
		return card_features(c);
	case QKDCHIP_REG_FW_BUILD:
		return CARD_FW_BUILD;
	case QKDCHIP_REG_FW_DATE:
		return CARD_FW_DATE;
	case QKDCHIP_REG_CAP_DAC:
		return client ? (CARD_DAC_CHANNELS | CARD_DAC_SAMPLES << 8 | CARD_DAC_BITS << 16) : 0;
	case QKDCHIP_REG_CAP_SLOT_RATE:
		return SLOT_RATE_KHZ;
	case QKDCHIP_REG_CAP_DET:
		return client ? 0 : (CARD_DET_CHANNELS | CARD_DET_UNITS << 8 | 1u << 16);
	case QKDCHIP_REG_CAP_RING:
		return CARD_RING_MAX_DESC_LOG2 | CARD_RING_MIN_BUF_LOG2 << 8 |
		       CARD_RING_MAX_BUF_LOG2 << 16;
	case QKDCHIP_REG_CAP_TABLE:
		return client ? (CARD_TABLE_SYMBOLS | CARD_TABLE_BANKS << 16) : 0;
	case QKDCHIP_REG_CAP_FRAME:
		return CARD_FRAME_MIN_LOG2 | CARD_FRAME_MAX_LOG2 << 8;
	case QKDCHIP_REG_SCRATCH:
		return c->scratch;
	case QKDCHIP_REG_STATUS:
		return status_reg(c);
	case QKDCHIP_REG_FRAME_LOG2:
		return c->frame_log2;
	case QKDCHIP_REG_HEARTBEAT_US:
		return c->heartbeat_us;
	case QKDCHIP_REG_IRQ_STATUS:
		return c->irq_status;
	case QKDCHIP_REG_IRQ_ENABLE:
		return c->irq_enable;
	case QKDCHIP_REG_C2H_MOD_COUNT:
		return c->c2h_mod_count;
	case QKDCHIP_REG_C2H_MOD_TIME_US:
		return c->c2h_mod_time_us;
	case QKDCHIP_REG_PAT_MOD_COUNT:
		return c->pat_mod_count;
	case QKDCHIP_REG_PAT_MOD_TIME_US:
		return c->pat_mod_time_us;
	case QKDCHIP_REG_EVLOG_HEAD:
		return c->ev.head;
	case QKDCHIP_REG_EVLOG_TAIL:
		return c->ev.tail;
	case QKDCHIP_REG_EVLOG_LOST:
		return c->ev.lost;
	}
	if (c2h_read(c, off, &v) || pat_read(c, off, &v) || table_read(c, off, &v) ||
	    slow_read(c, off, &v))
		return v;
	return 0;	/* unimplemented registers read as zero (CTRL, DOORBELL, ...) */
}

uint32_t card_reg_read(struct card *c, uint32_t off)
{
	return reg_read(c, off, true);
}

uint32_t card_reg_peek(struct card *c, uint32_t off)
{
	return reg_read(c, off, false);
}

static void evlog_tail_write(struct card *c, uint32_t val)
{
	struct evlog *ev = &c->ev;
	uint32_t fwd = val - ev->tail, unread = ev->head - ev->tail;

	if (fwd <= unread)
		ev->tail = val;
	else if (fwd < 0x80000000u)
		ev->tail = ev->head;	/* beyond HEAD: clamped */
	/* else: moves it back: ignored */
}

void card_reg_write(struct card *c, uint32_t off, uint32_t val)
{
	uint32_t newly;

	if ((off & 3) || !role_has(c, off))
		return;
	switch (off) {
	case QKDCHIP_REG_SCRATCH:
		c->scratch = val;
		return;
	case QKDCHIP_REG_DOORBELL:
		card_raise(c, QKDCHIP_IRQ_DOORBELL(QKDCHIP_DOORBELL_VECTOR(val) % 3));
		return;
	case QKDCHIP_REG_CTRL:
		if (val & QKDCHIP_CTRL_RESET)
			card_reset(c);
		return;
	case QKDCHIP_REG_FRAME_LOG2:
		if (val < CARD_FRAME_MIN_LOG2 || val > CARD_FRAME_MAX_LOG2 || card_engine_busy(c))
			return;
		c->frame_base_count = frame_count(c);
		c->frame_base_slot = c->now;
		c->frame_log2 = val;
		return;
	case QKDCHIP_REG_HEARTBEAT_US:
		c->heartbeat_us = val > QKDCHIP_HEARTBEAT_MAX_US ? QKDCHIP_HEARTBEAT_MAX_US : val;
		if (c->c2h.running && c->c2h.source == QKDCHIP_C2H_SOURCE_CARD)
			c->c2h.next_hb = c->heartbeat_us ? c->now + us_to_slots(c->heartbeat_us) : NEVER;
		return;
	case QKDCHIP_REG_IRQ_STATUS:
		c->irq_status &= ~val;
		return;
	case QKDCHIP_REG_IRQ_ENABLE:
		newly = val & ~c->irq_enable & c->irq_status & QKDCHIP_IRQ_ALL;
		c->irq_enable = val & QKDCHIP_IRQ_ALL;
		raise_vectors(c, newly);	/* enabling a pending cause raises its vector */
		return;
	case QKDCHIP_REG_C2H_MOD_COUNT:
		c->c2h_mod_count = val;
		return;
	case QKDCHIP_REG_C2H_MOD_TIME_US:
		c->c2h_mod_time_us = val;
		return;
	case QKDCHIP_REG_PAT_MOD_COUNT:
		c->pat_mod_count = val;
		return;
	case QKDCHIP_REG_PAT_MOD_TIME_US:
		c->pat_mod_time_us = val;
		return;
	case QKDCHIP_REG_EVLOG_TAIL:
		evlog_tail_write(c, val);
		return;
	}
	if (c2h_write(c, off, val) || pat_write(c, off, val) || table_write(c, off, val))
		return;
	slow_write(c, off, val);	/* read-only and unimplemented: ignored */
}

int card_bar_read(struct card *c, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	uint8_t bytes[16];
	uint64_t first, r;

	if (bar != QKDCHIP_BAR_REGS || !len || len > 8)
		return -EINVAL;
	if (off >= QKDCHIP_BAR_REGS_SIZE || len > QKDCHIP_BAR_REGS_SIZE - off)
		return -EINVAL;
	/* Every register touched is read once, lowest first (64-bit: LO, then HI). */
	first = off & ~3ULL;
	for (r = first; r < off + len; r += 4) {
		uint32_t v = card_reg_read(c, (uint32_t)r);

		memcpy(bytes + (r - first), &v, 4);
	}
	memcpy(buf, bytes + (off - first), len);
	return 0;
}

int card_bar_write(struct card *c, unsigned int bar, uint64_t off, const void *buf, uint32_t len)
{
	uint32_t v[2];

	if (bar != QKDCHIP_BAR_REGS || !len || len > 8)
		return -EINVAL;
	if (off >= QKDCHIP_BAR_REGS_SIZE || len > QKDCHIP_BAR_REGS_SIZE - off)
		return -EINVAL;
	if (len == 4 && !(off & 3)) {
		memcpy(v, buf, 4);
		card_reg_write(c, (uint32_t)off, v[0]);
	} else if (len == 8 && !(off & 7)) {
		memcpy(v, buf, 8);
		card_reg_write(c, (uint32_t)off, v[0]);
		card_reg_write(c, (uint32_t)off + 4, v[1]);
	}
	/* narrower or unaligned writes are ignored, as on the hardware */
	return 0;
}

/* ---- the discrete-event loop ---------------------------------------------------------- */

static uint64_t storm_deadline(const struct card *c)
{
	return c->fault.storm_left ? c->fault.storm_next : NEVER;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t next_event(const struct card *c)
{
	uint64_t t = slow_next_deadline(c);

	t = min64(t, frame_next_deadline(c));
	t = min64(t, pat_next_deadline(c));
	t = min64(t, c2h_next_deadline(c));
	t = min64(t, storm_deadline(c));
	if (c->tbl.busy)
		t = min64(t, c->tbl.load_done);
	return t;
}

static void storm_at(struct card *c)
{
	if (!c->fault.storm_left || c->now < c->fault.storm_next)
		return;
	c->host.irq(c->host.ctx, c->fault.storm_vec);
	c->fault.storm_left--;
	c->fault.storm_next = c->now + STORM_GAP_SLOTS;
}

void card_advance(struct card *c, uint64_t now_ns)
{
	uint64_t target = ns_to_slot(now_ns);

	if (target <= c->now || c->in_advance)
		return;
	c->in_advance = true;
	while (c->now < target) {
		uint64_t next = next_event(c);

		if (next <= c->now)
			next = c->now + 1;	/* never stand still */
		if (next > target)
			next = target;
		c2h_produce_until(c, next);
		c->now = next;
		pat_update(c);
		slow_at(c);
		frame_at(c);
		pat_at(c);
		c2h_at(c);
		storm_at(c);
	}
	c2h_flush(c);
	c->in_advance = false;
}

uint64_t card_next_deadline_ns(const struct card *c)
{
	uint64_t t = next_event(c);

	return t == NEVER ? UINT64_MAX : slot_to_ns(t);
}

/* ---- faults, control hooks, status ------------------------------------------------------ */

static int errmsg(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errmsg(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_s64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_sensor(const char *s, uint64_t *out)
{
	static const char *const names[QKDCHIP_NUM_TEMPS] = { "chip", "board", "fpga" };
	unsigned int i;

	for (i = 0; i < QKDCHIP_NUM_TEMPS; i++) {
		if (s && !strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return parse_u64(s, QKDCHIP_NUM_TEMPS - 1, out);
}

int card_fault_parse(int argc, char *const argv[], struct card_fault *f, char *err, size_t len)
{
	const char *name = argc > 0 ? argv[0] : "";
	uint64_t u;
	int64_t s;

	memset(f, 0, sizeof(*f));
	if (!strcmp(name, "dma-write") || !strcmp(name, "dma-read") || !strcmp(name, "corrupt") ||
	    !strcmp(name, "lock-lost") || !strcmp(name, "remove")) {
		if (argc != 1)
			return errmsg(err, len, "fault %s takes no arguments", name);
		f->kind = !strcmp(name, "dma-write") ? CARD_FAULT_DMA_WRITE :
			  !strcmp(name, "dma-read") ? CARD_FAULT_DMA_READ :
			  !strcmp(name, "corrupt") ? CARD_FAULT_CORRUPT :
			  !strcmp(name, "lock-lost") ? CARD_FAULT_LOCK_LOST : CARD_FAULT_REMOVE;
		return 0;
	}
	if (!strcmp(name, "desc-error")) {
		f->kind = CARD_FAULT_DESC_ERROR;
		if (argc > 3)
			return errmsg(err, len, "usage: desc-error [c2h|pat] [INDEX]");
		if (argc >= 2) {
			if (!strcmp(argv[1], "c2h"))
				f->a = 0;
			else if (!strcmp(argv[1], "pat"))
				f->a = 1;
			else
				return errmsg(err, len, "desc-error: engine '%s' is not c2h or pat",
					      argv[1]);
		}
		if (argc == 3) {
			if (parse_u64(argv[2], (1u << CARD_RING_MAX_DESC_LOG2) - 1, &u))
				return errmsg(err, len, "desc-error: INDEX '%s' is not 0..%u", argv[2],
					      (1u << CARD_RING_MAX_DESC_LOG2) - 1);
			f->b = (int64_t)u;
		}
		return 0;
	}
	if (!strcmp(name, "stall")) {
		f->kind = CARD_FAULT_STALL;
		if (argc != 2 || parse_u64(argv[1], 60000, &u) || !u)
			return errmsg(err, len, "usage: stall MS (1..60000)");
		f->a = u;
		return 0;
	}
	if (!strcmp(name, "over-temp")) {
		f->kind = CARD_FAULT_OVER_TEMP;
		if (argc < 2 || argc > 3 || parse_sensor(argv[1], &u))
			return errmsg(err, len, "usage: over-temp SENSOR [MC] (SENSOR chip, board, "
				      "fpga or 0..2)");
		f->a = u;
		if (argc == 3) {
			if (parse_s64(argv[2], -50000, 200000, &s))
				return errmsg(err, len, "over-temp: MC '%s' is not -50000..200000",
					      argv[2]);
			f->b = s;
			f->has_value = true;
		}
		return 0;
	}
	if (!strcmp(name, "irq-storm")) {
		f->kind = CARD_FAULT_IRQ_STORM;
		if (argc != 3 || parse_u64(argv[1], QKDCHIP_NUM_VECTORS - 1, &u))
			return errmsg(err, len, "usage: irq-storm VECTOR COUNT (VECTOR 0..%d, COUNT "
				      "1..1000000)", QKDCHIP_NUM_VECTORS - 1);
		f->a = u;
		if (parse_u64(argv[2], 1000000, &u) || !u)
			return errmsg(err, len, "irq-storm: COUNT '%s' is not 1..1000000", argv[2]);
		f->b = (int64_t)u;
		return 0;
	}
	if (!argc || !*name)
		return errmsg(err, len, "no fault given");
	return errmsg(err, len, "unknown fault '%s' (dma-write, dma-read, desc-error, stall, "
		      "corrupt, lock-lost, over-temp, irq-storm, remove)", name);
}

int card_inject(struct card *c, const struct card_fault *f, char *err, size_t len)
{
	switch (f->kind) {
	case CARD_FAULT_DMA_WRITE:
		c->fault.dma_write = true;
		return 0;
	case CARD_FAULT_DMA_READ:
		if (!card_is_client(c))
			return errmsg(err, len, "dma-read: a server card has no pattern or table "
				      "engine");
		c->fault.dma_read = true;
		return 0;
	case CARD_FAULT_DESC_ERROR:
		if (f->a == 1 && !card_is_client(c))
			return errmsg(err, len, "desc-error: a server card has no pattern engine");
		c->fault.desc_error[f->a] = true;
		c->fault.desc_index[f->a] = (uint32_t)f->b;
		return 0;
	case CARD_FAULT_STALL:
		c2h_stall(c, f->a * SLOTS_PER_MS);
		return 0;
	case CARD_FAULT_CORRUPT:
		c->fault.corrupt = true;
		return 0;
	case CARD_FAULT_LOCK_LOST:
		lock_fault(c, card_is_client(c) ? &c->laser : &c->comb);
		return 0;
	case CARD_FAULT_OVER_TEMP: {
		unsigned int sensor = (unsigned int)f->a;
		double base = sensor == QKDCHIP_TEMP_CHIP ? c->temp.chip_mc :
			      sensor == QKDCHIP_TEMP_BOARD ? c->temp.board_mc : c->temp.fpga_mc;
		double want = f->has_value ? (double)f->b : (double)c->temp.crit_mc + 5000.0;

		c->temp.excursion_mc[sensor] = want - base;
		temp_check(c);
		return 0;
	}
	case CARD_FAULT_IRQ_STORM:
		c->fault.storm_vec = (unsigned int)f->a;
		c->fault.storm_left = (uint64_t)f->b;
		c->fault.storm_next = c->now;
		storm_at(c);
		return 0;
	case CARD_FAULT_REMOVE:
		return errmsg(err, len, "remove: handled by the emulator, not the card model");
	}
	return errmsg(err, len, "unknown fault");
}

static const char *engine_state(bool running, bool error)
{
	return running ? "running" : error ? "error" : "stopped";
}

void card_status(struct card *c, char *buf, size_t len)
{
	const struct c2h *h = &c->c2h;
	int n;

	n = snprintf(buf, len,
		     "slot=%" PRIu64 " status=0x%02x irq=0x%08x evlog=%u/%u/%u c2h=%s src=%s "
		     "c2h_status=0x%08x prod=%" PRIu64 " cons=%" PRIu64 " dropped=%" PRIu64
		     " records=%" PRIu64 " dropped_total=%" PRIu64 " losses=%" PRIu64
		     " writebacks=%" PRIu64 " dma_errors=%u stalls=%u",
		     c->now, card_reg_peek(c, QKDCHIP_REG_STATUS), c->irq_status, c->ev.head,
		     c->ev.tail, c->ev.lost, engine_state(h->running, h->error),
		     (h->running ? h->source : QKDCHIP_C2H_SOURCE(h->ctrl)) ? "test" : "card",
		     card_reg_peek(c, QKDCHIP_REG_C2H_STATUS), h->prod, h->cons, h->dropped,
		     h->records, h->dropped_total, h->losses, h->writebacks, h->dma_errors,
		     h->stalls);
	if (n < 0 || (size_t)n >= len || !card_is_client(c))
		return;
	snprintf(buf + n, len - (size_t)n,
		 " pat=%s pat_src=%s pat_status=0x%08x pat_start=%" PRIu64 " pat_cons=%" PRIu64
		 " underrun=%" PRIu64 " underruns=%u bad_symbols=%u pat_dma_errors=%u"
		 " table_status=0x%08x",
		 engine_state(c->pat.running, c->pat.error),
		 (c->pat.running ? c->pat.source : QKDCHIP_PAT_SOURCE(c->pat.ctrl)) ? "seeded" :
		 "host", card_reg_peek(c, QKDCHIP_REG_PAT_STATUS), c->pat.start,
		 pat_live64(c, QKDCHIP_REG_PAT_CONS_LO),
		 pat_live64(c, QKDCHIP_REG_PAT_UNDERRUN_LO), c->pat.underruns,
		 c->pat.bad_symbols, c->pat.dma_errors,
		 card_reg_peek(c, QKDCHIP_REG_TABLE_STATUS));
}
