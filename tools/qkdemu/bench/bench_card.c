// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_card - how fast the card model makes records and writes them into a mapped
 * buffer, next to a plain memcpy() of the same machine in the same run.
 *
 * Prints "name: value unit" lines:
 *   memcpy_bandwidth          memcpy() of 16 MiB blocks, GB/s
 *   test_pattern_rate         test-pattern records made and written into a 16 MiB ring
 *                             that the host frees at once, Mrecords/s (wall)
 *   test_pattern_dma_bandwidth  the same in GB/s of ring writes
 *   test_pattern_vs_memcpy    the ratio of the two bandwidths, %
 *   click_model_rate          server click model (TAG records), Mrecords/s (wall)
 *   click_model_realtime      seconds of card time emulated per wall second at
 *                             4 x 3.8 M clicks/s
 *   seeded_symbol_lookups     card_symbol_at() on a card-seeded pattern, M/s
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../tests/card_harness.h"

#define RING_BASE	(FAKE_BASE + 0x100000)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double bench_memcpy(void)
{
	size_t sz = 16 << 20;
	uint8_t *a = malloc(sz), *b = malloc(sz);
	double t0, t, best = 0;
	int round, i;

	if (!a || !b)
		exit(1);
	memset(a, 1, sz);
	memset(b, 2, sz);
	for (round = 0; round < 3; round++) {
		t0 = now_s();
		for (i = 0; i < 20; i++) {
			memcpy(i & 1 ? a : b, i & 1 ? b : a, sz);
			__asm__ volatile("" : : "r"(a), "r"(b) : "memory");
		}
		t = now_s() - t0;
		if (20.0 * sz / t > best)
			best = 20.0 * sz / t;
	}
	free(a);
	free(b);
	return best / 1e9;
}

/* Test pattern, C2H_TEST_RATE 0 (as fast as the ring allows); the host frees at once. */
static double bench_test_pattern(void)
{
	struct fake f;
	struct fake_ring r;
	uint64_t recs = 0, prod;
	double t0, t;

	if (fake_init(&f, CARD_CLIENT, 1, 0))
		exit(1);
	fake_ring_init(&f, &r, RING_BASE, 16, 20);	/* 16 MiB: 2 M records */
	fake_ring_program(&f, &r, 0x1000);
	wr(&f, QKDCHIP_REG_C2H_MOD_COUNT, 0);
	wr(&f, QKDCHIP_REG_C2H_TEST_RATE, 0);
	wr(&f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN | QKDCHIP_C2H_SOURCE_TEST << 4);
	t0 = now_s();
	do {
		/* 8 ms of card time fills the ring (250 000 records per ms at most) */
		fake_run(&f, 8 * NS_PER_MS);
		prod = rd64(&f, QKDCHIP_REG_C2H_PROD_LO);
		fake_put64(&f, r.shadow, prod);
		recs = prod;
		t = now_s() - t0;
	} while (t < 1.0);
	fake_fini(&f);
	return recs / t;
}

/* Server click model: 4 channels at 5 M photons/s, 80 % efficiency */
static void bench_clicks(double *rate, double *realtime)
{
	struct fake f;
	struct fake_ring r;
	uint64_t recs = 0, prod, t_card = 0;
	unsigned int ch;
	double t0, t;

	if (fake_init(&f, CARD_SERVER, 1, 0))
		exit(1);
	fake_ring_init(&f, &r, RING_BASE, 16, 20);
	fake_ring_program(&f, &r, 0x1000);
	for (ch = 0; ch < 4; ch++) {
		wr(&f, QKDCHIP_REG_DET_BIAS_UA(ch), 20);
		card_model_set(f.card, "quantum", ch, 5000000, NULL, 0);
	}
	wr(&f, QKDCHIP_REG_C2H_CTRL, QKDCHIP_C2H_RUN);
	t0 = now_s();
	do {
		fake_run(&f, 1 * NS_PER_MS);
		t_card += NS_PER_MS;
		prod = rd64(&f, QKDCHIP_REG_C2H_PROD_LO);
		fake_put64(&f, r.shadow, prod);
		recs = prod;
		t = now_s() - t0;
	} while (t < 1.0);
	if (rd64(&f, QKDCHIP_REG_C2H_DROPPED_LO))
		fprintf(stderr, "bench_card: the click benchmark dropped records\n");
	fake_fini(&f);
	*rate = recs / t;
	*realtime = t_card * 1e-9 / t;
}

static double bench_symbols(void)
{
	struct fake f;
	uint64_t start, n = 0, x = 1;
	volatile int sink = 0;
	double t0, t;

	if (fake_init(&f, CARD_CLIENT, 1, 0))
		exit(1);
	wr(&f, QKDCHIP_REG_PAT_CTRL, QKDCHIP_PAT_RUN | QKDCHIP_PAT_SOURCE_SEEDED << 4);
	start = rd64(&f, QKDCHIP_REG_PAT_START_LO);
	fake_run(&f, 10 * NS_PER_MS);
	t0 = now_s();
	do {
		int i;

		for (i = 0; i < 10000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			sink += card_symbol_at(f.card, start + (x >> 40) % 10000000, NULL);
		}
		n += 10000;
		t = now_s() - t0;
	} while (t < 0.5);
	(void)sink;
	fake_fini(&f);
	return n / t;
}

int main(void)
{
	double mc = bench_memcpy(), tp = bench_test_pattern(), cr, rt, sy;

	bench_clicks(&cr, &rt);
	sy = bench_symbols();
	printf("memcpy_bandwidth: %.2f GB/s\n", mc);
	printf("test_pattern_rate: %.1f Mrecords/s\n", tp / 1e6);
	printf("test_pattern_dma_bandwidth: %.2f GB/s\n", tp * 8 / 1e9);
	printf("test_pattern_vs_memcpy: %.0f %%\n", 100 * tp * 8 / 1e9 / mc);
	printf("click_model_rate: %.1f Mrecords/s\n", cr / 1e6);
	printf("click_model_realtime: %.2f card s per s\n", rt);
	printf("seeded_symbol_lookups: %.2f M/s\n", sy / 1e6);
	return 0;
}
