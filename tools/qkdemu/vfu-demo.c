// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfu-demo - a tiny PCIe device served over vfio-user, for testing the vfio-user layer
 * (vfu.c, loop.c) with a real QEMU. It is not the QKD card.
 *
 * Usage: vfu-demo [-v] [-n VECTORS] SOCKET
 *
 * BAR0 (4 KiB), little-endian 64-bit registers unless noted:
 *   0x000 ID          RO  0x51d0de30
 *   0x008 SCRATCH     RW
 *   0x010 DMA_ADDR    RW  guest physical address for DMA_CMD
 *   0x018 DMA_LEN     RW  length in bytes (1 .. 1 MiB)
 *   0x020 DMA_CMD     WO  1: read DMA_LEN bytes at DMA_ADDR, FNV-1a 64 hash -> DMA_RESULT
 *                         2: write the pattern byte[k] = (k * 7 + 3) & 0xff there
 *                         then DMA_STATUS is set and MSI-X vector 0 fires if enabled
 *   0x028 DMA_STATUS  RO  0 ok, else a positive errno (EFAULT: not a mapped DMA range;
 *                         EPERM: bus mastering disabled; EINVAL: bad length or command)
 *   0x030 DMA_RESULT  RO
 *   0x038 IRQ_COUNT   RO  interrupts delivered to an eventfd
 *   0x040 IRQ_FIRE    WO  raise the MSI-X vector written; the result goes to IRQ_RESULT
 *   0x048 IRQ_RESULT  RO  0, or the positive errno of vfu_irq_trigger()
 *   0x050 RESETS      RO  resets seen (DEVICE_RESET and disconnects)
 *   0x058 DMA_MAPS    RO  DMA regions currently known to the server
 *   0x100..0xfff      RW  plain memory, any access size
 * BAR2 holds the MSI-X table and PBA (placed by vfu).
 *
 * SIGINT/SIGTERM end it cleanly (socket removed).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loop.h"
#include "vfu.h"

#define DEMO_ID 0x51d0de30u
#define BAR0_SIZE 4096u
#define RAM_OFF 0x100u
#define DMA_MAX (1u << 20)

enum {
	R_ID = 0x000, R_SCRATCH = 0x008, R_DMA_ADDR = 0x010, R_DMA_LEN = 0x018,
	R_DMA_CMD = 0x020, R_DMA_STATUS = 0x028, R_DMA_RESULT = 0x030, R_IRQ_COUNT = 0x038,
	R_IRQ_FIRE = 0x040, R_IRQ_RESULT = 0x048, R_RESETS = 0x050, R_DMA_MAPS = 0x058,
};

struct demo {
	struct vfu *vfu;
	bool verbose;
	uint64_t scratch, dma_addr, dma_len, dma_status, dma_result;
	uint64_t irq_count, irq_result, resets;
	uint8_t ram[BAR0_SIZE - RAM_OFF];
};

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void demo_irq(struct demo *d, unsigned int vec)
{
	int r = vfu_irq_trigger(d->vfu, vec);

	d->irq_result = r < 0 ? (uint64_t)-r : 0;
	if (!r)
		d->irq_count++;
}

static void demo_dma(struct demo *d, uint64_t cmd)
{
	int prot = cmd == 1 ? PROT_READ : PROT_WRITE;
	uint8_t *p;

	d->dma_status = 0;
	if ((cmd != 1 && cmd != 2) || !d->dma_len || d->dma_len > DMA_MAX) {
		d->dma_status = EINVAL;
		return;
	}
	if (!(vfu_pci_command(d->vfu) & 0x4)) { /* Bus Master Enable */
		d->dma_status = EPERM;
		return;
	}
	p = vfu_dma_ptr(d->vfu, d->dma_addr, d->dma_len, prot);
	if (!p) {
		d->dma_status = EFAULT;
	} else if (cmd == 1) {
		d->dma_result = fnv1a64(p, d->dma_len);
	} else {
		for (uint64_t k = 0; k < d->dma_len; k++)
			p[k] = (uint8_t)((k * 7 + 3) & 0xff);
	}
	if (d->verbose)
		fprintf(stderr, "vfu-demo: DMA %s %#" PRIx64 "+%#" PRIx64 ": status %" PRIu64
			" result %#" PRIx64 "\n", cmd == 1 ? "read" : "write", d->dma_addr,
			d->dma_len, d->dma_status, d->dma_result);
	if (vfu_irq_enabled(d->vfu, 0))
		demo_irq(d, 0);
}

static int demo_read(void *priv, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	struct demo *d = priv;
	struct vfu_stats st;
	uint64_t val;

	if (bar != 0)
		return -EINVAL;
	if (off >= RAM_OFF) {
		memcpy(buf, d->ram + (off - RAM_OFF), len); /* vfu checked the range */
		return 0;
	}
	if (len != 8 && len != 4)
		return -EINVAL;
	vfu_get_stats(d->vfu, &st);
	switch (off & ~7ull) {
	case R_ID: val = DEMO_ID; break;
	case R_SCRATCH: val = d->scratch; break;
	case R_DMA_ADDR: val = d->dma_addr; break;
	case R_DMA_LEN: val = d->dma_len; break;
	case R_DMA_STATUS: val = d->dma_status; break;
	case R_DMA_RESULT: val = d->dma_result; break;
	case R_IRQ_COUNT: val = d->irq_count; break;
	case R_IRQ_RESULT: val = d->irq_result; break;
	case R_RESETS: val = d->resets; break;
	case R_DMA_MAPS: val = st.dma_maps; break;
	default: val = 0; break;
	}
	if (off & 4)
		val >>= 32;
	memcpy(buf, &val, len); /* little-endian host */
	if (d->verbose)
		fprintf(stderr, "vfu-demo: read  %#05" PRIx64 "/%u -> %#" PRIx64 "\n", off, len,
			len == 4 ? val & 0xffffffffu : val);
	return 0;
}

