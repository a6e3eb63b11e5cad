// SPDX-License-Identifier: GPL-2.0-only
/*
 * QC-LDPC family: the syndrome follows the documented structure (columns of H have the
 * stated degrees, shifting every z-block shifts every check block), codes are reproducible
 * from their parameters, puncturing patterns are untainted, the AVX-512 decoder matches the
 * portable one exactly, and decoding works on simulated binary symmetric channels.
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
#include "tfqkd/ldpc.h"
#include "tfqkd/rng.h"

static int getb(const uint64_t *v, size_t i)
{
	return (int)((v[i / 64] >> (i % 64)) & 1);
}

static void flipb(uint64_t *v, size_t i)
{
	v[i / 64] ^= 1ULL << (i % 64);
}

TEST(columns_have_their_degree_and_codes_are_reproducible)
{
	struct tfqkd_ldpc_code *c, *c2, *c3;
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;
	uint64_t *x, *s, *s2;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 100, 64, 7));
	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c2, 100, 64, 7));
	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c3, 100, 64, 8));
	tfqkd_ldpc_code_info(c, &in);
	ASSERT_EQ((size_t)256 * 64, in.n);
	ASSERT_EQ((size_t)100 * 64, in.m);
	x = calloc(in.n / 64, 8);
	s = calloc(in.m / 64, 8);
	s2 = calloc(in.m / 64, 8);
	/* H e_i is column i: weight = degree, distinct checks */
	size_t edges = 0;

	for (size_t i = 0; i < in.n; i += 37) {
		memset(x, 0, in.n / 8);
		flipb(x, i);
		ASSERT_EQ(0, tfqkd_ldpc_syndrome(c, x, s));
		unsigned w = 0;

		for (size_t k = 0; k < in.m / 64; k++)
			w += (unsigned)__builtin_popcountll(s[k]);
		ASSERT_EQ(tfqkd_ldpc_var_degree(c, i), w);
		ASSERT_TRUE(w >= 2 && w <= in.dv_max);
	}
	for (size_t i = 0; i < in.n; i += 64)
		edges += tfqkd_ldpc_var_degree(c, i);
	ASSERT_EQ(in.base_edges, edges);
	ASSERT_EQ(in.edges, edges * 64);
	/* same parameters, same code; other seed, other code */
	tfqkd_xrng_seed(&r, 1);
	for (size_t k = 0; k < in.n / 64; k++)
		x[k] = tfqkd_xrng_next(&r);
	ASSERT_EQ(0, tfqkd_ldpc_syndrome(c, x, s));
	ASSERT_EQ(0, tfqkd_ldpc_syndrome(c2, x, s2));
	ASSERT_EQ(0, memcmp(s, s2, in.m / 8));
	ASSERT_EQ(0, tfqkd_ldpc_syndrome(c3, x, s2));
	ASSERT_NE(0, memcmp(s, s2, in.m / 8));
	free(x);
	free(s);
	free(s2);
	tfqkd_ldpc_code_free(c);
	tfqkd_ldpc_code_free(c2);
	tfqkd_ldpc_code_free(c3);
}

TEST(syndrome_is_linear_and_quasi_cyclic)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;
	const unsigned z = 128;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 40, z, 3));
	tfqkd_ldpc_code_info(c, &in);
	uint64_t *x = calloc(in.n / 64, 8), *y = calloc(in.n / 64, 8), *xs = calloc(in.n / 64, 8);
	uint64_t *sx = calloc(in.m / 64, 8), *sy = calloc(in.m / 64, 8), *sxy = calloc(in.m / 64, 8);

	tfqkd_xrng_seed(&r, 2);
	for (size_t k = 0; k < in.n / 64; k++) {
		x[k] = tfqkd_xrng_next(&r);
		y[k] = tfqkd_xrng_next(&r);
	}
	tfqkd_ldpc_syndrome(c, x, sx);
	tfqkd_ldpc_syndrome(c, y, sy);
	for (size_t k = 0; k < in.n / 64; k++)
		y[k] ^= x[k];
	tfqkd_ldpc_syndrome(c, y, sxy);
	for (size_t k = 0; k < in.m / 64; k++)
		ASSERT_EQ(sx[k] ^ sy[k], sxy[k]);
	/* bit j of every column block moves to j+1: check k moves to k+1 in every row block */
	for (size_t col = 0; col < 256; col++)
		for (unsigned j = 0; j < z; j++)
			if (getb(x, col * z + j))
				flipb(xs, col * z + (j + 1) % z);
	tfqkd_ldpc_syndrome(c, xs, sy);
	for (size_t row = 0; row < 40; row++)
		for (unsigned k = 0; k < z; k++)
			ASSERT_EQ(getb(sx, row * z + k), getb(sy, row * z + (k + 1) % z));
	free(x);
	free(y);
	free(xs);
	free(sx);
	free(sy);
	free(sxy);
	tfqkd_ldpc_code_free(c);
}

