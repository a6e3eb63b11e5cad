// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known-answer tests of the GF(2) arithmetic against naive shift-and-add references:
 * carry-less products, GF(2^64) and GF(2^128) products (every CPU code path), irreducibility
 * of both field polynomials (Rabin's test), the polynomial hash (against a naive Horner
 * evaluation, bit-flip and length sensitivity) and long polynomial products (additive FFT)
 * against schoolbook multiplication.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the harness defines global helpers without prototypes */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "tfqkd/gf2.h"
#include "tfqkd/gf2x.h"
#include "tfqkd/rng.h"

/* CPU masks to exercise: portable, PCLMUL only, AVX2+VPCLMUL, everything */
static const unsigned cpu_masks[] = {
	0,
	TFQKD_CPU_PCLMUL,
	TFQKD_CPU_PCLMUL | TFQKD_CPU_AVX2 | TFQKD_CPU_VPCLMUL,
	TFQKD_CPU_ALL,
};
#define NMASKS (sizeof(cpu_masks) / sizeof(cpu_masks[0]))

static void naive_clmul(uint64_t a, uint64_t b, uint64_t r[2])
{
	r[0] = r[1] = 0;
	for (int i = 0; i < 64; i++)
		if ((b >> i) & 1) {
			r[0] ^= a << i;
			if (i)
				r[1] ^= a >> (64 - i);
		}
}

/* shift-and-add in GF(2^64), modulus y^64 + y^4 + y^3 + y + 1 */
static uint64_t naive_mul64(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++) {
		if ((b >> i) & 1)
			r ^= a;
		a = (a << 1) ^ ((a >> 63) ? 0x1bULL : 0);
	}
	return r;
}

/* shift-and-add in GF(2^128), modulus y^128 + y^7 + y^2 + y + 1 */
static struct tfqkd_gf128 naive_mul128(struct tfqkd_gf128 a, struct tfqkd_gf128 b)
{
	struct tfqkd_gf128 r = { 0, 0 };

	for (int i = 0; i < 128; i++) {
		uint64_t bit = i < 64 ? (b.lo >> i) & 1 : (b.hi >> (i - 64)) & 1;
		uint64_t top = a.hi >> 63;

		if (bit) {
			r.lo ^= a.lo;
			r.hi ^= a.hi;
		}
		a.hi = (a.hi << 1) | (a.lo >> 63);
		a.lo = (a.lo << 1) ^ (top ? 0x87ULL : 0);
	}
	return r;
}

/* degree of a binary polynomial held in 3 words (-1 for zero) */
static int pdeg(const uint64_t p[3])
{
	for (int w = 2; w >= 0; w--)
		if (p[w])
			return 64 * w + 63 - __builtin_clzll(p[w]);
	return -1;
}

/* gcd of two binary polynomials of degree <= 128 (3 words each), by repeated reduction */
static int pgcd_is_one(uint64_t a[3], uint64_t b[3])
{
	while (pdeg(b) >= 0) {
		int db = pdeg(b);

		while (pdeg(a) >= db) {
			int s = pdeg(a) - db;
			uint64_t t[3] = { 0, 0, 0 };

			for (int i = 0; i <= db; i++)
				if ((b[i / 64] >> (i % 64)) & 1)
					t[(i + s) / 64] |= 1ULL << ((i + s) % 64);
			for (int w = 0; w < 3; w++)
				a[w] ^= t[w];
		}
		for (int w = 0; w < 3; w++) {
			uint64_t x = a[w];

			a[w] = b[w];
			b[w] = x;
		}
	}
	return pdeg(a) == 0;
}

TEST(clmul_matches_naive)
{
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 1);
	for (size_t m = 0; m < NMASKS; m++)
		for (int i = 0; i < 3000; i++) {
			uint64_t a = tfqkd_xrng_next(&r), b = tfqkd_xrng_next(&r);
			uint64_t want[2], got[2];

			if (i < 64) {	/* single bits, including the top ones */
				a = 1ULL << i;
				b = ~0ULL;
			}
			naive_clmul(a, b, want);
			tfqkd_clmul64_cpu(a, b, got, cpu_masks[m]);
			ASSERT_EQ(want[0], got[0]);
			ASSERT_EQ(want[1], got[1]);
		}
}

