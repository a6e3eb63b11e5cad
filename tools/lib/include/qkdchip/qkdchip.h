/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libqkdchip - userspace access to qkdchip QKD cards.
 *
 * Documentation/userspace-api/libqkdchip.rst gives the overview; every function is
 * described here. Conventions:
 *
 *  - Names start with qkd_ (functions, types) or QKD_ (constants).
 *  - Handles are opaque: struct qkd_dev (an open /dev/qkdchipN), struct qkd_ring (a
 *    mapped stream ring), struct qkd_nl (a generic netlink session), struct
 *    qkd_events (an event subscription), struct qkd_table (a waveform table).
 *  - Functions return 0 (or a count) on success and a negative errno on failure. The
 *    handle then keeps a one-line message saying what went wrong (qkd_dev_error(),
 *    qkd_nl_error(), ...): the kernel's extended-ACK text, the table file's
 *    "line L, column C: ..." and so on. Constructors, which have no handle yet, take
 *    an optional message buffer instead.
 *  - The library has no global mutable state. A handle may be used by one thread at a
 *    time; different handles are independent.
 *  - Units are those of the user ABI (uapi/linux/qkdchip.h): microamperes, millivolts,
 *    milli-dB, milli-degrees Celsius, nanoseconds, picoseconds, microseconds.
 */
#ifndef QKDCHIP_QKDCHIP_H
#define QKDCHIP_QKDCHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/qkdchip.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Size of the message buffers of constructors (enough for any message). */
#define QKD_ERRMSG_LEN		256

/* Most channels of a kind (modulator DAC channels, detectors) and temperature sensors */
#define QKD_MAX_CHANNELS	8
#define QKD_MAX_TEMPS		8

/* ---- Names ---------------------------------------------------------------------------- */

/**
 * qkd_role_name() - name of a card role
 * @role: QKDCHIP_ROLE_*
 *
 * Return: "client", "server" or "unknown".
 */
const char *qkd_role_name(unsigned int role);

/**
 * qkd_feature_name() - name of one feature bit
 * @bit: bit number (0 for QKDCHIP_FEAT_C2H, ...)
 *
 * Return: the name used by the netlink spec ("c2h", "h2c-table", ...), or NULL for a
 * bit this library does not know.
 */
const char *qkd_feature_name(unsigned int bit);

/**
 * qkd_event_name() - name of an event code
 * @code: QKDCHIP_EV_*
 *
 * Return: the name used by the netlink spec ("lock-lost", "card-added", ...) or
 * "unknown".
 */
const char *qkd_event_name(unsigned int code);

/**
 * qkd_lock_state_name() - name of a laser or comb lock state
 * @state: QKDCHIP_LOCK_*
 *
 * Return: "off", "unlocked", "acquiring", "locked" or "unknown".
 */
const char *qkd_lock_state_name(unsigned int state);

/**
 * qkd_temp_sensor_name() - name of a temperature sensor
 * @sensor: QKDCHIP_TEMP_*
 *
 * Return: "chip", "board", "fpga" or "unknown".
 */
const char *qkd_temp_sensor_name(unsigned int sensor);

/**
 * qkd_clock_source_name() - name of a clock source
 * @source: QKDCHIP_CLOCK_SOURCE_*
 *
 * Return: "internal", "ext-10m-pps" or "unknown".
 */
const char *qkd_clock_source_name(unsigned int source);

/**
 * qkd_stream_name() - name of a stream
 * @stream: QKDCHIP_STREAM_*
 *
 * Return: "c2h", "pat" or "unknown".
 */
const char *qkd_stream_name(unsigned int stream);

/**
 * qkd_ring_state_name() - name of a ring state
 * @state: QKDCHIP_RING_*
 *
 * Return: "idle", "running", "stopped", "error", "gone" or "unknown".
 */
const char *qkd_ring_state_name(unsigned int state);

/**
 * qkd_modulator_name() - name of a client modulator DAC channel
 * @channel: QKDCHIP_MOD_*
 *
 * Return: "im1", "im2", "im3", "pm1", "pmref", or NULL for other channels.
 */
const char *qkd_modulator_name(unsigned int channel);

/**
 * qkd_table_error_name() - what a table engine error code means
 * @code: QKDCHIP_TABLE_ERR_*
 *
 * Return: a short description ("CRC mismatch", ...).
 */
const char *qkd_table_error_name(unsigned int code);

/* ---- Records -------------------------------------------------------------------------- */

/**
 * struct qkd_record - a decoded C2H record
 * @raw:	the record as the card wrote it (host byte order)
 * @type:	QKDCHIP_REC_* (bits 63:60); other values are unknown types
 * @slot:	the record's slot: TAG (low 40 bits), EVENT (low 48 bits), TIME, and LOST
 *		and UNDERRUN of kind FIRST or LAST (full); after qkd_unwrap(), the full
 *		slot of TAG and EVENT records too. 0 for other records.
 * @slot_full:	@slot is a full slot (not just its low bits)
 * @tag:	TAG: detector @tag.channel, @tag.ref (reference band), @tag.fine_ps
 * @refcount:	REFCOUNT: measurement @refcount.unit, phase @refcount.bucket,
 *		@refcount.window (low 10 bits; full after qkd_unwrap() when the window
 *		size is known, see @refcount.window_full), @refcount.left and
 *		@refcount.right counts
 * @time:	TIME: @time.kind (QKDCHIP_TIME_*)
 * @seed:	SEED: @seed.word (0..7), @seed.frame (low 25 bits; full after
 *		qkd_unwrap() when the frame size is known, see @seed.frame_full),
 *		@seed.data
 * @loss:	LOST and UNDERRUN: @loss.kind (QKDCHIP_LOSS_*_KIND), for COUNT records
 *		@loss.reason and @loss.count; FIRST and LAST carry @slot
 * @event:	EVENT: @event.code (QKDCHIP_EV_*)
 */
