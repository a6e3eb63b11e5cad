// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reconciliation protocol and error verification: frames over simulated binary symmetric
 * channels reconcile to identical keys with exact leak accounting; a frame that fails
 * (decoding or verification) can never release its key; every malformed or unexpected
 * message is rejected without changing anything; the verification hash detects every
 * single-bit difference. Small frames (N = 16384) keep this quick under sanitizers; the
 * long statistics are in bench/bench_ec.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the harness defines global helpers without prototypes */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "tfqkd/ec.h"
#include "tfqkd/ldpc.h"
#include "tfqkd/rng.h"
#include "tfqkd/verify.h"

static int xfill(void *ctx, void *buf, size_t len)
{
	struct tfqkd_xrng *r = ctx;
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)tfqkd_xrng_next(r);
	return 0;
}

static double h2(double x)
{
	return -x * log2(x) - (1 - x) * log2(1 - x);
}

static void params(struct tfqkd_ec_params *p, unsigned rounds)
{
	tfqkd_ec_params_default(p);
	p->z = 64;
	p->f_start = 1.25;	/* generous: small frames, quick tests */
	p->f_step = 0.15;
	p->max_rounds = rounds;
}

/* Alice's key and Bob's copy through BSC(q) */
static void keys(struct tfqkd_xrng *r, size_t n, double q, uint64_t *ka, uint64_t *kb)
{
	uint64_t thr = (uint64_t)(q * 18446744073709551616.0);

	for (size_t i = 0; i < (n + 63) / 64; i++)
		ka[i] = tfqkd_xrng_next(r);
	if (n % 64)
		ka[n / 64] &= (1ULL << (n % 64)) - 1;
	memcpy(kb, ka, (n + 63) / 64 * 8);
	for (size_t i = 0; i < n; i++)
		if (tfqkd_xrng_next(r) < thr)
			kb[i / 64] ^= 1ULL << (i % 64);
}

struct run {
	int sa, sb;
	struct tfqkd_ec_stats as, bs;
};

/* the whole exchange; returns 0 or a negative error of one of the calls */
static int exchange(struct tfqkd_ec *ea, struct tfqkd_ec *eb, const struct tfqkd_ec_plan *pl,
		    uint64_t frame, const uint64_t *ka, const uint64_t *kb, struct tfqkd_rng *rng,
		    struct tfqkd_ec_alice **a, struct tfqkd_ec_bob **b, struct run *res)
{
	struct tfqkd_ec_msg m, r;
	int ret;

	ret = tfqkd_ec_alice_new(ea, pl, frame, ka, rng, a, &m);
	if (ret)
		return ret;
	res->sb = tfqkd_ec_bob_new(eb, m.data, m.len, kb, pl->n, b, &r);
	tfqkd_ec_msg_free(&m);
	if (res->sb < 0)
		return res->sb;
	for (;;) {
		res->sa = tfqkd_ec_alice_recv(*a, r.data, r.len, &m);
		tfqkd_ec_msg_free(&r);
		if (res->sa < 0)
			return res->sa;
		if (res->sa != TFQKD_EC_PENDING)
			break;
		res->sb = tfqkd_ec_bob_recv(*b, m.data, m.len, &r);
		tfqkd_ec_msg_free(&m);
		if (res->sb < 0)
			return res->sb;
	}
	res->sb = tfqkd_ec_bob_state(*b);
	tfqkd_ec_alice_stats(*a, &res->as);
	tfqkd_ec_bob_stats(*b, &res->bs);
	return 0;
}

