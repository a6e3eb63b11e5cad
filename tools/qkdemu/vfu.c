// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfu.c - vfio-user server for one emulated PCIe function.
 *
 * Written from the protocol specification (QEMU docs/interop/vfio-user.rst) and the
 * behaviour of QEMU's vfio-user-pci client; message bodies reuse <linux/vfio.h>.
 * Documentation/qkdemu/vfio-user.rst describes what is implemented and how each message
 * is validated.
 *
 * Structure: a listening socket and at most one client socket, both on the loop. Bytes
 * are received exactly up to message boundaries (header, then body), so file descriptors
 * passed with SCM_RIGHTS are attributed to the message being received. A complete message
 * is dispatched to a handler that either produces a reply or an error. Replies go to an
 * output buffer that is flushed without blocking; while it is too full, no further
 * requests are read (back-pressure instead of unbounded memory).
 */
#include "vfu.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- protocol ---------------------------------------------------------------------- */

enum {
	CMD_VERSION = 1,
	CMD_DMA_MAP = 2,
	CMD_DMA_UNMAP = 3,
	CMD_DEVICE_GET_INFO = 4,
	CMD_DEVICE_GET_REGION_INFO = 5,
	CMD_DEVICE_GET_REGION_IO_FDS = 6,
	CMD_DEVICE_GET_IRQ_INFO = 7,
	CMD_DEVICE_SET_IRQS = 8,
	CMD_REGION_READ = 9,
	CMD_REGION_WRITE = 10,
	CMD_DMA_READ = 11,
	CMD_DMA_WRITE = 12,
	CMD_DEVICE_RESET = 13,
	CMD_DIRTY_PAGES = 14,
	CMD_REGION_WRITE_MULTI = 15,
	CMD_DEVICE_FEATURE = 16,
	CMD_MIG_DATA_READ = 17,
	CMD_MIG_DATA_WRITE = 18,
};

#define HDR_TYPE_MASK   0x0fu
#define HDR_TYPE_CMD    0x0u
#define HDR_TYPE_REPLY  0x1u
#define HDR_NO_REPLY    0x10u
#define HDR_ERROR       0x20u

struct hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size;  /* whole message, header included */
	uint32_t flags;
	uint32_t error; /* positive errno in an error reply */
};

struct version_body {
	uint16_t major, minor;
	/* then optional NUL-terminated JSON */
};

struct dma_map_body {
	uint32_t argsz, flags;
	uint64_t offset, addr, size;
};

struct dma_unmap_body {
	uint32_t argsz, flags;
	uint64_t addr, size;
};

struct device_info_body {
	uint32_t argsz, flags, num_regions, num_irqs;
};

struct region_rw_body {
	uint64_t offset;
	uint32_t region, count;
	/* then data */
};

static_assert(sizeof(struct hdr) == 16, "vfio-user header is 16 bytes");
static_assert(sizeof(struct dma_map_body) == 32, "DMA_MAP body is 32 bytes");
static_assert(sizeof(struct dma_unmap_body) == 24, "DMA_UNMAP body is 24 bytes");
static_assert(sizeof(struct device_info_body) == 16, "DEVICE_GET_INFO body is 16 bytes");
static_assert(sizeof(struct vfio_region_info) == 32, "region info is 32 bytes");
static_assert(sizeof(struct vfio_irq_info) == 16, "irq info is 16 bytes");
static_assert(sizeof(struct vfio_irq_set) == 20, "irq set is 20 bytes");
static_assert(sizeof(struct region_rw_body) == 16, "region r/w block is 16 bytes");

/* What this server accepts (advertised in the VERSION reply where the client asked). */
#define VFU_MAX_MSG_FDS   16u
#define VFU_MAX_XFER      (1u << 20)
#define VFU_PGSIZE        4096u
#define VFU_MAX_DMA_MAPS  65535u
/* Largest message body processed: a REGION_WRITE of VFU_MAX_XFER bytes. */
#define VFU_MAX_BODY      (sizeof(struct region_rw_body) + VFU_MAX_XFER)
/* Larger messages up to this size are read and thrown away (answered EMSGSIZE); a
 * msg_size beyond it means the stream cannot be trusted and the client is dropped. */
#define VFU_DISCARD_MAX   (64u << 20)
/* Buffer used to read and forget the body of an oversized message. */
#define VFU_DISCARD_CHUNK (64u << 10)
/* Stop reading requests while this many reply bytes wait to be sent. */
#define VFU_TX_HIGH       (4u << 20)
/* Messages handled per wake-up before giving other descriptors a turn. */
#define VFU_RX_BURST      64
/* The kernel's limit of descriptors per SCM_RIGHTS message (SCM_MAX_FD). */
#define VFU_CMSG_FDS      253

#define CFG_SIZE          4096u
#define CAP_PM            0x40u
#define CAP_MSIX          0x50u
#define CAP_EXP           0x60u
#define CAP_EXP_LEN       0x3cu
#define MSIX_MAX          2048u

/* ---- state ------------------------------------------------------------------------- */

struct dma_region {
	uint64_t iova, len;
	uint32_t flags; /* VFIO_DMA_MAP_FLAG_READ / _WRITE */
	void *va;       /* NULL: no fd was passed, not dereferenceable */
};

enum rx_state { RX_HDR, RX_BODY, RX_DISCARD };

struct vfu {
	struct loop *loop;
	char *path;
	dev_t sock_dev;
	ino_t sock_ino;
	int lfd;
	const struct vfu_dev_ops *ops;
	void *priv;
	struct vfu_pci_info info;

	vfu_log_fn log_fn;
	void *log_arg;
	enum vfu_log_level log_max;

	/* the client */
	int cfd;
	bool versioned;     /* handshake done: connected(true) was called */
	bool in_dispatch;   /* a handler is running */
	bool kick;          /* close the client after the current message */
	bool rx_paused;     /* EPOLLIN off for back-pressure */
	uint32_t ev_mask;   /* events currently registered for cfd */
	enum rx_state rx;
	struct hdr rx_hdr;
	size_t rx_got;      /* bytes of the header / body received */
	uint8_t *rx_body;
	size_t rx_cap;
	int rx_fds[VFU_MAX_MSG_FDS];
	unsigned int rx_nfds;
	bool rx_fds_bad;    /* more descriptors than allowed, or truncated */
	uint8_t *tx;
	size_t tx_len, tx_off, tx_cap;

	/* DMA regions, sorted by iova, not overlapping */
	struct dma_region *dma;
	size_t ndma, dma_cap;

	/* MSI-X */
	int msix_bar;       /* -1 without MSI-X */
	uint64_t msix_pba_off;
	uint8_t *msix_table;
	int *msix_fd;       /* per vector, -1 if none */
	unsigned int msix_enabled; /* vectors enabled by SET_IRQS (0: index disabled) */

	/* configuration space */
	uint8_t cfg[CFG_SIZE];
	uint8_t cfg_reset[CFG_SIZE];
	uint8_t cfg_wmask[CFG_SIZE];
	uint8_t cfg_w1c[CFG_SIZE];

