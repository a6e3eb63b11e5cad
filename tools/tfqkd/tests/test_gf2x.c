// SPDX-License-Identifier: GPL-2.0-only
/*
 * The additive FFT of lib/gf2x.c below the Toeplitz hash (private interface, lib/gf2x_impl.h):
 *
 * - gf2x_fwd2() (two polynomials of 32-bit chunks packed in the halves of one array,
 *   converted together, split in the first butterfly pass) gives exactly the transforms
 *   that gf2x_fwd() gives for each polynomial alone, whatever the scratch words hold, for
 *   lengths above half, between a quarter and half, and below a quarter of the transform;
 * - the inverse transform limited to a range of needed words (gf2x_inv(), gf2x_inv_mul())
 *   gives those words exactly as the full inverse does, and the inverse of a forward
 *   transform gives back the polynomial there;
 * on every CPU code path, including sizes whose conversion runs on column strips (2^18).
 */
#include <stdlib.h>
#include <string.h>

/* the harness defines global helpers without prototypes */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "../lib/gf2x_impl.h"
#include "tfqkd/gf2.h"
#include "tfqkd/rng.h"

static const unsigned cpu_masks[] = {
	0,
	TFQKD_CPU_PCLMUL,
	TFQKD_CPU_PCLMUL | TFQKD_CPU_AVX2 | TFQKD_CPU_VPCLMUL,
	TFQKD_CPU_ALL,
};
#define NMASKS (sizeof(cpu_masks) / sizeof(cpu_masks[0]))

/* the large sizes only on the fast paths (the portable one takes seconds there) */
static int skip(unsigned k, size_t mask)
{
	return k > 14 && mask < 2;
}

/* words [0, len) 32-bit random chunks, the rest random garbage (scratch) */
static uint64_t *chunks(struct tfqkd_xrng *r, size_t n, size_t len)
{
	uint64_t *v = malloc(n * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = i < len ? tfqkd_xrng_next(r) & 0xffffffffULL : tfqkd_xrng_next(r);
	return v;
}

static uint64_t *copy(const uint64_t *v, size_t n)
{
	uint64_t *c = malloc(n * sizeof(*c));

	memcpy(c, v, n * sizeof(*c));
	return c;
}

TEST(fwd2_matches_separate_transforms)
{
	/* k, length of f, length of g (h = 2^(k-1), q = 2^(k-2)) */
	static const size_t cases[][3] = {
		{ 6, 50, 20 },		/* below the split pass */
		{ 9, 512, 100 },
		{ 10, 700, 300 },	/* f > h, q < g <= h */
		{ 11, 2048, 2000 },	/* both > h (g full) */
		{ 11, 900, 600 },	/* q < both <= h */
		{ 11, 300, 1500 },	/* f <= q, g > h */
		{ 12, 1, 1024 },	/* g = q exactly, f one chunk */
		{ 13, 5000, 1000 },
		{ 18, 200000, 100000 },	/* column strips in the conversion */
	};
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 21);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned k = (unsigned)cases[c][0];
		size_t n = (size_t)1 << k, lf = cases[c][1], lg = cases[c][2];
		size_t len = lf > lg ? lf : lg;
		uint64_t *a = chunks(&r, n, lf), *b = chunks(&r, n, lg);
		uint64_t *pk = malloc(n * sizeof(*pk)), *g = malloc(n * sizeof(*g));

		for (size_t m = 0; m < NMASKS; m++) {
			struct gf2x_plan p;
			uint64_t *fa = copy(a, n), *fb = copy(b, n);

			if (skip(k, m))
				continue;
			ASSERT_EQ(0, gf2x_plan_init(&p, k, cpu_masks[m]));
			for (size_t i = 0; i < n; i++)	/* garbage past len, in g too */
				pk[i] = i < len ? ((a[i] & 0xffffffffULL) * (i < lf)) |
						  ((b[i] & 0xffffffffULL) * (i < lg)) << 32
						: tfqkd_xrng_next(&r);
			for (size_t i = 0; i < n; i++)
				g[i] = tfqkd_xrng_next(&r);
			gf2x_fwd2(&p, pk, g, lf, lg);
			gf2x_fwd(&p, fa, lf);
			gf2x_fwd(&p, fb, lg);
			ASSERT_EQ(0, memcmp(pk, fa, n * sizeof(*fa))) {
				TH_LOG("k=%u lenf=%zu leng=%zu mask %#x: f", k, lf, lg, cpu_masks[m]);
			}
			ASSERT_EQ(0, memcmp(g, fb, n * sizeof(*fb))) {
				TH_LOG("k=%u lenf=%zu leng=%zu mask %#x: g", k, lf, lg, cpu_masks[m]);
			}
			gf2x_plan_destroy(&p);
			free(fa);
			free(fb);
		}
		free(a);
		free(b);
		free(pk);
		free(g);
	}
}

