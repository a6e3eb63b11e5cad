/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/mac.h - information-theoretic authentication of the classical channel.
 *
 * Wegman-Carter: tag = h_k(m) XOR r, with h the polynomial-evaluation hash over GF(2^128)
 * of tfqkd/gf2.h (epsilon-almost-XOR-universal) and r 128 fresh one-time-pad bits from a key
 * pool for every message. For any message m' != m and any tag t', an adversary who saw
 * (m, tag) succeeds with probability at most
 *     eps = (ceil(L / 128) + 1) / 2^128       (L: length in bits of the longer message)
 * per attempt, whatever her computing power. The hash key k is recycled across messages
 * (the one-time pad hides h_k(m), so tags reveal nothing about k) and replaced every
 * rekey_every messages; each message costs 128 bits of key, plus 128 per rekey.
 *
 * The session layer numbers the messages of each direction (64-bit counter, included in
 * the authenticated data), accepts only the next expected number (replays and reordered
 * or lost messages are rejected) and closes itself after too many failed verifications.
 * Wire format of a sealed message: counter (8 bytes, little-endian) | message | tag (16).
 */
#ifndef TFQKD_MAC_H
#define TFQKD_MAC_H

#include <stddef.h>
#include <stdint.h>

#include "tfqkd/auth.h"

#define TFQKD_MAC_KEY_BYTES	16
#define TFQKD_MAC_TAG_BYTES	16
#define TFQKD_MAC_CTR_BYTES	8
#define TFQKD_MAC_OVERHEAD	(TFQKD_MAC_CTR_BYTES + TFQKD_MAC_TAG_BYTES)
#define TFQKD_MAC_MAX_LEN	((size_t)1 << 30)	/* longest message, bytes */

/**
 * tfqkd_mac_tag() - Wegman-Carter tag of a message
 * @hkey: 16-byte hash key k
 * @otp: 16 fresh one-time-pad bytes r (never use them twice)
 * @msg: message (may be NULL if @len is 0)
 * @len: length in bytes, <= TFQKD_MAC_MAX_LEN
 * @tag: receives 16 bytes h_k(msg) XOR r
 *
 * Return: 0 or -EINVAL.
 */
int tfqkd_mac_tag(const uint8_t hkey[TFQKD_MAC_KEY_BYTES], const uint8_t otp[TFQKD_MAC_TAG_BYTES],
		  const void *msg, size_t len, uint8_t tag[TFQKD_MAC_TAG_BYTES]);

/**
 * tfqkd_mac_verify() - check a tag (constant-time comparison)
 * @hkey: hash key
 * @otp: the one-time pad of this message
 * @msg: message
 * @len: length
 * @tag: the tag received
 *
 * Return: 1 if valid, 0 if not, -EINVAL.
 */
int tfqkd_mac_verify(const uint8_t hkey[TFQKD_MAC_KEY_BYTES],
		     const uint8_t otp[TFQKD_MAC_TAG_BYTES], const void *msg, size_t len,
		     const uint8_t tag[TFQKD_MAC_TAG_BYTES]);

/**
 * tfqkd_mac_log2_forgery() - log2 of the forgery bound for messages of @len bytes
 * @len: message length in bytes
 */
double tfqkd_mac_log2_forgery(size_t len);

/**
 * struct tfqkd_mac_config - session settings
 * @rekey_every: messages per hash key in each direction (>= 1)
 * @max_failures: failed verifications tolerated; one more closes the session
 */
struct tfqkd_mac_config {
	uint64_t rekey_every;
	unsigned max_failures;
};

/**
 * tfqkd_mac_config_default() - rekey every 2^16 messages, close on the first failure
 * @c: filled in
 */
void tfqkd_mac_config_default(struct tfqkd_mac_config *c);

/**
 * struct tfqkd_mac_stats - session counters
 * @sent: messages sealed
 * @received: messages accepted
 * @failures: failed verifications
 * @key_bytes: key bytes drawn from both pools
 * @closed: nonzero once the session refused to go on
 */
struct tfqkd_mac_stats {
	uint64_t sent, received, failures, key_bytes;
	int closed;
};

struct tfqkd_mac_session;

/**
 * tfqkd_mac_session_new() - an authenticated session
 * @s: receives the session
 * @tx: pool for messages we send (the peer's @rx holds the same bytes)
 * @rx: pool for messages we receive (must not be the same pool as @tx)
 * @cfg: settings (NULL: defaults)
 *
 * Key is drawn only when needed. Return: 0, -EINVAL, -ENOMEM.
 */
int tfqkd_mac_session_new(struct tfqkd_mac_session **s, const struct tfqkd_keypool *tx,
			  const struct tfqkd_keypool *rx, const struct tfqkd_mac_config *cfg);

/**
 * tfqkd_mac_seal() - authenticate the next outgoing message
 * @s: session
 * @msg: message
 * @len: its length, <= TFQKD_MAC_MAX_LEN
 * @out: receives len + TFQKD_MAC_OVERHEAD bytes (must not overlap @msg)
 * @outlen: size of @out
 *
 * Return: bytes written, -EMSGSIZE (@out too small or message too long), -ENOSPC (the
 * pool is empty: nothing consumed, the counter did not move), -EKEYREVOKED (session
 * closed), -EINVAL.
 */
long tfqkd_mac_seal(struct tfqkd_mac_session *s, const void *msg, size_t len, void *out,
		    size_t outlen);

/**
 * tfqkd_mac_open() - verify the next incoming message
 * @s: session
 * @in: sealed message
 * @inlen: its length
 * @msg: receives a pointer to the message inside @in
 * @len: receives its length
 *
 * Return: 0 (accepted), -EBADMSG (tag wrong: counted as a failure), -EALREADY (counter
 * already accepted: a replay), -EPROTO (counter ahead of the expected one: reordered or
 * lost message), -ENOSPC (pool empty), -EKEYREVOKED (closed), -EINVAL (too short).
 * Only a wrong tag counts as a failed verification; nothing else changes the session.
 */
int tfqkd_mac_open(struct tfqkd_mac_session *s, const void *in, size_t inlen,
		   const void **msg, size_t *len);

/**
 * tfqkd_mac_session_stats() - counters
 * @s: session
 * @st: filled in
 */
void tfqkd_mac_session_stats(const struct tfqkd_mac_session *s, struct tfqkd_mac_stats *st);

/**
 * tfqkd_mac_session_free() - wipe and release (NULL is ignored)
 * @s: session
 */
void tfqkd_mac_session_free(struct tfqkd_mac_session *s);

#endif /* TFQKD_MAC_H */
