// SPDX-License-Identifier: GPL-2.0-only
/*
 * ldpc_de - design tool for the degree distributions of lib/ldpc_code.c (not built by make).
 *
 * Discretised density evolution of belief propagation on the binary symmetric channel
 * (Chung et al.: messages as probability mass functions on a uniform LLR grid; the
 * check-node rule as a pairwise table applied by repeated squaring; the variable-node rule
 * as a convolution, here done exactly with an FFT and clamped only once, at the end, as the
 * decoder clamps t = L - R of its 16-bit posteriors), and a differential-evolution
 * optimiser (Storn-Price, rand/1/bin) of the edge-perspective variable degree fractions
 * lambda_d that maximises the threshold q* for a design rate R. Check degrees are
 * concentrated on two consecutive values, as the base-matrix construction makes them; the
 * degree-2 node fraction is limited to (1 - R) - 1/256 (the accumulator chain of the
 * construction: mb - 1 columns; a trial above it is repaired by lowering lambda_2), and the
 * mean column degree (edges per bit, which the decoding time is proportional to) to EMAX.
 *
 *   cc -O2 -march=native -o ldpc_de tools/tfqkd/bench/ldpc_de.c -lm
 *   ./ldpc_de thr R DEGREES LAMBDA [STEP RANGE MAXIT]
 *   ./ldpc_de opt R DEGREES LAMBDA0 EMAX GENS [NP STEP RANGE MAXIT SEED]
 *   e.g. ./ldpc_de thr 0.55 2,3,4,6,8,12,16 0.19,0.21,0.03,0.17,0.04,0.02,0.35
 *        ./ldpc_de opt 0.55 2,3,4,5,6,7,8,10,12,16,20,24,32 0.19,0.21,0.03,0,0.17,0,0.04,0,0.02,0.35,0,0,0 0 30
 *
 * STEP is the LLR grid step (default 1/8, the decoder's unit), RANGE the largest grid index
 * (default 127: LLRs in [-15.875, 15.875], the decoder's 8-bit messages); a run "converges"
 * when the error probability of the messages falls below 1e-6 within MAXIT (default 200)
 * iterations of flooding BP, or stops falling below 1e-4 (the floor of the clamped
 * messages: the decisions, on unclamped posteriors, are right), and fails when it stops
 * falling above that. EMAX = 0 takes the mean column degree of LAMBDA0. The initial
 * population is LAMBDA0 and random multiples of it. opt evaluates a trial only against its
 * target (does it converge at the target's threshold? then bisect upwards), so most trials
 * cost one DE run. Output: the best distribution, its threshold and f* = (1-R)/h(q*), node
 * fractions and edges/bit. Family 2 of lib/ldpc_code.c: opt with GENS = NP = 14, the
 * previous distribution as LAMBDA0 and EMAX 1.1 times its edges/bit (R >= 0.62).
 *
 * Environment: LDPC_DE_EXACT (set: the exact BP check rule instead of the decoder's; any
 * STEP and RANGE), LDPC_DE_SPREAD (initial population factors 1 +- this, default 0.6),
 * LDPC_DE_PIN2 (set: the degree-2 node fraction always at the chain's limit), LDPC_DE_PHI
 * (another phi domain for the decoder's rule, see dec_phi()).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WMAX 1025
#define MAXD 24
#define FMAX 65536

static double step = 0.125, errt = 1e-6;
static int range = 127, maxit = 200, w, fsz, dmax;
static short *table;	/* check-node pairwise rule on grid indices */

static int nl, vdeg[MAXD], cdeg[2];
static double rho[2], rate;

/* ---- FFT (radix 2, complex, in place) ---- */
static double *twr, *twi;

static void fft_init(void)
{
	twr = malloc(sizeof(double) * fsz / 2);
	twi = malloc(sizeof(double) * fsz / 2);
	for (int k = 0; k < fsz / 2; k++) {
		twr[k] = cos(2 * M_PI * k / fsz);
		twi[k] = -sin(2 * M_PI * k / fsz);
	}
}

static void fft(double *re, double *im, int inverse)
{
	int n = fsz;

	for (int i = 1, j = 0; i < n; i++) {
		int bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i];

			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (int len = 2; len <= n; len <<= 1) {
		int h = len / 2, ts = n / len;

		for (int i = 0; i < n; i += len)
			for (int k = 0; k < h; k++) {
				double wr = twr[k * ts], wi = inverse ? -twi[k * ts] : twi[k * ts];
				double *ar = re + i + k, *ai = im + i + k;
				double xr = ar[h] * wr - ai[h] * wi, xi = ar[h] * wi + ai[h] * wr;

				ar[h] = *ar - xr;
				ai[h] = *ai - xi;
				*ar += xr;
				*ai += xi;
			}
	}
}

