// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu card model: slow control and its physics (Documentation/hw/registers.rst,
 * Documentation/qkdemu/index.rst "Models"): the client's injection-locked laser, the
 * server's comb, temperatures and over-temperature protection, detector efficiency and
 * dark counts, the clock reference.
 *
 * The model steps every SLOW_TICK_SLOTS (10 ms) of card time; register writes take
 * effect at once. Randomness comes from the card's drift and noise streams and is
 * drawn per tick, never per register read, so reads do not change what happens.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "card_priv.h"

#define TICK_S		((double)SLOW_TICK_SLOTS / (double)SLOT_HZ)
#define CHIP_TAU_TEC_S	2.0	/* chip toward the TEC set point */
#define CHIP_TAU_FREE_S	5.0	/* chip toward the board with the TEC off */
#define EXCURSION_TAU_S	5.0	/* an injected heat excursion decays */
#define LATCH_UA	28	/* SNSPDs latch above this bias */
#define COMB_LINES	21	/* usable lines of a locked comb */

/* ---- locks --------------------------------------------------------------------------- */

bool source_locked(const struct card *c)
{
	return (card_is_client(c) ? c->laser.state : c->comb.state) == QKDCHIP_LOCK_LOCKED;
}

/* The current that would put the free-running frequency on the line */
static double lock_center(const struct lock *lk)
{
	return lk->center_ma + lk->drift_mhz / lk->mhz_per_ma;
}

static double free_detune(const struct lock *lk, double ma)
{
	return lk->mhz_per_ma * (lk->center_ma - ma) + lk->drift_mhz;
}

static void lock_lose(struct card *c, struct lock *lk)
{
	lk->losses++;
	card_event(c, QKDCHIP_EV_LOCK_LOST, lk->which);
}

static void lock_acquired(struct card *c, struct lock *lk)
{
	lk->state = QKDCHIP_LOCK_LOCKED;
	card_event(c, QKDCHIP_EV_LOCK_ACQUIRED, lk->which);
	if (lk->fault_pending) {
		/* an injected loss waits for a lock to lose */
		lk->fault_pending = false;
		lock_fault(c, lk);
	}
}

/* Re-evaluate the lock after a change (register write, drift step). */
static void lock_eval(struct card *c, struct lock *lk, bool host_off)
{
	double prog = lk->current_ua / 1000.0;

	if (!(lk->ctrl & 1)) {
		if (lk->state == QKDCHIP_LOCK_LOCKED && !host_off)
			lock_lose(c, lk);
		lk->state = QKDCHIP_LOCK_OFF;
		lk->eff_ma = prog;
		return;
	}
	if (lk->ctrl & 2) {	/* LOCK_LOOP */
		double want = lock_center(lk);

		switch (lk->state) {
		case QKDCHIP_LOCK_LOCKED:
			if (fabs(want - prog) > lk->search_ma) {
				lock_lose(c, lk);
				lk->state = QKDCHIP_LOCK_ACQUIRING;
				lk->search_done = c->now + LOCK_SEARCH_SLOTS;
				lk->eff_ma = prog;
			} else {
				lk->eff_ma = want;	/* the loop tracks the drift */
			}
			break;
		case QKDCHIP_LOCK_ACQUIRING:
			break;
		default:
			lk->state = QKDCHIP_LOCK_ACQUIRING;
			lk->search_done = c->now + LOCK_SEARCH_SLOTS;
			lk->eff_ma = prog;
			break;
		}
		return;
	}
	lk->eff_ma = prog;
	if (fabs(free_detune(lk, prog)) <= lk->range_mhz) {
		if (lk->state != QKDCHIP_LOCK_LOCKED)
			lock_acquired(c, lk);
	} else {
		if (lk->state == QKDCHIP_LOCK_LOCKED)
			lock_lose(c, lk);
		lk->state = QKDCHIP_LOCK_UNLOCKED;
	}
}

/* The end of a lock-loop search */
static void lock_search_done(struct card *c, struct lock *lk)
{
	double prog = lk->current_ua / 1000.0, want = lock_center(lk);

	if (fabs(want - prog) <= lk->search_ma) {
		lk->eff_ma = want;
		lock_acquired(c, lk);
	} else {
		lk->search_done = c->now + LOCK_SEARCH_SLOTS;	/* search again */
	}
}

