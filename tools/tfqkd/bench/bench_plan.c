// SPDX-License-Identifier: GPL-2.0-only
/*
 * Planner and estimator speed. Prints "name: value unit" lines:
 *   plan_<protocol>_<asym|finite>_13pts   wall time of a 13-point sweep (100..700 km)
 *   optimizer_evals_per_s                  rate evaluations per second inside the optimiser
 *   eval_<protocol>_finite                 one key-rate evaluation (model + estimator)
 *   estimate_sns_aopp_blocks_per_s         estimator calls on one block's counts
 * Each timing is the best of 3 runs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <tfqkd/plan.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static struct tfqkd_plan_request request(const char *proto, double n_pulses)
{
	struct tfqkd_plan_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.proto = tfqkd_protocol_find(proto);
	rq.link = (struct tfqkd_link){ 0, 0.2, 0.6, 1e-10, 0.03, 1.1 };
	rq.finite = n_pulses > 0;
	rq.n_pulses = n_pulses;
	rq.sec = (struct tfqkd_security){ 1e-10, 1e-10, 1e-10, 1e-10 };
	return rq;
}

/* best-of-3 time of a 13-point sweep; *evals receives its rate evaluations */
static double sweep(const char *proto, double n_pulses, unsigned long *evals)
{
	struct tfqkd_plan_request rq = request(proto, n_pulses);
	struct tfqkd_plan_point pt[13];
	double d[13], best = 1e30;

	for (int i = 0; i < 13; i++)
		d[i] = 100.0 + 50.0 * i;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now(), t;

		if (tfqkd_plan_sweep(&rq, d, 13, pt))
			return -1;
		t = now() - t0;
		if (t < best)
			best = t;
	}
	*evals = 0;
	for (int i = 0; i < 13; i++)
		*evals += pt[i].evaluations;
	return best;
}

int main(void)
{
	static const struct { const char *proto, *name; double n; } runs[] = {
		{ "sns", "plan_sns_asym_13pts", 0 },
		{ "sns", "plan_sns_finite_13pts", 1e12 },
		{ "sns-aopp", "plan_sns_aopp_asym_13pts", 0 },
		{ "sns-aopp", "plan_sns_aopp_finite_13pts", 1e12 },
		{ "pm", "plan_pm_asym_13pts", 0 },
		{ "pm", "plan_pm_finite_13pts", 1e12 },
	};
	unsigned long evals = 0, aopp_evals = 0;
	double aopp_time = 0;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		double t = sweep(runs[i].proto, runs[i].n, &evals);

		if (t < 0) {
			fprintf(stderr, "bench_plan: sweep %s failed\n", runs[i].name);
			return 1;
		}
		printf("%s: %.1f ms\n", runs[i].name, 1e3 * t);
		if (!strcmp(runs[i].name, "plan_sns_aopp_finite_13pts")) {
			aopp_time = t;
			aopp_evals = evals;
		}
	}
	printf("plan_sns_aopp_finite_evals_per_point: %lu evals\n", aopp_evals / 13);
	printf("optimizer_evals_per_s: %.0f evals/s\n", aopp_evals / aopp_time);

	{
		static const char *const protos[] = { "sns-aopp", "pm" };

		for (int k = 0; k < 2; k++) {
			const struct tfqkd_protocol *p = tfqkd_protocol_find(protos[k]);
			struct tfqkd_plan_request rq = request(protos[k], 1e12);
			double v[8], best = 1e30, sink = 0;
			const int n = 20000;

			for (unsigned int i = 0; i < p->nparam; i++)
				v[i] = p->param[i].dflt;
			rq.link.distance_km = 400;
			for (int rep = 0; rep < 3; rep++) {
				double t0 = now(), t;

				for (int i = 0; i < n; i++)
					sink += tfqkd_eval(p, &rq.link, &rq.n_pulses, &rq.sec, v, NULL);
				t = (now() - t0) / n;
				if (t < best)
					best = t;
			}
			printf("eval_%s_finite: %.2f us\n", k ? "pm" : "sns_aopp", 1e6 * best);
			if (sink < 0)
				return 1;
		}
	}
	{
		/* the counts of one block (as in tests/test_estimate.c), estimated repeatedly */
		struct tfqkd_sns_settings s = { 0.45, 0.28, 0.1, 0.4, 1, 1.1 };
		struct tfqkd_sns_counts c;
		struct tfqkd_security sec = { 1e-10, 1e-10, 1e-10, 1e-10 };
		struct tfqkd_key_result r;
		double best = 1e30;
		const int n = 100000;

		memset(&c, 0, sizeof(c));
		c.x_sent[0][0] = 625000000;
		c.x_det[0][0][0] = 7;
		c.x_det[0][0][1] = 5;
		c.x_sent[0][1] = c.x_sent[1][0] = 1625000000;
		c.x_det[0][1][0] = c.x_det[0][1][1] = c.x_det[1][0][0] = c.x_det[1][0][1] = 48750;
		c.x_sent[0][2] = c.x_sent[2][0] = 250000000;
		c.x_det[0][2][0] = c.x_det[0][2][1] = c.x_det[2][0][0] = c.x_det[2][0][1] = 30000;
		c.x1_windows[0] = c.x1_windows[1] = 264000000;
		c.x1_det[0][0] = c.x1_det[1][1] = 30740;
		c.x1_det[0][1] = c.x1_det[1][0] = 950;
		c.z_windows = 8.1e11;
		c.z_det[0] = c.z_det[1] = 61250000;
		c.z_bob[0] = 78400000;
		c.z_bob[1] = 44100000;
		c.aopp_pairs = 44100000;
		c.aopp_kept = 24830000;
		c.bit_errors = 3664;
		for (int rep = 0; rep < 3; rep++) {
			double t0 = now(), t;

			for (int i = 0; i < n; i++)
				if (tfqkd_sns_estimate(&s, &c, &sec, -1, &r) != TFQKD_KEY_OK)
					return 1;
			t = now() - t0;
			if (t < best)
				best = t;
		}
		printf("estimate_sns_aopp_blocks_per_s: %.0f blocks/s\n", n / best);
	}
	return 0;
}
