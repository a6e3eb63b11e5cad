// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * loop.c - single-threaded epoll event loop with timerfd timers and a signalfd.
 *
 * Registrations live in a table indexed by file descriptor. A registration deleted while
 * a batch of events is being dispatched is only marked dead and put on a list that is
 * freed after the batch, so the epoll_event pointers of that batch stay valid and a dead
 * registration is never called.
 */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_BATCH 64

struct loop_ent {
	int fd;
	bool dead;
	loop_fd_cb cb;
	void *arg;
	struct loop_ent *next_dead;
};

struct loop {
	int epfd;
	struct loop_ent **ents; /* indexed by fd */
	size_t nents;
	struct loop_ent *dead;  /* freed after the current batch */
	unsigned int dispatching;
	bool stopped;
	int signo;              /* last stop signal received, 0 if none */
	int sigfd;
	sigset_t sigs;
	struct loop_timer *timers; /* all live timers, for loop_free() */
};

struct loop_timer {
	struct loop *loop;
	int fd;
	loop_timer_cb cb;
	void *arg;
	uint64_t overruns;
	struct loop_timer *prev, *next;
};

uint64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int e = errno;

		free(l);
		errno = e;
		return NULL;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigs);
	return l;
}

static void loop_reap(struct loop *l)
{
	while (l->dead) {
		struct loop_ent *e = l->dead;

		l->dead = e->next_dead;
		free(e);
	}
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->timers)
		loop_timer_free(l->timers);
	if (l->sigfd >= 0) {
		loop_del_fd(l, l->sigfd);
		close(l->sigfd);
	}
	for (size_t i = 0; i < l->nents; i++)
		free(l->ents[i]);
	loop_reap(l);
	free(l->ents);
	close(l->epfd);
	free(l);
}

static struct loop_ent *loop_find(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nents)
		return NULL;
	return l->ents[fd];
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_ent *e;

	if (fd < 0 || !cb)
		return -EINVAL;
	if (loop_find(l, fd))
		return -EEXIST;
	if ((size_t)fd >= l->nents) {
		size_t n = l->nents ? l->nents : 16;
		struct loop_ent **ne;

		while (n <= (size_t)fd)
			n *= 2;
		ne = realloc(l->ents, n * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		memset(ne + l->nents, 0, (n - l->nents) * sizeof(*ne));
		l->ents = ne;
		l->nents = n;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->cb = cb;
	e->arg = arg;
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(e);
		return err;
	}
	l->ents[fd] = e;
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct loop_ent *e = loop_find(l, fd);
	struct epoll_event ev = { .events = events };

	if (!e)
		return -ENOENT;
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct loop_ent *e = loop_find(l, fd);

	if (!e)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->ents[fd] = NULL;
	if (l->dispatching) {
		e->dead = true;
		e->next_dead = l->dead;
		l->dead = e;
	} else {
		free(e);
	}
}

/* ---- timers ------------------------------------------------------------------------ */

static void loop_timer_ready(void *arg, uint32_t events)
{
	struct loop_timer *t = arg;
	uint64_t n = 0;

	(void)events;
	/* A disarm or re-arm between the wake-up and now makes this read fail with EAGAIN:
	 * then the expiry no longer counts. */
	if (read(t->fd, &n, sizeof(n)) != (ssize_t)sizeof(n) || n == 0)
		return;
	t->overruns = n;
	t->cb(t->arg);
	/* t may be freed by its callback: do not touch it here. */
}

struct loop_timer *loop_timer_new(struct loop *l, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t;
	int err;

	if (!cb) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		err = errno;
		free(t);
		errno = err;
		return NULL;
	}
	t->loop = l;
	t->cb = cb;
	t->arg = arg;
	err = loop_add_fd(l, t->fd, EPOLLIN, loop_timer_ready, t);
	if (err) {
		close(t->fd);
		free(t);
		errno = -err;
		return NULL;
	}
	t->next = l->timers;
	if (l->timers)
		l->timers->prev = t;
	l->timers = t;
	return t;
}

static struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	return ts;
}

int loop_timer_arm(struct loop_timer *t, uint64_t first_ns, uint64_t period_ns)
{
	struct itimerspec its = { 0 };

	if (first_ns == 0 && period_ns != 0)
		first_ns = period_ns;
	its.it_value = ns_to_ts(first_ns);
	its.it_interval = ns_to_ts(period_ns);
	if (timerfd_settime(t->fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

uint64_t loop_timer_overruns(const struct loop_timer *t)
{
	return t->overruns;
}

void loop_timer_free(struct loop_timer *t)
{
	struct loop *l;

	if (!t)
		return;
	l = t->loop;
	loop_del_fd(l, t->fd);
	close(t->fd);
	if (t->prev)
		t->prev->next = t->next;
	else
		l->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

/* ---- signals ----------------------------------------------------------------------- */

static void loop_signal_ready(void *arg, uint32_t events)
{
	struct loop *l = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		l->signo = (int)si.ssi_signo;
		l->stopped = true;
	}
}

int loop_add_signal(struct loop *l, int signo)
{
	sigset_t one;
	int fd;

	if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
		return -errno;
	sigaddset(&l->sigs, signo);
	fd = signalfd(l->sigfd, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		int err = loop_add_fd(l, fd, EPOLLIN, loop_signal_ready, l);

		if (err) {
			close(fd);
			return err;
		}
		l->sigfd = fd;
	}
	return 0;
}

/* ---- running ----------------------------------------------------------------------- */

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_BATCH];
	int n;

	n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching++;
	for (int i = 0; i < n; i++) {
		struct loop_ent *e = evs[i].data.ptr;

		if (e->dead)
			continue;
		e->cb(e->arg, evs[i].events);
	}
	if (--l->dispatching == 0)
		loop_reap(l);
	return n;
}

int loop_run(struct loop *l)
{
	l->stopped = false;
	l->signo = 0;
	while (!l->stopped) {
		int n = loop_run_once(l, -1);

		if (n < 0)
			return n;
	}
	return l->signo;
}

void loop_stop(struct loop *l)
{
	l->stopped = true;
}

bool loop_stopped(const struct loop *l)
{
	return l->stopped;
}