/* Fault injection: the lock is lost now, or as soon as there is one. */
void lock_fault(struct card *c, struct lock *lk)
{
	if (lk->state != QKDCHIP_LOCK_LOCKED) {
		lk->fault_pending = true;
		return;
	}
	lock_lose(c, lk);
	if (lk->ctrl & 2) {
		/* a mode hop: the loop searches again */
		lk->state = QKDCHIP_LOCK_ACQUIRING;
		lk->search_done = c->now + LOCK_SEARCH_SLOTS;
		lk->eff_ma = lk->current_ua / 1000.0;
	} else {
		/* a frequency jump out of the locking range */
		lk->drift_mhz += (free_detune(lk, lk->eff_ma) >= 0 ? 3 : -3) * lk->range_mhz;
		lk->state = QKDCHIP_LOCK_UNLOCKED;
	}
}

static void lock_drift(struct card *c, struct lock *lk)
{
	double a = exp(-TICK_S / lk->drift_tau_s);

	/* Ornstein-Uhlenbeck: stationary standard deviation drift_sigma_mhz */
	lk->drift_mhz = lk->drift_mhz * a +
			lk->drift_sigma_mhz * sqrt(1 - a * a) * rng_normal(&c->drift_rng);
	lk->noise_mhz = 2.0 * rng_normal(&c->noise_rng);
}

static void lock_init(struct lock *lk, unsigned int which, double center, double slope,
		      double range, double search, double sigma, double tau, struct rng *r)
{
	memset(lk, 0, sizeof(*lk));
	lk->which = which;
	lk->center_ma = center;
	lk->mhz_per_ma = slope;
	lk->range_mhz = range;
	lk->search_ma = search;
	lk->drift_sigma_mhz = sigma;
	lk->drift_tau_s = tau;
	lk->drift_mhz = sigma * rng_normal(r);
}

static uint32_t lock_status(const struct lock *lk)
{
	return lk->state | (lk->losses & 0xffff) << 16;
}

/* ---- temperatures -------------------------------------------------------------------- */

static double temp_model(const struct card *c, unsigned int sensor)
{
	const struct temps *t = &c->temp;

	switch (sensor) {
	case QKDCHIP_TEMP_CHIP:
		return t->chip_mc;
	case QKDCHIP_TEMP_BOARD:
		return t->board_mc;
	default:
		return t->fpga_mc;
	}
}

int32_t temp_read(const struct card *c, unsigned int sensor)
{
	const struct temps *t = &c->temp;

	if (t->forced[sensor])
		return t->forced_mc[sensor];
	return (int32_t)lround(temp_model(c, sensor) + t->excursion_mc[sensor] +
			       t->noise_mc[sensor]);
}

static void protect(struct card *c)
{
	unsigned int ch;

	if (card_is_client(c)) {
		c->laser.ctrl &= ~QKDCHIP_LASER_ON;
		lock_eval(c, &c->laser, false);
		return;
	}
	for (ch = 0; ch < CARD_DET_CHANNELS; ch++)
		c->det.bias_ua[ch] = 0;
	det_rates_update(c);
	c->comb.ctrl &= ~QKDCHIP_COMB_ON;
	lock_eval(c, &c->comb, false);
	c2h_clicks_changed(c, -1);
}

void temp_check(struct card *c)
{
	struct temps *t = &c->temp;
	bool all_ok = true;
	unsigned int i;

	for (i = 0; i < QKDCHIP_NUM_TEMPS; i++) {
		int32_t v = temp_read(c, i);

		if (v > t->crit_mc && !t->over[i]) {
			t->over[i] = true;
			if (!t->over_temp) {
				t->over_temp = true;
				t->over_sensor = i;
			}
			card_event(c, QKDCHIP_EV_OVER_TEMP, i);
			protect(c);
		}
		if ((int64_t)v >= (int64_t)t->crit_mc - QKDCHIP_TEMP_HYST_MC)
			all_ok = false;
	}
	if (t->over_temp && all_ok) {
		t->over_temp = false;
		memset(t->over, 0, sizeof(t->over));
		card_event(c, QKDCHIP_EV_TEMP_OK, t->over_sensor);
	}
}

