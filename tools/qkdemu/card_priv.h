/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * card_priv.h - the inside of the card model, shared by card*.c. Nothing outside the
 * model includes this; the public interface is card.h.
 *
 * Time: the model's clock is the slot counter (1.25 GHz, slot 0 at card_new()). The
 * caller advances it with card_advance(); everything in between is computed lazily and
 * in time order by a small discrete-event loop (card.c), so the work follows what
 * happens (records, frames, clicks), never the slots.
 */
#ifndef QKDEMU_CARD_PRIV_H
#define QKDEMU_CARD_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "card.h"
#include "rng.h"
#include "qkdchip_hw.h"

#define SLOT_RATE_KHZ		1250000u
#define SLOT_HZ			1250000000ULL
#define SLOTS_PER_US		1250ULL
#define SLOTS_PER_MS		1250000ULL
#define SLOT_PS			800u		/* one slot is 800 ps */
#define NEVER			UINT64_MAX

#define SLOW_TICK_SLOTS		(10 * SLOTS_PER_MS)	/* temperatures, drift, locks */
#define PAT_POLL_SLOTS		(100 * SLOTS_PER_US)	/* shadow polling while starving */
#define PAT_LEAD_SLOTS		SLOTS_PER_MS		/* PAT_START at least 1 ms ahead */
#define STORM_GAP_SLOTS		(10 * SLOTS_PER_US)	/* interrupt storm: one per 10 us */
#define CLOCK_LOCK_SLOTS	(50 * SLOTS_PER_MS)	/* external reference lock time */
#define LOCK_SEARCH_SLOTS	(50 * SLOTS_PER_MS)	/* laser/comb lock loop search */
#define C2H_MAX_RATE		250000000u	/* test records/s with C2H_TEST_RATE 0 */

/* Identity of the emulated cards (Documentation/hw/registers.rst) */
#define CARD_HW_VERSION		QKDCHIP_VERSION(1, 0, 0)
#define CARD_FW_BUILD		1
#define CARD_FW_DATE		0x20261126
#define CARD_DAC_CHANNELS	5
#define CARD_DAC_SAMPLES	8
#define CARD_DAC_BITS		14
#define CARD_DET_CHANNELS	4
#define CARD_DET_UNITS		2
#define CARD_RING_MAX_DESC_LOG2	12
#define CARD_RING_MIN_BUF_LOG2	12
#define CARD_RING_MAX_BUF_LOG2	22
#define CARD_TABLE_SYMBOLS	256
#define CARD_TABLE_BANKS	2
#define CARD_FRAME_MIN_LOG2	10
#define CARD_FRAME_MAX_LOG2	30
#define CARD_TABLE_MAX_DATA	(CARD_TABLE_SYMBOLS * CARD_DAC_CHANNELS * CARD_DAC_SAMPLES * 2)

/* Random streams of a card (rng_derive(seed, index, stream)) */
enum card_stream {
	STREAM_SERIAL = 0,
	STREAM_PARAMS,		/* per-card constants: lock currents, offsets, phases */
	STREAM_DRIFT,		/* laser/comb free-running drift */
	STREAM_NOISE,		/* sensor read-out noise */
	STREAM_CLICKS,		/* quantum-band clicks */
	STREAM_REFS,		/* reference-band counts and phases */
	STREAM_DRBG,		/* key of the seed DRBG */
};

/* A writable 64-bit register pair: a write of LO is held until HI is written. */
struct reg64 {
	uint64_t v;
	uint32_t lo_held;
	bool held;
};

/* A ring as read at start: the copy of the descriptor table */
struct ring {
	uint64_t *buf;		/* buffer addresses */
	uint32_t count;		/* buffers (power of two) */
	unsigned int buf_log2;
	uint64_t wb, shadow;
};

/* Registers shared by the two DMA engines */
struct ring_regs {
	struct reg64 desc, wb, shadow;
	uint32_t desc_count, buf_log2;
};

