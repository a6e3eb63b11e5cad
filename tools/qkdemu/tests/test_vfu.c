// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vfu - the vfio-user server (vfu.c) against a small in-process client.
 *
 * The client speaks the protocol as written in the specification (QEMU
 * docs/interop/vfio-user.rst); its message layouts are defined here, independently of
 * vfu.c. Server and client share one thread: the client sends without blocking and
 * turns the server's loop while it waits for bytes, so nothing depends on timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <json-c/json.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "loop.h"
#include "vfu.h"

/* ---- the wire format, from the specification --------------------------------------- */

struct th { /* header: 16 bytes */
	uint16_t id, cmd;
	uint32_t size, flags, error;
};

#define T_VERSION 1
#define T_DMA_MAP 2
#define T_DMA_UNMAP 3
#define T_GET_INFO 4
#define T_REGION_INFO 5
#define T_REGION_IO_FDS 6
#define T_IRQ_INFO 7
#define T_SET_IRQS 8
#define T_REGION_READ 9
#define T_REGION_WRITE 10
#define T_DEVICE_RESET 13

#define T_REPLY 0x1u
#define T_NO_REPLY 0x10u
#define T_ERROR 0x20u

#define QEMU_CAPS "{\"capabilities\":{\"migration\":{\"pgsize\":4096,\"max_bitmap_size\":" \
	"268435456},\"max_msg_fds\":16,\"max_data_xfer_size\":1048576,\"pgsizes\":4096," \
	"\"max_dma_maps\":65535,\"write_multiple\":true}}"

#define BAR0_SIZE 8192u
#define BAR4_SIZE (2u << 20)
#define NVEC 8u
#define MAX_XFER (1u << 20)
#define POKE_DISCONNECT 0x1ff8 /* a BAR0 write here makes the device call vfu_disconnect */

/* ---- the device behind the server --------------------------------------------------- */

struct tdev {
	struct vfu *vfu;
	uint8_t bar0[BAR0_SIZE];
	uint8_t *bar4;
	unsigned int reads, writes, resets, ups, downs, unmappings;
	uint64_t last_unmap_iova, last_unmap_len;
	int fail_errno;          /* make the next access fail with this errno */
	unsigned int order[16];  /* event log: 1 unmapping, 2 reset, 3 down */
	unsigned int norder;
	bool saw_maps_at_down;
};

static void note(struct tdev *d, unsigned int ev)
{
	if (d->norder < 16)
		d->order[d->norder++] = ev;
}

static uint8_t *tdev_bar(struct tdev *d, unsigned int bar)
{
	return bar == 0 ? d->bar0 : bar == 4 ? d->bar4 : NULL;
}

static int tdev_read(void *priv, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	struct tdev *d = priv;
	uint8_t *b = tdev_bar(d, bar);

	d->reads++;
	if (d->fail_errno)
		return -d->fail_errno;
	if (!b)
		return -EINVAL;
	memcpy(buf, b + off, len);
	return 0;
}

static int tdev_write(void *priv, unsigned int bar, uint64_t off, const void *buf,
		      uint32_t len)
{
	struct tdev *d = priv;
	uint8_t *b = tdev_bar(d, bar);

	d->writes++;
	if (d->fail_errno)
		return -d->fail_errno;
	if (!b)
		return -EINVAL;
	if (bar == 0 && off == POKE_DISCONNECT)
		vfu_disconnect(d->vfu);
	memcpy(b + off, buf, len);
	return 0;
}

static void tdev_reset(void *priv)
{
	struct tdev *d = priv;

	d->resets++;
	note(d, 2);
}

static void tdev_connected(void *priv, bool up)
{
	struct tdev *d = priv;
	struct vfu_stats st;

	if (up) {
		d->ups++;
		return;
	}
	d->downs++;
	vfu_get_stats(d->vfu, &st);
	d->saw_maps_at_down = st.dma_maps != 0;
	note(d, 3);
}

static void tdev_unmapping(void *priv, uint64_t iova, uint64_t len)
{
	struct tdev *d = priv;

	d->unmappings++;
	d->last_unmap_iova = iova;
	d->last_unmap_len = len;
	note(d, 1);
}

static const struct vfu_dev_ops tdev_ops = {
	.bar_read = tdev_read,
	.bar_write = tdev_write,
	.reset = tdev_reset,
	.connected = tdev_connected,
	.dma_unmapping = tdev_unmapping,
};

static const struct vfu_pci_info tinfo = {
	.vendor = 0x1234, .device = 0x5678, .subsys_vendor = 0x9abc, .subsys_device = 0xdef0,
	.revision = 7, .class_code = 0x118000,
	.bar_size = { BAR0_SIZE, 0, 0, 0, BAR4_SIZE, 0 },
	.msix_vectors = NVEC,
};

/* ---- the client ---------------------------------------------------------------------- */

struct client {
	struct loop *loop;
	int fd;
	uint16_t next_id;
	unsigned int warnings;
	char last_log[512];
};

