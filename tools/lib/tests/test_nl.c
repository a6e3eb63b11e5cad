// SPDX-License-Identifier: GPL-2.0-only
/*
 * The netlink side without a kernel: dev-get replies and event notifications built
 * with libnl and parsed back, dev-set requests checked attribute by attribute,
 * extended-ACK error texts (the attribute named from its offset in our request), the
 * configuration range checks, and card lookup against a fake sysfs tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"

#include "internal.h"

/* The attributes of @msg after the netlink and genetlink headers */
#define ATTRS(msg) ((struct nlattr *)((char *)nlmsg_hdr(msg) + NLMSG_HDRLEN + GENL_HDRLEN))
#define ATTRLEN(msg) ((int)(nlmsg_hdr(msg)->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN))

static struct nl_msg *genl_msg(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct genlmsghdr gh = { .cmd = QKDCHIP_CMD_DEV_GET, .version = 1 };

	nlmsg_put(msg, 0, 0, 0x20, 0, 0);
	nlmsg_append(msg, &gh, sizeof(gh), NLMSG_ALIGNTO);
	return msg;
}

TEST(parse_client)
{
	struct nl_msg *msg = genl_msg();
	struct nlattr *n;
	struct qkd_state st;
	unsigned int i;

	nla_put_u32(msg, QKDCHIP_A_DEV_INDEX, 3);
	nla_put_string(msg, QKDCHIP_A_DEV_NAME, "qkdchip3");
	nla_put_string(msg, QKDCHIP_A_DEV_BUS_NAME, "0000:00:04.0");
	nla_put_u32(msg, QKDCHIP_A_DEV_ROLE, QKDCHIP_ROLE_CLIENT);
	nla_put_u64(msg, QKDCHIP_A_DEV_SERIAL, 0x0102030405060708ULL);
	nla_put_u32(msg, QKDCHIP_A_DEV_FEATURES, 0xcf);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_STATUS);
	nla_put_u8(msg, QKDCHIP_A_STATUS_READY, 1);
	nla_put_u8(msg, QKDCHIP_A_STATUS_OVER_TEMP, 0);
	nla_put_u64(msg, QKDCHIP_A_STATUS_TIME, 1ULL << 50);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_LASER);
	nla_put_u32(msg, QKDCHIP_A_LASER_CURRENT_UA, 75000);
	nla_put_u8(msg, QKDCHIP_A_LASER_ON, 1);
	nla_put_u32(msg, QKDCHIP_A_LASER_LOCK_STATE, QKDCHIP_LOCK_LOCKED);
	nla_put_s32(msg, QKDCHIP_A_LASER_DETUNE_MHZ, -120);
	nla_nest_end(msg, n);
	for (i = 0; i < 5; i++) {
		n = nla_nest_start(msg, QKDCHIP_A_DEV_MODULATOR);
		nla_put_u32(msg, QKDCHIP_A_MODULATOR_CHANNEL, i);
		nla_put_s32(msg, QKDCHIP_A_MODULATOR_BIAS_MV, -1000 * (int)i);
		nla_nest_end(msg, n);
	}
	nla_put_u32(msg, QKDCHIP_A_DEV_VOA_MDB, 12500);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_TEMP);
	nla_put_u32(msg, QKDCHIP_A_TEMP_SENSOR, QKDCHIP_TEMP_BOARD);
	nla_put_s32(msg, QKDCHIP_A_TEMP_MC, -5250);
	nla_nest_end(msg, n);
	nla_put_u32(msg, 200, 7);	/* an attribute from a newer kernel: ignored */
	n = nla_nest_start(msg, QKDCHIP_A_DEV_STATS);
	nla_put_u64(msg, QKDCHIP_A_STATS_C2H_RECORDS, 11);
	nla_put_u64(msg, QKDCHIP_A_STATS_TABLE_ERRORS, 17);
	nla_put_u64(msg, QKDCHIP_A_STATS_IRQ_H2C, 22);
	nla_nest_end(msg, n);

	ASSERT_EQ(0, qkd__nl_parse_dev(ATTRS(msg), ATTRLEN(msg), &st));
	EXPECT_EQ(3u, st.index);
	EXPECT_STREQ("qkdchip3", st.name);
	EXPECT_STREQ("0000:00:04.0", st.bus_name);
	EXPECT_EQ((uint32_t)QKDCHIP_ROLE_CLIENT, st.role);
	EXPECT_EQ(0x0102030405060708ULL, st.serial);
	EXPECT_TRUE(st.status.ready);
	EXPECT_EQ(1ULL << 50, st.status.time);
	EXPECT_EQ(75000u, st.laser.current_ua);
	EXPECT_TRUE(st.laser.on);
	EXPECT_FALSE(st.laser.lock_loop);
	EXPECT_EQ((uint32_t)QKDCHIP_LOCK_LOCKED, st.laser.lock_state);
	EXPECT_EQ(-120, st.laser.detune_mhz);
	ASSERT_EQ(5u, st.n_modulators);
	EXPECT_EQ(4u, st.modulator[4].channel);
	EXPECT_EQ(-4000, st.modulator[4].bias_mv);
	EXPECT_EQ(12500u, st.voa_mdb);
	ASSERT_EQ(1u, st.n_temps);
	EXPECT_EQ(-5250, st.temp[0].mc);
	EXPECT_EQ(11u, st.stats.c2h_records);
	EXPECT_EQ(17u, st.stats.table_errors);
	EXPECT_EQ(22u, st.stats.irq_h2c);
	EXPECT_EQ(0u, st.stats.c2h_dropped);
	EXPECT_EQ(QKD_HAS_IDENTITY | QKD_HAS_STATUS | QKD_HAS_LASER | QKD_HAS_VOA | QKD_HAS_STATS,
		  st.has);
	nlmsg_free(msg);
}

