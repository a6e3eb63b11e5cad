// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl tags DEV [--count N] [--seconds S] [--format csv|binary] [--test-pattern RATE]
 *                 [--seed N] [--verify] [--ring-size BYTES] [--read] [--no-header]
 *
 * Streams records of the card's C2H ring to stdout: raw little-endian records
 * (binary), one decoded record per line with full slots (csv), or JSON lines (-j).
 * The zero-copy ring iterator is used unless --read asks for the read() path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <endian.h>
#include <unistd.h>

#include "qkdctl.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct tags {
	struct qkdctl *c;
	enum rec_format fmt;
	struct json j;
	struct qkd_unwrap u;
	uint64_t count;		/* records written */
	uint64_t max;		/* 0: no limit */
	/* --verify of the test pattern */
	bool verify;
	uint32_t seed;
	uint64_t next_n;	/* the test record expected next */
	uint64_t lost, wrong, loss_count;
	uint64_t first_wrong;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void verify_record(struct tags *t, const struct qkd_record *r)
{
	if (r->type == QKDCHIP_REC_TAG) {
		if (r->raw != qkd_test_record(t->seed, t->next_n)) {
			if (!t->wrong)
				t->first_wrong = t->next_n;
			t->wrong++;
		}
		t->next_n++;
	} else if (r->type == QKDCHIP_REC_LOST) {
		if (r->loss.kind == QKDCHIP_LOSS_COUNT_KIND) {
			t->lost += r->loss.count;
			t->loss_count = r->loss.count;
		} else if (r->loss.kind == QKDCHIP_LOSS_FIRST_KIND) {
			if (r->slot != t->next_n) {	/* the gap must start where we are */
				if (!t->wrong)
					t->first_wrong = t->next_n;
				t->wrong++;
			}
		} else if (r->loss.kind == QKDCHIP_LOSS_LAST_KIND) {
			if (r->slot + 1 - t->next_n != t->loss_count) {
				if (!t->wrong)
					t->first_wrong = t->next_n;
				t->wrong++;
			}
			t->next_n = r->slot + 1;
		}
	} else {
		if (!t->wrong)
			t->first_wrong = t->next_n;
		t->wrong++;	/* a test run holds only TAG and LOST records */
	}
}

/* Write one record; false once --count is reached. */
static bool emit(struct tags *t, uint64_t raw)
{
	struct qkd_record r;

	if (t->max && t->count >= t->max)
		return false;
	qkd_record_decode(raw, &r);
	qkd_unwrap(&t->u, &r);
	if (t->verify)
		verify_record(t, &r);
	switch (t->fmt) {
	case FMT_BINARY: {
		uint64_t le = htole64(raw);

		fwrite(&le, sizeof(le), 1, stdout);
		break;
	}
	case FMT_CSV:
		print_record_csv(stdout, &r);
		break;
	case FMT_JSON:
		print_record_json(&t->j, &r);
		break;
	}
	t->count++;
	return !t->max || t->count < t->max;
}

static void progress(struct tags *t, int64_t start, bool last)
{
	double secs = (double)(now_ms() - start) / 1000.0;

	fprintf(stderr, "\rqkdctl: %" PRIu64 " records in %.1f s (%.0f/s)%s   ", t->count, secs,
		secs > 0 ? (double)t->count / secs : 0.0, last ? "\n" : "");
}

