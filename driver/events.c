// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: the card's event log and error reports, and the statistics ioctl.
 *
 * The events vector's threaded handler drains the event log (Documentation/hw/
 * registers.rst), logs what matters to the kernel log, and stops streams that the
 * card reports as failed.
 */

#include <linux/interrupt.h>

#include "qkdchip.h"

static const char * const qkdchip_event_names[] = {
	[QKDCHIP_EV_LOCK_LOST] = "lock lost",
	[QKDCHIP_EV_LOCK_ACQUIRED] = "lock acquired",
	[QKDCHIP_EV_C2H_OVERFLOW] = "c2h overflow",
	[QKDCHIP_EV_C2H_OVERFLOW_END] = "c2h overflow end",
	[QKDCHIP_EV_PAT_UNDERRUN] = "pattern underrun",
	[QKDCHIP_EV_PAT_UNDERRUN_END] = "pattern underrun end",
	[QKDCHIP_EV_DMA_ERROR] = "dma error",
	[QKDCHIP_EV_DESC_ERROR] = "descriptor error",
	[QKDCHIP_EV_OVER_TEMP] = "over-temperature",
	[QKDCHIP_EV_TEMP_OK] = "temperature ok",
	[QKDCHIP_EV_TABLE_LOADED] = "table loaded",
	[QKDCHIP_EV_TABLE_SWITCHED] = "table switched",
	[QKDCHIP_EV_TABLE_ERROR] = "table error",
	[QKDCHIP_EV_CLOCK_LOST] = "clock lost",
	[QKDCHIP_EV_CLOCK_LOCKED] = "clock locked",
	[QKDCHIP_EV_RESET_DONE] = "reset done",
	[QKDCHIP_EV_C2H_STALL] = "c2h stall",
	[QKDCHIP_EV_C2H_STALL_END] = "c2h stall end",
};

const char *qkdchip_event_name(unsigned int code)
{
	if (code < ARRAY_SIZE(qkdchip_event_names) && qkdchip_event_names[code])
		return qkdchip_event_names[code];
	return "unknown";
}

static void qkdchip_log_event(struct qkdchip_dev *qd, u32 code, u32 arg, u64 slot)
{
	struct device *dev = &qd->pdev->dev;
	const char *name = qkdchip_event_name(code);

	switch (code) {
	case QKDCHIP_EV_OVER_TEMP:
		dev_crit(dev, "%s: sensor %u over temperature: the card switched its sources off\n",
			 dev_name(&qd->dev), arg);
		break;
	case QKDCHIP_EV_DMA_ERROR:
	case QKDCHIP_EV_DESC_ERROR:
	case QKDCHIP_EV_TABLE_ERROR:
		dev_err(dev, "%s: %s (argument %#x) at slot %llu\n", dev_name(&qd->dev), name,
			arg, slot);
		break;
	case QKDCHIP_EV_LOCK_LOST:
	case QKDCHIP_EV_CLOCK_LOST:
	case QKDCHIP_EV_C2H_STALL:
		dev_warn(dev, "%s: %s (argument %u)\n", dev_name(&qd->dev), name, arg);
		break;
	case QKDCHIP_EV_C2H_OVERFLOW_END:
	case QKDCHIP_EV_PAT_UNDERRUN_END:
		dev_warn_ratelimited(dev, "%s: %s: %u lost\n", dev_name(&qd->dev), name, arg);
		break;
	default:
		dev_dbg(dev, "%s: %s (argument %u) at slot %llu\n", dev_name(&qd->dev), name,
			arg, slot);
		break;
	}
}