TEST(parse_server_and_short_attributes)
{
	struct nl_msg *msg = genl_msg();
	struct nlattr *n;
	struct qkd_state st;
	uint16_t shortv = 5;

	nla_put_u32(msg, QKDCHIP_A_DEV_INDEX, 0);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_COMB);
	nla_put_u32(msg, QKDCHIP_A_COMB_PUMP_UA, 300000);
	nla_put_u32(msg, QKDCHIP_A_COMB_LINES, 40);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_DETECTOR);
	nla_put_u32(msg, QKDCHIP_A_DETECTOR_CHANNEL, 2);
	nla_put_u32(msg, QKDCHIP_A_DETECTOR_BIAS_UA, 20);
	nla_put_s32(msg, QKDCHIP_A_DETECTOR_DELAY_PS, -2000000);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_DETECTOR);	/* no channel: dropped */
	nla_put_u32(msg, QKDCHIP_A_DETECTOR_BIAS_UA, 9);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_TAGGER);
	nla_put_u32(msg, QKDCHIP_A_TAGGER_DEADTIME_NS, 50);
	nla_put_u32(msg, QKDCHIP_A_TAGGER_REF_WINDOW_LOG2, 17);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, QKDCHIP_A_DEV_STREAM);
	nla_put_u32(msg, QKDCHIP_A_STREAM_ID, QKDCHIP_STREAM_C2H);
	nla_put_u32(msg, QKDCHIP_A_STREAM_STATE, QKDCHIP_RING_RUNNING);
	nla_put_u8(msg, QKDCHIP_A_STREAM_RUNNING, 1);
	nla_put_u64(msg, QKDCHIP_A_STREAM_RING_SIZE, 1ULL << 22);
	nla_nest_end(msg, n);
	nla_put(msg, QKDCHIP_A_DEV_FRAME_LOG2, sizeof(shortv), &shortv);	/* too short */
	nla_put_u32(msg, QKDCHIP_A_DEV_HEARTBEAT_US, 1000);

	ASSERT_EQ(0, qkd__nl_parse_dev(ATTRS(msg), ATTRLEN(msg), &st));
	EXPECT_STREQ("qkdchip0", st.name) TH_LOG("the name follows from the index");
	EXPECT_EQ(300000u, st.comb.pump_ua);
	EXPECT_EQ(40u, st.comb.lines);
	ASSERT_EQ(1u, st.n_detectors);
	EXPECT_EQ(2u, st.detector[0].channel);
	EXPECT_EQ(-2000000, st.detector[0].delay_ps);
	EXPECT_EQ(17u, st.tagger.ref_window_log2);
	ASSERT_EQ(1u, st.n_streams);
	EXPECT_TRUE(st.stream[0].running);
	EXPECT_EQ(1ULL << 22, st.stream[0].ring_size);
	EXPECT_EQ(0u, st.has & QKD_HAS_FRAME_LOG2);
	EXPECT_EQ(1000u, st.heartbeat_us);
	EXPECT_EQ(QKD_HAS_COMB | QKD_HAS_TAGGER | QKD_HAS_HEARTBEAT, st.has);
	nlmsg_free(msg);

	/* without an index the reply is malformed */
	msg = genl_msg();
	nla_put_u32(msg, QKDCHIP_A_DEV_ROLE, 1);
	EXPECT_EQ(-EPROTO, qkd__nl_parse_dev(ATTRS(msg), ATTRLEN(msg), &st));
	nlmsg_free(msg);
}

