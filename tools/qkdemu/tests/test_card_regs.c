// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_card_regs - the card model's registers against Documentation/hw/registers.rst:
 * identity values, reset values, access types, clamping, _LO/_HI latching and holding,
 * BAR access sizes, interrupts, the event log, reset, and the slow-control models
 * (temperatures, over-temperature protection, detectors, laser and comb locks, clock).
 * Expected values are the document's, written here, not taken from the model.
 */
#include <math.h>
#include <stdlib.h>

#include "kselftest_harness.h"

#include "card_harness.h"

FIXTURE(client) { struct fake f; };
FIXTURE_SETUP(client) { ASSERT_EQ(0, fake_init(&self->f, CARD_CLIENT, 1, 1)); }
FIXTURE_TEARDOWN(client) { fake_fini(&self->f); }

FIXTURE(server) { struct fake f; };
FIXTURE_SETUP(server) { ASSERT_EQ(0, fake_init(&self->f, CARD_SERVER, 1, 0)); }
FIXTURE_TEARDOWN(server) { fake_fini(&self->f); }

/* registers.rst, "What the emulated cards report" */
TEST_F(client, identity)
{
	struct fake *f = &self->f;

	EXPECT_EQ(0x51444b43u, rd(f, 0x0000));
	EXPECT_EQ(0x01000000u, rd(f, 0x0004));		/* 1.0.0 */
	EXPECT_EQ(1u, rd(f, 0x0008));
	EXPECT_EQ(0xcfu, rd(f, 0x000c));
	EXPECT_EQ(1u, rd(f, 0x0014) >> 24);		/* serial: role in the top byte */
	EXPECT_EQ(5u | 8u << 8 | 14u << 16, rd(f, 0x0020));
	EXPECT_EQ(1250000u, rd(f, 0x0024));
	EXPECT_EQ(0u, rd(f, 0x0028));
	EXPECT_EQ(12u | 12u << 8 | 22u << 16, rd(f, 0x002c));
	EXPECT_EQ(256u | 2u << 16, rd(f, 0x0030));
	EXPECT_EQ(10u | 30u << 8, rd(f, 0x0034));
}

TEST_F(server, identity)
{
	struct fake *f = &self->f;

	EXPECT_EQ(0x51444b43u, rd(f, 0x0000));
	EXPECT_EQ(2u, rd(f, 0x0008));
	EXPECT_EQ(0xb1u, rd(f, 0x000c));
	EXPECT_EQ(2u, rd(f, 0x0014) >> 24);
	EXPECT_EQ(0u, rd(f, 0x0020));
	EXPECT_EQ(1250000u, rd(f, 0x0024));
	EXPECT_EQ(4u | 2u << 8 | 1u << 16, rd(f, 0x0028));
	EXPECT_EQ(12u | 12u << 8 | 22u << 16, rd(f, 0x002c));
	EXPECT_EQ(0u, rd(f, 0x0030));
	EXPECT_EQ(10u | 30u << 8, rd(f, 0x0034));
}

/* The reset column of every table in registers.rst */
static const struct { uint32_t off, val; } reset_values[] = {
	{ 0x0040, 0 }, { 0x0080, 0 }, { 0x0084, 0x01 }, { 0x0090, 20 }, { 0x0094, 0 },
	{ 0x0098, 0 }, { 0x009c, 1000 }, { 0x00a0, 0 }, { 0x00a4, 0 }, { 0x0100, 0 },
	{ 0x0104, 0 }, { 0x0110, 4096 }, { 0x0114, 1000 }, { 0x0118, 65536 }, { 0x011c, 1000 },
	{ 0x0200, 1 }, { 0x0204, 0 }, { 0x0208, 0 },
	{ 0x1000, 0 }, { 0x1004, 0 }, { 0x1008, 0 }, { 0x100c, 0 }, { 0x1010, 0 }, { 0x1014, 0 },
	{ 0x1018, 0 }, { 0x101c, 0 }, { 0x1020, 0 }, { 0x1024, 0 }, { 0x1030, 1000000 },
	{ 0x1034, 0 }, { 0x1038, 0 }, { 0x103c, 0 }, { 0x1040, 0 }, { 0x1048, 0 }, { 0x1050, 0 },
	{ 0x1058, 0 }, { 0x1060, 0 }, { 0x1064, 0 }, { 0x308c, 70000 },
};

static const struct { uint32_t off, val; } client_regs_reset[] = {
	{ 0x2000, 0 }, { 0x2004, 0 }, { 0x2008, 0 }, { 0x2010, 0 }, { 0x2014, 0 }, { 0x2018, 0 },
	{ 0x2020, 0 }, { 0x2100, 0 }, { 0x2104, 0 }, { 0x2110, 0 }, { 0x2114, 0 }, { 0x2130, 0 },
	{ 0x2138, 0 }, { 0x2140, 0 }, { 0x2148, 0 }, { 0x214c, 0 }, { 0x2150, 0 },
	{ 0x3000, 0 }, { 0x3004, 0 }, { 0x3008, 0 }, { 0x300c, 0 }, { 0x3010, 0 }, { 0x3020, 0 },
	{ 0x3030, 0 }, { 0x3040, 0 }, { 0x3044, 25000 }, { 0x3048, 0 },
};

static const struct { uint32_t off, val; } server_regs_reset[] = {
	{ 0x3100, 0 }, { 0x3104, 0 }, { 0x3108, 0 }, { 0x310c, 0 }, { 0x3200, 0 }, { 0x320c, 0 },
	{ 0x3220, 0 }, { 0x3240, 0 }, { 0x3260, 0 }, { 0x3280, 50 }, { 0x3284, 17 },
};

