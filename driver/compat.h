/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels qkdchip supports (6.1 LTS up to the newest Debian
 * backports kernel). They are detected from the kernel's headers by driver/Kbuild
 * (QKDCHIP_HAVE_* defines), which also works for distribution kernels with backports;
 * every such test lives here, nowhere else.
 */
#ifndef QKDCHIP_COMPAT_H
#define QKDCHIP_COMPAT_H

#include <linux/pci.h>

/* pcim_iomap_region() appeared in 6.11; pcim_iomap_regions() is deprecated after it. */
#ifndef QKDCHIP_HAVE_PCIM_IOMAP_REGION
static inline void __iomem *qkdchip_pcim_iomap_region(struct pci_dev *pdev, int bar,
						      const char *name)
{
	int err = pcim_iomap_regions(pdev, BIT(bar), name);

	if (err)
		return IOMEM_ERR_PTR(err);
	return pcim_iomap_table(pdev)[bar];
}
#else
#define qkdchip_pcim_iomap_region pcim_iomap_region
#endif

#endif /* QKDCHIP_COMPAT_H */
