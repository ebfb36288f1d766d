/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libaio engine: io_setup / io_submit / io_getevents with pread and
 * pwrite iocbs.  Each queued request takes an iocb from a private array
 * sized to the depth; iocb->data points back at the request.
 *
 * Linux AIO is asynchronous only for O_DIRECT reads and writes (and
 * flushes, which it runs on a kernel thread): a buffered iocb is done
 * inside io_submit(), in the caller's thread, one after another.  So only
 * direct requests go to the kernel; buffered ones, those on pipes (AIO
 * has no "current position"), flushes, and the opens, closes and statx
 * calls AIO does not have go to worker threads (src/workers.c), as in the
 * sync engine.  Both tell one eventfd when something finishes, which is
 * what reap sleeps on.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <libaio.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "workers.h"

/* The first cold small file of a run read direct (engine.h). */
#define AIO_DIRECT_FROM	4097

struct aio_priv {
	io_context_t	  ctx;
	int		  ctx_up;	/* made (ctx_open()) */
	int		  ctx_failed;	/* could not be: the workers do all */
	struct iocb	 *iocbs;	/* depth of them */
	struct iocb	**idle;		/* free iocbs, a stack */
	unsigned	  nidle;
	struct iocb	**pending;	/* queued, not yet submitted */
	unsigned	  npending;
	struct io_event	 *events;
	struct req	**done;		/* finished at queue time */
	unsigned	  ndone;
	struct workers	  w;		/* buffered and non-AIO requests */
	unsigned	  inpool;	/* queued to w, not yet reaped */
	int		  efd;		/* told of every completion */
};

