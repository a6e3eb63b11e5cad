// SPDX-License-Identifier: GPL-2.0-only
/*
 * qkdemu: the emulated qkdchip card. Serves one vfio-user socket per card and a
 * control socket for tests (Documentation/qkdemu/index.rst).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "card.h"
#include "control.h"
#include "loop.h"
#include "vfu.h"
#include "qkdchip_hw.h"

#define QKDEMU_MAX_CARDS	16
#define QKDEMU_MAX_FAULTS	64
/* The loop wakes a card at most this often (the card catches up exactly when it does). */
#define QKDEMU_MIN_GAP_NS	200000

struct emu;

struct emu_card {
	struct emu *emu;
	struct card *card;
	struct vfu *vfu;
	struct loop_timer *timer;
	enum card_role role;
	char path[PATH_MAX];
};

struct emu {
	struct loop *loop;
	struct emu_card cards[QKDEMU_MAX_CARDS];
	unsigned int ncards;
	struct control *control;
	int sigfd;
	bool verbose;
	uint64_t t0;		/* loop_now_ns() at power-up: the cards' time 0 */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdemu --socket-dir DIR --cards LIST [OPTIONS]\n"
		"\n"
		"Emulates qkdchip PCIe cards for QEMU's vfio-user-pci client: one UNIX socket\n"
		"per card, DIR/card0.sock, DIR/card1.sock, ...\n"
		"\n"
		"  -d, --socket-dir DIR   directory for the card sockets (must exist)\n"
		"  -c, --cards LIST       comma-separated roles, e.g. server,client,client (1..%d)\n"
		"  -s, --seed N           seed for every random process (default 1)\n"
		"  -C, --control PATH     listen for control commands on this UNIX socket\n"
		"  -r, --ready-fd FD      write \"ready\" to FD and close it once listening\n"
		"  -f, --fault CARD:NAME[:ARG...]\n"
		"                         inject a fault at start (repeatable), e.g. 0:dma-write,\n"
		"                         1:stall:100, 0:irq-storm:1:1000; NAMEs as for the\n"
		"                         control command 'fault' below ('remove' only at run time)\n"
		"  -v, --verbose          log every control command and connection to stderr\n"
		"  -h, --help             this text\n"
		"\n"
		"Control commands (one per line; see Documentation/qkdemu/index.rst):\n%s",
		QKDEMU_MAX_CARDS, control_help());
}

static void *emu_dma_ptr(void *ctx, uint64_t iova, uint64_t len, bool write)
{
	struct emu_card *ec = ctx;

	/* no DMA while the guest has bus mastering off (PCI_COMMAND_MASTER) */
	if (!(vfu_pci_command(ec->vfu) & 0x4))
		return NULL;
	return vfu_dma_ptr(ec->vfu, iova, len, write ? PROT_READ | PROT_WRITE : PROT_READ);
}

/* Bring a card up to the present, and re-arm its timer for what it does next. */
static void emu_sync(struct emu_card *ec)
{
	card_advance(ec->card, loop_now_ns() - ec->emu->t0);
}

static void emu_rearm(struct emu_card *ec)
{
	uint64_t next = card_next_deadline_ns(ec->card), now = loop_now_ns() - ec->emu->t0;
	uint64_t delay;

	if (next == UINT64_MAX) {
		loop_timer_arm(ec->timer, 0, 0);
		return;
	}
	delay = next > now ? next - now : 0;
	if (delay < QKDEMU_MIN_GAP_NS)
		delay = QKDEMU_MIN_GAP_NS;
	loop_timer_arm(ec->timer, delay, 0);
}

static void emu_timer(void *arg)
{
	struct emu_card *ec = arg;

	emu_sync(ec);
	emu_rearm(ec);
}

static int emu_irq(void *ctx, unsigned int vector)
{
	struct emu_card *ec = ctx;

	return vfu_irq_trigger(ec->vfu, vector);
}

static int emu_bar_read(void *priv, unsigned int bar, uint64_t off, void *buf, uint32_t len)
{
	struct emu_card *ec = priv;
	int ret;

	emu_sync(ec);
	ret = card_bar_read(ec->card, bar, off, buf, len);
	emu_rearm(ec);
	return ret;
}

static int emu_bar_write(void *priv, unsigned int bar, uint64_t off, const void *buf,
			 uint32_t len)
{
	struct emu_card *ec = priv;
	int ret;

	emu_sync(ec);
	ret = card_bar_write(ec->card, bar, off, buf, len);
	emu_rearm(ec);
	return ret;
}

static void emu_reset(void *priv)
{
	struct emu_card *ec = priv;

	emu_sync(ec);
	card_reset(ec->card);
	emu_rearm(ec);
}

static void emu_connected(void *priv, bool up)
{
	(void)priv;
	(void)up;
}

/* Records due before the memory goes are written first; later accesses fault. */
static void emu_dma_unmapping(void *priv, uint64_t iova, uint64_t len)
{
	struct emu_card *ec = priv;

	(void)iova;
	(void)len;
	emu_sync(ec);
	emu_rearm(ec);
}