struct qkd_record {
	uint64_t raw;
	unsigned int type;
	uint64_t slot;
	bool slot_full;
	union {
		struct {
			unsigned int channel;
			bool ref;
			unsigned int fine_ps;
		} tag;
		struct {
			unsigned int unit;
			unsigned int bucket;
			uint64_t window;
			bool window_full;
			uint32_t left;
			uint32_t right;
		} refcount;
		struct {
			unsigned int kind;
		} time;
		struct {
			unsigned int word;
			uint64_t frame;
			bool frame_full;
			uint32_t data;
		} seed;
		struct {
			unsigned int kind;
			unsigned int reason;
			uint64_t count;
		} loss;
		struct {
			unsigned int code;
		} event;
	};
};

/**
 * qkd_record_decode() - decode one record
 * @raw: the record in host byte order (qkd_ring_next() and qkd_dev_read() give it so)
 * @rec: the decoded record
 *
 * Pure bit slicing with the uapi macros: slots stay as the record carries them.
 *
 * Return: 0, or -EINVAL for a record of unknown type (@rec->type and @rec->raw are
 * still set; consumers count and skip those).
 */
int qkd_record_decode(uint64_t raw, struct qkd_record *rec);

/**
 * qkd_record_type_name() - name of a record type
 * @type: QKDCHIP_REC_*
 *
 * Return: "tag", "refcount", "time", "seed", "lost", "underrun", "event", or
 * "unknown".
 */
const char *qkd_record_type_name(unsigned int type);

/**
 * qkd_time_kind_name() - name of a TIME record kind
 * @kind: QKDCHIP_TIME_*
 *
 * Return: "heartbeat", "frame", "pps", "start" or "unknown".
 */
const char *qkd_time_kind_name(unsigned int kind);

/**
 * qkd_loss_kind_name() - name of the kind of a LOST or UNDERRUN record
 * @kind: QKDCHIP_LOSS_*_KIND
 *
 * Return: "count", "first", "last" or "unknown".
 */
const char *qkd_loss_kind_name(unsigned int kind);

/**
 * qkd_loss_reason_name() - name of the reason of a LOST count record
 * @reason: QKDCHIP_LOSS_RING_FULL, _DMA_FAULT or _STALL
 *
 * Return: "ring-full", "dma-fault", "stall" or "unknown".
 */
const char *qkd_loss_reason_name(unsigned int reason);

/**
 * struct qkd_unwrap - state of slot unwrapping along one stream
 * @last_slot:		slot of the last TIME record, or the base
 * @frame_slot:		slot of the last TIME record of kind FRAME
 * @have_frame:		@frame_slot is set
 * @frame_log2:		slots per frame, log2; 0 if unknown
 * @ref_window_log2:	slots per reference window, log2; 0 if unknown
 *
 * Documentation/hw/streams.rst: records come in non-decreasing slot order and a TIME
 * record with the full slot arrives at least every heartbeat, so the full slot of a
 * TAG (40 bits) or EVENT (48 bits) is t + ((low - t) mod 2^bits), t the slot of the
 * last TIME record. Reference windows and seed frames are taken as the ones nearest
 * to the last TIME record's (a window's counts may follow a TIME record of the next
 * window).
 */
struct qkd_unwrap {
	uint64_t last_slot;
	uint64_t frame_slot;
	bool have_frame;
	unsigned int frame_log2;
	unsigned int ref_window_log2;
};

/**
 * qkd_unwrap_init() - start unwrapping a stream
 * @u:			the state
 * @base:		a slot at or before the stream's first record: the start slot
 *			that qkd_stream_start() returns for a card stream, 0 for the
 *			test pattern (whose TAG slots count records from 0)
 * @frame_log2:		slots per frame, log2 (QKDCHIP_A_DEV_FRAME_LOG2), or 0
 * @ref_window_log2:	slots per reference window, log2, or 0
 */
void qkd_unwrap_init(struct qkd_unwrap *u, uint64_t base, unsigned int frame_log2,
		     unsigned int ref_window_log2);

/**
 * qkd_unwrap() - complete a decoded record's slot, frame or window
 * @u:   the stream's state; TIME records update it
 * @rec: a record from qkd_record_decode(), in stream order
 */
void qkd_unwrap(struct qkd_unwrap *u, struct qkd_record *rec);

/**
 * qkd_test_record() - record @n of the C2H test pattern
 * @seed: the test seed of the run
 * @n:    the record number (0 for the first)
 *
 * Documentation/hw/streams.rst gives the pattern; consumers of a test run can check
 * every record they receive against this.
 *
 * Return: the TAG record.
 */
uint64_t qkd_test_record(uint32_t seed, uint64_t n);

/* ---- Cards and devices --------------------------------------------------------------- */

/**
 * qkd_dev_lookup() - find the index N of /dev/qkdchipN
 * @spec:   "qkdchipN", "N", "/dev/qkdchipN", or a PCI address ("0000:01:00.0" or
 *          "01:00.0")
 * @index:  the index
 * @err:    a message if it fails (QKD_ERRMSG_LEN bytes), or NULL
 * @errlen: size of @err
 *
 * Names and numbers are checked for syntax only; a PCI address is looked up in sysfs
 * (the driver must be bound to it).
 *
 * Return: 0, -EINVAL for a malformed @spec, -ENODEV if no bound card has that address.
 */
int qkd_dev_lookup(const char *spec, unsigned int *index, char *err, size_t errlen);

struct qkd_dev;

/**
 * qkd_dev_open() - open a card's character device
 * @spec:   as for qkd_dev_lookup()
 * @flags:  extra open(2) flags: 0 or O_NONBLOCK (read() and write() then fail with
 *          -EAGAIN instead of waiting)
 * @devp:   the new handle
 * @err:    a message if it fails, or NULL
 * @errlen: size of @err
 *
 * Opens /dev/qkdchipN read-write and reads the card's identity (QKDCHIP_IOC_INFO).
 *
 * Return: 0 or a negative errno (-ENOENT: no such device node, -EACCES, ...).
 */
int qkd_dev_open(const char *spec, int flags, struct qkd_dev **devp, char *err,
		 size_t errlen);