static void check_reset_values(struct __test_metadata *_metadata, struct fake *f, bool client)
{
	unsigned int i;

	for (i = 0; i < sizeof(reset_values) / sizeof(reset_values[0]); i++)
		EXPECT_EQ(reset_values[i].val, rd(f, reset_values[i].off))
			TH_LOG("register 0x%04x", reset_values[i].off);
	for (i = 0; client && i < sizeof(client_regs_reset) / sizeof(client_regs_reset[0]); i++)
		EXPECT_EQ(client_regs_reset[i].val, rd(f, client_regs_reset[i].off))
			TH_LOG("register 0x%04x", client_regs_reset[i].off);
	for (i = 0; !client && i < sizeof(server_regs_reset) / sizeof(server_regs_reset[0]); i++)
		EXPECT_EQ(server_regs_reset[i].val, rd(f, server_regs_reset[i].off))
			TH_LOG("register 0x%04x", server_regs_reset[i].off);
	/* the event log holds RESET_DONE */
	EXPECT_EQ((uint32_t)(QKDCHIP_EV_RESET_DONE), rd(f, 0x400));
	EXPECT_EQ(0u, rd(f, 0x404));
}

TEST_F(client, reset_values)
{
	check_reset_values(_metadata, &self->f, true);
}

TEST_F(server, reset_values)
{
	check_reset_values(_metadata, &self->f, false);
}

/* CTRL.RESET puts everything back; the slot counter keeps counting. */
TEST_F(client, ctrl_reset)
{
	struct fake *f = &self->f;
	uint64_t t0;
	unsigned int i;

	wr(f, QKDCHIP_REG_SCRATCH, 0x1234);
	wr(f, QKDCHIP_REG_FRAME_LOG2, 12);
	wr(f, QKDCHIP_REG_HEARTBEAT_US, 77);
	wr(f, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_ALL);
	wr(f, QKDCHIP_REG_DOORBELL, 1);
	wr(f, QKDCHIP_REG_C2H_MOD_COUNT, 5);
	wr(f, QKDCHIP_REG_C2H_TEST_RATE, 5);
	wr(f, QKDCHIP_REG_TEC_SETPOINT_MC, 30000);
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 70000);
	wr(f, QKDCHIP_REG_LASER_CTRL, 3);
	for (i = 0; i < 70; i++)
		wr(f, QKDCHIP_REG_DOORBELL, 0);	/* no events; just traffic */
	fake_run(f, 100 * NS_PER_MS);
	t0 = rd64(f, QKDCHIP_REG_TIME_LO);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_EVLOG_HEAD) - 1);	/* the laser logged events */
	wr(f, QKDCHIP_REG_CTRL, QKDCHIP_CTRL_RESET);
	check_reset_values(_metadata, f, true);
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_EVLOG_HEAD));
	EXPECT_LE(t0, rd64(f, QKDCHIP_REG_TIME_LO));
	EXPECT_NE(0u, rd64(f, QKDCHIP_REG_TIME_LO));
	/* vfio-user DEVICE_RESET calls the same */
	wr(f, QKDCHIP_REG_SCRATCH, 9);
	card_reset(f->card);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_SCRATCH));
}

TEST_F(client, access_types)
{
	struct fake *f = &self->f;
	static const uint32_t ro[] = { 0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0018,
				       0x001c, 0x0020, 0x0024, 0x0030, 0x0034, 0x0084, 0x0088,
				       0x0094, 0x00a4, 0x0200, 0x0208, 0x1004, 0x1038, 0x1040,
				       0x1060, 0x2010, 0x2014, 0x2104, 0x2130, 0x2148, 0x3008,
				       0x300c, 0x3010, 0x3080 };
	static const uint32_t wo[] = { 0x0044, 0x1028, 0x200c, 0x2128 };
	static const uint32_t rw[] = { 0x0040, 0x1030, 0x1034, 0x0110, 0x0114, 0x0118, 0x011c };
	unsigned int i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t before = card_reg_peek(f->card, ro[i]);

		wr(f, ro[i], before ^ 0x5a5a5a5a);
		if (ro[i] != 0x0088 && ro[i] != 0x3080)	/* the clock and sensors move */
			EXPECT_EQ(before, card_reg_peek(f->card, ro[i])) TH_LOG("0x%04x", ro[i]);
	}
	for (i = 0; i < sizeof(wo) / sizeof(wo[0]); i++)
		EXPECT_EQ(0u, rd(f, wo[i])) TH_LOG("write-only 0x%04x reads 0", wo[i]);
	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		wr(f, rw[i], 0xa5a50000u + i);
		EXPECT_EQ(0xa5a50000u + i, rd(f, rw[i])) TH_LOG("0x%04x", rw[i]);
	}
	/* unimplemented offsets read zero and ignore writes */
	wr(f, 0x0f00, 0xffffffff);
	EXPECT_EQ(0u, rd(f, 0x0f00));
	wr(f, 0x8000, 0xffffffff);
	EXPECT_EQ(0u, rd(f, 0x8000));
}

/* "Registers of the other role's blocks read as zero and ignore writes." */
TEST_F(server, other_role_blocks)
{
	struct fake *f = &self->f;

	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 50000);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_CURRENT_UA));
	wr(f, QKDCHIP_REG_TEC_SETPOINT_MC, 30000);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_TEC_SETPOINT_MC));	/* reset 25000 on a client */
	wr(f, QKDCHIP_REG_TABLE_LEN, 100);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_TABLE_LEN));
	wr(f, QKDCHIP_REG_PAT_DESC_COUNT, 4);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_PAT_DESC_COUNT));
}

