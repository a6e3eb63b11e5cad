// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: PCI probe and removal.
 *
 * Lifetime: the struct qkdchip_dev is refcounted through its class device. Probe holds
 * one reference, every open file another (through the cdev's parent kobject). Removal
 * marks the card dead under qd->lock, stops interrupts and drops probe's reference; the
 * memory goes when the last file is closed. Operations on a dead card fail with -ENODEV.
 */

#include <linux/idr.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "compat.h"
#include "qkdchip.h"

static DEFINE_IDA(qkdchip_ida);

static const struct pci_device_id qkdchip_pci_ids[] = {
	{ PCI_DEVICE(QKDCHIP_PCI_VENDOR, QKDCHIP_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, qkdchip_pci_ids);

static void qkdchip_dev_release(struct device *dev)
{
	struct qkdchip_dev *qd = to_qkdchip(dev);

	ida_free(&qkdchip_ida, qd->index);
	kfree(qd);
}

/* Read and check the identity block; fill qd->info. */
static int qkdchip_read_identity(struct qkdchip_dev *qd)
{
	struct device *dev = &qd->pdev->dev;
	struct qkdchip_info *info = &qd->info;
	u32 magic, ver, v;

	magic = qkdchip_rd(qd, QKDCHIP_REG_MAGIC);
	if (magic != QKDCHIP_MAGIC) {
		dev_err(dev, "not a qkdchip card: magic %#010x, expected %#010x\n",
			magic, QKDCHIP_MAGIC);
		return -ENODEV;
	}

	ver = qkdchip_rd(qd, QKDCHIP_REG_VERSION);
	if (QKDCHIP_VERSION_MAJOR(ver) != QKDCHIP_HW_MAJOR) {
		dev_err(dev, "unsupported hardware interface version %u.%u.%u (this driver supports %u.x)\n",
			QKDCHIP_VERSION_MAJOR(ver), QKDCHIP_VERSION_MINOR(ver),
			QKDCHIP_VERSION_PATCH(ver), QKDCHIP_HW_MAJOR);
		return -ENODEV;
	}

	info->abi_version = QKDCHIP_ABI_VERSION;
	info->hw_version = ver;
	info->role = qkdchip_rd(qd, QKDCHIP_REG_ROLE);
	if (info->role != QKDCHIP_ROLE_CLIENT && info->role != QKDCHIP_ROLE_SERVER) {
		dev_err(dev, "unknown card role %u\n", info->role);
		return -ENODEV;
	}
	info->features = qkdchip_rd(qd, QKDCHIP_REG_FEATURES);
	info->serial = qkdchip_rd(qd, QKDCHIP_REG_SERIAL_LO) |
		       (u64)qkdchip_rd(qd, QKDCHIP_REG_SERIAL_HI) << 32;
	info->fw_build = qkdchip_rd(qd, QKDCHIP_REG_FW_BUILD);
	info->fw_date = qkdchip_rd(qd, QKDCHIP_REG_FW_DATE);
	info->slot_rate_khz = qkdchip_rd(qd, QKDCHIP_REG_CAP_SLOT_RATE);
	info->index = qd->index;

	v = qkdchip_rd(qd, QKDCHIP_REG_CAP_DAC);
	info->dac_channels = QKDCHIP_CAP_DAC_CHANNELS(v);
	info->samples_per_slot = QKDCHIP_CAP_DAC_SAMPLES(v);
	info->dac_bits = QKDCHIP_CAP_DAC_BITS(v);

	v = qkdchip_rd(qd, QKDCHIP_REG_CAP_DET);
	info->det_channels = QKDCHIP_CAP_DET_CHANNELS(v);
	info->det_units = QKDCHIP_CAP_DET_UNITS(v);
	info->fine_time_ps = QKDCHIP_CAP_DET_FINE_PS(v);

	v = qkdchip_rd(qd, QKDCHIP_REG_CAP_RING);
	if (QKDCHIP_CAP_RING_MAX_DESC(v) > 20 || QKDCHIP_CAP_RING_MAX_BUF(v) > 30 ||
	    QKDCHIP_CAP_RING_MIN_BUF(v) > QKDCHIP_CAP_RING_MAX_BUF(v)) {
		dev_err(dev, "implausible ring capabilities %#010x\n", v);
		return -ENODEV;
	}
	info->ring_max_desc = 1u << QKDCHIP_CAP_RING_MAX_DESC(v);
	info->ring_min_buf = 1u << QKDCHIP_CAP_RING_MIN_BUF(v);
	info->ring_max_buf = 1u << QKDCHIP_CAP_RING_MAX_BUF(v);

	v = qkdchip_rd(qd, QKDCHIP_REG_CAP_TABLE);
	info->table_symbols = QKDCHIP_CAP_TABLE_SYMBOLS(v);
	info->table_banks = QKDCHIP_CAP_TABLE_BANKS(v);

	v = qkdchip_rd(qd, QKDCHIP_REG_CAP_FRAME);
	info->frame_min_log2 = QKDCHIP_CAP_FRAME_MIN(v);
	info->frame_max_log2 = QKDCHIP_CAP_FRAME_MAX(v);

	return 0;
}

/* Reset the card: engines stopped, counters zero, event log empty. */
static int qkdchip_reset_card(struct qkdchip_dev *qd)
{
	u32 v;
	int err;

	qkdchip_wr(qd, QKDCHIP_REG_CTRL, QKDCHIP_CTRL_RESET);
	err = read_poll_timeout(qkdchip_rd, v, v != ~0u && (v & QKDCHIP_STATUS_READY), 100,
				100000, false, qd, QKDCHIP_REG_STATUS);
	if (err) {
		dev_err(&qd->pdev->dev, "the card did not come out of reset (status %#x)\n", v);
		return err;
	}
	qd->mod_default[0] = qkdchip_rd(qd, QKDCHIP_REG_C2H_MOD_COUNT);
	qd->mod_default[1] = qkdchip_rd(qd, QKDCHIP_REG_C2H_MOD_TIME_US);
	qd->mod_default[2] = qkdchip_rd(qd, QKDCHIP_REG_PAT_MOD_COUNT);
	qd->mod_default[3] = qkdchip_rd(qd, QKDCHIP_REG_PAT_MOD_TIME_US);
	return 0;
}

static int qkdchip_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct qkdchip_dev *qd;
	void __iomem *regs;
	int err, index;

	err = pcim_enable_device(pdev);
	if (err)
		return dev_err_probe(dev, err, "cannot enable PCI device\n");

	regs = qkdchip_pcim_iomap_region(pdev, QKDCHIP_BAR_REGS, QKDCHIP_NAME);
	if (IS_ERR(regs))
		return dev_err_probe(dev, PTR_ERR(regs), "cannot map BAR%d\n",
				     QKDCHIP_BAR_REGS);
	if (pci_resource_len(pdev, QKDCHIP_BAR_REGS) < QKDCHIP_BAR_REGS_SIZE)
		return dev_err_probe(dev, -ENODEV, "BAR%d is too small (%llu bytes)\n",
				     QKDCHIP_BAR_REGS,
				     (unsigned long long)pci_resource_len(pdev, QKDCHIP_BAR_REGS));

	err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (err)
		return dev_err_probe(dev, err, "no usable DMA mask\n");
	pci_set_master(pdev);

	index = ida_alloc_max(&qkdchip_ida, QKDCHIP_MAX_CARDS - 1, GFP_KERNEL);
	if (index < 0)
		return dev_err_probe(dev, index, "too many cards\n");

	qd = kzalloc(sizeof(*qd), GFP_KERNEL);
	if (!qd) {
		ida_free(&qkdchip_ida, index);
		return -ENOMEM;
	}
	qd->pdev = pdev;
	qd->regs = regs;
	qd->index = index;
	init_rwsem(&qd->lock);
	mutex_init(&qd->table_lock);
	mutex_init(&qd->evlog_lock);
	init_waitqueue_head(&qd->table_wq);
	qkdchip_streams_init(qd);

	/* From here on, put_device() frees qd and the index. */
	device_initialize(&qd->dev);
	qd->dev.class = &qkdchip_class;
	qd->dev.parent = dev;
	qd->dev.devt = MKDEV(MAJOR(qkdchip_devt), index);
	qd->dev.release = qkdchip_dev_release;
	dev_set_drvdata(&qd->dev, qd);
	err = dev_set_name(&qd->dev, QKDCHIP_NAME "%d", index);
	if (err)
		goto err_put;

	err = qkdchip_read_identity(qd);
	if (!err)
		err = qkdchip_reset_card(qd);
	if (err)
		goto err_put;

	err = qkdchip_irq_init(qd);
	if (err)
		goto err_put;

	pci_set_drvdata(pdev, qd);
	qd->alive = true;

	cdev_init(&qd->cdev, &qkdchip_fops);
	qd->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&qd->cdev, &qd->dev);
	if (err) {
		dev_err(dev, "cannot add character device: %d\n", err);
		goto err_irq;
	}

	/* RESET_DONE and anything else logged before the interrupts were on */
	qkdchip_events_handle(qd);
	qkdchip_debugfs_init(qd);
	err = qkdchip_hwmon_init(qd);
	if (err)
		dev_warn(dev, "no hwmon device (%d): temperatures only via netlink\n", err);
	qkdchip_nl_add(qd);

	dev_info(dev, "%s: %s card, interface %u.%u.%u, serial %016llx, firmware %u (%08x)\n",
		 dev_name(&qd->dev),
		 qd->info.role == QKDCHIP_ROLE_CLIENT ? "client" : "server",
		 QKDCHIP_VERSION_MAJOR(qd->info.hw_version),
		 QKDCHIP_VERSION_MINOR(qd->info.hw_version),
		 QKDCHIP_VERSION_PATCH(qd->info.hw_version),
		 qd->info.serial, qd->info.fw_build, qd->info.fw_date);
	return 0;

err_irq:
	qd->alive = false;
	qkdchip_irq_fini(qd);
err_put:
	put_device(&qd->dev);
	return err;
}

static void qkdchip_remove(struct pci_dev *pdev)
{
	struct qkdchip_dev *qd = pci_get_drvdata(pdev);
	unsigned int i;

	/* Out of the netlink list first: no new netlink users. */
	qkdchip_nl_del(qd);
	qkdchip_hwmon_fini(qd);
	/* No new opens, no more sysfs readers. */
	cdev_device_del(&qd->cdev, &qd->dev);
	/* Waits for debugfs users still inside a file operation. */
	qkdchip_debugfs_fini(qd);

	/*
	 * Make waiters give up, wait for the operations that use the card, stop the
	 * streams and drop their DMA mappings; then nobody touches the card again.
	 */
	WRITE_ONCE(qd->dying, true);
	for (i = 0; i < QKDCHIP_NUM_STREAMS; i++)
		wake_up_interruptible_all(&qd->streams[i].wq);
	wake_up_all(&qd->table_wq);
	down_write(&qd->lock);
	qkdchip_streams_remove(qd);
	qd->alive = false;
	up_write(&qd->lock);

	qkdchip_irq_fini(qd);
	qd->regs = NULL;
	qd->pdev = NULL;
	dev_info(&pdev->dev, "%s removed\n", dev_name(&qd->dev));
	put_device(&qd->dev);
}

static struct pci_driver qkdchip_pci_driver = {
	.name = QKDCHIP_NAME,
	.id_table = qkdchip_pci_ids,
	.probe = qkdchip_probe,
	.remove = qkdchip_remove,
};

int qkdchip_pci_register(void)
{
	return pci_register_driver(&qkdchip_pci_driver);
}

void qkdchip_pci_unregister(void)
{
	pci_unregister_driver(&qkdchip_pci_driver);
}