int card_force_temp(struct card *c, unsigned int sensor, bool force, int32_t mc)
{
	if (sensor >= QKDCHIP_NUM_TEMPS)
		return -1;
	c->temp.forced[sensor] = force;
	c->temp.forced_mc[sensor] = mc;
	temp_check(c);
	return 0;
}

static void temps_tick(struct card *c)
{
	struct temps *t = &c->temp;
	bool tec = t->tec_ctrl & QKDCHIP_TEC_ON;
	double target = tec ? t->setpoint_mc : t->board_mc;
	double tau = tec ? CHIP_TAU_TEC_S : CHIP_TAU_FREE_S, d = exp(-TICK_S / EXCURSION_TAU_S);
	unsigned int i;

	t->chip_mc += (target - t->chip_mc) * (1 - exp(-TICK_S / tau));
	for (i = 0; i < QKDCHIP_NUM_TEMPS; i++)
		t->excursion_mc[i] *= d;
	t->noise_mc[QKDCHIP_TEMP_CHIP] = 3 * rng_normal(&c->noise_rng);
	t->noise_mc[QKDCHIP_TEMP_BOARD] = 30 * rng_normal(&c->noise_rng);
	t->noise_mc[QKDCHIP_TEMP_FPGA] = 50 * rng_normal(&c->noise_rng);
	temp_check(c);
}

/* ---- detectors ---------------------------------------------------------------------------- */

double det_eff(const struct card *c, unsigned int ch)
{
	const struct det *d = &c->det;
	double b = d->bias_ua[ch];

	if (!d->bias_ua[ch] || d->bias_ua[ch] > LATCH_UA)
		return 0;
	return d->eff_max[ch] / (1 + exp(-(b - d->i50_ua[ch]) / 1.5));
}

double det_dark(const struct card *c, unsigned int ch)
{
	const struct det *d = &c->det;

	if (!d->bias_ua[ch] || d->bias_ua[ch] > LATCH_UA)
		return 0;
	return d->dark20[ch] * exp(((double)d->bias_ua[ch] - 20) / 2.0);
}

double det_click_rate(const struct card *c, unsigned int ch)
{
	return c->det.click_rate[ch];
}

/* After a change of bias or light: the click rate of every channel */
void det_rates_update(struct card *c)
{
	unsigned int ch;

	for (ch = 0; ch < CARD_DET_CHANNELS; ch++)
		c->det.click_rate[ch] = det_eff(c, ch) * (double)c->det.quantum_rate[ch] +
					det_dark(c, ch);
}

int card_model_set(struct card *c, const char *what, unsigned int index, uint64_t value,
		   char *err, size_t len)
{
	struct det *d = &c->det;

	if (card_is_client(c)) {
		snprintf(err, len, "model: a client card has no detectors");
		return -1;
	}
	if (!strcmp(what, "quantum")) {
		if (index >= CARD_DET_CHANNELS || value > 10000000000ULL) {
			snprintf(err, len, "model quantum: CHANNEL 0..%d, RATE 0..10000000000",
				 CARD_DET_CHANNELS - 1);
			return -1;
		}
		d->quantum_rate[index] = value;
		det_rates_update(c);
		c2h_clicks_changed(c, (int)index);
	} else if (!strcmp(what, "reference")) {
		if (index >= CARD_DET_UNITS || value > 1000000000000ULL) {
			snprintf(err, len, "model reference: UNIT 0..%d, RATE 0..1000000000000",
				 CARD_DET_UNITS - 1);
			return -1;
		}
		d->ref_rate[index] = value;
	} else if (!strcmp(what, "drift")) {
		if (value > 100000) {
			snprintf(err, len, "model drift: MRAD 0..100000");
			return -1;
		}
		d->drift_mrad = (uint32_t)value;
	} else if (!strcmp(what, "visibility")) {
		if (value > 1000000) {
			snprintf(err, len, "model visibility: PPM 0..1000000");
			return -1;
		}
		d->visibility_ppm = (uint32_t)value;
	} else {
		snprintf(err, len, "model: unknown parameter '%s' (quantum, reference, drift, "
			 "visibility)", what);
		return -1;
	}
	return 0;
}

