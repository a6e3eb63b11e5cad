// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: the character device /dev/qkdchipN and its ioctls.
 *
 * Argument structs are size-versioned through the size field of the ioctl number
 * (see uapi/linux/qkdchip.h): input is copied with copy_struct_from_user() semantics,
 * output is truncated to what the caller asked for.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "qkdchip.h"

static int qkdchip_open(struct inode *inode, struct file *file)
{
	struct qkdchip_dev *qd = container_of(inode->i_cdev, struct qkdchip_dev, cdev);

	/* The cdev's reference on qd->dev keeps qd valid while the file is open. */
	get_device(&qd->dev);
	file->private_data = qd;
	return nonseekable_open(inode, file);
}

static int qkdchip_release(struct inode *inode, struct file *file)
{
	struct qkdchip_dev *qd = file->private_data;

	put_device(&qd->dev);
	return 0;
}

static int qkdchip_ioc_info(struct qkdchip_dev *qd, void *arg)
{
	memcpy(arg, &qd->info, sizeof(qd->info));
	return 0;
}

struct qkdchip_ioctl {
	int (*fn)(struct qkdchip_dev *qd, void *arg);
	unsigned int cmd;	/* the command as of this driver; its size is the kernel's */
	bool needs_card;	/* takes qd->lock and fails with -ENODEV once removed */
};

static const struct qkdchip_ioctl qkdchip_ioctls[] = {
	[_IOC_NR(QKDCHIP_IOC_INFO)] = {
		.fn = qkdchip_ioc_info, .cmd = QKDCHIP_IOC_INFO, .needs_card = true,
	},
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

	if (ioc->needs_card) {
		down_read(&qd->lock);
		ret = qd->alive ? ioc->fn(qd, buf) : -ENODEV;
		up_read(&qd->lock);
	} else {
		ret = ioc->fn(qd, buf);
	}
	if (ret)
		return ret;

	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(argp, buf, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

const struct file_operations qkdchip_fops = {
	.owner = THIS_MODULE,
	.open = qkdchip_open,
	.release = qkdchip_release,
	.unlocked_ioctl = qkdchip_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
