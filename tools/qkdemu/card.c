// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu card model: registers (Documentation/hw/registers.rst).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "qkdchip_hw.h"

#define CARD_HW_VERSION		QKDCHIP_VERSION(1, 0, 0)
#define CARD_FW_BUILD		1
#define CARD_FW_DATE		0x20261126

struct card {
	struct card_config cfg;
	struct card_host host;
	uint64_t serial;

	uint32_t scratch;
	uint32_t irq_status;
	uint32_t irq_enable;
};

/* SplitMix64: the seed derivation step (Documentation/qkdemu/). */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

const char *card_role_name(enum card_role role)
{
	switch (role) {
	case CARD_CLIENT:
		return "client";
	case CARD_SERVER:
		return "server";
	}
	return "unknown";
}

/* Raise the vectors whose enabled causes are pending. */
static void card_irq_update(struct card *c, uint32_t new_causes)
{
	unsigned int vec;

	c->irq_status |= new_causes;
	for (vec = 0; vec < QKDCHIP_NUM_VECTORS; vec++) {
		uint32_t mine = QKDCHIP_IRQ_DOORBELL(vec);

		if (new_causes & mine & c->irq_enable)
			c->host.irq(c->host.ctx, vec);
	}
}

void card_reset(struct card *c)
{
	c->scratch = 0;
	c->irq_status = 0;
	c->irq_enable = 0;
}

struct card *card_new(const struct card_config *cfg, const struct card_host *host)
{
	struct card *c;
	uint64_t s;

	if (cfg->role != CARD_CLIENT && cfg->role != CARD_SERVER)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.hw_version)
		c->cfg.hw_version = CARD_HW_VERSION;
	c->host = *host;
	/* Serial: role in the top byte, then a per-seed, per-index value. */
	s = cfg->seed ^ ((uint64_t)cfg->index << 32);
	c->serial = ((uint64_t)cfg->role << 56) | (splitmix64(&s) & 0x00ffffffffffffffULL);
	card_reset(c);
	return c;
}

void card_free(struct card *c)
{
	free(c);
}

static uint32_t card_features(const struct card *c)
{
	if (c->cfg.role == CARD_CLIENT)
		return QKDCHIP_FEAT_C2H | QKDCHIP_FEAT_H2C_TABLE | QKDCHIP_FEAT_H2C_PATTERN |
		       QKDCHIP_FEAT_CARD_SEEDED | QKDCHIP_FEAT_LASER | QKDCHIP_FEAT_EXT_CLOCK;
	return QKDCHIP_FEAT_C2H | QKDCHIP_FEAT_TAGGER | QKDCHIP_FEAT_COMB | QKDCHIP_FEAT_EXT_CLOCK;
}

uint32_t card_reg_read(struct card *c, uint32_t off)
{
	bool client = c->cfg.role == CARD_CLIENT;

	switch (off) {
	case QKDCHIP_REG_MAGIC:
		return QKDCHIP_MAGIC;
	case QKDCHIP_REG_VERSION:
		return c->cfg.hw_version;
	case QKDCHIP_REG_ROLE:
		return c->cfg.role;
	case QKDCHIP_REG_FEATURES:
		return card_features(c);
	case QKDCHIP_REG_SERIAL_LO:
		return (uint32_t)c->serial;
	case QKDCHIP_REG_SERIAL_HI:
		return (uint32_t)(c->serial >> 32);
	case QKDCHIP_REG_FW_BUILD:
		return CARD_FW_BUILD;
	case QKDCHIP_REG_FW_DATE:
		return CARD_FW_DATE;
	case QKDCHIP_REG_CAP_DAC:
		/* client: 5 DAC channels (IM1-3, PM1, PMREF), 8 samples per slot, 14-bit */
		return client ? (5u | 8u << 8 | 14u << 16) : 0;
	case QKDCHIP_REG_CAP_SLOT_RATE:
		return 1250000;	/* 1.25 GHz */
	case QKDCHIP_REG_CAP_DET:
		/* server: 4 detector channels in 2 units, 1 ps fine time */
		return client ? 0 : (4u | 2u << 8 | 1u << 16);
	case QKDCHIP_REG_CAP_RING:
		/* up to 2^12 buffers of 2^12 .. 2^22 bytes */
		return 12u | 12u << 8 | 22u << 16;
	case QKDCHIP_REG_CAP_TABLE:
		return client ? (256u | 2u << 16) : 0;
	case QKDCHIP_REG_CAP_FRAME:
		return 10u | 30u << 8;
	case QKDCHIP_REG_STATUS:
		return QKDCHIP_STATUS_READY;
	case QKDCHIP_REG_SCRATCH:
		return c->scratch;
	case QKDCHIP_REG_IRQ_STATUS:
		return c->irq_status;
	case QKDCHIP_REG_IRQ_ENABLE:
		return c->irq_enable;
	default:
		return 0;	/* unimplemented registers read as zero */
	}
}

void card_reg_write(struct card *c, uint32_t off, uint32_t val)
{
	switch (off) {
	case QKDCHIP_REG_SCRATCH:
		c->scratch = val;
		break;
	case QKDCHIP_REG_DOORBELL:
		card_irq_update(c, QKDCHIP_IRQ_DOORBELL(QKDCHIP_DOORBELL_VECTOR(val) %
							QKDCHIP_NUM_VECTORS));
		break;
	case QKDCHIP_REG_IRQ_STATUS:
		c->irq_status &= ~val;
		break;
	case QKDCHIP_REG_IRQ_ENABLE:
		c->irq_enable = val & QKDCHIP_IRQ_DOORBELL_ALL;
		break;
	default:
		break;	/* writes to read-only or unimplemented registers are ignored */
	}
}

int card_bar_read(struct card *c, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	uint32_t v;

	if (bar != QKDCHIP_BAR_REGS)
		return -EINVAL;
	if (off >= QKDCHIP_BAR_REGS_SIZE || len > QKDCHIP_BAR_REGS_SIZE - off)
		return -EINVAL;
	/* Registers are 32-bit; narrower or unaligned reads see the containing register. */
	if (len == 8 && !(off & 7)) {
		uint64_t q = card_reg_read(c, (uint32_t)off) |
			     (uint64_t)card_reg_read(c, (uint32_t)off + 4) << 32;

		memcpy(buf, &q, 8);
		return 0;
	}
	if (len > 4 || (off & 3) + len > 4)
		return -EINVAL;
	v = card_reg_read(c, (uint32_t)off & ~3u) >> (8 * (off & 3));
	memcpy(buf, &v, len);
	return 0;
}

int card_bar_write(struct card *c, unsigned int bar, uint64_t off, const void *buf, uint32_t len)
{
	uint32_t v;

	if (bar != QKDCHIP_BAR_REGS)
		return -EINVAL;
	if (off >= QKDCHIP_BAR_REGS_SIZE || len > QKDCHIP_BAR_REGS_SIZE - off)
		return -EINVAL;
	if (len == 8 && !(off & 7)) {
		uint64_t q;

		memcpy(&q, buf, 8);
		card_reg_write(c, (uint32_t)off, (uint32_t)q);
		card_reg_write(c, (uint32_t)off + 4, (uint32_t)(q >> 32));
		return 0;
	}
	/* Only whole, aligned 32-bit register writes have an effect. */
	if (len != 4 || (off & 3))
		return -EINVAL;
	memcpy(&v, buf, 4);
	card_reg_write(c, (uint32_t)off, v);
	return 0;
}
