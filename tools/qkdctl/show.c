// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl: printing card states, counters and records, as text and as JSON. JSON keys
 * and enumeration values are the netlink spec's names (Documentation/netlink/specs/
 * qkdchip.yaml), as the kernel's YNL tools print them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qkdctl.h"

/* v / 1000 with three decimals: "25.000", "-0.250" */
static const char *milli(char *buf, size_t len, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64, v < 0 ? "-" : "", a / 1000, a % 1000);
	return buf;
}

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void version_str(char *buf, size_t len, uint32_t v)
{
	snprintf(buf, len, "%u.%u.%u", v >> 24, (v >> 16) & 0xff, v & 0xffff);
}

/* BCD 0xYYYYMMDD -> "YYYY-MM-DD", or the hex value if it is not BCD */
static void date_str(char *buf, size_t len, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (((v >> (4 * i)) & 0xf) > 9) {
			snprintf(buf, len, "0x%08x", v);
			return;
		}
	}
	snprintf(buf, len, "%04x-%02x-%02x", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static void speed_str(char *buf, size_t len, unsigned int tenths)
{
	snprintf(buf, len, "%u.%u GT/s", tenths / 10, tenths % 10);
}

static void chan_name(char *buf, size_t len, const struct qkd_state *st, uint32_t ch)
{
	const char *n = st->role == QKDCHIP_ROLE_CLIENT ? qkd_modulator_name(ch) : NULL;

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", ch);
}

void print_state_text(FILE *f, const struct qkd_card *card)
{
	const struct qkd_state *st = &card->state;
	char a[32], b[32], d[32];
	unsigned int i;

	if (!card->have_state) {
		fprintf(f, "%s: %s", card->name[0] ? card->name : "-", card->pci);
		if (card->index < 0)
			fprintf(f, " (no driver bound)");
		fputc('\n', f);
	} else {
		fprintf(f, "%s: %s %s serial %016" PRIx64 "\n", st->name, qkd_role_name(st->role),
			st->bus_name[0] ? st->bus_name : card->pci, st->serial);
		version_str(a, sizeof(a), st->hw_version);
		date_str(b, sizeof(b), st->fw_date);
		fprintf(f, "    interface %s firmware %u date %s slot-rate %u kHz\n", a, st->fw_build,
			b, st->slot_rate_khz);
	}
	if (card->vendor) {
		fprintf(f, "    pci %04x:%04x", card->vendor, card->device);
		if (card->link_speed) {
			speed_str(a, sizeof(a), card->link_speed);
			speed_str(b, sizeof(b), card->link_max_speed);
			fprintf(f, " link %s x%u max %s x%u", a, card->link_width, b,
				card->link_max_width);
		}
		fputc('\n', f);
	}
	if (!card->have_state)
		return;
	fprintf(f, "    node %s\n", card->devnode[0] ? card->devnode : "(missing)");
	fprintf(f, "    features");
	for (i = 0; i < 32; i++) {
		if (!(st->features & (1u << i)))
			continue;
		if (qkd_feature_name(i))
			fprintf(f, " %s", qkd_feature_name(i));
		else
			fprintf(f, " bit%u", i);
	}
	fputc('\n', f);
	if (st->has & QKD_HAS_STATUS)
		fprintf(f, "    status ready %s error %s source-locked %s clock-locked %s over-temp %s time %" PRIu64 " frames %" PRIu64 "\n",
			yesno(st->status.ready), yesno(st->status.error),
			yesno(st->status.source_locked), yesno(st->status.clock_locked),
			yesno(st->status.over_temp), st->status.time, st->status.frame_count);
	if (st->has & QKD_HAS_LASER)
		fprintf(f, "    laser current %s mA %s lock-loop %s state %s losses %u detune %d MHz power %u uW\n",
			milli(a, sizeof(a), st->laser.current_ua), st->laser.on ? "on" : "off",
			st->laser.lock_loop ? "on" : "off", qkd_lock_state_name(st->laser.lock_state),
			st->laser.lock_losses, st->laser.detune_mhz, st->laser.power_uw);
	for (i = 0; i < st->n_modulators; i++) {
		chan_name(a, sizeof(a), st, st->modulator[i].channel);
		fprintf(f, "    modulator %s bias %d mV\n", a, st->modulator[i].bias_mv);
	}
	if (st->has & QKD_HAS_VOA)
		fprintf(f, "    voa atten %s dB\n", milli(a, sizeof(a), st->voa_mdb));
	if (st->has & QKD_HAS_TEC)
		fprintf(f, "    tec setpoint %s C %s\n", milli(a, sizeof(a), st->tec.setpoint_mc),
			st->tec.on ? "on" : "off");
	if (st->has & QKD_HAS_COMB)
		fprintf(f, "    comb pump %s mA %s lock-loop %s state %s losses %u lines %u\n",
			milli(a, sizeof(a), st->comb.pump_ua), st->comb.on ? "on" : "off",
			st->comb.lock_loop ? "on" : "off", qkd_lock_state_name(st->comb.lock_state),
			st->comb.lock_losses, st->comb.lines);
	for (i = 0; i < st->n_detectors; i++)
		fprintf(f, "    detector %u bias %u uA delay %d ps efficiency %s %% dark %u cps\n",
			st->detector[i].channel, st->detector[i].bias_ua, st->detector[i].delay_ps,
			milli(a, sizeof(a), st->detector[i].eff_ppm / 10), st->detector[i].dark_cps);
	if (st->has & QKD_HAS_TAGGER)
		fprintf(f, "    tagger deadtime %u ns ref-window 2^%u slots\n",
			st->tagger.deadtime_ns, st->tagger.ref_window_log2);
	if (st->n_temps || (st->has & QKD_HAS_TEMP_CRIT)) {
		fprintf(f, "    temp");
		for (i = 0; i < st->n_temps; i++)
			fprintf(f, " %s %s C", qkd_temp_sensor_name(st->temp[i].sensor),
				milli(a, sizeof(a), st->temp[i].mc));
		if (st->has & QKD_HAS_TEMP_CRIT)
			fprintf(f, " crit %s C", milli(d, sizeof(d), st->temp_crit_mc));
		fputc('\n', f);
	}
	if (st->has & QKD_HAS_CLOCK)
		fprintf(f, "    clock source %s ref-present %s locked %s pps-seen %s\n",
			qkd_clock_source_name(st->clock.source), yesno(st->clock.ref_present),
			yesno(st->clock.locked), yesno(st->clock.pps_seen));
	if (st->has & (QKD_HAS_FRAME_LOG2 | QKD_HAS_HEARTBEAT))
		fprintf(f, "    frame-log2 %u heartbeat %u us\n", st->frame_log2, st->heartbeat_us);
	for (i = 0; i < st->n_streams; i++) {
		fprintf(f, "    stream %s state %s owned %s", qkd_stream_name(st->stream[i].id),
			qkd_ring_state_name(st->stream[i].state), yesno(st->stream[i].owned));
		if (st->stream[i].running)
			fprintf(f, " source %u", st->stream[i].source);
		if (st->stream[i].ring_size)
			fprintf(f, " ring %" PRIu64 " bytes", st->stream[i].ring_size);
		fputc('\n', f);
	}
}

static void hex_str(struct json *j, const char *key, uint64_t v, int width)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
	json_str(j, key, buf);
}

