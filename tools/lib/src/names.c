// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: names of the ABI's enumerations, as the netlink spec spells them.
 */
#include <errno.h>

#include "internal.h"

#define NAME_OF(table, i, dflt) \
	((i) < QKD_ARRAY_SIZE(table) && (table)[i] ? (table)[i] : (dflt))

const char *qkd_role_name(unsigned int role)
{
	static const char *const names[] = {
		[QKDCHIP_ROLE_CLIENT] = "client",
		[QKDCHIP_ROLE_SERVER] = "server",
	};

	return NAME_OF(names, role, "unknown");
}

const char *qkd_feature_name(unsigned int bit)
{
	static const char *const names[] = {
		"c2h", "h2c-table", "h2c-pattern", "card-seeded", "tagger", "comb", "laser",
		"ext-clock",
	};

	return NAME_OF(names, bit, NULL);
}

const char *qkd_event_name(unsigned int code)
{
	static const char *const names[] = {
		[QKDCHIP_EV_LOCK_LOST] = "lock-lost",
		[QKDCHIP_EV_LOCK_ACQUIRED] = "lock-acquired",
		[QKDCHIP_EV_C2H_OVERFLOW] = "c2h-overflow",
		[QKDCHIP_EV_C2H_OVERFLOW_END] = "c2h-overflow-end",
		[QKDCHIP_EV_PAT_UNDERRUN] = "pat-underrun",
		[QKDCHIP_EV_PAT_UNDERRUN_END] = "pat-underrun-end",
		[QKDCHIP_EV_DMA_ERROR] = "dma-error",
		[QKDCHIP_EV_DESC_ERROR] = "desc-error",
		[QKDCHIP_EV_OVER_TEMP] = "over-temp",
		[QKDCHIP_EV_TEMP_OK] = "temp-ok",
		[QKDCHIP_EV_TABLE_LOADED] = "table-loaded",
		[QKDCHIP_EV_TABLE_SWITCHED] = "table-switched",
		[QKDCHIP_EV_TABLE_ERROR] = "table-error",
		[QKDCHIP_EV_CLOCK_LOST] = "clock-lost",
		[QKDCHIP_EV_CLOCK_LOCKED] = "clock-locked",
		[QKDCHIP_EV_RESET_DONE] = "reset-done",
		[QKDCHIP_EV_C2H_STALL] = "c2h-stall",
		[QKDCHIP_EV_C2H_STALL_END] = "c2h-stall-end",
		[QKDCHIP_EV_CARD_ADDED] = "card-added",
		[QKDCHIP_EV_CARD_REMOVED] = "card-removed",
	};

	return NAME_OF(names, code, "unknown");
}

const char *qkd_lock_state_name(unsigned int state)
{
	static const char *const names[] = {
		[QKDCHIP_LOCK_OFF] = "off",
		[QKDCHIP_LOCK_UNLOCKED] = "unlocked",
		[QKDCHIP_LOCK_ACQUIRING] = "acquiring",
		[QKDCHIP_LOCK_LOCKED] = "locked",
	};

	return NAME_OF(names, state, "unknown");
}

const char *qkd_temp_sensor_name(unsigned int sensor)
{
	static const char *const names[] = {
		[QKDCHIP_TEMP_CHIP] = "chip",
		[QKDCHIP_TEMP_BOARD] = "board",
		[QKDCHIP_TEMP_FPGA] = "fpga",
	};

	return NAME_OF(names, sensor, "unknown");
}

const char *qkd_clock_source_name(unsigned int source)
{
	static const char *const names[] = {
		[QKDCHIP_CLOCK_SOURCE_INTERNAL] = "internal",
		[QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS] = "ext-10m-pps",
	};

	return NAME_OF(names, source, "unknown");
}

const char *qkd_stream_name(unsigned int stream)
{
	static const char *const names[] = {
		[QKDCHIP_STREAM_C2H] = "c2h",
		[QKDCHIP_STREAM_PAT] = "pat",
	};

	return NAME_OF(names, stream, "unknown");
}

const char *qkd_ring_state_name(unsigned int state)
{
	static const char *const names[] = {
		[QKDCHIP_RING_IDLE] = "idle",
		[QKDCHIP_RING_RUNNING] = "running",
		[QKDCHIP_RING_STOPPED] = "stopped",
		[QKDCHIP_RING_ERROR] = "error",
		[QKDCHIP_RING_GONE] = "gone",
	};

	return NAME_OF(names, state, "unknown");
}

const char *qkd_modulator_name(unsigned int channel)
{
	static const char *const names[] = {
		[QKDCHIP_MOD_IM1] = "im1",
		[QKDCHIP_MOD_IM2] = "im2",
		[QKDCHIP_MOD_IM3] = "im3",
		[QKDCHIP_MOD_PM1] = "pm1",
		[QKDCHIP_MOD_PMREF] = "pmref",
	};

	return NAME_OF(names, channel, NULL);
}

const char *qkd_table_error_name(unsigned int code)
{
	static const char *const names[] = {
		[QKDCHIP_TABLE_ERR_NONE] = "no error",
		[QKDCHIP_TABLE_ERR_HEADER] = "bad header",
		[QKDCHIP_TABLE_ERR_GEOMETRY] = "wrong geometry",
		[QKDCHIP_TABLE_ERR_CRC] = "CRC mismatch",
		[QKDCHIP_TABLE_ERR_DMA] = "DMA read failed",
		[QKDCHIP_TABLE_ERR_BUSY] = "a load or switch is in progress",
		[QKDCHIP_TABLE_ERR_RANGE] = "a sample is outside the DAC range",
		[QKDCHIP_TABLE_ERR_NOT_LOADED] = "no table loaded to switch to",
	};

	return NAME_OF(names, code, "unknown error");
}

const char *qkd_record_type_name(unsigned int type)
{
	static const char *const names[] = {
		[QKDCHIP_REC_TAG] = "tag",
		[QKDCHIP_REC_REFCOUNT] = "refcount",
		[QKDCHIP_REC_TIME] = "time",
		[QKDCHIP_REC_SEED] = "seed",
		[QKDCHIP_REC_LOST] = "lost",
		[QKDCHIP_REC_UNDERRUN] = "underrun",
		[QKDCHIP_REC_EVENT] = "event",
	};

	return NAME_OF(names, type, "unknown");
}

const char *qkd_time_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[QKDCHIP_TIME_HEARTBEAT] = "heartbeat",
		[QKDCHIP_TIME_FRAME] = "frame",
		[QKDCHIP_TIME_PPS] = "pps",
		[QKDCHIP_TIME_START] = "start",
	};

	return NAME_OF(names, kind, "unknown");
}

const char *qkd_loss_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[QKDCHIP_LOSS_COUNT_KIND] = "count",
		[QKDCHIP_LOSS_FIRST_KIND] = "first",
		[QKDCHIP_LOSS_LAST_KIND] = "last",
	};

	return NAME_OF(names, kind, "unknown");
}

const char *qkd_loss_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[QKDCHIP_LOSS_RING_FULL] = "ring-full",
		[QKDCHIP_LOSS_DMA_FAULT] = "dma-fault",
		[QKDCHIP_LOSS_STALL] = "stall",
	};

	return NAME_OF(names, reason, "unknown");
}
