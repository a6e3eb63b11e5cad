// SPDX-License-Identifier: GPL-2.0-only
/*
 * tfqkd plan - key rate versus distance for a TF-QKD protocol, with the PLOB bound.
 * Documentation/tfqkd/plan.rst describes the command.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tfqkd/plan.h>

#include "commands.h"
#include "plot.h"

#define MAX_POINTS 10000
#define MAX_DISTANCE_KM 20000.0

struct plan_opts {
	const struct tfqkd_protocol *proto;
	struct tfqkd_plan_request rq;
	double *dist;
	size_t ndist;
	int json;
	const char *plot;
	const char *fix[64];
	unsigned int nfix;
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tfqkd plan: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static void help(void)
{
	printf("usage: tfqkd plan [options]\n"
	       "\n"
	       "Key rate (bits per pulse) versus distance for a twin-field QKD protocol, with the\n"
	       "PLOB bound. Intensities and probabilities that are not pinned with --fix are\n"
	       "optimised at every distance.\n"
	       "\n"
	       "options:\n"
	       "  --protocol NAME      ");
	for (unsigned int i = 0; i < tfqkd_protocol_count(); i++)
		printf("%s%s", i ? ", " : "", tfqkd_protocol_at(i)->name);
	printf(" (default sns-aopp)\n"
	       "  --distance LIST      km: a list 50,100 or a range START:STOP:STEP, or both\n"
	       "                       (default 0:600:50)\n"
	       "  --loss DB_PER_KM     fibre attenuation (default 0.2)\n"
	       "  --eta-d ETA          detector efficiency in (0, 1] (default 0.6)\n"
	       "  --dark P             dark-count probability per detector per pulse (default 1e-10)\n"
	       "  --misalignment E     interference error of phase-matched windows (default 0.03)\n"
	       "  --f F                error-correction efficiency >= 1 (default 1.1)\n"
	       "  --pulses N|inf       pulses per block for the finite-key rate, or inf (default)\n"
	       "  --eps-cor E          correctness parameter (default 1e-10)\n"
	       "  --eps-pa E           privacy-amplification parameter (default 1e-10)\n"
	       "  --eps-smooth E       smoothing parameter (default 1e-10)\n"
	       "  --eps-pe E           each fluctuation bound fails with probability E/2 (default 1e-10)\n"
	       "  --fix NAME=VALUE,... pin parameters (repeatable); see below\n"
	       "  --json               print a JSON array instead of the table\n"
	       "  --plot FILE          also draw key rate and PLOB versus distance (.png or .svg)\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "parameters (for --fix):\n");
	for (unsigned int i = 0; i < tfqkd_protocol_count(); i++) {
		const struct tfqkd_protocol *p = tfqkd_protocol_at(i);

		if (i == 1)	/* sns-aopp shares the table of sns */
			continue;
		printf("  %s%s:\n", p->name, i == 0 ? ", sns-aopp" : "");
		for (unsigned int k = 0; k < p->nparam; k++) {
			const struct tfqkd_param_desc *d = &p->param[k];
			char range[48];

			snprintf(range, sizeof(range), "%c%g, %g%c", d->min_open ? '(' : '[', d->min,
				 d->max, d->max_open ? ')' : ']');
			printf("    %-8s %-10s %s", d->name, range, d->help);
			if (d->flags & TFQKD_PARAM_SETTING)
				printf(" (a setting: %g unless pinned)", d->dflt);
			printf("\n");
		}
	}
}

