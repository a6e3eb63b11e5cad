// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: the qkdchip generic netlink family (Documentation/netlink/specs/
 * qkdchip.yaml) through libnl-genl-3 - dev-get (do and dump), dev-set, stream-stop,
 * and the kernel's extended-ACK messages.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define QKD_DUMP_RETRIES	10

struct qkd_nl {
	struct nl_sock *sk;
	int family;
	char err[QKD_MSG_LEN];
};

static int nl_fail(struct qkd_nl *nl, int err, const char *fmt, ...) QKD_PRINTF(3, 4);
static int nl_fail(struct qkd_nl *nl, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qkd_verr(nl->err, sizeof(nl->err), err, fmt, ap);
	va_end(ap);
	return err;
}

/* libnl error -> negative errno */
static int nlerr_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_DUMP_INTR:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* Open a generic netlink socket and resolve the family (and a group, if @grp). */
int qkd__nl_connect(struct nl_sock **skp, int *family, const char *grp, int *grp_id,
		    char *err, size_t errlen)
{
	struct nl_sock *sk;
	int one = 1, ret;

	*skp = NULL;
	sk = nl_socket_alloc();
	if (!sk)
		return qkd_err(err, errlen, -ENOMEM, "out of memory");
	ret = genl_connect(sk);
	if (ret < 0) {
		ret = nlerr_errno(ret);
		nl_socket_free(sk);
		return qkd_err(err, errlen, ret, "cannot open a generic netlink socket: %s",
			       strerror(-ret));
	}
	/* Extended ACKs (error messages), and errors without a copy of our request. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*family = genl_ctrl_resolve(sk, QKDCHIP_FAMILY_NAME);
	if (*family < 0) {
		ret = nlerr_errno(*family);
		nl_socket_free(sk);
		if (ret == -ENOENT)
			return qkd_err(err, errlen, ret,
				       "the qkdchip netlink family is not registered (is the qkdchip module loaded?)");
		return qkd_err(err, errlen, ret, "cannot resolve the qkdchip netlink family: %s",
			       strerror(-ret));
	}
	if (grp) {
		*grp_id = genl_ctrl_resolve_grp(sk, QKDCHIP_FAMILY_NAME, grp);
		if (*grp_id < 0) {
			ret = nlerr_errno(*grp_id);
			nl_socket_free(sk);
			return qkd_err(err, errlen, ret == -ENOENT ? -ENOENT : ret,
				       "the qkdchip netlink family has no '%s' group", grp);
		}
	}
	*skp = sk;
	return 0;
}

int qkd_nl_open(struct qkd_nl **nlp, char *err, size_t errlen)
{
	struct qkd_nl *nl;
	int ret;

	*nlp = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return qkd_err(err, errlen, -ENOMEM, "out of memory");
	ret = qkd__nl_connect(&nl->sk, &nl->family, NULL, NULL, err, errlen);
	if (ret) {
		free(nl);
		return ret;
	}
	*nlp = nl;
	return 0;
}

void qkd_nl_close(struct qkd_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *qkd_nl_error(const struct qkd_nl *nl)
{
	return nl->err;
}

/* ---- Attribute parsing ------------------------------------------------------------- */

static bool a_u8(const struct nlattr *a, bool *v)
{
	if (nla_len(a) < 1)
		return false;
	*v = *(const uint8_t *)nla_data(a) != 0;
	return true;
}

static bool a_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) < 4)
		return false;
	memcpy(v, nla_data(a), 4);
	return true;
}

static bool a_s32(const struct nlattr *a, int32_t *v)
{
	if (nla_len(a) < 4)
		return false;
	memcpy(v, nla_data(a), 4);
	return true;
}

static bool a_u64(const struct nlattr *a, uint64_t *v)
{
	if (nla_len(a) < 8)
		return false;
	memcpy(v, nla_data(a), 8);
	return true;
}

static void a_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n = (size_t)nla_len(a);
	const char *s = nla_data(a);

	n = strnlen(s, n);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

#define for_each_nested(pos, nla, rem) \
	nla_for_each_attr(pos, (struct nlattr *)nla_data(nla), nla_len(nla), rem)

static void parse_status(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_STATUS_READY:
			a_u8(a, &st->status.ready);
			break;
		case QKDCHIP_A_STATUS_ERROR:
			a_u8(a, &st->status.error);
			break;
		case QKDCHIP_A_STATUS_SOURCE_LOCKED:
			a_u8(a, &st->status.source_locked);
			break;
		case QKDCHIP_A_STATUS_CLOCK_LOCKED:
			a_u8(a, &st->status.clock_locked);
			break;
		case QKDCHIP_A_STATUS_OVER_TEMP:
			a_u8(a, &st->status.over_temp);
			break;
		case QKDCHIP_A_STATUS_TIME:
			a_u64(a, &st->status.time);
			break;
		case QKDCHIP_A_STATUS_FRAME_COUNT:
			a_u64(a, &st->status.frame_count);
			break;
		}
	}
	st->has |= QKD_HAS_STATUS;
}

