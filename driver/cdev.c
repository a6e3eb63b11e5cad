// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: the character device /dev/qkdchipN.
 *
 * Argument structs are size-versioned through the size field of the ioctl number
 * (see uapi/linux/qkdchip.h): input is copied with copy_struct_from_user() semantics,
 * output is truncated to what the caller asked for.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "qkdchip.h"

static int qkdchip_open(struct inode *inode, struct file *file)
{
	struct qkdchip_dev *qd = container_of(inode->i_cdev, struct qkdchip_dev, cdev);

	/* The file's reference on qd->dev keeps qd valid past the card's removal. */
	get_device(&qd->dev);
	file->private_data = qd;
	return nonseekable_open(inode, file);
}

static int qkdchip_release(struct inode *inode, struct file *file)
{
	struct qkdchip_dev *qd = file->private_data;

	qkdchip_streams_release(qd, file);
	put_device(&qd->dev);
	return 0;
}

static int qkdchip_ioc_info(struct qkdchip_dev *qd, struct file *file, void *arg)
{
	memcpy(arg, &qd->info, sizeof(qd->info));
	return 0;
}

struct qkdchip_ioctl {
	int (*fn)(struct qkdchip_dev *qd, struct file *file, void *arg);
	unsigned int cmd;	/* the command as of this driver; its size is the kernel's */
};

/* Every command uses the card: it takes qd->lock and fails with -ENODEV once removed. */
static const struct qkdchip_ioctl qkdchip_ioctls[] = {
	[_IOC_NR(QKDCHIP_IOC_INFO)] = { qkdchip_ioc_info, QKDCHIP_IOC_INFO },
	[_IOC_NR(QKDCHIP_IOC_STATS)] = { qkdchip_ioc_stats, QKDCHIP_IOC_STATS },
	[_IOC_NR(QKDCHIP_IOC_RING_SETUP)] = { qkdchip_ioc_ring_setup, QKDCHIP_IOC_RING_SETUP },
	[_IOC_NR(QKDCHIP_IOC_RING_FREE)] = { qkdchip_ioc_ring_free, QKDCHIP_IOC_RING_FREE },
	[_IOC_NR(QKDCHIP_IOC_STREAM_START)] = {
		qkdchip_ioc_stream_start, QKDCHIP_IOC_STREAM_START
	},
	[_IOC_NR(QKDCHIP_IOC_STREAM_STOP)] = {
		qkdchip_ioc_stream_stop, QKDCHIP_IOC_STREAM_STOP
	},
	[_IOC_NR(QKDCHIP_IOC_WAKEUP)] = { qkdchip_ioc_wakeup, QKDCHIP_IOC_WAKEUP },
	[_IOC_NR(QKDCHIP_IOC_TABLE_LOAD)] = { qkdchip_ioc_table_load, QKDCHIP_IOC_TABLE_LOAD },
};

/* Largest argument struct; checked at build time below. */
#define QKDCHIP_IOC_MAX_ARG	256

static long qkdchip_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	struct qkdchip_dev *qd = file->private_data;
	void __user *argp = (void __user *)uarg;
	const struct qkdchip_ioctl *ioc;
	size_t usize, ksize;
	u8 buf[QKDCHIP_IOC_MAX_ARG] __aligned(8);
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	BUILD_BUG_ON(sizeof(struct qkdchip_info) > QKDCHIP_IOC_MAX_ARG);
	BUILD_BUG_ON(sizeof(struct qkdchip_stats) > QKDCHIP_IOC_MAX_ARG);
	BUILD_BUG_ON(sizeof(struct qkdchip_ring_setup) > QKDCHIP_IOC_MAX_ARG);

	if (_IOC_TYPE(cmd) != QKDCHIP_IOC_MAGIC || nr >= ARRAY_SIZE(qkdchip_ioctls))
		return -ENOTTY;
	ioc = &qkdchip_ioctls[nr];
	if (!ioc->fn || _IOC_DIR(cmd) != _IOC_DIR(ioc->cmd))
		return -ENOTTY;

	usize = _IOC_SIZE(cmd);
	ksize = _IOC_SIZE(ioc->cmd);
	if (!usize)
		return -EINVAL;

	memset(buf, 0, ksize);
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(buf, ksize, argp, usize);
		if (ret)
			return ret;
	}

	down_read(&qd->lock);
	ret = qd->alive ? ioc->fn(qd, file, buf) : -ENODEV;
	up_read(&qd->lock);
	if (ret)
		return ret;

	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(argp, buf, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

static ssize_t qkdchip_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	return qkdchip_stream_read(file->private_data, file, buf, count);
}

static ssize_t qkdchip_write(struct file *file, const char __user *buf, size_t count,
			     loff_t *pos)
{
	return qkdchip_stream_write(file->private_data, file, buf, count);
}

static __poll_t qkdchip_poll(struct file *file, struct poll_table_struct *wait)
{
	return qkdchip_stream_poll(file->private_data, file, wait);
}

static int qkdchip_mmap(struct file *file, struct vm_area_struct *vma)
{
	return qkdchip_stream_mmap(file->private_data, file, vma);
}

const struct file_operations qkdchip_fops = {
	.owner = THIS_MODULE,
	.open = qkdchip_open,
	.release = qkdchip_release,
	.unlocked_ioctl = qkdchip_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = qkdchip_read,
	.write = qkdchip_write,
	.poll = qkdchip_poll,
	.mmap = qkdchip_mmap,
};
