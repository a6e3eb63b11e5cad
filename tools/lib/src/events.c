// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: the qkdchip family's "events" multicast group.
 *
 * The subscription has its own socket (notifications never mix with replies). We read
 * it ourselves, so that an overrun (ENOBUFS: the kernel dropped notifications because
 * our buffer was full) is told apart from other errors, and keep the events of one
 * read in a small queue.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "internal.h"

#define QKD_EVQ_LEN	256
#define QKD_EV_BUF	65536


struct qkd_events {
	struct nl_sock *sk;
	int fd;
	int family;
	unsigned int head, tail;	/* queue [tail, head) */
	struct qkd_event q[QKD_EVQ_LEN];
	char err[QKD_MSG_LEN];
	uint8_t buf[QKD_EV_BUF];
};

int qkd__nl_parse_event(struct nlattr *head, int len, struct qkd_event *e)
{
	bool have_dev = false, have_code = false;
	struct nlattr *a;
	int rem;

	memset(e, 0, sizeof(*e));
	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case QKDCHIP_A_EVENT_DEV_INDEX:
			if (nla_len(a) >= 4) {
				memcpy(&e->dev_index, nla_data(a), 4);
				have_dev = true;
			}
			break;
		case QKDCHIP_A_EVENT_CODE:
			if (nla_len(a) >= 4) {
				memcpy(&e->code, nla_data(a), 4);
				have_code = true;
			}
			break;
		case QKDCHIP_A_EVENT_ARG:
			if (nla_len(a) >= 4)
				memcpy(&e->arg, nla_data(a), 4);
			break;
		case QKDCHIP_A_EVENT_SLOT:
			if (nla_len(a) >= 8) {
				memcpy(&e->slot, nla_data(a), 8);
				e->has_slot = true;
			}
			break;
		}
	}
	return have_dev && have_code ? 0 : -EPROTO;
}

int qkd_events_open(struct qkd_events **evp, char *err, size_t errlen)
{
	struct qkd_events *ev;
	int grp, ret;

	*evp = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return qkd_err(err, errlen, -ENOMEM, "out of memory");
	ret = qkd__nl_connect(&ev->sk, &ev->family, QKDCHIP_MCGRP_EVENTS, &grp, err, errlen);
	if (ret) {
		free(ev);
		return ret;
	}
	nl_socket_disable_seq_check(ev->sk);
	ret = nl_socket_add_membership(ev->sk, grp);
	if (ret < 0) {
		nl_socket_free(ev->sk);
		free(ev);
		return qkd_err(err, errlen, -EIO, "cannot join the qkdchip events group: %s",
			       nl_geterror(ret));
	}
	ev->fd = nl_socket_get_fd(ev->sk);
	nl_socket_set_nonblocking(ev->sk);
	*evp = ev;
	return 0;
}

void qkd_events_close(struct qkd_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

int qkd_events_fd(const struct qkd_events *ev)
{
	return ev->fd;
}

const char *qkd_events_error(const struct qkd_events *ev)
{
	return ev->err;
}

/* Read what the socket has now into the queue: >= 0 events queued, or -errno. */
static int ev_read(struct qkd_events *ev)
{
	struct nlmsghdr *nlh;
	ssize_t n;
	int rem, got = 0;

	n = recv(ev->fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == ENOBUFS)
			return qkd_err(ev->err, sizeof(ev->err), -ENOBUFS,
				       "events were lost: the socket's receive buffer overflowed");
		return qkd_err(ev->err, sizeof(ev->err), -errno, "reading events: %s",
			       strerror(errno));
	}
	rem = (int)n;
	for (nlh = (struct nlmsghdr *)ev->buf; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		struct genlmsghdr *gh;
		struct qkd_event e;

		if (nlh->nlmsg_type != ev->family || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		gh = nlmsg_data(nlh);
		if (gh->cmd != QKDCHIP_CMD_EVENT)
			continue;
		if (qkd__nl_parse_event(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), &e))
			continue;	/* malformed: nothing to report */
		if (ev->head - ev->tail == QKD_EVQ_LEN)
			ev->tail++;	/* cannot happen with one read's worth, but be safe */
		ev->q[ev->head++ % QKD_EVQ_LEN] = e;
		got++;
	}
	return got;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qkd_events_next(struct qkd_events *ev, struct qkd_event *e, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = ev->fd, .events = POLLIN };
		int ret, wait;

		if (ev->head != ev->tail) {
			*e = ev->q[ev->tail++ % QKD_EVQ_LEN];
			return 1;
		}
		ret = ev_read(ev);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;
		if (deadline < 0) {
			wait = -1;
		} else {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return 0;
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0) {
			if (errno == EINTR)
				return -EINTR;
			return qkd_err(ev->err, sizeof(ev->err), -errno, "poll: %s", strerror(errno));
		}
	}
}