static void capture_log(void *arg, enum vfu_log_level level, const char *msg)
{
	struct client *c = arg;

	if (level <= VFU_LOG_WARN)
		c->warnings++;
	snprintf(c->last_log, sizeof(c->last_log), "%s", msg);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send raw bytes (descriptors ride on the first chunk), turning the loop when full. */
static int send_raw(struct client *c, const void *buf, size_t len, const int *fds,
		    unsigned int nfds)
{
	size_t off = 0;
	int spins = 0;

	while (off < len) {
		union {
			char b[CMSG_SPACE(32 * sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { .iov_base = (char *)buf + off, .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (nfds && off == 0) {
			struct cmsghdr *cm;

			mh.msg_control = cbuf.b;
			mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (++spins > 100000)
			return -ETIMEDOUT;
		loop_run_once(c->loop, 10);
	}
	return 0;
}

/* Receive exactly @len bytes, turning the loop while none are there.
 * Returns 0, -EPIPE at end of stream, or -ETIMEDOUT when the server stays silent. */
static int recv_raw(struct client *c, void *buf, size_t len)
{
	size_t off = 0;
	int idle = 0;

	while (off < len) {
		ssize_t n = recv(c->fd, (char *)buf + off, len - off, MSG_DONTWAIT);

		if (n > 0) {
			off += (size_t)n;
			idle = 0;
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return -EPIPE;
		if (errno != EAGAIN)
			return -errno;
		/* the server has nothing left to do and still sent nothing: no reply */
		if (loop_run_once(c->loop, 0) == 0 && ++idle > 3)
			return -ETIMEDOUT;
	}
	return 0;
}

/* Let the server handle everything pending. */
static void settle(struct client *c)
{
	int idle = 0;

	while (idle < 3)
		idle = loop_run_once(c->loop, 0) == 0 ? idle + 1 : 0;
}

static uint16_t send_msg(struct client *c, uint16_t cmd, uint32_t flags, const void *body,
			 size_t len, const int *fds, unsigned int nfds)
{
	uint8_t *buf = malloc(sizeof(struct th) + len);
	struct th h = {
		.id = c->next_id++, .cmd = cmd, .size = (uint32_t)(sizeof(h) + len),
		.flags = flags,
	};
	int r;

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), body, len);
	r = send_raw(c, buf, sizeof(h) + len, fds, nfds);
	free(buf);
	return r ? 0xffff : h.id;
}

/* Read one reply: header into @h, body (up to @cap bytes) into @body; the rest of a longer
 * body is read and dropped. Returns the body length or -errno. */
static int recv_reply(struct client *c, struct th *h, void *body, size_t cap)
{
	size_t blen;
	int r = recv_raw(c, h, sizeof(*h));

	if (r)
		return r;
	if (h->size < sizeof(*h))
		return -EBADMSG;
	blen = h->size - sizeof(*h);
	if (blen <= cap)
		return recv_raw(c, body, blen) ?: (int)blen;
	{
		uint8_t *tmp = malloc(blen);

		r = recv_raw(c, tmp, blen);
		if (!r)
			memcpy(body, tmp, cap);
		free(tmp);
	}
	return r ?: (int)blen;
}

/* Send a command and wait for its reply. Returns 0 and the body length in *blen, or the
 * positive errno of an error reply, or -errno on a transport problem. */
static int xfer_fds(struct client *c, uint16_t cmd, const void *body, size_t len,
		    const int *fds, unsigned int nfds, void *rbody, size_t cap, int *blen)
{
	struct th h;
	uint16_t id = send_msg(c, cmd, 0, body, len, fds, nfds);
	int n = recv_reply(c, &h, rbody, cap);

	if (n < 0)
		return n;
	if (h.id != id || h.cmd != cmd || (h.flags & 0xf) != T_REPLY)
		return -EPROTO;
	if (h.flags & T_ERROR) {
		if (h.size != sizeof(h) || h.error == 0)
			return -EPROTO; /* an error reply is a bare header with an errno */
		return (int)h.error;
	}
	if (blen)
		*blen = n;
	return 0;
}

static int xfer(struct client *c, uint16_t cmd, const void *body, size_t len, void *rbody,
		size_t cap, int *blen)
{
	return xfer_fds(c, cmd, body, len, NULL, 0, rbody, cap, blen);
}

static int handshake(struct client *c)
{
	uint8_t body[4 + sizeof(QEMU_CAPS)] = { 0 };
	uint8_t rb[512];
	int blen;

	memcpy(body + 4, QEMU_CAPS, sizeof(QEMU_CAPS));
	return xfer(c, T_VERSION, body, sizeof(body), rb, sizeof(rb), &blen);
}

struct rw { uint64_t offset; uint32_t region, count; };

static int region_read(struct client *c, uint32_t region, uint64_t off, void *out,
		       uint32_t count)
{
	struct rw q = { off, region, count };
	uint8_t *rb = malloc(sizeof(q) + count);
	int blen = 0, r;

	r = xfer(c, T_REGION_READ, &q, sizeof(q), rb, sizeof(q) + count, &blen);
	if (!r) {
		struct rw a;

		memcpy(&a, rb, sizeof(a));
		if ((size_t)blen != sizeof(q) + count || a.offset != off || a.region != region ||
		    a.count != count)
			r = -EPROTO;
		else
			memcpy(out, rb + sizeof(q), count);
	}
	free(rb);
	return r;
}

static int region_write(struct client *c, uint32_t region, uint64_t off, const void *in,
			uint32_t count)
{
	struct rw q = { off, region, count }, a;
	uint8_t *b = malloc(sizeof(q) + count);
	int blen = 0, r;

	memcpy(b, &q, sizeof(q));
	memcpy(b + sizeof(q), in, count);
	r = xfer(c, T_REGION_WRITE, b, sizeof(q) + count, &a, sizeof(a), &blen);
	free(b);
	if (!r && (blen != sizeof(a) || memcmp(&a, &q, sizeof(a))))
		r = -EPROTO;
	return r;
}

static uint32_t cfg_read32(struct client *c, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	if (region_read(c, VFIO_PCI_CONFIG_REGION_INDEX, off, &v, 4))
		return 0xdeadbeef;
	return v;
}

static int cfg_write32(struct client *c, uint64_t off, uint32_t v)
{
	return region_write(c, VFIO_PCI_CONFIG_REGION_INDEX, off, &v, 4);
}

struct dmamap { uint32_t argsz, flags; uint64_t offset, addr, size; };
struct dmaunmap { uint32_t argsz, flags; uint64_t addr, size; };

static int dma_map(struct client *c, uint64_t addr, uint64_t size, uint32_t flags,
		   uint64_t offset, int fd)
{
	struct dmamap m = { sizeof(m), flags, offset, addr, size };

	return xfer_fds(c, T_DMA_MAP, &m, sizeof(m), &fd, fd >= 0, NULL, 0, NULL);
}

static int dma_unmap(struct client *c, uint64_t addr, uint64_t size, uint32_t flags)
{
	struct dmaunmap u = { sizeof(u), flags, addr, size }, a;
	int blen = 0;
	int r = xfer(c, T_DMA_UNMAP, &u, sizeof(u), &a, sizeof(a), &blen);

	if (!r && (blen != sizeof(a) || memcmp(&a, &u, sizeof(a))))
		r = -EPROTO; /* the reply echoes the entry */
	return r;
}

struct irqset { uint32_t argsz, flags, index, start, count; };

static int set_irqs(struct client *c, uint32_t flags, uint32_t index, uint32_t start,
		    uint32_t count, const int *fds, unsigned int nfds)
{
	struct irqset s = { sizeof(s), flags, index, start, count };

	return xfer_fds(c, T_SET_IRQS, &s, sizeof(s), fds, nfds, NULL, 0, NULL);
}

#define EVT_TRIG (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE_TRIG (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

/* The eventfd's counter (0 if it was not signalled), without blocking. */
static uint64_t evt_count(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int make_memfd(size_t size)
{
	int fd = memfd_create("test-guest-ram", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -1;
	return fd;
}

/* ---- fixture ------------------------------------------------------------------------ */

FIXTURE(srv) {
	char dir[64], path[128];
	struct tdev dev;
	struct client c;
	struct vfu *v;
	int fds_before;
};

FIXTURE_SETUP(srv)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/test_vfu.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/card.sock", self->dir);
	self->fds_before = count_fds();
	self->dev.bar4 = calloc(1, BAR4_SIZE);
	ASSERT_NE(NULL, self->dev.bar4);
	self->c.loop = loop_new();
	ASSERT_NE(NULL, self->c.loop);
	self->v = vfu_new(self->c.loop, self->path, &tinfo, &tdev_ops, &self->dev);
	ASSERT_NE(NULL, self->v);
	self->dev.vfu = self->v;
	vfu_set_log(self->v, capture_log, &self->c, VFU_LOG_DEBUG);
	self->c.fd = client_connect(self->path);
	ASSERT_LE(0, self->c.fd);
}

FIXTURE_TEARDOWN(srv)
{
	if (self->c.fd >= 0)
		close(self->c.fd);
	vfu_free(self->v);
	loop_free(self->c.loop);
	free(self->dev.bar4);
	/* vfu_free() removed the socket, so the directory is empty */
	EXPECT_EQ(0, rmdir(self->dir));
	EXPECT_EQ(self->fds_before, count_fds());
}

/* ---- handshake ---------------------------------------------------------------------- */

TEST_F(srv, version_qemu_caps)
{
	uint8_t body[4 + sizeof(QEMU_CAPS)] = { 0 };
	uint8_t rb[512] = { 0 };
	struct json_object *root, *caps, *o;
	uint16_t major, minor;
	int blen = 0;

	memcpy(body + 4, QEMU_CAPS, sizeof(QEMU_CAPS));
	ASSERT_EQ(0, xfer(&self->c, T_VERSION, body, sizeof(body), rb, sizeof(rb), &blen));
	/* QEMU refuses a reply larger than its request */
	ASSERT_LE(blen, (int)sizeof(body));
	ASSERT_LT(4, blen);
	memcpy(&major, rb, 2);
	memcpy(&minor, rb + 2, 2);
	EXPECT_EQ(0, major);
	EXPECT_EQ(0, minor);
	ASSERT_EQ('\0', rb[blen - 1]);
	ASSERT_EQ(strlen((char *)rb + 4), (size_t)blen - 5);
	root = json_tokener_parse((char *)rb + 4);
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "capabilities", &caps));
	ASSERT_TRUE(json_object_object_get_ex(caps, "max_msg_fds", &o));
	EXPECT_EQ(16, json_object_get_int(o));
	ASSERT_TRUE(json_object_object_get_ex(caps, "max_data_xfer_size", &o));
	EXPECT_EQ(1048576, json_object_get_int(o));
	/* nothing the server cannot do (REGION_WRITE_MULTI) */
	EXPECT_FALSE(json_object_object_get_ex(caps, "write_multiple", &o));
	json_object_put(root);
	EXPECT_EQ(1u, self->dev.ups);
	EXPECT_TRUE(vfu_connected(self->v));
}

TEST_F(srv, version_without_json)
{
	uint8_t body[4] = { 0 }, rb[64];
	int blen = 0;

	ASSERT_EQ(0, xfer(&self->c, T_VERSION, body, sizeof(body), rb, sizeof(rb), &blen));
	EXPECT_EQ(4, blen);
}

TEST_F(srv, version_caps_subset)
{
	/* a client proposing only max_data_xfer_size gets only that back */
	static const char js[] = "{\"capabilities\":{\"max_data_xfer_size\":65536}}";
	uint8_t body[4 + sizeof(js)] = { 0 }, rb[256] = { 0 };
	struct json_object *root, *caps, *o;
	int blen = 0;

	memcpy(body + 4, js, sizeof(js));
	ASSERT_EQ(0, xfer(&self->c, T_VERSION, body, sizeof(body), rb, sizeof(rb), &blen));
	root = json_tokener_parse((char *)rb + 4);
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "capabilities", &caps));
	EXPECT_FALSE(json_object_object_get_ex(caps, "max_msg_fds", &o));
	EXPECT_TRUE(json_object_object_get_ex(caps, "max_data_xfer_size", &o));
	json_object_put(root);
}

TEST_F(srv, version_bad)
{
	static const char *const bad_json[] = {
		"{\"capabilities\":{}} x",         /* trailing garbage */
		"[1,2]",                           /* not an object */
		"{\"capabilities\":[]}",           /* capabilities not an object */
		"{\"capabilities\":{\"max_msg_fds\":\"8\"}}", /* wrong type */
		"{\"capabilities\":{\"max_msg_fds\":-1}}",    /* negative */
		"{\"capabilities\":{\"pgsizes\":8192}}",     /* no 4 KiB pages: ENOTSUP */
		"{\"a\":\"\xff\xfe\"}",            /* not UTF-8 */
	};
	uint8_t body[128], rb[128];
	int blen;

	/* major 1 does not exist */
	memset(body, 0, sizeof(body));
	body[0] = 1;
	EXPECT_EQ(ENOTSUP, xfer(&self->c, T_VERSION, body, 4, rb, sizeof(rb), &blen));
	/* too short */
	EXPECT_EQ(EINVAL, xfer(&self->c, T_VERSION, body + 1, 2, rb, sizeof(rb), &blen));
	/* JSON without the terminating NUL, and with a NUL inside */
	memset(body, 0, sizeof(body));
	memcpy(body + 4, "{}", 2);
	EXPECT_EQ(EINVAL, xfer(&self->c, T_VERSION, body, 6, rb, sizeof(rb), &blen));
	memcpy(body + 4, "{}\0{}", 6);
	EXPECT_EQ(EINVAL, xfer(&self->c, T_VERSION, body, 10, rb, sizeof(rb), &blen));
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		size_t n = strlen(bad_json[i]) + 1;
		int want = strstr(bad_json[i], "pgsizes") ? ENOTSUP : EINVAL;

		memset(body, 0, sizeof(body));
		memcpy(body + 4, bad_json[i], n);
		EXPECT_EQ(want, xfer(&self->c, T_VERSION, body, 4 + n, rb, sizeof(rb), &blen))
			TH_LOG("JSON '%s'", bad_json[i]);
	}
	EXPECT_FALSE(vfu_connected(self->v));
	EXPECT_EQ(0u, self->dev.ups);
	/* still usable: a good handshake works, and only once */
	ASSERT_EQ(0, handshake(&self->c));
	EXPECT_TRUE(vfu_connected(self->v));
	EXPECT_EQ(EINVAL, handshake(&self->c));
	EXPECT_EQ(1u, self->dev.ups);
}

TEST_F(srv, command_before_version)
{
	uint32_t info[4] = { 16, 0, 0, 0 }, r[4];
	int blen;

	EXPECT_EQ(EINVAL, xfer(&self->c, T_GET_INFO, info, sizeof(info), r, sizeof(r), &blen));
	ASSERT_EQ(0, handshake(&self->c));
	EXPECT_EQ(0, xfer(&self->c, T_GET_INFO, info, sizeof(info), r, sizeof(r), &blen));
}

/* ---- device, region and IRQ information --------------------------------------------- */

TEST_F(srv, device_info)
{
	uint32_t q[4] = { 16, 0, 0, 0 }, r[4] = { 0 };
	int blen = 0;

	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
	ASSERT_EQ(16, blen);
	EXPECT_EQ(16u, r[0]);
	EXPECT_EQ((uint32_t)(VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI), r[1]);
	EXPECT_EQ(9u, r[2]);
	EXPECT_EQ(5u, r[3]);
	q[0] = 8; /* argsz below the reply's size */
	EXPECT_EQ(EINVAL, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
	q[0] = 16; /* wrong body length */
	EXPECT_EQ(EINVAL, xfer(&self->c, T_GET_INFO, q, 12, r, sizeof(r), &blen));
}

TEST_F(srv, region_info)
{
	/* BAR2 holds the MSI-X table (8 x 16 bytes at 0) and PBA (at 4096): 8 KiB */
	static const uint64_t want[9] = { BAR0_SIZE, 0, 8192, 0, BAR4_SIZE, 0, 0, 4096, 0 };
	struct vfio_region_info q, r;
	int blen;

	ASSERT_EQ(0, handshake(&self->c));
	for (uint32_t i = 0; i < 9; i++) {
		memset(&q, 0, sizeof(q));
		q.argsz = sizeof(q);
		q.index = i;
		ASSERT_EQ(0, xfer(&self->c, T_REGION_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
		ASSERT_EQ((int)sizeof(r), blen);
		EXPECT_EQ(i, r.index);
		EXPECT_EQ(want[i], r.size) TH_LOG("region %u", i);
		EXPECT_EQ(want[i] ? VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE : 0u,
			  r.flags);
		EXPECT_EQ(sizeof(r), r.argsz);
	}
	EXPECT_EQ(2, vfu_msix_bar(self->v));
	q.index = 9;
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
	q.index = 0;
	q.argsz = 16;
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
}

TEST_F(srv, irq_info)
{
	struct vfio_irq_info q, r;
	int blen;

	ASSERT_EQ(0, handshake(&self->c));
	for (uint32_t i = 0; i < 5; i++) {
		memset(&q, 0, sizeof(q));
		q.argsz = sizeof(q);
		q.index = i;
		ASSERT_EQ(0, xfer(&self->c, T_IRQ_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
		ASSERT_EQ((int)sizeof(r), blen);
		EXPECT_EQ(i, r.index);
		if (i == VFIO_PCI_MSIX_IRQ_INDEX) {
			EXPECT_EQ(NVEC, r.count);
			EXPECT_EQ((uint32_t)(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE),
				  r.flags);
		} else {
			EXPECT_EQ(0u, r.count);
		}
	}
	q.index = 5;
	EXPECT_EQ(EINVAL, xfer(&self->c, T_IRQ_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
}

/* ---- configuration space ------------------------------------------------------------ */

TEST_F(srv, config_space)
{
	uint8_t cfg[4096];
	unsigned int pos, seen = 0, guard = 0;
	uint32_t w;

	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, region_read(&self->c, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg, sizeof(cfg)));
	memcpy(&w, cfg + 0, 4);
	EXPECT_EQ(0x56781234u, w);
	memcpy(&w, cfg + 8, 4);
	EXPECT_EQ(0x11800007u, w);          /* class 0x118000, revision 7 */
	memcpy(&w, cfg + 0x2c, 4);
	EXPECT_EQ(0xdef09abcu, w);
	EXPECT_EQ(PCI_STATUS_CAP_LIST, cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	EXPECT_EQ(0, cfg[PCI_INTERRUPT_PIN]); /* no INTx */
	EXPECT_EQ(0, cfg[PCI_HEADER_TYPE]);
	/* BARs: 64-bit memory, non-prefetchable; unused ones read 0 */
	memcpy(&w, cfg + PCI_BASE_ADDRESS_0, 4);
	EXPECT_EQ((uint32_t)PCI_BASE_ADDRESS_MEM_TYPE_64, w);
	memcpy(&w, cfg + PCI_BASE_ADDRESS_2, 4);
	EXPECT_EQ((uint32_t)PCI_BASE_ADDRESS_MEM_TYPE_64, w);
	memcpy(&w, cfg + PCI_BASE_ADDRESS_4, 4);
	EXPECT_EQ((uint32_t)PCI_BASE_ADDRESS_MEM_TYPE_64, w);
	memcpy(&w, cfg + PCI_ROM_ADDRESS, 4);
	EXPECT_EQ(0u, w);
	/* the capability chain: PM -> MSI-X -> Express -> end */
	for (pos = cfg[PCI_CAPABILITY_LIST]; pos && guard < 48; pos = cfg[pos + 1], guard++) {
		ASSERT_LE(0x40u, pos);
		ASSERT_GT(0x100u, pos);
		switch (cfg[pos]) {
		case PCI_CAP_ID_PM:
			EXPECT_EQ(0u, seen);
			seen = 1;
			EXPECT_EQ(3, cfg[pos + PCI_PM_PMC] & 7);
			break;
		case PCI_CAP_ID_MSIX:
			EXPECT_EQ(1u, seen);
			seen = 2;
			EXPECT_EQ(NVEC - 1, (unsigned int)(cfg[pos + 2] | cfg[pos + 3] << 8) & 0x7ff);
			memcpy(&w, cfg + pos + PCI_MSIX_TABLE, 4);
			EXPECT_EQ(2u, w);           /* BIR 2, offset 0 */
			memcpy(&w, cfg + pos + PCI_MSIX_PBA, 4);
			EXPECT_EQ(0x1000u | 2u, w); /* BIR 2, offset 4096 */
			break;
		case PCI_CAP_ID_EXP:
			EXPECT_EQ(2u, seen);
			seen = 3;
			EXPECT_EQ(2, cfg[pos + PCI_EXP_FLAGS] & 0xf);        /* version 2 */
			EXPECT_EQ(PCI_EXP_TYPE_ENDPOINT, (cfg[pos + PCI_EXP_FLAGS] >> 4) & 0xf);
			break;
		default:
			ASSERT_TRUE(false) TH_LOG("unexpected capability %#x", cfg[pos]);
		}
	}
	EXPECT_EQ(3u, seen);
	memcpy(&w, cfg + 0x100, 4);
	EXPECT_EQ(0u, w); /* no extended capabilities */
}

TEST_F(srv, config_writes)
{
	uint16_t cmd = 0xffff;
	uint32_t w;

	ASSERT_EQ(0, handshake(&self->c));
	/* BAR sizing: all-ones reads back the size mask above the type bits */
	ASSERT_EQ(0, cfg_write32(&self->c, PCI_BASE_ADDRESS_0, 0xffffffff));
	ASSERT_EQ(0, cfg_write32(&self->c, PCI_BASE_ADDRESS_1, 0xffffffff));
	EXPECT_EQ(~(BAR0_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64,
		  cfg_read32(&self->c, PCI_BASE_ADDRESS_0));
	EXPECT_EQ(0xffffffffu, cfg_read32(&self->c, PCI_BASE_ADDRESS_1));
	ASSERT_EQ(0, cfg_write32(&self->c, PCI_BASE_ADDRESS_4, 0xffffffff));
	EXPECT_EQ(~(BAR4_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64,
		  cfg_read32(&self->c, PCI_BASE_ADDRESS_4));
	/* an address sticks */
	ASSERT_EQ(0, cfg_write32(&self->c, PCI_BASE_ADDRESS_0, 0xfebf0000));
	EXPECT_EQ(0xfebf0000u | PCI_BASE_ADDRESS_MEM_TYPE_64,
		  cfg_read32(&self->c, PCI_BASE_ADDRESS_0));
	/* read-only: IDs, unused ROM BAR */
	ASSERT_EQ(0, cfg_write32(&self->c, 0, 0));
	EXPECT_EQ(0x56781234u, cfg_read32(&self->c, 0));
	ASSERT_EQ(0, cfg_write32(&self->c, PCI_ROM_ADDRESS, 0xffffffff));
	EXPECT_EQ(0u, cfg_read32(&self->c, PCI_ROM_ADDRESS));
	/* Command: only memory, bus master, parity, SERR and INTx-disable are writable */
	ASSERT_EQ(0, region_write(&self->c, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2));
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE, vfu_pci_command(self->v));
	/* Status bits are write-1-to-clear: writing ones sets nothing */
	w = cfg_read32(&self->c, PCI_COMMAND);
	EXPECT_EQ((uint32_t)PCI_STATUS_CAP_LIST << 16, w & 0xffff0000u);
	cmd = PCI_COMMAND_MASTER;
	ASSERT_EQ(0, region_write(&self->c, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2));
	EXPECT_EQ(PCI_COMMAND_MASTER, vfu_pci_command(self->v));
	/* out of the 4 KiB */
	EXPECT_EQ(EINVAL, cfg_write32(&self->c, 4094, 0));
	/* a device reset restores the power-on values */
	ASSERT_EQ(0, xfer(&self->c, T_DEVICE_RESET, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(0, vfu_pci_command(self->v));
	EXPECT_EQ((uint32_t)PCI_BASE_ADDRESS_MEM_TYPE_64, cfg_read32(&self->c, PCI_BASE_ADDRESS_0));
}

/* ---- BAR access -------------------------------------------------------------------- */

TEST_F(srv, bar_roundtrip)
{
	uint8_t buf[4096], back[4096];
	uint64_t q = 0x0123456789abcdefull, q2 = 0;
	uint32_t d = 0;
	uint16_t h = 0;
	uint8_t b = 0;

	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, region_write(&self->c, 0, 0x10, &q, 8));
	EXPECT_EQ(0, memcmp(self->dev.bar0 + 0x10, &q, 8)); /* it reached the device */
	ASSERT_EQ(0, region_read(&self->c, 0, 0x10, &q2, 8));
	EXPECT_EQ(q, q2);
	ASSERT_EQ(0, region_read(&self->c, 0, 0x14, &d, 4));
	EXPECT_EQ(0x01234567u, d);
	ASSERT_EQ(0, region_read(&self->c, 0, 0x12, &h, 2));
	EXPECT_EQ(0x89abu, h);
	ASSERT_EQ(0, region_read(&self->c, 0, 0x17, &b, 1));
	EXPECT_EQ(0x01u, b);
	/* bulk, and at the very end of a BAR */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	ASSERT_EQ(0, region_write(&self->c, 4, BAR4_SIZE - sizeof(buf), buf, sizeof(buf)));
	ASSERT_EQ(0, region_read(&self->c, 4, BAR4_SIZE - sizeof(buf), back, sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	EXPECT_EQ(0, memcmp(self->dev.bar4 + BAR4_SIZE - sizeof(buf), buf, sizeof(buf)));
	/* a device error becomes the errno of the reply */
	self->dev.fail_errno = EACCES;
	EXPECT_EQ(EACCES, region_read(&self->c, 0, 0, &d, 4));
	EXPECT_EQ(EACCES, region_write(&self->c, 0, 0, &d, 4));
}

TEST_F(srv, bar_read_max_xfer)
{
	uint8_t *buf = malloc(MAX_XFER + 1);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, handshake(&self->c));
	for (size_t i = 0; i < MAX_XFER; i++)
		self->dev.bar4[i] = (uint8_t)(i ^ (i >> 8));
	ASSERT_EQ(0, region_read(&self->c, 4, 0, buf, MAX_XFER));
	EXPECT_EQ(0, memcmp(buf, self->dev.bar4, MAX_XFER));
	EXPECT_EQ(E2BIG, region_read(&self->c, 4, 0, buf, MAX_XFER + 1));
	free(buf);
}

TEST_F(srv, posted_write_no_reply)
{
	struct __attribute__((packed)) { struct rw q; uint32_t val; } w = { { 0x40, 0, 4 }, 0xa5a5f00d };
	struct rw rq = { 0x40, 0, 4 }, cq = { 0, VFIO_PCI_CONFIG_REGION_INDEX, 4 };
	uint32_t q[4] = { 16, 0, 0, 0 };
	uint8_t rb[64];
	struct th h;
	uint16_t wid, rid;
	uint32_t got;
	unsigned int errs;
	struct vfu_stats st;

	ASSERT_EQ(0, handshake(&self->c));
	wid = send_msg(&self->c, T_REGION_WRITE, T_NO_REPLY, &w, sizeof(w), NULL, 0);
	rid = send_msg(&self->c, T_REGION_READ, 0, &rq, sizeof(rq), NULL, 0);
	ASSERT_NE(wid, rid);
	/* the first reply is the read's, and it sees the posted write */
	ASSERT_EQ(20, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ(rid, h.id);
	memcpy(&got, rb + 16, 4);
	EXPECT_EQ(0xa5a5f00du, got);
	/* a failing posted write gets no reply either (only a count and a log line) */
	vfu_get_stats(self->v, &st);
	errs = (unsigned int)st.errors;
	w.q.offset = BAR0_SIZE; /* out of range */
	send_msg(&self->c, T_REGION_WRITE, T_NO_REPLY, &w, sizeof(w), NULL, 0);
	rid = send_msg(&self->c, T_REGION_READ, 0, &rq, sizeof(rq), NULL, 0);
	ASSERT_EQ(20, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ(rid, h.id);
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(errs + 1, (unsigned int)st.errors);
	/* any command can be posted: no reply for a DEVICE_GET_INFO or a config read */
	send_msg(&self->c, T_GET_INFO, T_NO_REPLY, q, sizeof(q), NULL, 0);
	send_msg(&self->c, T_REGION_READ, T_NO_REPLY, &cq, sizeof(cq), NULL, 0);
	rid = send_msg(&self->c, T_REGION_READ, 0, &rq, sizeof(rq), NULL, 0);
	ASSERT_EQ(20, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ(rid, h.id);
	/* and nothing else is waiting */
	EXPECT_EQ(-ETIMEDOUT, recv_raw(&self->c, &h, 1));
}

TEST_F(srv, region_errors)
{
	uint8_t b[64] = { 0 };
	struct rw q;
	struct { struct rw q; uint8_t d[8]; } w;
	int blen;

	ASSERT_EQ(0, handshake(&self->c));
	EXPECT_EQ(EINVAL, region_read(&self->c, 9, 0, b, 4));           /* no such region */
	EXPECT_EQ(EINVAL, region_read(&self->c, 1, 0, b, 4));           /* unused BAR */
	EXPECT_EQ(EINVAL, region_read(&self->c, VFIO_PCI_ROM_REGION_INDEX, 0, b, 4));
	EXPECT_EQ(EINVAL, region_read(&self->c, VFIO_PCI_VGA_REGION_INDEX, 0, b, 4));
	EXPECT_EQ(EINVAL, region_read(&self->c, 0, BAR0_SIZE - 2, b, 4)); /* beyond */
	EXPECT_EQ(EINVAL, region_read(&self->c, 0, BAR0_SIZE, b, 1));
	EXPECT_EQ(EINVAL, region_read(&self->c, 0, UINT64_MAX, b, 2));  /* wraps */
	EXPECT_EQ(EINVAL, region_read(&self->c, 0, 0, b, 0));           /* nothing */
	EXPECT_EQ(EINVAL, region_read(&self->c, VFIO_PCI_CONFIG_REGION_INDEX, 4095, b, 2));
	EXPECT_EQ(EINVAL, region_write(&self->c, 0, BAR0_SIZE - 4, b, 8));
	/* count disagreeing with the message size */
	w.q = (struct rw){ 0, 0, 4 };
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_WRITE, &w, sizeof(w), b, sizeof(b), &blen));
	w.q.count = 16;
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_WRITE, &w, sizeof(w), b, sizeof(b), &blen));
	/* a read with a body */
	q = (struct rw){ 0, 0, 4 };
	memcpy(b, &q, sizeof(q));
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_READ, b, sizeof(q) + 4, b, sizeof(b), &blen));
	EXPECT_EQ(EINVAL, xfer(&self->c, T_REGION_READ, b, sizeof(q) - 1, b, sizeof(b), &blen));
	EXPECT_EQ(0u, self->dev.reads);
	EXPECT_EQ(0u, self->dev.writes);
	/* still serving */
	EXPECT_EQ(0, region_read(&self->c, 0, 0, b, 4));
}

TEST_F(srv, msix_bar_is_served_by_vfu)
{
	uint64_t pba = ~0ull, ent[2] = { 0xfee00000, 0x4041 }, back[2] = { 0 };

	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, region_read(&self->c, 2, 0x1000, &pba, 8));
	EXPECT_EQ(0u, pba);
	ASSERT_EQ(0, region_write(&self->c, 2, 16, ent, sizeof(ent)));
	ASSERT_EQ(0, region_read(&self->c, 2, 16, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(ent, back, sizeof(ent)));
	EXPECT_EQ(0u, self->dev.reads + self->dev.writes); /* never reached the device */
}

/* ---- DMA --------------------------------------------------------------------------- */

TEST_F(srv, dma_map_translate)
{
	const size_t size = 64 * 1024;
	int fd = make_memfd(size);
	uint8_t *mem, *p;

	ASSERT_LE(0, fd);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	for (size_t i = 0; i < size; i++)
		mem[i] = (uint8_t)(i * 13 + 5);
	ASSERT_EQ(0, handshake(&self->c));
	/* the second half of the file at 1 MiB, read-write */
	ASSERT_EQ(0, dma_map(&self->c, 0x100000, size / 2, VFIO_DMA_MAP_FLAG_READ |
			     VFIO_DMA_MAP_FLAG_WRITE, size / 2, fd));
	/* the first page of the file at 2 MiB, read-only */
	ASSERT_EQ(0, dma_map(&self->c, 0x200000, 4096, VFIO_DMA_MAP_FLAG_READ, 0, fd));
	close(fd); /* the server holds its own reference */

	p = vfu_dma_ptr(self->v, 0x100010, 16, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(mem[size / 2 + 0x10], p[0]);
	EXPECT_EQ(mem[size / 2 + 0x1f], p[15]);
	p[0] ^= 0xff; /* shared: the client sees the device's write */
	EXPECT_EQ((uint8_t)~(uint8_t)((size / 2 + 0x10) * 13 + 5), mem[size / 2 + 0x10]);
	/* whole region; one byte too many; before; straddling; zero length */
	EXPECT_NE(NULL, vfu_dma_ptr(self->v, 0x100000, size / 2, PROT_READ));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x100000, size / 2 + 1, PROT_READ));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0xfffff, 2, PROT_READ));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x100000 + size / 2 - 8, 16, PROT_READ));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x100000, 0, PROT_READ));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, UINT64_MAX - 3, 8, PROT_READ));
	/* protection */
	p = vfu_dma_ptr(self->v, 0x200000 + 100, 4, PROT_READ);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(mem[100], p[0]);
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x200000, 4, PROT_WRITE));
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x200000, 4, PROT_READ | PROT_WRITE));
	munmap(mem, size);
}

