// SPDX-License-Identifier: GPL-2.0-only
/*
 * The qkdctl program, run as a user would: bad command lines fail with exit status 2,
 * nothing on stdout and one line on stderr saying what is wrong; every object and
 * command has --help; the commands that need no card (table check/show, decode) give
 * the right answers, their JSON parses (python3), and table errors name the line and
 * column.
 *
 * The program is $QKDCTL_BIN, or ../qkdctl next to this test (the build layout).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "run_program.h"

static const char *program(void)
{
	return test_program("QKDCTL_BIN", "qkdctl");
}

/* Run the program with the NULL-terminated arguments; stdin from @in if non-NULL. */
static void run_in(struct run *r, const char *in, const char *const *args)
{
	run_program(r, program(), in, args);
}

static void run(struct run *r, const char *const *args)
{
	run_in(r, NULL, args);
}

/* Bad input: exit 2, nothing on stdout, exactly one line "qkdctl: ..." containing @what */
#define EXPECT_BAD(what, ...) do { \
	static const char *const a_[] = { __VA_ARGS__, NULL }; \
	struct run r_; \
	run(&r_, a_); \
	if (r_.status != 2 || r_.nout || run_lines(r_.err) != 1 || !strstr(r_.err, what) || \
	    strncmp(r_.err, "qkdctl: ", 8)) \
		TH_LOG("%s: status %d, stdout %zu bytes, stderr: %s", #__VA_ARGS__, r_.status, \
		       r_.nout, r_.err); \
	EXPECT_EQ(2, r_.status); \
	EXPECT_EQ(0u, r_.nout); \
	EXPECT_EQ(1, run_lines(r_.err)); \
	EXPECT_NE(NULL, strstr(r_.err, what)); \
	EXPECT_EQ(0, strncmp(r_.err, "qkdctl: ", 8)); \
} while (0)

/* Write @text to a new temporary file; returns its path (static storage per slot). */
static const char *tmpfile_with(int slot, const void *text, size_t len)
{
	static char paths[4][32];
	int fd;

	snprintf(paths[slot], sizeof(paths[slot]), "/tmp/qkdctl-in%dXXXXXX", slot);
	fd = mkstemp(paths[slot]);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return "/nonexistent";
	close(fd);
	return paths[slot];
}

/* python3 -c @code on file @path (sys.argv[1]); true if it exits 0 */
static bool python_ok(const char *code, const char *path)
{
	char cmd[8192];
	int st;

	snprintf(cmd, sizeof(cmd), "python3 -c '%s' '%s'", code, path);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

TEST(program_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat(program(), &st)) TH_LOG("no program at %s", program());
}