TEST(parse_event)
{
	struct nl_msg *msg = genl_msg();
	struct qkd_event e;

	nla_put_u32(msg, QKDCHIP_A_EVENT_DEV_INDEX, 1);
	nla_put_u32(msg, QKDCHIP_A_EVENT_CODE, QKDCHIP_EV_LOCK_LOST);
	nla_put_u32(msg, QKDCHIP_A_EVENT_ARG, 1);
	nla_put_u64(msg, QKDCHIP_A_EVENT_SLOT, 0xabcdef0123ULL);
	ASSERT_EQ(0, qkd__nl_parse_event(ATTRS(msg), ATTRLEN(msg), &e));
	EXPECT_EQ(1u, e.dev_index);
	EXPECT_EQ((uint32_t)QKDCHIP_EV_LOCK_LOST, e.code);
	EXPECT_EQ(1u, e.arg);
	EXPECT_TRUE(e.has_slot);
	EXPECT_EQ(0xabcdef0123ULL, e.slot);
	nlmsg_free(msg);

	msg = genl_msg();
	nla_put_u32(msg, QKDCHIP_A_EVENT_DEV_INDEX, 1);
	EXPECT_EQ(-EPROTO, qkd__nl_parse_event(ATTRS(msg), ATTRLEN(msg), &e));
	nlmsg_free(msg);
}

/* A dev-set request: its attributes, read back with plain libnl calls. */
TEST(put_config)
{
	struct qkd_config cfg = { 0 };
	struct nl_msg *msg = genl_msg();
	struct nlattr *tb[QKDCHIP_A_DEV_MAX + 1], *sub[16], *a;
	int rem, mods = 0;

	cfg.set = QKD_SET_LASER_CURRENT | QKD_SET_LASER_LOCK_LOOP | QKD_SET_CLOCK_SOURCE |
		  QKD_SET_HEARTBEAT;
	cfg.laser_current_ua = 75000;
	cfg.laser_lock_loop = true;
	cfg.clock_source = QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS;
	cfg.heartbeat_us = 0;
	cfg.n_modulators = 2;
	cfg.modulator[0].channel = 3;
	cfg.modulator[0].bias_mv = -2500;
	cfg.modulator[1].channel = 0;
	cfg.modulator[1].bias_mv = 10000;
	ASSERT_EQ(0, qkd__nl_put_config(msg, &cfg));
	ASSERT_EQ(0, nla_parse(tb, QKDCHIP_A_DEV_MAX, ATTRS(msg), ATTRLEN(msg), NULL));

	ASSERT_NE(NULL, tb[QKDCHIP_A_DEV_LASER]);
	ASSERT_EQ(0, nla_parse_nested(sub, QKDCHIP_A_LASER_MAX, tb[QKDCHIP_A_DEV_LASER], NULL));
	EXPECT_EQ(75000u, nla_get_u32(sub[QKDCHIP_A_LASER_CURRENT_UA]));
	EXPECT_EQ(NULL, sub[QKDCHIP_A_LASER_ON]) TH_LOG("only what is set is sent");
	EXPECT_EQ(1, nla_get_u8(sub[QKDCHIP_A_LASER_LOCK_LOOP]));
	ASSERT_NE(NULL, tb[QKDCHIP_A_DEV_CLOCK]);
	ASSERT_EQ(0, nla_parse_nested(sub, QKDCHIP_A_CLOCK_MAX, tb[QKDCHIP_A_DEV_CLOCK], NULL));
	EXPECT_EQ(1u, nla_get_u32(sub[QKDCHIP_A_CLOCK_SOURCE]));
	ASSERT_NE(NULL, tb[QKDCHIP_A_DEV_HEARTBEAT_US]);
	EXPECT_EQ(0u, nla_get_u32(tb[QKDCHIP_A_DEV_HEARTBEAT_US]));
	EXPECT_EQ(NULL, tb[QKDCHIP_A_DEV_VOA_MDB]);
	EXPECT_EQ(NULL, tb[QKDCHIP_A_DEV_TEC]);
	nla_for_each_attr(a, ATTRS(msg), ATTRLEN(msg), rem) {
		if (nla_type(a) != QKDCHIP_A_DEV_MODULATOR)
			continue;
		ASSERT_EQ(0, nla_parse_nested(sub, QKDCHIP_A_MODULATOR_MAX, a, NULL));
		EXPECT_EQ(mods ? 0u : 3u, nla_get_u32(sub[QKDCHIP_A_MODULATOR_CHANNEL]));
		EXPECT_EQ(mods ? 10000 : -2500, nla_get_s32(sub[QKDCHIP_A_MODULATOR_BIAS_MV]));
		mods++;
	}
	EXPECT_EQ(2, mods);
	nlmsg_free(msg);
}

