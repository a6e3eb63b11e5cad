// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic netlink family at the message level (raw netlink, no library): every
 * command with valid, out-of-range, missing, unknown and wrongly typed attributes;
 * admin-only commands refused without CAP_NET_ADMIN while get works; dumps stay whole
 * while another process changes the configuration; events reach the multicast group.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qkdchip_util.h"
#include "qkdchip_hw.h"

struct nlmsg {
	char buf[4096];
	size_t len;
	struct nlattr *nest[4];
	int depth;
};

static void msg_init(struct nlmsg *m, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *h = (void *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(m->buf, 0, sizeof(m->buf));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	g->version = 1;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->depth = 0;
}

static void put(struct nlmsg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (void *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
}

static void put_u32(struct nlmsg *m, uint16_t type, uint32_t v) { put(m, type, &v, 4); }
static void put_u8(struct nlmsg *m, uint16_t type, uint8_t v) { put(m, type, &v, 1); }

static void nest_start(struct nlmsg *m, uint16_t type)
{
	struct nlattr *a = (void *)(m->buf + m->len);

	a->nla_type = type | NLA_F_NESTED;
	m->nest[m->depth++] = a;
	m->len += NLA_HDRLEN;
}

static void nest_end(struct nlmsg *m)
{
	struct nlattr *a = m->nest[--m->depth];

	a->nla_len = (char *)m->buf + m->len - (char *)a;
}

struct reply {
	int error;		/* from the ACK, negative */
	char extack[256];	/* NLMSGERR_ATTR_MSG */
	int msgs;		/* data messages */
	int intr;		/* messages flagged NLM_F_DUMP_INTR */
	char data[16384];	/* the last data message */
	size_t data_len;
};

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), one = 1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };	/* the kernel picks the port */

	if (fd < 0)
		return fd;
	/* bound, or the socket would not receive multicast */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* Send, then read replies until the ACK or NLMSG_DONE. */
static int transact(int fd, struct nlmsg *m, struct reply *r)
{
	struct nlmsghdr *h = (void *)m->buf;
	static char rx[65536];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	h->nlmsg_len = m->len;
	h->nlmsg_flags |= NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (send(fd, m->buf, m->len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, rx, sizeof(rx), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				int len = h->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
				struct nlattr *a = (void *)((char *)e + sizeof(*e) +
					((h->nlmsg_flags & NLM_F_CAPPED) ? 0 :
					 e->msg.nlmsg_len - NLMSG_HDRLEN));

				if (h->nlmsg_flags & NLM_F_CAPPED)
					len = h->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
				else
					len -= e->msg.nlmsg_len - NLMSG_HDRLEN;
				while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
					if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
						snprintf(r->extack, sizeof(r->extack), "%s",
							 (char *)a + NLA_HDRLEN);
					len -= NLA_ALIGN(a->nla_len);
					a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
				}
				r->error = e->error;
				return 0;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			r->msgs++;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr++;
			r->data_len = h->nlmsg_len < sizeof(r->data) ? h->nlmsg_len : sizeof(r->data);
			memcpy(r->data, h, r->data_len);
		}
	}
}

static int family_id(int fd, uint16_t *id, uint32_t *mcgrp)
{
	struct nlmsg m;
	struct reply r;
	struct nlattr *a;
	int len, err;

	msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	put(&m, CTRL_ATTR_FAMILY_NAME, QKDCHIP_FAMILY_NAME, sizeof(QKDCHIP_FAMILY_NAME));
	err = transact(fd, &m, &r);
	if (err || r.error || !r.msgs)
		return err ? err : r.error ? r.error : -ENOENT;
	a = (void *)(r.data + NLMSG_HDRLEN + GENL_HDRLEN);
	len = r.data_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (; len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*id = *(uint16_t *)((char *)a + NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
			/* one group: [nest [ID u32][NAME string]] */
			struct nlattr *g = (void *)((char *)a + NLA_HDRLEN);
			struct nlattr *f = (void *)((char *)g + NLA_HDRLEN);
			int glen = g->nla_len - NLA_HDRLEN;

			for (; glen >= NLA_HDRLEN; glen -= NLA_ALIGN(f->nla_len),
			     f = (void *)((char *)f + NLA_ALIGN(f->nla_len)))
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					*mcgrp = *(uint32_t *)((char *)f + NLA_HDRLEN);
		}
	}
	return 0;
}

