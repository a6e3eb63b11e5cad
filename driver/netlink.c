// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: the generic netlink family "qkdchip" (Documentation/netlink/specs/qkdchip.yaml).
 *
 * dev-get reads the card live (identity from probe, status and settings from the
 * registers); dev-set validates every attribute against the card (role, channels)
 * before it writes any register, and says what was wrong in the extended ACK. The
 * card list is protected by qkdchip_nl_lock, which also orders configuration changes
 * and dumps: a dump spanning several messages is flagged NLM_F_DUMP_INTR when the
 * configuration of any card changed in between.
 */

#include <linux/list.h>
#include <linux/mutex.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "qkdchip.h"

static LIST_HEAD(qkdchip_cards);
static DEFINE_MUTEX(qkdchip_nl_lock);	/* qkdchip_cards, qkdchip_nl_gen */
static unsigned int qkdchip_nl_gen = 1;	/* bumped on every change; never 0 */

static struct genl_family qkdchip_nl_family;

enum {
	QKDCHIP_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group qkdchip_nl_mcgrps[] = {
	[QKDCHIP_NL_MCGRP_EVENTS] = { .name = QKDCHIP_MCGRP_EVENTS, },
};

/*
 * ---- Policies (the spec's checks) ----
 * The range structs are not const: 6.1's struct nla_policy points to non-const ones.
 */

static struct netlink_range_validation qkdchip_laser_current_range = {
	.max = QKDCHIP_LASER_CURRENT_MAX_UA,
};

static struct netlink_range_validation qkdchip_voa_range = { .max = QKDCHIP_VOA_MAX_MDB };

static struct netlink_range_validation_signed qkdchip_tec_range = {
	.min = QKDCHIP_TEC_MIN_MC, .max = QKDCHIP_TEC_MAX_MC,
};

static struct netlink_range_validation_signed qkdchip_temp_crit_range = {
	.min = 30000, .max = 100000,
};

static struct netlink_range_validation qkdchip_pump_range = {
	.max = QKDCHIP_COMB_PUMP_MAX_UA,
};

static struct netlink_range_validation_signed qkdchip_delay_range = {
	.min = QKDCHIP_DELAY_MIN_PS, .max = QKDCHIP_TAG_DELAY_MAX_PS,
};

static struct netlink_range_validation qkdchip_deadtime_range = {
	.min = QKDCHIP_TAG_DEADTIME_MIN_NS, .max = QKDCHIP_TAG_DEADTIME_MAX_NS,
};

static struct netlink_range_validation qkdchip_heartbeat_range = {
	.max = QKDCHIP_HEARTBEAT_MAX_US,
};

static const struct nla_policy qkdchip_laser_policy[QKDCHIP_A_LASER_MAX + 1] = {
	[QKDCHIP_A_LASER_CURRENT_UA] = NLA_POLICY_FULL_RANGE(NLA_U32, &qkdchip_laser_current_range),
	[QKDCHIP_A_LASER_ON] = NLA_POLICY_MAX(NLA_U8, 1),
	[QKDCHIP_A_LASER_LOCK_LOOP] = NLA_POLICY_MAX(NLA_U8, 1),
	[QKDCHIP_A_LASER_LOCK_STATE] = { .type = NLA_REJECT },
	[QKDCHIP_A_LASER_LOCK_LOSSES] = { .type = NLA_REJECT },
	[QKDCHIP_A_LASER_DETUNE_MHZ] = { .type = NLA_REJECT },
	[QKDCHIP_A_LASER_POWER_UW] = { .type = NLA_REJECT },
};

static const struct nla_policy qkdchip_modulator_policy[QKDCHIP_A_MODULATOR_MAX + 1] = {
	[QKDCHIP_A_MODULATOR_CHANNEL] = NLA_POLICY_MAX(NLA_U32, 7),
	[QKDCHIP_A_MODULATOR_BIAS_MV] = NLA_POLICY_RANGE(NLA_S32, QKDCHIP_BIAS_MIN_MV,
							 QKDCHIP_MOD_BIAS_MAX_MV),
};

static const struct nla_policy qkdchip_tec_policy[QKDCHIP_A_TEC_MAX + 1] = {
	[QKDCHIP_A_TEC_SETPOINT_MC] = NLA_POLICY_FULL_RANGE_SIGNED(NLA_S32, &qkdchip_tec_range),
	[QKDCHIP_A_TEC_ON] = NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy qkdchip_comb_policy[QKDCHIP_A_COMB_MAX + 1] = {
	[QKDCHIP_A_COMB_PUMP_UA] = NLA_POLICY_FULL_RANGE(NLA_U32, &qkdchip_pump_range),
	[QKDCHIP_A_COMB_ON] = NLA_POLICY_MAX(NLA_U8, 1),
	[QKDCHIP_A_COMB_LOCK_LOOP] = NLA_POLICY_MAX(NLA_U8, 1),
	[QKDCHIP_A_COMB_LOCK_STATE] = { .type = NLA_REJECT },
	[QKDCHIP_A_COMB_LOCK_LOSSES] = { .type = NLA_REJECT },
	[QKDCHIP_A_COMB_LINES] = { .type = NLA_REJECT },
};

static const struct nla_policy qkdchip_detector_policy[QKDCHIP_A_DETECTOR_MAX + 1] = {
	[QKDCHIP_A_DETECTOR_CHANNEL] = NLA_POLICY_MAX(NLA_U32, 7),
	[QKDCHIP_A_DETECTOR_BIAS_UA] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_DET_BIAS_MAX_UA),
	[QKDCHIP_A_DETECTOR_EFF_PPM] = { .type = NLA_REJECT },
	[QKDCHIP_A_DETECTOR_DARK_CPS] = { .type = NLA_REJECT },
	[QKDCHIP_A_DETECTOR_DELAY_PS] = NLA_POLICY_FULL_RANGE_SIGNED(NLA_S32, &qkdchip_delay_range),
};

static const struct nla_policy qkdchip_tagger_policy[QKDCHIP_A_TAGGER_MAX + 1] = {
	[QKDCHIP_A_TAGGER_DEADTIME_NS] = NLA_POLICY_FULL_RANGE(NLA_U32, &qkdchip_deadtime_range),
	[QKDCHIP_A_TAGGER_REF_WINDOW_LOG2] = NLA_POLICY_RANGE(NLA_U32, 10, 24),
};

static const struct nla_policy qkdchip_clock_policy[QKDCHIP_A_CLOCK_MAX + 1] = {
	[QKDCHIP_A_CLOCK_SOURCE] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS),
	[QKDCHIP_A_CLOCK_REF_PRESENT] = { .type = NLA_REJECT },
	[QKDCHIP_A_CLOCK_LOCKED] = { .type = NLA_REJECT },
	[QKDCHIP_A_CLOCK_PPS_SEEN] = { .type = NLA_REJECT },
};

