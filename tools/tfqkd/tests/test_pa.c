// SPDX-License-Identifier: GPL-2.0-only
/*
 * Toeplitz hashing (privacy amplification) against the matrix definition: y = T x with
 * T[i][j] = s_{i-j+n-1}, computed naively (bit by bit for small sizes, by 64-bit words
 * for larger ones; the two naive versions are checked against each other too), for many
 * sizes including non-multiples of 64, m = 1 and m = n, sizes where the transform is
 * smaller than the full product ((400, 20) and (8000, 100): folded mode), on every CPU
 * code path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* the harness defines global helpers without prototypes */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "tfqkd/gf2.h"
#include "tfqkd/pa.h"
#include "tfqkd/rng.h"

static const unsigned cpu_masks[] = {
	0,
	TFQKD_CPU_PCLMUL,
	TFQKD_CPU_PCLMUL | TFQKD_CPU_AVX2 | TFQKD_CPU_VPCLMUL,
	TFQKD_CPU_ALL,
};
#define NMASKS (sizeof(cpu_masks) / sizeof(cpu_masks[0]))

static int getbit(const uint64_t *v, size_t i)
{
	return (v[i / 64] >> (i % 64)) & 1;
}

/* the definition, one bit at a time */
static void naive_bits(size_t n, size_t m, const uint64_t *s, const uint64_t *x, uint64_t *y)
{
	memset(y, 0, (m + 63) / 64 * 8);
	for (size_t i = 0; i < m; i++) {
		int acc = 0;

		for (size_t j = 0; j < n; j++)
			acc ^= getbit(s, i + n - 1 - j) & getbit(x, j);
		y[i / 64] |= (uint64_t)acc << (i % 64);
	}
}

/*
 * The definition by words: with r the reversed seed (r_t = s_{n+m-2-t}), row i of T is
 * r[m-1-i, m-1-i+n), so y_i = parity(r[m-1-i ..] AND x).
 */
static void naive_words(size_t n, size_t m, const uint64_t *s, const uint64_t *x, uint64_t *y)
{
	size_t sb = n + m - 1, sw = (sb + 63) / 64;
	uint64_t *r = calloc(sw + 1, 8);

	for (size_t t = 0; t < sb; t++)
		r[t / 64] |= (uint64_t)getbit(s, sb - 1 - t) << (t % 64);
	memset(y, 0, (m + 63) / 64 * 8);
	for (size_t i = 0; i < m; i++) {
		size_t base = m - 1 - i;
		uint64_t acc = 0;

		for (size_t j = 0; j < n; j += 64) {
			size_t p = base + j, q = p / 64, sh = p % 64;
			uint64_t w = r[q] >> sh;

			if (sh)
				w |= r[q + 1] << (64 - sh);
			uint64_t xm = x[j / 64];

			if (n - j < 64)
				xm &= (1ULL << (n - j)) - 1;
			acc ^= w & xm;
		}
		y[i / 64] |= (uint64_t)__builtin_parityll(acc) << (i % 64);
	}
	free(r);
}

static uint64_t *random_vec(struct tfqkd_xrng *r, size_t nbits)
{
	size_t w = (nbits + 63) / 64;
	uint64_t *v = malloc((w + 1) * 8);

	for (size_t i = 0; i <= w; i++)
		v[i] = tfqkd_xrng_next(r);	/* garbage past the end on purpose */
	return v;
}

/*
 * hash with every CPU path (and @blocks column blocks, 0 = automatic), compare to @want;
 * return 0 if all agree
 */
static int check_paths_blocks(size_t n, size_t m, const uint64_t *s, const uint64_t *x,
			      const uint64_t *want, size_t blocks)
{
	size_t ow = (m + 63) / 64;
	uint64_t *got = malloc(ow * 8);
	int bad = 0;

	for (size_t k = 0; k < NMASKS && !bad; k++) {
		struct tfqkd_pa *pa;

		if (tfqkd_pa_new_blocks(&pa, n, m, cpu_masks[k], blocks))
			return -1;
		memset(got, 0xa5, ow * 8);
		/* twice with the same plan: the work space must not leak between blocks */
		for (int rep = 0; rep < 2 && !bad; rep++) {
			if (tfqkd_pa_hash(pa, s, x, got) || memcmp(got, want, ow * 8))
				bad = 1;
		}
		tfqkd_pa_free(pa);
	}
	free(got);
	return bad;
}