static void parse_laser(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_LASER_CURRENT_UA:
			a_u32(a, &st->laser.current_ua);
			break;
		case QKDCHIP_A_LASER_ON:
			a_u8(a, &st->laser.on);
			break;
		case QKDCHIP_A_LASER_LOCK_LOOP:
			a_u8(a, &st->laser.lock_loop);
			break;
		case QKDCHIP_A_LASER_LOCK_STATE:
			a_u32(a, &st->laser.lock_state);
			break;
		case QKDCHIP_A_LASER_LOCK_LOSSES:
			a_u32(a, &st->laser.lock_losses);
			break;
		case QKDCHIP_A_LASER_DETUNE_MHZ:
			a_s32(a, &st->laser.detune_mhz);
			break;
		case QKDCHIP_A_LASER_POWER_UW:
			a_u32(a, &st->laser.power_uw);
			break;
		}
	}
	st->has |= QKD_HAS_LASER;
}

static void parse_modulator(struct nlattr *n, struct qkd_state *st)
{
	uint32_t ch = UINT32_MAX;
	int32_t bias = 0;
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		if (nla_type(a) == QKDCHIP_A_MODULATOR_CHANNEL)
			a_u32(a, &ch);
		else if (nla_type(a) == QKDCHIP_A_MODULATOR_BIAS_MV)
			a_s32(a, &bias);
	}
	if (ch == UINT32_MAX || st->n_modulators >= QKD_MAX_CHANNELS)
		return;
	st->modulator[st->n_modulators].channel = ch;
	st->modulator[st->n_modulators].bias_mv = bias;
	st->n_modulators++;
}

static void parse_tec(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		if (nla_type(a) == QKDCHIP_A_TEC_SETPOINT_MC)
			a_s32(a, &st->tec.setpoint_mc);
		else if (nla_type(a) == QKDCHIP_A_TEC_ON)
			a_u8(a, &st->tec.on);
	}
	st->has |= QKD_HAS_TEC;
}

static void parse_temp(struct nlattr *n, struct qkd_state *st)
{
	uint32_t sensor = UINT32_MAX;
	int32_t mc = 0;
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		if (nla_type(a) == QKDCHIP_A_TEMP_SENSOR)
			a_u32(a, &sensor);
		else if (nla_type(a) == QKDCHIP_A_TEMP_MC)
			a_s32(a, &mc);
	}
	if (sensor == UINT32_MAX || st->n_temps >= QKD_MAX_TEMPS)
		return;
	st->temp[st->n_temps].sensor = sensor;
	st->temp[st->n_temps].mc = mc;
	st->n_temps++;
}

static void parse_comb(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_COMB_PUMP_UA:
			a_u32(a, &st->comb.pump_ua);
			break;
		case QKDCHIP_A_COMB_ON:
			a_u8(a, &st->comb.on);
			break;
		case QKDCHIP_A_COMB_LOCK_LOOP:
			a_u8(a, &st->comb.lock_loop);
			break;
		case QKDCHIP_A_COMB_LOCK_STATE:
			a_u32(a, &st->comb.lock_state);
			break;
		case QKDCHIP_A_COMB_LOCK_LOSSES:
			a_u32(a, &st->comb.lock_losses);
			break;
		case QKDCHIP_A_COMB_LINES:
			a_u32(a, &st->comb.lines);
			break;
		}
	}
	st->has |= QKD_HAS_COMB;
}

static void parse_detector(struct nlattr *n, struct qkd_state *st)
{
	uint32_t ch = UINT32_MAX, bias = 0, eff = 0, dark = 0;
	int32_t delay = 0;
	struct nlattr *a;
	unsigned int i;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_DETECTOR_CHANNEL:
			a_u32(a, &ch);
			break;
		case QKDCHIP_A_DETECTOR_BIAS_UA:
			a_u32(a, &bias);
			break;
		case QKDCHIP_A_DETECTOR_EFF_PPM:
			a_u32(a, &eff);
			break;
		case QKDCHIP_A_DETECTOR_DARK_CPS:
			a_u32(a, &dark);
			break;
		case QKDCHIP_A_DETECTOR_DELAY_PS:
			a_s32(a, &delay);
			break;
		}
	}
	if (ch == UINT32_MAX || st->n_detectors >= QKD_MAX_CHANNELS)
		return;
	i = st->n_detectors++;
	st->detector[i].channel = ch;
	st->detector[i].bias_ua = bias;
	st->detector[i].eff_ppm = eff;
	st->detector[i].dark_cps = dark;
	st->detector[i].delay_ps = delay;
}

static void parse_tagger(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		if (nla_type(a) == QKDCHIP_A_TAGGER_DEADTIME_NS)
			a_u32(a, &st->tagger.deadtime_ns);
		else if (nla_type(a) == QKDCHIP_A_TAGGER_REF_WINDOW_LOG2)
			a_u32(a, &st->tagger.ref_window_log2);
	}
	st->has |= QKD_HAS_TAGGER;
}

static void parse_clock(struct nlattr *n, struct qkd_state *st)
{
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_CLOCK_SOURCE:
			a_u32(a, &st->clock.source);
			break;
		case QKDCHIP_A_CLOCK_REF_PRESENT:
			a_u8(a, &st->clock.ref_present);
			break;
		case QKDCHIP_A_CLOCK_LOCKED:
			a_u8(a, &st->clock.locked);
			break;
		case QKDCHIP_A_CLOCK_PPS_SEEN:
			a_u8(a, &st->clock.pps_seen);
			break;
		}
	}
	st->has |= QKD_HAS_CLOCK;
}

