/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON writer: qkdctl only writes JSON, never reads it. Strings are escaped
 * (control characters, quotes, backslashes) and must be valid UTF-8: invalid bytes
 * become U+FFFD. Keys are given for members of objects and NULL for array elements
 * and the top level.
 */
#ifndef QKDCTL_JSON_H
#define QKDCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Ends a top-level value with a newline (one value per line: JSON lines). */
void json_end(struct json *j);

#endif /* QKDCTL_JSON_H */