TEST_F(srv, dma_map_without_fd)
{
	struct vfu_stats st;

	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, dma_map(&self->c, 0xfffc0000, 0x40000, VFIO_DMA_MAP_FLAG_READ, 0, -1));
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(1u, st.dma_maps);
	/* known, but not dereferenceable */
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0xfffc0000, 4, PROT_READ));
	/* and it still blocks overlapping maps */
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0xfffc1000, 0x1000, VFIO_DMA_MAP_FLAG_READ, 0, -1));
	ASSERT_EQ(0, dma_unmap(&self->c, 0xfffc0000, 0x40000, 0));
	EXPECT_EQ(1u, self->dev.unmappings);
}

TEST_F(srv, dma_map_errors)
{
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	int fd = make_memfd(0x10000), pfd[2], fds[2];
	struct dmamap m = { sizeof(m), rw, 0, 0x100000, 0x1000 };
	struct vfu_stats st;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, dma_map(&self->c, 0x10000, 0x10000, rw, 0, fd));
	/* overlapping: same, inside, over the start, over the end, around */
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0x10000, 0x10000, rw, 0, fd));
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0x14000, 0x1000, rw, 0, fd));
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0xf000, 0x2000, rw, 0, fd));
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0x1f000, 0x2000, rw, 0, -1));
	EXPECT_EQ(EEXIST, dma_map(&self->c, 0, 0x100000, rw, 0, -1));
	/* adjacent is fine */
	EXPECT_EQ(0, dma_map(&self->c, 0x20000, 0x1000, rw, 0, -1));
	EXPECT_EQ(0, dma_map(&self->c, 0xf000, 0x1000, rw, 0, -1));
	/* bad ranges and flags */
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100800, 0x1000, rw, 0, fd)); /* unaligned */
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x800, rw, 0, fd));
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x1000, rw, 0x800, fd));
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0, rw, 0, fd));
	EXPECT_EQ(EINVAL, dma_map(&self->c, UINT64_MAX - 0xfff, 0x2000, rw, 0, -1)); /* wraps */
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x1000, 0, 0, fd));
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x1000, rw | 4, 0, fd));
	/* the file is too small for offset + size, or not a file */
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x2000, rw, 0xf000, fd));
	EXPECT_EQ(EINVAL, dma_map(&self->c, 0x100000, 0x1000, rw, 0, pfd[0]));
	/* two descriptors */
	fds[0] = fd;
	fds[1] = fd;
	EXPECT_EQ(EINVAL, xfer_fds(&self->c, T_DMA_MAP, &m, sizeof(m), fds, 2, NULL, 0, NULL));
	/* argsz, body length */
	m.argsz = 24;
	EXPECT_EQ(EINVAL, xfer(&self->c, T_DMA_MAP, &m, sizeof(m), NULL, 0, NULL));
	m.argsz = sizeof(m);
	EXPECT_EQ(EINVAL, xfer(&self->c, T_DMA_MAP, &m, sizeof(m) - 8, NULL, 0, NULL));
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(3u, st.dma_maps);
	/* and the server keeps working */
	EXPECT_EQ(0, dma_map(&self->c, 0x100000, 0x1000, rw, 0, fd));
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(srv, dma_unmap)
{
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	int fd = make_memfd(0x40000);
	struct vfu_stats st;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, handshake(&self->c));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, dma_map(&self->c, 0x100000 * (uint64_t)(i + 1), 0x10000, rw,
				     0x10000 * (uint64_t)i, fd));
	ASSERT_NE(NULL, vfu_dma_ptr(self->v, 0x200000, 8, PROT_READ));
	/* not an exact match */
	EXPECT_EQ(ENOENT, dma_unmap(&self->c, 0x200000, 0x8000, 0));
	EXPECT_EQ(ENOENT, dma_unmap(&self->c, 0x201000, 0x10000, 0));
	EXPECT_EQ(ENOENT, dma_unmap(&self->c, 0x900000, 0x10000, 0));
	EXPECT_EQ(0u, self->dev.unmappings);
	ASSERT_EQ(0, dma_unmap(&self->c, 0x200000, 0x10000, 0));
	EXPECT_EQ(1u, self->dev.unmappings);
	EXPECT_EQ(0x200000u, self->dev.last_unmap_iova);
	EXPECT_EQ(0x10000u, self->dev.last_unmap_len);
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x200000, 8, PROT_READ));
	EXPECT_NE(NULL, vfu_dma_ptr(self->v, 0x300000, 8, PROT_READ));
	/* flags: only ALL, and ALL wants address and size 0 */
	EXPECT_EQ(EINVAL, dma_unmap(&self->c, 0x300000, 0x10000,
				    VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP));
	EXPECT_EQ(EINVAL, dma_unmap(&self->c, 0x300000, 0x10000, VFIO_DMA_UNMAP_FLAG_ALL));
	ASSERT_EQ(0, dma_unmap(&self->c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL));
	EXPECT_EQ(4u, self->dev.unmappings);
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(0u, st.dma_maps);
	EXPECT_EQ(NULL, vfu_dma_ptr(self->v, 0x300000, 8, PROT_READ));
	/* the same ranges can be mapped again */
	EXPECT_EQ(0, dma_map(&self->c, 0x200000, 0x10000, rw, 0, fd));
	close(fd);
}

