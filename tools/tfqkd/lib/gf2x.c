// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Multiplication of long binary polynomials by an additive FFT over GF(2^64).
 *
 * Method (see lib/gf2x_impl.h and Documentation/tfqkd/postprocessing.rst): 32-bit chunks as
 * GF(2^64) coefficients, the Lin-Chung-Han transform on a Cantor basis with the basis
 * conversion fused in, point-wise products, inverse transform. With a Cantor basis the
 * subspace polynomials s_i(z) have coefficients in GF(2) (s_i = sum over the submasks j of i
 * of z^(2^j)), s_i(beta_i) = 1 and s_i(beta_j) = beta_{j-i}, so the twiddle factor of
 * block b at every level is tw(b) = sum_t bit_t(b) beta_{t+1}, and the basis conversion
 * needs XORs only.
 *
 * Written from the published descriptions of the algorithm (Lin, Chung, Han, FOCS 2014;
 * Gao and Mateer, IEEE T-IT 2010; Cantor, J. Combin. Theory A 1989).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gf2_impl.h"
#include "gf2x_impl.h"
#include "tfqkd/gf2x.h"

#if TFQKD_X86
#include <immintrin.h>
#endif

/* ---- field helpers used at set-up ---- */

static uint64_t mul_soft(uint64_t a, uint64_t b)
{
	uint64_t lo, hi;

	gf2_clmul64_soft(a, b, &lo, &hi);
	return gf64_reduce(lo, hi);
}

/*
 * Solve z^2 + z = c in GF(2^64); of the two solutions z, z + 1 return the one with
 * coefficient 0 at y^0. Return -1 if there is none (trace of c is 1).
 */
static int solve_artin_schreier(uint64_t c, uint64_t *z)
{
	uint64_t col[64], rows[64], rhs = c;
	int piv_col[64], nr = 0;

	/* column j: the image of y^j under z -> z^2 + z */
	for (int j = 0; j < 64; j++) {
		uint64_t e = 1ULL << j;

		col[j] = mul_soft(e, e) ^ e;
	}
	/* rows of the matrix M (64 x 64) with M[i][j] = bit i of col[j], augmented by rhs */
	for (int i = 0; i < 64; i++) {
		uint64_t r = 0;

		for (int j = 0; j < 64; j++)
			r |= ((col[j] >> i) & 1) << j;
		rows[i] = r;
	}
	uint64_t rb[64];

	for (int i = 0; i < 64; i++)
		rb[i] = (rhs >> i) & 1;
	/* Gauss-Jordan elimination; row i of the system is rows[i] . z = rb[i] */
	for (int j = 0; j < 64 && nr < 64; j++) {
		int p = -1;

		for (int i = nr; i < 64; i++)
			if ((rows[i] >> j) & 1) {
				p = i;
				break;
			}
		if (p < 0)
			continue;
		uint64_t tr = rows[p], tb = rb[p];

		rows[p] = rows[nr];
		rb[p] = rb[nr];
		rows[nr] = tr;
		rb[nr] = tb;
		for (int i = 0; i < 64; i++)
			if (i != nr && ((rows[i] >> j) & 1)) {
				rows[i] ^= rows[nr];
				rb[i] ^= rb[nr];
			}
		piv_col[nr++] = j;
	}
	for (int i = nr; i < 64; i++)
		if (rb[i])
			return -1;
	/* free variables (here only y^0) are zero */
	uint64_t sol = 0;

	for (int i = 0; i < nr; i++)
		sol |= rb[i] << piv_col[i];
	*z = sol;
	return 0;
}

static int cantor_basis(uint64_t beta[64], unsigned count)
{
	beta[0] = 1;
	for (unsigned i = 1; i < count; i++)
		if (solve_artin_schreier(beta[i - 1], &beta[i]))
			return -1;
	return 0;
}

int gf2x_plan_init(struct gf2x_plan *p, unsigned k, unsigned cpu)
{
	unsigned f = gf2_cpu(cpu);

	memset(p, 0, sizeof(*p));
	if (k > GF2X_MAX_K)
		return -EINVAL;
	p->k = k;
	p->n = (size_t)1 << k;
	if ((f & TFQKD_CPU_AVX512) && (f & TFQKD_CPU_VPCLMUL))
		p->isa = GF2X_AVX512_VPCLMUL;
	else if ((f & TFQKD_CPU_AVX2) && (f & TFQKD_CPU_VPCLMUL))
		p->isa = GF2X_AVX2_VPCLMUL;
	else if (f & TFQKD_CPU_PCLMUL)
		p->isa = GF2X_PCLMUL;
	else
		p->isa = GF2X_PORTABLE;
	if (cantor_basis(p->beta, 64))
		return -EDOM;	/* cannot happen for GF(2^64); checked by the tests */
	/* tw(b) = sum_t bit_t(b) beta_{t+1}, split into a low and a high table */
	p->twlo[0] = 0;
	for (unsigned t = 0; t < GF2X_TWLO_BITS; t++)
		for (size_t b = 0; b < ((size_t)1 << t); b++)
			p->twlo[((size_t)1 << t) + b] = p->twlo[b] ^ p->beta[t + 1];
	/* per-lane twiddle patterns of the 8-block base case: tw(i), tw(2i), tw(2i+1), tw(4i+q) */
	for (unsigned i = 0; i < 8; i++) {
		p->bc[0][i] = p->twlo[i];
		p->bc[1][i] = p->twlo[2 * i];
		p->bc[2][i] = p->twlo[2 * i + 1];
		for (unsigned q = 0; q < 4; q++)
			p->bc[3 + q][i] = p->twlo[4 * i + q];
	}
	if (k > GF2X_TWLO_BITS + 1) {
		size_t nh = (size_t)1 << (k - 1 - GF2X_TWLO_BITS);

		p->twhi = malloc(nh * sizeof(*p->twhi));
		if (!p->twhi)
			return -ENOMEM;
		p->twhi[0] = 0;
		for (unsigned t = 0; ((size_t)1 << t) < nh; t++)
			for (size_t b = 0; b < ((size_t)1 << t); b++)
				p->twhi[((size_t)1 << t) + b] =
					p->twhi[b] ^ p->beta[t + 1 + GF2X_TWLO_BITS];
	}
	return 0;
}