/**
 * qkd_dev_close() - close a card, its rings first
 * @dev: the handle, or NULL
 *
 * Rings opened on @dev with qkd_ring_open() are closed too (their pointers become
 * invalid). Closing the file makes the driver stop the streams it runs.
 */
void qkd_dev_close(struct qkd_dev *dev);

/**
 * qkd_dev_error() - message of the last failure on @dev
 * @dev: the handle
 *
 * Return: a one-line message, "" if nothing failed yet.
 */
const char *qkd_dev_error(const struct qkd_dev *dev);

/**
 * qkd_dev_fd() - the file descriptor of /dev/qkdchipN (for poll() and ioctls)
 * @dev: the handle
 *
 * Return: the descriptor; it stays owned by @dev.
 */
int qkd_dev_fd(const struct qkd_dev *dev);

/**
 * qkd_dev_index() - N of /dev/qkdchipN
 * @dev: the handle
 *
 * Return: the index.
 */
unsigned int qkd_dev_index(const struct qkd_dev *dev);

/**
 * qkd_dev_info() - the card's identity and capabilities, as read at open
 * @dev: the handle
 *
 * Return: a pointer into @dev, valid until qkd_dev_close().
 */
const struct qkdchip_info *qkd_dev_info(const struct qkd_dev *dev);

/**
 * struct qkd_stats - a card's counters (struct qkdchip_stats, QKDCHIP_A_STATS_*)
 *
 * Field by field as struct qkdchip_stats; @irq_events, @irq_c2h and @irq_h2c are the
 * interrupts handled per MSI-X vector.
 */
struct qkd_stats {
	uint64_t c2h_records;
	uint64_t c2h_dropped;
	uint64_t c2h_losses;
	uint64_t c2h_writebacks;
	uint64_t c2h_dma_errors;
	uint64_t c2h_stalls;
	uint64_t c2h_read;
	uint64_t c2h_bad;
	uint64_t pat_consumed;
	uint64_t pat_underrun_slots;
	uint64_t pat_underruns;
	uint64_t pat_bad_symbols;
	uint64_t pat_dma_errors;
	uint64_t pat_written;
	uint64_t table_loads;
	uint64_t table_switches;
	uint64_t table_errors;
	uint64_t events;
	uint64_t events_lost;
	uint64_t irq_events;
	uint64_t irq_c2h;
	uint64_t irq_h2c;
};

/**
 * qkd_stats_field() - name and value of one counter, for generic printing
 * @st:    the counters
 * @i:     0, 1, ... for each counter in turn
 * @value: the counter's value
 *
 * Return: the counter's name as in the netlink spec ("c2h-records", ...), or NULL
 * after the last counter.
 */
const char *qkd_stats_field(const struct qkd_stats *st, unsigned int i, uint64_t *value);

/**
 * qkd_dev_stats() - read the card's counters (QKDCHIP_IOC_STATS)
 * @dev: the handle
 * @st:  the counters
 *
 * Return: 0 or a negative errno (-ENODEV once the card is gone).
 */
int qkd_dev_stats(struct qkd_dev *dev, struct qkd_stats *st);

/* ---- Streams and rings --------------------------------------------------------------- */

/**
 * struct qkd_ring_config - geometry of a stream ring (struct qkdchip_ring_setup)
 * @buf_size:    bytes per buffer: a power of two within the card's ring_min_buf ..
 *               ring_max_buf, at least a page
 * @buf_count:   buffers: a power of two, 2 .. ring_max_desc
 * @mod_count:   write back after this many records (C2H) or slots (PAT); 0: default
 * @mod_time_us: ... or after this many microseconds; 0: the card's default
 */
struct qkd_ring_config {
	uint32_t buf_size;
	uint32_t buf_count;
	uint32_t mod_count;
	uint32_t mod_time_us;
};

/**
 * qkd_ring_geometry() - a valid ring geometry of about @bytes
 * @info:  the card (qkd_dev_info())
 * @bytes: the ring size wanted; 0 for the default (4 MiB)
 * @cfg:   the geometry (moderation fields set to 0)
 *
 * Picks the smallest power of two >= @bytes that the card allows, split into as
 * few buffers as the card's largest buffer size allows (at least two).
 *
 * Return: 0, or -EINVAL if the card allows no ring that large or small.
 */
int qkd_ring_geometry(const struct qkdchip_info *info, uint64_t bytes,
		      struct qkd_ring_config *cfg);

struct qkd_ring;

/**
 * qkd_ring_open() - set up a stream's ring and map it
 * @dev:    the card
 * @stream: QKDCHIP_STREAM_C2H or QKDCHIP_STREAM_PAT
 * @cfg:    the geometry
 * @ringp:  the new ring
 *
 * QKDCHIP_IOC_RING_SETUP, then mmap() of the data (read-only for C2H), status
 * (read-only) and index areas. The ring belongs to @dev's file.
 *
 * Return: 0 or a negative errno (-EBUSY: another file owns the stream, -EEXIST:
 * @dev has one already, -EINVAL: bad geometry, -EOPNOTSUPP: the card has no such
 * stream).
 */
int qkd_ring_open(struct qkd_dev *dev, unsigned int stream, const struct qkd_ring_config *cfg,
		  struct qkd_ring **ringp);

/**
 * qkd_ring_close() - stop the ring's stream, unmap the ring and free it
 * @ring: the ring, or NULL
 */
void qkd_ring_close(struct qkd_ring *ring);

/**
 * qkd_ring_size() - bytes in the ring
 * @ring: the ring
 *
 * Return: buf_size * buf_count (C2H: eight bytes per record; PAT: one per slot).
 */
uint64_t qkd_ring_size(const struct qkd_ring *ring);

/**
 * qkd_ring_status() - the ring's status page, as the card and driver write it
 * @ring: the ring
 *
 * Return: the read-only mapping; read @card_index only through the functions below
 * (they load it with acquire semantics).
 */