static void parse_stream(struct nlattr *n, struct qkd_state *st)
{
	uint32_t id = UINT32_MAX, state = 0, source = 0;
	bool owned = false, running = false;
	uint64_t size = 0;
	struct nlattr *a;
	unsigned int i;
	int rem;

	for_each_nested(a, n, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_STREAM_ID:
			a_u32(a, &id);
			break;
		case QKDCHIP_A_STREAM_STATE:
			a_u32(a, &state);
			break;
		case QKDCHIP_A_STREAM_SOURCE:
			a_u32(a, &source);
			break;
		case QKDCHIP_A_STREAM_OWNED:
			a_u8(a, &owned);
			break;
		case QKDCHIP_A_STREAM_RUNNING:
			a_u8(a, &running);
			break;
		case QKDCHIP_A_STREAM_RING_SIZE:
			a_u64(a, &size);
			break;
		}
	}
	if (id == UINT32_MAX || st->n_streams >= QKDCHIP_NUM_STREAMS)
		return;
	i = st->n_streams++;
	st->stream[i].id = id;
	st->stream[i].state = state;
	st->stream[i].source = source;
	st->stream[i].owned = owned;
	st->stream[i].running = running;
	st->stream[i].ring_size = size;
}

static void parse_stats(struct nlattr *n, struct qkd_state *st)
{
#define S(a, f) [QKDCHIP_A_STATS_##a] = offsetof(struct qkd_stats, f) + 1
	/* offset + 1 of each counter's field, 0 for no field */
	static const size_t off[] = {
		S(C2H_RECORDS, c2h_records), S(C2H_DROPPED, c2h_dropped),
		S(C2H_LOSSES, c2h_losses), S(C2H_WRITEBACKS, c2h_writebacks),
		S(C2H_DMA_ERRORS, c2h_dma_errors), S(C2H_STALLS, c2h_stalls),
		S(C2H_READ, c2h_read), S(C2H_BAD, c2h_bad), S(PAT_CONSUMED, pat_consumed),
		S(PAT_UNDERRUN_SLOTS, pat_underrun_slots), S(PAT_UNDERRUNS, pat_underruns),
		S(PAT_BAD_SYMBOLS, pat_bad_symbols), S(PAT_DMA_ERRORS, pat_dma_errors),
		S(PAT_WRITTEN, pat_written), S(TABLE_LOADS, table_loads),
		S(TABLE_SWITCHES, table_switches), S(TABLE_ERRORS, table_errors),
		S(EVENTS, events), S(EVENTS_LOST, events_lost), S(IRQ_EVENTS, irq_events),
		S(IRQ_C2H, irq_c2h), S(IRQ_H2C, irq_h2c),
	};
#undef S
	struct nlattr *a;
	int rem;

	for_each_nested(a, n, rem) {
		unsigned int t = (unsigned int)nla_type(a);
		uint64_t v;

		if (t < QKD_ARRAY_SIZE(off) && off[t] && a_u64(a, &v))
			memcpy((char *)&st->stats + off[t] - 1, &v, sizeof(v));
	}
	st->has |= QKD_HAS_STATS;
}

int qkd__nl_parse_dev(struct nlattr *head, int len, struct qkd_state *st)
{
	bool have_index = false;
	struct nlattr *a;
	int rem;

	memset(st, 0, sizeof(*st));
	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_DEV_INDEX:
			have_index = a_u32(a, &st->index);
			break;
		case QKDCHIP_A_DEV_NAME:
			a_str(a, st->name, sizeof(st->name));
			break;
		case QKDCHIP_A_DEV_BUS_NAME:
			a_str(a, st->bus_name, sizeof(st->bus_name));
			break;
		case QKDCHIP_A_DEV_ROLE:
			if (a_u32(a, &st->role))
				st->has |= QKD_HAS_IDENTITY;
			break;
		case QKDCHIP_A_DEV_SERIAL:
			a_u64(a, &st->serial);
			break;
		case QKDCHIP_A_DEV_HW_VERSION:
			a_u32(a, &st->hw_version);
			break;
		case QKDCHIP_A_DEV_FW_BUILD:
			a_u32(a, &st->fw_build);
			break;
		case QKDCHIP_A_DEV_FW_DATE:
			a_u32(a, &st->fw_date);
			break;
		case QKDCHIP_A_DEV_FEATURES:
			a_u32(a, &st->features);
			break;
		case QKDCHIP_A_DEV_SLOT_RATE_KHZ:
			a_u32(a, &st->slot_rate_khz);
			break;
		case QKDCHIP_A_DEV_STATUS:
			parse_status(a, st);
			break;
		case QKDCHIP_A_DEV_LASER:
			parse_laser(a, st);
			break;
		case QKDCHIP_A_DEV_MODULATOR:
			parse_modulator(a, st);
			break;
		case QKDCHIP_A_DEV_VOA_MDB:
			if (a_u32(a, &st->voa_mdb))
				st->has |= QKD_HAS_VOA;
			break;
		case QKDCHIP_A_DEV_TEC:
			parse_tec(a, st);
			break;
		case QKDCHIP_A_DEV_TEMP:
			parse_temp(a, st);
			break;
		case QKDCHIP_A_DEV_TEMP_CRIT_MC:
			if (a_s32(a, &st->temp_crit_mc))
				st->has |= QKD_HAS_TEMP_CRIT;
			break;
		case QKDCHIP_A_DEV_COMB:
			parse_comb(a, st);
			break;
		case QKDCHIP_A_DEV_DETECTOR:
			parse_detector(a, st);
			break;
		case QKDCHIP_A_DEV_TAGGER:
			parse_tagger(a, st);
			break;
		case QKDCHIP_A_DEV_CLOCK:
			parse_clock(a, st);
			break;
		case QKDCHIP_A_DEV_FRAME_LOG2:
			if (a_u32(a, &st->frame_log2))
				st->has |= QKD_HAS_FRAME_LOG2;
			break;
		case QKDCHIP_A_DEV_HEARTBEAT_US:
			if (a_u32(a, &st->heartbeat_us))
				st->has |= QKD_HAS_HEARTBEAT;
			break;
		case QKDCHIP_A_DEV_STREAM:
			parse_stream(a, st);
			break;
		case QKDCHIP_A_DEV_STATS:
			parse_stats(a, st);
			break;
		}
	}
	if (!have_index)
		return -EPROTO;
	if (!st->name[0])
		snprintf(st->name, sizeof(st->name), "qkdchip%u", st->index);
	return 0;
}