static const struct nla_policy qkdchip_stream_policy[QKDCHIP_A_STREAM_MAX + 1] = {
	[QKDCHIP_A_STREAM_ID] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_NUM_STREAMS - 1),
};

static const struct nla_policy qkdchip_dev_get_policy[QKDCHIP_A_DEV_MAX + 1] = {
	[QKDCHIP_A_DEV_INDEX] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_MAX_CARDS - 1),
	[QKDCHIP_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 15 },
};

static const struct nla_policy qkdchip_dev_set_policy[QKDCHIP_A_DEV_MAX + 1] = {
	[QKDCHIP_A_DEV_INDEX] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_MAX_CARDS - 1),
	[QKDCHIP_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 15 },
	[QKDCHIP_A_DEV_LASER] = NLA_POLICY_NESTED(qkdchip_laser_policy),
	[QKDCHIP_A_DEV_MODULATOR] = NLA_POLICY_NESTED(qkdchip_modulator_policy),
	[QKDCHIP_A_DEV_VOA_MDB] = NLA_POLICY_FULL_RANGE(NLA_U32, &qkdchip_voa_range),
	[QKDCHIP_A_DEV_TEC] = NLA_POLICY_NESTED(qkdchip_tec_policy),
	[QKDCHIP_A_DEV_TEMP_CRIT_MC] = NLA_POLICY_FULL_RANGE_SIGNED(NLA_S32,
								    &qkdchip_temp_crit_range),
	[QKDCHIP_A_DEV_COMB] = NLA_POLICY_NESTED(qkdchip_comb_policy),
	[QKDCHIP_A_DEV_DETECTOR] = NLA_POLICY_NESTED(qkdchip_detector_policy),
	[QKDCHIP_A_DEV_TAGGER] = NLA_POLICY_NESTED(qkdchip_tagger_policy),
	[QKDCHIP_A_DEV_CLOCK] = NLA_POLICY_NESTED(qkdchip_clock_policy),
	[QKDCHIP_A_DEV_FRAME_LOG2] = NLA_POLICY_RANGE(NLA_U32, 10, 30),
	[QKDCHIP_A_DEV_HEARTBEAT_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &qkdchip_heartbeat_range),
};

static const struct nla_policy qkdchip_stream_stop_policy[QKDCHIP_A_DEV_MAX + 1] = {
	[QKDCHIP_A_DEV_INDEX] = NLA_POLICY_MAX(NLA_U32, QKDCHIP_MAX_CARDS - 1),
	[QKDCHIP_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 15 },
	[QKDCHIP_A_DEV_STREAM] = NLA_POLICY_NESTED(qkdchip_stream_policy),
};

/* ---- Replies ------------------------------------------------------------------------- */

static int qkdchip_put_u8(struct sk_buff *skb, int type, bool v)
{
	return nla_put_u8(skb, type, v);
}

