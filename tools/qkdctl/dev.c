// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl dev list | show [DEV] | set DEV [frame-log2 N] [heartbeat US] [temp-crit MC]
 */
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "qkdctl.h"

/* Every card, joined from PCI, sysfs and (if @with_nl) netlink; 0 or an exit status. */
static int get_cards(struct qkdctl *c, bool with_nl, struct qkd_card **cards, size_t *n)
{
	char msg[QKD_ERRMSG_LEN];
	int err;

	if (with_nl) {
		err = need_nl(c);
		if (err)
			return err;
	}
	err = qkd_cards_list(with_nl ? c->nl : NULL, cards, n, msg, sizeof(msg));
	if (err)
		return fail(c, err, "%s", msg);
	return 0;
}

static int dev_list(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_card *cards;
	struct json j;
	size_t n, i;
	int err;

	if (argc > 1)
		return usage_err(c, "unexpected argument '%s'", argv[1]);
	/* without the driver (no netlink family), list what the PCI bus has */
	if (!c->nl) {
		char msg[QKD_ERRMSG_LEN];

		err = qkd_nl_open(&c->nl, msg, sizeof(msg));
		if (err == -ENOENT)
			verbose(c, "%s", msg);
		else if (err)
			return fail(c, err, "%s", msg);
	}
	err = get_cards(c, c->nl != NULL, &cards, &n);
	if (err)
		return err;
	if (c->json) {
		json_init(&j, stdout, c->pretty);
		json_arr_open(&j, NULL);
		for (i = 0; i < n; i++) {
			cards[i].state.has &= QKD_HAS_IDENTITY;	/* identity only */
			cards[i].state.n_modulators = cards[i].state.n_detectors = 0;
			cards[i].state.n_temps = cards[i].state.n_streams = 0;
			print_state_json(&j, &cards[i]);
		}
		json_arr_close(&j);
		json_end(&j);
	} else {
		for (i = 0; i < n; i++) {
			const struct qkd_card *k = &cards[i];

			printf("%-10s %-13s %-7s", k->name[0] ? k->name : "-", k->pci,
			       k->have_state ? qkd_role_name(k->state.role) :
			       k->index < 0 ? "no-driver" : "-");
			if (k->have_state)
				printf(" serial %016llx", (unsigned long long)k->state.serial);
			if (k->link_speed)
				printf(" link %u.%u GT/s x%u", k->link_speed / 10, k->link_speed % 10,
				       k->link_width);
			printf("\n");
		}
	}
	free(cards);
	return QKDCTL_OK;
}

static int dev_show(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_card *cards;
	unsigned int index = 0;
	bool one = argc > 1;
	struct json j;
	size_t n, i, shown = 0;
	int err;

	if (argc > 2)
		return usage_err(c, "unexpected argument '%s'", argv[2]);
	if (one) {
		err = resolve_dev(c, argv[1], &index);
		if (err)
			return err;
	}
	err = get_cards(c, true, &cards, &n);
	if (err)
		return err;
	if (c->json) {
		json_init(&j, stdout, c->pretty);
		json_arr_open(&j, NULL);
	}
	for (i = 0; i < n; i++) {
		if (!cards[i].have_state || (one && cards[i].state.index != index))
			continue;
		if (c->json)
			print_state_json(&j, &cards[i]);
		else
			print_state_text(stdout, &cards[i]);
		shown++;
	}
	if (c->json) {
		json_arr_close(&j);
		json_end(&j);
	}
	free(cards);
	if (one && !shown)
		return fail(c, -ENODEV, "qkdchip%u: no such card", index);
	return QKDCTL_OK;
}

static const struct kw_set dev_keywords = {
	.known = "frame-log2, heartbeat or temp-crit",
	.nothing = "frame-log2, heartbeat or temp-crit",
	.n = 3,
	.f = {
		{ "frame-log2", KW_NUMBER, "frame-log2", U_NONE, QKD_FRAME_MIN_LOG2,
		  QKD_FRAME_MAX_LOG2, QKD_SET_FRAME_LOG2, offsetof(struct qkd_config, frame_log2) },
		{ "heartbeat", KW_NUMBER, "heartbeat", U_US, 0, QKD_HEARTBEAT_MAX_US,
		  QKD_SET_HEARTBEAT, offsetof(struct qkd_config, heartbeat_us) },
		{ "temp-crit", KW_NUMBER, "temp-crit", U_TEMP, QKD_TEMP_CRIT_MIN_MC,
		  QKD_TEMP_CRIT_MAX_MC, QKD_SET_TEMP_CRIT,
		  offsetof(struct qkd_config, temp_crit_mc) },
	},
};

static int dev_set(struct qkdctl *c, int argc, char **argv)
{
	return config_set(c, &dev_keywords, argc, argv);
}

static const struct cmd dev_cmds[] = {
	{ "list", dev_list, "",
	  "List the cards: bound to the driver, or found on the PCI bus by their IDs.\n" },
	{ "show", dev_show, "[DEV]",
	  "Show every card's (or one card's) identity, PCI link, status, configuration,\n"
	  "temperatures, streams; with -j also the counters.\n" },
	{ "set", dev_set, "DEV [frame-log2 N] [heartbeat US] [temp-crit MC]",
	  "Set a card's frame size (log2 of slots, 10..30, within the card's range), the\n"
	  "period of TIME heartbeat records (0 disables .. 1000000 us; us, ms or s) and the\n"
	  "over-temperature threshold (30000..100000 mC; mC, or with a unit: 70C).\n" },
};

int do_dev(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "dev", dev_cmds, sizeof(dev_cmds) / sizeof(dev_cmds[0]), "show", argc,
			argv);
}