TEST(global_usage)
{
	struct run r;

	run(&r, (const char *const[]){ NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_STREQ("qkdctl: missing object (try 'qkdctl help')\n", r.err);
	EXPECT_EQ(0u, r.nout);
	EXPECT_BAD("unknown object ''", "");
	EXPECT_BAD("unknown object 'frobnicate'", "frobnicate");
	EXPECT_BAD("unknown option '--frob'", "--frob");
	EXPECT_BAD("unknown option '-x'", "-x", "dev", "list");
	EXPECT_BAD("missing command (try 'qkdctl laser help')", "laser");
	EXPECT_BAD("laser: unknown command 'zap' (try 'qkdctl laser help')", "laser", "zap");
}

TEST(help_everywhere)
{
	static const char *const objs[][2] = {
		{ "dev", "list" }, { "dev", "show" }, { "dev", "set" }, { "laser", "set" },
		{ "modulator", "set" }, { "voa", "set" }, { "tec", "set" }, { "comb", "set" },
		{ "detector", "set" }, { "tagger", "set" }, { "clock", "set" }, { "table", "check" },
		{ "table", "show" }, { "table", "load" }, { "stream", "stop" }, { "tags", NULL },
		{ "decode", NULL }, { "monitor", NULL }, { "stats", NULL },
	};
	struct run r;
	unsigned int i;
	char want[64];

	run(&r, (const char *const[]){ "--help", NULL });
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "usage: qkdctl [OPTIONS] OBJECT COMMAND [ARGS]"));
	run(&r, (const char *const[]){ "help", NULL });
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "Exit status"));
	run(&r, (const char *const[]){ "--version", NULL });
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, strncmp(r.out, "qkdctl ", 7));

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		const char *o = objs[i][0], *cmd = objs[i][1];

		if (cmd) {
			run(&r, (const char *const[]){ o, "help", NULL });
			EXPECT_EQ(0, r.status) TH_LOG("%s help", o);
			snprintf(want, sizeof(want), "%s %s", o, cmd);
			EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s help: %s", o, r.out);
			run(&r, (const char *const[]){ o, cmd, "--help", NULL });
			snprintf(want, sizeof(want), "usage: qkdctl [OPTIONS] %s %s ", o, cmd);
		} else {
			run(&r, (const char *const[]){ o, "--help", NULL });
			snprintf(want, sizeof(want), "usage: qkdctl [OPTIONS] %s ", o);
		}
		EXPECT_EQ(0, r.status) TH_LOG("%s %s --help", o, cmd ? cmd : "");
		EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%s", r.out);
		EXPECT_GE(run_lines(r.out), 3) TH_LOG("%s %s: a description follows", o, cmd ? cmd : "");
		EXPECT_EQ(0u, r.nerr);
		/* --help anywhere after the command */
		if (cmd) {
			run(&r, (const char *const[]){ o, cmd, "qkdchip0", "--help", NULL });
			EXPECT_EQ(0, r.status);
			EXPECT_EQ(0, strncmp(r.out, want, strlen(want)));
		}
	}
}

TEST(laser_arguments)
{
	EXPECT_BAD("laser set: missing DEV", "laser", "set");
	EXPECT_BAD("nothing to set (current, on, off or lock-loop)", "laser", "set", "qkdchip0");
	EXPECT_BAD("'current' needs a value", "laser", "set", "qkdchip0", "current");
	EXPECT_BAD("current 'abc' is not a number with an optional unit (uA, mA or A)",
		   "laser", "set", "qkdchip0", "current", "abc");
	EXPECT_BAD("current '75 mA' is not a number", "laser", "set", "qkdchip0", "current",
		   "75 mA");
	EXPECT_BAD("current '200001' is out of range (0..200000 uA)",
		   "laser", "set", "qkdchip0", "current", "200001");
	EXPECT_BAD("current '0.2000001A' is not a whole number of uA",
		   "laser", "set", "qkdchip0", "current", "0.2000001A");
	EXPECT_BAD("current '-1mA' cannot be negative", "laser", "set", "qkdchip0", "current",
		   "-1mA");
	EXPECT_BAD("'current' given twice", "laser", "set", "qkdchip0", "current", "1",
		   "current", "2");
	EXPECT_BAD("'on/off' given twice", "laser", "set", "qkdchip0", "on", "off");
	EXPECT_BAD("lock-loop must be 'on' or 'off', not 'maybe'", "laser", "set", "qkdchip0",
		   "lock-loop", "maybe");
	EXPECT_BAD("unknown argument 'foo' (current, on, off or lock-loop)", "laser", "set",
		   "qkdchip0", "foo");
	EXPECT_BAD("'qkdchipX' is not a card (qkdchipN, N or a PCI address)", "laser", "set",
		   "qkdchipX", "on");
	EXPECT_BAD("'qkdchip64': card numbers go up to 63", "laser", "set", "qkdchip64", "on");
}