static int qkdchip_nl_put_status(struct sk_buff *skb, struct qkdchip_dev *qd)
{
	u32 st = qkdchip_rd(qd, QKDCHIP_REG_STATUS);
	struct nlattr *nest = nla_nest_start(skb, QKDCHIP_A_DEV_STATUS);

	if (!nest ||
	    qkdchip_put_u8(skb, QKDCHIP_A_STATUS_READY, st & QKDCHIP_STATUS_READY) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_STATUS_ERROR, st & QKDCHIP_STATUS_ERROR) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_STATUS_SOURCE_LOCKED,
			   st & QKDCHIP_STATUS_SOURCE_LOCKED) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_STATUS_CLOCK_LOCKED, st & QKDCHIP_STATUS_CLOCK_LOCKED) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_STATUS_OVER_TEMP, st & QKDCHIP_STATUS_OVER_TEMP) ||
	    nla_put_u64_64bit(skb, QKDCHIP_A_STATUS_TIME, qkdchip_rd64(qd, QKDCHIP_REG_TIME_LO),
			      QKDCHIP_A_STATUS_PAD) ||
	    nla_put_u64_64bit(skb, QKDCHIP_A_STATUS_FRAME_COUNT,
			      qkdchip_rd64(qd, QKDCHIP_REG_FRAME_COUNT_LO), QKDCHIP_A_STATUS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int qkdchip_nl_put_client(struct sk_buff *skb, struct qkdchip_dev *qd)
{
	u32 ctrl = qkdchip_rd(qd, QKDCHIP_REG_LASER_CTRL);
	u32 st = qkdchip_rd(qd, QKDCHIP_REG_LASER_STATUS);
	struct nlattr *nest;
	unsigned int ch;

	nest = nla_nest_start(skb, QKDCHIP_A_DEV_LASER);
	if (!nest ||
	    nla_put_u32(skb, QKDCHIP_A_LASER_CURRENT_UA,
			qkdchip_rd(qd, QKDCHIP_REG_LASER_CURRENT_UA)) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_LASER_ON, ctrl & QKDCHIP_LASER_ON) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_LASER_LOCK_LOOP, ctrl & QKDCHIP_LASER_LOCK_LOOP) ||
	    nla_put_u32(skb, QKDCHIP_A_LASER_LOCK_STATE, QKDCHIP_LOCK_STATE(st)) ||
	    nla_put_u32(skb, QKDCHIP_A_LASER_LOCK_LOSSES, QKDCHIP_LOCK_LOSSES(st)) ||
	    nla_put_s32(skb, QKDCHIP_A_LASER_DETUNE_MHZ,
			(s32)qkdchip_rd(qd, QKDCHIP_REG_LASER_DETUNE_MHZ)) ||
	    nla_put_u32(skb, QKDCHIP_A_LASER_POWER_UW, qkdchip_rd(qd, QKDCHIP_REG_LASER_POWER_UW)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);

	for (ch = 0; ch < qd->info.dac_channels; ch++) {
		nest = nla_nest_start(skb, QKDCHIP_A_DEV_MODULATOR);
		if (!nest || nla_put_u32(skb, QKDCHIP_A_MODULATOR_CHANNEL, ch) ||
		    nla_put_s32(skb, QKDCHIP_A_MODULATOR_BIAS_MV,
				(s32)qkdchip_rd(qd, QKDCHIP_REG_MOD_BIAS_MV(ch))))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}

	if (nla_put_u32(skb, QKDCHIP_A_DEV_VOA_MDB, qkdchip_rd(qd, QKDCHIP_REG_VOA_MDB)))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, QKDCHIP_A_DEV_TEC);
	if (!nest ||
	    nla_put_s32(skb, QKDCHIP_A_TEC_SETPOINT_MC,
			(s32)qkdchip_rd(qd, QKDCHIP_REG_TEC_SETPOINT_MC)) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_TEC_ON,
			   qkdchip_rd(qd, QKDCHIP_REG_TEC_CTRL) & QKDCHIP_TEC_ON))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int qkdchip_nl_put_server(struct sk_buff *skb, struct qkdchip_dev *qd)
{
	u32 ctrl = qkdchip_rd(qd, QKDCHIP_REG_COMB_CTRL);
	u32 st = qkdchip_rd(qd, QKDCHIP_REG_COMB_STATUS);
	struct nlattr *nest;
	unsigned int ch;

	nest = nla_nest_start(skb, QKDCHIP_A_DEV_COMB);
	if (!nest ||
	    nla_put_u32(skb, QKDCHIP_A_COMB_PUMP_UA, qkdchip_rd(qd, QKDCHIP_REG_COMB_PUMP_UA)) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_COMB_ON, ctrl & QKDCHIP_COMB_ON) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_COMB_LOCK_LOOP, ctrl & QKDCHIP_COMB_LOCK_LOOP) ||
	    nla_put_u32(skb, QKDCHIP_A_COMB_LOCK_STATE, QKDCHIP_LOCK_STATE(st)) ||
	    nla_put_u32(skb, QKDCHIP_A_COMB_LOCK_LOSSES, QKDCHIP_LOCK_LOSSES(st)) ||
	    nla_put_u32(skb, QKDCHIP_A_COMB_LINES, qkdchip_rd(qd, QKDCHIP_REG_COMB_LINES)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);

	for (ch = 0; ch < qd->info.det_channels; ch++) {
		nest = nla_nest_start(skb, QKDCHIP_A_DEV_DETECTOR);
		if (!nest || nla_put_u32(skb, QKDCHIP_A_DETECTOR_CHANNEL, ch) ||
		    nla_put_u32(skb, QKDCHIP_A_DETECTOR_BIAS_UA,
				qkdchip_rd(qd, QKDCHIP_REG_DET_BIAS_UA(ch))) ||
		    nla_put_u32(skb, QKDCHIP_A_DETECTOR_EFF_PPM,
				qkdchip_rd(qd, QKDCHIP_REG_DET_EFF_PPM(ch))) ||
		    nla_put_u32(skb, QKDCHIP_A_DETECTOR_DARK_CPS,
				qkdchip_rd(qd, QKDCHIP_REG_DET_DARK_CPS(ch))) ||
		    nla_put_s32(skb, QKDCHIP_A_DETECTOR_DELAY_PS,
				(s32)qkdchip_rd(qd, QKDCHIP_REG_TAG_DELAY_PS(ch))))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}

	nest = nla_nest_start(skb, QKDCHIP_A_DEV_TAGGER);
	if (!nest ||
	    nla_put_u32(skb, QKDCHIP_A_TAGGER_DEADTIME_NS,
			qkdchip_rd(qd, QKDCHIP_REG_TAG_DEADTIME_NS)) ||
	    nla_put_u32(skb, QKDCHIP_A_TAGGER_REF_WINDOW_LOG2,
			qkdchip_rd(qd, QKDCHIP_REG_REF_WINDOW_LOG2)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int qkdchip_nl_put_common(struct sk_buff *skb, struct qkdchip_dev *qd)
{
	u32 clk = qkdchip_rd(qd, QKDCHIP_REG_CLOCK_STATUS);
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < QKDCHIP_NUM_TEMPS; i++) {
		nest = nla_nest_start(skb, QKDCHIP_A_DEV_TEMP);
		if (!nest || nla_put_u32(skb, QKDCHIP_A_TEMP_SENSOR, i) ||
		    nla_put_s32(skb, QKDCHIP_A_TEMP_MC,
				(s32)qkdchip_rd(qd, QKDCHIP_REG_TEMP_MC(i))))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (nla_put_s32(skb, QKDCHIP_A_DEV_TEMP_CRIT_MC,
			(s32)qkdchip_rd(qd, QKDCHIP_REG_TEMP_CRIT_MC)))
		return -EMSGSIZE;

	nest = nla_nest_start(skb, QKDCHIP_A_DEV_CLOCK);
	if (!nest ||
	    nla_put_u32(skb, QKDCHIP_A_CLOCK_SOURCE, qkdchip_rd(qd, QKDCHIP_REG_CLOCK_CTRL)) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_CLOCK_REF_PRESENT, clk & QKDCHIP_CLOCK_REF_PRESENT) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_CLOCK_LOCKED, clk & QKDCHIP_CLOCK_LOCKED) ||
	    qkdchip_put_u8(skb, QKDCHIP_A_CLOCK_PPS_SEEN, clk & QKDCHIP_CLOCK_PPS_SEEN))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);

	if (nla_put_u32(skb, QKDCHIP_A_DEV_FRAME_LOG2, qkdchip_rd(qd, QKDCHIP_REG_FRAME_LOG2)) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_HEARTBEAT_US,
			qkdchip_rd(qd, QKDCHIP_REG_HEARTBEAT_US)))
		return -EMSGSIZE;

	for (i = 0; i < QKDCHIP_NUM_STREAMS; i++) {
		struct qkdchip_stream *st = &qd->streams[i];
		u32 state;
		u64 size;
		bool owned, running;

		mutex_lock(&st->lock);
		state = st->ring ? READ_ONCE(st->ring->status->state) : QKDCHIP_RING_IDLE;
		size = st->ring ? st->ring->size : 0;
		owned = st->owner;
		running = st->running;
		mutex_unlock(&st->lock);

		nest = nla_nest_start(skb, QKDCHIP_A_DEV_STREAM);
		if (!nest || nla_put_u32(skb, QKDCHIP_A_STREAM_ID, i) ||
		    nla_put_u32(skb, QKDCHIP_A_STREAM_STATE, state) ||
		    nla_put_u32(skb, QKDCHIP_A_STREAM_SOURCE, st->source) ||
		    qkdchip_put_u8(skb, QKDCHIP_A_STREAM_OWNED, owned) ||
		    qkdchip_put_u8(skb, QKDCHIP_A_STREAM_RUNNING, running) ||
		    nla_put_u64_64bit(skb, QKDCHIP_A_STREAM_RING_SIZE, size, QKDCHIP_A_STREAM_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int qkdchip_nl_put_stats(struct sk_buff *skb, struct qkdchip_dev *qd)
{
	struct qkdchip_stats s = {};
	u64 vals[QKDCHIP_A_STATS_PAD] = {};
	struct nlattr *nest;
	unsigned int i;
	int err;

	err = qkdchip_ioc_stats(qd, NULL, &s);
	if (err)
		return err;
	vals[QKDCHIP_A_STATS_C2H_RECORDS] = s.c2h_records;
	vals[QKDCHIP_A_STATS_C2H_DROPPED] = s.c2h_dropped;
	vals[QKDCHIP_A_STATS_C2H_LOSSES] = s.c2h_losses;
	vals[QKDCHIP_A_STATS_C2H_WRITEBACKS] = s.c2h_writebacks;
	vals[QKDCHIP_A_STATS_C2H_DMA_ERRORS] = s.c2h_dma_errors;
	vals[QKDCHIP_A_STATS_C2H_STALLS] = s.c2h_stalls;
	vals[QKDCHIP_A_STATS_C2H_READ] = s.c2h_read;
	vals[QKDCHIP_A_STATS_C2H_BAD] = s.c2h_bad;
	vals[QKDCHIP_A_STATS_PAT_CONSUMED] = s.pat_consumed;
	vals[QKDCHIP_A_STATS_PAT_UNDERRUN_SLOTS] = s.pat_underrun_slots;
	vals[QKDCHIP_A_STATS_PAT_UNDERRUNS] = s.pat_underruns;
	vals[QKDCHIP_A_STATS_PAT_BAD_SYMBOLS] = s.pat_bad_symbols;
	vals[QKDCHIP_A_STATS_PAT_DMA_ERRORS] = s.pat_dma_errors;
	vals[QKDCHIP_A_STATS_PAT_WRITTEN] = s.pat_written;
	vals[QKDCHIP_A_STATS_TABLE_LOADS] = s.table_loads;
	vals[QKDCHIP_A_STATS_TABLE_SWITCHES] = s.table_switches;
	vals[QKDCHIP_A_STATS_TABLE_ERRORS] = s.table_errors;
	vals[QKDCHIP_A_STATS_EVENTS] = s.events;
	vals[QKDCHIP_A_STATS_EVENTS_LOST] = s.events_lost;
	vals[QKDCHIP_A_STATS_IRQ_EVENTS] = s.irq[QKDCHIP_VEC_EVENTS];
	vals[QKDCHIP_A_STATS_IRQ_C2H] = s.irq[QKDCHIP_VEC_C2H];
	vals[QKDCHIP_A_STATS_IRQ_H2C] = s.irq[QKDCHIP_VEC_H2C];

	nest = nla_nest_start(skb, QKDCHIP_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = QKDCHIP_A_STATS_C2H_RECORDS; i < QKDCHIP_A_STATS_PAD; i++)
		if (nla_put_u64_64bit(skb, i, vals[i], QKDCHIP_A_STATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One dev-get message for @qd; qd->lock held for reading, the card alive. */
static int qkdchip_nl_fill(struct sk_buff *skb, struct qkdchip_dev *qd, u32 portid, u32 seq,
			   int flags, struct netlink_callback *cb)
{
	const struct qkdchip_info *info = &qd->info;
	void *hdr;
	int err;

	if (!qkdchip_present(qd))
		return -ENODEV;
	hdr = genlmsg_put(skb, portid, seq, &qkdchip_nl_family, flags, QKDCHIP_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	err = -EMSGSIZE;
	if (nla_put_u32(skb, QKDCHIP_A_DEV_INDEX, qd->index) ||
	    nla_put_string(skb, QKDCHIP_A_DEV_NAME, dev_name(&qd->dev)) ||
	    nla_put_string(skb, QKDCHIP_A_DEV_BUS_NAME, pci_name(qd->pdev)) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_ROLE, info->role) ||
	    nla_put_u64_64bit(skb, QKDCHIP_A_DEV_SERIAL, info->serial, QKDCHIP_A_DEV_PAD) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_HW_VERSION, info->hw_version) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_FW_BUILD, info->fw_build) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_FW_DATE, info->fw_date) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_FEATURES, info->features) ||
	    nla_put_u32(skb, QKDCHIP_A_DEV_SLOT_RATE_KHZ, info->slot_rate_khz))
		goto cancel;
	err = qkdchip_nl_put_status(skb, qd);
	if (!err)
		err = info->role == QKDCHIP_ROLE_CLIENT ? qkdchip_nl_put_client(skb, qd) :
							  qkdchip_nl_put_server(skb, qd);
	if (!err)
		err = qkdchip_nl_put_common(skb, qd);
	if (!err)
		err = qkdchip_nl_put_stats(skb, qd);
	if (err)
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return err;
}

/* ---- Requests ------------------------------------------------------------------------- */

/* The card a request names, with a reference; qkdchip_nl_lock held. */
static struct qkdchip_dev *qkdchip_nl_find(struct genl_info *info)
{
	struct nlattr *idx = info->attrs[QKDCHIP_A_DEV_INDEX];
	struct nlattr *name = info->attrs[QKDCHIP_A_DEV_NAME];
	struct qkdchip_dev *qd;

	if (!idx && !name) {
		NL_SET_ERR_MSG(info->extack, "name the card with its index or name");
		return ERR_PTR(-EINVAL);
	}
	list_for_each_entry(qd, &qkdchip_cards, nl_node) {
		if (idx && nla_get_u32(idx) != qd->index)
			continue;
		if (name && nla_strcmp(name, dev_name(&qd->dev)))
			continue;
		get_device(&qd->dev);
		return qd;
	}
	NL_SET_ERR_MSG_ATTR(info->extack, idx ? idx : name, "no such card");
	return ERR_PTR(-ENODEV);
}

static int qkdchip_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct qkdchip_dev *qd;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&qkdchip_nl_lock);
	qd = qkdchip_nl_find(info);
	mutex_unlock(&qkdchip_nl_lock);
	if (IS_ERR(qd)) {
		nlmsg_free(msg);
		return PTR_ERR(qd);
	}
	down_read(&qd->lock);
	err = qd->alive ? qkdchip_nl_fill(msg, qd, info->snd_portid, info->snd_seq, 0, NULL) :
			  -ENODEV;
	up_read(&qd->lock);
	put_device(&qd->dev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int qkdchip_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	int skip = cb->args[0], i = 0, err = 0;
	struct qkdchip_dev *qd;

	mutex_lock(&qkdchip_nl_lock);
	cb->seq = qkdchip_nl_gen;
	list_for_each_entry(qd, &qkdchip_cards, nl_node) {
		if (i++ < skip)
			continue;
		down_read(&qd->lock);
		err = qd->alive ? qkdchip_nl_fill(skb, qd, NETLINK_CB(cb->skb).portid,
						  cb->nlh->nlmsg_seq, NLM_F_MULTI, cb) : 0;
		up_read(&qd->lock);
		if (err == -ENODEV)
			err = 0;	/* a card that stopped answering is left out */
		if (err) {
			i--;
			break;
		}
	}
	mutex_unlock(&qkdchip_nl_lock);
	cb->args[0] = i;
	/* a card that did not fit goes into the next message; nothing fits: fail */
	if (err && i == skip)
		return err;
	return skb->len;
}

/* Validate a modulator or detector nest: the channel the card must have. */
static int qkdchip_nl_channel(struct nlattr *nest, const struct nla_policy *policy, int max,
			      int chan_attr, unsigned int nchan, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	int err = nla_parse_nested(tb, max, nest, policy, extack);

	if (err)
		return err;
	if (!tb[chan_attr]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "the channel is missing");
		return -EINVAL;
	}
	if (nla_get_u32(tb[chan_attr]) >= nchan) {
		NL_SET_ERR_MSG_ATTR(extack, tb[chan_attr], "the card has no such channel");
		return -ERANGE;
	}
	return 0;
}

