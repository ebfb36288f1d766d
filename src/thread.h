/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acp's helper threads (the scout, the look ahead, --progress's counter)
 * take no signal: a stop (SIGINT, SIGTERM, SIGHUP) is the main thread's,
 * and must interrupt the call it waits in, not land on a helper.  The
 * worker threads (workers.c) are not among them: a cancel wakes one with
 * a signal of its own.
 */
#ifndef ACP_THREAD_H
#define ACP_THREAD_H

#include <pthread.h>

/* pthread_create(), the thread born with every signal blocked: 0, errno. */
int	thread_start(pthread_t *, void *(*)(void *), void *);

/* The CPUs this process may run on; 0 where that cannot be told. */
unsigned	thread_cpus(void);

#endif
