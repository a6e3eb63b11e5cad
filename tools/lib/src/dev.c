// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libqkdchip: the character device /dev/qkdchipN - finding it, opening it, identity,
 * statistics, stream start and stop, and the read()/write() copy paths.
 */
#include <ctype.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define QKD_MAX_INDEX	63	/* the driver's QKDCHIP_MAX_CARDS - 1 */

int qkd_dev_fail(struct qkd_dev *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qkd_verr(dev->err, sizeof(dev->err), err, fmt, ap);
	va_end(ap);
	return err;
}

/* "0000:01:00.0" or "01:00.0" (hex digits) -> the 12-character form, lower case. */
static int parse_pci_address(const char *s, char out[13])
{
	unsigned int dom = 0, bus, dev, fn;
	int n = 0;
	size_t len = strlen(s), i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			return -EINVAL;
	if (len == 12 && sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 &&
	    n == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.')
		;
	else if (len == 7 && sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) == 3 && n == 7 &&
		 s[2] == ':' && s[5] == '.')
		;
	else
		return -EINVAL;
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, 13, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

int qkd__dev_lookup_at(const char *sysfs, const char *spec, unsigned int *index, char *err,
		       size_t errlen)
{
	char addr[13], path[256];
	const char *p = spec;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret;

	if (!spec || !*spec)
		return qkd_err(err, errlen, -EINVAL, "no card given");
	if (!strncmp(p, "/dev/", 5))
		p += 5;
	if (!strncmp(p, "qkdchip", 7))
		p += 7;
	if (p != spec || isdigit((unsigned char)*p)) {
		ret = qkd_parse_index(p, strlen(p), QKD_MAX_INDEX, index);
		if (!ret)
			return 0;
		if (ret == -ERANGE)
			return qkd_err(err, errlen, -EINVAL, "'%s': card numbers go up to %u",
				       spec, QKD_MAX_INDEX);
		if (p != spec)
			return qkd_err(err, errlen, -EINVAL,
				       "'%s' is not a card (qkdchipN, N or a PCI address)", spec);
	}
	if (parse_pci_address(spec, addr))
		return qkd_err(err, errlen, -EINVAL,
			       "'%s' is not a card (qkdchipN, N or a PCI address)", spec);

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, addr);
	if (stat(path, &st))
		return qkd_err(err, errlen, -ENODEV, "no PCI device %s", addr);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/qkdchip", sysfs, addr);
	d = opendir(path);
	if (!d)
		return qkd_err(err, errlen, -ENODEV,
			       "PCI device %s is not bound to the qkdchip driver", addr);
	ret = -ENODEV;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "qkdchip", 7))
			continue;
		if (!qkd_parse_index(de->d_name + 7, strlen(de->d_name + 7), QKD_MAX_INDEX,
				     index)) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	if (ret)
		return qkd_err(err, errlen, ret,
			       "PCI device %s is not bound to the qkdchip driver", addr);
	return 0;
}

int qkd_dev_lookup(const char *spec, unsigned int *index, char *err, size_t errlen)
{
	return qkd__dev_lookup_at("/sys", spec, index, err, errlen);
}

int qkd_dev_open(const char *spec, int flags, struct qkd_dev **devp, char *err,
		 size_t errlen)
{
	struct qkd_dev *dev;
	char path[32];
	unsigned int index;
	int ret;

	*devp = NULL;
	if (flags & ~O_NONBLOCK)
		return qkd_err(err, errlen, -EINVAL, "qkd_dev_open: flags %#x not supported",
			       (unsigned int)flags);
	ret = qkd_dev_lookup(spec, &index, err, errlen);
	if (ret)
		return ret;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return qkd_err(err, errlen, -ENOMEM, "out of memory");
	dev->index = index;
	snprintf(dev->name, sizeof(dev->name), "qkdchip%u", index);
	snprintf(path, sizeof(path), "/dev/%s", dev->name);
	dev->fd = open(path, O_RDWR | O_CLOEXEC | flags);
	if (dev->fd < 0) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
			qkd_err(err, errlen, -ENODEV, "%s: no such card", dev->name);
		else if (ret == -EACCES || ret == -EPERM)
			qkd_err(err, errlen, ret, "%s: permission denied (members of group qkd may open it)",
				path);
		else
			qkd_err(err, errlen, ret, "%s: %s", path, strerror(-ret));
		free(dev);
		return ret == -ENOENT || ret == -ENXIO ? -ENODEV : ret;
	}
	if (ioctl(dev->fd, QKDCHIP_IOC_INFO, &dev->info)) {
		ret = -errno;
		qkd_err(err, errlen, ret, "%s: cannot read the card's identity: %s", dev->name,
			strerror(-ret));
		close(dev->fd);
		free(dev);
		return ret;
	}
	if (dev->info.abi_version != QKDCHIP_ABI_VERSION) {
		qkd_err(err, errlen, -EPROTO, "%s: the driver speaks ABI version %u, this library %u",
			dev->name, dev->info.abi_version, QKDCHIP_ABI_VERSION);
		close(dev->fd);
		free(dev);
		return -EPROTO;
	}
	*devp = dev;
	return 0;
}

