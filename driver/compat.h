/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels qkdchip supports (6.1 LTS up to the newest Debian
 * backports kernel). They are detected from the kernel's headers by driver/Kbuild
 * (QKDCHIP_HAVE_* defines), which also works for distribution kernels with backports;
 * every such test lives here, nowhere else.
 */
#ifndef QKDCHIP_COMPAT_H
#define QKDCHIP_COMPAT_H

#include <linux/mm.h>
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

/* vm_flags_set() and vm_flags_clear() appeared in 6.3, when vm_flags became read-only. */
#ifdef QKDCHIP_HAVE_VM_FLAGS_SET
#define qkdchip_vm_flags_set vm_flags_set
#define qkdchip_vm_flags_clear vm_flags_clear
#else
static inline void qkdchip_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void qkdchip_vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* QKDCHIP_COMPAT_H */
