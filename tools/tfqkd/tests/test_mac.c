// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wegman-Carter MAC, key pools and sessions: known answers from the definition (polynomial
 * hash by shift-and-add, XOR pad), rejection of every single-bit change of message and
 * tag (exhaustive for a short message), replays, reordering, empty pools, closing after
 * failures, key consumption, bad arguments.
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
#include "tfqkd/auth.h"
#include "tfqkd/mac.h"
#include "tfqkd/rng.h"

/* GF(2^128) shift-and-add, modulus y^128 + y^7 + y^2 + y + 1, 16-byte little-endian */
static void naive_mul(const uint8_t a_in[16], const uint8_t b[16], uint8_t r[16])
{
	uint8_t a[16];

	memcpy(a, a_in, 16);
	memset(r, 0, 16);
	for (int i = 0; i < 128; i++) {
		int carry = a[15] >> 7;

		if ((b[i / 8] >> (i % 8)) & 1)
			for (int j = 0; j < 16; j++)
				r[j] ^= a[j];
		for (int j = 15; j > 0; j--)
			a[j] = (uint8_t)(a[j] << 1 | a[j - 1] >> 7);
		a[0] = (uint8_t)(a[0] << 1);
		if (carry)
			a[0] ^= 0x87;
	}
}

/* tag by the definition: Horner over 16-byte blocks, then the length block, XOR pad */
static void naive_tag(const uint8_t k[16], const uint8_t otp[16], const uint8_t *m, size_t len,
		      uint8_t tag[16])
{
	uint8_t acc[16] = { 0 }, t[16];
	size_t nblk = (len + 15) / 16;

	for (size_t b = 0; b <= nblk; b++) {
		if (b < nblk) {
			for (size_t i = 0; i < 16 && 16 * b + i < len; i++)
				acc[i] ^= m[16 * b + i];
		} else {
			uint64_t bits = (uint64_t)len * 8;

			for (int i = 0; i < 8; i++)
				acc[i] ^= (uint8_t)(bits >> (8 * i));
		}
		naive_mul(acc, k, t);
		memcpy(acc, t, 16);
	}
	for (int i = 0; i < 16; i++)
		tag[i] = acc[i] ^ otp[i];
}

static void fill(struct tfqkd_xrng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)tfqkd_xrng_next(r);
}

TEST(tag_matches_definition)
{
	struct tfqkd_xrng r;
	uint8_t k[16], otp[16], m[100], want[16], got[16];

	tfqkd_xrng_seed(&r, 20);
	for (size_t len = 0; len <= sizeof(m); len += 7) {
		fill(&r, k, 16);
		fill(&r, otp, 16);
		fill(&r, m, sizeof(m));
		naive_tag(k, otp, m, len, want);
		ASSERT_EQ(0, tfqkd_mac_tag(k, otp, m, len, got));
		ASSERT_EQ(0, memcmp(want, got, 16));
		ASSERT_EQ(1, tfqkd_mac_verify(k, otp, m, len, got));
	}
}

TEST(rejects_every_single_bit_change)
{
	struct tfqkd_xrng r;
	uint8_t k[16], otp[16], m[24], tag[16];

	tfqkd_xrng_seed(&r, 21);
	fill(&r, k, 16);
	fill(&r, otp, 16);
	fill(&r, m, sizeof(m));
	ASSERT_EQ(0, tfqkd_mac_tag(k, otp, m, sizeof(m), tag));
	for (size_t b = 0; b < 8 * sizeof(m); b++) {
		m[b / 8] ^= 1u << (b % 8);
		ASSERT_EQ(0, tfqkd_mac_verify(k, otp, m, sizeof(m), tag));
		m[b / 8] ^= 1u << (b % 8);
	}
	for (size_t b = 0; b < 128; b++) {
		tag[b / 8] ^= 1u << (b % 8);
		ASSERT_EQ(0, tfqkd_mac_verify(k, otp, m, sizeof(m), tag));
		tag[b / 8] ^= 1u << (b % 8);
	}
	/* shorter and longer messages (length is authenticated) */
	ASSERT_EQ(0, tfqkd_mac_verify(k, otp, m, sizeof(m) - 1, tag));
	ASSERT_EQ(1, tfqkd_mac_verify(k, otp, m, sizeof(m), tag));
}