/* Extended-ACK attributes as the kernel appends them to an error */
static size_t put_attr(uint8_t *buf, size_t off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + off);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(buf + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(a->nla_len);
}

TEST(error_texts)
{
	struct qkd_config cfg = { 0 };
	struct nl_msg *req = genl_msg();
	uint8_t tlv[256], pol[64];
	uint64_t lo = 0, hi = 200000;
	uint32_t offs, type;
	size_t n, p;
	char text[QKD_MSG_LEN];

	/* request: index (8 bytes at 20), laser nest (at 28) with current-ua (at 32) */
	nla_put_u32(req, QKDCHIP_A_DEV_INDEX, 0);
	cfg.set = QKD_SET_LASER_CURRENT | QKD_SET_VOA;
	cfg.laser_current_ua = 1;
	cfg.voa_mdb = 2;
	ASSERT_EQ(0, qkd__nl_put_config(req, &cfg));

	offs = 32;
	n = put_attr(tlv, 0, NLMSGERR_ATTR_MSG, "integer out of range", 21);
	n = put_attr(tlv, n, NLMSGERR_ATTR_OFFS, &offs, 4);
	p = put_attr(pol, 0, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &lo, 8);
	p = put_attr(pol, p, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &hi, 8);
	n = put_attr(tlv, n, NLMSGERR_ATTR_POLICY, pol, (uint16_t)p);
	qkd__nl_error_text(text, sizeof(text), -ERANGE, tlv, n, nlmsg_hdr(req),
			   nlmsg_hdr(req)->nlmsg_len);
	EXPECT_STREQ("laser.current-ua: integer out of range (valid range 0..200000)", text);

	/* the VOA: a top-level attribute after the laser nest (28 + 4 + 8 = 40) */
	offs = 40;
	n = put_attr(tlv, 0, NLMSGERR_ATTR_MSG, "the card has no VOA", 20);
	n = put_attr(tlv, n, NLMSGERR_ATTR_OFFS, &offs, 4);
	qkd__nl_error_text(text, sizeof(text), -EOPNOTSUPP, tlv, n, nlmsg_hdr(req),
			   nlmsg_hdr(req)->nlmsg_len);
	EXPECT_STREQ("voa-mdb: the card has no VOA", text);

	/* a missing attribute inside the laser nest */
	type = QKDCHIP_A_LASER_ON;
	offs = 28;
	n = put_attr(tlv, 0, NLMSGERR_ATTR_MISS_TYPE, &type, 4);
	n = put_attr(tlv, n, NLMSGERR_ATTR_MISS_NEST, &offs, 4);
	qkd__nl_error_text(text, sizeof(text), -EINVAL, tlv, n, nlmsg_hdr(req),
			   nlmsg_hdr(req)->nlmsg_len);
	EXPECT_STREQ("missing attribute laser.on", text);

	/* a missing top-level attribute, with a message */
	type = QKDCHIP_A_DEV_INDEX;
	n = put_attr(tlv, 0, NLMSGERR_ATTR_MSG, "which card?", 12);
	n = put_attr(tlv, n, NLMSGERR_ATTR_MISS_TYPE, &type, 4);
	qkd__nl_error_text(text, sizeof(text), -EINVAL, tlv, n, nlmsg_hdr(req),
			   nlmsg_hdr(req)->nlmsg_len);
	EXPECT_STREQ("which card?: missing attribute index", text);

	/* an offset that is no attribute of ours; no TLVs at all */
	offs = 30;
	n = put_attr(tlv, 0, NLMSGERR_ATTR_OFFS, &offs, 4);
	qkd__nl_error_text(text, sizeof(text), -EINVAL, tlv, n, nlmsg_hdr(req),
			   nlmsg_hdr(req)->nlmsg_len);
	EXPECT_STREQ("offset 30: Invalid argument", text);
	qkd__nl_error_text(text, sizeof(text), -EPERM, NULL, 0, NULL, 0);
	EXPECT_STREQ("Operation not permitted", text);
	nlmsg_free(req);
}

