/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdchip driver internals.
 */
#ifndef QKDCHIP_H
#define QKDCHIP_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/types.h>

#include "qkdchip_hw.h"

#define QKDCHIP_NAME		"qkdchip"
#define QKDCHIP_MAX_CARDS	64
#define QKDCHIP_HW_MAJOR	1	/* hardware interface major version we drive */

struct qkdchip_vec;

/**
 * struct qkdchip_dev - one card
 * @dev:	the class device behind /dev/qkdchipN; its refcount keeps this struct
 *		alive for as long as a file is open, past the card's removal
 * @cdev:	character device
 * @pdev:	the PCI function; NULL once the card is gone
 * @regs:	BAR0; only dereferenced with @lock held for reading and @alive set
 * @lock:	read-held by every operation that touches the card, write-held by
 *		removal to flip @alive
 * @alive:	the card is bound and its registers and interrupts usable
 * @index:	N of /dev/qkdchipN
 * @info:	identity and capabilities, read once at probe
 * @irq_vecs:	per-vector handler data
 * @irq_count:	interrupts handled, per MSI-X vector
 * @debugfs:	the card's debugfs directory
 */
struct qkdchip_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct rw_semaphore lock;
	bool alive;
	int index;
	struct qkdchip_info info;
	struct qkdchip_vec *irq_vecs;
	atomic64_t irq_count[QKDCHIP_NUM_VECTORS];
	struct dentry *debugfs;
};

static inline struct qkdchip_dev *to_qkdchip(struct device *dev)
{
	return container_of(dev, struct qkdchip_dev, dev);
}

static inline u32 qkdchip_rd(struct qkdchip_dev *qd, u32 reg)
{
	return ioread32(qd->regs + reg);
}

static inline void qkdchip_wr(struct qkdchip_dev *qd, u32 reg, u32 val)
{
	iowrite32(val, qd->regs + reg);
}

/* main.c */
extern struct class qkdchip_class;
extern dev_t qkdchip_devt;
extern struct dentry *qkdchip_debugfs_root;

/* pci.c */
int qkdchip_pci_register(void);
void qkdchip_pci_unregister(void);

/* cdev.c */
extern const struct file_operations qkdchip_fops;

/* irq.c */
int qkdchip_irq_init(struct qkdchip_dev *qd);
void qkdchip_irq_fini(struct qkdchip_dev *qd);

/* sysfs.c */
extern const struct attribute_group *qkdchip_groups[];

/* debugfs.c */
void qkdchip_debugfs_init(struct qkdchip_dev *qd);
void qkdchip_debugfs_fini(struct qkdchip_dev *qd);

#endif /* QKDCHIP_H */