FIXTURE(nl) {
	int fd;
	uint16_t family;
	uint32_t mcgrp;
	int client, server, client_idx, server_idx;
};

FIXTURE_SETUP(nl)
{
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, family_id(self->fd, &self->family, &self->mcgrp));
	self->client = qk_emu_find(QKDCHIP_ROLE_CLIENT);
	self->server = qk_emu_find(QKDCHIP_ROLE_SERVER);
	ASSERT_GE(self->client, 0);
	ASSERT_GE(self->server, 0);
	self->client_idx = qk_dev_index(self->client);
	self->server_idx = qk_dev_index(self->server);
}

FIXTURE_TEARDOWN(nl)
{
	close(self->fd);
}

static int set_voa(FIXTURE_DATA(nl) *self, uint32_t idx, uint32_t mdb, struct reply *r)
{
	struct nlmsg m;

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, idx);
	put_u32(&m, QKDCHIP_A_DEV_VOA_MDB, mdb);
	return transact(self->fd, &m, r);
}

TEST_F(nl, get_by_index_and_name)
{
	struct nlmsg m;
	struct reply r;
	char name[16];

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(1, r.msgs);

	snprintf(name, sizeof(name), "qkdchip%d", self->server_idx);
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put(&m, QKDCHIP_A_DEV_NAME, name, strlen(name) + 1);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(1, r.msgs);
}

TEST_F(nl, get_bad_requests)
{
	struct nlmsg m;
	struct reply r;

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);	/* no card named */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(0, r.extack[0]);

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, 63);			/* in range, absent */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-ENODEV, r.error);
	EXPECT_STREQ("no such card", r.extack);

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, 64);			/* out of range */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-ERANGE, r.error);

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put_u8(&m, QKDCHIP_A_DEV_INDEX, 0);			/* wrong type: u8 for u32 */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_TRUE(r.error == -EINVAL || r.error == -ERANGE) TH_LOG("error %d", r.error);

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_GET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	put_u32(&m, QKDCHIP_A_DEV_MAX + 5, 1);			/* unknown attribute */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);

	msg_init(&m, self->family, 0, 200);			/* unknown command */
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

TEST_F(nl, dump_lists_every_card)
{
	struct nlmsg m;
	struct reply r;

	msg_init(&m, self->family, NLM_F_DUMP, QKDCHIP_CMD_DEV_GET);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(qk_emu_cards(), r.msgs);
}

TEST_F(nl, set_writes_registers)
{
	struct reply r;
	struct nlmsg m;
	uint32_t v;

	ASSERT_EQ(0, set_voa(self, self->client_idx, 12345, &r));
	EXPECT_EQ(0, r.error);
	ASSERT_EQ(0, qk_ctl_reg(self->client, QKDCHIP_REG_VOA_MDB, &v));
	EXPECT_EQ(12345, v);

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	nest_start(&m, QKDCHIP_A_DEV_MODULATOR);
	put_u32(&m, QKDCHIP_A_MODULATOR_CHANNEL, 3);
	put_u32(&m, QKDCHIP_A_MODULATOR_BIAS_MV, (uint32_t)-2500);
	nest_end(&m);
	nest_start(&m, QKDCHIP_A_DEV_TEC);
	put_u32(&m, QKDCHIP_A_TEC_SETPOINT_MC, 30000);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error) TH_LOG("%s", r.extack);
	ASSERT_EQ(0, qk_ctl_reg(self->client, QKDCHIP_REG_MOD_BIAS_MV(3), &v));
	EXPECT_EQ(-2500, (int32_t)v);
	ASSERT_EQ(0, qk_ctl_reg(self->client, QKDCHIP_REG_TEC_SETPOINT_MC, &v));
	EXPECT_EQ(30000, v);
}