TEST(bsc_grid_reconciles_with_exact_leakage)
{
	static const double qs[] = { 0.01, 0.03, 0.05, 0.08, 0.11, 0.2 };
	struct tfqkd_ec_params p;
	struct tfqkd_ec *ea, *eb;
	struct tfqkd_xrng chan, ar;
	struct tfqkd_rng rng = { xfill, &ar };

	params(&p, 4);
	ASSERT_EQ(0, tfqkd_ec_new(&ea, &p));
	ASSERT_EQ(0, tfqkd_ec_new(&eb, &p));
	tfqkd_xrng_seed(&chan, 30);
	tfqkd_xrng_seed(&ar, 31);
	for (size_t t = 0; t < sizeof(qs) / sizeof(qs[0]); t++) {
		struct tfqkd_ec_plan pl;

		ASSERT_EQ(0, tfqkd_ec_plan(ea, qs[t], &pl));
		ASSERT_EQ(pl.code_n, pl.n + pl.punct);
		ASSERT_EQ((size_t)pl.mb * 64, pl.code_m);
		ASSERT_TRUE(pl.f_start >= p.f_start - 1e-9);
		ASSERT_TRUE(pl.punct >= pl.reveal * (pl.rounds - 1));
		uint64_t *ka = calloc(pl.n / 64 + 1, 8), *kb = calloc(pl.n / 64 + 1, 8);
		uint64_t *oa = calloc(pl.n / 64 + 1, 8), *ob = calloc(pl.n / 64 + 1, 8);

		for (int f = 0; f < 2; f++) {
			struct tfqkd_ec_alice *a;
			struct tfqkd_ec_bob *b;
			struct run r;

			keys(&chan, pl.n, qs[t], ka, kb);
			ASSERT_EQ(0, exchange(ea, eb, &pl, 100 * t + f, ka, kb, &rng, &a, &b, &r));
			ASSERT_EQ(TFQKD_EC_DONE, r.sa) {
				TH_LOG("q %.2f frame %d: rounds %u", qs[t], f, r.bs.rounds);
			}
			ASSERT_EQ(TFQKD_EC_DONE, r.sb);
			ASSERT_EQ(0, tfqkd_ec_alice_key(a, oa));
			ASSERT_EQ(0, tfqkd_ec_bob_key(b, ob));
			ASSERT_EQ(0, memcmp(oa, ka, (pl.n + 7) / 8));
			ASSERT_EQ(0, memcmp(ob, ka, (pl.n + 7) / 8));
			/* both sides count the same leakage, and it is what was sent */
			ASSERT_EQ(r.as.leak_total, r.bs.leak_total);
			ASSERT_EQ(pl.code_m - pl.punct, r.bs.leak_syndrome);
			ASSERT_EQ((size_t)(r.bs.rounds - 1) * pl.reveal, r.bs.leak_reveal);
			ASSERT_EQ(64u, r.bs.leak_verify);
			ASSERT_EQ((size_t)r.bs.rounds, r.bs.leak_flags);	/* one reply per round */
			ASSERT_EQ(r.bs.leak_syndrome + r.bs.leak_reveal + 64 + r.bs.leak_flags,
				  r.bs.leak_total);
			ASSERT_TRUE(fabs(r.bs.f - (double)(r.bs.leak_syndrome + r.bs.leak_reveal) /
						  ((double)pl.n * h2(pl.qber))) < 1e-12);
			ASSERT_TRUE(fabs(pl.qber - qs[t]) < 1e-9);
			tfqkd_ec_alice_free(a);
			tfqkd_ec_bob_free(b);
		}
		free(ka);
		free(kb);
		free(oa);
		free(ob);
	}
	tfqkd_ec_free(ea);
	tfqkd_ec_free(eb);
}

