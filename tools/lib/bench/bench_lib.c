// SPDX-License-Identifier: GPL-2.0-only
/*
 * libqkdchip benchmarks ("name: value unit" lines): decoding and unwrapping records,
 * the ring iterator on a ring in memory (this thread plays the card), and parsing a
 * full-size waveform table.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define NREC	(1u << 20)

static void bench_decode(const uint64_t *recs)
{
	struct qkd_unwrap u;
	struct qkd_record r;
	uint64_t sum = 0;
	unsigned int pass, i;
	double t0 = now(), dt;

	for (pass = 0; pass < 20; pass++) {
		qkd_unwrap_init(&u, 0, 20, 17);
		for (i = 0; i < NREC; i++) {
			qkd_record_decode(recs[i], &r);
			qkd_unwrap(&u, &r);
			sum += r.slot + r.tag.fine_ps;
		}
	}
	dt = now() - t0;
	printf("record_decode_unwrap: %.1f Mrecords/s\n", 20.0 * NREC / dt / 1e6);
	if (sum == 42)
		puts("");	/* keep the work */
}

static void bench_ring(const uint64_t *recs)
{
	static uint64_t data[1u << 17];		/* a 1 MiB ring */
	struct qkdchip_ring_status st;
	struct qkdchip_ring_index ix;
	struct qkd_ring *ring;
	uint64_t produced = 0, got = 0, rec, sum = 0, total = 32ull * NREC;
	const uint64_t n = sizeof(data) / 8;
	double t0, dt;

	memset(&st, 0, sizeof(st));
	memset(&ix, 0, sizeof(ix));
	ring = qkd__ring_fake(QKDCHIP_STREAM_C2H, data, sizeof(data), &st, &ix);
	if (!ring)
		return;
	t0 = now();
	while (got < total) {
		uint64_t cons = le64toh(__atomic_load_n(&ix.host_index, __ATOMIC_ACQUIRE));

		/* the card fills what the host gave back, in bursts of up to 4096 */
		while (produced - cons < n && produced < total && produced - cons < 4096 + n / 2) {
			data[produced % n] = htole64(recs[produced % NREC]);
			produced++;
		}
		__atomic_store_n(&st.card_index, htole64(produced), __ATOMIC_RELEASE);
		while (qkd_ring_next(ring, &rec) == 1) {
			sum += rec;
			got++;
		}
	}
	dt = now() - t0;
	printf("ring_next_with_producer: %.1f Mrecords/s\n", (double)total / dt / 1e6);
	if (sum == 42)
		puts("");
	qkd_ring_close(ring);
}

static void bench_table(void)
{
	static const char *const names[] = { "im1", "im2", "im3", "pm1", "pmref" };
	size_t cap = 1u << 20, len;
	char *text = malloc(cap);
	struct qkd_table *t = qkd_table_new();
	unsigned int s, c, i, rounds = 50;
	double t0, dt;

	len = (size_t)snprintf(text, cap, "qkdchip-table 1\nsymbols 256\nchannels 5\nsamples 8\n");
	for (s = 0; s < 256; s++) {
		len += (size_t)snprintf(text + len, cap - len, "symbol %u\n", s);
		for (c = 0; c < 5; c++) {
			len += (size_t)snprintf(text + len, cap - len, "  %s", names[c]);
			for (i = 0; i < 8; i++)
				len += (size_t)snprintf(text + len, cap - len, " %d",
							(int)((s * 37 + c * 11 + i * 5) % 16384) - 8192);
			text[len++] = '\n';
		}
	}
	t0 = now();
	for (i = 0; i < rounds; i++)
		if (qkd_table_parse(t, text, len))
			fprintf(stderr, "bench: %s\n", qkd_table_error(t));
	dt = now() - t0;
	printf("table_parse_256x5x8: %.3f ms\n", dt / rounds * 1e3);
	printf("table_text_256x5x8: %zu bytes\n", len);
	qkd_table_free(t);
	free(text);
}

int main(void)
{
	uint64_t *recs = malloc(NREC * sizeof(*recs));
	unsigned int i;

	if (!recs)
		return 1;
	for (i = 0; i < NREC; i++)
		recs[i] = qkd_test_record(1, i);
	bench_decode(recs);
	bench_ring(recs);
	bench_table();
	free(recs);
	return 0;
}
