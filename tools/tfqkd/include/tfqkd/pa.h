/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/pa.h - privacy amplification by Toeplitz hashing.
 *
 * An m x n Toeplitz matrix T is defined by n + m - 1 seed bits s_0 .. s_{n+m-2}:
 * T[i][j] = s_{i - j + n - 1}. The output is y = T x over GF(2), i.e.
 * y_i = XOR_j s_{i-j+n-1} x_j, for an input block x of n bits. The family
 * {x -> T x} is universal_2 (collision probability 2^-m for x != x'), which is what the
 * leftover hash lemma needs; the seed must be uniformly random, independent of the key, and
 * FRESH for every block (it may be public: Alice draws it and sends it over the
 * authenticated channel). The output length m comes from the finite-key analysis.
 *
 * y is computed exactly as bits n-1 .. n+m-2 of the polynomial product s(x) * x(x) (as a
 * sum of such middle products over column blocks of T), by an additive FFT over GF(2^64)
 * (O((n+m) log(n+m)), see Documentation/tfqkd/postprocessing.rst).
 * Bits are LSB first in 64-bit words (see tfqkd/gf2.h).
 */
#ifndef TFQKD_PA_H
#define TFQKD_PA_H

#include <stddef.h>
#include <stdint.h>

#include "tfqkd/rng.h"

/* Largest supported input block: 2^31 bits (the transform then needs about 2 x 4 GiB). */
#define TFQKD_PA_MAX_BITS ((size_t)1 << 31)

struct tfqkd_pa;

/**
 * tfqkd_pa_seed_bits() - number of seed bits for an m x n Toeplitz matrix
 * @n: input bits
 * @m: output bits
 *
 * Return: n + m - 1, or 0 if the sizes are invalid (see tfqkd_pa_new()).
 */
size_t tfqkd_pa_seed_bits(size_t n, size_t m);

/**
 * tfqkd_pa_new() - prepare hashing of n-bit blocks to m bits (allocates the work space)
 * @pa: receives the plan
 * @n: input block length in bits, 1 <= n <= TFQKD_PA_MAX_BITS
 * @m: output length in bits, 1 <= m <= n
 * @cpu: TFQKD_CPU_* features the code may use (TFQKD_CPU_ALL normally)
 *
 * A plan can hash any number of blocks of these sizes (each with a fresh seed); it is not
 * safe to use one plan from two threads at once.
 * Return: 0, -EINVAL (NULL @pa, bad sizes), -E2BIG (n too large), -ENOMEM.
 */
int tfqkd_pa_new(struct tfqkd_pa **pa, size_t n, size_t m, unsigned cpu);

/**
 * tfqkd_pa_new_blocks() - tfqkd_pa_new() with a given number of column blocks
 * @pa: receives the plan
 * @n: input block length in bits
 * @m: output length in bits
 * @cpu: TFQKD_CPU_* features
 * @blocks: 1 to 8 column blocks (the input is hashed as that many Toeplitz blocks whose
 *          transforms share one inverse), or 0 to let tfqkd_pa_new() choose (the normal case)
 *
 * The result does not depend on @blocks; only speed and memory do (tests, benchmarks).
 * Return: as tfqkd_pa_new(); -EINVAL also for @blocks > 8 or > @n.
 */
int tfqkd_pa_new_blocks(struct tfqkd_pa **pa, size_t n, size_t m, unsigned cpu, size_t blocks);

/**
 * tfqkd_pa_path() - name of the code path a plan uses
 * @pa: plan
 *
 * Return: "avx512+vpclmul" (AVX-512 BW/VBMI with 512-bit VPCLMULQDQ), "avx2+vpclmul",
 * "pclmul" or "portable". It can differ from tfqkd_cpu_name(), which names the CPU's
 * features: e.g. the AVX-512 path also needs VBMI.
 */
const char *tfqkd_pa_path(const struct tfqkd_pa *pa);

/* Most threads one plan may use (tfqkd_pa_set_threads()). */
#define TFQKD_PA_MAX_THREADS 8

/**
 * tfqkd_pa_set_threads() - let tfqkd_pa_hash() use several threads
 * @pa: plan
 * @threads: 1 (the default: everything in the calling thread) to TFQKD_PA_MAX_THREADS
 *
 * The forward transforms are independent: with c column blocks (see
 * tfqkd_pa_new_blocks()) up to c threads share them (two with one block: seed and input),
 * the inverse transform runs in the calling thread. tfqkd_pa_hash() then starts and joins
 * threads - 1 POSIX threads per call (if one cannot be started, its share runs in the
 * calling thread). Each extra thread needs its own work space (three arrays of the
 * transform size). The result does not depend on @threads.
 * Return: 0, -EINVAL (NULL @pa, @threads out of range) or -ENOMEM (the plan is unchanged).
 */
int tfqkd_pa_set_threads(struct tfqkd_pa *pa, unsigned threads);

/**
 * tfqkd_pa_free() - release a plan (NULL is ignored)
 * @pa: the plan
 */
void tfqkd_pa_free(struct tfqkd_pa *pa);

/**
 * tfqkd_pa_hash() - y = T(seed) x
 * @pa: plan
 * @seed: n + m - 1 seed bits
 * @in: the n-bit block x
 * @out: the m-bit result y (ceil(m/64) words; unused high bits of the last word are zeroed)
 *
 * @out may not overlap @seed or @in.
 * Return: 0 or -EINVAL for NULL arguments.
 */
int tfqkd_pa_hash(struct tfqkd_pa *pa, const uint64_t *seed, const uint64_t *in,
		  uint64_t *out);

/**
 * tfqkd_toeplitz_hash() - one-shot tfqkd_pa_new() + tfqkd_pa_hash() + tfqkd_pa_free()
 * @n: input bits
 * @m: output bits
 * @seed: n + m - 1 seed bits
 * @in: n input bits
 * @out: m output bits
 *
 * Return: as tfqkd_pa_new() and tfqkd_pa_hash().
 */
int tfqkd_toeplitz_hash(size_t n, size_t m, const uint64_t *seed, const uint64_t *in,
			uint64_t *out);

/**
 * tfqkd_pa_seed_new() - draw a fresh seed for one block
 * @rng: source of random bits (e.g. tfqkd_rng_system())
 * @n: input bits
 * @m: output bits
 * @seed: receives tfqkd_pa_seed_bits(n, m) bits (unused high bits of the last word zeroed)
 *
 * Return: 0, -EINVAL, or the error of the source.
 */
int tfqkd_pa_seed_new(const struct tfqkd_rng *rng, size_t n, size_t m, uint64_t *seed);

#endif /* TFQKD_PA_H */
