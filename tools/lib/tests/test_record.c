// SPDX-License-Identifier: GPL-2.0-only
/*
 * Record decoding and slot unwrapping, against records assembled by hand from the
 * bit layouts of Documentation/hw/streams.rst, and the C2H test pattern against
 * published SplitMix64 outputs.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "qkdchip/qkdchip.h"

TEST(tag)
{
	struct qkd_record r;

	/* type 1, channel 3, reference band, fine 0x5a5 ps, slot 0x123456789a */
	ASSERT_EQ(0, qkd_record_decode(0x1385a5123456789aULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_TAG, r.type);
	EXPECT_EQ(3u, r.tag.channel);
	EXPECT_TRUE(r.tag.ref);
	EXPECT_EQ(1445u, r.tag.fine_ps);
	EXPECT_EQ(0x123456789aULL, r.slot);
	EXPECT_FALSE(r.slot_full);
	EXPECT_STREQ("tag", qkd_record_type_name(r.type));

	/* quantum band, channel 0, fine 0, slot 0 */
	ASSERT_EQ(0, qkd_record_decode(0x1000000000000000ULL, &r));
	EXPECT_FALSE(r.tag.ref);
	EXPECT_EQ(0u, r.tag.channel);
	EXPECT_EQ(0u, r.tag.fine_ps);
	EXPECT_EQ(0u, r.slot);
}

TEST(refcount)
{
	struct qkd_record r;

	/* unit 1, bucket 2, window 0x3ff, left saturated, right 12345 */
	ASSERT_EQ(0, qkd_record_decode(0x21bfffffffc03039ULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_REFCOUNT, r.type);
	EXPECT_EQ(1u, r.refcount.unit);
	EXPECT_EQ(2u, r.refcount.bucket);
	EXPECT_EQ(0x3ffu, r.refcount.window);
	EXPECT_EQ((uint32_t)QKDCHIP_REF_COUNT_MAX, r.refcount.left);
	EXPECT_EQ(12345u, r.refcount.right);
}

TEST(time_seed_event)
{
	struct qkd_record r;

	ASSERT_EQ(0, qkd_record_decode(0x31abcdef01234567ULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_TIME, r.type);
	EXPECT_EQ((unsigned int)QKDCHIP_TIME_FRAME, r.time.kind);
	EXPECT_EQ(0xabcdef01234567ULL, r.slot);
	EXPECT_TRUE(r.slot_full);
	EXPECT_STREQ("frame", qkd_time_kind_name(r.time.kind));

	/* word 5 of frame 0x1abcdef: 0xdeadbeef */
	ASSERT_EQ(0, qkd_record_decode(0x4babcdefdeadbeefULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_SEED, r.type);
	EXPECT_EQ(5u, r.seed.word);
	EXPECT_EQ(0x1abcdefULL, r.seed.frame);
	EXPECT_EQ(0xdeadbeefu, r.seed.data);

	/* event 12 (table switched) at slot 0x800000000001 */
	ASSERT_EQ(0, qkd_record_decode(0x700c800000000001ULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_EVENT, r.type);
	EXPECT_EQ((unsigned int)QKDCHIP_EV_TABLE_SWITCHED, r.event.code);
	EXPECT_EQ(0x800000000001ULL, r.slot);
	EXPECT_STREQ("table-switched", qkd_event_name(r.event.code));
}

TEST(loss_triples)
{
	struct qkd_record r;

	/* LOST count: reason stall, 123456789 records */
	ASSERT_EQ(0, qkd_record_decode(0x50200000075bcd15ULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_LOST, r.type);
	EXPECT_EQ((unsigned int)QKDCHIP_LOSS_COUNT_KIND, r.loss.kind);
	EXPECT_EQ((unsigned int)QKDCHIP_LOSS_STALL, r.loss.reason);
	EXPECT_EQ(123456789u, r.loss.count);
	EXPECT_FALSE(r.slot_full);
	EXPECT_STREQ("stall", qkd_loss_reason_name(r.loss.reason));

	/* LOST first at slot 0x123456789abc */
	ASSERT_EQ(0, qkd_record_decode(0x5100123456789abcULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_LOSS_FIRST_KIND, r.loss.kind);
	EXPECT_EQ(0x123456789abcULL, r.slot);
	EXPECT_TRUE(r.slot_full);

	/* UNDERRUN last at the largest slot */
	ASSERT_EQ(0, qkd_record_decode(0x62ffffffffffffffULL, &r));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_UNDERRUN, r.type);
	EXPECT_EQ((unsigned int)QKDCHIP_LOSS_LAST_KIND, r.loss.kind);
	EXPECT_EQ(0xffffffffffffffULL, r.slot);
	EXPECT_STREQ("last", qkd_loss_kind_name(r.loss.kind));

	/* the largest count: 52 bits */
	ASSERT_EQ(0, qkd_record_decode(0x500fffffffffffffULL, &r));
	EXPECT_EQ(0xfffffffffffffULL, r.loss.count);
	EXPECT_EQ(0u, r.loss.reason);
}

TEST(unknown_types)
{
	static const uint64_t raw[] = { 0, 0x0123456789abcdefULL, 0x8000000000000001ULL,
					0xffffffffffffffffULL };
	struct qkd_record r;
	unsigned int i;

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		EXPECT_EQ(-EINVAL, qkd_record_decode(raw[i], &r));
		EXPECT_EQ((unsigned int)(raw[i] >> 60), r.type);
		EXPECT_EQ(raw[i], r.raw);
		EXPECT_STREQ("unknown", qkd_record_type_name(r.type));
	}
}

static struct qkd_record decode(uint64_t raw)
{
	struct qkd_record r;

	qkd_record_decode(raw, &r);
	return r;
}

#define TAG(slot40)	(1ULL << 60 | (slot40))
#define TIME(kind, slot) (3ULL << 60 | (uint64_t)(kind) << 56 | (slot))
#define EVENT(code, slot48) (7ULL << 60 | (uint64_t)(code) << 48 | (slot48))

TEST(unwrap_tags_and_events)
{
	struct qkd_unwrap u;
	struct qkd_record r;

	qkd_unwrap_init(&u, 0, 0, 0);
	/* before any TIME record: from the base */
	r = decode(TAG(0x7));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(7u, r.slot);
	EXPECT_TRUE(r.slot_full);

	/* t = 0x123fffffff0: 0x1 above the 40 bits, 0x23fffffff0 below */
	r = decode(TIME(QKDCHIP_TIME_HEARTBEAT, 0x123fffffff0ULL));
	qkd_unwrap(&u, &r);
	r = decode(TAG(0x23fffffff5ULL));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x123fffffff5ULL, r.slot);
	r = decode(TAG(0x3));		/* low bits wrapped: the next 2^40 */
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x20000000003ULL, r.slot);
	r = decode(TAG(0x23fffffff0ULL));	/* the TIME record's own slot */
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x123fffffff0ULL, r.slot);

	/* events carry 48 bits: t = 2^48 + 0x10 */
	r = decode(TIME(QKDCHIP_TIME_PPS, 0x1000000000010ULL));
	qkd_unwrap(&u, &r);
	r = decode(EVENT(QKDCHIP_EV_LOCK_LOST, 0x20));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x1000000000020ULL, r.slot);
	r = decode(EVENT(QKDCHIP_EV_LOCK_LOST, 0x5));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x2000000000005ULL, r.slot);

	/* a base: the stream's start slot */
	qkd_unwrap_init(&u, 0x5500000000ULL, 0, 0);
	r = decode(TAG(0x5500000001ULL));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x5500000001ULL, r.slot);
}