/* Each bad set is refused with a message and writes nothing, not even its good parts. */
TEST_F(nl, set_bad_requests_change_nothing)
{
	struct reply r;
	struct nlmsg m;
	uint32_t before, after;

	ASSERT_EQ(0, set_voa(self, self->client_idx, 1000, &r));
	ASSERT_EQ(0, r.error);

	ASSERT_EQ(0, set_voa(self, self->client_idx, 60001, &r));	/* out of range */
	EXPECT_EQ(-ERANGE, r.error);

	/* a good VOA and a modulator channel the card does not have */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	put_u32(&m, QKDCHIP_A_DEV_VOA_MDB, 2000);
	nest_start(&m, QKDCHIP_A_DEV_MODULATOR);
	put_u32(&m, QKDCHIP_A_MODULATOR_CHANNEL, 6);
	put_u32(&m, QKDCHIP_A_MODULATOR_BIAS_MV, 100);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-ERANGE, r.error);
	EXPECT_STREQ("the card has no such channel", r.extack);

	/* the channel missing from its nest */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	nest_start(&m, QKDCHIP_A_DEV_MODULATOR);
	put_u32(&m, QKDCHIP_A_MODULATOR_BIAS_MV, 100);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_STREQ("the channel is missing", r.extack);

	/* a server setting on a client */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	put_u32(&m, QKDCHIP_A_DEV_VOA_MDB, 2000);
	nest_start(&m, QKDCHIP_A_DEV_COMB);
	put_u32(&m, QKDCHIP_A_COMB_PUMP_UA, 1000);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
	EXPECT_STREQ("this setting applies to server cards only", r.extack);

	/* a read-only attribute */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	nest_start(&m, QKDCHIP_A_DEV_LASER);
	put_u32(&m, QKDCHIP_A_LASER_LOCK_STATE, 3);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);

	/* wrongly typed: an s32 given as u8 */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
	put_u8(&m, QKDCHIP_A_DEV_TEMP_CRIT_MC, 1);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_TRUE(r.error == -EINVAL || r.error == -ERANGE) TH_LOG("error %d", r.error);

	/* no card named */
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_VOA_MDB, 2000);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);

	ASSERT_EQ(0, qk_ctl_reg(self->client, QKDCHIP_REG_VOA_MDB, &after));
	EXPECT_EQ(1000, after);
	(void)before;
}

TEST_F(nl, frame_size_range_and_state)
{
	struct reply r;
	struct nlmsg m;

	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->server_idx);
	put_u32(&m, QKDCHIP_A_DEV_FRAME_LOG2, 9);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-ERANGE, r.error);
	msg_init(&m, self->family, 0, QKDCHIP_CMD_DEV_SET);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->server_idx);
	put_u32(&m, QKDCHIP_A_DEV_FRAME_LOG2, 20);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error);
}

/* Without CAP_NET_ADMIN: set and stream-stop are refused, get and dump work. */
TEST_F(nl, unprivileged)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2] = { 0 };
		struct nlmsg m;
		struct reply r;

		if (syscall(SYS_capset, &hdr, data))
			_exit(10);
		if (set_voa(self, self->client_idx, 3000, &r) || r.error != -EPERM)
			_exit(11);
		msg_init(&m, self->family, 0, QKDCHIP_CMD_STREAM_STOP);
		put_u32(&m, QKDCHIP_A_DEV_INDEX, self->client_idx);
		nest_start(&m, QKDCHIP_A_DEV_STREAM);
		put_u32(&m, QKDCHIP_A_STREAM_ID, 0);
		nest_end(&m);
		if (transact(self->fd, &m, &r) || r.error != -EPERM)
			_exit(12);
		msg_init(&m, self->family, NLM_F_DUMP, QKDCHIP_CMD_DEV_GET);
		if (transact(self->fd, &m, &r) || r.error || r.msgs < 2)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* stream-stop stops a stream that another file owns; its reader sees the end. */
