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

/*
 * Stream records. The card writes 64-bit little-endian records into the card-to-host
 * ring; the type is in bits 63:60. Documentation/hw/streams.rst gives every field.
 * Consumers count and skip records of unknown type.
 */
#define QKDCHIP_REC_TYPE(r)		((unsigned int)((__u64)(r) >> 60))
#define QKDCHIP_REC_INVALID		0	/* never written (zeroed memory) */
#define QKDCHIP_REC_TAG			1	/* detector click */
#define QKDCHIP_REC_REFCOUNT		2	/* reference-band counts of one window */
#define QKDCHIP_REC_TIME		3	/* time reached / frame / PPS / start */
#define QKDCHIP_REC_SEED		4	/* 32 bits of a frame's pattern seed */
#define QKDCHIP_REC_LOST		5	/* records dropped (three records) */
#define QKDCHIP_REC_UNDERRUN		6	/* pattern slots played blank (three) */
#define QKDCHIP_REC_EVENT		7	/* an event-log code, in stream order */
#define QKDCHIP_REC_MAX			7

#define QKDCHIP_REC_FIELD(r, shift, bits) \
	((__u64)(r) >> (shift) & ((((__u64)1) << (bits)) - 1))

/* TAG: 59:56 channel, 55 reference band, 51:40 fine time (ps), 39:0 slot (low bits) */
#define QKDCHIP_TAG_CHANNEL(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 56, 4))
#define QKDCHIP_TAG_REF(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 55, 1))
#define QKDCHIP_TAG_FINE_PS(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 40, 12))
#define QKDCHIP_TAG_SLOT(r)		QKDCHIP_REC_FIELD(r, 0, 40)
#define QKDCHIP_TAG_SLOT_BITS		40

/* REFCOUNT: 59:56 unit, 55:54 phase bucket, 53:44 window (low), 43:22 left, 21:0 right */
#define QKDCHIP_REF_UNIT(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 56, 4))
#define QKDCHIP_REF_BUCKET(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 54, 2))
#define QKDCHIP_REF_WINDOW(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 44, 10))
#define QKDCHIP_REF_WINDOW_BITS		10
#define QKDCHIP_REF_LEFT(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 22, 22))
#define QKDCHIP_REF_RIGHT(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 0, 22))
#define QKDCHIP_REF_COUNT_MAX		0x3fffff	/* counts saturate here */

/* TIME: 59:56 kind, 55:0 slot (full) */
#define QKDCHIP_TIME_KIND(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 56, 4))
#define QKDCHIP_TIME_SLOT(r)		QKDCHIP_REC_FIELD(r, 0, 56)
#define QKDCHIP_TIME_HEARTBEAT		0	/* time reached */
#define QKDCHIP_TIME_FRAME		1	/* a frame starts at this slot */
#define QKDCHIP_TIME_PPS		2	/* pulse per second at this slot */
#define QKDCHIP_TIME_START		3	/* the stream (re)started at this slot */

/* SEED: 59:57 word (0..7), 56:32 frame (low bits), 31:0 seed word */
#define QKDCHIP_SEED_WORD(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 57, 3))
#define QKDCHIP_SEED_FRAME(r)		QKDCHIP_REC_FIELD(r, 32, 25)
#define QKDCHIP_SEED_FRAME_BITS		25
#define QKDCHIP_SEED_DATA(r)		((__u32)QKDCHIP_REC_FIELD(r, 0, 32))

/* LOST and UNDERRUN: 59:56 kind; COUNT: 55:52 reason, 51:0 count; FIRST/LAST: 55:0 slot */
#define QKDCHIP_LOSS_KIND(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 56, 4))
#define QKDCHIP_LOSS_COUNT_KIND		0
#define QKDCHIP_LOSS_FIRST_KIND		1
#define QKDCHIP_LOSS_LAST_KIND		2
#define QKDCHIP_LOSS_REASON(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 52, 4))
#define QKDCHIP_LOSS_COUNT(r)		QKDCHIP_REC_FIELD(r, 0, 52)
#define QKDCHIP_LOSS_SLOT(r)		QKDCHIP_REC_FIELD(r, 0, 56)
#define QKDCHIP_LOSS_RING_FULL		0	/* the host had not released space */
#define QKDCHIP_LOSS_DMA_FAULT		1	/* a DMA write failed */
#define QKDCHIP_LOSS_STALL		2	/* the engine stalled */

