/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * loop.h - the single-threaded event loop of qkdemu.
 *
 * One epoll instance dispatches file-descriptor readiness, timerfd-based timers and a
 * signalfd for the signals the program wants to stop on. Nothing here blocks except
 * epoll_wait(). Callbacks may add, modify and delete any registration (their own
 * included) and free timers (their own included); a deleted registration is never
 * called again, even if it was ready in the same epoll_wait() batch.
 *
 * Errors are returned as negative errno values.
 */
#ifndef QKDEMU_LOOP_H
#define QKDEMU_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;

/**
 * typedef loop_fd_cb - called when a registered file descriptor is ready
 * @arg:    the pointer given to loop_add_fd()
 * @events: the EPOLL* bits that are ready (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR, ...)
 */
typedef void (*loop_fd_cb)(void *arg, uint32_t events);

/**
 * typedef loop_timer_cb - called when a timer expires
 * @arg: the pointer given to loop_timer_new()
 *
 * A periodic timer that expired several times since the last dispatch (because the loop
 * was busy) is called once; loop_timer_overruns() tells how many expirations that was.
 */
typedef void (*loop_timer_cb)(void *arg);

/**
 * loop_new() - create an event loop
 *
 * Return: the loop, or NULL with errno set.
 */
struct loop *loop_new(void);

/**
 * loop_free() - destroy a loop
 * @l: the loop (NULL is allowed)
 *
 * Timers still alive are freed; registered file descriptors are not closed (they belong to
 * their owners). Must not be called from a callback of @l.
 */
void loop_free(struct loop *l);

/**
 * loop_add_fd() - watch a file descriptor
 * @l:      the loop
 * @fd:     the descriptor (the caller keeps ownership)
 * @events: EPOLLIN, EPOLLOUT, ... (level-triggered unless EPOLLET is given)
 * @cb:     called with @arg and the ready events
 * @arg:    passed to @cb
 *
 * Return: 0, -EEXIST if @fd is already registered, -EINVAL for a bad @fd or NULL @cb, or
 * another -errno from epoll_ctl().
 */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg);

/**
 * loop_mod_fd() - change the events watched for a registered descriptor
 * @l:      the loop
 * @fd:     a descriptor registered with loop_add_fd()
 * @events: the new event mask
 *
 * Return: 0, -ENOENT if @fd is not registered, or -errno from epoll_ctl().
 */
int loop_mod_fd(struct loop *l, int fd, uint32_t events);

/**
 * loop_del_fd() - stop watching a descriptor
 * @l:  the loop
 * @fd: the descriptor; unknown descriptors are ignored
 *
 * Call this before closing @fd. The descriptor's callback is not called again.
 */
void loop_del_fd(struct loop *l, int fd);

/**
 * loop_timer_new() - create a (disarmed) timer backed by a CLOCK_MONOTONIC timerfd
 * @l:   the loop
 * @cb:  called on expiry
 * @arg: passed to @cb
 *
 * Return: the timer, or NULL with errno set.
 */
struct loop_timer *loop_timer_new(struct loop *l, loop_timer_cb cb, void *arg);

/**
 * loop_timer_arm() - (re)arm or disarm a timer
 * @t:         the timer
 * @first_ns:  delay until the first expiry, in nanoseconds from now (0 with @period_ns 0
 *             disarms; 0 with a non-zero period means "first expiry after one period")
 * @period_ns: interval of later expiries, or 0 for a one-shot timer
 *
 * Return: 0 or -errno.
 */
int loop_timer_arm(struct loop_timer *t, uint64_t first_ns, uint64_t period_ns);

/**
 * loop_timer_overruns() - expirations folded into the current callback
 * @t: the timer
 *
 * Return: how many expirations (>= 1) the timer's latest callback stood for (call it from
 * the callback); 0 before the first callback.
 */
uint64_t loop_timer_overruns(const struct loop_timer *t);

/**
 * loop_timer_free() - disarm and destroy a timer
 * @t: the timer (NULL is allowed); may be called from the timer's own callback
 */
void loop_timer_free(struct loop_timer *t);

/**
 * loop_add_signal() - make loop_run() return when a signal arrives
 * @l:     the loop
 * @signo: the signal (e.g. SIGINT, SIGTERM)
 *
 * The signal is blocked in the calling thread (sigprocmask) and received through a
 * signalfd instead, so it never interrupts a callback half-way.
 *
 * Return: 0 or -errno.
 */
int loop_add_signal(struct loop *l, int signo);

/**
 * loop_run() - dispatch events until loop_stop() or a signal from loop_add_signal()
 * @l: the loop
 *
 * Return: 0 after loop_stop(), the signal number (> 0) after a signal, or -errno if
 * epoll_wait() failed.
 */
int loop_run(struct loop *l);

/**
 * loop_run_once() - wait for and dispatch one batch of events
 * @l:          the loop
 * @timeout_ms: how long to wait at most (-1: forever, 0: do not wait)
 *
 * For tests and for programs that embed the loop in their own.
 *
 * A signal registered with loop_add_signal() is consumed here and makes loop_stopped()
 * true.
 *
 * Return: the number of events dispatched (0 on timeout), or -errno if epoll_wait()
 * failed.
 */
int loop_run_once(struct loop *l, int timeout_ms);

/**
 * loop_stop() - make loop_run() return after the current callback
 * @l: the loop
 */
void loop_stop(struct loop *l);

/**
 * loop_stopped() - whether loop_stop() was called or a stop signal was received
 * @l: the loop
 *
 * Return: true until the next loop_run() starts.
 */
bool loop_stopped(const struct loop *l);

/**
 * loop_now_ns() - the current CLOCK_MONOTONIC time in nanoseconds
 */
uint64_t loop_now_ns(void);

#endif /* QKDEMU_LOOP_H */
