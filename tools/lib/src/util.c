// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: error messages and small parsers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int qkd_verr(char *buf, size_t len, int err, const char *fmt, va_list ap)
{
	if (buf && len)
		vsnprintf(buf, len, fmt, ap);
	return err;
}

int qkd_err(char *buf, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qkd_verr(buf, len, err, fmt, ap);
	va_end(ap);
	return err;
}

int qkd_parse_index(const char *s, size_t len, unsigned int max, unsigned int *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 9 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}