struct c2h {
	/* registers */
	uint32_t ctrl;
	struct ring_regs regs;
	uint32_t test_rate, test_seed;
	bool armed;
	uint32_t arm;
	/* status */
	bool error;
	uint32_t err_code, err_arg;
	/* counters since reset */
	uint64_t records, dropped_total, losses, writebacks;
	uint32_t dma_errors, stalls;

	/* the run */
	bool running, stopping;
	unsigned int source;
	struct ring ring;
	uint64_t ring_recs;	/* R */
	uint64_t start;		/* slot of the start */
	uint64_t prod, cons, dropped;
	uint64_t last_wb_prod;
	uint32_t seq;
	uint64_t unpub, oldest_unpub;
	/* an open loss interval */
	bool loss_open;
	unsigned int loss_reason;
	uint64_t loss_count, loss_first, loss_last;
	/* stall */
	bool stalled;
	uint64_t stall_start, stall_end;
	/* test pattern */
	uint64_t test_n;	/* next record number */
	uint64_t run_rate;	/* records per second (C2H_MAX_RATE for 0) */
	bool run_flow;		/* rate 0: throttled by the ring, never drops */
	uint64_t run_seed;
	/* card source */
	uint64_t next_hb;
	uint64_t next_pps_from;	/* the next PPS record is at or after this slot */
	/* records waiting to be written (ring positions prod - nstage .. prod) */
	unsigned int nstage;
	uint64_t stage[512];
};

struct pat {
	uint32_t ctrl;
	struct ring_regs regs;
	bool armed;
	uint32_t arm;
	bool error;
	uint32_t err_code, err_arg;
	/* counters since reset */
	uint64_t underrun_total;	/* blank slots of closed intervals */
	uint32_t underruns, bad_symbols, dma_errors;

	/* the run */
	bool running;
	unsigned int source;
	struct ring ring;
	uint64_t ring_bytes;
	uint64_t start;		/* PAT_START */
	uint64_t stop;		/* slot the last run stopped (NEVER while running) */
	uint64_t prod;		/* the host's producer index, last good value */
	uint64_t cons;		/* bytes consumed */
	uint64_t cons_done;	/* bytes consumed by earlier runs (PAT_TOTAL) */
	uint64_t underrun_run;	/* blank slots of this run's closed intervals */
	bool in_underrun;
	uint64_t u_first;	/* pattern index of the first blank slot */
	uint64_t next_poll;
	uint64_t last_wb_cons, last_wb_slot, last_wb_underrun, pub_cons;
	uint32_t seq;
	uint64_t next_frame;	/* next frame boundary to report */
};

struct table_bank {
	bool valid;
	uint32_t symbols, crc;
	int16_t samples[CARD_TABLE_SYMBOLS * CARD_DAC_CHANNELS * CARD_DAC_SAMPLES];
};

struct table {
	struct reg64 addr;
	uint32_t len;
	uint32_t err;
	uint32_t switches;
	uint64_t frame;		/* TABLE_FRAME */
	unsigned int active;	/* active bank */
	bool busy, loaded, pending;
	uint64_t load_done;	/* slot the load completes */
	uint32_t load_result;	/* QKDCHIP_TABLE_ERR_* of the load in progress */
	uint64_t switch_slot;	/* slot of the last switch */
	uint32_t prev_symbols;	/* symbols of the table active before it (0: none) */
	struct table_bank bank[CARD_TABLE_BANKS];
};

/* Injection lock of the client laser or of the server comb */
struct lock {
	/* constants */
	unsigned int which;	/* event argument: 0 laser, 1 comb */
	double center_ma, mhz_per_ma, range_mhz, search_ma, drift_sigma_mhz, drift_tau_s;
	/* registers */
	uint32_t current_ua, ctrl;
	/* state */
	double drift_mhz, eff_ma, noise_mhz;
	unsigned int state;	/* QKDCHIP_LOCK_* */
	uint32_t losses;
	uint64_t search_done;
	bool fault_pending;
};