/* EVENT: 59:48 event code (QKDCHIP_EV_*), 47:0 slot (low bits) */
#define QKDCHIP_EVREC_CODE(r)		((unsigned int)QKDCHIP_REC_FIELD(r, 48, 12))
#define QKDCHIP_EVREC_SLOT(r)		QKDCHIP_REC_FIELD(r, 0, 48)

/* Event codes: the card's event log, EVENT records, and netlink events. */
#define QKDCHIP_EV_LOCK_LOST		1	/* arg: 0 laser, 1 comb */
#define QKDCHIP_EV_LOCK_ACQUIRED	2	/* arg: 0 laser, 1 comb */
#define QKDCHIP_EV_C2H_OVERFLOW		3	/* started dropping records */
#define QKDCHIP_EV_C2H_OVERFLOW_END	4	/* arg: records dropped (low 32 bits) */
#define QKDCHIP_EV_PAT_UNDERRUN		5	/* started playing blank slots */
#define QKDCHIP_EV_PAT_UNDERRUN_END	6	/* arg: slots played blank (low 32 bits) */
#define QKDCHIP_EV_DMA_ERROR		7	/* arg: 0 c2h, 1 pattern, 2 table */
#define QKDCHIP_EV_DESC_ERROR		8	/* arg: engine << 16 | descriptor index */
#define QKDCHIP_EV_OVER_TEMP		9	/* arg: sensor */
#define QKDCHIP_EV_TEMP_OK		10	/* arg: sensor */
#define QKDCHIP_EV_TABLE_LOADED		11	/* arg: bank */
#define QKDCHIP_EV_TABLE_SWITCHED	12	/* arg: frame (low 32 bits) */
#define QKDCHIP_EV_TABLE_ERROR		13	/* arg: QKDCHIP_TABLE_ERR_* */
#define QKDCHIP_EV_CLOCK_LOST		14
#define QKDCHIP_EV_CLOCK_LOCKED		15
#define QKDCHIP_EV_RESET_DONE		16
#define QKDCHIP_EV_C2H_STALL		17	/* the stream engine stalled */
#define QKDCHIP_EV_C2H_STALL_END	18	/* arg: stall length in microseconds */
#define QKDCHIP_EV_MAX_CARD		18

/* Lock states of the laser (client) and the comb (server) */
#define QKDCHIP_LOCK_OFF		0
#define QKDCHIP_LOCK_UNLOCKED		1	/* on, free running */
#define QKDCHIP_LOCK_ACQUIRING		2	/* lock loop searching */
#define QKDCHIP_LOCK_LOCKED		3

/* Temperature sensors */
#define QKDCHIP_TEMP_CHIP		0	/* photonic chip (TEC controlled) */
#define QKDCHIP_TEMP_BOARD		1
#define QKDCHIP_TEMP_FPGA		2

/* Modulator DAC channels of a client card */
#define QKDCHIP_MOD_IM1			0	/* intensity modulator I */
#define QKDCHIP_MOD_IM2			1	/* intensity modulator II */
#define QKDCHIP_MOD_IM3			2	/* intensity modulator III (pulse carver) */
#define QKDCHIP_MOD_PM1			3	/* phase modulator I (encoding phase) */
#define QKDCHIP_MOD_PMREF		4	/* phase modulator of the reference pulses */

/**
 * struct qkdchip_table_hdr - header of a waveform table image
 * @magic:	QKDCHIP_TABLE_MAGIC
 * @version:	QKDCHIP_TABLE_VERSION
 * @hdr_size:	sizeof(struct qkdchip_table_hdr)
 * @symbols:	symbols in the table, 1 .. the card's table_symbols
 * @channels:	DAC channels, equal to the card's dac_channels
 * @samples:	DAC samples per slot, equal to the card's samples_per_slot
 * @data_size:	bytes of sample data after the header: symbols * channels * samples * 2
 * @crc32:	CRC-32 (IEEE 802.3, as zlib's crc32()) of the sample data
 * @reserved:	zero
 *
 * The header is followed by signed 16-bit little-endian DAC codes,
 * samples[symbol][channel][sample], each within the card's DAC range. All fields
 * are little-endian, whatever the host.
 */
struct qkdchip_table_hdr {
	__le32 magic;
	__le16 version;
	__le16 hdr_size;
	__le16 symbols;
	__u8 channels;
	__u8 samples;
	__le32 data_size;
	__le32 crc32;
	__le32 reserved[3];
};

#define QKDCHIP_TABLE_MAGIC		0x54574b51	/* "QKWT" in memory */
#define QKDCHIP_TABLE_VERSION		1

