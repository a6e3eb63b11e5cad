// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: driver for the qkdchip PCIe QKD card - module init and exit.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>

#include "qkdchip.h"

dev_t qkdchip_devt;
struct dentry *qkdchip_debugfs_root;

struct class qkdchip_class = {
	.name = QKDCHIP_NAME,
	.dev_groups = qkdchip_groups,
};

static int __init qkdchip_init(void)
{
	int err;

	err = alloc_chrdev_region(&qkdchip_devt, 0, QKDCHIP_MAX_CARDS, QKDCHIP_NAME);
	if (err)
		return err;

	err = class_register(&qkdchip_class);
	if (err)
		goto err_chrdev;

	qkdchip_debugfs_root = debugfs_create_dir(QKDCHIP_NAME, NULL);

	err = qkdchip_nl_init();
	if (err)
		goto err_debugfs;

	err = qkdchip_pci_register();
	if (err)
		goto err_nl;

	return 0;

err_nl:
	qkdchip_nl_exit();
err_debugfs:
	debugfs_remove_recursive(qkdchip_debugfs_root);
	class_unregister(&qkdchip_class);
err_chrdev:
	unregister_chrdev_region(qkdchip_devt, QKDCHIP_MAX_CARDS);
	return err;
}

static void __exit qkdchip_exit(void)
{
	qkdchip_pci_unregister();
	qkdchip_nl_exit();
	debugfs_remove_recursive(qkdchip_debugfs_root);
	class_unregister(&qkdchip_class);
	unregister_chrdev_region(qkdchip_devt, QKDCHIP_MAX_CARDS);
}

module_init(qkdchip_init);
module_exit(qkdchip_exit);

MODULE_DESCRIPTION("qkdchip PCIe quantum key distribution card");
MODULE_AUTHOR("qkdchip developers");
MODULE_LICENSE("GPL");
