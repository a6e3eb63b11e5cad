// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl monitor [DEV] [--count N] [--timeout S]
 *
 * Prints the events of the qkdchip family's multicast group, one line each (JSON lines
 * with -j), until Ctrl-C, --count events or --timeout.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "qkdctl.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_event(struct qkdctl *c, const struct qkd_event *e)
{
	if (c->json) {
		struct json j;
		char name[16];

		snprintf(name, sizeof(name), "qkdchip%u", e->dev_index);
		json_init(&j, stdout, false);
		json_obj_open(&j, NULL);
		json_u64(&j, "dev-index", e->dev_index);
		json_str(&j, "name", name);
		json_str(&j, "event", qkd_event_name(e->code));
		json_u64(&j, "code", e->code);
		json_u64(&j, "arg", e->arg);
		if (e->has_slot)
			json_u64(&j, "slot", e->slot);
		else
			json_null(&j, "slot");
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("qkdchip%u: %s arg %u", e->dev_index, qkd_event_name(e->code), e->arg);
		if (!strcmp(qkd_event_name(e->code), "unknown"))
			printf(" code %u", e->code);
		if (e->has_slot)
			printf(" slot %" PRIu64, e->slot);
		putchar('\n');
	}
	fflush(stdout);
}

static int monitor_run(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_events *ev;
	struct sigaction sa;
	char msg[QKD_ERRMSG_LEN];
	int64_t count = 0, timeout_ms = 0, deadline, seen = 0;
	unsigned int index = 0;
	bool one = false;
	const char *a;
	int i, err, ret = QKDCTL_OK;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--count")) {
			if (kw_number(c, &i, argc, argv, "--count", U_NONE, 1, INT64_MAX, &count))
				return QKDCTL_USAGE;
		} else if (!strcmp(a, "--timeout")) {
			if (kw_number(c, &i, argc, argv, "--timeout", U_SECONDS, 1,
				      86400000LL * 365, &timeout_ms))
				return QKDCTL_USAGE;
		} else if (a[0] == '-' && a[1]) {
			return usage_err(c, "unknown option '%s' (try 'qkdctl monitor --help')", a);
		} else if (!one) {
			/* DEV names a card that may come later: no lookup beyond the syntax */
			err = resolve_dev(c, a, &index);
			if (err)
				return err;
			one = true;
		} else {
			return usage_err(c, "unexpected argument '%s'", a);
		}
	}
	err = qkd_events_open(&ev, msg, sizeof(msg));
	if (err)
		return fail(c, err == -ENOENT ? -ENODEV : err, "%s", msg);
	if (one)
		verbose(c, "listening for events of qkdchip%u", index);
	else
		verbose(c, "listening for events of all cards");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait returns -EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	deadline = timeout_ms ? now_ms() + timeout_ms : 0;
	while (!stop_requested && (!count || seen < count)) {
		struct qkd_event e;
		int wait = -1;

		if (deadline) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				break;
			wait = (int)left;
		}
		err = qkd_events_next(ev, &e, wait);
		if (err == -EINTR || err == 0)
			continue;
		if (err == -ENOBUFS) {
			fprintf(stderr, "qkdctl: %s\n", qkd_events_error(ev));
			continue;
		}
		if (err < 0) {
			ret = fail(c, err, "%s", qkd_events_error(ev));
			break;
		}
		if (one && e.dev_index != index)
			continue;
		print_event(c, &e);
		seen++;
	}
	if (!ret && count && seen < count && !stop_requested)
		ret = fail(c, -ETIMEDOUT, "monitor: %lld of %lld events before the timeout",
			   (long long)seen, (long long)count);
	qkd_events_close(ev);
	return ret;
}

static const struct cmd monitor_cmd = {
	"", monitor_run, "[DEV] [--count N] [--timeout S]",
	"Print the cards' events (lock lost or acquired, overflows, underruns, DMA and\n"
	"table errors, temperature, clock, cards added and removed) as they happen, one\n"
	"line each or (-j) one JSON object per line. Stops on Ctrl-C, after --count\n"
	"events, or after --timeout seconds (a failure if --count events did not come).\n"
	"With -v it says on stderr when it listens.\n",
};

int do_monitor(struct qkdctl *c, int argc, char **argv)
{
	snprintf(c->cmd, sizeof(c->cmd), "monitor");
	if (want_help(c, "monitor", &monitor_cmd, argc, argv))
		return QKDCTL_OK;
	return monitor_run(c, argc, argv);
}
