// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdctl table check FILE [DEV] | show FILE | load DEV FILE [switch]
 *
 * FILE is a waveform table in its text form (Documentation/userspace-api/
 * qkdchip-table.rst), or '-' for stdin.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qkdctl.h"

/* Parse FILE ('-': stdin) into a new table; 0 or an exit status. */
static int read_table(struct qkdctl *c, const char *path, struct qkd_table **tp)
{
	struct qkd_table *t = qkd_table_new();
	int err;

	*tp = NULL;
	if (!t)
		return fail(c, -ENOMEM, "out of memory");
	if (!strcmp(path, "-")) {
		char *buf = NULL;
		size_t cap = 0, len = 0, n;

		do {
			if (len == cap) {
				char *nb = cap < (64u << 20) ? realloc(buf, cap ? cap * 2 : 65536) : NULL;

				if (!nb) {
					free(buf);
					qkd_table_free(t);
					return fail(c, -EFBIG, "stdin: the table is too large");
				}
				buf = nb;
				cap = cap ? cap * 2 : 65536;
			}
			n = fread(buf + len, 1, cap - len, stdin);
			len += n;
		} while (n);
		err = ferror(stdin) ? -EIO : qkd_table_parse(t, buf ? buf : "", len);
		free(buf);
		if (err == -EIO) {
			qkd_table_free(t);
			return fail(c, err, "stdin: read error");
		}
	} else {
		err = qkd_table_parse_file(t, path);
	}
	if (err) {
		unsigned int line;
		int ret;

		qkd_table_error_pos(t, &line, NULL);
		/* bad input (a malformed text, a missing file), or a failure (memory, I/O) */
		if (err == -ENOMEM || err == -EIO)
			ret = fail(c, err, "%s", qkd_table_error(t));
		else if (line)
			ret = usage_err(c, "%s: %s", path, qkd_table_error(t));
		else
			ret = usage_err(c, "%s", qkd_table_error(t));
		qkd_table_free(t);
		return ret;
	}
	*tp = t;
	return 0;
}

static uint32_t table_crc(const struct qkd_table *t)
{
	const struct qkdchip_table_hdr *h;
	uint32_t crc = 0;
	void *img;
	size_t size;

	if (!qkd_table_image(t, &img, &size)) {
		h = img;
		crc = le32toh(h->crc32);
		free(img);
	}
	return crc;
}

static int table_check(struct qkdctl *c, int argc, char **argv)
{
	unsigned int symbols, channels, samples;
	struct qkd_table *t;
	struct qkd_dev *dev = NULL;
	char msg[QKD_ERRMSG_LEN];
	int err;

	if (argc < 2)
		return usage_err(c, "missing FILE");
	if (argc > 3)
		return usage_err(c, "unexpected argument '%s'", argv[3]);
	err = read_table(c, argv[1], &t);
	if (err)
		return err;
	if (argc == 3) {
		err = qkd_dev_open(argv[2], 0, &dev, msg, sizeof(msg));
		if (err) {
			qkd_table_free(t);
			return err == -EINVAL ? usage_err(c, "%s", msg) : fail(c, err, "%s", msg);
		}
		err = qkd_table_check(t, qkd_dev_info(dev));
		if (err) {
			int ret = err == -EINVAL ? usage_err(c, "%s: %s", argv[1], qkd_table_error(t)) :
				  fail(c, err, "qkdchip%u: %s", qkd_dev_index(dev), qkd_table_error(t));

			qkd_dev_close(dev);
			qkd_table_free(t);
			return ret;
		}
	}
	qkd_table_geometry(t, &symbols, &channels, &samples);
	if (c->json) {
		struct json j;

		json_init(&j, stdout, c->pretty);
		json_obj_open(&j, NULL);
		json_str(&j, "file", argv[1]);
		json_u64(&j, "symbols", symbols);
		json_u64(&j, "channels", channels);
		json_u64(&j, "samples", samples);
		json_u64(&j, "crc32", table_crc(t));
		if (dev)
			json_str(&j, "checked-against", argv[2]);
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("%s: %u symbols, %u channels, %u samples per slot, CRC-32 0x%08x%s%s\n",
		       argv[1], symbols, channels, samples, table_crc(t),
		       dev ? ", fits " : "", dev ? argv[2] : "");
	}
	qkd_dev_close(dev);
	qkd_table_free(t);
	return QKDCTL_OK;
}