void gf2x_plan_destroy(struct gf2x_plan *p)
{
	free(p->twhi);
	p->twhi = NULL;
}

static inline uint64_t twiddle(const struct gf2x_plan *p, size_t b)
{
	uint64_t t = p->twlo[b & ((1u << GF2X_TWLO_BITS) - 1)];

	if (b >> GF2X_TWLO_BITS)
		t ^= p->twhi[b >> GF2X_TWLO_BITS];
	return t;
}

/* ---- kernels ---- */

/*
 * Each ISA provides:
 *   fwd(a, e, h, c): a[t] += c e[t]; e[t] += a[t]     (t < h)
 *   inv(a, e, h, c): e[t] += a[t]; a[t] += c e[t]
 *   pmul(a, b, n):   a[t] = a[t] b[t]
 * for any h, n (vector loops plus scalar tails).
 */

static void fwd_soft(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	for (size_t t = 0; t < h; t++) {
		a[t] ^= mul_soft(c, e[t]);
		e[t] ^= a[t];
	}
}

static void inv_soft(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	for (size_t t = 0; t < h; t++) {
		e[t] ^= a[t];
		a[t] ^= mul_soft(c, e[t]);
	}
}

static void pmul_soft(uint64_t *a, const uint64_t *b, size_t n)
{
	for (size_t t = 0; t < n; t++)
		a[t] = mul_soft(a[t], b[t]);
}

#if TFQKD_X86
#define T_PCLMUL __attribute__((target("pclmul,ssse3,sse4.1")))
#define T_AVX2VP __attribute__((target("avx2,pclmul,vpclmulqdq")))
#define T_AVX512VP __attribute__((target("avx512f,avx512bw,avx512vl,pclmul,vpclmulqdq")))

/*
 * Byte table for the reduction: with T the top nibble of the high product word H,
 * V = T ^ (T >> 1) ^ (T >> 3) is what y^4 + y^3 + y + 1 times H carries past y^63, and
 * red_tab[T] = V * (y^4 + y^3 + y + 1) (see gf64_reduce()). A product of two 64-bit
 * polynomials has degree <= 126, so T < 8 and the second row is never used.
 */
static const unsigned char red_tab[16] = {
	0x00, 0x1b, 0x2d, 0x36, 0x5a, 0x41, 0x77, 0x6c,
	0xaf, 0xb4, 0x82, 0x99, 0xf5, 0xee, 0xd8, 0xc3,
};

T_PCLMUL static inline uint64_t mul_pclmul(uint64_t a, uint64_t b)
{
	__m128i p = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)a),
					 _mm_cvtsi64_si128((long long)b), 0x00);

	return gf64_reduce((uint64_t)_mm_cvtsi128_si64(p), (uint64_t)_mm_extract_epi64(p, 1));
}

T_PCLMUL static inline __m128i red2(__m128i lo, __m128i hi, __m128i tab)
{
	__m128i w = _mm_shuffle_epi8(tab, _mm_srli_epi64(hi, 60));
	__m128i t = _mm_xor_si128(lo, hi);

	t = _mm_xor_si128(t, _mm_slli_epi64(hi, 1));
	t = _mm_xor_si128(t, _mm_slli_epi64(hi, 3));
	t = _mm_xor_si128(t, _mm_slli_epi64(hi, 4));
	return _mm_xor_si128(t, w);
}

/* two products e[0] c[0], e[1] c[1] (imm 0x00 and 0x11) or e[i] * c[0] (0x00, 0x01) */
T_PCLMUL static inline __m128i mul2c(__m128i e, __m128i c, __m128i tab)
{
	__m128i p0 = _mm_clmulepi64_si128(e, c, 0x00);
	__m128i p1 = _mm_clmulepi64_si128(e, c, 0x01);

	return red2(_mm_unpacklo_epi64(p0, p1), _mm_unpackhi_epi64(p0, p1), tab);
}

T_PCLMUL static inline __m128i mul2v(__m128i e, __m128i c, __m128i tab)
{
	__m128i p0 = _mm_clmulepi64_si128(e, c, 0x00);
	__m128i p1 = _mm_clmulepi64_si128(e, c, 0x11);

	return red2(_mm_unpacklo_epi64(p0, p1), _mm_unpackhi_epi64(p0, p1), tab);
}

