// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error verification by the polynomial-evaluation hash (see tfqkd/verify.h). */
#include <errno.h>
#include <math.h>

#include "tfqkd/gf2.h"
#include "tfqkd/verify.h"

static void tag_of(const struct tfqkd_verify_tag *t, const uint64_t *key, size_t nbits,
		   uint64_t out[2])
{
	if (t->bits == 64) {
		out[0] = tfqkd_polyhash64(t->key[0], key, nbits);
		out[1] = 0;
	} else {
		struct tfqkd_gf128 k = { t->key[0], t->key[1] };
		struct tfqkd_gf128 h = tfqkd_polyhash128(k, key, nbits);

		out[0] = h.lo;
		out[1] = h.hi;
	}
}

int tfqkd_verify_make(const struct tfqkd_rng *rng, unsigned bits, const uint64_t *key,
		      size_t nbits, struct tfqkd_verify_tag *out)
{
	int ret;

	if (!rng || !key || !nbits || !out || (bits != 64 && bits != 128))
		return -EINVAL;
	out->bits = bits;
	out->key[0] = out->key[1] = 0;
	ret = tfqkd_rng_fill(rng, out->key, bits / 8);
	if (ret)
		return ret;
	tag_of(out, key, nbits, out->tag);
	return 0;
}

int tfqkd_verify_check(const struct tfqkd_verify_tag *t, const uint64_t *key, size_t nbits)
{
	uint64_t mine[2], diff;

	if (!t || !key || !nbits || (t->bits != 64 && t->bits != 128))
		return -EINVAL;
	tag_of(t, key, nbits, mine);
	diff = (mine[0] ^ t->tag[0]) | (t->bits == 128 ? mine[1] ^ t->tag[1] : 0);
	return diff == 0;
}

double tfqkd_verify_log2_eps(unsigned bits, size_t nbits)
{
	return tfqkd_polyhash_log2_eps(bits, nbits);
}
