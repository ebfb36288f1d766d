/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers.h"

/* The signal that interrupts a worker's blocked call: it only wakes. */
#define WORKERS_WAKE	SIGURG
/* How long a reap waits before it looks whether the run was stopped. */
#define WORKERS_TICK_MS	100
/*
 * While a cancelled call runs, its thread is signalled again this often:
 * a signal that comes just before the thread enters the call is lost.
 */
#define WORKERS_RESIGNAL_MS	5

static void
on_wake(int sig)
{
	(void)sig;
}

/*
 * A finished request goes to done[]; under the lock.  The reaper, when it
 * waits on done_cv, is woken once as many as it waits for are there; 1
 * when the notify eventfd must be told, after the lock is let go: the
 * list was empty (a reaper that polls it takes the whole list each time
 * it looks, so one count a batch is enough).  A write under the lock
 * held up every other thread's turn at it during the system call.
 */
static int
finished(struct workers *w, struct req *req)
{
	w->done[w->ndone++] = req;
	if (w->want > 0 && w->ndone >= w->want)
		pthread_cond_signal(&w->done_cv);
	return w->notify >= 0 && w->ndone == 1;
}

static void
tell(struct workers *w)
{
	uint64_t	one = 1;

	(void)write(w->notify, &one, sizeof(one));
}

