// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: stream rings - host memory shared by the card (DMA) and userspace (mmap).
 *
 * A ring is buf_count buffers of buf_size bytes, plus a status page (the card's
 * write-back block, then the driver's state) and an index page (the host's index,
 * which the card reads). All of it is ordinary pages: each buffer is one physically
 * contiguous allocation, split into order-0 pages so that user mappings can take
 * their own page references. That is what lets a mapping outlive the card: removal
 * tears down the DMA mappings, the pages stay until the last user mapping and the
 * last file reference are gone, and reading them never faults.
 *
 * The mappings are streaming DMA mappings in both directions and the driver does no
 * cache maintenance on the hot path: rings need a DMA-coherent platform (x86, and
 * arm64 or others with coherent PCIe), which qkdchip_ring_alloc() checks.
 */

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "qkdchip.h"

static struct device *ring_dev(struct qkdchip_ring *ring)
{
	return &ring->qd->pdev->dev;
}

static void qkdchip_ring_release(struct kref *ref)
{
	struct qkdchip_ring *ring = container_of(ref, struct qkdchip_ring, ref);
	unsigned long i;

	WARN_ON(ring->dma_mapped);
	for (i = 0; i < ring->npages; i++)
		if (ring->pages[i])
			put_page(ring->pages[i]);
	if (ring->status_page)
		put_page(ring->status_page);
	if (ring->index_page)
		put_page(ring->index_page);
	kvfree(ring->pages);
	kvfree(ring->buf_dma);
	put_device(&ring->qd->dev);
	kfree(ring);
}

void qkdchip_ring_put(struct qkdchip_ring *ring)
{
	if (ring)
		kref_put(&ring->ref, qkdchip_ring_release);
}

/*
 * Tear down the DMA mappings. Called with the card still bound (qd->alive, or from
 * removal before it returns), with the ring's stream stopped, and at most once.
 */
