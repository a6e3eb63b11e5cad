/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private interface of the additive FFT over GF(2^64) (lib/gf2x.c), shared with the
 * Toeplitz hashing code. Not installed.
 *
 * A binary polynomial is cut into 32-bit chunks; each chunk is an element of GF(2^64) of
 * degree < 32, so chunk products (degree < 63) never wrap modulo the field polynomial and
 * the product in GF(2^64)[z] is the product in GF(2)[x] with z = x^32.
 *
 * The transform of size N = 2^k evaluates a polynomial of GF(2^64)[z] (degree < N) at the
 * N points of the subspace spanned by the first k elements of a Cantor basis
 * beta_0 = 1, beta_i^2 + beta_i = beta_{i-1}, using the Lin-Chung-Han "novel polynomial
 * basis" algorithm; the conversion from the monomial basis (Taylor expansions, XORs only)
 * precedes the butterflies.
 * Multiplying two transforms point by point and transforming back gives the product modulo
 * s_k(z) = prod_{w in W_k} (z - w) = z^(2^k) + sum_{j proper submask of k} z^(2^j).
 */
#ifndef TFQKD_GF2X_IMPL_H
#define TFQKD_GF2X_IMPL_H

#include <stddef.h>
#include <stdint.h>

enum gf2x_isa {
	GF2X_PORTABLE,
	GF2X_PCLMUL,		/* 128-bit vectors, one product per instruction */
	GF2X_AVX2_VPCLMUL,	/* 256-bit vectors */
	GF2X_AVX512_VPCLMUL,	/* 512-bit vectors */
};

#define GF2X_TWLO_BITS 12

/*
 * Blocks of 2^GF2X_PROG_L words are converted between the monomial and the novel basis by
 * a recorded program of row XORs (dst[t] ^= src[t] for t < cnt, rows relative to the block).
 */
#define GF2X_PROG_L 8
#define GF2X_PROG_MAX 512

struct gf2x_op {
	uint16_t dst, src, cnt;
};

struct gf2x_plan {
	unsigned k;		/* log2 of the transform size */
	size_t n;		/* 2^k */
	enum gf2x_isa isa;
	uint64_t beta[64];	/* Cantor basis */
	uint64_t twlo[1u << GF2X_TWLO_BITS];
	uint64_t *twhi;		/* 2^(k-1-GF2X_TWLO_BITS) entries, or NULL */
	uint64_t bc[7][8];	/* base-case twiddle patterns */
	unsigned nprog_fwd, nprog_inv;
	/* the Taylor steps: the first ntay_fwd ops of prog_fwd, the last ntay_inv of prog_inv */
	unsigned ntay_fwd, ntay_inv;
	struct gf2x_op prog_fwd[GF2X_PROG_MAX], prog_inv[GF2X_PROG_MAX];
};

/* Largest k supported (transform of 2^k words, polynomials of about 2^(k+5) bits). */
#define GF2X_MAX_K 30

int gf2x_plan_init(struct gf2x_plan *p, unsigned k, unsigned cpu);
void gf2x_plan_destroy(struct gf2x_plan *p);

/*
 * Forward transform in place of the polynomial with coefficients f[0, len); the words
 * f[len, n) are scratch (their contents are ignored and overwritten).
 * The order of the values depends on the code path (AVX-512 keeps them transposed within
 * every 64-word block): use them only point-wise and with the inverse of the same plan.
 */
void gf2x_fwd(const struct gf2x_plan *p, uint64_t *f, size_t len);
/*
 * Forward transforms of two polynomials f, g of 32-bit chunks at once: on entry word i of
 * @f holds chunk i of f in its low half and chunk i of g in its high half (words from
 * max(lenf, leng) on are scratch; f has lenf chunks, g leng). The basis conversion, XORs
 * only, runs once on the packed words; then the halves are split into @f and @g (whose
 * contents on entry are ignored) and each is transformed.
 */
void gf2x_fwd2(const struct gf2x_plan *p, uint64_t *f, uint64_t *g, size_t lenf, size_t leng);
/*
 * Inverse transform in place; only the words [lo, hi) of the result are needed (the
 * others come out unspecified; 0, p->n for all): the basis conversion skips what feeds
 * no needed word.
 */
void gf2x_inv(const struct gf2x_plan *p, uint64_t *f, size_t lo, size_t hi);
/*
 * Inverse transform of f[i] + a[i] b[i] (@acc set) or of a[i] b[i] (f may be a), into f:
 * the point-wise product and the inverse in one, saving a pass where the ISA allows
 * (a may be used as scratch). @lo, @hi: as for gf2x_inv().
 */
void gf2x_inv_mul(const struct gf2x_plan *p, uint64_t *f, uint64_t *a, const uint64_t *b,
		  int acc, size_t lo, size_t hi);
/* a[i] = a[i] * b[i] in GF(2^64), i < p->n. */
void gf2x_pointmul(const struct gf2x_plan *p, uint64_t *a, const uint64_t *b);

/* acc[i] ^= a[i] * b[i], i < p->n, in one pass (a may be used as scratch). */
void gf2x_pointmul_acc(const struct gf2x_plan *p, uint64_t *acc, uint64_t *a,
		       const uint64_t *b);
/* dst[i] ^= src[i], i < p->n. */
void gf2x_xor(const struct gf2x_plan *p, uint64_t *dst, const uint64_t *src);

/* Cut bits [0, nbits) of @src into 32-bit chunks, one per 64-bit word of @dst. */
void gf2x_chunk32(const struct gf2x_plan *p, uint64_t *dst, const uint64_t *src,
		  size_t nbits);

/* 64 bits of @src starting at bit @pos (may be negative); bits outside [0, lim) are zero */
static inline uint64_t gf2x_window64(const uint64_t *src, long long pos, size_t lim)
{
	uint64_t v;

	if (pos <= -64 || pos >= (long long)lim)
		return 0;
	if (pos < 0)
		return gf2x_window64(src, 0, lim) << (-pos);
	size_t w = (size_t)pos / 64, sh = (size_t)pos % 64, lw = (lim + 63) / 64;

	v = src[w] >> sh;
	if (sh && w + 1 < lw)
		v |= src[w + 1] << (64 - sh);
	if (pos + 64 > (long long)lim)
		v &= (1ULL << (lim - (size_t)pos)) - 1;
	return v;
}

/* the 32-bit chunks of bits [pos, pos + nbits) of @src, bits outside [0, lim) zero */
struct gf2x_bits {
	const uint64_t *src;
	long long pos;
	size_t lim;	/* clipped to pos + nbits */
};

static inline struct gf2x_bits gf2x_bits(const uint64_t *src, long long pos, size_t nbits,
					 size_t lim)
{
	long long end = pos + (long long)nbits;

	if (end < (long long)lim)
		lim = (size_t)(end > 0 ? end : 0);
	return (struct gf2x_bits){ src, pos, lim };
}

/*
 * dst word i = chunk i of @a in the low half, chunk i of @b in the high half, i < len:
 * the packed input of gf2x_fwd2()
 */
void gf2x_pack32(const struct gf2x_plan *p, uint64_t *dst, const struct gf2x_bits *a,
		 const struct gf2x_bits *b, size_t len);

/* Largest proper submask of k (0 if k is a power of two). */
static inline unsigned gf2x_jmax(unsigned k)
{
	return k & (k - 1) ? k - (k & -k) : 0;
}

#endif /* TFQKD_GF2X_IMPL_H */
