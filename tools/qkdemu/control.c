// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu control channel (see control.h).
 *
 * Every request is one line of at most CONTROL_LINE_MAX bytes; every request gets
 * exactly one reply line, "ok[ DATA]" or "error MESSAGE". A request may start with a
 * tag "#WORD "; the reply then starts with the same tag, so a client sharing a stream
 * (the guest's virtio port) can skip replies that are not its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "card.h"
#include "control.h"
#include "loop.h"
#include "vfu.h"
#include "qkdchip_hw.h"

#define CONTROL_LINE_MAX	512
#define CONTROL_MAX_CLIENTS	16

struct control_client {
	struct control *ctl;
	int fd;
	size_t len;
	bool overflow;		/* the current line is too long: answer it with an error */
	char buf[CONTROL_LINE_MAX];
};

struct control {
	struct loop *loop;
	struct control_ops ops;
	unsigned int ncards;
	bool verbose;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_client *clients[CONTROL_MAX_CLIENTS];
};

const char *control_help(void)
{
	return "  help                      list the commands\n"
	       "  cards                     number of cards\n"
	       "  info CARD                 role, serial and connection state of a card\n"
	       "  reg CARD OFFSET [VALUE]   read (or write) a 32-bit BAR0 register\n"
	       "  status CARD               engine states and counters (key=value ...)\n"
	       "  reset CARD                reset the card (as CTRL.RESET)\n"
	       "  clock CARD present|absent the external 10 MHz + PPS reference\n"
	       "  temp CARD SENSOR MC|auto  force a temperature (m°C) or release it;\n"
	       "                            SENSOR chip, board, fpga or 0..2\n"
	       "  model CARD [PARAM [INDEX] VALUE]\n"
	       "                            server click model: quantum CH RATE, reference\n"
	       "                            UNIT RATE (photons/s), drift MRAD, visibility PPM\n"
	       "  symbol CARD SLOT          the symbol a client card plays in a slot\n"
	       "  fault CARD NAME [ARG...]  inject a fault: dma-write, dma-read,\n"
	       "                            desc-error [c2h|pat] [INDEX], stall MS, corrupt,\n"
	       "                            lock-lost, over-temp SENSOR [MC],\n"
	       "                            irq-storm VECTOR COUNT, remove\n"
	       "  remove CARD               surprise removal: drop the card's vfio-user client\n"
	       "  exit [STATUS]             terminate the emulator at once (it 'dies')\n"
	       "CARD is N or cardN. Numbers are decimal or 0x-prefixed hexadecimal.\n";
}

static int reply(char *out, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return ret;
}

static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_card(struct control *ctl, const char *s, unsigned int *index)
{
	uint64_t v;

	if (s && !strncmp(s, "card", 4))
		s += 4;
	if (parse_num(s, ctl->ncards ? ctl->ncards - 1 : 0, &v) || !ctl->ncards)
		return -1;
	*index = (unsigned int)v;
	return 0;
}

static int card_command(struct control *ctl, struct card *card, unsigned int idx,
			unsigned int argc, char **argv, char *out, size_t len);

int control_exec(struct control *ctl, const char *line, char *out, size_t len)
{
	char copy[CONTROL_LINE_MAX], *argv[10], *save = NULL, *tok;
	unsigned int argc = 0, idx;
	struct card *card;
	uint64_t val;
	int ret;

	if (strlen(line) >= sizeof(copy))
		return reply(out, len, -1, "error line too long");
	strcpy(copy, line);
	for (tok = strtok_r(copy, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (argc == sizeof(argv) / sizeof(argv[0]))
			return reply(out, len, -1, "error too many arguments");
		argv[argc++] = tok;
	}
	if (!argc)
		return reply(out, len, -1, "error empty command (try 'help')");

	if (!strcmp(argv[0], "help")) {
		if (argc != 1)
			return reply(out, len, -1, "error usage: help");
		return reply(out, len, 0, "ok help cards info reg status reset clock temp model "
			     "symbol fault remove exit");
	}

	if (!strcmp(argv[0], "cards")) {
		if (argc != 1)
			return reply(out, len, -1, "error usage: cards");
		return reply(out, len, 0, "ok %u", ctl->ncards);
	}

	if (!strcmp(argv[0], "exit")) {
		if (argc > 2 || (argc == 2 && parse_num(argv[1], 255, &val)))
			return reply(out, len, -1, "error usage: exit [STATUS 0..255]");
		/* Die at once, as a crashing emulator would: no cleanup, no reply. */
		_exit(argc == 2 ? (int)val : 0);
	}

	{
		static const char *const card_cmds[] = { "info", "reg", "status", "reset", "clock",
							 "temp", "model", "symbol", "fault",
							 "remove" };
		unsigned int i;

		for (i = 0; i < sizeof(card_cmds) / sizeof(card_cmds[0]); i++)
			if (!strcmp(argv[0], card_cmds[i]))
				break;
		if (i == sizeof(card_cmds) / sizeof(card_cmds[0]))
			return reply(out, len, -1, "error unknown command '%s' (try 'help')",
				     argv[0]);
	}
	if (argc < 2 || parse_card(ctl, argv[1], &idx))
		return reply(out, len, -1, "error %s: missing or unknown card (have %u)", argv[0],
			     ctl->ncards);
	card = ctl->ops.card(ctl->ops.ctx, idx);
	if (!card)
		return reply(out, len, -1, "error %s: no card %u", argv[0], idx);
	if (ctl->ops.sync)
		ctl->ops.sync(ctl->ops.ctx, idx);
	ret = card_command(ctl, card, idx, argc, argv, out, len);
	if (ctl->ops.rearm)
		ctl->ops.rearm(ctl->ops.ctx, idx);
	return ret;
}

static int parse_s32(const char *s, int32_t *out)
{
	char *end;
	long v;

	if (!s || !*s || *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

static int parse_sensor(const char *s, unsigned int *sensor)
{
	static const char *const names[] = { "chip", "board", "fpga" };
	uint64_t v;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*sensor = i;
			return 0;
		}
	}
	if (parse_num(s, 2, &v))
		return -1;
	*sensor = (unsigned int)v;
	return 0;
}

static int card_command(struct control *ctl, struct card *card, unsigned int idx,
			unsigned int argc, char **argv, char *out, size_t len)
{
	char msg[CONTROL_LINE_MAX];
	uint64_t off, val;

	if (!strcmp(argv[0], "info")) {
		if (argc != 2)
			return reply(out, len, -1, "error usage: info CARD");
		return reply(out, len, 0, "ok card%u role=%s serial=%08" PRIx32 "%08" PRIx32
			     " connected=%d", idx, card_role_name(card_role(card)),
			     card_reg_peek(card, QKDCHIP_REG_SERIAL_HI),
			     card_reg_peek(card, QKDCHIP_REG_SERIAL_LO),
			     vfu_connected(ctl->ops.vfu(ctl->ops.ctx, idx)));
	}

	if (!strcmp(argv[0], "reg")) {
		if (argc < 3 || argc > 4 || parse_num(argv[2], 0xfffc, &off) || (off & 3) ||
		    (argc == 4 && parse_num(argv[3], UINT32_MAX, &val)))
			return reply(out, len, -1,
				     "error usage: reg CARD OFFSET [VALUE] (OFFSET 4-aligned < 0x10000)");
		if (argc == 4) {
			card_reg_write(card, (uint32_t)off, (uint32_t)val);
			return reply(out, len, 0, "ok");
		}
		return reply(out, len, 0, "ok 0x%08" PRIx32, card_reg_peek(card, (uint32_t)off));
	}

	if (!strcmp(argv[0], "status")) {
		if (argc != 2)
			return reply(out, len, -1, "error usage: status CARD");
		card_status(card, msg, sizeof(msg));
		return reply(out, len, 0, "ok %s", msg);
	}

	if (!strcmp(argv[0], "reset")) {
		if (argc != 2)
			return reply(out, len, -1, "error usage: reset CARD");
		card_reset(card);
		return reply(out, len, 0, "ok");
	}

	if (!strcmp(argv[0], "clock")) {
		if (argc != 3 || (strcmp(argv[2], "present") && strcmp(argv[2], "absent")))
			return reply(out, len, -1, "error usage: clock CARD present|absent");
		card_set_clock_ref(card, !strcmp(argv[2], "present"));
		return reply(out, len, 0, "ok");
	}

	if (!strcmp(argv[0], "temp")) {
		unsigned int sensor;
		int32_t mc = 0;
		bool force;

		if (argc != 4 || parse_sensor(argv[2], &sensor))
			return reply(out, len, -1, "error usage: temp CARD SENSOR MC|auto (SENSOR "
				     "chip, board, fpga or 0..2)");
		force = strcmp(argv[3], "auto");
		if (force && (parse_s32(argv[3], &mc) || mc < -55000 || mc > 200000))
			return reply(out, len, -1, "error temp: MC '%s' is not -55000..200000 or "
				     "auto", argv[3]);
		card_force_temp(card, sensor, force, mc);
		return reply(out, len, 0, "ok");
	}

	if (!strcmp(argv[0], "model")) {
		uint64_t index = 0, value;

		if (argc == 2) {
			if (card_role(card) != CARD_SERVER)
				return reply(out, len, -1, "error model: card %u is not a server", idx);
			card_model_show(card, msg, sizeof(msg));
			return reply(out, len, 0, "ok %s", msg);
		}
		if (argc == 5) {
			if (parse_num(argv[3], 255, &index))
				return reply(out, len, -1, "error model: bad index '%s'", argv[3]);
		} else if (argc != 4) {
			return reply(out, len, -1, "error usage: model CARD [quantum CH RATE | "
				     "reference UNIT RATE | drift MRAD | visibility PPM]");
		}
		if (parse_num(argv[argc - 1], UINT64_MAX, &value))
			return reply(out, len, -1, "error model: bad value '%s'", argv[argc - 1]);
		if ((argc == 5) != (!strcmp(argv[2], "quantum") || !strcmp(argv[2], "reference")))
			return reply(out, len, -1, "error usage: model CARD [quantum CH RATE | "
				     "reference UNIT RATE | drift MRAD | visibility PPM]");
		if (card_model_set(card, argv[2], (unsigned int)index, value, msg, sizeof(msg)))
			return reply(out, len, -1, "error %s", msg);
		return reply(out, len, 0, "ok");
	}

	if (!strcmp(argv[0], "symbol")) {
		int sym;

		if (argc != 3 || parse_num(argv[2], UINT64_MAX, &val))
			return reply(out, len, -1, "error usage: symbol CARD SLOT");
		if (card_role(card) != CARD_CLIENT)
			return reply(out, len, -1, "error symbol: card %u is not a client", idx);
		sym = card_symbol_at(card, val, NULL);
		if (sym == CARD_SYM_BLANK)
			return reply(out, len, 0, "ok blank");
		if (sym == CARD_SYM_UNKNOWN)
			return reply(out, len, 0, "ok unknown");
		return reply(out, len, 0, "ok %d", sym);
	}

	if (!strcmp(argv[0], "fault")) {
		struct card_fault f;

		if (argc < 3)
			return reply(out, len, -1, "error usage: fault CARD NAME [ARG...]");
		if (card_fault_parse((int)argc - 2, argv + 2, &f, msg, sizeof(msg)))
			return reply(out, len, -1, "error fault: %s", msg);
		if (f.kind == CARD_FAULT_REMOVE) {
			vfu_disconnect(ctl->ops.vfu(ctl->ops.ctx, idx));
			return reply(out, len, 0, "ok");
		}
		if (card_inject(card, &f, msg, sizeof(msg)))
			return reply(out, len, -1, "error fault: %s", msg);
		return reply(out, len, 0, "ok");
	}

	if (!strcmp(argv[0], "remove")) {
		if (argc != 2)
			return reply(out, len, -1, "error usage: remove CARD");
		vfu_disconnect(ctl->ops.vfu(ctl->ops.ctx, idx));
		return reply(out, len, 0, "ok");
	}

	return reply(out, len, -1, "error unknown command '%s' (try 'help')", argv[0]);
}

static void client_free(struct control_client *cl)
{
	struct control *ctl = cl->ctl;
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i] == cl)
			ctl->clients[i] = NULL;
	loop_del_fd(ctl->loop, cl->fd);
	close(cl->fd);
	free(cl);
}