void card_model_show(struct card *c, char *buf, size_t len)
{
	const struct det *d = &c->det;

	snprintf(buf, len, "quantum=%llu,%llu,%llu,%llu reference=%llu,%llu drift=%u "
		 "visibility=%u clicks=%.0f,%.0f,%.0f,%.0f",
		 (unsigned long long)d->quantum_rate[0], (unsigned long long)d->quantum_rate[1],
		 (unsigned long long)d->quantum_rate[2], (unsigned long long)d->quantum_rate[3],
		 (unsigned long long)d->ref_rate[0], (unsigned long long)d->ref_rate[1],
		 d->drift_mrad, d->visibility_ppm, det_click_rate(c, 0), det_click_rate(c, 1),
		 det_click_rate(c, 2), det_click_rate(c, 3));
}

/* ---- clock ------------------------------------------------------------------------------- */

bool clock_pps_active(const struct card *c)
{
	return c->clk.ctrl == QKDCHIP_CLOCK_EXT_10M_PPS && c->clk.ref_present && c->clk.locked;
}

uint64_t clock_next_pps(const struct card *c, uint64_t after)
{
	uint64_t p = c->clk.pps_phase;

	if (after <= p)
		return p;
	return p + (after - p + SLOT_HZ - 1) / SLOT_HZ * SLOT_HZ;
}

void card_set_clock_ref(struct card *c, bool present)
{
	struct clockst *k = &c->clk;

	if (present == k->ref_present)
		return;
	k->ref_present = present;
	if (present) {
		k->ref_since = c->now;
		if (k->ctrl == QKDCHIP_CLOCK_EXT_10M_PPS)
			k->lock_at = c->now + CLOCK_LOCK_SLOTS;
		return;
	}
	k->lock_at = NEVER;
	if (k->locked) {
		k->locked = false;
		card_event(c, QKDCHIP_EV_CLOCK_LOST, 0);
	}
}

static uint32_t clock_status(const struct card *c)
{
	const struct clockst *k = &c->clk;
	uint32_t s = 0;

	if (k->ref_present) {
		s |= QKDCHIP_CLOCK_REF_PRESENT;
		if (c->now >= clock_next_pps(c, k->ref_since))
			s |= QKDCHIP_CLOCK_PPS_SEEN;
	}
	if (k->locked)
		s |= QKDCHIP_CLOCK_LOCKED;
	return s;
}

static void clock_ctrl_write(struct card *c, uint32_t val)
{
	struct clockst *k = &c->clk;

	val &= 1;
	if (val == k->ctrl)
		return;
	k->ctrl = val;
	if (val && k->ref_present) {
		k->lock_at = c->now + CLOCK_LOCK_SLOTS;
	} else {
		/* back to the internal oscillator: not a loss */
		k->lock_at = NEVER;
		k->locked = false;
	}
}

/* ---- life cycle, ticks, deadlines ------------------------------------------------------------ */

void slow_init(struct card *c)
{
	struct rng r;
	unsigned int ch;

	rng_init(&r, rng_derive(c->cfg.seed, c->cfg.index, STREAM_PARAMS));
	/* laser: lock current 60..90 mA, 0.1 GHz/mA, +-150 MHz, loop searches +-20 mA */
	lock_init(&c->laser, 0, 60 + 30 * rng_uniform(&r), 100, 150, 20, 100, 600, &c->drift_rng);
	/* comb: soliton pump current 330..380 mA, +-10 mA lockable, loop searches +-40 mA */
	lock_init(&c->comb, 1, 330 + 50 * rng_uniform(&r), 100, 1000, 40, 300, 600,
		  &c->drift_rng);
	c->temp.board_mc = 36000 + 3000 * (rng_uniform(&r) - 0.5);
	c->temp.fpga_mc = 47000 + 4000 * (rng_uniform(&r) - 0.5);
	c->temp.chip_mc = c->temp.board_mc;
	for (ch = 0; ch < CARD_DET_CHANNELS; ch++) {
		c->det.eff_max[ch] = 0.80 + 0.04 * rng_uniform(&r);
		c->det.i50_ua[ch] = 13.5 + rng_uniform(&r);
		c->det.dark20[ch] = 8 + 4 * rng_uniform(&r);
	}
	c->det.drift_mrad = 1000;
	c->det.visibility_ppm = 980000;
	c->clk.pps_phase = (uint64_t)(rng_uniform(&r) * (double)SLOT_HZ);
	c->clk.lock_at = NEVER;
}