const volatile struct qkdchip_ring_status *qkd_ring_status(const struct qkd_ring *ring);

/**
 * qkd_ring_state() - the ring's state (QKDCHIP_RING_*)
 * @ring: the ring
 *
 * Return: QKDCHIP_RING_IDLE, _RUNNING, _STOPPED, _ERROR or _GONE.
 */
unsigned int qkd_ring_state(const struct qkd_ring *ring);

/**
 * struct qkd_stream_params - how to start a stream (struct qkdchip_stream_start)
 * @source:    C2H: QKDCHIP_SOURCE_CARD or QKDCHIP_SOURCE_TEST; PAT:
 *             QKDCHIP_SOURCE_HOST or QKDCHIP_SOURCE_SEEDED
 * @test_rate: C2H test pattern: records per second, 0 for as fast as possible
 * @test_seed: C2H test pattern: its seed
 */
struct qkd_stream_params {
	uint32_t source;
	uint32_t test_rate;
	uint32_t test_seed;
};

/**
 * qkd_stream_start() - start a stream
 * @dev:        the card
 * @stream:     QKDCHIP_STREAM_*
 * @params:     source and test pattern
 * @start_slot: out, may be NULL: PAT: the slot at which pattern byte 0 (or the first
 *              seeded frame) plays; C2H: the slot counter at the start
 *
 * The stream's ring (if any) restarts from index 0; so do the ring's cursors.
 *
 * Return: 0 or a negative errno (-ENXIO: no ring set up by this file, -EBUSY: runs
 * already or owned by another file, -EIO: the card refused to start).
 */
int qkd_stream_start(struct qkd_dev *dev, unsigned int stream,
		     const struct qkd_stream_params *params, uint64_t *start_slot);

/**
 * qkd_stream_stop() - stop a stream
 * @dev:    the card
 * @stream: QKDCHIP_STREAM_*
 *
 * Returns once the card has written its final indices; records in the ring stay
 * readable. Stopping a stream that does not run is not an error.
 *
 * Return: 0 or a negative errno.
 */
int qkd_stream_stop(struct qkd_dev *dev, unsigned int stream);

/**
 * qkd_ring_peek() - the oldest unconsumed records of a C2H ring, zero-copy
 * @ring: a C2H ring
 * @recs: set to the first record (little-endian words in the ring)
 *
 * Loads the card's index with acquire semantics, so the records it covers are
 * complete. Returns only records that are contiguous in memory: call again after
 * qkd_ring_consume() for the rest of a wrapped batch. Records are little-endian;
 * convert them with le64toh() or use qkd_ring_next().
 *
 * Return: the number of records at @recs (0: none now), or -EIO if the card's index
 * is inconsistent with ours (more than the ring's worth ahead or behind).
 */
ssize_t qkd_ring_peek(struct qkd_ring *ring, const uint64_t **recs);

/**
 * qkd_ring_consume() - give @n records back to the card
 * @ring: a C2H ring
 * @n:    records, at most what qkd_ring_peek() (or qkd_ring_next()) handed out
 *
 * Publishes the host index with release semantics: our reads of the records happen
 * before the card may overwrite them.
 */
void qkd_ring_consume(struct qkd_ring *ring, size_t n);

/**
 * qkd_ring_next() - the next record of a C2H ring (an iterator)
 * @ring: a C2H ring
 * @rec:  the record, host byte order
 *
 * Hands out records one by one from a batch (one acquire load of the card's index
 * per batch); the batch is given back to the card (a release store of the host
 * index) when the next batch is loaded, and by qkd_ring_wait().
 *
 * Return: 1 with a record, 0 if there is none now, -EIO as for qkd_ring_peek().
 */
int qkd_ring_next(struct qkd_ring *ring, uint64_t *rec);

/**
 * qkd_ring_wait() - wait for records (C2H) or space (PAT)
 * @ring:       the ring
 * @timeout_ms: most milliseconds to wait; -1 for no limit
 *
 * Gives consumed records back first, then sleeps in poll(2) (the driver arms the
 * card's interrupt). A stream stopped by someone else is noticed within 100 ms.
 *
 * Return: 1 when records (space) are there, 0 on timeout, -ENODATA when the stream
 * does not run and nothing is left, -EIO when the card stopped the stream on an
 * error, -ENODEV when the card is gone, -EINTR on a signal.
 */
int qkd_ring_wait(struct qkd_ring *ring, int timeout_ms);

/**
 * qkd_ring_space() - free space of a PAT ring, zero-copy
 * @ring: a PAT ring
 * @buf:  set to where the next pattern byte goes
 *
 * Return: contiguous bytes free at @buf (0: the ring is full), or -EIO if the card's
 * index is inconsistent with ours.
 */
ssize_t qkd_ring_space(struct qkd_ring *ring, uint8_t **buf);

/**
 * qkd_ring_produce() - publish @n pattern bytes written at qkd_ring_space()'s buffer
 * @ring: a PAT ring
 * @n:    bytes, at most what qkd_ring_space() returned
 *
 * A release store of the host index: the bytes are in memory before the card sees
 * the index that covers them.
 */
void qkd_ring_produce(struct qkd_ring *ring, size_t n);

/**
 * qkd_ring_write() - copy pattern bytes into a PAT ring
 * @ring: a PAT ring
 * @syms: symbol indices, one byte per slot
 * @n:    bytes
 *
 * Copies as many as fit now (wrapping around the ring's end) and publishes them.
 *
 * Return: bytes copied (0: full), or -EIO as for qkd_ring_space().
 */
ssize_t qkd_ring_write(struct qkd_ring *ring, const void *syms, size_t n);

/**
 * qkd_dev_read() - copy C2H records out with read(2) (the copying path)
 * @dev:  the card; its file must own a C2H ring (qkd_ring_open()), running or not
 * @recs: where the records go, host byte order
 * @max:  most records
 *
 * Waits for records unless @dev was opened with O_NONBLOCK.
 *
 * Return: records read, 0 when the stream does not run and nothing is left, or a
 * negative errno (-EAGAIN, -EIO, -ENODEV, -ENXIO: no ring).
 */