TEST(puncturing_pattern_is_untainted)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_info in;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 64, 64, 5));
	tfqkd_ldpc_code_info(c, &in);
	uint32_t *pos = malloc(in.n * sizeof(*pos));
	long np = tfqkd_ldpc_puncture_order(c, 9, pos, in.n);
	uint64_t *x = calloc(in.n / 64, 8), *s = calloc(in.m / 64, 8), *used = calloc(in.m / 64, 8);

	ASSERT_TRUE(np > 0);
	TH_LOG("%ld untainted positions of %zu", np, in.n);
	for (long i = 0; i < np; i++) {
		memset(x, 0, in.n / 8);
		flipb(x, pos[i]);
		tfqkd_ldpc_syndrome(c, x, s);
		for (size_t k = 0; k < in.m / 64; k++) {
			ASSERT_EQ(0ULL, s[k] & used[k]);	/* no shared check */
			used[k] |= s[k];
		}
		if (i)	/* lowest degree first */
			ASSERT_TRUE(tfqkd_ldpc_var_degree(c, pos[i - 1]) <=
				    tfqkd_ldpc_var_degree(c, pos[i]));
	}
	/* a shorter request gives a prefix of the same order */
	uint32_t few[10];

	ASSERT_EQ(10, tfqkd_ldpc_puncture_order(c, 9, few, 10));
	ASSERT_EQ(0, memcmp(few, pos, sizeof(few)));
	free(pos);
	free(x);
	free(s);
	free(used);
	tfqkd_ldpc_code_free(c);
}

/* one BSC(q) frame: returns decoder result, hard decision in *hd */
static int decode_frame(struct tfqkd_ldpc_dec *d, const struct tfqkd_ldpc_code *c, double q,
			uint64_t seed, unsigned maxit, uint64_t *x, uint64_t *hd, unsigned *it)
{
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;
	uint64_t thr = (uint64_t)(q * 18446744073709551616.0);
	int llr = tfqkd_ldpc_llr_of_qber(q), ret;

	tfqkd_ldpc_code_info(c, &in);
	uint64_t *s = calloc(in.m / 64, 8);
	int8_t *l = malloc(in.n);

	tfqkd_xrng_seed(&r, seed);
	for (size_t k = 0; k < in.n / 64; k++)
		x[k] = tfqkd_xrng_next(&r);
	tfqkd_ldpc_syndrome(c, x, s);
	for (size_t i = 0; i < in.n; i++) {
		int b = getb(x, i) ^ (tfqkd_xrng_next(&r) < thr);

		l[i] = (int8_t)(b ? -llr : llr);
	}
	tfqkd_ldpc_dec_start(d, l, s);
	ret = tfqkd_ldpc_dec_run(d, maxit, it);
	tfqkd_ldpc_dec_hard(d, hd);
	free(s);
	free(l);
	return ret;
}