TEST(gf64_mul_matches_naive)
{
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 2);
	for (size_t m = 0; m < NMASKS; m++)
		for (int i = 0; i < 3000; i++) {
			uint64_t a = tfqkd_xrng_next(&r), b = tfqkd_xrng_next(&r);

			if (i % 7 == 0)
				a |= 0xf000000000000000ULL;	/* exercise the second fold */
			ASSERT_EQ(naive_mul64(a, b), tfqkd_gf64_mul_cpu(a, b, cpu_masks[m]));
		}
	ASSERT_EQ(naive_mul64(3, 5), tfqkd_gf64_mul(3, 5));
	ASSERT_EQ(15ULL, tfqkd_gf64_mul(3, 5));		/* (y+1)(y^2+1) = y^3+y^2+y+1 */
	ASSERT_EQ(0x1bULL, tfqkd_gf64_mul(1ULL << 63, 2));	/* y^64 = y^4+y^3+y+1 */
}

TEST(gf128_mul_matches_naive)
{
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 3);
	for (size_t m = 0; m < NMASKS; m++)
		for (int i = 0; i < 2000; i++) {
			struct tfqkd_gf128 a = { tfqkd_xrng_next(&r), tfqkd_xrng_next(&r) };
			struct tfqkd_gf128 b = { tfqkd_xrng_next(&r), tfqkd_xrng_next(&r) };
			struct tfqkd_gf128 w = naive_mul128(a, b);
			struct tfqkd_gf128 g = tfqkd_gf128_mul_cpu(a, b, cpu_masks[m]);

			ASSERT_EQ(w.lo, g.lo);
			ASSERT_EQ(w.hi, g.hi);
		}
	/* y^127 * y = y^128 = y^7 + y^2 + y + 1 */
	struct tfqkd_gf128 t = tfqkd_gf128_mul((struct tfqkd_gf128){ 0, 1ULL << 63 },
					       (struct tfqkd_gf128){ 2, 0 });
	ASSERT_EQ(0x87ULL, t.lo);
	ASSERT_EQ(0ULL, t.hi);
}

/* Rabin: P of degree 2^e is irreducible iff y^(2^(2^e)) = y mod P and gcd(y^(2^(2^(e-1))) - y, P) = 1 */
TEST(field_polynomials_irreducible)
{
	uint64_t x = 2, half = 0;

	for (int i = 1; i <= 64; i++) {
		x = naive_mul64(x, x);
		if (i == 32)
			half = x;
	}
	ASSERT_EQ(2ULL, x);
	uint64_t g[3] = { half ^ 2, 0, 0 }, p[3] = { 0x1b, 1, 0 };

	ASSERT_TRUE(pgcd_is_one(p, g));

	struct tfqkd_gf128 y = { 2, 0 }, yh = { 0, 0 };

	for (int i = 1; i <= 128; i++) {
		y = naive_mul128(y, y);
		if (i == 64)
			yh = y;
	}
	ASSERT_EQ(2ULL, y.lo);
	ASSERT_EQ(0ULL, y.hi);
	uint64_t g2[3] = { yh.lo ^ 2, yh.hi, 0 }, p2[3] = { 0x87, 0, 1 };

	ASSERT_TRUE(pgcd_is_one(p2, g2));
}

static uint64_t naive_polyhash64(uint64_t k, const unsigned char *m, size_t nbits)
{
	size_t nblk = (nbits + 63) / 64;
	uint64_t acc = 0;

	for (size_t i = 0; i <= nblk; i++) {
		uint64_t blk = 0;

		if (i < nblk) {
			for (size_t b = 0; b < 64 && 64 * i + b < nbits; b++)
				blk |= (uint64_t)((m[(64 * i + b) / 8] >> ((64 * i + b) % 8)) & 1) << b;
		} else {
			blk = nbits;
		}
		acc = naive_mul64(acc ^ blk, k);
	}
	return acc;
}

