/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tfqkd/ec.h - one-way, rate-adaptive LDPC reconciliation with blind reveal rounds and
 * error verification, as messages a daemon carries over its (authenticated) classical
 * channel.
 *
 * Protocol (Documentation/tfqkd/postprocessing.rst has the details):
 *
 *   Alice                                             Bob
 *   SYNDROME: code parameters, q estimate,  ------>   decode (belief propagation)
 *             syndrome of [key | punctured bits],
 *             verification hash key and tag
 *                                          <------   RESULT ok | fail   (done)
 *                                    or    <------   MORE (round r)
 *   REVEAL:   values of the next punctured  ------>   continue decoding ...
 *             bits
 *
 * The code is chosen from the QBER estimate: the smallest base-row count mb whose
 * syndrome, with p bits punctured, leaks f_start * n * h(q), keeping p large enough for
 * the reveal rounds; each reveal round discloses f_step * n * h(q) more. By default
 * f_start follows a calibration table of the code family (just above where it decodes). Leakage is
 * counted exactly: M - p syndrome bits, every revealed bit, the verification tag, and one
 * bit per reply of Bob (the outcome of each round).
 *
 * A frame's key can be read only after verification succeeded (Bob: his decoded key
 * hashed to Alice's tag; Alice: Bob said so). A failed frame wipes its key; the getters
 * then return -EPERM.
 *
 * Messages are little-endian byte strings allocated by the library (free them with
 * tfqkd_ec_msg_free()). Every received message is validated; a malformed one is rejected
 * with -EBADMSG and changes nothing. Nothing here authenticates the peer: carry the
 * messages over an authenticated channel (tfqkd/mac.h).
 */
#ifndef TFQKD_EC_H
#define TFQKD_EC_H

#include <stddef.h>
#include <stdint.h>

#include "tfqkd/rng.h"

/**
 * struct tfqkd_ec_params - configuration both parties must share
 * @z: lifting size; frames use codes of N = 256 z bits (a multiple of 64, <= 65536)
 * @seed: public seed of the codes and puncturing patterns
 * @f_start: efficiency of the first syndrome (leak / (n h(q))), >= 0.5; 0 = automatic:
 *           where the family's codes decode most frames in one round (calibrated by QBER)
 * @f_step: efficiency added by each reveal round, >= 0
 * @max_rounds: messages from Alice at most (1 = strictly one-way), 1..16
 * @iter_first: decoder iteration limit in the first round
 * @iter_more: iteration limit in each later round (the decoder continues)
 * @verify_bits: verification tag length, 64 or 128
 * @cpu: TFQKD_CPU_* features the decoder may use (TFQKD_CPU_ALL normally)
 */
struct tfqkd_ec_params {
	unsigned z;
	uint64_t seed;
	double f_start;
	double f_step;
	unsigned max_rounds;
	unsigned iter_first;
	unsigned iter_more;
	unsigned verify_bits;
	unsigned cpu;
};

/**
 * tfqkd_ec_params_default() - defaults: N = 2^20, automatic f_start, f_step 0.015,
 * 4 rounds, 80 + 40 iterations, 64-bit tags
 * @p: filled in
 */
void tfqkd_ec_params_default(struct tfqkd_ec_params *p);

/**
 * struct tfqkd_ec_plan - how a frame is reconciled at a given QBER estimate
 * @n: key bits per frame (take exactly this many bits for each frame)
 * @code_n: code length N
 * @code_m: syndrome length M
 * @mb: base rows of the code
 * @z: lifting size
 * @punct: punctured bits p
 * @reveal: bits revealed per later round
 * @rounds: rounds available (1 + reveal rounds)
 * @qber: the estimate it was made for
 * @f_start: efficiency of the first syndrome, (M - p) / (n h(q))
 */
struct tfqkd_ec_plan {
	size_t n, code_n, code_m;
	unsigned mb, z, punct, reveal, rounds;
	double qber, f_start;
};