TEST(decodes_bsc_frames)
{
	static const struct { unsigned mb; double q; } cases[] = {
		{ 128, 0.05 }, { 100, 0.03 }, { 200, 0.15 }, { 40, 0.01 },
	};
	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		struct tfqkd_ldpc_code *c;
		struct tfqkd_ldpc_dec *d;
		struct tfqkd_ldpc_info in;
		unsigned it;

		ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, cases[t].mb, 64, 11));
		ASSERT_EQ(0, tfqkd_ldpc_dec_new(&d, c, TFQKD_CPU_ALL));
		tfqkd_ldpc_code_info(c, &in);
		uint64_t *x = calloc(in.n / 64, 8), *hd = calloc(in.n / 64, 8);

		for (int f = 0; f < 3; f++) {
			ASSERT_EQ(1, decode_frame(d, c, cases[t].q, 100 + f, 100, x, hd, &it)) {
				TH_LOG("mb %u q %.2f frame %d", cases[t].mb, cases[t].q, f);
			}
			ASSERT_EQ(0, memcmp(x, hd, in.n / 8));
		}
		/* far beyond the code's reach: no convergence within the limit, no crash */
		ASSERT_EQ(0, decode_frame(d, c, 0.3, 7, 20, x, hd, &it));
		ASSERT_EQ(20u, it);
		free(x);
		free(hd);
		tfqkd_ldpc_dec_free(d);
		tfqkd_ldpc_code_free(c);
	}
}

TEST(simd_decoder_matches_portable)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_dec *dp, *dv;
	struct tfqkd_ldpc_info in;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 128, 128, 12));
	ASSERT_EQ(0, tfqkd_ldpc_dec_new(&dp, c, 0));
	ASSERT_EQ(0, tfqkd_ldpc_dec_new(&dv, c, TFQKD_CPU_ALL));
	ASSERT_STREQ("portable", tfqkd_ldpc_dec_path(dp));
	if (!strcmp(tfqkd_ldpc_dec_path(dv), "portable"))
		SKIP(goto out, "no AVX-512 VBMI on this CPU");
	tfqkd_ldpc_code_info(c, &in);
	uint64_t *x = calloc(in.n / 64, 8), *h1 = calloc(in.n / 64, 8), *h2 = calloc(in.n / 64, 8);

	/* near and beyond the threshold, and after a few iterations only */
	static const double qs[] = { 0.06, 0.09, 0.1, 0.2 };
	static const unsigned its[] = { 100, 100, 7, 3 };

	for (size_t t = 0; t < 4; t++) {
		unsigned i1, i2;
		int r1 = decode_frame(dp, c, qs[t], 50 + t, its[t], x, h1, &i1);
		int r2 = decode_frame(dv, c, qs[t], 50 + t, its[t], x, h2, &i2);

		ASSERT_EQ(r1, r2);
		ASSERT_EQ(i1, i2);
		ASSERT_EQ(0, memcmp(h1, h2, in.n / 8));
	}
	free(x);
	free(h1);
	free(h2);
out:
	tfqkd_ldpc_dec_free(dp);
	tfqkd_ldpc_dec_free(dv);
	tfqkd_ldpc_code_free(c);
}

/*
 * High check degree with many erased or barely known bits: the phi-domain sums of a check
 * exceed 15 bits (PHI of magnitude 0 is 4095, of 1/8 about 709; dc > 40 here), which the
 * vector path saturates differently from the portable one; the decisions must agree.
 */
TEST(simd_decoder_matches_portable_saturated_sums)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_dec *dp, *dv;
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 24, 64, 15));
	ASSERT_EQ(0, tfqkd_ldpc_dec_new(&dp, c, 0));
	ASSERT_EQ(0, tfqkd_ldpc_dec_new(&dv, c, TFQKD_CPU_ALL));
	if (!strcmp(tfqkd_ldpc_dec_path(dv), "portable"))
		SKIP(goto out, "no AVX-512 VBMI on this CPU");
	tfqkd_ldpc_code_info(c, &in);
	ASSERT_LT(40u, in.dc_max);
	uint64_t *x = calloc(in.n / 64, 8), *s = calloc(in.m / 64, 8);
	uint64_t *e = calloc(in.n / 64, 8), *h1 = calloc(in.n / 64, 8), *h2 = calloc(in.n / 64, 8);

	tfqkd_xrng_seed(&r, 5);
	for (size_t k = 0; k < in.n / 64; k++) {
		x[k] = tfqkd_xrng_next(&r);
		e[k] = tfqkd_xrng_next(&r) | tfqkd_xrng_next(&r);	/* 3/4 erased */
	}
	tfqkd_ldpc_syndrome(c, x, s);
	for (size_t k = 0; k < in.n / 64; k++)	/* channel errors: about 1/8 of the bits */
		x[k] ^= tfqkd_xrng_next(&r) & tfqkd_xrng_next(&r) & tfqkd_xrng_next(&r);
	/* erased bits (magnitude 0, the largest phi), or every input of magnitude 1/8 */
	for (unsigned v = 0; v < 2; v++) {
		ASSERT_EQ(0, tfqkd_ldpc_dec_start_bits(dp, x, v ? NULL : e, v ? 1 : 20, s));
		ASSERT_EQ(0, tfqkd_ldpc_dec_start_bits(dv, x, v ? NULL : e, v ? 1 : 20, s));
		for (unsigned step = 0; step < 4; step++) {
			unsigned i1, i2;
			int r1 = tfqkd_ldpc_dec_run(dp, 1 + step, &i1);
			int r2 = tfqkd_ldpc_dec_run(dv, 1 + step, &i2);

			ASSERT_EQ(r1, r2);
			ASSERT_EQ(i1, i2);
			tfqkd_ldpc_dec_hard(dp, h1);
			tfqkd_ldpc_dec_hard(dv, h2);
			ASSERT_EQ(0, memcmp(h1, h2, in.n / 8));
		}
	}
	free(x);
	free(s);
	free(e);
	free(h1);
	free(h2);
