/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdchip card hardware interface: PCI identity, BAR layout and BAR0 registers.
 *
 * This header is the machine-readable half of Documentation/hw/registers.rst and is
 * shared by the driver and by the emulated card (tools/qkdemu). It holds only
 * constants, so it can be included from the kernel and from userspace alike. Values
 * that userspace sees unchanged (roles, feature bits, stream records) are defined once,
 * in the user ABI header.
 * Every register is 32 bits wide and little-endian; 64-bit quantities are split into
 * _LO/_HI pairs (write LO first, HI commits).
 */
#ifndef QKDCHIP_HW_H
#define QKDCHIP_HW_H

#include <linux/qkdchip.h>	/* roles, features and record formats are user ABI too */

/* PCI identity (provisional: not assigned by the PCI-SIG, see Documentation/hw/) */
#define QKDCHIP_PCI_VENDOR		0x1fc5
#define QKDCHIP_PCI_DEVICE		0x0001
#define QKDCHIP_PCI_CLASS		0x118000	/* signal processing controller, other */

/* BARs */
#define QKDCHIP_BAR_REGS		0		/* registers, 64 KiB */
#define QKDCHIP_BAR_REGS_SIZE		0x10000
#define QKDCHIP_BAR_MSIX		2		/* MSI-X table and PBA, 16 KiB */
#define QKDCHIP_BAR_MSIX_SIZE		0x4000
#define QKDCHIP_MSIX_TABLE_OFFSET	0x0000
#define QKDCHIP_MSIX_PBA_OFFSET		0x2000

/* MSI-X vectors */
#define QKDCHIP_VEC_EVENTS		0	/* event log, doorbell, errors */
#define QKDCHIP_VEC_C2H			1	/* card-to-host stream */
#define QKDCHIP_VEC_H2C			2	/* host-to-card stream and table engine */
#define QKDCHIP_NUM_VECTORS		3

/* ---- Identity block (0x0000 - 0x00ff), read-only unless stated ----------------------- */
#define QKDCHIP_REG_MAGIC		0x0000	/* QKDCHIP_MAGIC */
#define QKDCHIP_MAGIC			0x51444b43	/* "QKDC", MSB first */
#define QKDCHIP_REG_VERSION		0x0004	/* hardware interface version */
#define QKDCHIP_VERSION_MAJOR(v)	(((v) >> 24) & 0xff)
#define QKDCHIP_VERSION_MINOR(v)	(((v) >> 16) & 0xff)
#define QKDCHIP_VERSION_PATCH(v)	((v) & 0xffff)
#define QKDCHIP_VERSION(maj, min, pat)	(((maj) << 24) | ((min) << 16) | (pat))
#define QKDCHIP_REG_ROLE		0x0008	/* QKDCHIP_ROLE_* (uapi) */
#define QKDCHIP_REG_FEATURES		0x000c	/* QKDCHIP_FEAT_* (uapi) */
#define QKDCHIP_REG_SERIAL_LO		0x0010
#define QKDCHIP_REG_SERIAL_HI		0x0014
#define QKDCHIP_REG_FW_BUILD		0x0018	/* firmware build number */
#define QKDCHIP_REG_FW_DATE		0x001c	/* firmware date, BCD 0xYYYYMMDD */
#define QKDCHIP_REG_CAP_DAC		0x0020	/* client: DAC channels, samples per slot, bits */
#define QKDCHIP_CAP_DAC_CHANNELS(v)	((v) & 0xff)
#define QKDCHIP_CAP_DAC_SAMPLES(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_CAP_DAC_BITS(v)		(((v) >> 16) & 0xff)
#define QKDCHIP_REG_CAP_SLOT_RATE	0x0024	/* slot (pulse) rate in kHz */
#define QKDCHIP_REG_CAP_DET		0x0028	/* server: detector channels, units, fine LSB */
#define QKDCHIP_CAP_DET_CHANNELS(v)	((v) & 0xff)
#define QKDCHIP_CAP_DET_UNITS(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_CAP_DET_FINE_PS(v)	(((v) >> 16) & 0xffff)
#define QKDCHIP_REG_CAP_RING		0x002c	/* ring limits, log2 values */
#define QKDCHIP_CAP_RING_MAX_DESC(v)	((v) & 0xff)		/* log2 max descriptors */
#define QKDCHIP_CAP_RING_MIN_BUF(v)	(((v) >> 8) & 0xff)	/* log2 min buffer bytes */
#define QKDCHIP_CAP_RING_MAX_BUF(v)	(((v) >> 16) & 0xff)	/* log2 max buffer bytes */
#define QKDCHIP_REG_CAP_TABLE		0x0030	/* waveform tables: max symbols, banks */
#define QKDCHIP_CAP_TABLE_SYMBOLS(v)	((v) & 0xffff)
#define QKDCHIP_CAP_TABLE_BANKS(v)	(((v) >> 16) & 0xff)
#define QKDCHIP_REG_CAP_FRAME		0x0034	/* log2 slots per frame, min and max */
#define QKDCHIP_CAP_FRAME_MIN(v)	((v) & 0xff)
#define QKDCHIP_CAP_FRAME_MAX(v)	(((v) >> 8) & 0xff)
#define QKDCHIP_REG_SCRATCH		0x0040	/* read/write, no effect; reset 0 */
#define QKDCHIP_REG_DOORBELL		0x0044	/* write-only: raise test interrupt on vector */
#define QKDCHIP_DOORBELL_VECTOR(v)	((v) & 0x3)

/* ---- Interrupt block (0x0100 - 0x01ff) --------------------------------------------- */
#define QKDCHIP_REG_IRQ_STATUS		0x0100	/* RW1C: QKDCHIP_IRQ_* causes */
#define QKDCHIP_REG_IRQ_ENABLE		0x0104	/* RW: causes that may raise a vector */
#define QKDCHIP_IRQ_DOORBELL(vec)	(1u << (vec))	/* bits 0..2: doorbell per vector */
#define QKDCHIP_IRQ_DOORBELL_ALL	0x7u

#endif /* QKDCHIP_HW_H */