ssize_t qkd_dev_read(struct qkd_dev *dev, uint64_t *recs, size_t max);

/**
 * qkd_dev_write() - copy pattern bytes in with write(2) (the copying path)
 * @dev:  the card; its file must own a PAT ring
 * @syms: symbol indices
 * @n:    bytes
 *
 * Return: bytes written or a negative errno.
 */
ssize_t qkd_dev_write(struct qkd_dev *dev, const void *syms, size_t n);

/* ---- Waveform tables ---------------------------------------------------------------- */

struct qkd_table;

/**
 * qkd_table_new() - an empty waveform table
 *
 * Return: the table, or NULL without memory.
 */
struct qkd_table *qkd_table_new(void);

/**
 * qkd_table_free() - free a table
 * @t: the table, or NULL
 */
void qkd_table_free(struct qkd_table *t);

/**
 * qkd_table_error() - message of the last failure on @t
 * @t: the table
 *
 * Return: a one-line message, e.g. "line 12, column 7: sample 9000 is outside the
 * card's 14-bit DAC range -8192..8191"; "" if nothing failed.
 */
const char *qkd_table_error(const struct qkd_table *t);

/**
 * qkd_table_error_pos() - where in the text the last failure was
 * @t:    the table
 * @line: line (1-based), 0 if the failure has no place in a text
 * @col:  column (1-based byte offset in the line), 0 likewise
 */
void qkd_table_error_pos(const struct qkd_table *t, unsigned int *line, unsigned int *col);

/**
 * qkd_table_parse() - read a table from its text form
 * @t:    the table; replaced on success, left as it was on failure
 * @text: the text (Documentation/userspace-api/qkdchip-table.rst); need not end in a
 *        NUL
 * @len:  bytes of @text
 *
 * Return: 0, -EINVAL for a malformed text (message with line and column), -ENOMEM,
 * -EFBIG for a table larger than 2^24 samples.
 */
int qkd_table_parse(struct qkd_table *t, const char *text, size_t len);

/**
 * qkd_table_parse_file() - qkd_table_parse() of a file's contents
 * @t:    the table
 * @path: the file
 *
 * Return: as qkd_table_parse(), or the errno of opening or reading the file.
 */
int qkd_table_parse_file(struct qkd_table *t, const char *path);

/**
 * qkd_table_init() - make @t an all-zero table of the given geometry
 * @t:        the table
 * @symbols:  1 .. 65535
 * @channels: 1 .. 255
 * @samples:  samples per slot, 1 .. 255
 *
 * For programs that compute tables; set samples with qkd_table_set().
 *
 * Return: 0, -EINVAL for a bad geometry, -EFBIG, -ENOMEM.
 */
int qkd_table_init(struct qkd_table *t, unsigned int symbols, unsigned int channels,
		   unsigned int samples);

/**
 * qkd_table_geometry() - a table's geometry
 * @t:        the table
 * @symbols:  out, may be NULL
 * @channels: out, may be NULL
 * @samples:  out, may be NULL
 *
 * Return: 0, or -ENODATA for a table without data.
 */
int qkd_table_geometry(const struct qkd_table *t, unsigned int *symbols,
		       unsigned int *channels, unsigned int *samples);

/**
 * qkd_table_get() - one DAC code
 * @t:      the table
 * @symbol: symbol
 * @chan:   DAC channel
 * @sample: sample within the slot
 * @value:  the code
 *
 * Return: 0 or -EINVAL (out of the geometry).
 */
int qkd_table_get(const struct qkd_table *t, unsigned int symbol, unsigned int chan,
		  unsigned int sample, int16_t *value);

/**
 * qkd_table_set() - set one DAC code
 * @t:      the table
 * @symbol: symbol
 * @chan:   DAC channel
 * @sample: sample within the slot
 * @value:  the code
 *
 * Return: 0 or -EINVAL (out of the geometry).
 */
int qkd_table_set(struct qkd_table *t, unsigned int symbol, unsigned int chan,
		  unsigned int sample, int16_t value);

/**
 * qkd_table_check() - check a table against a card
 * @t:    the table
 * @info: the card (qkd_dev_info())
 *
 * The card must have a table engine; the table's channels and samples must be the
 * card's, its symbols at most the card's table size and every code within the
 * card's DAC range. Messages of a parsed table name the line and column.
 *
 * Return: 0, -EINVAL (mismatch), -EOPNOTSUPP (no table engine), -ENODATA (empty).
 */
int qkd_table_check(struct qkd_table *t, const struct qkdchip_info *info);

/**
 * qkd_table_image() - the binary image the card loads
 * @t:     the table
 * @image: set to a malloc()ed image: struct qkdchip_table_hdr (little-endian), then
 *         the samples (s16 little-endian), CRC-32 as zlib's crc32()
 * @size:  bytes of @image
 *
 * Return: 0, -ENODATA (empty table) or -ENOMEM.
 */
int qkd_table_image(const struct qkd_table *t, void **image, size_t *size);

/**
 * qkd_table_print() - write a table in its text form
 * @t: the table
 * @f: where to
 *
 * qkd_table_parse() of the output gives the same table.
 *
 * Return: 0, -ENODATA (empty table) or -EIO.
 */
int qkd_table_print(const struct qkd_table *t, FILE *f);

/* qkd_dev_table_load() flags */
#define QKD_TABLE_SWITCH	QKDCHIP_TABLE_F_SWITCH	/* switch to it and wait */

/**
 * struct qkd_table_result - what a table load did
 * @frame:      with QKD_TABLE_SWITCH, the frame from which the table plays
 * @crc32:      the image's CRC as the card computed it
 * @card_error: when the load failed with -EIO, the card's QKDCHIP_TABLE_ERR_*
 */
struct qkd_table_result {
	uint64_t frame;
	uint32_t crc32;
	uint32_t card_error;
};

