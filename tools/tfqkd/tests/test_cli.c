// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tfqkd command, run as a program: bad input fails with one clear line on stderr and a
 * non-zero exit; --json parses and has the required keys; --plot writes a valid PNG or SVG.
 *
 * The program is $TFQKD_BIN, or ../tfqkd next to this test (the build layout).
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

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "run_program.h"

static const char *program(void)
{
	return test_program("TFQKD_BIN", "tfqkd");
}

/* run the program with the NULL-terminated arguments after argv[0] */
static void run(struct run *r, const char *const *args)
{
	run_program(r, program(), NULL, args);
}

/* bad input: exit 2, nothing on stdout, exactly one line on stderr containing @what */
#define EXPECT_BAD(what, ...) do { \
	static const char *const a_[] = { __VA_ARGS__, NULL }; \
	struct run r_; \
	run(&r_, a_); \
	if (r_.status != 2 || r_.nout || run_lines(r_.err) != 1 || !strstr(r_.err, what)) \
		TH_LOG("status %d, stdout %zu bytes, stderr: %s", r_.status, r_.nout, r_.err); \
	EXPECT_EQ(2, r_.status); \
	EXPECT_EQ(0u, r_.nout); \
	EXPECT_EQ(1, run_lines(r_.err)); \
	EXPECT_NE(NULL, strstr(r_.err, what)); \
} while (0)

TEST(program_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat(program(), &st)) TH_LOG("no program at %s", program());
}

TEST(help)
{
	static const char *const a[] = { "plan", "--help", NULL };
	static const char *const top[] = { "help", NULL };
	struct run r;

	run(&r, a);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "--distance"));
	EXPECT_NE(NULL, strstr(r.out, "--fix NAME=VALUE"));
	EXPECT_NE(NULL, strstr(r.out, "mu_z"));
	EXPECT_EQ(0u, r.nerr);
	run(&r, top);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "plan"));
}

TEST(bad_input)
{
	EXPECT_BAD("unknown command", "frobnicate");
	EXPECT_BAD("unknown option '--frobnicate'", "plan", "--frobnicate");
	EXPECT_BAD("needs a value", "plan", "--loss");
	EXPECT_BAD("STOP is below START", "plan", "--distance", "600:0:50");
	EXPECT_BAD("STEP must be positive", "plan", "--distance", "0:600:0");
	EXPECT_BAD("START:STOP:STEP", "plan", "--distance", "0:600");
	EXPECT_BAD("not a number", "plan", "--distance", "50,abc");
	EXPECT_BAD("--distance", "plan", "--distance", "-50");
	EXPECT_BAD("--loss: -0.2 is out of range", "plan", "--loss", "-0.2");
	EXPECT_BAD("--eta-d: 1.2 is out of range", "plan", "--eta-d", "1.2");
	EXPECT_BAD("--eta-d", "plan", "--eta-d", "0");
	EXPECT_BAD("--dark", "plan", "--dark", "1");
	EXPECT_BAD("--misalignment", "plan", "--misalignment", "0.5");
	EXPECT_BAD("--f", "plan", "--f", "0.9");
	EXPECT_BAD("--pulses", "plan", "--pulses", "0");
	EXPECT_BAD("--pulses: 'many' is not a number", "plan", "--pulses", "many");
	EXPECT_BAD("--eps-pe", "plan", "--eps-pe", "1");
	EXPECT_BAD("unknown protocol 'bb84'", "plan", "--protocol", "bb84");
	EXPECT_BAD("has no parameter 'mu'", "plan", "--fix", "mu=0.1");
	EXPECT_BAD("has no parameter 'mu_z'", "plan", "--protocol", "pm", "--fix", "mu_z=0.1");
	EXPECT_BAD("eps=1.5 is out of range", "plan", "--fix", "eps=1.5");
	EXPECT_BAD("mu_z=-1 is out of range", "plan", "--fix", "mu_z=-1");
	EXPECT_BAD("not NAME=VALUE", "plan", "--fix", "mu1");
	EXPECT_BAD("'x' is not a number", "plan", "--fix", "mu1=x");
	EXPECT_BAD("mu1 (0.5) must be below mu2 (0.2)", "plan", "--fix", "mu1=0.5,mu2=0.2");
	EXPECT_BAD("M=15 must be an even integer", "plan", "--protocol", "pm", "--fix", "M=15");
	EXPECT_BAD("p_z must be below 1", "plan", "--pulses", "1e12", "--fix", "p_z=1");
	EXPECT_BAD(".png or .svg", "plan", "--plot", "/tmp/rate.txt");
	EXPECT_BAD("unexpected argument", "plan", "stray");
}

