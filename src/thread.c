/* SPDX-License-Identifier: BSD-2-Clause */
/* Helper threads that take no signal (thread.h). */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "thread.h"

int
thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t	all, old;
	int		ret;

	/* A new thread inherits its creator's mask. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(t, NULL, fn, arg);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

unsigned
thread_cpus(void)
{
	cpu_set_t	set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	return (unsigned)CPU_COUNT(&set);
}
