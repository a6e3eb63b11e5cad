// SPDX-License-Identifier: LGPL-2.1-or-later
/* Key pools (tfqkd/auth.h): the checked wrapper and an in-memory FIFO implementation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tfqkd/auth.h"

struct tfqkd_keypool_mem {
	unsigned char *buf;
	size_t head, tail, cap;	/* unused bytes are buf[head, tail) */
};

int tfqkd_keypool_take(const struct tfqkd_keypool *pool, void *buf, size_t len)
{
	int ret;

	if (!pool || !pool->take || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	ret = pool->take(pool->ctx, buf, len);
	if (ret)
		explicit_bzero(buf, len);
	return ret;
}

int tfqkd_keypool_mem_new(struct tfqkd_keypool_mem **out, const void *psk, size_t len)
{
	struct tfqkd_keypool_mem *p;
	int ret;

	if (!out || (!psk && len))
		return -EINVAL;
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = tfqkd_keypool_mem_add(p, psk, len);
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int tfqkd_keypool_mem_add(struct tfqkd_keypool_mem *p, const void *key, size_t len)
{
	if (!p || (!key && len))
		return -EINVAL;
	if (!len)
		return 0;
	if (p->tail + len > p->cap) {
		size_t used = p->tail - p->head, ncap = p->cap ? p->cap : 256;
		unsigned char *nb;

		while (ncap < used + len)
			ncap *= 2;
		nb = malloc(ncap);
		if (!nb)
			return -ENOMEM;
		if (used)
			memcpy(nb, p->buf + p->head, used);
		if (p->buf) {
			explicit_bzero(p->buf, p->cap);
			free(p->buf);
		}
		p->buf = nb;
		p->cap = ncap;
		p->head = 0;
		p->tail = used;
	}
	memcpy(p->buf + p->tail, key, len);
	p->tail += len;
	return 0;
}

size_t tfqkd_keypool_mem_avail(const struct tfqkd_keypool_mem *p)
{
	return p ? p->tail - p->head : 0;
}

static int mem_take(void *ctx, void *buf, size_t len)
{
	struct tfqkd_keypool_mem *p = ctx;

	if (p->tail - p->head < len)
		return -ENOSPC;
	memcpy(buf, p->buf + p->head, len);
	explicit_bzero(p->buf + p->head, len);	/* used key never stays in memory */
	p->head += len;
	return 0;
}

static size_t mem_avail(void *ctx)
{
	return tfqkd_keypool_mem_avail(ctx);
}

struct tfqkd_keypool tfqkd_keypool_mem_iface(struct tfqkd_keypool_mem *p)
{
	return (struct tfqkd_keypool){ .take = mem_take, .avail = mem_avail, .ctx = p };
}

void tfqkd_keypool_mem_free(struct tfqkd_keypool_mem *p)
{
	if (!p)
		return;
	if (p->buf) {
		explicit_bzero(p->buf, p->cap);
		free(p->buf);
	}
	free(p);
}
