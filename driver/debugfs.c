// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: debugfs, /sys/kernel/debug/qkdchip/qkdchipN/.
 *
 *   regs      read: dump of the identity and interrupt registers
 *   doorbell  write a vector number: the card raises that MSI-X vector
 *   fail_ring_alloc  the next N ring allocations fail with -ENOMEM (fault injection)
 *
 * debugfs_remove() waits for callers inside these files, and removal calls it before
 * the card goes away, so the handlers may touch the registers without qd->lock.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "qkdchip.h"

/* Registers shown by "regs": common, then the role's own. */
struct qkdchip_dump_reg {
	const char *name;
	u32 reg;
};

static const struct qkdchip_dump_reg qkdchip_dump_common[] = {
	{ "magic", QKDCHIP_REG_MAGIC },
	{ "version", QKDCHIP_REG_VERSION },
	{ "role", QKDCHIP_REG_ROLE },
	{ "features", QKDCHIP_REG_FEATURES },
	{ "serial_lo", QKDCHIP_REG_SERIAL_LO },
	{ "serial_hi", QKDCHIP_REG_SERIAL_HI },
	{ "fw_build", QKDCHIP_REG_FW_BUILD },
	{ "fw_date", QKDCHIP_REG_FW_DATE },
	{ "cap_dac", QKDCHIP_REG_CAP_DAC },
	{ "cap_slot_rate", QKDCHIP_REG_CAP_SLOT_RATE },
	{ "cap_det", QKDCHIP_REG_CAP_DET },
	{ "cap_ring", QKDCHIP_REG_CAP_RING },
	{ "cap_table", QKDCHIP_REG_CAP_TABLE },
	{ "cap_frame", QKDCHIP_REG_CAP_FRAME },
	{ "scratch", QKDCHIP_REG_SCRATCH },
	{ "status", QKDCHIP_REG_STATUS },
	{ "time_lo", QKDCHIP_REG_TIME_LO },
	{ "frame_log2", QKDCHIP_REG_FRAME_LOG2 },
	{ "heartbeat_us", QKDCHIP_REG_HEARTBEAT_US },
	{ "clock_ctrl", QKDCHIP_REG_CLOCK_CTRL },
	{ "clock_status", QKDCHIP_REG_CLOCK_STATUS },
	{ "irq_status", QKDCHIP_REG_IRQ_STATUS },
	{ "irq_enable", QKDCHIP_REG_IRQ_ENABLE },
	{ "c2h_mod_count", QKDCHIP_REG_C2H_MOD_COUNT },
	{ "c2h_mod_time_us", QKDCHIP_REG_C2H_MOD_TIME_US },
	{ "pat_mod_count", QKDCHIP_REG_PAT_MOD_COUNT },
	{ "pat_mod_time_us", QKDCHIP_REG_PAT_MOD_TIME_US },
	{ "evlog_head", QKDCHIP_REG_EVLOG_HEAD },
	{ "evlog_tail", QKDCHIP_REG_EVLOG_TAIL },
	{ "evlog_lost", QKDCHIP_REG_EVLOG_LOST },
	{ "c2h_ctrl", QKDCHIP_REG_C2H_CTRL },
	{ "c2h_status", QKDCHIP_REG_C2H_STATUS },
	{ "c2h_desc_count", QKDCHIP_REG_C2H_DESC_COUNT },
	{ "c2h_buf_log2", QKDCHIP_REG_C2H_BUF_LOG2 },
	{ "c2h_prod_lo", QKDCHIP_REG_C2H_PROD_LO },
	{ "c2h_records_lo", QKDCHIP_REG_C2H_RECORDS_LO },
	{ "c2h_dropped_lo", QKDCHIP_REG_C2H_DROPPED_LO },
	{ "c2h_losses_lo", QKDCHIP_REG_C2H_LOSSES_LO },
	{ "c2h_dma_errors", QKDCHIP_REG_C2H_DMA_ERRORS },
	{ "c2h_stalls", QKDCHIP_REG_C2H_STALLS },
	{ "temp_chip_mc", QKDCHIP_REG_TEMP_MC(0) },
	{ "temp_board_mc", QKDCHIP_REG_TEMP_MC(1) },
	{ "temp_fpga_mc", QKDCHIP_REG_TEMP_MC(2) },
	{ "temp_crit_mc", QKDCHIP_REG_TEMP_CRIT_MC },
};

