/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdchip card hardware interface: PCI identity, BAR layout and BAR0 registers.
 *
 * This header is the machine-readable half of Documentation/hw/ and is shared by the
 * driver and by the emulated card (tools/qkdemu). It holds only constants, so it can
 * be included from the kernel and from userspace alike. Values that userspace sees
 * unchanged (roles, feature bits, stream records, event codes, the waveform table
 * image) are defined once, in the user ABI header.
 *
 * Every register is 32 bits wide and little-endian. 64-bit quantities are _LO/_HI
 * pairs: writes of LO are held until HI is written; a read of LO latches HI.
 */
#ifndef QKDCHIP_HW_H
#define QKDCHIP_HW_H

#include <linux/qkdchip.h>

/* PCI identity (provisional: not assigned by the PCI-SIG, see Documentation/hw/) */
#define QKDCHIP_PCI_VENDOR		0x1fc5
#define QKDCHIP_PCI_DEVICE		0x0001
#define QKDCHIP_PCI_CLASS		0x118000	/* signal processing controller */

/* BARs */
#define QKDCHIP_BAR_REGS		0		/* registers, 64 KiB */
#define QKDCHIP_BAR_REGS_SIZE		0x10000
#define QKDCHIP_BAR_MSIX		2		/* MSI-X table and PBA, 16 KiB */
#define QKDCHIP_BAR_MSIX_SIZE		0x4000
#define QKDCHIP_MSIX_TABLE_OFFSET	0x0000
#define QKDCHIP_MSIX_PBA_OFFSET		0x2000

/* MSI-X vectors */
#define QKDCHIP_VEC_EVENTS		0	/* event log, errors, doorbell 0 */
#define QKDCHIP_VEC_C2H			1	/* card-to-host stream */
#define QKDCHIP_VEC_H2C			2	/* host-to-card patterns and tables */
#define QKDCHIP_NUM_VECTORS		3

/* ---- Identity block (0x0000 - 0x007f) ------------------------------------------- */
#define QKDCHIP_REG_MAGIC		0x0000
#define QKDCHIP_MAGIC			0x51444b43	/* "QKDC", MSB first */
#define QKDCHIP_REG_VERSION		0x0004
#define QKDCHIP_VERSION_MAJOR(v)	(((v) >> 24) & 0xff)
#define QKDCHIP_VERSION_MINOR(v)	(((v) >> 16) & 0xff)
#define QKDCHIP_VERSION_PATCH(v)	((v) & 0xffff)
#define QKDCHIP_VERSION(maj, min, pat)	(((maj) << 24) | ((min) << 16) | (pat))
#define QKDCHIP_REG_ROLE		0x0008	/* QKDCHIP_ROLE_* (uapi) */
#define QKDCHIP_REG_FEATURES		0x000c	/* QKDCHIP_FEAT_* (uapi) */
#define QKDCHIP_REG_SERIAL_LO		0x0010
#define QKDCHIP_REG_SERIAL_HI		0x0014
#define QKDCHIP_REG_FW_BUILD		0x0018
#define QKDCHIP_REG_FW_DATE		0x001c	/* BCD 0xYYYYMMDD */
#define QKDCHIP_REG_CAP_DAC		0x0020
#define QKDCHIP_CAP_DAC_CHANNELS(v)	((v) & 0xff)
#define QKDCHIP_CAP_DAC_SAMPLES(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_CAP_DAC_BITS(v)		(((v) >> 16) & 0xff)
#define QKDCHIP_REG_CAP_SLOT_RATE	0x0024	/* kHz */
#define QKDCHIP_REG_CAP_DET		0x0028
#define QKDCHIP_CAP_DET_CHANNELS(v)	((v) & 0xff)
#define QKDCHIP_CAP_DET_UNITS(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_CAP_DET_FINE_PS(v)	(((v) >> 16) & 0xffff)
#define QKDCHIP_REG_CAP_RING		0x002c	/* log2 values */
#define QKDCHIP_CAP_RING_MAX_DESC(v)	((v) & 0xff)
#define QKDCHIP_CAP_RING_MIN_BUF(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_CAP_RING_MAX_BUF(v)	(((v) >> 16) & 0xff)
#define QKDCHIP_REG_CAP_TABLE		0x0030
#define QKDCHIP_CAP_TABLE_SYMBOLS(v)	((v) & 0xffff)
#define QKDCHIP_CAP_TABLE_BANKS(v)	(((v) >> 16) & 0xff)
#define QKDCHIP_REG_CAP_FRAME		0x0034	/* log2 slots per frame */
#define QKDCHIP_CAP_FRAME_MIN(v)	((v) & 0xff)
#define QKDCHIP_CAP_FRAME_MAX(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_REG_SCRATCH		0x0040
#define QKDCHIP_REG_DOORBELL		0x0044
#define QKDCHIP_DOORBELL_VECTOR(v)	((v) & 0x3)

