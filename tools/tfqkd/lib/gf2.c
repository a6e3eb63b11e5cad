// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GF(2^64) and GF(2^128) arithmetic and the polynomial-evaluation hash.
 *
 * Portable C everywhere; on x86-64 the PCLMULQDQ instruction is used when the CPU has it
 * (chosen at run time, compiled with function target attributes so that the library still
 * builds and runs on any x86-64).
 */
#include <math.h>

#include "gf2_impl.h"

#if TFQKD_X86
#include <immintrin.h>
#endif

unsigned tfqkd_cpu_features(void)
{
	unsigned f = 0;

#if TFQKD_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1"))
		f |= TFQKD_CPU_PCLMUL;
	if (__builtin_cpu_supports("avx2"))
		f |= TFQKD_CPU_AVX2;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl"))
		f |= TFQKD_CPU_AVX512;
	if (__builtin_cpu_supports("vpclmulqdq") && (f & TFQKD_CPU_PCLMUL))
		f |= TFQKD_CPU_VPCLMUL;
#endif
	return f;
}

const char *tfqkd_cpu_name(unsigned cpu)
{
	unsigned f = gf2_cpu(cpu);

	if ((f & TFQKD_CPU_AVX512) && (f & TFQKD_CPU_VPCLMUL))
		return "avx512+vpclmul";
	if (f & TFQKD_CPU_AVX512)
		return "avx512";
	if ((f & TFQKD_CPU_AVX2) && (f & TFQKD_CPU_PCLMUL))
		return "avx2+pclmul";
	if (f & TFQKD_CPU_AVX2)
		return "avx2";
	if (f & TFQKD_CPU_PCLMUL)
		return "pclmul";
	return "portable";
}

/* ---- portable carry-less multiplication ---- */

void gf2_clmul64_soft(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	uint64_t tab[16], l = 0, h = 0, a61 = a & 0x1fffffffffffffffULL;

	/* tab[i] = a61 * i; a61 has 61 bits so every entry fits in 64 bits */
	tab[0] = 0;
	tab[1] = a61;
	for (int i = 2; i < 16; i += 2) {
		tab[i] = tab[i / 2] << 1;
		tab[i + 1] = tab[i] ^ a61;
	}
	for (int s = 60; s >= 0; s -= 4) {
		uint64_t t = tab[(b >> s) & 15];

		h = (h << 4) | (l >> 60);
		l = (l << 4) ^ t;
	}
	/* the top three bits of a: add b * y^j for j = 61, 62, 63 */
	for (int j = 61; j < 64; j++) {
		uint64_t m = -((a >> j) & 1);

		l ^= (b << j) & m;
		h ^= (b >> (64 - j)) & m;
	}
	*lo = l;
	*hi = h;
}

#if TFQKD_X86
__attribute__((target("pclmul,sse4.1")))
static void clmul64_pclmul(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	__m128i p = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)a),
					 _mm_cvtsi64_si128((long long)b), 0x00);

	*lo = (uint64_t)_mm_cvtsi128_si64(p);
	*hi = (uint64_t)_mm_extract_epi64(p, 1);
}
#endif

/* carry-less product with @f already intersected with the CPU's features */
static void clmul64_f(uint64_t a, uint64_t b, uint64_t r[2], unsigned f)
{
#if TFQKD_X86
	if (f & TFQKD_CPU_PCLMUL) {
		clmul64_pclmul(a, b, &r[0], &r[1]);
		return;
	}
#endif
	gf2_clmul64_soft(a, b, &r[0], &r[1]);
}

void tfqkd_clmul64_cpu(uint64_t a, uint64_t b, uint64_t r[2], unsigned cpu)
{
	clmul64_f(a, b, r, gf2_cpu(cpu));
}

uint64_t tfqkd_gf64_mul_cpu(uint64_t a, uint64_t b, unsigned cpu)
{
	uint64_t r[2];

	tfqkd_clmul64_cpu(a, b, r, cpu);
	return gf64_reduce(r[0], r[1]);
}

uint64_t tfqkd_gf64_mul(uint64_t a, uint64_t b)
{
	return tfqkd_gf64_mul_cpu(a, b, TFQKD_CPU_ALL);
}

static struct tfqkd_gf128 gf128_mul_f(struct tfqkd_gf128 a, struct tfqkd_gf128 b, unsigned f)
{
	uint64_t ll[2], hh[2], mm[2];

	/* Karatsuba: (a1 y^64 + a0)(b1 y^64 + b0) */
	clmul64_f(a.lo, b.lo, ll, f);
	clmul64_f(a.hi, b.hi, hh, f);
	clmul64_f(a.lo ^ a.hi, b.lo ^ b.hi, mm, f);
	mm[0] ^= ll[0] ^ hh[0];
	mm[1] ^= ll[1] ^ hh[1];
	return gf128_reduce(ll[0], ll[1] ^ mm[0], hh[0] ^ mm[1], hh[1]);
}

