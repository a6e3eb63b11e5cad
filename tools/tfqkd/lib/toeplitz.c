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
 *
 * Column blocks: the input may be cut into Q blocks of w = ceil(n/Q) bits, aligned at the
 * top (block q holds x[n - (q+1) w, n - q w), zero below bit 0). Block q is an m x w
 * Toeplitz product with the seed bits [q w, q w + m + w - 1) (zero past the seed), so
 * y = sum over q of the middle products, and since the transform is linear the point-wise
 * products are summed and transformed back once: 2Q + 1 transforms of a size fitted to
 * m + w instead of 3 fitted to n + m. Q is chosen by a cost model at plan time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gf2x_impl.h"
#include "tfqkd/gf2.h"
#include "tfqkd/pa.h"

/* work space of one thread: 2^k words each; acc (sum of point-wise products) if q > 1 */
struct pa_buf {
	uint64_t *fa, *fb, *acc;
};

struct tfqkd_pa {
	size_t n, m;
	size_t q, w;		/* column blocks and their width */
	size_t la, lb;		/* chunk counts of a seed segment and an input block */
	struct gf2x_plan plan;
	unsigned threads;	/* see tfqkd_pa_set_threads() */
	struct pa_buf buf[TFQKD_PA_MAX_THREADS];
};

#define PA_MAX_BLOCKS 8

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

/*
 * Number of column blocks: least estimated work, (2Q + 1) transforms of 2^k points at
 * about k + 1 passes each plus Q point-wise products. Return k through @kout.
 */
static size_t choose_blocks(size_t n, size_t m, unsigned *kout)
{
	size_t best_q = 1;
	double best = 0;

	for (size_t q = 1; q <= PA_MAX_BLOCKS && q <= n; q++) {
		size_t w = (n + q - 1) / q;
		size_t la = (m + w - 1 + 31) / 32, lb = (w + 31) / 32;
		unsigned k;
		double cost;

		if (q > 1 && (q - 1) * w >= n)
			continue;	/* an empty block */
		k = choose_k(w, m, la, lb);
		cost = (double)(2 * q + 1) * (double)((size_t)1 << k) * (k + 1) +
		       (double)q * (double)((size_t)1 << k);
		if (q == 1 || cost < best * 0.97) {	/* a clear gain only */
			best = cost;
			best_q = q;
			*kout = k;
		}
	}
	return best_q;
}

static void buf_free(struct pa_buf *b)
{
	free(b->fa);
	free(b->fb);
	free(b->acc);
	b->fa = b->fb = b->acc = NULL;
}

static int buf_alloc(const struct tfqkd_pa *pa, struct pa_buf *b)
{
	size_t bytes = pa->plan.n * sizeof(uint64_t);

	if (posix_memalign((void **)&b->fa, 64, bytes) ||
	    posix_memalign((void **)&b->fb, 64, bytes) ||
	    (pa->q > 1 && posix_memalign((void **)&b->acc, 64, bytes))) {
		buf_free(b);
		return -ENOMEM;
	}
	return 0;
}

int tfqkd_pa_new(struct tfqkd_pa **out, size_t n, size_t m, unsigned cpu)
{
	return tfqkd_pa_new_blocks(out, n, m, cpu, 0);
}

int tfqkd_pa_new_blocks(struct tfqkd_pa **out, size_t n, size_t m, unsigned cpu,
			size_t blocks)
{
	struct tfqkd_pa *pa;
	unsigned k = 0;
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
	if (blocks) {
		ret = -EINVAL;
		if (blocks > PA_MAX_BLOCKS || blocks > n)
			goto fail;
		pa->q = blocks;
	} else {
		pa->q = choose_blocks(n, m, &k);
	}
	pa->w = (n + pa->q - 1) / pa->q;
	pa->la = (m + pa->w - 1 + 31) / 32;
	pa->lb = (pa->w + 31) / 32;
	k = choose_k(pa->w, m, pa->la, pa->lb);
	ret = gf2x_plan_init(&pa->plan, k, cpu);
	if (ret)
		goto fail;
	pa->threads = 1;
	ret = buf_alloc(pa, &pa->buf[0]);
	if (ret)
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
	for (unsigned i = 0; i < TFQKD_PA_MAX_THREADS; i++)
		buf_free(&pa->buf[i]);
	free(pa);
}