/* Table engine errors (card TABLE_STATUS, events) */
#define QKDCHIP_TABLE_ERR_NONE		0
#define QKDCHIP_TABLE_ERR_HEADER	1	/* bad magic, version, size or reserved */
#define QKDCHIP_TABLE_ERR_GEOMETRY	2	/* symbols, channels or samples */
#define QKDCHIP_TABLE_ERR_CRC		3
#define QKDCHIP_TABLE_ERR_DMA		4
#define QKDCHIP_TABLE_ERR_BUSY		5	/* a load or switch is in progress */
#define QKDCHIP_TABLE_ERR_RANGE		6	/* a sample outside the DAC range */
#define QKDCHIP_TABLE_ERR_NOT_LOADED	7	/* switch without a loaded table */

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

/* ---- Streams --------------------------------------------------------------------------- */

#define QKDCHIP_STREAM_C2H		0	/* card-to-host records (both roles) */
#define QKDCHIP_STREAM_PAT		1	/* host-to-card pattern bytes (client) */
#define QKDCHIP_NUM_STREAMS		2

/* Stream sources (struct qkdchip_stream_start.source) */
#define QKDCHIP_SOURCE_CARD		0	/* C2H: the card's own records */
#define QKDCHIP_SOURCE_TEST		1	/* C2H: the deterministic test pattern */
#define QKDCHIP_SOURCE_HOST		0	/* PAT: host-streamed ring */
#define QKDCHIP_SOURCE_SEEDED		1	/* PAT: card-seeded, no ring */

/* mmap areas of a stream's ring; struct qkdchip_ring_setup returns the offsets */
#define QKDCHIP_AREA_DATA		0	/* the ring's buffers, back to back */
#define QKDCHIP_AREA_STATUS		1	/* struct qkdchip_ring_status, read-only */
#define QKDCHIP_AREA_INDEX		2	/* struct qkdchip_ring_index, read-write */
#define QKDCHIP_MMAP_OFFSET(stream, area) \
	(((__u64)(stream) << 40) | ((__u64)(area) << 36))

/**
 * struct qkdchip_ring_setup - allocate a stream's ring (QKDCHIP_IOC_RING_SETUP)
 * @stream:	QKDCHIP_STREAM_*
 * @flags:	zero
 * @buf_size:	bytes per buffer: a power of two within the card's ring_min_buf ..
 *		ring_max_buf
 * @buf_count:	buffers: a power of two, 2 .. ring_max_desc
 * @mod_count:	the card publishes progress after this many records (C2H) or slots
 *		(PAT); 0 selects the card's default
 * @mod_time_us: ... or after this many microseconds; 0 selects the card's default
 * @ring_size:	out: bytes in the ring (buf_size * buf_count)
 * @data_offset: out: mmap offset of the ring data (QKDCHIP_AREA_DATA)
 * @status_offset: out: mmap offset of the status page (QKDCHIP_AREA_STATUS)
 * @index_offset: out: mmap offset of the index page (QKDCHIP_AREA_INDEX)
 * @reserved:	zero
 *
 * The ring belongs to the file that set it up: other files get -EBUSY for the same
 * stream until it is freed (QKDCHIP_IOC_RING_FREE or close).
 */
struct qkdchip_ring_setup {
	__u32 stream;
	__u32 flags;
	__u32 buf_size;
	__u32 buf_count;
	__u32 mod_count;
	__u32 mod_time_us;
	__u64 ring_size;
	__u64 data_offset;
	__u64 status_offset;
	__u64 index_offset;
	__u32 reserved[8];
};

/**
 * struct qkdchip_ring_status - the read-only status page of a ring
 * @card_index:	C2H: records the card has written (the producer index);
 *		PAT: pattern bytes the card has consumed (the consumer index).
 *		Free-running from 0 at each start. Written by the card.
 * @card_lost:	C2H: records dropped in this run; PAT: slots played blank in this run
 * @card_time:	the card's slot counter when it wrote this block
 * @card_status: the engine's status register (QKDCHIP_RING_HW_*)
 * @card_seq:	increments with every write of this block by the card
 * @card_reserved: zero
 * @state:	QKDCHIP_RING_* (written by the driver)
 * @error:	the card's error code when @state is QKDCHIP_RING_ERROR
 * @ring_size:	bytes in the ring
 * @start_slot:	PAT: the slot at which pattern byte 0 plays; C2H: 0
 * @driver_reserved: zero
 *
 * Memory ordering: load @card_index with acquire semantics (e.g.
 * __atomic_load_n(..., __ATOMIC_ACQUIRE)) before reading records it covers.
 */