static struct tfqkd_gf128 naive_polyhash128(struct tfqkd_gf128 k, const unsigned char *m,
					    size_t nbits)
{
	size_t nblk = (nbits + 127) / 128;
	struct tfqkd_gf128 acc = { 0, 0 };

	for (size_t i = 0; i <= nblk; i++) {
		struct tfqkd_gf128 blk = { 0, 0 };

		if (i < nblk) {
			for (size_t b = 0; b < 128 && 128 * i + b < nbits; b++) {
				uint64_t bit = (m[(128 * i + b) / 8] >> ((128 * i + b) % 8)) & 1;

				if (b < 64)
					blk.lo |= bit << b;
				else
					blk.hi |= bit << (b - 64);
			}
		} else {
			blk.lo = nbits;
		}
		acc.lo ^= blk.lo;
		acc.hi ^= blk.hi;
		acc = naive_mul128(acc, k);
	}
	return acc;
}

TEST(polyhash_matches_naive)
{
	static const size_t lens[] = { 0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 255, 256, 257,
				       511, 1000, 4096, 10007 };
	unsigned char msg[1300];
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 4);
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t n = lens[li];
		uint64_t k = tfqkd_xrng_next(&r);
		struct tfqkd_gf128 k2 = { tfqkd_xrng_next(&r), tfqkd_xrng_next(&r) };

		for (size_t i = 0; i < sizeof(msg); i++)
			msg[i] = (unsigned char)tfqkd_xrng_next(&r);
		uint64_t w64 = naive_polyhash64(k, msg, n);
		struct tfqkd_gf128 w128 = naive_polyhash128(k2, msg, n);

		for (size_t m = 0; m < NMASKS; m++) {
			ASSERT_EQ(w64, tfqkd_polyhash64_cpu(k, msg, n, cpu_masks[m]));
			struct tfqkd_gf128 g = tfqkd_polyhash128_cpu(k2, msg, n, cpu_masks[m]);

			ASSERT_EQ(w128.lo, g.lo);
			ASSERT_EQ(w128.hi, g.hi);
		}
	}
}

TEST(polyhash_ignores_bits_past_the_end)
{
	unsigned char a[20], b[20];

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[12] ^= 0xf0;	/* bits 100..103: beyond a 100-bit message */
	b[19] ^= 0xff;
	ASSERT_EQ(tfqkd_polyhash64(0x1234567, a, 100), tfqkd_polyhash64(0x1234567, b, 100));
	b[12] ^= 0x08;	/* bit 99: inside */
	ASSERT_NE(tfqkd_polyhash64(0x1234567, a, 100), tfqkd_polyhash64(0x1234567, b, 100));
}

TEST(polyhash_detects_every_single_bit_flip_and_length_change)
{
	unsigned char m[64];
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 5);
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)tfqkd_xrng_next(&r);
	uint64_t k = tfqkd_xrng_next(&r) | 1;
	struct tfqkd_gf128 k2 = { tfqkd_xrng_next(&r), tfqkd_xrng_next(&r) };
	uint64_t h = tfqkd_polyhash64(k, m, 500);
	struct tfqkd_gf128 h2 = tfqkd_polyhash128(k2, m, 500);

	for (size_t bit = 0; bit < 500; bit++) {
		m[bit / 8] ^= 1u << (bit % 8);
		ASSERT_NE(h, tfqkd_polyhash64(k, m, 500));
		struct tfqkd_gf128 g = tfqkd_polyhash128(k2, m, 500);

		ASSERT_TRUE(g.lo != h2.lo || g.hi != h2.hi);
		m[bit / 8] ^= 1u << (bit % 8);
	}
	/* appending zero bits changes the hash (length block) */
	memset(m, 0, sizeof(m));
	ASSERT_NE(tfqkd_polyhash64(k, m, 64), tfqkd_polyhash64(k, m, 65));
	ASSERT_NE(tfqkd_polyhash64(k, m, 0), tfqkd_polyhash64(k, m, 1));
}