/*
 * The decoder's check rule (lib/ldpc_dec.c), on its grid (step 1/8, magnitudes <= 127):
 * PHI[m] = min(round(256 phi(m/8)), 4095), the output magnitude min(PHIINV[sum of PHI],
 * smallest input), PHIINV fine below 255 and in steps of 32 above. phi of an input above
 * about 7 rounds to 0, so reliable inputs combine like min-sum. LDPC_DE_PHI=S,CAP,FSH,CSH
 * [,FLIM] models other phi domains: PHI in units of 1/S capped at CAP, PHIINV[v] =
 * round(8 phi(x)) with x in the bin of v (fine bins v >> FSH below FLIM, default 255: their
 * mean, bin 0 at 0; coarse bins min(v >> CSH, 127) above: their centre). The decoder is
 * 256,4095,0,5, the default. Against exact BP
 * it costs 0.6-0.9 % in f* with family 1 at R = 0.45-0.55, but that is not the phi
 * resolution of 16-bit sums: 1024,8191,0,5 / 2048,16383,0,6 / 4096,16383,0,7 and even an
 * exact inverse with S = 65536 or 10^6 give the same f* within 0.05 %; only S = 10^8
 * (phi resolved up to the clamp at 15.9) reaches exact BP. The gap is how messages near
 * the clamp combine, and family 2 (optimised with this rule) is 0.35 % worse with the
 * exact rule.
 */
static double phi_one = 256, phi_cap = 4095;
static int invf_sh, invc_sh = 5;
static long finelim = 255;

static long dec_phi(int m)
{
	double v = m ? -log(tanh(m / 16.0)) * phi_one : 1e18;

	return v >= phi_cap ? (long)phi_cap : (long)floor(v + 0.5);
}

static int dec_phinv(long v)
{
	double wf = (double)(1L << invf_sh), wc = (double)(1L << invc_sh), x, r;

	if (v >> invf_sh == 0)
		x = 0;	/* a sum that may be 0: the largest output */
	else if (v >> invf_sh < finelim)
		x = ((double)(v >> invf_sh) * wf + (wf - 1) / 2) / phi_one;
	else
		x = ((double)(v >> invc_sh > 127 ? 127 : v >> invc_sh) * wc + wc / 2) / phi_one;
	r = x > 0 ? -log(tanh(x / 2)) * 8 : 1e9;
	return r >= 127 ? 127 : (int)floor(r + 0.5);
}

/* LDPC_DE_PHI=S,CAP,FSH,CSH[,FLIM]: 0 if absent or valid */
static int parse_phi(void)
{
	const char *e = getenv("LDPC_DE_PHI");
	int n, used = 0;

	if (!e)
		return 0;
	n = sscanf(e, "%lf,%lf,%d,%d%n,%ld%n", &phi_one, &phi_cap, &invf_sh, &invc_sh, &used,
		   &finelim, &used);
	if (n < 4 || e[used] || !(phi_one >= 1 && phi_one <= 1e9) ||
	    !(phi_cap >= 1 && phi_cap <= 1e12) || invf_sh < 0 || invf_sh > 30 ||
	    invc_sh < 0 || invc_sh > 30 || finelim < 1) {
		fprintf(stderr, "LDPC_DE_PHI=%s: want S,CAP,FSH,CSH[,FLIM]\n", e);
		return -1;
	}
	return 0;
}

static int exact_rule, pin2;

static void make_table(void)
{
	w = 2 * range + 1;
	table = malloc(sizeof(*table) * w * w);
	if (!exact_rule) {
		for (int i = 0; i < w; i++)
			for (int j = 0; j < w; j++) {
				int a = abs(i - range), b = abs(j - range);
				int r = dec_phinv(dec_phi(a) + dec_phi(b));

				r = r < a ? r : a;
				r = r < b ? r : b;
				if ((i < range) != (j < range))
					r = -r;
				table[i * w + j] = (short)(r + range);
			}
		return;
	}
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
		const short *tr = table + i * w;
		double ai = a[i];

		if (ai == 0)
			continue;
		for (int j = 0; j < w; j++)
			o[tr[j]] += ai * b[j];
	}
}

