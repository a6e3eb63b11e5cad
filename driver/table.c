// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: waveform table uploads (client cards; Documentation/hw/streams.rst).
 *
 * The driver checks an image as the card would, so that userspace gets a precise
 * -EINVAL and a bad image never reaches the card; then the card checks it again.
 */

#include <linux/crc32.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "qkdchip.h"

#define QKDCHIP_TABLE_LOAD_TIMEOUT	(HZ)

static bool qkdchip_table_image_ok(struct qkdchip_dev *qd, const void *img, u32 size)
{
	const struct qkdchip_table_hdr *h = img;
	const struct qkdchip_info *info = &qd->info;
	const __le16 *smp = img + sizeof(*h);
	s32 lo = -(1 << (info->dac_bits - 1)), hi = (1 << (info->dac_bits - 1)) - 1;
	u32 n, i;

	if (size < sizeof(*h) || le32_to_cpu(h->magic) != QKDCHIP_TABLE_MAGIC ||
	    le16_to_cpu(h->version) != QKDCHIP_TABLE_VERSION ||
	    le16_to_cpu(h->hdr_size) != sizeof(*h) ||
	    h->reserved[0] || h->reserved[1] || h->reserved[2])
		return false;
	if (!h->symbols || le16_to_cpu(h->symbols) > info->table_symbols ||
	    h->channels != info->dac_channels || h->samples != info->samples_per_slot)
		return false;
	n = le16_to_cpu(h->symbols) * h->channels * h->samples;
	if (le32_to_cpu(h->data_size) != n * 2 || size != sizeof(*h) + n * 2)
		return false;
	if ((crc32_le(~0, img + sizeof(*h), n * 2) ^ ~0) != le32_to_cpu(h->crc32))
		return false;
	for (i = 0; i < n; i++) {
		s32 v = (s16)le16_to_cpu(smp[i]);

		if (v < lo || v > hi)
			return false;
	}
	return true;
}

/* Wait for a TABLE interrupt after @before, then return TABLE_STATUS. */
static int qkdchip_table_wait(struct qkdchip_dev *qd, int before, unsigned long timeout,
			      u32 busy_bits, u32 *status)
{
	unsigned long end = jiffies + timeout;

	for (;;) {
		wait_event_timeout(qd->table_wq, atomic_read(&qd->table_irqs) != before ||
				   READ_ONCE(qd->dying), 10);
		if (READ_ONCE(qd->dying))
			return -ENODEV;
		*status = qkdchip_rd(qd, QKDCHIP_REG_TABLE_STATUS);
		if (*status == ~0u)
			return -ENODEV;
		if (!(*status & busy_bits))
			return 0;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		before = atomic_read(&qd->table_irqs);
	}
}

int qkdchip_ioc_table_load(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	struct qkdchip_table_load *tl = arg;
	struct device *dev = &qd->pdev->dev;
	u32 status, frame_slots_log2;
	unsigned long switch_timeout;
	dma_addr_t dma;
	void *img, *buf;
	int before, err;
	u32 max;

	if (tl->flags & ~QKDCHIP_TABLE_F_SWITCH || tl->frame || tl->crc32 || tl->card_error ||
	    memchr_inv(tl->reserved, 0, sizeof(tl->reserved)))
		return -EINVAL;
	if (!(qd->info.features & QKDCHIP_FEAT_H2C_TABLE))
		return -EOPNOTSUPP;
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	max = sizeof(struct qkdchip_table_hdr) +
	      qd->info.table_symbols * qd->info.dac_channels * qd->info.samples_per_slot * 2;
	if (tl->size < sizeof(struct qkdchip_table_hdr) || tl->size > max)
		return -EINVAL;

	img = memdup_user(u64_to_user_ptr(tl->image), tl->size);
	if (IS_ERR(img))
		return PTR_ERR(img);
	if (!qkdchip_table_image_ok(qd, img, tl->size)) {
		err = -EINVAL;
		goto out_free;
	}

	if (!mutex_trylock(&qd->table_lock)) {
		err = -EBUSY;
		goto out_free;
	}
	status = qkdchip_rd(qd, QKDCHIP_REG_TABLE_STATUS);
	if (status & (QKDCHIP_TABLE_ST_BUSY | QKDCHIP_TABLE_ST_PENDING)) {
		err = -EBUSY;
		goto out_unlock;
	}

	buf = dma_alloc_coherent(dev, tl->size, &dma, GFP_KERNEL);
	if (!buf) {
		err = -ENOMEM;
		goto out_unlock;
	}
	memcpy(buf, img, tl->size);

	before = atomic_read(&qd->table_irqs);
	qkdchip_wr64(qd, QKDCHIP_REG_TABLE_ADDR_LO, dma);
	qkdchip_wr(qd, QKDCHIP_REG_TABLE_LEN, tl->size);
	qkdchip_wr(qd, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_LOAD);
	err = qkdchip_table_wait(qd, before, QKDCHIP_TABLE_LOAD_TIMEOUT, QKDCHIP_TABLE_ST_BUSY,
				 &status);
	/* The card has finished reading (or is gone): the buffer can go. */
	dma_free_coherent(dev, tl->size, buf, dma);
	if (err)
		goto out_unlock;
	if (QKDCHIP_TABLE_ST_ERROR(status) || !(status & QKDCHIP_TABLE_ST_LOADED)) {
		tl->card_error = QKDCHIP_TABLE_ST_ERROR(status);
		atomic64_inc(&qd->stats.table_errors);
		dev_warn(dev, "the card refused a waveform table: error %u\n", tl->card_error);
		err = -EIO;
		goto out_unlock;
	}
	atomic64_inc(&qd->stats.table_loads);
	tl->crc32 = le32_to_cpu(((struct qkdchip_table_hdr *)img)->crc32);

	if (tl->flags & QKDCHIP_TABLE_F_SWITCH) {
		/* a switch happens at the next frame boundary: allow two frames and 1 s */
		frame_slots_log2 = qkdchip_rd(qd, QKDCHIP_REG_FRAME_LOG2);
		switch_timeout = HZ + msecs_to_jiffies(div_u64(2ULL << min(frame_slots_log2, 40u),
							       max(qd->info.slot_rate_khz, 1u)));
		before = atomic_read(&qd->table_irqs);
		qkdchip_wr(qd, QKDCHIP_REG_TABLE_CTRL, QKDCHIP_TABLE_SWITCH);
		err = qkdchip_table_wait(qd, before, switch_timeout, QKDCHIP_TABLE_ST_PENDING,
					 &status);
		if (err)
			goto out_unlock;
		if (QKDCHIP_TABLE_ST_ERROR(status)) {
			tl->card_error = QKDCHIP_TABLE_ST_ERROR(status);
			atomic64_inc(&qd->stats.table_errors);
			err = -EIO;
			goto out_unlock;
		}
		tl->frame = qkdchip_rd64(qd, QKDCHIP_REG_TABLE_FRAME_LO);
		tl->crc32 = qkdchip_rd(qd, QKDCHIP_REG_TABLE_ACTIVE_CRC);
	}
	err = 0;
out_unlock:
	mutex_unlock(&qd->table_lock);
out_free:
	kfree(img);
	return err;
}
