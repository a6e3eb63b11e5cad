// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * chacha20.c - the ChaCha20 block function (RFC 8439, section 2.3).
 */
#include <string.h>

#include "chacha20.h"

#define ROTL32(v, n)	(((v) << (n)) | ((v) >> (32 - (n))))

#define QROUND(a, b, c, d) do {					\
		a += b; d ^= a; d = ROTL32(d, 16);		\
		c += d; b ^= c; b = ROTL32(b, 12);		\
		a += b; d ^= a; d = ROTL32(d, 8);		\
		c += d; b ^= c; b = ROTL32(b, 7);		\
	} while (0)

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64])
{
	uint32_t in[16], x[16];
	unsigned int i;

	in[0] = 0x61707865;	/* "expand 32-byte k" */
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		in[4 + i] = key[i];
	in[12] = counter;
	in[13] = nonce[0];
	in[14] = nonce[1];
	in[15] = nonce[2];
	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QROUND(x[0], x[4], x[8], x[12]);	/* column rounds */
		QROUND(x[1], x[5], x[9], x[13]);
		QROUND(x[2], x[6], x[10], x[14]);
		QROUND(x[3], x[7], x[11], x[15]);
		QROUND(x[0], x[5], x[10], x[15]);	/* diagonal rounds */
		QROUND(x[1], x[6], x[11], x[12]);
		QROUND(x[2], x[7], x[8], x[13]);
		QROUND(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}
