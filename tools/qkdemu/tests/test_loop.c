// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_loop - the epoll event loop (loop.c): descriptors, timers, signals, and changes
 * to registrations made from inside callbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "loop.h"

struct pipe_ctx {
	struct loop *l;
	int rfd, wfd;
	unsigned int calls;
	struct pipe_ctx *victim; /* deleted by this one's callback */
	bool del_self, stop;
};

static void pipe_cb(void *arg, uint32_t events)
{
	struct pipe_ctx *p = arg;
	char buf[16];

	p->calls++;
	if (events & EPOLLIN)
		(void)!read(p->rfd, buf, sizeof(buf));
	if (p->victim)
		loop_del_fd(p->l, p->victim->rfd);
	if (p->del_self)
		loop_del_fd(p->l, p->rfd);
	if (p->stop)
		loop_stop(p->l);
}

static void make_pipe(struct pipe_ctx *p, struct loop *l)
{
	int fds[2];

	memset(p, 0, sizeof(*p));
	p->l = l;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
		p->rfd = fds[0];
		p->wfd = fds[1];
	} else {
		p->rfd = p->wfd = -1;
	}
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

TEST(fd_readiness)
{
	struct loop *l = loop_new();
	struct pipe_ctx p;

	ASSERT_NE(NULL, l);
	make_pipe(&p, l);
	ASSERT_LE(0, p.rfd);
	ASSERT_EQ(0, loop_add_fd(l, p.rfd, EPOLLIN, pipe_cb, &p));
	EXPECT_EQ(-EEXIST, loop_add_fd(l, p.rfd, EPOLLIN, pipe_cb, &p));
	EXPECT_EQ(-EINVAL, loop_add_fd(l, -1, EPOLLIN, pipe_cb, &p));
	EXPECT_EQ(-EINVAL, loop_add_fd(l, p.wfd, EPOLLOUT, NULL, &p));
	EXPECT_EQ(-ENOENT, loop_mod_fd(l, p.wfd, EPOLLOUT));
	/* nothing to read: nothing happens */
	EXPECT_EQ(0, loop_run_once(l, 0));
	EXPECT_EQ(0u, p.calls);
	ASSERT_EQ(1, write(p.wfd, "x", 1));
	EXPECT_EQ(1, loop_run_once(l, 1000));
	EXPECT_EQ(1u, p.calls);
	/* masked out with loop_mod_fd(), back with it */
	ASSERT_EQ(0, loop_mod_fd(l, p.rfd, 0));
	ASSERT_EQ(1, write(p.wfd, "x", 1));
	EXPECT_EQ(0, loop_run_once(l, 0));
	ASSERT_EQ(0, loop_mod_fd(l, p.rfd, EPOLLIN));
	EXPECT_EQ(1, loop_run_once(l, 0));
	EXPECT_EQ(2u, p.calls);
	loop_del_fd(l, p.rfd);
	loop_del_fd(l, p.rfd); /* unknown now: ignored */
	ASSERT_EQ(1, write(p.wfd, "x", 1));
	EXPECT_EQ(0, loop_run_once(l, 0));
	EXPECT_EQ(2u, p.calls);
	close(p.rfd);
	close(p.wfd);
	loop_free(l);
}

TEST(delete_during_dispatch)
{
	struct loop *l = loop_new();
	struct pipe_ctx a, b;

	ASSERT_NE(NULL, l);
	make_pipe(&a, l);
	make_pipe(&b, l);
	/* both ready in the same batch; whichever runs first deletes the other */
	a.victim = &b;
	b.victim = &a;
	ASSERT_EQ(0, loop_add_fd(l, a.rfd, EPOLLIN, pipe_cb, &a));
	ASSERT_EQ(0, loop_add_fd(l, b.rfd, EPOLLIN, pipe_cb, &b));
	ASSERT_EQ(1, write(a.wfd, "x", 1));
	ASSERT_EQ(1, write(b.wfd, "x", 1));
	EXPECT_EQ(2, loop_run_once(l, 1000)); /* two events were returned... */
	EXPECT_EQ(1u, a.calls + b.calls);     /* ...but only one callback ran */
	close(a.rfd);
	close(a.wfd);
	close(b.rfd);
	close(b.wfd);
	loop_free(l);
}

TEST(delete_self_and_reuse_fd)
{
	struct loop *l = loop_new();
	struct pipe_ctx a;

	ASSERT_NE(NULL, l);
	make_pipe(&a, l);
	a.del_self = true;
	ASSERT_EQ(0, loop_add_fd(l, a.rfd, EPOLLIN, pipe_cb, &a));
	ASSERT_EQ(1, write(a.wfd, "xx", 2) > 0);
	EXPECT_EQ(1, loop_run_once(l, 1000));
	EXPECT_EQ(1u, a.calls);
	/* still readable, but deregistered */
	ASSERT_EQ(1, write(a.wfd, "x", 1));
	EXPECT_EQ(0, loop_run_once(l, 0));
	/* the same descriptor number can be registered again */
	a.del_self = false;
	ASSERT_EQ(0, loop_add_fd(l, a.rfd, EPOLLIN, pipe_cb, &a));
	EXPECT_EQ(1, loop_run_once(l, 0));
	EXPECT_EQ(2u, a.calls);
	close(a.rfd);
	close(a.wfd);
	loop_free(l);
}

