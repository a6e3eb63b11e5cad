/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdchip driver internals.
 */
#ifndef QKDCHIP_H
#define QKDCHIP_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "qkdchip_hw.h"

#define QKDCHIP_NAME		"qkdchip"
#define QKDCHIP_MAX_CARDS	64
#define QKDCHIP_HW_MAJOR	1	/* hardware interface major version we drive */

struct qkdchip_vec;

/* A descriptor as the card reads it (Documentation/hw/streams.rst) */
struct qkdchip_desc {
	__le64 addr;
	__le32 len;
	__le32 flags;
};

/**
 * struct qkdchip_ring - the host memory of one stream
 * @ref:	held by the owning file and by read()/write() in progress
 * @qd:		the card (the ring holds a reference on qd->dev)
 * @stream:	QKDCHIP_STREAM_*
 * @buf_size:	bytes per buffer
 * @buf_count:	buffers
 * @size:	@buf_size * @buf_count
 * @npages:	data pages
 * @pages:	data pages, order 0 each but physically contiguous per buffer
 * @buf_dma:	bus address of each buffer
 * @status_page: the card's write-back block and the driver's status (read-only map)
 * @index_page:	the host's index (read-write map; the card reads it)
 * @status_dma:	bus address of @status_page
 * @index_dma:	bus address of @index_page
 * @status:	kernel view of @status_page
 * @index:	kernel view of @index_page
 * @desc:	descriptor table (coherent; the card reads it at start)
 * @desc_dma:	its bus address
 * @dma_mapped:	the DMA mappings exist (false once the card is gone)
 * @mapcount:	live user mappings of any area
 */
struct qkdchip_ring {
	struct kref ref;
	struct qkdchip_dev *qd;
	unsigned int stream;
	u32 buf_size;
	u32 buf_count;
	u64 size;
	unsigned long npages;
	struct page **pages;
	dma_addr_t *buf_dma;
	struct page *status_page;
	struct page *index_page;
	dma_addr_t status_dma;
	dma_addr_t index_dma;
	struct qkdchip_ring_status *status;
	struct qkdchip_ring_index *index;
	struct qkdchip_desc *desc;
	dma_addr_t desc_dma;
	bool dma_mapped;
	atomic_t mapcount;
};

/**
 * struct qkdchip_stream - one direction of a card's data path
 * @lock:	protects everything below but @wq; never held across user copies
 * @io_lock:	serialises read() and write() of the owner
 * @owner:	the file that set up the ring (not referenced: cleared on release)
 * @ring:	the ring, or NULL
 * @running:	the card runs this stream
 * @rewind:	PAT: a run ended; indices restart from 0 at the next write() or start
 * @source:	QKDCHIP_SOURCE_* of the running stream
 * @error:	the card's error code after it stopped the stream on an error
 * @mod_count:	moderation by count the owner asked for (0: card default)
 * @mod_time_us: moderation by time the owner asked for (0: card default)
 * @wq:		woken by the stream's interrupt, by stops, errors and removal
 */
struct qkdchip_stream {
	struct mutex lock;		/* stream state */
	struct mutex io_lock;		/* read() and write() */
	struct file *owner;
	struct qkdchip_ring *ring;
	bool running;
	bool rewind;
	u32 source;
	u32 error;
	u32 mod_count;
	u32 mod_time_us;
	wait_queue_head_t wq;
};

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
 * @dying:	removal has begun: waiters must give up (set before @lock is taken
 *		for writing, so that nobody sleeps on the card with @lock held)
 * @index:	N of /dev/qkdchipN
 * @info:	identity and capabilities, read once at probe
 * @irq_vecs:	per-vector handler data
 * @irq_count:	interrupts handled, per MSI-X vector
 * @debugfs:	the card's debugfs directory
 * @streams:	the data path, per QKDCHIP_STREAM_*
 * @irq_lock:	protects @irq_enable
 * @irq_enable:	the causes enabled in IRQ_ENABLE
 * @table_lock:	serialises table loads
 * @table_wq:	woken by TABLE interrupts
 * @table_irqs:	TABLE interrupts so far
 * @mod_default: the card's moderation registers at reset (C2H count, time; PAT
 *		count, time)
 * @stats:	driver-side counters (struct qkdchip_stats fields the card does not keep)
 * @events_lost: event log entries the card overwrote before we read them
 * @nl_node:	entry in the netlink card list
 * @hwmon:	the hwmon device (temperatures)
 * @fail_ring_alloc: debugfs fault injection: ring allocations left to fail
 * @evlog_lock:	serialises readers of the card's event log (the IRQ thread, probe)
 */