TEST(forgery_bound)
{
	/* 1 KiB: ceil(8192/128) + 1 = 65 blocks -> log2(65) - 128 */
	ASSERT_TRUE(fabs(tfqkd_mac_log2_forgery(1024) - (log2(65.0) - 128)) < 1e-12);
}

struct pair {
	struct tfqkd_keypool_mem *ab, *ba, *ab2, *ba2;	/* Alice's and Bob's copies */
	struct tfqkd_mac_session *alice, *bob;
};

static int make_pair(struct pair *p, size_t psk_len, const struct tfqkd_mac_config *cfg)
{
	uint8_t *psk = malloc(2 * psk_len + 1);
	struct tfqkd_xrng r;
	struct tfqkd_keypool a_tx, a_rx, b_tx, b_rx;

	tfqkd_xrng_seed(&r, 22);
	fill(&r, psk, 2 * psk_len);
	if (tfqkd_keypool_mem_new(&p->ab, psk, psk_len) ||
	    tfqkd_keypool_mem_new(&p->ab2, psk, psk_len) ||
	    tfqkd_keypool_mem_new(&p->ba, psk + psk_len, psk_len) ||
	    tfqkd_keypool_mem_new(&p->ba2, psk + psk_len, psk_len))
		return -1;
	free(psk);
	a_tx = tfqkd_keypool_mem_iface(p->ab);
	a_rx = tfqkd_keypool_mem_iface(p->ba);
	b_tx = tfqkd_keypool_mem_iface(p->ba2);
	b_rx = tfqkd_keypool_mem_iface(p->ab2);
	if (tfqkd_mac_session_new(&p->alice, &a_tx, &a_rx, cfg) ||
	    tfqkd_mac_session_new(&p->bob, &b_tx, &b_rx, cfg))
		return -1;
	return 0;
}

static void free_pair(struct pair *p)
{
	tfqkd_mac_session_free(p->alice);
	tfqkd_mac_session_free(p->bob);
	tfqkd_keypool_mem_free(p->ab);
	tfqkd_keypool_mem_free(p->ab2);
	tfqkd_keypool_mem_free(p->ba);
	tfqkd_keypool_mem_free(p->ba2);
}

TEST(session_round_trip_replay_reorder)
{
	struct pair p;
	uint8_t w1[64], w2[64], w3[64];
	const void *m;
	size_t len;
	long n1, n2, n3;

	ASSERT_EQ(0, make_pair(&p, 1024, NULL));
	n1 = tfqkd_mac_seal(p.alice, "hello", 5, w1, sizeof(w1));
	n2 = tfqkd_mac_seal(p.alice, "world", 5, w2, sizeof(w2));
	n3 = tfqkd_mac_seal(p.alice, "", 0, w3, sizeof(w3));
	ASSERT_EQ(5 + TFQKD_MAC_OVERHEAD, n1);
	ASSERT_EQ(TFQKD_MAC_OVERHEAD, n3);
	/* message 2 before 1: reordered */
	ASSERT_EQ(-EPROTO, tfqkd_mac_open(p.bob, w2, (size_t)n2, &m, &len));
	ASSERT_EQ(0, tfqkd_mac_open(p.bob, w1, (size_t)n1, &m, &len));
	ASSERT_EQ(5u, len);
	ASSERT_EQ(0, memcmp(m, "hello", 5));
	/* replay of 1 */
	ASSERT_EQ(-EALREADY, tfqkd_mac_open(p.bob, w1, (size_t)n1, &m, &len));
	ASSERT_EQ(0, tfqkd_mac_open(p.bob, w2, (size_t)n2, &m, &len));
	ASSERT_EQ(0, memcmp(m, "world", 5));
	ASSERT_EQ(0, tfqkd_mac_open(p.bob, w3, (size_t)n3, &m, &len));
	ASSERT_EQ(0u, len);
	/* the other direction works independently */
	n1 = tfqkd_mac_seal(p.bob, "ack", 3, w1, sizeof(w1));
	ASSERT_EQ(0, tfqkd_mac_open(p.alice, w1, (size_t)n1, &m, &len));
	/* a message sealed for Alice->Bob is not valid Bob->Alice (other pool and key) */
	n2 = tfqkd_mac_seal(p.alice, "x", 1, w2, sizeof(w2));
	ASSERT_EQ(-EPROTO, tfqkd_mac_open(p.alice, w2, (size_t)n2, &m, &len));

	struct tfqkd_mac_stats st;

	tfqkd_mac_session_stats(p.alice, &st);
	ASSERT_EQ(4u, st.sent);
	ASSERT_EQ(1u, st.received);
	/* 16-byte hash key + 16-byte pad per message, per direction: 32 + 3*16 + 32 */
	ASSERT_EQ(32u + 3 * 16 + 32, st.key_bytes);
	free_pair(&p);
}

