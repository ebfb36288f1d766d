/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier.  Up to maxfiles files are in flight at once, each a small
 * state machine (struct cfile): open the source, statx it, open the
 * destination, move the data, apply metadata, fsync, statx again to see
 * whether the source changed, close both, and with --verify read the copy
 * back.  Opens, statx, fsync and close are requests like reads and writes:
 * with io_uring they go through the ring (where the kernel has the
 * opcodes), so one io_uring_enter() serves many files, and creating files
 * in many directories runs on the kernel's workers in parallel.  A step
 * with nothing to wait for (metadata, --atomic's temporary file) is done
 * at once.
 *
 * A data request (struct creq) borrows one pool buffer and lives through
 * two phases: READ until its buffer holds what was asked or the file
 * ended, then WRITE until all it read is on the destination.  Short
 * transfers resubmit the remainder; EAGAIN and EINTR resubmit the same
 * request; any other error fails the file, whose requests still in flight
 * are drained (their results ignored) before the file is closed, so no
 * request ever outlives the file it points to.  Completions arrive in any
 * order; a request carries its own file offset, and the hash is fed in
 * offset order from slots.
 *
 * Jobs are reported to the caller in the order they were submitted: a
 * finished job waits (holding only its struct, not a file slot) until
 * those before it are done.  The number of such jobs is bounded, so the
 * walker can run ahead of the copier without unbounded memory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/fs.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "checksum.h"
#include "chunk.h"
#include "copy.h"
#include "meta.h"
#include "pagecache.h"
#include "xmalloc.h"

enum creq_phase {
	CREQ_READ,
	CREQ_WRITE,
	CREQ_META,		/* open, statx, fsync or close */
};

/* Where a file is; the comment says what the state waits for or does. */
enum cstate {
	S_OPEN_SRC,		/* issue the source's open */
	S_OPENED_SRC,		/* its result */
	S_STAT_SRC,		/* issue the statx of the open source */
	S_STATED_SRC,		/* its result: check it */
	S_OPEN_DST,		/* open or create the destination */
	S_OPENED_DST,		/* the ring's create came back */
	S_DATA_START,		/* plan, O_DIRECT twins, offload, hash */
	S_DATA,			/* reads and writes in flight */
	S_DATA_END,		/* size, metadata, hash */
	S_FSYNC,		/* issue the fsync */
	S_SYNCED,		/* the fsync came back */
	S_STAT_END,		/* statx the source again */
	S_STATED_END,		/* did it change? */
	S_CLOSE,		/* close both */
	S_CLOSED,		/* the closes came back; --verify starts */
	S_VERIFY_END,		/* compare the hashes */
	S_END,			/* report, clean up, free the slot */
};

/*
 * An O_DIRECT descriptor beside a buffered one for the same file: aligned
 * requests use it, the tail of the file and the rest of a short transfer
 * use the buffered one.
 */
struct twin {
	int		 fd;		/* -1: none */
	int		 off;		/* it failed a request: stop using it */
	unsigned	 align;		/* offset and length alignment */
	uint64_t	 n;		/* requests it served */
	int		 why;		/* -errno when it could not be opened */
};

/* A hole of the source that was not read: hashed as zeros in turn. */
struct hole {
	off_t		start;
	off_t		end;
};

/* One file in flight. */
struct cfile {
	struct copy_job		*job;
	enum cstate		 state;
	const char		*src;
	const char		*dst;
	struct at		 sat;		/* src, relative to a directory */
	struct at		 dat;		/* dst, likewise */
	int			 sfd;
	int			 dfd;
	char			*tmp;		/* --atomic: the temporary name,
						   in dat's directory */
	mode_t			 tmode;		/* and the mode it gets */
	int			 created;	/* we made dst (or tmp) */
	int			 truncated;	/* we cut an existing dst */
	int			 waiting;	/* meta requests in flight */
	ssize_t			 opres;		/* the last meta result */
	struct statx		 stx;
	struct stat		 sst;		/* the source, as opened */
	int			 dreg;		/* dst is a regular file */
	int			 sstream;	/* source cannot pread */
	int			 dstream;	/* destination cannot pwrite */
	int			 trust_short;	/* short read past hint: EOF */
	unsigned		 maxactive;	/* requests this file may hold */
	unsigned		 active;
	struct chunk_plan	 plan;
	int			 err;		/* first failure, -errno */
	int			 err_write;	/* 0 reading, 1 writing, 2 both */
	off_t			 err_off;
	int			 reported;	/* err was said already */
	uint64_t		 bytes;
	uint64_t		 nreq;
	unsigned		 peak;
	struct twin		 sdirect;	/* O_DIRECT twin of sfd */
	struct twin		 ddirect;	/* O_DIRECT twin of dfd */
	int			 cached;	/* % of the source in page cache */
	int			 presized;	/* dst was set to st_size first */
	int			 readonly;	/* hash only: no destination */
	int			 verifying;	/* reading the copy back */
	int			 changed;	/* data past the EOF it found */
	int			 debug_said;	/* --debug told of the copy */
	struct checksum		 ck;
	int			 hashing;
	off_t			 hash_off;	/* the hash has all before this */
	struct creq		**slots;	/* read, waiting to be hashed */
	uint64_t		 offloaded;	/* bytes copy_file_range moved */
	int			 offload_err;	/* why it stopped, -errno */
	int			 sparse;	/* skip the source's holes */
	int			 zeros;		/* --sparse=always: zeros too */
	off_t			 data_end;	/* end of the data found so far */
	off_t			 ext_start;	/* the data extent, unrounded */
	off_t			 ext_end;
	struct hole		*holes;		/* skipped, not yet hashed */
	unsigned		 hhead, hcount;
	uint64_t		 holes_bytes;	/* left as holes in the copy */
	int			 splice;	/* through the slot's pipe */
	int			 cloned;	/* FICLONE shared the data */
	int			*pipe;		/* read end, write end */
};

struct creq {
	struct req		 r;	/* what the engine sees */
	struct cfile		*f;
	enum creq_phase		 phase;
	int			 buf;	/* pool buffer index, or -1 */
	off_t			 off;	/* file offset of the buffer's start */
	size_t			 want;	/* bytes to read */
	size_t			 have;	/* bytes read */
	size_t			 written;
	int			 direct;	/* through a twin */
	int			 wdone;		/* all of it is written */
	int			 hashed;
	int			 closing_dst;	/* CLOSE of the destination */
	int			 edge;		/* a block a hole's edge cuts */
};

static void	file_step(struct copier *, struct cfile *);

static void
pipe_close(int *p)
{
	if (p[0] >= 0)
		(void)close(p[0]);
	if (p[1] >= 0)
		(void)close(p[1]);
	p[0] = p[1] = -1;
}

unsigned
copier_requests(unsigned depth, unsigned files)
{
	return depth + (files != 0 ? files : depth);
}

int
copier_init(struct copier *c, struct engine *eng,
    const struct copier_params *params)
{
	unsigned	i;
	int		ret;

	memset(c, 0, sizeof(*c));
	c->eng = eng;
	c->block_size = params->block_size;
	c->depth = params->depth;
	c->debug = params->debug;
	c->offload = params->offload;
	c->direct = params->direct;
	c->algo = params->algo;
	c->fsync = params->fsync;
	c->atomic = params->atomic;
	c->sparse = params->sparse;
	c->reflink = params->reflink;
	/* Only this thread touches the umask, and only here. */
	c->umask = umask(0);
	(void)umask(c->umask);
	c->stop = params->stop;
	if ((ret = bufpool_init(&c->pool, c->depth, c->block_size)) < 0)
		return ret;

	/*
	 * depth reads and writes, each with a buffer; beside them, one
	 * open, statx, fsync or close for each file in flight, which need
	 * no buffer.  Finished jobs wait for their turn to be reported; a
	 * few times as many as the files keeps the walker ahead.
	 */
	c->maxfiles = params->files != 0 ? params->files : c->depth;
	c->maxjobs = 4 * c->maxfiles;
	c->nreqs = copier_requests(c->depth, c->maxfiles);
	c->reqs = xcalloc(c->nreqs, sizeof(*c->reqs));
	c->idle = xcalloc(c->nreqs, sizeof(*c->idle));
	c->reaped = xcalloc(c->nreqs, sizeof(*c->reaped));
	for (i = 0; i < c->nreqs; i++)
		c->idle[c->nidle++] = &c->reqs[c->nreqs - 1 - i];
	c->files = xcalloc(c->maxfiles, sizeof(*c->files));
	c->pipes = xcalloc(c->maxfiles, sizeof(*c->pipes));
	for (i = 0; i < c->maxfiles; i++)
		c->pipes[i][0] = c->pipes[i][1] = -1;
	/*
	 * A plain copy of a small cached file through a pipe: splice in
	 * takes references to the source's pages, splice out copies them
	 * once into the destination's, where read and write copy twice.
	 * Only where the engine does splices off this thread.
	 */
	c->splice = params->offload && eng->async[ENGINE_OP_SPLICE];
	c->freefiles = xcalloc(c->maxfiles, sizeof(*c->freefiles));
	for (i = 0; i < c->maxfiles; i++)
		c->freefiles[c->nfreefiles++] = &c->files[c->maxfiles - 1 - i];

	/*
	 * Registration pins the pool once instead of on every request.  It
	 * can fail under a small RLIMIT_MEMLOCK on older kernels; the copy
	 * then goes on with plain buffers.
	 */
	ret = engine_register_buffers(eng, c->pool.iov, c->pool.count);
	if (ret < 0 && c->debug)
		warnc(-ret, "debug: registering %u buffers failed, using "
		    "unregistered buffers", c->pool.count);
	return 0;
}

void
copier_exit(struct copier *c)
{
	unsigned	i;

	for (i = 0; c->pipes != NULL && i < c->maxfiles; i++)
		pipe_close(c->pipes[i]);
	free(c->pipes);
	c->pipes = NULL;
	bufpool_exit(&c->pool);
	free(c->reqs);
	free(c->idle);
	free(c->reaped);
	free(c->files);
	free(c->freefiles);
	c->reqs = NULL;
	c->idle = NULL;
	c->reaped = NULL;
	c->files = NULL;
	c->freefiles = NULL;
}

/*
 * Record a failure of f.  Requests complete in any order, so of several
 * errors the one at the lowest offset is kept: it is where the file's
 * good data ends.
 */
static void
file_fail(struct cfile *f, int err, int writing, off_t off)
{
	if (f->err != 0 && (err == -EINTR || f->err == -EINTR ||
	    off >= f->err_off))
		return;
	f->err = err;
	f->err_write = writing;
	f->err_off = off;
}

/* A failure already reported with its own message. */
static void
file_fail_said(struct cfile *f, int err)
{
	if (f->err == 0)
		f->err = err;
	f->reported = 1;
}

/*
 * Hand a request to the engine; on a full engine, make room first.
 * 0, or -EBUSY with the file failed.
 */
static int
creq_queue(struct copier *c, struct creq *q)
{
	int	ret;

	ret = engine_queue(c->eng, &q->r);
	if (ret == ENGINE_BUSY) {
		(void)engine_submit(c->eng);
		ret = engine_queue(c->eng, &q->r);
	}
	if (ret == ENGINE_BUSY) {
		/*
		 * Cannot happen while in-flight requests never exceed the
		 * depth the engine was sized for; fail the file rather
		 * than spin.
		 */
		file_fail(q->f, -EBUSY, q->phase == CREQ_WRITE, q->off);
		return -EBUSY;
	}
	c->stats.requests++;
	c->inengine++;
	q->f->nreq++;
	return 0;
}

/* Take an idle request for f; NULL when all are lent out. */
static struct creq *
creq_get(struct copier *c, struct cfile *f)
{
	struct creq	*q;

	if (c->nidle == 0)
		return NULL;
	q = c->idle[--c->nidle];
	memset(q, 0, sizeof(*q));
	q->r.owner = q;
	q->r.buf = -1;
	q->buf = -1;
	q->f = f;
	f->active++;
	c->inflight++;
	if (c->inflight > c->stats.peak)
		c->stats.peak = c->inflight;
	return q;
}
/*
 * May a transfer of [off + done, off + len) use the twin?  Only a whole
 * request (nothing done yet) with offset and length aligned.
 */
static int
twin_fits(struct twin *t, off_t off, size_t done, size_t len)
{
	if (t->fd < 0 || t->off || done != 0 || len == 0 ||
	    off % t->align != 0 || len % t->align != 0)
		return 0;
	t->n++;
	return 1;
}

static int
creq_read(struct copier *c, struct creq *q)
{
	struct cfile	*f = q->f;

	/*
	 * Direct reads only where offset and length are aligned: the rest
	 * of a short read goes through the page cache.
	 */
	q->direct = twin_fits(&f->sdirect, q->off, q->have, q->want);
	q->phase = CREQ_READ;
	if (f->splice) {
		/* Into the pipe, which holds a whole block. */
		q->r.op = ENGINE_OP_SPLICE;
		q->r.fd = f->sfd;
		q->r.off = q->off + (off_t)q->have;
		q->r.fd2 = f->pipe[1];
		q->r.off2 = -1;
		q->r.len = q->want - q->have;
		return creq_queue(c, q);
	}
	q->r.op = ENGINE_OP_READ;
	q->r.fd = q->direct ? f->sdirect.fd : f->sfd;
	q->r.direct = q->direct;
	q->r.addr = bufpool_addr(&c->pool, q->buf) + q->have;
	q->r.off = q->f->sstream ? -1 : q->off + (off_t)q->have;
	q->r.len = q->want - q->have;
	return creq_queue(c, q);
}

static int
creq_write(struct copier *c, struct creq *q)
{
	q->direct = twin_fits(&q->f->ddirect, q->off, q->written, q->have);
	q->phase = CREQ_WRITE;
	if (q->f->splice) {
		/* Out of the pipe: what is in it, in order. */
		q->r.op = ENGINE_OP_SPLICE;
		q->r.fd = q->f->pipe[0];
		q->r.off = -1;
		q->r.fd2 = q->f->dfd;
		q->r.off2 = q->off + (off_t)q->written;
		q->r.len = q->have - q->written;
		return creq_queue(c, q);
	}
	q->r.op = ENGINE_OP_WRITE;
	q->r.fd = q->direct ? q->f->ddirect.fd : q->f->dfd;
	q->r.direct = q->direct;
	q->r.addr = bufpool_addr(&c->pool, q->buf) + q->written;
	q->r.off = q->f->dstream ? -1 : q->off + (off_t)q->written;
	q->r.len = q->have - q->written;
	return creq_queue(c, q);
}

/* The hash slot of the request at off: offsets are block multiples. */
static struct creq **
slot_of(struct copier *c, struct cfile *f, off_t off)
{
	return &f->slots[(size_t)(off / (off_t)c->block_size) % c->depth];
}

static void
creq_release(struct copier *c, struct creq *q)
{
	if (q->buf >= 0) {
		if (q->f->hashing && *slot_of(c, q->f, q->off) == q)
			*slot_of(c, q->f, q->off) = NULL;
		bufpool_put(&c->pool, q->buf);
	}
	q->f->active--;
	q->f = NULL;
	c->idle[c->nidle++] = q;
	c->inflight--;
}

/*
 * Issue one open, statx, fsync or close for f and move it to state next,
 * where its completion finds it.  1 when it is in flight, 0 when no
 * request is free (f->state stays, to be retried on the next round), or
 * -1 with the file failed (f->state is S_END).
 */
static int
file_op(struct copier *c, struct cfile *f, enum engine_op op, int fd,
    const char *path, int flags, mode_t mode, enum cstate next)
{
	struct creq	*q;

	if ((q = creq_get(c, f)) == NULL)
		return 0;
	q->phase = CREQ_META;
	q->r.op = op;
	q->r.fd = fd;
	q->r.path = path;
	q->r.flags = flags;
	q->r.mode = mode;
	q->r.stx = &f->stx;
	q->closing_dst = op == ENGINE_OP_CLOSE && fd == f->dfd;
	if (creq_queue(c, q) < 0) {
		creq_release(c, q);
		f->state = S_END;
		return -1;
	}
	f->waiting++;
	f->state = next;
	return 1;
}

/*
 * The open or statx that f waited for failed: say so (fmt names the
 * file) and end it.  1 if so, 0 when it succeeded.
 */
static int	file_op_failed(struct cfile *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
file_op_failed(struct cfile *f, const char *fmt, ...)
{
	va_list	ap;

	if (f->opres >= 0)
		return 0;
	va_start(ap, fmt);
	vwarnc((int)-f->opres, fmt, ap);
	va_end(ap);
	file_fail_said(f, (int)f->opres);
	f->state = S_END;
	return 1;
}

static void	file_hash_advance(struct copier *, struct cfile *);

/*
 * The next read of a sparse source is at or past the data found so far:
 * find where data starts again (SEEK_DATA) and ends (SEEK_HOLE), and
 * skip what lies between, which is a hole.  Offsets stay block
 * multiples (a hole's edges are rounded inwards), so a request and its
 * hash slot line up.  0, or -1 to wait (the holes not yet hashed fill
 * their ring).
 */
static int
file_find_data(struct copier *c, struct cfile *f)
{
	off_t	next = f->plan.next, d, raw, h, bs = (off_t)c->block_size;

	if (f->hashing && f->hcount == c->depth + 1)
		return -1;
	if ((d = lseek(f->sfd, next, SEEK_DATA)) < 0) {
		if (errno != ENXIO) {
			/* No SEEK_DATA here: read it all. */
			f->sparse = 0;
			return 0;
		}
		/* Only a hole from here to the end. */
		d = f->plan.hint;
	} else if (d > f->plan.hint)
		d = f->plan.hint;
	raw = d;
	if (d < f->plan.hint)
		d -= d % bs;
	if (d > next) {
		if (!f->verifying) {
			f->holes_bytes += (uint64_t)(d - next);
			c->done_bytes += (uint64_t)(d - next);
		}
		if (f->hashing) {
			f->holes[(f->hhead + f->hcount) % (c->depth + 1)] =
			    (struct hole){ next, d };
			f->hcount++;
		}
		chunk_skip(&f->plan, d);
		if (f->hashing)
			file_hash_advance(c, f);
	}
	if (d >= f->plan.hint) {
		f->data_end = f->ext_start = f->ext_end = f->plan.hint;
		return 0;
	}
	f->ext_start = raw;
	if ((h = lseek(f->sfd, f->ext_start, SEEK_HOLE)) < 0 ||
	    h > f->plan.hint)
		h = f->plan.hint;
	f->ext_end = h;
	f->data_end = h % bs == 0 ? h : h - h % bs + bs;
	return 0;
}

/* Start as many reads of f as the plan, the pool and the file allow. */
static void
file_fill(struct copier *c, struct cfile *f)
{
	struct creq	*q;
	off_t		 off;
	size_t		 len;
	int		 buf;

	if (c->stop != NULL && *c->stop && f->err == 0)
		file_fail(f, -EINTR, 0, f->plan.next);
	while (f->err == 0 && f->active < f->maxactive && c->nidle > 0 &&
	    (f->splice || c->pool.nfree > 0)) {
		if (f->sparse && f->plan.next >= f->data_end &&
		    f->plan.next < f->plan.hint && file_find_data(c, f) < 0)
			break;
		/*
		 * A hash slot per block in a window of depth blocks from the
		 * hash's position: past holes, requests may be further apart
		 * than that, and must wait.
		 */
		if (f->hashing && f->plan.next >= f->hash_off -
		    f->hash_off % (off_t)c->block_size +
		    (off_t)c->depth * (off_t)c->block_size)
			break;
		if (chunk_next(&f->plan, &off, &len) != CHUNK_READ)
			break;
		buf = f->splice ? -1 : bufpool_get(&c->pool);
		q = creq_get(c, f);
		q->buf = buf;
		q->r.buf = buf;
		q->off = off;
		q->want = len;
		/* Where the block holds part of a hole, the hole stays one. */
		q->edge = f->sparse && !f->readonly && (off < f->ext_start ||
		    off + (off_t)len > f->ext_end);
		if (f->active > f->peak)
			f->peak = f->active;
		if (creq_read(c, q) < 0) {
			chunk_read_done(&f->plan, q->off);
			creq_release(c, q);
		}
	}
}

/*
 * q's data is read: feed the hash every request that is now next in file
 * order.  Completions come in any order, so a request may wait in its
 * slot (its buffer held) until those before it are hashed.  This runs
 * while the kernel serves the other requests in flight.
 */
static void
file_hash_ready(struct copier *c, struct cfile *f, struct creq *q)
{
	*slot_of(c, f, q->off) = q;
	file_hash_advance(c, f);
}

/* Feed the hash what is next in file order: holes, then read blocks. */
static void
file_hash_advance(struct copier *c, struct cfile *f)
{
	static const char	 zeros[65536];
	struct creq		**slot, *q;
	struct hole		*h;
	off_t			 n;

	for (;;) {
		h = f->hcount > 0 ? &f->holes[f->hhead] : NULL;
		if (h != NULL && h->start == f->hash_off) {
			for (; h->start < h->end; h->start += n) {
				n = h->end - h->start;
				if (n > (off_t)sizeof(zeros))
					n = sizeof(zeros);
				checksum_update(&f->ck, zeros, (size_t)n);
			}
			f->hash_off = h->end;
			f->hhead = (f->hhead + 1) % (c->depth + 1);
			f->hcount--;
			continue;
		}
		slot = slot_of(c, f, f->hash_off);
		q = *slot;
		if (q == NULL || q->off != f->hash_off)
			break;
		checksum_update(&f->ck, bufpool_addr(&c->pool, q->buf),
		    q->have);
		f->hash_off += (off_t)q->have;
		if (f->verifying)
			c->stats.verified += q->have;
		else
			c->stats.hashed += q->have;
		if (f->readonly && !f->verifying)
			c->done_bytes += q->have;
		q->hashed = 1;
		*slot = NULL;
		if (q->wdone)
			creq_release(c, q);
	}
}

/* Is [p, p + n) all zero bytes? */
static int
all_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * --sparse=always: a block of zeros is not written at all, and runs of
 * zero pages inside a written block are punched out, so the copy holds
 * no more blocks than cp --sparse=always makes.  1 when the whole block
 * is zeros (nothing to write).
 */
#define ZERO_PAGE	4096

static int
creq_zero_block(struct copier *c, struct creq *q)
{
	const char	*p = bufpool_addr(&c->pool, q->buf);

	if (q->have % ZERO_PAGE != 0 || !all_zero(p, q->have))
		return 0;
	q->f->holes_bytes += q->have;
	c->done_bytes += q->have;
	return 1;
}

static void
creq_punch_zeros(struct copier *c, struct creq *q)
{
	const char	*p = bufpool_addr(&c->pool, q->buf);
	size_t		 i, run = 0;

	for (i = 0; i + ZERO_PAGE <= q->have; i += ZERO_PAGE) {
		if (all_zero(p + i, ZERO_PAGE)) {
			run += ZERO_PAGE;
			continue;
		}
		if (run > 0 && fallocate(q->f->dfd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, q->off + (off_t)(i - run),
		    (off_t)run) == 0)
			q->f->holes_bytes += run;
		run = 0;
	}
	if (run > 0 && fallocate(q->f->dfd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, q->off + (off_t)(i - run), (off_t)run) == 0)
		q->f->holes_bytes += run;
}

/* The request's part is done on the destination (or there is none). */
static void
creq_done(struct copier *c, struct creq *q)
{
	if (q->f->zeros || q->edge)
		creq_punch_zeros(c, q);
	q->wdone = 1;
	if (!q->f->hashing || q->hashed)
		creq_release(c, q);
}

/* An open, statx, fsync or close came back. */
static void
creq_meta_done(struct copier *c, struct creq *q)
{
	struct cfile	*f = q->f;
	ssize_t		 res = q->r.res;

	switch (q->r.op) {
	case ENGINE_OP_FSYNC:
	case ENGINE_OP_FSYNC_ALL:
		if (res < 0)
			file_fail(f, (int)res, 1, (off_t)f->bytes);
		break;
	case ENGINE_OP_CLOSE:
		/* A failed close of what we wrote may have lost data. */
		if (res < 0 && q->closing_dst)
			file_fail(f, (int)res, 1, (off_t)f->bytes);
		break;
	default:
		f->opres = res;
		break;
	}
	f->waiting--;
	creq_release(c, q);
	if (f->waiting == 0)
		file_step(c, f);
}

static void
creq_complete(struct copier *c, struct creq *q)
{
	struct cfile	*f = q->f;
	ssize_t		 res = q->r.res;

	if (q->phase == CREQ_META) {
		creq_meta_done(c, q);
		return;
	}
	if (res == -EAGAIN || res == -EINTR) {
		if (f->err == 0 && creq_queue(c, q) == 0)
			return;
		creq_release(c, q);
		return;
	}
	if (f->err != 0) {
		/* Another error, maybe lower in the file than the first. */
		if (res < 0)
			file_fail(f, (int)res, q->phase == CREQ_WRITE,
			    q->off + (off_t)(q->phase == CREQ_WRITE ?
			    q->written : q->have));
		creq_release(c, q);
		return;
	}
	if (q->phase == CREQ_READ) {
		if (res == -EINVAL && f->splice && q->off == 0 &&
		    q->have == 0) {
			/* This filesystem cannot splice: read and write. */
			f->splice = 0;
			f->maxactive = f->dstream ? 1 : c->depth;
			creq_release(c, q);
			chunk_init(&f->plan, f->plan.hint, c->block_size);
			return;
		}
		if (res == -EINVAL && q->direct) {
			/* The filesystem took O_DIRECT but not this read. */
			f->sdirect.off = 1;
			if (creq_read(c, q) < 0)
				creq_release(c, q);
			return;
		}
		if (res < 0) {
			file_fail(f, (int)res, 0, q->off + (off_t)q->have);
			creq_release(c, q);
			return;
		}
		if (res > 0 && f->plan.eof >= 0 && q->off >= f->plan.eof) {
			/* Data past an EOF already found: it changed. */
			f->changed = 1;
			file_fail(f, -EIO, 0, q->off);
			creq_release(c, q);
			return;
		}
		if (res == 0) {
			chunk_eof(&f->plan, q->off + (off_t)q->have);
		} else {
			q->have += (size_t)res;
			if (q->have < q->want && f->trust_short &&
			    chunk_past_hint(&f->plan, q->off, q->want) &&
			    q->off + (off_t)q->have >= f->plan.hint) {
				/*
				 * A regular file's read stops short only at
				 * its end; growth after this shows in the
				 * statx that follows the copy.
				 */
				chunk_eof(&f->plan, q->off + (off_t)q->have);
			} else if (q->have < q->want) {
				/* Short: read the rest, or find EOF. */
				if (creq_read(c, q) < 0)
					creq_release(c, q);
				return;
			}
		}
		chunk_read_done(&f->plan, q->off);
		if (q->have == 0) {
			creq_release(c, q);
			return;
		}
		if (f->readonly || ((f->zeros || q->edge) &&
		    creq_zero_block(c, q)))
			q->wdone = 1;
		else if (creq_write(c, q) < 0) {
			creq_release(c, q);
			return;
		}
		if (f->hashing)
			file_hash_ready(c, f, q);
		else if (q->wdone)
			creq_release(c, q);
		return;
	}

	if (res == -EINVAL && q->direct) {
		f->ddirect.off = 1;
		if (creq_write(c, q) < 0)
			creq_release(c, q);
		return;
	}
	if (res <= 0) {
		/* A write that moves nothing would loop forever: EIO. */
		file_fail(f, res < 0 ? (int)res : -EIO, 1,
		    q->off + (off_t)q->written);
		creq_release(c, q);
		return;
	}
	q->written += (size_t)res;
	f->bytes += (uint64_t)res;
	c->done_bytes += (uint64_t)res;
	if (q->written < q->have) {
		if (creq_write(c, q) < 0)
			creq_release(c, q);
		return;
	}
	creq_done(c, q);
}

/*
 * After a failure, requests that wait only for their turn to be hashed
 * will never get it: let them go.
 */
static void
file_drop_waiting(struct copier *c, struct cfile *f)
{
	unsigned	i;

	if (!f->hashing)
		return;
	for (i = 0; i < c->depth; i++)
		if (f->slots[i] != NULL && f->slots[i]->wdone)
			creq_release(c, f->slots[i]);
}

/* Bytes asked of copy_file_range() at once; also the readahead step. */
#define OFFLOAD_CHUNK	((size_t)8 << 20)

/*
 * Files below this go through the ring even where the kernel could copy
 * them itself: copy_file_range() is synchronous, so a small file would
 * hold up every other file in flight, and one io_uring_enter() moves
 * many small files' data at once.
 */
#define OFFLOAD_MIN	((off_t)8 << 20)

/*
 * The kernel's own copy, for a plain file-to-file copy that needs no data
 * in memory: copy_file_range() moves pages inside the kernel (one copy
 * instead of two, or a reflink where the filesystem shares extents).  It
 * is sequential, so the disk is kept busy by asking for the source two
 * chunks ahead with POSIX_FADV_WILLNEED.
 *
 * Returns 1 when it reached EOF (the file is done), 0 when the ring must
 * copy from f->plan.next on (the filesystems cannot do it, f->offload_err
 * says why), or -1 when the file failed.
 */
static int
file_offload(struct copier *c, struct cfile *f)
{
	loff_t	in = 0, out = 0;
	off_t	ahead = 0;
	ssize_t	n;

	for (;;) {
		if (c->stop != NULL && *c->stop) {
			file_fail(f, -EINTR, 1, (off_t)out);
			return -1;
		}
		if (ahead < in + (off_t)(2 * OFFLOAD_CHUNK) &&
		    ahead < f->plan.hint) {
			(void)posix_fadvise(f->sfd, ahead, OFFLOAD_CHUNK,
			    POSIX_FADV_WILLNEED);
			ahead += (off_t)OFFLOAD_CHUNK;
			continue;
		}
		n = copy_file_range(f->sfd, &in, f->dfd, &out, OFFLOAD_CHUNK,
		    0);
		if (n > 0) {
			f->offloaded += (uint64_t)n;
			f->bytes += (uint64_t)n;
			c->done_bytes += (uint64_t)n;
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		switch (errno) {
		case EXDEV:
		case EINVAL:
		case ENOSYS:
		case EOPNOTSUPP:
		case EBADF:
		case ETXTBSY:
		case EPERM:
			/* Not for these files: the ring does the rest. */
			f->offload_err = -errno;
			f->plan.next = (off_t)in;
			return 0;
		}
		/*
		 * A real I/O error: we cannot tell the read side from the
		 * write side, so the message names both files.
		 */
		file_fail(f, -errno, 2, (off_t)out);
		return -1;
	}
}

/* Files smaller than this are read through the cache, cached or not. */
#define DIRECT_MIN	((off_t)32 << 20)

/*
 * Open an O_DIRECT twin of fd.  It is reopened through /proc/self/fd so
 * that it is the same file, not the same name.  On failure (tmpfs refuses
 * O_DIRECT with EINVAL) t->why says why and the buffered descriptor does
 * all the work.
 */
static void
twin_open(struct copier *c, struct twin *t, int fd, int flags,
    const struct stat *want)
{
	struct stat	st;
	char		path[64];
	unsigned	align;
	int		tfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((tfd = open(path, flags | O_DIRECT | O_CLOEXEC)) < 0) {
		t->why = -errno;
		return;
	}
	align = pagecache_dio_align(tfd);
	if (fstat(tfd, &st) < 0 || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino) {
		t->why = -ESTALE;
		(void)close(tfd);
		return;
	}
	if (align == 0 || align > BUFPOOL_ALIGN ||
	    c->block_size % align != 0) {
		t->why = -EINVAL;
		(void)close(tfd);
		return;
	}
	t->fd = tfd;
	t->align = align;
}

static void
twin_close(struct twin *t)
{
	if (t->fd >= 0)
		(void)close(t->fd);
	t->fd = -1;
}

static void
twin_debug(const struct twin *t, const char *name, const char *what)
{
	/* Called after twin_close(): align tells it was open. */
	if (t->align != 0)
		fprintf(stderr, "acp: debug: '%s': %llu %s with O_DIRECT "
		    "(alignment %u)%s\n", name, (unsigned long long)t->n, what,
		    t->align, t->off ? ", then refused: buffered" : "");
	else if (t->why != 0)
		fprintf(stderr, "acp: debug: '%s': O_DIRECT refused (%s): "
		    "buffered %s\n", name, strerror(-t->why), what);
}

/* The struct stat of what statx found (the fields acp reads). */
static void
stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = (off_t)x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = (blkcnt_t)x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/*
 * A source whose size, mtime or ctime moved while it was copied was
 * changing under us: the copy may mix old and new data.  Regular files
 * only: a FIFO or /proc file has no such promise to keep.
 */
static int
stat_moved(const struct stat *before, const struct stat *after)
{
	return after->st_size != before->st_size ||
	    after->st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    after->st_mtim.tv_nsec != before->st_mtim.tv_nsec ||
	    after->st_ctim.tv_sec != before->st_ctim.tv_sec ||
	    after->st_ctim.tv_nsec != before->st_ctim.tv_nsec;
}

/* Set up in-order hashing for f with algo (none if NULL); 0 or -1. */
static int
file_hash_start(struct copier *c, struct cfile *f,
    const struct checksum_algo *algo)
{
	int	ret;

	if (algo == NULL)
		return 0;
	if ((ret = checksum_init(&f->ck, algo)) < 0) {
		file_fail(f, ret, 0, 0);
		return -1;
	}
	if (f->slots == NULL)
		f->slots = xcalloc(c->depth, sizeof(*f->slots));
	else
		memset(f->slots, 0, c->depth * sizeof(*f->slots));
	f->hash_off = 0;
	f->hashing = 1;
	return 0;
}

/* Finish f's hash into hex, or drop it when hex is NULL. */
static void
file_hash_end(struct cfile *f, char *hex)
{
	if (!f->hashing)
		return;
	if (hex != NULL)
		checksum_final(&f->ck, hex);
	else
		checksum_free(&f->ck);
	f->hashing = 0;
}

/*
 * Open the destination as cp does: an existing file is truncated and
 * keeps its mode; a new one is created exclusively with the source's
 * permission bits (no set-id or sticky bits), which the umask narrows.
 * *created tells the caller it may remove the file on failure.
 */
static int
open_dest(const struct copy_job *job, const struct at *dat,
    const struct stat *sst, int *created)
{
	mode_t	mode = sst->st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
	int	fd, flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;

	*created = 0;
	if (job->dst_exists) {
		/* --attributes-only keeps an existing file's data. */
		if ((fd = openat(dat->dirfd, dat->name, flags |
		    (job->attr_only ? 0 : O_TRUNC))) >= 0)
			return fd;
		if (!job->force || errno == ENOENT) {
			if (errno != ENOENT) {
				warn("cannot open '%s' for writing", job->dst);
				return -1;
			}
			/* Gone since the walker looked: create it. */
		} else if (unlinkat(dat->dirfd, dat->name, 0) < 0 &&
		    errno != ENOENT) {
			warn("cannot remove '%s'", job->dst);
			return -1;
		}
	}
	if ((fd = openat(dat->dirfd, dat->name, flags | O_CREAT | O_EXCL,
	    mode)) < 0) {
		warn("cannot create regular file '%s'", job->dst);
		return -1;
	}
	*created = 1;
	return fd;
}

/* How much of a name its --atomic temporary name keeps (NAME_MAX - 12). */
#define TEMP_NAME_KEEP	200

/*
 * --atomic: the data goes to a new file beside the destination, created
 * exclusively with mode 0600, and is renamed over the destination only
 * when complete.  *mode is what the file gets just before the rename:
 * an existing destination's mode (cp keeps it), else the source's
 * permission bits narrowed by the umask.  Caller frees *tmp.
 */
static int
open_temp(struct copier *c, const struct copy_job *job, const struct at *dat,
    const struct stat *sst, char **tmp, mode_t *mode)
{
	static const char	 letters[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char		*slash = strrchr(dat->name, '/'), *base;
	size_t			 dirlen, baselen, i;
	char			*suffix;
	int			 fd, tries;

	base = slash != NULL ? slash + 1 : dat->name;
	dirlen = (size_t)(base - dat->name);
	/* ".acp-" NAME "." 6 letters must stay a name the kernel takes. */
	baselen = strlen(base);
	if (baselen > TEMP_NAME_KEEP)
		baselen = TEMP_NAME_KEEP;
	xasprintf(tmp, "%.*s.acp-%.*s.000000", (int)dirlen, dat->name,
	    (int)baselen, base);
	suffix = *tmp + strlen(*tmp) - 6;
	for (tries = 0; tries < 100; tries++) {
		for (i = 0; i < 6; i++)
			suffix[i] = letters[arc4random_uniform(
			    sizeof(letters) - 1)];
		fd = openat(dat->dirfd, *tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOCTTY, S_IRUSR | S_IWUSR);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		warn("cannot create a temporary file beside '%s'", job->dst);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	if (job->dst_exists)
		*mode = job->dst_mode & 07777;
	else
		*mode = sst->st_mode & (S_IRWXU | S_IRWXG | S_IRWXO) &
		    ~c->umask;
	return fd;
}

/* Put the finished temporary file in place; 0, or -1 after a message. */
static int
rename_temp(const char *tmp, const struct copy_job *job,
    const struct at *dat)
{
	int	ret;

	if (job->noclobber)
		ret = renameat2(dat->dirfd, tmp, dat->dirfd, dat->name,
		    RENAME_NOREPLACE);
	else
		ret = renameat(dat->dirfd, tmp, dat->dirfd, dat->name);
	if (ret < 0) {
		warn("cannot rename the copy into place as '%s'", job->dst);
		return -1;
	}
	return 0;
}

/*
 * Holes: a regular source that holds fewer blocks than its size (the
 * cheap test; SEEK_DATA costs two system calls a file) has its holes
 * skipped, unless --sparse=never or the copy cannot have holes (a device,
 * a FIFO).  A copy that is only hashed skips them too.
 */
static void
file_sparse_start(struct copier *c, struct cfile *f, const struct stat *sst)
{
	int	holes_ok = f->readonly || (f->dreg && c->sparse !=
	    COPY_SPARSE_NEVER);

	f->data_end = 0;
	f->hhead = f->hcount = 0;
	f->sparse = S_ISREG(sst->st_mode) && holes_ok &&
	    (uint64_t)sst->st_blocks * 512 < (uint64_t)sst->st_size;
	f->zeros = !f->readonly && f->dreg && c->sparse == COPY_SPARSE_ALWAYS;
	if (f->sparse && f->holes == NULL)
		f->holes = xcalloc(c->depth + 1, sizeof(*f->holes));
}

/*
 * The slot's pipe for splicing, made once and kept while it stays
 * empty between files; 0, or -1 to copy through the buffers instead.
 */
static int
file_pipe(struct copier *c, struct cfile *f)
{
	int	*p = c->pipes[f - c->files];

	if (p[0] < 0) {
		if (pipe2(p, O_CLOEXEC) < 0) {
			p[0] = p[1] = -1;
			c->splice = 0;
			return -1;
		}
		/* A whole block in flight at once; 64K if it cannot grow. */
		if (fcntl(p[1], F_SETPIPE_SZ, (int)c->block_size) <
		    (int)c->block_size) {
			pipe_close(p);
			c->splice = 0;
			return -1;
		}
	}
	f->pipe = p;
	return 0;
}

/*
 * Prepare the data phase: the plan, direct I/O twins, copy offload for a
 * big cached file, in-order hashing.  Done at once: nothing here waits.
 */
static void
file_data_start(struct copier *c, struct cfile *f)
{
	const struct stat	*sst = &f->sst;
	struct stat		 dst;
	int			 sreg = S_ISREG(sst->st_mode);
	int			 want_ddirect;

	if (f->job->attr_only) {
		/* --attributes-only: the file, its metadata, no data. */
		f->plan.eof = -1;
		f->state = S_DATA_END;
		return;
	}

	/*
	 * Pipes, sockets and character devices cannot pread: read them in
	 * order.  A destination that cannot pwrite (a FIFO, a tty) takes
	 * one request at a time so its writes stay in order.
	 */
	f->sstream = !sreg && !S_ISBLK(sst->st_mode);
	f->trust_short = sreg;
	f->maxactive = f->dstream ? 1 : c->depth;
	chunk_init(&f->plan, sreg ? sst->st_size : 0, c->block_size);
	f->cached = -1;
	if (sreg && sst->st_size >= DIRECT_MIN)
		f->cached = pagecache_percent(f->sfd, sst->st_size);
	f->state = S_DATA;
	file_sparse_start(c, f, sst);

	/*
	 * --reflink: share the source's extents (btrfs, xfs, ...); the data
	 * is then never read, so not where a checksum is asked.
	 */
	if (!f->readonly && sreg && f->dreg && c->reflink != COPY_REFLINK_NEVER &&
	    c->algo == NULL && sst->st_size > 0 && (c->reflink ==
	    COPY_REFLINK_ALWAYS || c->clones > 0 || c->noclones < 8)) {
		if (ioctl(f->dfd, FICLONE, f->sfd) == 0) {
			c->clones++;
			f->cloned = 1;
			f->bytes = (uint64_t)sst->st_size;
			c->done_bytes += (uint64_t)sst->st_size;
			f->plan.eof = sst->st_size;
			f->state = S_DATA_END;
			return;
		}
		/*
		 * auto: after eight refusals and no success, these
		 * filesystems do not clone; stop asking (an ioctl a file
		 * is a cost on a tree of small files).
		 */
		c->noclones++;
		if (c->reflink == COPY_REFLINK_ALWAYS) {
			warn("failed to clone '%s' from '%s'", f->dst, f->src);
			file_fail_said(f, -errno);
			f->state = S_END;
			return;
		}
	}

	/*
	 * A file that says it is empty may not be (/proc): read it through
	 * the ring until EOF.  A cold source is faster through the ring
	 * with direct reads than through copy_file_range's buffered ones;
	 * a small one is faster in the ring beside other files, where one
	 * io_uring_enter() serves many.
	 */
	if (!f->readonly && c->offload && !c->direct && c->algo == NULL &&
	    sreg && f->dreg && !f->sparse && !f->zeros &&
	    sst->st_size >= OFFLOAD_MIN &&
	    (f->cached < 0 || f->cached >= 50)) {
		switch (file_offload(c, f)) {
		case 1:
			f->state = S_DATA_END;
			return;
		case -1:
			f->state = S_END;
			return;
		}
	}

	/* Direct I/O where asked (--direct), and for reads of a cold source. */
	if (sreg && (c->direct || (f->cached >= 0 && f->cached < 50)))
		twin_open(c, &f->sdirect, f->sfd, O_RDONLY, sst);
	want_ddirect = !f->readonly && f->dreg && c->direct;
	if (want_ddirect && fstat(f->dfd, &dst) == 0)
		twin_open(c, &f->ddirect, f->dfd, O_WRONLY, &dst);
	/*
	 * A direct write past EOF is done synchronously under the inode
	 * lock (ext4, xfs), so 16 of them in flight run one by one:
	 * measured 1.07 s for 1 GiB, the io-wq workers waiting in
	 * rwsem_down_write_slowpath.  Setting the size first makes every
	 * write land inside the file; the size is set again to the end
	 * of the data once it is known.
	 */
	if (f->ddirect.fd >= 0 && sst->st_size > 0 &&
	    ftruncate(f->dfd, sst->st_size) == 0)
		f->presized = 1;
	if (c->splice && !f->readonly && sreg && f->dreg && c->algo == NULL &&
	    !c->direct && !f->sparse && !f->zeros && f->sdirect.fd < 0 &&
	    f->ddirect.fd < 0 && sst->st_size < OFFLOAD_MIN &&
	    file_pipe(c, f) == 0) {
		f->splice = 1;
		f->maxactive = 1;
	}
	if (file_hash_start(c, f, f->readonly ? f->job->algo : c->algo) < 0)
		f->state = S_END;
}

/*
 * The copy is whole: set its size where it was presized, the temporary
 * file's mode, then metadata through the descriptor (after the data,
 * before an --atomic rename); a metadata failure is reported but keeps
 * the copy.
 */
static void
file_data_end(struct cfile *f)
{
	struct copy_job	*job = f->job;

	/* Holes at the end are not written: the size makes them. */
	if ((f->holes_bytes > 0 || (f->presized &&
	    f->plan.eof != f->sst.st_size)) && f->plan.eof >= 0 &&
	    ftruncate(f->dfd, f->plan.eof) < 0)
		file_fail(f, -errno, 1, f->plan.eof);
	if (f->tmp != NULL && f->err == 0 && fchmod(f->dfd, f->tmode) < 0)
		file_fail(f, -errno, 1, f->plan.eof);
	if (f->err == 0 && f->dreg) {
		if ((job->preserve & META_XATTR) &&
		    meta_copy_xattrs(f->sfd, &f->sat, f->dfd, &f->dat) < 0)
			job->meta_failed = 1;
		if ((job->preserve & (META_MODE | META_OWNERSHIP |
		    META_TIMESTAMPS)) &&
		    meta_apply(f->dfd, &f->dat, &f->sst, job->preserve) < 0)
			job->meta_failed = 1;
	}
}

/* Open the copy again and read it back past the page cache. */
static void
file_verify_start(struct copier *c, struct cfile *f)
{
	const char	*path = f->tmp != NULL ? f->tmp : f->dat.name;
	struct stat	 st;
	int		 fd;

	f->state = S_VERIFY_END;
	if ((fd = openat(f->dat.dirfd, path, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY)) < 0) {
		warn("cannot open '%s' to verify it", f->dst);
		f->job->verify_failed = 1;
		return;
	}
	/*
	 * Read the disk, not the page cache: flush what is dirty (--fsync
	 * did already), drop the cached pages, and read with O_DIRECT where
	 * the filesystem allows.
	 */
	if ((!c->fsync && fdatasync(fd) < 0) || fstat(fd, &st) < 0) {
		warn("cannot flush '%s' before verifying", f->dst);
		(void)close(fd);
		f->job->verify_failed = 1;
		return;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	f->sfd = fd;
	f->readonly = 1;
	f->verifying = 1;
	f->sstream = 0;
	f->dstream = 0;
	f->trust_short = 1;
	f->maxactive = c->depth;
	f->nreq = 0;
	chunk_init(&f->plan, st.st_size, c->block_size);
	f->zeros = 0;
	file_sparse_start(c, f, &st);
	memset(&f->sdirect, 0, sizeof(f->sdirect));
	f->sdirect.fd = -1;
	twin_open(c, &f->sdirect, fd, O_RDONLY, &st);
	if (file_hash_start(c, f, c->algo) < 0) {
		f->job->verify_failed = 1;
		f->err = 0;
		return;
	}
	f->state = S_DATA;
}

static void
file_verify_end(struct copier *c, struct cfile *f)
{
	struct copy_job	*job = f->job;

	(void)c;
	if (f->verifying) {
		twin_close(&f->sdirect);
		(void)close(f->sfd);
		f->sfd = -1;
		if (f->changed) {
			warnx("'%s' changed while being read back", f->dst);
			job->verify_failed = 1;
		} else if (f->err != 0) {
			warnc(-f->err, "error reading back '%s' at offset %lld",
			    f->dst, (long long)f->err_off);
			job->verify_failed = 1;
		}
		if (job->verify_failed) {
			f->err = 0;
			f->changed = 0;
			file_hash_end(f, NULL);
		} else
			file_hash_end(f, job->back);
	}
	if (job->verify_failed || strcmp(job->hex, job->back) == 0)
		return;
	warnx("'%s': verification FAILED: the copy's %s is %s, the source's "
	    "%s", f->dst, c->algo->name, job->back, job->hex);
	job->mismatch = 1;
	if (f->tmp != NULL) {
		/* --atomic: a bad copy does not replace the old file. */
		if (unlinkat(f->dat.dirfd, f->tmp, 0) < 0)
			warn("cannot remove '%s' beside '%s'", f->tmp, f->dst);
		free(f->tmp);
		f->tmp = NULL;
		f->created = 0;
		job->verify_failed = 1;
	}
}

static void
file_debug(struct copier *c, struct cfile *f)
{
	if (f->verifying) {
		twin_debug(&f->sdirect, f->dst, "reads back");
		fprintf(stderr, "acp: debug: '%s': hashed with %s reading it "
		    "back, %llu requests through %s\n", f->dst, c->algo->name,
		    (unsigned long long)f->nreq, c->eng->ops->name);
		return;
	}
	if (f->debug_said)
		return;
	if (f->readonly) {
		twin_debug(&f->sdirect, f->src, "reads");
		fprintf(stderr, "acp: debug: '%s': hashed with %s, %llu "
		    "requests through %s\n", f->src, f->job->algo->name,
		    (unsigned long long)f->nreq, c->eng->ops->name);
		return;
	}
	if (f->cloned) {
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes cloned "
		    "(FICLONE: the copy shares the source's blocks)\n", f->src,
		    f->dst, (unsigned long long)f->bytes);
		return;
	}
	if (f->splice) {
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by splice "
		    "through a pipe, %llu requests through %s (no checksum "
		    "asked: the data need not pass through memory)\n", f->src,
		    f->dst, (unsigned long long)f->bytes,
		    (unsigned long long)f->nreq, c->eng->ops->name);
		return;
	}
	if (f->offloaded > 0 && f->offloaded == f->bytes) {
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by copy "
		    "offload (copy_file_range: no checksum asked, so the "
		    "data need not pass through memory)\n", f->src, f->dst,
		    (unsigned long long)f->bytes);
		return;
	}
	if (f->offload_err != 0)
		fprintf(stderr, "acp: debug: '%s': copy_file_range: %s; "
		    "copying through %s\n", f->src, strerror(-f->offload_err),
		    c->eng->ops->name);
	if (f->cached >= 0)
		fprintf(stderr, "acp: debug: '%s': %d%% in the page cache\n",
		    f->src, f->cached);
	twin_debug(&f->sdirect, f->src, "reads");
	twin_debug(&f->ddirect, f->dst, "writes");
	fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes, %llu requests "
	    "through %s%s, %u in flight at most", f->src, f->dst,
	    (unsigned long long)f->bytes, (unsigned long long)f->nreq,
	    c->eng->ops->name, c->eng->fixedbuf ? " (registered buffers)" : "",
	    f->peak);
	if (f->holes_bytes > 0)
		fprintf(stderr, ", %llu bytes of holes made (%s)",
		    (unsigned long long)f->holes_bytes, f->zeros ?
		    "--sparse=always: holes and zeros" : "SEEK_HOLE");
	fputc('\n', stderr);
}

/* Say what went wrong with f, if it was not said already. */
static void
file_report(struct copier *c, struct cfile *f)
{
	if (f->reported)
		return;
	if (f->changed) {
		warnx("'%s' changed while being read", f->src);
		return;
	}
	if (f->err == -EINTR && c->stop != NULL && *c->stop) {
		if (f->truncated)
			warnx("interrupted: '%s' was partly overwritten",
			    f->dst);
		return;
	}
	if (f->readonly)
		warnc(-f->err, "error reading '%s' at offset %lld", f->src,
		    (long long)f->err_off);
	else if (f->err_write == 2)
		warnc(-f->err, "error copying '%s' to '%s' at offset %lld",
		    f->src, f->dst, (long long)f->err_off);
	else if (f->err_write)
		warnc(-f->err, "error writing '%s' at offset %lld", f->dst,
		    (long long)f->err_off);
	else
		warnc(-f->err, "error reading '%s' at offset %lld", f->src,
		    (long long)f->err_off);
}

/*
 * The file is finished, well or not: close what is open, remove a
 * partial copy that this job created (a short copy must never look
 * whole), put an --atomic copy in place, and free the slot.
 */
static void
file_end(struct copier *c, struct cfile *f)
{
	struct copy_job	*job = f->job;
	const char	*made = f->tmp != NULL ? f->tmp : f->dat.name;

	twin_close(&f->sdirect);
	twin_close(&f->ddirect);
	if (f->sfd >= 0)
		(void)close(f->sfd);
	if (f->dfd >= 0 && close(f->dfd) < 0 && f->err == 0)
		file_fail(f, -errno, 1, (off_t)f->bytes);
	file_hash_end(f, NULL);
	/* A failed splice may leave data in the pipe: make a new one. */
	if (f->pipe != NULL && (f->err != 0 || f->changed))
		pipe_close(f->pipe);
	if (f->err != 0 || f->changed) {
		file_report(c, f);
		if (f->created && unlinkat(f->dat.dirfd, made, 0) < 0 &&
		    errno != ENOENT)
			warn("cannot remove partial copy '%s'", f->tmp != NULL ?
			    f->tmp : f->dst);
		job->ret = -1;
	} else if (f->tmp != NULL && rename_temp(f->tmp, job, &f->dat) < 0) {
		if (unlinkat(f->dat.dirfd, f->tmp, 0) < 0 && errno != ENOENT)
			warn("cannot remove '%s'", f->tmp);
		job->ret = -1;
	} else {
		job->ret = 0;
		/* A rename changed the directory, new file or not. */
		job->created = f->created || f->tmp != NULL;
		if (job->changed)
			warnx("'%s' changed while being copied", f->src);
		if (f->readonly && !f->verifying)
			c->stats.checked++;
		else {
			c->stats.files++;
			c->stats.bytes += f->bytes;
			c->stats.offloaded += f->offloaded;
			if (!f->verifying)
				c->stats.holes += f->holes_bytes;
			if (f->cloned)
				c->stats.cloned += f->bytes;
		}
		if (c->debug)
			file_debug(c, f);
	}
	if (job->ret < 0)
		c->stats.failed++;
	free(f->tmp);
	free(f->slots);
	free(f->holes);
	job->finished = 1;
	job->cf = NULL;
	memset(f, 0, sizeof(*f));
	c->freefiles[c->nfreefiles++] = f;
	c->nactive--;
}

static int
stopped(const struct copier *c)
{
	return c->stop != NULL && *c->stop;
}

/* Open the destination, or start the ring's create of it. */
static void
file_open_dst(struct copier *c, struct cfile *f)
{
	struct copy_job	*job = f->job;
	struct stat	 dst;
	mode_t		 mode = f->sst.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);

	f->state = S_DATA_START;
	if (c->atomic && (!job->dst_exists || S_ISREG(job->dst_mode))) {
		if ((f->dfd = open_temp(c, job, &f->dat, &f->sst, &f->tmp,
		    &f->tmode)) < 0) {
			file_fail_said(f, -EIO);
			f->state = S_END;
			return;
		}
		f->created = 1;
		f->dreg = 1;
		return;
	}
	if (!job->dst_exists) {
		/* The common case, through the ring: a new file. */
		f->state = S_OPEN_DST;
		(void)file_op(c, f, ENGINE_OP_OPENAT, f->dat.dirfd,
		    f->dat.name, O_WRONLY |
		    O_CLOEXEC | O_NOCTTY | O_CREAT | O_EXCL, mode, S_OPENED_DST);
		return;
	}
	/* An FIFO or device is written into, as cp does. */
	if ((f->dfd = open_dest(job, &f->dat, &f->sst, &f->created)) < 0) {
		file_fail_said(f, -EIO);
		f->state = S_END;
		return;
	}
	f->truncated = !f->created;
	if (fstat(f->dfd, &dst) < 0) {
		file_fail(f, -errno, 1, 0);
		f->state = S_END;
		return;
	}
	if (dst.st_dev == f->sst.st_dev && dst.st_ino == f->sst.st_ino) {
		/* The walker checked; this is a race, and nothing was cut. */
		warnx("'%s' and '%s' are the same file", job->src, job->dst);
		file_fail_said(f, -EINVAL);
		f->state = S_END;
		return;
	}
	f->dreg = S_ISREG(dst.st_mode);
	f->dstream = !S_ISREG(dst.st_mode) && !S_ISBLK(dst.st_mode);
}

/*
 * Move f on as far as it goes without waiting.  Each state either goes
 * on to the next, issues a request and returns (its completion calls this
 * again), or returns to be retried on the next round (no request free, or
 * data still in flight).
 */
static void
file_step(struct copier *c, struct cfile *f)
{
	struct copy_job	*job;
	struct stat	 now;
	int		 ret;

	while (f->job != NULL && f->waiting == 0) {
		job = f->job;
		if (c->broken && f->state != S_END) {
			file_fail(f, -EIO, 0, 0);
			f->state = S_END;
		}
		switch (f->state) {
		case S_OPEN_SRC:
			if (stopped(c)) {
				file_fail(f, -EINTR, 0, 0);
				f->state = S_END;
				break;
			}
			if (file_op(c, f, ENGINE_OP_OPENAT, f->sat.dirfd,
			    f->sat.name, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
			    S_OPENED_SRC) == 0)
				return;
			break;
		case S_OPENED_SRC:
			if (file_op_failed(f, "cannot open '%s' for reading",
			    f->src))
				break;
			f->sfd = (int)f->opres;
			f->state = S_STAT_SRC;
			break;
		case S_STAT_SRC:
			if (file_op(c, f, ENGINE_OP_STATX, f->sfd, NULL, 0, 0,
			    S_STATED_SRC) == 0)
				return;
			break;
		case S_STATED_SRC:
			if (file_op_failed(f, "cannot fstat '%s'", f->src))
				break;
			stat_from_statx(&f->sst, &f->stx);
			if (job->kind == COPY_JOB_HASH) {
				if (S_ISDIR(f->sst.st_mode)) {
					warnx("'%s': Is a directory", f->src);
					file_fail_said(f, -EISDIR);
					f->state = S_END;
				} else
					f->state = S_DATA_START;
				break;
			}
			if (f->sst.st_dev != job->sst.st_dev ||
			    f->sst.st_ino != job->sst.st_ino) {
				warnx("'%s' was replaced while being copied",
				    f->src);
				file_fail_said(f, -ESTALE);
				f->state = S_END;
				break;
			}
			f->state = S_OPEN_DST;
			break;
		case S_OPEN_DST:
			if (stopped(c)) {
				file_fail(f, -EINTR, 0, 0);
				f->state = S_END;
				break;
			}
			file_open_dst(c, f);
			if (f->state == S_OPEN_DST)
				return;
			break;
		case S_OPENED_DST:
			if (file_op_failed(f, "cannot create regular "
			    "file '%s'", f->dst))
				break;
			f->dfd = (int)f->opres;
			f->created = 1;
			f->dreg = 1;
			f->state = S_DATA_START;
			break;
		case S_DATA_START:
			file_data_start(c, f);
			break;
		case S_DATA:
			if (f->err != 0)
				file_drop_waiting(c, f);
			else
				file_fill(c, f);
			if (f->active > 0)
				return;
			if (f->err == 0 && !chunk_done(&f->plan))
				return;
			if (f->verifying)
				f->state = S_VERIFY_END;
			else if (f->err != 0)
				f->state = S_END;
			else
				f->state = S_DATA_END;
			break;
		case S_DATA_END:
			if (f->readonly) {
				file_hash_end(f, job->hex);
				f->state = S_CLOSE;
				break;
			}
			file_data_end(f);
			file_hash_end(f, f->err == 0 ? job->hex : NULL);
			if (f->err != 0) {
				f->state = S_END;
				break;
			}
			f->state = c->fsync && f->dreg ? S_FSYNC : S_STAT_END;
			break;
		case S_FSYNC:
			/*
			 * --fsync: the data, and with preserved metadata the
			 * inode too (fdatasync may leave a mode or times
			 * change in memory).
			 */
			if (file_op(c, f, (job->preserve & ~META_LINKS) ?
			    ENGINE_OP_FSYNC_ALL : ENGINE_OP_FSYNC, f->dfd, NULL,
			    0, 0, S_SYNCED) == 0)
				return;
			break;
		case S_SYNCED:
			f->state = f->err != 0 ? S_END : S_STAT_END;
			break;
		case S_STAT_END:
			if (!S_ISREG(f->sst.st_mode)) {
				f->state = S_CLOSE;
				break;
			}
			if (file_op(c, f, ENGINE_OP_STATX, f->sfd, NULL, 0, 0,
			    S_STATED_END) == 0)
				return;
			break;
		case S_STATED_END:
			if (f->opres == 0) {
				stat_from_statx(&now, &f->stx);
				if (stat_moved(&f->sst, &now))
					job->changed = 1;
			}
			f->state = S_CLOSE;
			break;
		case S_CLOSE:
			/* Both closes at once where two requests are free. */
			twin_close(&f->sdirect);
			twin_close(&f->ddirect);
			if (f->sfd >= 0) {
				if ((ret = file_op(c, f, ENGINE_OP_CLOSE,
				    f->sfd, NULL, 0, 0, S_CLOSE)) == 0)
					return;
				if (ret < 0)
					break;
				f->sfd = -1;
			}
			if (f->dfd >= 0) {
				if ((ret = file_op(c, f, ENGINE_OP_CLOSE,
				    f->dfd, NULL, 0, 0, S_CLOSED)) == 0)
					return;
				if (ret < 0)
					break;
				f->dfd = -1;
			}
			f->state = S_CLOSED;
			break;
		case S_CLOSED:
			if (f->err == 0 && job->verify && !job->changed) {
				/* Say how it was copied before reading back. */
				if (c->debug)
					file_debug(c, f);
				f->debug_said = 1;
				file_verify_start(c, f);
			} else
				f->state = S_END;
			break;
		case S_VERIFY_END:
			file_verify_end(c, f);
			f->state = S_END;
			break;
		case S_END:
			file_end(c, f);
			return;
		}
	}
}

/* Tell the caller of every finished job at the head of the queue. */
static void
copier_report(struct copier *c)
{
	struct copy_job	*job;

	while ((job = c->head) != NULL && job->finished) {
		c->head = job->next;
		if (c->head == NULL)
			c->tail = NULL;
		c->njobs--;
		job->next = NULL;
		job->done(job);
	}
}

/*
 * One round: let every file in flight issue what it can, then wait for a
 * batch of completions and hand them to their files.
 */
static void
copier_round(struct copier *c)
{
	struct copy_job	*job;
	struct creq	*q;
	int		 n, i;

	for (job = c->head; job != NULL; job = job->next)
		if (job->cf != NULL)
			file_step(c, job->cf);
	if (c->inengine == 0) {
		if (c->nactive > 0 && !c->broken) {
			/* Files in flight and nothing to wait for: a bug. */
			warnx("%u files stalled with no request in flight",
			    c->nactive);
			c->broken = 1;
			for (job = c->head; job != NULL; job = job->next)
				if (job->cf != NULL)
					file_step(c, job->cf);
		}
		copier_report(c);
		return;
	}
	/*
	 * Wait for half of what is in flight, not for one request: one
	 * io_uring_enter() then retires a batch, instead of one enter per
	 * request (measured: 1967 enters for a 1 GiB copy waiting for one,
	 * 231 waiting for half, and 15% less system time).  Half keeps the
	 * queue at least half full.
	 */
	n = engine_reap(c->eng, c->inengine / 2 > 1 ? c->inengine / 2 : 1,
	    c->reaped, c->nreqs);
	if (n < 0) {
		/*
		 * The engine itself failed: what is in flight is lost to
		 * us, so every file in flight fails and nothing new starts.
		 * The lost requests are never reused.
		 */
		warnc(-n, "I/O engine %s failed", c->eng->ops->name);
		c->broken = 1;
		for (job = c->head; job != NULL; job = job->next)
			if (job->cf != NULL) {
				job->cf->waiting = 0;
				job->cf->active = 0;
				file_step(c, job->cf);
			}
		copier_report(c);
		return;
	}
	c->inengine -= (unsigned)n;
	for (i = 0; i < n; i++) {
		q = c->reaped[i]->owner;
		creq_complete(c, q);
	}
	if (c->tick != NULL)
		c->tick(c->tick_arg);
	copier_report(c);
}

const char *
copier_current(const struct copier *c)
{
	return c->head != NULL ? c->head->src : NULL;
}

void
copier_submit(struct copier *c, struct copy_job *job)
{
	struct cfile	*f;

	while (c->nfreefiles == 0 || c->njobs >= c->maxjobs)
		copier_round(c);
	job->next = NULL;
	job->finished = 0;
	job->ret = -1;
	if (c->tail != NULL)
		c->tail->next = job;
	else
		c->head = job;
	c->tail = job;
	c->njobs++;

	f = c->freefiles[--c->nfreefiles];
	memset(f, 0, sizeof(*f));
	f->job = job;
	f->src = job->src;
	f->dst = job->dst;
	f->sat.dirfd = job->src_name != NULL ? job->src_dirfd : AT_FDCWD;
	f->sat.name = job->src_name != NULL ? job->src_name : job->src;
	f->sat.path = job->src;
	f->dat.dirfd = job->dst_name != NULL ? job->dst_dirfd : AT_FDCWD;
	f->dat.name = job->dst_name != NULL ? job->dst_name : job->dst;
	f->dat.path = job->dst;
	f->sfd = f->dfd = -1;
	f->sdirect.fd = f->ddirect.fd = -1;
	f->readonly = job->kind == COPY_JOB_HASH;
	f->state = S_OPEN_SRC;
	job->cf = f;
	c->nactive++;
	if (c->nactive > c->stats.peak_files)
		c->stats.peak_files = c->nactive;
	file_step(c, f);
	copier_report(c);
}

void
copier_wait(struct copier *c, const struct copy_job *job)
{
	const struct copy_job	*j;
	int			 queued;

	for (;;) {
		queued = 0;
		for (j = c->head; j != NULL; j = j->next)
			if (j == job)
				queued = 1;
		if (c->head == NULL || (job != NULL && !queued))
			return;
		copier_round(c);
	}
}