TEST_F(client, other_role_blocks)
{
	struct fake *f = &self->f;

	wr(f, QKDCHIP_REG_TAG_DEADTIME_NS, 100);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_TAG_DEADTIME_NS));	/* reset 50 on a server */
	wr(f, QKDCHIP_REG_DET_BIAS_UA(0), 20);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_DET_BIAS_UA(0)));
	wr(f, QKDCHIP_REG_COMB_PUMP_UA, 1000);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_COMB_PUMP_UA));
}

TEST_F(client, clamping)
{
	struct fake *f = &self->f;

	wr(f, QKDCHIP_REG_HEARTBEAT_US, 5000000);
	EXPECT_EQ(1000000u, rd(f, QKDCHIP_REG_HEARTBEAT_US));
	wr(f, QKDCHIP_REG_HEARTBEAT_US, 0);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_HEARTBEAT_US));
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 250000);
	EXPECT_EQ(200000u, rd(f, QKDCHIP_REG_LASER_CURRENT_UA));
	wr(f, QKDCHIP_REG_MOD_BIAS_MV(3), 12000);
	EXPECT_EQ(10000u, rd(f, QKDCHIP_REG_MOD_BIAS_MV(3)));
	wr(f, QKDCHIP_REG_MOD_BIAS_MV(4), (uint32_t)-12000);
	EXPECT_EQ((uint32_t)-10000, rd(f, QKDCHIP_REG_MOD_BIAS_MV(4)));
	wr(f, QKDCHIP_REG_MOD_BIAS_MV(0), (uint32_t)-1234);
	EXPECT_EQ((uint32_t)-1234, rd(f, QKDCHIP_REG_MOD_BIAS_MV(0)));
	wr(f, QKDCHIP_REG_VOA_MDB, 70000);
	EXPECT_EQ(60000u, rd(f, QKDCHIP_REG_VOA_MDB));
	wr(f, QKDCHIP_REG_TEC_SETPOINT_MC, 10000);
	EXPECT_EQ(15000u, rd(f, QKDCHIP_REG_TEC_SETPOINT_MC));
	wr(f, QKDCHIP_REG_TEC_SETPOINT_MC, 50000);
	EXPECT_EQ(45000u, rd(f, QKDCHIP_REG_TEC_SETPOINT_MC));
	/* FRAME_LOG2: out-of-range writes ignored */
	wr(f, QKDCHIP_REG_FRAME_LOG2, 9);
	EXPECT_EQ(20u, rd(f, QKDCHIP_REG_FRAME_LOG2));
	wr(f, QKDCHIP_REG_FRAME_LOG2, 31);
	EXPECT_EQ(20u, rd(f, QKDCHIP_REG_FRAME_LOG2));
	wr(f, QKDCHIP_REG_FRAME_LOG2, 10);
	EXPECT_EQ(10u, rd(f, QKDCHIP_REG_FRAME_LOG2));
	wr(f, QKDCHIP_REG_FRAME_LOG2, 30);
	EXPECT_EQ(30u, rd(f, QKDCHIP_REG_FRAME_LOG2));
}

TEST_F(server, clamping)
{
	struct fake *f = &self->f;

	wr(f, QKDCHIP_REG_COMB_PUMP_UA, 600000);
	EXPECT_EQ(500000u, rd(f, QKDCHIP_REG_COMB_PUMP_UA));
	wr(f, QKDCHIP_REG_DET_BIAS_UA(2), 31);
	EXPECT_EQ(30u, rd(f, QKDCHIP_REG_DET_BIAS_UA(2)));
	wr(f, QKDCHIP_REG_TAG_DELAY_PS(1), 3000000);
	EXPECT_EQ(2000000u, rd(f, QKDCHIP_REG_TAG_DELAY_PS(1)));
	wr(f, QKDCHIP_REG_TAG_DELAY_PS(1), (uint32_t)-3000000);
	EXPECT_EQ((uint32_t)-2000000, rd(f, QKDCHIP_REG_TAG_DELAY_PS(1)));
	wr(f, QKDCHIP_REG_TAG_DEADTIME_NS, 5);
	EXPECT_EQ(10u, rd(f, QKDCHIP_REG_TAG_DEADTIME_NS));
	wr(f, QKDCHIP_REG_TAG_DEADTIME_NS, 200000);
	EXPECT_EQ(100000u, rd(f, QKDCHIP_REG_TAG_DEADTIME_NS));
	/* REF_WINDOW_LOG2: ignored outside 10..24 */
	wr(f, QKDCHIP_REG_REF_WINDOW_LOG2, 9);
	EXPECT_EQ(17u, rd(f, QKDCHIP_REG_REF_WINDOW_LOG2));
	wr(f, QKDCHIP_REG_REF_WINDOW_LOG2, 25);
	EXPECT_EQ(17u, rd(f, QKDCHIP_REG_REF_WINDOW_LOG2));
	wr(f, QKDCHIP_REG_REF_WINDOW_LOG2, 24);
	EXPECT_EQ(24u, rd(f, QKDCHIP_REG_REF_WINDOW_LOG2));
}

