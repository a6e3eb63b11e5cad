// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: debugfs, /sys/kernel/debug/qkdchip/qkdchipN/.
 *
 *   regs      read: dump of the identity and interrupt registers
 *   doorbell  write a vector number: the card raises that MSI-X vector
 *
 * debugfs_remove() waits for callers inside these files, and removal calls it before
 * the card goes away, so the handlers may touch the registers without qd->lock.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "qkdchip.h"

static const struct {
	const char *name;
	u32 reg;
} qkdchip_dump_regs[] = {
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
	{ "irq_status", QKDCHIP_REG_IRQ_STATUS },
	{ "irq_enable", QKDCHIP_REG_IRQ_ENABLE },
};

static int qkdchip_regs_show(struct seq_file *s, void *unused)
{
	struct qkdchip_dev *qd = s->private;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qkdchip_dump_regs); i++)
		seq_printf(s, "%#06x %-14s %#010x\n", qkdchip_dump_regs[i].reg,
			   qkdchip_dump_regs[i].name, qkdchip_rd(qd, qkdchip_dump_regs[i].reg));
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
}

void qkdchip_debugfs_fini(struct qkdchip_dev *qd)
{
	debugfs_remove_recursive(qd->debugfs);
}