static int tags_run(struct qkdctl *c, int argc, char **argv)
{
	struct tags t = { .c = c, .fmt = FMT_CSV };
	struct qkd_stream_params sp = { .source = QKDCHIP_SOURCE_CARD };
	struct qkd_ring_config rc;
	struct qkd_ring *ring;
	struct qkd_dev *dev;
	struct qkd_state st;
	struct sigaction sa;
	char msg[QKD_ERRMSG_LEN];
	int64_t v, seconds_ms = 0, ring_size = 0, start = now_ms(), deadline, last_progress;
	bool use_read = false, header = true, test = false, tty = isatty(2), done = false;
	uint64_t start_slot = 0, *buf = NULL;
	int i, err, ret = QKDCTL_OK;
	const char *a;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--count")) {
			if (kw_number(c, &i, argc, argv, "--count", U_NONE, 1, INT64_MAX, &v))
				return QKDCTL_USAGE;
			t.max = (uint64_t)v;
		} else if (!strcmp(a, "--seconds")) {
			if (kw_number(c, &i, argc, argv, "--seconds", U_SECONDS, 1,
				      86400000LL * 365, &v))
				return QKDCTL_USAGE;
			seconds_ms = v;
		} else if (!strcmp(a, "--format")) {
			if (!(a = kw_value(c, &i, argc, argv)))
				return QKDCTL_USAGE;
			if (!strcmp(a, "csv"))
				t.fmt = FMT_CSV;
			else if (!strcmp(a, "binary"))
				t.fmt = FMT_BINARY;
			else
				return usage_err(c, "unknown format '%s' (csv or binary; -j for JSON)", a);
		} else if (!strcmp(a, "--test-pattern")) {
			if (kw_number(c, &i, argc, argv, "--test-pattern rate", U_NONE, 0,
				      UINT32_MAX, &v))
				return QKDCTL_USAGE;
			test = true;
			sp.source = QKDCHIP_SOURCE_TEST;
			sp.test_rate = (uint32_t)v;
		} else if (!strcmp(a, "--seed")) {
			if (kw_number(c, &i, argc, argv, "--seed", U_NONE, 0, UINT32_MAX, &v))
				return QKDCTL_USAGE;
			sp.test_seed = (uint32_t)v;
		} else if (!strcmp(a, "--ring-size")) {
			if (kw_number(c, &i, argc, argv, "--ring-size", U_BYTES, 1, 1LL << 40,
				      &ring_size))
				return QKDCTL_USAGE;
		} else if (!strcmp(a, "--verify")) {
			t.verify = true;
		} else if (!strcmp(a, "--read")) {
			use_read = true;
		} else if (!strcmp(a, "--no-header")) {
			header = false;
		} else {
			return usage_err(c, "unknown option '%s' (try 'qkdctl tags --help')", a);
		}
	}
	if (c->json) {
		if (t.fmt == FMT_BINARY)
			return usage_err(c, "-j and --format binary exclude each other");
		t.fmt = FMT_JSON;
	}
	if (sp.test_seed && !test)
		return usage_err(c, "--seed needs --test-pattern");
	if (t.verify && !test)
		return usage_err(c, "--verify needs --test-pattern");
	if (t.fmt == FMT_BINARY && isatty(1))
		return usage_err(c, "not writing binary records to a terminal (redirect stdout, or --format csv)");
	t.seed = sp.test_seed;

	err = qkd_dev_open(argv[1], use_read ? O_NONBLOCK : 0, &dev, msg, sizeof(msg));
	if (err)
		return err == -EINVAL ? usage_err(c, "%s", msg) : fail(c, err, "%s", msg);
	if (qkd_ring_geometry(qkd_dev_info(dev), (uint64_t)ring_size, &rc)) {
		qkd_dev_close(dev);
		return usage_err(c, "--ring-size %lld: the card allows no such ring", (long long)ring_size);
	}
	err = qkd_ring_open(dev, QKDCHIP_STREAM_C2H, &rc, &ring);
	if (err) {
		ret = fail(c, err, "%s", qkd_dev_error(dev));
		qkd_dev_close(dev);
		return ret;
	}
	verbose(c, "qkdchip%u: ring of %u x %u bytes", qkd_dev_index(dev), rc.buf_count,
		rc.buf_size);

	/* frame and window sizes for unwrapping seeds and windows; optional */
	memset(&st, 0, sizeof(st));
	if (!test && !qkd_nl_open(&c->nl, msg, sizeof(msg))) {
		if (qkd_nl_get(c->nl, qkd_dev_index(dev), &st))
			verbose(c, "%s", qkd_nl_error(c->nl));
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = qkd_stream_start(dev, QKDCHIP_STREAM_C2H, &sp, &start_slot);
	if (err) {
		ret = fail(c, err, "%s", qkd_dev_error(dev));
		goto out;
	}
	verbose(c, "qkdchip%u: c2h stream started (%s source) at slot %" PRIu64, qkd_dev_index(dev),
		test ? "test" : "card", start_slot);
	qkd_unwrap_init(&t.u, test ? 0 : start_slot,
			(st.has & QKD_HAS_FRAME_LOG2) ? st.frame_log2 : 0,
			(st.has & QKD_HAS_TAGGER) ? st.tagger.ref_window_log2 : 0);
	if (t.fmt == FMT_JSON)
		json_init(&t.j, stdout, false);
	if (t.fmt == FMT_CSV && header)
		print_csv_header(stdout);
	if (use_read) {
		buf = malloc(4096 * sizeof(*buf));
		if (!buf) {
			ret = fail(c, -ENOMEM, "out of memory");
			goto out_stop;
		}
	}

	start = last_progress = now_ms();
	deadline = seconds_ms ? start + seconds_ms : 0;
	while (!done) {
		int64_t now = now_ms(), wait;
		uint64_t rec;
		int got = 0;

		if (stop_requested || (deadline && now >= deadline) || ferror(stdout))
			break;
		if (tty && now - last_progress >= 500) {
			progress(&t, start, false);
			last_progress = now;
		}
		if (use_read) {
			struct pollfd pfd = { .fd = qkd_dev_fd(dev), .events = POLLIN };
			ssize_t n = qkd_dev_read(dev, buf, 4096), k;

			if (n == -EAGAIN) {
				wait = deadline ? deadline - now : 250;
				poll(&pfd, 1, (int)(wait > 250 ? 250 : wait > 0 ? wait : 0));
				continue;
			}
			if (n == 0 || n == -EINTR)
				break;
			if (n < 0) {
				ret = fail(c, (int)n, "%s", qkd_dev_error(dev));
				break;
			}
			for (k = 0; k < n && !done; k++)
				done = !emit(&t, buf[k]);
			continue;
		}
		while (!done && got < 65536 && (err = qkd_ring_next(ring, &rec)) == 1) {
			done = !emit(&t, rec);
			got++;
		}
		if (err < 0) {
			ret = fail(c, err, "%s", qkd_dev_error(dev));
			break;
		}
		if (done || got)
			continue;
		wait = deadline ? deadline - now : 250;
		if (wait > 250)
			wait = 250;
		err = qkd_ring_wait(ring, (int)(wait > 0 ? wait : 0));
		if (err == -EINTR || err == 0)
			continue;
		if (err == -ENODATA)
			break;		/* the stream was stopped (e.g. by 'qkdctl stream stop') */
		if (err < 0) {
			ret = fail(c, err, "%s", qkd_dev_error(dev));
			break;
		}
	}

out_stop:
	err = qkd_stream_stop(dev, QKDCHIP_STREAM_C2H);
	if (err && !ret)
		ret = fail(c, err, "%s", qkd_dev_error(dev));
	/* what the card wrote up to the stop, unless --count is reached */
	if (!ret && !done && !use_read) {
		uint64_t rec;

		while (!done && qkd_ring_next(ring, &rec) == 1)
			done = !emit(&t, rec);
	}
	if (!ret && !done && use_read && buf) {
		ssize_t n, k;

		while (!done && (n = qkd_dev_read(dev, buf, 4096)) > 0)
			for (k = 0; k < n && !done; k++)
				done = !emit(&t, buf[k]);
	}
	if (tty || c->verbose)
		progress(&t, start, true);
	if (t.verify) {
		fprintf(stderr, "qkdctl: verified %" PRIu64 " test records: %" PRIu64 " lost, %" PRIu64 " wrong\n",
			t.next_n - t.lost, t.lost, t.wrong);
		if (t.wrong && !ret)
			ret = fail(c, -EIO, "the first wrong record is test record %" PRIu64,
				   t.first_wrong);
	}
	if (fflush(stdout) && !ret)
		ret = fail(c, -EIO, "writing the records: %s", strerror(errno));
out:
	free(buf);
	qkd_dev_close(dev);
	return ret;
}

