// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Toeplitz hashing for privacy amplification, as the middle product of two binary
 * polynomials computed with the additive FFT of lib/gf2x.c.
 *
 * y_i = coefficient of x^(i+n-1) in s(x) x(x). With 32-bit chunks the product has
 * la + lb - 1 chunk coefficients (la = ceil((n+m-1)/32), lb = ceil(n/32)); the transform
 * of size 2^k computes the product modulo s_k(z) = z^(2^k) + sum_{j proper submask of k}
 * z^(2^j). Folding a coefficient of degree d >= 2^k lands on degrees d - 2^k + 2^j, so when
 * those all stay below the chunks that hold output bits, a transform smaller than the full
 * product suffices (the analogue of the cyclic-convolution trick for middle products).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gf2x_impl.h"
#include "tfqkd/gf2.h"
#include "tfqkd/pa.h"

struct tfqkd_pa {
	size_t n, m;
	size_t la, lb;		/* chunk counts of seed and input */
	struct gf2x_plan plan;
	uint64_t *fa, *fb;	/* 2^k words each */
};

size_t tfqkd_pa_seed_bits(size_t n, size_t m)
{
	if (!n || !m || m > n || n > TFQKD_PA_MAX_BITS)
		return 0;
	return n + m - 1;
}

/* Smallest transform size 2^k whose result holds every chunk coefficient we need. */
static unsigned choose_k(size_t n, size_t m, size_t la, size_t lb)
{
	size_t last = la + lb - 2;		/* highest chunk degree of the product */
	size_t need_hi = (n + m - 2) / 32;	/* highest chunk holding an output bit */
	size_t need_lo = (n - 1) / 32;		/* and the lowest ... */

	need_lo = need_lo ? need_lo - 1 : 0;	/* ... plus its lower neighbour's carry */
	for (unsigned k = 0;; k++) {
		size_t n2 = (size_t)1 << k;

		if (last < n2)
			return k;	/* no folding at all */
		if (need_hi < n2 && last < 2 * n2 && need_lo > 0 &&
		    last - n2 + ((size_t)1 << gf2x_jmax(k)) < need_lo)
			return k;	/* folded terms stay below the output */
	}
}

int tfqkd_pa_new(struct tfqkd_pa **out, size_t n, size_t m, unsigned cpu)
{
	struct tfqkd_pa *pa;
	unsigned k;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (n > TFQKD_PA_MAX_BITS)
		return -E2BIG;
	if (!tfqkd_pa_seed_bits(n, m))
		return -EINVAL;
	pa = calloc(1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	pa->n = n;
	pa->m = m;
	pa->la = (n + m - 1 + 31) / 32;
	pa->lb = (n + 31) / 32;
	k = choose_k(n, m, pa->la, pa->lb);
	ret = gf2x_plan_init(&pa->plan, k, cpu);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	if (posix_memalign((void **)&pa->fa, 64, pa->plan.n * sizeof(uint64_t)) ||
	    posix_memalign((void **)&pa->fb, 64, pa->plan.n * sizeof(uint64_t)))
		goto fail;
	*out = pa;
	return 0;
fail:
	tfqkd_pa_free(pa);
	return ret;
}

void tfqkd_pa_free(struct tfqkd_pa *pa)
{
	if (!pa)
		return;
	gf2x_plan_destroy(&pa->plan);
	free(pa->fa);
	free(pa->fb);
	free(pa);
}

/* 32-bit digit j of the product: low half of chunk product j + high half of chunk j-1 */
static inline uint64_t digit(const uint64_t *c, size_t j)
{
	uint64_t d = c[j] & 0xffffffffULL;

	if (j)
		d ^= c[j - 1] >> 32;
	return d;
}

int tfqkd_pa_hash(struct tfqkd_pa *pa, const uint64_t *seed, const uint64_t *in,
		  uint64_t *out)
{
	size_t ow, start;

	if (!pa || !seed || !in || !out)
		return -EINVAL;
	gf2x_chunk32(pa->fa, seed, pa->n + pa->m - 1);
	gf2x_chunk32(pa->fb, in, pa->n);
	gf2x_fwd(&pa->plan, pa->fa, pa->la);
	gf2x_fwd(&pa->plan, pa->fb, pa->lb);
	gf2x_pointmul(&pa->plan, pa->fa, pa->fb);
	gf2x_inv(&pa->plan, pa->fa);

	/* out word w = product bits [start + 64 w, start + 64 w + 64), start = n - 1 */
	ow = (pa->m + 63) / 64;
	start = pa->n - 1;
	for (size_t w = 0; w < ow; w++) {
		size_t bit = start + 64 * w, j = bit / 32, sh = bit % 32;
		unsigned __int128 v = digit(pa->fa, j);

		if (j + 1 < pa->plan.n)
			v |= (unsigned __int128)digit(pa->fa, j + 1) << 32;
		if (j + 2 < pa->plan.n)
			v |= (unsigned __int128)digit(pa->fa, j + 2) << 64;
		out[w] = (uint64_t)(v >> sh);
	}
	if (pa->m % 64)
		out[ow - 1] &= (1ULL << (pa->m % 64)) - 1;
	return 0;
}

int tfqkd_toeplitz_hash(size_t n, size_t m, const uint64_t *seed, const uint64_t *in,
			uint64_t *out)
{
	struct tfqkd_pa *pa;
	int ret;

	if (!seed || !in || !out)
		return -EINVAL;
	ret = tfqkd_pa_new(&pa, n, m, TFQKD_CPU_ALL);
	if (ret)
		return ret;
	ret = tfqkd_pa_hash(pa, seed, in, out);
	tfqkd_pa_free(pa);
	return ret;
}

int tfqkd_pa_seed_new(const struct tfqkd_rng *rng, size_t n, size_t m, uint64_t *seed)
{
	size_t bits = tfqkd_pa_seed_bits(n, m), words = (bits + 63) / 64;
	int ret;

	if (!bits || !seed || !rng)
		return -EINVAL;
	ret = tfqkd_rng_fill(rng, seed, words * sizeof(*seed));
	if (ret)
		return ret;
	if (bits % 64)
		seed[words - 1] &= (1ULL << (bits % 64)) - 1;
	return 0;
}
