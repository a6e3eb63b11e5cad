// SPDX-License-Identifier: GPL-2.0-only
/*
 * ldpc_de - design tool for the degree distributions of lib/ldpc_code.c (not built by make).
 *
 * Discretised density evolution of belief propagation on the binary symmetric channel
 * (Chung et al.'s R-table method: messages as probability mass functions on a uniform LLR
 * grid, the check-node rule as a pairwise table, the variable-node rule as a convolution),
 * and a (1+1) evolution-strategy local search over the edge-perspective variable degree
 * fractions lambda_d that maximises the threshold q* for a design rate R. Check degrees are
 * concentrated on two consecutive values, as the base-matrix construction makes them, and
 * the degree-2 node fraction is limited to (1 - R) - 1/256 (the accumulator chain of the
 * construction: mb - 1 columns).
 *
 *   cc -O2 -o ldpc_de tools/tfqkd/bench/ldpc_de.c -lm
 *   ./ldpc_de R DEGREES EVALS LAMBDA0 [STEP RANGE MAXIT]
 *   e.g. ./ldpc_de 0.84 2,3,4,6,8,12,16 40 0.2,0.2,0.02,0.2,0.03,0,0.3 0.25 127 200
 *
 * STEP is the LLR grid step, RANGE the largest grid index (LLRs in [-RANGE, RANGE] * STEP);
 * a run "converges" when the error probability of the messages falls below 1e-6 within
 * MAXIT iterations. Output: the best distribution, its threshold and f* = (1-R)/h(q*).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WMAX 2049
#define MAXDEG 32

static double step = 0.25, errt = 1e-6;
static int range = 127, maxit = 200, w;
static short *table;	/* check-node pairwise rule on grid indices */

static int nl, nr, vdeg[MAXDEG], cdeg[2];
static double lam[MAXDEG], rho[2], rate;

static void make_table(void)
{
	w = 2 * range + 1;
	table = malloc(sizeof(*table) * w * w);
	for (int i = 0; i < w; i++)
		for (int j = 0; j < w; j++) {
			double t = tanh((i - range) * step / 2) * tanh((j - range) * step / 2);
			long r;

			if (t > 1 - 1e-13)
				t = 1 - 1e-13;
			if (t < -1 + 1e-13)
				t = -1 + 1e-13;
			r = lround(2 * atanh(t) / step);
			if (r > range)
				r = range;
			if (r < -range)
				r = -range;
			table[i * w + j] = (short)(r + range);
		}
}

static void check_pair(const double *a, const double *b, double *o)
{
	memset(o, 0, sizeof(double) * w);
	for (int i = 0; i < w; i++) {
		if (a[i] == 0)
			continue;
		for (int j = 0; j < w; j++)
			if (b[j] != 0)
				o[table[i * w + j]] += a[i] * b[j];
	}
}

/* distribution of the check rule applied to d i.i.d. inputs, by repeated squaring */
static void check_pow(const double *x, int d, double *o)
{
	static double base[WMAX], acc[WMAX], t[WMAX];
	int have = 0;

	memcpy(base, x, sizeof(double) * w);
	while (d) {
		if (d & 1) {
			if (!have) {
				memcpy(acc, base, sizeof(double) * w);
				have = 1;
			} else {
				check_pair(acc, base, t);
				memcpy(acc, t, sizeof(double) * w);
			}
		}
		d >>= 1;
		if (d) {
			check_pair(base, base, t);
			memcpy(base, t, sizeof(double) * w);
		}
	}
	memcpy(o, acc, sizeof(double) * w);
}

static void var_conv(const double *a, const double *b, double *o)
{
	memset(o, 0, sizeof(double) * w);
	for (int i = 0; i < w; i++) {
		if (a[i] == 0)
			continue;
		for (int j = 0; j < w; j++) {
			int v = i + j - 2 * range;

			if (b[j] == 0)
				continue;
			v = v > range ? range : v < -range ? -range : v;
			o[v + range] += a[i] * b[j];
		}
	}
}

static void normalise(double *p)
{
	double s = 0;

	for (int i = 0; i < w; i++)
		s += p[i];
	for (int i = 0; i < w; i++)
		p[i] /= s;
}

static int converges(double q)
{
	static double ch[WMAX], v2c[WMAX], c2v[WMAX], tmp[WMAX], acc[WMAX], nv[WMAX];
	double l = log((1 - q) / q) / step, fr = l - floor(l);
	int a = (int)floor(l);

	memset(ch, 0, sizeof(double) * w);
	if (a + 1 > range) {
		a = range - 1;
		fr = 1;
	}
	/* channel mass split between the two nearest grid points (exact mean LLR) */
	ch[range + a] += (1 - q) * (1 - fr);
	ch[range + a + 1] += (1 - q) * fr;
	ch[range - a] += q * (1 - fr);
	ch[range - a - 1] += q * fr;
	memcpy(v2c, ch, sizeof(double) * w);
	for (int it = 0; it < maxit; it++) {
		double err = 0;
		int k = 0;

		memset(c2v, 0, sizeof(double) * w);
		for (int j = 0; j < nr; j++) {
			if (rho[j] <= 0)
				continue;
			check_pow(v2c, cdeg[j] - 1, tmp);
			for (int v = 0; v < w; v++)
				c2v[v] += rho[j] * tmp[v];
		}
		normalise(c2v);	/* the recursion amplifies rounding errors of the mass */
		memset(nv, 0, sizeof(double) * w);
		memcpy(acc, ch, sizeof(double) * w);
		for (int i = 0; i < nl; i++) {
			for (; k < vdeg[i] - 1; k++) {
				var_conv(acc, c2v, tmp);
				memcpy(acc, tmp, sizeof(double) * w);
			}
			for (int v = 0; v < w; v++)
				nv[v] += lam[i] * acc[v];
		}
		normalise(nv);
		memcpy(v2c, nv, sizeof(double) * w);
		for (int v = 0; v < range; v++)
			err += v2c[v];
		err += v2c[range] / 2;
		if (err < errt)
			return 1;
	}
	return 0;
}