static const struct vfu_dev_ops emu_ops = {
	.bar_read = emu_bar_read,
	.bar_write = emu_bar_write,
	.reset = emu_reset,
	.connected = emu_connected,
	.dma_unmapping = emu_dma_unmapping,
};

static int parse_cards(const char *list, enum card_role *roles, unsigned int *n)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == QKDEMU_MAX_CARDS) {
			fprintf(stderr, "qkdemu: --cards: at most %d cards\n", QKDEMU_MAX_CARDS);
			ret = -EINVAL;
			break;
		}
		if (!strcmp(tok, "server")) {
			roles[(*n)++] = CARD_SERVER;
		} else if (!strcmp(tok, "client")) {
			roles[(*n)++] = CARD_CLIENT;
		} else {
			fprintf(stderr, "qkdemu: --cards: unknown role '%s' (server or client)\n", tok);
			ret = -EINVAL;
			break;
		}
	}
	if (!ret && !*n) {
		fprintf(stderr, "qkdemu: --cards: no cards given\n");
		ret = -EINVAL;
	}
	free(copy);
	return ret;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static void emu_signal(void *arg, uint32_t events)
{
	struct emu *emu = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(emu->sigfd, &si, sizeof(si)) == sizeof(si))
		loop_stop(emu->loop);
}

/* control.c calls back into the emulator through these. */
static struct card *emu_ctl_card(void *ctx, unsigned int index)
{
	struct emu *emu = ctx;

	return index < emu->ncards ? emu->cards[index].card : NULL;
}

static struct vfu *emu_ctl_vfu(void *ctx, unsigned int index)
{
	struct emu *emu = ctx;

	return index < emu->ncards ? emu->cards[index].vfu : NULL;
}

static void emu_ctl_sync(void *ctx, unsigned int index)
{
	struct emu *emu = ctx;

	if (index < emu->ncards)
		emu_sync(&emu->cards[index]);
}

static void emu_ctl_rearm(void *ctx, unsigned int index)
{
	struct emu *emu = ctx;

	if (index < emu->ncards)
		emu_rearm(&emu->cards[index]);
}

/* --fault CARD:NAME[:ARG...] */
static int parse_fault(const char *spec, unsigned int *card, struct card_fault *f)
{
	char *copy = strdup(spec), *words[8], *save = NULL, *tok, err[160];
	int n = 0, ret = -EINVAL;
	uint64_t idx;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ":", &save); tok && n < 8; tok = strtok_r(NULL, ":", &save))
		words[n++] = tok;
	if (tok || n < 2 || parse_u64(words[0], &idx) || idx >= QKDEMU_MAX_CARDS) {
		fprintf(stderr, "qkdemu: --fault '%s': expected CARD:NAME[:ARG...]\n", spec);
		goto out;
	}
	if (card_fault_parse(n - 1, words + 1, f, err, sizeof(err))) {
		fprintf(stderr, "qkdemu: --fault '%s': %s\n", spec, err);
		goto out;
	}
	if (f->kind == CARD_FAULT_REMOVE) {
		fprintf(stderr, "qkdemu: --fault '%s': remove is only available at run time "
			"(control command 'remove' or 'fault CARD remove')\n", spec);
		goto out;
	}
	*card = (unsigned int)idx;
	ret = 0;