struct qkdchip_ring_status {
	__u64 card_index;
	__u64 card_lost;
	__u64 card_time;
	__u32 card_status;
	__u32 card_seq;
	__u64 card_reserved[4];
	__u32 state;
	__u32 error;
	__u64 ring_size;
	__u64 start_slot;
	__u64 driver_reserved[4];
};

/* struct qkdchip_ring_status.state */
#define QKDCHIP_RING_IDLE		0	/* set up, not started */
#define QKDCHIP_RING_RUNNING		1
#define QKDCHIP_RING_STOPPED		2	/* stopped by the host; data stays readable */
#define QKDCHIP_RING_ERROR		3	/* the card stopped it on an error */
#define QKDCHIP_RING_GONE		4	/* the card was removed */

/* struct qkdchip_ring_status.card_status (the engine's status register) */
#define QKDCHIP_RING_HW_RUNNING		0x00000001
#define QKDCHIP_RING_HW_FULL		0x00000002	/* C2H: dropping now */
#define QKDCHIP_RING_HW_UNDERRUN	0x00000002	/* PAT: starving now */
#define QKDCHIP_RING_HW_STALLED		0x00000004
#define QKDCHIP_RING_HW_ERROR		0x00000008

/**
 * struct qkdchip_ring_index - the read-write index page of a ring
 * @host_index:	C2H: records the host has consumed (the card may overwrite them);
 *		PAT: pattern bytes the host has produced. Free-running from 0 at each
 *		start. Store it with release semantics (__atomic_store_n(...,
 *		__ATOMIC_RELEASE)) after reading the records it releases (C2H) or
 *		writing the bytes it publishes (PAT). The card reads it from memory.
 * @reserved:	unused
 */
struct qkdchip_ring_index {
	__u64 host_index;
	__u64 reserved[7];
};

/**
 * struct qkdchip_ring_free - free a stream's ring (QKDCHIP_IOC_RING_FREE)
 * @stream:	QKDCHIP_STREAM_*
 * @reserved:	zero
 *
 * Fails with -EBUSY while the stream runs or any part of the ring is mapped.
 */
struct qkdchip_ring_free {
	__u32 stream;
	__u32 reserved[3];
};

/**
 * struct qkdchip_stream_start - start a stream (QKDCHIP_IOC_STREAM_START)
 * @stream:	QKDCHIP_STREAM_*
 * @source:	C2H: QKDCHIP_SOURCE_CARD or QKDCHIP_SOURCE_TEST;
 *		PAT: QKDCHIP_SOURCE_HOST or QKDCHIP_SOURCE_SEEDED
 * @test_rate:	C2H test source: records per second, 0 for as fast as possible
 * @test_seed:	C2H test source: the pattern's seed
 * @start_slot:	out: PAT: the slot at which pattern byte 0 (host) or the first frame
 *		(seeded) plays; C2H: the slot counter at the start
 * @reserved:	zero
 *
 * The stream's ring must be set up by this file (-ENXIO otherwise; a card-seeded
 * pattern needs no ring), and the stream must not run (-EBUSY). Indices restart
 * from 0.
 */
struct qkdchip_stream_start {
	__u32 stream;
	__u32 source;
	__u32 test_rate;
	__u32 test_seed;
	__u64 start_slot;
	__u32 reserved[6];
};

/**
 * struct qkdchip_stream_stop - stop a stream (QKDCHIP_IOC_STREAM_STOP)
 * @stream:	QKDCHIP_STREAM_*
 * @reserved:	zero
 *
 * Returns when the card has stopped and written its final indices. Data in the ring
 * stays readable. Stopping a stream that does not run is not an error.
 */
struct qkdchip_stream_stop {
	__u32 stream;
	__u32 reserved[3];
};

/**
 * struct qkdchip_wakeup - ask for a wake-up (QKDCHIP_IOC_WAKEUP)
 * @stream:	QKDCHIP_STREAM_*
 * @reserved:	zero
 *
 * Arms the card's interrupt for the stream: the next time the card publishes an
 * index different from the one in the status page, poll() reports the file ready.
 * poll() arms by itself when the ring has nothing for the caller; this is for
 * programs that poll the index page and only sometimes want to sleep.
 */
struct qkdchip_wakeup {
	__u32 stream;
	__u32 reserved[3];
};

/* struct qkdchip_table_load.flags */
#define QKDCHIP_TABLE_F_SWITCH		0x00000001	/* switch to it and wait */