/* o = check rule of d i.i.d. inputs x, by repeated squaring */
static void check_pow(const double *x, int d, double *o)
{
	double base[WMAX], acc[WMAX], t[WMAX];
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

static void normalise(double *p)
{
	double s = 0;

	for (int i = 0; i < w; i++)
		s += p[i];
	for (int i = 0; i < w; i++)
		p[i] /= s;
}

/* pmf on the grid -> cyclic FFT layout (LLR 0 at index 0, negative LLRs at the end) */
static void to_fft(const double *p, double *re, double *im)
{
	memset(re, 0, sizeof(double) * fsz);
	memset(im, 0, sizeof(double) * fsz);
	for (int i = 0; i < w; i++)
		re[(i - range + fsz) % fsz] = p[i];
	fft(re, im, 0);
}

static int converges(const double *lam, double q)
{
	static double *chr, *chi, *cr, *ci, *pr, *pi, *ar, *ai;
	double ch[WMAX], v2c[WMAX], c2v[WMAX], tmp[WMAX], prev = 1;
	double l = log((1 - q) / q) / step, fr = l - floor(l);
	int a = (int)floor(l);

	if (!chr) {
		chr = malloc(8 * sizeof(double) * fsz);
		chi = chr + fsz;
		cr = chi + fsz;
		ci = cr + fsz;
		pr = ci + fsz;
		pi = pr + fsz;
		ar = pi + fsz;
		ai = ar + fsz;
	}
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
	to_fft(ch, chr, chi);
	memcpy(v2c, ch, sizeof(double) * w);
	for (int it = 0; it < maxit; it++) {
		double err = 0;
		int k = 0;

		/* check side: degrees cdeg[0] and cdeg[0] + 1 */
		check_pow(v2c, cdeg[0] - 1, tmp);
		for (int v = 0; v < w; v++)
			c2v[v] = rho[0] * tmp[v];
		if (rho[1] > 0) {
			double t2[WMAX];

			check_pair(tmp, v2c, t2);
			for (int v = 0; v < w; v++)
				c2v[v] += rho[1] * t2[v];
		}
		normalise(c2v);	/* the recursion amplifies rounding errors of the mass */
		/* variable side: sum_i lam_i (ch * c2v^(d_i - 1)), exact, then clamped */
		to_fft(c2v, cr, ci);
		memcpy(pr, chr, sizeof(double) * fsz);
		memcpy(pi, chi, sizeof(double) * fsz);
		memset(ar, 0, sizeof(double) * fsz);
		memset(ai, 0, sizeof(double) * fsz);
		for (int i = 0; i < nl; i++) {
			if (lam[i] <= 0)
				continue;
			for (; k < vdeg[i] - 1; k++)
				for (int f = 0; f < fsz; f++) {
					double xr = pr[f] * cr[f] - pi[f] * ci[f];

					pi[f] = pr[f] * ci[f] + pi[f] * cr[f];
					pr[f] = xr;
				}
			for (int f = 0; f < fsz; f++) {
				ar[f] += lam[i] * pr[f];
				ai[f] += lam[i] * pi[f];
			}
		}
		fft(ar, ai, 1);
		memset(v2c, 0, sizeof(double) * w);
		for (int f = 0; f < fsz; f++) {
			int v = f < fsz / 2 ? f : f - fsz;
			double m = ar[f] / fsz;

			if (m <= 0)
				continue;
			v = v > range ? range : v < -range ? -range : v;
			v2c[v + range] += m;
		}
		normalise(v2c);
		for (int v = 0; v < range; v++)
			err += v2c[v];
		err += v2c[range] / 2;
		if (err < errt)
			return 1;
		/*
		 * Stuck at a fixed point: the clamped messages (as in the decoder) leave an error
		 * floor of a few 1e-6 after the waterfall, where the posteriors are right; a
		 * fixed point above the threshold has an error of percents.
		 */
		if (it > 10 && err > prev * (1 - 1e-4))
			return err < 1e-4;
		prev = err;
	}
	return 0;
}

static double h2(double x)
{
	return x <= 0 || x >= 1 ? 0 : -x * log2(x) - (1 - x) * log2(1 - x);
}

static double capacity_q(void)
{
	double lo = 1e-4, hi = 0.5;

	for (int i = 0; i < 60; i++) {
		double m = (lo + hi) / 2;

		if (h2(m) < 1 - rate)
			lo = m;
		else
			hi = m;
	}
	return lo;
}

static double sum_ld(const double *lam)
{
	double sl = 0;

	for (int i = 0; i < nl; i++)
		sl += lam[i] / vdeg[i];
	return sl;
}

/*
 * Normalise, repair the degree-2 limit, set the concentrated check degrees; 0 if feasible
 * (mean column degree <= emax when emax > 0).
 */
static int prepare(double *lam, double emax)
{
	double s = 0, sl, sr, a, b = (1 - rate) - 1.0 / 256;
	int d;

	for (int i = 0; i < nl; i++) {
		if (!(lam[i] > 0))
			lam[i] = 0;
		s += lam[i];
	}
	if (s <= 0)
		return -1;
	for (int i = 0; i < nl; i++)
		lam[i] /= s;
	for (int i = 0; i < nl; i++)
		if (vdeg[i] == 2) {
			double so = sum_ld(lam) - lam[i] / 2;

			if (lam[i] / 2 / (so + lam[i] / 2) > b || (pin2 && lam[i] > 0)) {
				lam[i] = 2 * b * so / (1 - b);
				s = 0;
				for (int j = 0; j < nl; j++)
					s += lam[j];
				for (int j = 0; j < nl; j++)
					lam[j] /= s;
			}
		}
	sl = sum_ld(lam);
	if (emax > 0 && 1 / sl > emax + 1e-9)
		return -1;
	sr = (1 - rate) * sl;
	d = (int)floor(1 / sr);
	if (d < 2 || d > 250)
		return -1;
	a = (sr - 1.0 / (d + 1)) / (1.0 / d - 1.0 / (d + 1));
	a = a > 1 ? 1 : a < 0 ? 0 : a;
	cdeg[0] = d;
	cdeg[1] = d + 1;
	rho[0] = a;
	rho[1] = 1 - a;
	return 0;
}

/* threshold in [lo, hi] (lo converges), to relative precision rel */
static double bisect(const double *lam, double lo, double hi, double rel)
{
	while (hi - lo > rel * lo) {
		double m = (lo + hi) / 2;

		if (converges(lam, m))
			lo = m;
		else
			hi = m;
	}
	return lo;
}

static double threshold(const double *lam, double rel)
{
	double cap = capacity_q(), lo = cap * 0.85, hi = cap;

	while (!converges(lam, lo)) {
		hi = lo;
		lo *= 0.9;
		if (lo < 0.001)
			return 0;
	}
	return bisect(lam, lo, hi, rel);
}

static uint64_t rs = 88172645463325252ULL;

static double urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) * 0x1.0p-53;
}

