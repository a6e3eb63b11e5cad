/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * card_harness.h - drive the card model natively: a fake guest memory, interrupt
 * counters and virtual time (for tests/test_card*.c and the benchmarks).
 *
 * Guest memory is an mmap()ed window at a 64-bit bus address. fake_unmap() makes a
 * range inaccessible with mprotect(PROT_NONE), so a model that kept a pointer across
 * card_advance() calls would crash instead of passing.
 */
#ifndef QKDEMU_CARD_HARNESS_H
#define QKDEMU_CARD_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "card.h"
#include "qkdchip_hw.h"

#define FAKE_BASE	0x100000000ULL		/* guest bus address of the window */
#define FAKE_SIZE	(64ULL << 20)
#define NS_PER_MS	1000000ULL
#define NS_PER_US	1000ULL

struct fake {
	uint8_t *mem;
	uint64_t hole_lo, hole_hi;	/* unmapped bus range [lo, hi) */
	uint64_t dma_calls;
	unsigned int irqs[QKDCHIP_NUM_VECTORS];
	uint64_t now_ns;
	struct card *card;
};

static inline void *fake_dma(void *ctx, uint64_t iova, uint64_t len, bool write)
{
	struct fake *f = ctx;

	(void)write;
	f->dma_calls++;
	if (iova < FAKE_BASE || len > FAKE_SIZE || iova - FAKE_BASE > FAKE_SIZE - len)
		return NULL;
	if (iova < f->hole_hi && iova + len > f->hole_lo)
		return NULL;
	return f->mem + (iova - FAKE_BASE);
}

static inline int fake_irq(void *ctx, unsigned int vector)
{
	struct fake *f = ctx;

	if (vector >= QKDCHIP_NUM_VECTORS)
		return -22;
	f->irqs[vector]++;
	return 0;
}

/* Returns 0 or -1; the card is in f->card. */
static inline int fake_init(struct fake *f, enum card_role role, uint64_t seed, unsigned int index)
{
	struct card_config cfg = { .role = role, .index = index, .seed = seed };
	struct card_host host = { .dma_ptr = fake_dma, .irq = fake_irq, .ctx = f };

	memset(f, 0, sizeof(*f));
	f->mem = mmap(NULL, FAKE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->mem == MAP_FAILED)
		return -1;
	f->card = card_new(&cfg, &host);
	return f->card ? 0 : -1;
}

static inline void fake_fini(struct fake *f)
{
	card_free(f->card);
	if (f->mem && f->mem != MAP_FAILED)
		munmap(f->mem, FAKE_SIZE);
}

/* Make [iova, iova + len) inaccessible (both to the model and to stale pointers). */
static inline void fake_unmap(struct fake *f, uint64_t iova, uint64_t len)
{
	uint64_t lo = iova & ~4095ULL, hi = (iova + len + 4095) & ~4095ULL;

	f->hole_lo = lo;
	f->hole_hi = hi;
	mprotect(f->mem + (lo - FAKE_BASE), hi - lo, PROT_NONE);
}

static inline void fake_remap(struct fake *f)
{
	if (f->hole_hi > f->hole_lo)
		mprotect(f->mem + (f->hole_lo - FAKE_BASE), f->hole_hi - f->hole_lo,
			 PROT_READ | PROT_WRITE);
	f->hole_lo = f->hole_hi = 0;
}

static inline void *fake_at(struct fake *f, uint64_t iova)
{
	return f->mem + (iova - FAKE_BASE);
}

static inline uint64_t fake_u64(struct fake *f, uint64_t iova)
{
	uint64_t v;

	memcpy(&v, fake_at(f, iova), 8);
	return v;
}

static inline uint32_t fake_u32(struct fake *f, uint64_t iova)
{
	uint32_t v;

	memcpy(&v, fake_at(f, iova), 4);
	return v;
}

static inline void fake_put64(struct fake *f, uint64_t iova, uint64_t v)
{
	memcpy(fake_at(f, iova), &v, 8);
}