void qkd_dev_close(struct qkd_dev *dev)
{
	unsigned int s;

	if (!dev)
		return;
	for (s = 0; s < QKDCHIP_NUM_STREAMS; s++)
		qkd_ring_close(dev->ring[s]);
	close(dev->fd);
	free(dev);
}

const char *qkd_dev_error(const struct qkd_dev *dev)
{
	return dev->err;
}

int qkd_dev_fd(const struct qkd_dev *dev)
{
	return dev->fd;
}

unsigned int qkd_dev_index(const struct qkd_dev *dev)
{
	return dev->index;
}

const struct qkdchip_info *qkd_dev_info(const struct qkd_dev *dev)
{
	return &dev->info;
}

static const char *errno_text(int err)
{
	switch (err) {
	case -ENODEV:
		return "the card is gone";
	case -EPERM:
		return "not permitted (needs CAP_NET_ADMIN)";
	default:
		return strerror(-err);
	}
}

int qkd_dev_stats(struct qkd_dev *dev, struct qkd_stats *st)
{
	struct qkdchip_stats k;

	memset(&k, 0, sizeof(k));
	if (ioctl(dev->fd, QKDCHIP_IOC_STATS, &k)) {
		int err = -errno;

		return qkd_dev_fail(dev, err, "%s: statistics: %s", dev->name, errno_text(err));
	}
	memset(st, 0, sizeof(*st));
	st->c2h_records = k.c2h_records;
	st->c2h_dropped = k.c2h_dropped;
	st->c2h_losses = k.c2h_losses;
	st->c2h_writebacks = k.c2h_writebacks;
	st->c2h_dma_errors = k.c2h_dma_errors;
	st->c2h_stalls = k.c2h_stalls;
	st->c2h_read = k.c2h_read;
	st->c2h_bad = k.c2h_bad;
	st->pat_consumed = k.pat_consumed;
	st->pat_underrun_slots = k.pat_underrun_slots;
	st->pat_underruns = k.pat_underruns;
	st->pat_bad_symbols = k.pat_bad_symbols;
	st->pat_dma_errors = k.pat_dma_errors;
	st->pat_written = k.pat_written;
	st->table_loads = k.table_loads;
	st->table_switches = k.table_switches;
	st->table_errors = k.table_errors;
	st->events = k.events;
	st->events_lost = k.events_lost;
	st->irq_events = k.irq[0];
	st->irq_c2h = k.irq[1];
	st->irq_h2c = k.irq[2];
	return 0;
}

const char *qkd_stats_field(const struct qkd_stats *st, unsigned int i, uint64_t *value)
{
#define F(name, field) { name, offsetof(struct qkd_stats, field) }
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		F("c2h-records", c2h_records), F("c2h-dropped", c2h_dropped),
		F("c2h-losses", c2h_losses), F("c2h-writebacks", c2h_writebacks),
		F("c2h-dma-errors", c2h_dma_errors), F("c2h-stalls", c2h_stalls),
		F("c2h-read", c2h_read), F("c2h-bad", c2h_bad),
		F("pat-consumed", pat_consumed), F("pat-underrun-slots", pat_underrun_slots),
		F("pat-underruns", pat_underruns), F("pat-bad-symbols", pat_bad_symbols),
		F("pat-dma-errors", pat_dma_errors), F("pat-written", pat_written),
		F("table-loads", table_loads), F("table-switches", table_switches),
		F("table-errors", table_errors), F("events", events),
		F("events-lost", events_lost), F("irq-events", irq_events),
		F("irq-c2h", irq_c2h), F("irq-h2c", irq_h2c),
	};