TEST(session_rejects_every_bit_flip_and_closes)
{
	struct tfqkd_mac_config cfg = { .rekey_every = 4, .max_failures = 1000 };
	struct pair p;
	uint8_t w[8 + TFQKD_MAC_OVERHEAD];
	const void *m;
	size_t len;
	long n;

	ASSERT_EQ(0, make_pair(&p, 4096, &cfg));
	n = tfqkd_mac_seal(p.alice, "12345678", 8, w, sizeof(w));
	ASSERT_EQ((long)sizeof(w), n);
	/* every bit of message and tag (the counter bits change the counter itself) */
	for (size_t b = 8 * TFQKD_MAC_CTR_BYTES; b < 8 * sizeof(w); b++) {
		w[b / 8] ^= 1u << (b % 8);
		ASSERT_EQ(-EBADMSG, tfqkd_mac_open(p.bob, w, sizeof(w), &m, &len));
		w[b / 8] ^= 1u << (b % 8);
	}
	/* counter bits: replay/ahead, never accepted */
	for (size_t b = 0; b < 8 * TFQKD_MAC_CTR_BYTES; b++) {
		w[b / 8] ^= 1u << (b % 8);
		ASSERT_NE(0, tfqkd_mac_open(p.bob, w, sizeof(w), &m, &len));
		w[b / 8] ^= 1u << (b % 8);
	}
	/* the genuine message still verifies after failed attempts (pad kept) */
	ASSERT_EQ(0, tfqkd_mac_open(p.bob, w, sizeof(w), &m, &len));
	/* rekeying every 4 messages stays in step */
	for (int i = 0; i < 10; i++) {
		n = tfqkd_mac_seal(p.alice, "abcdefgh", 8, w, sizeof(w));
		ASSERT_EQ(0, tfqkd_mac_open(p.bob, w, (size_t)n, &m, &len));
	}
	free_pair(&p);

	/* default config: the first failure closes the session */
	ASSERT_EQ(0, make_pair(&p, 1024, NULL));
	n = tfqkd_mac_seal(p.alice, "12345678", 8, w, sizeof(w));
	w[10] ^= 1;
	ASSERT_EQ(-EBADMSG, tfqkd_mac_open(p.bob, w, sizeof(w), &m, &len));
	w[10] ^= 1;
	ASSERT_EQ(-EKEYREVOKED, tfqkd_mac_open(p.bob, w, sizeof(w), &m, &len));
	ASSERT_EQ(-EKEYREVOKED, tfqkd_mac_seal(p.bob, "x", 1, w, sizeof(w)));
	free_pair(&p);
}

