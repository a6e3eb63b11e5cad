// SPDX-License-Identifier: LGPL-2.1-or-later
/* Wegman-Carter message authentication with key recycling (see tfqkd/mac.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tfqkd/gf2.h"
#include "tfqkd/mac.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void compute(const uint8_t *hkey, const uint8_t *otp, const void *msg, size_t len,
		    uint8_t *tag)
{
	struct tfqkd_gf128 k = { le64(hkey), le64(hkey + 8) };
	struct tfqkd_gf128 h = tfqkd_polyhash128(k, msg, len * 8);

	put_le64(tag, h.lo ^ le64(otp));
	put_le64(tag + 8, h.hi ^ le64(otp + 8));
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(&h, sizeof(h));
}

int tfqkd_mac_tag(const uint8_t hkey[TFQKD_MAC_KEY_BYTES], const uint8_t otp[TFQKD_MAC_TAG_BYTES],
		  const void *msg, size_t len, uint8_t tag[TFQKD_MAC_TAG_BYTES])
{
	if (!hkey || !otp || !tag || (!msg && len) || len > TFQKD_MAC_MAX_LEN)
		return -EINVAL;
	compute(hkey, otp, msg, len, tag);
	return 0;
}

static int ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return ((diff - 1) >> 8) & 1;	/* 1 iff diff == 0, without a branch */
}

int tfqkd_mac_verify(const uint8_t hkey[TFQKD_MAC_KEY_BYTES],
		     const uint8_t otp[TFQKD_MAC_TAG_BYTES], const void *msg, size_t len,
		     const uint8_t tag[TFQKD_MAC_TAG_BYTES])
{
	uint8_t mine[TFQKD_MAC_TAG_BYTES];
	int ok;

	if (!hkey || !otp || !tag || (!msg && len) || len > TFQKD_MAC_MAX_LEN)
		return -EINVAL;
	compute(hkey, otp, msg, len, mine);
	ok = ct_equal(mine, tag, sizeof(mine));
	explicit_bzero(mine, sizeof(mine));
	return ok;
}

double tfqkd_mac_log2_forgery(size_t len)
{
	return tfqkd_polyhash_log2_eps(128, len * 8);
}

void tfqkd_mac_config_default(struct tfqkd_mac_config *c)
{
	c->rekey_every = 1u << 16;
	c->max_failures = 0;
}

struct direction {
	struct tfqkd_keypool pool;
	uint64_t ctr;			/* next counter */
	uint8_t hkey[TFQKD_MAC_KEY_BYTES];
	int have_hkey;			/* hkey is the key of ctr's epoch */
	uint8_t otp[TFQKD_MAC_TAG_BYTES];
	int have_otp;			/* otp belongs to ctr (receive side only) */
};

struct tfqkd_mac_session {
	struct tfqkd_mac_config cfg;
	struct direction tx, rx;
	uint64_t failures, key_bytes;
	int closed;
};

int tfqkd_mac_session_new(struct tfqkd_mac_session **out, const struct tfqkd_keypool *tx,
			  const struct tfqkd_keypool *rx, const struct tfqkd_mac_config *cfg)
{
	struct tfqkd_mac_session *s;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!tx || !rx || !tx->take || !rx->take ||
	    (tx->ctx == rx->ctx && tx->take == rx->take) || (cfg && !cfg->rekey_every))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (cfg)
		s->cfg = *cfg;
	else
		tfqkd_mac_config_default(&s->cfg);
	s->tx.pool = *tx;
	s->rx.pool = *rx;
	*out = s;
	return 0;
}

/*
 * Make sure @d holds the hash key and one-time pad of counter d->ctr, drawing from the
 * pool in the fixed order [hash key at the start of each epoch] [pad]. All or nothing.
 */