/**
 * qkd_dev_table_load() - check a table and load it into the card's inactive bank
 * @dev:   a client card
 * @t:     the table
 * @flags: 0 or QKD_TABLE_SWITCH (also switch to it at the next frame and wait)
 * @res:   out, may be NULL
 *
 * qkd_table_check() first: a table that does not fit never reaches the driver and
 * the card's active table stays as it was (a load never touches the active bank).
 * Needs CAP_NET_ADMIN.
 *
 * Return: 0 or a negative errno (-EINVAL: check failed, -EPERM, -EBUSY: another load
 * or switch is pending, -EIO: the card refused it, see @res->card_error).
 */
int qkd_dev_table_load(struct qkd_dev *dev, struct qkd_table *t, unsigned int flags,
		       struct qkd_table_result *res);

/* ---- Generic netlink: status and configuration ----------------------------------------- */

/* struct qkd_state.has: which parts the kernel reported */
#define QKD_HAS_STATUS		(1u << 0)
#define QKD_HAS_LASER		(1u << 1)
#define QKD_HAS_VOA		(1u << 2)
#define QKD_HAS_TEC		(1u << 3)
#define QKD_HAS_TEMP_CRIT	(1u << 4)
#define QKD_HAS_COMB		(1u << 5)
#define QKD_HAS_TAGGER		(1u << 6)
#define QKD_HAS_CLOCK		(1u << 7)
#define QKD_HAS_FRAME_LOG2	(1u << 8)
#define QKD_HAS_HEARTBEAT	(1u << 9)
#define QKD_HAS_STATS		(1u << 10)
#define QKD_HAS_IDENTITY	(1u << 11)	/* role, serial, versions, features, rate */

/**
 * struct qkd_state - a card as the netlink dev-get command reports it
 * @has:		QKD_HAS_* of the parts present (a client has no comb, ...)
 * @index:		N of /dev/qkdchipN
 * @name:		"qkdchipN"
 * @bus_name:		PCI address
 * @role:		QKDCHIP_ROLE_*
 * @serial:		serial number
 * @hw_version:		major << 24 | minor << 16 | patch
 * @fw_build:		firmware build
 * @fw_date:		firmware date, BCD 0xYYYYMMDD
 * @features:		QKDCHIP_FEAT_*
 * @slot_rate_khz:	slot rate
 * @status:		flags, slot counter and frame count
 * @laser:		client laser
 * @n_modulators:	entries in @modulator
 * @modulator:		client modulator biases
 * @voa_mdb:		client VOA attenuation
 * @tec:		client TEC
 * @n_temps:		entries in @temp
 * @temp:		temperatures
 * @temp_crit_mc:	over-temperature threshold
 * @comb:		server comb
 * @n_detectors:	entries in @detector
 * @detector:		server detectors and tagger channel delays
 * @tagger:		server time tagger
 * @clock:		clock source and state
 * @frame_log2:		slots per frame, log2
 * @heartbeat_us:	TIME heartbeat period
 * @n_streams:		entries in @stream
 * @stream:		stream states
 * @stats:		counters
 */
struct qkd_state {
	uint32_t has;
	uint32_t index;
	char name[16];
	char bus_name[32];
	uint32_t role;
	uint64_t serial;
	uint32_t hw_version;
	uint32_t fw_build;
	uint32_t fw_date;
	uint32_t features;
	uint32_t slot_rate_khz;
	struct {
		bool ready;
		bool error;
		bool source_locked;
		bool clock_locked;
		bool over_temp;
		uint64_t time;
		uint64_t frame_count;
	} status;
	struct {
		uint32_t current_ua;
		bool on;
		bool lock_loop;
		uint32_t lock_state;
		uint32_t lock_losses;
		int32_t detune_mhz;
		uint32_t power_uw;
	} laser;
	unsigned int n_modulators;
	struct {
		uint32_t channel;
		int32_t bias_mv;
	} modulator[QKD_MAX_CHANNELS];
	uint32_t voa_mdb;
	struct {
		int32_t setpoint_mc;
		bool on;
	} tec;
	unsigned int n_temps;
	struct {
		uint32_t sensor;
		int32_t mc;
	} temp[QKD_MAX_TEMPS];
	int32_t temp_crit_mc;
	struct {
		uint32_t pump_ua;
		bool on;
		bool lock_loop;
		uint32_t lock_state;
		uint32_t lock_losses;
		uint32_t lines;
	} comb;
	unsigned int n_detectors;
	struct {
		uint32_t channel;
		uint32_t bias_ua;
		uint32_t eff_ppm;
		uint32_t dark_cps;
		int32_t delay_ps;
	} detector[QKD_MAX_CHANNELS];
	struct {
		uint32_t deadtime_ns;
		uint32_t ref_window_log2;
	} tagger;
	struct {
		uint32_t source;
		bool ref_present;
		bool locked;
		bool pps_seen;
	} clock;
	uint32_t frame_log2;
	uint32_t heartbeat_us;
	unsigned int n_streams;
	struct {
		uint32_t id;
		uint32_t state;
		uint32_t source;
		bool owned;
		bool running;
		uint64_t ring_size;
	} stream[QKDCHIP_NUM_STREAMS];
	struct qkd_stats stats;
};

/* Limits of the settable values (Documentation/netlink/specs/qkdchip.yaml) */
#define QKD_LASER_CURRENT_MAX_UA	200000
#define QKD_BIAS_MIN_MV			QKDCHIP_BIAS_MIN_MV
#define QKD_BIAS_MAX_MV			10000
#define QKD_VOA_MAX_MDB			60000
#define QKD_TEC_SETPOINT_MIN_MC		15000
#define QKD_TEC_SETPOINT_MAX_MC		45000
#define QKD_TEMP_CRIT_MIN_MC		30000
#define QKD_TEMP_CRIT_MAX_MC		100000
#define QKD_COMB_PUMP_MAX_UA		500000
#define QKD_DET_BIAS_MAX_UA		30
#define QKD_DELAY_MIN_PS		QKDCHIP_DELAY_MIN_PS
#define QKD_DELAY_MAX_PS		2000000
#define QKD_DEADTIME_MIN_NS		10
#define QKD_DEADTIME_MAX_NS		100000
#define QKD_REF_WINDOW_MIN_LOG2		10
#define QKD_REF_WINDOW_MAX_LOG2		24
#define QKD_FRAME_MIN_LOG2		10
#define QKD_FRAME_MAX_LOG2		30
#define QKD_HEARTBEAT_MAX_US		1000000