/* ---- Control block (0x0080 - 0x00ff) -------------------------------------------- */
#define QKDCHIP_REG_CTRL		0x0080
#define QKDCHIP_CTRL_RESET		0x00000001	/* self-clearing device reset */
#define QKDCHIP_REG_STATUS		0x0084
#define QKDCHIP_STATUS_READY		0x00000001
#define QKDCHIP_STATUS_C2H_RUNNING	0x00000002
#define QKDCHIP_STATUS_PAT_RUNNING	0x00000004
#define QKDCHIP_STATUS_SOURCE_LOCKED	0x00000008	/* laser (client) / comb (server) */
#define QKDCHIP_STATUS_CLOCK_LOCKED	0x00000010
#define QKDCHIP_STATUS_OVER_TEMP	0x00000020
#define QKDCHIP_STATUS_ERROR		0x00000040	/* an engine stopped on an error */
#define QKDCHIP_REG_TIME_LO		0x0088	/* slot counter */
#define QKDCHIP_REG_TIME_HI		0x008c
#define QKDCHIP_REG_FRAME_LOG2		0x0090	/* slots per frame, log2 */
#define QKDCHIP_REG_FRAME_COUNT_LO	0x0094	/* frame boundaries passed */
#define QKDCHIP_REG_FRAME_COUNT_HI	0x0098
#define QKDCHIP_REG_HEARTBEAT_US	0x009c	/* TIME record period, 0 = off */
#define QKDCHIP_HEARTBEAT_MAX_US	1000000
#define QKDCHIP_REG_CLOCK_CTRL		0x00a0
#define QKDCHIP_CLOCK_INTERNAL		0
#define QKDCHIP_CLOCK_EXT_10M_PPS	1
#define QKDCHIP_REG_CLOCK_STATUS	0x00a4
#define QKDCHIP_CLOCK_REF_PRESENT	0x00000001
#define QKDCHIP_CLOCK_LOCKED		0x00000002
#define QKDCHIP_CLOCK_PPS_SEEN		0x00000004

/* ---- Interrupt block (0x0100 - 0x017f) ------------------------------------------ */
#define QKDCHIP_REG_IRQ_STATUS		0x0100	/* W1C */
#define QKDCHIP_REG_IRQ_ENABLE		0x0104
#define QKDCHIP_IRQ_DOORBELL(vec)	(1u << (vec))	/* bits 0..2 */
#define QKDCHIP_IRQ_DOORBELL_ALL	0x00000007
#define QKDCHIP_IRQ_EVENT		0x00000100	/* vector 0 */
#define QKDCHIP_IRQ_ERROR		0x00000200	/* vector 0 */
#define QKDCHIP_IRQ_C2H			0x00010000	/* vector 1 */
#define QKDCHIP_IRQ_PAT			0x01000000	/* vector 2 */
#define QKDCHIP_IRQ_TABLE		0x02000000	/* vector 2 */
#define QKDCHIP_IRQ_VEC0		(0x00000001 | QKDCHIP_IRQ_EVENT | QKDCHIP_IRQ_ERROR)
#define QKDCHIP_IRQ_VEC1		(0x00000002 | QKDCHIP_IRQ_C2H)
#define QKDCHIP_IRQ_VEC2		(0x00000004 | QKDCHIP_IRQ_PAT | QKDCHIP_IRQ_TABLE)
#define QKDCHIP_IRQ_ALL			(QKDCHIP_IRQ_VEC0 | QKDCHIP_IRQ_VEC1 | QKDCHIP_IRQ_VEC2)
#define QKDCHIP_REG_C2H_MOD_COUNT	0x0110	/* records; 0 = no count trigger */
#define QKDCHIP_REG_C2H_MOD_TIME_US	0x0114	/* microseconds; 0 = no time trigger */
#define QKDCHIP_REG_PAT_MOD_COUNT	0x0118	/* slots */
#define QKDCHIP_REG_PAT_MOD_TIME_US	0x011c