/* Read the unread entries of the event log. */
static void qkdchip_drain_events(struct qkdchip_dev *qd)
{
	u32 head, tail, lost;

	head = qkdchip_rd(qd, QKDCHIP_REG_EVLOG_HEAD);
	tail = qkdchip_rd(qd, QKDCHIP_REG_EVLOG_TAIL);
	if (head == ~0u)
		return;
	if (head - tail > QKDCHIP_EVLOG_ENTRIES)
		tail = head - QKDCHIP_EVLOG_ENTRIES;	/* the rest was overwritten */
	for (; tail != head; tail++) {
		u32 base = QKDCHIP_EVLOG_BASE +
			   QKDCHIP_EVLOG_ENTRY_SIZE * (tail % QKDCHIP_EVLOG_ENTRIES);
		u32 code = qkdchip_rd(qd, base);
		u32 arg = qkdchip_rd(qd, base + 4);
		u64 slot = qkdchip_rd(qd, base + 8) | (u64)qkdchip_rd(qd, base + 12) << 32;

		qkdchip_log_event(qd, code, arg, slot);
		qkdchip_nl_event(qd, code, arg, slot);
		atomic64_inc(&qd->stats.events);
	}
	qkdchip_wr(qd, QKDCHIP_REG_EVLOG_TAIL, tail);
	lost = qkdchip_rd(qd, QKDCHIP_REG_EVLOG_LOST);
	if (lost != ~0u && lost != qd->events_lost) {
		dev_warn_ratelimited(&qd->pdev->dev, "%s: %u event log entries were overwritten\n",
				     dev_name(&qd->dev), lost - (u32)qd->events_lost);
		qd->events_lost = lost;
	}
}

/* The events vector's thread: event log entries and engine errors. */
void qkdchip_events_handle(struct qkdchip_dev *qd)
{
	unsigned int s;

	mutex_lock(&qd->evlog_lock);
	qkdchip_drain_events(qd);
	mutex_unlock(&qd->evlog_lock);
	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++)
		qkdchip_stream_error(qd, s);
}

int qkdchip_ioc_stats(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_stats *st = arg;
	unsigned int i;

	if (!qkdchip_present(qd))
		return -ENODEV;
	st->c2h_records = qkdchip_rd64(qd, QKDCHIP_REG_C2H_RECORDS_LO);
	st->c2h_dropped = qkdchip_rd64(qd, QKDCHIP_REG_C2H_DROPPED_LO);
	st->c2h_losses = qkdchip_rd64(qd, QKDCHIP_REG_C2H_LOSSES_LO);
	st->c2h_writebacks = qkdchip_rd64(qd, QKDCHIP_REG_C2H_WRITEBACKS_LO);
	st->c2h_dma_errors = qkdchip_rd(qd, QKDCHIP_REG_C2H_DMA_ERRORS);
	st->c2h_stalls = qkdchip_rd(qd, QKDCHIP_REG_C2H_STALLS);
	st->c2h_read = atomic64_read(&qd->stats.c2h_read);
	st->c2h_bad = atomic64_read(&qd->stats.c2h_bad);
	if (qd->info.features & QKDCHIP_FEAT_H2C_PATTERN) {
		st->pat_consumed = qkdchip_rd64(qd, QKDCHIP_REG_PAT_TOTAL_LO);
		st->pat_underrun_slots = qkdchip_rd64(qd, QKDCHIP_REG_PAT_UNDERRUN_LO);
		st->pat_underruns = qkdchip_rd(qd, QKDCHIP_REG_PAT_UNDERRUNS);
		st->pat_bad_symbols = qkdchip_rd(qd, QKDCHIP_REG_PAT_BAD_SYMBOLS);
		st->pat_dma_errors = qkdchip_rd(qd, QKDCHIP_REG_PAT_DMA_ERRORS);
	}
	st->pat_written = atomic64_read(&qd->stats.pat_written);
	if (qd->info.features & QKDCHIP_FEAT_H2C_TABLE) {
		u32 v = qkdchip_rd(qd, QKDCHIP_REG_TABLE_STATUS);

		st->table_switches = QKDCHIP_TABLE_ST_SWITCHES(v);
	}
	st->table_loads = atomic64_read(&qd->stats.table_loads);
	st->table_errors = atomic64_read(&qd->stats.table_errors);
	st->events = atomic64_read(&qd->stats.events);
	st->events_lost = qkdchip_rd(qd, QKDCHIP_REG_EVLOG_LOST);
	for (i = 0; i < QKDCHIP_NUM_VECTORS; i++)
		st->irq[i] = atomic64_read(&qd->irq_count[i]);
	return 0;
}