/* struct qkd_config.set: which settings to change */
#define QKD_SET_LASER_CURRENT		(1u << 0)
#define QKD_SET_LASER_ON		(1u << 1)
#define QKD_SET_LASER_LOCK_LOOP		(1u << 2)
#define QKD_SET_VOA			(1u << 3)
#define QKD_SET_TEC_SETPOINT		(1u << 4)
#define QKD_SET_TEC_ON			(1u << 5)
#define QKD_SET_TEMP_CRIT		(1u << 6)
#define QKD_SET_COMB_PUMP		(1u << 7)
#define QKD_SET_COMB_ON			(1u << 8)
#define QKD_SET_COMB_LOCK_LOOP		(1u << 9)
#define QKD_SET_TAGGER_DEADTIME		(1u << 10)
#define QKD_SET_TAGGER_REF_WINDOW	(1u << 11)
#define QKD_SET_CLOCK_SOURCE		(1u << 12)
#define QKD_SET_FRAME_LOG2		(1u << 13)
#define QKD_SET_HEARTBEAT		(1u << 14)

/* struct qkd_config.detector[].set */
#define QKD_SET_DET_BIAS		(1u << 0)
#define QKD_SET_DET_DELAY		(1u << 1)

/**
 * struct qkd_config - a configuration change (netlink dev-set)
 * @set:		QKD_SET_* of the fields below to send
 * @laser_current_ua:	0 .. QKD_LASER_CURRENT_MAX_UA
 * @laser_on:		laser on
 * @laser_lock_loop:	injection lock loop on
 * @voa_mdb:		0 .. QKD_VOA_MAX_MDB
 * @tec_setpoint_mc:	QKD_TEC_SETPOINT_MIN_MC .. QKD_TEC_SETPOINT_MAX_MC
 * @tec_on:		TEC on
 * @temp_crit_mc:	QKD_TEMP_CRIT_MIN_MC .. QKD_TEMP_CRIT_MAX_MC
 * @comb_pump_ua:	0 .. QKD_COMB_PUMP_MAX_UA
 * @comb_on:		comb pump on
 * @comb_lock_loop:	comb lock loop on
 * @tagger_deadtime_ns:	QKD_DEADTIME_MIN_NS .. QKD_DEADTIME_MAX_NS
 * @tagger_ref_window_log2: QKD_REF_WINDOW_MIN_LOG2 .. QKD_REF_WINDOW_MAX_LOG2
 * @clock_source:	QKDCHIP_CLOCK_SOURCE_*
 * @frame_log2:		QKD_FRAME_MIN_LOG2 .. QKD_FRAME_MAX_LOG2 (and the card's range)
 * @heartbeat_us:	0 (off) .. QKD_HEARTBEAT_MAX_US
 * @n_modulators:	entries in @modulator (each sets one channel's bias)
 * @modulator:		channel (< QKD_MAX_CHANNELS) and bias (QKD_BIAS_MIN_MV ..
 *			QKD_BIAS_MAX_MV)
 * @n_detectors:	entries in @detector
 * @detector:		channel, QKD_SET_DET_* of what to set, bias (0 ..
 *			QKD_DET_BIAS_MAX_UA) and delay (QKD_DELAY_MIN_PS ..
 *			QKD_DELAY_MAX_PS)
 */
struct qkd_config {
	uint32_t set;
	uint32_t laser_current_ua;
	bool laser_on;
	bool laser_lock_loop;
	uint32_t voa_mdb;
	int32_t tec_setpoint_mc;
	bool tec_on;
	int32_t temp_crit_mc;
	uint32_t comb_pump_ua;
	bool comb_on;
	bool comb_lock_loop;
	uint32_t tagger_deadtime_ns;
	uint32_t tagger_ref_window_log2;
	uint32_t clock_source;
	uint32_t frame_log2;
	uint32_t heartbeat_us;
	unsigned int n_modulators;
	struct {
		uint32_t channel;
		int32_t bias_mv;
	} modulator[QKD_MAX_CHANNELS];
	unsigned int n_detectors;
	struct {
		uint32_t channel;
		uint32_t set;
		uint32_t bias_ua;
		int32_t delay_ps;
	} detector[QKD_MAX_CHANNELS];
};

/**
 * qkd_config_check() - check a configuration change against the netlink spec
 * @cfg:    the change
 * @err:    a message naming the first bad value, or NULL
 * @errlen: size of @err
 *
 * Ranges only: whether the card has what is set (role, channels) is for the kernel
 * to say.
 *
 * Return: 0, or -EINVAL (nothing set, a value out of range, a channel set twice).
 */
int qkd_config_check(const struct qkd_config *cfg, char *err, size_t errlen);

struct qkd_nl;

/**
 * qkd_nl_open() - a generic netlink session with the qkdchip family
 * @nlp:    the new session
 * @err:    a message if it fails, or NULL
 * @errlen: size of @err
 *
 * Return: 0, -ENOENT if the family is not registered (the module is not loaded), or
 * another negative errno.
 */
int qkd_nl_open(struct qkd_nl **nlp, char *err, size_t errlen);

/**
 * qkd_nl_close() - end a session
 * @nl: the session, or NULL
 */
void qkd_nl_close(struct qkd_nl *nl);

/**
 * qkd_nl_error() - message of the last failure on @nl
 * @nl: the session
 *
 * Return: a one-line message; the kernel's extended-ACK text when it sent one.
 */
const char *qkd_nl_error(const struct qkd_nl *nl);

