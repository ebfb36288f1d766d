/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The request scheduler.  Requests live in one array made at start and
 * are lent out from a stack; nothing is allocated per request.  The
 * engine was started with a depth of nreqs, so a queue that finds it full
 * can only be a bug: it is reported, never spun on.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"
#include "sched.h"
#include "xmalloc.h"

int
sched_init(struct sched *s, struct engine *eng, unsigned nreqs,
    unsigned nbufs, size_t bs, volatile sig_atomic_t *stop, int debug)
{
	unsigned	i;
	int		ret;

	memset(s, 0, sizeof(*s));
	s->eng = eng;
	s->stop = stop;
	if ((ret = bufpool_init(&s->pool, nbufs, bs)) < 0)
		return ret;
	s->nreqs = nreqs;
	s->reqs = xcalloc(nreqs, sizeof(*s->reqs));
	s->idle = xcalloc(nreqs, sizeof(*s->idle));
	s->reaped = xcalloc(nreqs, sizeof(*s->reaped));
	for (i = 0; i < nreqs; i++)
		s->idle[s->nidle++] = &s->reqs[nreqs - 1 - i];

	/*
	 * Registration pins the pool once instead of on every request.  It
	 * can fail under a small RLIMIT_MEMLOCK on older kernels; the copy
	 * then goes on with plain buffers.
	 */
	ret = engine_register_buffers(eng, s->pool.iov, s->pool.count);
	if (ret < 0 && debug)
		warnc(-ret, "debug: registering %u buffers failed, using "
		    "unregistered buffers", s->pool.count);
	return 0;
}

void
sched_exit(struct sched *s)
{
	bufpool_exit(&s->pool);
	free(s->reqs);
	free(s->idle);
	free(s->reaped);
}

struct creq *
sched_get(struct sched *s)
{
	struct creq	*q;

	if (s->nidle == 0)
		return NULL;
	q = s->idle[--s->nidle];
	memset(q, 0, sizeof(*q));
	q->r.owner = q;
	q->r.buf = -1;
	q->buf = -1;
	q->buf2 = -1;
	s->inflight++;
	if (s->inflight > s->peak)
		s->peak = s->inflight;
	return q;
}

void
sched_put(struct sched *s, struct creq *q)
{
	/* Given up on while the kernel may have it: never reused. */
	if (q->queued)
		return;
	if (q->buf >= 0)
		bufpool_put(&s->pool, q->buf);
	if (q->buf2 >= 0)
		bufpool_put(&s->pool, q->buf2);
	q->buf = q->buf2 = -1;
	q->f = NULL;
	q->x = NULL;
	s->idle[s->nidle++] = q;
	s->inflight--;
}

int
sched_queue(struct sched *s, struct creq *q)
{
	int	ret;

	/* Until an engine writes it: an open's fd is not yet known. */
	q->r.res = -EINPROGRESS;
	ret = engine_queue(s->eng, &q->r);
	if (ret == ENGINE_BUSY) {
		(void)engine_submit(s->eng);
		ret = engine_queue(s->eng, &q->r);
	}
	if (ret == ENGINE_BUSY)
		return -EBUSY;
	q->queued = 1;
	q->cancelled = 0;
	s->requests++;
	s->inengine++;
	return 0;
}

int
sched_reap(struct sched *s, unsigned min)
{
	struct creq	*q;
	int		 n, i;

	n = engine_reap(s->eng, min, s->reaped, s->nreqs);
	if (n < 0) {
		/*
		 * What the engine held is lost to us: those requests are
		 * never reused, and nothing new starts.
		 */
		s->broken = 1;
		return n;
	}
	s->inengine -= (unsigned)n;
	for (i = 0; i < n; i++) {
		q = s->reaped[i]->owner;
		q->queued = 0;
		if (q->cancelled)
			s->cancelled--;
	}
	return n;
}

void
sched_cancel(struct sched *s, struct creq *q)
{
	if (!q->queued || q->cancelled)
		return;
	q->cancelled = 1;
	s->cancelled++;
	engine_cancel(s->eng, &q->r);
}

struct creq *
sched_reaped(const struct sched *s, int i)
{
	return s->reaped[i]->owner;
}

int
sched_signalled(const struct sched *s)
{
	return s->stop != NULL && *s->stop != 0;
}

int
sched_stop_cancelled(const struct sched *s, long res)
{
	return sched_signalled(s) && (res == -EINTR || res == -ECANCELED);
}

int
sched_stopping(const struct sched *s)
{
	return s->broken || sched_signalled(s);
}
