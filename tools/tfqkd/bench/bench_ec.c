// SPDX-License-Identifier: GPL-2.0-only
/*
 * Error-correction benchmark: frames of random keys through simulated binary symmetric
 * channels, reconciled with the full message protocol of tfqkd/ec.h (Alice and Bob in
 * one process, messages passed by hand), over a QBER grid.
 *
 * For each QBER q it prints
 *   ec_q<q>_f:      mean efficiency, sum(leak_syndrome + leak_reveal) / sum(n h(q)),
 *                   with h(q) of the TRUE channel q (the plan uses q as its estimate)
 *   ec_q<q>_fer:    frames that failed (after all rounds) / frames
 *   ec_q<q>_mbps:   key bits reconciled per second of Bob's CPU time (decoding, protocol)
 *   ec_q<q>_rounds: mean messages from Alice per frame (round trips)
 *   ec_q<q>_iters:  mean decoder iterations per frame
 * and counts frames where Bob's verified key differed from Alice's (must be 0). The default
 * protocol (tfqkd_ec_params_default(): first round at the calibrated efficiency, up to 3
 * reveal rounds) favours efficiency; a second configuration, printed as ec_fast_q<q>_*,
 * favours throughput: one round at the calibrated efficiency + 0.06 (+ 0.04 where the
 * family has no code of low enough rate).
 *
 * Environment: TFQKD_EC_FRAMES (frames per QBER, default 60), TFQKD_EC_Z (lifting size,
 * default 4096: N = 2^20 bits), TFQKD_EC_QBERS (comma-separated list), TFQKD_EC_FSTART,
 * TFQKD_EC_FSTEP, TFQKD_EC_ROUNDS, TFQKD_EC_ITER_FIRST, TFQKD_EC_ITER_MORE (override the
 * defaults of tfqkd_ec_params_default()),
 * TFQKD_EC_SWEEP (comma-separated first-round efficiencies: one-round runs at each, to
 * calibrate the rate choice; 200 iterations, or TFQKD_EC_ITER_FIRST), TFQKD_EC_QEST_SCALE (plan with q times this factor: a QBER
 * estimate that is off; f is still computed with the true q). Throughput is per core (one thread), thread CPU time.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tfqkd/ec.h"
#include "tfqkd/ldpc.h"
#include "tfqkd/rng.h"

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A number from the environment, or @def; anything else than a number in [lo, hi] exits. */
static double env_num(const char *name, double def, double lo, double hi)
{
	const char *v = getenv(name);
	char *end;
	double x;

	if (!v)
		return def;
	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= lo && x <= hi)) {
		fprintf(stderr, "bench_ec: %s=%s: want a number in [%g, %g]\n", name, v, lo, hi);
		exit(2);
	}
	return x;
}

/* Parse a comma-separated list of numbers in [lo, hi] into @out (at most @max). */
static int parse_list(const char *name, const char *text, double lo, double hi,
		      double *out, int max)
{
	const char *p = text;
	int n = 0;

	for (;;) {
		char *end;
		double x;

		errno = 0;
		x = strtod(p, &end);
		if (errno || end == p || (*end && *end != ',') || !(x >= lo && x <= hi) || n == max) {
			fprintf(stderr, "bench_ec: %s=%s: want up to %d numbers in [%g, %g], comma-separated\n",
				name, text, max, lo, hi);
			exit(2);
		}
		out[n++] = x;
		if (!*end)
			return n;
		p = end + 1;
	}
}

static double h2(double x)
{
	return -x * log2(x) - (1 - x) * log2(1 - x);
}

/* deterministic "random" bytes for the punctured bits and hash keys of the simulation */
static int xrng_fill(void *ctx, void *buf, size_t len)
{
	struct tfqkd_xrng *r = ctx;
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = tfqkd_xrng_next(r);

		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
	return 0;
}

struct result {
	double f, fer, mbps, rounds, iters;
	unsigned frames, fails, undetected;
};