static void report(const double *lam, double q)
{
	double sl = sum_ld(lam);

	printf("R=%.4f q*=%.5f f*=%.4f edges/bit=%.3f lambda:", rate, q, (1 - rate) / h2(q),
	       1 / sl);
	for (int i = 0; i < nl; i++)
		if (lam[i] > 0)
			printf(" %d:%.4f", vdeg[i], lam[i]);
	printf(" | node:");
	for (int i = 0; i < nl; i++)
		if (lam[i] > 0)
			printf(" %d:%.4f", vdeg[i], lam[i] / vdeg[i] / sl);
	printf(" | checks %d:%.3f %d:%.3f\n", cdeg[0], rho[0], cdeg[1], rho[1]);
	fflush(stdout);
}

static int parse_list(char *s, double *out, int max)
{
	int n = 0;

	for (char *t = strtok(s, ","); t && n < max; t = strtok(NULL, ","))
		out[n++] = atof(t);
	return n;
}

static void setup(int argc, char **argv, int first)
{
	if (argc > first)
		step = atof(argv[first]);
	if (argc > first + 1)
		range = atoi(argv[first + 1]);
	if (argc > first + 2)
		maxit = atoi(argv[first + 2]);
	exact_rule = getenv("LDPC_DE_EXACT") != NULL;
	pin2 = getenv("LDPC_DE_PIN2") != NULL;
	if (parse_phi())
		exit(2);
	if (!exact_rule && (step != 0.125 || range != 127)) {
		fprintf(stderr, "the decoder's rule needs STEP 0.125 RANGE 127 (or LDPC_DE_EXACT=1)\n");
		exit(2);
	}
	if (2 * range + 1 > WMAX) {
		fprintf(stderr, "RANGE too large\n");
		exit(2);
	}
	make_table();
	dmax = 0;
	for (int i = 0; i < nl; i++)
		dmax = vdeg[i] > dmax ? vdeg[i] : dmax;
	for (fsz = 2; fsz < 2 * dmax * range + 2; fsz *= 2)
		;
	if (fsz > FMAX) {
		fprintf(stderr, "degrees x RANGE too large\n");
		exit(2);
	}
	fft_init();
}

