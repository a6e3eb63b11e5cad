/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/gf2x.h - multiplication of long binary polynomials (GF(2)[x]).
 *
 * Exact, O(n log n) additive FFT over GF(2^64) (see Documentation/tfqkd/postprocessing.rst).
 * The Toeplitz hashing of tfqkd/pa.h uses the same engine.
 */
#ifndef TFQKD_GF2X_H
#define TFQKD_GF2X_H

#include <stddef.h>
#include <stdint.h>

/**
 * tfqkd_gf2x_mul() - product of two binary polynomials
 * @c: result, abits + bbits - 1 bits (ceil(.../64) words; nothing written if either
 *     factor is empty)
 * @a: first factor, @abits coefficients, bit i = coefficient of x^i (LSB-first words)
 * @abits: number of coefficients of @a
 * @b: second factor
 * @bbits: number of coefficients of @b
 *
 * Return: 0, -EINVAL for NULL pointers, -E2BIG if the product is longer than about 2^35
 * bits, -ENOMEM.
 */
int tfqkd_gf2x_mul(uint64_t *c, const uint64_t *a, size_t abits, const uint64_t *b,
		   size_t bbits);

/**
 * tfqkd_gf2x_mul_cpu() - tfqkd_gf2x_mul() restricted to the TFQKD_CPU_* features in @cpu
 * @c: result
 * @a: first factor
 * @abits: its length
 * @b: second factor
 * @bbits: its length
 * @cpu: allowed features (see tfqkd/gf2.h)
 */
int tfqkd_gf2x_mul_cpu(uint64_t *c, const uint64_t *a, size_t abits, const uint64_t *b,
		       size_t bbits, unsigned cpu);

#endif /* TFQKD_GF2X_H */
