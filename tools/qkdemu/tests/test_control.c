// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_control - the control channel (control.c) and qkdemu's command line: every
 * command with good and bad arguments, replies and tags on the socket, over-long lines
 * and NUL bytes, a deterministic fuzz of random command lines, and --help / --fault.
 * Bad input must give "error ..." and never crash (run under ASan in VARIANT=asan).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "card.h"
#include "control.h"
#include "loop.h"
#include "rng.h"
#include "vfu.h"
#include "qkdchip_hw.h"

struct env {
	char dir[64], ctl_path[128];
	struct loop *loop;
	struct card *card[2];
	struct vfu *vfu[2];
	struct control *ctl;
	unsigned int irqs, syncs, rearms;
};

static void *env_dma(void *ctx, uint64_t iova, uint64_t len, bool write)
{
	(void)ctx; (void)iova; (void)len; (void)write;
	return NULL;
}

static int env_irq(void *ctx, unsigned int vector)
{
	struct env *e = ctx;

	(void)vector;
	e->irqs++;
	return 0;
}

static int env_bar_read(void *priv, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	return card_bar_read(priv, bar, off, buf, len);
}

static int env_bar_write(void *priv, unsigned int bar, uint64_t off, const void *buf,
			 uint32_t len)
{
	return card_bar_write(priv, bar, off, buf, len);
}

static const struct vfu_dev_ops env_vfu_ops = {
	.bar_read = env_bar_read,
	.bar_write = env_bar_write,
};

static struct card *env_card(void *ctx, unsigned int i)
{
	struct env *e = ctx;

	return i < 2 ? e->card[i] : NULL;
}

static struct vfu *env_vfu(void *ctx, unsigned int i)
{
	struct env *e = ctx;

	return i < 2 ? e->vfu[i] : NULL;
}

static void env_sync(void *ctx, unsigned int i)
{
	((struct env *)ctx)->syncs++;
	(void)i;
}

static void env_rearm(void *ctx, unsigned int i)
{
	((struct env *)ctx)->rearms++;
	(void)i;
}

static int env_init(struct env *e)
{
	struct card_host host = { .dma_ptr = env_dma, .irq = env_irq, .ctx = e };
	struct control_ops ops = { .card = env_card, .vfu = env_vfu, .sync = env_sync,
				   .rearm = env_rearm, .ctx = e };
	unsigned int i;

	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/qkdemu-test-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	e->loop = loop_new();
	if (!e->loop)
		return -1;
	for (i = 0; i < 2; i++) {
		struct card_config cfg = { .role = i ? CARD_CLIENT : CARD_SERVER, .index = i,
					   .seed = 1 };
		struct vfu_pci_info pci = { .vendor = QKDCHIP_PCI_VENDOR,
					    .device = QKDCHIP_PCI_DEVICE,
					    .class_code = QKDCHIP_PCI_CLASS,
					    .bar_size = { [0] = QKDCHIP_BAR_REGS_SIZE },
					    .msix_vectors = 3 };
		char path[128];

		e->card[i] = card_new(&cfg, &host);
		snprintf(path, sizeof(path), "%s/card%u.sock", e->dir, i);
		e->vfu[i] = vfu_new(e->loop, path, &pci, &env_vfu_ops, e->card[i]);
		if (!e->card[i] || !e->vfu[i])
			return -1;
		vfu_set_log(e->vfu[i], NULL, NULL, VFU_LOG_ERR);
	}
	snprintf(e->ctl_path, sizeof(e->ctl_path), "%s/control.sock", e->dir);
	e->ctl = control_new(e->loop, e->ctl_path, &ops, 2, false);
	return e->ctl ? 0 : -1;
}

static void env_fini(struct env *e)
{
	char path[160];
	unsigned int i;

	if (e->ctl)
		control_free(e->ctl);
	for (i = 0; i < 2; i++) {
		vfu_free(e->vfu[i]);
		card_free(e->card[i]);
	}
	loop_free(e->loop);
	snprintf(path, sizeof(path), "%s", e->dir);
	rmdir(path);
}

static int exec(struct env *e, const char *line, char *out, size_t len)
{
	return control_exec(e->ctl, line, out, len);
}

FIXTURE(ctl) { struct env e; };
FIXTURE_SETUP(ctl) { ASSERT_EQ(0, env_init(&self->e)); }
FIXTURE_TEARDOWN(ctl) { env_fini(&self->e); }