TEST(polyhash_bound)
{
	/* (ceil(1e6/64) + 1) / 2^64 = 15626 / 2^64 */
	ASSERT_TRUE(fabs(tfqkd_polyhash_log2_eps(64, 1000000) - (log2(15626.0) - 64)) < 1e-12);
	ASSERT_TRUE(fabs(tfqkd_polyhash_log2_eps(128, 128) - (1.0 - 128)) < 1e-12);
	ASSERT_TRUE(isnan(tfqkd_polyhash_log2_eps(32, 10)));
}

static void schoolbook(uint64_t *c, const uint64_t *a, size_t abits, const uint64_t *b,
		       size_t bbits)
{
	size_t aw = (abits + 63) / 64, bw = (bbits + 63) / 64, cw = (abits + bbits - 1 + 63) / 64;

	memset(c, 0, cw * 8);
	for (size_t i = 0; i < aw; i++)
		for (size_t j = 0; j < bw; j++) {
			uint64_t r[2];

			naive_clmul(a[i], b[j], r);
			c[i + j] ^= r[0];
			if (i + j + 1 < cw)
				c[i + j + 1] ^= r[1];
		}
}

static void random_bits(struct tfqkd_xrng *r, uint64_t *v, size_t nbits)
{
	for (size_t i = 0; i < (nbits + 63) / 64; i++)
		v[i] = tfqkd_xrng_next(r);
	if (nbits % 64)
		v[nbits / 64] &= (1ULL << (nbits % 64)) - 1;
}

TEST(gf2x_mul_matches_schoolbook)
{
	static const size_t sizes[][2] = {
		{ 1, 1 }, { 1, 64 }, { 2, 3 }, { 31, 33 }, { 32, 32 }, { 64, 64 }, { 65, 65 },
		{ 100, 3 }, { 127, 129 }, { 500, 1000 }, { 1024, 1024 }, { 3001, 2999 },
		{ 4095, 17 }, { 8192, 8192 }, { 20011, 9973 },
	};
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 6);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t an = sizes[s][0], bn = sizes[s][1], cw = (an + bn - 1 + 63) / 64;
		uint64_t *a = calloc((an + 63) / 64, 8), *b = calloc((bn + 63) / 64, 8);
		uint64_t *want = calloc(cw, 8), *got = calloc(cw, 8);

		ASSERT_TRUE(a && b && want && got);
		random_bits(&r, a, an);
		random_bits(&r, b, bn);
		schoolbook(want, a, an, b, bn);
		for (size_t m = 0; m < NMASKS; m++) {
			memset(got, 0xa5, cw * 8);
			ASSERT_EQ(0, tfqkd_gf2x_mul_cpu(got, a, an, b, bn, cpu_masks[m]));
			ASSERT_EQ(0, memcmp(want, got, cw * 8)) {
				TH_LOG("sizes %zu x %zu, cpu mask %#x", an, bn, cpu_masks[m]);
			}
		}
		free(a);
		free(b);
		free(want);
		free(got);
	}
}

TEST(gf2x_mul_bad_arguments)
{
	uint64_t a = 1, c = 0;

	ASSERT_EQ(-EINVAL, tfqkd_gf2x_mul(NULL, &a, 1, &a, 1));
	ASSERT_EQ(-EINVAL, tfqkd_gf2x_mul(&c, NULL, 1, &a, 1));
	ASSERT_EQ(0, tfqkd_gf2x_mul(&c, &a, 0, &a, 1));	/* empty product: nothing written */
	ASSERT_EQ(0ULL, c);
}

TEST_HARNESS_MAIN
