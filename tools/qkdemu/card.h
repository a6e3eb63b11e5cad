/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdemu card model: the registers and engines of one qkdchip card, as specified in
 * Documentation/hw/. The model knows nothing of sockets: it reaches host memory and
 * raises interrupts through struct card_host, so tests can drive it directly.
 */
#ifndef QKDEMU_CARD_H
#define QKDEMU_CARD_H

#include <stdbool.h>
#include <stdint.h>

/* What the model needs from its environment. */
struct card_host {
	/* Host memory [iova, iova+len) as a local pointer, or NULL (DMA fault). */
	void *(*dma_ptr)(void *ctx, uint64_t iova, uint64_t len, bool write);
	/* Raise an MSI-X vector; returns 0 or -errno (vector not set up). */
	int (*irq)(void *ctx, unsigned int vector);
	void *ctx;
};

enum card_role {
	CARD_CLIENT = 1,
	CARD_SERVER = 2,
};

struct card_config {
	enum card_role role;
	unsigned int index;	/* position in the emulated network, 0-based */
	uint64_t seed;		/* the process seed; each card derives its own */
	uint32_t hw_version;	/* 0: the model's own version */
};

struct card;

struct card *card_new(const struct card_config *cfg, const struct card_host *host);
void card_free(struct card *c);

/* BAR access; len is 1, 2, 4 or 8. Returns 0 or -errno. */
int card_bar_read(struct card *c, unsigned int bar, uint64_t off, void *buf, uint32_t len);
int card_bar_write(struct card *c, unsigned int bar, uint64_t off, const void *buf, uint32_t len);

/* Function-level reset (PCI reset, guest reboot, host detached). */
void card_reset(struct card *c);

/* Register read/write by offset (32-bit), for tests and the control channel. */
uint32_t card_reg_read(struct card *c, uint32_t off);
void card_reg_write(struct card *c, uint32_t off, uint32_t val);

const char *card_role_name(enum card_role role);

#endif /* QKDEMU_CARD_H */
