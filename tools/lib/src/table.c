// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: waveform tables - the text form (Documentation/userspace-api/
 * qkdchip-table.rst), checks against a card, the binary image and the upload.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

#define QKD_TABLE_MAX_SAMPLES	(1u << 24)
#define QKD_TABLE_MAX_FILE	(64u << 20)
#define QKD_TABLE_FORMAT	1

struct qkd_table {
	unsigned int symbols, channels, samples;
	int16_t *data;		/* [symbols][channels][samples] */
	/* where the values came from in a text (parsed tables only) */
	uint32_t *row_line;	/* [symbols * channels] */
	uint32_t *col;		/* [symbols * channels * samples] */
	unsigned int geo_line[3], geo_col[3];	/* symbols, channels, samples values */
	char err[QKD_MSG_LEN];
	unsigned int err_line, err_col;
};

struct qkd_table *qkd_table_new(void)
{
	return calloc(1, sizeof(struct qkd_table));
}

static void table_clear(struct qkd_table *t)
{
	free(t->data);
	free(t->row_line);
	free(t->col);
	t->data = NULL;
	t->row_line = NULL;
	t->col = NULL;
	t->symbols = t->channels = t->samples = 0;
	memset(t->geo_line, 0, sizeof(t->geo_line));
	memset(t->geo_col, 0, sizeof(t->geo_col));
}

void qkd_table_free(struct qkd_table *t)
{
	if (!t)
		return;
	table_clear(t);
	free(t);
}

const char *qkd_table_error(const struct qkd_table *t)
{
	return t->err;
}

void qkd_table_error_pos(const struct qkd_table *t, unsigned int *line, unsigned int *col)
{
	if (line)
		*line = t->err_line;
	if (col)
		*col = t->err_col;
}

/* An error at (line, col) of the text, or without a place when line is 0. */
static int table_fail(struct qkd_table *t, int err, unsigned int line, unsigned int col,
		      const char *fmt, ...) QKD_PRINTF(5, 6);
static int table_fail(struct qkd_table *t, int err, unsigned int line, unsigned int col,
		      const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	t->err_line = line;
	t->err_col = line ? col : 0;
	if (line)
		n = (size_t)snprintf(t->err, sizeof(t->err), "line %u, column %u: ", line, col);
	va_start(ap, fmt);
	vsnprintf(t->err + n, sizeof(t->err) - n, fmt, ap);
	va_end(ap);
	return err;
}

/* "im2 (1)" for named client channels, "3" otherwise */
static const char *chan_label(unsigned int ch, char *buf, size_t len)
{
	const char *name = qkd_modulator_name(ch);

	if (name)
		snprintf(buf, len, "%s (%u)", name, ch);
	else
		snprintf(buf, len, "%u", ch);
	return buf;
}

/* ---- The text parser ------------------------------------------------------------------ */

struct token {
	const char *s;
	size_t len;
	unsigned int col;
};

#define MAX_TOKENS_SHOWN	40

struct parser {
	struct qkd_table *t;		/* for errors */
	const char *text;
	size_t len, pos;
	unsigned int line;		/* current line, 1-based */
	/* the current line's tokens */
	const char *ls;			/* line start */
	size_t llen;			/* line length without newline and comment */
	size_t tpos;			/* next token search position within the line */

	/* what has been read */
	bool have_format;
	unsigned int geo[3];		/* symbols, channels, samples; 0 = not given */
	unsigned int geo_line[3], geo_col[3];
	struct qkd_table n;		/* the table being built */
	uint32_t *sym_line;		/* line of each symbol's block, 0 = none yet */
	uint32_t *chan_line;		/* line of each channel in the current block */
	long cur;			/* current symbol, -1 outside a block */
	unsigned int cur_line;		/* line of the current block's 'symbol' */
};

static const char *const geo_names[3] = { "symbols", "channels", "samples" };
static const unsigned int geo_max[3] = { 65535, 255, 255 };

/* Next token of the current line, or false at its end. */
static bool next_token(struct parser *p, struct token *tok)
{
	size_t i = p->tpos;

	while (i < p->llen && (p->ls[i] == ' ' || p->ls[i] == '\t' || p->ls[i] == '\r'))
		i++;
	if (i >= p->llen) {
		p->tpos = i;
		return false;
	}
	tok->s = p->ls + i;
	tok->col = (unsigned int)i + 1;
	while (i < p->llen && p->ls[i] != ' ' && p->ls[i] != '\t' && p->ls[i] != '\r')
		i++;
	tok->len = (size_t)(p->ls + i - tok->s);
	p->tpos = i;
	return true;
}

