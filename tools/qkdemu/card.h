/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdemu card model: the registers and engines of one qkdchip card, as specified in
 * Documentation/hw/. The model knows nothing of sockets or clocks: it reaches host
 * memory and raises interrupts through struct card_host, and its time is advanced
 * explicitly by the caller (card_advance()), so tests can drive it directly, in
 * virtual time, deterministically. Documentation/qkdemu/index.rst describes the
 * models behind the registers.
 */
#ifndef QKDEMU_CARD_H
#define QKDEMU_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct card_host - what the model needs from its environment
 * @dma_ptr: host memory [iova, iova + len) as a local pointer, or NULL (a DMA fault).
 *           The pointer is used at once and never kept: it need only stay valid until
 *           the model's function that asked for it returns.
 * @irq:     raise an MSI-X vector; returns 0 or -errno (vector not set up: the
 *           interrupt is lost, as on hardware with MSI-X off)
 * @ctx:     passed to both
 */
struct card_host {
	void *(*dma_ptr)(void *ctx, uint64_t iova, uint64_t len, bool write);
	int (*irq)(void *ctx, unsigned int vector);
	void *ctx;
};

enum card_role {
	CARD_CLIENT = 1,
	CARD_SERVER = 2,
};

/**
 * struct card_config - what makes one card differ from another
 * @role:       client or server
 * @index:      position in the emulated network, 0-based
 * @seed:       the process seed; each card derives its own streams from it and @index
 * @hw_version: 0 for the model's own interface version (tests may pretend otherwise)
 */
struct card_config {
	enum card_role role;
	unsigned int index;
	uint64_t seed;
	uint32_t hw_version;
};

struct card;

/**
 * card_new() - power up a card; its slot counter starts at 0 (time 0 of card_advance())
 * Return: the card, or NULL (invalid role, no memory).
 */
struct card *card_new(const struct card_config *cfg, const struct card_host *host);
void card_free(struct card *c);

/**
 * card_advance() - run the card up to @now_ns nanoseconds after power-up
 * @c:      the card
 * @now_ns: the time; earlier values than the card's current time are ignored
 *
 * Everything due up to then happens in time order: records are written, write-backs,
 * events and interrupts happen, temperatures and locks evolve. The work is
 * proportional to what happens, not to the time span.
 */
void card_advance(struct card *c, uint64_t now_ns);

/**
 * card_next_deadline_ns() - when the card next has something to do by itself
 * Return: a time in ns after power-up (may be in the past: advance at once), or
 * UINT64_MAX if nothing is scheduled. Calling card_advance() earlier is always fine.
 */
uint64_t card_next_deadline_ns(const struct card *c);

/** card_now_slot() - the slot counter at the card's current time */
uint64_t card_now_slot(const struct card *c);

/* BAR access as the host's MMIO (pci.rst rules); len is 1..8. Returns 0 or -errno. */
int card_bar_read(struct card *c, unsigned int bar, uint64_t off, void *buf, uint32_t len);
int card_bar_write(struct card *c, unsigned int bar, uint64_t off, const void *buf, uint32_t len);

/**
 * card_reset() - function-level reset (CTRL.RESET, vfio-user DEVICE_RESET, the host
 * going away): every engine stops at once without DMA, every register returns to its
 * reset value, the event log holds RESET_DONE. Physical state (temperatures, drifts),
 * the model settings and injected faults stay.
 */
void card_reset(struct card *c);

/* Register access by offset (32-bit), as the host does it (LO reads latch HI). */
uint32_t card_reg_read(struct card *c, uint32_t off);
void card_reg_write(struct card *c, uint32_t off, uint32_t val);
/* Read a register without side effects (no latching): for the control channel. */
uint32_t card_reg_peek(struct card *c, uint32_t off);

enum card_role card_role(const struct card *c);
const char *card_role_name(enum card_role role);

/**
 * card_symbol_at() - the pattern symbol played at a slot (client)
 * @c:    the card
 * @slot: the slot
 * @bank: if not NULL, the table bank that plays it
 *
 * Return: the symbol (0..255); CARD_SYM_BLANK if the slot plays no light (no pattern
 * running, before PAT_START, an underrun, no active table, a symbol beyond the
 * table); CARD_SYM_UNKNOWN if the card cannot tell (a host-streamed byte the host may
 * already have overwritten, i.e. before the last published consumer index, or not yet
 * produced for a future slot).
 */
#define CARD_SYM_BLANK		(-1)
#define CARD_SYM_UNKNOWN	(-2)
int card_symbol_at(struct card *c, uint64_t slot, unsigned int *bank);

/* ---- Test and control hooks (the control channel, --fault) ---------------------- */

/**
 * enum card_fault_kind - injectable faults (Documentation/qkdemu/index.rst)
 */
enum card_fault_kind {
	CARD_FAULT_DMA_WRITE,	/* the next C2H DMA write fails */
	CARD_FAULT_DMA_READ,	/* the next pattern or table DMA read fails */
	CARD_FAULT_DESC_ERROR,	/* the next start sees a bad descriptor: engine, index */
	CARD_FAULT_STALL,	/* the C2H engine stalls: ms */
	CARD_FAULT_CORRUPT,	/* the next C2H record gets an undefined type */
	CARD_FAULT_LOCK_LOST,	/* the laser (client) or comb (server) loses lock */
	CARD_FAULT_OVER_TEMP,	/* a sensor jumps above TEMP_CRIT: sensor, m°C */
	CARD_FAULT_IRQ_STORM,	/* interrupts on a vector: vector, count */
	CARD_FAULT_REMOVE,	/* surprise removal (handled by the caller, not the model) */
};

struct card_fault {
	enum card_fault_kind kind;
	bool has_value;
	uint64_t a;		/* engine / ms / sensor / vector */
	int64_t b;		/* index / m°C / count */
};

/**
 * card_fault_parse() - parse "NAME [ARGS...]" into a fault
 * @argc, @argv: the words
 * @f:           the result
 * @err, @len:   a message on error
 * Return: 0 or -EINVAL.
 */
int card_fault_parse(int argc, char *const argv[], struct card_fault *f, char *err, size_t len);

/**
 * card_inject() - inject a parsed fault (not CARD_FAULT_REMOVE)
 * Return: 0 or -EINVAL with a message (e.g. a fault that needs the other role).
 */
int card_inject(struct card *c, const struct card_fault *f, char *err, size_t len);

/* External 10 MHz + PPS reference present or not (the emulated card has no input). */
void card_set_clock_ref(struct card *c, bool present);

/* Force a temperature sensor to @mc (m°C), or (force false) let the model drive it. */
int card_force_temp(struct card *c, unsigned int sensor, bool force, int32_t mc);

/**
 * card_model_set() - set a parameter of the server's click model
 * @what:  "quantum" (photons/s at detector @index), "reference" (reference photons/s
 *         into measurement unit @index), "drift" (phase diffusion, mrad/sqrt(s)),
 *         "visibility" (interference visibility, ppm)
 * Return: 0 or -EINVAL with a message.
 */
int card_model_set(struct card *c, const char *what, unsigned int index, uint64_t value,
		   char *err, size_t len);
/* The click model's parameters as "key=value ..." */
void card_model_show(struct card *c, char *buf, size_t len);

/* Engine states and counters as "key=value ..." (the control channel's status). */
void card_status(struct card *c, char *buf, size_t len);

#endif /* QKDEMU_CARD_H */