void slow_reset(struct card *c)
{
	unsigned int ch;

	c->laser.current_ua = 0;
	c->laser.ctrl = 0;
	lock_eval(c, &c->laser, true);
	c->comb.current_ua = 0;
	c->comb.ctrl = 0;
	lock_eval(c, &c->comb, true);
	c->laser.losses = c->comb.losses = 0;
	c->laser.fault_pending = c->comb.fault_pending = false;
	memset(c->mod_bias_mv, 0, sizeof(c->mod_bias_mv));
	c->voa_mdb = 0;
	c->temp.setpoint_mc = 25000;
	c->temp.tec_ctrl = 0;
	c->temp.crit_mc = QKDCHIP_TEMP_CRIT_DEFAULT_MC;
	c->temp.over_temp = false;
	memset(c->temp.over, 0, sizeof(c->temp.over));
	for (ch = 0; ch < CARD_DET_CHANNELS; ch++) {
		c->det.bias_ua[ch] = 0;
		c->det.delay_ps[ch] = 0;
		c->det.next_click[ch] = NEVER;
	}
	det_rates_update(c);
	c->det.deadtime_ns = 50;
	c->det.ref_window_log2 = 17;
	c->clk.ctrl = 0;
	c->clk.locked = false;
	c->clk.lock_at = NEVER;
}

void slow_tick(struct card *c)
{
	lock_drift(c, &c->laser);
	lock_drift(c, &c->comb);
	if (c->laser.state != QKDCHIP_LOCK_ACQUIRING)
		lock_eval(c, &c->laser, false);
	if (c->comb.state != QKDCHIP_LOCK_ACQUIRING)
		lock_eval(c, &c->comb, false);
	temps_tick(c);
}

void slow_at(struct card *c)
{
	if (c->now >= c->next_tick) {
		slow_tick(c);
		c->next_tick = (c->now / SLOW_TICK_SLOTS + 1) * SLOW_TICK_SLOTS;
	}
	if (c->laser.state == QKDCHIP_LOCK_ACQUIRING && c->now >= c->laser.search_done)
		lock_search_done(c, &c->laser);
	if (c->comb.state == QKDCHIP_LOCK_ACQUIRING && c->now >= c->comb.search_done)
		lock_search_done(c, &c->comb);
	if (c->now >= c->clk.lock_at) {
		c->clk.lock_at = NEVER;
		c->clk.locked = true;
		c->clk.locked_since = c->now;
		card_event(c, QKDCHIP_EV_CLOCK_LOCKED, 0);
	}
}

uint64_t slow_next_deadline(const struct card *c)
{
	uint64_t t = c->next_tick;

	if (c->laser.state == QKDCHIP_LOCK_ACQUIRING && c->laser.search_done < t)
		t = c->laser.search_done;
	if (c->comb.state == QKDCHIP_LOCK_ACQUIRING && c->comb.search_done < t)
		t = c->comb.search_done;
	if (c->clk.lock_at < t)
		t = c->clk.lock_at;
	return t;
}

/* ---- registers ------------------------------------------------------------------------------ */