/* ---- interrupts -------------------------------------------------------------------- */

TEST_F(srv, set_irqs_eventfd)
{
	const uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;
	int efd[NVEC];
	struct { struct irqset s; uint8_t b[3]; } bs;

	for (unsigned int i = 0; i < NVEC; i++)
		ASSERT_LE(0, efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	ASSERT_EQ(0, handshake(&self->c));
	EXPECT_EQ(-ENOENT, vfu_irq_trigger(self->v, 0));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 0, 4, efd, 4));
	for (unsigned int i = 0; i < NVEC; i++)
		EXPECT_EQ(i < 4, vfu_irq_enabled(self->v, i));
	EXPECT_FALSE(vfu_irq_enabled(self->v, NVEC));
	ASSERT_EQ(0, vfu_irq_trigger(self->v, 2));
	EXPECT_EQ(1u, evt_count(efd[2]));
	EXPECT_EQ(0u, evt_count(efd[1]));
	EXPECT_EQ(0u, evt_count(efd[3]));
	EXPECT_EQ(-ENOENT, vfu_irq_trigger(self->v, 5));
	EXPECT_EQ(-EINVAL, vfu_irq_trigger(self->v, NVEC));
	/* de-assign vector 1: DATA_EVENTFD without descriptors */
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 1, 1, NULL, 0));
	EXPECT_FALSE(vfu_irq_enabled(self->v, 1));
	EXPECT_EQ(-ENOENT, vfu_irq_trigger(self->v, 1));
	/* NORESIZE: no vector beyond the enabled four until the index is disabled */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 5, 1, &efd[5], 1));
	/* replace vector 1 */
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 1, 1, &efd[5], 1));
	ASSERT_EQ(0, vfu_irq_trigger(self->v, 1));
	EXPECT_EQ(1u, evt_count(efd[5]));
	/* the client triggers: DATA_NONE on 0..1, DATA_BOOL on 2 (yes) and 3 (no) */
	ASSERT_EQ(0, set_irqs(&self->c, NONE_TRIG, msix, 0, 2, NULL, 0));
	EXPECT_EQ(1u, evt_count(efd[0]));
	EXPECT_EQ(1u, evt_count(efd[5]));
	bs.s = (struct irqset){ sizeof(bs.s) + 2, VFIO_IRQ_SET_DATA_BOOL |
				VFIO_IRQ_SET_ACTION_TRIGGER, msix, 2, 2 };
	bs.b[0] = 1;
	bs.b[1] = 0;
	ASSERT_EQ(0, xfer(&self->c, T_SET_IRQS, &bs, sizeof(bs.s) + 2, NULL, 0, NULL));
	EXPECT_EQ(1u, evt_count(efd[2]));
	EXPECT_EQ(0u, evt_count(efd[3]));
	/* disable everything; then all eight can be enabled */
	ASSERT_EQ(0, set_irqs(&self->c, NONE_TRIG, msix, 0, 0, NULL, 0));
	for (unsigned int i = 0; i < NVEC; i++)
		EXPECT_FALSE(vfu_irq_enabled(self->v, i));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 0, NVEC, efd, NVEC));
	ASSERT_EQ(0, vfu_irq_trigger(self->v, NVEC - 1));
	EXPECT_EQ(1u, evt_count(efd[NVEC - 1]));
	/* QEMU's "enable MSI-X with no vectors": vector 0, no descriptor */
	ASSERT_EQ(0, set_irqs(&self->c, NONE_TRIG, msix, 0, 0, NULL, 0));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 0, 1, NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 1, 1, &efd[1], 1));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 0, 1, &efd[0], 1));
	EXPECT_TRUE(vfu_irq_enabled(self->v, 0));
	for (unsigned int i = 0; i < NVEC; i++)
		close(efd[i]);
	/* the server's copy outlives ours */
	EXPECT_EQ(0, vfu_irq_trigger(self->v, 0));
}