/* ---- Names of attributes, for error messages ---------------------------------------- */

struct attr_set {
	const char *const *names;
	unsigned int n;
};

#define SET(a) { a, QKD_ARRAY_SIZE(a) }

static const char *const dev_names[] = {
	[QKDCHIP_A_DEV_INDEX] = "index", [QKDCHIP_A_DEV_NAME] = "name",
	[QKDCHIP_A_DEV_BUS_NAME] = "bus-name", [QKDCHIP_A_DEV_ROLE] = "role",
	[QKDCHIP_A_DEV_SERIAL] = "serial", [QKDCHIP_A_DEV_HW_VERSION] = "hw-version",
	[QKDCHIP_A_DEV_FW_BUILD] = "fw-build", [QKDCHIP_A_DEV_FW_DATE] = "fw-date",
	[QKDCHIP_A_DEV_FEATURES] = "features", [QKDCHIP_A_DEV_SLOT_RATE_KHZ] = "slot-rate-khz",
	[QKDCHIP_A_DEV_STATUS] = "status", [QKDCHIP_A_DEV_LASER] = "laser",
	[QKDCHIP_A_DEV_MODULATOR] = "modulator", [QKDCHIP_A_DEV_VOA_MDB] = "voa-mdb",
	[QKDCHIP_A_DEV_TEC] = "tec", [QKDCHIP_A_DEV_TEMP] = "temp",
	[QKDCHIP_A_DEV_TEMP_CRIT_MC] = "temp-crit-mc", [QKDCHIP_A_DEV_COMB] = "comb",
	[QKDCHIP_A_DEV_DETECTOR] = "detector", [QKDCHIP_A_DEV_TAGGER] = "tagger",
	[QKDCHIP_A_DEV_CLOCK] = "clock", [QKDCHIP_A_DEV_FRAME_LOG2] = "frame-log2",
	[QKDCHIP_A_DEV_HEARTBEAT_US] = "heartbeat-us", [QKDCHIP_A_DEV_STREAM] = "stream",
	[QKDCHIP_A_DEV_STATS] = "stats",
};
static const char *const laser_names[] = {
	[QKDCHIP_A_LASER_CURRENT_UA] = "current-ua", [QKDCHIP_A_LASER_ON] = "on",
	[QKDCHIP_A_LASER_LOCK_LOOP] = "lock-loop", [QKDCHIP_A_LASER_LOCK_STATE] = "lock-state",
	[QKDCHIP_A_LASER_LOCK_LOSSES] = "lock-losses",
	[QKDCHIP_A_LASER_DETUNE_MHZ] = "detune-mhz", [QKDCHIP_A_LASER_POWER_UW] = "power-uw",
};
static const char *const modulator_names[] = {
	[QKDCHIP_A_MODULATOR_CHANNEL] = "channel", [QKDCHIP_A_MODULATOR_BIAS_MV] = "bias-mv",
};
static const char *const tec_names[] = {
	[QKDCHIP_A_TEC_SETPOINT_MC] = "setpoint-mc", [QKDCHIP_A_TEC_ON] = "on",
};
static const char *const comb_names[] = {
	[QKDCHIP_A_COMB_PUMP_UA] = "pump-ua", [QKDCHIP_A_COMB_ON] = "on",
	[QKDCHIP_A_COMB_LOCK_LOOP] = "lock-loop", [QKDCHIP_A_COMB_LOCK_STATE] = "lock-state",
	[QKDCHIP_A_COMB_LOCK_LOSSES] = "lock-losses", [QKDCHIP_A_COMB_LINES] = "lines",
};
static const char *const detector_names[] = {
	[QKDCHIP_A_DETECTOR_CHANNEL] = "channel", [QKDCHIP_A_DETECTOR_BIAS_UA] = "bias-ua",
	[QKDCHIP_A_DETECTOR_EFF_PPM] = "eff-ppm", [QKDCHIP_A_DETECTOR_DARK_CPS] = "dark-cps",
	[QKDCHIP_A_DETECTOR_DELAY_PS] = "delay-ps",
};
static const char *const tagger_names[] = {
	[QKDCHIP_A_TAGGER_DEADTIME_NS] = "deadtime-ns",
	[QKDCHIP_A_TAGGER_REF_WINDOW_LOG2] = "ref-window-log2",
};
static const char *const clock_names[] = {
	[QKDCHIP_A_CLOCK_SOURCE] = "source", [QKDCHIP_A_CLOCK_REF_PRESENT] = "ref-present",
	[QKDCHIP_A_CLOCK_LOCKED] = "locked", [QKDCHIP_A_CLOCK_PPS_SEEN] = "pps-seen",
};
static const char *const stream_names[] = {
	[QKDCHIP_A_STREAM_ID] = "id", [QKDCHIP_A_STREAM_STATE] = "state",
	[QKDCHIP_A_STREAM_SOURCE] = "source", [QKDCHIP_A_STREAM_OWNED] = "owned",
	[QKDCHIP_A_STREAM_RUNNING] = "running", [QKDCHIP_A_STREAM_RING_SIZE] = "ring-size",
};