/* "a read of _LO latches _HI" */
TEST_F(client, lo_read_latches_hi)
{
	struct fake *f = &self->f;
	uint64_t q;
	uint32_t lo;

	/* 2^32 slots is 3.4359738368 s: read LO just before the low word wraps a second time */
	f->now_ns = 2 * 3435973836ULL - 1000;
	lo = rd(f, QKDCHIP_REG_TIME_LO);
	EXPECT_GT(lo, 0xffff0000u);
	f->now_ns += 2000;
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_TIME_HI)) TH_LOG("HI must be latched with LO (live: 2)");
	/* a HI read without a LO read sees the live value */
	EXPECT_EQ(2u, rd(f, QKDCHIP_REG_TIME_HI));
	/* a 64-bit BAR read is split LO first, so it is consistent */
	ASSERT_EQ(0, card_bar_read(f->card, 0, QKDCHIP_REG_TIME_LO, &q, 8));
	EXPECT_EQ(card_now_slot(f->card), q);
	/* a 64-bit read at a 4-aligned offset too (FRAME_COUNT is at 0x94) */
	ASSERT_EQ(0, card_bar_read(f->card, 0, QKDCHIP_REG_FRAME_COUNT_LO, &q, 8));
	EXPECT_EQ(card_now_slot(f->card) >> 20, q);
}

/* "a write of _LO is held until _HI is written" */
TEST_F(client, lo_write_held_until_hi)
{
	struct fake *f = &self->f;
	uint64_t q = 0x1122334455667780ULL;

	wr(f, QKDCHIP_REG_C2H_DESC_LO, 0xabcdef00);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_C2H_DESC_LO));
	wr(f, QKDCHIP_REG_C2H_DESC_HI, 0x12);
	EXPECT_EQ(0xabcdef00u, rd(f, QKDCHIP_REG_C2H_DESC_LO));
	EXPECT_EQ(0x12u, rd(f, QKDCHIP_REG_C2H_DESC_HI));
	/* a HI write alone keeps LO */
	wr(f, QKDCHIP_REG_C2H_DESC_HI, 0x34);
	EXPECT_EQ(0xabcdef00u, rd(f, QKDCHIP_REG_C2H_DESC_LO));
	EXPECT_EQ(0x34u, rd(f, QKDCHIP_REG_C2H_DESC_HI));
	/* an aligned 64-bit write is LO then HI */
	ASSERT_EQ(0, card_bar_write(f->card, 0, QKDCHIP_REG_TABLE_ADDR_LO, &q, 8));
	EXPECT_EQ(0x55667780u, rd(f, QKDCHIP_REG_TABLE_ADDR_LO));
	EXPECT_EQ(0x11223344u, rd(f, QKDCHIP_REG_TABLE_ADDR_HI));
}

TEST_F(client, bar_access_sizes)
{
	struct fake *f = &self->f;
	uint8_t b[8];
	uint16_t h;
	uint32_t v = 0xdeadbeef;

	/* narrower reads return the containing register's bytes */
	ASSERT_EQ(0, card_bar_read(f->card, 0, 1, b, 1));
	EXPECT_EQ(0x4b, b[0]);			/* MAGIC 0x51444b43, byte 1 */
	ASSERT_EQ(0, card_bar_read(f->card, 0, 2, &h, 2));
	EXPECT_EQ(0x5144, h);
	/* narrower or unaligned writes are ignored */
	ASSERT_EQ(0, card_bar_write(f->card, 0, QKDCHIP_REG_SCRATCH, &v, 2));
	ASSERT_EQ(0, card_bar_write(f->card, 0, QKDCHIP_REG_SCRATCH + 1, &v, 4));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_SCRATCH));
	ASSERT_EQ(0, card_bar_write(f->card, 0, QKDCHIP_REG_SCRATCH, &v, 4));
	EXPECT_EQ(0xdeadbeefu, rd(f, QKDCHIP_REG_SCRATCH));
	/* outside the BAR, or another BAR */
	EXPECT_EQ(-EINVAL, card_bar_read(f->card, 0, 0x10000, b, 4));
	EXPECT_EQ(-EINVAL, card_bar_read(f->card, 0, 0xfffe, b, 4));
	EXPECT_EQ(-EINVAL, card_bar_read(f->card, 2, 0, b, 4));
	EXPECT_EQ(-EINVAL, card_bar_write(f->card, 0, 0x10000, &v, 4));
}

TEST_F(client, interrupts)
{
	struct fake *f = &self->f;

	/* a pending, disabled cause raises nothing; enabling it raises its vector */
	wr(f, QKDCHIP_REG_DOORBELL, 2);
	EXPECT_EQ((uint32_t)(QKDCHIP_IRQ_DOORBELL(2)), rd(f, QKDCHIP_REG_IRQ_STATUS));
	EXPECT_EQ(0u, f->irqs[2]);
	wr(f, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_ALL);
	EXPECT_EQ(1u, f->irqs[2]);
	/* already pending: nothing more until acknowledged */
	wr(f, QKDCHIP_REG_DOORBELL, 2);
	EXPECT_EQ(1u, f->irqs[2]);
	wr(f, QKDCHIP_REG_IRQ_STATUS, QKDCHIP_IRQ_DOORBELL(2));	/* W1C */
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS));
	wr(f, QKDCHIP_REG_DOORBELL, 2);
	EXPECT_EQ(2u, f->irqs[2]);
	/* 3 acts as 0 */
	wr(f, QKDCHIP_REG_DOORBELL, 3);
	EXPECT_EQ((uint32_t)(QKDCHIP_IRQ_DOORBELL(0) | QKDCHIP_IRQ_DOORBELL(2)), rd(f, QKDCHIP_REG_IRQ_STATUS));
	EXPECT_EQ(1u, f->irqs[0]);
	EXPECT_EQ(0u, f->irqs[1]);
	/* writing 0 bits to IRQ_STATUS clears nothing */
	wr(f, QKDCHIP_REG_IRQ_STATUS, 0);
	EXPECT_EQ((uint32_t)(QKDCHIP_IRQ_DOORBELL(0) | QKDCHIP_IRQ_DOORBELL(2)), rd(f, QKDCHIP_REG_IRQ_STATUS));
	/* undefined enable bits do not stick */
	wr(f, QKDCHIP_REG_IRQ_ENABLE, 0xffffffff);
	EXPECT_EQ((uint32_t)(QKDCHIP_IRQ_ALL), rd(f, QKDCHIP_REG_IRQ_ENABLE));
}