static int
aio_init(struct engine *eng, const struct engine_params *params,
    char *reason, size_t reasonlen)
{
	struct aio_priv	*p;
	unsigned	 i, n = params->depth;
	int		 ret;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	p->efd = -1;
	eng->priv = p;
	p->iocbs = calloc(n, sizeof(*p->iocbs));
	p->idle = calloc(n, sizeof(*p->idle));
	p->pending = calloc(n, sizeof(*p->pending));
	p->events = calloc(n, sizeof(*p->events));
	p->done = calloc(n, sizeof(*p->done));
	if (p->iocbs == NULL || p->idle == NULL || p->pending == NULL ||
	    p->events == NULL || p->done == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		p->idle[p->nidle++] = &p->iocbs[i];

	/*
	 * Whether io_setup() may be called at all, without a context: for
	 * no events it is refused with EINVAL where it exists.  The
	 * context itself is made for the first request the kernel is to do
	 * (ctx_open()), as most copies make none: ending one took 27-39 ms
	 * here (io_destroy(), or the exit that does it, waits for RCU grace
	 * periods), seven times a small file's whole copy by cp.
	 */
	if ((ret = io_setup(0, &p->ctx)) != -EINVAL) {
		if (ret == 0) {
			/* Not a kernel's answer; but a context to end. */
			(void)io_destroy(p->ctx);
			ret = -EINVAL;
		}
		snprintf(reason, reasonlen, "io_setup: %s%s", strerror(-ret),
		    ret == -ENOSYS ? " (kernel without AIO, or blocked by "
		    "seccomp)" : ret == -EPERM ? " (blocked by seccomp?)" : "");
		return ret;
	}
	p->ctx = 0;
	if ((p->efd = eventfd(0, EFD_CLOEXEC)) < 0) {
		ret = -errno;
		snprintf(reason, reasonlen, "eventfd: %s", strerror(-ret));
		return ret;
	}
	/*
	 * Buffered work, bound by memory copies: a thread or two a core;
	 * up to sixteen, as in the sync engine, while calls that sleep
	 * (flushes; direct I/O without a context) find them all busy.
	 */
	if ((ret = workers_start(&p->w, n, 4, p->efd)) < 0) {
		snprintf(reason, reasonlen, "worker threads: %s",
		    strerror(-ret));
		return ret;
	}
	workers_grow_to(&p->w, 16);
	/*
	 * A cold small file read direct is one iocb, where buffered its
	 * read holds one of the few workers asleep: 50,000 files cold,
	 * 2.74 s against 4.24 s (CPU 3.62 s against 5.30 s; medians of 5
	 * interleaved runs).  But the context its reads need costs 27-50 ms
	 * to end (above), and a file gains 20-30 us: all read direct, 600
	 * files took 0.107 s against 0.078 s, 2,000 0.173 s against 0.179 s,
	 * 8,000 0.524 s against 0.701 s.  So the first 4,096 of a run are
	 * read buffered: a run that makes the context has taken a third of
	 * a second or more here, and its end adds a tenth at most (8,000
	 * files: 0.653 s).
	 */
	eng->direct_from = AIO_DIRECT_FROM;
	/* AIO for direct I/O, the workers for the rest. */
	memset(eng->async, 1, sizeof(eng->async));
	return 0;
}

/* Requests in flight of every kind: iocbs, workers', done at once. */
static unsigned
aio_inflight(struct engine *eng)
{
	struct aio_priv	*p = eng->priv;

	return eng->depth - p->nidle + p->ndone + p->inpool;
}

/*
 * What Linux AIO does asynchronously: direct reads and writes at an
 * offset.  Not buffered I/O, pipes, opens, closes, statx; nor flushes,
 * which it hands to a kernel thread as the workers would, and which
 * would then need the context for themselves.
 */
static int
aio_kernel_does(const struct req *req)
{
	switch (req->op) {
	case ENGINE_OP_READ:
	case ENGINE_OP_WRITE:
		return req->direct && req->off >= 0;
	default:
		return 0;
	}
}

/*
 * The kernel's context, made now if it was not: 1, or 0 where it cannot
 * be (fs.aio-max-nr reached: EAGAIN), after which the workers do the
 * kernel's share too, as the sync engine does all of it.
 */
static int
ctx_open(struct engine *eng)
{
	struct aio_priv	*p = eng->priv;

	if (!p->ctx_up && !p->ctx_failed) {
		/* libaio returns -errno rather than setting errno. */
		if (io_setup((int)eng->depth, &p->ctx) == 0)
			p->ctx_up = 1;
		else
			p->ctx_failed = 1;
	}
	return p->ctx_up;
}

static int
aio_queue(struct engine *eng, struct req *req)
{
	struct aio_priv	*p = eng->priv;
	struct iocb	*cb;

	if (p->nidle == 0 || aio_inflight(eng) >= eng->depth)
		return ENGINE_BUSY;
	if (!aio_kernel_does(req) || !ctx_open(eng)) {
		if (workers_queue(&p->w, req) < 0)
			return ENGINE_BUSY;
		p->inpool++;
		return ENGINE_QUEUED;
	}
	cb = p->idle[--p->nidle];
	switch (req->op) {
	case ENGINE_OP_READ:
		io_prep_pread(cb, req->fd, req->addr, req->len, req->off);
		break;
	case ENGINE_OP_WRITE:
		io_prep_pwrite(cb, req->fd, req->addr, req->len, req->off);
		break;
	default:
		/* Not reached: the rest went to the workers. */
		break;
	}
	io_set_eventfd(cb, p->efd);
	cb->data = req;
	p->pending[p->npending++] = cb;
	return ENGINE_QUEUED;
}

static int
aio_submit(struct engine *eng)
{
	struct aio_priv	*p = eng->priv;
	struct iocb	*cb;
	int		 ret, total = 0;

	while (p->npending > 0) {
		ret = io_submit(p->ctx, (long)p->npending, p->pending);
		if (ret == -EINTR)
			continue;
		if (ret == -EAGAIN)
			break;	/* the caller reaps, then we go on */
		if (ret < 0) {
			/*
			 * The first iocb was refused (EINVAL: the file does
			 * not do AIO, EBADF...): do it synchronously, so the
			 * request still completes with its own result.
			 */
			cb = p->pending[0];
			engine_run_blocking(cb->data);
			p->done[p->ndone++] = cb->data;
			p->idle[p->nidle++] = cb;
			ret = 1;
		}
		memmove(p->pending, p->pending + ret,
		    (p->npending - (unsigned)ret) * sizeof(*p->pending));
		p->npending -= (unsigned)ret;
		total += ret;
	}
	return total;
}

/*
 * What the kernel has finished: without waiting (wait_ms 0), or waiting
 * for min of them (wait_ms -1), or for at most wait_ms.
 */
static int
aio_events(struct aio_priv *p, long min, struct req **reqs, unsigned max,
    long wait_ms)
{
	struct timespec	 ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000 };
	struct iocb	*cb;
	struct req	*req;
	int		 ret, i;

	ret = io_getevents(p->ctx, min, (long)max, p->events,
	    wait_ms < 0 ? NULL : &ts);
	if (ret < 0)
		return ret;
	for (i = 0; i < ret; i++) {
		cb = p->events[i].obj;
		req = cb->data;
		/* res is the byte count or -errno, in a long. */
		req->res = (ssize_t)(long)p->events[i].res;
		reqs[i] = req;
		p->idle[p->nidle++] = cb;
	}
	return ret;
}

