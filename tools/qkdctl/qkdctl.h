/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdctl - control qkdchip cards. One file per object (dev.c, laser.c, ...), each
 * with its own table of commands; main.c dispatches objects. Documentation/
 * admin-guide/qkdctl.rst and qkdctl.8 describe the command line.
 */
#ifndef QKDCTL_H
#define QKDCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qkdchip/qkdchip.h"
#include "json.h"

/* Exit statuses (qkdctl.8, EXIT STATUS) */
#define QKDCTL_OK		0	/* done */
#define QKDCTL_FAIL		1	/* the operation failed (the kernel or card refused, I/O) */
#define QKDCTL_USAGE		2	/* bad command line, value or input file */
#define QKDCTL_NODEV		3	/* no such card, or the driver is not loaded */
#define QKDCTL_PERM		4	/* not permitted */

struct qkdctl {
	bool json;		/* -j: JSON output */
	bool pretty;		/* -p: indented JSON */
	bool verbose;		/* -v: say what is done, on stderr */
	char cmd[64];		/* "laser set", for messages */
	struct qkd_nl *nl;	/* opened on first use */
};

/* A command of an object: "qkdctl OBJECT NAME ARGS..." */
struct cmd {
	const char *name;
	int (*run)(struct qkdctl *c, int argc, char **argv);	/* argv[0] is NAME */
	const char *args;	/* "DEV [current UA] [on|off]" */
	const char *help;	/* what it does, one or more lines */
};

/*
 * Run the command of @object named by argv[1] (argv[0] is the object). With no command,
 * run @dflt if given (e.g. "dev" alone means "dev show"). "help" and --help print the
 * object's commands.
 */
int dispatch(struct qkdctl *c, const char *object, const struct cmd *cmds, size_t n,
	     const char *dflt, int argc, char **argv);

/* "help", "--help" or "-h" */
bool is_help(const char *arg);
/* Print the usage of one command of @object to @f. */
void print_cmd_usage(FILE *f, const char *object, const struct cmd *cmd);
/* If any argument asks for help, print the command's usage and return true. */
bool want_help(struct qkdctl *c, const char *object, const struct cmd *cmd, int argc,
	       char **argv);

