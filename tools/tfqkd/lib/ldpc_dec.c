// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Layered sum-product decoder for the QC-LDPC family, 8-bit messages.
 *
 * Check-node rule (one layer = one base row = z checks processed together):
 *   t_j  = L_j - R_j                      (variable-to-check, L = posterior LLR)
 *   (the posteriors are 16-bit: a layered decoder needs L = channel + sum of all R exactly,
 *   so L may not saturate at the 8-bit message range; t is clamped to 8 bits for the
 *   check-node rule only)
 *   f_j  = PHI[|t_j|]                     (phi(x) = -ln tanh(x/2), 16-bit, step 1/256)
 *   R'_j = sign * min(PHIINV[sum_i f_i - f_j], min_{i!=j} |t_i|)
 *   L_j  = t_j + R'_j
 * The phi-domain sum is 16-bit (saturating at 65535, far beyond the 4096 from which the
 * output is 0); PHIINV is a two-level table (see make_tables()). The cap by the smallest
 * other input magnitude is exact for the true rule and removes what is left of the
 * quantisation error for large messages.
 *
 * Two code paths with identical results: portable C and AVX-512 (BW + VBMI) with 64 checks
 * per vector. A layer reads the posteriors of a base column at offset (k + shift) mod z; the
 * AVX-512 path keeps a copy of the first 64 bytes of every column after its end so that
 * such reads never wrap, and repairs it after each layer.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gf2_impl.h"
#include "ldpc_impl.h"

#if TFQKD_X86
#include <immintrin.h>
#define T_AVX512VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
#endif

#define MIRROR 64
#define KNOWN 4096	/* posterior of a known bit: far beyond any message sum */

enum dec_path { DEC_PORTABLE, DEC_AVX512 };

struct tfqkd_ldpc_dec {
	const struct tfqkd_ldpc_code *code;
	enum dec_path path;
	unsigned z, nb, mb, lstride;
	int16_t *L;		/* nb columns of lstride = z + MIRROR entries */
	int8_t *R;		/* one z-byte vector per base edge, in layer order */
	uint64_t *syn;		/* M bits */
	int16_t *t16;		/* dc_max * 64 extrinsics, 16-bit */
	int8_t *t8;		/* the same clamped to 8 bits */
	uint16_t *tf;		/* their phi values (AVX-512 path) */
	int16_t **ecol;		/* per edge of the current layer: its column's posteriors */
	unsigned *eshift;	/* ... and its shift */
	uint64_t *hd2;		/* hard decisions, each column twice (syndrome check) */
	uint64_t *chk;		/* M bits of scratch */
	uint8_t philo[128] __attribute__((aligned(64)));	/* PHI, low bytes */
	uint8_t phihi[128] __attribute__((aligned(64)));	/* PHI, high bytes */
	uint8_t invf[256] __attribute__((aligned(64)));		/* PHIINV, fine part */
	uint8_t invc[128] __attribute__((aligned(64)));		/* PHIINV, coarse part */
};

/*
 * PHI[m] = min(round(256 phi(m / 8)), PHI_CAP): the phi value of an input of magnitude
 * m/8, in units of 1/256, 16-bit. The inverse on a sum v (same units):
 *   v < 255:      INVF[v]      = round(8 phi(v / 256))
 *   v < 4096:     INVC[v >> 5] = round(8 phi((32 (v >> 5) + 16) / 256))
 *   v >= 4096:    INVC[127] (0: a sum of 16 or more means no information)
 * A check of degree 70 sums 69 terms; terms of reliable inputs are small, so the step must
 * be fine (1/256) and the sum exact (16-bit, saturating far beyond where the output is 0).
 * Coarser 8-bit terms made the decoder far worse than floating-point BP at high rates.
 */
#define PHI_ONE 256.0
#define PHI_CAP 4095

