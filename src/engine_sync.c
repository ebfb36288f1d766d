/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plain engine: pread/pwrite/fdatasync done at once in queue(), the
 * request kept on a completion list until reap() hands it back.  It is the
 * reference the other engines are tested against, so it stays the
 * simplest correct one: no threads, no tricks.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine.h"

struct sync_priv {
	struct req	**done;		/* completed, not yet reaped */
	unsigned	  ndone;
};

static int
sync_init(struct engine *eng, const struct engine_params *params,
    char *reason, size_t reasonlen)
{
	struct sync_priv	*p;

	(void)reason;
	(void)reasonlen;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	eng->priv = p;
	if ((p->done = calloc(params->depth, sizeof(*p->done))) == NULL)
		return -ENOMEM;
	return 0;
}

static ssize_t
sync_do(struct req *req)
{
	ssize_t	n;

	switch (req->op) {
	case ENGINE_OP_READ:
		if (req->off < 0)
			n = read(req->fd, req->addr, req->len);
		else
			n = pread(req->fd, req->addr, req->len, req->off);
		break;
	case ENGINE_OP_WRITE:
		if (req->off < 0)
			n = write(req->fd, req->addr, req->len);
		else
			n = pwrite(req->fd, req->addr, req->len, req->off);
		break;
	case ENGINE_OP_FSYNC:
		n = fdatasync(req->fd);
		break;
	default:
		errno = EINVAL;
		n = -1;
		break;
	}
	return n < 0 ? -errno : n;
}

static int
sync_queue(struct engine *eng, struct req *req)
{
	struct sync_priv	*p = eng->priv;

	if (p->ndone == eng->depth)
		return ENGINE_BUSY;
	req->res = sync_do(req);
	p->done[p->ndone++] = req;
	return ENGINE_QUEUED;
}

static int
sync_submit(struct engine *eng)
{
	(void)eng;
	return 0;
}

static int
sync_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	struct sync_priv	*p = eng->priv;
	unsigned		 n, i;

	(void)min;
	n = p->ndone < max ? p->ndone : max;
	for (i = 0; i < n; i++)
		reqs[i] = p->done[i];
	for (i = n; i < p->ndone; i++)
		p->done[i - n] = p->done[i];
	p->ndone -= n;
	return (int)n;
}

static void
sync_exit(struct engine *eng)
{
	struct sync_priv	*p = eng->priv;

	if (p == NULL)
		return;
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