/* A bad command line: "qkdctl: CMD: MESSAGE" on stderr; returns QKDCTL_USAGE. */
int usage_err(struct qkdctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure: "qkdctl: MESSAGE" on stderr; returns the exit status for @err. */
int fail(struct qkdctl *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The exit status for a negative errno. */
int exit_status(int err);
/* Say what is done (with -v), on stderr. */
void verbose(struct qkdctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The netlink session, opened on first use; 0 or an exit status (message printed). */
int need_nl(struct qkdctl *c);
/* DEV (qkdchipN, N, /dev/qkdchipN, PCI address) -> N; 0 or an exit status. */
int resolve_dev(struct qkdctl *c, const char *spec, unsigned int *index);

/* Units of command-line values */
enum unit {
	U_NONE,		/* a plain integer */
	U_CURRENT,	/* uA (default), mA, A */
	U_VOLTAGE,	/* mV (default), V */
	U_ATTEN,	/* mdB (default), dB */
	U_TEMP,		/* mC (default: milli-degrees Celsius), C */
	U_PS,		/* ps (default), ns, us */
	U_NS,		/* ns (default), us, ms */
	U_US,		/* us (default), ms, s */
	U_SECONDS,	/* s (default), ms, but a whole number of ms */
	U_BYTES,	/* bytes (default), K, M, G (powers of 1024) */
};

/*
 * Parse @arg as a value of @what in @unit: an integer or decimal number with an optional
 * unit suffix, giving a whole number of the base unit within [lo, hi]. Negative values
 * only where @lo < 0. Prints the error; returns 0 or QKDCTL_USAGE.
 */
int parse_value(struct qkdctl *c, const char *what, const char *arg, enum unit unit,
		int64_t lo, int64_t hi, int64_t *out);
/*
 * Keyword arguments: the value after keyword argv[*i] (advancing *i), or NULL with
 * the error printed; and a check that a keyword comes only once (bit @bit of *seen).
 */
const char *kw_value(struct qkdctl *c, int *i, int argc, char **argv);
int kw_once(struct qkdctl *c, uint64_t *seen, unsigned int bit, const char *kw);
/* kw_value() and parse_value() in one: the number after keyword argv[*i] */
int kw_number(struct qkdctl *c, int *i, int argc, char **argv, const char *what,
	      enum unit unit, int64_t lo, int64_t hi, int64_t *out);
/* "on" or "off" */
int parse_onoff(struct qkdctl *c, const char *what, const char *arg, bool *out);
/* A client modulator channel: 0..7 or im1, im2, im3, pm1, pmref */
int parse_modulator(struct qkdctl *c, const char *arg, uint32_t *ch);

/*
 * "OBJECT set DEV KEYWORD [VALUE]..." commands that fill struct qkd_config fields, each
 * keyword at most once: a number (a 32-bit field), the bare switch "on"/"off" (a bool
 * field; its kw is "on"), or a keyword followed by on or off (a bool field).
 */
enum kw_kind { KW_NUMBER, KW_SWITCH, KW_ONOFF };

struct kw_field {
	const char *kw;
	enum kw_kind kind;
	const char *what;	/* the value's name in messages (KW_NUMBER, KW_ONOFF) */
	enum unit unit;		/* KW_NUMBER: unit and range */
	int64_t lo, hi;
	uint32_t set;		/* QKD_SET_* bit */
	size_t off;		/* offsetof() the field in struct qkd_config */
};

struct kw_set {
	const char *known;	/* "unknown argument 'X' (KNOWN)" */
	const char *nothing;	/* "nothing to set (NOTHING)" */
	unsigned int n;
	struct kw_field f[4];
};

/* Parse argv[2..] by @s and apply the change to the card argv[1]. */
int config_set(struct qkdctl *c, const struct kw_set *s, int argc, char **argv);

/* Commands of every object (one file each) */
int do_dev(struct qkdctl *c, int argc, char **argv);
int do_laser(struct qkdctl *c, int argc, char **argv);
int do_modulator(struct qkdctl *c, int argc, char **argv);
int do_voa(struct qkdctl *c, int argc, char **argv);
int do_tec(struct qkdctl *c, int argc, char **argv);
int do_detector(struct qkdctl *c, int argc, char **argv);
int do_tagger(struct qkdctl *c, int argc, char **argv);
int do_clock(struct qkdctl *c, int argc, char **argv);
int do_comb(struct qkdctl *c, int argc, char **argv);
int do_table(struct qkdctl *c, int argc, char **argv);
int do_tags(struct qkdctl *c, int argc, char **argv);
int do_decode(struct qkdctl *c, int argc, char **argv);
int do_monitor(struct qkdctl *c, int argc, char **argv);
int do_stats(struct qkdctl *c, int argc, char **argv);
int do_stream(struct qkdctl *c, int argc, char **argv);

/* Send a configuration change to card @spec; 0 or an exit status. */
int apply_config(struct qkdctl *c, const char *spec, const struct qkd_config *cfg);

/* Output of states and records (show.c), shared by several commands and the tests */
void print_state_text(FILE *f, const struct qkd_card *card);
void print_state_json(struct json *j, const struct qkd_card *card);
void print_stats_text(FILE *f, const char *name, const struct qkd_stats *st);
void print_stats_json(struct json *j, const struct qkd_stats *st);

/* Record output formats of 'tags' and 'decode' */
enum rec_format { FMT_CSV, FMT_BINARY, FMT_JSON };
void print_csv_header(FILE *f);
void print_record_csv(FILE *f, const struct qkd_record *r);
void print_record_json(struct json *j, const struct qkd_record *r);

#endif /* QKDCTL_H */
