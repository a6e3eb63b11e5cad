/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qkdemu control channel: a line-oriented text protocol on a UNIX socket, used by
 * tests (on the host, or in the guest through a virtio serial port) to inspect the
 * emulated cards and inject faults. Documentation/qkdemu/index.rst lists the commands.
 */
#ifndef QKDEMU_CONTROL_H
#define QKDEMU_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

struct card;
struct loop;
struct vfu;

/*
 * @sync and @rearm (optional) bracket every command that concerns a card: @sync brings
 * the card up to the present before it, @rearm schedules its next wake-up after it.
 */
struct control_ops {
	struct card *(*card)(void *ctx, unsigned int index);	/* NULL if no such card */
	struct vfu *(*vfu)(void *ctx, unsigned int index);
	void (*sync)(void *ctx, unsigned int index);
	void (*rearm)(void *ctx, unsigned int index);
	void *ctx;
};

struct control;

struct control *control_new(struct loop *loop, const char *path, const struct control_ops *ops,
			    unsigned int ncards, bool verbose);
void control_free(struct control *ctl);

/*
 * Execute one command line (without its newline). The reply ("ok ..." or
 * "error ...", no newline) goes to @reply. Returns 0 for "ok", -1 for "error".
 */
int control_exec(struct control *ctl, const char *line, char *reply, size_t len);

/* The command summary for --help. */
const char *control_help(void);

#endif /* QKDEMU_CONTROL_H */
