// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdchip: hwmon - the card's temperatures (chip, board, FPGA) with their critical
 * threshold, so that lm-sensors shows them. The hwmon device hangs off the class
 * device qkdchipN and is unregistered at removal, before the registers go.
 */

#include <linux/hwmon.h>

#include "qkdchip.h"

static const char * const qkdchip_temp_labels[QKDCHIP_NUM_TEMPS] = {
	[QKDCHIP_TEMP_CHIP] = "chip",
	[QKDCHIP_TEMP_BOARD] = "board",
	[QKDCHIP_TEMP_FPGA] = "fpga",
};

static umode_t qkdchip_hwmon_visible(const void *data, enum hwmon_sensor_types type,
				     u32 attr, int channel)
{
	if (type != hwmon_temp)
		return 0;
	switch (attr) {
	case hwmon_temp_input:
	case hwmon_temp_crit:
	case hwmon_temp_label:
		return 0444;
	default:
		return 0;
	}
}

static int qkdchip_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			      int channel, long *val)
{
	struct qkdchip_dev *qd = dev_get_drvdata(dev);
	int err = 0;

	if (type != hwmon_temp || channel >= QKDCHIP_NUM_TEMPS)
		return -EOPNOTSUPP;
	down_read(&qd->lock);
	if (!qd->alive)
		err = -ENODEV;
	else if (attr == hwmon_temp_input)
		*val = (s32)qkdchip_rd(qd, QKDCHIP_REG_TEMP_MC(channel));
	else if (attr == hwmon_temp_crit)
		*val = (s32)qkdchip_rd(qd, QKDCHIP_REG_TEMP_CRIT_MC);
	else
		err = -EOPNOTSUPP;
	up_read(&qd->lock);
	return err;
}

static int qkdchip_hwmon_read_string(struct device *dev, enum hwmon_sensor_types type,
				     u32 attr, int channel, const char **str)
{
	if (type != hwmon_temp || attr != hwmon_temp_label || channel >= QKDCHIP_NUM_TEMPS)
		return -EOPNOTSUPP;
	*str = qkdchip_temp_labels[channel];
	return 0;
}

static const struct hwmon_ops qkdchip_hwmon_ops = {
	.is_visible = qkdchip_hwmon_visible,
	.read = qkdchip_hwmon_read,
	.read_string = qkdchip_hwmon_read_string,
};

/* not * const: 6.1's struct hwmon_chip_info wants a non-const array */
static const struct hwmon_channel_info *qkdchip_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp,
			   HWMON_T_INPUT | HWMON_T_CRIT | HWMON_T_LABEL,
			   HWMON_T_INPUT | HWMON_T_CRIT | HWMON_T_LABEL,
			   HWMON_T_INPUT | HWMON_T_CRIT | HWMON_T_LABEL),
	NULL
};

static const struct hwmon_chip_info qkdchip_hwmon_chip = {
	.ops = &qkdchip_hwmon_ops,
	.info = qkdchip_hwmon_info,
};

int qkdchip_hwmon_init(struct qkdchip_dev *qd)
{
	struct device *hwmon;

	hwmon = hwmon_device_register_with_info(&qd->dev, QKDCHIP_NAME, qd,
						&qkdchip_hwmon_chip, NULL);
	if (IS_ERR(hwmon))
		return PTR_ERR(hwmon);
	qd->hwmon = hwmon;
	return 0;
}

void qkdchip_hwmon_fini(struct qkdchip_dev *qd)
{
	if (qd->hwmon)
		hwmon_device_unregister(qd->hwmon);
	qd->hwmon = NULL;
}