static int
aio_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	struct aio_priv	*p = eng->priv;
	unsigned	 got = 0, kernel, n;
	struct pollfd	 pfd;
	uint64_t	 count;
	int		 ret;

	if ((ret = aio_submit(eng)) < 0)
		return ret;
	for (;;) {
		while (got < max && p->ndone > 0)
			reqs[got++] = p->done[--p->ndone];
		n = workers_reap(&p->w, 0, reqs + got, max - got);
		p->inpool -= n;
		got += n;
		kernel = eng->depth - p->nidle - p->npending;
		if (got < max && kernel > 0) {
			ret = aio_events(p, 0, reqs + got, max - got, 0);
			if (ret < 0 && ret != -EINTR)
				return got > 0 ? (int)got : ret;
			if (ret > 0) {
				got += (unsigned)ret;
				kernel -= (unsigned)ret;
			}
		}
		if (got >= min || got >= max || (kernel == 0 && p->inpool == 0))
			return (int)got;
		if (p->inpool == 0) {
			/* Only the kernel's: wait for it alone. */
			ret = aio_events(p, 1, reqs + got, max - got,
			    eng->wait_ms > 0 ? (long)eng->wait_ms : -1);
			if (ret == -EINTR)
				return (int)got;	/* a signal: look */
			if (ret < 0)
				return got > 0 ? (int)got : ret;
			got += (unsigned)ret;
			if (ret == 0)
				return (int)got;	/* timed out */
			continue;
		}
		/* Either may finish first: both count on the eventfd. */
		if (eng->wait_ms > 0) {
			pfd.fd = p->efd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, (int)eng->wait_ms) <= 0)
				return (int)got;	/* timed out, a signal */
		}
		if (read(p->efd, &count, sizeof(count)) < 0 && errno == EINTR)
			return (int)got;
	}
}

static void
aio_exit(struct engine *eng)
{
	struct aio_priv	*p = eng->priv;

	/* A thread still in a call given up on keeps p: leave it all. */
	if (workers_stop(&p->w, eng->abandoned) != 0)
		return;
	/* io_destroy() waits for what the kernel holds: not for the lost. */
	if (p->ctx_up && !eng->abandoned)
		(void)io_destroy(p->ctx);
	if (p->efd >= 0)
		(void)close(p->efd);
	free(p->iocbs);
	free(p->idle);
	free(p->pending);
	free(p->events);
	free(p->done);
	free(p);
}

/*
 * Only the worker threads' requests (buffered, opens) can block for
 * long; a direct iocb on a file ends by itself.
 */
static void
aio_cancel(struct engine *eng, struct req *req)
{
	struct aio_priv	*p = eng->priv;

	workers_cancel(&p->w, req);
}

const struct engine_ops engine_aio_ops = {
	.name = "aio",
	.init = aio_init,
	.queue = aio_queue,
	.submit = aio_submit,
	.reap = aio_reap,
	.cancel = aio_cancel,
	.exit = aio_exit,
};