/**
 * struct qkdchip_table_load - load a waveform table (QKDCHIP_IOC_TABLE_LOAD)
 * @image:	user address of the image: struct qkdchip_table_hdr, then the samples
 * @size:	bytes of the image
 * @flags:	QKDCHIP_TABLE_F_*
 * @frame:	out: with QKDCHIP_TABLE_F_SWITCH, the frame from which the table plays
 * @crc32:	out: the image's CRC as the card computed it
 * @card_error:	out: on -EIO, the card's QKDCHIP_TABLE_ERR_* code
 * @reserved:	zero
 *
 * Loads the image into the card's inactive bank; with QKDCHIP_TABLE_F_SWITCH, also
 * switches it in at the next frame boundary and waits for that. The driver checks the
 * image first (-EINVAL for a malformed one; nothing reaches the card). -EBUSY while
 * another load or switch is in progress. Needs CAP_NET_ADMIN. Client cards only.
 */
struct qkdchip_table_load {
	__u64 image;
	__u32 size;
	__u32 flags;
	__u64 frame;
	__u32 crc32;
	__u32 card_error;
	__u32 reserved[4];
};

/**
 * struct qkdchip_stats - counters of a card (QKDCHIP_IOC_STATS)
 *
 * Card counters count since the driver bound the card (it resets the card at probe).
 * @c2h_records:	records the card wrote into C2H rings
 * @c2h_dropped:	records the card dropped (ring full, DMA faults, stalls)
 * @c2h_losses:		loss intervals (each reported in-band by one LOST triple)
 * @c2h_writebacks:	C2H write-backs
 * @c2h_dma_errors:	failed C2H DMA writes
 * @c2h_stalls:		C2H engine stalls
 * @c2h_read:		records copied out by read()
 * @c2h_bad:		records of unknown type seen by read()
 * @pat_consumed:	pattern bytes the card consumed
 * @pat_underrun_slots:	slots played blank for lack of pattern bytes
 * @pat_underruns:	underrun intervals
 * @pat_bad_symbols:	pattern bytes beyond the active table
 * @pat_dma_errors:	failed pattern DMA reads
 * @pat_written:	pattern bytes copied in by write()
 * @table_loads:	successful table loads
 * @table_switches:	table switches
 * @table_errors:	failed table loads and switches
 * @events:		event log entries the driver has read
 * @events_lost:	event log entries overwritten before the driver read them
 * @irq:		interrupts handled, per MSI-X vector
 * @reserved:		zero
 */
struct qkdchip_stats {
	__u64 c2h_records;
	__u64 c2h_dropped;
	__u64 c2h_losses;
	__u64 c2h_writebacks;
	__u64 c2h_dma_errors;
	__u64 c2h_stalls;
	__u64 c2h_read;
	__u64 c2h_bad;
	__u64 pat_consumed;
	__u64 pat_underrun_slots;
	__u64 pat_underruns;
	__u64 pat_bad_symbols;
	__u64 pat_dma_errors;
	__u64 pat_written;
	__u64 table_loads;
	__u64 table_switches;
	__u64 table_errors;
	__u64 events;
	__u64 events_lost;
	__u64 irq[4];
	__u64 reserved[8];
};

/* ---- Generic netlink family "qkdchip" (Documentation/netlink/specs/qkdchip.yaml) ---- */

#define QKDCHIP_FAMILY_NAME		"qkdchip"
#define QKDCHIP_FAMILY_VERSION		1
#define QKDCHIP_MCGRP_EVENTS		"events"

/* Driver events, next to the card's (QKDCHIP_EV_*), on the events group */
#define QKDCHIP_EV_CARD_ADDED		19	/* never in a card's log */
#define QKDCHIP_EV_CARD_REMOVED		20

/* Limits of signed netlink attributes */
#define QKDCHIP_BIAS_MIN_MV		(-10000)
#define QKDCHIP_DELAY_MIN_PS		(-2000000)

/* Clock sources (QKDCHIP_A_CLOCK_SOURCE) */
#define QKDCHIP_CLOCK_SOURCE_INTERNAL	0
#define QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS	1