static const struct attr_set dev_set = SET(dev_names);

/* The attribute set nested in dev attribute @type, if any. */
static const struct attr_set *nested_set(int type)
{
	static const struct attr_set laser = SET(laser_names), modulator = SET(modulator_names),
		tec = SET(tec_names), comb = SET(comb_names), detector = SET(detector_names),
		tagger = SET(tagger_names), clock = SET(clock_names), stream = SET(stream_names);

	switch (type) {
	case QKDCHIP_A_DEV_LASER:
		return &laser;
	case QKDCHIP_A_DEV_MODULATOR:
		return &modulator;
	case QKDCHIP_A_DEV_TEC:
		return &tec;
	case QKDCHIP_A_DEV_COMB:
		return &comb;
	case QKDCHIP_A_DEV_DETECTOR:
		return &detector;
	case QKDCHIP_A_DEV_TAGGER:
		return &tagger;
	case QKDCHIP_A_DEV_CLOCK:
		return &clock;
	case QKDCHIP_A_DEV_STREAM:
		return &stream;
	default:
		return NULL;
	}
}

static void attr_name(const struct attr_set *set, int type, char *buf, size_t len)
{
	if (type > 0 && (unsigned int)type < set->n && set->names[type])
		snprintf(buf, len, "%s", set->names[type]);
	else
		snprintf(buf, len, "attribute %d", type);
}

/*
 * Find the attribute of our request at byte offset @offs (from the start of the
 * netlink message) and name it ("laser.current-ua"). For @miss_type >= 0, name
 * attribute @miss_type of the nest at @offs (or of the top level if @offs is 0).
 */
static bool name_at(const void *req, size_t reqlen, uint32_t offs, int miss_type, char *buf,
		    size_t len)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlmsghdr *nlh = req;
	struct nlattr *a, *b;
	char parent[48], child[48];
	int rem, rem2;

	if (!req || reqlen < hdr || nlh->nlmsg_len > reqlen)
		return false;
	if (miss_type >= 0 && !offs) {
		attr_name(&dev_set, miss_type, buf, len);
		return true;
	}
	nla_for_each_attr(a, (struct nlattr *)((const char *)req + hdr),
			  (int)(nlh->nlmsg_len - hdr), rem) {
		const struct attr_set *set = nested_set(nla_type(a));
		size_t at = (size_t)((const char *)a - (const char *)req);

		attr_name(&dev_set, nla_type(a), parent, sizeof(parent));
		if (at == offs) {
			if (miss_type >= 0 && set)
				attr_name(set, miss_type, child, sizeof(child));
			snprintf(buf, len, "%s%s%s", parent, miss_type >= 0 ? "." : "",
				 miss_type >= 0 ? (set ? child : "?") : "");
			return true;
		}
		if (!set)
			continue;
		for_each_nested(b, a, rem2) {
			if ((size_t)((const char *)b - (const char *)req) == offs) {
				attr_name(set, nla_type(b), child, sizeof(child));
				snprintf(buf, len, "%s.%s", parent, child);
				return true;
			}
		}
	}
	return false;
}

