// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Rate-adaptive syndrome reconciliation with blind reveal rounds (see tfqkd/ec.h and
 * Documentation/tfqkd/postprocessing.rst).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tfqkd/ec.h"
#include "tfqkd/gf2.h"
#include "tfqkd/ldpc.h"
#include "tfqkd/verify.h"

#define EC_VERSION	1
#define EC_MAX_MB	TFQKD_LDPC_MBMAX
#define EC_MAX_ROUNDS	16
#define HDR		12

enum { MSG_SYNDROME = 1, MSG_MORE = 2, MSG_REVEAL = 3, MSG_RESULT = 4 };
enum { RES_OK = 0, RES_FAIL = 1 };

/* per base-row-count cache: code, puncturing order, idle decoders */
struct ec_code {
	struct tfqkd_ldpc_code *code;
	uint32_t *pos;		/* untainted positions in puncturing order */
	size_t npos;
	struct tfqkd_ldpc_dec **idle;
	unsigned nidle, cap;
};

struct tfqkd_ec {
	struct tfqkd_ec_params p;
	size_t n;		/* code length */
	struct ec_code codes[EC_MAX_MB + 1];
};

struct frame_common {
	struct tfqkd_ec *ec;
	struct ec_code *cc;
	uint64_t frame;
	struct tfqkd_ec_plan plan;
	enum tfqkd_ec_state state;
	unsigned round;		/* rounds done (messages from Alice) */
	size_t revealed;
	unsigned flags;		/* replies of Bob */
	uint64_t *pmask;	/* punctured positions, code_n bits */
	uint64_t *key;		/* n bits; wiped on failure */
	size_t keywords;
	struct tfqkd_verify_tag tag;
};

struct tfqkd_ec_alice {
	struct frame_common c;
	uint64_t *x;		/* the full code word [key | punctured] */
};

struct tfqkd_ec_bob {
	struct frame_common c;
	struct tfqkd_ldpc_dec *dec;
	uint64_t *known;	/* values of revealed bits (code_n bits) */
	uint64_t *xhat;		/* scratch: decoded code word */
	unsigned iterations;
};

