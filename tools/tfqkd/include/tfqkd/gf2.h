/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/gf2.h - arithmetic over GF(2): carry-less products, the fields GF(2^64) and
 * GF(2^128), and the polynomial-evaluation universal hash used for error verification and
 * message authentication.
 *
 * Bit conventions (used throughout the post-processing layer):
 * - A bit string of n bits is stored least-significant bit first: bit i is bit (i % 8) of
 *   byte i / 8, i.e. bit (i % 64) of the little-endian 64-bit word i / 64. Unused bits of
 *   the last byte/word are ignored on input and written as zero on output.
 * - GF(2^64) = GF(2)[y] / (y^64 + y^4 + y^3 + y + 1); bit i of a uint64_t is the
 *   coefficient of y^i.
 * - GF(2^128) = GF(2)[y] / (y^128 + y^7 + y^2 + y + 1); struct tfqkd_gf128 holds the
 *   coefficients of y^0..y^63 in @lo and of y^64..y^127 in @hi (no bit reflection, unlike
 *   AES-GCM's GHASH).
 *
 * Every function that uses special CPU instructions has a _cpu variant whose @cpu argument
 * is a mask of TFQKD_CPU_* bits the function may use (intersected with what the CPU has);
 * 0 selects the portable C code. All variants return identical results.
 */
#ifndef TFQKD_GF2_H
#define TFQKD_GF2_H

#include <stddef.h>
#include <stdint.h>

#define TFQKD_CPU_PCLMUL	(1u << 0)	/* PCLMULQDQ (+SSE4.1) */
#define TFQKD_CPU_AVX2		(1u << 1)	/* AVX2 */
#define TFQKD_CPU_AVX512	(1u << 2)	/* AVX-512 F, BW, VL */
#define TFQKD_CPU_VPCLMUL	(1u << 3)	/* VPCLMULQDQ on 256/512-bit vectors */
#define TFQKD_CPU_ALL		(~0u)

/**
 * tfqkd_cpu_features() - the TFQKD_CPU_* features this CPU has (0 off x86-64)
 */
unsigned tfqkd_cpu_features(void);

/**
 * tfqkd_cpu_name() - short name of the best code path allowed by @cpu on this CPU
 * @cpu: mask of allowed features
 *
 * Return: a static string such as "avx512+vpclmul", "avx2", "pclmul" or "portable".
 */
const char *tfqkd_cpu_name(unsigned cpu);

/**
 * struct tfqkd_gf128 - an element of GF(2^128) (see the file comment for the layout)
 * @lo: coefficients of y^0..y^63
 * @hi: coefficients of y^64..y^127
 */
struct tfqkd_gf128 {
	uint64_t lo, hi;
};

/**
 * tfqkd_clmul64_cpu() - carry-less product of two 64-bit polynomials
 * @a: first factor
 * @b: second factor
 * @r: the 127-bit product: r[0] = coefficients 0..63, r[1] = 64..126
 * @cpu: allowed TFQKD_CPU_* features
 */
void tfqkd_clmul64_cpu(uint64_t a, uint64_t b, uint64_t r[2], unsigned cpu);

/**
 * tfqkd_gf64_mul() - product in GF(2^64)
 * @a: factor
 * @b: factor
 */
uint64_t tfqkd_gf64_mul(uint64_t a, uint64_t b);

/**
 * tfqkd_gf64_mul_cpu() - tfqkd_gf64_mul() restricted to the features in @cpu
 * @a: factor
 * @b: factor
 * @cpu: allowed TFQKD_CPU_* features
 */
uint64_t tfqkd_gf64_mul_cpu(uint64_t a, uint64_t b, unsigned cpu);

/**
 * tfqkd_gf128_mul() - product in GF(2^128)
 * @a: factor
 * @b: factor
 */
struct tfqkd_gf128 tfqkd_gf128_mul(struct tfqkd_gf128 a, struct tfqkd_gf128 b);

/**
 * tfqkd_gf128_mul_cpu() - tfqkd_gf128_mul() restricted to the features in @cpu
 * @a: factor
 * @b: factor
 * @cpu: allowed TFQKD_CPU_* features
 */
struct tfqkd_gf128 tfqkd_gf128_mul_cpu(struct tfqkd_gf128 a, struct tfqkd_gf128 b,
				       unsigned cpu);

/**
 * tfqkd_polyhash64() - polynomial-evaluation hash of a bit string over GF(2^64)
 * @key: hash key k (uniformly random and independent of the message for the bound below)
 * @msg: the message, @nbits bits LSB first (may be NULL if @nbits is 0)
 * @nbits: message length in bits
 *
 * The message is cut into l = ceil(@nbits / 64) blocks m_1..m_l (the last one padded with
 * zeros) and a final block m_{l+1} = @nbits is appended; the hash is
 * h_k = m_1 k^(l+1) + m_2 k^l + ... + m_{l+1} k (Horner's rule). For two different messages
 * of at most L bits each and any constant d, Pr_k[h_k(M) + h_k(M') = d] <= (ceil(L/64)+1)/2^64
 * (the family is epsilon-almost-XOR-universal), because h_k(M) + h_k(M') + d is a non-zero
 * polynomial in k of degree <= ceil(L/64) + 1.
 *
 * Return: the 64-bit hash value.
 */
uint64_t tfqkd_polyhash64(uint64_t key, const void *msg, size_t nbits);

/**
 * tfqkd_polyhash64_cpu() - tfqkd_polyhash64() restricted to the features in @cpu
 * @key: hash key
 * @msg: message
 * @nbits: message length in bits
 * @cpu: allowed TFQKD_CPU_* features
 */
uint64_t tfqkd_polyhash64_cpu(uint64_t key, const void *msg, size_t nbits, unsigned cpu);

/**
 * tfqkd_polyhash128() - the same construction over GF(2^128) (blocks of 128 bits, the
 * length block is @nbits in the low word)
 * @key: hash key
 * @msg: message, LSB first
 * @nbits: message length in bits
 *
 * Collision/forgery bound (ceil(L/128)+1)/2^128 for messages of at most L bits.
 */
struct tfqkd_gf128 tfqkd_polyhash128(struct tfqkd_gf128 key, const void *msg, size_t nbits);

/**
 * tfqkd_polyhash128_cpu() - tfqkd_polyhash128() restricted to the features in @cpu
 * @key: hash key
 * @msg: message
 * @nbits: message length in bits
 * @cpu: allowed TFQKD_CPU_* features
 */
struct tfqkd_gf128 tfqkd_polyhash128_cpu(struct tfqkd_gf128 key, const void *msg,
					 size_t nbits, unsigned cpu);

/**
 * tfqkd_polyhash_log2_eps() - log2 of the collision bound of tfqkd_polyhash64/128
 * @tbits: 64 or 128
 * @nbits: the longest message length in bits
 *
 * Return: log2((ceil(nbits / tbits) + 1) / 2^tbits); NAN for other @tbits.
 */
double tfqkd_polyhash_log2_eps(unsigned tbits, size_t nbits);

#endif /* TFQKD_GF2_H */