enum {
	QKDCHIP_A_DEV_UNSPEC,
	QKDCHIP_A_DEV_INDEX,		/* u32: N of /dev/qkdchipN */
	QKDCHIP_A_DEV_NAME,		/* string: "qkdchipN" */
	QKDCHIP_A_DEV_BUS_NAME,		/* string: PCI address */
	QKDCHIP_A_DEV_ROLE,		/* u32: QKDCHIP_ROLE_* */
	QKDCHIP_A_DEV_SERIAL,		/* u64 */
	QKDCHIP_A_DEV_HW_VERSION,	/* u32 */
	QKDCHIP_A_DEV_FW_BUILD,		/* u32 */
	QKDCHIP_A_DEV_FW_DATE,		/* u32: BCD 0xYYYYMMDD */
	QKDCHIP_A_DEV_FEATURES,		/* u32: QKDCHIP_FEAT_* */
	QKDCHIP_A_DEV_SLOT_RATE_KHZ,	/* u32 */
	QKDCHIP_A_DEV_STATUS,		/* nest: QKDCHIP_A_STATUS_* */
	QKDCHIP_A_DEV_LASER,		/* nest: QKDCHIP_A_LASER_* (client) */
	QKDCHIP_A_DEV_MODULATOR,	/* nest, multi: QKDCHIP_A_MODULATOR_* (client) */
	QKDCHIP_A_DEV_VOA_MDB,		/* u32: attenuation, milli-dB (client) */
	QKDCHIP_A_DEV_TEC,		/* nest: QKDCHIP_A_TEC_* (client) */
	QKDCHIP_A_DEV_TEMP,		/* nest, multi: QKDCHIP_A_TEMP_* */
	QKDCHIP_A_DEV_TEMP_CRIT_MC,	/* s32: over-temperature threshold */
	QKDCHIP_A_DEV_COMB,		/* nest: QKDCHIP_A_COMB_* (server) */
	QKDCHIP_A_DEV_DETECTOR,		/* nest, multi: QKDCHIP_A_DETECTOR_* (server) */
	QKDCHIP_A_DEV_TAGGER,		/* nest: QKDCHIP_A_TAGGER_* (server) */
	QKDCHIP_A_DEV_CLOCK,		/* nest: QKDCHIP_A_CLOCK_* */
	QKDCHIP_A_DEV_FRAME_LOG2,	/* u32: slots per frame, log2 */
	QKDCHIP_A_DEV_HEARTBEAT_US,	/* u32: TIME record period */
	QKDCHIP_A_DEV_STREAM,		/* nest, multi: QKDCHIP_A_STREAM_* */
	QKDCHIP_A_DEV_STATS,		/* nest: QKDCHIP_A_STATS_* */
	QKDCHIP_A_DEV_PAD,

	__QKDCHIP_A_DEV_MAX,
	QKDCHIP_A_DEV_MAX = (__QKDCHIP_A_DEV_MAX - 1)
};

enum {
	QKDCHIP_A_STATUS_UNSPEC,
	QKDCHIP_A_STATUS_READY,		/* u8 */
	QKDCHIP_A_STATUS_ERROR,		/* u8: an engine stopped on an error */
	QKDCHIP_A_STATUS_SOURCE_LOCKED,	/* u8: laser or comb locked */
	QKDCHIP_A_STATUS_CLOCK_LOCKED,	/* u8 */
	QKDCHIP_A_STATUS_OVER_TEMP,	/* u8 */
	QKDCHIP_A_STATUS_TIME,		/* u64: slot counter */
	QKDCHIP_A_STATUS_FRAME_COUNT,	/* u64 */
	QKDCHIP_A_STATUS_PAD,

	__QKDCHIP_A_STATUS_MAX,
	QKDCHIP_A_STATUS_MAX = (__QKDCHIP_A_STATUS_MAX - 1)
};

enum {
	QKDCHIP_A_LASER_UNSPEC,
	QKDCHIP_A_LASER_CURRENT_UA,	/* u32, settable */
	QKDCHIP_A_LASER_ON,		/* u8, settable */
	QKDCHIP_A_LASER_LOCK_LOOP,	/* u8, settable */
	QKDCHIP_A_LASER_LOCK_STATE,	/* u32: QKDCHIP_LOCK_* */
	QKDCHIP_A_LASER_LOCK_LOSSES,	/* u32 */
	QKDCHIP_A_LASER_DETUNE_MHZ,	/* s32 */
	QKDCHIP_A_LASER_POWER_UW,	/* u32 */

	__QKDCHIP_A_LASER_MAX,
	QKDCHIP_A_LASER_MAX = (__QKDCHIP_A_LASER_MAX - 1)
};

enum {
	QKDCHIP_A_MODULATOR_UNSPEC,
	QKDCHIP_A_MODULATOR_CHANNEL,	/* u32: QKDCHIP_MOD_* */
	QKDCHIP_A_MODULATOR_BIAS_MV,	/* s32, settable */