/**
 * qkd_nl_get() - one card's state (dev-get do)
 * @nl:    the session
 * @index: N of /dev/qkdchipN
 * @st:    the state
 *
 * Return: 0, -ENODEV (no such card), or another negative errno.
 */
int qkd_nl_get(struct qkd_nl *nl, unsigned int index, struct qkd_state *st);

/**
 * qkd_nl_dump() - every card's state (dev-get dump)
 * @nl:     the session
 * @states: set to a malloc()ed array sorted by index (free() it), NULL if none
 * @n:      entries
 *
 * A dump that the kernel marks as interrupted (NLM_F_DUMP_INTR: a card came or went
 * meanwhile) is retried, up to ten times.
 *
 * Return: 0 or a negative errno (-EAGAIN if it was interrupted every time).
 */
int qkd_nl_dump(struct qkd_nl *nl, struct qkd_state **states, size_t *n);

/**
 * qkd_nl_set() - change a card's configuration (dev-set; needs CAP_NET_ADMIN)
 * @nl:    the session
 * @index: N of /dev/qkdchipN
 * @cfg:   the change; checked with qkd_config_check() first
 *
 * Return: 0 or a negative errno (-EPERM, -EINVAL with the kernel's message, ...).
 */
int qkd_nl_set(struct qkd_nl *nl, unsigned int index, const struct qkd_config *cfg);

/**
 * qkd_nl_stream_stop() - stop a card's stream, whoever owns it (needs CAP_NET_ADMIN)
 * @nl:     the session
 * @index:  N of /dev/qkdchipN
 * @stream: QKDCHIP_STREAM_*
 *
 * Return: 0 or a negative errno.
 */
int qkd_nl_stream_stop(struct qkd_nl *nl, unsigned int index, unsigned int stream);

/* ---- Events ------------------------------------------------------------------------ */

/**
 * struct qkd_event - an event notification
 * @dev_index: N of /dev/qkdchipN
 * @code:      QKDCHIP_EV_*
 * @arg:       the event's argument (Documentation/hw/events.rst)
 * @slot:      the card's slot counter when it happened, if @has_slot
 * @has_slot:  the kernel sent a slot (driver events may not)
 */
struct qkd_event {
	uint32_t dev_index;
	uint32_t code;
	uint32_t arg;
	uint64_t slot;
	bool has_slot;
};

struct qkd_events;

/**
 * qkd_events_open() - subscribe to the family's events multicast group
 * @evp:    the new subscription
 * @err:    a message if it fails, or NULL
 * @errlen: size of @err
 *
 * Return: 0, -ENOENT (family or group missing) or another negative errno.
 */
int qkd_events_open(struct qkd_events **evp, char *err, size_t errlen);

/**
 * qkd_events_close() - end a subscription
 * @ev: the subscription, or NULL
 */
void qkd_events_close(struct qkd_events *ev);

/**
 * qkd_events_fd() - a descriptor that polls readable when events may be pending
 * @ev: the subscription
 *
 * Return: the descriptor (non-blocking; owned by @ev).
 */
int qkd_events_fd(const struct qkd_events *ev);

/**
 * qkd_events_next() - the next event
 * @ev:         the subscription
 * @e:          the event
 * @timeout_ms: most milliseconds to wait; 0 to only look, -1 for no limit
 *
 * Return: 1 with an event, 0 on timeout, -ENOBUFS once after events were lost (the
 * socket's buffer overflowed; the subscription goes on), -EINTR on a signal, or
 * another negative errno.
 */
int qkd_events_next(struct qkd_events *ev, struct qkd_event *e, int timeout_ms);

/**
 * qkd_events_error() - message of the last failure on @ev
 * @ev: the subscription
 *
 * Return: a one-line message.
 */
const char *qkd_events_error(const struct qkd_events *ev);

/* ---- Finding cards ------------------------------------------------------------------- */

/**
 * struct qkd_card - a card as found on the PCI bus, the driver and netlink
 * @pci:		PCI address ("0000:01:00.0")
 * @index:		N of /dev/qkdchipN, -1 if the driver is not bound
 * @name:		"qkdchipN", "" if not bound
 * @devnode:		"/dev/qkdchipN" if that node exists, else ""
 * @vendor:		PCI vendor ID
 * @device:		PCI device ID
 * @subsys_vendor:	subsystem vendor ID
 * @subsys_device:	subsystem device ID (the role, informative)
 * @link_speed:		current PCIe link speed, 0.1 GT/s units; 0 unknown
 * @link_width:		current link width (lanes); 0 unknown
 * @link_max_speed:	the device's fastest link speed, 0.1 GT/s; 0 unknown
 * @link_max_width:	the device's widest link; 0 unknown
 * @have_state:		@state holds the card's netlink dev-get reply
 * @state:		the netlink state
 *
 * Link fields need read access to PCI configuration space beyond its first 64
 * bytes: root, usually. Without it they stay 0.
 */
struct qkd_card {
	char pci[32];
	int index;
	char name[16];
	char devnode[32];
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	unsigned int link_speed;
	unsigned int link_width;
	unsigned int link_max_speed;
	unsigned int link_max_width;
	bool have_state;
	struct qkd_state state;
};

/* PCI IDs of qkdchip cards (Documentation/hw/pci.rst; provisional) */
#define QKD_PCI_VENDOR		0x1fc5
#define QKD_PCI_DEVICE		0x0001

/**
 * qkd_cards_list() - every qkdchip card: PCI, driver and netlink joined
 * @nl:     a netlink session for the cards' state, or NULL for PCI and sysfs only
 * @cards:  set to a malloc()ed array sorted by PCI address (free() it)
 * @n:      entries
 * @err:    a message if it fails, or NULL
 * @errlen: size of @err
 *
 * Finds cards with libpci (by PCI ID, and every device the driver is bound to),
 * joins them with the netlink dump (by bus name) and with /dev/qkdchipN.
 *
 * Return: 0 or a negative errno.
 */
int qkd_cards_list(struct qkd_nl *nl, struct qkd_card **cards, size_t *n, char *err,
		   size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* QKDCHIP_QKDCHIP_H */