out:
	tfqkd_ldpc_dec_free(dp);
	tfqkd_ldpc_dec_free(dv);
	tfqkd_ldpc_code_free(c);
}

/* tfqkd_ldpc_dec_start_bits() == tfqkd_ldpc_dec_start() with the LLR array built by hand */
TEST(start_from_bits_matches_llr_array)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 100, 128, 14));
	tfqkd_ldpc_code_info(c, &in);
	uint64_t *x = calloc(in.n / 64, 8), *y = calloc(in.n / 64, 8), *e = calloc(in.n / 64, 8);
	uint64_t *s = calloc(in.m / 64, 8), *h1 = calloc(in.n / 64, 8), *h2 = calloc(in.n / 64, 8);
	int8_t *l = calloc(in.n, 1);
	const int llr = tfqkd_ldpc_llr_of_qber(0.04);

	tfqkd_xrng_seed(&r, 21);
	for (size_t k = 0; k < in.n / 64; k++)
		x[k] = tfqkd_xrng_next(&r);
	tfqkd_ldpc_syndrome(c, x, s);
	memcpy(y, x, in.n / 8);
	for (size_t i = 0; i < in.n; i++) {
		uint64_t u = tfqkd_xrng_next(&r);

		if (u % 100 < 4)
			flipb(y, i);	/* channel errors */
		if (u % 100 > 96)
			e[i / 64] |= 1ULL << (i % 64);	/* erased: 3 % */
		l[i] = (int8_t)(getb(e, i) ? 0 : getb(y, i) ? -llr : llr);
	}
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		struct tfqkd_ldpc_dec *d1, *d2;
		unsigned i1, i2;

		ASSERT_EQ(0, tfqkd_ldpc_dec_new(&d1, c, cpu ? TFQKD_CPU_ALL : 0));
		ASSERT_EQ(0, tfqkd_ldpc_dec_new(&d2, c, cpu ? TFQKD_CPU_ALL : 0));
		ASSERT_EQ(0, tfqkd_ldpc_dec_start(d1, l, s));
		ASSERT_EQ(0, tfqkd_ldpc_dec_start_bits(d2, y, e, llr, s));
		/* before any iteration the hard decisions are the channel bits (erased: 0) */
		tfqkd_ldpc_dec_hard(d2, h2);
		for (size_t k = 0; k < in.n / 64; k++)
			ASSERT_EQ(y[k] & ~e[k], h2[k]);
		/* a few iterations (mid-decoding), then to the end */
		for (unsigned round = 0; round < 2; round++) {
			int r1 = tfqkd_ldpc_dec_run(d1, round ? 100 : 2, &i1);
			int r2 = tfqkd_ldpc_dec_run(d2, round ? 100 : 2, &i2);

			ASSERT_EQ(r1, r2);
			ASSERT_EQ(i1, i2);
			tfqkd_ldpc_dec_hard(d1, h1);
			tfqkd_ldpc_dec_hard(d2, h2);
			ASSERT_EQ(0, memcmp(h1, h2, in.n / 8));
		}
		ASSERT_EQ(0, memcmp(x, h2, in.n / 8));	/* and it decoded */
		/* no erasure mask: every bit has a channel value */
		ASSERT_EQ(0, tfqkd_ldpc_dec_start_bits(d2, y, NULL, llr, s));
		tfqkd_ldpc_dec_hard(d2, h2);
		ASSERT_EQ(0, memcmp(y, h2, in.n / 8));
		ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_start_bits(d2, y, e, 0, s));
		ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_start_bits(d2, y, e, TFQKD_LDPC_LLR_MAX + 1, s));
		ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_start_bits(d2, NULL, e, llr, s));
		ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_start_bits(d2, y, e, llr, NULL));
		tfqkd_ldpc_dec_free(d1);
		tfqkd_ldpc_dec_free(d2);
	}
	free(x);
	free(y);
	free(e);
	free(s);
	free(h1);
	free(h2);
	free(l);
	tfqkd_ldpc_code_free(c);
}

