// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON output: the writer's escaping (checked by python3's json module), nesting and
 * pretty printing, and the documents 'dev show -j' prints for a client and a server
 * card (well-formed, with the netlink spec's names and the values put in).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "qkdctl.h"

/* Write @len bytes to a temporary file and run python3 @code on it (sys.argv[1]). */
static bool python_ok(const char *code, const char *text, size_t len)
{
	char path[] = "/tmp/qkdctl-jsonXXXXXX", cmd[8192];
	int fd = mkstemp(path), st;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return false;
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -c '%s' %s", code, path);
	st = system(cmd);
	unlink(path);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
}

static void out_close(struct out *o)
{
	fclose(o->f);
}

TEST(escaping)
{
	struct json j;
	struct out o;

	out_open(&o);
	json_init(&j, o.f, false);
	json_obj_open(&j, NULL);
	json_str(&j, "quote\"back\\slash", "a\"b\\c");
	json_str(&j, "controls", "\x01\t\n\r\x1f end");
	json_str(&j, "utf8", "\xc2\xb5" "A 25\xc2\xb0" "C \xe2\x82\xac \xf0\x9f\x98\x80");
	json_str(&j, "invalid", "a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
	json_str(&j, "empty", "");
	json_str(&j, "null-string", NULL);
	json_obj_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_TRUE(python_ok(
		"import json, sys\n"
		"d = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
		"assert d[\"quote\\\"back\\\\slash\"] == \"a\\\"b\\\\c\", d\n"
		"assert d[\"controls\"] == \"\\x01\\t\\n\\r\\x1f end\", d\n"
		"assert d[\"utf8\"] == \"\\u00b5A 25\\u00b0C \\u20ac \\U0001f600\", d\n"
		"assert d[\"invalid\"] == \"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\", d\n"
		"assert d[\"empty\"] == \"\" and d[\"null-string\"] == \"\"\n", o.buf, o.len))
		TH_LOG("%s", o.buf);
	EXPECT_EQ(NULL, strchr(o.buf, '\t')) TH_LOG("control characters are escaped");
	free(o.buf);
}

TEST(nesting_and_numbers)
{
	struct json j;
	struct out o;
	int pretty;

	for (pretty = 0; pretty < 2; pretty++) {
		out_open(&o);
		json_init(&j, o.f, pretty);
		json_arr_open(&j, NULL);
		json_obj_open(&j, NULL);
		json_u64(&j, "max", UINT64_MAX);
		json_i64(&j, "min", INT64_MIN);
		json_bool(&j, "t", true);
		json_bool(&j, "f", false);
		json_null(&j, "n");
		json_arr_open(&j, "empty-array");
		json_arr_close(&j);
		json_obj_open(&j, "empty-object");
		json_obj_close(&j);
		json_arr_open(&j, "nested");
		json_arr_open(&j, NULL);
		json_i64(&j, NULL, -1);
		json_i64(&j, NULL, 2);
		json_arr_close(&j);
		json_arr_close(&j);
		json_obj_close(&j);
		json_u64(&j, NULL, 7);
		json_arr_close(&j);
		json_end(&j);
		out_close(&o);
		EXPECT_TRUE(python_ok(
			"import json, sys\n"
			"d = json.load(open(sys.argv[1]))\n"
			"assert d == [{\"max\": 18446744073709551615, \"min\": -9223372036854775808, "
			"\"t\": True, \"f\": False, \"n\": None, \"empty-array\": [], "
			"\"empty-object\": {}, \"nested\": [[-1, 2]]}, 7], d\n", o.buf, o.len))
			TH_LOG("%s", o.buf);
		EXPECT_EQ(pretty ? 18 : 1, count_lines(o.buf)) TH_LOG("%s", o.buf);
		free(o.buf);
	}
}

/* The exact pretty layout: two spaces per level, "key": value, empty containers inline */
TEST(pretty_layout)
{
	struct json j;
	struct out o;

	out_open(&o);
	json_init(&j, o.f, true);
	json_arr_open(&j, NULL);
	json_obj_open(&j, NULL);
	json_u64(&j, "a", 1);
	json_arr_open(&j, "b");
	json_arr_close(&j);
	json_obj_close(&j);
	json_arr_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_STREQ("[\n  {\n    \"a\": 1,\n    \"b\": []\n  }\n]\n", o.buf);
	free(o.buf);

	out_open(&o);
	json_init(&j, o.f, false);
	json_obj_open(&j, NULL);
	json_u64(&j, "a", 1);
	json_arr_open(&j, "b");
	json_str(&j, NULL, "x");
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_STREQ("{\"a\":1,\"b\":[\"x\"]}\n", o.buf);
	free(o.buf);
}

static void client_card(struct qkd_card *k)
{
	struct qkd_state *st = &k->state;
	unsigned int i;

	memset(k, 0, sizeof(*k));
	snprintf(k->pci, sizeof(k->pci), "0000:00:04.0");
	k->index = 1;
	snprintf(k->name, sizeof(k->name), "qkdchip1");
	snprintf(k->devnode, sizeof(k->devnode), "/dev/qkdchip1");
	k->vendor = 0x1fc5;
	k->device = 0x0001;
	k->subsys_vendor = 0x1fc5;
	k->subsys_device = 1;
	k->link_speed = k->link_max_speed = 25;
	k->link_width = k->link_max_width = 1;
	k->have_state = true;
	st->has = QKD_HAS_IDENTITY | QKD_HAS_STATUS | QKD_HAS_LASER | QKD_HAS_VOA | QKD_HAS_TEC |
		  QKD_HAS_TEMP_CRIT | QKD_HAS_CLOCK | QKD_HAS_FRAME_LOG2 | QKD_HAS_HEARTBEAT |
		  QKD_HAS_STATS;
	st->index = 1;
	snprintf(st->name, sizeof(st->name), "qkdchip1");
	snprintf(st->bus_name, sizeof(st->bus_name), "0000:00:04.0");
	st->role = QKDCHIP_ROLE_CLIENT;
	st->serial = 0x01000000deadbeefULL;
	st->hw_version = 1u << 24 | 2u << 16 | 3;
	st->fw_build = 7;
	st->fw_date = 0x20261126;
	st->features = 0xcf;
	st->slot_rate_khz = 1250000;
	st->status.ready = true;
	st->status.time = 123456789012ULL;
	st->laser.current_ua = 75500;
	st->laser.on = true;
	st->laser.lock_state = QKDCHIP_LOCK_LOCKED;
	st->laser.detune_mhz = -42;
	st->n_modulators = 5;
	for (i = 0; i < 5; i++) {
		st->modulator[i].channel = i;
		st->modulator[i].bias_mv = -2500 + (int32_t)i;
	}
	st->voa_mdb = 12500;
	st->tec.setpoint_mc = 25000;
	st->n_temps = 3;
	for (i = 0; i < 3; i++) {
		st->temp[i].sensor = i;
		st->temp[i].mc = -250 + 1000 * (int32_t)i;
	}
	st->temp_crit_mc = 70000;
	st->clock.source = QKDCHIP_CLOCK_SOURCE_EXT_10M_PPS;
	st->frame_log2 = 20;
	st->heartbeat_us = 1000;
	st->n_streams = 2;
	st->stream[1].id = QKDCHIP_STREAM_PAT;
	st->stream[1].state = QKDCHIP_RING_RUNNING;
	st->stream[1].running = true;
	st->stream[1].ring_size = 1 << 22;
	st->stats.c2h_records = 99;
	st->stats.irq_h2c = 5;
}

TEST(client_state)
{
	struct qkd_card k;
	struct json j;
	struct out o;

	client_card(&k);
	out_open(&o);
	json_init(&j, o.f, true);
	json_arr_open(&j, NULL);
	print_state_json(&j, &k);
	json_arr_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_TRUE(python_ok(
		"import json, sys\n"
		"d = json.load(open(sys.argv[1]))[0]\n"
		"assert d[\"index\"] == 1 and d[\"name\"] == \"qkdchip1\", d\n"
		"assert d[\"bus-name\"] == \"0000:00:04.0\" and d[\"devnode\"] == \"/dev/qkdchip1\"\n"
		"assert d[\"pci\"] == {\"vendor\": \"0x1fc5\", \"device\": \"0x0001\", "
		"\"subsystem-vendor\": \"0x1fc5\", \"subsystem-device\": \"0x0001\", "
		"\"link-speed\": \"2.5 GT/s\", \"link-width\": 1, \"link-max-speed\": \"2.5 GT/s\", "
		"\"link-max-width\": 1}, d[\"pci\"]\n"
		"assert d[\"role\"] == \"client\" and d[\"serial\"] == \"0x01000000deadbeef\"\n"
		"assert d[\"hw-version\"] == \"1.2.3\" and d[\"fw-date\"] == \"2026-11-26\"\n"
		"assert d[\"features\"] == [\"c2h\", \"h2c-table\", \"h2c-pattern\", \"card-seeded\", "
		"\"laser\", \"ext-clock\"], d[\"features\"]\n"
		"assert d[\"status\"][\"ready\"] is True and d[\"status\"][\"time\"] == 123456789012\n"
		"assert d[\"laser\"] == {\"current-ua\": 75500, \"on\": True, \"lock-loop\": False, "
		"\"lock-state\": \"locked\", \"lock-losses\": 0, \"detune-mhz\": -42, \"power-uw\": 0}\n"
		"assert [m[\"channel-name\"] for m in d[\"modulator\"]] == "
		"[\"im1\", \"im2\", \"im3\", \"pm1\", \"pmref\"]\n"
		"assert d[\"modulator\"][4][\"bias-mv\"] == -2496\n"
		"assert d[\"voa-mdb\"] == 12500 and d[\"tec\"] == {\"setpoint-mc\": 25000, \"on\": False}\n"
		"assert [(t[\"sensor\"], t[\"mc\"]) for t in d[\"temp\"]] == "
		"[(\"chip\", -250), (\"board\", 750), (\"fpga\", 1750)]\n"
		"assert d[\"temp-crit-mc\"] == 70000 and d[\"clock\"][\"source\"] == \"ext-10m-pps\"\n"
		"assert d[\"frame-log2\"] == 20 and d[\"heartbeat-us\"] == 1000\n"
		"assert d[\"stream\"][1] == {\"id\": \"pat\", \"state\": \"running\", \"source\": 0, "
		"\"owned\": False, \"running\": True, \"ring-size\": 4194304}\n"
		"assert d[\"stats\"][\"c2h-records\"] == 99 and d[\"stats\"][\"irq-h2c\"] == 5\n"
		"assert len(d[\"stats\"]) == 22\n"
		"assert \"comb\" not in d and \"detector\" not in d and \"tagger\" not in d\n",
		o.buf, o.len)) TH_LOG("%s", o.buf);
	free(o.buf);

	/* and as text */
	out_open(&o);
	print_state_text(o.f, &k);
	out_close(&o);
	EXPECT_NE(NULL, strstr(o.buf, "qkdchip1: client 0000:00:04.0 serial 01000000deadbeef\n"));
	EXPECT_NE(NULL, strstr(o.buf, "    laser current 75.500 mA on lock-loop off state locked"));
	EXPECT_NE(NULL, strstr(o.buf, "    modulator pmref bias -2496 mV\n"));
	EXPECT_NE(NULL, strstr(o.buf, "    voa atten 12.500 dB\n"));
	EXPECT_NE(NULL, strstr(o.buf, "    temp chip -0.250 C board 0.750 C fpga 1.750 C crit 70.000 C\n"));
	EXPECT_NE(NULL, strstr(o.buf, "    pci 1fc5:0001 link 2.5 GT/s x1 max 2.5 GT/s x1\n"));
	free(o.buf);
}

TEST(server_and_unbound)
{
	struct qkd_card k[2];
	struct qkd_state *st = &k[0].state;
	struct json j;
	struct out o;

	memset(k, 0, sizeof(k));
	snprintf(k[0].pci, sizeof(k[0].pci), "0000:00:03.0");
	k[0].index = 0;
	snprintf(k[0].name, sizeof(k[0].name), "qkdchip0");
	k[0].have_state = true;
	st->has = QKD_HAS_IDENTITY | QKD_HAS_COMB | QKD_HAS_TAGGER;
	st->role = QKDCHIP_ROLE_SERVER;
	st->features = 0xb1 | 1u << 12;		/* and a bit this program does not know */
	st->fw_date = 0x2026112a;			/* not BCD */
	st->comb.pump_ua = 300000;
	st->comb.lock_state = 9;			/* unknown */
	st->n_detectors = 1;
	st->detector[0].channel = 3;
	st->detector[0].delay_ps = -2000000;
	st->detector[0].eff_ppm = 800000;
	st->tagger.deadtime_ns = 50;
	st->tagger.ref_window_log2 = 17;
	snprintf(k[1].pci, sizeof(k[1].pci), "0000:00:05.0");
	k[1].index = -1;
	k[1].vendor = 0x1fc5;
	k[1].device = 1;

	out_open(&o);
	json_init(&j, o.f, false);
	json_arr_open(&j, NULL);
	print_state_json(&j, &k[0]);
	print_state_json(&j, &k[1]);
	json_arr_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_TRUE(python_ok(
		"import json, sys\n"
		"s, u = json.load(open(sys.argv[1]))\n"
		"assert s[\"role\"] == \"server\" and s[\"devnode\"] is None\n"
		"assert s[\"features\"] == [\"c2h\", \"tagger\", \"comb\", \"ext-clock\", \"bit12\"]\n"
		"assert s[\"fw-date\"] == \"0x2026112a\"\n"
		"assert s[\"comb\"][\"pump-ua\"] == 300000 and s[\"comb\"][\"lock-state\"] == \"unknown\"\n"
		"assert s[\"detector\"] == [{\"channel\": 3, \"bias-ua\": 0, \"eff-ppm\": 800000, "
		"\"dark-cps\": 0, \"delay-ps\": -2000000}]\n"
		"assert s[\"tagger\"] == {\"deadtime-ns\": 50, \"ref-window-log2\": 17}\n"
		"assert \"laser\" not in s and \"pci\" not in s\n"
		"assert u == {\"index\": None, \"name\": None, \"bus-name\": \"0000:00:05.0\", "
		"\"devnode\": None, \"pci\": {\"vendor\": \"0x1fc5\", \"device\": \"0x0001\", "
		"\"subsystem-vendor\": \"0x0000\", \"subsystem-device\": \"0x0000\"}}, u\n",
		o.buf, o.len)) TH_LOG("%s", o.buf);
	free(o.buf);

	out_open(&o);
	print_state_text(o.f, &k[1]);
	out_close(&o);
	EXPECT_STREQ("-: 0000:00:05.0 (no driver bound)\n    pci 1fc5:0001\n", o.buf);
	free(o.buf);
}

TEST(stats_json)
{
	struct qkd_stats st;
	struct json j;
	struct out o;
	uint64_t *f = &st.c2h_records;
	unsigned int i;

	for (i = 0; i < sizeof(st) / sizeof(*f); i++)
		memcpy((char *)&st + i * sizeof(*f), &(uint64_t){ 1000 + i }, sizeof(*f));
	out_open(&o);
	json_init(&j, o.f, false);
	json_obj_open(&j, NULL);
	print_stats_json(&j, &st);
	json_obj_close(&j);
	json_end(&j);
	out_close(&o);
	EXPECT_TRUE(python_ok(
		"import json, sys\n"
		"s = json.load(open(sys.argv[1]))[\"stats\"]\n"
		"names = [\"c2h-records\", \"c2h-dropped\", \"c2h-losses\", \"c2h-writebacks\", "
		"\"c2h-dma-errors\", \"c2h-stalls\", \"c2h-read\", \"c2h-bad\", \"pat-consumed\", "
		"\"pat-underrun-slots\", \"pat-underruns\", \"pat-bad-symbols\", \"pat-dma-errors\", "
		"\"pat-written\", \"table-loads\", \"table-switches\", \"table-errors\", \"events\", "
		"\"events-lost\", \"irq-events\", \"irq-c2h\", \"irq-h2c\"]\n"
		"assert list(s) == names, list(s)\n"
		"assert [s[n] for n in names] == list(range(1000, 1022))\n", o.buf, o.len))
		TH_LOG("%s", o.buf);
	(void)f;
	free(o.buf);
}

TEST_HARNESS_MAIN