	__QKDCHIP_A_MODULATOR_MAX,
	QKDCHIP_A_MODULATOR_MAX = (__QKDCHIP_A_MODULATOR_MAX - 1)
};

enum {
	QKDCHIP_A_TEC_UNSPEC,
	QKDCHIP_A_TEC_SETPOINT_MC,	/* s32, settable */
	QKDCHIP_A_TEC_ON,		/* u8, settable */

	__QKDCHIP_A_TEC_MAX,
	QKDCHIP_A_TEC_MAX = (__QKDCHIP_A_TEC_MAX - 1)
};

enum {
	QKDCHIP_A_TEMP_UNSPEC,
	QKDCHIP_A_TEMP_SENSOR,		/* u32: QKDCHIP_TEMP_* */
	QKDCHIP_A_TEMP_MC,		/* s32 */

	__QKDCHIP_A_TEMP_MAX,
	QKDCHIP_A_TEMP_MAX = (__QKDCHIP_A_TEMP_MAX - 1)
};

enum {
	QKDCHIP_A_COMB_UNSPEC,
	QKDCHIP_A_COMB_PUMP_UA,		/* u32, settable */
	QKDCHIP_A_COMB_ON,		/* u8, settable */
	QKDCHIP_A_COMB_LOCK_LOOP,	/* u8, settable */
	QKDCHIP_A_COMB_LOCK_STATE,	/* u32: QKDCHIP_LOCK_* */
	QKDCHIP_A_COMB_LOCK_LOSSES,	/* u32 */
	QKDCHIP_A_COMB_LINES,		/* u32 */

	__QKDCHIP_A_COMB_MAX,
	QKDCHIP_A_COMB_MAX = (__QKDCHIP_A_COMB_MAX - 1)
};

enum {
	QKDCHIP_A_DETECTOR_UNSPEC,
	QKDCHIP_A_DETECTOR_CHANNEL,	/* u32 */
	QKDCHIP_A_DETECTOR_BIAS_UA,	/* u32, settable */
	QKDCHIP_A_DETECTOR_EFF_PPM,	/* u32 */
	QKDCHIP_A_DETECTOR_DARK_CPS,	/* u32 */
	QKDCHIP_A_DETECTOR_DELAY_PS,	/* s32, settable: the tagger's channel delay */

	__QKDCHIP_A_DETECTOR_MAX,
	QKDCHIP_A_DETECTOR_MAX = (__QKDCHIP_A_DETECTOR_MAX - 1)
};

enum {
	QKDCHIP_A_TAGGER_UNSPEC,
	QKDCHIP_A_TAGGER_DEADTIME_NS,	/* u32, settable */
	QKDCHIP_A_TAGGER_REF_WINDOW_LOG2,	/* u32, settable */

	__QKDCHIP_A_TAGGER_MAX,
	QKDCHIP_A_TAGGER_MAX = (__QKDCHIP_A_TAGGER_MAX - 1)
};

enum {
	QKDCHIP_A_CLOCK_UNSPEC,
	QKDCHIP_A_CLOCK_SOURCE,		/* u32: QKDCHIP_CLOCK_SOURCE_*, settable */
	QKDCHIP_A_CLOCK_REF_PRESENT,	/* u8 */
	QKDCHIP_A_CLOCK_LOCKED,		/* u8 */
	QKDCHIP_A_CLOCK_PPS_SEEN,	/* u8 */

	__QKDCHIP_A_CLOCK_MAX,
	QKDCHIP_A_CLOCK_MAX = (__QKDCHIP_A_CLOCK_MAX - 1)
};

enum {
	QKDCHIP_A_STREAM_UNSPEC,
	QKDCHIP_A_STREAM_ID,		/* u32: QKDCHIP_STREAM_* */
	QKDCHIP_A_STREAM_STATE,		/* u32: QKDCHIP_RING_*; idle without a ring */
	QKDCHIP_A_STREAM_SOURCE,	/* u32: QKDCHIP_SOURCE_* while running */
	QKDCHIP_A_STREAM_OWNED,		/* u8: a file owns the stream */
	QKDCHIP_A_STREAM_RUNNING,	/* u8 */
	QKDCHIP_A_STREAM_RING_SIZE,	/* u64: bytes, 0 without a ring */
	QKDCHIP_A_STREAM_PAD,

	__QKDCHIP_A_STREAM_MAX,
	QKDCHIP_A_STREAM_MAX = (__QKDCHIP_A_STREAM_MAX - 1)
};