TEST(unwrap_windows)
{
	struct qkd_unwrap u;
	struct qkd_record r;
	/* REFCOUNT of unit 0, bucket 0 with window low bits @w */
#define REF(w) (2ULL << 60 | (uint64_t)(w) << 44)

	/* t in window 5000 (low 10 bits: 904) of 2^17 slots */
	qkd_unwrap_init(&u, 0, 0, 17);
	r = decode(TIME(QKDCHIP_TIME_HEARTBEAT, 5000ULL << 17 | 12345));
	qkd_unwrap(&u, &r);
	r = decode(REF(903));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(4999u, r.refcount.window);
	EXPECT_TRUE(r.refcount.window_full);
	r = decode(REF(904));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(5000u, r.refcount.window);
	r = decode(REF(905));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(5001u, r.refcount.window);
	r = decode(REF(392));		/* 512 away: the earlier one */
	qkd_unwrap(&u, &r);
	EXPECT_EQ(4488u, r.refcount.window);
	r = decode(REF(391));		/* 511 ahead */
	qkd_unwrap(&u, &r);
	EXPECT_EQ(5511u, r.refcount.window);

	/* across the 10-bit wrap: window 7168 has low bits 0 */
	r = decode(TIME(QKDCHIP_TIME_HEARTBEAT, 7168ULL << 17));
	qkd_unwrap(&u, &r);
	r = decode(REF(1023));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(7167u, r.refcount.window);

	/* nothing before window 0 */
	qkd_unwrap_init(&u, 0, 0, 17);
	r = decode(REF(1023));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(1023u, r.refcount.window);
	EXPECT_FALSE(r.refcount.window_full);

	/* unknown window size: low bits stay */
	qkd_unwrap_init(&u, 0, 0, 0);
	r = decode(TIME(QKDCHIP_TIME_HEARTBEAT, 5000ULL << 17));
	qkd_unwrap(&u, &r);
	r = decode(REF(903));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(903u, r.refcount.window);
	EXPECT_FALSE(r.refcount.window_full);
#undef REF
}

