// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: MSI-X interrupts.
 *
 * Three vectors (QKDCHIP_VEC_*). Each handler acknowledges the causes that belong to
 * its vector in IRQ_STATUS (write one to clear) and counts the interrupt.
 */

#include <linux/interrupt.h>
#include <linux/pci.h>

#include "qkdchip.h"

static const char * const qkdchip_vec_names[QKDCHIP_NUM_VECTORS] = {
	[QKDCHIP_VEC_EVENTS] = "events",
	[QKDCHIP_VEC_C2H] = "c2h",
	[QKDCHIP_VEC_H2C] = "h2c",
};

/* Causes acknowledged by each vector's handler. */
static const u32 qkdchip_vec_causes[QKDCHIP_NUM_VECTORS] = {
	[QKDCHIP_VEC_EVENTS] = QKDCHIP_IRQ_DOORBELL(QKDCHIP_VEC_EVENTS),
	[QKDCHIP_VEC_C2H] = QKDCHIP_IRQ_DOORBELL(QKDCHIP_VEC_C2H),
	[QKDCHIP_VEC_H2C] = QKDCHIP_IRQ_DOORBELL(QKDCHIP_VEC_H2C),
};

struct qkdchip_vec {
	struct qkdchip_dev *qd;
	unsigned int nr;
};

static irqreturn_t qkdchip_irq(int irq, void *data)
{
	struct qkdchip_vec *vec = data;
	struct qkdchip_dev *qd = vec->qd;
	u32 status;

	status = qkdchip_rd(qd, QKDCHIP_REG_IRQ_STATUS);
	if (status == ~0u)	/* the card is gone: reads return all ones */
		return IRQ_NONE;
	status &= qkdchip_vec_causes[vec->nr];
	if (status)
		qkdchip_wr(qd, QKDCHIP_REG_IRQ_STATUS, status);
	/* MSI-X is never shared: count every interrupt, with or without a cause. */
	atomic64_inc(&qd->irq_count[vec->nr]);
	return IRQ_HANDLED;
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
	qkdchip_wr(qd, QKDCHIP_REG_IRQ_ENABLE, 0);
	qkdchip_wr(qd, QKDCHIP_REG_IRQ_STATUS, ~0u);

	for (i = 0; i < QKDCHIP_NUM_VECTORS; i++) {
		vecs[i].qd = qd;
		vecs[i].nr = i;
		err = request_irq(pci_irq_vector(pdev, i), qkdchip_irq, 0,
				  qkdchip_vec_names[i], &vecs[i]);
		if (err) {
			dev_err(&pdev->dev, "cannot request vector %u: %d\n", i, err);
			goto err_irqs;
		}
	}
	qd->irq_vecs = vecs;

	qkdchip_wr(qd, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_DOORBELL_ALL);
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

	qkdchip_wr(qd, QKDCHIP_REG_IRQ_ENABLE, 0);
	for (i = 0; i < QKDCHIP_NUM_VECTORS; i++)
		free_irq(pci_irq_vector(pdev, i), &qd->irq_vecs[i]);
	pci_free_irq_vectors(pdev);
}
