/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libqkdchip internals: handle layouts and helpers shared by the sources, and the
 * hooks the unit tests use (linked from the static library; not exported by the
 * shared one, whose version script exports qkd_* only).
 */
#ifndef QKD_INTERNAL_H
#define QKD_INTERNAL_H

#include <stdarg.h>

#include "qkdchip/qkdchip.h"

#define QKD_MSG_LEN	QKD_ERRMSG_LEN

#define QKD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define QKD_PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* Everything declared in this header stays inside the shared library. */
#pragma GCC visibility push(hidden)

/* Format a message into @buf (if non-NULL) and return @err. */
int qkd_err(char *buf, size_t len, int err, const char *fmt, ...) QKD_PRINTF(4, 5);
int qkd_verr(char *buf, size_t len, int err, const char *fmt, va_list ap) QKD_PRINTF(4, 0);

/* Strict decimal parse of [s, s+len): digits only, no sign, no leading zeros. */
int qkd_parse_index(const char *s, size_t len, unsigned int max, unsigned int *out);

struct qkd_dev {
	int fd;
	unsigned int index;
	char name[16];
	struct qkdchip_info info;
	struct qkd_ring *ring[QKDCHIP_NUM_STREAMS];
	char err[QKD_MSG_LEN];
};

int qkd_dev_fail(struct qkd_dev *dev, int err, const char *fmt, ...) QKD_PRINTF(3, 4);

struct qkd_ring {
	struct qkd_dev *dev;		/* NULL for a fake ring (tests) */
	unsigned int stream;
	uint64_t size;			/* bytes */
	uint64_t mask;			/* entries - 1 (records for C2H, bytes for PAT) */
	void *data;
	size_t data_len;
	volatile struct qkdchip_ring_status *status;
	volatile struct qkdchip_ring_index *index;
	size_t page;
	/* C2H cursors: pos = next record to hand out, end = the card's index as last
	 * loaded, host = the index last published */
	uint64_t pos, end, host;
};

/* Reset a ring's cursors to the indices in its pages (after a start). */
void qkd_ring_resync(struct qkd_ring *ring);

/*
 * Test hooks. qkd__ring_fake() makes a ring over caller memory: @data of @size bytes,
 * @status and @index as the card and the driver would share them. Free it with
 * qkd_ring_close() (which frees nothing of the caller's).
 */
struct qkd_ring *qkd__ring_fake(unsigned int stream, void *data, uint64_t size,
				struct qkdchip_ring_status *status,
				struct qkdchip_ring_index *index);

/* qkd_dev_lookup() against another sysfs root (a directory tree built by a test). */
int qkd__dev_lookup_at(const char *sysfs, const char *spec, unsigned int *index, char *err,
		       size_t errlen);

/* Netlink: parse a dev-get reply's attributes (all of them, after the genl header). */
struct nlattr;
int qkd__nl_parse_dev(struct nlattr *head, int len, struct qkd_state *st);
/* Parse an event notification's attributes. */
int qkd__nl_parse_event(struct nlattr *head, int len, struct qkd_event *e);
/*
 * Build the message text for a netlink error: @error (negative errno) and the
 * extended ACK attributes at [tlv, tlv + tlvlen), if any; @req is the request as
 * sent (to name the attribute at the reported offset), @reqlen its length.
 */
void qkd__nl_error_text(char *buf, size_t len, int error, const void *tlv, size_t tlvlen,
			const void *req, size_t reqlen);
/* Open a generic netlink socket, resolve the family (and group @grp, if given). */
struct nl_sock;
int qkd__nl_connect(struct nl_sock **skp, int *family, const char *grp, int *grp_id,
		    char *err, size_t errlen);
/* Append @cfg's attributes to a dev-set message. */
struct nl_msg;
int qkd__nl_put_config(struct nl_msg *msg, const struct qkd_config *cfg);

#pragma GCC visibility pop

#endif /* QKD_INTERNAL_H */