/**
 * struct tfqkd_ec_stats - what a frame cost
 * @n: key bits
 * @leak_syndrome: M - p
 * @leak_reveal: punctured bits revealed
 * @leak_verify: verification tag bits
 * @leak_flags: outcome bits (one per reply of Bob)
 * @leak_total: sum of the four; subtract it in the finite-key length
 * @rounds: messages from Alice (= round trips)
 * @iterations: decoder iterations (Bob only)
 * @qber: QBER estimate used
 * @f: (leak_syndrome + leak_reveal) / (n h(qber))
 */
struct tfqkd_ec_stats {
	size_t n, leak_syndrome, leak_reveal, leak_verify, leak_flags, leak_total;
	unsigned rounds, iterations;
	double qber, f;
};

enum tfqkd_ec_state {
	TFQKD_EC_PENDING = 0,	/* waiting for the peer */
	TFQKD_EC_DONE = 1,	/* verified: the key may be read */
	TFQKD_EC_FAILED = 2,	/* discarded for good */
};

/**
 * struct tfqkd_ec_msg - a message to send
 * @data: bytes (owned by the holder; release with tfqkd_ec_msg_free())
 * @len: length
 */
struct tfqkd_ec_msg {
	uint8_t *data;
	size_t len;
};

/**
 * tfqkd_ec_msg_free() - release a message and zero the struct (NULL is ignored)
 * @m: the message
 */
void tfqkd_ec_msg_free(struct tfqkd_ec_msg *m);

/**
 * tfqkd_ec_msg_peek() - type and frame of a received message, for dispatching
 * @data: message
 * @len: its length
 * @type: receives 1 (SYNDROME), 2 (MORE), 3 (REVEAL) or 4 (RESULT)
 * @frame: receives the frame id
 *
 * Return: 0 or -EBADMSG (too short, unknown version or type).
 */
int tfqkd_ec_msg_peek(const void *data, size_t len, unsigned *type, uint64_t *frame);

/**
 * tfqkd_ec_auto_f() - the first-round efficiency used when tfqkd_ec_params.f_start is 0
 * @qber: QBER estimate
 *
 * Calibrated on frames of N = 2^20 bits: the family decodes most frames in one round at
 * this efficiency. For planning, the mean efficiency of the default protocol is about this
 * value plus 0.005 (see Documentation/tfqkd/postprocessing.rst for measurements).
 * Return: the efficiency (>= 1).
 */
double tfqkd_ec_auto_f(double qber);

struct tfqkd_ec;

/**
 * tfqkd_ec_new() - a reconciliation context (caches codes and decoders)
 * @ec: receives the context
 * @params: configuration (copied)
 *
 * A context and its frames must be used by one thread at a time. Free every frame
 * before the context.
 * Return: 0, -EINVAL (bad parameters), -ENOMEM.
 */
int tfqkd_ec_new(struct tfqkd_ec **ec, const struct tfqkd_ec_params *params);

/**
 * tfqkd_ec_free() - release a context (NULL is ignored)
 * @ec: the context
 */
void tfqkd_ec_free(struct tfqkd_ec *ec);

/**
 * tfqkd_ec_plan() - choose code, puncturing and reveal sizes for a QBER estimate
 * @ec: context
 * @qber: estimated bit error rate, 0 < qber < 0.5
 * @plan: filled in
 *
 * Return: 0, -EINVAL, -ERANGE (no code of the family reaches this QBER), -ENOMEM.
 */
int tfqkd_ec_plan(struct tfqkd_ec *ec, double qber, struct tfqkd_ec_plan *plan);

struct tfqkd_ec_alice;
struct tfqkd_ec_bob;

/**
 * tfqkd_ec_alice_new() - start a frame on Alice's side and produce its SYNDROME message
 * @ec: context
 * @plan: from tfqkd_ec_plan() on this context
 * @frame: frame id (echoed in every message)
 * @key: plan->n key bits (copied; wipe your copy)
 * @rng: source of the punctured bits and the verification hash key
 * @out: receives the frame
 * @msg: receives the message to send to Bob
 *
 * Return: 0, -EINVAL, -ENOMEM, or the error of @rng.
 */
int tfqkd_ec_alice_new(struct tfqkd_ec *ec, const struct tfqkd_ec_plan *plan, uint64_t frame,
		       const uint64_t *key, const struct tfqkd_rng *rng,
		       struct tfqkd_ec_alice **out, struct tfqkd_ec_msg *msg);

