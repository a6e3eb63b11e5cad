// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Deterministic xoshiro256** generator (public randomness) and the system CSPRNG wrapper.
 *
 * xoshiro256** and splitmix64 follow the published algorithm descriptions by Blackman and
 * Vigna; the constants below are those of the published algorithms.
 */
#include <errno.h>
#include <sys/random.h>

#include "tfqkd/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void tfqkd_xrng_seed(struct tfqkd_xrng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	/* splitmix64 is a bijection of a counter, so four outputs are never all zero */
}

uint64_t tfqkd_xrng_next(struct tfqkd_xrng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t tfqkd_xrng_below(struct tfqkd_xrng *r, uint64_t bound)
{
	unsigned __int128 m;
	uint64_t lo;

	if (bound <= 1)
		return 0;
	m = (unsigned __int128)tfqkd_xrng_next(r) * bound;
	lo = (uint64_t)m;
	if (lo < bound) {
		uint64_t thresh = -bound % bound;

		while (lo < thresh) {
			m = (unsigned __int128)tfqkd_xrng_next(r) * bound;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double tfqkd_xrng_double(struct tfqkd_xrng *r)
{
	return (double)(tfqkd_xrng_next(r) >> 11) * 0x1.0p-53;
}

static int system_fill(void *ctx, void *buf, size_t len)
{
	unsigned char *p = buf;

	(void)ctx;
	while (len) {
		ssize_t got = getrandom(p, len, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += got;
		len -= (size_t)got;
	}
	return 0;
}

struct tfqkd_rng tfqkd_rng_system(void)
{
	return (struct tfqkd_rng){ .fill = system_fill, .ctx = NULL };
}

int tfqkd_rng_fill(const struct tfqkd_rng *rng, void *buf, size_t len)
{
	if (!rng || !rng->fill || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	return rng->fill(rng->ctx, buf, len);
}
