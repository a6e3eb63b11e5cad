// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: range checks of configuration changes, as the netlink spec states them
 * (Documentation/netlink/specs/qkdchip.yaml), so that every program gets the same
 * clear message before anything reaches the kernel.
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

static int range_u(char *err, size_t len, const char *what, uint32_t v, uint32_t lo,
		   uint32_t hi, const char *unit)
{
	const char *sp = *unit ? " " : "";

	if (v >= lo && v <= hi)
		return 0;
	return qkd_err(err, len, -EINVAL, "%s %u%s%s is out of range (%u..%u%s%s)", what, v, sp,
		       unit, lo, hi, sp, unit);
}

static int range_s(char *err, size_t len, const char *what, int32_t v, int32_t lo,
		   int32_t hi, const char *unit)
{
	const char *sp = *unit ? " " : "";

	if (v >= lo && v <= hi)
		return 0;
	return qkd_err(err, len, -EINVAL, "%s %d%s%s is out of range (%d..%d%s%s)", what, v, sp,
		       unit, lo, hi, sp, unit);
}

int qkd_config_check(const struct qkd_config *cfg, char *err, size_t errlen)
{
	uint32_t seen = 0;
	unsigned int i;
	int ret = 0;

	if (!cfg->set && !cfg->n_modulators && !cfg->n_detectors)
		return qkd_err(err, errlen, -EINVAL, "nothing to set");
	if (cfg->set >= QKD_SET_HEARTBEAT << 1)
		return qkd_err(err, errlen, -EINVAL, "unknown settings %#x",
			       cfg->set & ~((QKD_SET_HEARTBEAT << 1) - 1));
	if (cfg->n_modulators > QKD_MAX_CHANNELS || cfg->n_detectors > QKD_MAX_CHANNELS)
		return qkd_err(err, errlen, -EINVAL, "more than %u channels in one change",
			       QKD_MAX_CHANNELS);

#define CHECK(x) do { ret = (x); if (ret) return ret; } while (0)
	if (cfg->set & QKD_SET_LASER_CURRENT)
		CHECK(range_u(err, errlen, "laser current", cfg->laser_current_ua, 0,
			      QKD_LASER_CURRENT_MAX_UA, "uA"));
	if (cfg->set & QKD_SET_VOA)
		CHECK(range_u(err, errlen, "VOA attenuation", cfg->voa_mdb, 0, QKD_VOA_MAX_MDB,
			      "mdB"));
	if (cfg->set & QKD_SET_TEC_SETPOINT)
		CHECK(range_s(err, errlen, "TEC set point", cfg->tec_setpoint_mc,
			      QKD_TEC_SETPOINT_MIN_MC, QKD_TEC_SETPOINT_MAX_MC, "mC"));
	if (cfg->set & QKD_SET_TEMP_CRIT)
		CHECK(range_s(err, errlen, "critical temperature", cfg->temp_crit_mc,
			      QKD_TEMP_CRIT_MIN_MC, QKD_TEMP_CRIT_MAX_MC, "mC"));
	if (cfg->set & QKD_SET_COMB_PUMP)
		CHECK(range_u(err, errlen, "comb pump current", cfg->comb_pump_ua, 0,
			      QKD_COMB_PUMP_MAX_UA, "uA"));
	if (cfg->set & QKD_SET_TAGGER_DEADTIME)
		CHECK(range_u(err, errlen, "tagger dead time", cfg->tagger_deadtime_ns,
			      QKD_DEADTIME_MIN_NS, QKD_DEADTIME_MAX_NS, "ns"));
	if (cfg->set & QKD_SET_TAGGER_REF_WINDOW)
		CHECK(range_u(err, errlen, "reference window (log2 slots)",
			      cfg->tagger_ref_window_log2, QKD_REF_WINDOW_MIN_LOG2,
			      QKD_REF_WINDOW_MAX_LOG2, ""));
	if ((cfg->set & QKD_SET_CLOCK_SOURCE) &&
	    cfg->clock_source != QKDCHIP_CLOCK_SOURCE_INTERNAL &&
	    cfg->clock_source != QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS)
		return qkd_err(err, errlen, -EINVAL,
			       "clock source %u is unknown (internal or ext-10m-pps)",
			       cfg->clock_source);
	if (cfg->set & QKD_SET_FRAME_LOG2)
		CHECK(range_u(err, errlen, "frame size (log2 slots)", cfg->frame_log2,
			      QKD_FRAME_MIN_LOG2, QKD_FRAME_MAX_LOG2, ""));
	if (cfg->set & QKD_SET_HEARTBEAT)
		CHECK(range_u(err, errlen, "heartbeat period", cfg->heartbeat_us, 0,
			      QKD_HEARTBEAT_MAX_US, "us"));

	for (i = 0; i < cfg->n_modulators; i++) {
		uint32_t ch = cfg->modulator[i].channel;

		if (ch >= QKD_MAX_CHANNELS)
			return qkd_err(err, errlen, -EINVAL, "modulator channel %u is out of range (0..%u)",
				       ch, QKD_MAX_CHANNELS - 1);
		if (seen & (1u << ch))
			return qkd_err(err, errlen, -EINVAL, "modulator channel %u set twice", ch);
		seen |= 1u << ch;
		CHECK(range_s(err, errlen, "modulator bias", cfg->modulator[i].bias_mv,
			      QKD_BIAS_MIN_MV, QKD_BIAS_MAX_MV, "mV"));
	}
	seen = 0;
	for (i = 0; i < cfg->n_detectors; i++) {
		uint32_t ch = cfg->detector[i].channel;

		if (ch >= QKD_MAX_CHANNELS)
			return qkd_err(err, errlen, -EINVAL, "detector channel %u is out of range (0..%u)",
				       ch, QKD_MAX_CHANNELS - 1);
		if (seen & (1u << ch))
			return qkd_err(err, errlen, -EINVAL, "detector channel %u set twice", ch);
		seen |= 1u << ch;
		if (!(cfg->detector[i].set & (QKD_SET_DET_BIAS | QKD_SET_DET_DELAY)))
			return qkd_err(err, errlen, -EINVAL, "detector channel %u: nothing to set", ch);
		if (cfg->detector[i].set & ~(QKD_SET_DET_BIAS | QKD_SET_DET_DELAY))
			return qkd_err(err, errlen, -EINVAL, "detector channel %u: unknown settings",
				       ch);
		if (cfg->detector[i].set & QKD_SET_DET_BIAS)
			CHECK(range_u(err, errlen, "detector bias", cfg->detector[i].bias_ua, 0,
				      QKD_DET_BIAS_MAX_UA, "uA"));
		if (cfg->detector[i].set & QKD_SET_DET_DELAY)
			CHECK(range_s(err, errlen, "detector delay", cfg->detector[i].delay_ps,
				      QKD_DELAY_MIN_PS, QKD_DELAY_MAX_PS, "ps"));
	}
#undef CHECK
	return 0;
}
