/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One file's data phase through the ring.  A data request borrows one
 * pool buffer (or, when splicing, the slot's pipe) and lives through two
 * phases: READ until its buffer holds what was asked or the file ended,
 * then WRITE until all it read is on the destination.  Its buffer goes
 * back when it is written and, where a hash is asked, hashed: a request
 * may wait in its hash slot until those before it are hashed.
 *
 * The size a file reports is only a hint (chunk.h): reads go on until
 * one comes back empty, or short past the hint for a regular file.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copier_int.h"
#include "holes.h"
#include "resume.h"
#include "tee.h"
#include "xfer.h"

/* --fsync, --verify: writeback is started behind the copy this often. */
#define XFER_FLUSH_STEP	((off_t)8 << 20)

void
xfer_init(struct xfer *x, enum xfer_kind kind, int sfd, int dfd, int dreg,
    int dstream)
{
	struct hashpipe	hp = x->hp;

	memset(x, 0, sizeof(*x));
	x->hp = hp;
	x->hp.on = 0;
	x->kind = kind;
	x->method = XFER_RING;
	x->sfd = sfd;
	x->dfd = dfd;
	x->dreg = dreg;
	x->dstream = dstream;
	x->sdirect.fd = x->ddirect.fd = -1;
	x->cached = -1;
	x->guessed = -1;
	x->unwritten = -1;
}

void
xfer_free(struct xfer *x)
{
	hashpipe_end(&x->hp, NULL);
	hashpipe_free(&x->hp);
}

/*
 * Requests complete in any order, so of several errors the one at the
 * lowest offset is kept: it is where the file's good data ends.
 */
void
xfer_fail(struct xfer *x, int err, enum xfer_side side, off_t off)
{
	if (x->err != 0 && (err == -EINTR || x->err == -EINTR ||
	    off >= x->err_off))
		return;
	x->err = err;
	x->err_side = side;
	x->err_off = off;
}

int
xfer_queue(struct copier *c, struct creq *q)
{
	if (sched_queue(&c->sched, q) < 0) {
		xfer_fail(q->x, -EBUSY, q->phase == CREQ_WRITE ?
		    XFER_WRITING : XFER_READING, q->off);
		return -1;
	}
	q->x->nreq++;
	return 0;
}

/*
 * Each round gives the buffers that came back to the files in the order
 * they started: with all the ring to take, a copy to a fast destination
 * took every buffer as it came back, and the same file's copy to a slow
 * one (another filesystem, so no copy_file_range) waited for it to end
 * (1 GiB to a fast ext4 and one throttled to 150 MB/s: 8.1 s, the slow
 * one alone 7.0).  A tee's reader (a hash) feeds every destination.
 */
unsigned
xfer_share(const struct copier *c, const struct xfer *x)
{
	unsigned	share;

	if (x->dstream)
		return 1;
	if (c->targets < 2 || x->kind == XFER_HASH)
		return c->depth;
	share = c->depth / c->targets;
	return share > 0 ? share : 1;
}

void
xfer_release(struct copier *c, struct creq *q)
{
	struct xfer	*x = q->x;

	if (q->parent != NULL) {
		tee_child_release(c, q);
		return;
	}
	if (q->buf >= 0 && x->hp.on)
		hashpipe_forget(&x->hp, q->off, q);
	if (!q->wdone && (x->unwritten < 0 || q->off < x->unwritten))
		x->unwritten = q->off;
	x->active--;
	sched_put(&c->sched, q);
}

/*
 * The length of a read of len bytes at at into q's buffer, from a source
 * switched to O_DIRECT (xfer_direct_small()): a direct read wants its
 * offset and length aligned (a page is enough for any disk; the buffer's
 * address is), and stops at the end of the file, so the last read is
 * rounded up where the buffer has room for it.  One that cannot be
 * aligned switches the file back to buffered reads.
 */
static size_t
flipped_len(struct copier *c, struct creq *q, off_t at, size_t len)
{
	struct xfer	*x = q->x;
	size_t		 page = BUFPOOL_ALIGN;
	size_t		 up = (len + page - 1) & ~(page - 1);
	size_t		 room = c->sched.pool.size - (size_t)(at - q->off);

	if (x->sflip <= 0)
		return len;
	if ((at & (off_t)(page - 1)) == 0 && up <= room) {
		q->flipped = 1;
		x->sflip_n++;
		return up;
	}
	xfer_direct_small_end(x, at, 0);
	return len;
}

/*
 * Issue q for its phase: a read of what it still wants, or a write of
 * what it read and has not written.  Through the O_DIRECT twin where the
 * whole request fits its alignment; through the slot's pipe when
 * splicing (into it, which holds a whole block, then out of it in order).
 */
int
xfer_send(struct copier *c, struct creq *q, enum creq_phase phase)
{
	struct xfer	*x = q->x;
	int		 reading = phase == CREQ_READ;
	struct twin	*t = reading ? &x->sdirect : &x->ddirect;
	size_t		 done = reading ? q->have : q->written;
	size_t		 end = reading ? q->want : q->have;
	off_t		 at = q->off + (off_t)done;

	q->phase = phase;
	q->direct = twin_fits(t, q->off, done, end);
	q->flipped = 0;
	if (x->method == XFER_SPLICE) {
		q->r.op = ENGINE_OP_SPLICE;
		q->r.fd = reading ? x->sfd : x->pipe[0];
		q->r.off = reading ? at : -1;
		q->r.fd2 = reading ? x->pipe[1] : x->dfd;
		q->r.off2 = reading ? -1 : at;
		/*
		 * Into the pipe at once, where the engine makes quick calls
		 * itself: a small file splices only when its pages are
		 * cached, and splicing them in takes references, no copy
		 * (the write out copies, on a worker).
		 */
		q->r.quick = reading && x->slocal;
	} else {
		q->r.op = reading ? ENGINE_OP_READ : ENGINE_OP_WRITE;
		q->r.fd = q->direct ? t->fd : reading ? x->sfd : x->dfd;
		q->r.async = reading ? x->sfuse || x->rworker : q->offcore;
		q->r.addr = bufpool_addr(&c->sched.pool, q->buf) + done;
		/* A pipe or tty cannot seek: at its current position. */
		q->r.off = (reading ? x->sstream : x->dstream) ? -1 : at;
	}
	q->r.len = end - done;
	if (reading && x->method != XFER_SPLICE)
		q->r.len = flipped_len(c, q, at, q->r.len);
	/* On an O_DIRECT descriptor, twin or flipped (AIO takes both). */
	q->r.direct = q->direct || q->flipped;
	return xfer_queue(c, q);
}

/* Feed the hash every block that is now next in file order. */
static void
hash_advance(struct copier *c, struct xfer *x)
{
	struct creq	*q;

	while ((q = hashpipe_next(&x->hp)) != NULL) {
		if (x->kind == XFER_VERIFY)
			c->stats.verified += q->have;
		else
			c->stats.hashed += q->have;
		/* A tee's members count what they write. */
		if (x->kind == XFER_HASH && x->tee == NULL)
			c->done_bytes += q->have;
		q->hashed = 1;
		if (q->wdone)
			xfer_release(c, q);
	}
}

/*
 * The next read of a sparse source is at or past the data found so far:
 * find where data starts again (SEEK_DATA) and ends (SEEK_HOLE), and
 * skip what lies between, which is a hole.  Offsets stay block
 * multiples (a hole's edges are rounded inwards), so a request and its
 * hash slot line up.  0, or -1 to wait (the holes not yet hashed fill
 * their ring).
 */
static int
find_data(struct copier *c, struct xfer *x)
{
	off_t	next = x->plan.next, d, raw, h, bs = (off_t)c->block_size;

	if (x->hp.on && hashpipe_holes_full(&x->hp))
		return -1;
	if ((d = lseek(x->sfd, next, SEEK_DATA)) < 0) {
		if (errno != ENXIO) {
			/* No SEEK_DATA here: read it all. */
			x->sparse = 0;
			return 0;
		}
		/* Only a hole from here to the end. */
		d = x->plan.hint;
	} else if (d > x->plan.hint)
		d = x->plan.hint;
	raw = d;
	if (d < x->plan.hint)
		d -= d % bs;
	if (d > next) {
		if (x->kind != XFER_VERIFY) {
			x->holes_bytes += (uint64_t)(d - next);
			c->done_bytes += (uint64_t)(d - next);
		}
		if (x->hp.on)
			hashpipe_hole(&x->hp, next, d);
		if (resume_hole(x, next, d) < 0)
			return -1;
		chunk_skip(&x->plan, d);
		if (x->hp.on)
			hash_advance(c, x);
	}
	if (d >= x->plan.hint) {
		x->data_end = x->ext_start = x->ext_end = x->plan.hint;
		return 0;
	}
	x->ext_start = raw;
	if ((h = lseek(x->sfd, x->ext_start, SEEK_HOLE)) < 0 ||
	    h > x->plan.hint)
		h = x->plan.hint;
	x->ext_end = h;
	x->data_end = h % bs == 0 ? h : h - h % bs + bs;
	return 0;
}

/* Start as many reads as the plan, the pool and the window allow. */
static void
fill(struct copier *c, struct xfer *x)
{
	struct sched	*s = &c->sched;
	struct creq	*q;
	off_t		 off;
	size_t		 len;

	while (x->err == 0 && x->active < x->maxactive && s->nidle > 0 &&
	    (x->method == XFER_SPLICE || s->pool.nfree > 0)) {
		if (x->sparse && x->plan.next >= x->data_end &&
		    x->plan.next < x->plan.hint && find_data(c, x) < 0)
			break;
		/* Past holes, requests may lie further apart than the window. */
		if (x->hp.on && !hashpipe_fits(&x->hp, x->plan.next))
			break;
		/* Comparing for --resume: the destination's block too. */
		if (resume_compares(x, x->plan.next) && s->pool.nfree < 2)
			break;
		if (chunk_next(&x->plan, &off, &len) != CHUNK_READ)
			break;
		q = sched_get(s);
		q->x = x;
		q->buf = q->r.buf = x->method == XFER_SPLICE ? -1 :
		    bufpool_get(&s->pool);
		if (resume_compares(x, off))
			q->buf2 = bufpool_get(&s->pool);
		q->off = off;
		q->want = len;
		x->active++;
		if (x->active > x->peak)
			x->peak = x->active;
		/* Where the block holds part of a hole, the hole stays one. */
		q->edge = x->sparse && x->kind == XFER_COPY &&
		    (off < x->ext_start || off + (off_t)len > x->ext_end);
		if (xfer_send(c, q, CREQ_READ) < 0) {
			chunk_read_done(&x->plan, q->off);
			xfer_release(c, q);
		}
	}
}

/*
 * After a failure, requests that wait only for their turn to be hashed
 * will never get it: let them go.
 */
static void
drop_waiting(struct copier *c, struct xfer *x)
{
	struct creq	*q;
	unsigned	 i;

	if (!x->hp.on)
		return;
	for (i = 0; i < x->hp.nslots; i++)
		if ((q = hashpipe_owner(&x->hp, i)) != NULL && q->wdone)
			xfer_release(c, q);
}

int
xfer_stopped(const struct copier *c, const struct xfer *x)
{
	return sched_signalled(&c->sched) && (!x->finish ||
	    (*c->sched.stop & COPIER_STOP_AGAIN));
}

void
xfer_pump(struct copier *c, struct xfer *x)
{
	if (x->err == 0 && xfer_stopped(c, x))
		xfer_fail(x, -EINTR, XFER_READING, x->plan.next);
	if (x->err == 0 && x->tee != NULL)
		tee_pump(x->tee);
	if (x->err != 0)
		drop_waiting(c, x);
	else if (x->method != XFER_TEE)
		fill(c, x);
}

int
xfer_idle(const struct xfer *x)
{
	return x->active == 0;
}

int
xfer_done(const struct xfer *x)
{
	if (x->method == XFER_TEE)
		return x->active == 0 && (x->err != 0 || x->fed);
	return x->active == 0 && (x->err != 0 || chunk_done(&x->plan));
}

/* The request's part is done on the destination (or there is none). */
/*
 * Without this, --fsync (and --verify, which flushes the copy before it
 * reads it back) wrote the whole file into the page cache and only
 * then, in fdatasync, to the disk: the disk idle while the copy ran, the
 * copy idle while the disk wrote.  Started behind the copy, the writeback
 * overlaps it and fdatasync finds little left.  SYNC_FILE_RANGE_WRITE
 * neither waits nor takes a writeback error: that stays for fdatasync to
 * report.  The ring's writes land out of order within its window (depth
 * x block size): the start stops that far behind the newest.
 */
void
xfer_flush_behind(const struct copier *c, struct xfer *x, off_t end)
{
	off_t	upto = end - (off_t)(c->depth * c->block_size);

	if (!x->flush || x->kind != XFER_COPY || !x->dreg ||
	    upto - x->flushed < XFER_FLUSH_STEP)
		return;
	(void)sync_file_range(x->dfd, x->flushed, upto - x->flushed,
	    SYNC_FILE_RANGE_WRITE);
	x->flushed = upto;
}

static void
write_done(struct copier *c, struct creq *q)
{
	xfer_flush_behind(c, q->x, q->off + (off_t)q->written);
	if (q->x->zeros || q->edge)
		holes_punch_zeros(c, q);
	q->wdone = 1;
	if (!q->x->hp.on || q->hashed)
		xfer_release(c, q);
}

/*
 * A read or splice of q's file moved nothing below the size seen at
 * open.  Not an end unless the file says so: FUSE, after a short read
 * (direct I/O passes the daemon's answer through), takes its end for
 * the file's and answers 0 past it, a splice at an offset inside a page
 * too.  A fresh fstat() gives the kernel the size again: if it is still
 * past here, what was spliced is written and the rest goes by reads and
 * writes, or the read is sent again; once at each offset.  1 if q was
 * dealt with so, 0 to take the end as found.
 */
static int
zero_is_early(struct copier *c, struct xfer *x, struct creq *q)
{
	struct stat	st;
	off_t		at = q->off + (off_t)q->have;

	if (x->zero_at == at + 1 || fstat(x->sfd, &st) < 0 || st.st_size <= at)
		return 0;
	x->zero_at = at + 1;
	if (c->debug)
		fprintf(stderr, "acp: debug: %s moved nothing at offset %lld "
		    "of %lld: %s\n", x->method == XFER_SPLICE ? "splice" :
		    "a read", (long long)at, (long long)st.st_size,
		    x->method == XFER_SPLICE ? "reading the rest" :
		    "reading again");
	if (x->method != XFER_SPLICE) {
		if (xfer_send(c, q, CREQ_READ) < 0)
			xfer_release(c, q);
		return 1;
	}
	x->method = XFER_RING;
	x->maxactive = xfer_share(c, x);
	chunk_init(&x->plan, x->plan.hint, c->block_size);
	x->plan.next = at;
	xfer_release(c, q);
	return 1;
}

int
xfer_write_block(struct copier *c, struct creq *q)
{
	struct xfer	*x = q->x;

	if ((x->zeros || q->edge) && holes_zero_block(c, q)) {
		/* Left a hole; where a destination held data, made one. */
		if (resume_hole(x, q->off, q->off + (off_t)q->have) < 0)
			return -1;
		q->wdone = 1;
		return 0;
	}
	if (x->resume && (x->wrote_from < 0 || q->off < x->wrote_from))
		x->wrote_from = q->off;
	return xfer_send(c, q, CREQ_WRITE);
}

/* The read of q came back with res; its buffer goes on to be written. */
static void
read_done(struct copier *c, struct creq *q, ssize_t res)
{
	struct xfer	*x = q->x;
	int		 ret;

	if (res == -EINVAL && x->method == XFER_SPLICE && q->off == 0 &&
	    q->have == 0) {
		/* This filesystem cannot splice: read and write. */
		x->method = XFER_RING;
		x->maxactive = xfer_share(c, x);
		xfer_release(c, q);
		chunk_init(&x->plan, x->plan.hint, c->block_size);
		return;
	}
	if (res < 0) {
		xfer_fail(x, (int)res, XFER_READING, q->off + (off_t)q->have);
		xfer_release(c, q);
		return;
	}
	/* A read rounded up (flipped_len()) past a file that grew since. */
	if ((size_t)res > q->want - q->have)
		res = (ssize_t)(q->want - q->have);
	if (res > 0 && x->plan.eof >= 0 && q->off >= x->plan.eof) {
		/* Data past an EOF already found: it changed. */
		x->changed = 1;
		xfer_fail(x, -EIO, XFER_READING, q->off);
		xfer_release(c, q);
		return;
	}
	if (res == 0 && x->trust_short && q->off + (off_t)q->have <
	    x->plan.hint && zero_is_early(c, x, q))
		return;
	if (res == 0) {
		chunk_eof(&x->plan, q->off + (off_t)q->have);
	} else {
		q->have += (size_t)res;
		if (q->have < q->want && x->trust_short &&
		    chunk_past_hint(&x->plan, q->off, q->want) &&
		    q->off + (off_t)q->have >= x->plan.hint) {
			/*
			 * A regular file's read stops short only at its end;
			 * growth after this shows in the statx that follows
			 * the copy.
			 */
			chunk_eof(&x->plan, q->off + (off_t)q->have);
		} else if (q->have < q->want && x->method == XFER_SPLICE) {
			/*
			 * A pipe holds pages, not bytes: the rest of a part
			 * page takes a slot of its own, so splicing the rest
			 * in now could find the pipe full, and wait for a
			 * reader that is never issued.  Empty it first.
			 */
			q->more = 1;
			if (xfer_send(c, q, CREQ_WRITE) < 0)
				xfer_release(c, q);
			return;
		} else if (q->have < q->want) {
			/* Short: read the rest, or find EOF. */
			if (xfer_send(c, q, CREQ_READ) < 0)
				xfer_release(c, q);
			return;
		}
	}
	chunk_read_done(&x->plan, q->off);
	if (q->have == 0) {
		xfer_release(c, q);
		return;
	}
	/*
	 * Nothing to write: a hash, zeros left as a hole, or (splice) all
	 * of it written before the read went on and found the end.
	 */
	if (x->tee != NULL)
		tee_fan_out(c, q);
	else if (x->kind != XFER_COPY || q->written == q->have)
		q->wdone = 1;
	else if ((ret = resume_send(c, q)) < 0 ||
	    (ret == 0 && xfer_write_block(c, q) < 0)) {
		xfer_release(c, q);
		return;
	}
	if (x->hp.on) {
		hashpipe_put(&x->hp, q->off, bufpool_addr(&c->sched.pool,
		    q->buf), q->have, q);
		hash_advance(c, x);
	} else if (q->wdone)
		xfer_release(c, q);
}

/* q failed with res: the data phase fails where q had got to. */
static void
creq_fail(struct xfer *x, const struct creq *q, ssize_t res)
{
	int	w = q->phase == CREQ_WRITE;

	xfer_fail(x, (int)res, w ? XFER_WRITING : q->phase == CREQ_CMP ?
	    XFER_COMPARING : XFER_READING, q->off +
	    (off_t)(w ? q->written : q->phase == CREQ_CMP ? 0 : q->have));
}

void
xfer_complete(struct copier *c, struct creq *q)
{
	struct xfer	*x = q->x;
	ssize_t		 res = q->r.res;

	/* The kernel's internal "restart the call" must not reach us. */
	if (res == -XFER_ERESTARTSYS)
		res = -EINTR;
	/*
	 * Try again, as the kernel asks; a bounded number of times, then
	 * it is the file's error like any other.
	 */
	if (res == -EAGAIN || res == -EINTR || res == -ECANCELED) {
		if (x->err == 0 && xfer_stopped(c, x)) {
			/* Cancelled by our stop: the file ends here. */
			xfer_fail(x, -EINTR, q->phase == CREQ_WRITE ?
			    XFER_WRITING : XFER_READING, q->off);
		} else if (x->err == 0 && q->retries < XFER_MAX_RETRIES) {
			q->retries++;
			/* A quick call that could not answer: to the engine. */
			q->r.quick = 0;
			if (xfer_queue(c, q) == 0)
				return;
		} else if (x->err == 0)
			creq_fail(x, q, res);
		xfer_release(c, q);
		return;
	}
	/* The bound is on failures in a row: this one went through. */
	q->retries = 0;
	if (x->err != 0) {
		/* Another error, maybe lower in the file than the first. */
		if (res < 0)
			creq_fail(x, q, res);
		/* Or a write that landed whole: a kept copy has its block. */
		else if (q->phase == CREQ_WRITE && x->method == XFER_RING &&
		    q->written + (size_t)res == q->have)
			q->wdone = 1;
		xfer_release(c, q);
		return;
	}
	if (res == -EINVAL && q->direct) {
		/* The filesystem took O_DIRECT, but not this request. */
		(q->phase == CREQ_READ ? &x->sdirect : &x->ddirect)->disabled = 1;
		if (xfer_send(c, q, q->phase) < 0)
			xfer_release(c, q);
		return;
	}
	if (res == -EINVAL && q->flipped) {
		/* Nor this one, on the source's own descriptor: buffered. */
		xfer_direct_small_end(x, q->off + (off_t)q->have, -EINVAL);
		if (xfer_send(c, q, q->phase) < 0)
			xfer_release(c, q);
		return;
	}
	if (q->phase == CREQ_READ) {
		read_done(c, q, res);
		return;
	}
	if (q->phase == CREQ_CMP) {
		resume_compared(c, q, res);
		return;
	}
	if (res <= 0) {
		/* A write that moves nothing would loop forever: EIO. */
		xfer_fail(x, res < 0 ? (int)res : -EIO, XFER_WRITING,
		    q->off + (off_t)q->written);
		xfer_release(c, q);
		return;
	}
	q->written += (size_t)res;
	x->bytes += (uint64_t)res;
	c->done_bytes += (uint64_t)res;
	if (q->written < q->have || q->more) {
		/* The rest to write, or (splice) the rest to read. */
		q->more = q->written < q->have && q->more;
		if (xfer_send(c, q, q->written < q->have ? CREQ_WRITE :
		    CREQ_READ) < 0)
			xfer_release(c, q);
		return;
	}
	write_done(c, q);
}
