/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A few threads that do requests with plain system calls, the way
 * io_uring's io-wq does what it cannot do inline: the sync engine's
 * whole work, and the libaio engine's buffered work, which io_submit()
 * would otherwise do in the caller's thread.
 *
 * One mutex guards the queue and the done list; a worker owns a request
 * from taking it until it is on the done list, so no request is touched
 * by two threads at once.
 */
#ifndef ACP_WORKERS_H
#define ACP_WORKERS_H

#include <pthread.h>

#include "engine.h"

#define WORKERS_MAX	16

struct workers {
	pthread_mutex_t	  lock;
	pthread_cond_t	  work_cv;	/* work queued, or stop */
	pthread_cond_t	  done_cv;	/* a request finished */
	struct req	**work;		/* a ring of size entries */
	unsigned	  size;
	unsigned	  whead;
	unsigned	  wcount;
	struct req	**done;		/* finished, not yet reaped */
	unsigned	  ndone;
	unsigned	  pending;	/* queued and not yet reaped */
	unsigned	  want;		/* done[] a waiting reaper wants */
	pthread_t	  threads[WORKERS_MAX];
	unsigned	  nthreads;
	unsigned	  maxthreads;	/* nthreads may grow to it */
	unsigned	  nidle;	/* threads in no call */
	/* What each thread is doing (its own slot), for a cancel. */
	struct {
		pthread_t	  tid;
		struct req	 *req;	/* NULL: idle */
		int		  cancel;	/* req was cancelled */
	}		  busy[WORKERS_MAX];
	unsigned	  nbusy;	/* slots taken by started threads */
	int		  stop;
	int		  up;		/* lock and conditions exist */
	int		  notify;	/* an eventfd told of work done, or -1 */
};

/*
 * Room for size requests, min(size, threads, WORKERS_MAX) threads;
 * notify (an eventfd, or -1) gets 1 added when a worker's request is
 * the first on the done list since the reaper last took it.
 * 0 or -errno; workers_stop() in any case.
 */
int		workers_start(struct workers *, unsigned size, unsigned threads,
		    int notify);

/*
 * Let the threads grow to threads (at most min(size, WORKERS_MAX)), one
 * at a time, each when a request that may sleep in its call (a direct
 * read, a flush, a call on a network file system) finds every thread
 * busy.  Threads that would only copy memory outnumbering the CPUs cost
 * more than they give: a wake-up of a different thread for each call.
 */
void		workers_grow_to(struct workers *, unsigned threads);

/*
 * Queue req, if fewer than size are pending: 0, or -EBUSY.  A quick one
 * (engine.h) is made at once on this thread, and reaped like the rest.
 */
int		workers_queue(struct workers *, struct req *);

/*
 * Wait for min finished (at most the pending), take up to max; fewer
 * when 100 ms pass first, so a signal is seen.
 */
unsigned	workers_reap(struct workers *, unsigned min, struct req **reqs,
		    unsigned max);

/*
 * Make req end now: one still queued comes back with -ECANCELED; the
 * thread running one is signalled now and at each workers_reap() until
 * its call returns (EINTR).  It never waits.
 */
void		workers_cancel(struct workers *, struct req *);

/*
 * Join the threads (each ends the call it is in) and free what start
 * made: 0.  With abandoned (calls given up on, that may never end), 1
 * when a thread is still in one: then nothing is joined or freed, and
 * the caller must keep w too.
 */
int		workers_stop(struct workers *, int abandoned);

#endif