void print_stats_json(struct json *j, const struct qkd_stats *st)
{
	const char *name;
	unsigned int i;
	uint64_t v;

	json_obj_open(j, "stats");
	for (i = 0; (name = qkd_stats_field(st, i, &v)); i++)
		json_u64(j, name, v);
	json_obj_close(j);
}

void print_stats_text(FILE *f, const char *name, const struct qkd_stats *st)
{
	const char *field;
	unsigned int i;
	uint64_t v;

	fprintf(f, "%s:\n", name);
	for (i = 0; (field = qkd_stats_field(st, i, &v)); i++)
		fprintf(f, "    %-20s %" PRIu64 "\n", field, v);
}

void print_state_json(struct json *j, const struct qkd_card *card)
{
	const struct qkd_state *st = &card->state;
	char buf[32];
	unsigned int i;

	json_obj_open(j, NULL);
	if (card->index >= 0)
		json_u64(j, "index", (uint64_t)card->index);
	else
		json_null(j, "index");
	if (card->name[0])
		json_str(j, "name", card->name);
	else
		json_null(j, "name");
	json_str(j, "bus-name", card->pci);
	if (card->devnode[0])
		json_str(j, "devnode", card->devnode);
	else
		json_null(j, "devnode");
	if (card->vendor) {
		json_obj_open(j, "pci");
		hex_str(j, "vendor", card->vendor, 4);
		hex_str(j, "device", card->device, 4);
		hex_str(j, "subsystem-vendor", card->subsys_vendor, 4);
		hex_str(j, "subsystem-device", card->subsys_device, 4);
		if (card->link_speed) {
			speed_str(buf, sizeof(buf), card->link_speed);
			json_str(j, "link-speed", buf);
			json_u64(j, "link-width", card->link_width);
			speed_str(buf, sizeof(buf), card->link_max_speed);
			json_str(j, "link-max-speed", buf);
			json_u64(j, "link-max-width", card->link_max_width);
		}
		json_obj_close(j);
	}
	if (!card->have_state) {
		json_obj_close(j);
		return;
	}
	json_str(j, "role", qkd_role_name(st->role));
	hex_str(j, "serial", st->serial, 16);
	version_str(buf, sizeof(buf), st->hw_version);
	json_str(j, "hw-version", buf);
	json_u64(j, "fw-build", st->fw_build);
	date_str(buf, sizeof(buf), st->fw_date);
	json_str(j, "fw-date", buf);
	json_arr_open(j, "features");
	for (i = 0; i < 32; i++) {
		if (!(st->features & (1u << i)))
			continue;
		if (qkd_feature_name(i)) {
			json_str(j, NULL, qkd_feature_name(i));
		} else {
			snprintf(buf, sizeof(buf), "bit%u", i);
			json_str(j, NULL, buf);
		}
	}
	json_arr_close(j);
	json_u64(j, "slot-rate-khz", st->slot_rate_khz);
	if (st->has & QKD_HAS_STATUS) {
		json_obj_open(j, "status");
		json_bool(j, "ready", st->status.ready);
		json_bool(j, "error", st->status.error);
		json_bool(j, "source-locked", st->status.source_locked);
		json_bool(j, "clock-locked", st->status.clock_locked);
		json_bool(j, "over-temp", st->status.over_temp);
		json_u64(j, "time", st->status.time);
		json_u64(j, "frame-count", st->status.frame_count);
		json_obj_close(j);
	}
	if (st->has & QKD_HAS_LASER) {
		json_obj_open(j, "laser");
		json_u64(j, "current-ua", st->laser.current_ua);
		json_bool(j, "on", st->laser.on);
		json_bool(j, "lock-loop", st->laser.lock_loop);
		json_str(j, "lock-state", qkd_lock_state_name(st->laser.lock_state));
		json_u64(j, "lock-losses", st->laser.lock_losses);
		json_i64(j, "detune-mhz", st->laser.detune_mhz);
		json_u64(j, "power-uw", st->laser.power_uw);
		json_obj_close(j);
	}
	if (st->n_modulators) {
		json_arr_open(j, "modulator");
		for (i = 0; i < st->n_modulators; i++) {
			json_obj_open(j, NULL);
			json_u64(j, "channel", st->modulator[i].channel);
			if (qkd_modulator_name(st->modulator[i].channel))
				json_str(j, "channel-name",
					 qkd_modulator_name(st->modulator[i].channel));
			json_i64(j, "bias-mv", st->modulator[i].bias_mv);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	if (st->has & QKD_HAS_VOA)
		json_u64(j, "voa-mdb", st->voa_mdb);
	if (st->has & QKD_HAS_TEC) {
		json_obj_open(j, "tec");
		json_i64(j, "setpoint-mc", st->tec.setpoint_mc);
		json_bool(j, "on", st->tec.on);
		json_obj_close(j);
	}
	if (st->n_temps) {
		json_arr_open(j, "temp");
		for (i = 0; i < st->n_temps; i++) {
			json_obj_open(j, NULL);
			json_str(j, "sensor", qkd_temp_sensor_name(st->temp[i].sensor));
			json_i64(j, "mc", st->temp[i].mc);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	if (st->has & QKD_HAS_TEMP_CRIT)
		json_i64(j, "temp-crit-mc", st->temp_crit_mc);
	if (st->has & QKD_HAS_COMB) {
		json_obj_open(j, "comb");
		json_u64(j, "pump-ua", st->comb.pump_ua);
		json_bool(j, "on", st->comb.on);
		json_bool(j, "lock-loop", st->comb.lock_loop);
		json_str(j, "lock-state", qkd_lock_state_name(st->comb.lock_state));
		json_u64(j, "lock-losses", st->comb.lock_losses);
		json_u64(j, "lines", st->comb.lines);
		json_obj_close(j);
	}
	if (st->n_detectors) {
		json_arr_open(j, "detector");
		for (i = 0; i < st->n_detectors; i++) {
			json_obj_open(j, NULL);
			json_u64(j, "channel", st->detector[i].channel);
			json_u64(j, "bias-ua", st->detector[i].bias_ua);
			json_u64(j, "eff-ppm", st->detector[i].eff_ppm);
			json_u64(j, "dark-cps", st->detector[i].dark_cps);
			json_i64(j, "delay-ps", st->detector[i].delay_ps);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	if (st->has & QKD_HAS_TAGGER) {
		json_obj_open(j, "tagger");
		json_u64(j, "deadtime-ns", st->tagger.deadtime_ns);
		json_u64(j, "ref-window-log2", st->tagger.ref_window_log2);
		json_obj_close(j);
	}
	if (st->has & QKD_HAS_CLOCK) {
		json_obj_open(j, "clock");
		json_str(j, "source", qkd_clock_source_name(st->clock.source));
		json_bool(j, "ref-present", st->clock.ref_present);
		json_bool(j, "locked", st->clock.locked);
		json_bool(j, "pps-seen", st->clock.pps_seen);
		json_obj_close(j);
	}
	if (st->has & QKD_HAS_FRAME_LOG2)
		json_u64(j, "frame-log2", st->frame_log2);
	if (st->has & QKD_HAS_HEARTBEAT)
		json_u64(j, "heartbeat-us", st->heartbeat_us);
	if (st->n_streams) {
		json_arr_open(j, "stream");
		for (i = 0; i < st->n_streams; i++) {
			json_obj_open(j, NULL);
			json_str(j, "id", qkd_stream_name(st->stream[i].id));
			json_str(j, "state", qkd_ring_state_name(st->stream[i].state));
			json_u64(j, "source", st->stream[i].source);
			json_bool(j, "owned", st->stream[i].owned);
			json_bool(j, "running", st->stream[i].running);
			json_u64(j, "ring-size", st->stream[i].ring_size);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	if (st->has & QKD_HAS_STATS)
		print_stats_json(j, &st->stats);
	json_obj_close(j);
}

/* ---- Records ---------------------------------------------------------------------- */

void print_csv_header(FILE *f)
{
	fputs("type,slot,channel,ref,fine_ps,unit,bucket,window,left,right,kind,frame,word,data,"
	      "reason,count,event,raw\n", f);
}

enum csv_col {
	C_TYPE, C_SLOT, C_CHANNEL, C_REF, C_FINE, C_UNIT, C_BUCKET, C_WINDOW, C_LEFT, C_RIGHT,
	C_KIND, C_FRAME, C_WORD, C_DATA, C_REASON, C_COUNT, C_EVENT, C_RAW, C_NUM
};

void print_record_csv(FILE *f, const struct qkd_record *r)
{
	char col[C_NUM][24];
	unsigned int i;

	memset(col, 0, sizeof(col));
	snprintf(col[C_TYPE], sizeof(col[0]), "%s", qkd_record_type_name(r->type));
	switch (r->type) {
	case QKDCHIP_REC_TAG:
		snprintf(col[C_SLOT], sizeof(col[0]), "%" PRIu64, r->slot);
		snprintf(col[C_CHANNEL], sizeof(col[0]), "%u", r->tag.channel);
		snprintf(col[C_REF], sizeof(col[0]), "%u", r->tag.ref);
		snprintf(col[C_FINE], sizeof(col[0]), "%u", r->tag.fine_ps);
		break;
	case QKDCHIP_REC_REFCOUNT:
		snprintf(col[C_UNIT], sizeof(col[0]), "%u", r->refcount.unit);
		snprintf(col[C_BUCKET], sizeof(col[0]), "%u", r->refcount.bucket);
		snprintf(col[C_WINDOW], sizeof(col[0]), "%" PRIu64, r->refcount.window);
		snprintf(col[C_LEFT], sizeof(col[0]), "%u", r->refcount.left);
		snprintf(col[C_RIGHT], sizeof(col[0]), "%u", r->refcount.right);
		break;
	case QKDCHIP_REC_TIME:
		snprintf(col[C_SLOT], sizeof(col[0]), "%" PRIu64, r->slot);
		snprintf(col[C_KIND], sizeof(col[0]), "%s", qkd_time_kind_name(r->time.kind));
		break;
	case QKDCHIP_REC_SEED:
		snprintf(col[C_FRAME], sizeof(col[0]), "%" PRIu64, r->seed.frame);
		snprintf(col[C_WORD], sizeof(col[0]), "%u", r->seed.word);
		snprintf(col[C_DATA], sizeof(col[0]), "0x%08x", r->seed.data);
		break;
	case QKDCHIP_REC_LOST:
	case QKDCHIP_REC_UNDERRUN:
		snprintf(col[C_KIND], sizeof(col[0]), "%s", qkd_loss_kind_name(r->loss.kind));
		if (r->loss.kind == QKDCHIP_LOSS_COUNT_KIND) {
			if (r->type == QKDCHIP_REC_LOST)
				snprintf(col[C_REASON], sizeof(col[0]), "%s",
					 qkd_loss_reason_name(r->loss.reason));
			snprintf(col[C_COUNT], sizeof(col[0]), "%" PRIu64, r->loss.count);
		} else {
			snprintf(col[C_SLOT], sizeof(col[0]), "%" PRIu64, r->slot);
		}
		break;
	case QKDCHIP_REC_EVENT:
		snprintf(col[C_SLOT], sizeof(col[0]), "%" PRIu64, r->slot);
		snprintf(col[C_EVENT], sizeof(col[0]), "%s", qkd_event_name(r->event.code));
		break;
	default:
		break;
	}
	snprintf(col[C_RAW], sizeof(col[0]), "0x%016" PRIx64, r->raw);
	for (i = 0; i < C_NUM; i++) {
		fputs(col[i], f);
		fputc(i + 1 < C_NUM ? ',' : '\n', f);
	}
}

void print_record_json(struct json *j, const struct qkd_record *r)
{
	json_obj_open(j, NULL);
	json_str(j, "type", qkd_record_type_name(r->type));
	switch (r->type) {
	case QKDCHIP_REC_TAG:
		json_u64(j, "slot", r->slot);
		json_u64(j, "channel", r->tag.channel);
		json_bool(j, "ref", r->tag.ref);
		json_u64(j, "fine-ps", r->tag.fine_ps);
		break;
	case QKDCHIP_REC_REFCOUNT:
		json_u64(j, "unit", r->refcount.unit);
		json_u64(j, "bucket", r->refcount.bucket);
		json_u64(j, "window", r->refcount.window);
		json_u64(j, "left", r->refcount.left);
		json_u64(j, "right", r->refcount.right);
		break;
	case QKDCHIP_REC_TIME:
		json_u64(j, "slot", r->slot);
		json_str(j, "kind", qkd_time_kind_name(r->time.kind));
		break;
	case QKDCHIP_REC_SEED:
		json_u64(j, "frame", r->seed.frame);
		json_u64(j, "word", r->seed.word);
		json_u64(j, "data", r->seed.data);
		break;
	case QKDCHIP_REC_LOST:
	case QKDCHIP_REC_UNDERRUN:
		json_str(j, "kind", qkd_loss_kind_name(r->loss.kind));
		if (r->loss.kind == QKDCHIP_LOSS_COUNT_KIND) {
			if (r->type == QKDCHIP_REC_LOST)
				json_str(j, "reason", qkd_loss_reason_name(r->loss.reason));
			json_u64(j, "count", r->loss.count);
		} else {
			json_u64(j, "slot", r->slot);
		}
		break;
	case QKDCHIP_REC_EVENT:
		json_u64(j, "slot", r->slot);
		json_str(j, "event", qkd_event_name(r->event.code));
		json_u64(j, "code", r->event.code);
		break;
	default:
		break;
	}
	hex_str(j, "raw", r->raw, 16);
	json_obj_close(j);
	json_end(j);
}