static void make_tables(struct tfqkd_ldpc_dec *d)
{
	const double one = TFQKD_LDPC_LLR_ONE;

	for (int m = 0; m < 128; m++) {
		double x = m / one, v = m ? -log(tanh(x / 2)) * PHI_ONE : 1e9;
		unsigned q = (unsigned)(v >= PHI_CAP ? PHI_CAP : floor(v + 0.5));

		d->philo[m] = (uint8_t)q;
		d->phihi[m] = (uint8_t)(q >> 8);
	}
	for (int s = 0; s < 256; s++) {
		double x = s / PHI_ONE, v = s ? -log(tanh(x / 2)) * one : 1e9;

		d->invf[s] = (uint8_t)(v >= 127 ? 127 : floor(v + 0.5));
		if (s < 128) {
			x = (32.0 * s + 16) / PHI_ONE;
			v = -log(tanh(x / 2)) * one;
			d->invc[s] = (uint8_t)(v >= 127 ? 127 : floor(v + 0.5));
		}
	}
}

int tfqkd_ldpc_llr_of_qber(double q)
{
	double v;

	if (!(q > 0 && q < 0.5))
		return q <= 0 ? TFQKD_LDPC_LLR_MAX : 1;
	v = floor(TFQKD_LDPC_LLR_ONE * log((1 - q) / q) + 0.5);
	if (v < 1)
		v = 1;
	if (v > TFQKD_LDPC_LLR_MAX)
		v = TFQKD_LDPC_LLR_MAX;
	return (int)v;
}