T_PCLMUL static void fwd_pclmul(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m128i tab = _mm_loadu_si128((const __m128i *)red_tab);
	__m128i cc = _mm_set1_epi64x((long long)c);
	size_t t = 0;

	for (; t + 2 <= h; t += 2) {
		__m128i va = _mm_loadu_si128((__m128i *)(a + t));
		__m128i ve = _mm_loadu_si128((__m128i *)(e + t));

		va = _mm_xor_si128(va, mul2c(ve, cc, tab));
		ve = _mm_xor_si128(ve, va);
		_mm_storeu_si128((__m128i *)(a + t), va);
		_mm_storeu_si128((__m128i *)(e + t), ve);
	}
	for (; t < h; t++) {
		a[t] ^= mul_pclmul(c, e[t]);
		e[t] ^= a[t];
	}
}

T_PCLMUL static void inv_pclmul(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m128i tab = _mm_loadu_si128((const __m128i *)red_tab);
	__m128i cc = _mm_set1_epi64x((long long)c);
	size_t t = 0;

	for (; t + 2 <= h; t += 2) {
		__m128i va = _mm_loadu_si128((__m128i *)(a + t));
		__m128i ve = _mm_loadu_si128((__m128i *)(e + t));

		ve = _mm_xor_si128(ve, va);
		va = _mm_xor_si128(va, mul2c(ve, cc, tab));
		_mm_storeu_si128((__m128i *)(a + t), va);
		_mm_storeu_si128((__m128i *)(e + t), ve);
	}
	for (; t < h; t++) {
		e[t] ^= a[t];
		a[t] ^= mul_pclmul(c, e[t]);
	}
}

T_PCLMUL static void pmul_pclmul(uint64_t *a, const uint64_t *b, size_t n)
{
	__m128i tab = _mm_loadu_si128((const __m128i *)red_tab);
	size_t t = 0;

	for (; t + 2 <= n; t += 2) {
		__m128i va = _mm_loadu_si128((__m128i *)(a + t));
		__m128i vb = _mm_loadu_si128((const __m128i *)(b + t));

		_mm_storeu_si128((__m128i *)(a + t), mul2v(va, vb, tab));
	}
	for (; t < n; t++)
		a[t] = mul_pclmul(a[t], b[t]);
}

/* -- AVX2 + VPCLMULQDQ, 4 elements per vector -- */

T_AVX2VP static inline __m256i red4(__m256i lo, __m256i hi, __m256i tab)
{
	__m256i w = _mm256_shuffle_epi8(tab, _mm256_srli_epi64(hi, 60));
	__m256i t = _mm256_xor_si256(lo, hi);

	t = _mm256_xor_si256(t, _mm256_slli_epi64(hi, 1));
	t = _mm256_xor_si256(t, _mm256_slli_epi64(hi, 3));
	t = _mm256_xor_si256(t, _mm256_slli_epi64(hi, 4));
	return _mm256_xor_si256(t, w);
}

T_AVX2VP static inline __m256i mul4c(__m256i e, __m256i c, __m256i tab)
{
	__m256i p0 = _mm256_clmulepi64_epi128(e, c, 0x00);
	__m256i p1 = _mm256_clmulepi64_epi128(e, c, 0x01);

	return red4(_mm256_unpacklo_epi64(p0, p1), _mm256_unpackhi_epi64(p0, p1), tab);
}

T_AVX2VP static inline __m256i mul4v(__m256i e, __m256i c, __m256i tab)
{
	__m256i p0 = _mm256_clmulepi64_epi128(e, c, 0x00);
	__m256i p1 = _mm256_clmulepi64_epi128(e, c, 0x11);

	return red4(_mm256_unpacklo_epi64(p0, p1), _mm256_unpackhi_epi64(p0, p1), tab);
}

T_AVX2VP static void fwd_avx2(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m256i tab = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)red_tab));
	__m256i cc = _mm256_set1_epi64x((long long)c);
	size_t t = 0;

	for (; t + 4 <= h; t += 4) {
		__m256i va = _mm256_loadu_si256((__m256i *)(a + t));
		__m256i ve = _mm256_loadu_si256((__m256i *)(e + t));

		va = _mm256_xor_si256(va, mul4c(ve, cc, tab));
		ve = _mm256_xor_si256(ve, va);
		_mm256_storeu_si256((__m256i *)(a + t), va);
		_mm256_storeu_si256((__m256i *)(e + t), ve);
	}
	if (t < h)
		fwd_pclmul(a + t, e + t, h - t, c);
}

T_AVX2VP static void inv_avx2(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m256i tab = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)red_tab));
	__m256i cc = _mm256_set1_epi64x((long long)c);
	size_t t = 0;

	for (; t + 4 <= h; t += 4) {
		__m256i va = _mm256_loadu_si256((__m256i *)(a + t));
		__m256i ve = _mm256_loadu_si256((__m256i *)(e + t));

		ve = _mm256_xor_si256(ve, va);
		va = _mm256_xor_si256(va, mul4c(ve, cc, tab));
		_mm256_storeu_si256((__m256i *)(a + t), va);
		_mm256_storeu_si256((__m256i *)(e + t), ve);
	}
	if (t < h)
		inv_pclmul(a + t, e + t, h - t, c);
}