static void *
workers_run(void *arg)
{
	struct workers	*w = arg;
	struct req	*req;
	unsigned	 me;

	sigset_t	 stops;

	/* The run's stop signals are the main thread's to take. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigaddset(&stops, SIGPIPE);
	(void)pthread_sigmask(SIG_BLOCK, &stops, NULL);
	pthread_mutex_lock(&w->lock);
	me = w->nbusy++;
	w->busy[me].tid = pthread_self();
	for (;;) {
		while (!w->stop && w->wcount == 0)
			pthread_cond_wait(&w->work_cv, &w->lock);
		if (w->stop)
			break;
		w->nidle--;
		req = w->work[w->whead];
		w->whead = (w->whead + 1) % w->size;
		w->wcount--;
		w->busy[me].req = req;
		pthread_mutex_unlock(&w->lock);

		engine_run_blocking(req);

		pthread_mutex_lock(&w->lock);
		w->busy[me].req = NULL;
		w->busy[me].cancel = 0;
		w->nidle++;
		if (finished(w, req)) {
			pthread_mutex_unlock(&w->lock);
			tell(w);
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/*
 * One more thread, under the lock: idle until it takes a request (so a
 * request queued before it runs counts it as there).  0 or an errno.
 */
static int
start_one(struct workers *w)
{
	int	ret;

	if ((ret = pthread_create(&w->threads[w->nthreads], NULL,
	    workers_run, w)) != 0)
		return ret;
	w->nthreads++;
	w->nidle++;
	return 0;
}

/* More threads than requests in flight would only sleep. */
static unsigned
threads_cap(const struct workers *w, unsigned threads)
{
	unsigned	n = w->size < threads ? w->size : threads;

	return n > WORKERS_MAX ? WORKERS_MAX : n;
}

int
workers_start(struct workers *w, unsigned size, unsigned threads, int notify)
{
	struct sigaction	sa;
	unsigned		i, n;
	int			ret;

	memset(w, 0, sizeof(*w));
	/* No SA_RESTART: the blocked call returns EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(WORKERS_WAKE, &sa, NULL);
	w->notify = notify;
	w->size = size;
	w->work = calloc(size, sizeof(*w->work));
	w->done = calloc(size, sizeof(*w->done));
	if (w->work == NULL || w->done == NULL)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work_cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	w->up = 1;
	n = threads_cap(w, threads);
	w->maxthreads = n;
	ret = 0;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < n && ret == 0; i++)
		ret = start_one(w);
	pthread_mutex_unlock(&w->lock);
	return w->nthreads > 0 ? 0 : -ret;
}

void
workers_grow_to(struct workers *w, unsigned threads)
{
	pthread_mutex_lock(&w->lock);
	w->maxthreads = threads_cap(w, threads);
	pthread_mutex_unlock(&w->lock);
}

/*
 * Whether req may sleep in its call, on a device, a network or another
 * process: direct I/O, a read or write of a pipe or tty (no offset), a
 * flush, a whole file's copy_file_range, a call that is not quick (on a
 * file system that is not local, a FIFO's open).  A buffered read, write
 * or splice of a file is a copy in memory, bound by the CPUs (or a cold
 * small file's read, which four threads served as fast as sixteen).
 */
static int
may_wait(const struct req *req)
{
	switch (req->op) {
	case ENGINE_OP_READ:
	case ENGINE_OP_WRITE:
		return req->direct || req->async || req->off < 0;
	case ENGINE_OP_SPLICE:
		return 0;
	default:
		return 1;
	}
}

/*
 * One more thread for req, queued under the lock, when every thread is
 * busy and req may sleep in its call: without it, it would wait for a
 * call that sleeps too.  A thread that cannot start leaves those there.
 */
static void
grow(struct workers *w, const struct req *req)
{
	if (w->nidle >= w->wcount || w->nthreads >= w->maxthreads ||
	    !may_wait(req))
		return;
	if (start_one(w) != 0)
		w->maxthreads = w->nthreads;
}

int
workers_queue(struct workers *w, struct req *req)
{
	pthread_mutex_lock(&w->lock);
	if (w->pending == w->size) {
		pthread_mutex_unlock(&w->lock);
		return -EBUSY;
	}
	w->pending++;
	if (req->quick) {
		/*
		 * It answers at once (engine.h): made here, no thread woken,
		 * and no one told: the reaper is this thread, and it looks at
		 * done[] before it waits.
		 */
		pthread_mutex_unlock(&w->lock);
		engine_run_blocking(req);
		pthread_mutex_lock(&w->lock);
		w->done[w->ndone++] = req;
	} else {
		w->work[(w->whead + w->wcount) % w->size] = req;
		w->wcount++;
		grow(w, req);
		pthread_cond_signal(&w->work_cv);
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* ms from now on the clock of the conditions' waits. */
static struct timespec
after_ms(unsigned ms)
{
	struct timespec	t;

	(void)clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Signal each thread whose call was cancelled; under the lock.  How many. */
static unsigned
resignal(struct workers *w)
{
	unsigned	i, n = 0;

	for (i = 0; i < w->nbusy; i++)
		if (w->busy[i].req != NULL && w->busy[i].cancel) {
			(void)pthread_kill(w->busy[i].tid, WORKERS_WAKE);
			n++;
		}
	return n;
}

unsigned
workers_reap(struct workers *w, unsigned min, struct req **reqs,
    unsigned max)
{
	struct timespec	until, step;
	unsigned	n, i, ticks;

	pthread_mutex_lock(&w->lock);
	if (min > w->pending)
		min = w->pending;
	/*
	 * A signal does not end a wait on a condition: wake now and then,
	 * so the caller sees a stop within WORKERS_TICK_MS; more often
	 * while a cancelled call has not returned, to signal it again.
	 */
	until = after_ms(WORKERS_TICK_MS);
	w->want = min;
	for (ticks = 0; w->ndone < min; ticks++) {
		if (resignal(w) > 0 &&
		    ticks < WORKERS_TICK_MS / WORKERS_RESIGNAL_MS) {
			step = after_ms(WORKERS_RESIGNAL_MS);
			(void)pthread_cond_timedwait(&w->done_cv, &w->lock,
			    &step);
		} else if (pthread_cond_timedwait(&w->done_cv, &w->lock,
		    &until) == ETIMEDOUT)
			break;
	}
	w->want = 0;
	n = w->ndone < max ? w->ndone : max;
	for (i = 0; i < n; i++)
		reqs[i] = w->done[i];
	memmove(w->done, w->done + n, (w->ndone - n) * sizeof(*w->done));
	w->ndone -= n;
	w->pending -= n;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Take req off the queue if it has not started; 1 if it was there. */
static int
unqueue(struct workers *w, struct req *req)
{
	unsigned	i, j;

	for (i = 0; i < w->wcount; i++) {
		if (w->work[(w->whead + i) % w->size] != req)
			continue;
		for (j = i; j + 1 < w->wcount; j++)
			w->work[(w->whead + j) % w->size] =
			    w->work[(w->whead + j + 1) % w->size];
		w->wcount--;
		req->res = -ECANCELED;
		/* On the reaper's thread, as the quick ones. */
		w->done[w->ndone++] = req;
		return 1;
	}
	return 0;
}

void
workers_cancel(struct workers *w, struct req *req)
{
	unsigned	i;

	if (!w->up)
		return;
	pthread_mutex_lock(&w->lock);
	if (unqueue(w, req)) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	/* Running: signal its thread now, and at each reap until it ends. */
	for (i = 0; i < w->nbusy; i++)
		if (w->busy[i].req == req) {
			w->busy[i].cancel = 1;
			(void)pthread_kill(w->busy[i].tid, WORKERS_WAKE);
		}
	pthread_mutex_unlock(&w->lock);
}

int
workers_stop(struct workers *w, int abandoned)
{
	unsigned	i;

	if (w->up) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->work_cv);
		/*
		 * A thread still in a call (a read a stalled filesystem never
		 * answers, given up on): it keeps w, and the process is about
		 * to end.  Join none, free nothing.
		 */
		for (i = 0; abandoned && i < w->nbusy; i++)
			if (w->busy[i].req != NULL) {
				pthread_mutex_unlock(&w->lock);
				return 1;
			}
		pthread_mutex_unlock(&w->lock);
		for (i = 0; i < w->nthreads; i++)
			pthread_join(w->threads[i], NULL);
		pthread_cond_destroy(&w->work_cv);
		pthread_cond_destroy(&w->done_cv);
		pthread_mutex_destroy(&w->lock);
		w->up = 0;
	}
	free(w->work);
	free(w->done);
	w->work = w->done = NULL;
	return 0;
}