static double h2(double x)
{
	return x <= 0 || x >= 1 ? 0 : -x * log2(x) - (1 - x) * log2(1 - x);
}

/* concentrated check degrees for the rate; 0 if the constraints hold */
static int set_rho(void)
{
	double sl = 0, sr, a;
	int d;

	for (int i = 0; i < nl; i++)
		sl += lam[i] / vdeg[i];
	for (int i = 0; i < nl; i++)
		if (vdeg[i] == 2 && lam[i] / 2 / sl > (1 - rate) - 1.0 / 256)
			return -1;
	sr = (1 - rate) * sl;
	d = (int)floor(1 / sr);
	if (d < 2)
		return -1;
	a = (sr - 1.0 / (d + 1)) / (1.0 / d - 1.0 / (d + 1));
	a = a > 1 ? 1 : a < 0 ? 0 : a;
	nr = 2;
	cdeg[0] = d;
	cdeg[1] = d + 1;
	rho[0] = a;
	rho[1] = 1 - a;
	return 0;
}

static double threshold(double guess)
{
	double lo = 1e-4, hi = 0.5, cap;

	for (int i = 0; i < 60; i++) {
		double m = (lo + hi) / 2;

		if (h2(m) < 1 - rate)
			lo = m;
		else
			hi = m;
	}
	cap = lo;
	lo = guess > 0 ? guess * 0.97 : cap * 0.8;
	hi = guess > 0 ? fmin(cap, guess * 1.03) : cap;
	while (!converges(lo)) {
		hi = lo;
		lo *= 0.93;
		if (lo < 0.003)
			return 0;
	}
	for (int s = 0; s < 6; s++) {
		double m = (lo + hi) / 2;

		if (converges(m))
			lo = m;
		else
			hi = m;
	}
	return lo;
}

static uint64_t rs = 88172645463325252ULL;

static double urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) * 0x1.0p-53;
}

int main(int argc, char **argv)
{
	double best, bl[MAXDEG], sl = 0, s0 = 0, sigma = 0.15;
	int evals;

	if (argc < 5) {
		fprintf(stderr, "usage: %s R DEGREES EVALS LAMBDA0 [STEP RANGE MAXIT]\n", argv[0]);
		return 2;
	}
	rate = atof(argv[1]);
	for (char *t = strtok(argv[2], ","); t && nl < MAXDEG; t = strtok(NULL, ","))
		vdeg[nl++] = atoi(t);
	evals = atoi(argv[3]);
	{
		int i = 0;

		for (char *t = strtok(argv[4], ","); t && i < nl; t = strtok(NULL, ","))
			lam[i++] = atof(t);
	}
	if (argc > 5)
		step = atof(argv[5]);
	if (argc > 6)
		range = atoi(argv[6]);
	if (argc > 7)
		maxit = atoi(argv[7]);
	if (2 * range + 1 > WMAX)
		return 2;
	rs ^= (uint64_t)(rate * 1e7);
	make_table();
	for (int i = 0; i < nl; i++)
		s0 += lam[i];
	for (int i = 0; i < nl; i++)
		lam[i] /= s0;
	for (int t = 0; t < 200 && set_rho(); t++) {	/* make the start feasible */
		double s = 0;

		for (int i = 0; i < nl; i++)
			if (vdeg[i] == 2)
				lam[i] *= 0.9;
		for (int i = 0; i < nl; i++)
			s += lam[i];
		for (int i = 0; i < nl; i++)
			lam[i] /= s;
	}
	if (set_rho())
		return 1;
	memcpy(bl, lam, sizeof(bl));
	best = threshold(0);
	fprintf(stderr, "start q*=%.5f f*=%.4f\n", best, (1 - rate) / h2(best));
	for (int e = 0; e < evals; e++) {
		double tr[MAXDEG], s = 0, q;

		for (int i = 0; i < nl; i++) {
			tr[i] = bl[i] * (1 + sigma * (2 * urand() - 1)) +
				(urand() < 0.2 ? sigma * 0.05 * urand() : 0);
			tr[i] = tr[i] < 0 ? 0 : tr[i];
			s += tr[i];
		}
		for (int i = 0; i < nl; i++)
			lam[i] = tr[i] / s;
		if (set_rho()) {
			sigma *= 0.95;
			continue;
		}
		q = threshold(best);
		if (q > best) {
			best = q;
			memcpy(bl, lam, sizeof(bl));
			sigma = fmin(0.4, sigma * 1.3);
			fprintf(stderr, "eval %d q*=%.5f f*=%.4f\n", e, best, (1 - rate) / h2(best));
		} else {
			sigma = fmax(0.02, sigma * 0.92);
		}
	}
	memcpy(lam, bl, sizeof(bl));
	set_rho();
	for (int i = 0; i < nl; i++)
		sl += lam[i] / vdeg[i];
	printf("R=%.3f q*=%.5f f*=%.4f lambda:", rate, best, (1 - rate) / h2(best));
	for (int i = 0; i < nl; i++)
		printf(" %d:%.4f", vdeg[i], lam[i]);
	printf(" | node:");
	for (int i = 0; i < nl; i++)
		printf(" %d:%.4f", vdeg[i], lam[i] / vdeg[i] / sl);
	printf(" | checks %d:%.3f %d:%.3f\n", cdeg[0], rho[0], cdeg[1], rho[1]);
	return 0;
}