#undef F
	if (i >= QKD_ARRAY_SIZE(fields))
		return NULL;
	memcpy(value, (const char *)st + fields[i].off, sizeof(*value));
	return fields[i].name;
}

int qkd_stream_start(struct qkd_dev *dev, unsigned int stream,
		     const struct qkd_stream_params *params, uint64_t *start_slot)
{
	struct qkdchip_stream_start ss;

	if (stream >= QKDCHIP_NUM_STREAMS)
		return qkd_dev_fail(dev, -EINVAL, "no stream %u", stream);
	memset(&ss, 0, sizeof(ss));
	ss.stream = stream;
	ss.source = params->source;
	ss.test_rate = params->test_rate;
	ss.test_seed = params->test_seed;
	if (ioctl(dev->fd, QKDCHIP_IOC_STREAM_START, &ss)) {
		int err = -errno;

		switch (err) {
		case -ENXIO:
			return qkd_dev_fail(dev, err, "%s: %s stream: no ring set up by this file",
					    dev->name, qkd_stream_name(stream));
		case -EBUSY:
			return qkd_dev_fail(dev, err,
					    "%s: %s stream: running already, or owned by another program",
					    dev->name, qkd_stream_name(stream));
		case -EOPNOTSUPP:
			return qkd_dev_fail(dev, err, "%s: the card has no %s stream of that source",
					    dev->name, qkd_stream_name(stream));
		case -EIO:
			return qkd_dev_fail(dev, err, "%s: the card refused to start the %s stream",
					    dev->name, qkd_stream_name(stream));
		default:
			return qkd_dev_fail(dev, err, "%s: starting the %s stream: %s", dev->name,
					    qkd_stream_name(stream), errno_text(err));
		}
	}
	if (dev->ring[stream])
		qkd_ring_resync(dev->ring[stream]);
	if (start_slot)
		*start_slot = ss.start_slot;
	return 0;
}

int qkd_stream_stop(struct qkd_dev *dev, unsigned int stream)
{
	struct qkdchip_stream_stop sp;

	if (stream >= QKDCHIP_NUM_STREAMS)
		return qkd_dev_fail(dev, -EINVAL, "no stream %u", stream);
	memset(&sp, 0, sizeof(sp));
	sp.stream = stream;
	if (ioctl(dev->fd, QKDCHIP_IOC_STREAM_STOP, &sp)) {
		int err = -errno;

		if (err == -ENXIO)
			return 0;	/* nothing of ours runs */
		return qkd_dev_fail(dev, err, "%s: stopping the %s stream: %s", dev->name,
				    qkd_stream_name(stream),
				    err == -EBUSY ? "another program owns it" : errno_text(err));
	}
	return 0;
}

static int io_error(struct qkd_dev *dev, int err, const char *what)
{
	switch (err) {
	case -EAGAIN:
		return err;	/* not a failure worth a message */
	case -ENXIO:
		return qkd_dev_fail(dev, err, "%s: %s: no ring set up by this file", dev->name, what);
	case -EIO:
		return qkd_dev_fail(dev, err, "%s: %s: the card stopped the stream on an error",
				    dev->name, what);
	default:
		return qkd_dev_fail(dev, err, "%s: %s: %s", dev->name, what, errno_text(err));
	}
}

ssize_t qkd_dev_read(struct qkd_dev *dev, uint64_t *recs, size_t max)
{
	ssize_t n;
	size_t i;

	if (!max)
		return 0;
	if (max > SSIZE_MAX / 8)
		max = SSIZE_MAX / 8;
	n = read(dev->fd, recs, max * 8);
	if (n < 0)
		return io_error(dev, -errno, "read");
	if (n % 8)
		return qkd_dev_fail(dev, -EIO, "%s: read returned %zd bytes, not whole records",
				    dev->name, n);
	for (i = 0; i < (size_t)n / 8; i++)
		recs[i] = le64toh(recs[i]);
	return n / 8;
}

ssize_t qkd_dev_write(struct qkd_dev *dev, const void *syms, size_t n)
{
	ssize_t w;

	if (!n)
		return 0;
	w = write(dev->fd, syms, n);
	if (w < 0)
		return io_error(dev, -errno, "write");
	return w;
}