enum {
	QKDCHIP_A_STATS_UNSPEC,
	QKDCHIP_A_STATS_C2H_RECORDS,	/* u64 each: struct qkdchip_stats */
	QKDCHIP_A_STATS_C2H_DROPPED,
	QKDCHIP_A_STATS_C2H_LOSSES,
	QKDCHIP_A_STATS_C2H_WRITEBACKS,
	QKDCHIP_A_STATS_C2H_DMA_ERRORS,
	QKDCHIP_A_STATS_C2H_STALLS,
	QKDCHIP_A_STATS_C2H_READ,
	QKDCHIP_A_STATS_C2H_BAD,
	QKDCHIP_A_STATS_PAT_CONSUMED,
	QKDCHIP_A_STATS_PAT_UNDERRUN_SLOTS,
	QKDCHIP_A_STATS_PAT_UNDERRUNS,
	QKDCHIP_A_STATS_PAT_BAD_SYMBOLS,
	QKDCHIP_A_STATS_PAT_DMA_ERRORS,
	QKDCHIP_A_STATS_PAT_WRITTEN,
	QKDCHIP_A_STATS_TABLE_LOADS,
	QKDCHIP_A_STATS_TABLE_SWITCHES,
	QKDCHIP_A_STATS_TABLE_ERRORS,
	QKDCHIP_A_STATS_EVENTS,
	QKDCHIP_A_STATS_EVENTS_LOST,
	QKDCHIP_A_STATS_IRQ_EVENTS,
	QKDCHIP_A_STATS_IRQ_C2H,
	QKDCHIP_A_STATS_IRQ_H2C,
	QKDCHIP_A_STATS_PAD,

	__QKDCHIP_A_STATS_MAX,
	QKDCHIP_A_STATS_MAX = (__QKDCHIP_A_STATS_MAX - 1)
};

enum {
	QKDCHIP_A_EVENT_UNSPEC,
	QKDCHIP_A_EVENT_DEV_INDEX,	/* u32 */
	QKDCHIP_A_EVENT_CODE,		/* u32: QKDCHIP_EV_* */
	QKDCHIP_A_EVENT_ARG,		/* u32 */
	QKDCHIP_A_EVENT_SLOT,		/* u64 */
	QKDCHIP_A_EVENT_PAD,

	__QKDCHIP_A_EVENT_MAX,
	QKDCHIP_A_EVENT_MAX = (__QKDCHIP_A_EVENT_MAX - 1)
};

enum {
	QKDCHIP_CMD_UNSPEC,
	QKDCHIP_CMD_DEV_GET,		/* do: one card (INDEX or NAME); dump: all */
	QKDCHIP_CMD_DEV_SET,		/* do, CAP_NET_ADMIN: configuration */
	QKDCHIP_CMD_STREAM_STOP,	/* do, CAP_NET_ADMIN: stop a stream (STREAM_ID) */
	QKDCHIP_CMD_EVENT,		/* notification on the events group */

	__QKDCHIP_CMD_MAX,
	QKDCHIP_CMD_MAX = (__QKDCHIP_CMD_MAX - 1)
};

#define QKDCHIP_IOC_MAGIC		0xDC

#define QKDCHIP_IOC_INFO		_IOR(QKDCHIP_IOC_MAGIC, 0x00, struct qkdchip_info)
#define QKDCHIP_IOC_STATS		_IOR(QKDCHIP_IOC_MAGIC, 0x01, struct qkdchip_stats)
#define QKDCHIP_IOC_RING_SETUP		_IOWR(QKDCHIP_IOC_MAGIC, 0x02, struct qkdchip_ring_setup)
#define QKDCHIP_IOC_RING_FREE		_IOW(QKDCHIP_IOC_MAGIC, 0x03, struct qkdchip_ring_free)
#define QKDCHIP_IOC_STREAM_START	_IOWR(QKDCHIP_IOC_MAGIC, 0x04, struct qkdchip_stream_start)
#define QKDCHIP_IOC_STREAM_STOP		_IOW(QKDCHIP_IOC_MAGIC, 0x05, struct qkdchip_stream_stop)
#define QKDCHIP_IOC_WAKEUP		_IOW(QKDCHIP_IOC_MAGIC, 0x06, struct qkdchip_wakeup)
#define QKDCHIP_IOC_TABLE_LOAD		_IOWR(QKDCHIP_IOC_MAGIC, 0x07, struct qkdchip_table_load)

#endif /* _UAPI_LINUX_QKDCHIP_H */