TEST(config_check)
{
	static const struct {
		uint32_t set;
		const char *msg;
	} cases[] = {
		{ QKD_SET_LASER_CURRENT, "laser current 200001 uA is out of range (0..200000 uA)" },
		{ QKD_SET_VOA, "VOA attenuation 60001 mdB is out of range (0..60000 mdB)" },
		{ QKD_SET_TEC_SETPOINT, "TEC set point 14999 mC is out of range (15000..45000 mC)" },
		{ QKD_SET_TEMP_CRIT, "critical temperature 100001 mC is out of range (30000..100000 mC)" },
		{ QKD_SET_COMB_PUMP, "comb pump current 500001 uA is out of range (0..500000 uA)" },
		{ QKD_SET_TAGGER_DEADTIME, "tagger dead time 9 ns is out of range (10..100000 ns)" },
		{ QKD_SET_TAGGER_REF_WINDOW, "reference window (log2 slots) 25 is out of range (10..24)" },
		{ QKD_SET_CLOCK_SOURCE, "clock source 2 is unknown (internal or ext-10m-pps)" },
		{ QKD_SET_FRAME_LOG2, "frame size (log2 slots) 9 is out of range (10..30)" },
		{ QKD_SET_HEARTBEAT, "heartbeat period 1000001 us is out of range (0..1000000 us)" },
	};
	struct qkd_config cfg = {
		.laser_current_ua = 200001, .voa_mdb = 60001, .tec_setpoint_mc = 14999,
		.temp_crit_mc = 100001, .comb_pump_ua = 500001, .tagger_deadtime_ns = 9,
		.tagger_ref_window_log2 = 25, .clock_source = 2, .frame_log2 = 9,
		.heartbeat_us = 1000001,
	};
	struct qkd_config ok = {
		.set = (QKD_SET_HEARTBEAT << 1) - 1 - QKD_SET_CLOCK_SOURCE,
		.laser_current_ua = 200000, .voa_mdb = 60000, .tec_setpoint_mc = 15000,
		.temp_crit_mc = 100000, .comb_pump_ua = 500000, .tagger_deadtime_ns = 10,
		.tagger_ref_window_log2 = 24, .frame_log2 = 10, .heartbeat_us = 0,
	};
	char msg[QKD_MSG_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg.set = cases[i].set;
		EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
		EXPECT_STREQ(cases[i].msg, msg);
	}
	EXPECT_EQ(0, qkd_config_check(&ok, msg, sizeof(msg))) TH_LOG("%s", msg);

	memset(&cfg, 0, sizeof(cfg));
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("nothing to set", msg);
	cfg.n_modulators = 2;
	cfg.modulator[0].channel = 4;
	cfg.modulator[1].channel = 4;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("modulator channel 4 set twice", msg);
	cfg.modulator[1].channel = 8;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("modulator channel 8 is out of range (0..7)", msg);
	cfg.n_modulators = 1;
	cfg.modulator[0].bias_mv = -10001;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("modulator bias -10001 mV is out of range (-10000..10000 mV)", msg);
	cfg.modulator[0].bias_mv = -10000;
	EXPECT_EQ(0, qkd_config_check(&cfg, msg, sizeof(msg)));

	cfg.n_detectors = 1;
	cfg.detector[0].channel = 1;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("detector channel 1: nothing to set", msg);
	cfg.detector[0].set = QKD_SET_DET_DELAY;
	cfg.detector[0].delay_ps = 2000001;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("detector delay 2000001 ps is out of range (-2000000..2000000 ps)", msg);
	cfg.detector[0].set = QKD_SET_DET_BIAS;
	cfg.detector[0].bias_ua = 31;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("detector bias 31 uA is out of range (0..30 uA)", msg);
	cfg.detector[0].bias_ua = 30;
	EXPECT_EQ(0, qkd_config_check(&cfg, msg, sizeof(msg)));
	cfg.set = 1u << 20;
	EXPECT_EQ(-EINVAL, qkd_config_check(&cfg, msg, sizeof(msg)));
	EXPECT_STREQ("unknown settings 0x100000", msg);
}