struct tctx {
	struct loop_timer *t;
	unsigned int calls;
	uint64_t at, overruns;
	bool free_self, stop;
	struct loop *l;
};

static void timer_cb(void *arg)
{
	struct tctx *c = arg;

	c->calls++;
	c->at = loop_now_ns();
	c->overruns = loop_timer_overruns(c->t);
	if (c->stop)
		loop_stop(c->l);
	if (c->free_self) {
		loop_timer_free(c->t);
		c->t = NULL;
	}
}

TEST(timer_oneshot)
{
	struct loop *l = loop_new();
	struct tctx c = { .l = l, .stop = true };
	uint64_t t0;

	ASSERT_NE(NULL, l);
	c.t = loop_timer_new(l, timer_cb, &c);
	ASSERT_NE(NULL, c.t);
	t0 = loop_now_ns();
	ASSERT_EQ(0, loop_timer_arm(c.t, 5000000, 0));
	EXPECT_EQ(0, loop_run(l)); /* stopped by the callback */
	EXPECT_EQ(1u, c.calls);
	EXPECT_LE(t0 + 5000000, c.at);
	EXPECT_EQ(1u, c.overruns);
	/* one-shot: nothing more */
	sleep_ns(6000000);
	EXPECT_EQ(0, loop_run_once(l, 0));
	loop_timer_free(c.t);
	loop_free(l);
}

TEST(timer_periodic_overruns)
{
	struct loop *l = loop_new();
	struct tctx c = { .l = l };

	ASSERT_NE(NULL, l);
	c.t = loop_timer_new(l, timer_cb, &c);
	ASSERT_NE(NULL, c.t);
	ASSERT_EQ(0, loop_timer_arm(c.t, 0, 1000000)); /* every 1 ms, first after 1 ms */
	sleep_ns(10500000);                             /* >= 10 expirations pass unserved */
	EXPECT_EQ(1, loop_run_once(l, 0));
	EXPECT_EQ(1u, c.calls);                         /* folded into one callback */
	EXPECT_LE(10u, c.overruns);
	ASSERT_EQ(0, loop_timer_arm(c.t, 0, 0));        /* disarm */
	sleep_ns(2000000);
	EXPECT_EQ(0, loop_run_once(l, 0));
	EXPECT_EQ(1u, c.calls);
	/* re-arming before expiry replaces the old deadline */
	ASSERT_EQ(0, loop_timer_arm(c.t, 1000000, 0));
	ASSERT_EQ(0, loop_timer_arm(c.t, 1000000000, 0));
	sleep_ns(2000000);
	EXPECT_EQ(0, loop_run_once(l, 0));
	loop_timer_free(c.t);
	loop_free(l);
}

TEST(timer_free_from_callback)
{
	struct loop *l = loop_new();
	struct tctx c = { .l = l, .free_self = true };
	struct tctx other = { .l = l };

	ASSERT_NE(NULL, l);
	c.t = loop_timer_new(l, timer_cb, &c);
	other.t = loop_timer_new(l, timer_cb, &other); /* left for loop_free() */
	ASSERT_NE(NULL, c.t);
	ASSERT_NE(NULL, other.t);
	ASSERT_EQ(0, loop_timer_arm(c.t, 1000, 0));
	while (c.calls == 0)
		ASSERT_LE(0, loop_run_once(l, 1000));
	EXPECT_EQ(NULL, c.t);
	EXPECT_EQ(1u, c.calls);
	loop_free(l); /* frees "other" (ASan checks) */
}

TEST(stop_by_signal)
{
	struct loop *l = loop_new();

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, loop_add_signal(l, SIGUSR1));
	ASSERT_EQ(0, loop_add_signal(l, SIGUSR2));
	EXPECT_EQ(-EINVAL, loop_add_signal(l, SIGKILL));
	EXPECT_EQ(-EINVAL, loop_add_signal(l, 0));
	/* blocked now, so it waits in the signalfd instead of killing us */
	ASSERT_EQ(0, raise(SIGUSR2));
	EXPECT_EQ(SIGUSR2, loop_run(l));
	EXPECT_TRUE(loop_stopped(l));
	ASSERT_EQ(0, raise(SIGUSR1));
	EXPECT_EQ(SIGUSR1, loop_run(l));
	loop_free(l);
}

TEST(stop_from_callback)
{
	struct loop *l = loop_new();
	struct pipe_ctx a;

	ASSERT_NE(NULL, l);
	make_pipe(&a, l);
	a.stop = true;
	ASSERT_EQ(0, loop_add_fd(l, a.rfd, EPOLLIN, pipe_cb, &a));
	ASSERT_EQ(1, write(a.wfd, "x", 1));
	EXPECT_EQ(0, loop_run(l));
	EXPECT_EQ(1u, a.calls);
	loop_del_fd(l, a.rfd);
	close(a.rfd);
	close(a.wfd);
	loop_free(l);
}

TEST(now_is_monotonic)
{
	uint64_t a = loop_now_ns(), b;

	sleep_ns(1000000);
	b = loop_now_ns();
	EXPECT_LE(a + 1000000, b);
}

TEST_HARNESS_MAIN
