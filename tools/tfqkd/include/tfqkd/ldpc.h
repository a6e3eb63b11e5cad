/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/ldpc.h - quasi-cyclic LDPC codes for syndrome-based reconciliation, and their
 * decoder.
 *
 * Every code of the family has a base matrix of TFQKD_LDPC_NB = 256 columns and mb rows,
 * lifted by circulant permutations of size z (a multiple of 64): N = 256 z code bits,
 * M = mb z parity checks, rate 1 - mb/256. The base matrix and the shifts are generated
 * deterministically from (family version, mb, z, seed) with the public xoshiro256**
 * generator, so both parties build the same matrix from a few bytes of parameters:
 * column degrees follow the degree distribution designed for the nearest rate (see
 * Documentation/tfqkd/postprocessing.rst), degree-2 columns form an acyclic chain, row
 * degrees are as equal as possible, and shifts are drawn so that the lifted graph has no
 * 4-cycles where that is possible.
 *
 * Check k of base row r and variable bit j of base column c are connected, for a base edge
 * (r, c) with shift p, iff j == (k + p) mod z: bit index c*z + (k+p)%z, check index r*z + k.
 */
#ifndef TFQKD_LDPC_H
#define TFQKD_LDPC_H

#include <stddef.h>
#include <stdint.h>

#define TFQKD_LDPC_NB		256	/* base columns */
#define TFQKD_LDPC_MBMIN	8	/* fewest base rows (check degrees stay < 255) */
#define TFQKD_LDPC_MBMAX	240	/* most base rows (rate 1/16) */
#define TFQKD_LDPC_ZALIGN	64	/* z must be a multiple of this */
#define TFQKD_LDPC_ZMAX		65536	/* largest lifting size (N = 2^24) */
/*
 * Version of the construction (wire protocol): 1 the first design; 2 new degree
 * distributions at design rates 0.45-0.915 (optimised for this decoder's check rule; see
 * Documentation/tfqkd/postprocessing.rst).
 * A SYNDROME message of another version is refused (tfqkd_ec_bob_new(): -EPROTONOSUPPORT).
 */
#define TFQKD_LDPC_FAMILY	2

struct tfqkd_ldpc_code;

/**
 * tfqkd_ldpc_code_new() - build a code of the family
 * @code: receives the code
 * @mb: base rows, TFQKD_LDPC_MBMIN <= mb <= TFQKD_LDPC_MBMAX (rate 1 - mb/256)
 * @z: lifting size, a multiple of TFQKD_LDPC_ZALIGN, 64 <= z <= TFQKD_LDPC_ZMAX
 * @seed: public seed; equal (mb, z, seed) give the same code on every machine
 *
 * Return: 0, -EINVAL (bad parameters or NULL), -ENOMEM.
 */
int tfqkd_ldpc_code_new(struct tfqkd_ldpc_code **code, unsigned mb, unsigned z, uint64_t seed);

/**
 * tfqkd_ldpc_code_free() - release a code (NULL is ignored)
 * @code: the code
 */
void tfqkd_ldpc_code_free(struct tfqkd_ldpc_code *code);

/**
 * struct tfqkd_ldpc_info - shape of a code
 * @n: code length N = 256 z
 * @m: number of checks M = mb z
 * @z: lifting size
 * @mb: base rows
 * @edges: edges of the lifted graph (base edges times z)
 * @base_edges: edges of the base graph
 * @dc_max: largest base row degree
 * @dv_max: largest base column degree
 * @seed: the seed it was built from
 * @cycles4: 4-cycles of the lifted graph divided by z (0 unless the base is too dense)
 */
struct tfqkd_ldpc_info {
	size_t n, m, edges;
	unsigned z, mb, base_edges, dc_max, dv_max;
	uint64_t seed;
	unsigned cycles4;
};

/**
 * tfqkd_ldpc_code_info() - describe a code
 * @code: the code
 * @info: filled in
 */
void tfqkd_ldpc_code_info(const struct tfqkd_ldpc_code *code, struct tfqkd_ldpc_info *info);

/**
 * tfqkd_ldpc_var_degree() - degree of code bit @i (0 <= i < N)
 * @code: the code
 * @i: bit index
 */
unsigned tfqkd_ldpc_var_degree(const struct tfqkd_ldpc_code *code, size_t i);

/**
 * tfqkd_ldpc_syndrome() - s = H x
 * @code: the code
 * @x: N bits (LSB first, see tfqkd/gf2.h)
 * @s: receives M bits (unused high bits of the last word zeroed)
 *
 * Return: 0 or -EINVAL for NULL arguments.
 */
int tfqkd_ldpc_syndrome(const struct tfqkd_ldpc_code *code, const uint64_t *x, uint64_t *s);

