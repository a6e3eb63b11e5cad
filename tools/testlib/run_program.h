/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run_program.h - for native tests that run one of our programs as a user would: find the
 * program next to the test binary (or from an environment variable), run it with given
 * arguments and stdin, and capture its exit status, stdout and stderr. Header-only; include
 * it from tests/test_*.c (the tools' Makefiles put tools/testlib on the include path of
 * their tests).
 */
#ifndef QKDCHIP_TESTLIB_RUN_PROGRAM_H
#define QKDCHIP_TESTLIB_RUN_PROGRAM_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
	int status;		/* exit status, or -1 (not run, or killed by a signal) */
	char out[65536];
	char err[4096];
	size_t nout, nerr;
};

/*
 * The program under test: $@env if set, else @name in the directory above the test
 * binary (the build layout: build/VARIANT/TOOL/tests/test_x next to build/VARIANT/TOOL/name).
 */
static inline const char *test_program(const char *env, const char *name)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n;

	if (getenv(env))
		return getenv(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return name;
	self[n] = 0;
	snprintf(path, sizeof(path), "%s/../%s", dirname(self), name);
	return path;
}

/* Read what @fd (a temporary file) holds into @buf, NUL-terminated; closes @fd. */
static inline size_t run_slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fd);
	return n;
}

/*
 * Run @prog with the NULL-terminated arguments @args (after argv[0]), stdin from the file
 * @in (or /dev/null if NULL), and capture the result in @r.
 */
static inline void run_program(struct run *r, const char *prog, const char *in,
			       const char *const *args)
{
	char fo[] = "/tmp/run-outXXXXXX", fe[] = "/tmp/run-errXXXXXX";
	const char *argv[64];
	int o = mkstemp(fo), e = mkstemp(fe), st;
	size_t n = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (o < 0 || e < 0)
		return;
	unlink(fo);
	unlink(fe);
	argv[n++] = prog;
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int i = open(in ? in : "/dev/null", O_RDONLY);

		dup2(i, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	r->nout = run_slurp(o, r->out, sizeof(r->out));
	r->nerr = run_slurp(e, r->err, sizeof(r->err));
}

/* The number of newlines in @s. */
static inline int run_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#endif