static const struct qkdchip_dump_reg qkdchip_dump_client[] = {
	{ "table_status", QKDCHIP_REG_TABLE_STATUS },
	{ "table_active_crc", QKDCHIP_REG_TABLE_ACTIVE_CRC },
	{ "table_active_syms", QKDCHIP_REG_TABLE_ACTIVE_SYMS },
	{ "pat_ctrl", QKDCHIP_REG_PAT_CTRL },
	{ "pat_status", QKDCHIP_REG_PAT_STATUS },
	{ "pat_cons_lo", QKDCHIP_REG_PAT_CONS_LO },
	{ "pat_underrun_lo", QKDCHIP_REG_PAT_UNDERRUN_LO },
	{ "pat_underruns", QKDCHIP_REG_PAT_UNDERRUNS },
	{ "pat_bad_symbols", QKDCHIP_REG_PAT_BAD_SYMBOLS },
	{ "pat_dma_errors", QKDCHIP_REG_PAT_DMA_ERRORS },
	{ "laser_current_ua", QKDCHIP_REG_LASER_CURRENT_UA },
	{ "laser_ctrl", QKDCHIP_REG_LASER_CTRL },
	{ "laser_status", QKDCHIP_REG_LASER_STATUS },
	{ "laser_detune_mhz", QKDCHIP_REG_LASER_DETUNE_MHZ },
	{ "laser_power_uw", QKDCHIP_REG_LASER_POWER_UW },
	{ "voa_mdb", QKDCHIP_REG_VOA_MDB },
	{ "tec_setpoint_mc", QKDCHIP_REG_TEC_SETPOINT_MC },
	{ "tec_ctrl", QKDCHIP_REG_TEC_CTRL },
};

static const struct qkdchip_dump_reg qkdchip_dump_server[] = {
	{ "comb_pump_ua", QKDCHIP_REG_COMB_PUMP_UA },
	{ "comb_ctrl", QKDCHIP_REG_COMB_CTRL },
	{ "comb_status", QKDCHIP_REG_COMB_STATUS },
	{ "comb_lines", QKDCHIP_REG_COMB_LINES },
	{ "tag_deadtime_ns", QKDCHIP_REG_TAG_DEADTIME_NS },
	{ "ref_window_log2", QKDCHIP_REG_REF_WINDOW_LOG2 },
};

static void qkdchip_dump(struct seq_file *s, struct qkdchip_dev *qd,
			 const struct qkdchip_dump_reg *regs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		seq_printf(s, "%#06x %-18s %#010x\n", regs[i].reg, regs[i].name,
			   qkdchip_rd(qd, regs[i].reg));
}

static int qkdchip_regs_show(struct seq_file *s, void *unused)
{
	struct qkdchip_dev *qd = s->private;

	qkdchip_dump(s, qd, qkdchip_dump_common, ARRAY_SIZE(qkdchip_dump_common));
	if (qd->info.role == QKDCHIP_ROLE_CLIENT)
		qkdchip_dump(s, qd, qkdchip_dump_client, ARRAY_SIZE(qkdchip_dump_client));
	else
		qkdchip_dump(s, qd, qkdchip_dump_server, ARRAY_SIZE(qkdchip_dump_server));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(qkdchip_regs);

static int qkdchip_doorbell_set(void *data, u64 val)
{
	struct qkdchip_dev *qd = data;

	if (val >= QKDCHIP_NUM_VECTORS)
		return -EINVAL;
	qkdchip_wr(qd, QKDCHIP_REG_DOORBELL, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(qkdchip_doorbell_fops, NULL, qkdchip_doorbell_set, "%llu\n");

void qkdchip_debugfs_init(struct qkdchip_dev *qd)
{
	qd->debugfs = debugfs_create_dir(dev_name(&qd->dev), qkdchip_debugfs_root);
	debugfs_create_file("regs", 0400, qd->debugfs, qd, &qkdchip_regs_fops);
	debugfs_create_file_unsafe("doorbell", 0200, qd->debugfs, qd, &qkdchip_doorbell_fops);
	debugfs_create_atomic_t("fail_ring_alloc", 0600, qd->debugfs, &qd->fail_ring_alloc);
}

void qkdchip_debugfs_fini(struct qkdchip_dev *qd)
{
	debugfs_remove_recursive(qd->debugfs);
}
