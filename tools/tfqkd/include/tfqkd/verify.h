/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/verify.h - error verification after reconciliation.
 *
 * Alice draws a fresh hash key k (64 or 128 bits, uniformly random, independent of the
 * keys) and sends k and h_k(x_A), the polynomial-evaluation hash of tfqkd/gf2.h; Bob
 * compares it with h_k(x_B). If x_A != x_B the tags collide with probability at most
 *     eps_ver = (ceil(n / t) + 1) / 2^t        (t = 64 or 128, n = key bits),
 * whatever the error pattern, because k is drawn after the keys are fixed. The tag is
 * public, so it costs t bits of leakage in the privacy amplification. k need not be
 * secret: a source of unpredictable bits (tfqkd_rng) suffices.
 */
#ifndef TFQKD_VERIFY_H
#define TFQKD_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "tfqkd/rng.h"

/**
 * struct tfqkd_verify_tag - hash key and tag (t bits each, t = @bits)
 * @bits: 64 or 128
 * @key: hash key (key[1] unused for 64)
 * @tag: hash value (tag[1] unused for 64)
 */
struct tfqkd_verify_tag {
	unsigned bits;
	uint64_t key[2];
	uint64_t tag[2];
};

/**
 * tfqkd_verify_make() - Alice's side: draw a key and hash her n-bit key
 * @rng: source of the hash key
 * @bits: tag length t, 64 or 128
 * @key: the key x_A, @nbits bits LSB first
 * @nbits: its length (>= 1)
 * @out: receives hash key and tag
 *
 * Return: 0, -EINVAL, or the error of @rng.
 */
int tfqkd_verify_make(const struct tfqkd_rng *rng, unsigned bits, const uint64_t *key,
		      size_t nbits, struct tfqkd_verify_tag *out);

/**
 * tfqkd_verify_check() - Bob's side: does his key hash to Alice's tag?
 * @tag: hash key and tag received from Alice
 * @key: Bob's corrected key
 * @nbits: its length
 *
 * The comparison takes the same time whatever the tags.
 * Return: 1 if the tags are equal, 0 if not, -EINVAL for bad arguments.
 */
int tfqkd_verify_check(const struct tfqkd_verify_tag *tag, const uint64_t *key, size_t nbits);

/**
 * tfqkd_verify_log2_eps() - log2 of eps_ver for @bits-bit tags on @nbits-bit keys
 * @bits: 64 or 128
 * @nbits: key length
 *
 * Return: the bound, NAN for other @bits.
 */
double tfqkd_verify_log2_eps(unsigned bits, size_t nbits);

#endif /* TFQKD_VERIFY_H */