static int check_all_paths(size_t n, size_t m, const uint64_t *s, const uint64_t *x,
			   const uint64_t *want)
{
	return check_paths_blocks(n, m, s, x, want, 0);
}

TEST(naive_versions_agree)
{
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 10);
	for (int t = 0; t < 30; t++) {
		size_t n = 1 + tfqkd_xrng_below(&r, 300), m = 1 + tfqkd_xrng_below(&r, n);
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *a = malloc((m + 63) / 64 * 8), *b = malloc((m + 63) / 64 * 8);

		naive_bits(n, m, s, x, a);
		naive_words(n, m, s, x, b);
		ASSERT_EQ(0, memcmp(a, b, (m + 63) / 64 * 8));
		free(s);
		free(x);
		free(a);
		free(b);
	}
}

TEST(small_sizes_bitwise)
{
	static const size_t sz[][2] = {
		{ 1, 1 }, { 2, 1 }, { 2, 2 }, { 3, 2 }, { 31, 31 }, { 32, 1 }, { 33, 17 },
		{ 63, 1 }, { 63, 63 }, { 64, 1 }, { 64, 64 }, { 65, 1 }, { 65, 65 }, { 65, 64 },
		{ 100, 100 }, { 127, 64 }, { 128, 128 }, { 129, 1 }, { 300, 299 }, { 400, 20 },
		{ 1000, 1 }, { 1000, 1000 }, { 1000, 999 }, { 1025, 512 }, { 8000, 100 },
	};
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 11);
	for (size_t t = 0; t < sizeof(sz) / sizeof(sz[0]); t++) {
		size_t n = sz[t][0], m = sz[t][1];
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *want = malloc((m + 63) / 64 * 8);

		naive_bits(n, m, s, x, want);
		ASSERT_EQ(0, check_all_paths(n, m, s, x, want)) {
			TH_LOG("n=%zu m=%zu", n, m);
		}
		free(s);
		free(x);
		free(want);
	}
}

TEST(random_sizes)
{
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 12);
	for (int t = 0; t < 60; t++) {
		size_t n = 1 + tfqkd_xrng_below(&r, t < 40 ? 2000 : 20000);
		size_t m = 1 + tfqkd_xrng_below(&r, t % 3 ? n : n / 8 + 1);
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *want = malloc((m + 63) / 64 * 8);

		naive_words(n, m, s, x, want);
		ASSERT_EQ(0, check_all_paths(n, m, s, x, want)) {
			TH_LOG("n=%zu m=%zu", n, m);
		}
		free(s);
		free(x);
		free(want);
	}
}

TEST(larger_block)
{
	/* 2^17 + 3 input bits: several FFT levels above the vector width, m not a multiple of 64 */
	size_t n = (1u << 17) + 3, m = 5001;
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 13);
	uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
	uint64_t *want = malloc((m + 63) / 64 * 8), *got = malloc((m + 63) / 64 * 8);

	naive_words(n, m, s, x, want);
	ASSERT_EQ(0, tfqkd_toeplitz_hash(n, m, s, x, got));
	ASSERT_EQ(0, memcmp(want, got, (m + 63) / 64 * 8));
	free(s);
	free(x);
	free(want);
	free(got);
}

/*
 * The input cut into 1-8 column blocks (sum of middle products, one inverse transform):
 * widths that do not divide n (the lowest block padded), seed segments at unaligned bit
 * offsets, m > w and m < w, every path.
 */
TEST(column_blocks)
{
	static const size_t sz[][2] = {
		{ 8, 8 }, { 9, 2 }, { 100, 37 }, { 129, 128 }, { 1000, 77 }, { 1001, 1001 },
		{ 4099, 1500 }, { 6000, 300 },
	};
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 14);
	for (size_t t = 0; t < sizeof(sz) / sizeof(sz[0]); t++) {
		size_t n = sz[t][0], m = sz[t][1];
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *want = malloc((m + 63) / 64 * 8);

		naive_words(n, m, s, x, want);
		for (size_t q = 1; q <= 8; q++) {
			if ((q - 1) * ((n + q - 1) / q) >= n)
				continue;	/* an empty block: not a valid split */
			ASSERT_EQ(0, check_paths_blocks(n, m, s, x, want, q)) {
				TH_LOG("n=%zu m=%zu blocks=%zu", n, m, q);
			}
		}
		free(s);
		free(x);
		free(want);
	}
}