TEST_F(ctl, good_commands)
{
	static const struct { const char *line, *reply; } good[] = {
		{ "help", "ok help cards info reg status reset clock temp model symbol fault "
			  "remove exit" },
		{ "cards", "ok 2" },
		{ "reg 0 0", "ok 0x51444b43" },
		{ "reg card1 0x8", "ok 0x00000001" },
		{ "reg 1 0x40 0xabcd", "ok" },
		{ "reg 1 64", "ok 0x0000abcd" },
		{ "reset 1", "ok" },
		{ "reg 1 0x40", "ok 0x00000000" },
		{ "clock 1 present", "ok" },
		{ "clock 1 absent", "ok" },
		{ "temp 0 chip 31000", "ok" },
		{ "reg 0 0x3080", "ok 0x00007918" },
		{ "temp 0 0 auto", "ok" },
		{ "temp 1 fpga -5000", "ok" },
		{ "reg 1 0x3088", "ok 0xffffec78" },
		{ "model 0 quantum 3 1000", "ok" },
		{ "model 0 reference 1 50000", "ok" },
		{ "model 0 drift 10", "ok" },
		{ "model 0 visibility 900000", "ok" },
		{ "symbol 1 12345", "ok blank" },
		{ "fault 0 dma-write", "ok" },
		{ "fault 1 dma-read", "ok" },
		{ "fault 1 desc-error pat 3", "ok" },
		{ "fault 0 desc-error", "ok" },
		{ "fault 0 stall 10", "ok" },
		{ "fault 0 corrupt", "ok" },
		{ "fault 1 lock-lost", "ok" },
		{ "fault 0 over-temp fpga 99000", "ok" },
		{ "fault 1 irq-storm 2 3", "ok" },
		{ "fault 1 remove", "ok" },
		{ "remove 0", "ok" },
	};
	char out[600];
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, exec(&self->e, good[i].line, out, sizeof(out))) TH_LOG("%s -> %s",
										good[i].line, out);
		EXPECT_STREQ(good[i].reply, out);
	}
	EXPECT_EQ(0, exec(&self->e, "info 1", out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "ok card1 role=client serial=01", 30)) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "connected=0") != NULL);
	EXPECT_EQ(0, exec(&self->e, "status 0", out, sizeof(out)));
	EXPECT_TRUE(strstr(out, " c2h=stopped ") != NULL) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, " status=0x21 ") != NULL) TH_LOG("over temperature: %s", out);
	EXPECT_TRUE(strstr(out, "pat=") == NULL);
	EXPECT_EQ(0, exec(&self->e, "status card1", out, sizeof(out)));
	EXPECT_TRUE(strstr(out, " pat=stopped ") != NULL) TH_LOG("%s", out);
	EXPECT_EQ(0, exec(&self->e, "model 0", out, sizeof(out)));
	EXPECT_TRUE(strstr(out, "quantum=0,0,0,1000 reference=0,50000 drift=10 "
			       "visibility=900000") != NULL) TH_LOG("%s", out);
	/* the irq-storm went to the model's host; sync and re-arm bracket card commands */
	EXPECT_GE(self->e.irqs, 1u);
	EXPECT_GT(self->e.syncs, 20u);
	EXPECT_EQ(self->e.syncs, self->e.rearms);
}