TEST(other_set_arguments)
{
	EXPECT_BAD("nothing to set (channel CH bias MV)", "modulator", "set", "qkdchip0");
	EXPECT_BAD("unknown modulator channel 'im9' (0..7, im1, im2, im3, pm1 or pmref)",
		   "modulator", "set", "qkdchip0", "channel", "im9", "bias", "1");
	EXPECT_BAD("modulator channel '8' is out of range (0..7)", "modulator", "set", "qkdchip0",
		   "channel", "8", "bias", "1");
	EXPECT_BAD("channel pm1: expected 'bias MV'", "modulator", "set", "qkdchip0", "channel",
		   "pm1");
	EXPECT_BAD("bias '10.001V' is out of range (-10000..10000 mV)", "modulator", "set",
		   "qkdchip0", "channel", "pm1", "bias", "10.001V");
	EXPECT_BAD("channel 1 given twice", "modulator", "set", "qkdchip0", "channel", "1",
		   "bias", "1", "channel", "im2", "bias", "2");
	EXPECT_BAD("expected 'channel CH bias MV', not 'bias'", "modulator", "set", "qkdchip0",
		   "bias", "1");
	EXPECT_BAD("attenuation '60.001dB' is out of range (0..60000 mdB)", "voa", "set",
		   "qkdchip0", "atten", "60.001dB");
	EXPECT_BAD("'atten' given twice", "voa", "set", "qkdchip0", "atten", "1", "atten", "2");
	EXPECT_BAD("unknown argument 'attenuation' (atten)", "voa", "set", "qkdchip0",
		   "attenuation", "1");
	EXPECT_BAD("set point '14.999C' is out of range (15000..45000 mC)", "tec", "set",
		   "qkdchip0", "setpoint", "14.999C");
	EXPECT_BAD("set point '25F' is not a number with an optional unit (mC (milli-degrees Celsius) or C)",
		   "tec", "set", "qkdchip0", "setpoint", "25F");
	EXPECT_BAD("channel 0: nothing to set (bias UA, delay PS)", "detector", "set", "qkdchip0",
		   "channel", "0");
	EXPECT_BAD("bias '31' is out of range (0..30 uA)", "detector", "set", "qkdchip0",
		   "channel", "0", "bias", "31");
	EXPECT_BAD("delay '2.000001us' is out of range (-2000000..2000000 ps)", "detector", "set",
		   "qkdchip0", "channel", "0", "delay", "2.000001us");
	EXPECT_BAD("delay '0.5ps' is not a whole number of ps", "detector", "set", "qkdchip0",
		   "channel", "0", "delay", "0.5ps");
	EXPECT_BAD("unknown argument 'gain' (bias, delay or channel)", "detector", "set",
		   "qkdchip0", "channel", "0", "gain", "3");
	EXPECT_BAD("'bias' given twice for channel 3", "detector", "set", "qkdchip0", "channel",
		   "3", "bias", "1", "bias", "2");
	EXPECT_BAD("dead time '9' is out of range (10..100000 ns)", "tagger", "set", "qkdchip0",
		   "deadtime", "9");
	EXPECT_BAD("ref-window (log2 slots) '25' is out of range (10..24)", "tagger", "set",
		   "qkdchip0", "ref-window", "25");
	EXPECT_BAD("unknown clock source 'gps' (internal or ext-10m-pps)", "clock", "set",
		   "qkdchip0", "source", "gps");
	EXPECT_BAD("nothing to set (source internal|ext-10m-pps)", "clock", "set", "qkdchip0");
	EXPECT_BAD("pump current '500.001mA' is out of range (0..500000 uA)", "comb", "set",
		   "qkdchip0", "pump", "500.001mA");
	EXPECT_BAD("frame-log2 '9' is out of range (10..30)", "dev", "set", "qkdchip0",
		   "frame-log2", "9");
	EXPECT_BAD("heartbeat '1.5s' is out of range (0..1000000 us)", "dev", "set", "qkdchip0",
		   "heartbeat", "1.5s");
	EXPECT_BAD("temp-crit '29.999C' is out of range (30000..100000 mC)", "dev", "set",
		   "qkdchip0", "temp-crit", "29.999C");
	EXPECT_BAD("unknown argument 'rate' (frame-log2, heartbeat or temp-crit)", "dev", "set",
		   "qkdchip0", "rate", "1");
}