TEST_F(client, event_log)
{
	struct fake *f = &self->f;
	uint32_t i;

	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_EVLOG_HEAD));
	wr(f, QKDCHIP_REG_IRQ_ENABLE, QKDCHIP_IRQ_EVENT);
	/* events: the over-temperature fault twice per round (OVER_TEMP, TEMP_OK) */
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, card_force_temp(f->card, QKDCHIP_TEMP_BOARD, true, 80000));
		ASSERT_EQ(0, card_force_temp(f->card, QKDCHIP_TEMP_BOARD, false, 0));
	}
	EXPECT_EQ(1u, f->irqs[0]);	/* EVENT stays pending: one interrupt */
	EXPECT_EQ(81u, rd(f, QKDCHIP_REG_EVLOG_HEAD));
	/* 81 entries, 64 kept: 17 overwritten unread, TAIL moved past them */
	EXPECT_EQ(17u, rd(f, QKDCHIP_REG_EVLOG_LOST));
	EXPECT_EQ(17u, rd(f, QKDCHIP_REG_EVLOG_TAIL));
	EXPECT_EQ((uint32_t)(QKDCHIP_EV_OVER_TEMP), ev_code(f, 79));
	EXPECT_EQ((uint32_t)QKDCHIP_TEMP_BOARD, ev_arg(f, 79));
	EXPECT_EQ((uint32_t)(QKDCHIP_EV_TEMP_OK), ev_code(f, 80));
	/* the slot of the entry */
	EXPECT_EQ((uint32_t)card_now_slot(f->card),
		  rd(f, QKDCHIP_EVLOG_BASE + 16 * (80 % 64) + 8));
	/* TAIL beyond HEAD is clamped; moving it back is ignored */
	wr(f, QKDCHIP_REG_EVLOG_TAIL, 50);
	EXPECT_EQ(50u, rd(f, QKDCHIP_REG_EVLOG_TAIL));
	wr(f, QKDCHIP_REG_EVLOG_TAIL, 40);
	EXPECT_EQ(50u, rd(f, QKDCHIP_REG_EVLOG_TAIL));
	wr(f, QKDCHIP_REG_EVLOG_TAIL, 1000);
	EXPECT_EQ(81u, rd(f, QKDCHIP_REG_EVLOG_TAIL));
	EXPECT_EQ(17u, rd(f, QKDCHIP_REG_EVLOG_LOST));
}

/* FRAME_COUNT: frame boundaries passed since reset */
TEST_F(client, frames_and_time)
{
	struct fake *f = &self->f;
	uint64_t slot;

	fake_run(f, 10 * NS_PER_MS);		/* 12 500 000 slots */
	slot = rd64(f, QKDCHIP_REG_TIME_LO);
	EXPECT_EQ(12500000u, slot);
	EXPECT_EQ(12500000u >> 20, rd64(f, QKDCHIP_REG_FRAME_COUNT_LO));
	wr(f, QKDCHIP_REG_CTRL, QKDCHIP_CTRL_RESET);
	wr(f, QKDCHIP_REG_FRAME_LOG2, 16);
	fake_run(f, 1 * NS_PER_MS);		/* to slot 13 750 000 */
	EXPECT_EQ((13750000u >> 16) - (12500000u >> 16), rd64(f, QKDCHIP_REG_FRAME_COUNT_LO));
}

/* Temperatures: the chip follows the TEC set point with tau ~2 s */
TEST_F(client, temperatures)
{
	struct fake *f = &self->f;
	int32_t chip0 = (int32_t)rd(f, QKDCHIP_REG_TEMP_MC(0));
	int32_t board = (int32_t)rd(f, QKDCHIP_REG_TEMP_MC(1));
	int32_t fpga = (int32_t)rd(f, QKDCHIP_REG_TEMP_MC(2)), v;

	/* plausible steady states (registers.rst: follows the board with the TEC off) */
	EXPECT_GT(board, 25000);
	EXPECT_LT(board, 50000);
	EXPECT_GT(fpga, board);
	EXPECT_LT(fpga, 65000);
	EXPECT_LT(abs(chip0 - board), 500);
	wr(f, QKDCHIP_REG_TEC_SETPOINT_MC, 20000);
	wr(f, QKDCHIP_REG_TEC_CTRL, QKDCHIP_TEC_ON);
	fake_run(f, 2000 * NS_PER_MS);		/* one time constant: 63 % of the way */
	v = (int32_t)rd(f, QKDCHIP_REG_TEMP_MC(0));
	EXPECT_LT(abs(v - (20000 + (int32_t)((chip0 - 20000) * exp(-1.0)))), 1000)
		TH_LOG("chip %d from %d", v, chip0);
	fake_run(f, 20000 * NS_PER_MS);
	v = (int32_t)rd(f, QKDCHIP_REG_TEMP_MC(0));
	EXPECT_LT(abs(v - 20000), 50);
	/* board: small noise around its steady state */
	EXPECT_LT(abs((int32_t)rd(f, QKDCHIP_REG_TEMP_MC(1)) - board), 500);
}