static int table_show(struct qkdctl *c, int argc, char **argv)
{
	unsigned int symbols, channels, samples, s, ch, i;
	struct qkd_table *t;
	int err;

	if (argc != 2)
		return usage_err(c, argc < 2 ? "missing FILE" : "unexpected argument '%s'",
				 argv[argc < 2 ? 0 : 2]);
	err = read_table(c, argv[1], &t);
	if (err)
		return err;
	if (!c->json) {
		err = qkd_table_print(t, stdout);
		qkd_table_free(t);
		return err ? fail(c, err, "writing the table failed") : QKDCTL_OK;
	}
	qkd_table_geometry(t, &symbols, &channels, &samples);
	{
		struct json j;

		json_init(&j, stdout, c->pretty);
		json_obj_open(&j, NULL);
		json_u64(&j, "symbols", symbols);
		json_u64(&j, "channels", channels);
		json_u64(&j, "samples", samples);
		json_u64(&j, "crc32", table_crc(t));
		json_arr_open(&j, "table");
		for (s = 0; s < symbols; s++) {
			json_arr_open(&j, NULL);
			for (ch = 0; ch < channels; ch++) {
				json_arr_open(&j, NULL);
				for (i = 0; i < samples; i++) {
					int16_t v = 0;

					qkd_table_get(t, s, ch, i, &v);
					json_i64(&j, NULL, v);
				}
				json_arr_close(&j);
			}
			json_arr_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
	}
	qkd_table_free(t);
	return QKDCTL_OK;
}

static int table_load(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_table_result res = { 0 };
	char msg[QKD_ERRMSG_LEN];
	struct qkd_table *t;
	struct qkd_dev *dev;
	unsigned int flags = 0;
	int err, ret;

	if (argc < 3)
		return usage_err(c, argc < 2 ? "missing DEV and FILE" : "missing FILE");
	if (argc > 4 || (argc == 4 && strcmp(argv[3], "switch")))
		return usage_err(c, "unexpected argument '%s' (only 'switch' may follow FILE)",
				 argv[3]);
	if (argc == 4)
		flags |= QKD_TABLE_SWITCH;
	err = read_table(c, argv[2], &t);
	if (err)
		return err;
	err = qkd_dev_open(argv[1], 0, &dev, msg, sizeof(msg));
	if (err) {
		qkd_table_free(t);
		return err == -EINVAL ? usage_err(c, "%s", msg) : fail(c, err, "%s", msg);
	}
	err = qkd_dev_table_load(dev, t, flags, &res);
	if (err == -EINVAL) {
		/* the table does not fit the card: its line and column are in the message */
		ret = usage_err(c, "%s: %s", argv[2], qkd_dev_error(dev));
	} else if (err) {
		ret = fail(c, err, "%s", qkd_dev_error(dev));
	} else {
		ret = QKDCTL_OK;
		if (c->json) {
			struct json j;

			json_init(&j, stdout, c->pretty);
			json_obj_open(&j, NULL);
			json_str(&j, "name", argv[1]);
			json_u64(&j, "crc32", res.crc32);
			json_bool(&j, "switched", flags & QKD_TABLE_SWITCH);
			if (flags & QKD_TABLE_SWITCH)
				json_u64(&j, "frame", res.frame);
			json_obj_close(&j);
			json_end(&j);
		} else if (flags & QKD_TABLE_SWITCH) {
			verbose(c, "qkdchip%u: table 0x%08x plays from frame %" PRIu64,
				qkd_dev_index(dev), res.crc32, res.frame);
		} else {
			verbose(c, "qkdchip%u: table 0x%08x loaded into the inactive bank",
				qkd_dev_index(dev), res.crc32);
		}
	}
	qkd_dev_close(dev);
	qkd_table_free(t);
	return ret;
}

static const struct cmd table_cmds[] = {
	{ "check", table_check, "FILE [DEV]",
	  "Read a waveform table file ('-': stdin) and report its geometry and CRC-32, or\n"
	  "the first error with its line and column; with DEV, also check it against the\n"
	  "card (channels, samples, table size, DAC range).\n" },
	{ "show", table_show, "FILE",
	  "Print a table in the canonical text form (with -j: as JSON arrays\n"
	  "table[symbol][channel][sample]).\n" },
	{ "load", table_load, "DEV FILE [switch]",
	  "Check a table against the card and load it into the card's inactive bank; with\n"
	  "'switch', also make it active at the next frame boundary and wait for that. Any\n"
	  "error leaves the card's active table as it was. Needs CAP_NET_ADMIN.\n" },
};

int do_table(struct qkdctl *c, int argc, char **argv)
{
	return dispatch(c, "table", table_cmds, sizeof(table_cmds) / sizeof(table_cmds[0]), NULL,
			argc, argv);
}