/**
 * tfqkd_ec_alice_recv() - process a message from Bob (MORE or RESULT)
 * @a: the frame
 * @data: message
 * @len: length
 * @reply: receives a REVEAL message to send, or an empty message (data NULL)
 *
 * Return: the new state (enum tfqkd_ec_state), -EBADMSG (malformed, wrong frame or not
 * expected now; nothing changed), -EINVAL, -ENOMEM.
 */
int tfqkd_ec_alice_recv(struct tfqkd_ec_alice *a, const void *data, size_t len,
			struct tfqkd_ec_msg *reply);

/**
 * tfqkd_ec_alice_key() - the reconciled key, once Bob confirmed verification
 * @a: the frame
 * @key: receives n bits
 *
 * Return: 0, -EAGAIN (still pending), -EPERM (failed: the key was wiped).
 */
int tfqkd_ec_alice_key(const struct tfqkd_ec_alice *a, uint64_t *key);

/**
 * tfqkd_ec_alice_state() - state of the frame
 * @a: the frame
 */
enum tfqkd_ec_state tfqkd_ec_alice_state(const struct tfqkd_ec_alice *a);

/**
 * tfqkd_ec_alice_stats() - leakage and rounds so far
 * @a: the frame
 * @st: filled in
 */
void tfqkd_ec_alice_stats(const struct tfqkd_ec_alice *a, struct tfqkd_ec_stats *st);

/**
 * tfqkd_ec_alice_free() - wipe and release a frame (NULL is ignored)
 * @a: the frame
 */
void tfqkd_ec_alice_free(struct tfqkd_ec_alice *a);

/**
 * tfqkd_ec_bob_new() - start a frame on Bob's side from Alice's SYNDROME message
 * @ec: context (same parameters as Alice's)
 * @data: the SYNDROME message
 * @len: its length
 * @key: Bob's n noisy key bits (n announced in the message; copied)
 * @nbits: length of @key, must equal that n
 * @out: receives the frame (also when the frame failed at once)
 * @reply: receives the message to send back (RESULT or MORE)
 *
 * Decodes at once. Return: the state, -EBADMSG (malformed, or parameters that differ
 * from this context's), -EPROTONOSUPPORT (the message is for another version of the code
 * family, TFQKD_LDPC_FAMILY: the peer runs an older or newer library; only the same
 * version interoperates), -EINVAL (e.g. @nbits differs), -ENOMEM.
 */
int tfqkd_ec_bob_new(struct tfqkd_ec *ec, const void *data, size_t len, const uint64_t *key,
		     size_t nbits, struct tfqkd_ec_bob **out, struct tfqkd_ec_msg *reply);

/**
 * tfqkd_ec_bob_recv() - process a REVEAL message and continue decoding
 * @b: the frame
 * @data: message
 * @len: length
 * @reply: receives RESULT or MORE
 *
 * Return: the new state, -EBADMSG (nothing changed), -EINVAL, -ENOMEM.
 */
int tfqkd_ec_bob_recv(struct tfqkd_ec_bob *b, const void *data, size_t len,
		      struct tfqkd_ec_msg *reply);

/**
 * tfqkd_ec_bob_key() - Bob's corrected key, after successful verification
 * @b: the frame
 * @key: receives n bits
 *
 * Return: 0, -EAGAIN (pending), -EPERM (failed: the decoded bits were wiped).
 */
int tfqkd_ec_bob_key(const struct tfqkd_ec_bob *b, uint64_t *key);

/**
 * tfqkd_ec_bob_state() - state of the frame
 * @b: the frame
 */
enum tfqkd_ec_state tfqkd_ec_bob_state(const struct tfqkd_ec_bob *b);

/**
 * tfqkd_ec_bob_stats() - leakage, rounds and decoder iterations so far
 * @b: the frame
 * @st: filled in
 */
void tfqkd_ec_bob_stats(const struct tfqkd_ec_bob *b, struct tfqkd_ec_stats *st);

/**
 * tfqkd_ec_bob_free() - wipe and release a frame (NULL is ignored)
 * @b: the frame
 */
void tfqkd_ec_bob_free(struct tfqkd_ec_bob *b);

#endif /* TFQKD_EC_H */