TEST_F(srv, set_irqs_errors)
{
	const uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;
	int efd[4], pfd[2], before;
	struct irqset s;
	struct { struct irqset s; uint8_t b[4]; } bs;

	for (unsigned int i = 0; i < 4; i++)
		ASSERT_LE(0, efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, handshake(&self->c));
	settle(&self->c);
	before = count_fds();
	/* descriptor count must match count */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 0, 4, efd, 3));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 0, 2, efd, 3));
	/* descriptors only with DATA_EVENTFD */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, NONE_TRIG, msix, 0, 1, efd, 1));
	/* only eventfds */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 0, 1, pfd, 1));
	/* the server closed every descriptor it refused */
	EXPECT_EQ(before, count_fds());
	/* ranges */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, NVEC - 1, 2, efd, 2));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, NVEC, 1, efd, 1));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, NONE_TRIG, msix, UINT32_MAX, 2, NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, NONE_TRIG, 5, 0, 0, NULL, 0));
	/* INTx, MSI, ERR and REQ have no vectors: only "disable" is accepted */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, efd, 1));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, efd, 1));
	EXPECT_EQ(0, set_irqs(&self->c, NONE_TRIG, VFIO_PCI_INTX_IRQ_INDEX, 0, 0, NULL, 0));
	EXPECT_EQ(0, set_irqs(&self->c, NONE_TRIG, VFIO_PCI_ERR_IRQ_INDEX, 0, 0, NULL, 0));
	/* flags: two data types, no action, mask/unmask (not maskable), unknown bits */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG | VFIO_IRQ_SET_DATA_NONE, msix, 0, 1,
				   NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, VFIO_IRQ_SET_DATA_NONE, msix, 0, 1, NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
				   msix, 0, 1, NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, VFIO_IRQ_SET_DATA_EVENTFD |
				   VFIO_IRQ_SET_ACTION_UNMASK, msix, 0, 1, efd, 1));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, NONE_TRIG | 0x100, msix, 0, 1, NULL, 0));
	/* count 0 only as DATA_NONE|TRIGGER with start 0 */
	EXPECT_EQ(EINVAL, set_irqs(&self->c, EVT_TRIG, msix, 0, 0, NULL, 0));
	EXPECT_EQ(EINVAL, set_irqs(&self->c, NONE_TRIG, msix, 1, 0, NULL, 0));
	/* argsz, and DATA_BOOL with the wrong number of bytes */
	s = (struct irqset){ 16, NONE_TRIG, msix, 0, 0 };
	EXPECT_EQ(EINVAL, xfer(&self->c, T_SET_IRQS, &s, sizeof(s), NULL, 0, NULL));
	bs.s = (struct irqset){ sizeof(bs), VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
				msix, 0, 2 };
	EXPECT_EQ(EINVAL, xfer(&self->c, T_SET_IRQS, &bs, sizeof(bs.s) + 4, NULL, 0, NULL));
	EXPECT_EQ(EINVAL, xfer(&self->c, T_SET_IRQS, &bs, sizeof(bs.s) + 1, NULL, 0, NULL));
	EXPECT_EQ(EINVAL, xfer(&self->c, T_SET_IRQS, &bs, sizeof(bs.s) - 1, NULL, 0, NULL));
	for (unsigned int i = 0; i < NVEC; i++)
		EXPECT_FALSE(vfu_irq_enabled(self->v, i));
	/* still serving */
	EXPECT_EQ(0, set_irqs(&self->c, EVT_TRIG, msix, 0, 4, efd, 4));
	for (unsigned int i = 0; i < 4; i++)
		close(efd[i]);
	close(pfd[0]);
	close(pfd[1]);
}

