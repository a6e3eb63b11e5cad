// SPDX-License-Identifier: GPL-2.0-only
/*
 * Log-scale line plots with cairo (PNG through the image surface, SVG through the SVG
 * surface), for `tfqkd plan --plot`.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cairo.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>

#include "plot.h"

#define W 860.0
#define H 600.0
#define ML 90.0		/* margins: left, right, top, bottom */
#define MR 30.0
#define MT 50.0
#define MB 70.0
#define MAX_DECADES 30

int plot_format_ok(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	if (n > 4 && !strcasecmp(path + n - 4, ".png"))
		return 1;
	if (n > 4 && !strcasecmp(path + n - 4, ".svg"))
		return 2;
	return 0;
}

static int usable(double y)
{
	return y > 0.0 && isfinite(y);
}

/* a "nice" tick step for a linear axis spanning @span */
static double nice_step(double span)
{
	double raw = span / 8.0, mag = pow(10.0, floor(log10(raw))), r = raw / mag;

	if (r <= 1.0)
		return mag;
	if (r <= 2.0)
		return 2.0 * mag;
	if (r <= 5.0)
		return 5.0 * mag;
	return 10.0 * mag;
}

static void draw(cairo_t *cr, const char *title, const char *xlabel, const char *ylabel,
		 const struct plot_series *s, size_t ns, double x0, double x1, int d0, int d1)
{
	double pw = W - ML - MR, ph = H - MT - MB, step;
	char buf[64];
	cairo_text_extents_t te;

#define PX(x) (ML + ((x) - x0) / (x1 - x0) * pw)
#define PY(ly) (MT + ph - ((ly) - d0) / (double)(d1 - d0) * ph)

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

	/* grid and ticks: decades on y, nice steps on x */
	cairo_set_line_width(cr, 1.0);
	cairo_set_font_size(cr, 12.0);
	for (int d = d0; d <= d1; d++) {
		double y = PY(d);

		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, ML, y);
		cairo_line_to(cr, ML + pw, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		snprintf(buf, sizeof(buf), "1e%d", d);
		cairo_text_extents(cr, buf, &te);
		cairo_move_to(cr, ML - 8 - te.width, y + te.height / 2);
		cairo_show_text(cr, buf);
	}
	step = nice_step(x1 - x0);
	for (double x = ceil(x0 / step) * step; x <= x1 + 1e-9 * step; x += step) {
		double px = PX(x);

		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, px, MT);
		cairo_line_to(cr, px, MT + ph);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		snprintf(buf, sizeof(buf), "%g", x);
		cairo_text_extents(cr, buf, &te);
		cairo_move_to(cr, px - te.width / 2, MT + ph + 18);
		cairo_show_text(cr, buf);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, ML, MT, pw, ph);
	cairo_stroke(cr);

	/* labels */
	cairo_set_font_size(cr, 14.0);
	cairo_text_extents(cr, xlabel, &te);
	cairo_move_to(cr, ML + pw / 2 - te.width / 2, H - 25);
	cairo_show_text(cr, xlabel);
	cairo_save(cr);
	cairo_text_extents(cr, ylabel, &te);
	cairo_move_to(cr, 25, MT + ph / 2 + te.width / 2);
	cairo_rotate(cr, -M_PI / 2);
	cairo_show_text(cr, ylabel);
	cairo_restore(cr);
	cairo_set_font_size(cr, 15.0);
	cairo_text_extents(cr, title, &te);
	cairo_move_to(cr, ML + pw / 2 - te.width / 2, 30);
	cairo_show_text(cr, title);

	/* series, clipped to the plot area */
	cairo_save(cr);
	cairo_rectangle(cr, ML, MT, pw, ph);
	cairo_clip(cr);
	cairo_set_line_width(cr, 2.0);
	for (size_t k = 0; k < ns; k++) {
		static const double dash[] = { 8.0, 5.0 };
		int pen = 0;

		cairo_set_source_rgb(cr, s[k].rgb[0], s[k].rgb[1], s[k].rgb[2]);
		cairo_set_dash(cr, dash, s[k].dashed ? 2 : 0, 0);
		for (size_t i = 0; i < s[k].n; i++) {
			if (!usable(s[k].y[i])) {
				pen = 0;
				continue;
			}
			if (pen)
				cairo_line_to(cr, PX(s[k].x[i]), PY(log10(s[k].y[i])));
			else
				cairo_move_to(cr, PX(s[k].x[i]), PY(log10(s[k].y[i])));
			pen = 1;
		}
		cairo_stroke(cr);
		for (size_t i = 0; i < s[k].n; i++) {	/* mark isolated points too */
			if (!usable(s[k].y[i]))
				continue;
			cairo_arc(cr, PX(s[k].x[i]), PY(log10(s[k].y[i])), 2.5, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
	cairo_restore(cr);

	/* legend, top right */
	cairo_set_font_size(cr, 13.0);
	cairo_set_line_width(cr, 2.0);
	for (size_t k = 0; k < ns; k++) {
		static const double dash[] = { 8.0, 5.0 };
		double y = MT + 20 + 20.0 * k, x = ML + pw - 250;

		cairo_set_source_rgb(cr, s[k].rgb[0], s[k].rgb[1], s[k].rgb[2]);
		cairo_set_dash(cr, dash, s[k].dashed ? 2 : 0, 0);
		cairo_move_to(cr, x, y - 4);
		cairo_line_to(cr, x + 30, y - 4);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, x + 38, y);
		cairo_show_text(cr, s[k].label);
	}
#undef PX
#undef PY
}

int plot_write(const char *path, const char *title, const char *xlabel, const char *ylabel,
	       const struct plot_series *s, size_t ns, char *err, size_t errlen)
{
	int fmt = plot_format_ok(path), d0, d1;
	double x0 = INFINITY, x1 = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	cairo_surface_t *sf;
	cairo_status_t st;
	cairo_t *cr;

	if (!fmt) {
		snprintf(err, errlen, "plot file '%s' must end in .png or .svg", path);
		return -1;
	}
	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			x0 = fmin(x0, s[k].x[i]);
			x1 = fmax(x1, s[k].x[i]);
			if (usable(s[k].y[i])) {
				ymin = fmin(ymin, s[k].y[i]);
				ymax = fmax(ymax, s[k].y[i]);
			}
		}
	if (!(x1 >= x0)) {
		x0 = 0.0;
		x1 = 1.0;
	}
	if (x1 == x0) {
		x0 -= 1.0;
		x1 += 1.0;
	}
	if (!(ymax >= ymin)) {	/* nothing positive to show: an empty decade range */
		ymin = 1e-12;
		ymax = 1.0;
	}
	d1 = (int)ceil(log10(ymax));
	d0 = (int)floor(log10(ymin));
	if (d1 == d0)
		d0--;
	if (d1 - d0 > MAX_DECADES)
		d0 = d1 - MAX_DECADES;

	if (fmt == 1)
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H);
	else
		sf = cairo_svg_surface_create(path, W, H);
	cr = cairo_create(sf);
	draw(cr, title, xlabel, ylabel, s, ns, x0, x1, d0, d1);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS && fmt == 1)
		st = cairo_surface_write_to_png(sf, path);
	cairo_surface_finish(sf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	/* no cairo object is left: drop cairo's and fontconfig's caches (a one-shot command;
	 * keeps leak checkers quiet) */
	cairo_debug_reset_static_data();
	FcFini();
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write plot '%s': %s", path, cairo_status_to_string(st));
		return -1;
	}
	return 0;
}