/* ---- Event log (0x0200 - 0x02ff registers, 0x0400 - 0x07ff entries) -------------- */
#define QKDCHIP_REG_EVLOG_HEAD		0x0200	/* card's write index, free-running */
#define QKDCHIP_REG_EVLOG_TAIL		0x0204	/* host's read index, free-running */
#define QKDCHIP_REG_EVLOG_LOST		0x0208	/* entries overwritten unread */
#define QKDCHIP_EVLOG_BASE		0x0400
#define QKDCHIP_EVLOG_ENTRIES		64
#define QKDCHIP_EVLOG_ENTRY_SIZE	16	/* code, arg, slot lo, slot hi */

/* ---- Card-to-host stream engine (0x1000 - 0x10ff) ------------------------------- */
#define QKDCHIP_REG_C2H_CTRL		0x1000
#define QKDCHIP_C2H_RUN			0x00000001
#define QKDCHIP_C2H_SOURCE(v)		(((v) >> 4) & 0xf)
#define QKDCHIP_C2H_SOURCE_CARD		0	/* detectors (server) / seeds, events */
#define QKDCHIP_C2H_SOURCE_TEST		1	/* test pattern */
#define QKDCHIP_REG_C2H_STATUS		0x1004
#define QKDCHIP_C2H_ST_RUNNING		0x00000001
#define QKDCHIP_C2H_ST_FULL		0x00000002	/* ring full: dropping */
#define QKDCHIP_C2H_ST_STALLED		0x00000004
#define QKDCHIP_C2H_ST_ERROR		0x00000008
#define QKDCHIP_C2H_ST_ERRCODE(v)	(((v) >> 8) & 0xff)	/* QKDCHIP_ERR_* */
#define QKDCHIP_C2H_ST_ERRARG(v)	(((v) >> 16) & 0xffff)
#define QKDCHIP_REG_C2H_DESC_LO		0x1008	/* descriptor table address */
#define QKDCHIP_REG_C2H_DESC_HI		0x100c
#define QKDCHIP_REG_C2H_DESC_COUNT	0x1010	/* buffers, power of two */
#define QKDCHIP_REG_C2H_BUF_LOG2	0x1014	/* buffer size, log2 bytes */
#define QKDCHIP_REG_C2H_WB_LO		0x1018	/* write-back block address */
#define QKDCHIP_REG_C2H_WB_HI		0x101c
#define QKDCHIP_REG_C2H_SHADOW_LO	0x1020	/* host consumer index address */
#define QKDCHIP_REG_C2H_SHADOW_HI	0x1024
#define QKDCHIP_REG_C2H_ARM		0x1028	/* WO: raise C2H when prod != value */
#define QKDCHIP_REG_C2H_TEST_RATE	0x1030	/* test records per second, 0 = max */
#define QKDCHIP_REG_C2H_TEST_SEED	0x1034
#define QKDCHIP_REG_C2H_PROD_LO		0x1038	/* records produced this run */
#define QKDCHIP_REG_C2H_PROD_HI		0x103c
#define QKDCHIP_REG_C2H_RECORDS_LO	0x1040	/* counters: since reset, sticky */
#define QKDCHIP_REG_C2H_RECORDS_HI	0x1044
#define QKDCHIP_REG_C2H_DROPPED_LO	0x1048
#define QKDCHIP_REG_C2H_DROPPED_HI	0x104c
#define QKDCHIP_REG_C2H_LOSSES_LO	0x1050	/* loss intervals */
#define QKDCHIP_REG_C2H_LOSSES_HI	0x1054
#define QKDCHIP_REG_C2H_WRITEBACKS_LO	0x1058
#define QKDCHIP_REG_C2H_WRITEBACKS_HI	0x105c
#define QKDCHIP_REG_C2H_DMA_ERRORS	0x1060
#define QKDCHIP_REG_C2H_STALLS		0x1064

/* Descriptor: 16 bytes in host memory, little-endian */
#define QKDCHIP_DESC_SIZE		16	/* u64 addr, u32 len, u32 flags (0) */

/* C2H write-back block: 64 bytes in host memory, written by the card */
#define QKDCHIP_WB_PROD			0x00	/* u64 records produced */
#define QKDCHIP_WB_DROPPED		0x08	/* u64 records dropped this run */
#define QKDCHIP_WB_TIME			0x10	/* u64 slot counter at write-back */
#define QKDCHIP_WB_STATUS		0x18	/* u32 C2H_STATUS */
#define QKDCHIP_WB_SEQ			0x1c	/* u32 write-back sequence number */
#define QKDCHIP_WB_SIZE			64