static int run_q(const struct tfqkd_ec_params *par, double q, unsigned frames, struct result *res)
{
	struct tfqkd_xrng chan, arng;
	struct tfqkd_rng rng = { .fill = xrng_fill, .ctx = &arng };
	struct tfqkd_ec *ea, *eb;
	struct tfqkd_ec_plan plan;
	uint64_t *ka, *kb, *out, thr = (uint64_t)(q * 18446744073709551616.0);
	double leak = 0, ideal = 0, tbob = 0, rounds = 0, iters = 0, bits = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (tfqkd_ec_new(&ea, par) || tfqkd_ec_new(&eb, par))
		return -1;
	/* the estimate may be off by a factor (TFQKD_EC_QEST_SCALE), the channel is q */
	double qest = q * env_num("TFQKD_EC_QEST_SCALE", 1, 0.1, 10);

	ret = tfqkd_ec_plan(ea, qest, &plan);
	if (ret)
		return ret;
	/* builds Bob's code and puncturing order once, outside the timed part */
	ret = tfqkd_ec_plan(eb, qest, &plan);
	if (ret)
		return ret;
	tfqkd_xrng_seed(&chan, (uint64_t)(q * 1e9) + 1);
	tfqkd_xrng_seed(&arng, (uint64_t)(q * 1e9) + 2);
	ka = calloc(plan.n / 64 + 1, 8);
	kb = calloc(plan.n / 64 + 1, 8);
	out = calloc(plan.n / 64 + 1, 8);
	for (unsigned f = 0; f < frames; f++) {
		struct tfqkd_ec_alice *a;
		struct tfqkd_ec_bob *b;
		struct tfqkd_ec_msg m, r;
		struct tfqkd_ec_stats st;
		double t0;
		int sa, sb;

		for (size_t i = 0; i < plan.n / 64 + 1; i++)
			ka[i] = tfqkd_xrng_next(&chan);
		for (size_t i = 0; i < plan.n; i++) {
			uint64_t bit = (ka[i / 64] >> (i % 64)) & 1;

			if (tfqkd_xrng_next(&chan) < thr)
				bit ^= 1;
			kb[i / 64] = (kb[i / 64] & ~(1ULL << (i % 64))) | (bit << (i % 64));
		}
		if (tfqkd_ec_alice_new(ea, &plan, f, ka, &rng, &a, &m))
			return -1;
		t0 = cpu_now();
		sb = tfqkd_ec_bob_new(eb, m.data, m.len, kb, plan.n, &b, &r);
		tbob += cpu_now() - t0;
		tfqkd_ec_msg_free(&m);
		if (sb < 0)
			return sb;
		for (;;) {
			sa = tfqkd_ec_alice_recv(a, r.data, r.len, &m);
			tfqkd_ec_msg_free(&r);
			if (sa < 0)
				return sa;
			if (sa != TFQKD_EC_PENDING)
				break;
			t0 = cpu_now();
			sb = tfqkd_ec_bob_recv(b, m.data, m.len, &r);
			tbob += cpu_now() - t0;
			tfqkd_ec_msg_free(&m);
			if (sb < 0)
				return sb;
		}
		tfqkd_ec_bob_stats(b, &st);
		leak += (double)(st.leak_syndrome + st.leak_reveal);
		ideal += (double)st.n * h2(q);
		rounds += st.rounds;
		iters += st.iterations;
		bits += (double)st.n;
		if (sa != TFQKD_EC_DONE || tfqkd_ec_bob_state(b) != TFQKD_EC_DONE) {
			res->fails++;
		} else {
			tfqkd_ec_bob_key(b, out);
			if (memcmp(out, ka, plan.n / 8))
				res->undetected++;
		}
		tfqkd_ec_alice_free(a);
		tfqkd_ec_bob_free(b);
	}
	res->frames = frames;
	res->f = leak / ideal;
	res->fer = (double)res->fails / frames;
	res->mbps = bits / tbob / 1e6;
	res->rounds = rounds / frames;
	res->iters = iters / frames;
	free(ka);
	free(kb);
	free(out);
	tfqkd_ec_free(ea);
	tfqkd_ec_free(eb);
	return 0;
}