TEST(read_command_arguments)
{
	EXPECT_BAD("dev show: unexpected argument 'b'", "dev", "show", "a", "b");
	EXPECT_BAD("dev show: 'a' is not a card", "dev", "show", "a");
	EXPECT_BAD("dev list: unexpected argument 'x'", "dev", "list", "x");
	EXPECT_BAD("table load: missing FILE", "table", "load", "qkdchip0");
	EXPECT_BAD("unexpected argument 'flip' (only 'switch' may follow FILE)", "table", "load",
		   "qkdchip0", "x.txt", "flip");
	EXPECT_BAD("/nonexistent/t.txt: No such file or directory", "table", "check",
		   "/nonexistent/t.txt");
	EXPECT_BAD("tags: missing DEV", "tags");
	EXPECT_BAD("unknown format 'xml' (csv or binary; -j for JSON)", "tags", "qkdchip0",
		   "--format", "xml");
	EXPECT_BAD("--verify needs --test-pattern", "tags", "qkdchip0", "--verify");
	EXPECT_BAD("--seed needs --test-pattern", "tags", "qkdchip0", "--seed", "3");
	EXPECT_BAD("--count '0' is out of range (1..", "tags", "qkdchip0", "--count", "0");
	EXPECT_BAD("--seconds '1.0001' is not a whole number of ms", "tags", "qkdchip0",
		   "--seconds", "1.0001");
	EXPECT_BAD("-j and --format binary exclude each other", "-j", "tags", "qkdchip0",
		   "--format", "binary");
	EXPECT_BAD("unknown option '--bogus' (try 'qkdctl tags --help')", "tags", "qkdchip0",
		   "--bogus");
	EXPECT_BAD("--count '0' is out of range", "monitor", "--count", "0");
	EXPECT_BAD("--timeout 'x' is not a number with an optional unit (s or ms)", "monitor",
		   "--timeout", "x");
	EXPECT_BAD("monitor: unexpected argument 'qkdchip1'", "monitor", "qkdchip0", "qkdchip1");
	EXPECT_BAD("stats: missing DEV", "stats");
	EXPECT_BAD("unknown argument '--bogus' (--netlink)", "stats", "qkdchip0", "--bogus");
	EXPECT_BAD("unknown stream 'foo' (c2h or pat)", "stream", "stop", "qkdchip0", "foo");
	EXPECT_BAD("usage: stream stop DEV c2h|pat", "stream", "stop", "qkdchip0");
	EXPECT_BAD("--frame-log2 '40' is out of range (10..30)", "decode", "--frame-log2", "40");
	EXPECT_BAD("/nonexistent.bin: No such file or directory", "decode", "/nonexistent.bin");
}

/* Valid arguments get past parsing: without the driver, to "no driver" (exit 3). */
TEST(valid_arguments_reach_the_kernel)
{
	static const char *const cmds[][16] = {
		{ "laser", "set", "qkdchip0", "current", "75.5mA", "on", "lock-loop", "on" },
		{ "modulator", "set", "0", "channel", "pmref", "bias", "-2.5V", "channel", "0",
		  "bias", "10000" },
		{ "voa", "set", "qkdchip0", "atten", "12.5dB" },
		{ "tec", "set", "qkdchip0", "setpoint", "25C", "off" },
		{ "detector", "set", "qkdchip0", "channel", "1", "bias", "20", "delay", "-1.5ns",
		  "channel", "0", "delay", "-2000000" },
		{ "tagger", "set", "qkdchip0", "deadtime", "1.5us", "ref-window", "24" },
		{ "clock", "set", "qkdchip0", "source", "ext-10m-pps" },
		{ "comb", "set", "qkdchip0", "pump", "0.3A", "on" },
		{ "dev", "set", "qkdchip0", "frame-log2", "30", "heartbeat", "1s", "temp-crit", "70C" },
	};
	struct stat st;
	bool driver = !stat("/sys/module/qkdchip", &st);
	struct run r;
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run(&r, cmds[i]);
		EXPECT_NE(2, r.status) TH_LOG("%s %s: %s", cmds[i][0], cmds[i][1], r.err);
		if (!driver) {
			EXPECT_EQ(3, r.status) TH_LOG("%s: %s", cmds[i][0], r.err);
			EXPECT_NE(NULL, strstr(r.err, "is the qkdchip module loaded?"));
			EXPECT_EQ(1, run_lines(r.err));
		}
	}
}

#define TABLE_OK "qkdchip-table 1\nsymbols 2\nchannels 1\nsamples 3\n" \
		 "symbol 0\n0 12849 13363 -2\nsymbol 1\n0 1*3\n"

