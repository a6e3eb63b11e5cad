/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * chacha20.h - the ChaCha20 block function of RFC 8439, section 2.3.
 *
 * The card-seeded pattern generator (Documentation/hw/streams.rst) and the card's seed
 * DRBG use it. It is a plain, portable implementation of the RFC's description.
 */
#ifndef QKDEMU_CHACHA20_H
#define QKDEMU_CHACHA20_H

#include <stdint.h>

/**
 * chacha20_block() - one 64-byte keystream block
 * @key:     the 256-bit key as eight little-endian words (key bytes 4i..4i+3 in word i)
 * @counter: the 32-bit block counter
 * @nonce:   the 96-bit nonce as three little-endian words
 * @out:     the serialized block (64 bytes)
 */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64]);

#endif /* QKDEMU_CHACHA20_H */