TEST_F(nl, stream_stop_override)
{
	struct qk_ring ring;
	struct reply r;
	struct nlmsg m;
	int fd = qk_open_dev(self->server_idx, O_RDWR);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, qk_ring_open(fd, QKDCHIP_STREAM_C2H, 4096, 2, &ring));
	ASSERT_EQ(0, qk_stream_start(fd, QKDCHIP_STREAM_C2H, QKDCHIP_SOURCE_TEST, 100, 1, NULL));
	msg_init(&m, self->family, 0, QKDCHIP_CMD_STREAM_STOP);
	put_u32(&m, QKDCHIP_A_DEV_INDEX, self->server_idx);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(-EINVAL, r.error);				/* which stream? */
	nest_start(&m, QKDCHIP_A_DEV_STREAM);
	put_u32(&m, QKDCHIP_A_STREAM_ID, QKDCHIP_STREAM_C2H);
	nest_end(&m);
	ASSERT_EQ(0, transact(self->fd, &m, &r));
	EXPECT_EQ(0, r.error);
	EXPECT_EQ(QKDCHIP_RING_STOPPED, ring.status->state);
	qk_ring_unmap(&ring);
	close(fd);
}

/* Dumps while another process keeps changing the configuration: always every card,
 * each message whole; a change in the middle of a multi-part dump is flagged. */
TEST_F(nl, dump_consistent_under_changes)
{
	int i, cards = qk_emu_cards(), status;	/* before the load starts */
	pid_t pid = fork();
	struct nlmsg m;
	struct reply r;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = nl_open();
		struct reply rr;
		uint32_t v = 0;

		self->fd = fd;
		for (;;)
			set_voa(self, self->client_idx, (v++ % 2) ? 5000 : 6000, &rr);
	}
	for (i = 0; i < 100; i++) {
		msg_init(&m, self->family, NLM_F_DUMP, QKDCHIP_CMD_DEV_GET);
		ASSERT_EQ(0, transact(self->fd, &m, &r));
		ASSERT_EQ(0, r.error);
		EXPECT_EQ(cards, r.msgs);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* A lost lock on the client (injected) reaches the events group. */
TEST_F(nl, events_multicast)
{
	int mfd = nl_open(), got = 0, i;
	struct timeval tv = { 5, 0 };
	struct reply r;
	static char rx[8192];

	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, setsockopt(mfd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &self->mcgrp,
				sizeof(self->mcgrp)));
	setsockopt(mfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* an over-temperature excursion on the server: OVER_TEMP, then TEMP_OK */
	ASSERT_EQ(0, qk_ctl(NULL, 0, "fault %d over-temp fpga", self->server));
	for (i = 0; i < 20 && !got; i++) {
		ssize_t n = recv(mfd, rx, sizeof(rx), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			break;
		for (h = (void *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nlattr *a = (void *)((char *)g + GENL_HDRLEN);
			int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			uint32_t dev = ~0u, code = 0;

			if (h->nlmsg_type != self->family || g->cmd != QKDCHIP_CMD_EVENT)
				continue;
			for (; len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len),
			     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
				if (a->nla_type == QKDCHIP_A_EVENT_DEV_INDEX)
					dev = *(uint32_t *)((char *)a + NLA_HDRLEN);
				if (a->nla_type == QKDCHIP_A_EVENT_CODE)
					code = *(uint32_t *)((char *)a + NLA_HDRLEN);
			}
			if (dev == (uint32_t)self->server_idx && code == QKDCHIP_EV_OVER_TEMP)
				got = 1;
		}
	}
	EXPECT_EQ(1, got) TH_LOG("family %u group %u", self->family, self->mcgrp);
	qk_ctl(NULL, 0, "temp %d fpga auto", self->server);
	(void)r;
	close(mfd);
}

TEST_HARNESS_MAIN