/* ---- the byte stream --------------------------------------------------------------- */

TEST_F(srv, partial_messages)
{
	struct __attribute__((packed)) { struct th h; struct rw q; uint32_t v; } w = {
		{ 77, T_REGION_WRITE, sizeof(w), 0, 0 }, { 0x80, 0, 4 }, 0x600dcafe };
	struct th h;
	uint8_t rb[64];

	ASSERT_EQ(0, handshake(&self->c));
	/* a message trickling in byte by byte is buffered until complete */
	for (size_t i = 0; i < sizeof(w); i++) {
		ASSERT_EQ(0, send_raw(&self->c, (uint8_t *)&w + i, 1, NULL, 0));
		settle(&self->c);
		if (i + 1 < sizeof(w))
			ASSERT_EQ(0u, self->dev.writes) TH_LOG("after %zu bytes", i + 1);
	}
	ASSERT_EQ(16, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ(77, h.id);
	EXPECT_EQ(1u, self->dev.writes);
	EXPECT_EQ(0x600dcafeu, *(uint32_t *)(void *)(self->dev.bar0 + 0x80));
}

TEST_F(srv, pipelined)
{
	enum { N = 200 };
	struct { struct th h; struct rw q; } rd[N];
	struct th h;
	uint8_t rb[64];
	uint32_t v;

	ASSERT_EQ(0, handshake(&self->c));
	for (uint32_t i = 0; i < 512; i++)
		memcpy(self->dev.bar0 + 4 * i, &i, 4);
	for (int i = 0; i < N; i++) {
		rd[i].h = (struct th){ (uint16_t)(1000 + i), T_REGION_READ, sizeof(rd[i]), 0, 0 };
		rd[i].q = (struct rw){ 4u * (uint32_t)i, 0, 4 };
	}
	ASSERT_EQ(0, send_raw(&self->c, rd, sizeof(rd), NULL, 0)); /* one write */
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(20, recv_reply(&self->c, &h, rb, sizeof(rb)));
		ASSERT_EQ(1000 + i, h.id); /* in order */
		memcpy(&v, rb + 16, 4);
		ASSERT_EQ((uint32_t)i, v);
	}
}