TEST(table_check_and_show)
{
	const char *good = tmpfile_with(0, TABLE_OK, strlen(TABLE_OK));
	static const char bad_text[] = "qkdchip-table 1\nsymbols 1\nchannels 1\nsamples 2\n"
				       "symbol 0\n0 1 x\n";
	const char *bad = tmpfile_with(1, bad_text, strlen(bad_text));
	const char *outf;
	struct run r;
	char want[128];

	run(&r, (const char *const[]){ "table", "check", good, NULL });
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, ": 2 symbols, 1 channels, 3 samples per slot, CRC-32 0x"));

	run(&r, (const char *const[]){ "table", "check", bad, NULL });
	EXPECT_EQ(2, r.status);
	snprintf(want, sizeof(want),
		 "qkdctl: table check: %s: line 6, column 5: 'x' is not a sample (an integer, or VALUE*COUNT)\n",
		 bad);
	EXPECT_STREQ(want, r.err);
	EXPECT_EQ(0u, r.nout);

	/* stdin */
	run_in(&r, bad, (const char *const[]){ "table", "check", "-", NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "-: line 6, column 5: 'x' is not a sample"));

	/* JSON: geometry, values and the CRC (by python's own CRC-32 over the samples) */
	run(&r, (const char *const[]){ "-j", "table", "show", good, NULL });
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	outf = tmpfile_with(2, r.out, r.nout);
	EXPECT_TRUE(python_ok(
		"import json, sys, struct, zlib\n"
		"t = json.load(open(sys.argv[1]))\n"
		"assert (t[\"symbols\"], t[\"channels\"], t[\"samples\"]) == (2, 1, 3), t\n"
		"assert t[\"table\"] == [[[12849, 13363, -2]], [[1, 1, 1]]], t\n"
		"data = struct.pack(\"<6h\", 12849, 13363, -2, 1, 1, 1)\n"
		"assert t[\"crc32\"] == zlib.crc32(data), t\n", outf));
	unlink(outf);

	run(&r, (const char *const[]){ "-j", "table", "check", good, NULL });
	EXPECT_EQ(0, r.status);
	outf = tmpfile_with(2, r.out, r.nout);
	EXPECT_TRUE(python_ok("import json, sys\n"
			      "t = json.load(open(sys.argv[1]))\n"
			      "assert t[\"symbols\"] == 2 and t[\"file\"].startswith(\"/tmp/\")\n",
			      outf));
	unlink(outf);

	/* the text form round-trips */
	run(&r, (const char *const[]){ "table", "show", good, NULL });
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "symbol 1\n\t0     1*3\n"));
	outf = tmpfile_with(2, r.out, r.nout);
	run(&r, (const char *const[]){ "table", "check", outf, NULL });
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	unlink(outf);
	unlink(good);
	unlink(bad);
}

/* Records assembled by hand (Documentation/hw/streams.rst) */
static const uint64_t capture[] = {
	0x3300000000001000ULL,	/* TIME start at slot 0x1000 */
	0x1385a50000001005ULL,	/* TAG ch 3, ref, fine 1445, slot low 0x1005 */
	0x21bfffffffc03039ULL,	/* REFCOUNT unit 1, bucket 2, window 1023, 4194303/12345 */
	0x50200000075bcd15ULL,	/* LOST count, stall, 123456789 */
	0x700c000000002000ULL,	/* EVENT table-switched at slot 0x2000 */
	0x4babcdefdeadbeefULL,	/* SEED word 5, frame 0x1abcdef */
	0x62ffffffffffffffULL,	/* UNDERRUN last */
	0x9000000000000000ULL,	/* unknown type 9 */
};

static const char *write_capture(int slot, size_t extra)
{
	uint8_t buf[sizeof(capture) + 8];
	size_t i;

	for (i = 0; i < sizeof(capture) / 8; i++)
		for (int b = 0; b < 8; b++)
			buf[i * 8 + (size_t)b] = (uint8_t)(capture[i] >> (8 * b));	/* LE */
	return tmpfile_with(slot, buf, sizeof(capture) + extra);
}