T_AVX2VP static void pmul_avx2(uint64_t *a, const uint64_t *b, size_t n)
{
	__m256i tab = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)red_tab));
	size_t t = 0;

	for (; t + 4 <= n; t += 4) {
		__m256i va = _mm256_loadu_si256((__m256i *)(a + t));
		__m256i vb = _mm256_loadu_si256((const __m256i *)(b + t));

		_mm256_storeu_si256((__m256i *)(a + t), mul4v(va, vb, tab));
	}
	if (t < n)
		pmul_pclmul(a + t, b + t, n - t);
}

/* -- AVX-512 + VPCLMULQDQ, 8 elements per vector -- */

T_AVX512VP static inline __m512i red8(__m512i lo, __m512i hi, __m512i tab)
{
	__m512i w = _mm512_shuffle_epi8(tab, _mm512_srli_epi64(hi, 60));
	__m512i t = _mm512_ternarylogic_epi64(lo, hi, _mm512_slli_epi64(hi, 1), 0x96);

	t = _mm512_ternarylogic_epi64(t, _mm512_slli_epi64(hi, 3), _mm512_slli_epi64(hi, 4), 0x96);
	return _mm512_xor_si512(t, w);
}

T_AVX512VP static inline __m512i mul8c(__m512i e, __m512i c, __m512i tab)
{
	__m512i p0 = _mm512_clmulepi64_epi128(e, c, 0x00);
	__m512i p1 = _mm512_clmulepi64_epi128(e, c, 0x01);

	return red8(_mm512_unpacklo_epi64(p0, p1), _mm512_unpackhi_epi64(p0, p1), tab);
}

T_AVX512VP static inline __m512i mul8v(__m512i e, __m512i c, __m512i tab)
{
	__m512i p0 = _mm512_clmulepi64_epi128(e, c, 0x00);
	__m512i p1 = _mm512_clmulepi64_epi128(e, c, 0x11);

	return red8(_mm512_unpacklo_epi64(p0, p1), _mm512_unpackhi_epi64(p0, p1), tab);
}

T_AVX512VP static void fwd_avx512(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m512i tab = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)red_tab));
	__m512i cc = _mm512_set1_epi64((long long)c);
	size_t t = 0;

	for (; t + 8 <= h; t += 8) {
		__m512i va = _mm512_loadu_si512(a + t);
		__m512i ve = _mm512_loadu_si512(e + t);

		va = _mm512_xor_si512(va, mul8c(ve, cc, tab));
		ve = _mm512_xor_si512(ve, va);
		_mm512_storeu_si512(a + t, va);
		_mm512_storeu_si512(e + t, ve);
	}
	if (t < h)
		fwd_pclmul(a + t, e + t, h - t, c);
}

T_AVX512VP static void inv_avx512(uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	__m512i tab = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)red_tab));
	__m512i cc = _mm512_set1_epi64((long long)c);
	size_t t = 0;

	for (; t + 8 <= h; t += 8) {
		__m512i va = _mm512_loadu_si512(a + t);
		__m512i ve = _mm512_loadu_si512(e + t);

		ve = _mm512_xor_si512(ve, va);
		va = _mm512_xor_si512(va, mul8c(ve, cc, tab));
		_mm512_storeu_si512(a + t, va);
		_mm512_storeu_si512(e + t, ve);
	}
	if (t < h)
		inv_pclmul(a + t, e + t, h - t, c);
}

T_AVX512VP static void pmul_avx512(uint64_t *a, const uint64_t *b, size_t n)
{
	__m512i tab = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)red_tab));
	size_t t = 0;

	for (; t + 8 <= n; t += 8) {
		__m512i va = _mm512_loadu_si512(a + t);
		__m512i vb = _mm512_loadu_si512(b + t);

		_mm512_storeu_si512(a + t, mul8v(va, vb, tab));
	}
	if (t < n)
		pmul_pclmul(a + t, b + t, n - t);
}
#endif /* TFQKD_X86 */

static void kern_fwd(const struct gf2x_plan *p, uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	if (!c) {	/* a unchanged, e += a */
		for (size_t t = 0; t < h; t++)
			e[t] ^= a[t];
		return;
	}
	switch (p->isa) {
#if TFQKD_X86
	case GF2X_AVX512_VPCLMUL:
		fwd_avx512(a, e, h, c);
		return;
	case GF2X_AVX2_VPCLMUL:
		fwd_avx2(a, e, h, c);
		return;
	case GF2X_PCLMUL:
		fwd_pclmul(a, e, h, c);
		return;
#endif
	default:
		fwd_soft(a, e, h, c);
	}
}

static void kern_inv(const struct gf2x_plan *p, uint64_t *a, uint64_t *e, size_t h, uint64_t c)
{
	if (!c) {
		for (size_t t = 0; t < h; t++)
			e[t] ^= a[t];
		return;
	}
	switch (p->isa) {
#if TFQKD_X86
	case GF2X_AVX512_VPCLMUL:
		inv_avx512(a, e, h, c);
		return;
	case GF2X_AVX2_VPCLMUL:
		inv_avx2(a, e, h, c);
		return;
	case GF2X_PCLMUL:
		inv_pclmul(a, e, h, c);
		return;
#endif
	default:
		inv_soft(a, e, h, c);
	}
}