static const struct cmd tags_cmds[] = {
	{ "", tags_run, "DEV [--count N] [--seconds S] [--format csv|binary] [--test-pattern RATE]\n"
	  "                    [--seed N] [--verify] [--ring-size BYTES] [--read] [--no-header]",
	  "Start the card's C2H stream and write its records to stdout until --count\n"
	  "records, --seconds, Ctrl-C, or until the stream is stopped:\n"
	  "  csv     one decoded record per line, full unwrapped slots (the default)\n"
	  "  binary  the raw 64-bit little-endian records ('qkdctl decode' reads them)\n"
	  "  -j      JSON lines, one object per record\n"
	  "--test-pattern RATE streams the card's deterministic test pattern at RATE\n"
	  "records/s (0: as fast as possible) with --seed N; --verify checks every record\n"
	  "against it. --read uses the read() copy path instead of the mapped ring.\n"
	  "A progress line goes to stderr when it is a terminal.\n" },
};

int do_tags(struct qkdctl *c, int argc, char **argv)
{
	snprintf(c->cmd, sizeof(c->cmd), "tags");
	if (argc > 1 && is_help(argv[1])) {
		print_cmd_usage(stdout, "tags", &tags_cmds[0]);
		return QKDCTL_OK;
	}
	if (want_help(c, "tags", &tags_cmds[0], argc, argv))
		return QKDCTL_OK;
	return tags_run(c, argc, argv);
}
