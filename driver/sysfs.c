// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: sysfs attributes of /sys/class/qkdchip/qkdchipN (Documentation/ABI/).
 * Identity comes from the copy read at probe, so no attribute touches the card.
 */

#include <linux/device.h>
#include <linux/sysfs.h>

#include "qkdchip.h"

static ssize_t role_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct qkdchip_dev *qd = to_qkdchip(dev);

	return sysfs_emit(buf, "%s\n", qd->info.role == QKDCHIP_ROLE_CLIENT ? "client" : "server");
}
static DEVICE_ATTR_RO(role);

static ssize_t serial_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%016llx\n", to_qkdchip(dev)->info.serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t hw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 v = to_qkdchip(dev)->info.hw_version;

	return sysfs_emit(buf, "%u.%u.%u\n", QKDCHIP_VERSION_MAJOR(v), QKDCHIP_VERSION_MINOR(v),
			  QKDCHIP_VERSION_PATCH(v));
}
static DEVICE_ATTR_RO(hw_version);

static ssize_t fw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct qkdchip_dev *qd = to_qkdchip(dev);

	return sysfs_emit(buf, "%u %08x\n", qd->info.fw_build, qd->info.fw_date);
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t features_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#010x\n", to_qkdchip(dev)->info.features);
}
static DEVICE_ATTR_RO(features);

static struct attribute *qkdchip_attrs[] = {
	&dev_attr_role.attr,
	&dev_attr_serial.attr,
	&dev_attr_hw_version.attr,
	&dev_attr_fw_version.attr,
	&dev_attr_features.attr,
	NULL
};

static const struct attribute_group qkdchip_group = {
	.attrs = qkdchip_attrs,
};

#define QKDCHIP_IRQ_ATTR(_name, _vec)							\
static ssize_t _name##_show(struct device *dev, struct device_attribute *attr, char *buf)	\
{											\
	return sysfs_emit(buf, "%lld\n",						\
			  (long long)atomic64_read(&to_qkdchip(dev)->irq_count[_vec]));	\
}											\
static DEVICE_ATTR_RO(_name)

QKDCHIP_IRQ_ATTR(irq_events, QKDCHIP_VEC_EVENTS);
QKDCHIP_IRQ_ATTR(irq_c2h, QKDCHIP_VEC_C2H);
QKDCHIP_IRQ_ATTR(irq_h2c, QKDCHIP_VEC_H2C);

static struct attribute *qkdchip_stats_attrs[] = {
	&dev_attr_irq_events.attr,
	&dev_attr_irq_c2h.attr,
	&dev_attr_irq_h2c.attr,
	NULL
};

static const struct attribute_group qkdchip_stats_group = {
	.name = "statistics",
	.attrs = qkdchip_stats_attrs,
};

const struct attribute_group *qkdchip_groups[] = {
	&qkdchip_group,
	&qkdchip_stats_group,
	NULL
};