/* threads that have work: one per column block, or two (seed, input) for one block */
static unsigned active_threads(const struct tfqkd_pa *pa)
{
	size_t t = pa->q == 1 ? 2 : pa->q;

	return pa->threads < t ? pa->threads : (unsigned)t;
}

const char *tfqkd_pa_path(const struct tfqkd_pa *pa)
{
	switch (pa->plan.isa) {
	case GF2X_AVX512_VPCLMUL:
		return "avx512+vpclmul";
	case GF2X_AVX2_VPCLMUL:
		return "avx2+vpclmul";
	case GF2X_PCLMUL:
		return "pclmul";
	default:
		return "portable";
	}
}

int tfqkd_pa_set_threads(struct tfqkd_pa *pa, unsigned threads)
{
	if (!pa || !threads || threads > TFQKD_PA_MAX_THREADS)
		return -EINVAL;
	/* with one column block the second thread uses the first thread's buffers */
	for (unsigned i = 1; i < threads && i < pa->q; i++)
		if (!pa->buf[i].fa && buf_alloc(pa, &pa->buf[i])) {
			for (unsigned j = pa->threads; j < TFQKD_PA_MAX_THREADS; j++)
				if (j)
					buf_free(&pa->buf[j]);
			return -ENOMEM;
		}
	for (unsigned i = threads; i < TFQKD_PA_MAX_THREADS; i++)
		if (i)
			buf_free(&pa->buf[i]);
	pa->threads = threads;
	return 0;
}

/* 32-bit digit j of the product: low half of chunk product j + high half of chunk j-1 */
static inline uint64_t digit(const uint64_t *c, size_t j)
{
	uint64_t d = c[j] & 0xffffffffULL;

	if (j)
		d ^= c[j - 1] >> 32;
	return d;
}

/*
 * dst (ceil(nbits/32) words) = 32-bit chunks of bits [pos, pos + nbits) of @src, bits
 * outside [0, lim) read as zero
 */
static void chunk32_at(const struct gf2x_plan *p, uint64_t *dst, const uint64_t *src,
		       long long pos, size_t nbits, size_t lim)
{
	size_t nc = (nbits + 31) / 32, i = 0;
	long long end = pos + (long long)nbits;

	if (end < (long long)lim)
		lim = (size_t)(end > 0 ? end : 0);
	if (pos >= 0 && pos % 64 == 0) {	/* aligned: whole words */
		gf2x_chunk32(p, dst, src + pos / 64, lim > (size_t)pos ? lim - (size_t)pos : 0);
		i = lim > (size_t)pos ? (lim - (size_t)pos + 31) / 32 : 0;
	} else {
		if (pos >= 0) {
			/* whole windows inside [0, lim): two source words each, no checks */
			size_t w = (size_t)pos / 64, sh = (size_t)pos % 64;

			for (; i + 2 <= nc && (size_t)pos + 32 * i + 64 <= lim; i += 2, w++) {
				uint64_t v = src[w] >> sh | src[w + 1] << (64 - sh);

				dst[i] = v & 0xffffffffULL;
				dst[i + 1] = v >> 32;
			}
		}
		for (; i + 2 <= nc; i += 2) {
			uint64_t v = gf2x_window64(src, pos + 32 * (long long)i, lim);

			dst[i] = v & 0xffffffffULL;
			dst[i + 1] = v >> 32;
		}
	}
	for (; i < nc; i++)
		dst[i] = gf2x_window64(src, pos + 32 * (long long)i, lim) & 0xffffffffULL;
}

/* the transforms of seed segment @spos and input block @ipos into b->fa and b->fb */
static void fwd_pair(struct tfqkd_pa *pa, struct pa_buf *b, const uint64_t *seed,
		     long long spos, const uint64_t *in, long long ipos)
{
	struct gf2x_bits cs = gf2x_bits(seed, spos, pa->m + pa->w - 1, pa->n + pa->m - 1);
	struct gf2x_bits ci = gf2x_bits(in, ipos, pa->w, pa->n);

	gf2x_pack32(&pa->plan, b->fa, &cs, &ci, pa->la > pa->lb ? pa->la : pa->lb);
	gf2x_fwd2(&pa->plan, b->fa, b->fb, pa->la, pa->lb);
}

/* the share of thread @id of tfqkd_pa_hash() */
struct pa_job {
	struct tfqkd_pa *pa;
	const uint64_t *seed, *in;
	unsigned id, nthreads;
};

