/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plain engine: pread/pwrite/fdatasync, done by a few worker threads
 * the way io_uring's own io-wq does the work it cannot do inline.  The
 * copier's thread only queues and reaps, so reads, writes and (later)
 * hashing overlap even where neither io_uring nor libaio is allowed.
 *
 * One mutex guards everything below; workers take requests from the
 * work ring in queue order and put them on the done list in completion
 * order.  No request is touched by two threads at once: a worker owns it
 * from taking it until it is on the done list.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

#define SYNC_MAX_WORKERS	4

struct sync_priv {
	pthread_mutex_t	  lock;
	pthread_cond_t	  work_cv;	/* work queued, or stop */
	pthread_cond_t	  done_cv;	/* a request finished */
	struct req	**work;		/* ring of depth entries */
	unsigned	  whead;
	unsigned	  wcount;
	struct req	**done;		/* finished, not yet reaped */
	unsigned	  ndone;
	unsigned	  pending;	/* queued and not yet reaped */
	pthread_t	  workers[SYNC_MAX_WORKERS];
	unsigned	  nworkers;
	int		  stop;
	int		  sync_up;	/* lock and conditions exist */
};

static void *
sync_worker(void *arg)
{
	struct engine		*eng = arg;
	struct sync_priv	*p = eng->priv;
	struct req		*req;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->wcount == 0)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->stop)
			break;
		req = p->work[p->whead];
		p->whead = (p->whead + 1) % eng->depth;
		p->wcount--;
		pthread_mutex_unlock(&p->lock);

		engine_do_sync(req);

		pthread_mutex_lock(&p->lock);
		p->done[p->ndone++] = req;
		pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int
sync_init(struct engine *eng, const struct engine_params *params,
    char *reason, size_t reasonlen)
{
	struct sync_priv	*p;
	unsigned		 i, n;
	int			 ret;

	(void)reason;
	(void)reasonlen;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	eng->priv = p;
	p->work = calloc(params->depth, sizeof(*p->work));
	p->done = calloc(params->depth, sizeof(*p->done));
	if (p->work == NULL || p->done == NULL)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->sync_up = 1;
	/* The workers do every op off the copier's thread. */
	memset(eng->async, 1, sizeof(eng->async));

	/* More workers than requests in flight would only sleep. */
	n = params->depth < SYNC_MAX_WORKERS ? params->depth :
	    SYNC_MAX_WORKERS;
	for (i = 0; i < n; i++) {
		ret = pthread_create(&p->workers[i], NULL, sync_worker, eng);
		if (ret != 0)
			return p->nworkers > 0 ? 0 : -ret;
		p->nworkers++;
	}
	return 0;
}

static int
sync_queue(struct engine *eng, struct req *req)
{
	struct sync_priv	*p = eng->priv;

	pthread_mutex_lock(&p->lock);
	if (p->pending == eng->depth) {
		pthread_mutex_unlock(&p->lock);
		return ENGINE_BUSY;
	}
	p->work[(p->whead + p->wcount) % eng->depth] = req;
	p->wcount++;
	p->pending++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	return ENGINE_QUEUED;
}

static int
sync_submit(struct engine *eng)
{
	/* queue() already woke a worker. */
	(void)eng;
	return 0;
}

static int
sync_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	struct sync_priv	*p = eng->priv;
	unsigned		 n, i;

	pthread_mutex_lock(&p->lock);
	if (min > p->pending)
		min = p->pending;
	while (p->ndone < min)
		pthread_cond_wait(&p->done_cv, &p->lock);
	n = p->ndone < max ? p->ndone : max;
	for (i = 0; i < n; i++)
		reqs[i] = p->done[i];
	memmove(p->done, p->done + n, (p->ndone - n) * sizeof(*p->done));
	p->ndone -= n;
	p->pending -= n;
	pthread_mutex_unlock(&p->lock);
	return (int)n;
}

static void
sync_exit(struct engine *eng)
{
	struct sync_priv	*p = eng->priv;
	unsigned		 i;

	if (p == NULL)
		return;
	if (p->sync_up) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_cond_broadcast(&p->work_cv);
		pthread_mutex_unlock(&p->lock);
		for (i = 0; i < p->nworkers; i++)
			pthread_join(p->workers[i], NULL);
		pthread_cond_destroy(&p->work_cv);
		pthread_cond_destroy(&p->done_cv);
		pthread_mutex_destroy(&p->lock);
	}
	free(p->work);
	free(p->done);
	free(p);
	eng->priv = NULL;
}

const struct engine_ops engine_sync_ops = {
	.name = "sync",
	.flags = 0,
	.init = sync_init,
	.queue = sync_queue,
	.submit = sync_submit,
	.reap = sync_reap,
	.exit = sync_exit,
};