out:
	free(copy);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket-dir", required_argument, NULL, 'd' },
		{ "cards", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "fault", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dir = NULL, *cards = NULL, *control_path = NULL;
	enum card_role roles[QKDEMU_MAX_CARDS];
	struct emu emu = { .sigfd = -1 };
	uint64_t seed = 1, v;
	int ready_fd = -1, opt, ret = 1;
	unsigned int i, n, nfaults = 0, fault_card[QKDEMU_MAX_FAULTS];
	struct card_fault faults[QKDEMU_MAX_FAULTS];
	struct stat st;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "d:c:s:C:r:f:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			cards = optarg;
			break;
		case 's':
			if (parse_u64(optarg, &seed)) {
				fprintf(stderr, "qkdemu: --seed: '%s' is not a non-negative integer\n",
					optarg);
				return 2;
			}
			break;
		case 'C':
			control_path = optarg;
			break;
		case 'r':
			if (parse_u64(optarg, &v) || v > INT_MAX) {
				fprintf(stderr, "qkdemu: --ready-fd: '%s' is not a file descriptor\n",
					optarg);
				return 2;
			}
			ready_fd = (int)v;
			break;
		case 'f':
			if (nfaults == QKDEMU_MAX_FAULTS) {
				fprintf(stderr, "qkdemu: --fault: at most %d\n", QKDEMU_MAX_FAULTS);
				return 2;
			}
			if (parse_fault(optarg, &fault_card[nfaults], &faults[nfaults]))
				return 2;
			nfaults++;
			break;
		case 'v':
			emu.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "qkdemu: see --help\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "qkdemu: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (!dir || !cards) {
		fprintf(stderr, "qkdemu: --socket-dir and --cards are required (see --help)\n");
		return 2;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "qkdemu: --socket-dir: '%s' is not a directory\n", dir);
		return 2;
	}
	if (parse_cards(cards, roles, &n))
		return 2;
	for (i = 0; i < nfaults; i++) {
		if (fault_card[i] >= n) {
			fprintf(stderr, "qkdemu: --fault: there is no card %u (have %u)\n",
				fault_card[i], n);
			return 2;
		}
	}
	if (ready_fd >= 0 && fcntl(ready_fd, F_GETFD) < 0) {
		fprintf(stderr, "qkdemu: --ready-fd: %d is not open\n", ready_fd);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	emu.loop = loop_new();
	if (!emu.loop) {
		fprintf(stderr, "qkdemu: cannot create the event loop\n");
		return 1;
	}
	emu.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (emu.sigfd < 0 || loop_add_fd(emu.loop, emu.sigfd, EPOLLIN, emu_signal, &emu)) {
		fprintf(stderr, "qkdemu: cannot watch signals: %s\n", strerror(errno));
		goto out;
	}

	emu.t0 = loop_now_ns();
	for (i = 0; i < n; i++) {
		struct emu_card *ec = &emu.cards[i];
		struct card_config cfg = { .role = roles[i], .index = i, .seed = seed };
		struct card_host host = { .dma_ptr = emu_dma_ptr, .irq = emu_irq, .ctx = ec };
		struct vfu_pci_info pci = {
			.vendor = QKDCHIP_PCI_VENDOR,
			.device = QKDCHIP_PCI_DEVICE,
			.subsys_vendor = QKDCHIP_PCI_VENDOR,
			.subsys_device = (uint16_t)roles[i],
			.revision = 1,
			.class_code = QKDCHIP_PCI_CLASS,
			.bar_size = { [QKDCHIP_BAR_REGS] = QKDCHIP_BAR_REGS_SIZE,
				      [QKDCHIP_BAR_MSIX] = QKDCHIP_BAR_MSIX_SIZE },
			.msix_vectors = QKDCHIP_NUM_VECTORS,
		};

		if ((size_t)snprintf(ec->path, sizeof(ec->path), "%s/card%u.sock", dir, i) >=
		    sizeof(ec->path)) {
			fprintf(stderr, "qkdemu: --socket-dir: path too long\n");
			goto out;
		}
		ec->role = roles[i];
		ec->emu = &emu;
		ec->card = card_new(&cfg, &host);
		if (!ec->card) {
			fprintf(stderr, "qkdemu: cannot create card %u\n", i);
			goto out;
		}
		emu.ncards++;
		ec->timer = loop_timer_new(emu.loop, emu_timer, ec);
		if (!ec->timer) {
			fprintf(stderr, "qkdemu: cannot create a timer: %s\n", strerror(errno));
			goto out;
		}
		ec->vfu = vfu_new(emu.loop, ec->path, &pci, &emu_ops, ec);
		if (!ec->vfu) {
			fprintf(stderr, "qkdemu: cannot serve %s: %s\n", ec->path, strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < nfaults; i++) {
		char err[160];

		if (card_inject(emu.cards[fault_card[i]].card, &faults[i], err, sizeof(err))) {
			fprintf(stderr, "qkdemu: --fault: card %u: %s\n", fault_card[i], err);
			goto out;
		}
	}
	for (i = 0; i < emu.ncards; i++)
		emu_rearm(&emu.cards[i]);

	if (control_path) {
		struct control_ops cops = {
			.card = emu_ctl_card,
			.vfu = emu_ctl_vfu,
			.sync = emu_ctl_sync,
			.rearm = emu_ctl_rearm,
			.ctx = &emu,
		};

		emu.control = control_new(emu.loop, control_path, &cops, emu.ncards, emu.verbose);
		if (!emu.control) {
			fprintf(stderr, "qkdemu: cannot listen on %s: %s\n", control_path,
				strerror(errno));
			goto out;
		}
	}

	if (ready_fd >= 0) {
		static const char msg[] = "ready\n";

		if (write(ready_fd, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
			fprintf(stderr, "qkdemu: cannot signal readiness: %s\n", strerror(errno));
		close(ready_fd);
	}
	if (emu.verbose)
		fprintf(stderr, "qkdemu: serving %u card(s) in %s, seed %" PRIu64 "\n",
			emu.ncards, dir, seed);

	ret = loop_run(emu.loop) ? 1 : 0;
out:
	if (emu.control)
		control_free(emu.control);
	for (i = 0; i < emu.ncards; i++) {
		if (emu.cards[i].vfu)
			vfu_free(emu.cards[i].vfu);
		loop_timer_free(emu.cards[i].timer);
		card_free(emu.cards[i].card);
	}
	if (emu.sigfd >= 0)
		close(emu.sigfd);
	loop_free(emu.loop);
	return ret;
}