static u32 qkdchip_bit(u32 v, u32 bit, struct nlattr *a)
{
	if (!a)
		return v;
	return nla_get_u8(a) ? v | bit : v & ~bit;
}

/*
 * Check every attribute of a dev-set request against @qd (@apply false), or write
 * them (@apply true, after a successful check).
 */
static int qkdchip_nl_set(struct qkdchip_dev *qd, struct genl_info *info, bool apply)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **a = info->attrs, *nest;
	bool client = qd->info.role == QKDCHIP_ROLE_CLIENT;
	int rem, err;

	static const int client_only[] = {
		QKDCHIP_A_DEV_LASER, QKDCHIP_A_DEV_MODULATOR, QKDCHIP_A_DEV_VOA_MDB,
		QKDCHIP_A_DEV_TEC,
	};
	static const int server_only[] = {
		QKDCHIP_A_DEV_COMB, QKDCHIP_A_DEV_DETECTOR, QKDCHIP_A_DEV_TAGGER,
	};
	unsigned int i;

	if (!apply) {
		for (i = 0; i < ARRAY_SIZE(client_only); i++) {
			if (!client && a[client_only[i]]) {
				NL_SET_ERR_MSG_ATTR(extack, a[client_only[i]],
						    "this setting applies to client cards only");
				return -EOPNOTSUPP;
			}
		}
		for (i = 0; i < ARRAY_SIZE(server_only); i++) {
			if (client && a[server_only[i]]) {
				NL_SET_ERR_MSG_ATTR(extack, a[server_only[i]],
						    "this setting applies to server cards only");
				return -EOPNOTSUPP;
			}
		}
		if (a[QKDCHIP_A_DEV_FRAME_LOG2] &&
		    (READ_ONCE(qd->streams[0].running) || READ_ONCE(qd->streams[1].running))) {
			NL_SET_ERR_MSG_ATTR(extack, a[QKDCHIP_A_DEV_FRAME_LOG2],
					    "the frame size cannot change while a stream runs");
			return -EBUSY;
		}
		if (a[QKDCHIP_A_DEV_FRAME_LOG2] &&
		    (nla_get_u32(a[QKDCHIP_A_DEV_FRAME_LOG2]) < qd->info.frame_min_log2 ||
		     nla_get_u32(a[QKDCHIP_A_DEV_FRAME_LOG2]) > qd->info.frame_max_log2)) {
			NL_SET_ERR_MSG_ATTR(extack, a[QKDCHIP_A_DEV_FRAME_LOG2],
					    "frame size outside the card's range");
			return -ERANGE;
		}
	}

	if (a[QKDCHIP_A_DEV_LASER]) {
		struct nlattr *tb[QKDCHIP_A_LASER_MAX + 1];

		err = nla_parse_nested(tb, QKDCHIP_A_LASER_MAX, a[QKDCHIP_A_DEV_LASER],
				       qkdchip_laser_policy, extack);
		if (err)
			return err;
		if (apply) {
			u32 ctrl = qkdchip_rd(qd, QKDCHIP_REG_LASER_CTRL);

			if (tb[QKDCHIP_A_LASER_CURRENT_UA])
				qkdchip_wr(qd, QKDCHIP_REG_LASER_CURRENT_UA,
					   nla_get_u32(tb[QKDCHIP_A_LASER_CURRENT_UA]));
			ctrl = qkdchip_bit(ctrl, QKDCHIP_LASER_ON, tb[QKDCHIP_A_LASER_ON]);
			ctrl = qkdchip_bit(ctrl, QKDCHIP_LASER_LOCK_LOOP,
					   tb[QKDCHIP_A_LASER_LOCK_LOOP]);
			qkdchip_wr(qd, QKDCHIP_REG_LASER_CTRL, ctrl);
		}
	}

	nla_for_each_attr(nest, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		struct nlattr *tb[QKDCHIP_A_DETECTOR_MAX + 1];
		u32 ch;

		if (nla_type(nest) == QKDCHIP_A_DEV_MODULATOR) {
			err = qkdchip_nl_channel(nest, qkdchip_modulator_policy,
						 QKDCHIP_A_MODULATOR_MAX,
						 QKDCHIP_A_MODULATOR_CHANNEL,
						 qd->info.dac_channels, tb, extack);
			if (err)
				return err;
			ch = nla_get_u32(tb[QKDCHIP_A_MODULATOR_CHANNEL]);
			if (apply && tb[QKDCHIP_A_MODULATOR_BIAS_MV])
				qkdchip_wr(qd, QKDCHIP_REG_MOD_BIAS_MV(ch),
					   (u32)nla_get_s32(tb[QKDCHIP_A_MODULATOR_BIAS_MV]));
		} else if (nla_type(nest) == QKDCHIP_A_DEV_DETECTOR) {
			err = qkdchip_nl_channel(nest, qkdchip_detector_policy,
						 QKDCHIP_A_DETECTOR_MAX, QKDCHIP_A_DETECTOR_CHANNEL,
						 qd->info.det_channels, tb, extack);
			if (err)
				return err;
			ch = nla_get_u32(tb[QKDCHIP_A_DETECTOR_CHANNEL]);
			if (apply && tb[QKDCHIP_A_DETECTOR_BIAS_UA])
				qkdchip_wr(qd, QKDCHIP_REG_DET_BIAS_UA(ch),
					   nla_get_u32(tb[QKDCHIP_A_DETECTOR_BIAS_UA]));
			if (apply && tb[QKDCHIP_A_DETECTOR_DELAY_PS])
				qkdchip_wr(qd, QKDCHIP_REG_TAG_DELAY_PS(ch),
					   (u32)nla_get_s32(tb[QKDCHIP_A_DETECTOR_DELAY_PS]));
		}
	}

	if (a[QKDCHIP_A_DEV_TEC]) {
		struct nlattr *tb[QKDCHIP_A_TEC_MAX + 1];

		err = nla_parse_nested(tb, QKDCHIP_A_TEC_MAX, a[QKDCHIP_A_DEV_TEC],
				       qkdchip_tec_policy, extack);
		if (err)
			return err;
		if (apply && tb[QKDCHIP_A_TEC_SETPOINT_MC])
			qkdchip_wr(qd, QKDCHIP_REG_TEC_SETPOINT_MC,
				   (u32)nla_get_s32(tb[QKDCHIP_A_TEC_SETPOINT_MC]));
		if (apply && tb[QKDCHIP_A_TEC_ON])
			qkdchip_wr(qd, QKDCHIP_REG_TEC_CTRL,
				   qkdchip_bit(qkdchip_rd(qd, QKDCHIP_REG_TEC_CTRL),
					       QKDCHIP_TEC_ON, tb[QKDCHIP_A_TEC_ON]));
	}

	if (a[QKDCHIP_A_DEV_COMB]) {
		struct nlattr *tb[QKDCHIP_A_COMB_MAX + 1];

		err = nla_parse_nested(tb, QKDCHIP_A_COMB_MAX, a[QKDCHIP_A_DEV_COMB],
				       qkdchip_comb_policy, extack);
		if (err)
			return err;
		if (apply) {
			u32 ctrl = qkdchip_rd(qd, QKDCHIP_REG_COMB_CTRL);

			if (tb[QKDCHIP_A_COMB_PUMP_UA])
				qkdchip_wr(qd, QKDCHIP_REG_COMB_PUMP_UA,
					   nla_get_u32(tb[QKDCHIP_A_COMB_PUMP_UA]));
			ctrl = qkdchip_bit(ctrl, QKDCHIP_COMB_ON, tb[QKDCHIP_A_COMB_ON]);
			ctrl = qkdchip_bit(ctrl, QKDCHIP_COMB_LOCK_LOOP,
					   tb[QKDCHIP_A_COMB_LOCK_LOOP]);
			qkdchip_wr(qd, QKDCHIP_REG_COMB_CTRL, ctrl);
		}
	}

	if (a[QKDCHIP_A_DEV_TAGGER]) {
		struct nlattr *tb[QKDCHIP_A_TAGGER_MAX + 1];

		err = nla_parse_nested(tb, QKDCHIP_A_TAGGER_MAX, a[QKDCHIP_A_DEV_TAGGER],
				       qkdchip_tagger_policy, extack);
		if (err)
			return err;
		if (apply && tb[QKDCHIP_A_TAGGER_DEADTIME_NS])
			qkdchip_wr(qd, QKDCHIP_REG_TAG_DEADTIME_NS,
				   nla_get_u32(tb[QKDCHIP_A_TAGGER_DEADTIME_NS]));
		if (apply && tb[QKDCHIP_A_TAGGER_REF_WINDOW_LOG2])
			qkdchip_wr(qd, QKDCHIP_REG_REF_WINDOW_LOG2,
				   nla_get_u32(tb[QKDCHIP_A_TAGGER_REF_WINDOW_LOG2]));
	}

	if (a[QKDCHIP_A_DEV_CLOCK]) {
		struct nlattr *tb[QKDCHIP_A_CLOCK_MAX + 1];

		err = nla_parse_nested(tb, QKDCHIP_A_CLOCK_MAX, a[QKDCHIP_A_DEV_CLOCK],
				       qkdchip_clock_policy, extack);
		if (err)
			return err;
		if (apply && tb[QKDCHIP_A_CLOCK_SOURCE])
			qkdchip_wr(qd, QKDCHIP_REG_CLOCK_CTRL,
				   nla_get_u32(tb[QKDCHIP_A_CLOCK_SOURCE]));
	}

	if (apply) {
		if (a[QKDCHIP_A_DEV_VOA_MDB])
			qkdchip_wr(qd, QKDCHIP_REG_VOA_MDB, nla_get_u32(a[QKDCHIP_A_DEV_VOA_MDB]));
		if (a[QKDCHIP_A_DEV_TEMP_CRIT_MC])
			qkdchip_wr(qd, QKDCHIP_REG_TEMP_CRIT_MC,
				   (u32)nla_get_s32(a[QKDCHIP_A_DEV_TEMP_CRIT_MC]));
		if (a[QKDCHIP_A_DEV_FRAME_LOG2])
			qkdchip_wr(qd, QKDCHIP_REG_FRAME_LOG2,
				   nla_get_u32(a[QKDCHIP_A_DEV_FRAME_LOG2]));
		if (a[QKDCHIP_A_DEV_HEARTBEAT_US])
			qkdchip_wr(qd, QKDCHIP_REG_HEARTBEAT_US,
				   nla_get_u32(a[QKDCHIP_A_DEV_HEARTBEAT_US]));
	}
	return 0;
}