/* parse a whole string as a finite number */
static int parse_num(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int add_distance(struct plan_opts *o, double d, const char *item)
{
	if (!(d >= 0.0 && d <= MAX_DISTANCE_KM))
		return usage_error("--distance: '%s': distances must be in [0, %g] km", item,
				   MAX_DISTANCE_KM);
	if (o->ndist >= MAX_POINTS)
		return usage_error("--distance: more than %d points", MAX_POINTS);
	o->dist[o->ndist++] = d;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int parse_distances(struct plan_opts *o, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *item;
	int rc = 0;

	if (!copy)
		return usage_error("out of memory");
	o->ndist = 0;
	if (!*arg)
		rc = usage_error("--distance: empty list");
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		char *c1 = strchr(item, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		double a, b, step;

		if (!c1) {
			if (parse_num(item, &a))
				rc = usage_error("--distance: '%s' is not a number", item);
			else
				rc = add_distance(o, a, item);
			continue;
		}
		if (!c2 || strchr(c2 + 1, ':')) {
			rc = usage_error("--distance: bad range '%s': use START:STOP:STEP", item);
			continue;
		}
		*c1 = *c2 = 0;
		if (parse_num(item, &a) || parse_num(c1 + 1, &b) || parse_num(c2 + 1, &step)) {
			*c1 = *c2 = ':';
			rc = usage_error("--distance: bad range '%s': START, STOP and STEP must be numbers",
					 item);
			continue;
		}
		*c1 = *c2 = ':';
		if (!(step > 0.0))
			rc = usage_error("--distance: bad range '%s': STEP must be positive", item);
		else if (b < a)
			rc = usage_error("--distance: bad range '%s': STOP is below START", item);
		else if ((b - a) / step >= MAX_POINTS)
			rc = usage_error("--distance: range '%s' has more than %d points", item,
					 MAX_POINTS);
		else
			for (long k = 0; !rc && a + k * step <= b + 1e-9 * step; k++)
				rc = add_distance(o, a + k * step, item);
	}
	free(copy);
	if (!rc)	/* increasing distances: warm starts follow the curve, plots draw lines */
		qsort(o->dist, o->ndist, sizeof(double), cmp_double);
	return rc;
}

/* option value in [lo, hi] (open ends if *_open) */
static int parse_range(const char *opt, const char *arg, double lo, int lo_open, double hi,
		       int hi_open, double *out)
{
	double v;

	if (parse_num(arg, &v))
		return usage_error("%s: '%s' is not a number", opt, arg);
	if (v < lo || v > hi || (lo_open && v == lo) || (hi_open && v == hi))
		return usage_error("%s: %g is out of range: must be in %c%g, %g%c", opt, v,
				   lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
	*out = v;
	return 0;
}

static int apply_fix(struct plan_opts *o, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *item;
	const struct tfqkd_protocol *p = o->proto;
	int rc = 0;

	if (!copy)
		return usage_error("out of memory");
	if (!*arg)
		rc = usage_error("--fix: empty list");
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), msg[160];
		double v;
		int i;

		if (!eq) {
			rc = usage_error("--fix: '%s' is not NAME=VALUE", item);
			break;
		}
		*eq = 0;
		i = tfqkd_param_index(p, item);
		if (i < 0) {
			char names[256] = "";

			for (unsigned int k = 0; k < p->nparam; k++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 k ? ", " : "", p->param[k].name);
			rc = usage_error("--fix: protocol %s has no parameter '%s' (parameters: %s)",
					 p->name, item, names);
			break;
		}
		if (parse_num(eq + 1, &v)) {
			rc = usage_error("--fix: %s: '%s' is not a number", item, eq + 1);
			break;
		}
		if (tfqkd_param_check(p, (unsigned int)i, v, msg, sizeof(msg))) {
			rc = usage_error("--fix: %s", msg);
			break;
		}
		o->rq.pinned |= 1u << i;
		o->rq.value[i] = v;
	}
	free(copy);
	return rc;
}

enum {
	OPT_PROTOCOL = 256, OPT_DISTANCE, OPT_LOSS, OPT_ETA_D, OPT_DARK, OPT_MISALIGN, OPT_F,
	OPT_PULSES, OPT_EPS_COR, OPT_EPS_PA, OPT_EPS_SMOOTH, OPT_EPS_PE, OPT_FIX, OPT_JSON,
	OPT_PLOT,
};

static const struct option long_opts[] = {
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "distance", required_argument, NULL, OPT_DISTANCE },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "eta-d", required_argument, NULL, OPT_ETA_D },
	{ "dark", required_argument, NULL, OPT_DARK },
	{ "misalignment", required_argument, NULL, OPT_MISALIGN },
	{ "f", required_argument, NULL, OPT_F },
	{ "pulses", required_argument, NULL, OPT_PULSES },
	{ "eps-cor", required_argument, NULL, OPT_EPS_COR },
	{ "eps-pa", required_argument, NULL, OPT_EPS_PA },
	{ "eps-smooth", required_argument, NULL, OPT_EPS_SMOOTH },
	{ "eps-pe", required_argument, NULL, OPT_EPS_PE },
	{ "fix", required_argument, NULL, OPT_FIX },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_args(struct plan_opts *o, int argc, char **argv)
{
	struct tfqkd_link *l = &o->rq.link;
	struct tfqkd_security *sec = &o->rq.sec;
	const char *proto = "sns-aopp";
	int c, rc = 0;

	*l = (struct tfqkd_link){ .loss_db_km = 0.2, .eta_d = 0.6, .p_dark = 1e-10, .e_d = 0.03,
				  .ec_f = 1.1 };
	*sec = (struct tfqkd_security){ 1e-10, 1e-10, 1e-10, 1e-10 };
	if ((rc = parse_distances(o, "0:600:50")))
		return rc;

	opterr = 0;
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROTOCOL:
			proto = optarg;
			break;
		case OPT_DISTANCE:
			rc = parse_distances(o, optarg);
			break;
		case OPT_LOSS:
			rc = parse_range("--loss", optarg, 0, 0, 100, 0, &l->loss_db_km);
			break;
		case OPT_ETA_D:
			rc = parse_range("--eta-d", optarg, 0, 1, 1, 0, &l->eta_d);
			break;
		case OPT_DARK:
			rc = parse_range("--dark", optarg, 0, 0, 1, 1, &l->p_dark);
			break;
		case OPT_MISALIGN:
			rc = parse_range("--misalignment", optarg, 0, 0, 0.5, 1, &l->e_d);
			break;
		case OPT_F:
			rc = parse_range("--f", optarg, 1, 0, 10, 0, &l->ec_f);
			break;
		case OPT_PULSES:
			if (!strcasecmp(optarg, "inf") || !strcasecmp(optarg, "infinity")) {
				o->rq.finite = 0;
			} else {
				rc = parse_range("--pulses", optarg, 1, 0, 1e30, 0, &o->rq.n_pulses);
				o->rq.finite = 1;
			}
			break;
		case OPT_EPS_COR:
			rc = parse_range("--eps-cor", optarg, 0, 1, 1, 1, &sec->eps_cor);
			break;
		case OPT_EPS_PA:
			rc = parse_range("--eps-pa", optarg, 0, 1, 1, 1, &sec->eps_pa);
			break;
		case OPT_EPS_SMOOTH:
			rc = parse_range("--eps-smooth", optarg, 0, 1, 1, 1, &sec->eps_smooth);
			break;
		case OPT_EPS_PE:
			rc = parse_range("--eps-pe", optarg, 0, 1, 1, 1, &sec->eps_pe);
			break;
		case OPT_FIX:
			if (o->nfix >= sizeof(o->fix) / sizeof(o->fix[0]))
				rc = usage_error("--fix: too many options");
			else
				o->fix[o->nfix++] = optarg;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_PLOT:
			if (!plot_format_ok(optarg))
				rc = usage_error("--plot: file name '%s' must end in .png or .svg", optarg);
			o->plot = optarg;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			rc = usage_error("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			rc = usage_error("unknown option '%s' (try --help)", argv[optind - 1]);
			break;
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return usage_error("unexpected argument '%s' (try --help)", argv[optind]);
	o->proto = tfqkd_protocol_find(proto);
	if (!o->proto) {
		char names[128] = "";

		for (unsigned int i = 0; i < tfqkd_protocol_count(); i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", tfqkd_protocol_at(i)->name);
		return usage_error("--protocol: unknown protocol '%s' (known: %s)", proto, names);
	}
	o->rq.proto = o->proto;
	for (unsigned int i = 0; i < o->nfix && !rc; i++)
		rc = apply_fix(o, o->fix[i]);
	if (!rc) {
		char msg[192];

		if (tfqkd_plan_check(&o->rq, msg, sizeof(msg)))
			rc = usage_error("%s", msg);
	}
	return rc;
}

static void json_num(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		printf("null");
}

static void print_json(const struct plan_opts *o, const struct tfqkd_plan_point *pt)
{
	const struct tfqkd_protocol *p = o->proto;

	printf("[\n");
	for (size_t i = 0; i < o->ndist; i++) {
		printf("  {\"distance_km\": ");
		json_num(pt[i].distance_km);
		printf(", \"key_rate\": ");
		json_num(pt[i].key_rate);
		printf(", \"plob\": ");
		json_num(pt[i].plob);
		printf(", \"protocol\": \"%s\", \"pulses\": ", p->name);
		if (o->rq.finite)
			json_num(o->rq.n_pulses);
		else
			printf("null");
		printf(",\n   \"params\": {");
		for (unsigned int k = 0; k < p->nparam; k++) {
			printf("%s\"%s\": ", k ? ", " : "", p->param[k].name);
			if (pt[i].used & (1u << k))
				json_num(pt[i].param[k]);
			else
				printf("null");
		}
		printf("},\n   \"bounds\": {\"status\": \"%s\", \"yield1_lower\": ",
		       tfqkd_status_name(pt[i].detail.status));
		json_num(pt[i].detail.yield1_lower);
		printf(", \"e1ph_upper\": ");
		json_num(pt[i].detail.e1ph_upper);
		printf(", \"e_bit\": ");
		json_num(pt[i].detail.e_bit);
		printf("}}%s\n", i + 1 < o->ndist ? "," : "");
	}
	printf("]\n");
}

static void print_table(const struct plan_opts *o, const struct tfqkd_plan_point *pt)
{
	const struct tfqkd_protocol *p = o->proto;
	const struct tfqkd_link *l = &o->rq.link;

	printf("# tfqkd plan: %s (%s)\n", p->name, p->title);
	if (o->rq.finite)
		printf("# finite key: N = %g pulses, eps_cor %g, eps_pa %g, eps_smooth %g, eps_pe %g\n",
		       o->rq.n_pulses, o->rq.sec.eps_cor, o->rq.sec.eps_pa, o->rq.sec.eps_smooth,
		       o->rq.sec.eps_pe);
	else
		printf("# asymptotic key rate (N -> infinity)\n");
	printf("# link: loss %g dB/km, eta_d %g, p_dark %g, misalignment %g, f %g\n", l->loss_db_km,
	       l->eta_d, l->p_dark, l->e_d, l->ec_f);
	printf("%11s %10s %10s %9s", "distance_km", "key_rate", "plob", "rate/plob");
	for (unsigned int k = 0; k < p->nparam; k++)
		printf(" %8s", p->param[k].name);
	printf(" %8s %8s\n", "e_ph", "e_bit");
	for (size_t i = 0; i < o->ndist; i++) {
		double ratio = pt[i].key_rate / pt[i].plob;

		printf("%11.1f %10.3e %10.3e %9.3g", pt[i].distance_km, pt[i].key_rate, pt[i].plob,
		       isfinite(ratio) ? ratio : 0.0);
		for (unsigned int k = 0; k < p->nparam; k++) {
			/* no key: the optimiser's last attempt means nothing, show pins only */
			int show = (pt[i].used & (1u << k)) &&
				   (pt[i].key_rate > 0.0 || (o->rq.pinned & (1u << k)));

			if (show)
				printf(" %8.4g", pt[i].param[k]);
			else
				printf(" %8s", "-");
		}
		if (pt[i].key_rate > 0.0)
			printf(" %8.4g %8.4g\n", pt[i].detail.e1ph_upper, pt[i].detail.e_bit);
		else
			printf(" %8s %8s\n", "-", "-");
	}
}

static int write_plot(const struct plan_opts *o, const struct tfqkd_plan_point *pt)
{
	double *x = calloc(o->ndist, sizeof(double)), *r = calloc(o->ndist, sizeof(double));
	double *b = calloc(o->ndist, sizeof(double));
	char title[160], label[96], err[256];
	int rc = 0;

	if (!x || !r || !b) {
		fprintf(stderr, "tfqkd plan: out of memory\n");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < o->ndist; i++) {
		x[i] = pt[i].distance_km;
		r[i] = pt[i].key_rate;
		b[i] = pt[i].plob;
	}
	if (o->rq.finite)
		snprintf(title, sizeof(title), "%s, N = %g, %g dB/km", o->proto->name,
			 o->rq.n_pulses, o->rq.link.loss_db_km);
	else
		snprintf(title, sizeof(title), "%s, asymptotic, %g dB/km", o->proto->name,
			 o->rq.link.loss_db_km);
	snprintf(label, sizeof(label), "key rate (%s)", o->proto->name);
	{
		struct plot_series s[2] = {
			{ label, x, r, o->ndist, { 0.80, 0.15, 0.10 }, 0 },
			{ "PLOB bound -log2(1-eta)", x, b, o->ndist, { 0.1, 0.1, 0.1 }, 1 },
		};

		if (plot_write(o->plot, title, "distance (km)", "bits per pulse", s, 2, err,
			       sizeof(err))) {
			fprintf(stderr, "tfqkd plan: %s\n", err);
			rc = 1;
		}
	}
out:
	free(x);
	free(r);
	free(b);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_opts o;
	struct tfqkd_plan_point *pt = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.dist = calloc(MAX_POINTS, sizeof(double));
	if (!o.dist) {
		fprintf(stderr, "tfqkd plan: out of memory\n");
		return 1;
	}
	rc = parse_args(&o, argc, argv);
	if (rc) {
		free(o.dist);
		return rc < 0 ? 0 : rc;
	}
	pt = calloc(o.ndist, sizeof(*pt));
	if (!pt) {
		fprintf(stderr, "tfqkd plan: out of memory\n");
		free(o.dist);
		return 1;
	}
	if (tfqkd_plan_sweep(&o.rq, o.dist, o.ndist, pt)) {
		fprintf(stderr, "tfqkd plan: invalid request\n");
		rc = 1;
	} else {
		if (o.json)
			print_json(&o, pt);
		else
			print_table(&o, pt);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "tfqkd plan: cannot write the output\n");
			rc = 1;
		}
		if (!rc && o.plot)
			rc = write_plot(&o, pt);
	}
	free(pt);
	free(o.dist);
	return rc;
}