void qkdchip_ring_unmap_dma(struct qkdchip_ring *ring)
{
	struct device *dev = ring_dev(ring);
	u32 i;

	if (!ring->dma_mapped)
		return;
	for (i = 0; i < ring->buf_count; i++)
		if (ring->buf_dma[i])
			dma_unmap_page(dev, ring->buf_dma[i], ring->buf_size, DMA_BIDIRECTIONAL);
	if (ring->status_dma)
		dma_unmap_page(dev, ring->status_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (ring->index_dma)
		dma_unmap_page(dev, ring->index_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (ring->desc)
		dma_free_coherent(dev, ring->buf_count * sizeof(*ring->desc), ring->desc,
				  ring->desc_dma);
	ring->desc = NULL;
	ring->dma_mapped = false;
}

static int qkdchip_map_page(struct qkdchip_ring *ring, struct page *page, size_t size,
			    dma_addr_t *dma)
{
	*dma = dma_map_page(ring_dev(ring), page, 0, size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(ring_dev(ring), *dma)) {
		*dma = 0;
		return -ENOMEM;
	}
	return 0;
}

/*
 * Allocate and DMA-map a ring. Geometry was checked by the caller against the card's
 * limits: buf_size is a power of two >= PAGE_SIZE, buf_count a power of two.
 */
struct qkdchip_ring *qkdchip_ring_alloc(struct qkdchip_dev *qd, unsigned int stream,
					u32 buf_size, u32 buf_count)
{
	struct device *dev = &qd->pdev->dev;
	unsigned int order = get_order(buf_size), ppb = 1u << order;
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN | __GFP_ACCOUNT;
	struct qkdchip_ring *ring;
	u32 i;
	int err = -ENOMEM;

	if (!dev_is_dma_coherent(dev)) {
		dev_warn_once(dev, "rings need DMA-coherent memory, which this platform lacks\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (dma_get_mask(dev) < DMA_BIT_MASK(64))
		gfp |= GFP_DMA32;
	if (atomic_add_unless(&qd->fail_ring_alloc, -1, 0))
		return ERR_PTR(-ENOMEM);	/* injected through debugfs */

	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	kref_init(&ring->ref);
	ring->qd = qd;
	get_device(&qd->dev);
	ring->stream = stream;
	ring->buf_size = buf_size;
	ring->buf_count = buf_count;
	ring->size = (u64)buf_size * buf_count;
	ring->npages = (unsigned long)(ring->size >> PAGE_SHIFT);
	atomic_set(&ring->mapcount, 0);
	ring->dma_mapped = true;	/* from here on, unmap undoes what exists */

	ring->pages = kvcalloc(ring->npages, sizeof(*ring->pages), GFP_KERNEL);
	ring->buf_dma = kvcalloc(buf_count, sizeof(*ring->buf_dma), GFP_KERNEL);
	if (!ring->pages || !ring->buf_dma)
		goto err;

	for (i = 0; i < buf_count; i++) {
		struct page *page = alloc_pages(gfp, order);
		unsigned int j;

		if (!page)
			goto err;
		/* one buddy allocation: its struct pages are contiguous */
		split_page(page, order);
		for (j = 0; j < ppb; j++)
			ring->pages[(unsigned long)i * ppb + j] = page + j;
		err = qkdchip_map_page(ring, page, buf_size, &ring->buf_dma[i]);
		if (err)
			goto err;
		cond_resched();
	}

	err = -ENOMEM;
	ring->status_page = alloc_page(gfp);
	ring->index_page = alloc_page(gfp);
	if (!ring->status_page || !ring->index_page)
		goto err;
	err = qkdchip_map_page(ring, ring->status_page, PAGE_SIZE, &ring->status_dma);
	if (!err)
		err = qkdchip_map_page(ring, ring->index_page, PAGE_SIZE, &ring->index_dma);
	if (err)
		goto err;
	ring->status = page_address(ring->status_page);
	ring->index = page_address(ring->index_page);

	err = -ENOMEM;
	ring->desc = dma_alloc_coherent(dev, buf_count * sizeof(*ring->desc), &ring->desc_dma,
					GFP_KERNEL);
	if (!ring->desc)
		goto err;
	for (i = 0; i < buf_count; i++) {
		ring->desc[i].addr = cpu_to_le64(ring->buf_dma[i]);
		ring->desc[i].len = cpu_to_le32(buf_size);
		ring->desc[i].flags = 0;
	}

	ring->status->ring_size = ring->size;
	ring->status->state = QKDCHIP_RING_IDLE;
	return ring;

err:
	qkdchip_ring_unmap_dma(ring);
	qkdchip_ring_put(ring);
	return ERR_PTR(err);
}

/* Kernel address of ring byte @offset, and how many bytes follow it in its buffer. */
void *qkdchip_ring_data(struct qkdchip_ring *ring, u64 offset, size_t *len)
{
	u64 off = offset & (ring->size - 1);
	u64 in_buf = off & (ring->buf_size - 1);

	*len = ring->buf_size - in_buf;
	/* a buffer's pages are contiguous in the kernel's direct map */
	return page_address(ring->pages[off >> PAGE_SHIFT]) + (in_buf & (PAGE_SIZE - 1));
}

static void qkdchip_vm_open(struct vm_area_struct *vma)
{
	struct qkdchip_ring *ring = vma->vm_private_data;

	kref_get(&ring->ref);
	atomic_inc(&ring->mapcount);
}

static void qkdchip_vm_close(struct vm_area_struct *vma)
{
	struct qkdchip_ring *ring = vma->vm_private_data;

	atomic_dec(&ring->mapcount);
	qkdchip_ring_put(ring);
}

static const struct vm_operations_struct qkdchip_vm_ops = {
	.open = qkdchip_vm_open,
	.close = qkdchip_vm_close,
};

/*
 * Map one area of the ring. The data area of a C2H ring and the status page are
 * read-only: a writable mapping is refused and mprotect() cannot make one.
 */
int qkdchip_ring_mmap(struct qkdchip_ring *ring, struct vm_area_struct *vma,
		      unsigned int area)
{
	unsigned long pages = vma_pages(vma), i, addr = vma->vm_start;
	bool read_only;
	int err;

	switch (area) {
	case QKDCHIP_AREA_DATA:
		if (pages > ring->npages)
			return -EINVAL;
		read_only = ring->stream == QKDCHIP_STREAM_C2H;
		break;
	case QKDCHIP_AREA_STATUS:
	case QKDCHIP_AREA_INDEX:
		if (pages != 1)
			return -EINVAL;
		read_only = area == QKDCHIP_AREA_STATUS;
		break;
	default:
		return -EINVAL;
	}
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;		/* a private copy would never see the card */
	if (read_only && (vma->vm_flags & VM_WRITE))
		return -EPERM;

	qkdchip_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	if (read_only)
		qkdchip_vm_flags_clear(vma, VM_MAYWRITE);

	for (i = 0; i < pages; i++, addr += PAGE_SIZE) {
		struct page *page = area == QKDCHIP_AREA_DATA ? ring->pages[i] :
				    area == QKDCHIP_AREA_STATUS ? ring->status_page :
				    ring->index_page;

		err = vm_insert_page(vma, addr, page);
		if (err)
			return err;	/* the core unmaps what was inserted */
	}

	vma->vm_ops = &qkdchip_vm_ops;
	vma->vm_private_data = ring;
	qkdchip_vm_open(vma);
	return 0;
}