	struct vfu_stats stats;
};

/* ---- logging ----------------------------------------------------------------------- */

void vfu_log_stderr(void *arg, enum vfu_log_level level, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	(void)arg;
	fprintf(stderr, "vfu: %s: %s\n", names[level], msg);
}

__attribute__((format(printf, 3, 4)))
static void vlog(struct vfu *v, enum vfu_log_level level, const char *fmt, ...)
{
	char buf[512];
	int n;
	va_list ap;

	if (!v->log_fn || level > v->log_max)
		return;
	n = snprintf(buf, sizeof(buf), "%s: ", v->path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	v->log_fn(v->log_arg, level, buf);
}

void vfu_set_log(struct vfu *v, vfu_log_fn fn, void *arg, enum vfu_log_level max_level)
{
	v->log_fn = fn;
	v->log_arg = arg;
	v->log_max = max_level;
}

static const char *cmd_name(unsigned int cmd)
{
	static const char *const names[] = {
		[CMD_VERSION] = "VERSION",
		[CMD_DMA_MAP] = "DMA_MAP",
		[CMD_DMA_UNMAP] = "DMA_UNMAP",
		[CMD_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
		[CMD_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
		[CMD_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
		[CMD_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
		[CMD_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
		[CMD_REGION_READ] = "REGION_READ",
		[CMD_REGION_WRITE] = "REGION_WRITE",
		[CMD_DMA_READ] = "DMA_READ",
		[CMD_DMA_WRITE] = "DMA_WRITE",
		[CMD_DEVICE_RESET] = "DEVICE_RESET",
		[CMD_DIRTY_PAGES] = "DIRTY_PAGES",
		[CMD_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
		[CMD_DEVICE_FEATURE] = "DEVICE_FEATURE",
		[CMD_MIG_DATA_READ] = "MIG_DATA_READ",
		[CMD_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
	};

	if (cmd < sizeof(names) / sizeof(names[0]) && names[cmd])
		return names[cmd];
	return "unknown";
}

/* ---- small helpers ----------------------------------------------------------------- */

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

/* ---- configuration space ----------------------------------------------------------- */

/* Set a register's reset value, and its writable and write-1-to-clear bits. */
static void cfg_reg(struct vfu *v, unsigned int off, unsigned int len, uint32_t val,
		    uint32_t wmask, uint32_t w1c)
{
	for (unsigned int i = 0; i < len; i++) {
		v->cfg_reset[off + i] = (uint8_t)(val >> (8 * i));
		v->cfg_wmask[off + i] = (uint8_t)(wmask >> (8 * i));
		v->cfg_w1c[off + i] = (uint8_t)(w1c >> (8 * i));
	}
}

static void cfg_build(struct vfu *v)
{
	const struct vfu_pci_info *in = &v->info;
	unsigned int pm_next = in->msix_vectors ? CAP_MSIX : CAP_EXP;

	memset(v->cfg_reset, 0, CFG_SIZE);
	memset(v->cfg_wmask, 0, CFG_SIZE);
	memset(v->cfg_w1c, 0, CFG_SIZE);

	cfg_reg(v, PCI_VENDOR_ID, 2, in->vendor, 0, 0);
	cfg_reg(v, PCI_DEVICE_ID, 2, in->device, 0, 0);
	cfg_reg(v, PCI_COMMAND, 2, 0,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE, 0);
	cfg_reg(v, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0,
		PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_REC_TARGET_ABORT |
		PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_SYSTEM_ERROR |
		PCI_STATUS_DETECTED_PARITY);
	cfg_reg(v, PCI_REVISION_ID, 1, in->revision, 0, 0);
	cfg_reg(v, PCI_CLASS_PROG, 3, in->class_code, 0, 0);
	cfg_reg(v, PCI_CACHE_LINE_SIZE, 1, 0, 0xff, 0);
	cfg_reg(v, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0, 0);

	/* BARs: 64-bit non-prefetchable memory; the writable bits are the address bits
	 * above the size, so writing all-ones reads back the size mask. */
	for (unsigned int b = 0; b < 6; b += 2) {
		uint64_t size = in->bar_size[b];
		uint64_t mask;

		if (!size)
			continue;
		mask = ~(size - 1);
		cfg_reg(v, PCI_BASE_ADDRESS_0 + 4 * b, 4, PCI_BASE_ADDRESS_MEM_TYPE_64,
			(uint32_t)mask & PCI_BASE_ADDRESS_MEM_MASK, 0);
		cfg_reg(v, PCI_BASE_ADDRESS_0 + 4 * (b + 1), 4, 0, (uint32_t)(mask >> 32), 0);
	}
	cfg_reg(v, PCI_SUBSYSTEM_VENDOR_ID, 2, in->subsys_vendor, 0, 0);
	cfg_reg(v, PCI_SUBSYSTEM_ID, 2, in->subsys_device, 0, 0);
	cfg_reg(v, PCI_ROM_ADDRESS, 4, 0, 0, 0); /* no expansion ROM */
	cfg_reg(v, PCI_CAPABILITY_LIST, 1, CAP_PM, 0, 0);
	cfg_reg(v, PCI_INTERRUPT_LINE, 1, 0, 0xff, 0);
	cfg_reg(v, PCI_INTERRUPT_PIN, 1, 0, 0, 0);

	/* Power management: version 3, D0/D3hot, No_Soft_Reset (state kept across D3hot). */
	cfg_reg(v, CAP_PM + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM, 0, 0);
	cfg_reg(v, CAP_PM + PCI_CAP_LIST_NEXT, 1, pm_next, 0, 0);
	cfg_reg(v, CAP_PM + PCI_PM_PMC, 2, 3, 0, 0);
	cfg_reg(v, CAP_PM + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET,
		PCI_PM_CTRL_STATE_MASK, 0);

	if (in->msix_vectors) {
		cfg_reg(v, CAP_MSIX + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX, 0, 0);
		cfg_reg(v, CAP_MSIX + PCI_CAP_LIST_NEXT, 1, CAP_EXP, 0, 0);
		cfg_reg(v, CAP_MSIX + PCI_MSIX_FLAGS, 2, in->msix_vectors - 1,
			PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
		cfg_reg(v, CAP_MSIX + PCI_MSIX_TABLE, 4, (uint32_t)v->msix_bar, 0, 0);
		cfg_reg(v, CAP_MSIX + PCI_MSIX_PBA, 4,
			(uint32_t)v->msix_pba_off | (uint32_t)v->msix_bar, 0, 0);
	}

	/* PCI Express capability, version 2, endpoint, 2.5 GT/s x1. */
	cfg_reg(v, CAP_EXP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP, 0, 0);
	cfg_reg(v, CAP_EXP + PCI_CAP_LIST_NEXT, 1, 0, 0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_FLAGS, 2, 2 | (PCI_EXP_TYPE_ENDPOINT << 4), 0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_DEVCAP, 4, PCI_EXP_DEVCAP_EXT_TAG | PCI_EXP_DEVCAP_RBER,
		0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_DEVCTL, 2,
		PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B,
		PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
		PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD |
		PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_DEVSTA, 2, 0, 0,
		PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
		PCI_EXP_DEVSTA_URD);
	cfg_reg(v, CAP_EXP + PCI_EXP_LNKCAP, 4, PCI_EXP_LNKCAP_SLS_2_5GB | (1u << 4), 0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_LNKCTL, 2, 0,
		PCI_EXP_LNKCTL_RCB | PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_LNKSTA, 2,
		PCI_EXP_LNKSTA_CLS_2_5GB | (1u << PCI_EXP_LNKSTA_NLW_SHIFT) | PCI_EXP_LNKSTA_SLC,
		0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_LNKCAP2, 4, PCI_EXP_LNKCAP2_SLS_2_5GB, 0, 0);
	cfg_reg(v, CAP_EXP + PCI_EXP_LNKCTL2, 2, PCI_EXP_LNKCTL2_TLS_2_5GT, 0, 0);
	/* 0x100: extended capability header 0 = no extended capabilities. */
}

static void cfg_reset(struct vfu *v)
{
	memcpy(v->cfg, v->cfg_reset, CFG_SIZE);
}

static void cfg_write(struct vfu *v, uint64_t off, const uint8_t *data, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t a = (size_t)off + i;
		uint8_t b = data[i];

		v->cfg[a] = (uint8_t)((v->cfg[a] & ~v->cfg_wmask[a]) | (b & v->cfg_wmask[a]));
		v->cfg[a] &= (uint8_t)~(b & v->cfg_w1c[a]);
	}
}

uint16_t vfu_pci_command(struct vfu *v)
{
	return get16(v->cfg + PCI_COMMAND);
}

/* ---- output ------------------------------------------------------------------------ */

static void client_drop(struct vfu *v, const char *why);

static void update_events(struct vfu *v)
{
	uint32_t ev = 0;

	if (v->cfd < 0)
		return;
	v->rx_paused = v->tx_len - v->tx_off > VFU_TX_HIGH;
	if (!v->rx_paused)
		ev |= EPOLLIN;
	if (v->tx_len > v->tx_off)
		ev |= EPOLLOUT;
	if (ev != v->ev_mask && loop_mod_fd(v->loop, v->cfd, ev) == 0)
		v->ev_mask = ev;
}

/* Send what can be sent now. Returns false if the client was dropped (or marked). */
static bool tx_flush(struct vfu *v)
{
	while (v->tx_off < v->tx_len) {
		ssize_t n = send(v->cfd, v->tx + v->tx_off, v->tx_len - v->tx_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			vlog(v, VFU_LOG_INFO, "send: %s", strerror(errno));
			client_drop(v, NULL);
			return false;
		}
		v->tx_off += (size_t)n;
	}
	if (v->tx_off == v->tx_len) {
		v->tx_off = v->tx_len = 0;
		if (v->tx_cap > 2 * VFU_MAX_BODY) { /* give back what a burst of big reads took */
			free(v->tx);
			v->tx = NULL;
			v->tx_cap = 0;
		}
	}
	update_events(v);
	return true;
}

/* Room for @len more bytes at the end of the output buffer. */
static uint8_t *tx_reserve(struct vfu *v, size_t len)
{
	if (v->tx_off && v->tx_off == v->tx_len)
		v->tx_off = v->tx_len = 0;
	if (v->tx_cap - v->tx_len < len) {
		size_t need = v->tx_len + len;
		size_t cap = v->tx_cap ? v->tx_cap : 4096;
		uint8_t *nb;

		if (v->tx_off) { /* compact before growing */
			memmove(v->tx, v->tx + v->tx_off, v->tx_len - v->tx_off);
			v->tx_len -= v->tx_off;
			v->tx_off = 0;
			need = v->tx_len + len;
		}
		while (cap < need)
			cap *= 2;
		if (cap != v->tx_cap) {
			nb = realloc(v->tx, cap);
			if (!nb)
				return NULL;
			v->tx = nb;
			v->tx_cap = cap;
		}
	}
	return v->tx + v->tx_len;
}

/* Reply to @req with a body of @len bytes already written at reply_body()'s pointer;
 * nothing is sent for a request that asked for no reply. */
static void reply_commit(struct vfu *v, const struct hdr *req, size_t len)
{
	struct hdr h = {
		.msg_id = req->msg_id,
		.cmd = req->cmd,
		.size = (uint32_t)(sizeof(h) + len),
		.flags = HDR_TYPE_REPLY,
	};

	if (req->flags & HDR_NO_REPLY)
		return;
	memcpy(v->tx + v->tx_len, &h, sizeof(h));
	v->tx_len += sizeof(h) + len;
}

/* Reserve room for a reply body of @len bytes; NULL if out of memory. */
static uint8_t *reply_body(struct vfu *v, size_t len)
{
	uint8_t *p = tx_reserve(v, sizeof(struct hdr) + len);

	return p ? p + sizeof(struct hdr) : NULL;
}

static int reply(struct vfu *v, const struct hdr *req, const void *body, size_t len)
{
	uint8_t *p;

	if (req->flags & HDR_NO_REPLY)
		return 0;
	p = reply_body(v, len);
	if (!p)
		return -ENOMEM;
	if (len)
		memcpy(p, body, len);
	reply_commit(v, req, len);
	return 0;
}

static void reply_error(struct vfu *v, const struct hdr *req, int err)
{
	struct hdr h = {
		.msg_id = req->msg_id,
		.cmd = req->cmd,
		.size = sizeof(h),
		.flags = HDR_TYPE_REPLY | HDR_ERROR,
		.error = (uint32_t)err,
	};
	uint8_t *p;

	v->stats.errors++;
	vlog(v, VFU_LOG_WARN, "%s (id %u)%s: %s", cmd_name(req->cmd), req->msg_id,
	     req->flags & HDR_NO_REPLY ? " (posted)" : "", strerror(err));
	if (req->flags & HDR_NO_REPLY)
		return;
	p = tx_reserve(v, sizeof(h));
	if (!p) {
		client_drop(v, "out of memory for a reply");
		return;
	}
	memcpy(p, &h, sizeof(h));
	v->tx_len += sizeof(h);
}

/* ---- DMA --------------------------------------------------------------------------- */

/* Index of the first region whose end is above @iova (the only candidate to contain it). */
static size_t dma_search(const struct vfu *v, uint64_t iova)
{
	size_t lo = 0, hi = v->ndma;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dma_region *r = &v->dma[mid];

		if (r->iova + (r->len - 1) < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *vfu_dma_ptr(struct vfu *v, uint64_t iova, uint64_t len, int prot)
{
	const struct dma_region *r;
	size_t i;

	if (!len || iova + (len - 1) < iova)
		return NULL;
	if (prot & ~(PROT_READ | PROT_WRITE))
		return NULL;
	i = dma_search(v, iova);
	if (i == v->ndma)
		return NULL;
	r = &v->dma[i];
	if (iova < r->iova || iova + (len - 1) > r->iova + (r->len - 1) || !r->va)
		return NULL;
	if ((prot & PROT_READ) && !(r->flags & VFIO_DMA_MAP_FLAG_READ))
		return NULL;
	if ((prot & PROT_WRITE) && !(r->flags & VFIO_DMA_MAP_FLAG_WRITE))
		return NULL;
	return (uint8_t *)r->va + (iova - r->iova);
}

static void dma_release(struct vfu *v, struct dma_region *r)
{
	if (v->ops->dma_unmapping)
		v->ops->dma_unmapping(v->priv, r->iova, r->len);
	if (r->va)
		munmap(r->va, r->len);
}

static void dma_unmap_all(struct vfu *v)
{
	for (size_t i = 0; i < v->ndma; i++)
		dma_release(v, &v->dma[i]);
	v->ndma = 0;
	v->stats.dma_maps = 0;
}

/* ---- interrupts -------------------------------------------------------------------- */

static void msix_disable(struct vfu *v)
{
	for (unsigned int i = 0; i < v->info.msix_vectors; i++) {
		if (v->msix_fd[i] >= 0) {
			close(v->msix_fd[i]);
			v->msix_fd[i] = -1;
		}
	}
	v->msix_enabled = 0;
}

static int msix_signal(struct vfu *v, unsigned int vec)
{
	uint64_t one = 1;

	if (v->msix_fd[vec] < 0)
		return -ENOENT;
	if (write(v->msix_fd[vec], &one, sizeof(one)) != (ssize_t)sizeof(one))
		return -errno;
	return 0;
}

int vfu_irq_trigger(struct vfu *v, unsigned int msix_vector)
{
	if (msix_vector >= v->info.msix_vectors)
		return -EINVAL;
	return msix_signal(v, msix_vector);
}

bool vfu_irq_enabled(struct vfu *v, unsigned int msix_vector)
{
	return msix_vector < v->info.msix_vectors && v->msix_fd[msix_vector] >= 0;
}

/* Whether @fd is an eventfd (where /proc tells; elsewhere give it the benefit of doubt). */
static bool is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT && fcntl(fd, F_GETFD) >= 0;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

/* ---- message handlers -------------------------------------------------------------- */

/*
 * Every handler gets the request header, its body and the descriptors that came with it.
 * It returns 0 after queueing its reply, or a positive errno for an error reply. It takes
 * the descriptors it keeps by setting their slot to -1; the rest are closed afterwards.
 */
struct msg {
	const struct hdr *h;
	uint8_t *body;
	size_t len;
	int *fds;
	unsigned int nfds;
};

static int json_get_uint(struct json_object *caps, const char *key, bool *present)
{
	struct json_object *o;

	*present = json_object_object_get_ex(caps, key, &o);
	if (!*present)
		return 0;
	if (!json_object_is_type(o, json_type_int) || json_object_get_int64(o) < 0)
		return EINVAL;
	return 0;
}

static int handle_version(struct vfu *v, struct msg *m)
{
	struct version_body vb;
	bool has_fds = false, has_xfer = false, has_pgsizes = false, dummy;
	char json[160];
	size_t jlen = 0;
	uint8_t *p;

	if (m->nfds)
		return EINVAL;
	if (m->len < sizeof(vb))
		return EINVAL;
	if (v->versioned)
		return EINVAL; /* only once per connection */
	memcpy(&vb, m->body, sizeof(vb));
	if (vb.major != 0)
		return ENOTSUP; /* the only major version there is */

	if (m->len > sizeof(vb)) {
		const char *s = (const char *)m->body + sizeof(vb);
		size_t slen = m->len - sizeof(vb);
		struct json_tokener *tok;
		struct json_object *root, *caps;
		int err = 0;

		/* NUL-terminated, and no NUL inside */
		if (s[slen - 1] != '\0' || strlen(s) != slen - 1)
			return EINVAL;
		tok = json_tokener_new();
		if (!tok)
			return ENOMEM;
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		root = json_tokener_parse_ex(tok, s, (int)(slen - 1));
		if (!root || json_tokener_get_error(tok) != json_tokener_success ||
		    s[json_tokener_get_parse_end(tok) +
		      strspn(s + json_tokener_get_parse_end(tok), " \t\r\n")] != '\0' ||
		    !json_object_is_type(root, json_type_object)) {
			json_object_put(root);
			json_tokener_free(tok);
			return EINVAL;
		}
		json_tokener_free(tok);
		if (json_object_object_get_ex(root, "capabilities", &caps)) {
			if (!json_object_is_type(caps, json_type_object)) {
				err = EINVAL;
			} else {
				err = json_get_uint(caps, "max_msg_fds", &has_fds);
				if (!err)
					err = json_get_uint(caps, "max_data_xfer_size", &has_xfer);
				if (!err)
					err = json_get_uint(caps, "pgsizes", &has_pgsizes);
				if (!err)
					err = json_get_uint(caps, "max_dma_maps", &dummy);
				if (!err && has_pgsizes) {
					struct json_object *o;

					json_object_object_get_ex(caps, "pgsizes", &o);
					if (!(json_object_get_int64(o) & VFU_PGSIZE))
						err = ENOTSUP;
				}
			}
		}
		json_object_put(root);
		if (err)
			return err;
		/* Our capabilities, restricted to those the client proposed (the spec wants
		 * a subset); QEMU also rejects a reply longer than its request. */
		jlen = (size_t)snprintf(json, sizeof(json), "{\"capabilities\":{");
		if (has_fds)
			jlen += (size_t)snprintf(json + jlen, sizeof(json) - jlen,
						 "\"max_msg_fds\":%u", VFU_MAX_MSG_FDS);
		if (has_xfer)
			jlen += (size_t)snprintf(json + jlen, sizeof(json) - jlen,
						 "%s\"max_data_xfer_size\":%u",
						 has_fds ? "," : "", VFU_MAX_XFER);
		jlen += (size_t)snprintf(json + jlen, sizeof(json) - jlen, "}}");
		jlen++; /* the NUL */
	}

	vb.major = 0;
	vb.minor = 0;
	p = reply_body(v, sizeof(vb) + jlen);
	if (!p)
		return ENOMEM;
	memcpy(p, &vb, sizeof(vb));
	memcpy(p + sizeof(vb), json, jlen);
	reply_commit(v, m->h, sizeof(vb) + jlen);
	v->versioned = true;
	v->stats.clients++;
	vlog(v, VFU_LOG_INFO, "client attached (version 0.0)");
	if (v->ops->connected)
		v->ops->connected(v->priv, true);
	return 0;
}

static int handle_dma_map(struct vfu *v, struct msg *m)
{
	struct dma_map_body b;
	struct dma_region r = { 0 };
	size_t i;

	if (m->len != sizeof(b) || m->nfds > 1)
		return EINVAL;
	memcpy(&b, m->body, sizeof(b));
	if (b.argsz < sizeof(b))
		return EINVAL;
	if (b.flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) ||
	    !(b.flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return EINVAL;
	if (!b.size || (b.addr | b.size) % VFU_PGSIZE || b.addr + (b.size - 1) < b.addr)
		return EINVAL;
	if (v->ndma >= VFU_MAX_DMA_MAPS)
		return ENOSPC;
	i = dma_search(v, b.addr);
	if (i < v->ndma && v->dma[i].iova <= b.addr + (b.size - 1))
		return EEXIST;

	r.iova = b.addr;
	r.len = b.size;
	r.flags = b.flags;
	if (m->nfds) {
		int fd = m->fds[0];
		int prot = 0;
		struct stat st;

		if (b.offset % VFU_PGSIZE || b.offset + b.size < b.offset ||
		    b.offset + b.size > (uint64_t)INT64_MAX)
			return EINVAL;
		/* Only files with a size: mapping beyond the end of a file would fault later,
		 * when the device touches it. */
		if (fstat(fd, &st) < 0)
			return errno;
		if (!S_ISREG(st.st_mode))
			return EINVAL;
		if ((uint64_t)st.st_size < b.offset + b.size)
			return EINVAL;
		if (b.flags & VFIO_DMA_MAP_FLAG_READ)
			prot |= PROT_READ;
		if (b.flags & VFIO_DMA_MAP_FLAG_WRITE)
			prot |= PROT_WRITE;
		r.va = mmap(NULL, b.size, prot, MAP_SHARED, fd, (off_t)b.offset);
		if (r.va == MAP_FAILED)
			return errno;
		/* the mapping keeps the file; the descriptor is closed by the caller */
	}

	if (v->ndma == v->dma_cap) {
		size_t cap = v->dma_cap ? 2 * v->dma_cap : 16;
		struct dma_region *nd = realloc(v->dma, cap * sizeof(*nd));

		if (!nd) {
			if (r.va)
				munmap(r.va, r.len);
			return ENOMEM;
		}
		v->dma = nd;
		v->dma_cap = cap;
	}
	memmove(&v->dma[i + 1], &v->dma[i], (v->ndma - i) * sizeof(*v->dma));
	v->dma[i] = r;
	v->ndma++;
	v->stats.dma_maps = v->ndma;
	vlog(v, VFU_LOG_DEBUG, "DMA map [%#" PRIx64 ", +%#" PRIx64 ") %s%s, %s", r.iova, r.len,
	     r.flags & VFIO_DMA_MAP_FLAG_READ ? "r" : "",
	     r.flags & VFIO_DMA_MAP_FLAG_WRITE ? "w" : "",
	     r.va ? "mapped" : "no fd");
	return reply(v, m->h, NULL, 0) ? ENOMEM : 0;
}

static int handle_dma_unmap(struct vfu *v, struct msg *m)
{
	struct dma_unmap_body b;
	uint8_t *p;

	if (m->len != sizeof(b) || m->nfds)
		return EINVAL;
	memcpy(&b, m->body, sizeof(b));
	if (b.argsz < sizeof(b))
		return EINVAL;
	if (b.flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
		return EINVAL;
	if (b.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (b.addr || b.size)
			return EINVAL;
		vlog(v, VFU_LOG_DEBUG, "DMA unmap all (%zu regions)", v->ndma);
		dma_unmap_all(v);
	} else {
		size_t i = dma_search(v, b.addr);

		if (i == v->ndma || v->dma[i].iova != b.addr || v->dma[i].len != b.size)
			return ENOENT;
		vlog(v, VFU_LOG_DEBUG, "DMA unmap [%#" PRIx64 ", +%#" PRIx64 ")", b.addr, b.size);
		dma_release(v, &v->dma[i]);
		memmove(&v->dma[i], &v->dma[i + 1], (v->ndma - i - 1) * sizeof(*v->dma));
		v->ndma--;
		v->stats.dma_maps = v->ndma;
	}
	p = reply_body(v, sizeof(b));
	if (!p)
		return ENOMEM;
	memcpy(p, &b, sizeof(b)); /* the reply echoes the entry */
	reply_commit(v, m->h, sizeof(b));
	return 0;
}

static int handle_device_get_info(struct vfu *v, struct msg *m)
{
	struct device_info_body b;

	if (m->len != sizeof(b) || m->nfds)
		return EINVAL;
	memcpy(&b, m->body, sizeof(b));
	if (b.argsz < sizeof(b))
		return EINVAL;
	b.argsz = sizeof(b);
	b.flags = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI;
	b.num_regions = VFIO_PCI_NUM_REGIONS;
	b.num_irqs = VFIO_PCI_NUM_IRQS;
	return reply(v, m->h, &b, sizeof(b)) ? ENOMEM : 0;
}

/* Size of region @index; 0 for unused BARs, the ROM and VGA. */
static uint64_t region_size(const struct vfu *v, uint32_t index)
{
	if (index < 6)
		return v->info.bar_size[index];
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return CFG_SIZE;
	return 0;
}

static int handle_region_info(struct vfu *v, struct msg *m)
{
	struct vfio_region_info ri;

	if (m->len != sizeof(ri) || m->nfds)
		return EINVAL;
	memcpy(&ri, m->body, sizeof(ri));
	if (ri.argsz < sizeof(ri))
		return EINVAL;
	if (ri.index >= VFIO_PCI_NUM_REGIONS)
		return EINVAL;
	ri.argsz = sizeof(ri);
	ri.cap_offset = 0;
	ri.size = region_size(v, ri.index);
	ri.flags = ri.size ? VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE : 0;
	ri.offset = 0; /* nothing is mmappable: regions are accessed by message */
	return reply(v, m->h, &ri, sizeof(ri)) ? ENOMEM : 0;
}

static int handle_irq_info(struct vfu *v, struct msg *m)
{
	struct vfio_irq_info ii;

	if (m->len != sizeof(ii) || m->nfds)
		return EINVAL;
	memcpy(&ii, m->body, sizeof(ii));
	if (ii.argsz < sizeof(ii))
		return EINVAL;
	if (ii.index >= VFIO_PCI_NUM_IRQS)
		return EINVAL;
	ii.argsz = sizeof(ii);
	if (ii.index == VFIO_PCI_MSIX_IRQ_INDEX && v->info.msix_vectors) {
		ii.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		ii.count = v->info.msix_vectors;
	} else {
		ii.flags = 0;
		ii.count = 0;
	}
	return reply(v, m->h, &ii, sizeof(ii)) ? ENOMEM : 0;
}

static int handle_set_irqs(struct vfu *v, struct msg *m)
{
	struct vfio_irq_set s;
	uint32_t data, action, nvec;
	const uint8_t *bools;

	if (m->len < sizeof(s))
		return EINVAL;
	memcpy(&s, m->body, sizeof(s));
	if (s.argsz < sizeof(s))
		return EINVAL;
	data = s.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	action = s.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (s.flags & ~(uint32_t)(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return EINVAL;
	if (!is_pow2(data) || !is_pow2(action)) /* exactly one of each */
		return EINVAL;
	if (s.index >= VFIO_PCI_NUM_IRQS)
		return EINVAL;
	/* body: the fixed part, plus one byte per vector for DATA_BOOL */
	if (m->len != sizeof(s) + (data == VFIO_IRQ_SET_DATA_BOOL ? (size_t)s.count : 0))
		return EINVAL;
	/* descriptors only with DATA_EVENTFD, and then none (de-assign) or one per vector */
	if (m->nfds && (data != VFIO_IRQ_SET_DATA_EVENTFD || m->nfds != s.count))
		return EINVAL;

	nvec = s.index == VFIO_PCI_MSIX_IRQ_INDEX ? v->info.msix_vectors : 0;
	if (s.count == 0) {
		/* count 0 (and start 0) with DATA_NONE|TRIGGER: disable the whole index */
		if (data != VFIO_IRQ_SET_DATA_NONE || action != VFIO_IRQ_SET_ACTION_TRIGGER ||
		    s.start != 0)
			return EINVAL;
		if (nvec) {
			vlog(v, VFU_LOG_DEBUG, "MSI-X disabled");
			msix_disable(v);
		}
		return reply(v, m->h, NULL, 0) ? ENOMEM : 0;
	}
	if (s.start >= nvec || s.count > nvec - s.start)
		return EINVAL;
	/* MSI-X is not maskable through the server (QEMU emulates the table and masks). */
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return EINVAL;

	switch (data) {
	case VFIO_IRQ_SET_DATA_EVENTFD:
		for (unsigned int i = 0; i < m->nfds; i++)
			if (!is_eventfd(m->fds[i]))
				return EINVAL;
		/* NORESIZE: the first assignment enables start + count vectors; later ones
		 * must stay inside them until the index is disabled. */
		if (v->msix_enabled && s.start + s.count > v->msix_enabled)
			return EINVAL;
		if (!v->msix_enabled)
			v->msix_enabled = s.start + s.count;
		for (uint32_t i = 0; i < s.count; i++) {
			int *slot = &v->msix_fd[s.start + i];

			if (*slot >= 0)
				close(*slot);
			*slot = -1;
			if (m->nfds) {
				*slot = m->fds[i];
				m->fds[i] = -1;
			}
		}
		vlog(v, VFU_LOG_DEBUG, "MSI-X vectors %u..%u %s (%u enabled)", s.start,
		     s.start + s.count - 1, m->nfds ? "assigned" : "de-assigned",
		     v->msix_enabled);
		break;
	case VFIO_IRQ_SET_DATA_NONE:
		for (uint32_t i = 0; i < s.count; i++)
			msix_signal(v, s.start + i);
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		bools = m->body + sizeof(s);
		for (uint32_t i = 0; i < s.count; i++)
			if (bools[i])
				msix_signal(v, s.start + i);
		break;
	}
	return reply(v, m->h, NULL, 0) ? ENOMEM : 0;
}

/* The MSI-X BAR: table (kept as written), PBA (always zero: QEMU keeps pending state). */
static void msix_bar_read(struct vfu *v, uint64_t off, uint8_t *buf, uint32_t len)
{
	uint64_t tsize = 16ull * v->info.msix_vectors;

	for (uint32_t i = 0; i < len; i++)
		buf[i] = off + i < tsize ? v->msix_table[off + i] : 0;
}

static void msix_bar_write(struct vfu *v, uint64_t off, const uint8_t *buf, uint32_t len)
{
	uint64_t tsize = 16ull * v->info.msix_vectors;

	for (uint32_t i = 0; i < len; i++)
		if (off + i < tsize)
			v->msix_table[off + i] = buf[i];
}

static int check_rw(struct vfu *v, const struct region_rw_body *b)
{
	uint64_t size;

	if (b->region >= VFIO_PCI_NUM_REGIONS)
		return EINVAL;
	if (b->count == 0)
		return EINVAL;
	if (b->count > VFU_MAX_XFER)
		return E2BIG;
	size = region_size(v, b->region);
	if (b->offset >= size || b->count > size - b->offset)
		return EINVAL;
	return 0;
}

static int handle_region_read(struct vfu *v, struct msg *m)
{
	struct region_rw_body b;
	uint8_t *p, *data;
	int err;

	if (m->len != sizeof(b) || m->nfds)
		return EINVAL;
	memcpy(&b, m->body, sizeof(b));
	err = check_rw(v, &b);
	if (err)
		return err;
	p = reply_body(v, sizeof(b) + b.count);
	if (!p)
		return ENOMEM;
	data = p + sizeof(b);
	if (b.region == VFIO_PCI_CONFIG_REGION_INDEX) {
		memcpy(data, v->cfg + b.offset, b.count);
	} else if ((int)b.region == v->msix_bar) {
		msix_bar_read(v, b.offset, data, b.count);
	} else {
		err = v->ops->bar_read(v->priv, b.region, b.offset, data, b.count);
		if (err)
			return err < 0 ? -err : EIO;
	}
	memcpy(p, &b, sizeof(b));
	reply_commit(v, m->h, sizeof(b) + b.count);
	return 0;
}

static int handle_region_write(struct vfu *v, struct msg *m)
{
	struct region_rw_body b;
	const uint8_t *data;
	int err;

	if (m->len < sizeof(b) || m->nfds)
		return EINVAL;
	memcpy(&b, m->body, sizeof(b));
	if (m->len - sizeof(b) != b.count)
		return EINVAL;
	err = check_rw(v, &b);
	if (err)
		return err;
	data = m->body + sizeof(b);
	if (b.region == VFIO_PCI_CONFIG_REGION_INDEX) {
		cfg_write(v, b.offset, data, b.count);
	} else if ((int)b.region == v->msix_bar) {
		msix_bar_write(v, b.offset, data, b.count);
	} else {
		err = v->ops->bar_write(v->priv, b.region, b.offset, data, b.count);
		if (err)
			return err < 0 ? -err : EIO;
	}
	return reply(v, m->h, &b, sizeof(b)) ? ENOMEM : 0;
}

static int handle_device_reset(struct vfu *v, struct msg *m)
{
	if (m->len || m->nfds)
		return EINVAL;
	vlog(v, VFU_LOG_INFO, "device reset");
	cfg_reset(v);
	if (v->info.msix_vectors)
		memset(v->msix_table, 0, 16ull * v->info.msix_vectors);
	if (v->ops->reset)
		v->ops->reset(v->priv);
	return reply(v, m->h, NULL, 0) ? ENOMEM : 0;
}

static int dispatch(struct vfu *v, struct msg *m)
{
	unsigned int cmd = m->h->cmd;

	if (m->h->flags & ~(uint32_t)(HDR_TYPE_MASK | HDR_NO_REPLY))
		return EINVAL;
	if (!v->versioned && cmd != CMD_VERSION)
		return EINVAL; /* VERSION comes first */
	switch (cmd) {
	case CMD_VERSION:
		return handle_version(v, m);
	case CMD_DMA_MAP:
		return handle_dma_map(v, m);
	case CMD_DMA_UNMAP:
		return handle_dma_unmap(v, m);
	case CMD_DEVICE_GET_INFO:
		return handle_device_get_info(v, m);
	case CMD_DEVICE_GET_REGION_INFO:
		return handle_region_info(v, m);
	case CMD_DEVICE_GET_IRQ_INFO:
		return handle_irq_info(v, m);
	case CMD_DEVICE_SET_IRQS:
		return handle_set_irqs(v, m);
	case CMD_REGION_READ:
		return handle_region_read(v, m);
	case CMD_REGION_WRITE:
		return handle_region_write(v, m);
	case CMD_DEVICE_RESET:
		return handle_device_reset(v, m);
	case CMD_DEVICE_GET_REGION_IO_FDS:
	case CMD_REGION_WRITE_MULTI:
	case CMD_DEVICE_FEATURE:
	case CMD_MIG_DATA_READ:
	case CMD_MIG_DATA_WRITE:
	case CMD_DIRTY_PAGES:
		return ENOTSUP; /* defined by the protocol, not offered by this server */
	default:
		return EINVAL; /* unknown, or a server-to-client command */
	}
}

/* ---- receiving --------------------------------------------------------------------- */

static void rx_reset(struct vfu *v)
{
	close_fds(v->rx_fds, v->rx_nfds);
	v->rx_nfds = 0;
	v->rx_fds_bad = false;
	v->rx = RX_HDR;
	v->rx_got = 0;
}

/* Receive up to @len bytes into @buf, collecting descriptors.
 * Returns bytes received, 0 at end of stream, -EAGAIN, or another -errno. */
static ssize_t rx_some(struct vfu *v, void *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(VFU_CMSG_FDS * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	ssize_t n;

	do
		n = recvmsg(v->cfd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t nf;
		int *fds;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nf = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)(void *)CMSG_DATA(c);
		for (size_t i = 0; i < nf; i++) {
			int fd;

			memcpy(&fd, fds + i, sizeof(fd));
			if (v->rx_nfds < VFU_MAX_MSG_FDS) {
				v->rx_fds[v->rx_nfds++] = fd;
			} else {
				close(fd);
				v->rx_fds_bad = true;
			}
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		v->rx_fds_bad = true;
	return n;
}

static void client_close(struct vfu *v);

/* A whole message is in: validate what is common to all, run its handler, answer. */
static void rx_complete(struct vfu *v)
{
	struct msg m = {
		.h = &v->rx_hdr,
		.body = v->rx_body,
		.len = v->rx_hdr.size - sizeof(struct hdr),
		.fds = v->rx_fds,
		.nfds = v->rx_nfds,
	};
	int err;

	if ((v->rx_hdr.flags & HDR_TYPE_MASK) == HDR_TYPE_REPLY) {
		/* this server sends no commands, so no reply is expected */
		v->stats.errors++;
		vlog(v, VFU_LOG_WARN, "unexpected reply (id %u), ignored", v->rx_hdr.msg_id);
		rx_reset(v);
		return;
	}
	v->stats.commands++;
	vlog(v, VFU_LOG_DEBUG, "%s id %u size %u flags %#x fds %u", cmd_name(v->rx_hdr.cmd),
	     v->rx_hdr.msg_id, v->rx_hdr.size, v->rx_hdr.flags, v->rx_nfds);
	if (v->rx == RX_DISCARD) {
		err = EMSGSIZE;
	} else if (v->rx_fds_bad) {
		err = EINVAL;
	} else if ((v->rx_hdr.flags & HDR_TYPE_MASK) != HDR_TYPE_CMD) {
		err = EINVAL;
	} else {
		v->in_dispatch = true;
		err = dispatch(v, &m);
		v->in_dispatch = false;
	}
	if (err)
		reply_error(v, &v->rx_hdr, err);
	rx_reset(v);
}

/* Read and handle messages. Returns false if the client is gone. */
static bool rx_run(struct vfu *v)
{
	for (int msgs = 0; msgs < VFU_RX_BURST && !v->rx_paused;) {
		ssize_t n = -EAGAIN;

		switch (v->rx) {
		case RX_HDR:
			n = rx_some(v, (uint8_t *)&v->rx_hdr + v->rx_got,
				    sizeof(v->rx_hdr) - v->rx_got);
			if (n <= 0)
				goto stop;
			v->rx_got += (size_t)n;
			if (v->rx_got < sizeof(v->rx_hdr))
				continue;
			if (v->rx_hdr.size < sizeof(struct hdr) ||
			    v->rx_hdr.size - sizeof(struct hdr) > VFU_DISCARD_MAX) {
				vlog(v, VFU_LOG_ERR, "impossible message size %u",
				     v->rx_hdr.size);
				client_drop(v, "broken stream");
				return false;
			}
			v->rx_got = 0;
			{
				size_t blen = v->rx_hdr.size - sizeof(struct hdr);

				v->rx = RX_BODY;
				if (blen > VFU_MAX_BODY) {
					v->rx = RX_DISCARD;
					blen = VFU_DISCARD_CHUNK;
				}
				if (blen > v->rx_cap) {
					uint8_t *nb = realloc(v->rx_body, blen);

					if (!nb) {
						client_drop(v, "out of memory");
						return false;
					}
					v->rx_body = nb;
					v->rx_cap = blen;
				}
			}
			break;
		case RX_BODY:
		case RX_DISCARD: {
			size_t blen = v->rx_hdr.size - sizeof(struct hdr);

			if (v->rx_got < blen) {
				if (v->rx == RX_BODY)
					n = rx_some(v, v->rx_body + v->rx_got,
						    blen - v->rx_got);
				else /* read into the body buffer and forget */
					n = rx_some(v, v->rx_body,
						    blen - v->rx_got < v->rx_cap ?
						    blen - v->rx_got : v->rx_cap);
				if (n <= 0)
					goto stop;
				v->rx_got += (size_t)n;
				if (v->rx_got < blen)
					continue;
			}
			rx_complete(v);
			msgs++;
			if (v->cfd < 0)
				return false;
			if (v->kick) {
				client_close(v);
				return false;
			}
			/* keep replies flowing so a slow reader pauses us in time */
			if (v->tx_len - v->tx_off > VFU_TX_HIGH && !tx_flush(v))
				return false;
			break;
		}
		}
		continue;
stop:
		if (n == 0) {
			if (v->rx != RX_HDR || v->rx_got)
				vlog(v, VFU_LOG_WARN, "client closed in the middle of a message");
			client_close(v);
			return false;
		}
		if (n != -EAGAIN) {
			vlog(v, VFU_LOG_INFO, "recvmsg: %s", strerror((int)-n));
			client_close(v);
			return false;
		}
		break;
	}
	return true;
}

/* ---- connections ------------------------------------------------------------------- */

static void client_close(struct vfu *v)
{
	bool was = v->versioned;

	if (v->cfd < 0)
		return;
	if (v->in_dispatch) { /* from a callback: after the current message */
		v->kick = true;
		return;
	}
	loop_del_fd(v->loop, v->cfd);
	close(v->cfd);
	v->cfd = -1;
	v->kick = false;
	v->versioned = false;
	rx_reset(v);
	free(v->rx_body);
	v->rx_body = NULL;
	v->rx_cap = 0;
	free(v->tx);
	v->tx = NULL;
	v->tx_len = v->tx_off = v->tx_cap = 0;
	v->rx_paused = false;

	dma_unmap_all(v);
	msix_disable(v);
	if (was) {
		vlog(v, VFU_LOG_INFO, "client detached");
		cfg_reset(v);
		if (v->info.msix_vectors)
			memset(v->msix_table, 0, 16ull * v->info.msix_vectors);
		if (v->ops->reset)
			v->ops->reset(v->priv);
		if (v->ops->connected)
			v->ops->connected(v->priv, false);
	}
}

static void client_drop(struct vfu *v, const char *why)
{
	if (v->cfd < 0)
		return;
	if (why) {
		v->stats.dropped++;
		vlog(v, VFU_LOG_ERR, "dropping client: %s", why);
	}
	client_close(v);
}

static void client_ready(void *arg, uint32_t events)
{
	struct vfu *v = arg;

	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !v->rx_paused) {
		if (!rx_run(v))
			return;
	}
	if (v->cfd < 0)
		return;
	if (!tx_flush(v))
		return;
	/* Hung up with nothing left to read (input paused and peer gone): give up. */
	if ((events & (EPOLLHUP | EPOLLERR)) && v->rx_paused)
		client_drop(v, "hang-up while replies were pending");
}

static void listener_ready(void *arg, uint32_t events)
{
	struct vfu *v = arg;

	(void)events;
	for (;;) {
		int fd = accept4(v->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				vlog(v, VFU_LOG_ERR, "accept: %s", strerror(errno));
			return;
		}
		if (v->cfd >= 0) {
			v->stats.refused++;
			vlog(v, VFU_LOG_WARN, "second client refused (one at a time)");
			close(fd);
			continue;
		}
		if (loop_add_fd(v->loop, fd, EPOLLIN, client_ready, v) < 0) {
			vlog(v, VFU_LOG_ERR, "cannot watch the client socket");
			close(fd);
			continue;
		}
		v->cfd = fd;
		v->ev_mask = EPOLLIN;
		rx_reset(v);
		vlog(v, VFU_LOG_INFO, "client connected");
	}
}

void vfu_disconnect(struct vfu *v)
{
	if (v->cfd < 0)
		return;
	vlog(v, VFU_LOG_INFO, "disconnecting the client (surprise removal)");
	client_close(v);
}

bool vfu_connected(struct vfu *v)
{
	return v->cfd >= 0 && v->versioned && !v->kick;
}

int vfu_msix_bar(struct vfu *v)
{
	return v->msix_bar;
}

const char *vfu_socket_path(const struct vfu *v)
{
	return v->path;
}

void vfu_get_stats(const struct vfu *v, struct vfu_stats *st)
{
	*st = v->stats;
}

/* ---- creation ---------------------------------------------------------------------- */

/* Check @in and complete it (the MSI-X BAR and its size). */
static int check_info(struct vfu_pci_info *in, const struct vfu_dev_ops *ops)
{
	uint64_t size, table;

	if (!ops || !ops->bar_read || !ops->bar_write)
		return -EINVAL;
	if (in->class_code > 0xffffff)
		return -EINVAL;
	if (!in->bar_size[0])
		return -EINVAL;
	for (unsigned int b = 0; b < 6; b++) {
		uint64_t s = in->bar_size[b];

		if (!s)
			continue;
		if (b & 1 || !is_pow2(s) || s < 4096)
			return -EINVAL;
	}
	if (in->msix_vectors > MSIX_MAX)
		return -EINVAL;
	if (!in->msix_vectors)
		return in->msix_bar ? -EINVAL : 0;
	if (!in->msix_bar)
		in->msix_bar = 2;
	if (in->msix_bar != 2 && in->msix_bar != 4)
		return -EINVAL;
	size = in->bar_size[in->msix_bar];
	table = round_up(16ull * in->msix_vectors, 4096);
	if (!size) {
		/* table and PBA each in their own half, each at least a page */
		size = 8192;
		while (size / 2 < table)
			size *= 2;
		in->bar_size[in->msix_bar] = size;
	} else if (size / 2 < 16ull * in->msix_vectors || size > (1ull << 32)) {
		/* the table must fit in the lower half (the PBA is smaller), and the PBA
		 * offset in the capability's 32 bits */
		return -EINVAL;
	}
	return 0;
}

/* Replace a stale socket file (nobody accepting); refuse a live one or another file. */
static int clear_stale_socket(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	if (errno != ECONNREFUSED)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

struct vfu *vfu_new(struct loop *loop, const char *socket_path,
		    const struct vfu_pci_info *info, const struct vfu_dev_ops *ops, void *priv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfu *v;
	struct stat st;
	int err;

	if (!loop || !socket_path || !info) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->lfd = -1;
	v->cfd = -1;
	v->msix_bar = -1;
	v->loop = loop;
	v->ops = ops;
	v->priv = priv;
	v->info = *info;
	v->log_fn = vfu_log_stderr;
	v->log_max = VFU_LOG_WARN;
	err = check_info(&v->info, ops);
	if (err)
		goto fail;
	v->path = strdup(socket_path);
	if (!v->path) {
		err = -ENOMEM;
		goto fail;
	}

	if (v->info.msix_vectors) {
		uint64_t tsize = 16ull * v->info.msix_vectors;

		v->msix_bar = (int)v->info.msix_bar;
		v->msix_pba_off = v->info.bar_size[v->msix_bar] / 2;
		v->msix_table = calloc(1, tsize);
		v->msix_fd = malloc(v->info.msix_vectors * sizeof(int));
		if (!v->msix_table || !v->msix_fd) {
			err = -ENOMEM;
			goto fail;
		}
		for (unsigned int i = 0; i < v->info.msix_vectors; i++)
			v->msix_fd[i] = -1;
	}
	cfg_build(v);
	cfg_reset(v);

	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	err = clear_stale_socket(socket_path, &sa);
	if (err)
		goto fail;
	v->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->lfd < 0 || bind(v->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto fail;
	}
	if (stat(socket_path, &st) == 0) {
		v->sock_dev = st.st_dev;
		v->sock_ino = st.st_ino;
	}
	if (listen(v->lfd, 4) < 0) {
		err = -errno;
		unlink(socket_path);
		goto fail;
	}
	err = loop_add_fd(loop, v->lfd, EPOLLIN, listener_ready, v);
	if (err) {
		unlink(socket_path);
		goto fail;
	}
	return v;

fail:
	if (v->lfd >= 0)
		close(v->lfd);
	free(v->msix_table);
	free(v->msix_fd);
	free(v->path);
	free(v);
	errno = -err;
	return NULL;
}

void vfu_free(struct vfu *v)
{
	struct stat st;

	if (!v)
		return;
	client_close(v);
	loop_del_fd(v->loop, v->lfd);
	close(v->lfd);
	/* unlink only our own socket, not one another server has put there since */
	if (stat(v->path, &st) == 0 && st.st_dev == v->sock_dev && st.st_ino == v->sock_ino)
		unlink(v->path);
	free(v->dma);
	free(v->msix_table);
	free(v->msix_fd);
	free(v->rx_body);
	free(v->tx);
	free(v->path);
	free(v);
}