TEST_F(ctl, bad_commands)
{
	static const char *const bad[] = {
		"", "   ", "\t", "help me", "cards 1", "xyzzy", "XYZZY 0", "info", "info 2",
		"info card9", "info -1", "info 0x", "info card", "info 0 extra", "info 1.0",
		"reg 0", "reg 0 3", "reg 0 0x10000", "reg 0 0 0x100000000", "reg 0 abc",
		"reg 0 0 -1", "reg 0 +4", "reg 0 4 5 6", "status", "status 0 1", "reset",
		"reset x", "reset 0 0", "clock 0", "clock 0 maybe", "clock 0 present now",
		"temp 0 gpu 1000", "temp 0 chip", "temp 0 chip 999999", "temp 0 chip 12abc",
		"temp 0 3 1000", "temp 0 chip -99999999999", "model 1", "model 0 quantum 0",
		"model 0 quantum 5 100", "model 0 nonsense 1", "model 0 drift 1 2",
		"model 0 quantum 0 -5", "model 0 quantum 0 99999999999999999999",
		"model 0 reference 2 5", "model 0 visibility 1000001", "model 0 drift 100001",
		"model 0 quantum x 1", "model 1 quantum 0 1", "symbol 0 5", "symbol 1",
		"symbol 1 x", "symbol 1 -1", "fault", "fault 0", "fault 0 nope",
		"fault 0 stall", "fault 0 stall 0", "fault 0 stall 99999", "fault 0 stall x",
		"fault 0 desc-error pat", "fault 0 desc-error dma", "fault 0 desc-error c2h 4096",
		"fault 0 desc-error c2h 1 2", "fault 0 dma-read", "fault 0 over-temp",
		"fault 0 over-temp cpu", "fault 0 over-temp chip 999999", "fault 0 over-temp 3",
		"fault 0 irq-storm 3 10", "fault 0 irq-storm 0 0", "fault 0 irq-storm 0",
		"fault 0 irq-storm 0 1000001", "fault 0 corrupt x", "fault 0 dma-write 1",
		"fault 0 remove now", "remove", "remove 0 1", "remove 7", "exit abc", "exit 256",
		"exit -1", "exit 1 2",
		"a b c d e f g h i j k l m n",
	};
	char out[600], line[700];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, exec(&self->e, bad[i], out, sizeof(out))) TH_LOG("'%s' -> '%s'",
										 bad[i], out);
		EXPECT_EQ(0, strncmp(out, "error ", 6)) TH_LOG("'%s' -> '%s'", bad[i], out);
		EXPECT_GT(strlen(out), 12u) TH_LOG("a message, please: '%s'", out);
	}
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	EXPECT_EQ(-1, exec(&self->e, line, out, sizeof(out)));
	EXPECT_STREQ("error line too long", out);
	/* nothing changed on the way */
	EXPECT_EQ(0, exec(&self->e, "reg 0 0x40", out, sizeof(out)));
	EXPECT_STREQ("ok 0x00000000", out);
	/* a short reply buffer is not overrun */
	EXPECT_EQ(-1, exec(&self->e, "xyzzy", out, 8));
	EXPECT_STREQ("error u", out);
}

/* Random command lines: tokens from the vocabulary, numbers, junk. Never "exit". */
TEST_F(ctl, fuzz)
{
	static const char *const words[] = {
		"help", "cards", "info", "reg", "status", "reset", "clock", "temp", "model",
		"symbol", "fault", "remove", "0", "1", "2", "card0", "card1", "0x40", "0x1000",
		"0x2100", "present", "absent", "chip", "board", "fpga", "auto", "quantum",
		"reference", "drift", "visibility", "dma-write", "dma-read", "desc-error", "c2h",
		"pat", "stall", "corrupt", "lock-lost", "over-temp", "irq-storm", "-1",
		"4294967296", "18446744073709551616", "0x", "", "#", "\t", "1e3", "99999",
	};
	struct rng r;
	char line[512], out[600];
	unsigned int i, ok = 0, err = 0;

	rng_init(&r, 12345);
	for (i = 0; i < 20000; i++) {
		unsigned int n = rng_next(&r) % 7, k;
		size_t len = 0;

		line[0] = '\0';
		for (k = 0; k < n; k++) {
			const char *w = words[rng_next(&r) % (sizeof(words) / sizeof(words[0]))];
			char junk[8];

			if (rng_next(&r) % 8 == 0) {
				unsigned int j;

				for (j = 0; j < 7; j++)
					junk[j] = (char)(33 + rng_next(&r) % 94);
				junk[7] = '\0';
				w = junk;
			}
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", k ? " " : "",
						w);
		}
		if (!strncmp(line, "exit", 4))
			continue;
		if (!exec(&self->e, line, out, sizeof(out)))
			ok++;
		else
			err++;
		ASSERT_TRUE(!strncmp(out, "ok", 2) || !strncmp(out, "error ", 6)) TH_LOG("%s", line);
		loop_run_once(self->e.loop, 0);
	}
	EXPECT_GT(ok, 10u);
	EXPECT_GT(err, 1000u);
}