TEST(table)
{
	static const char *const a[] = { "plan", "--protocol", "sns", "--distance", "100:300:100",
					 "--fix", "mu1=0.1,mu2=0.4", NULL };
	struct run r;

	run(&r, a);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(0u, r.nerr);
	/* 3 comment lines, 1 header, 3 rows */
	EXPECT_EQ(7, run_lines(r.out));
	EXPECT_NE(NULL, strstr(r.out, "distance_km"));
	EXPECT_NE(NULL, strstr(r.out, "    100.0 "));
	EXPECT_NE(NULL, strstr(r.out, "    300.0 "));
}

static int have_python(void)
{
	return system("python3 -c 'import json, xml.etree.ElementTree' >/dev/null 2>&1") == 0;
}

TEST(json_parses_with_required_keys)
{
	static const char *const protos[] = { "sns", "sns-aopp", "pm" };
	static const char *const keys[] = { "mu_z,eps,mu1,mu2,p_z,p0,p1", "mu_z,eps,mu1,mu2,p_z,p0,p1",
					    "mu,nu,p_mu,p_nu,M" };

	/* python3 is in tools/testbed/host-packages: its absence is a failure, not a skip */
	ASSERT_TRUE(have_python()) TH_LOG("python3 with json and xml.etree is needed");
	for (int i = 0; i < 3; i++) {
		const char *a[] = { "plan", "--protocol", protos[i], "--distance", "0,150,900",
				    "--pulses", "1e12", "--json", NULL };
		char path[] = "/tmp/tfqkd-cli-jsonXXXXXX", cmd[512];
		struct run r;
		int fd;
		FILE *f;

		run(&r, a);
		ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
		fd = mkstemp(path);
		ASSERT_GE(fd, 0);
		f = fdopen(fd, "w");
		ASSERT_NE(NULL, f);
		fwrite(r.out, 1, r.nout, f);
		fclose(f);
		/* 3 points, the required keys, PLOB null at 0 km (infinite), numbers elsewhere */
		snprintf(cmd, sizeof(cmd),
			 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
			 "assert isinstance(d, list) and len(d) == 3; "
			 "assert all(k in p for p in d for k in (\"distance_km\",\"key_rate\",\"plob\",\"params\")); "
			 "assert all(k in p[\"params\"] for p in d for k in sys.argv[2].split(\",\")); "
			 "assert [p[\"distance_km\"] for p in d] == [0, 150, 900]; "
			 "assert d[0][\"plob\"] is None and d[1][\"plob\"] > d[1][\"key_rate\"] > 0; "
			 "assert d[2][\"key_rate\"] == 0 and d[2][\"plob\"] > 0' %s %s",
			 path, keys[i]);
		EXPECT_EQ(0, system(cmd)) TH_LOG("JSON check failed for %s:\n%s", protos[i], r.out);
		unlink(path);
	}
}

static void run_plot(struct run *r, const char *proto, const char *file)
{
	const char *a[] = { "plan", "--protocol", proto, "--distance", "50:500:50", "--pulses", "1e11",
			    "--plot", file, NULL };

	run(r, a);
}

TEST(plot_png_and_svg)
{
	char dir[] = "/tmp/tfqkd-cli-plotXXXXXX", png[256], svg[256], cmd[600];
	unsigned char magic[8] = { 0 };
	struct run r;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(png, sizeof(png), "%s/rate.png", dir);
	snprintf(svg, sizeof(svg), "%s/rate.SVG", dir);
	run_plot(&r, "sns-aopp", png);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	f = fopen(png, "rb");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(8u, fread(magic, 1, 8, f));
	fclose(f);
	EXPECT_EQ(0, memcmp(magic, "\x89PNG\r\n\x1a\n", 8));
	run_plot(&r, "pm", svg);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	/* well-formed XML whose root element is svg */
	ASSERT_TRUE(have_python()) TH_LOG("python3 with json and xml.etree is needed");
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import sys, xml.etree.ElementTree as E; "
		 "assert E.parse(sys.argv[1]).getroot().tag.endswith(\"}svg\")' %s", svg);
	EXPECT_EQ(0, system(cmd));
	/* an unwritable destination is a runtime error (exit 1) with one line */
	snprintf(cmd, sizeof(cmd), "%s/no/such/dir/rate.png", dir);
	run_plot(&r, "sns", cmd);
	EXPECT_EQ(1, r.status);
	EXPECT_EQ(1, run_lines(r.err));
	EXPECT_NE(NULL, strstr(r.err, "cannot write plot"));
	unlink(png);
	unlink(svg);
	rmdir(dir);
}

TEST_HARNESS_MAIN