/* Engine error codes (C2H_STATUS / PAT_STATUS bits 15:8, event argument) */
#define QKDCHIP_ERR_NONE		0
#define QKDCHIP_ERR_BAD_DESC		1	/* argument: descriptor index */
#define QKDCHIP_ERR_DMA_WRITE		2
#define QKDCHIP_ERR_DMA_READ		3
#define QKDCHIP_ERR_BAD_CONFIG		4	/* argument: offending register >> 2 */

/* ---- Waveform table engine (0x2000 - 0x20ff), client ----------------------------- */
#define QKDCHIP_REG_TABLE_ADDR_LO	0x2000
#define QKDCHIP_REG_TABLE_ADDR_HI	0x2004
#define QKDCHIP_REG_TABLE_LEN		0x2008
#define QKDCHIP_REG_TABLE_CTRL		0x200c	/* WO */
#define QKDCHIP_TABLE_LOAD		0x00000001
#define QKDCHIP_TABLE_SWITCH		0x00000002
#define QKDCHIP_REG_TABLE_STATUS	0x2010
#define QKDCHIP_TABLE_ST_BUSY		0x00000001	/* loading */
#define QKDCHIP_TABLE_ST_LOADED		0x00000002	/* inactive bank holds a table */
#define QKDCHIP_TABLE_ST_PENDING	0x00000004	/* switch at next frame */
#define QKDCHIP_TABLE_ST_ACTIVE_VALID	0x00000008	/* active bank holds a table */
#define QKDCHIP_TABLE_ST_BANK(v)	(((v) >> 4) & 0x3)
#define QKDCHIP_TABLE_ST_ERROR(v)	(((v) >> 8) & 0xff)	/* QKDCHIP_TABLE_ERR_* */
#define QKDCHIP_TABLE_ST_SWITCHES(v)	(((v) >> 16) & 0xffff)
#define QKDCHIP_REG_TABLE_ACTIVE_CRC	0x2014
#define QKDCHIP_REG_TABLE_ACTIVE_SYMS	0x2018
#define QKDCHIP_REG_TABLE_FRAME_LO	0x2020	/* frame of the last switch */
#define QKDCHIP_REG_TABLE_FRAME_HI	0x2024

/* ---- Pattern engine (0x2100 - 0x21ff), client --------------------------------------- */
#define QKDCHIP_REG_PAT_CTRL		0x2100
#define QKDCHIP_PAT_RUN			0x00000001
#define QKDCHIP_PAT_SOURCE(v)		(((v) >> 4) & 0x3)
#define QKDCHIP_PAT_SOURCE_HOST		0	/* host-streamed ring */
#define QKDCHIP_PAT_SOURCE_SEEDED	1	/* card-seeded generator */
#define QKDCHIP_REG_PAT_STATUS		0x2104
#define QKDCHIP_PAT_ST_RUNNING		0x00000001
#define QKDCHIP_PAT_ST_UNDERRUN		0x00000002	/* starving now */
#define QKDCHIP_PAT_ST_ERROR		0x00000008
#define QKDCHIP_REG_PAT_DESC_LO		0x2108
#define QKDCHIP_REG_PAT_DESC_HI		0x210c
#define QKDCHIP_REG_PAT_DESC_COUNT	0x2110
#define QKDCHIP_REG_PAT_BUF_LOG2	0x2114
#define QKDCHIP_REG_PAT_WB_LO		0x2118	/* write-back: u64 consumed, ... */
#define QKDCHIP_REG_PAT_WB_HI		0x211c
#define QKDCHIP_REG_PAT_SHADOW_LO	0x2120	/* host producer index address */
#define QKDCHIP_REG_PAT_SHADOW_HI	0x2124
#define QKDCHIP_REG_PAT_ARM		0x2128	/* WO: raise PAT when cons != value */
#define QKDCHIP_REG_PAT_START_LO	0x2130	/* slot of pattern index 0 */
#define QKDCHIP_REG_PAT_START_HI	0x2134
#define QKDCHIP_REG_PAT_CONS_LO		0x2138	/* pattern bytes consumed */
#define QKDCHIP_REG_PAT_CONS_HI		0x213c
#define QKDCHIP_REG_PAT_UNDERRUN_LO	0x2140	/* slots played blank, sticky */
#define QKDCHIP_REG_PAT_UNDERRUN_HI	0x2144
#define QKDCHIP_REG_PAT_UNDERRUNS	0x2148	/* underrun intervals */
#define QKDCHIP_REG_PAT_BAD_SYMBOLS	0x214c	/* symbols >= table size */
#define QKDCHIP_REG_PAT_DMA_ERRORS	0x2150
#define QKDCHIP_REG_PAT_TOTAL_LO	0x2158	/* pattern bytes consumed since reset */
#define QKDCHIP_REG_PAT_TOTAL_HI	0x215c