void gf2x_pointmul(const struct gf2x_plan *p, uint64_t *a, const uint64_t *b)
{
	switch (p->isa) {
#if TFQKD_X86
	case GF2X_AVX512_VPCLMUL:
		pmul_avx512(a, b, p->n);
		return;
	case GF2X_AVX2_VPCLMUL:
		pmul_avx2(a, b, p->n);
		return;
	case GF2X_PCLMUL:
		pmul_pclmul(a, b, p->n);
		return;
#endif
	default:
		pmul_soft(a, b, p->n);
	}
}

/* ---- transform ---- */

typedef uint64_t v8u64 __attribute__((vector_size(64)));

#define DIV_BLOCK 1024	/* words of division sources handled together (8 KiB) */

static void xor_into_generic(uint64_t *restrict dst, const uint64_t *restrict src, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		v8u64 x, y;

		memcpy(&x, dst + i, sizeof(x));
		memcpy(&y, src + i, sizeof(y));
		x ^= y;
		memcpy(dst + i, &x, sizeof(x));
	}
	for (; i < n; i++)
		dst[i] ^= src[i];
}

#if TFQKD_X86
T_AVX512VP static void xor_into_avx512(uint64_t *restrict dst, const uint64_t *restrict src,
				       size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(dst + i),
							      _mm512_loadu_si512(src + i)));
	for (; i < n; i++)
		dst[i] ^= src[i];
}
#endif

static inline void xor_into(const struct gf2x_plan *p, uint64_t *restrict dst,
			    const uint64_t *restrict src, size_t n)
{
#if TFQKD_X86
	if (p->isa == GF2X_AVX512_VPCLMUL) {
		xor_into_avx512(dst, src, n);
		return;
	}
#endif
	xor_into_generic(dst, src, n);
}

/*
 * Divide the block f (monomial coefficients, size 2^l, nonzero below @top) by s_{l-1}:
 * afterwards f[0, h) is the remainder and f[h, 2h) the quotient (h = 2^(l-1)).
 * Sequentially: for d = top-1 down to h, for each proper submask j of l-1,
 * f[d - h + 2^j] += f[d]. The targets are at least h/2 below their source, so chunks of
 * up to h/2 sources can be processed at once (in any order of j).
 */
static void divide(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t top)
{
	unsigned jm = l - 1, nd = 0;
	size_t h = (size_t)1 << jm, chunk = h >> 1, dist[32];

	if (!jm)
		return;
	for (unsigned j = (jm - 1) & jm;; j = (j - 1) & jm) {
		dist[nd++] = h - ((size_t)1 << j);
		if (!j)
			break;
	}
	if (chunk > DIV_BLOCK)
		chunk = DIV_BLOCK;	/* sources stay in L1 while all their targets are updated */
	while (top > h) {
		size_t lo = top - h > chunk ? top - chunk : h;

		for (unsigned i = 0; i < nd; i++)
			xor_into(p, f + lo - dist[i], f + lo, top - lo);
		top = lo;
	}
}

/* The inverse of divide(): f = f[0, h) + s_{l-1} f[h, 2h) (steps in ascending order). */
static void undivide(const struct gf2x_plan *p, uint64_t *f, unsigned l)
{
	unsigned jm = l - 1, nd = 0;
	size_t h = (size_t)1 << jm, chunk = h >> 1, dist[32];

	if (!jm)
		return;
	for (unsigned j = (jm - 1) & jm;; j = (j - 1) & jm) {
		dist[nd++] = h - ((size_t)1 << j);
		if (!j)
			break;
	}
	if (chunk > DIV_BLOCK)
		chunk = DIV_BLOCK;
	for (size_t lo = h; lo < 2 * h; lo += chunk)
		for (unsigned i = 0; i < nd; i++)
			xor_into(p, f + lo - dist[i], f + lo, chunk);
}

/* one level of the forward transform on the full block f (size 2^l, offset @off) */
static void level_fwd(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off)
{
	size_t h = (size_t)1 << (l - 1);

	divide(p, f, l, 2 * h);
	kern_fwd(p, f, f + h, h, twiddle(p, off >> l));
}

static void level_inv(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off)
{
	size_t h = (size_t)1 << (l - 1);

	kern_inv(p, f, f + h, h, twiddle(p, off >> l));
	undivide(p, f, l);
}

static inline uint64_t mul1(const struct gf2x_plan *p, uint64_t a, uint64_t b)
{
#if TFQKD_X86
	if (p->isa != GF2X_PORTABLE)
		return mul_pclmul(a, b);
#endif
	return mul_soft(a, b);
}

/*
 * Levels 3, 2, 1 on one block of 8 (offset @off): divisions by s_2 = z^4 + z and
 * s_1 = z^2 + z written out, then the butterflies.
 */