TEST(failed_frame_never_releases_its_key)
{
	struct tfqkd_ec_params p;
	struct tfqkd_ec *ea, *eb;
	struct tfqkd_ec_plan pl;
	struct tfqkd_xrng chan, ar;
	struct tfqkd_rng rng = { xfill, &ar };
	struct tfqkd_ec_alice *a;
	struct tfqkd_ec_bob *b;
	struct run r;

	params(&p, 2);
	ASSERT_EQ(0, tfqkd_ec_new(&ea, &p));
	ASSERT_EQ(0, tfqkd_ec_new(&eb, &p));
	tfqkd_xrng_seed(&chan, 32);
	tfqkd_xrng_seed(&ar, 33);
	/* planned for 2 % but the channel has 12 %: decoding fails in every round */
	ASSERT_EQ(0, tfqkd_ec_plan(ea, 0.02, &pl));
	uint64_t *ka = calloc(pl.n / 64 + 1, 8), *kb = calloc(pl.n / 64 + 1, 8);
	uint64_t *o = calloc(pl.n / 64 + 1, 8);

	keys(&chan, pl.n, 0.12, ka, kb);
	ASSERT_EQ(0, exchange(ea, eb, &pl, 1, ka, kb, &rng, &a, &b, &r));
	ASSERT_EQ(TFQKD_EC_FAILED, r.sa);
	ASSERT_EQ(TFQKD_EC_FAILED, r.sb);
	ASSERT_EQ(2u, r.bs.rounds);
	memset(o, 0x5a, pl.n / 64 * 8);
	ASSERT_EQ(-EPERM, tfqkd_ec_bob_key(b, o));
	ASSERT_EQ(-EPERM, tfqkd_ec_alice_key(a, o));
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL, o[0]);	/* nothing written */
	/* the failed frame ignores further messages */
	struct tfqkd_ec_msg m;
	uint8_t more[16] = { 1, 2, 0, 0, 1 };

	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, more, sizeof(more), &m));
	tfqkd_ec_alice_free(a);
	tfqkd_ec_bob_free(b);

	/* a verification tag that does not match: decoding succeeds, the frame fails */
	struct tfqkd_ec_msg syn, rep;

	keys(&chan, pl.n, 0.005, ka, kb);
	ASSERT_EQ(0, tfqkd_ec_alice_new(ea, &pl, 2, ka, &rng, &a, &syn));
	syn.data[48 + 8] ^= 1;	/* first tag byte (after the 8-byte hash key) */
	ASSERT_EQ(TFQKD_EC_FAILED, tfqkd_ec_bob_new(eb, syn.data, syn.len, kb, pl.n, &b, &rep));
	ASSERT_EQ(-EPERM, tfqkd_ec_bob_key(b, o));
	ASSERT_EQ(TFQKD_EC_FAILED, tfqkd_ec_alice_recv(a, rep.data, rep.len, &m));
	ASSERT_EQ(-EPERM, tfqkd_ec_alice_key(a, o));
	tfqkd_ec_msg_free(&syn);
	tfqkd_ec_msg_free(&rep);
	tfqkd_ec_alice_free(a);
	tfqkd_ec_bob_free(b);

	/* pending: not yet */
	ASSERT_EQ(0, tfqkd_ec_alice_new(ea, &pl, 3, ka, &rng, &a, &syn));
	ASSERT_EQ(-EAGAIN, tfqkd_ec_alice_key(a, o));
	tfqkd_ec_msg_free(&syn);
	tfqkd_ec_alice_free(a);
	free(ka);
	free(kb);
	free(o);
	tfqkd_ec_free(ea);
	tfqkd_ec_free(eb);
}