struct tfqkd_gf128 tfqkd_gf128_mul_cpu(struct tfqkd_gf128 a, struct tfqkd_gf128 b,
				       unsigned cpu)
{
	return gf128_mul_f(a, b, gf2_cpu(cpu));
}

struct tfqkd_gf128 tfqkd_gf128_mul(struct tfqkd_gf128 a, struct tfqkd_gf128 b)
{
	return tfqkd_gf128_mul_cpu(a, b, TFQKD_CPU_ALL);
}

/* ---- polynomial hash over GF(2^64) ---- */

static uint64_t polyhash64_soft(uint64_t key, const unsigned char *msg, size_t nbits)
{
	size_t nblk = (nbits + 63) / 64;
	uint64_t acc = 0, lo, hi;

	for (size_t i = 0; i <= nblk; i++) {
		acc ^= i < nblk ? load_bits64(msg, nbits, i) : (uint64_t)nbits;
		gf2_clmul64_soft(acc, key, &lo, &hi);
		acc = gf64_reduce(lo, hi);
	}
	return acc;
}

#if TFQKD_X86
__attribute__((target("pclmul,sse4.1")))
static inline __m128i clmul_lo(uint64_t a, uint64_t b)
{
	return _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)a),
				    _mm_cvtsi64_si128((long long)b), 0x00);
}

__attribute__((target("pclmul,sse4.1")))
static inline uint64_t reduce128(__m128i p)
{
	return gf64_reduce((uint64_t)_mm_cvtsi128_si64(p), (uint64_t)_mm_extract_epi64(p, 1));
}

__attribute__((target("pclmul,sse4.1")))
static uint64_t polyhash64_pclmul(uint64_t key, const unsigned char *msg, size_t nbits)
{
	size_t nblk = (nbits + 63) / 64, full = nbits / 64, i = 0;
	uint64_t k1 = key, k2, k3, k4, acc = 0;

	k2 = reduce128(clmul_lo(k1, k1));
	k3 = reduce128(clmul_lo(k2, k1));
	k4 = reduce128(clmul_lo(k2, k2));
	/* four blocks per reduction: acc' = (acc+m0) k^4 + m1 k^3 + m2 k^2 + m3 k */
	for (; i + 4 <= full; i += 4) {
		const unsigned char *p = msg + i * 8;
		__m128i s = clmul_lo(acc ^ load_le64(p), k4);

		s = _mm_xor_si128(s, clmul_lo(load_le64(p + 8), k3));
		s = _mm_xor_si128(s, clmul_lo(load_le64(p + 16), k2));
		s = _mm_xor_si128(s, clmul_lo(load_le64(p + 24), k1));
		acc = reduce128(s);
	}
	for (; i <= nblk; i++) {
		acc ^= i < nblk ? load_bits64(msg, nbits, i) : (uint64_t)nbits;
		acc = reduce128(clmul_lo(acc, k1));
	}
	return acc;
}
#endif

uint64_t tfqkd_polyhash64_cpu(uint64_t key, const void *msg, size_t nbits, unsigned cpu)
{
	if (!msg)
		nbits = 0;
#if TFQKD_X86
	if (gf2_cpu(cpu) & TFQKD_CPU_PCLMUL)
		return polyhash64_pclmul(key, msg, nbits);
#endif
	return polyhash64_soft(key, msg, nbits);
}

uint64_t tfqkd_polyhash64(uint64_t key, const void *msg, size_t nbits)
{
	return tfqkd_polyhash64_cpu(key, msg, nbits, TFQKD_CPU_ALL);
}

/* ---- polynomial hash over GF(2^128) ---- */

struct tfqkd_gf128 tfqkd_polyhash128_cpu(struct tfqkd_gf128 key, const void *msg,
					 size_t nbits, unsigned cpu)
{
	const unsigned char *m = msg;
	size_t nblk, i;
	struct tfqkd_gf128 acc = { 0, 0 };
	unsigned f = gf2_cpu(cpu);

	if (!m)
		nbits = 0;
	nblk = (nbits + 127) / 128;
	for (i = 0; i <= nblk; i++) {
		if (i < nblk) {
			acc.lo ^= load_bits64(m, nbits, 2 * i);
			acc.hi ^= load_bits64(m, nbits, 2 * i + 1);
		} else {
			acc.lo ^= (uint64_t)nbits;
		}
		acc = gf128_mul_f(acc, key, f);
	}
	return acc;
}

struct tfqkd_gf128 tfqkd_polyhash128(struct tfqkd_gf128 key, const void *msg, size_t nbits)
{
	return tfqkd_polyhash128_cpu(key, msg, nbits, TFQKD_CPU_ALL);
}

double tfqkd_polyhash_log2_eps(unsigned tbits, size_t nbits)
{
	if (tbits != 64 && tbits != 128)
		return NAN;
	return log2((double)((nbits + tbits - 1) / tbits + 1)) - (double)tbits;
}