/*
 * Transforms of 2^11-2^12 points on every path: the conversion programs run on groups of
 * eight 256-word blocks (AVX-512) and the twiddle tables are used beyond their first rows.
 */
TEST(medium_blocks_all_paths)
{
	static const size_t sz[][3] = {
		{ 40000, 30000, 0 }, { 40000, 30000, 2 }, { 65536, 8191, 0 }, { 65536, 8191, 4 },
	};
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 15);
	for (size_t t = 0; t < sizeof(sz) / sizeof(sz[0]); t++) {
		size_t n = sz[t][0], m = sz[t][1];
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *want = malloc((m + 63) / 64 * 8);

		naive_words(n, m, s, x, want);
		ASSERT_EQ(0, check_paths_blocks(n, m, s, x, want, sz[t][2])) {
			TH_LOG("n=%zu m=%zu blocks=%zu", n, m, sz[t][2]);
		}
		free(s);
		free(x);
		free(want);
	}
}

/*
 * A transform of 2^18 points (2 MiB per buffer, above the size from which the row-wise
 * steps of the basis conversion run on column strips and the blocks of 2^16 words are
 * converted inside the Taylor expansion), with and without AVX-512.
 */
TEST(large_transform_strips)
{
	static const unsigned masks[] = { TFQKD_CPU_PCLMUL, TFQKD_CPU_ALL };
	size_t n = 4000003, m = 131, ow = (m + 63) / 64;
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 16);
	uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
	uint64_t *want = malloc(ow * 8), *got = malloc(ow * 8);

	naive_words(n, m, s, x, want);
	for (size_t k = 0; k < sizeof(masks) / sizeof(masks[0]); k++) {
		struct tfqkd_pa *pa;

		ASSERT_EQ(0, tfqkd_pa_new_blocks(&pa, n, m, masks[k], 1));
		memset(got, 0xa5, ow * 8);
		ASSERT_EQ(0, tfqkd_pa_hash(pa, s, x, got));
		ASSERT_EQ(0, memcmp(want, got, ow * 8)) {
			TH_LOG("cpu mask %#x", masks[k]);
		}
		tfqkd_pa_free(pa);
	}
	free(s);
	free(x);
	free(want);
	free(got);
}

/*
 * Several threads: one column block (seed and input transforms in two threads), two and
 * five blocks with 2, 3 and 8 threads (more threads than blocks), and back to one thread.
 */
TEST(threads)
{
	static const size_t sz[][3] = {
		{ 5000, 2500, 1 }, { 5000, 2500, 2 }, { 9001, 700, 5 },
	};
	static const unsigned nthr[] = { 2, 3, 8, 1 };
	struct tfqkd_xrng r;

	tfqkd_xrng_seed(&r, 16);
	for (size_t t = 0; t < sizeof(sz) / sizeof(sz[0]); t++) {
		size_t n = sz[t][0], m = sz[t][1], ow = (m + 63) / 64;
		uint64_t *s = random_vec(&r, n + m - 1), *x = random_vec(&r, n);
		uint64_t *want = malloc(ow * 8), *got = malloc(ow * 8);
		struct tfqkd_pa *pa;

		naive_words(n, m, s, x, want);
		ASSERT_EQ(0, tfqkd_pa_new_blocks(&pa, n, m, TFQKD_CPU_ALL, sz[t][2]));
		for (size_t i = 0; i < sizeof(nthr) / sizeof(nthr[0]); i++) {
			ASSERT_EQ(0, tfqkd_pa_set_threads(pa, nthr[i]));
			for (int rep = 0; rep < 2; rep++) {
				memset(got, 0xa5, ow * 8);
				ASSERT_EQ(0, tfqkd_pa_hash(pa, s, x, got));
				ASSERT_EQ(0, memcmp(got, want, ow * 8)) {
					TH_LOG("n=%zu m=%zu blocks=%zu threads=%u", n, m, sz[t][2],
					       nthr[i]);
				}
			}
		}
		ASSERT_EQ(-EINVAL, tfqkd_pa_set_threads(pa, 0));
		ASSERT_EQ(-EINVAL, tfqkd_pa_set_threads(pa, TFQKD_PA_MAX_THREADS + 1));
		ASSERT_EQ(-EINVAL, tfqkd_pa_set_threads(NULL, 2));
		tfqkd_pa_free(pa);
		free(s);
		free(x);
		free(want);
		free(got);
	}
}