TEST(malformed_and_unexpected_messages)
{
	struct tfqkd_ec_params p, p2;
	struct tfqkd_ec *ea, *eb, *eother;
	struct tfqkd_ec_plan pl;
	struct tfqkd_xrng chan, ar;
	struct tfqkd_rng rng = { xfill, &ar };
	struct tfqkd_ec_alice *a;
	struct tfqkd_ec_bob *b = (struct tfqkd_ec_bob *)1;
	struct tfqkd_ec_msg syn, rep, m;

	params(&p, 3);
	p2 = p;
	p2.seed ^= 1;
	ASSERT_EQ(0, tfqkd_ec_new(&ea, &p));
	ASSERT_EQ(0, tfqkd_ec_new(&eb, &p));
	ASSERT_EQ(0, tfqkd_ec_new(&eother, &p2));
	tfqkd_xrng_seed(&chan, 34);
	tfqkd_xrng_seed(&ar, 35);
	ASSERT_EQ(0, tfqkd_ec_plan(ea, 0.03, &pl));
	uint64_t *ka = calloc(pl.n / 64 + 1, 8), *kb = calloc(pl.n / 64 + 1, 8);

	keys(&chan, pl.n, 0.1, ka, kb);	/* too noisy for round 1: Bob asks for more */
	ASSERT_EQ(0, tfqkd_ec_alice_new(ea, &pl, 9, ka, &rng, &a, &syn));

	/* every truncation and a byte too many */
	for (size_t l = 0; l < syn.len; l += (l < 64 ? 1 : 997))
		ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_new(eb, syn.data, l, kb, pl.n, &b, &rep));
	uint8_t *big = calloc(syn.len + 1, 1);

	memcpy(big, syn.data, syn.len);
	ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_new(eb, big, syn.len + 1, kb, pl.n, &b, &rep));
	free(big);
	/* corrupted fields: version, type, reserved, rounds, tag size, reserved, mb,
	 * reserved, z, seed, n, punctured, reveal size, QBER (top byte) */
	static const size_t fields[] = { 0, 1, 2, 13, 14, 15, 16, 18, 20, 24, 32, 36, 40, 47 };
	/* another code family: the previous one, the next one, 0 */
	static const uint8_t fams[] = { TFQKD_LDPC_FAMILY - 1, TFQKD_LDPC_FAMILY + 1, 0 };

	ASSERT_EQ(TFQKD_LDPC_FAMILY, syn.data[12]);
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		syn.data[12] = fams[i];
		ASSERT_EQ(-EPROTONOSUPPORT, tfqkd_ec_bob_new(eb, syn.data, syn.len, kb, pl.n, &b,
							     &rep));
	}
	syn.data[12] = TFQKD_LDPC_FAMILY;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		syn.data[fields[i]] ^= 0x40;
		ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_new(eb, syn.data, syn.len, kb, pl.n, &b, &rep)) {
			TH_LOG("byte %zu", fields[i]);
		}
		syn.data[fields[i]] ^= 0x40;
	}
	ASSERT_EQ(NULL, b);
	/* parameters of another configuration, a key of the wrong length, NULLs */
	ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_new(eother, syn.data, syn.len, kb, pl.n, &b, &rep));
	ASSERT_EQ(-EINVAL, tfqkd_ec_bob_new(eb, syn.data, syn.len, kb, pl.n - 1, &b, &rep));
	ASSERT_EQ(-EINVAL, tfqkd_ec_bob_new(eb, syn.data, syn.len, NULL, pl.n, &b, &rep));
	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, syn.data, syn.len, &m));	/* not for Alice */

	/* the real exchange, with bad variants of each reply first */
	ASSERT_EQ(TFQKD_EC_PENDING, tfqkd_ec_bob_new(eb, syn.data, syn.len, kb, pl.n, &b, &rep));
	rep.data[4] ^= 1;	/* other frame */
	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, rep.data, rep.len, &m));
	rep.data[4] ^= 1;
	rep.data[12] = 3;	/* skips a round */
	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, rep.data, rep.len, &m));
	rep.data[12] = 2;
	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, rep.data, rep.len - 1, &m));
	ASSERT_EQ(TFQKD_EC_PENDING, tfqkd_ec_alice_recv(a, rep.data, rep.len, &m));
	/* the same request again: Alice already answered it */
	ASSERT_EQ(-EBADMSG, tfqkd_ec_alice_recv(a, rep.data, rep.len, &rep));
	tfqkd_ec_msg_free(&rep);
	ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_recv(b, m.data, m.len - 1, &rep));
	m.data[12] = 1;		/* wrong round */
	ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_recv(b, m.data, m.len, &rep));
	m.data[12] = 2;
	ASSERT_EQ(-EBADMSG, tfqkd_ec_bob_recv(b, syn.data, syn.len, &rep));	/* not a REVEAL */
	struct tfqkd_ec_stats st;

	tfqkd_ec_bob_stats(b, &st);
	ASSERT_EQ(1u, st.rounds);	/* none of this changed the frame */
	ASSERT_EQ(0u, st.leak_reveal);
	ASSERT_TRUE(tfqkd_ec_bob_recv(b, m.data, m.len, &rep) >= 0);
	tfqkd_ec_bob_stats(b, &st);
	ASSERT_EQ(2u, st.rounds);
	ASSERT_EQ((size_t)pl.reveal, st.leak_reveal);
	tfqkd_ec_msg_free(&m);
	tfqkd_ec_msg_free(&rep);
	tfqkd_ec_msg_free(&syn);
	tfqkd_ec_alice_free(a);
	tfqkd_ec_bob_free(b);

	/* message peek */
	unsigned type;
	uint64_t frame;
	uint8_t hdr[12] = { 1, 4, 0, 0, 7 };

	ASSERT_EQ(0, tfqkd_ec_msg_peek(hdr, sizeof(hdr), &type, &frame));
	ASSERT_EQ(4u, type);
	ASSERT_EQ(7u, frame);
	hdr[1] = 9;
	ASSERT_EQ(-EBADMSG, tfqkd_ec_msg_peek(hdr, sizeof(hdr), &type, &frame));
	ASSERT_EQ(-EBADMSG, tfqkd_ec_msg_peek(hdr, 11, &type, &frame));
	free(ka);
	free(kb);
	tfqkd_ec_free(ea);
	tfqkd_ec_free(eb);
	tfqkd_ec_free(eother);
}