struct temps {
	double chip_mc;		/* physical chip temperature */
	double board_mc, fpga_mc;	/* steady states */
	double excursion_mc[QKDCHIP_NUM_TEMPS];	/* fault: decaying offsets */
	double noise_mc[QKDCHIP_NUM_TEMPS];
	bool forced[QKDCHIP_NUM_TEMPS];
	int32_t forced_mc[QKDCHIP_NUM_TEMPS];
	uint32_t setpoint_mc, tec_ctrl;
	int32_t crit_mc;
	bool over[QKDCHIP_NUM_TEMPS];
	bool over_temp;
	unsigned int over_sensor;
};

/* Server detectors, tagger and the simple click model (Documentation/qkdemu/) */
struct det {
	uint32_t bias_ua[CARD_DET_CHANNELS];
	int32_t delay_ps[CARD_DET_CHANNELS];
	uint32_t deadtime_ns, ref_window_log2;
	/* per-channel constants */
	double eff_max[CARD_DET_CHANNELS], i50_ua[CARD_DET_CHANNELS];
	double dark20[CARD_DET_CHANNELS];
	/* the model (control channel) */
	uint64_t quantum_rate[CARD_DET_CHANNELS];	/* photons/s at each detector */
	uint64_t ref_rate[CARD_DET_UNITS];		/* reference photons/s per unit */
	uint32_t drift_mrad;				/* phase diffusion, mrad/sqrt(s) */
	uint32_t visibility_ppm;
	double phase[CARD_DET_UNITS];
	double click_rate[CARD_DET_CHANNELS];		/* cached: det_rates_update() */
	/* the running click process */
	uint64_t next_click[CARD_DET_CHANNELS];		/* slot */
	uint32_t next_fine[CARD_DET_CHANNELS];		/* ps within the slot */
	uint64_t win_start, next_win;			/* current reference window */
	unsigned int win_log2;
	/* comb */
	uint32_t comb_lines;
};

struct clockst {
	uint32_t ctrl;
	bool ref_present;
	uint64_t ref_since;	/* slot the reference appeared */
	bool locked;
	uint64_t locked_since;
	uint64_t lock_at;	/* NEVER or the slot the lock completes */
	uint64_t pps_phase;	/* PPS edges at pps_phase + k * SLOT_HZ */
};

struct faults {
	bool dma_write;		/* next C2H DMA write fails */
	bool dma_read;		/* next pattern/table DMA read fails */
	bool desc_error[2];	/* next start of C2H / pattern sees a bad descriptor */
	uint32_t desc_index[2];
	uint64_t stall_slots;	/* pending stall (applied at the next C2H start) */
	bool corrupt;		/* next C2H record gets an undefined type */
	unsigned int storm_vec;
	uint64_t storm_left, storm_next;
};

struct evlog {
	uint32_t head, tail, lost;
	uint32_t e[QKDCHIP_EVLOG_ENTRIES][4];
};

struct latch {
	bool valid;
	uint32_t hi;
};

#define CARD_NUM_LATCHES	13

struct card {
	struct card_config cfg;
	struct card_host host;
	uint64_t serial;
	uint64_t now;		/* the slot counter */
	uint64_t next_tick;	/* next slow-control tick */
	bool in_advance;

	/* control, time base, interrupts */
	uint32_t scratch;
	uint32_t frame_log2;
	uint64_t frame_base_count, frame_base_slot;	/* FRAME_COUNT bookkeeping */
	uint32_t heartbeat_us;
	uint32_t irq_status, irq_enable;
	uint32_t c2h_mod_count, c2h_mod_time_us, pat_mod_count, pat_mod_time_us;
	struct latch latch[CARD_NUM_LATCHES];

	struct evlog ev;
	struct c2h c2h;
	struct pat pat;
	struct table tbl;
	struct lock laser, comb;
	int32_t mod_bias_mv[CARD_DAC_CHANNELS];
	uint32_t voa_mdb;
	struct temps temp;
	struct det det;
	struct clockst clk;
	struct faults fault;

	struct rng drift_rng, noise_rng, click_rng, ref_rng;
	uint32_t drbg_key[8];
	/* the seed of the frame card_symbol_at() last looked at */
	bool seed_cache_valid;
	uint64_t seed_cache_frame;
	uint32_t seed_cache_key[8];
};