/* Advance virtual time by @ns (in steps, as the emulator's loop would). */
static inline void fake_run(struct fake *f, uint64_t ns)
{
	f->now_ns += ns;
	card_advance(f->card, f->now_ns);
}

static inline uint32_t rd(struct fake *f, uint32_t off)
{
	card_advance(f->card, f->now_ns);
	return card_reg_read(f->card, off);
}

static inline void wr(struct fake *f, uint32_t off, uint32_t val)
{
	card_advance(f->card, f->now_ns);
	card_reg_write(f->card, off, val);
}

static inline void wr64(struct fake *f, uint32_t lo_off, uint64_t val)
{
	wr(f, lo_off, (uint32_t)val);
	wr(f, lo_off + 4, (uint32_t)(val >> 32));
}

static inline uint64_t rd64(struct fake *f, uint32_t lo_off)
{
	uint64_t lo = rd(f, lo_off);

	return lo | (uint64_t)rd(f, lo_off + 4) << 32;
}

/* Event log entries [from, head): code of entry i */
static inline uint32_t ev_code(struct fake *f, uint32_t i)
{
	return rd(f, QKDCHIP_EVLOG_BASE + QKDCHIP_EVLOG_ENTRY_SIZE * (i % QKDCHIP_EVLOG_ENTRIES));
}

static inline uint32_t ev_arg(struct fake *f, uint32_t i)
{
	return rd(f, QKDCHIP_EVLOG_BASE + QKDCHIP_EVLOG_ENTRY_SIZE * (i % QKDCHIP_EVLOG_ENTRIES) + 4);
}

/* Index of the first event with @code at or after @from, or -1 */
static inline int ev_find(struct fake *f, uint32_t from, uint32_t code)
{
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), i;

	for (i = from; i != head; i++)
		if (ev_code(f, i) == code)
			return (int)i;
	return -1;
}

/*
 * A ring in fake memory: descriptor table at @base, write-back block at base + 0x1000,
 * shadow index at base + 0x1040, buffers from base + 0x10000.
 */
struct fake_ring {
	uint64_t desc, wb, shadow, buf0;
	uint32_t count, buf_log2;
};

static inline void fake_ring_init(struct fake *f, struct fake_ring *r, uint64_t base, uint32_t count,
			   uint32_t buf_log2)
{
	uint32_t i;

	r->desc = base;
	r->wb = base + 0x1000;
	r->shadow = base + 0x1040;
	r->buf0 = base + 0x10000;
	r->count = count;
	r->buf_log2 = buf_log2;
	for (i = 0; i < count; i++) {
		uint8_t *d = fake_at(f, base + 16 * i);
		uint64_t addr = r->buf0 + ((uint64_t)i << buf_log2);
		uint32_t len = 1u << buf_log2, flags = 0;

		memcpy(d, &addr, 8);
		memcpy(d + 8, &len, 4);
		memcpy(d + 12, &flags, 4);
	}
	fake_put64(f, r->shadow, 0);
	memset(fake_at(f, r->wb), 0, 64);
}

/* Program an engine's ring registers (engine block base: 0x1000 C2H, 0x2100 pattern). */
static inline void fake_ring_program(struct fake *f, const struct fake_ring *r, uint32_t block)
{
	wr64(f, block + 0x08, r->desc);
	wr(f, block + 0x10, r->count);
	wr(f, block + 0x14, r->buf_log2);
	wr64(f, block + 0x18, r->wb);
	wr64(f, block + 0x20, r->shadow);
}

/* Record @n of a C2H ring */
static inline uint64_t ring_rec(struct fake *f, const struct fake_ring *r, uint64_t n)
{
	unsigned int shift = r->buf_log2 - 3;
	uint64_t buf = (n >> shift) & (r->count - 1), in = n & ((1ULL << shift) - 1);

	return fake_u64(f, r->buf0 + (buf << r->buf_log2) + 8 * in);
}

#endif /* QKDEMU_CARD_HARNESS_H */