void qkd__nl_error_text(char *buf, size_t len, int error, const void *tlv, size_t tlvlen,
			const void *req, size_t reqlen)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1], *a;
	char msg[160] = "", where[96] = "", range[64] = "";
	uint32_t offs = 0, miss_nest = 0;
	int miss_type = -1, rem;
	bool have_offs = false;

	memset(tb, 0, sizeof(tb));
	if (tlv && tlvlen) {
		nla_for_each_attr(a, (struct nlattr *)tlv, (int)tlvlen, rem)
			if (nla_type(a) <= NLMSGERR_ATTR_MAX)
				tb[nla_type(a)] = a;
	}
	if (tb[NLMSGERR_ATTR_MSG])
		a_str(tb[NLMSGERR_ATTR_MSG], msg, sizeof(msg));
	if (tb[NLMSGERR_ATTR_OFFS] && a_u32(tb[NLMSGERR_ATTR_OFFS], &offs))
		have_offs = true;
	if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		uint32_t t;

		if (a_u32(tb[NLMSGERR_ATTR_MISS_TYPE], &t))
			miss_type = (int)t;
		if (tb[NLMSGERR_ATTR_MISS_NEST])
			a_u32(tb[NLMSGERR_ATTR_MISS_NEST], &miss_nest);
	}
	if (tb[NLMSGERR_ATTR_POLICY]) {
		struct nlattr *p[NL_POLICY_TYPE_ATTR_MAX + 1];
		uint64_t umin = 0, umax = 0;
		int64_t smin = 0, smax = 0;

		memset(p, 0, sizeof(p));
		for_each_nested(a, tb[NLMSGERR_ATTR_POLICY], rem)
			if (nla_type(a) <= NL_POLICY_TYPE_ATTR_MAX)
				p[nla_type(a)] = a;
		if (p[NL_POLICY_TYPE_ATTR_MIN_VALUE_S] && p[NL_POLICY_TYPE_ATTR_MAX_VALUE_S] &&
		    a_u64(p[NL_POLICY_TYPE_ATTR_MIN_VALUE_S], (uint64_t *)&smin) &&
		    a_u64(p[NL_POLICY_TYPE_ATTR_MAX_VALUE_S], (uint64_t *)&smax))
			snprintf(range, sizeof(range), "valid range %lld..%lld", (long long)smin,
				 (long long)smax);
		else if (p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] && p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U] &&
			 a_u64(p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &umin) &&
			 a_u64(p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &umax))
			snprintf(range, sizeof(range), "valid range %llu..%llu",
				 (unsigned long long)umin, (unsigned long long)umax);
	}

	if (miss_type >= 0) {
		char name[96];

		if (!name_at(req, reqlen, miss_nest, miss_type, name, sizeof(name)))
			snprintf(name, sizeof(name), "attribute %d", miss_type);
		snprintf(buf, len, "%s%smissing attribute %s", msg, msg[0] ? ": " : "", name);
		return;
	}
	if (have_offs && !name_at(req, reqlen, offs, -1, where, sizeof(where)))
		snprintf(where, sizeof(where), "offset %u", offs);
	if (!msg[0])
		snprintf(msg, sizeof(msg), "%s", strerror(-error));
	if (where[0] && range[0])
		snprintf(buf, len, "%s: %s (%s)", where, msg, range);
	else if (where[0])
		snprintf(buf, len, "%s: %s", where, msg);
	else if (range[0])
		snprintf(buf, len, "%s (%s)", msg, range);
	else
		snprintf(buf, len, "%s", msg);
}

/* ---- Requests --------------------------------------------------------------------- */

struct req {
	struct qkd_nl *nl;
	struct nl_msg *msg;		/* the request, for naming attributes in errors */
	int (*parse)(struct req *r, struct nlattr *head, int len);
	int error;			/* negative errno from the kernel, or a parse error */
	bool done;
	bool intr;			/* NLM_F_DUMP_INTR seen */
	char text[QKD_MSG_LEN];		/* the kernel's message */
	/* dev-get results */
	struct qkd_state *states;
	size_t n, cap;
};

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	int err;

	if (!r->parse || nlh->nlmsg_type != r->nl->family ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return NL_OK;
	err = r->parse(r, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0));
	if (err && !r->error)
		r->error = err;
	return NL_OK;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	r->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	r->done = true;
	return NL_STOP;
}

static int intr_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	r->intr = true;
	return NL_OK;
}

static int err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req *r = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlmsghdr *req = r->msg ? nlmsg_hdr(r->msg) : NULL;
	const void *tlv = NULL;
	size_t tlvlen = 0;

	r->done = true;
	r->error = e->error < 0 ? e->error : -EPROTO;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = NLMSG_HDRLEN + sizeof(e->error);

		off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? sizeof(struct nlmsghdr) :
			NLMSG_ALIGN(e->msg.nlmsg_len);
		if (off < nlh->nlmsg_len) {
			tlv = (const char *)nlh + off;
			tlvlen = nlh->nlmsg_len - off;
		}
	}
	qkd__nl_error_text(r->text, sizeof(r->text), r->error, tlv, tlvlen, req,
			   req ? req->nlmsg_len : 0);
	return NL_STOP;
}

/* Send @msg and receive until the reply is complete. Returns 0 or a negative errno. */
static int run(struct req *r)
{
	struct nl_cb *cb;
	int ret;

	r->done = false;
	r->error = 0;
	r->intr = false;
	r->text[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, r);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, r);

	ret = nl_send_auto(r->nl->sk, r->msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return nlerr_errno(ret);
	}
	while (!r->done) {
		ret = nl_recvmsgs(r->nl->sk, cb);
		if (ret < 0 && !r->done) {
			nl_cb_put(cb);
			return nlerr_errno(ret);
		}
	}
	nl_cb_put(cb);
	return r->error;
}

static struct nl_msg *new_msg(struct qkd_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 QKDCHIP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int parse_state(struct req *r, struct nlattr *head, int len)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct qkd_state *s = realloc(r->states, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		r->states = s;
		r->cap = cap;
	}
	if (qkd__nl_parse_dev(head, len, &r->states[r->n]))
		return -EPROTO;
	r->n++;
	return 0;
}

static const char *req_text(struct req *r, int err)
{
	if (r->text[0])
		return r->text;
	if (err == -EPROTO)
		return "malformed reply from the kernel";
	return strerror(-err);
}

