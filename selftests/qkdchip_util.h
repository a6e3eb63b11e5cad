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

#endif /* QKDCHIP_UTIL_H */
