// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: C2H record decoding and slot unwrapping (Documentation/hw/streams.rst).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

int qkd_record_decode(uint64_t raw, struct qkd_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->raw = raw;
	rec->type = QKDCHIP_REC_TYPE(raw);

	switch (rec->type) {
	case QKDCHIP_REC_TAG:
		rec->tag.channel = QKDCHIP_TAG_CHANNEL(raw);
		rec->tag.ref = QKDCHIP_TAG_REF(raw);
		rec->tag.fine_ps = QKDCHIP_TAG_FINE_PS(raw);
		rec->slot = QKDCHIP_TAG_SLOT(raw);
		return 0;
	case QKDCHIP_REC_REFCOUNT:
		rec->refcount.unit = QKDCHIP_REF_UNIT(raw);
		rec->refcount.bucket = QKDCHIP_REF_BUCKET(raw);
		rec->refcount.window = QKDCHIP_REF_WINDOW(raw);
		rec->refcount.left = QKDCHIP_REF_LEFT(raw);
		rec->refcount.right = QKDCHIP_REF_RIGHT(raw);
		return 0;
	case QKDCHIP_REC_TIME:
		rec->time.kind = QKDCHIP_TIME_KIND(raw);
		rec->slot = QKDCHIP_TIME_SLOT(raw);
		rec->slot_full = true;
		return 0;
	case QKDCHIP_REC_SEED:
		rec->seed.word = QKDCHIP_SEED_WORD(raw);
		rec->seed.frame = QKDCHIP_SEED_FRAME(raw);
		rec->seed.data = QKDCHIP_SEED_DATA(raw);
		return 0;
	case QKDCHIP_REC_LOST:
	case QKDCHIP_REC_UNDERRUN:
		rec->loss.kind = QKDCHIP_LOSS_KIND(raw);
		if (rec->loss.kind == QKDCHIP_LOSS_COUNT_KIND) {
			rec->loss.reason = QKDCHIP_LOSS_REASON(raw);
			rec->loss.count = QKDCHIP_LOSS_COUNT(raw);
		} else {
			rec->slot = QKDCHIP_LOSS_SLOT(raw);
			rec->slot_full = true;
		}
		return 0;
	case QKDCHIP_REC_EVENT:
		rec->event.code = QKDCHIP_EVREC_CODE(raw);
		rec->slot = QKDCHIP_EVREC_SLOT(raw);
		return 0;
	default:
		return -EINVAL;
	}
}

void qkd_unwrap_init(struct qkd_unwrap *u, uint64_t base, unsigned int frame_log2,
		     unsigned int ref_window_log2)
{
	memset(u, 0, sizeof(*u));
	u->last_slot = base;
	u->frame_log2 = frame_log2 < 64 ? frame_log2 : 0;
	u->ref_window_log2 = ref_window_log2 < 64 ? ref_window_log2 : 0;
}

/* The full value of @low (its low @bits) at or after @base. */
static uint64_t unwrap_forward(uint64_t base, uint64_t low, unsigned int bits)
{
	uint64_t mask = (1ULL << bits) - 1;

	return base + ((low - base) & mask);
}

/* The full value of @low (its low @bits) nearest to @base (a tie goes backwards). */
static uint64_t unwrap_nearest(uint64_t base, uint64_t low, unsigned int bits, bool *ok)
{
	uint64_t mask = (1ULL << bits) - 1, d = (low - base) & mask;

	if (d < (1ULL << (bits - 1))) {
		*ok = true;
		return base + d;
	}
	d = (1ULL << bits) - d;		/* distance backwards */
	if (d > base) {			/* before slot 0: keep the low bits */
		*ok = false;
		return low;
	}
	*ok = true;
	return base - d;
}

void qkd_unwrap(struct qkd_unwrap *u, struct qkd_record *rec)
{
	uint64_t base;

	switch (rec->type) {
	case QKDCHIP_REC_TIME:
		u->last_slot = rec->slot;
		if (rec->time.kind == QKDCHIP_TIME_FRAME) {
			u->frame_slot = rec->slot;
			u->have_frame = true;
		}
		break;
	case QKDCHIP_REC_TAG:
		rec->slot = unwrap_forward(u->last_slot, rec->slot, QKDCHIP_TAG_SLOT_BITS);
		rec->slot_full = true;
		break;
	case QKDCHIP_REC_EVENT:
		rec->slot = unwrap_forward(u->last_slot, rec->slot, 48);
		rec->slot_full = true;
		break;
	case QKDCHIP_REC_REFCOUNT:
		if (!u->ref_window_log2 || rec->refcount.window_full)
			break;
		rec->refcount.window = unwrap_nearest(u->last_slot >> u->ref_window_log2,
						      rec->refcount.window,
						      QKDCHIP_REF_WINDOW_BITS,
						      &rec->refcount.window_full);
		break;
	case QKDCHIP_REC_SEED:
		if (!u->frame_log2 || rec->seed.frame_full)
			break;
		base = u->have_frame ? u->frame_slot : u->last_slot;
		rec->seed.frame = unwrap_nearest(base >> u->frame_log2, rec->seed.frame,
						 QKDCHIP_SEED_FRAME_BITS, &rec->seed.frame_full);
		break;
	default:
		break;
	}
}

static uint64_t mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ULL;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z;
}

uint64_t qkd_test_record(uint32_t seed, uint64_t n)
{
	uint64_t h = mix64(seed + (n + 1) * 0x9e3779b97f4a7c15ULL);

	return (uint64_t)QKDCHIP_REC_TAG << 60 | (h >> 62) << 56 | ((h >> 61) & 1) << 55 |
	       (h & 0xfff) << 40 | (n & ((1ULL << 40) - 1));
}