/* Column just after the line's last content (where a missing token would go). */
static unsigned int end_col(const struct parser *p)
{
	size_t n = p->llen;

	while (n && (p->ls[n - 1] == ' ' || p->ls[n - 1] == '\t' || p->ls[n - 1] == '\r'))
		n--;
	return (unsigned int)n + 1;
}

static bool tok_is(const struct token *tok, const char *word)
{
	return tok->len == strlen(word) && !memcmp(tok->s, word, tok->len);
}

/* The token for messages: at most MAX_TOKENS_SHOWN bytes of it */
#define TOK(tok) (int)((tok)->len < MAX_TOKENS_SHOWN ? (tok)->len : MAX_TOKENS_SHOWN), (tok)->s

static int fail_at(struct parser *p, unsigned int col, const char *fmt, ...) QKD_PRINTF(3, 4);
static int fail_at(struct parser *p, unsigned int col, const char *fmt, ...)
{
	char msg[QKD_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return table_fail(p->t, -EINVAL, p->line, col, "%s", msg);
}

/*
 * A decimal integer: optional sign, digits. Returns 0, -EINVAL (not a number),
 * -ERANGE (beyond what a long long holds).
 */
static int parse_int(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0, lim;
	bool neg = false;
	size_t i = 0;

	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return -EINVAL;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned int)(s[i] - '0');
		if (v > (lim - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* A non-negative number token in [lo, hi]; @what names it in messages. */
static int parse_count(struct parser *p, const struct token *tok, const char *what,
		       long long lo, long long hi, unsigned int *out)
{
	long long v;
	int err = parse_int(tok->s, tok->len, &v);

	if (err == -EINVAL)
		return fail_at(p, tok->col, "%s: '%.*s' is not a number", what, TOK(tok));
	if (err || v < lo || v > hi)
		return fail_at(p, tok->col, "%s %.*s is out of range (%lld..%lld)", what, TOK(tok),
			       lo, hi);
	*out = (unsigned int)v;
	return 0;
}

/* No more tokens on this line, else an error naming the first extra one. */
static int expect_end(struct parser *p, const char *after)
{
	struct token tok;

	if (next_token(p, &tok))
		return fail_at(p, tok.col, "unexpected '%.*s' after %s", TOK(&tok), after);
	return 0;
}

static int read_format(struct parser *p, const struct token *kw)
{
	struct token tok;
	unsigned int v;
	int err;

	if (!next_token(p, &tok))
		return fail_at(p, end_col(p), "'qkdchip-table' needs the format version (1)");
	err = parse_count(p, &tok, "format version", 0, INT_MAX, &v);
	if (err)
		return err;
	if (v != QKD_TABLE_FORMAT)
		return fail_at(p, tok.col, "unsupported table format version %u (this library reads %u)",
			       v, QKD_TABLE_FORMAT);
	p->have_format = true;
	(void)kw;
	return expect_end(p, "the format version");
}

static int read_geometry(struct parser *p, unsigned int which, const struct token *kw)
{
	struct token tok;
	int err;

	if (p->geo[which])
		return fail_at(p, kw->col, "'%s' given twice (first on line %u)", geo_names[which],
			       p->geo_line[which]);
	if (!next_token(p, &tok))
		return fail_at(p, end_col(p), "'%s' needs a number", geo_names[which]);
	err = parse_count(p, &tok, geo_names[which], 1, geo_max[which], &p->geo[which]);
	if (err)
		return err;
	p->geo_line[which] = p->line;
	p->geo_col[which] = tok.col;
	return expect_end(p, geo_names[which]);
}

/* The block that ends: every channel must have been given. */
static int close_block(struct parser *p)
{
	unsigned int c;
	char lbl[32];

	if (p->cur < 0)
		return 0;
	for (c = 0; c < p->geo[1]; c++)
		if (!p->chan_line[c])
			return table_fail(p->t, -EINVAL, p->cur_line, 1,
					  "symbol %ld lacks channel %s", p->cur,
					  chan_label(c, lbl, sizeof(lbl)));
	p->cur = -1;
	return 0;
}

/* Allocate the table once the header is complete (at the first 'symbol'). */
static int start_body(struct parser *p, const struct token *kw)
{
	size_t rows, total;
	unsigned int i;

	if (!p->have_format)
		return fail_at(p, kw->col, "expected 'qkdchip-table 1' before anything else");
	for (i = 0; i < 3; i++)
		if (!p->geo[i])
			return fail_at(p, kw->col, "'symbol' before the header is complete: '%s' is missing",
				       geo_names[i]);
	rows = (size_t)p->geo[0] * p->geo[1];
	total = rows * p->geo[2];
	if (total > QKD_TABLE_MAX_SAMPLES)
		return table_fail(p->t, -EFBIG, p->geo_line[0], p->geo_col[0],
				  "a table of %zu samples is too large (at most %u)", total,
				  QKD_TABLE_MAX_SAMPLES);
	p->n.symbols = p->geo[0];
	p->n.channels = p->geo[1];
	p->n.samples = p->geo[2];
	p->n.data = calloc(total, sizeof(*p->n.data));
	p->n.row_line = calloc(rows, sizeof(*p->n.row_line));
	p->n.col = calloc(total, sizeof(*p->n.col));
	p->sym_line = calloc(p->geo[0], sizeof(*p->sym_line));
	p->chan_line = calloc(p->geo[1], sizeof(*p->chan_line));
	if (!p->n.data || !p->n.row_line || !p->n.col || !p->sym_line || !p->chan_line)
		return table_fail(p->t, -ENOMEM, 0, 0, "out of memory");
	memcpy(p->n.geo_line, p->geo_line, sizeof(p->geo_line));
	memcpy(p->n.geo_col, p->geo_col, sizeof(p->geo_col));
	return 0;
}

static int read_symbol(struct parser *p, const struct token *kw)
{
	struct token tok;
	unsigned int k;
	int err;

	if (!p->sym_line) {
		err = start_body(p, kw);
		if (err)
			return err;
	}
	err = close_block(p);
	if (err)
		return err;
	if (!next_token(p, &tok))
		return fail_at(p, end_col(p), "'symbol' needs a symbol number");
	err = parse_count(p, &tok, "symbol", 0, p->geo[0] - 1, &k);
	if (err)
		return err;
	if (p->sym_line[k])
		return fail_at(p, kw->col, "symbol %u appears twice (first on line %u)", k,
			       p->sym_line[k]);
	p->sym_line[k] = p->line;
	p->cur = k;
	p->cur_line = p->line;
	memset(p->chan_line, 0, p->geo[1] * sizeof(*p->chan_line));
	return expect_end(p, "the symbol number");
}

static int parse_channel(struct parser *p, const struct token *tok, unsigned int *ch)
{
	static const char *const names[] = { "im1", "im2", "im3", "pm1", "pmref" };
	long long v;
	unsigned int i;
	char lbl[32];

	for (i = 0; i < QKD_ARRAY_SIZE(names); i++) {
		if (tok_is(tok, names[i])) {
			if (i >= p->geo[1])
				return fail_at(p, tok->col,
					       "channel %s is beyond the table's %u channels (0..%u)",
					       chan_label(i, lbl, sizeof(lbl)), p->geo[1], p->geo[1] - 1);
			*ch = i;
			return 0;
		}
	}
	if (parse_int(tok->s, tok->len, &v) || tok->s[0] == '+' || tok->s[0] == '-')
		return fail_at(p, tok->col,
			       "unknown channel '%.*s' (a number 0..%u, or im1, im2, im3, pm1, pmref)",
			       TOK(tok), p->geo[1] - 1);
	if (v >= p->geo[1])
		return fail_at(p, tok->col, "channel %lld is out of range (the table has %u channels: 0..%u)",
			       v, p->geo[1], p->geo[1] - 1);
	*ch = (unsigned int)v;
	return 0;
}

static int read_row(struct parser *p, const struct token *first)
{
	size_t row, base;
	unsigned int ch = 0, got = 0;
	struct token tok;
	char lbl[32];
	int err;

	err = parse_channel(p, first, &ch);
	if (err)
		return err;
	if (p->chan_line[ch])
		return fail_at(p, first->col, "channel %s appears twice in symbol %ld (first on line %u)",
			       chan_label(ch, lbl, sizeof(lbl)), p->cur, p->chan_line[ch]);
	p->chan_line[ch] = p->line;
	row = (size_t)p->cur * p->geo[1] + ch;
	base = row * p->geo[2];
	p->n.row_line[row] = p->line;

	while (next_token(p, &tok)) {
		const char *star = memchr(tok.s, '*', tok.len);
		size_t vlen = star ? (size_t)(star - tok.s) : tok.len;
		long long v, count = 1;
		unsigned int i;

		if (parse_int(tok.s, vlen, &v) == -EINVAL)
			return fail_at(p, tok.col, "'%.*s' is not a sample (an integer, or VALUE*COUNT)",
				       TOK(&tok));
		if (parse_int(tok.s, vlen, &v) || v < INT16_MIN || v > INT16_MAX)
			return fail_at(p, tok.col, "sample %.*s is outside %d..%d (16-bit DAC codes)",
				       (int)vlen, tok.s, INT16_MIN, INT16_MAX);
		if (star) {
			struct token ct = { star + 1, tok.len - vlen - 1,
					    tok.col + (unsigned int)vlen + 1 };
			int e = parse_int(ct.s, ct.len, &count);

			if (e == -EINVAL || (ct.len && (ct.s[0] == '+' || ct.s[0] == '-')))
				return fail_at(p, ct.col, "bad repeat count '%.*s' (VALUE*COUNT, COUNT >= 1)",
					       TOK(&ct));
			if (e || count < 1 || count > p->geo[2])
				return fail_at(p, ct.col, "repeat count %.*s is out of range (1..%u)",
					       TOK(&ct), p->geo[2]);
		}
		if (got + count > p->geo[2])
			return fail_at(p, tok.col,
				       "too many samples for channel %s: the table has %u per slot",
				       chan_label(ch, lbl, sizeof(lbl)), p->geo[2]);
		for (i = 0; i < count; i++, got++) {
			p->n.data[base + got] = (int16_t)v;
			p->n.col[base + got] = tok.col;
		}
	}
	if (got < p->geo[2])
		return fail_at(p, end_col(p), "channel %s has %u samples, the table has %u per slot",
			       chan_label(ch, lbl, sizeof(lbl)), got, p->geo[2]);
	return 0;
}

static int read_line(struct parser *p)
{
	struct token kw;
	unsigned int i;

	if (!next_token(p, &kw))
		return 0;	/* blank or comment */
	if (!p->have_format && !tok_is(&kw, "qkdchip-table"))
		return fail_at(p, kw.col, "expected 'qkdchip-table 1' as the first line, found '%.*s'",
			       TOK(&kw));
	if (tok_is(&kw, "qkdchip-table")) {
		if (p->have_format)
			return fail_at(p, kw.col, "'qkdchip-table' given twice");
		return read_format(p, &kw);
	}
	for (i = 0; i < 3; i++)
		if (tok_is(&kw, geo_names[i]))
			return read_geometry(p, i, &kw);
	if (tok_is(&kw, "symbol"))
		return read_symbol(p, &kw);
	if (p->cur >= 0)
		return read_row(p, &kw);
	if (p->geo[0] && p->geo[1] && p->geo[2])
		return fail_at(p, kw.col, "'%.*s' outside a symbol block (expected 'symbol N')",
			       TOK(&kw));
	return fail_at(p, kw.col,
		       "unknown keyword '%.*s' (expected symbols, channels, samples or symbol)",
		       TOK(&kw));
}

static int parse_all(struct parser *p)
{
	unsigned int i;
	int err;

	while (p->pos < p->len) {
		const char *nl = memchr(p->text + p->pos, '\n', p->len - p->pos);
		size_t end = nl ? (size_t)(nl - p->text) : p->len;
		const char *hash, *nul;

		p->ls = p->text + p->pos;
		p->llen = end - p->pos;
		p->tpos = 0;
		nul = memchr(p->ls, '\0', p->llen);
		if (nul)
			return fail_at(p, (unsigned int)(nul - p->ls) + 1, "NUL byte in the text");
		hash = memchr(p->ls, '#', p->llen);
		if (hash)
			p->llen = (size_t)(hash - p->ls);
		err = read_line(p);
		if (err)
			return err;
		p->pos = nl ? end + 1 : end;
		if (nl)
			p->line++;
	}

	/* end of text */
	p->ls = p->text + p->len;
	p->llen = 0;
	if (!p->have_format)
		return fail_at(p, 1, "empty table: expected 'qkdchip-table 1'");
	if (!p->sym_line) {
		for (i = 0; i < 3; i++)
			if (!p->geo[i])
				return fail_at(p, 1, "end of text: '%s' is missing", geo_names[i]);
		return fail_at(p, 1, "end of text: no symbol blocks");
	}
	err = close_block(p);
	if (err)
		return err;
	for (i = 0; i < p->geo[0]; i++)
		if (!p->sym_line[i])
			return table_fail(p->t, -EINVAL, p->geo_line[0], p->geo_col[0],
					  "the table has %u symbols, but symbol %u has no block",
					  p->geo[0], i);
	return 0;
}

int qkd_table_parse(struct qkd_table *t, const char *text, size_t len)
{
	struct parser p;
	int err;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.text = text;
	p.len = len;
	p.line = 1;
	p.cur = -1;
	t->err[0] = '\0';
	t->err_line = t->err_col = 0;
	err = parse_all(&p);
	free(p.sym_line);
	free(p.chan_line);
	if (err) {
		table_clear(&p.n);
		return err;
	}
	table_clear(t);
	t->symbols = p.n.symbols;
	t->channels = p.n.channels;
	t->samples = p.n.samples;
	t->data = p.n.data;
	t->row_line = p.n.row_line;
	t->col = p.n.col;
	memcpy(t->geo_line, p.n.geo_line, sizeof(t->geo_line));
	memcpy(t->geo_col, p.n.geo_col, sizeof(t->geo_col));
	return 0;
}

int qkd_table_parse_file(struct qkd_table *t, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return table_fail(t, err, 0, 0, "%s: %s", path, strerror(-err));
	}
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		close(fd);
		return table_fail(t, -EISDIR, 0, 0, "%s: is a directory", path);
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= QKD_TABLE_MAX_FILE) {
				free(buf);
				close(fd);
				return table_fail(t, -EFBIG, 0, 0, "%s: larger than %u MiB", path,
						  QKD_TABLE_MAX_FILE >> 20);
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return table_fail(t, -ENOMEM, 0, 0, "out of memory");
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			free(buf);
			close(fd);
			return table_fail(t, err, 0, 0, "%s: %s", path, strerror(-err));
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	err = qkd_table_parse(t, buf ? buf : "", len);
	free(buf);
	return err;
}

/* ---- Programmatic access -------------------------------------------------------------- */

int qkd_table_init(struct qkd_table *t, unsigned int symbols, unsigned int channels,
		   unsigned int samples)
{
	size_t total;
	int16_t *data;

	if (!symbols || symbols > geo_max[0] || !channels || channels > geo_max[1] || !samples ||
	    samples > geo_max[2])
		return table_fail(t, -EINVAL, 0, 0,
				  "bad table geometry %u symbols x %u channels x %u samples",
				  symbols, channels, samples);
	total = (size_t)symbols * channels * samples;
	if (total > QKD_TABLE_MAX_SAMPLES)
		return table_fail(t, -EFBIG, 0, 0, "a table of %zu samples is too large (at most %u)",
				  total, QKD_TABLE_MAX_SAMPLES);
	data = calloc(total, sizeof(*data));
	if (!data)
		return table_fail(t, -ENOMEM, 0, 0, "out of memory");
	table_clear(t);
	t->symbols = symbols;
	t->channels = channels;
	t->samples = samples;
	t->data = data;
	return 0;
}

int qkd_table_geometry(const struct qkd_table *t, unsigned int *symbols,
		       unsigned int *channels, unsigned int *samples)
{
	if (!t->data)
		return -ENODATA;
	if (symbols)
		*symbols = t->symbols;
	if (channels)
		*channels = t->channels;
	if (samples)
		*samples = t->samples;
	return 0;
}

static bool in_table(const struct qkd_table *t, unsigned int s, unsigned int c, unsigned int i)
{
	return t->data && s < t->symbols && c < t->channels && i < t->samples;
}

static size_t sample_index(const struct qkd_table *t, unsigned int s, unsigned int c,
			   unsigned int i)
{
	return ((size_t)s * t->channels + c) * t->samples + i;
}

int qkd_table_get(const struct qkd_table *t, unsigned int symbol, unsigned int chan,
		  unsigned int sample, int16_t *value)
{
	if (!in_table(t, symbol, chan, sample))
		return -EINVAL;
	*value = t->data[sample_index(t, symbol, chan, sample)];
	return 0;
}

int qkd_table_set(struct qkd_table *t, unsigned int symbol, unsigned int chan,
		  unsigned int sample, int16_t value)
{
	if (!in_table(t, symbol, chan, sample))
		return -EINVAL;
	t->data[sample_index(t, symbol, chan, sample)] = value;
	if (t->col)	/* no longer the text's value */
		t->col[sample_index(t, symbol, chan, sample)] = 0;
	return 0;
}

/* ---- Checks against a card, the image ------------------------------------------------- */

/* An error about header value @which (symbols, channels, samples). */
static int geo_fail(struct qkd_table *t, unsigned int which, const char *fmt, ...)
	QKD_PRINTF(3, 4);
static int geo_fail(struct qkd_table *t, unsigned int which, const char *fmt, ...)
{
	char msg[QKD_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return table_fail(t, -EINVAL, t->geo_line[which], t->geo_col[which], "%s", msg);
}

int qkd_table_check(struct qkd_table *t, const struct qkdchip_info *info)
{
	int lo, hi;
	unsigned int s, c, i;
	char lbl[32];

	if (!t->data)
		return table_fail(t, -ENODATA, 0, 0, "the table is empty");
	if (!(info->features & QKDCHIP_FEAT_H2C_TABLE) || !info->dac_channels)
		return table_fail(t, -EOPNOTSUPP, 0, 0,
				  "the card has no waveform table engine (a %s card)",
				  qkd_role_name(info->role));
	if (t->symbols > info->table_symbols)
		return geo_fail(t, 0, "%u symbols, but the card holds at most %u", t->symbols,
				info->table_symbols);
	if (t->channels != info->dac_channels)
		return geo_fail(t, 1, "%u channels, but the card has %u DAC channels", t->channels,
				info->dac_channels);
	if (t->samples != info->samples_per_slot)
		return geo_fail(t, 2, "%u samples per slot, but the card plays %u", t->samples,
				info->samples_per_slot);
	if (info->dac_bits < 2 || info->dac_bits > 16)
		return table_fail(t, -EINVAL, 0, 0, "the card reports %u-bit DACs", info->dac_bits);
	lo = -(1 << (info->dac_bits - 1));
	hi = (1 << (info->dac_bits - 1)) - 1;
	for (s = 0; s < t->symbols; s++) {
		for (c = 0; c < t->channels; c++) {
			for (i = 0; i < t->samples; i++) {
				size_t k = sample_index(t, s, c, i);
				int v = t->data[k];
				unsigned int line = t->row_line ? t->row_line[k / t->samples] : 0;
				unsigned int col = t->col ? t->col[k] : 0;

				if (v >= lo && v <= hi)
					continue;
				if (line && col)
					return table_fail(t, -EINVAL, line, col,
							  "sample %d is outside the card's %u-bit DAC range %d..%d",
							  v, info->dac_bits, lo, hi);
				return table_fail(t, -EINVAL, 0, 0,
						  "symbol %u, channel %s, sample %u: %d is outside the card's %u-bit DAC range %d..%d",
						  s, chan_label(c, lbl, sizeof(lbl)), i, v,
						  info->dac_bits, lo, hi);
			}
		}
	}
	return 0;
}

int qkd_table_image(const struct qkd_table *t, void **image, size_t *size)
{
	struct qkdchip_table_hdr *h;
	size_t n, bytes, i;
	uint8_t *img;
	__le16 *smp;
	uLong crc;

	*image = NULL;
	*size = 0;
	if (!t->data)
		return -ENODATA;
	n = (size_t)t->symbols * t->channels * t->samples;
	bytes = sizeof(*h) + n * 2;
	img = calloc(1, bytes);
	if (!img)
		return -ENOMEM;
	h = (struct qkdchip_table_hdr *)img;
	smp = (__le16 *)(img + sizeof(*h));
	for (i = 0; i < n; i++)
		smp[i] = htole16((uint16_t)t->data[i]);
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, (const Bytef *)smp, (uInt)(n * 2));
	h->magic = htole32(QKDCHIP_TABLE_MAGIC);
	h->version = htole16(QKDCHIP_TABLE_VERSION);
	h->hdr_size = htole16(sizeof(*h));
	h->symbols = htole16((uint16_t)t->symbols);
	h->channels = (uint8_t)t->channels;
	h->samples = (uint8_t)t->samples;
	h->data_size = htole32((uint32_t)(n * 2));
	h->crc32 = htole32((uint32_t)crc);
	*image = img;
	*size = bytes;
	return 0;
}

int qkd_table_print(const struct qkd_table *t, FILE *f)
{
	bool names = t->channels == 5;
	unsigned int s, c, i;

	if (!t->data)
		return -ENODATA;
	fprintf(f, "# qkdchip waveform table (Documentation/userspace-api/qkdchip-table.rst)\n"
		   "qkdchip-table %d\nsymbols %u\nchannels %u\nsamples %u\n", QKD_TABLE_FORMAT,
		t->symbols, t->channels, t->samples);
	for (s = 0; s < t->symbols; s++) {
		fprintf(f, "\nsymbol %u\n", s);
		for (c = 0; c < t->channels; c++) {
			const int16_t *row = t->data + sample_index(t, s, c, 0);

			if (names)
				fprintf(f, "\t%-5s", qkd_modulator_name(c));
			else
				fprintf(f, "\t%-5u", c);
			for (i = 0; i < t->samples;) {
				unsigned int k = 1;

				while (i + k < t->samples && row[i + k] == row[i])
					k++;
				if (k >= 3) {
					fprintf(f, " %d*%u", row[i], k);
				} else {
					k = 1;
					fprintf(f, " %d", row[i]);
				}
				i += k;
			}
			fputc('\n', f);
		}
	}
	return ferror(f) ? -EIO : 0;
}

int qkd_dev_table_load(struct qkd_dev *dev, struct qkd_table *t, unsigned int flags,
		       struct qkd_table_result *res)
{
	struct qkdchip_table_load tl;
	void *img;
	size_t size;
	int err;

	if (flags & ~QKD_TABLE_SWITCH)
		return qkd_dev_fail(dev, -EINVAL, "qkd_dev_table_load: unknown flags %#x", flags);
	err = qkd_table_check(t, &dev->info);
	if (err)
		return qkd_dev_fail(dev, err, "%s", t->err);
	err = qkd_table_image(t, &img, &size);
	if (err)
		return qkd_dev_fail(dev, err, "out of memory");
	memset(&tl, 0, sizeof(tl));
	tl.image = (uintptr_t)img;
	tl.size = (uint32_t)size;
	tl.flags = flags;
	err = ioctl(dev->fd, QKDCHIP_IOC_TABLE_LOAD, &tl) ? -errno : 0;
	free(img);
	if (res) {
		res->frame = tl.frame;
		res->crc32 = tl.crc32;
		res->card_error = tl.card_error;
	}
	switch (err) {
	case 0:
		return 0;
	case -EPERM:
		return qkd_dev_fail(dev, err, "%s: loading a table needs CAP_NET_ADMIN", dev->name);
	case -EBUSY:
		return qkd_dev_fail(dev, err, "%s: another table load or switch is in progress",
				    dev->name);
	case -EIO:
		return qkd_dev_fail(dev, err, "%s: the card refused the table: %s", dev->name,
				    qkd_table_error_name(tl.card_error));
	case -EINVAL:
		return qkd_dev_fail(dev, err, "%s: the driver refused the table image", dev->name);
	case -ETIMEDOUT:
		return qkd_dev_fail(dev, err, "%s: the card did not finish the table %s in time",
				    dev->name, flags & QKD_TABLE_SWITCH ? "switch" : "load");
	case -EOPNOTSUPP:
		return qkd_dev_fail(dev, err, "%s: the card has no waveform table engine",
				    dev->name);
	default:
		return qkd_dev_fail(dev, err, "%s: table load: %s", dev->name, strerror(-err));
	}
}
