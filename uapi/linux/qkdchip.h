/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * qkdchip user ABI: the character device /dev/qkdchipN.
 *
 * Documentation/userspace-api/qkdchip.rst describes every call. Conventions:
 *  - Every ioctl argument is a struct whose size is encoded in the ioctl number.
 *    The driver accepts a smaller struct from an older program (missing fields read as
 *    zero) and a larger one from a newer program if the bytes it does not know are zero
 *    (else -E2BIG). Output is truncated to the caller's size.
 *  - Padding is explicit; reserved fields must be zero on input (else -EINVAL) and are
 *    zero on output.
 *  - QKDCHIP_ABI_VERSION changes only on an incompatible change (never, we hope).
 */
#ifndef _UAPI_LINUX_QKDCHIP_H
#define _UAPI_LINUX_QKDCHIP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define QKDCHIP_ABI_VERSION		1

/* Card roles (struct qkdchip_info.role; also the card's ROLE register) */
#define QKDCHIP_ROLE_CLIENT		1	/* transmitter: InP chip, modulators, laser */
#define QKDCHIP_ROLE_SERVER		2	/* relay: microcomb, detectors, time tagger */

/* Feature bits (struct qkdchip_info.features; also the card's FEATURES register) */
#define QKDCHIP_FEAT_C2H		0x00000001	/* card-to-host record stream */
#define QKDCHIP_FEAT_H2C_TABLE		0x00000002	/* waveform table engine */
#define QKDCHIP_FEAT_H2C_PATTERN	0x00000004	/* host-streamed patterns */
#define QKDCHIP_FEAT_CARD_SEEDED	0x00000008	/* card-seeded patterns */
#define QKDCHIP_FEAT_TAGGER		0x00000010	/* time tagger and detectors */
#define QKDCHIP_FEAT_COMB		0x00000020	/* microcomb pump */
#define QKDCHIP_FEAT_LASER		0x00000040	/* injection-locked laser */
#define QKDCHIP_FEAT_EXT_CLOCK		0x00000080	/* 10 MHz + PPS input */

/**
 * struct qkdchip_info - identity and capabilities of a card (QKDCHIP_IOC_INFO)
 * @abi_version:	QKDCHIP_ABI_VERSION of the driver
 * @hw_version:		hardware interface version: major << 24 | minor << 16 | patch
 * @role:		QKDCHIP_ROLE_*
 * @features:		QKDCHIP_FEAT_*
 * @serial:		card serial number
 * @fw_build:		firmware build number
 * @fw_date:		firmware date, BCD 0xYYYYMMDD
 * @slot_rate_khz:	slot (pulse) rate in kHz
 * @index:		N of /dev/qkdchipN
 * @dac_channels:	client: modulator DAC channels (0 on a server card)
 * @samples_per_slot:	client: DAC samples per slot
 * @dac_bits:		client: DAC resolution in bits
 * @det_channels:	server: detector channels (0 on a client card)
 * @det_units:		server: measurement units (detector pairs behind a beam splitter)
 * @fine_time_ps:	server: fine-time LSB in picoseconds
 * @ring_max_desc:	most buffers in one stream ring
 * @ring_min_buf:	smallest ring buffer in bytes
 * @ring_max_buf:	largest ring buffer in bytes
 * @table_symbols:	client: most symbols in a waveform table
 * @table_banks:	client: waveform table banks (2: double buffered)
 * @frame_min_log2:	smallest frame, log2 of slots
 * @frame_max_log2:	largest frame, log2 of slots
 * @reserved:		zero
 */
struct qkdchip_info {
	__u32 abi_version;
	__u32 hw_version;
	__u32 role;
	__u32 features;
	__u64 serial;
	__u32 fw_build;
	__u32 fw_date;
	__u32 slot_rate_khz;
	__u32 index;
	__u16 dac_channels;
	__u16 samples_per_slot;
	__u16 dac_bits;
	__u16 det_channels;
	__u16 det_units;
	__u16 fine_time_ps;
	__u32 ring_max_desc;
	__u32 ring_min_buf;
	__u32 ring_max_buf;
	__u32 table_symbols;
	__u16 table_banks;
	__u8 frame_min_log2;
	__u8 frame_max_log2;
	__u32 reserved[8];
};

#define QKDCHIP_IOC_MAGIC		0xDC

#define QKDCHIP_IOC_INFO		_IOR(QKDCHIP_IOC_MAGIC, 0x00, struct qkdchip_info)

#endif /* _UAPI_LINUX_QKDCHIP_H */
