/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private helpers shared by the GF(2) code (field reduction, little-endian loads, CPU
 * feature selection). Not installed.
 */
#ifndef TFQKD_GF2_IMPL_H
#define TFQKD_GF2_IMPL_H

#include <stdint.h>
#include <string.h>

#include "tfqkd/gf2.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define TFQKD_X86 1
#else
#define TFQKD_X86 0
#endif

/* Features allowed by @cpu that this CPU has. */
static inline unsigned gf2_cpu(unsigned cpu)
{
	return cpu & tfqkd_cpu_features();
}

static inline uint64_t load_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void store_le64(void *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

/*
 * Load 64 message bits starting at bit 64*i of a string of @nbits bits; bits at or beyond
 * @nbits read as zero.
 */
static inline uint64_t load_bits64(const unsigned char *msg, size_t nbits, size_t i)
{
	size_t start = i * 64, left;
	uint64_t v = 0;

	if (start >= nbits)
		return 0;
	left = nbits - start;
	if (left >= 64)
		return load_le64(msg + i * 8);
	for (size_t b = 0; b < (left + 7) / 8; b++)
		v |= (uint64_t)msg[i * 8 + b] << (8 * b);
	return v & ((1ULL << left) - 1);
}

/* Reduce hi*y^64 + lo modulo y^64 + y^4 + y^3 + y + 1. */
static inline uint64_t gf64_reduce(uint64_t lo, uint64_t hi)
{
	uint64_t v = (hi >> 63) ^ (hi >> 61) ^ (hi >> 60);

	lo ^= hi ^ (hi << 1) ^ (hi << 3) ^ (hi << 4);
	return lo ^ v ^ (v << 1) ^ (v << 3) ^ (v << 4);
}

/* Reduce the 255-bit p[0..3] modulo y^128 + y^7 + y^2 + y + 1. */
static inline struct tfqkd_gf128 gf128_reduce(uint64_t p0, uint64_t p1, uint64_t p2, uint64_t p3)
{
	p1 ^= p3 ^ (p3 << 1) ^ (p3 << 2) ^ (p3 << 7);
	p2 ^= (p3 >> 63) ^ (p3 >> 62) ^ (p3 >> 57);
	p0 ^= p2 ^ (p2 << 1) ^ (p2 << 2) ^ (p2 << 7);
	p1 ^= (p2 >> 63) ^ (p2 >> 62) ^ (p2 >> 57);
	return (struct tfqkd_gf128){ .lo = p0, .hi = p1 };
}

/* Portable 64x64 carry-less product (4-bit windows). */
void gf2_clmul64_soft(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi);

#endif /* TFQKD_GF2_IMPL_H */
