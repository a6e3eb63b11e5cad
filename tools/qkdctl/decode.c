// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl decode [FILE|-] [--base SLOT] [--frame-log2 N] [--ref-window LOG2] [--no-header]
 *
 * Decodes a capture of raw records ('qkdctl tags --format binary') as CSV or, with -j,
 * JSON lines, unwrapping slots as 'tags' does.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qkdctl.h"

static int decode_run(struct qkdctl *c, int argc, char **argv)
{
	const char *path = NULL, *a;
	struct qkd_unwrap u;
	struct json j;
	uint64_t buf[4096], records = 0;
	int64_t base = 0, frame_log2 = 0, window_log2 = 0;
	bool header = true;
	size_t n, leftover = 0;
	FILE *f;
	int i, ret = QKDCTL_OK;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--base")) {
			if (kw_number(c, &i, argc, argv, "--base", U_NONE, 0, (1LL << 56) - 1,
				      &base))
				return QKDCTL_USAGE;
		} else if (!strcmp(a, "--frame-log2")) {
			if (kw_number(c, &i, argc, argv, "--frame-log2", U_NONE, QKD_FRAME_MIN_LOG2,
				      QKD_FRAME_MAX_LOG2, &frame_log2))
				return QKDCTL_USAGE;
		} else if (!strcmp(a, "--ref-window")) {
			if (kw_number(c, &i, argc, argv, "--ref-window", U_NONE,
				      QKD_REF_WINDOW_MIN_LOG2, QKD_REF_WINDOW_MAX_LOG2,
				      &window_log2))
				return QKDCTL_USAGE;
		} else if (!strcmp(a, "--no-header")) {
			header = false;
		} else if (a[0] == '-' && a[1]) {
			return usage_err(c, "unknown option '%s' (try 'qkdctl decode --help')", a);
		} else if (!path) {
			path = a;
		} else {
			return usage_err(c, "unexpected argument '%s'", a);
		}
	}
	if (!path || !strcmp(path, "-")) {
		path = "stdin";
		f = stdin;
	} else {
		f = fopen(path, "rb");
		if (!f)
			return usage_err(c, "%s: %s", path, strerror(errno));
	}
	qkd_unwrap_init(&u, (uint64_t)base, (unsigned int)frame_log2, (unsigned int)window_log2);
	json_init(&j, stdout, false);
	if (!c->json && header)
		print_csv_header(stdout);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		size_t k;

		for (k = 0; k < n / 8; k++) {
			struct qkd_record r;

			qkd_record_decode(le64toh(buf[k]), &r);
			qkd_unwrap(&u, &r);
			if (c->json)
				print_record_json(&j, &r);
			else
				print_record_csv(stdout, &r);
			records++;
		}
		leftover = n % 8;
		if (leftover)
			break;	/* only at the end of the input */
	}
	if (ferror(f))
		ret = fail(c, -EIO, "%s: read error", path);
	else if (leftover)
		ret = usage_err(c, "%s: %zu bytes after record %llu are not a whole record", path,
				leftover, (unsigned long long)records);
	if (f != stdin)
		fclose(f);
	return ret;
}

static const struct cmd decode_cmd = {
	"", decode_run, "[FILE|-] [--base SLOT] [--frame-log2 N] [--ref-window LOG2] [--no-header]",
	"Decode raw records (64-bit little-endian, as 'qkdctl tags --format binary' writes\n"
	"them) from FILE or stdin, as CSV or (-j) JSON lines. Slots are unwrapped from\n"
	"--base (the stream's start slot; 0 for the test pattern); seed frames and\n"
	"reference windows too when --frame-log2 and --ref-window are given.\n",
};

int do_decode(struct qkdctl *c, int argc, char **argv)
{
	snprintf(c->cmd, sizeof(c->cmd), "decode");
	if (want_help(c, "decode", &decode_cmd, argc, argv))
		return QKDCTL_OK;
	return decode_run(c, argc, argv);
}
