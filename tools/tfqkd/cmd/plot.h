/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-scale line plots (PNG or SVG) with cairo, for `tfqkd plan --plot`.
 */
#ifndef TFQKD_CMD_PLOT_H
#define TFQKD_CMD_PLOT_H

#include <stddef.h>

/**
 * struct plot_series - one line of a plot
 * @label: legend text
 * @x: abscissae (increasing)
 * @y: ordinates; values <= 0 or not finite are gaps (the y axis is logarithmic)
 * @n: number of points
 * @rgb: line colour
 * @dashed: draw dashed
 */
struct plot_series {
	const char *label;
	const double *x;
	const double *y;
	size_t n;
	double rgb[3];
	int dashed;
};

/**
 * plot_format_ok() - does @path end in .png or .svg (any case)
 * @path: file name
 * Return: 1 for PNG, 2 for SVG, 0 otherwise.
 */
int plot_format_ok(const char *path);

/**
 * plot_write() - draw the series into @path (PNG or SVG by extension)
 * @path: output file
 * @title: title line
 * @xlabel: x-axis label
 * @ylabel: y-axis label
 * @s: series
 * @ns: number of series
 * @err: receives a one-line reason on failure
 * @errlen: size of @err
 * Return: 0 on success, -1 on failure.
 */
int plot_write(const char *path, const char *title, const char *xlabel, const char *ylabel,
	       const struct plot_series *s, size_t ns, char *err, size_t errlen);

#endif /* TFQKD_CMD_PLOT_H */