static uint32_t clamp_u(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int32_t clamp_s(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool slow_read(struct card *c, uint32_t off, uint32_t *val)
{
	const struct lock *lk = &c->laser;

	if (off >= QKDCHIP_REG_TEMP_MC(0) && off < QKDCHIP_REG_TEMP_MC(QKDCHIP_NUM_TEMPS)) {
		*val = (uint32_t)temp_read(c, (off - QKDCHIP_REG_TEMP_MC(0)) / 4);
		return true;
	}
	if (off == QKDCHIP_REG_TEMP_CRIT_MC) {
		*val = (uint32_t)c->temp.crit_mc;
		return true;
	}
	if (off >= QKDCHIP_REG_MOD_BIAS_MV(0) && off < QKDCHIP_REG_MOD_BIAS_MV(CARD_DAC_CHANNELS)) {
		*val = (uint32_t)c->mod_bias_mv[(off - QKDCHIP_REG_MOD_BIAS_MV(0)) / 4];
		return true;
	}
	if (off >= QKDCHIP_REG_DET_BIAS_UA(0) && off < QKDCHIP_REG_DET_BIAS_UA(CARD_DET_CHANNELS)) {
		*val = c->det.bias_ua[(off - QKDCHIP_REG_DET_BIAS_UA(0)) / 4];
		return true;
	}
	if (off >= QKDCHIP_REG_DET_EFF_PPM(0) && off < QKDCHIP_REG_DET_EFF_PPM(CARD_DET_CHANNELS)) {
		*val = (uint32_t)lround(det_eff(c, (off - QKDCHIP_REG_DET_EFF_PPM(0)) / 4) * 1e6);
		return true;
	}
	if (off >= QKDCHIP_REG_DET_DARK_CPS(0) && off < QKDCHIP_REG_DET_DARK_CPS(CARD_DET_CHANNELS)) {
		*val = (uint32_t)lround(det_dark(c, (off - QKDCHIP_REG_DET_DARK_CPS(0)) / 4));
		return true;
	}
	if (off >= QKDCHIP_REG_TAG_DELAY_PS(0) && off < QKDCHIP_REG_TAG_DELAY_PS(CARD_DET_CHANNELS)) {
		*val = (uint32_t)c->det.delay_ps[(off - QKDCHIP_REG_TAG_DELAY_PS(0)) / 4];
		return true;
	}
	switch (off) {
	case QKDCHIP_REG_LASER_CURRENT_UA:
		*val = lk->current_ua;
		return true;
	case QKDCHIP_REG_LASER_CTRL:
		*val = lk->ctrl;
		return true;
	case QKDCHIP_REG_LASER_STATUS:
		*val = lock_status(lk);
		return true;
	case QKDCHIP_REG_LASER_DETUNE_MHZ:
		*val = lk->state == QKDCHIP_LOCK_OFF ? 0 :
		       (uint32_t)(int32_t)lround(free_detune(lk, lk->eff_ma) + lk->noise_mhz);
		return true;
	case QKDCHIP_REG_LASER_POWER_UW:
		/* threshold 8 mA, slope efficiency 0.25 mW/mA */
		*val = lk->state == QKDCHIP_LOCK_OFF || lk->eff_ma <= 8 ? 0 :
		       (uint32_t)lround((lk->eff_ma - 8) * 250);
		return true;
	case QKDCHIP_REG_VOA_MDB:
		*val = c->voa_mdb;
		return true;
	case QKDCHIP_REG_TEC_SETPOINT_MC:
		*val = c->temp.setpoint_mc;
		return true;
	case QKDCHIP_REG_TEC_CTRL:
		*val = c->temp.tec_ctrl;
		return true;
	case QKDCHIP_REG_COMB_PUMP_UA:
		*val = c->comb.current_ua;
		return true;
	case QKDCHIP_REG_COMB_CTRL:
		*val = c->comb.ctrl;
		return true;
	case QKDCHIP_REG_COMB_STATUS:
		*val = lock_status(&c->comb);
		return true;
	case QKDCHIP_REG_COMB_LINES:
		*val = c->comb.state == QKDCHIP_LOCK_LOCKED ? COMB_LINES : 0;
		return true;
	case QKDCHIP_REG_TAG_DEADTIME_NS:
		*val = c->det.deadtime_ns;
		return true;
	case QKDCHIP_REG_REF_WINDOW_LOG2:
		*val = c->det.ref_window_log2;
		return true;
	case QKDCHIP_REG_CLOCK_CTRL:
		*val = c->clk.ctrl;
		return true;
	case QKDCHIP_REG_CLOCK_STATUS:
		*val = clock_status(c);
		return true;
	}
	return false;
}

bool slow_write(struct card *c, uint32_t off, uint32_t val)
{
	bool hot = c->temp.over_temp;	/* protection holds while over temperature */
	unsigned int ch;

	if (off == QKDCHIP_REG_TEMP_CRIT_MC) {
		c->temp.crit_mc = (int32_t)val;
		temp_check(c);
		return true;
	}
	if (off >= QKDCHIP_REG_MOD_BIAS_MV(0) && off < QKDCHIP_REG_MOD_BIAS_MV(CARD_DAC_CHANNELS)) {
		c->mod_bias_mv[(off - QKDCHIP_REG_MOD_BIAS_MV(0)) / 4] =
			clamp_s((int32_t)val, -QKDCHIP_MOD_BIAS_MAX_MV, QKDCHIP_MOD_BIAS_MAX_MV);
		return true;
	}
	if (off >= QKDCHIP_REG_DET_BIAS_UA(0) && off < QKDCHIP_REG_DET_BIAS_UA(CARD_DET_CHANNELS)) {
		ch = (off - QKDCHIP_REG_DET_BIAS_UA(0)) / 4;
		c->det.bias_ua[ch] = hot ? 0 : clamp_u(val, 0, QKDCHIP_DET_BIAS_MAX_UA);
		det_rates_update(c);
		c2h_clicks_changed(c, (int)ch);
		return true;
	}
	if (off >= QKDCHIP_REG_TAG_DELAY_PS(0) && off < QKDCHIP_REG_TAG_DELAY_PS(CARD_DET_CHANNELS)) {
		c->det.delay_ps[(off - QKDCHIP_REG_TAG_DELAY_PS(0)) / 4] =
			clamp_s((int32_t)val, -QKDCHIP_TAG_DELAY_MAX_PS, QKDCHIP_TAG_DELAY_MAX_PS);
		return true;
	}
	switch (off) {
	case QKDCHIP_REG_LASER_CURRENT_UA:
		c->laser.current_ua = clamp_u(val, 0, QKDCHIP_LASER_CURRENT_MAX_UA);
		lock_eval(c, &c->laser, false);
		return true;
	case QKDCHIP_REG_LASER_CTRL:
		val &= QKDCHIP_LASER_ON | QKDCHIP_LASER_LOCK_LOOP;
		if (hot)
			val &= ~QKDCHIP_LASER_ON;
		c->laser.ctrl = val;
		lock_eval(c, &c->laser, true);
		return true;
	case QKDCHIP_REG_VOA_MDB:
		c->voa_mdb = clamp_u(val, 0, QKDCHIP_VOA_MAX_MDB);
		return true;
	case QKDCHIP_REG_TEC_SETPOINT_MC:
		c->temp.setpoint_mc = clamp_u(val, QKDCHIP_TEC_MIN_MC, QKDCHIP_TEC_MAX_MC);
		return true;
	case QKDCHIP_REG_TEC_CTRL:
		c->temp.tec_ctrl = val & QKDCHIP_TEC_ON;
		return true;
	case QKDCHIP_REG_COMB_PUMP_UA:
		c->comb.current_ua = clamp_u(val, 0, QKDCHIP_COMB_PUMP_MAX_UA);
		lock_eval(c, &c->comb, false);
		return true;
	case QKDCHIP_REG_COMB_CTRL:
		val &= QKDCHIP_COMB_ON | QKDCHIP_COMB_LOCK_LOOP;
		if (hot)
			val &= ~QKDCHIP_COMB_ON;
		c->comb.ctrl = val;
		lock_eval(c, &c->comb, true);
		return true;
	case QKDCHIP_REG_TAG_DEADTIME_NS:
		c->det.deadtime_ns = clamp_u(val, QKDCHIP_TAG_DEADTIME_MIN_NS,
					     QKDCHIP_TAG_DEADTIME_MAX_NS);
		return true;
	case QKDCHIP_REG_REF_WINDOW_LOG2:
		if (val >= 10 && val <= 24)
			c->det.ref_window_log2 = val;
		return true;
	case QKDCHIP_REG_CLOCK_CTRL:
		clock_ctrl_write(c, val);
		return true;
	}
	return false;
}
