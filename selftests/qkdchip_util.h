/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the qkdchip kselftests (run in a guest booted by
 * tools/testbed/vm-run, against cards served by qkdemu).
 */
#ifndef QKDCHIP_UTIL_H
#define QKDCHIP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/qkdchip.h>

#define QK_MAX_CARDS	16

/*
 * Send one command to the emulator's control channel and wait for its reply (up to
 * 10 s). Returns 0 if the reply starts with "ok", 1 for "error", -errno if the channel
 * failed. The reply (without the tag and newline) goes to @reply if non-NULL.
 */
int qk_ctl(char *reply, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read a card register through the control channel (the emulator's own view). */
int qk_ctl_reg(unsigned int card, uint32_t off, uint32_t *val);

/* Number of cards the emulator serves, or -errno. */
int qk_emu_cards(void);

/* Role of emulator card @card (QKDCHIP_ROLE_*, from the control channel), or -errno. */
int qk_emu_role(unsigned int card);

/* /dev/qkdchipN index of emulator card @card (matched by serial), or -errno. */
int qk_dev_index(unsigned int card);

/* open("/dev/qkdchipN") */
int qk_open_dev(int index, int flags);

/* Read a sysfs attribute of /sys/class/qkdchip/qkdchipN into @buf (newline stripped). */
int qk_sysfs_read(int index, const char *attr, char *buf, size_t len);
/* ... and parse it as an unsigned decimal number. */
int qk_sysfs_u64(int index, const char *attr, uint64_t *val);

/*
 * Read a register through the driver (debugfs "regs" dump, i.e. an MMIO read by the
 * driver, ordered after the driver's own register writes). Returns 0 or -errno.
 */
int qk_debugfs_reg(int index, uint32_t reg, uint32_t *val);

/* Write a string to a file (e.g. debugfs). Returns 0 or -errno. */
int qk_write_file(const char *path, const char *s);

/*
 * Kernel log checks: qk_kmsg_mark() remembers the end of the kernel log; after it,
 * qk_kmsg_problems() returns the number of lines since the mark that show an oops,
 * BUG, WARNING, lockdep report or similar, and logs them.
 */
int qk_kmsg_mark(void);
int qk_kmsg_problems(void);

/* Path of the module for the running kernel (in the repository). */
const char *qk_module_path(void);
/* Load (finit_module) and unload (delete_module) the driver. Return 0 or -errno. */
int qk_module_load(void);
int qk_module_unload(bool nonblock);
bool qk_module_loaded(void);

/* Wait until @cond_fn(arg) is true or @timeout_ms passes; returns the last value. */
bool qk_wait(bool (*cond_fn)(void *arg), void *arg, int timeout_ms);

/* The first emulator card with @role (QKDCHIP_ROLE_*), or -ENOENT. */
int qk_emu_find(int role);

/* Read key=value from the emulator's "status CARD" reply. Returns 0 or -errno. */
int qk_emu_status_u64(unsigned int card, const char *key, uint64_t *val);

/*
 * A ring set up and mapped: the data area, the status page and the index page.
 */
struct qk_ring {
	struct qkdchip_ring_setup setup;
	void *data;
	volatile struct qkdchip_ring_status *status;
	volatile struct qkdchip_ring_index *index;
};

/* RING_SETUP + mmap of all three areas. Returns 0 or -errno. */
int qk_ring_open(int fd, unsigned int stream, uint32_t buf_size, uint32_t buf_count,
		 struct qk_ring *r);
void qk_ring_unmap(struct qk_ring *r);

/* Start and stop a stream. start_slot may be NULL. Return 0 or -errno. */
int qk_stream_start(int fd, unsigned int stream, unsigned int source, uint32_t rate,
		    uint32_t seed, uint64_t *start_slot);
int qk_stream_stop(int fd, unsigned int stream);

/* Test-pattern record n of seed S, from Documentation/hw/streams.rst (independent of
 * the emulator's implementation). */
uint64_t qk_test_record(uint32_t seed, uint64_t n);

/*
 * Consume C2H records from a mapped ring: up to @max records into @out (may be NULL
 * to discard), waiting with poll() up to @timeout_ms for the first. Releases them.
 * Returns the number consumed, or -errno.
 */
long qk_ring_consume(int fd, struct qk_ring *r, uint64_t *out, size_t max, int timeout_ms);

/* A checker of a test-pattern stream: follows indices and LOST triples. */
struct qk_pattern_check {
	uint32_t seed;
	uint64_t next;		/* the next test index expected */
	uint64_t records;	/* test records seen */
	uint64_t lost;		/* records reported lost in-band */
	uint64_t losses;	/* LOST triples */
	uint64_t bad;		/* records that are wrong */
	uint64_t unknown;	/* records of undefined type */
	int in_lost;		/* 0, or which LOST record comes next (1, 2) */
	uint64_t lost_count, lost_first;
};

/* Feed one record; returns 0 if it is what the pattern says, -1 otherwise. */
int qk_pattern_feed(struct qk_pattern_check *pc, uint64_t rec);

#endif /* QKDCHIP_UTIL_H */