/* Handle one complete line; returns -1 if the client must be dropped. */
static int client_line(struct control_client *cl, char *line)
{
	char out[CONTROL_LINE_MAX + 64], rep[CONTROL_LINE_MAX];
	const char *tag = "", *cmd = line;
	size_t taglen = 0;
	int n;

	if (line[0] == '#') {
		taglen = strcspn(line, " ");
		tag = line;
		cmd = line[taglen] ? line + taglen + 1 : "";
	}
	if (cl->overflow) {
		snprintf(rep, sizeof(rep), "error line too long (max %d bytes)", CONTROL_LINE_MAX - 1);
		cl->overflow = false;
	} else {
		control_exec(cl->ctl, cmd, rep, sizeof(rep));
	}
	if (cl->ctl->verbose)
		fprintf(stderr, "qkdemu: control: '%s' -> '%s'\n", cmd, rep);
	n = snprintf(out, sizeof(out), "%.*s%s%s\n", (int)taglen, tag, taglen ? " " : "", rep);
	if (n < 0 || (size_t)n >= sizeof(out))
		return -1;
	/* Replies are short; a client that does not read them is dropped. */
	if (send(cl->fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		return -1;
	return 0;
}

static void client_io(void *arg, uint32_t events)
{
	struct control_client *cl = arg;
	char tmp[1024];
	ssize_t n, i;

	n = recv(cl->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_free(cl);
		return;
	}
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char ch = tmp[i];

		if (ch == '\n') {
			cl->buf[cl->len] = '\0';
			cl->len = 0;
			if (client_line(cl, cl->buf)) {
				client_free(cl);
				return;
			}
		} else if (ch == '\0') {
			/* a NUL cannot be part of a command: poison the line */
			cl->overflow = true;
		} else if (cl->len < CONTROL_LINE_MAX - 1) {
			cl->buf[cl->len++] = ch;
		} else {
			cl->overflow = true;
		}
	}
	(void)events;
}

static void control_accept(void *arg, uint32_t events)
{
	struct control *ctl = arg;
	struct control_client *cl;
	unsigned int i;
	int fd;

	(void)events;
	fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS && ctl->clients[i]; i++)
		;
	cl = i < CONTROL_MAX_CLIENTS ? calloc(1, sizeof(*cl)) : NULL;
	if (!cl) {
		close(fd);
		return;
	}
	cl->ctl = ctl;
	cl->fd = fd;
	if (loop_add_fd(ctl->loop, fd, EPOLLIN, client_io, cl)) {
		close(fd);
		free(cl);
		return;
	}
	ctl->clients[i] = cl;
	if (ctl->verbose)
		fprintf(stderr, "qkdemu: control client connected\n");
}

struct control *control_new(struct loop *loop, const char *path, const struct control_ops *ops,
			    unsigned int ncards, bool verbose)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control *ctl;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->loop = loop;
	ctl->ops = *ops;
	ctl->ncards = ncards;
	ctl->verbose = verbose;
	strcpy(ctl->path, path);
	strcpy(sa.sun_path, path);
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->lfd < 0)
		goto err;
	unlink(path);
	if (bind(ctl->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(ctl->lfd, 8) ||
	    loop_add_fd(loop, ctl->lfd, EPOLLIN, control_accept, ctl))
		goto err_close;
	return ctl;

err_close:
	close(ctl->lfd);
err:
	free(ctl);
	return NULL;
}

void control_free(struct control *ctl)
{
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i])
			client_free(ctl->clients[i]);
	loop_del_fd(ctl->loop, ctl->lfd);
	close(ctl->lfd);
	unlink(ctl->path);
	free(ctl);
}