TEST(empty_pool_fails_cleanly)
{
	struct pair p;
	uint8_t w[64];
	const void *m;
	size_t len;
	long n;

	/* 64 bytes: hash key + 3 pads */
	ASSERT_EQ(0, make_pair(&p, 64, NULL));
	for (int i = 0; i < 3; i++) {
		n = tfqkd_mac_seal(p.alice, "m", 1, w, sizeof(w));
		ASSERT_EQ(1 + TFQKD_MAC_OVERHEAD, n);
		ASSERT_EQ(0, tfqkd_mac_open(p.bob, w, (size_t)n, &m, &len));
	}
	ASSERT_EQ(-ENOSPC, tfqkd_mac_seal(p.alice, "m", 1, w, sizeof(w)));
	ASSERT_EQ(0u, tfqkd_keypool_mem_avail(p.ab));
	/* refilled with (the same) fresh key on both sides, the session continues */
	uint8_t more[16] = { 1, 2, 3 };

	ASSERT_EQ(0, tfqkd_keypool_mem_add(p.ab, more, sizeof(more)));
	ASSERT_EQ(0, tfqkd_keypool_mem_add(p.ab2, more, sizeof(more)));
	n = tfqkd_mac_seal(p.alice, "m", 1, w, sizeof(w));
	ASSERT_EQ(1 + TFQKD_MAC_OVERHEAD, n);
	ASSERT_EQ(0, tfqkd_mac_open(p.bob, w, (size_t)n, &m, &len));
	free_pair(&p);

	/* a pool with less than asked gives nothing */
	struct tfqkd_keypool_mem *km;
	struct tfqkd_keypool kp;
	uint8_t buf[32];

	ASSERT_EQ(0, tfqkd_keypool_mem_new(&km, "0123456789", 10));
	kp = tfqkd_keypool_mem_iface(km);
	ASSERT_EQ(-ENOSPC, tfqkd_keypool_take(&kp, buf, 11));
	ASSERT_EQ(10u, tfqkd_keypool_mem_avail(km));
	ASSERT_EQ(0, tfqkd_keypool_take(&kp, buf, 4));
	ASSERT_EQ(0, memcmp(buf, "0123", 4));
	ASSERT_EQ(6u, kp.avail(kp.ctx));
	tfqkd_keypool_mem_free(km);
}

TEST(bad_arguments)
{
	struct tfqkd_keypool_mem *km;
	struct tfqkd_keypool kp, none = { 0 };
	struct tfqkd_mac_session *s = (struct tfqkd_mac_session *)1;
	struct tfqkd_mac_config bad = { .rekey_every = 0 };
	uint8_t k[16] = { 0 }, t[16], w[8];
	const void *m;
	size_t len;

	ASSERT_EQ(-EINVAL, tfqkd_mac_tag(NULL, k, "x", 1, t));
	ASSERT_EQ(-EINVAL, tfqkd_mac_tag(k, k, NULL, 1, t));
	ASSERT_EQ(-EINVAL, tfqkd_mac_verify(k, k, "x", 1, NULL));
	ASSERT_EQ(-EINVAL, tfqkd_keypool_mem_new(&km, NULL, 5));
	ASSERT_EQ(0, tfqkd_keypool_mem_new(&km, "abcdefghijklmnopqrstuvwxyz0123456789", 36));
	kp = tfqkd_keypool_mem_iface(km);
	ASSERT_EQ(-EINVAL, tfqkd_keypool_take(&none, w, 1));
	ASSERT_EQ(-EINVAL, tfqkd_mac_session_new(&s, &kp, &kp, NULL));	/* same pool twice */
	ASSERT_EQ(NULL, s);
	ASSERT_EQ(-EINVAL, tfqkd_mac_session_new(&s, &kp, &none, NULL));
	struct tfqkd_keypool_mem *km2;

	ASSERT_EQ(0, tfqkd_keypool_mem_new(&km2, "abcdefghijklmnopqrstuvwxyz0123456789", 36));
	struct tfqkd_keypool kp2 = tfqkd_keypool_mem_iface(km2);

	ASSERT_EQ(-EINVAL, tfqkd_mac_session_new(&s, &kp, &kp2, &bad));
	ASSERT_EQ(0, tfqkd_mac_session_new(&s, &kp, &kp2, NULL));
	ASSERT_EQ(-EMSGSIZE, tfqkd_mac_seal(s, "toolong", 7, w, sizeof(w)));
	ASSERT_EQ(-EINVAL, tfqkd_mac_open(s, w, 5, &m, &len));		/* shorter than overhead */
	ASSERT_EQ(36u, tfqkd_keypool_mem_avail(km));	/* nothing consumed by failed calls */
	tfqkd_mac_session_free(s);
	tfqkd_keypool_mem_free(km);
	tfqkd_keypool_mem_free(km2);
}

TEST_HARNESS_MAIN