static void set_reg(uint64_t *reg, uint64_t off, const void *buf, uint32_t len)
{
	uint64_t val = 0;

	memcpy(&val, buf, len);
	if (len == 8)
		*reg = val;
	else if (off & 4)
		*reg = (*reg & 0xffffffffu) | val << 32;
	else
		*reg = (*reg & ~0xffffffffull) | val;
}

static int demo_write(void *priv, unsigned int bar, uint64_t off, const void *buf,
		      uint32_t len)
{
	struct demo *d = priv;
	uint64_t val = 0;

	if (bar != 0)
		return -EINVAL;
	if (off >= RAM_OFF) {
		memcpy(d->ram + (off - RAM_OFF), buf, len);
		return 0;
	}
	if (len != 8 && len != 4)
		return -EINVAL;
	memcpy(&val, buf, len);
	if (d->verbose)
		fprintf(stderr, "vfu-demo: write %#05" PRIx64 "/%u <- %#" PRIx64 "\n", off, len,
			val);
	switch (off & ~7ull) {
	case R_SCRATCH: set_reg(&d->scratch, off, buf, len); break;
	case R_DMA_ADDR: set_reg(&d->dma_addr, off, buf, len); break;
	case R_DMA_LEN: set_reg(&d->dma_len, off, buf, len); break;
	case R_DMA_CMD: demo_dma(d, val); break;
	case R_IRQ_FIRE: demo_irq(d, (unsigned int)val); break;
	default: return -EACCES; /* read-only or unassigned */
	}
	return 0;
}

static void demo_reset(void *priv)
{
	struct demo *d = priv;

	d->scratch = d->dma_addr = d->dma_len = d->dma_status = d->dma_result = 0;
	d->irq_result = 0;
	d->resets++;
	if (d->verbose)
		fprintf(stderr, "vfu-demo: reset\n");
}

static void demo_connected(void *priv, bool up)
{
	(void)priv;
	fprintf(stderr, "vfu-demo: client %s\n", up ? "attached" : "gone");
}

static void demo_unmapping(void *priv, uint64_t iova, uint64_t len)
{
	struct demo *d = priv;

	if (d->verbose)
		fprintf(stderr, "vfu-demo: DMA region %#" PRIx64 "+%#" PRIx64 " going away\n",
			iova, len);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vfu-demo [-v] [-n VECTORS] SOCKET\n"
		"  -v          log every BAR access, DMA map and message\n"
		"  -n VECTORS  MSI-X vectors (1..2048, default 4)\n");
}

int main(int argc, char **argv)
{
	static const struct vfu_dev_ops ops = {
		.bar_read = demo_read,
		.bar_write = demo_write,
		.reset = demo_reset,
		.connected = demo_connected,
		.dma_unmapping = demo_unmapping,
	};
	struct vfu_pci_info info = {
		.vendor = 0x1b36,        /* Red Hat, Inc. (QEMU's test devices) */
		.device = 0x0005,        /* "QEMU PCI test device" */
		.subsys_vendor = 0x1af4,
		.subsys_device = 0x1100,
		.revision = 1,
		.class_code = 0xff0000,  /* unassigned class */
		.bar_size = { BAR0_SIZE },
		.msix_vectors = 4,
	};
	struct demo *d;
	struct loop *l;
	int opt, r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	while ((opt = getopt(argc, argv, "vn:h")) != -1) {
		char *end;
		unsigned long n;

		switch (opt) {
		case 'v':
			d->verbose = true;
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 || n > 2048) {
				fprintf(stderr, "vfu-demo: -n wants 1..2048, not '%s'\n", optarg);
				return 2;
			}
			info.msix_vectors = (unsigned int)n;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}

	l = loop_new();
	if (!l) {
		perror("vfu-demo: loop");
		return 1;
	}
	if (loop_add_signal(l, SIGINT) || loop_add_signal(l, SIGTERM)) {
		fprintf(stderr, "vfu-demo: cannot set up signals\n");
		return 1;
	}
	d->vfu = vfu_new(l, argv[optind], &info, &ops, d);
	if (!d->vfu) {
		fprintf(stderr, "vfu-demo: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	vfu_set_log(d->vfu, vfu_log_stderr, NULL, d->verbose ? VFU_LOG_DEBUG : VFU_LOG_INFO);
	fprintf(stderr, "vfu-demo: listening on %s\n", argv[optind]);
	r = loop_run(l);
	if (r < 0)
		fprintf(stderr, "vfu-demo: loop: %s\n", strerror(-r));
	else if (r > 0)
		fprintf(stderr, "vfu-demo: %s, exiting\n", strsignal(r));
	vfu_free(d->vfu);
	loop_free(l);
	free(d);
	return r < 0;
}