static inline bool card_is_client(const struct card *c)
{
	return c->cfg.role == CARD_CLIENT;
}

static inline uint64_t frame_slots(const struct card *c)
{
	return 1ULL << c->frame_log2;
}

/* The first frame boundary strictly after @slot */
static inline uint64_t next_frame_after(const struct card *c, uint64_t slot)
{
	return ((slot >> c->frame_log2) + 1) << c->frame_log2;
}

static inline uint64_t us_to_slots(uint64_t us)
{
	return us * SLOTS_PER_US;
}

/* card.c */
void card_raise(struct card *c, uint32_t causes);
void card_event(struct card *c, uint32_t code, uint32_t arg);
void *card_dma(struct card *c, uint64_t iova, uint64_t len, bool write);
bool card_dma_read(struct card *c, uint64_t iova, void *dst, uint64_t len);
bool card_dma_write(struct card *c, uint64_t iova, const void *src, uint64_t len);
bool card_engine_busy(const struct card *c);
int ring_start(struct card *c, unsigned int engine, const struct ring_regs *regs,
	       struct ring *ring, uint32_t *err_code, uint32_t *err_arg);
void reg64_write(struct reg64 *r, bool hi, uint32_t val, bool locked);

/* card_c2h.c */
void c2h_reset(struct card *c);
bool c2h_read(struct card *c, uint32_t off, uint32_t *val);
bool c2h_write(struct card *c, uint32_t off, uint32_t val);
uint64_t c2h_live64(struct card *c, uint32_t off);
void c2h_produce_until(struct card *c, uint64_t slot);
void c2h_flush(struct card *c);
uint64_t c2h_next_deadline(const struct card *c);
void c2h_at(struct card *c);			/* discrete events due at c->now */
void c2h_emit(struct card *c, uint64_t rec, uint64_t slot);
bool c2h_card_source(const struct card *c);
void c2h_stall(struct card *c, uint64_t slots);
void c2h_clicks_changed(struct card *c, int channel);	/* -1: all */
bool ring_regs_read(const struct ring_regs *r, uint32_t rel, uint32_t *val);
bool ring_regs_write(struct ring_regs *r, uint32_t rel, uint32_t val, bool locked);

/* card_pat.c: pattern and table engines */
void pat_reset(struct card *c);
void table_reset(struct card *c, bool power_up);
bool pat_read(struct card *c, uint32_t off, uint32_t *val);
bool pat_write(struct card *c, uint32_t off, uint32_t val);
bool table_read(struct card *c, uint32_t off, uint32_t *val);
bool table_write(struct card *c, uint32_t off, uint32_t val);
uint64_t pat_live64(struct card *c, uint32_t off);
void pat_update(struct card *c);		/* consume up to c->now */
uint64_t pat_next_deadline(const struct card *c);
void pat_at(struct card *c);
uint64_t frame_next_deadline(const struct card *c);
void frame_at(struct card *c);
void seed_for_frame(const struct card *c, uint64_t frame, uint32_t key[8]);

/* card_slow.c: laser, comb, temperatures, detectors, clock */
void slow_init(struct card *c);
void slow_reset(struct card *c);
void slow_tick(struct card *c);
void slow_at(struct card *c);
uint64_t slow_next_deadline(const struct card *c);
bool slow_read(struct card *c, uint32_t off, uint32_t *val);
bool slow_write(struct card *c, uint32_t off, uint32_t val);
int32_t temp_read(const struct card *c, unsigned int sensor);
void temp_check(struct card *c);
double det_eff(const struct card *c, unsigned int ch);
double det_dark(const struct card *c, unsigned int ch);
double det_click_rate(const struct card *c, unsigned int ch);
void det_rates_update(struct card *c);
bool clock_pps_active(const struct card *c);
uint64_t clock_next_pps(const struct card *c, uint64_t after);
bool source_locked(const struct card *c);
void lock_fault(struct card *c, struct lock *lk);

#endif /* QKDEMU_CARD_PRIV_H */