TEST_F(client, over_temperature_protection)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	int i;

	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 70000);
	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_LASER_POWER_UW));
	wr(f, QKDCHIP_REG_TEMP_CRIT_MC, 60000);
	ASSERT_EQ(0, card_force_temp(f->card, QKDCHIP_TEMP_FPGA, true, 61000));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_OVER_TEMP);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_CTRL) & QKDCHIP_LASER_ON);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_POWER_UW));
	i = ev_find(f, head, QKDCHIP_EV_OVER_TEMP);
	ASSERT_GE(i, 0);
	EXPECT_EQ(2u, ev_arg(f, (uint32_t)i));
	/* protection holds: the laser cannot be switched on */
	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_CTRL) & QKDCHIP_LASER_ON);
	/* below TEMP_CRIT but not 5 °C below: still over temperature */
	ASSERT_EQ(0, card_force_temp(f->card, QKDCHIP_TEMP_FPGA, true, 56000));
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_OVER_TEMP);
	EXPECT_EQ(-1, ev_find(f, head, QKDCHIP_EV_TEMP_OK));
	ASSERT_EQ(0, card_force_temp(f->card, QKDCHIP_TEMP_FPGA, true, 54000));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_OVER_TEMP);
	i = ev_find(f, head, QKDCHIP_EV_TEMP_OK);
	ASSERT_GE(i, 0);
	EXPECT_EQ(2u, ev_arg(f, (uint32_t)i));
	/* the host must switch things on again */
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_CTRL) & QKDCHIP_LASER_ON);
	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_LASER_CTRL) & QKDCHIP_LASER_ON);
}

TEST_F(server, over_temperature_fault)
{
	struct fake *f = &self->f;
	struct card_fault flt;
	char *argv[] = { "over-temp", "board" }, err[128];
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	int i;

	wr(f, QKDCHIP_REG_DET_BIAS_UA(1), 20);
	wr(f, QKDCHIP_REG_COMB_PUMP_UA, 350000);
	wr(f, QKDCHIP_REG_COMB_CTRL, QKDCHIP_COMB_ON);
	ASSERT_EQ(0, card_fault_parse(2, argv, &flt, err, sizeof(err)));
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	EXPECT_GT((int32_t)rd(f, QKDCHIP_REG_TEMP_MC(1)), 70000);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_OVER_TEMP);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_DET_BIAS_UA(1)));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_COMB_CTRL) & QKDCHIP_COMB_ON);
	EXPECT_GE(ev_find(f, head, QKDCHIP_EV_OVER_TEMP), 0);
	/* the excursion decays: TEMP_OK within a few seconds */
	fake_run(f, 10000 * NS_PER_MS);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_OVER_TEMP);
	i = ev_find(f, head, QKDCHIP_EV_TEMP_OK);
	ASSERT_GE(i, 0);
	EXPECT_EQ(1u, ev_arg(f, (uint32_t)i));
}

/* "about 80 % efficiency and 10 counts/s of dark counts at 20 µA, and latch above 28 µA" */
TEST_F(server, detectors)
{
	struct fake *f = &self->f;
	unsigned int ch;
	uint32_t prev = 0;
	int b;

	for (ch = 0; ch < 4; ch++) {
		EXPECT_EQ(0u, rd(f, QKDCHIP_REG_DET_EFF_PPM(ch)));
		wr(f, QKDCHIP_REG_DET_BIAS_UA(ch), 20);
		EXPECT_GT(rd(f, QKDCHIP_REG_DET_EFF_PPM(ch)), 750000u);
		EXPECT_LT(rd(f, QKDCHIP_REG_DET_EFF_PPM(ch)), 850000u);
		EXPECT_GE(rd(f, QKDCHIP_REG_DET_DARK_CPS(ch)), 5u);
		EXPECT_LE(rd(f, QKDCHIP_REG_DET_DARK_CPS(ch)), 15u);
	}
	/* both rise with bias, up to the latching point */
	for (b = 1; b <= 28; b++) {
		wr(f, QKDCHIP_REG_DET_BIAS_UA(0), (uint32_t)b);
		EXPECT_GE(rd(f, QKDCHIP_REG_DET_EFF_PPM(0)), prev);
		prev = rd(f, QKDCHIP_REG_DET_EFF_PPM(0));
	}
	EXPECT_GT(rd(f, QKDCHIP_REG_DET_DARK_CPS(0)), 50u);
	wr(f, QKDCHIP_REG_DET_BIAS_UA(0), 29);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_DET_EFF_PPM(0)));
	wr(f, QKDCHIP_REG_DET_BIAS_UA(0), 20);
	EXPECT_GT(rd(f, QKDCHIP_REG_DET_EFF_PPM(0)), 750000u);
}