static void base8_fwd(const struct gf2x_plan *p, uint64_t *f, size_t off)
{
	uint64_t t3 = twiddle(p, off >> 3), t2a = twiddle(p, off >> 2);
	uint64_t t2b = twiddle(p, (off >> 2) | 1);

	f[4] ^= f[7];
	f[3] ^= f[6];
	f[2] ^= f[5];
	f[1] ^= f[4];
	for (int j = 0; j < 4; j++) {
		f[j] ^= mul1(p, t3, f[j + 4]);
		f[j + 4] ^= f[j];
	}
	f[2] ^= f[3];
	f[1] ^= f[2];
	f[6] ^= f[7];
	f[5] ^= f[6];
	for (int j = 0; j < 2; j++) {
		f[j] ^= mul1(p, t2a, f[j + 2]);
		f[j + 2] ^= f[j];
		f[j + 4] ^= mul1(p, t2b, f[j + 6]);
		f[j + 6] ^= f[j + 4];
	}
	for (int j = 0; j < 8; j += 2) {
		f[j] ^= mul1(p, twiddle(p, (off + j) >> 1), f[j + 1]);
		f[j + 1] ^= f[j];
	}
}

static void base8_inv(const struct gf2x_plan *p, uint64_t *f, size_t off)
{
	uint64_t t3 = twiddle(p, off >> 3), t2a = twiddle(p, off >> 2);
	uint64_t t2b = twiddle(p, (off >> 2) | 1);

	for (int j = 0; j < 8; j += 2) {
		f[j + 1] ^= f[j];
		f[j] ^= mul1(p, twiddle(p, (off + j) >> 1), f[j + 1]);
	}
	for (int j = 0; j < 2; j++) {
		f[j + 2] ^= f[j];
		f[j] ^= mul1(p, t2a, f[j + 2]);
		f[j + 6] ^= f[j + 4];
		f[j + 4] ^= mul1(p, t2b, f[j + 6]);
	}
	f[1] ^= f[2];
	f[2] ^= f[3];
	f[5] ^= f[6];
	f[6] ^= f[7];
	for (int j = 0; j < 4; j++) {
		f[j + 4] ^= f[j];
		f[j] ^= mul1(p, t3, f[j + 4]);
	}
	f[1] ^= f[4];
	f[2] ^= f[5];
	f[3] ^= f[6];
	f[4] ^= f[7];
}

#if TFQKD_X86
/* 8x8 transpose of 64-bit elements (its own inverse) */
T_AVX512VP static inline void transpose8(__m512i r[8])
{
	const __m512i i0 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
	const __m512i i1 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
	__m512i t[8], u[8];

	for (int i = 0; i < 4; i++) {
		t[2 * i] = _mm512_unpacklo_epi64(r[2 * i], r[2 * i + 1]);
		t[2 * i + 1] = _mm512_unpackhi_epi64(r[2 * i], r[2 * i + 1]);
	}
	/* u[0]: column 0|4 of rows 0-3, u[1]: 2|6, u[2]: 1|5, u[3]: 3|7; u[4..7]: rows 4-7 */
	for (int g = 0; g < 2; g++) {
		u[4 * g + 0] = _mm512_permutex2var_epi64(t[4 * g + 0], i0, t[4 * g + 2]);
		u[4 * g + 1] = _mm512_permutex2var_epi64(t[4 * g + 0], i1, t[4 * g + 2]);
		u[4 * g + 2] = _mm512_permutex2var_epi64(t[4 * g + 1], i0, t[4 * g + 3]);
		u[4 * g + 3] = _mm512_permutex2var_epi64(t[4 * g + 1], i1, t[4 * g + 3]);
	}
	r[0] = _mm512_shuffle_i64x2(u[0], u[4], 0x44);
	r[4] = _mm512_shuffle_i64x2(u[0], u[4], 0xee);
	r[2] = _mm512_shuffle_i64x2(u[1], u[5], 0x44);
	r[6] = _mm512_shuffle_i64x2(u[1], u[5], 0xee);
	r[1] = _mm512_shuffle_i64x2(u[2], u[6], 0x44);
	r[5] = _mm512_shuffle_i64x2(u[2], u[6], 0xee);
	r[3] = _mm512_shuffle_i64x2(u[3], u[7], 0x44);
	r[7] = _mm512_shuffle_i64x2(u[3], u[7], 0xee);
}

/*
 * base8_fwd() on 8 adjacent blocks (64 words at offset @off, a multiple of 64) at once:
 * after the transpose, lane i of register j holds word j of block i, and every step is a
 * vertical operation with per-lane twiddles tw(base) + tw(lane pattern) (tw is XOR-linear).
 */
