// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl stream stop DEV c2h|pat
 */
#include <string.h>

#include "qkdctl.h"

static int stream_stop(struct qkdctl *c, int argc, char **argv)
{
	unsigned int index, stream;
	int err;

	if (argc != 3)
		return usage_err(c, argc < 3 ? "usage: stream stop DEV c2h|pat" :
				 "unexpected argument '%s'", argv[argc < 3 ? 0 : 3]);
	if (!strcmp(argv[2], "c2h"))
		stream = QKDCHIP_STREAM_C2H;
	else if (!strcmp(argv[2], "pat"))
		stream = QKDCHIP_STREAM_PAT;
	else
		return usage_err(c, "unknown stream '%s' (c2h or pat)", argv[2]);
	err = resolve_dev(c, argv[1], &index);
	if (err)
		return err;
	err = need_nl(c);
	if (err)
		return err;
	err = qkd_nl_stream_stop(c->nl, index, stream);
	if (err)
		return fail(c, err, "%s", qkd_nl_error(c->nl));
	return QKDCTL_OK;
}

static const struct cmd stream_cmds[] = {
	{ "stop", stream_stop, "DEV c2h|pat",
	  "Stop a card's card-to-host (c2h) or pattern (pat) stream, whichever program\n"
	  "runs it (an operator override). Needs CAP_NET_ADMIN.\n" },
};

int do_stream(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "stream", stream_cmds, sizeof(stream_cmds) / sizeof(stream_cmds[0]),
			NULL, argc, argv);
}