/* Laser: LOCK_LOOP acquires within about 50 ms and tracks; losses are counted. */
TEST_F(client, laser_lock_loop)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD), losses, ua, best = 0;
	int32_t d1, d2, bestd = INT32_MAX;
	struct card_fault flt = { .kind = CARD_FAULT_LOCK_LOST };
	char err[64];

	/* find the lock current by scanning without the loop (detune falls 0.1 GHz/mA) */
	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_UNLOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 70000);
	d1 = (int32_t)rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ);
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, 71000);
	d2 = (int32_t)rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ);
	EXPECT_LT(abs(d1 - d2 - 100), 15) TH_LOG("detune %d then %d MHz", d1, d2);
	for (ua = 40000; ua <= 110000; ua += 500) {
		int32_t d;

		wr(f, QKDCHIP_REG_LASER_CURRENT_UA, ua);
		d = (int32_t)rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ);
		if (abs(d) < abs(bestd)) {
			bestd = d;
			best = ua;
		}
	}
	EXPECT_LT(abs(bestd), 60);
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, best);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_LOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_SOURCE_LOCKED);
	losses = rd(f, QKDCHIP_REG_LASER_STATUS) >> 16;	/* the scan passed the range */
	/* 10 mA off: unlocked without the loop; the loop finds it in ~50 ms */
	wr(f, QKDCHIP_REG_LASER_CURRENT_UA, best + 10000);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_UNLOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_EQ(losses + 1, rd(f, QKDCHIP_REG_LASER_STATUS) >> 16);
	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON | QKDCHIP_LASER_LOCK_LOOP);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_ACQUIRING), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	fake_run(f, 45 * NS_PER_MS);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_ACQUIRING), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	fake_run(f, 10 * NS_PER_MS);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_LOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_LT(abs((int32_t)rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ)), 15);
	/* it tracks the drift for minutes */
	fake_run(f, 120000 * NS_PER_MS);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_LOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_GT(rd(f, QKDCHIP_REG_LASER_POWER_UW), 5000u);
	/* an injected loss: LOCK_LOST, then LOCK_ACQUIRED again */
	head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_ACQUIRING), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_EQ(losses + 2, rd(f, QKDCHIP_REG_LASER_STATUS) >> 16);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_SOURCE_LOCKED);
	fake_run(f, 60 * NS_PER_MS);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_LOCKED), rd(f, QKDCHIP_REG_LASER_STATUS) & 3);
	EXPECT_GE(ev_find(f, head, QKDCHIP_EV_LOCK_LOST), 0);
	EXPECT_EQ(0u, ev_arg(f, (uint32_t)ev_find(f, head, QKDCHIP_EV_LOCK_LOST)));
	EXPECT_GT(ev_find(f, head, QKDCHIP_EV_LOCK_ACQUIRED), ev_find(f, head, QKDCHIP_EV_LOCK_LOST));
	/* switched off by the host: state off, no loss counted */
	wr(f, QKDCHIP_REG_LASER_CTRL, 0);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_OFF | (losses + 2) << 16), rd(f, QKDCHIP_REG_LASER_STATUS));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ));
}

/* Without the loop the free-running frequency drifts out of the range: lock is lost. */
TEST_F(client, laser_drift_loses_lock)
{
	struct fake *f = &self->f;
	uint32_t ua, best = 0;
	int32_t bestd = INT32_MAX;
	int i;

	wr(f, QKDCHIP_REG_LASER_CTRL, QKDCHIP_LASER_ON);
	for (i = 0; i < 200 && !(rd(f, QKDCHIP_REG_LASER_STATUS) >> 16); i++) {
		/* re-centre, then let it drift for 10 s */
		bestd = INT32_MAX;
		for (ua = 40000; ua <= 110000; ua += 1000) {
			int32_t d;

			wr(f, QKDCHIP_REG_LASER_CURRENT_UA, ua);
			d = (int32_t)rd(f, QKDCHIP_REG_LASER_DETUNE_MHZ);
			if (abs(d) < abs(bestd)) {
				bestd = d;
				best = ua;
			}
		}
		wr(f, QKDCHIP_REG_LASER_CURRENT_UA, best);
		fake_run(f, 10000 * NS_PER_MS);
	}
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_LASER_STATUS) >> 16) TH_LOG("no loss in %d rounds", i);
}

TEST_F(server, comb)
{
	struct fake *f = &self->f;
	uint32_t ua;

	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_COMB_LINES));
	wr(f, QKDCHIP_REG_COMB_PUMP_UA, 355000);
	wr(f, QKDCHIP_REG_COMB_CTRL, QKDCHIP_COMB_ON | QKDCHIP_COMB_LOCK_LOOP);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_ACQUIRING), rd(f, QKDCHIP_REG_COMB_STATUS) & 3);
	fake_run(f, 60 * NS_PER_MS);
	EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_LOCKED), rd(f, QKDCHIP_REG_COMB_STATUS) & 3);
	EXPECT_GT(rd(f, QKDCHIP_REG_COMB_LINES), 0u);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_SOURCE_LOCKED);
	/* far from the soliton range the loop keeps searching */
	wr(f, QKDCHIP_REG_CTRL, QKDCHIP_CTRL_RESET);
	for (ua = 100000; ua <= 100000; ua++) {
		wr(f, QKDCHIP_REG_COMB_PUMP_UA, ua);
		wr(f, QKDCHIP_REG_COMB_CTRL, QKDCHIP_COMB_ON | QKDCHIP_COMB_LOCK_LOOP);
		fake_run(f, 500 * NS_PER_MS);
		EXPECT_EQ((uint32_t)(QKDCHIP_LOCK_ACQUIRING), rd(f, QKDCHIP_REG_COMB_STATUS) & 3);
		EXPECT_EQ(0u, rd(f, QKDCHIP_REG_COMB_LINES));
	}
}