T_AVX512VP static void base64_fwd_avx512(const struct gf2x_plan *p, uint64_t *f, size_t off)
{
	__m512i tab = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)red_tab));
	__m512i c[8], t3, t2a, t2b, t1[4];
	__m512i bc[7];

	for (int i = 0; i < 7; i++)
		bc[i] = _mm512_loadu_si512(p->bc[i]);

	for (int j = 0; j < 8; j++)
		c[j] = _mm512_loadu_si512(f + 8 * j);
	transpose8(c);
	t3 = _mm512_xor_si512(_mm512_set1_epi64((long long)twiddle(p, off >> 3)), bc[0]);
	__m512i b2 = _mm512_set1_epi64((long long)twiddle(p, off >> 2));
	__m512i b1 = _mm512_set1_epi64((long long)twiddle(p, off >> 1));

	t2a = _mm512_xor_si512(b2, bc[1]);
	t2b = _mm512_xor_si512(b2, bc[2]);
	for (int q = 0; q < 4; q++)
		t1[q] = _mm512_xor_si512(b1, bc[3 + q]);

	c[4] = _mm512_xor_si512(c[4], c[7]);
	c[3] = _mm512_xor_si512(c[3], c[6]);
	c[2] = _mm512_xor_si512(c[2], c[5]);
	c[1] = _mm512_xor_si512(c[1], c[4]);
	for (int j = 0; j < 4; j++) {
		c[j] = _mm512_xor_si512(c[j], mul8v(c[j + 4], t3, tab));
		c[j + 4] = _mm512_xor_si512(c[j + 4], c[j]);
	}
	c[2] = _mm512_xor_si512(c[2], c[3]);
	c[1] = _mm512_xor_si512(c[1], c[2]);
	c[6] = _mm512_xor_si512(c[6], c[7]);
	c[5] = _mm512_xor_si512(c[5], c[6]);
	for (int j = 0; j < 2; j++) {
		c[j] = _mm512_xor_si512(c[j], mul8v(c[j + 2], t2a, tab));
		c[j + 2] = _mm512_xor_si512(c[j + 2], c[j]);
		c[j + 4] = _mm512_xor_si512(c[j + 4], mul8v(c[j + 6], t2b, tab));
		c[j + 6] = _mm512_xor_si512(c[j + 6], c[j + 4]);
	}
	for (int q = 0; q < 4; q++) {
		c[2 * q] = _mm512_xor_si512(c[2 * q], mul8v(c[2 * q + 1], t1[q], tab));
		c[2 * q + 1] = _mm512_xor_si512(c[2 * q + 1], c[2 * q]);
	}
	transpose8(c);
	for (int j = 0; j < 8; j++)
		_mm512_storeu_si512(f + 8 * j, c[j]);
}

T_AVX512VP static void base64_inv_avx512(const struct gf2x_plan *p, uint64_t *f, size_t off)
{
	__m512i tab = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)red_tab));
	__m512i c[8], t3, t2a, t2b, t1[4];
	__m512i bc[7];

	for (int i = 0; i < 7; i++)
		bc[i] = _mm512_loadu_si512(p->bc[i]);

	for (int j = 0; j < 8; j++)
		c[j] = _mm512_loadu_si512(f + 8 * j);
	transpose8(c);
	t3 = _mm512_xor_si512(_mm512_set1_epi64((long long)twiddle(p, off >> 3)), bc[0]);
	__m512i b2 = _mm512_set1_epi64((long long)twiddle(p, off >> 2));
	__m512i b1 = _mm512_set1_epi64((long long)twiddle(p, off >> 1));

	t2a = _mm512_xor_si512(b2, bc[1]);
	t2b = _mm512_xor_si512(b2, bc[2]);
	for (int q = 0; q < 4; q++)
		t1[q] = _mm512_xor_si512(b1, bc[3 + q]);

	for (int q = 0; q < 4; q++) {
		c[2 * q + 1] = _mm512_xor_si512(c[2 * q + 1], c[2 * q]);
		c[2 * q] = _mm512_xor_si512(c[2 * q], mul8v(c[2 * q + 1], t1[q], tab));
	}
	for (int j = 0; j < 2; j++) {
		c[j + 2] = _mm512_xor_si512(c[j + 2], c[j]);
		c[j] = _mm512_xor_si512(c[j], mul8v(c[j + 2], t2a, tab));
		c[j + 6] = _mm512_xor_si512(c[j + 6], c[j + 4]);
		c[j + 4] = _mm512_xor_si512(c[j + 4], mul8v(c[j + 6], t2b, tab));
	}
	c[1] = _mm512_xor_si512(c[1], c[2]);
	c[2] = _mm512_xor_si512(c[2], c[3]);
	c[5] = _mm512_xor_si512(c[5], c[6]);
	c[6] = _mm512_xor_si512(c[6], c[7]);
	for (int j = 0; j < 4; j++) {
		c[j + 4] = _mm512_xor_si512(c[j + 4], c[j]);
		c[j] = _mm512_xor_si512(c[j], mul8v(c[j + 4], t3, tab));
	}
	c[1] = _mm512_xor_si512(c[1], c[4]);
	c[2] = _mm512_xor_si512(c[2], c[5]);
	c[3] = _mm512_xor_si512(c[3], c[6]);
	c[4] = _mm512_xor_si512(c[4], c[7]);
	transpose8(c);
	for (int j = 0; j < 8; j++)
		_mm512_storeu_si512(f + 8 * j, c[j]);
}
#endif

#define LEAF 6	/* blocks of 2^LEAF words are finished without further recursion */

/* all levels of a full block of size 2^l, 3 <= l <= LEAF */
static void fwd_leaf(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off)
{
	for (unsigned lv = l; lv > 3; lv--)
		for (size_t b = 0; b < ((size_t)1 << l); b += (size_t)1 << lv)
			level_fwd(p, f + b, lv, off + b);
#if TFQKD_X86
	if (l == 6 && p->isa == GF2X_AVX512_VPCLMUL) {
		base64_fwd_avx512(p, f, off);
		return;
	}
#endif
	for (size_t b = 0; b < ((size_t)1 << l); b += 8)
		base8_fwd(p, f + b, off + b);
}

