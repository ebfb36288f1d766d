/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libaio engine: io_setup / io_submit / io_getevents with pread,
 * pwrite and fdatasync iocbs.  Each queued request takes an iocb from a
 * private array sized to the depth; iocb->data points back at the request.
 * Linux AIO has no "current position", so requests on pipes and other
 * unseekable files (off == -1) are done synchronously at queue time and
 * handed back by the next reap.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <libaio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

struct aio_priv {
	io_context_t	  ctx;
	int		  ctx_up;
	struct iocb	 *iocbs;	/* depth of them */
	struct iocb	**idle;		/* free iocbs, a stack */
	unsigned	  nidle;
	struct iocb	**pending;	/* queued, not yet submitted */
	unsigned	  npending;
	struct io_event	 *events;
	struct req	**done;		/* finished at queue time */
	unsigned	  ndone;
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

	/* libaio returns -errno rather than setting errno. */
	if ((ret = io_setup((int)n, &p->ctx)) < 0) {
		snprintf(reason, reasonlen, "io_setup: %s%s", strerror(-ret),
		    ret == -EAGAIN ? " (fs.aio-max-nr reached)" :
		    ret == -ENOSYS ? " (kernel without AIO, or blocked by "
		    "seccomp)" : ret == -EPERM ? " (blocked by seccomp?)" : "");
		return ret;
	}
	p->ctx_up = 1;
	eng->async[ENGINE_OP_READ] = eng->async[ENGINE_OP_WRITE] = 1;
	eng->async[ENGINE_OP_FSYNC] = eng->async[ENGINE_OP_FSYNC_ALL] = 1;
	return 0;
}

static int
aio_queue(struct engine *eng, struct req *req)
{
	struct aio_priv	*p = eng->priv;
	struct iocb	*cb;

	if (p->nidle == 0 || p->ndone + eng->depth - p->nidle >= eng->depth)
		return ENGINE_BUSY;
	if (!eng->async[req->op] || (req->off < 0 &&
	    (req->op == ENGINE_OP_READ || req->op == ENGINE_OP_WRITE))) {
		/*
		 * Linux AIO has no open, close or statx, and no "current
		 * position": do it now.
		 */
		engine_do_sync(req);
		p->done[p->ndone++] = req;
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
	case ENGINE_OP_FSYNC:
		io_prep_fdsync(cb, req->fd);
		break;
	case ENGINE_OP_FSYNC_ALL:
		io_prep_fsync(cb, req->fd);
		break;
	default:
		/* Not reached: eng->async[] sent the rest to do_sync. */
		break;
	}
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
			engine_do_sync(cb->data);
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

static int
aio_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	struct aio_priv	*p = eng->priv;
	struct iocb	*cb;
	struct req	*req;
	unsigned	 got = 0, i, inflight;
	int		 ret;

	if ((ret = aio_submit(eng)) < 0)
		return ret;
	while (got < max && p->ndone > 0)
		reqs[got++] = p->done[--p->ndone];
	inflight = eng->depth - p->nidle - p->npending;
	if (got >= max || inflight == 0)
		return (int)got;
	if (got >= min)
		min = 0;
	else
		min -= got;
	if (min > inflight)
		min = inflight;
	ret = io_getevents(p->ctx, (long)min, (long)(max - got), p->events,
	    NULL);
	if (ret == -EINTR)
		return (int)got;	/* a signal: let the caller look */
	if (ret < 0)
		return got > 0 ? (int)got : ret;
	for (i = 0; i < (unsigned)ret; i++) {
		cb = p->events[i].obj;
		req = cb->data;
		/* res is the byte count or -errno, in a long. */
		req->res = (ssize_t)(long)p->events[i].res;
		reqs[got++] = req;
		p->idle[p->nidle++] = cb;
	}
	return (int)got;
}

static void
aio_exit(struct engine *eng)
{
	struct aio_priv	*p = eng->priv;

	if (p == NULL)
		return;
	if (p->ctx_up)
		(void)io_destroy(p->ctx);
	free(p->iocbs);
	free(p->idle);
	free(p->pending);
	free(p->events);
	free(p->done);
	free(p);
	eng->priv = NULL;
}

const struct engine_ops engine_aio_ops = {
	.name = "aio",
	/* Buffered Linux AIO is done inside io_submit(): go direct. */
	.flags = ENGINE_F_DIRECT,
	.init = aio_init,
	.queue = aio_queue,
	.submit = aio_submit,
	.reap = aio_reap,
	.exit = aio_exit,
};