static void *pa_work(void *arg)
{
	const struct pa_job *j = arg;
	struct tfqkd_pa *pa = j->pa;
	struct pa_buf *b = &pa->buf[j->id];

	if (pa->q == 1 && j->nthreads == 1) {
		fwd_pair(pa, b, j->seed, 0, j->in, 0);
		return NULL;
	}
	if (pa->q == 1) {
		/* one block: the seed and the input transforms (split over two threads) */
		if (j->id == 0) {
			chunk32_at(&pa->plan, pa->buf[0].fa, j->seed, 0, pa->m + pa->w - 1,
				   pa->n + pa->m - 1);
			gf2x_fwd(&pa->plan, pa->buf[0].fa, pa->la);
		}
		if (j->id == 1 || j->nthreads == 1) {
			chunk32_at(&pa->plan, pa->buf[0].fb, j->in, 0, pa->w, pa->n);
			gf2x_fwd(&pa->plan, pa->buf[0].fb, pa->lb);
		}
		return NULL;
	}
	for (size_t q = j->id; q < pa->q; q += j->nthreads) {
		long long j0 = (long long)pa->n - (long long)((q + 1) * pa->w);

		fwd_pair(pa, b, j->seed, (long long)(q * pa->w), j->in, j0);
		if (j->nthreads == 1 && q + 1 == pa->q)
			break;	/* the last product: made by gf2x_inv_mul() */
		if (q == j->id) {	/* the first product of this thread */
			uint64_t *t = b->acc;

			gf2x_pointmul(&pa->plan, b->fa, b->fb);
			b->acc = b->fa;
			b->fa = t;
		} else {
			gf2x_pointmul_acc(&pa->plan, b->acc, b->fa, b->fb);
		}
	}
	return NULL;
}

int tfqkd_pa_hash(struct tfqkd_pa *pa, const uint64_t *seed, const uint64_t *in,
		  uint64_t *out)
{
	struct pa_job job[TFQKD_PA_MAX_THREADS];
	pthread_t tid[TFQKD_PA_MAX_THREADS];
	int started[TFQKD_PA_MAX_THREADS] = { 0 };
	size_t ow, start, lo, hi;
	uint64_t *res;
	unsigned nt;

	if (!pa || !seed || !in || !out)
		return -EINVAL;
	nt = active_threads(pa);
	for (unsigned i = 0; i < nt; i++)
		job[i] = (struct pa_job){ pa, seed, in, i, nt };
	for (unsigned i = 1; i < nt; i++)
		started[i] = !pthread_create(&tid[i], NULL, pa_work, &job[i]);
	pa_work(&job[0]);
	for (unsigned i = 1; i < nt; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			pa_work(&job[i]);	/* no thread: do its share here */
	}
	/*
	 * out word w = product bits [start + 64 w, start + 64 w + 64), start = w - 1: digits
	 * j .. j + 2 (j = bit / 32), i.e. chunk products [lo, hi), are all the output needs
	 */
	ow = (pa->m + 63) / 64;
	start = pa->w - 1;
	lo = start / 32 ? start / 32 - 1 : 0;
	hi = (start + 64 * (ow - 1)) / 32 + 3;
	if (pa->q == 1) {
		res = pa->buf[0].fa;
		gf2x_inv_mul(&pa->plan, res, res, pa->buf[0].fb, 0, lo, hi);
	} else if (nt == 1) {
		/* the last block's transforms are left in fa and fb by pa_work() */
		res = pa->buf[0].acc;
		gf2x_inv_mul(&pa->plan, res, pa->buf[0].fa, pa->buf[0].fb, 1, lo, hi);
	} else {
		for (unsigned i = 1; i < nt; i++)
			gf2x_xor(&pa->plan, pa->buf[0].acc, pa->buf[i].acc);
		res = pa->buf[0].acc;
		gf2x_inv(&pa->plan, res, lo, hi);
	}
	/* digits j, j + 1, j + 2 (shifted right by sh < 32) make out word w; j += 2 per word */
	size_t j = start / 32, sh = start % 32, nd = pa->plan.n;
	uint64_t d0 = digit(res, j), d1 = j + 1 < nd ? digit(res, j + 1) : 0;

	for (size_t w = 0; w < ow; w++, j += 2) {
		uint64_t d2 = j + 2 < nd ? digit(res, j + 2) : 0, v = d0 | d1 << 32;

		out[w] = sh ? v >> sh | d2 << (64 - sh) : v;
		d0 = d2;
		d1 = j + 3 < nd ? digit(res, j + 3) : 0;
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