static int draw(struct tfqkd_mac_session *s, struct direction *d)
{
	uint8_t buf[TFQKD_MAC_KEY_BYTES + TFQKD_MAC_TAG_BYTES];
	int need_key = !d->have_hkey || (d->ctr && d->ctr % s->cfg.rekey_every == 0);
	size_t n;
	int ret;

	if (d->have_otp)
		return 0;
	n = (need_key ? TFQKD_MAC_KEY_BYTES : 0) + TFQKD_MAC_TAG_BYTES;
	ret = tfqkd_keypool_take(&d->pool, buf, n);
	if (ret)
		return ret;
	if (need_key)
		memcpy(d->hkey, buf, TFQKD_MAC_KEY_BYTES);
	memcpy(d->otp, buf + (need_key ? TFQKD_MAC_KEY_BYTES : 0), TFQKD_MAC_TAG_BYTES);
	d->have_hkey = 1;
	d->have_otp = 1;
	s->key_bytes += n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static void wipe_keys(struct direction *d)
{
	explicit_bzero(d->hkey, sizeof(d->hkey));
	explicit_bzero(d->otp, sizeof(d->otp));
	d->have_hkey = d->have_otp = 0;
}

/* the pad of d->ctr is spent: forget it and move on */
static void advance(struct direction *d)
{
	explicit_bzero(d->otp, sizeof(d->otp));
	d->have_otp = 0;
	d->ctr++;
}

long tfqkd_mac_seal(struct tfqkd_mac_session *s, const void *msg, size_t len, void *out,
		    size_t outlen)
{
	uint8_t *o = out;
	int ret;

	if (!s || !out || (!msg && len))
		return -EINVAL;
	if (s->closed)
		return -EKEYREVOKED;
	if (len > TFQKD_MAC_MAX_LEN || outlen < len + TFQKD_MAC_OVERHEAD)
		return -EMSGSIZE;
	if (s->tx.ctr == UINT64_MAX)
		return -EKEYREVOKED;	/* counter exhausted */
	ret = draw(s, &s->tx);
	if (ret)
		return ret;
	put_le64(o, s->tx.ctr);
	if (len)
		memcpy(o + TFQKD_MAC_CTR_BYTES, msg, len);
	compute(s->tx.hkey, s->tx.otp, o, TFQKD_MAC_CTR_BYTES + len,
		o + TFQKD_MAC_CTR_BYTES + len);
	advance(&s->tx);
	return (long)(len + TFQKD_MAC_OVERHEAD);
}

int tfqkd_mac_open(struct tfqkd_mac_session *s, const void *in, size_t inlen,
		   const void **msg, size_t *len)
{
	const uint8_t *p = in;
	uint8_t mine[TFQKD_MAC_TAG_BYTES];
	size_t mlen;
	uint64_t ctr;
	int ret, ok;

	if (!s || !in || !msg || !len)
		return -EINVAL;
	if (s->closed)
		return -EKEYREVOKED;
	if (inlen < TFQKD_MAC_OVERHEAD || inlen - TFQKD_MAC_OVERHEAD > TFQKD_MAC_MAX_LEN)
		return -EINVAL;
	mlen = inlen - TFQKD_MAC_OVERHEAD;
	ctr = le64(p);
	if (ctr < s->rx.ctr)
		return -EALREADY;
	if (ctr > s->rx.ctr)
		return -EPROTO;
	ret = draw(s, &s->rx);
	if (ret)
		return ret;
	compute(s->rx.hkey, s->rx.otp, p, TFQKD_MAC_CTR_BYTES + mlen, mine);
	ok = ct_equal(mine, p + TFQKD_MAC_CTR_BYTES + mlen, sizeof(mine));
	explicit_bzero(mine, sizeof(mine));
	if (!ok) {
		/* keep the pad: the genuine message may still come; count the attempt */
		if (++s->failures > s->cfg.max_failures) {
			s->closed = 1;
			wipe_keys(&s->tx);
			wipe_keys(&s->rx);
		}
		return -EBADMSG;
	}
	advance(&s->rx);
	*msg = p + TFQKD_MAC_CTR_BYTES;
	*len = mlen;
	return 0;
}

void tfqkd_mac_session_stats(const struct tfqkd_mac_session *s, struct tfqkd_mac_stats *st)
{
	st->sent = s->tx.ctr;
	st->received = s->rx.ctr;
	st->failures = s->failures;
	st->key_bytes = s->key_bytes;
	st->closed = s->closed;
}

void tfqkd_mac_session_free(struct tfqkd_mac_session *s)
{
	if (!s)
		return;
	explicit_bzero(s, sizeof(*s));
	free(s);
}
