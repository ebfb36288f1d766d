/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers.h"

static void *
workers_run(void *arg)
{
	struct workers	*w = arg;
	struct req	*req;
	uint64_t	 one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->wcount == 0)
			pthread_cond_wait(&w->work_cv, &w->lock);
		if (w->stop)
			break;
		req = w->work[w->whead];
		w->whead = (w->whead + 1) % w->size;
		w->wcount--;
		pthread_mutex_unlock(&w->lock);

		engine_run_blocking(req);

		pthread_mutex_lock(&w->lock);
		w->done[w->ndone++] = req;
		pthread_cond_signal(&w->done_cv);
		/* Under the lock: the reaper never misses it. */
		if (w->notify >= 0)
			(void)write(w->notify, &one, sizeof(one));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
workers_start(struct workers *w, unsigned size, unsigned threads, int notify)
{
	unsigned	i, n;
	int		ret;

	memset(w, 0, sizeof(*w));
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
	/* More threads than requests in flight would only sleep. */
	n = size < threads ? size : threads;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;
	for (i = 0; i < n; i++) {
		ret = pthread_create(&w->threads[i], NULL, workers_run, w);
		if (ret != 0)
			return w->nthreads > 0 ? 0 : -ret;
		w->nthreads++;
	}
	return 0;
}

int
workers_queue(struct workers *w, struct req *req)
{
	pthread_mutex_lock(&w->lock);
	if (w->pending == w->size) {
		pthread_mutex_unlock(&w->lock);
		return -EBUSY;
	}
	w->work[(w->whead + w->wcount) % w->size] = req;
	w->wcount++;
	w->pending++;
	pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

unsigned
workers_reap(struct workers *w, unsigned min, struct req **reqs,
    unsigned max)
{
	unsigned	n, i;

	pthread_mutex_lock(&w->lock);
	if (min > w->pending)
		min = w->pending;
	while (w->ndone < min)
		pthread_cond_wait(&w->done_cv, &w->lock);
	n = w->ndone < max ? w->ndone : max;
	for (i = 0; i < n; i++)
		reqs[i] = w->done[i];
	memmove(w->done, w->done + n, (w->ndone - n) * sizeof(*w->done));
	w->ndone -= n;
	w->pending -= n;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
workers_stop(struct workers *w)
{
	unsigned	i;

	if (w->up) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->work_cv);
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
}
