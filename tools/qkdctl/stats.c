// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl stats DEV [--netlink]
 */
#include <errno.h>
#include <string.h>

#include "qkdctl.h"

static int stats_run(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_stats st;
	bool use_nl = false;
	unsigned int index;
	char name[16], msg[QKD_ERRMSG_LEN];
	int i, err;

	if (argc < 2)
		return usage_err(c, "missing DEV");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--netlink"))
			use_nl = true;
		else
			return usage_err(c, "unknown argument '%s' (--netlink)", argv[i]);
	}
	err = resolve_dev(c, argv[1], &index);
	if (err)
		return err;
	snprintf(name, sizeof(name), "qkdchip%u", index);
	if (use_nl) {
		struct qkd_state s;

		err = need_nl(c);
		if (err)
			return err;
		err = qkd_nl_get(c->nl, index, &s);
		if (err)
			return fail(c, err, "%s", qkd_nl_error(c->nl));
		if (!(s.has & QKD_HAS_STATS))
			return fail(c, -EPROTO, "%s: the kernel sent no counters", name);
		st = s.stats;
	} else {
		struct qkd_dev *dev;

		err = qkd_dev_open(argv[1], 0, &dev, msg, sizeof(msg));
		if (err)
			return fail(c, err, "%s", msg);
		err = qkd_dev_stats(dev, &st);
		if (err) {
			int ret = fail(c, err, "%s", qkd_dev_error(dev));

			qkd_dev_close(dev);
			return ret;
		}
		qkd_dev_close(dev);
	}
	if (c->json) {
		struct json j;

		json_init(&j, stdout, c->pretty);
		json_obj_open(&j, NULL);
		json_u64(&j, "index", index);
		json_str(&j, "name", name);
		print_stats_json(&j, &st);
		json_obj_close(&j);
		json_end(&j);
	} else {
		print_stats_text(stdout, name, &st);
	}
	return QKDCTL_OK;
}

static const struct cmd stats_cmd = {
	"", stats_run, "DEV [--netlink]",
	"Print a card's counters: records written, dropped and read, loss intervals,\n"
	"pattern bytes and underruns, table loads, events, interrupts per vector. They are\n"
	"read with the character device's statistics ioctl, or with --netlink through the\n"
	"netlink family (which needs no access to /dev/qkdchipN).\n",
};

int do_stats(struct qkdctl *c, int argc, char **argv)
{
	snprintf(c->cmd, sizeof(c->cmd), "stats");
	if (want_help(c, "stats", &stats_cmd, argc, argv))
		return QKDCTL_OK;
	return stats_run(c, argc, argv);
}