/**
 * tfqkd_ldpc_puncture_order() - an "untainted" puncturing pattern
 * @code: the code
 * @seed: public seed of the pattern
 * @pos: receives up to @max bit positions, in the order they are to be punctured
 * @max: capacity of @pos
 *
 * Positions are chosen, lowest degree first in a seeded random order, so that no two
 * chosen bits share a check and every chosen bit has at least one check with no other
 * chosen bit. Their columns in H therefore have disjoint supports: the punctured bits are
 * linearly independent, so a syndrome of M bits reveals exactly M - p bits about the
 * key when p of them are punctured.
 * Return: the number of positions written (at most @max), or a negative errno.
 */
long tfqkd_ldpc_puncture_order(const struct tfqkd_ldpc_code *code, uint64_t seed,
			       uint32_t *pos, size_t max);

/* ---- decoder ---- */

/*
 * Messages are 8-bit log-likelihood ratios in units of 1/8 (TFQKD_LDPC_LLR_ONE), clamped
 * to [-127, 127]; positive means bit 0. The check-node update is the sum-product rule in
 * the "phi" domain (phi(x) = -ln tanh(x/2)) with table look-ups, capped at the smallest
 * other input magnitude (which the exact rule never exceeds); schedule: layered, one base
 * row at a time.
 */
#define TFQKD_LDPC_LLR_ONE	8
#define TFQKD_LDPC_LLR_MAX	127

struct tfqkd_ldpc_dec;

/**
 * tfqkd_ldpc_dec_new() - a decoder for @code
 * @dec: receives the decoder
 * @code: the code (must outlive the decoder)
 * @cpu: TFQKD_CPU_* features it may use (see tfqkd/gf2.h)
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int tfqkd_ldpc_dec_new(struct tfqkd_ldpc_dec **dec, const struct tfqkd_ldpc_code *code,
		       unsigned cpu);

/**
 * tfqkd_ldpc_dec_free() - release a decoder (NULL is ignored)
 * @dec: the decoder
 */
void tfqkd_ldpc_dec_free(struct tfqkd_ldpc_dec *dec);

/**
 * tfqkd_ldpc_dec_path() - name of the code path the decoder uses
 * @dec: the decoder
 */
const char *tfqkd_ldpc_dec_path(const struct tfqkd_ldpc_dec *dec);

/**
 * tfqkd_ldpc_llr_of_qber() - channel LLR for a bit-flip probability, in decoder units
 * @q: bit error probability, 0 < q < 0.5
 *
 * Return: round(8 ln((1-q)/q)) clamped to [1, 127].
 */
int tfqkd_ldpc_llr_of_qber(double q);

/**
 * tfqkd_ldpc_dec_start() - set the channel values and the syndrome; clears all messages
 * @dec: the decoder
 * @llr: N channel LLRs (decoder units; 0 for punctured bits)
 * @syndrome: M target syndrome bits
 *
 * Return: 0 or -EINVAL.
 */
int tfqkd_ldpc_dec_start(struct tfqkd_ldpc_dec *dec, const int8_t *llr, const uint64_t *syndrome);

/**
 * tfqkd_ldpc_dec_start_bits() - tfqkd_ldpc_dec_start() from hard channel bits
 * @dec: the decoder
 * @bits: N channel bits (bit i of word i / 64); the channel value of bit i is -@llr if it
 *	is set, +@llr if not
 * @erased: N bits, set where the channel value is 0 (punctured bits); NULL: none
 * @llr: channel LLR magnitude, 1..TFQKD_LDPC_LLR_MAX (see tfqkd_ldpc_llr_of_qber())
 * @syndrome: M target syndrome bits
 *
 * The same decoder state as tfqkd_ldpc_dec_start() with the equivalent LLR array, without
 * building it (a binary symmetric channel gives every bit the same magnitude).
 * Return: 0 or -EINVAL.
 */
int tfqkd_ldpc_dec_start_bits(struct tfqkd_ldpc_dec *dec, const uint64_t *bits,
			      const uint64_t *erased, int llr, const uint64_t *syndrome);

/**
 * tfqkd_ldpc_dec_fix() - make bit @i known (value @bit) without clearing the messages
 * @dec: the decoder
 * @i: bit index
 * @bit: its value
 *
 * Used for the bits revealed in later rounds of the blind protocol; decoding continues
 * from the current state.
 * Return: 0 or -EINVAL.
 */
int tfqkd_ldpc_dec_fix(struct tfqkd_ldpc_dec *dec, size_t i, int bit);

/**
 * tfqkd_ldpc_dec_run() - iterate until the hard decision satisfies the syndrome
 * @dec: the decoder
 * @max_iter: iteration limit (one iteration = one pass over all layers)
 * @iters: if not NULL, receives the number of iterations done in this call
 *
 * Return: 1 if the hard decision satisfies every check, 0 if not (yet), -EINVAL.
 */
int tfqkd_ldpc_dec_run(struct tfqkd_ldpc_dec *dec, unsigned max_iter, unsigned *iters);

/**
 * tfqkd_ldpc_dec_hard() - the current hard decision
 * @dec: the decoder
 * @x: receives N bits
 */
void tfqkd_ldpc_dec_hard(const struct tfqkd_ldpc_dec *dec, uint64_t *x);

#endif /* TFQKD_LDPC_H */