TEST(unwrap_seed_frames)
{
	struct qkd_unwrap u;
	struct qkd_record r;
	/* SEED word 0 of frame low bits @f */
#define SEED(f) (4ULL << 60 | (uint64_t)(f) << 32)

	/* frame 0x2345678 (26 bits) of 2^20 slots */
	qkd_unwrap_init(&u, 0, 20, 0);
	r = decode(TIME(QKDCHIP_TIME_FRAME, 0x2345678ULL << 20));
	qkd_unwrap(&u, &r);
	r = decode(TIME(QKDCHIP_TIME_HEARTBEAT, (0x2345678ULL << 20) + 999));
	qkd_unwrap(&u, &r);
	r = decode(SEED(0x2345678 & 0x1ffffff));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x2345678ULL, r.seed.frame);
	EXPECT_TRUE(r.seed.frame_full);

	/* no frame size: the low 25 bits stay */
	qkd_unwrap_init(&u, 0, 0, 0);
	r = decode(TIME(QKDCHIP_TIME_FRAME, 0x2345678ULL << 20));
	qkd_unwrap(&u, &r);
	r = decode(SEED(0x0345678));
	qkd_unwrap(&u, &r);
	EXPECT_EQ(0x0345678ULL, r.seed.frame);
	EXPECT_FALSE(r.seed.frame_full);
#undef SEED
}

/*
 * SplitMix64 seeded with 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
 * 0x06c45d188009454f first (the published reference outputs); records 0, 1, 2 of the
 * test pattern with seed 0 follow from them by the formula in streams.rst.
 */
TEST(test_pattern)
{
	EXPECT_EQ(0x138daf0000000000ULL, qkd_test_record(0, 0));
	EXPECT_EQ(0x1185f40000000001ULL, qkd_test_record(0, 1));
	EXPECT_EQ(0x10054f0000000002ULL, qkd_test_record(0, 2));
	/* the slot field is n modulo 2^40 */
	EXPECT_EQ((1ULL << 40) - 1, qkd_test_record(7, (1ULL << 40) - 1) & ((1ULL << 40) - 1));
	EXPECT_EQ(5u, qkd_test_record(7, (1ULL << 40) + 5) & ((1ULL << 40) - 1));
	EXPECT_EQ((unsigned int)QKDCHIP_REC_TAG, QKDCHIP_REC_TYPE(qkd_test_record(123, 456)));
}

TEST(names)
{
	EXPECT_STREQ("client", qkd_role_name(QKDCHIP_ROLE_CLIENT));
	EXPECT_STREQ("unknown", qkd_role_name(7));
	EXPECT_STREQ("ext-clock", qkd_feature_name(7));
	EXPECT_EQ(NULL, qkd_feature_name(8));
	EXPECT_STREQ("card-removed", qkd_event_name(QKDCHIP_EV_CARD_REMOVED));
	EXPECT_STREQ("lock-lost", qkd_event_name(1));
	EXPECT_STREQ("unknown", qkd_event_name(0));
	EXPECT_STREQ("unknown", qkd_event_name(21));
	EXPECT_STREQ("acquiring", qkd_lock_state_name(QKDCHIP_LOCK_ACQUIRING));
	EXPECT_STREQ("fpga", qkd_temp_sensor_name(QKDCHIP_TEMP_FPGA));
	EXPECT_STREQ("ext-10m-pps", qkd_clock_source_name(1));
	EXPECT_STREQ("pat", qkd_stream_name(QKDCHIP_STREAM_PAT));
	EXPECT_STREQ("gone", qkd_ring_state_name(QKDCHIP_RING_GONE));
	EXPECT_STREQ("pmref", qkd_modulator_name(QKDCHIP_MOD_PMREF));
	EXPECT_EQ(NULL, qkd_modulator_name(5));
	EXPECT_STREQ("CRC mismatch", qkd_table_error_name(QKDCHIP_TABLE_ERR_CRC));
}

TEST_HARNESS_MAIN
