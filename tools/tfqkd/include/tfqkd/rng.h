/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/rng.h - randomness for the post-processing layer.
 *
 * Two kinds, never to be confused:
 *
 * - struct tfqkd_xrng: a small deterministic generator (xoshiro256** seeded through
 *   splitmix64). Both parties run it from the same public seed to build the same LDPC code,
 *   puncturing pattern and so on, and the simulations use it. It is NOT a source of secrets.
 *   Its output is part of the wire protocol (code construction), so it never changes.
 *
 * - struct tfqkd_rng: a source of secret/unpredictable bits (punctured bits of the error
 *   correction, verification hash keys, privacy-amplification seeds). The default one reads
 *   the kernel's CSPRNG through getrandom(2); a daemon may plug in a QRNG.
 */
#ifndef TFQKD_RNG_H
#define TFQKD_RNG_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct tfqkd_xrng - deterministic xoshiro256** state (public, reproducible randomness)
 * @s: the 256-bit state; never all zero
 */
struct tfqkd_xrng {
	uint64_t s[4];
};

/**
 * tfqkd_xrng_seed() - seed the generator: the state is four splitmix64 outputs of @seed
 * @r: generator
 * @seed: any 64-bit value
 */
void tfqkd_xrng_seed(struct tfqkd_xrng *r, uint64_t seed);

/**
 * tfqkd_xrng_next() - next 64 uniformly distributed bits
 * @r: generator
 */
uint64_t tfqkd_xrng_next(struct tfqkd_xrng *r);

/**
 * tfqkd_xrng_below() - uniform integer in [0, @bound), without modulo bias
 * @r: generator
 * @bound: exclusive upper bound, >= 1 (0 returns 0)
 *
 * Lemire's multiply-and-reject method; the sequence of outputs is part of the code
 * construction and therefore fixed.
 */
uint64_t tfqkd_xrng_below(struct tfqkd_xrng *r, uint64_t bound);

/**
 * tfqkd_xrng_double() - uniform double in [0, 1) with 53 random bits
 * @r: generator
 */
double tfqkd_xrng_double(struct tfqkd_xrng *r);

/**
 * struct tfqkd_rng - a source of secret random bytes
 * @fill: write @len random bytes to @buf; return 0 or a negative errno. Must either fill
 *        everything or fail.
 * @ctx: passed to @fill
 */
struct tfqkd_rng {
	int (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/**
 * tfqkd_rng_system() - the kernel CSPRNG (getrandom(2), blocking until seeded)
 *
 * Return: a struct tfqkd_rng whose fill never returns a partial result.
 */
struct tfqkd_rng tfqkd_rng_system(void);

/**
 * tfqkd_rng_fill() - fill @buf from @rng, checking the arguments
 * @rng: source (NULL or without fill: -EINVAL)
 * @buf: destination (may be NULL only if @len is 0)
 * @len: bytes
 *
 * Return: 0 or a negative errno from the source.
 */
int tfqkd_rng_fill(const struct tfqkd_rng *rng, void *buf, size_t len);

#endif /* TFQKD_RNG_H */