/* A sysfs tree: bus/pci/devices/ADDR/qkdchip/qkdchipN */
FIXTURE(sysfs) {
	char root[64];
};

FIXTURE_SETUP(sysfs)
{
	char path[256];

	snprintf(self->root, sizeof(self->root), "/tmp/qkd-sysfs-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(path, sizeof(path), "mkdir -p %s/bus/pci/devices/0000:00:04.0/qkdchip/qkdchip5 "
		 "%s/bus/pci/devices/0000:00:05.0", self->root, self->root);
	ASSERT_EQ(0, system(path));
}

FIXTURE_TEARDOWN(sysfs)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	system(cmd);
}

TEST_F(sysfs, lookup)
{
	static const struct {
		const char *spec;
		int ret;
		unsigned int index;
		const char *msg;
	} cases[] = {
		{ "qkdchip0", 0, 0, NULL },
		{ "qkdchip63", 0, 63, NULL },
		{ "7", 0, 7, NULL },
		{ "/dev/qkdchip12", 0, 12, NULL },
		{ "0000:00:04.0", 0, 5, NULL },
		{ "00:04.0", 0, 5, NULL },
		{ "0000:00:05.0", -ENODEV, 0, "PCI device 0000:00:05.0 is not bound to the qkdchip driver" },
		{ "0000:00:06.0", -ENODEV, 0, "no PCI device 0000:00:06.0" },
		{ "qkdchip64", -EINVAL, 0, "'qkdchip64': card numbers go up to 63" },
		{ "qkdchip", -EINVAL, 0, "'qkdchip' is not a card (qkdchipN, N or a PCI address)" },
		{ "qkdchip01", -EINVAL, 0, "'qkdchip01' is not a card (qkdchipN, N or a PCI address)" },
		{ "-1", -EINVAL, 0, "'-1' is not a card (qkdchipN, N or a PCI address)" },
		{ "eth0", -EINVAL, 0, "'eth0' is not a card (qkdchipN, N or a PCI address)" },
		{ "0000:00:20.0", -EINVAL, 0, "'0000:00:20.0' is not a card (qkdchipN, N or a PCI address)" },
		{ "", -EINVAL, 0, "no card given" },
	};
	char msg[QKD_MSG_LEN];
	unsigned int i, index;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		index = 999;
		msg[0] = '\0';
		EXPECT_EQ(cases[i].ret, qkd__dev_lookup_at(self->root, cases[i].spec, &index, msg,
							   sizeof(msg))) TH_LOG("%s", cases[i].spec);
		if (!cases[i].ret) {
			EXPECT_EQ(cases[i].index, index) TH_LOG("%s", cases[i].spec);
		} else {
			EXPECT_STREQ(cases[i].msg, msg);
		}
	}
}

TEST_HARNESS_MAIN