/* The socket: tags, replies in order, over-long lines, NUL bytes */
TEST_F(ctl, socket)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096], big[1200];
	size_t have = 0;
	int fd, i;

	strcpy(sa.sun_path, self->e.ctl_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	loop_run_once(self->e.loop, 100);	/* accept */
	memset(big, 'a', sizeof(big));
	ASSERT_EQ(25, write(fd, "#t1 cards\nreg 0 0\n#x2 foo\n", 25 + 1) - 1);
	ASSERT_EQ((ssize_t)sizeof(big), write(fd, big, sizeof(big)));
	ASSERT_EQ(1, write(fd, "\n", 1));
	ASSERT_EQ(11, write(fd, "cards\0 x\n#e", 11));
	ASSERT_EQ(6, write(fd, "1 xx\n\n", 6));
	for (i = 0; i < 50 && (!have || !strstr(buf, "error empty")); i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		loop_run_once(self->e.loop, 20);
		if (poll(&p, 1, 0) == 1) {
			n = read(fd, buf + have, sizeof(buf) - 1 - have);
			if (n > 0)
				have += (size_t)n;
			buf[have] = '\0';
		}
	}
	EXPECT_STREQ("#t1 ok 2\nok 0x51444b43\n#x2 error unknown command 'foo' (try 'help')\n"
		     "error line too long (max 511 bytes)\nerror line too long (max 511 bytes)\n"
		     "#e1 error unknown command 'xx' (try 'help')\n"
		     "error empty command (try 'help')\n", buf);
	close(fd);
}

/* ---- the command line ------------------------------------------------------------------- */

static char prog[PATH_MAX];

static int run(const char *const argv[], char *out, size_t len)
{
	int p[2], st;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + have, len - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void find_prog(void)
{
	char self_path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);

	self_path[n > 0 ? n : 0] = '\0';
	/* build/VARIANT/qkdemu/tests/test_control -> build/VARIANT/qkdemu/qkdemu */
	snprintf(prog, sizeof(prog), "%s/../qkdemu", dirname(self_path));
}

TEST(cli_help_lists_every_option)
{
	static const char *const opts[] = { "--socket-dir", "--cards", "--seed", "--control",
					     "--ready-fd", "--fault", "--verbose", "--help" };
	const char *argv[] = { "qkdemu", "--help", NULL };
	char out[8192];
	unsigned int i;

	find_prog();
	ASSERT_EQ(0, access(prog, X_OK)) TH_LOG("%s", prog);
	ASSERT_EQ(0, run(argv, out, sizeof(out)));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		EXPECT_TRUE(strstr(out, opts[i]) != NULL) TH_LOG("option %u missing", i);
	EXPECT_TRUE(strstr(out, "fault CARD NAME") != NULL);
	EXPECT_TRUE(strstr(out, "model CARD") != NULL);
}

TEST(cli_bad_arguments)
{
	char dir[] = "/tmp/qkdemu-cli-XXXXXX", out[4096];
	const char *const bad[][12] = {
		{ "qkdemu", "-d", dir, "-c", "nobody", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "-s", "-1", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "1:stall:5", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0:remove", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0:bogus", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "x:corrupt", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0:stall:0", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0:dma-read", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "--fault", "0:a:b:c:d:e:f:g:h:i", NULL },
		{ "qkdemu", "-d", dir, "-c", "server", "extra", NULL },
		{ "qkdemu", "-c", "server", NULL },
	};
	unsigned int i;

	find_prog();
	ASSERT_NE(NULL, mkdtemp(dir));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(i == 8 ? 1 : 2, run(bad[i], out, sizeof(out))) TH_LOG("case %u: %s", i,
										    out);
		EXPECT_TRUE(strstr(out, "qkdemu: ") != NULL) TH_LOG("case %u", i);
	}
	rmdir(dir);
}

/* Faults from the command line are applied at start. */
TEST(cli_faults_at_start)
{
	char dir[] = "/tmp/qkdemu-cli-XXXXXX", path[128], buf[256], fdarg[16];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int p[2], fd, st;
	ssize_t n;
	pid_t pid;

	find_prog();
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	ASSERT_EQ(0, pipe(p));
	snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
	pid = fork();
	if (!pid) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(dn, 2);
		close(p[0]);
		execl(prog, "qkdemu", "-d", dir, "-c", "server,client", "-C", path, "-r", fdarg,
		      "--fault", "1:over-temp:board:95000", "-f", "0:irq-storm:0:5", NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	ASSERT_EQ(6, n);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(9, write(fd, "status 1\n", 9));
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	EXPECT_TRUE(strstr(buf, " status=0x21 ") != NULL) TH_LOG("%s", buf);
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFEXITED(st));
	snprintf(path, sizeof(path), "%s/card0.sock", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/card1.sock", dir);
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
