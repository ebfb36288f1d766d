/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "copier_int.h"
#include "resume.h"
#include "xfer.h"

void
resume_start(struct xfer *x, off_t size)
{
	x->resume = 1;
	x->cmp_end = size;
	x->cmp_stop = size;
	x->wrote_from = -1;
}

void
resume_trust(struct xfer *x, off_t whole)
{
	x->trust_end = whole;
	x->cmp_stop = 0;
}

void
resume_skip(struct copier *c, struct xfer *x)
{
	off_t	to = x->trust_end, bs = (off_t)c->block_size;

	if (!x->resume || to <= 0)
		return;
	/* The planner skips to a block's start, or to the end. */
	if (to < x->plan.hint)
		to -= to % bs;
	else
		to = x->plan.hint;
	if (to <= x->plan.next)
		return;
	x->kept += (uint64_t)(to - x->plan.next);
	c->done_bytes += (uint64_t)(to - x->plan.next);
	chunk_skip(&x->plan, to);
}

off_t
resume_whole(const struct xfer *x)
{
	off_t	end;

	if (x->kind != XFER_COPY || x->tee != NULL)
		return 0;
	if (x->method == XFER_OFFLOAD)
		return (off_t)x->offloaded;
	if (x->method != XFER_RING && x->method != XFER_SPLICE)
		return 0;
	/* Blocks are handed out in order: none past plan.next was sent. */
	end = x->plan.next;
	if (x->unwritten >= 0 && x->unwritten < end)
		end = x->unwritten;
	if (x->err != 0 && x->err_off < end)
		end = x->err_off;
	return end;
}

int
resume_compares(const struct xfer *x, off_t off)
{
	return x->resume && off < x->cmp_stop;
}

/* Read the destination's block from where q->got has come to. */
static int
send_rest(struct copier *c, struct creq *q)
{
	q->phase = CREQ_CMP;
	q->direct = 0;
	q->r.op = ENGINE_OP_READ;
	q->r.fd = q->x->dfd;
	q->r.buf = q->buf2;
	q->r.addr = bufpool_addr(&c->sched.pool, q->buf2) + q->got;
	q->r.off = q->off + (off_t)q->got;
	q->r.len = q->have - q->got;
	q->r.direct = 0;
	q->r.async = 0;
	return xfer_queue(c, q) == 0 ? 1 : -1;
}

int
resume_send(struct copier *c, struct creq *q)
{
	struct xfer	*x = q->x;

	if (q->off + (off_t)q->have <= x->trust_end) {
		/* Read to be hashed: it is there already. */
		x->kept += q->have;
		c->done_bytes += q->have;
		q->wdone = 1;
		return 1;
	}
	if (q->buf2 < 0 || q->off >= x->cmp_stop)
		return 0;
	q->got = 0;
	return send_rest(c, q);
}

void
resume_compared(struct copier *c, struct creq *q, ssize_t res)
{
	struct xfer	*x = q->x;
	const char	*src = bufpool_addr(&c->sched.pool, q->buf);
	const char	*dst = bufpool_addr(&c->sched.pool, q->buf2);
	int		 same;

	if (res > 0 && q->got + (size_t)res < q->have) {
		/* Short, as reads may be: the rest, before comparing. */
		q->got += (size_t)res;
		if (send_rest(c, q) < 0)
			xfer_release(c, q);
		return;
	}
	if (res >= 0)
		q->got += (size_t)res;
	/* Shorter than the source's block: the copy ends inside it. */
	same = q->got == q->have && memcmp(src, dst, q->have) == 0;
	bufpool_put(&c->sched.pool, q->buf2);
	q->buf2 = -1;
	/* The write, if one comes, is of the source's block. */
	q->r.buf = q->buf;
	if (res < 0) {
		xfer_fail(x, (int)res, XFER_COMPARING, q->off);
		xfer_release(c, q);
		return;
	}
	if (same) {
		x->kept += q->have;
		c->done_bytes += q->have;
		q->wdone = 1;
	} else {
		/* A copy cut short ends here: what follows is written. */
		if (q->off < x->cmp_stop)
			x->cmp_stop = q->off;
		if (xfer_write_block(c, q) < 0) {
			xfer_release(c, q);
			return;
		}
	}
	if (q->wdone && (!x->hp.on || q->hashed))
		xfer_release(c, q);
}

int
resume_hole(struct xfer *x, off_t from, off_t to)
{
	if (!x->resume || from >= x->cmp_end)
		return 0;
	if (to > x->cmp_end)
		to = x->cmp_end;
	if (fallocate(x->dfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from,
	    to - from) == 0)
		return 0;
	xfer_fail(x, -errno, XFER_WRITING, from);
	return -1;
}
