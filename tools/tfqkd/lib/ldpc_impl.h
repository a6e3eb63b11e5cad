/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private layout of the LDPC code and decoder (lib/ldpc_*.c). Not installed. */
#ifndef TFQKD_LDPC_IMPL_H
#define TFQKD_LDPC_IMPL_H

#include <stdint.h>

#include "tfqkd/ldpc.h"

struct ldpc_edge {
	uint16_t row, col;
	uint32_t shift;
};

struct tfqkd_ldpc_code {
	unsigned nb, mb, z;
	uint64_t seed;
	unsigned nedges, dc_max, dv_max, cycles4;
	struct ldpc_edge *edges;	/* sorted by row: the layers */
	unsigned *row_start;		/* mb + 1 */
	unsigned *col_start;		/* nb + 1 */
	unsigned *col_edges;		/* edge indices by column */
};

/* dst = bits [p, p + z) of the z-bit cyclic word src (dst bit k = src bit (k+p) mod z) */
void ldpc_rot_xor(uint64_t *dst, const uint64_t *src2, unsigned z, unsigned p);

#endif /* TFQKD_LDPC_IMPL_H */