/* Pattern write-back block: 64 bytes */
#define QKDCHIP_PWB_CONS		0x00	/* u64 pattern bytes consumed */
#define QKDCHIP_PWB_UNDERRUN		0x08	/* u64 slots played blank this run */
#define QKDCHIP_PWB_TIME		0x10	/* u64 slot counter */
#define QKDCHIP_PWB_STATUS		0x18	/* u32 PAT_STATUS */
#define QKDCHIP_PWB_SEQ			0x1c

/* ---- Slow control, client (0x3000 - 0x30ff) ------------------------------------------ */
#define QKDCHIP_REG_LASER_CURRENT_UA	0x3000
#define QKDCHIP_LASER_CURRENT_MAX_UA	200000
#define QKDCHIP_REG_LASER_CTRL		0x3004
#define QKDCHIP_LASER_ON		0x00000001
#define QKDCHIP_LASER_LOCK_LOOP		0x00000002
#define QKDCHIP_REG_LASER_STATUS	0x3008
#define QKDCHIP_LOCK_STATE(v)		((v) & 0x3)	/* QKDCHIP_LOCK_* (uapi) */
#define QKDCHIP_LOCK_LOSSES(v)		(((v) >> 16) & 0xffff)
#define QKDCHIP_REG_LASER_DETUNE_MHZ	0x300c	/* s32 */
#define QKDCHIP_REG_LASER_POWER_UW	0x3010
#define QKDCHIP_REG_MOD_BIAS_MV(ch)	(0x3020 + 4 * (ch))	/* s32, ch < 8 */
#define QKDCHIP_MOD_BIAS_MAX_MV		10000
#define QKDCHIP_REG_VOA_MDB		0x3040	/* attenuation, milli-dB */
#define QKDCHIP_VOA_MAX_MDB		60000
#define QKDCHIP_REG_TEC_SETPOINT_MC	0x3044	/* milli-degrees Celsius */
#define QKDCHIP_TEC_MIN_MC		15000
#define QKDCHIP_TEC_MAX_MC		45000
#define QKDCHIP_REG_TEC_CTRL		0x3048
#define QKDCHIP_TEC_ON			0x00000001

/* ---- Temperatures, both roles (0x3080 - 0x30ff) --------------------------------------- */
#define QKDCHIP_REG_TEMP_MC(i)		(0x3080 + 4 * (i))	/* s32, QKDCHIP_TEMP_* */
#define QKDCHIP_NUM_TEMPS		3
#define QKDCHIP_REG_TEMP_CRIT_MC	0x308c
#define QKDCHIP_TEMP_CRIT_DEFAULT_MC	70000
#define QKDCHIP_TEMP_HYST_MC		5000

/* ---- Slow control, server (0x3100 - 0x32ff) ------------------------------------------- */
#define QKDCHIP_REG_COMB_PUMP_UA	0x3100
#define QKDCHIP_COMB_PUMP_MAX_UA	500000
#define QKDCHIP_REG_COMB_CTRL		0x3104
#define QKDCHIP_COMB_ON			0x00000001
#define QKDCHIP_COMB_LOCK_LOOP		0x00000002
#define QKDCHIP_REG_COMB_STATUS		0x3108	/* as LASER_STATUS */
#define QKDCHIP_REG_COMB_LINES		0x310c
#define QKDCHIP_REG_DET_BIAS_UA(ch)	(0x3200 + 4 * (ch))	/* ch < 8 */
#define QKDCHIP_DET_BIAS_MAX_UA		30
#define QKDCHIP_REG_DET_EFF_PPM(ch)	(0x3220 + 4 * (ch))
#define QKDCHIP_REG_DET_DARK_CPS(ch)	(0x3240 + 4 * (ch))
#define QKDCHIP_REG_TAG_DELAY_PS(ch)	(0x3260 + 4 * (ch))	/* s32 */
#define QKDCHIP_TAG_DELAY_MAX_PS	2000000
#define QKDCHIP_REG_TAG_DEADTIME_NS	0x3280
#define QKDCHIP_TAG_DEADTIME_MIN_NS	10
#define QKDCHIP_TAG_DEADTIME_MAX_NS	100000
#define QKDCHIP_REG_REF_WINDOW_LOG2	0x3284	/* slots per reference window */

#endif /* QKDCHIP_HW_H */