static void inv_leaf(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off)
{
#if TFQKD_X86
	if (l == 6 && p->isa == GF2X_AVX512_VPCLMUL)
		base64_inv_avx512(p, f, off);
	else
#endif
		for (size_t b = 0; b < ((size_t)1 << l); b += 8)
			base8_inv(p, f + b, off + b);
	for (unsigned lv = 4; lv <= l; lv++)
		for (size_t b = 0; b < ((size_t)1 << l); b += (size_t)1 << lv)
			level_inv(p, f + b, lv, off + b);
}

/*
 * Forward transform of the block f of size 2^l at global offset @off. The coefficients at
 * index >= @len are zero; the memory there holds garbage and is never read as data.
 */
static void fwd_rec(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off, size_t len)
{
	size_t h = (size_t)1 << l >> 1;

	if (len < ((size_t)1 << l))
		memset(f + len, 0, (((size_t)1 << l) - len) * sizeof(*f));
	if (l >= 3 && l <= LEAF) {
		fwd_leaf(p, f, l, off);
		return;
	}
	if (!l)
		return;
	if (len > h) {
		divide(p, f, l, len < 2 * h ? len : 2 * h);
		kern_fwd(p, f, f + h, h, twiddle(p, off >> l));
		len = h;
	} else {
		/* upper half zero: the butterfly copies the lower half into it */
		memcpy(f + h, f, len * sizeof(*f));
	}
	fwd_rec(p, f, l - 1, off, len);
	fwd_rec(p, f + h, l - 1, off + h, len);
}

static void inv_rec(const struct gf2x_plan *p, uint64_t *f, unsigned l, size_t off)
{
	size_t h;

	if (l >= 3 && l <= LEAF) {
		inv_leaf(p, f, l, off);
		return;
	}
	if (!l)
		return;
	h = (size_t)1 << (l - 1);
	inv_rec(p, f, l - 1, off);
	inv_rec(p, f + h, l - 1, off + h);
	level_inv(p, f, l, off);
}

void gf2x_fwd(const struct gf2x_plan *p, uint64_t *f, size_t len)
{
	fwd_rec(p, f, p->k, 0, len);
}

void gf2x_inv(const struct gf2x_plan *p, uint64_t *f)
{
	inv_rec(p, f, p->k, 0);
}

void gf2x_chunk32(uint64_t *dst, const uint64_t *src, size_t nbits)
{
	size_t nw = nbits / 64, i;

	for (i = 0; i < nw; i++) {
		dst[2 * i] = src[i] & 0xffffffffULL;
		dst[2 * i + 1] = src[i] >> 32;
	}
	if (nbits % 64) {
		uint64_t w = src[nw] & ((1ULL << (nbits % 64)) - 1);

		dst[2 * nw] = w & 0xffffffffULL;
		if (nbits % 64 > 32)
			dst[2 * nw + 1] = w >> 32;
	}
}

/* ---- public polynomial product ---- */

static unsigned ceil_log2(size_t x)
{
	unsigned k = 0;

	while (((size_t)1 << k) < x)
		k++;
	return k;
}

int tfqkd_gf2x_mul_cpu(uint64_t *c, const uint64_t *a, size_t abits, const uint64_t *b,
		       size_t bbits, unsigned cpu)
{
	struct gf2x_plan plan;
	size_t la, lb, nprod, cbits, cw;
	uint64_t *fa = NULL, *fb = NULL;
	unsigned k;
	int ret;

	if (!c || (!a && abits) || (!b && bbits))
		return -EINVAL;
	cbits = abits && bbits ? abits + bbits - 1 : 0;
	cw = (cbits + 63) / 64;
	if (!cbits) {
		return 0;
	}
	la = (abits + 31) / 32;
	lb = (bbits + 31) / 32;
	nprod = la + lb - 1;
	k = ceil_log2(nprod);
	if (k > GF2X_MAX_K)
		return -E2BIG;
	ret = gf2x_plan_init(&plan, k, cpu);
	if (ret)
		goto out;
	ret = -ENOMEM;
	fa = malloc(plan.n * sizeof(*fa));
	fb = malloc(plan.n * sizeof(*fb));
	if (!fa || !fb)
		goto out;
	gf2x_chunk32(fa, a, abits);
	gf2x_chunk32(fb, b, bbits);
	gf2x_fwd(&plan, fa, la);
	gf2x_fwd(&plan, fb, lb);
	gf2x_pointmul(&plan, fa, fb);
	gf2x_inv(&plan, fa);
	/* recombine: bit 32 i + t of the product gets bit t of chunk product i */
	memset(c, 0, cw * sizeof(*c));
	for (size_t i = 0; i < nprod; i++) {
		uint64_t v = fa[i];
		size_t w = i / 2;

		if (i & 1) {
			c[w] ^= v << 32;
			if (w + 1 < cw)
				c[w + 1] ^= v >> 32;
		} else {
			c[w] ^= v;
		}
	}
	if (cbits % 64)
		c[cw - 1] &= (1ULL << (cbits % 64)) - 1;
	ret = 0;
out:
	free(fa);
	free(fb);
	gf2x_plan_destroy(&plan);
	return ret;
}

int tfqkd_gf2x_mul(uint64_t *c, const uint64_t *a, size_t abits, const uint64_t *b,
		   size_t bbits)
{
	return tfqkd_gf2x_mul_cpu(c, a, abits, b, bbits, TFQKD_CPU_ALL);
}