/* ---- little-endian helpers ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* bits [0, nbits) of v as ceil(nbits/8) bytes */
static void put_bits(uint8_t *p, const uint64_t *v, size_t nbits)
{
	for (size_t i = 0; i < (nbits + 7) / 8; i++)
		p[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
	if (nbits % 8)
		p[(nbits + 7) / 8 - 1] &= (uint8_t)((1u << (nbits % 8)) - 1);
}

static void get_bits(uint64_t *v, const uint8_t *p, size_t nbits)
{
	memset(v, 0, (nbits + 63) / 64 * 8);
	for (size_t i = 0; i < (nbits + 7) / 8; i++)
		v[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
	if (nbits % 64)
		v[nbits / 64] &= (1ULL << (nbits % 64)) - 1;
}

static inline int bit(const uint64_t *v, size_t i)
{
	return (int)((v[i / 64] >> (i % 64)) & 1);
}

static inline void setbit(uint64_t *v, size_t i, int b)
{
	v[i / 64] = (v[i / 64] & ~(1ULL << (i % 64))) | ((uint64_t)(b & 1) << (i % 64));
}

static int new_msg(struct tfqkd_ec_msg *m, size_t len, unsigned type, uint64_t frame)
{
	m->data = calloc(1, len);
	m->len = len;
	if (!m->data) {
		m->len = 0;
		return -ENOMEM;
	}
	m->data[0] = EC_VERSION;
	m->data[1] = (uint8_t)type;
	put64(m->data + 4, frame);
	return 0;
}

void tfqkd_ec_msg_free(struct tfqkd_ec_msg *m)
{
	if (!m)
		return;
	free(m->data);
	m->data = NULL;
	m->len = 0;
}

int tfqkd_ec_msg_peek(const void *data, size_t len, unsigned *type, uint64_t *frame)
{
	const uint8_t *p = data;

	if (!p || len < HDR || p[0] != EC_VERSION || p[1] < MSG_SYNDROME || p[1] > MSG_RESULT ||
	    get16(p + 2))
		return -EBADMSG;
	if (type)
		*type = p[1];
	if (frame)
		*frame = get64(p + 4);
	return 0;
}

/* ---- context ---- */

static double h2(double x)
{
	if (x <= 0 || x >= 1)
		return 0;
	return -x * log2(x) - (1 - x) * log2(1 - x);
}

/*
 * First-round efficiency by QBER when tfqkd_ec_params.f_start is 0: the lowest mean
 * efficiency of the default protocol on frames of N = 2^20 bits, found by trying
 * first-round efficiencies around the one-round waterfall (bench/bench_ec.c with
 * TFQKD_EC_SWEEP and TFQKD_EC_FSTART; see Documentation/tfqkd/postprocessing.rst).
 * Starting lower only adds rounds. Linear in between, constant outside. Measured for code
 * family 2 (differences below 0.0015 in the mean counted as ties, won by the faster; at
 * q = 0.01 and 0.03 the value 0.005 lower saves 0.003 in f but costs 15-20 % of the
 * throughput, which would make frames slower than with family 1: not taken).
 */
static const struct {
	double q, f;
} auto_f[] = {
	{ 0.01, 1.11 }, { 0.02, 1.09 }, { 0.03, 1.085 }, { 0.04, 1.09 }, { 0.05, 1.08 },
	{ 0.08, 1.09 },
	{ 0.11, 1.10 }, { 0.15, 1.10 }, { 0.20, 1.10 }, { 0.25, 1.11 },
};

double tfqkd_ec_auto_f(double q)
{
	size_t n = sizeof(auto_f) / sizeof(auto_f[0]);

	if (q <= auto_f[0].q)
		return auto_f[0].f;
	for (size_t i = 1; i < n; i++)
		if (q <= auto_f[i].q)
			return auto_f[i - 1].f + (auto_f[i].f - auto_f[i - 1].f) *
				(q - auto_f[i - 1].q) / (auto_f[i].q - auto_f[i - 1].q);
	return auto_f[n - 1].f;
}

void tfqkd_ec_params_default(struct tfqkd_ec_params *p)
{
	p->z = 4096;
	p->seed = 0x7466716b642d6563ULL;
	p->f_start = 0;
	p->f_step = 0.015;
	p->max_rounds = 4;
	p->iter_first = 80;
	p->iter_more = 40;
	p->verify_bits = 64;
	p->cpu = TFQKD_CPU_ALL;
}

int tfqkd_ec_new(struct tfqkd_ec **out, const struct tfqkd_ec_params *params)
{
	struct tfqkd_ec *ec;

	if (!out || !params)
		return -EINVAL;
	*out = NULL;
	if (params->z < TFQKD_LDPC_ZALIGN || params->z > TFQKD_LDPC_ZMAX ||
	    params->z % TFQKD_LDPC_ZALIGN ||
	    !(params->f_start == 0 || (params->f_start >= 0.5 && params->f_start <= 4)) ||
	    !(params->f_step >= 0 && params->f_step <= 1) || !params->max_rounds ||
	    params->max_rounds > EC_MAX_ROUNDS || !params->iter_first ||
	    (params->verify_bits != 64 && params->verify_bits != 128))
		return -EINVAL;
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return -ENOMEM;
	ec->p = *params;
	ec->n = (size_t)TFQKD_LDPC_NB * params->z;
	*out = ec;
	return 0;
}

void tfqkd_ec_free(struct tfqkd_ec *ec)
{
	if (!ec)
		return;
	for (unsigned mb = 0; mb <= EC_MAX_MB; mb++) {
		struct ec_code *cc = &ec->codes[mb];

		for (unsigned i = 0; i < cc->nidle; i++)
			tfqkd_ldpc_dec_free(cc->idle[i]);
		free(cc->idle);
		free(cc->pos);
		tfqkd_ldpc_code_free(cc->code);
	}
	free(ec);
}

static struct ec_code *get_code(struct tfqkd_ec *ec, unsigned mb, int *err)
{
	struct ec_code *cc = &ec->codes[mb];
	long np;

	*err = 0;
	if (cc->code)
		return cc;
	*err = tfqkd_ldpc_code_new(&cc->code, mb, ec->p.z, ec->p.seed);
	if (*err)
		return NULL;
	cc->pos = malloc(sizeof(*cc->pos) * ec->n);
	if (!cc->pos) {
		*err = -ENOMEM;
		goto fail;
	}
	np = tfqkd_ldpc_puncture_order(cc->code, ec->p.seed, cc->pos, ec->n);
	if (np < 0) {
		*err = (int)np;
		goto fail;
	}
	cc->npos = (size_t)np;
	return cc;
fail:
	free(cc->pos);
	cc->pos = NULL;
	tfqkd_ldpc_code_free(cc->code);
	cc->code = NULL;
	return NULL;
}

int tfqkd_ec_plan(struct tfqkd_ec *ec, double q, struct tfqkd_ec_plan *plan)
{
	double h, fs;
	size_t big_n;
	int err;

	if (!ec || !plan || !(q > 0 && q < 0.5))
		return -EINVAL;
	/* the estimate travels as a 32-bit fraction: plan with exactly what Bob will see */
	q = (double)llround(q * 4294967296.0) / 4294967296.0;
	if (!(q > 0 && q < 0.5))
		return -EINVAL;
	h = h2(q);
	fs = ec->p.f_start ? ec->p.f_start : tfqkd_ec_auto_f(q);
	big_n = ec->n;
	if (fs * h >= 1)
		return -ERANGE;
	for (unsigned mb = TFQKD_LDPC_MBMIN; mb <= EC_MAX_MB; mb++) {
		size_t m = (size_t)mb * ec->p.z, n, reveal = 0, p;
		double pd = ((double)m - fs * h * (double)big_n) / (1 - fs * h);
		struct ec_code *cc;

		if (pd < 0)
			continue;
		p = (size_t)floor(pd);
		n = big_n - p;
		if (ec->p.max_rounds > 1) {
			reveal = (size_t)ceil(ec->p.f_step * h * (double)n);
			if (!reveal)
				reveal = 1;
		}
		if (p < reveal * (ec->p.max_rounds - 1))
			continue;
		cc = get_code(ec, mb, &err);
		if (!cc)
			return err;
		if (p > cc->npos)
			continue;	/* not enough independent positions: take more rows */
		plan->n = n;
		plan->code_n = big_n;
		plan->code_m = m;
		plan->mb = mb;
		plan->z = ec->p.z;
		plan->punct = (unsigned)p;
		plan->reveal = (unsigned)reveal;
		plan->rounds = ec->p.max_rounds;
		plan->qber = q;
		plan->f_start = (double)(m - p) / ((double)n * h);
		return 0;
	}
	return -ERANGE;
}

/* punctured-position mask of the first @p positions of the order */
static uint64_t *punct_mask(const struct ec_code *cc, size_t nbits, size_t p)
{
	uint64_t *m = calloc((nbits + 63) / 64, sizeof(*m));

	if (!m)
		return NULL;
	for (size_t i = 0; i < p; i++)
		m[cc->pos[i] / 64] |= 1ULL << (cc->pos[i] % 64);
	return m;
}

/* the @cnt (0..64) bits of the bit string @v starting at bit @k, in the low bits */
static inline uint64_t take_bits(const uint64_t *v, size_t k, unsigned cnt)
{
	unsigned off = k % 64;
	uint64_t w;

	if (!cnt)
		return 0;
	w = v[k / 64] >> off;
	if (off && off + cnt > 64)
		w |= v[k / 64 + 1] << (64 - off);
	return cnt == 64 ? w : w & ((1ULL << cnt) - 1);
}

/* append the low @cnt (0..64) bits of @w to the bit string @v at bit @k (bits above unset) */
static inline void append_bits(uint64_t *v, size_t k, uint64_t w, unsigned cnt)
{
	unsigned off = k % 64;

	if (!cnt)
		return;
	if (!off)
		v[k / 64] = w;
	else
		v[k / 64] |= w << off;
	if (off && off + cnt > 64)
		v[k / 64 + 1] = w >> (64 - off);
}

/* insert a zero at every set bit of @m (low to high): the inverse of squeeze() */
static inline uint64_t expand(uint64_t v, uint64_t m)
{
	while (m) {
		uint64_t low = (m & -m) - 1;

		v = (v & low) | (v & ~low) << 1;
		m &= m - 1;
	}
	return v;
}

/* remove the bits at the set bits of @m (high to low), the rest moves down */
static inline uint64_t squeeze(uint64_t v, uint64_t m)
{
	while (m) {
		unsigned b = 63 - (unsigned)__builtin_clzll(m);
		uint64_t low = (1ULL << b) - 1;

		v = (v & low) | ((v >> 1) & ~low);
		m &= low;
	}
	return v;
}

/* key bits in order at the positions not in @pm, punctured ones from @fill */
static void spread(uint64_t *x, const uint64_t *key, const uint64_t *pm, const uint64_t *fill,
		   size_t nbits)
{
	size_t k = 0, fi = 0;

	for (size_t w = 0; w < (nbits + 63) / 64; w++) {
		unsigned lim = nbits - 64 * w < 64 ? (unsigned)(nbits - 64 * w) : 64;
		uint64_t all = lim == 64 ? ~0ULL : (1ULL << lim) - 1, m = pm[w] & all;
		unsigned np = (unsigned)__builtin_popcountll(m), nk = lim - np;
		uint64_t kv = expand(take_bits(key, k, nk), m), fv = take_bits(fill, fi, np);

		/* the fill bits go to the punctured positions, in order */
		for (uint64_t mm = m; mm; mm &= mm - 1, fv >>= 1)
			kv |= (fv & 1) << __builtin_ctzll(mm);
		x[w] = kv & all;
		k += nk;
		fi += np;
	}
}

/* the bits of @x at the positions not in @pm, in order (the key) */
static void gather(uint64_t *key, const uint64_t *x, const uint64_t *pm, size_t nbits)
{
	size_t k = 0;

	for (size_t w = 0; w < (nbits + 63) / 64; w++) {
		unsigned lim = nbits - 64 * w < 64 ? (unsigned)(nbits - 64 * w) : 64;
		uint64_t all = lim == 64 ? ~0ULL : (1ULL << lim) - 1, m = pm[w] & all;
		unsigned nk = lim - (unsigned)__builtin_popcountll(m);
		uint64_t v = squeeze(x[w] & all, m);

		append_bits(key, k, nk == 64 ? v : v & ((1ULL << nk) - 1), nk);
		k += nk;
	}
}

static void common_stats(const struct frame_common *c, struct tfqkd_ec_stats *st)
{
	double h = h2(c->plan.qber);

	memset(st, 0, sizeof(*st));
	st->n = c->plan.n;
	st->leak_syndrome = c->plan.code_m - c->plan.punct;
	st->leak_reveal = c->revealed;
	st->leak_verify = c->tag.bits;
	st->leak_flags = c->flags;
	st->leak_total = st->leak_syndrome + st->leak_reveal + st->leak_verify + st->leak_flags;
	st->rounds = c->round;
	st->qber = c->plan.qber;
	st->f = (double)(st->leak_syndrome + st->leak_reveal) / ((double)st->n * h);
}

static void fail_frame(struct frame_common *c)
{
	c->state = TFQKD_EC_FAILED;
	if (c->key)
		explicit_bzero(c->key, c->keywords * sizeof(*c->key));
}

static void free_common(struct frame_common *c)
{
	if (c->key)
		explicit_bzero(c->key, c->keywords * sizeof(*c->key));
	free(c->key);
	free(c->pmask);
}

/* range of the order revealed in round r (r >= 2): [p - (r-1) rev, p - (r-2) rev) */
static size_t reveal_start(const struct tfqkd_ec_plan *pl, unsigned r)
{
	return pl->punct - (size_t)(r - 1) * pl->reveal;
}

/* ---- Alice ---- */

#define SYN_FIXED (HDR + 4 + 4 + 4 + 8 + 4 * 4)

int tfqkd_ec_alice_new(struct tfqkd_ec *ec, const struct tfqkd_ec_plan *plan, uint64_t frame,
		       const uint64_t *key, const struct tfqkd_rng *rng,
		       struct tfqkd_ec_alice **out, struct tfqkd_ec_msg *msg)
{
	struct tfqkd_ec_alice *a = NULL;
	uint64_t *fill = NULL, *syn = NULL;
	struct ec_code *cc;
	size_t nb, vb, len;
	uint8_t *p;
	int ret;

	if (!ec || !plan || !key || !rng || !out || !msg)
		return -EINVAL;
	*out = NULL;
	msg->data = NULL;
	msg->len = 0;
	if (plan->z != ec->p.z || plan->code_n != ec->n || plan->mb < TFQKD_LDPC_MBMIN ||
	    plan->mb > EC_MAX_MB ||
	    plan->code_m != (size_t)plan->mb * ec->p.z || plan->n + plan->punct != ec->n ||
	    plan->rounds != ec->p.max_rounds ||
	    (size_t)plan->reveal * (plan->rounds - 1) > plan->punct ||
	    !(plan->qber > 0 && plan->qber < 0.5))
		return -EINVAL;
	cc = get_code(ec, plan->mb, &ret);
	if (!cc)
		return ret;
	if (plan->punct > cc->npos)
		return -EINVAL;
	nb = ec->n;
	vb = ec->p.verify_bits / 8;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->c.ec = ec;
	a->c.cc = cc;
	a->c.frame = frame;
	a->c.plan = *plan;
	a->c.keywords = (plan->n + 63) / 64;
	a->c.key = malloc(a->c.keywords * sizeof(uint64_t));
	a->c.pmask = punct_mask(cc, nb, plan->punct);
	a->x = calloc(nb / 64, sizeof(uint64_t));
	fill = calloc(plan->punct / 64 + 1, sizeof(uint64_t));
	syn = malloc(plan->code_m / 8);
	ret = -ENOMEM;
	if (!a->c.key || !a->c.pmask || !a->x || !fill || !syn)
		goto fail;
	memcpy(a->c.key, key, a->c.keywords * sizeof(uint64_t));
	if (plan->n % 64)
		a->c.key[a->c.keywords - 1] &= (1ULL << (plan->n % 64)) - 1;
	ret = tfqkd_rng_fill(rng, fill, (plan->punct + 7) / 8);
	if (ret)
		goto fail;
	spread(a->x, a->c.key, a->c.pmask, fill, nb);
	ret = tfqkd_ldpc_syndrome(cc->code, a->x, syn);
	if (ret)
		goto fail;
	ret = tfqkd_verify_make(rng, ec->p.verify_bits, a->c.key, plan->n, &a->c.tag);
	if (ret)
		goto fail;

	len = SYN_FIXED + 2 * vb + plan->code_m / 8;
	ret = new_msg(msg, len, MSG_SYNDROME, frame);
	if (ret)
		goto fail;
	p = msg->data + HDR;
	p[0] = TFQKD_LDPC_FAMILY;
	p[1] = (uint8_t)plan->rounds;
	p[2] = (uint8_t)vb;
	put16(p + 4, (uint16_t)plan->mb);
	put32(p + 8, plan->z);
	put64(p + 12, ec->p.seed);
	put32(p + 20, (uint32_t)plan->n);
	put32(p + 24, plan->punct);
	put32(p + 28, plan->reveal);
	put32(p + 32, (uint32_t)llround(plan->qber * 4294967296.0));
	p += SYN_FIXED - HDR;
	for (size_t i = 0; i < vb; i++) {
		p[i] = (uint8_t)(a->c.tag.key[i / 8] >> (8 * (i % 8)));
		p[vb + i] = (uint8_t)(a->c.tag.tag[i / 8] >> (8 * (i % 8)));
	}
	put_bits(p + 2 * vb, syn, plan->code_m);
	a->c.round = 1;
	a->c.state = TFQKD_EC_PENDING;
	explicit_bzero(fill, (plan->punct / 64 + 1) * sizeof(uint64_t));
	free(fill);
	free(syn);
	*out = a;
	return 0;
fail:
	tfqkd_ec_msg_free(msg);
	free(fill);
	free(syn);
	tfqkd_ec_alice_free(a);
	return ret;
}

int tfqkd_ec_alice_recv(struct tfqkd_ec_alice *a, const void *data, size_t len,
			struct tfqkd_ec_msg *reply)
{
	const uint8_t *m = data;
	unsigned type;
	uint64_t frame;
	int ret;

	if (!a || !reply)
		return -EINVAL;
	reply->data = NULL;
	reply->len = 0;
	if (tfqkd_ec_msg_peek(data, len, &type, &frame) || frame != a->c.frame ||
	    a->c.state != TFQKD_EC_PENDING)
		return -EBADMSG;
	if (type == MSG_RESULT) {
		if (len != HDR + 4 || (m[HDR] != RES_OK && m[HDR] != RES_FAIL) || m[HDR + 2] ||
		    m[HDR + 3])
			return -EBADMSG;
		a->c.flags++;
		if (m[HDR] == RES_OK)
			a->c.state = TFQKD_EC_DONE;
		else
			fail_frame(&a->c);
		explicit_bzero(a->x, a->c.ec->n / 8);
		return a->c.state;
	}
	if (type == MSG_MORE) {
		const struct tfqkd_ec_plan *pl = &a->c.plan;
		unsigned r;
		size_t s;
		uint8_t *p;

		if (len != HDR + 4 || m[HDR + 1] || m[HDR + 2] || m[HDR + 3])
			return -EBADMSG;
		r = m[HDR];
		if (r != a->c.round + 1 || r > pl->rounds)
			return -EBADMSG;
		ret = new_msg(reply, HDR + 8 + (pl->reveal + 7) / 8, MSG_REVEAL, a->c.frame);
		if (ret)
			return ret;
		p = reply->data + HDR;
		p[0] = (uint8_t)r;
		put32(p + 4, pl->reveal);
		s = reveal_start(pl, r);
		for (size_t i = 0; i < pl->reveal; i++)
			p[8 + i / 8] |= (uint8_t)(bit(a->x, a->c.cc->pos[s + i]) << (i % 8));
		a->c.flags++;
		a->c.round = r;
		a->c.revealed += pl->reveal;
		return a->c.state;
	}
	return -EBADMSG;
}

int tfqkd_ec_alice_key(const struct tfqkd_ec_alice *a, uint64_t *key)
{
	if (!a || !key)
		return -EINVAL;
	if (a->c.state == TFQKD_EC_PENDING)
		return -EAGAIN;
	if (a->c.state != TFQKD_EC_DONE)
		return -EPERM;
	memcpy(key, a->c.key, a->c.keywords * sizeof(*key));
	return 0;
}

enum tfqkd_ec_state tfqkd_ec_alice_state(const struct tfqkd_ec_alice *a)
{
	return a->c.state;
}

void tfqkd_ec_alice_stats(const struct tfqkd_ec_alice *a, struct tfqkd_ec_stats *st)
{
	common_stats(&a->c, st);
}

void tfqkd_ec_alice_free(struct tfqkd_ec_alice *a)
{
	if (!a)
		return;
	free_common(&a->c);
	if (a->x)
		explicit_bzero(a->x, a->c.ec->n / 8);
	free(a->x);
	free(a);
}

/* ---- Bob ---- */

static struct tfqkd_ldpc_dec *dec_get(struct tfqkd_ec *ec, struct ec_code *cc)
{
	struct tfqkd_ldpc_dec *d;

	if (cc->nidle)
		return cc->idle[--cc->nidle];
	if (tfqkd_ldpc_dec_new(&d, cc->code, ec->p.cpu))
		return NULL;
	return d;
}

static void dec_put(struct ec_code *cc, struct tfqkd_ldpc_dec *d)
{
	if (!d)
		return;
	if (cc->nidle == cc->cap) {
		unsigned nc = cc->cap ? 2 * cc->cap : 4;
		struct tfqkd_ldpc_dec **ni = realloc(cc->idle, nc * sizeof(*ni));

		if (!ni) {
			tfqkd_ldpc_dec_free(d);
			return;
		}
		cc->idle = ni;
		cc->cap = nc;
	}
	cc->idle[cc->nidle++] = d;
}

/* decode with @iters more iterations and build the reply */
static int bob_round(struct tfqkd_ec_bob *b, unsigned iters, struct tfqkd_ec_msg *reply)
{
	struct frame_common *c = &b->c;
	const struct tfqkd_ec_plan *pl = &c->plan;
	unsigned it = 0;
	int ok, ret;

	ok = tfqkd_ldpc_dec_run(b->dec, iters, &it);
	b->iterations += it;
	if (ok < 0)
		return ok;
	if (ok) {
		tfqkd_ldpc_dec_hard(b->dec, b->xhat);
		/* revealed bits must have kept their values */
		for (unsigned r = 2; r <= c->round && ok; r++)
			for (size_t i = 0, s = reveal_start(pl, r); i < pl->reveal; i++) {
				size_t pos = c->cc->pos[s + i];

				if (bit(b->xhat, pos) != bit(b->known, pos)) {
					ok = 0;
					break;
				}
			}
	}
	if (ok) {
		gather(c->key, b->xhat, c->pmask, c->ec->n);
		ok = tfqkd_verify_check(&c->tag, c->key, pl->n) == 1;
		ret = new_msg(reply, HDR + 4, MSG_RESULT, c->frame);
		if (ret)
			return ret;
		reply->data[HDR] = ok ? RES_OK : RES_FAIL;
		c->flags++;
		if (ok)
			c->state = TFQKD_EC_DONE;
		else
			fail_frame(c);
	} else if (c->round < pl->rounds) {
		ret = new_msg(reply, HDR + 4, MSG_MORE, c->frame);
		if (ret)
			return ret;
		reply->data[HDR] = (uint8_t)(c->round + 1);
		c->flags++;
	} else {
		ret = new_msg(reply, HDR + 4, MSG_RESULT, c->frame);
		if (ret)
			return ret;
		reply->data[HDR] = RES_FAIL;
		c->flags++;
		fail_frame(c);
	}
	explicit_bzero(b->xhat, c->ec->n / 8);
	if (c->state != TFQKD_EC_PENDING) {
		dec_put(c->cc, b->dec);
		b->dec = NULL;
	}
	return c->state;
}

int tfqkd_ec_bob_new(struct tfqkd_ec *ec, const void *data, size_t len, const uint64_t *key,
		     size_t nbits, struct tfqkd_ec_bob **out, struct tfqkd_ec_msg *reply)
{
	const uint8_t *m = data, *p;
	struct tfqkd_ec_bob *b = NULL;
	struct tfqkd_ec_plan pl, mine;
	struct ec_code *cc;
	unsigned type, vb;
	uint64_t frame, q32;
	uint64_t *syn = NULL;
	size_t nbig;
	int ret;

	if (!ec || !key || !out || !reply)
		return -EINVAL;
	*out = NULL;
	reply->data = NULL;
	reply->len = 0;
	if (tfqkd_ec_msg_peek(data, len, &type, &frame) || type != MSG_SYNDROME ||
	    len < SYN_FIXED)
		return -EBADMSG;
	p = m + HDR;
	/*
	 * Another version of the code construction (an older or newer peer): the codes, the
	 * calibration and possibly the layout differ. Not malformed, but nothing to decode.
	 */
	if (p[0] != TFQKD_LDPC_FAMILY)
		return -EPROTONOSUPPORT;
	nbig = ec->n;
	memset(&pl, 0, sizeof(pl));
	pl.rounds = p[1];
	vb = p[2];
	pl.mb = get16(p + 4);
	pl.z = get32(p + 8);
	pl.n = get32(p + 20);
	pl.punct = get32(p + 24);
	pl.reveal = get32(p + 28);
	q32 = get32(p + 32);
	pl.code_n = nbig;
	pl.code_m = (size_t)pl.mb * ec->p.z;
	pl.qber = (double)q32 / 4294967296.0;
	if (p[3] || get16(p + 6) || pl.z != ec->p.z ||
	    get64(p + 12) != ec->p.seed || vb * 8 != ec->p.verify_bits || !pl.rounds ||
	    pl.rounds != ec->p.max_rounds || pl.mb < TFQKD_LDPC_MBMIN || pl.mb > EC_MAX_MB ||
	    pl.n + pl.punct != nbig || (size_t)pl.reveal * (pl.rounds - 1) > pl.punct ||
	    !q32 || q32 >= 0x80000000u || len != SYN_FIXED + 2 * vb + pl.code_m / 8)
		return -EBADMSG;
	if (nbits != pl.n)
		return -EINVAL;
	/* the plan must be the one this configuration makes for that estimate */
	ret = tfqkd_ec_plan(ec, pl.qber, &mine);
	if (ret == -ENOMEM)
		return ret;
	if (ret || mine.mb != pl.mb || mine.punct != pl.punct || mine.reveal != pl.reveal ||
	    mine.n != pl.n)
		return -EBADMSG;
	pl = mine;
	cc = get_code(ec, pl.mb, &ret);
	if (!cc)
		return ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->c.ec = ec;
	b->c.cc = cc;
	b->c.frame = frame;
	b->c.plan = pl;
	b->c.keywords = (pl.n + 63) / 64;
	b->c.key = calloc(b->c.keywords, sizeof(uint64_t));
	b->c.pmask = punct_mask(cc, nbig, pl.punct);
	b->known = calloc(nbig / 64, sizeof(uint64_t));
	b->xhat = calloc(nbig / 64, sizeof(uint64_t));
	syn = malloc(pl.code_m / 8);
	ret = -ENOMEM;
	if (!b->c.key || !b->c.pmask || !b->known || !b->xhat || !syn)
		goto fail;
	b->c.tag.bits = ec->p.verify_bits;
	p = m + SYN_FIXED;
	for (size_t i = 0; i < vb; i++) {
		b->c.tag.key[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
		b->c.tag.tag[i / 8] |= (uint64_t)p[vb + i] << (8 * (i % 8));
	}
	get_bits(syn, p + 2 * vb, pl.code_m);
	b->dec = dec_get(ec, cc);
	if (!b->dec)
		goto fail;
	/* channel values: Bob's bits at the key positions, 0 at the punctured ones */
	for (size_t w = 0, k = 0; w < nbig / 64; w++) {
		uint64_t pw = b->c.pmask[w];
		unsigned nk = 64 - (unsigned)__builtin_popcountll(pw);

		b->xhat[w] = expand(take_bits(key, k, nk), pw);
		k += nk;
	}
	ret = tfqkd_ldpc_dec_start_bits(b->dec, b->xhat, b->c.pmask,
					tfqkd_ldpc_llr_of_qber(pl.qber), syn);
	explicit_bzero(b->xhat, nbig / 8);
	if (ret)
		goto fail;
	free(syn);
	syn = NULL;
	b->c.round = 1;
	b->c.state = TFQKD_EC_PENDING;
	ret = bob_round(b, ec->p.iter_first, reply);
	if (ret < 0)
		goto fail;
	*out = b;
	return ret;
fail:
	free(syn);
	tfqkd_ec_msg_free(reply);
	tfqkd_ec_bob_free(b);
	return ret;
}

int tfqkd_ec_bob_recv(struct tfqkd_ec_bob *b, const void *data, size_t len,
		      struct tfqkd_ec_msg *reply)
{
	const uint8_t *m = data;
	const struct tfqkd_ec_plan *pl;
	unsigned type, r;
	uint64_t frame;
	size_t s;

	if (!b || !reply)
		return -EINVAL;
	reply->data = NULL;
	reply->len = 0;
	pl = &b->c.plan;
	if (tfqkd_ec_msg_peek(data, len, &type, &frame) || type != MSG_REVEAL ||
	    frame != b->c.frame || b->c.state != TFQKD_EC_PENDING ||
	    len != HDR + 8 + (pl->reveal + 7) / 8)
		return -EBADMSG;
	r = m[HDR];
	if (r != b->c.round + 1 || r > pl->rounds || m[HDR + 1] || m[HDR + 2] || m[HDR + 3] ||
	    get32(m + HDR + 4) != pl->reveal)
		return -EBADMSG;
	if (pl->reveal % 8 && (m[HDR + 8 + pl->reveal / 8] >> (pl->reveal % 8)))
		return -EBADMSG;	/* padding bits must be zero */
	s = reveal_start(pl, r);
	for (size_t i = 0; i < pl->reveal; i++) {
		size_t pos = b->c.cc->pos[s + i];
		int v = (m[HDR + 8 + i / 8] >> (i % 8)) & 1;

		setbit(b->known, pos, v);
		tfqkd_ldpc_dec_fix(b->dec, pos, v);
	}
	b->c.round = r;
	b->c.revealed += pl->reveal;
	return bob_round(b, b->c.ec->p.iter_more, reply);
}

int tfqkd_ec_bob_key(const struct tfqkd_ec_bob *b, uint64_t *key)
{
	if (!b || !key)
		return -EINVAL;
	if (b->c.state == TFQKD_EC_PENDING)
		return -EAGAIN;
	if (b->c.state != TFQKD_EC_DONE)
		return -EPERM;
	memcpy(key, b->c.key, b->c.keywords * sizeof(*key));
	return 0;
}

enum tfqkd_ec_state tfqkd_ec_bob_state(const struct tfqkd_ec_bob *b)
{
	return b->c.state;
}

void tfqkd_ec_bob_stats(const struct tfqkd_ec_bob *b, struct tfqkd_ec_stats *st)
{
	common_stats(&b->c, st);
	st->iterations = b->iterations;
}

void tfqkd_ec_bob_free(struct tfqkd_ec_bob *b)
{
	if (!b)
		return;
	if (b->dec)
		dec_put(b->c.cc, b->dec);
	free_common(&b->c);
	if (b->known)
		explicit_bzero(b->known, b->c.ec->n / 8);
	free(b->known);
	free(b->xhat);
	free(b);
}