TEST_F(client, clock_reference)
{
	struct fake *f = &self->f;
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);

	wr(f, QKDCHIP_REG_CLOCK_CTRL, QKDCHIP_CLOCK_EXT_10M_PPS);
	fake_run(f, 200 * NS_PER_MS);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_CLOCK_STATUS));		/* no reference */
	card_set_clock_ref(f->card, true);
	EXPECT_EQ((uint32_t)(QKDCHIP_CLOCK_REF_PRESENT), rd(f, QKDCHIP_REG_CLOCK_STATUS) & 3);
	fake_run(f, 100 * NS_PER_MS);				/* "within 100 ms" */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_CLOCK_STATUS) & QKDCHIP_CLOCK_LOCKED);
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_CLOCK_LOCKED);
	EXPECT_GE(ev_find(f, head, QKDCHIP_EV_CLOCK_LOCKED), 0);
	fake_run(f, 1000 * NS_PER_MS);				/* a PPS edge passed */
	EXPECT_NE(0u, rd(f, QKDCHIP_REG_CLOCK_STATUS) & QKDCHIP_CLOCK_PPS_SEEN);
	card_set_clock_ref(f->card, false);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_CLOCK_STATUS));
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_STATUS) & QKDCHIP_STATUS_CLOCK_LOCKED);
	EXPECT_GE(ev_find(f, head, QKDCHIP_EV_CLOCK_LOST), 0);
}

TEST_F(client, irq_storm)
{
	struct fake *f = &self->f;
	char *argv[] = { "irq-storm", "1", "50" }, err[128];
	struct card_fault flt;

	ASSERT_EQ(0, card_fault_parse(3, argv, &flt, err, sizeof(err)));
	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	EXPECT_EQ(1u, f->irqs[1]);		/* the first at once */
	fake_run(f, 100 * NS_PER_US);		/* then one every 10 us */
	EXPECT_EQ(11u, f->irqs[1]);
	fake_run(f, 10 * NS_PER_MS);
	EXPECT_EQ(50u, f->irqs[1]);
	EXPECT_EQ(0u, f->irqs[0] + f->irqs[2]);
	EXPECT_EQ(0u, rd(f, QKDCHIP_REG_IRQ_STATUS));	/* no cause: spurious interrupts */
}

/* A lock-lost fault while nothing is locked waits for the next lock. */
TEST_F(server, comb_lock_lost_pending)
{
	struct fake *f = &self->f;
	struct card_fault flt = { .kind = CARD_FAULT_LOCK_LOST };
	uint32_t head = rd(f, QKDCHIP_REG_EVLOG_HEAD);
	char err[64];
	int i;

	ASSERT_EQ(0, card_inject(f->card, &flt, err, sizeof(err)));
	wr(f, QKDCHIP_REG_COMB_PUMP_UA, 355000);
	wr(f, QKDCHIP_REG_COMB_CTRL, QKDCHIP_COMB_ON | QKDCHIP_COMB_LOCK_LOOP);
	fake_run(f, 60 * NS_PER_MS);
	/* acquired, lost at once, searching again */
	i = ev_find(f, head, QKDCHIP_EV_LOCK_ACQUIRED);
	ASSERT_GE(i, 0);
	EXPECT_EQ(1u, ev_arg(f, (uint32_t)i));		/* the comb */
	i = ev_find(f, (uint32_t)i, QKDCHIP_EV_LOCK_LOST);
	ASSERT_GE(i, 0);
	EXPECT_EQ(1u, ev_arg(f, (uint32_t)i));
	EXPECT_EQ(1u, rd(f, QKDCHIP_REG_COMB_STATUS) >> 16);
	EXPECT_EQ((uint32_t)QKDCHIP_LOCK_ACQUIRING, rd(f, QKDCHIP_REG_COMB_STATUS) & 3);
	fake_run(f, 60 * NS_PER_MS);
	EXPECT_EQ((uint32_t)QKDCHIP_LOCK_LOCKED, rd(f, QKDCHIP_REG_COMB_STATUS) & 3);
}

/* Same seed and index: the same card; another index: another card. */
TEST(determinism)
{
	struct fake a, b, c;
	int i;

	ASSERT_EQ(0, fake_init(&a, CARD_CLIENT, 42, 3));
	ASSERT_EQ(0, fake_init(&b, CARD_CLIENT, 42, 3));
	ASSERT_EQ(0, fake_init(&c, CARD_CLIENT, 42, 4));
	EXPECT_EQ(rd64(&a, QKDCHIP_REG_SERIAL_LO), rd64(&b, QKDCHIP_REG_SERIAL_LO));
	EXPECT_NE(rd64(&a, QKDCHIP_REG_SERIAL_LO), rd64(&c, QKDCHIP_REG_SERIAL_LO));
	for (i = 0; i < 50; i++) {
		fake_run(&a, 10 * NS_PER_MS);
		/* reads of b at other times do not change its random processes */
		rd(&b, QKDCHIP_REG_TEMP_MC(1));
		fake_run(&b, 10 * NS_PER_MS);
		EXPECT_EQ(rd(&a, QKDCHIP_REG_TEMP_MC(1)), rd(&b, QKDCHIP_REG_TEMP_MC(1)));
		EXPECT_EQ(rd(&a, QKDCHIP_REG_TEMP_MC(2)), rd(&b, QKDCHIP_REG_TEMP_MC(2)));
	}
	fake_fini(&a);
	fake_fini(&b);
	fake_fini(&c);
}

TEST_HARNESS_MAIN