int tfqkd_ldpc_dec_new(struct tfqkd_ldpc_dec **out, const struct tfqkd_ldpc_code *code,
		       unsigned cpu)
{
	struct tfqkd_ldpc_dec *d;
	size_t zw;

	if (!out || !code)
		return -EINVAL;
	*out = NULL;
	if (code->dc_max > 254)	/* edge indices are bytes, 255 means "none" */
		return -EINVAL;
	if (posix_memalign((void **)&d, 64, sizeof(*d)))
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->code = code;
	d->z = code->z;
	d->nb = code->nb;
	d->mb = code->mb;
	d->lstride = code->z + MIRROR;
	zw = code->z / 64;
	d->path = DEC_PORTABLE;
#if TFQKD_X86
	__builtin_cpu_init();
	if ((gf2_cpu(cpu) & TFQKD_CPU_AVX512) && __builtin_cpu_supports("avx512vbmi"))
		d->path = DEC_AVX512;
#endif
	make_tables(d);
	if (posix_memalign((void **)&d->L, 64, sizeof(*d->L) * d->lstride * d->nb) ||
	    posix_memalign((void **)&d->R, 64, (size_t)code->nedges * code->z) ||
	    posix_memalign((void **)&d->t16, 64, sizeof(*d->t16) * (code->dc_max + 1) * 64) ||
	    posix_memalign((void **)&d->t8, 64, (size_t)(code->dc_max + 1) * 64) ||
	    posix_memalign((void **)&d->tf, 64, sizeof(*d->tf) * (code->dc_max + 1) * 64)) {
		tfqkd_ldpc_dec_free(d);
		return -ENOMEM;
	}
	d->ecol = calloc(code->dc_max + 1, sizeof(*d->ecol));
	d->eshift = calloc(code->dc_max + 1, sizeof(*d->eshift));
	d->syn = calloc(zw * d->mb, sizeof(*d->syn));
	d->chk = calloc(zw * d->mb, sizeof(*d->chk));
	d->hd2 = calloc((2 * zw + 1) * d->nb, sizeof(*d->hd2));
	if (!d->syn || !d->chk || !d->hd2 || !d->ecol || !d->eshift) {
		tfqkd_ldpc_dec_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

void tfqkd_ldpc_dec_free(struct tfqkd_ldpc_dec *d)
{
	if (!d)
		return;
	free(d->L);
	free(d->R);
	free(d->t16);
	free(d->t8);
	free(d->tf);
	free(d->ecol);
	free(d->eshift);
	free(d->syn);
	free(d->chk);
	free(d->hd2);
	free(d);
}

const char *tfqkd_ldpc_dec_path(const struct tfqkd_ldpc_dec *d)
{
	return d->path == DEC_AVX512 ? "avx512-vbmi" : "portable";
}

static void refresh_mirror(struct tfqkd_ldpc_dec *d, unsigned col)
{
	int16_t *b = d->L + (size_t)col * d->lstride;

	memcpy(b + d->z, b, MIRROR * sizeof(*b));
}

#if TFQKD_X86
/* b[k] = max(l[k], -127) as 16-bit, k < z (a multiple of 64) */
T_AVX512VBMI static void widen_avx512(int16_t *b, const int8_t *l, unsigned z)
{
	const __m512i m127 = _mm512_set1_epi16(-127);

	for (unsigned k = 0; k < z; k += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(l + k));

		_mm512_store_si512(b + k, _mm512_max_epi16(_mm512_cvtepi8_epi16(v), m127));
	}
}
#endif

int tfqkd_ldpc_dec_start(struct tfqkd_ldpc_dec *d, const int8_t *llr, const uint64_t *syndrome)
{
	if (!d || !llr || !syndrome)
		return -EINVAL;
	for (unsigned col = 0; col < d->nb; col++) {
		int16_t *b = d->L + (size_t)col * d->lstride;
		const int8_t *l = llr + (size_t)col * d->z;

#if TFQKD_X86
		if (d->path == DEC_AVX512)
			widen_avx512(b, l, d->z);
		else
#endif
			for (unsigned k = 0; k < d->z; k++)
				b[k] = (int16_t)(l[k] < -127 ? -127 : l[k]);
		refresh_mirror(d, col);
	}
	memset(d->R, 0, (size_t)d->code->nedges * d->z);
	memcpy(d->syn, syndrome, sizeof(*d->syn) * (d->z / 64) * d->mb);
	return 0;
}

#if TFQKD_X86
/* b[k] = erased ? 0 : bit ? -llr : llr, k < z, from the z-bit words @x and @e */
T_AVX512VBMI static void bits_avx512(int16_t *b, const uint64_t *x, const uint64_t *e,
				     int llr, unsigned z)
{
	const __m512i pos = _mm512_set1_epi16((short)llr), neg = _mm512_set1_epi16((short)-llr);

	for (unsigned k = 0; k < z; k += 32) {
		__mmask32 xm = (__mmask32)(x[k / 64] >> (k % 64));
		__mmask32 em = e ? (__mmask32)(e[k / 64] >> (k % 64)) : 0;

		_mm512_store_si512(b + k, _mm512_maskz_mov_epi16((__mmask32)~em,
					_mm512_mask_blend_epi16(xm, pos, neg)));
	}
}
#endif

int tfqkd_ldpc_dec_start_bits(struct tfqkd_ldpc_dec *d, const uint64_t *bits,
			      const uint64_t *erased, int llr, const uint64_t *syndrome)
{
	if (!d || !bits || !syndrome || llr < 1 || llr > TFQKD_LDPC_LLR_MAX)
		return -EINVAL;
	for (unsigned col = 0; col < d->nb; col++) {
		int16_t *b = d->L + (size_t)col * d->lstride;
		const uint64_t *x = bits + (size_t)col * (d->z / 64);
		const uint64_t *e = erased ? erased + (size_t)col * (d->z / 64) : NULL;

#if TFQKD_X86
		if (d->path == DEC_AVX512)
			bits_avx512(b, x, e, llr, d->z);
		else
#endif
			for (unsigned k = 0; k < d->z; k++) {
				int v = (x[k / 64] >> (k % 64)) & 1 ? -llr : llr;

				b[k] = (int16_t)(e && (e[k / 64] >> (k % 64)) & 1 ? 0 : v);
			}
		refresh_mirror(d, col);
	}
	memset(d->R, 0, (size_t)d->code->nedges * d->z);
	memcpy(d->syn, syndrome, sizeof(*d->syn) * (d->z / 64) * d->mb);
	return 0;
}

int tfqkd_ldpc_dec_fix(struct tfqkd_ldpc_dec *d, size_t i, int bit)
{
	size_t col;

	if (!d || i >= (size_t)d->nb * d->z)
		return -EINVAL;
	col = i / d->z;
	d->L[col * d->lstride + i % d->z] = bit ? -KNOWN : KNOWN;
	refresh_mirror(d, (unsigned)col);
	return 0;
}

/* ---- one layer, portable ---- */

static inline int clamp127(int v)
{
	return v > 127 ? 127 : v < -127 ? -127 : v;
}

static inline int sat_s16(int v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/* after a layer: the chunk that wrapped wrote its tail behind the column; copy it back */
static void repair_mirrors(struct tfqkd_ldpc_dec *d, unsigned e0, unsigned dc)
{
	for (unsigned j = 0; j < dc; j++) {
		const struct ldpc_edge *ed = &d->code->edges[e0 + j];
		int16_t *b = d->L + (size_t)ed->col * d->lstride;

		memcpy(b, b + d->z, sizeof(*b) * (ed->shift % 64));
		memcpy(b + d->z, b, sizeof(*b) * MIRROR);
	}
}

static inline unsigned phi_of(const struct tfqkd_ldpc_dec *d, int a)
{
	return d->philo[a] | (unsigned)d->phihi[a] << 8;
}

static inline int phinv_of(const struct tfqkd_ldpc_dec *d, unsigned v)
{
	if (v < 255)
		return d->invf[v];
	return d->invc[v >> 5 > 127 ? 127 : v >> 5];
}

/*
 * The same computation as layer_avx512(), 64 checks at a time, in plain C: the loops over
 * the 64 lanes have no dependencies between lanes.
 */
static int layer_portable(struct tfqkd_ldpc_dec *d, unsigned row)
{
	const struct tfqkd_ldpc_code *c = d->code;
	unsigned e0 = c->row_start[row], e1 = c->row_start[row + 1], dc = e1 - e0, z = d->z;
	int16_t *tb16 = d->t16;
	int8_t *tb8 = d->t8;
	int unsat = 0;

	for (unsigned j = 0; j < dc; j++) {
		const struct ldpc_edge *ed = &c->edges[e0 + j];

		d->ecol[j] = d->L + (size_t)ed->col * d->lstride;
		d->eshift[j] = ed->shift;
	}
	for (unsigned k0 = 0; k0 < z; k0 += 64) {
		uint64_t sm = d->syn[((size_t)row * z + k0) / 64], px = sm;
		uint8_t min1[64], min2[64], idx[64], sx[64];
		unsigned sum[64];
		const int8_t *rp = d->R + (size_t)e0 * z + k0;

		for (int i = 0; i < 64; i++) {
			min1[i] = min2[i] = 127;
			idx[i] = 255;
			sum[i] = 0;
			sx[i] = (uint8_t)((sm >> i) & 1);
		}
		for (unsigned j = 0; j < dc; j++) {
			unsigned off = k0 + d->eshift[j];
			const int16_t *lp;
			const int8_t *r = rp + (size_t)j * z;
			int16_t *t16 = tb16 + 64 * j;
			int8_t *t8 = tb8 + 64 * j;

			off -= off >= z ? z : 0;
			lp = d->ecol[j] + off;
			for (int i = 0; i < 64; i++) {
				int tw = sat_s16(lp[i] - r[i]);
				int tv = clamp127(tw), a = tv < 0 ? -tv : tv;

				sum[i] += phi_of(d, a);
				if (sum[i] > 65535)
					sum[i] = 65535;
				if (a < min1[i]) {
					min2[i] = min1[i];
					min1[i] = (uint8_t)a;
					idx[i] = (uint8_t)j;
				} else if (a < min2[i]) {
					min2[i] = (uint8_t)a;
				}
				sx[i] ^= tv < 0;
				t16[i] = (int16_t)tw;
				t8[i] = (int8_t)tv;
			}
		}
		for (unsigned j = 0; j < dc; j++) {
			unsigned off = k0 + d->eshift[j];
			int16_t *lp;
			int8_t *r = (int8_t *)rp + (size_t)j * z;
			const int16_t *t16 = tb16 + 64 * j;
			const int8_t *t8 = tb8 + 64 * j;

			off -= off >= z ? z : 0;
			lp = d->ecol[j] + off;
			for (int i = 0; i < 64; i++) {
				int tv = t8[i], a = tv < 0 ? -tv : tv, mag, cap;

				mag = phinv_of(d, sum[i] - phi_of(d, a));
				cap = idx[i] == j ? min2[i] : min1[i];
				if (mag > cap)
					mag = cap;
				if (sx[i] ^ (tv < 0))
					mag = -mag;
				r[i] = (int8_t)mag;
				lp[i] = (int16_t)sat_s16(t16[i] + mag);
				px ^= (uint64_t)(lp[i] < 0) << i;
			}
		}
		unsat |= px != 0;
	}
	repair_mirrors(d, e0, dc);
	return unsat;
}

/* ---- one layer, AVX-512 BW + VBMI ---- */

#if TFQKD_X86
#ifndef PF_DIST
#define PF_DIST 128	/* prefetch distance in elements: two chunks ahead */
#endif

/*
 * Byte order. The 16-bit quantities (posteriors, t16, phi values and sums) of a 64-check
 * chunk are in natural order in two vectors (checks 0-31, 32-63); the 8-bit ones (the
 * messages R as stored, t8, magnitudes, minima) are in "pack order", the order of
 * vpacksswb of the two: 128-bit lane i holds checks 8i..8i+7 then 32+8i..32+8i+7. Packing
 * and unpacking (vpunpck[lh]bw with itself, shifted right by 8) stay inside lanes, which
 * is cheaper than the lane-crossing conversions; R is private to this path (the portable
 * path, with its own R, gives the same decisions).
 *
 * Phi sums saturate at 32767 (signed), so v = sum - f is a non-negative signed word and
 * vpackuswb clamps it to the fine table's index range by itself. The output does not
 * change: any v >= 4096 gives 0, and a saturated sum leaves v >= 32767 - 4095.
 */
T_AVX512VBMI static int layer_avx512(struct tfqkd_ldpc_dec *d, unsigned row)
{
	const struct tfqkd_ldpc_code *c = d->code;
	unsigned e0 = c->row_start[row], e1 = c->row_start[row + 1], dc = e1 - e0, z = d->z;
	const __m512i pl0 = _mm512_load_si512(d->philo), pl1 = _mm512_load_si512(d->philo + 64);
	const __m512i ph0 = _mm512_load_si512(d->phihi), ph1 = _mm512_load_si512(d->phihi + 64);
	const __m512i if0 = _mm512_load_si512(d->invf), if1 = _mm512_load_si512(d->invf + 64);
	const __m512i if2 = _mm512_load_si512(d->invf + 128);
	const __m512i if3 = _mm512_load_si512(d->invf + 192);
	const __m512i ic0 = _mm512_load_si512(d->invc), ic1 = _mm512_load_si512(d->invc + 64);
	const __m512i m127 = _mm512_set1_epi8(-127), sgn = _mm512_set1_epi8(-128);
	const __m512i zero = _mm512_setzero_si512(), p127 = _mm512_set1_epi8(127);
	int16_t *tb16 = d->t16;
	uint16_t *tbf = d->tf;
	int8_t *tb8 = d->t8;
	int16_t *const *ecol = d->ecol;
	const unsigned *eshift = d->eshift;
	int16_t *lps[256];	/* this chunk's posteriors, per edge (dc <= 254) */
	__mmask64 unsat = 0;

	for (unsigned j = 0; j < dc; j++) {
		const struct ldpc_edge *ed = &c->edges[e0 + j];

		d->ecol[j] = d->L + (size_t)ed->col * d->lstride;
		d->eshift[j] = ed->shift;
	}
	for (unsigned k0 = 0; k0 < z; k0 += 64) {
		__mmask64 sm = (__mmask64)d->syn[((size_t)row * z + k0) / 64];
		/* the syndrome bits as sign bytes, in pack order */
		__m512i sx = _mm512_and_si512(sgn, _mm512_packs_epi16(
			_mm512_maskz_mov_epi16((__mmask32)sm, _mm512_set1_epi16(-1)),
			_mm512_maskz_mov_epi16((__mmask32)(sm >> 32), _mm512_set1_epi16(-1))));
		__m512i px0 = _mm512_maskz_mov_epi16((__mmask32)sm, _mm512_set1_epi16(-32768));
		__m512i px1 = _mm512_maskz_mov_epi16((__mmask32)(sm >> 32), _mm512_set1_epi16(-32768));
		__m512i min1 = p127, min2 = p127;
		__m512i s0 = zero, s1 = zero;	/* phi sums, words in unpack order */
		const int8_t *rp = d->R + (size_t)e0 * z + k0;

		for (unsigned j = 0; j < dc; j++) {
			unsigned off = k0 + eshift[j];
			const int16_t *lp;
			__m512i l0, l1, r, t0, t1, t, a, flo, fhi, f0, f1;

			off -= off >= z ? z : 0;
			lp = lps[j] = ecol[j] + off;
			/* dc streams at once are too many for the hardware prefetchers */
			_mm_prefetch((const char *)(rp + (size_t)j * z + PF_DIST), _MM_HINT_T0);
			_mm_prefetch((const char *)(lp + PF_DIST), _MM_HINT_T0);
			_mm_prefetch((const char *)(lp + PF_DIST + 32), _MM_HINT_T0);
			l0 = _mm512_loadu_si512(lp);
			l1 = _mm512_loadu_si512(lp + 32);
			r = _mm512_load_si512(rp + (size_t)j * z);
			t0 = _mm512_subs_epi16(l0, _mm512_srai_epi16(_mm512_unpacklo_epi8(r, r), 8));
			t1 = _mm512_subs_epi16(l1, _mm512_srai_epi16(_mm512_unpackhi_epi8(r, r), 8));
			_mm512_store_si512(tb16 + 64 * j, t0);
			_mm512_store_si512(tb16 + 64 * j + 32, t1);
			t = _mm512_packs_epi16(t0, t1);
			t = _mm512_max_epi8(t, m127);
			a = _mm512_abs_epi8(t);
			flo = _mm512_permutex2var_epi8(pl0, a, pl1);
			fhi = _mm512_permutex2var_epi8(ph0, a, ph1);
			f0 = _mm512_unpacklo_epi8(flo, fhi);
			f1 = _mm512_unpackhi_epi8(flo, fhi);
			_mm512_store_si512(tbf + 64 * j, f0);
			_mm512_store_si512(tbf + 64 * j + 32, f1);
			s0 = _mm512_adds_epi16(s0, f0);
			s1 = _mm512_adds_epi16(s1, f1);
			min2 = _mm512_min_epu8(min2, _mm512_max_epu8(min1, a));
			min1 = _mm512_min_epu8(min1, a);
			sx = _mm512_xor_si512(sx, t);
			_mm512_store_si512(tb8 + 64 * j, t);
		}
		for (unsigned j = 0; j < dc; j++) {
			int16_t *lp = lps[j];
			__m512i t = _mm512_load_si512(tb8 + 64 * j), v0, v1, fi, ci;
			__m512i mf, mc, mag, rn, cap, l0, l1;
			__mmask64 mi, neg;
			v0 = _mm512_subs_epu16(s0, _mm512_load_si512(tbf + 64 * j));
			v1 = _mm512_subs_epu16(s1, _mm512_load_si512(tbf + 64 * j + 32));
			/* back to natural byte order: the fine and the coarse table index */
			fi = _mm512_packus_epi16(v0, v1);
			ci = _mm512_min_epu8(_mm512_packus_epi16(_mm512_srli_epi16(v0, 5),
								 _mm512_srli_epi16(v1, 5)), p127);
			mf = _mm512_mask_blend_epi8(_mm512_movepi8_mask(fi),
						    _mm512_permutex2var_epi8(if0, fi, if1),
						    _mm512_permutex2var_epi8(if2, fi, if3));
			mc = _mm512_permutex2var_epi8(ic0, ci, ic1);
			/* fi saturates at 255 exactly when v >= 255: then the coarse table */
			mag = _mm512_mask_blend_epi8(_mm512_cmpeq_epi8_mask(fi, _mm512_set1_epi8(-1)),
						     mf, mc);
			/*
			 * the smallest other magnitude: min2 if this one is the minimum (with
			 * ties min2 == min1, so which of them is "the" minimum does not matter)
			 */
			mi = _mm512_cmpeq_epi8_mask(_mm512_abs_epi8(t), min1);
			cap = _mm512_mask_blend_epi8(mi, min1, min2);
			mag = _mm512_min_epu8(mag, cap);
			neg = _mm512_movepi8_mask(_mm512_xor_si512(sx, t));
			rn = _mm512_mask_sub_epi8(mag, neg, zero, mag);
			_mm512_store_si512((int8_t *)rp + (size_t)j * z, rn);
			l0 = _mm512_adds_epi16(_mm512_load_si512(tb16 + 64 * j),
					       _mm512_srai_epi16(_mm512_unpacklo_epi8(rn, rn), 8));
			l1 = _mm512_adds_epi16(_mm512_load_si512(tb16 + 64 * j + 32),
					       _mm512_srai_epi16(_mm512_unpackhi_epi8(rn, rn), 8));
			_mm512_storeu_si512(lp, l0);
			_mm512_storeu_si512(lp + 32, l1);
			px0 = _mm512_xor_si512(px0, l0);
			px1 = _mm512_xor_si512(px1, l1);
		}
		unsat |= (__mmask64)_mm512_movepi16_mask(px0) |
			 ((__mmask64)_mm512_movepi16_mask(px1) << 32);
	}
	repair_mirrors(d, e0, dc);
	return unsat != 0;
}
#endif

/* 64 hard decisions (sign bits) of 16-bit posteriors: bit i set iff b[i] < 0 */
static inline uint64_t signs64_portable(const int16_t *b)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 64; i++)
		v |= (uint64_t)(b[i] < 0) << i;
	return v;
}