TEST(decode_csv)
{
	static const char want[] =
		"type,slot,channel,ref,fine_ps,unit,bucket,window,left,right,kind,frame,word,data,reason,count,event,raw\n"
		"time,4096,,,,,,,,,start,,,,,,,0x3300000000001000\n"
		"tag,4101,3,1,1445,,,,,,,,,,,,,0x1385a50000001005\n"
		"refcount,,,,,1,2,1023,4194303,12345,,,,,,,,0x21bfffffffc03039\n"
		"lost,,,,,,,,,,count,,,,stall,123456789,,0x50200000075bcd15\n"
		"event,8192,,,,,,,,,,,,,,,table-switched,0x700c000000002000\n"
		"seed,,,,,,,,,,,28036591,5,0xdeadbeef,,,,0x4babcdefdeadbeef\n"
		"underrun,72057594037927935,,,,,,,,,last,,,,,,,0x62ffffffffffffff\n"
		"unknown,,,,,,,,,,,,,,,,,0x9000000000000000\n";
	const char *path = write_capture(0, 0);
	struct run r;

	run(&r, (const char *const[]){ "decode", path, NULL });
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ(want, r.out);
	EXPECT_EQ(0u, r.nerr);

	/* from stdin, without the header */
	run_in(&r, path, (const char *const[]){ "decode", "--no-header", NULL });
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ(want + strlen("type,slot,channel,ref,fine_ps,unit,bucket,window,left,right,"
				   "kind,frame,word,data,reason,count,event,raw\n"), r.out);
	unlink(path);

	/* a trailing partial record: the whole ones, then an error */
	path = write_capture(0, 3);
	run(&r, (const char *const[]){ "decode", "--no-header", path, NULL });
	EXPECT_EQ(2, r.status);
	EXPECT_EQ(8, run_lines(r.out));
	EXPECT_NE(NULL, strstr(r.err, "3 bytes after record 8 are not a whole record"));
	unlink(path);
}

TEST(decode_json_lines)
{
	const char *path = write_capture(0, 0), *outf;
	struct run r;

	run(&r, (const char *const[]){ "-j", "decode", "--base", "4096", path, NULL });
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(8, run_lines(r.out));
	outf = tmpfile_with(1, r.out, r.nout);
	EXPECT_TRUE(python_ok(
		"import json, sys\n"
		"recs = [json.loads(l) for l in open(sys.argv[1])]\n"
		"assert [r[\"type\"] for r in recs] == [\"time\", \"tag\", \"refcount\", \"lost\", "
		"\"event\", \"seed\", \"underrun\", \"unknown\"], recs\n"
		"assert recs[1] == {\"type\": \"tag\", \"slot\": 4101, \"channel\": 3, \"ref\": True, "
		"\"fine-ps\": 1445, \"raw\": \"0x1385a50000001005\"}, recs[1]\n"
		"assert recs[3][\"reason\"] == \"stall\" and recs[3][\"count\"] == 123456789\n"
		"assert recs[4][\"event\"] == \"table-switched\" and recs[4][\"slot\"] == 8192\n"
		"assert recs[5][\"data\"] == 0xdeadbeef\n", outf));
	unlink(outf);
	unlink(path);
}

TEST(json_of_read_commands_without_driver)
{
	struct stat st;
	struct run r;
	const char *outf;

	/* dev list works from the PCI bus alone: a valid (possibly empty) array */
	run(&r, (const char *const[]){ "-j", "dev", "list", NULL });
	if (stat("/sys/module/qkdchip", &st))
		EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	if (!r.status) {
		outf = tmpfile_with(1, r.out, r.nout);
		EXPECT_TRUE(python_ok("import json, sys\n"
				      "d = json.load(open(sys.argv[1]))\n"
				      "assert isinstance(d, list)\n", outf));
		unlink(outf);
	}
	run(&r, (const char *const[]){ "-jp", "dev", "list", NULL });
	if (!r.status) {
		outf = tmpfile_with(1, r.out, r.nout);
		EXPECT_TRUE(python_ok("import json, sys\n"
				      "assert isinstance(json.load(open(sys.argv[1])), list)\n",
				      outf));
		unlink(outf);
	}
}

TEST_HARNESS_MAIN