TEST(inverse_of_needed_words)
{
	static const unsigned ks[] = { 7, 8, 12, 18 };
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 22);
	for (size_t c = 0; c < sizeof(ks) / sizeof(ks[0]); c++) {
		unsigned k = ks[c];
		size_t n = (size_t)1 << k;
		const size_t rng[][2] = {
			{ 0, n }, { n / 3, n / 2 }, { 1, 2 }, { n - 5, n }, { n / 4 + 7, 3 * n / 4 + 3 },
			{ 0, 1 }, { n / 2 - 1, n / 2 + 1 },
		};
		uint64_t *x = chunks(&r, n, n), *v = malloc(n * sizeof(*v));
		uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));

		for (size_t i = 0; i < n; i++) {
			v[i] = tfqkd_xrng_next(&r);
			a[i] = tfqkd_xrng_next(&r);
			b[i] = tfqkd_xrng_next(&r);
		}
		for (size_t m = 0; m < NMASKS; m++) {
			struct gf2x_plan p;
			uint64_t *full = copy(v, n), *fx = copy(x, n), *prod = copy(a, n);

			if (skip(k, m))
				continue;
			ASSERT_EQ(0, gf2x_plan_init(&p, k, cpu_masks[m]));
			gf2x_inv(&p, full, 0, n);
			gf2x_fwd(&p, fx, n);
			/* the full inverse of a point-wise product, as the reference */
			gf2x_pointmul(&p, prod, b);
			gf2x_inv(&p, prod, 0, n);
			for (size_t t = 0; t < sizeof(rng) / sizeof(rng[0]); t++) {
				size_t lo = rng[t][0], hi = rng[t][1];
				uint64_t *part = copy(v, n), *back = copy(fx, n);
				uint64_t *pa = copy(a, n), *pm = malloc(n * sizeof(*pm));

				gf2x_inv(&p, part, lo, hi);
				ASSERT_EQ(0, memcmp(part + lo, full + lo, (hi - lo) * sizeof(*part))) {
					TH_LOG("k=%u [%zu, %zu) mask %#x", k, lo, hi, cpu_masks[m]);
				}
				gf2x_inv(&p, back, lo, hi);
				ASSERT_EQ(0, memcmp(back + lo, x + lo, (hi - lo) * sizeof(*back))) {
					TH_LOG("round trip k=%u [%zu, %zu) mask %#x", k, lo, hi,
					       cpu_masks[m]);
				}
				gf2x_inv_mul(&p, pm, pa, b, 0, lo, hi);
				ASSERT_EQ(0, memcmp(pm + lo, prod + lo, (hi - lo) * sizeof(*pm))) {
					TH_LOG("inv_mul k=%u [%zu, %zu) mask %#x", k, lo, hi,
					       cpu_masks[m]);
				}
				free(part);
				free(back);
				free(pa);
				free(pm);
			}
			gf2x_plan_destroy(&p);
			free(full);
			free(fx);
			free(prod);
		}
		free(x);
		free(v);
		free(a);
		free(b);
	}
}

TEST_HARNESS_MAIN