static int qkdchip_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct qkdchip_dev *qd;
	int err;

	mutex_lock(&qkdchip_nl_lock);
	qd = qkdchip_nl_find(info);
	if (IS_ERR(qd)) {
		mutex_unlock(&qkdchip_nl_lock);
		return PTR_ERR(qd);
	}
	down_read(&qd->lock);
	if (!qd->alive) {
		err = -ENODEV;
	} else {
		err = qkdchip_nl_set(qd, info, false);
		if (!err) {
			qkdchip_nl_set(qd, info, true);
			if (!++qkdchip_nl_gen)
				qkdchip_nl_gen = 1;
		}
	}
	up_read(&qd->lock);
	mutex_unlock(&qkdchip_nl_lock);
	put_device(&qd->dev);
	return err;
}

static int qkdchip_nl_stream_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[QKDCHIP_A_STREAM_MAX + 1];
	struct qkdchip_dev *qd;
	u32 s;
	int err;

	if (!info->attrs[QKDCHIP_A_DEV_STREAM]) {
		NL_SET_ERR_MSG(info->extack, "name the stream to stop");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, QKDCHIP_A_STREAM_MAX, info->attrs[QKDCHIP_A_DEV_STREAM],
			       qkdchip_stream_policy, info->extack);
	if (err)
		return err;
	if (!tb[QKDCHIP_A_STREAM_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKDCHIP_A_DEV_STREAM],
				    "the stream id is missing");
		return -EINVAL;
	}
	s = nla_get_u32(tb[QKDCHIP_A_STREAM_ID]);

	mutex_lock(&qkdchip_nl_lock);
	qd = qkdchip_nl_find(info);
	mutex_unlock(&qkdchip_nl_lock);
	if (IS_ERR(qd))
		return PTR_ERR(qd);
	down_read(&qd->lock);
	err = qd->alive ? qkdchip_stream_force_stop(qd, s) : -ENODEV;
	up_read(&qd->lock);
	put_device(&qd->dev);
	return err;
}

