// SPDX-License-Identifier: GPL-2.0-only
/*
 * Speed of the universal hashes: verification tags (polynomial hash over GF(2^64) and
 * GF(2^128)) on 2^20-bit keys, and Wegman-Carter sealing/opening of 64 KiB messages with a
 * session; key consumption per message. Best of several runs, thread CPU time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tfqkd/auth.h"
#include "tfqkd/gf2.h"
#include "tfqkd/mac.h"
#include "tfqkd/rng.h"
#include "tfqkd/verify.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
	const size_t nbits = 1u << 20, mlen = 64 * 1024;
	struct tfqkd_rng sys = tfqkd_rng_system();
	struct tfqkd_xrng r;
	uint64_t *key = malloc(nbits / 8);
	double best64 = 1e9, best128 = 1e9, bestmac = 1e9;
	struct tfqkd_verify_tag tag;

	tfqkd_xrng_seed(&r, 1);
	for (size_t i = 0; i < nbits / 64; i++)
		key[i] = tfqkd_xrng_next(&r);
	for (int rep = 0; rep < 20; rep++) {
		double t = now();

		tfqkd_verify_make(&sys, 64, key, nbits, &tag);
		t = now() - t;
		best64 = t < best64 ? t : best64;
		t = now();
		tfqkd_verify_make(&sys, 128, key, nbits, &tag);
		t = now() - t;
		best128 = t < best128 ? t : best128;
	}
	printf("verify64_mbps: %.0f Mbit/s\n", (double)nbits / best64 / 1e6);
	printf("verify128_mbps: %.0f Mbit/s\n", (double)nbits / best128 / 1e6);

	/* sessions over in-memory pools with enough key for the runs */
	size_t poolb = 64 * 1024;
	unsigned char *psk = malloc(poolb);
	struct tfqkd_keypool_mem *pa, *pb;
	struct tfqkd_keypool ta, tb;
	struct tfqkd_mac_session *sa, *sb;
	unsigned char *msg = malloc(mlen), *w = malloc(mlen + TFQKD_MAC_OVERHEAD);
	struct tfqkd_mac_stats st;

	tfqkd_rng_fill(&sys, psk, poolb);
	tfqkd_keypool_mem_new(&pa, psk, poolb);
	tfqkd_keypool_mem_new(&pb, psk, poolb);
	ta = tfqkd_keypool_mem_iface(pa);
	tb = tfqkd_keypool_mem_iface(pb);
	/* one direction only: Alice's tx pool is Bob's rx pool (copies of the same bytes) */
	struct tfqkd_keypool_mem *dummy1, *dummy2;

	tfqkd_keypool_mem_new(&dummy1, psk, 32);
	tfqkd_keypool_mem_new(&dummy2, psk, 32);
	struct tfqkd_keypool d1 = tfqkd_keypool_mem_iface(dummy1), d2 = tfqkd_keypool_mem_iface(dummy2);

	tfqkd_mac_session_new(&sa, &ta, &d1, NULL);
	tfqkd_mac_session_new(&sb, &d2, &tb, NULL);
	memset(msg, 0x5a, mlen);
	for (int rep = 0; rep < 50; rep++) {
		const void *m;
		size_t l;
		double t = now();
		long n = tfqkd_mac_seal(sa, msg, mlen, w, mlen + TFQKD_MAC_OVERHEAD);

		if (n < 0 || tfqkd_mac_open(sb, w, (size_t)n, &m, &l)) {
			printf("mac_error: 1\n");
			return 1;
		}
		t = now() - t;
		bestmac = t < bestmac ? t : bestmac;
	}
	tfqkd_mac_session_stats(sa, &st);
	printf("mac_seal_open_64KiB_mbps: %.0f Mbit/s\n", (double)mlen * 8 / bestmac / 1e6);
	printf("mac_key_bits_per_message: %.1f bits\n",
	       (double)st.key_bytes * 8 / (double)st.sent);
	printf("mac_log2_forgery_64KiB: %.1f\n", tfqkd_mac_log2_forgery(mlen));
	printf("verify64_log2_eps_2^20_bits: %.1f\n", tfqkd_verify_log2_eps(64, nbits));
	tfqkd_mac_session_free(sa);
	tfqkd_mac_session_free(sb);
	tfqkd_keypool_mem_free(pa);
	tfqkd_keypool_mem_free(pb);
	tfqkd_keypool_mem_free(dummy1);
	tfqkd_keypool_mem_free(dummy2);
	free(psk);
	free(msg);
	free(w);
	free(key);
	return 0;
}
