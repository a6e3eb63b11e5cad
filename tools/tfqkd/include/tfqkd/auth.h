/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/auth.h - key pools: where authentication draws its secret key bits.
 *
 * A key pool hands out fresh secret bytes, each exactly once, in order. The two parties
 * keep matching pools (the same bytes in the same order): the daemon seeds them with a
 * pre-shared key and refills them with QKD key. Message authentication (tfqkd/mac.h)
 * uses one pool per direction, so the order of draws never depends on message timing.
 */
#ifndef TFQKD_AUTH_H
#define TFQKD_AUTH_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct tfqkd_keypool - interface of a key pool
 * @take: move exactly @len fresh bytes to @buf; either all of them or none: return 0,
 *        -ENOSPC when fewer than @len bytes are left (nothing consumed), or another
 *        negative errno
 * @avail: bytes left (SIZE_MAX if unknown); may be NULL
 * @ctx: passed to the callbacks
 */
struct tfqkd_keypool {
	int (*take)(void *ctx, void *buf, size_t len);
	size_t (*avail)(void *ctx);
	void *ctx;
};

/**
 * tfqkd_keypool_take() - checked wrapper around pool->take
 * @pool: the pool (NULL or without take: -EINVAL)
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -EINVAL, -ENOSPC, or the pool's error. On error @buf is zeroed.
 */
int tfqkd_keypool_take(const struct tfqkd_keypool *pool, void *buf, size_t len);

struct tfqkd_keypool_mem;

/**
 * tfqkd_keypool_mem_new() - an in-memory pool seeded with a pre-shared key
 * @pool: receives the pool
 * @psk: initial key bytes (copied; may be NULL if @len is 0)
 * @len: their number
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int tfqkd_keypool_mem_new(struct tfqkd_keypool_mem **pool, const void *psk, size_t len);

/**
 * tfqkd_keypool_mem_add() - append fresh key bytes (e.g. from QKD)
 * @pool: the pool
 * @key: bytes (copied)
 * @len: their number
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int tfqkd_keypool_mem_add(struct tfqkd_keypool_mem *pool, const void *key, size_t len);

/**
 * tfqkd_keypool_mem_avail() - bytes left
 * @pool: the pool
 */
size_t tfqkd_keypool_mem_avail(const struct tfqkd_keypool_mem *pool);

/**
 * tfqkd_keypool_mem_iface() - the struct tfqkd_keypool view of an in-memory pool
 * @pool: the pool (must outlive every user of the interface)
 */
struct tfqkd_keypool tfqkd_keypool_mem_iface(struct tfqkd_keypool_mem *pool);

/**
 * tfqkd_keypool_mem_free() - wipe and release (NULL is ignored)
 * @pool: the pool
 */
void tfqkd_keypool_mem_free(struct tfqkd_keypool_mem *pool);

#endif /* TFQKD_AUTH_H */