int main(void)
{
	const char *qs = getenv("TFQKD_EC_QBERS");
	double qv[32];
	int nq = parse_list("TFQKD_EC_QBERS",
			    qs ? qs : "0.01,0.02,0.03,0.05,0.08,0.11,0.15,0.20,0.25",
			    1e-4, 0.3, qv, 32);
	unsigned frames = (unsigned)env_num("TFQKD_EC_FRAMES", 60, 1, 1e6);
	unsigned undetected = 0;
	struct tfqkd_ec_params par;

	tfqkd_ec_params_default(&par);
	/* the library validates the values themselves (tfqkd_ec_new() / tfqkd_ec_plan()) */
	par.z = (unsigned)env_num("TFQKD_EC_Z", par.z, 0, 1 << 20);
	par.f_start = env_num("TFQKD_EC_FSTART", par.f_start, 0, 10);
	par.f_step = env_num("TFQKD_EC_FSTEP", par.f_step, 0, 10);
	par.max_rounds = (unsigned)env_num("TFQKD_EC_ROUNDS", par.max_rounds, 0, 1000);
	par.iter_first = (unsigned)env_num("TFQKD_EC_ITER_FIRST", par.iter_first, 0, 100000);
	par.iter_more = (unsigned)env_num("TFQKD_EC_ITER_MORE", par.iter_more, 0, 100000);
	printf("ec_frame_bits: %u bits\n", 256 * par.z);
	printf("ec_frames_per_qber: %u\n", frames);
	if (getenv("TFQKD_EC_SWEEP")) {
		double fv[32];
		int nf = parse_list("TFQKD_EC_SWEEP", getenv("TFQKD_EC_SWEEP"), 1, 10, fv, 32);

		for (int i = 0; i < nq; i++)
			for (int j = 0; j < nf; j++) {
				struct tfqkd_ec_params p1 = par;
				struct result r;

				p1.f_start = fv[j];
				p1.max_rounds = 1;
				p1.iter_first = getenv("TFQKD_EC_ITER_FIRST") ? par.iter_first : 200;
				if (run_q(&p1, qv[i], frames, &r))
					continue;
				printf("sweep q=%.3f f_start=%.3f f=%.4f fer=%.3g iters=%.1f mbps=%.1f\n",
				       qv[i], fv[j], r.f, r.fer, r.iters, r.mbps);
				fflush(stdout);
			}
		return 0;
	}
	for (int i = 0; i < nq; i++) {
		double q = qv[i];
		struct result r;
		int ret = run_q(&par, q, frames, &r);

		if (ret) {
			printf("ec_q%.2f_error: %d\n", q, ret);
			continue;
		}
		printf("ec_q%.2f_f: %.4f\n", q, r.f);
		printf("ec_q%.2f_fer: %.2g (%u/%u)\n", q, r.fer, r.fails, r.frames);
		printf("ec_q%.2f_mbps: %.1f Mbit/s\n", q, r.mbps);
		printf("ec_q%.2f_rounds: %.2f\n", q, r.rounds);
		printf("ec_q%.2f_iters: %.1f\n", q, r.iters);
		printf("ec_q%.2f_undetected: %u\n", q, r.undetected);
		undetected += r.undetected;
		fflush(stdout);
		if (getenv("TFQKD_EC_NOFAST"))
			continue;
		struct tfqkd_ec_params fast = par;

		fast.max_rounds = 1;
		fast.iter_first = 100;
		/* 0.06 above the calibrated efficiency, less where no code is low enough */
		for (double off = 0.06; off > 0.005; off -= 0.02) {
			fast.f_start = tfqkd_ec_auto_f(q) + off;
			ret = run_q(&fast, q, frames, &r);
			if (ret != -ERANGE)
				break;
		}
		if (ret) {
			printf("ec_fast_q%.2f_error: %d\n", q, ret);
			continue;
		}
		printf("ec_fast_q%.2f_f: %.4f\n", q, r.f);
		printf("ec_fast_q%.2f_fer: %.2g (%u/%u)\n", q, r.fer, r.fails, r.frames);
		printf("ec_fast_q%.2f_mbps: %.1f Mbit/s\n", q, r.mbps);
		printf("ec_fast_q%.2f_iters: %.1f\n", q, r.iters);
		printf("ec_fast_q%.2f_undetected: %u\n", q, r.undetected);
		undetected += r.undetected;
		fflush(stdout);
	}
	if (undetected) {
		/* a verified key that differs from Alice's: a bug, not a figure */
		fprintf(stderr, "bench_ec: %u frames released a wrong key\n", undetected);
		return 1;
	}
	return 0;
}