#if TFQKD_X86
T_AVX512VBMI static void signs_avx512(uint64_t *out, const int16_t *b, unsigned words)
{
	for (unsigned w = 0; w < words; w++) {
		uint64_t lo = _mm512_movepi16_mask(_mm512_load_si512(b + 64 * w));
		uint64_t hi = _mm512_movepi16_mask(_mm512_load_si512(b + 64 * w + 32));

		out[w] = lo | hi << 32;
	}
}
#endif

/* the hard decisions of one column (z / 64 words) */
static void column_signs(const struct tfqkd_ldpc_dec *d, unsigned col, uint64_t *out)
{
	const int16_t *b = d->L + (size_t)col * d->lstride;
	unsigned zw = d->z / 64;

#if TFQKD_X86
	if (d->path == DEC_AVX512) {
		signs_avx512(out, b, zw);
		return;
	}
#endif
	for (unsigned w = 0; w < zw; w++)
		out[w] = signs64_portable(b + 64 * w);
}

/* hard decision of the posteriors, each column twice in a row (for ldpc_rot_xor) */
static void hard_decision2(struct tfqkd_ldpc_dec *d)
{
	unsigned zw = d->z / 64;

	for (unsigned col = 0; col < d->nb; col++) {
		uint64_t *h = d->hd2 + (size_t)col * (2 * zw + 1);

		column_signs(d, col, h);
		memcpy(h + zw, h, zw * sizeof(*h));
		h[2 * zw] = 0;
	}
}