TEST(known_bits_are_kept)
{
	struct tfqkd_ldpc_code *c;
	struct tfqkd_ldpc_dec *d;
	struct tfqkd_ldpc_info in;
	struct tfqkd_xrng r;

	ASSERT_EQ(0, tfqkd_ldpc_code_new(&c, 128, 64, 13));
	ASSERT_EQ(0, tfqkd_ldpc_dec_new(&d, c, TFQKD_CPU_ALL));
	tfqkd_ldpc_code_info(c, &in);
	uint64_t *x = calloc(in.n / 64, 8), *s = calloc(in.m / 64, 8), *hd = calloc(in.n / 64, 8);
	int8_t *l = calloc(in.n, 1);

	/* a quarter of the bits erased (rate 1/2 code), the others known through dec_fix() */
	tfqkd_xrng_seed(&r, 3);
	for (size_t k = 0; k < in.n / 64; k++)
		x[k] = tfqkd_xrng_next(&r);
	tfqkd_ldpc_syndrome(c, x, s);
	ASSERT_EQ(0, tfqkd_ldpc_dec_start(d, l, s));
	for (size_t i = 0; i < in.n; i++)
		if (i % 4)
			ASSERT_EQ(0, tfqkd_ldpc_dec_fix(d, i, getb(x, i)));
	ASSERT_EQ(1, tfqkd_ldpc_dec_run(d, 200, NULL));
	tfqkd_ldpc_dec_hard(d, hd);
	ASSERT_EQ(0, memcmp(x, hd, in.n / 8));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_fix(d, in.n, 0));
	free(x);
	free(s);
	free(hd);
	free(l);
	tfqkd_ldpc_dec_free(d);
	tfqkd_ldpc_code_free(c);
}

TEST(bad_parameters)
{
	struct tfqkd_ldpc_code *c = (struct tfqkd_ldpc_code *)1;

	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, 0, 64, 1));
	ASSERT_EQ(NULL, c);
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, TFQKD_LDPC_MBMIN - 1, 64, 1));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, TFQKD_LDPC_MBMAX + 1, 64, 1));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, 100, 96, 1));	/* not a multiple of 64 */
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, 100, 0, 1));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(&c, 100, TFQKD_LDPC_ZMAX + 64, 1));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_code_new(NULL, 100, 64, 1));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_syndrome(NULL, NULL, NULL));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_new(NULL, NULL, 0));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_start(NULL, NULL, NULL));
	ASSERT_EQ(-EINVAL, tfqkd_ldpc_dec_run(NULL, 1, NULL));
	/* channel values */
	ASSERT_EQ(37, tfqkd_ldpc_llr_of_qber(0.01));	/* 8 ln 99 = 36.76 */
	ASSERT_EQ(17, tfqkd_ldpc_llr_of_qber(0.11));	/* 8 ln(89/11) = 16.73 */
	ASSERT_EQ(1, tfqkd_ldpc_llr_of_qber(0.499));
	ASSERT_EQ(TFQKD_LDPC_LLR_MAX, tfqkd_ldpc_llr_of_qber(0));
}

TEST_HARNESS_MAIN