TEST_F(srv, malformed_messages)
{
	uint8_t junk[64] = { 0 }, rb[64];
	int efd = eventfd(0, EFD_CLOEXEC), fds[20];
	uint32_t q[4] = { 16, 0, 0, 0 };
	struct th h;
	int blen, before;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, handshake(&self->c));
	settle(&self->c);
	before = count_fds();
	/* unknown commands; defined ones this server does not offer; DMA_READ is the server's */
	EXPECT_EQ(EINVAL, xfer(&self->c, 99, junk, 8, rb, sizeof(rb), &blen));
	EXPECT_EQ(EINVAL, xfer(&self->c, 0, NULL, 0, rb, sizeof(rb), &blen));
	EXPECT_EQ(ENOTSUP, xfer(&self->c, T_REGION_IO_FDS, junk, 16, rb, sizeof(rb), &blen));
	EXPECT_EQ(ENOTSUP, xfer(&self->c, 15, junk, 8, rb, sizeof(rb), &blen));
	EXPECT_EQ(EINVAL, xfer(&self->c, 11, junk, 16, rb, sizeof(rb), &blen));
	/* a descriptor where none belongs is refused and closed */
	EXPECT_EQ(EINVAL, xfer_fds(&self->c, T_GET_INFO, q, sizeof(q), &efd, 1, rb, sizeof(rb),
				   &blen));
	/* more descriptors than max_msg_fds */
	for (int i = 0; i < 20; i++)
		fds[i] = efd;
	EXPECT_EQ(EINVAL, xfer_fds(&self->c, T_GET_INFO, q, sizeof(q), fds, 20, rb, sizeof(rb),
				   &blen));
	settle(&self->c);
	EXPECT_EQ(before, count_fds());
	/* the ERROR flag, or an unknown flag, on a command */
	send_msg(&self->c, T_GET_INFO, T_ERROR, q, sizeof(q), NULL, 0);
	ASSERT_EQ(0, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ(T_REPLY | T_ERROR, h.flags);
	EXPECT_EQ((uint32_t)EINVAL, h.error);
	send_msg(&self->c, T_GET_INFO, 0x40, q, sizeof(q), NULL, 0);
	ASSERT_EQ(0, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ((uint32_t)EINVAL, h.error);
	/* an unknown message type */
	send_msg(&self->c, T_GET_INFO, 0x7, q, sizeof(q), NULL, 0);
	ASSERT_EQ(0, recv_reply(&self->c, &h, rb, sizeof(rb)));
	EXPECT_EQ((uint32_t)EINVAL, h.error);
	/* a reply from the client: nothing was asked, it is ignored */
	send_msg(&self->c, T_GET_INFO, T_REPLY, q, sizeof(q), NULL, 0);
	/* a device reset with a body */
	EXPECT_EQ(EINVAL, xfer(&self->c, T_DEVICE_RESET, junk, 4, rb, sizeof(rb), &blen));
	/* after all that the stream is still in step */
	ASSERT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), rb, sizeof(rb), &blen));
	EXPECT_EQ(16, blen);
	EXPECT_EQ(-ETIMEDOUT, recv_raw(&self->c, &h, 1));
	EXPECT_LE(10u, self->c.warnings);
	close(efd);
}

TEST_F(srv, oversized_message_is_skipped)
{
	/* larger than the largest message (a 1 MiB write) but not absurd: read, answered */
	size_t len = 3u << 20;
	uint8_t *junk = calloc(1, len);
	uint32_t q[4] = { 16, 0, 0, 0 }, r[4];
	struct th h;
	uint16_t id;
	int blen;

	ASSERT_NE(NULL, junk);
	ASSERT_EQ(0, handshake(&self->c));
	memset(junk, 0x5a, len);
	id = send_msg(&self->c, T_REGION_WRITE, 0, junk, len, NULL, 0);
	ASSERT_EQ(0, recv_reply(&self->c, &h, r, sizeof(r)));
	EXPECT_EQ(id, h.id);
	EXPECT_EQ((uint32_t)EMSGSIZE, h.error);
	EXPECT_EQ(0u, self->dev.writes);
	ASSERT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
	free(junk);
}

TEST_F(srv, broken_stream_drops_client)
{
	const size_t sizes[] = { 8, 0, (64u << 20) + 17, UINT32_MAX };
	uint32_t q[4] = { 16, 0, 0, 0 }, r[4];
	struct vfu_stats st;
	int blen;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct th h = { 1, T_GET_INFO, (uint32_t)sizes[i], 0, 0 };
		char c;

		ASSERT_EQ(0, handshake(&self->c));
		ASSERT_EQ(0, send_raw(&self->c, &h, sizeof(h), NULL, 0));
		/* dropped: end of stream, not a reply */
		EXPECT_EQ(-EPIPE, recv_raw(&self->c, &c, 1)) TH_LOG("msg_size %zu", sizes[i]);
		EXPECT_FALSE(vfu_connected(self->v));
		close(self->c.fd);
		/* the next client is served */
		self->c.fd = client_connect(self->path);
		ASSERT_LE(0, self->c.fd);
	}
	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(4u, st.dropped);
	EXPECT_EQ(5u, self->dev.ups);
	EXPECT_EQ(4u, self->dev.downs);
}

TEST_F(srv, backpressure)
{
	/* eight 1 MiB reads sent before any reply is read: the server must not block, and
	 * every reply must arrive intact and in order */
	enum { N = 8 };
	struct { struct th h; struct rw q; } rd[N];
	uint8_t *buf = malloc(MAX_XFER);
	struct th h;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, handshake(&self->c));
	for (size_t i = 0; i < BAR4_SIZE; i++)
		self->dev.bar4[i] = (uint8_t)(i * 7 + (i >> 12));
	for (int i = 0; i < N; i++) {
		rd[i].h = (struct th){ (uint16_t)(500 + i), T_REGION_READ, sizeof(rd[i]), 0, 0 };
		rd[i].q = (struct rw){ (uint64_t)(i % 2) * MAX_XFER, 4, MAX_XFER };
	}
	ASSERT_EQ(0, send_raw(&self->c, rd, sizeof(rd), NULL, 0));
	settle(&self->c); /* the server goes as far as it can without our reading */
	for (int i = 0; i < N; i++) {
		struct rw a;

		ASSERT_EQ(0, recv_raw(&self->c, &h, sizeof(h)));
		ASSERT_EQ(500 + i, h.id);
		ASSERT_EQ(sizeof(h) + sizeof(a) + MAX_XFER, h.size);
		ASSERT_EQ(0, recv_raw(&self->c, &a, sizeof(a)));
		ASSERT_EQ(0, recv_raw(&self->c, buf, MAX_XFER));
		ASSERT_EQ(0, memcmp(buf, self->dev.bar4 + (i % 2) * MAX_XFER, MAX_XFER));
	}
	free(buf);
}

/* ---- connections ------------------------------------------------------------------- */

TEST_F(srv, disconnect_cleans_up)
{
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	int mfd = make_memfd(0x20000), efd[2], before;
	uint32_t q[4] = { 16, 0, 0, 0 }, r[4];
	struct vfu_stats st;
	int blen;

	ASSERT_LE(0, mfd);
	for (int i = 0; i < 2; i++)
		ASSERT_LE(0, efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	ASSERT_EQ(0, handshake(&self->c));
	settle(&self->c);
	before = count_fds();
	ASSERT_EQ(0, dma_map(&self->c, 0x100000, 0x10000, rw, 0, mfd));
	ASSERT_EQ(0, dma_map(&self->c, 0x200000, 0x10000, rw, 0x10000, mfd));
	ASSERT_EQ(0, dma_map(&self->c, 0xfffc0000, 0x40000, VFIO_DMA_MAP_FLAG_READ, 0, -1));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, efd, 2));
	EXPECT_EQ(before + 2, count_fds()); /* the server holds the two eventfds */
	close(self->c.fd);
	self->c.fd = -1;
	settle(&self->c);
	/* DMA unmapped (each announced), then reset, then "gone" */
	EXPECT_EQ(3u, self->dev.unmappings);
	EXPECT_EQ(1u, self->dev.resets);
	EXPECT_EQ(1u, self->dev.downs);
	ASSERT_EQ(5u, self->dev.norder);
	EXPECT_EQ(1u, self->dev.order[2]);
	EXPECT_EQ(2u, self->dev.order[3]);
	EXPECT_EQ(3u, self->dev.order[4]);
	EXPECT_FALSE(self->dev.saw_maps_at_down);
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(0u, st.dma_maps);
	EXPECT_FALSE(vfu_irq_enabled(self->v, 0));
	EXPECT_FALSE(vfu_connected(self->v));
	/* both ends of the connection and the server's eventfd copies are closed */
	EXPECT_EQ(before - 2, count_fds());
	EXPECT_EQ(-ENOENT, vfu_irq_trigger(self->v, 0));
	/* QEMU restarts: a new client is accepted and served */
	self->c.fd = client_connect(self->path);
	ASSERT_LE(0, self->c.fd);
	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
	ASSERT_EQ(0, dma_map(&self->c, 0x100000, 0x10000, rw, 0, mfd));
	EXPECT_EQ(2u, self->dev.ups);
	close(mfd);
	close(efd[0]);
	close(efd[1]);
}