/* the path follows the allowed features, and the AVX-512 path needs VBMI as well */
TEST(code_path)
{
	static const struct {
		unsigned mask;
		const char *want;
	} cases[] = {
		{ 0, "portable" },
		{ TFQKD_CPU_PCLMUL, "pclmul" },
		{ TFQKD_CPU_PCLMUL | TFQKD_CPU_AVX2 | TFQKD_CPU_VPCLMUL, "avx2+vpclmul" },
		{ TFQKD_CPU_ALL, "avx512+vpclmul" },
	};
	int has[4] = { 1, 0, 0, 0 };

#if defined(__x86_64__)
	__builtin_cpu_init();
	has[1] = __builtin_cpu_supports("pclmul");
	has[2] = has[1] && __builtin_cpu_supports("avx2") &&
		 __builtin_cpu_supports("vpclmulqdq");
	has[3] = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
		 __builtin_cpu_supports("vpclmulqdq");
#endif
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tfqkd_pa *pa;

		ASSERT_EQ(0, tfqkd_pa_new(&pa, 4096, 1024, cases[i].mask));
		if (has[i]) {
			EXPECT_STREQ(cases[i].want, tfqkd_pa_path(pa));
		} else {	/* a lower path than asked for */
			EXPECT_STRNE(cases[i].want, tfqkd_pa_path(pa));
		}
		tfqkd_pa_free(pa);
	}
}

TEST(seed_and_bad_arguments)
{
	struct tfqkd_rng sys = tfqkd_rng_system();
	struct tfqkd_pa *pa = (struct tfqkd_pa *)1;
	uint64_t s[4] = { 0 }, x[2] = { 0 }, y[2];

	ASSERT_EQ(0u, tfqkd_pa_seed_bits(0, 1));
	ASSERT_EQ(0u, tfqkd_pa_seed_bits(10, 0));
	ASSERT_EQ(0u, tfqkd_pa_seed_bits(10, 11));	/* output longer than input */
	ASSERT_EQ(19u, tfqkd_pa_seed_bits(10, 10));
	ASSERT_EQ(-EINVAL, tfqkd_pa_new(&pa, 10, 11, TFQKD_CPU_ALL));
	ASSERT_EQ(NULL, pa);
	ASSERT_EQ(-EINVAL, tfqkd_pa_new(NULL, 10, 5, TFQKD_CPU_ALL));
	ASSERT_EQ(-E2BIG, tfqkd_pa_new(&pa, TFQKD_PA_MAX_BITS + 1, 5, TFQKD_CPU_ALL));
	ASSERT_EQ(-EINVAL, tfqkd_pa_new_blocks(&pa, 100, 10, TFQKD_CPU_ALL, 9));
	ASSERT_EQ(NULL, pa);
	ASSERT_EQ(-EINVAL, tfqkd_pa_new_blocks(&pa, 3, 2, TFQKD_CPU_ALL, 4));
	ASSERT_EQ(-EINVAL, tfqkd_toeplitz_hash(100, 10, NULL, x, y));
	ASSERT_EQ(-EINVAL, tfqkd_toeplitz_hash(100, 10, s, x, NULL));
	ASSERT_EQ(0, tfqkd_pa_new(&pa, 100, 10, TFQKD_CPU_ALL));
	ASSERT_EQ(-EINVAL, tfqkd_pa_hash(pa, s, NULL, y));
	tfqkd_pa_free(pa);
	tfqkd_pa_free(NULL);

	/* a fresh seed has exactly n + m - 1 bits; two draws differ */
	uint64_t s2[4];

	memset(s, 0xff, sizeof(s));
	ASSERT_EQ(0, tfqkd_pa_seed_new(&sys, 100, 30, s));
	ASSERT_EQ(0ULL, s[2] >> 1);	/* 129 bits: only bit 0 of word 2 */
	ASSERT_EQ(~0ULL, s[3]);		/* nothing written past the seed */
	ASSERT_EQ(0, tfqkd_pa_seed_new(&sys, 100, 30, s2));
	ASSERT_NE(0, memcmp(s, s2, 3 * 8));
	ASSERT_EQ(-EINVAL, tfqkd_pa_seed_new(NULL, 100, 30, s));
	ASSERT_EQ(-EINVAL, tfqkd_pa_seed_new(&sys, 100, 300, s));
}

TEST_HARNESS_MAIN