int main(int argc, char **argv)
{
	double lam0[MAXD] = { 0 }, dv[MAXD];

	if (argc < 5 || (strcmp(argv[1], "thr") && strcmp(argv[1], "opt")) ||
	    (!strcmp(argv[1], "opt") && argc < 7)) {
		fprintf(stderr, "usage: %s thr R DEGREES LAMBDA [STEP RANGE MAXIT]\n"
			"       %s opt R DEGREES LAMBDA0 EMAX GENS [NP STEP RANGE MAXIT SEED]\n",
			argv[0], argv[0]);
		return 2;
	}
	rate = atof(argv[2]);
	nl = parse_list(argv[3], dv, MAXD);
	for (int i = 0; i < nl; i++)
		vdeg[i] = (int)dv[i];
	parse_list(argv[4], lam0, nl);
	if (!strcmp(argv[1], "thr")) {
		setup(argc, argv, 5);
		if (prepare(lam0, 0))
			return 1;
		report(lam0, threshold(lam0, 2e-4));
		return 0;
	}

	/* differential evolution */
	double emax = atof(argv[5]);
	int gens = atoi(argv[6]), np = argc > 7 ? atoi(argv[7]) : 16;
	double pop[64][MAXD], fit[64], best = 0, spread = 0.6;
	int bi = 0;

	if (getenv("LDPC_DE_SPREAD"))	/* initial population: lambda0 * (1 +- spread) */
		spread = atof(getenv("LDPC_DE_SPREAD"));
	if (argc > 11)
		rs ^= strtoull(argv[11], NULL, 0) * 0x9e3779b97f4a7c15ULL;
	rs ^= (uint64_t)(rate * 1e7);
	setup(argc, argv, 8);
	if (np < 4 || np > 64)
		return 2;
	if (prepare(lam0, 0))
		return 1;
	if (emax <= 0)
		emax = 1 / sum_ld(lam0);
	fprintf(stderr, "emax %.3f\n", emax);
	for (int p = 0; p < np; p++) {
		for (int t = 0; t < 1000; t++) {
			for (int i = 0; i < nl; i++)
				pop[p][i] = p == 0 ? lam0[i] :
					lam0[i] * (1 - spread + 2 * spread * urand()) +
					(urand() < 0.3 ? spread * 0.08 * urand() : 0);
			if (!prepare(pop[p], emax))
				break;
			if (p == 0)
				return 1;
		}
		fit[p] = threshold(pop[p], 2e-3);
		fprintf(stderr, "init %d q*=%.5f f*=%.4f\n", p, fit[p], (1 - rate) / h2(fit[p]));
		if (fit[p] > best) {
			best = fit[p];
			bi = p;
		}
	}
	for (int g = 0; g < gens; g++) {
		for (int p = 0; p < np; p++) {
			double tr[MAXD], F = 0.5 + 0.3 * urand(), CR = 0.8, cap = capacity_q(), q;
			int r1, r2, r3, jr = (int)(urand() * nl);

			do
				r1 = (int)(urand() * np);
			while (r1 == p);
			do
				r2 = (int)(urand() * np);
			while (r2 == p || r2 == r1);
			do
				r3 = (int)(urand() * np);
			while (r3 == p || r3 == r1 || r3 == r2);
			for (int i = 0; i < nl; i++)
				tr[i] = (i == jr || urand() < CR) ?
					pop[r1][i] + F * (pop[r2][i] - pop[r3][i]) : pop[p][i];
			if (prepare(tr, emax))
				continue;
			if (!converges(tr, fit[p]))
				continue;
			q = bisect(tr, fit[p], fmin(cap, fit[p] * 1.03), 2e-3);
			memcpy(pop[p], tr, sizeof(tr));
			fit[p] = q;
			if (q > best) {
				best = q;
				bi = p;
				fprintf(stderr, "gen %d q*=%.5f f*=%.4f\n", g, q, (1 - rate) / h2(q));
			}
		}
	}
	prepare(pop[bi], emax);
	report(pop[bi], threshold(pop[bi], 2e-4));
	return 0;
}