static int syndrome_ok(struct tfqkd_ldpc_dec *d)
{
	const struct tfqkd_ldpc_code *c = d->code;
	unsigned zw = d->z / 64;

	hard_decision2(d);
	memset(d->chk, 0, sizeof(*d->chk) * zw * d->mb);
	for (unsigned e = 0; e < c->nedges; e++) {
		const struct ldpc_edge *ed = &c->edges[e];

		ldpc_rot_xor(d->chk + (size_t)ed->row * zw, d->hd2 + (size_t)ed->col * (2 * zw + 1),
			     d->z, ed->shift);
	}
	return !memcmp(d->chk, d->syn, sizeof(*d->chk) * zw * d->mb);
}

int tfqkd_ldpc_dec_run(struct tfqkd_ldpc_dec *d, unsigned max_iter, unsigned *iters)
{
	unsigned it;

	if (!d)
		return -EINVAL;
	for (it = 0; it < max_iter; it++) {
		int unsat = 0;

		for (unsigned row = 0; row < d->mb; row++) {
#if TFQKD_X86
			if (d->path == DEC_AVX512) {
				unsat |= layer_avx512(d, row);
				continue;
			}
#endif
			unsat |= layer_portable(d, row);
		}
		if (!unsat && syndrome_ok(d)) {
			if (iters)
				*iters = it + 1;
			return 1;
		}
	}
	if (iters)
		*iters = it;
	return 0;
}

void tfqkd_ldpc_dec_hard(const struct tfqkd_ldpc_dec *d, uint64_t *x)
{
	for (unsigned col = 0; col < d->nb; col++)
		column_signs(d, col, x + (size_t)col * (d->z / 64));
}