TEST(bad_parameters_and_plans)
{
	struct tfqkd_ec_params p;
	struct tfqkd_ec *ec = (struct tfqkd_ec *)1;
	struct tfqkd_ec_plan pl;

	params(&p, 2);
	p.z = 100;
	ASSERT_EQ(-EINVAL, tfqkd_ec_new(&ec, &p));
	ASSERT_EQ(NULL, ec);
	params(&p, 0);
	ASSERT_EQ(-EINVAL, tfqkd_ec_new(&ec, &p));
	params(&p, 17);
	ASSERT_EQ(-EINVAL, tfqkd_ec_new(&ec, &p));
	params(&p, 2);
	p.verify_bits = 96;
	ASSERT_EQ(-EINVAL, tfqkd_ec_new(&ec, &p));
	params(&p, 2);
	p.f_start = 0.3;
	ASSERT_EQ(-EINVAL, tfqkd_ec_new(&ec, &p));
	params(&p, 2);
	ASSERT_EQ(0, tfqkd_ec_new(&ec, &p));
	ASSERT_EQ(-EINVAL, tfqkd_ec_plan(ec, 0, &pl));
	ASSERT_EQ(-EINVAL, tfqkd_ec_plan(ec, 0.5, &pl));
	ASSERT_EQ(-EINVAL, tfqkd_ec_plan(ec, NAN, &pl));
	ASSERT_EQ(-ERANGE, tfqkd_ec_plan(ec, 0.45, &pl));	/* h(0.45) * 1.25 > 1 */
	ASSERT_EQ(0, tfqkd_ec_plan(ec, 0.05, &pl));
	pl.punct += 1;	/* inconsistent plan */
	struct tfqkd_ec_alice *a;
	struct tfqkd_ec_msg m;
	uint64_t k[300] = { 0 };
	struct tfqkd_rng sys = tfqkd_rng_system();

	ASSERT_EQ(-EINVAL, tfqkd_ec_alice_new(ec, &pl, 1, k, &sys, &a, &m));
	tfqkd_ec_free(ec);
}

TEST(verification_detects_single_bit_differences)
{
	struct tfqkd_rng sys = tfqkd_rng_system();
	uint64_t key[40];
	struct tfqkd_xrng r;
	static const unsigned tb[] = { 64, 128 };

	tfqkd_xrng_seed(&r, 36);
	for (size_t i = 0; i < 40; i++)
		key[i] = tfqkd_xrng_next(&r);
	for (size_t t = 0; t < 2; t++) {
		struct tfqkd_verify_tag tag;

		ASSERT_EQ(0, tfqkd_verify_make(&sys, tb[t], key, 2500, &tag));
		ASSERT_EQ(1, tfqkd_verify_check(&tag, key, 2500));
		for (size_t b = 0; b < 2500; b++) {
			key[b / 64] ^= 1ULL << (b % 64);
			ASSERT_EQ(0, tfqkd_verify_check(&tag, key, 2500));
			key[b / 64] ^= 1ULL << (b % 64);
		}
		ASSERT_EQ(0, tfqkd_verify_check(&tag, key, 2499));	/* length counts */
		tag.tag[t] ^= 1ULL << 63;
		ASSERT_EQ(0, tfqkd_verify_check(&tag, key, 2500));
	}
	/* (ceil(1e6/64) + 1) / 2^64 */
	ASSERT_TRUE(fabs(tfqkd_verify_log2_eps(64, 1000000) - (log2(15626.0) - 64)) < 1e-12);
	struct tfqkd_verify_tag tag;

	ASSERT_EQ(-EINVAL, tfqkd_verify_make(&sys, 32, key, 100, &tag));
	ASSERT_EQ(-EINVAL, tfqkd_verify_make(&sys, 64, key, 0, &tag));
	ASSERT_EQ(-EINVAL, tfqkd_verify_check(NULL, key, 10));
}

TEST_HARNESS_MAIN