int qkd_nl_get(struct qkd_nl *nl, unsigned int index, struct qkd_state *st)
{
	struct req r = { .nl = nl, .parse = parse_state };
	int err;

	r.msg = new_msg(nl, QKDCHIP_CMD_DEV_GET, 0);
	if (!r.msg || nla_put_u32(r.msg, QKDCHIP_A_DEV_INDEX, index) < 0) {
		nlmsg_free(r.msg);
		return nl_fail(nl, -ENOMEM, "out of memory");
	}
	err = run(&r);
	nlmsg_free(r.msg);
	if (!err && r.n != 1)
		err = -EPROTO;
	if (err) {
		free(r.states);
		if (err == -ENODEV && !r.text[0])
			return nl_fail(nl, err, "qkdchip%u: no such card", index);
		return nl_fail(nl, err, "qkdchip%u: %s", index, req_text(&r, err));
	}
	*st = r.states[0];
	free(r.states);
	return 0;
}

static int cmp_state(const void *a, const void *b)
{
	const struct qkd_state *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

int qkd_nl_dump(struct qkd_nl *nl, struct qkd_state **states, size_t *n)
{
	struct req r = { .nl = nl, .parse = parse_state };
	int err = 0, tries;

	*states = NULL;
	*n = 0;
	for (tries = 0; tries < QKD_DUMP_RETRIES; tries++) {
		r.n = 0;
		r.msg = new_msg(nl, QKDCHIP_CMD_DEV_GET, NLM_F_DUMP);
		if (!r.msg) {
			free(r.states);
			return nl_fail(nl, -ENOMEM, "out of memory");
		}
		err = run(&r);
		nlmsg_free(r.msg);
		r.msg = NULL;
		if (err || !r.intr)
			break;
	}
	if (!err && r.intr)
		err = -EAGAIN;
	if (err) {
		free(r.states);
		if (err == -EAGAIN)
			return nl_fail(nl, err, "the card list kept changing during %d dumps",
				       QKD_DUMP_RETRIES);
		return nl_fail(nl, err, "listing cards: %s", req_text(&r, err));
	}
	if (r.n)
		qsort(r.states, r.n, sizeof(*r.states), cmp_state);
	else {
		free(r.states);
		r.states = NULL;
	}
	*states = r.states;
	*n = r.n;
	return 0;
}

int qkd__nl_put_config(struct nl_msg *msg, const struct qkd_config *cfg)
{
	struct nlattr *nest;
	unsigned int i;

#define PUT(x) do { if ((x) < 0) return -EMSGSIZE; } while (0)
	if (cfg->set & (QKD_SET_LASER_CURRENT | QKD_SET_LASER_ON | QKD_SET_LASER_LOCK_LOOP)) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_LASER);
		if (!nest)
			return -EMSGSIZE;
		if (cfg->set & QKD_SET_LASER_CURRENT)
			PUT(nla_put_u32(msg, QKDCHIP_A_LASER_CURRENT_UA, cfg->laser_current_ua));
		if (cfg->set & QKD_SET_LASER_ON)
			PUT(nla_put_u8(msg, QKDCHIP_A_LASER_ON, cfg->laser_on));
		if (cfg->set & QKD_SET_LASER_LOCK_LOOP)
			PUT(nla_put_u8(msg, QKDCHIP_A_LASER_LOCK_LOOP, cfg->laser_lock_loop));
		nla_nest_end(msg, nest);
	}
	for (i = 0; i < cfg->n_modulators && i < QKD_MAX_CHANNELS; i++) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_MODULATOR);
		if (!nest)
			return -EMSGSIZE;
		PUT(nla_put_u32(msg, QKDCHIP_A_MODULATOR_CHANNEL, cfg->modulator[i].channel));
		PUT(nla_put_s32(msg, QKDCHIP_A_MODULATOR_BIAS_MV, cfg->modulator[i].bias_mv));
		nla_nest_end(msg, nest);
	}
	if (cfg->set & QKD_SET_VOA)
		PUT(nla_put_u32(msg, QKDCHIP_A_DEV_VOA_MDB, cfg->voa_mdb));
	if (cfg->set & (QKD_SET_TEC_SETPOINT | QKD_SET_TEC_ON)) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_TEC);
		if (!nest)
			return -EMSGSIZE;
		if (cfg->set & QKD_SET_TEC_SETPOINT)
			PUT(nla_put_s32(msg, QKDCHIP_A_TEC_SETPOINT_MC, cfg->tec_setpoint_mc));
		if (cfg->set & QKD_SET_TEC_ON)
			PUT(nla_put_u8(msg, QKDCHIP_A_TEC_ON, cfg->tec_on));
		nla_nest_end(msg, nest);
	}
	if (cfg->set & QKD_SET_TEMP_CRIT)
		PUT(nla_put_s32(msg, QKDCHIP_A_DEV_TEMP_CRIT_MC, cfg->temp_crit_mc));
	if (cfg->set & (QKD_SET_COMB_PUMP | QKD_SET_COMB_ON | QKD_SET_COMB_LOCK_LOOP)) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_COMB);
		if (!nest)
			return -EMSGSIZE;
		if (cfg->set & QKD_SET_COMB_PUMP)
			PUT(nla_put_u32(msg, QKDCHIP_A_COMB_PUMP_UA, cfg->comb_pump_ua));
		if (cfg->set & QKD_SET_COMB_ON)
			PUT(nla_put_u8(msg, QKDCHIP_A_COMB_ON, cfg->comb_on));
		if (cfg->set & QKD_SET_COMB_LOCK_LOOP)
			PUT(nla_put_u8(msg, QKDCHIP_A_COMB_LOCK_LOOP, cfg->comb_lock_loop));
		nla_nest_end(msg, nest);
	}
	for (i = 0; i < cfg->n_detectors && i < QKD_MAX_CHANNELS; i++) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_DETECTOR);
		if (!nest)
			return -EMSGSIZE;
		PUT(nla_put_u32(msg, QKDCHIP_A_DETECTOR_CHANNEL, cfg->detector[i].channel));
		if (cfg->detector[i].set & QKD_SET_DET_BIAS)
			PUT(nla_put_u32(msg, QKDCHIP_A_DETECTOR_BIAS_UA, cfg->detector[i].bias_ua));
		if (cfg->detector[i].set & QKD_SET_DET_DELAY)
			PUT(nla_put_s32(msg, QKDCHIP_A_DETECTOR_DELAY_PS, cfg->detector[i].delay_ps));
		nla_nest_end(msg, nest);
	}
	if (cfg->set & (QKD_SET_TAGGER_DEADTIME | QKD_SET_TAGGER_REF_WINDOW)) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_TAGGER);
		if (!nest)
			return -EMSGSIZE;
		if (cfg->set & QKD_SET_TAGGER_DEADTIME)
			PUT(nla_put_u32(msg, QKDCHIP_A_TAGGER_DEADTIME_NS, cfg->tagger_deadtime_ns));
		if (cfg->set & QKD_SET_TAGGER_REF_WINDOW)
			PUT(nla_put_u32(msg, QKDCHIP_A_TAGGER_REF_WINDOW_LOG2,
					cfg->tagger_ref_window_log2));
		nla_nest_end(msg, nest);
	}
	if (cfg->set & QKD_SET_CLOCK_SOURCE) {
		nest = nla_nest_start(msg, QKDCHIP_A_DEV_CLOCK);
		if (!nest)
			return -EMSGSIZE;
		PUT(nla_put_u32(msg, QKDCHIP_A_CLOCK_SOURCE, cfg->clock_source));
		nla_nest_end(msg, nest);
	}
	if (cfg->set & QKD_SET_FRAME_LOG2)
		PUT(nla_put_u32(msg, QKDCHIP_A_DEV_FRAME_LOG2, cfg->frame_log2));
	if (cfg->set & QKD_SET_HEARTBEAT)
		PUT(nla_put_u32(msg, QKDCHIP_A_DEV_HEARTBEAT_US, cfg->heartbeat_us));