static const struct genl_ops qkdchip_nl_ops[] = {
	{
		.cmd = QKDCHIP_CMD_DEV_GET,
		.doit = qkdchip_nl_dev_get_doit,
		.dumpit = qkdchip_nl_dev_get_dumpit,
		.policy = qkdchip_dev_get_policy,
		.maxattr = QKDCHIP_A_DEV_MAX,
	},
	{
		.cmd = QKDCHIP_CMD_DEV_SET,
		.doit = qkdchip_nl_dev_set_doit,
		.policy = qkdchip_dev_set_policy,
		.maxattr = QKDCHIP_A_DEV_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = QKDCHIP_CMD_STREAM_STOP,
		.doit = qkdchip_nl_stream_stop_doit,
		.policy = qkdchip_stream_stop_policy,
		.maxattr = QKDCHIP_A_DEV_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family qkdchip_nl_family __ro_after_init = {
	.name = QKDCHIP_FAMILY_NAME,
	.version = QKDCHIP_FAMILY_VERSION,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = qkdchip_nl_ops,
	.n_ops = ARRAY_SIZE(qkdchip_nl_ops),
	.resv_start_op = QKDCHIP_CMD_STREAM_STOP + 1,
	.mcgrps = qkdchip_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(qkdchip_nl_mcgrps),
};

/* ---- Events --------------------------------------------------------------------------- */

void qkdchip_nl_event(struct qkdchip_dev *qd, u32 code, u32 arg, u64 slot)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&qkdchip_nl_family, &init_net, QKDCHIP_NL_MCGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &qkdchip_nl_family, 0, QKDCHIP_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, QKDCHIP_A_EVENT_DEV_INDEX, qd->index) ||
	    nla_put_u32(msg, QKDCHIP_A_EVENT_CODE, code) ||
	    nla_put_u32(msg, QKDCHIP_A_EVENT_ARG, arg) ||
	    nla_put_u64_64bit(msg, QKDCHIP_A_EVENT_SLOT, slot, QKDCHIP_A_EVENT_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&qkdchip_nl_family, msg, 0, QKDCHIP_NL_MCGRP_EVENTS, GFP_KERNEL);
}

void qkdchip_nl_add(struct qkdchip_dev *qd)
{
	mutex_lock(&qkdchip_nl_lock);
	list_add_tail(&qd->nl_node, &qkdchip_cards);
	if (!++qkdchip_nl_gen)
		qkdchip_nl_gen = 1;
	mutex_unlock(&qkdchip_nl_lock);
	qkdchip_nl_event(qd, QKDCHIP_EV_CARD_ADDED, 0, 0);
}

void qkdchip_nl_del(struct qkdchip_dev *qd)
{
	mutex_lock(&qkdchip_nl_lock);
	list_del(&qd->nl_node);
	if (!++qkdchip_nl_gen)
		qkdchip_nl_gen = 1;
	mutex_unlock(&qkdchip_nl_lock);
	qkdchip_nl_event(qd, QKDCHIP_EV_CARD_REMOVED, 0, 0);
}

int __init qkdchip_nl_init(void)
{
	return genl_register_family(&qkdchip_nl_family);
}

void qkdchip_nl_exit(void)
{
	genl_unregister_family(&qkdchip_nl_family);
}
