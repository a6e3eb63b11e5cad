// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: MSI-X interrupts.
 *
 * Three vectors (QKDCHIP_VEC_*). Each hard handler acknowledges the causes of its
 * vector in IRQ_STATUS (write one to clear) before looking at the state they announce,
 * so nothing is missed. The stream vectors only wake waiters; the events vector hands
 * the event log and error reports to a thread, since reading them takes many MMIO reads.
 */

#include <linux/interrupt.h>
#include <linux/pci.h>

#include "qkdchip.h"

static const char * const qkdchip_vec_names[QKDCHIP_NUM_VECTORS] = {
	[QKDCHIP_VEC_EVENTS] = "qkdchip-events",
	[QKDCHIP_VEC_C2H] = "qkdchip-c2h",
	[QKDCHIP_VEC_H2C] = "qkdchip-h2c",
};

/* Causes acknowledged by each vector's handler. */
static const u32 qkdchip_vec_causes[QKDCHIP_NUM_VECTORS] = {
	[QKDCHIP_VEC_EVENTS] = QKDCHIP_IRQ_VEC0,
	[QKDCHIP_VEC_C2H] = QKDCHIP_IRQ_VEC1,
	[QKDCHIP_VEC_H2C] = QKDCHIP_IRQ_VEC2,
};

struct qkdchip_vec {
	struct qkdchip_dev *qd;
	unsigned int nr;
};

static irqreturn_t qkdchip_irq(int irq, void *data)
{
	struct qkdchip_vec *vec = data;
	struct qkdchip_dev *qd = vec->qd;
	irqreturn_t ret = IRQ_HANDLED;
	u32 status;

	status = qkdchip_rd(qd, QKDCHIP_REG_IRQ_STATUS);
	if (status == ~0u)	/* the card is gone: reads return all ones */
		return IRQ_NONE;
	status &= qkdchip_vec_causes[vec->nr];
	if (status)
		qkdchip_wr(qd, QKDCHIP_REG_IRQ_STATUS, status);
	/* MSI-X is never shared: count every interrupt, with or without a cause. */
	atomic64_inc(&qd->irq_count[vec->nr]);

	switch (vec->nr) {
	case QKDCHIP_VEC_EVENTS:
		if (status & (QKDCHIP_IRQ_EVENT | QKDCHIP_IRQ_ERROR))
			ret = IRQ_WAKE_THREAD;
		break;
	case QKDCHIP_VEC_C2H:
		if (status & QKDCHIP_IRQ_C2H)
			wake_up_interruptible_all(&qd->streams[QKDCHIP_STREAM_C2H].wq);
		break;
	case QKDCHIP_VEC_H2C:
		if (status & QKDCHIP_IRQ_PAT)
			wake_up_interruptible_all(&qd->streams[QKDCHIP_STREAM_PAT].wq);
		if (status & QKDCHIP_IRQ_TABLE) {
			atomic_inc(&qd->table_irqs);
			wake_up_all(&qd->table_wq);
		}
		break;
	}
	return ret;
}

static irqreturn_t qkdchip_irq_thread(int irq, void *data)
{
	struct qkdchip_vec *vec = data;

	qkdchip_events_handle(vec->qd);
	return IRQ_HANDLED;
}

void qkdchip_irq_enable(struct qkdchip_dev *qd, u32 causes)
{
	unsigned long flags;

	spin_lock_irqsave(&qd->irq_lock, flags);
	qd->irq_enable |= causes;
	qkdchip_wr(qd, QKDCHIP_REG_IRQ_ENABLE, qd->irq_enable);
	spin_unlock_irqrestore(&qd->irq_lock, flags);
}

void qkdchip_irq_disable(struct qkdchip_dev *qd, u32 causes)
{
	unsigned long flags;

	spin_lock_irqsave(&qd->irq_lock, flags);
	qd->irq_enable &= ~causes;
	qkdchip_wr(qd, QKDCHIP_REG_IRQ_ENABLE, qd->irq_enable);
	spin_unlock_irqrestore(&qd->irq_lock, flags);
}

int qkdchip_irq_init(struct qkdchip_dev *qd)
{
	struct pci_dev *pdev = qd->pdev;
	struct qkdchip_vec *vecs;
	unsigned int i;
	int n, err;

	n = pci_alloc_irq_vectors(pdev, QKDCHIP_NUM_VECTORS, QKDCHIP_NUM_VECTORS, PCI_IRQ_MSIX);
	if (n < 0)
		return dev_err_probe(&pdev->dev, n, "cannot allocate %d MSI-X vectors\n",
				     QKDCHIP_NUM_VECTORS);

	vecs = devm_kcalloc(&pdev->dev, QKDCHIP_NUM_VECTORS, sizeof(*vecs), GFP_KERNEL);
	if (!vecs) {
		err = -ENOMEM;
		goto err_vectors;
	}

	/* Quiesce and clear stale causes before the handlers can run. */
	spin_lock_init(&qd->irq_lock);
	qkdchip_irq_disable(qd, ~0u);
	qkdchip_wr(qd, QKDCHIP_REG_IRQ_STATUS, ~0u);

	for (i = 0; i < QKDCHIP_NUM_VECTORS; i++) {
		vecs[i].qd = qd;
		vecs[i].nr = i;
		if (i == QKDCHIP_VEC_EVENTS)
			err = request_threaded_irq(pci_irq_vector(pdev, i), qkdchip_irq,
						   qkdchip_irq_thread, IRQF_ONESHOT,
						   qkdchip_vec_names[i], &vecs[i]);
		else
			err = request_irq(pci_irq_vector(pdev, i), qkdchip_irq, 0,
					  qkdchip_vec_names[i], &vecs[i]);
		if (err) {
			dev_err(&pdev->dev, "cannot request vector %u: %d\n", i, err);
			goto err_irqs;
		}
	}
	qd->irq_vecs = vecs;

	qkdchip_irq_enable(qd, QKDCHIP_IRQ_ALL);
	return 0;

err_irqs:
	while (i--)
		free_irq(pci_irq_vector(pdev, i), &vecs[i]);
err_vectors:
	pci_free_irq_vectors(pdev);
	return err;
}

void qkdchip_irq_fini(struct qkdchip_dev *qd)
{
	struct pci_dev *pdev = qd->pdev;
	unsigned int i;

	qkdchip_irq_disable(qd, ~0u);
	for (i = 0; i < QKDCHIP_NUM_VECTORS; i++)
		free_irq(pci_irq_vector(pdev, i), &qd->irq_vecs[i]);
	pci_free_irq_vectors(pdev);
}