#undef PUT
	return 0;
}

static const char *perm_text(struct req *r, int err, const char *what)
{
	if (err == -EPERM && !r->text[0]) {
		snprintf(r->text, sizeof(r->text), "%s needs CAP_NET_ADMIN: %s", what,
			 strerror(EPERM));
		return r->text;
	}
	if (err == -ENODEV && !r->text[0])
		return "no such card";
	return req_text(r, err);
}

int qkd_nl_set(struct qkd_nl *nl, unsigned int index, const struct qkd_config *cfg)
{
	struct req r = { .nl = nl };
	char msg[QKD_MSG_LEN];
	int err;

	err = qkd_config_check(cfg, msg, sizeof(msg));
	if (err)
		return nl_fail(nl, err, "%s", msg);
	r.msg = new_msg(nl, QKDCHIP_CMD_DEV_SET, 0);
	if (!r.msg || nla_put_u32(r.msg, QKDCHIP_A_DEV_INDEX, index) < 0 ||
	    qkd__nl_put_config(r.msg, cfg)) {
		nlmsg_free(r.msg);
		return nl_fail(nl, -ENOMEM, "out of memory");
	}
	err = run(&r);
	nlmsg_free(r.msg);
	if (err)
		return nl_fail(nl, err, "qkdchip%u: %s", index,
			       perm_text(&r, err, "changing a card's configuration"));
	return 0;
}

int qkd_nl_stream_stop(struct qkd_nl *nl, unsigned int index, unsigned int stream)
{
	struct req r = { .nl = nl };
	struct nlattr *nest;
	int err;

	if (stream >= QKDCHIP_NUM_STREAMS)
		return nl_fail(nl, -EINVAL, "no stream %u", stream);
	r.msg = new_msg(nl, QKDCHIP_CMD_STREAM_STOP, 0);
	if (!r.msg || nla_put_u32(r.msg, QKDCHIP_A_DEV_INDEX, index) < 0 ||
	    !(nest = nla_nest_start(r.msg, QKDCHIP_A_DEV_STREAM)) ||
	    nla_put_u32(r.msg, QKDCHIP_A_STREAM_ID, stream) < 0) {
		nlmsg_free(r.msg);
		return nl_fail(nl, -ENOMEM, "out of memory");
	}
	nla_nest_end(r.msg, nest);
	err = run(&r);
	nlmsg_free(r.msg);
	if (err)
		return nl_fail(nl, err, "qkdchip%u: stopping the %s stream: %s", index,
			       qkd_stream_name(stream), perm_text(&r, err, "stopping a stream"));
	return 0;
}