TEST_F(srv, second_client_refused)
{
	uint32_t q[4] = { 16, 0, 0, 0 }, r[4];
	struct client c2 = { .loop = self->c.loop };
	struct vfu_stats st;
	char ch;
	int blen;

	ASSERT_EQ(0, handshake(&self->c));
	c2.fd = client_connect(self->path);
	ASSERT_LE(0, c2.fd);
	EXPECT_EQ(-EPIPE, recv_raw(&c2, &ch, 1));
	close(c2.fd);
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(1u, st.refused);
	/* the first one is unaffected */
	EXPECT_TRUE(vfu_connected(self->v));
	EXPECT_EQ(0, xfer(&self->c, T_GET_INFO, q, sizeof(q), r, sizeof(r), &blen));
}

TEST_F(srv, surprise_removal)
{
	uint32_t v = 1;
	char ch;

	ASSERT_EQ(0, handshake(&self->c));
	/* from outside any callback */
	vfu_disconnect(self->v);
	EXPECT_FALSE(vfu_connected(self->v));
	EXPECT_EQ(1u, self->dev.downs);
	EXPECT_EQ(-EPIPE, recv_raw(&self->c, &ch, 1));
	close(self->c.fd);
	/* from the device's own callback, in the middle of a message */
	self->c.fd = client_connect(self->path);
	ASSERT_LE(0, self->c.fd);
	ASSERT_EQ(0, handshake(&self->c));
	EXPECT_EQ(-EPIPE, region_write(&self->c, 0, POKE_DISCONNECT, &v, 4));
	EXPECT_EQ(2u, self->dev.downs);
	EXPECT_EQ(2u, self->dev.resets);
	close(self->c.fd);
	self->c.fd = client_connect(self->path);
	ASSERT_LE(0, self->c.fd);
	ASSERT_EQ(0, handshake(&self->c));
}

TEST_F(srv, device_reset_keeps_maps_and_irqs)
{
	int mfd = make_memfd(0x10000), efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct vfu_stats st;

	ASSERT_LE(0, mfd);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, handshake(&self->c));
	ASSERT_EQ(0, dma_map(&self->c, 0x100000, 0x10000, VFIO_DMA_MAP_FLAG_READ, 0, mfd));
	ASSERT_EQ(0, set_irqs(&self->c, EVT_TRIG, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd, 1));
	ASSERT_EQ(0, xfer(&self->c, T_DEVICE_RESET, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(1u, self->dev.resets);
	EXPECT_EQ(0u, self->dev.downs);
	vfu_get_stats(self->v, &st);
	EXPECT_EQ(1u, st.dma_maps);
	EXPECT_NE(NULL, vfu_dma_ptr(self->v, 0x100000, 4, PROT_READ));
	EXPECT_TRUE(vfu_irq_enabled(self->v, 0));
	close(mfd);
	close(efd);
}

TEST_F(srv, msix_bar_size_given)
{
	/* the layout of the QKD card's hardware document: 3 vectors in a 16 KiB BAR2,
	 * table at 0, PBA at 0x2000 */
	struct vfu_pci_info in = tinfo;
	struct vfio_region_info q = { .argsz = sizeof(q), .index = 2 }, r;
	struct client c2 = { .loop = self->c.loop };
	char p2[sizeof(self->path)];
	struct vfu *v2;
	uint8_t cfg[256];
	bool found = false;
	uint32_t w;
	int blen;

	in.msix_vectors = 3;
	in.bar_size[2] = 0x4000;
	snprintf(p2, sizeof(p2), "%s/c.sock", self->dir);
	v2 = vfu_new(self->c.loop, p2, &in, &tdev_ops, &self->dev);
	ASSERT_NE(NULL, v2);
	vfu_set_log(v2, capture_log, &self->c, VFU_LOG_DEBUG);
	EXPECT_EQ(2, vfu_msix_bar(v2));
	c2.fd = client_connect(p2);
	ASSERT_LE(0, c2.fd);
	ASSERT_EQ(0, handshake(&c2));
	ASSERT_EQ(0, xfer(&c2, T_REGION_INFO, &q, sizeof(q), &r, sizeof(r), &blen));
	EXPECT_EQ(0x4000u, r.size);
	ASSERT_EQ(0, region_read(&c2, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg, sizeof(cfg)));
	/* find the MSI-X capability */
	for (unsigned int pos = cfg[PCI_CAPABILITY_LIST], n = 0; pos && n < 48;
	     pos = cfg[pos + 1], n++) {
		if (cfg[pos] != PCI_CAP_ID_MSIX)
			continue;
		found = true;
		EXPECT_EQ(2u, (unsigned int)(cfg[pos + 2] & 0x7ff));
		memcpy(&w, cfg + pos + PCI_MSIX_TABLE, 4);
		EXPECT_EQ(2u, w);
		memcpy(&w, cfg + pos + PCI_MSIX_PBA, 4);
		EXPECT_EQ(0x2000u | 2u, w);
	}
	EXPECT_TRUE(found);
	close(c2.fd);
	settle(&self->c);
	vfu_free(v2);
}

/* ---- construction ------------------------------------------------------------------ */

static int try_new(struct loop *l, const char *path, const struct vfu_pci_info *in,
		   const struct vfu_dev_ops *ops)
{
	struct vfu *v = vfu_new(l, path, in, ops, NULL);

	if (v) {
		vfu_free(v);
		return 0;
	}
	return errno;
}

TEST_F(srv, vfu_new_validates)
{
	struct vfu_pci_info in;
	struct vfu_dev_ops no_read = tdev_ops;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char p2[sizeof(sa.sun_path)], longp[200];
	int fd, s;

	snprintf(p2, sizeof(p2), "%s/b.sock", self->dir);
#define BAD(field_setup, want) do { \
		in = tinfo; \
		field_setup; \
		EXPECT_EQ(want, try_new(self->c.loop, p2, &in, &tdev_ops)) TH_LOG(#field_setup); \
	} while (0)
	BAD((void)0, 0);
	BAD(in.bar_size[0] = 0, EINVAL);
	BAD(in.bar_size[1] = 4096, EINVAL);      /* odd BAR: taken by BAR0's upper half */
	BAD(in.bar_size[0] = 12288, EINVAL);     /* not a power of two */
	BAD(in.bar_size[0] = 2048, EINVAL);      /* below 4 KiB */
	BAD(in.msix_vectors = 2049, EINVAL);
	BAD(in.bar_size[2] = 4096, 0);           /* a given MSI-X BAR size: 128-byte table */
	BAD((in.bar_size[2] = 4096, in.msix_vectors = 257), EINVAL); /* table > half */
	BAD((in.bar_size[4] = 0, in.msix_bar = 4), 0);
	BAD(in.msix_bar = 4, 0);                 /* BAR4 given over to MSI-X */
	BAD((in.msix_bar = 4, in.bar_size[4] = 1ull << 33), EINVAL); /* PBA offset > 32 bits */
	BAD(in.msix_bar = 3, EINVAL);
	BAD(in.msix_bar = 6, EINVAL);
	BAD((in.msix_bar = 2, in.msix_vectors = 0), EINVAL);
	BAD(in.class_code = 0x1000000, EINVAL);
	BAD(in.msix_vectors = 2048, 0);
#undef BAD
	no_read.bar_read = NULL;
	EXPECT_EQ(EINVAL, try_new(self->c.loop, p2, &tinfo, &no_read));
	EXPECT_EQ(EINVAL, try_new(self->c.loop, p2, &tinfo, NULL));
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	EXPECT_EQ(ENAMETOOLONG, try_new(self->c.loop, longp, &tinfo, &tdev_ops));
	/* a live socket is not taken over; another kind of file is not removed */
	EXPECT_EQ(EADDRINUSE, try_new(self->c.loop, self->path, &tinfo, &tdev_ops));
	fd = open(p2, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(EEXIST, try_new(self->c.loop, p2, &tinfo, &tdev_ops));
	EXPECT_EQ(0, unlink(p2));

	/* a stale socket (nobody listening) is replaced */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	memcpy(sa.sun_path, p2, sizeof(sa.sun_path));
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	close(s);
	EXPECT_EQ(0, try_new(self->c.loop, p2, &tinfo, &tdev_ops));
	EXPECT_EQ(-1, access(p2, F_OK)); /* and vfu_free() removed it */
}

TEST_HARNESS_MAIN