struct qkdchip_dev {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct rw_semaphore lock;
	bool alive;
	bool dying;
	int index;
	struct qkdchip_info info;
	struct qkdchip_vec *irq_vecs;
	atomic64_t irq_count[QKDCHIP_NUM_VECTORS];
	struct dentry *debugfs;
	struct qkdchip_stream streams[QKDCHIP_NUM_STREAMS];
	spinlock_t irq_lock;		/* irq_enable */
	u32 irq_enable;
	struct mutex table_lock;	/* one table load at a time */
	wait_queue_head_t table_wq;
	atomic_t table_irqs;
	u32 mod_default[4];
	struct {
		atomic64_t c2h_read;
		atomic64_t c2h_bad;
		atomic64_t pat_written;
		atomic64_t table_loads;
		atomic64_t table_errors;
		atomic64_t events;
	} stats;
	u64 events_lost;
	struct list_head nl_node;
	struct device *hwmon;
	atomic_t fail_ring_alloc;
	struct mutex evlog_lock;	/* draining the event log */
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

/*
 * Is the card still answering? A card that has gone (surprise removal, a dead
 * link) reads all ones; one read of MAGIC tells, before a long series of reads that
 * would each have to fail on their own.
 */
static inline bool qkdchip_present(struct qkdchip_dev *qd)
{
	return qkdchip_rd(qd, QKDCHIP_REG_MAGIC) == QKDCHIP_MAGIC;
}

static inline u64 qkdchip_rd64(struct qkdchip_dev *qd, u32 reg_lo)
{
	u32 lo = qkdchip_rd(qd, reg_lo);	/* latches HI */

	return (u64)qkdchip_rd(qd, reg_lo + 4) << 32 | lo;
}

static inline void qkdchip_wr64(struct qkdchip_dev *qd, u32 reg_lo, u64 val)
{
	qkdchip_wr(qd, reg_lo, lower_32_bits(val));	/* held until HI */
	qkdchip_wr(qd, reg_lo + 4, upper_32_bits(val));
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
void qkdchip_irq_enable(struct qkdchip_dev *qd, u32 causes);
void qkdchip_irq_disable(struct qkdchip_dev *qd, u32 causes);

/* ring.c */
struct qkdchip_ring *qkdchip_ring_alloc(struct qkdchip_dev *qd, unsigned int stream,
					u32 buf_size, u32 buf_count);
void qkdchip_ring_put(struct qkdchip_ring *ring);
void qkdchip_ring_unmap_dma(struct qkdchip_ring *ring);
int qkdchip_ring_mmap(struct qkdchip_ring *ring, struct vm_area_struct *vma,
		      unsigned int area);
void *qkdchip_ring_data(struct qkdchip_ring *ring, u64 offset, size_t *len);

/* stream.c */
void qkdchip_streams_init(struct qkdchip_dev *qd);
void qkdchip_streams_remove(struct qkdchip_dev *qd);
void qkdchip_streams_release(struct qkdchip_dev *qd, struct file *file);
void qkdchip_stream_error(struct qkdchip_dev *qd, unsigned int stream);
int qkdchip_ioc_ring_setup(struct qkdchip_dev *qd, struct file *file, void *arg);
int qkdchip_ioc_ring_free(struct qkdchip_dev *qd, struct file *file, void *arg);
int qkdchip_ioc_stream_start(struct qkdchip_dev *qd, struct file *file, void *arg);
int qkdchip_ioc_stream_stop(struct qkdchip_dev *qd, struct file *file, void *arg);
int qkdchip_ioc_wakeup(struct qkdchip_dev *qd, struct file *file, void *arg);
ssize_t qkdchip_stream_read(struct qkdchip_dev *qd, struct file *file, char __user *buf,
			    size_t count);
ssize_t qkdchip_stream_write(struct qkdchip_dev *qd, struct file *file,
			     const char __user *buf, size_t count);
__poll_t qkdchip_stream_poll(struct qkdchip_dev *qd, struct file *file,
			     struct poll_table_struct *wait);
int qkdchip_stream_mmap(struct qkdchip_dev *qd, struct file *file,
			struct vm_area_struct *vma);

int qkdchip_stream_force_stop(struct qkdchip_dev *qd, unsigned int s);

/* netlink.c */
int qkdchip_nl_init(void);
void qkdchip_nl_exit(void);
void qkdchip_nl_add(struct qkdchip_dev *qd);
void qkdchip_nl_del(struct qkdchip_dev *qd);
void qkdchip_nl_event(struct qkdchip_dev *qd, u32 code, u32 arg, u64 slot);

/* hwmon.c */
int qkdchip_hwmon_init(struct qkdchip_dev *qd);
void qkdchip_hwmon_fini(struct qkdchip_dev *qd);

/* table.c */
int qkdchip_ioc_table_load(struct qkdchip_dev *qd, struct file *file, void *arg);

/* events.c */
void qkdchip_events_handle(struct qkdchip_dev *qd);
const char *qkdchip_event_name(unsigned int code);
int qkdchip_ioc_stats(struct qkdchip_dev *qd, struct file *file, void *arg);

/* sysfs.c */
extern const struct attribute_group *qkdchip_groups[];

/* debugfs.c */
void qkdchip_debugfs_init(struct qkdchip_dev *qd);
void qkdchip_debugfs_fini(struct qkdchip_dev *qd);

#endif /* QKDCHIP_H */
