// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Construction of the quasi-cyclic LDPC code family (see tfqkd/ldpc.h and
 * Documentation/tfqkd/postprocessing.rst), syndrome computation and puncturing patterns.
 *
 * Everything here is part of the reconciliation protocol: both parties must build bit-for-bit
 * the same matrix from (TFQKD_LDPC_FAMILY, mb, z, seed). Changing any step (tables, order of
 * random draws) requires a new TFQKD_LDPC_FAMILY.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ldpc_impl.h"
#include "tfqkd/rng.h"

/*
 * Variable-node degree distributions (edge perspective, lambda_d = fraction of edges on
 * degree-d columns) for the design rates below, chosen with discretised density evolution
 * of belief propagation on the binary symmetric channel (bench/ldpc_de.c), with degree-2
 * columns limited to what fits an acyclic chain (mb - 1). The check degrees follow from
 * the base matrix (as equal as possible).
 */
#define LDPC_MAXDEGS 16

struct ldpc_profile {
	double rate;
	struct {
		unsigned char deg;
		double frac;
	} lambda[LDPC_MAXDEGS];
};

static const struct ldpc_profile profiles[] = {
	{ 0.150, { { 2, 0.3647 }, { 3, 0.1790 }, { 4, 0.1066 }, { 6, 0.0168 },
		{ 8, 0.1045 }, { 12, 0.0036 }, { 16, 0.2248 } } },
	{ 0.250, { { 2, 0.2984 }, { 3, 0.1993 }, { 4, 0.0624 }, { 6, 0.0933 },
		{ 8, 0.0578 }, { 12, 0.0229 }, { 16, 0.2659 } } },
	{ 0.350, { { 2, 0.2607 }, { 3, 0.2505 }, { 4, 0.0146 }, { 6, 0.1866 },
		{ 8, 0.0241 }, { 12, 0.0007 }, { 16, 0.2629 } } },
	{ 0.450, { { 2, 0.2139 }, { 3, 0.2662 }, { 4, 0.0123 }, { 5, 0.0070 },
		{ 6, 0.1505 }, { 7, 0.0500 }, { 8, 0.0190 }, { 10, 0.0063 }, { 12, 0.0384 },
		{ 16, 0.2104 }, { 20, 0.0172 }, { 32, 0.0089 } } },
	{ 0.550, { { 2, 0.1709 }, { 3, 0.2538 }, { 4, 0.0488 }, { 6, 0.0829 },
		{ 7, 0.0119 }, { 8, 0.0351 }, { 12, 0.0820 }, { 16, 0.3113 },
		{ 32, 0.0034 } } },
	{ 0.620, { { 2, 0.1437 }, { 3, 0.2434 }, { 5, 0.0444 }, { 6, 0.1002 },
		{ 7, 0.0192 }, { 10, 0.0411 }, { 12, 0.0062 }, { 16, 0.3217 },
		{ 20, 0.0533 }, { 24, 0.0163 }, { 32, 0.0105 } } },
	{ 0.680, { { 2, 0.1250 }, { 3, 0.2508 }, { 5, 0.0231 }, { 6, 0.1169 },
		{ 7, 0.0071 }, { 8, 0.0185 }, { 10, 0.0028 }, { 12, 0.0008 },
		{ 16, 0.4532 }, { 32, 0.0019 } } },
	{ 0.740, { { 2, 0.0985 }, { 3, 0.2426 }, { 4, 0.0231 }, { 5, 0.0072 },
		{ 6, 0.1435 }, { 7, 0.0319 }, { 12, 0.0105 }, { 16, 0.3748 },
		{ 20, 0.0064 }, { 32, 0.0498 }, { 40, 0.0116 } } },
	{ 0.790, { { 2, 0.0708 }, { 3, 0.2361 }, { 4, 0.0169 }, { 6, 0.1254 },
		{ 8, 0.0455 }, { 10, 0.0044 }, { 12, 0.0293 }, { 16, 0.2670 },
		{ 20, 0.0333 }, { 24, 0.0701 }, { 32, 0.0769 }, { 40, 0.0241 } } },
	{ 0.840, { { 2, 0.0504 }, { 3, 0.2495 }, { 4, 0.0073 }, { 6, 0.1368 },
		{ 8, 0.0377 }, { 12, 0.0670 }, { 16, 0.2783 }, { 20, 0.0189 },
		{ 24, 0.0131 }, { 32, 0.1311 }, { 40, 0.0099 } } },
	{ 0.880, { { 2, 0.0391 }, { 3, 0.2750 }, { 4, 0.0052 }, { 5, 0.0140 },
		{ 6, 0.0694 }, { 8, 0.0689 }, { 16, 0.5218 }, { 20, 0.0009 },
		{ 24, 0.0056 } } },
	{ 0.915, { { 2, 0.0230 }, { 3, 0.2471 }, { 4, 0.0286 }, { 5, 0.0050 },
		{ 6, 0.0545 }, { 7, 0.0085 }, { 8, 0.1732 }, { 12, 0.0170 }, { 16, 0.1802 },
		{ 21, 0.2628 } } },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

static const struct ldpc_profile *profile_for(double rate)
{
	const struct ldpc_profile *best = &profiles[0];

	for (size_t i = 1; i < NPROFILES; i++)
		if (fabs(profiles[i].rate - rate) < fabs(best->rate - rate))
			best = &profiles[i];
	return best;
}

/* column degrees: node fractions of the profile, rounded by largest remainder */
static void column_degrees(unsigned mb, unsigned nb, unsigned char *deg)
{
	const struct ldpc_profile *pr = profile_for(1.0 - (double)mb / nb);
	double node[LDPC_MAXDEGS], sum = 0, rem[LDPC_MAXDEGS];
	unsigned cnt[LDPC_MAXDEGS], total = 0, k = 0, nd = 0;

	for (nd = 0; nd < LDPC_MAXDEGS && pr->lambda[nd].deg; nd++)
		sum += pr->lambda[nd].frac / pr->lambda[nd].deg;
	for (unsigned i = 0; i < nd; i++) {
		node[i] = pr->lambda[i].frac / pr->lambda[i].deg / sum * nb;
		cnt[i] = (unsigned)floor(node[i]);
		rem[i] = node[i] - cnt[i];
		total += cnt[i];
	}
	while (total < nb) {	/* largest remainder, ties to the lower degree */
		unsigned b = 0;

		for (unsigned i = 1; i < nd; i++)
			if (rem[i] > rem[b])
				b = i;
		cnt[b]++;
		rem[b] = -1;
		total++;
	}
	for (unsigned i = 0; i < nd; i++) {
		unsigned d = pr->lambda[i].deg;

		if (d > mb)
			d = mb;
		for (unsigned j = 0; j < cnt[i]; j++)
			deg[k++] = (unsigned char)d;
	}
	/*
	 * At most mb - 1 degree-2 columns, an acyclic chain (see tfqkd_ldpc_code_new()); the
	 * rest become degree 3. More would close cycles of degree-2 columns in the base graph;
	 * however the shifts are chosen, some combination of those cycles then lifts to a
	 * low-weight code word (a doubled chain was tried and gave weight-4 code words).
	 */
	unsigned n2 = 0;

	for (unsigned i = 0; i < nb; i++)
		if (deg[i] <= 2 && ++n2 > (mb > 1 ? mb - 1 : 0) && mb >= 3)
			deg[i] = 3;
	for (unsigned i = 0; i < nb; i++)	/* mb < 3: everything on every row */
		if (deg[i] > mb)
			deg[i] = (unsigned char)mb;
}

/* 4-cycles through a new edge (r1, c1) with shift p, given the shift table (-1: no edge) */
static unsigned count_c4(const int32_t *P, unsigned nb, unsigned mb, unsigned z, unsigned r1,
			 unsigned c1, unsigned p)
{
	unsigned n = 0;

	for (unsigned c2 = 0; c2 < nb; c2++) {
		int32_t a = P[r1 * nb + c2];

		if (c2 == c1 || a < 0)
			continue;
		for (unsigned r2 = 0; r2 < mb; r2++) {
			int32_t b = P[r2 * nb + c2], c = P[r2 * nb + c1];

			if (r2 == r1 || b < 0 || c < 0)
				continue;
			if (((int64_t)p - a + b - c) % (int64_t)z == 0)
				n++;
		}
	}
	return n;
}

int tfqkd_ldpc_code_new(struct tfqkd_ldpc_code **out, unsigned mb, unsigned z, uint64_t seed)
{
	const unsigned nb = TFQKD_LDPC_NB;
	struct tfqkd_ldpc_code *c = NULL;
	unsigned char deg[TFQKD_LDPC_NB];
	unsigned *rowdeg = NULL, *perm = NULL, e = 0;
	int32_t *P = NULL;
	struct tfqkd_xrng r;
	int ret = -ENOMEM;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (mb < TFQKD_LDPC_MBMIN || mb > TFQKD_LDPC_MBMAX || z < TFQKD_LDPC_ZALIGN ||
	    z > TFQKD_LDPC_ZMAX ||
	    z % TFQKD_LDPC_ZALIGN)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	P = malloc(sizeof(*P) * mb * nb);
	rowdeg = calloc(mb, sizeof(*rowdeg));
	perm = malloc(sizeof(*perm) * (mb > nb ? mb : nb));
	if (!c || !P || !rowdeg || !perm)
		goto fail;
	c->nb = nb;
	c->mb = mb;
	c->z = z;
	c->seed = seed;
	tfqkd_xrng_seed(&r, seed ^ ((uint64_t)TFQKD_LDPC_FAMILY << 56) ^ ((uint64_t)mb << 32) ^ z);
	for (size_t i = 0; i < (size_t)mb * nb; i++)
		P[i] = -1;

	column_degrees(mb, nb, deg);
	/* sort columns by degree, ascending (stable): degree-2 chain first */
	for (unsigned i = 1; i < nb; i++)
		for (unsigned j = i; j > 0 && deg[j - 1] > deg[j]; j--) {
			unsigned char t = deg[j];

			deg[j] = deg[j - 1];
			deg[j - 1] = t;
		}

	/* base graph: degree-2 columns as a chain over rows 0,1,2,...; others on the least
	 * loaded rows, ties broken by a random row order */
	unsigned chain = 0;

	for (unsigned col = 0; col < nb; col++) {
		if (deg[col] == 2 && mb >= 3) {
			P[chain * nb + col] = 0;
			P[(chain + 1) * nb + col] = 0;
			rowdeg[chain]++;
			rowdeg[chain + 1]++;
			chain++;
			continue;
		}
		for (unsigned i = 0; i < mb; i++)
			perm[i] = i;
		for (unsigned i = mb - 1; i > 0; i--) {
			unsigned j = (unsigned)tfqkd_xrng_below(&r, i + 1), t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (unsigned k = 0; k < deg[col]; k++) {
			unsigned best = mb;

			for (unsigned i = 0; i < mb; i++) {
				unsigned row = perm[i];

				if (P[row * nb + col] >= 0)
					continue;
				if (best == mb || rowdeg[row] < rowdeg[best])
					best = row;
			}
			P[best * nb + col] = 0;
			rowdeg[best]++;
		}
	}
	for (unsigned i = 0; i < mb * nb; i++)
		if (P[i] >= 0)
			P[i] = -2;	/* edge present, shift not yet chosen */

	/* shifts: column by column, avoiding lifted 4-cycles (best of up to 64 draws) */
	for (unsigned col = 0; col < nb; col++)
		for (unsigned row = 0; row < mb; row++) {
			unsigned best = 0, bestn = ~0u;

			if (P[row * nb + col] != -2)
				continue;
			for (int t = 0; t < 64 && bestn; t++) {
				unsigned p = (unsigned)tfqkd_xrng_below(&r, z);
				unsigned n = count_c4(P, nb, mb, z, row, col, p);

				if (n < bestn) {
					bestn = n;
					best = p;
				}
			}
			P[row * nb + col] = (int32_t)best;
			c->cycles4 += bestn;
		}

	/* flatten, rows in order (the layers) */
	for (unsigned i = 0; i < mb * nb; i++)
		c->nedges += P[i] >= 0;
	c->edges = malloc(sizeof(*c->edges) * c->nedges);
	c->row_start = malloc(sizeof(*c->row_start) * (mb + 1));
	c->col_start = calloc(nb + 1, sizeof(*c->col_start));
	c->col_edges = malloc(sizeof(*c->col_edges) * c->nedges);
	if (!c->edges || !c->row_start || !c->col_start || !c->col_edges)
		goto fail;
	for (unsigned row = 0; row < mb; row++) {
		c->row_start[row] = e;
		for (unsigned col = 0; col < nb; col++)
			if (P[row * nb + col] >= 0) {
				c->edges[e].row = (uint16_t)row;
				c->edges[e].col = (uint16_t)col;
				c->edges[e].shift = (uint32_t)P[row * nb + col];
				c->col_start[col + 1]++;
				e++;
			}
		if (e - c->row_start[row] > c->dc_max)
			c->dc_max = e - c->row_start[row];
	}
	c->row_start[mb] = e;
	for (unsigned col = 0; col < nb; col++) {
		if (c->col_start[col + 1] > c->dv_max)
			c->dv_max = c->col_start[col + 1];
		c->col_start[col + 1] += c->col_start[col];
	}
	memset(perm, 0, sizeof(*perm) * nb);
	for (unsigned i = 0; i < c->nedges; i++) {
		unsigned col = c->edges[i].col;

		c->col_edges[c->col_start[col] + perm[col]++] = i;
	}
	free(P);
	free(rowdeg);
	free(perm);
	*out = c;
	return 0;
fail:
	free(P);
	free(rowdeg);
	free(perm);
	tfqkd_ldpc_code_free(c);
	return ret;
}

void tfqkd_ldpc_code_free(struct tfqkd_ldpc_code *c)
{
	if (!c)
		return;
	free(c->edges);
	free(c->row_start);
	free(c->col_start);
	free(c->col_edges);
	free(c);
}

void tfqkd_ldpc_code_info(const struct tfqkd_ldpc_code *c, struct tfqkd_ldpc_info *info)
{
	info->n = (size_t)c->nb * c->z;
	info->m = (size_t)c->mb * c->z;
	info->edges = (size_t)c->nedges * c->z;
	info->z = c->z;
	info->mb = c->mb;
	info->base_edges = c->nedges;
	info->dc_max = c->dc_max;
	info->dv_max = c->dv_max;
	info->seed = c->seed;
	info->cycles4 = c->cycles4;
}

unsigned tfqkd_ldpc_var_degree(const struct tfqkd_ldpc_code *c, size_t i)
{
	size_t col = i / c->z;

	if (col >= c->nb)
		return 0;
	return c->col_start[col + 1] - c->col_start[col];
}

/*
 * dst ^= the z-bit word whose bit k is bit (k + p) mod z of the column word; @src2 holds
 * the column word twice in a row (2z bits), so the result is bits [p, p + z) of src2.
 */
void ldpc_rot_xor(uint64_t *dst, const uint64_t *src2, unsigned z, unsigned p)
{
	unsigned w0 = p / 64, sh = p % 64, nw = z / 64;

	if (!sh) {
		for (unsigned w = 0; w < nw; w++)
			dst[w] ^= src2[w0 + w];
		return;
	}
	for (unsigned w = 0; w < nw; w++)
		dst[w] ^= (src2[w0 + w] >> sh) | (src2[w0 + w + 1] << (64 - sh));
}

int tfqkd_ldpc_syndrome(const struct tfqkd_ldpc_code *c, const uint64_t *x, uint64_t *s)
{
	unsigned zw;
	uint64_t *col2;

	if (!c || !x || !s)
		return -EINVAL;
	zw = c->z / 64;
	col2 = malloc(sizeof(*col2) * (2 * zw + 1) * c->nb);
	if (!col2)
		return -ENOMEM;
	for (unsigned col = 0; col < c->nb; col++) {
		uint64_t *d = col2 + (size_t)col * (2 * zw + 1);

		memcpy(d, x + (size_t)col * zw, zw * sizeof(*d));
		memcpy(d + zw, x + (size_t)col * zw, zw * sizeof(*d));
		d[2 * zw] = 0;
	}
	memset(s, 0, sizeof(*s) * zw * c->mb);
	for (unsigned e = 0; e < c->nedges; e++) {
		const struct ldpc_edge *ed = &c->edges[e];

		ldpc_rot_xor(s + (size_t)ed->row * zw, col2 + (size_t)ed->col * (2 * zw + 1), c->z,
			     ed->shift);
	}
	free(col2);
	return 0;
}

long tfqkd_ldpc_puncture_order(const struct tfqkd_ldpc_code *c, uint64_t seed, uint32_t *pos,
			       size_t max)
{
	size_t n, m, cnt = 0;
	unsigned char *tainted;
	uint32_t *order;
	struct tfqkd_xrng r;

	if (!c || (!pos && max))
		return -EINVAL;
	n = (size_t)c->nb * c->z;
	m = (size_t)c->mb * c->z;
	tainted = calloc(m, 1);
	order = malloc(sizeof(*order) * n);
	if (!tainted || !order) {
		free(tainted);
		free(order);
		return -ENOMEM;
	}
	/* candidate order: by column degree, then a seeded random permutation */
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	tfqkd_xrng_seed(&r, seed ^ 0x70756e6374757265ULL);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = tfqkd_xrng_below(&r, i + 1);
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned d = 1; d <= c->dv_max && cnt < max; d++)
		for (size_t i = 0; i < n && cnt < max; i++) {
			size_t v = order[i], col = v / c->z, k = v % c->z;
			int ok = 1;

			if (c->col_start[col + 1] - c->col_start[col] != d)
				continue;
			/* all checks of v must be untainted (no other punctured neighbour) */
			for (unsigned q = c->col_start[col]; q < c->col_start[col + 1] && ok; q++) {
				const struct ldpc_edge *ed = &c->edges[c->col_edges[q]];
				size_t chk = (size_t)ed->row * c->z + (k + c->z - ed->shift) % c->z;

				ok = !tainted[chk];
			}
			if (!ok)
				continue;
			for (unsigned q = c->col_start[col]; q < c->col_start[col + 1]; q++) {
				const struct ldpc_edge *ed = &c->edges[c->col_edges[q]];

				tainted[(size_t)ed->row * c->z + (k + c->z - ed->shift) % c->z] = 1;
			}
			pos[cnt++] = (uint32_t)v;
		}
	free(tainted);
	free(order);
	return (long)cnt;
}
