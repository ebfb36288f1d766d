/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FICLONE and copy_file_range().  Both are synchronous: this thread waits
 * while the kernel copies (copy_file_range() a piece a round), so they
 * are used only where that beats the ring (offload_method() chooses).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "copier_int.h"
#include "offload.h"
#include "xfer.h"

int
offload_cloned(struct copier *c, struct xfer *x, off_t size, int res)
{
	if (res == 0) {
		c->clones++;
		x->bytes = (uint64_t)size;
		c->done_bytes += (uint64_t)size;
		x->plan.eof = size;
		return 1;
	}
	/*
	 * auto: after eight refusals and no success, these filesystems do
	 * not clone; stop asking (an ioctl a file is a cost on a tree of
	 * small files).
	 */
	c->noclones++;
	return c->reflink == COPY_REFLINK_ALWAYS ? res : 0;
}

/* A request of op from x's source to its destination, no buffer. */
static void
between(const struct xfer *x, struct req *r, enum engine_op op)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->buf = -1;
	r->fd = x->sfd;
	r->fd2 = x->dfd;
}

void
offload_clone_req(const struct xfer *x, struct req *r)
{
	between(x, r, ENGINE_OP_CLONE);
}

/* The request a worker thread would make, made here. */
int
offload_clone(struct copier *c, struct xfer *x, off_t size)
{
	struct req	r;

	offload_clone_req(x, &r);
	engine_run_blocking(&r);
	return offload_cloned(c, x, size, (int)r.res);
}

/*
 * One call a round, as cp makes one for the whole file: the kernel's own
 * readahead keeps a cold source's disk busy.  Asking for the source ahead
 * with POSIX_FADV_WILLNEED, as this did before, cost half as much again
 * on a cold 1 GiB file (0.46 s against 0.30 s, medians of 9): the advice
 * reads synchronously on this thread, between the copies.
 */
/* copy_file_range() moved n more bytes of x: count them, flush behind. */
static void
moved(struct copier *c, struct xfer *x, uint64_t n)
{
	x->offloaded += n;
	x->bytes += n;
	c->done_bytes += n;
	xfer_flush_behind(c, x, (off_t)x->offloaded);
}

/*
 * Where copy_file_range() cannot reach (a destination on another file
 * system whose driver copies only within itself, as ext4's and xfs's
 * do, or one without it), the pieces go by splice() through the slot's
 * pipe: in, the pipe takes references to the source's pages; out, they
 * are copied once into the destination's, as copy_file_range() does
 * inside one file system, where the ring's reads and writes copy twice.
 * A cached 1 GiB from this VM's disk to a loop ext4, 11 runs in turn,
 * medians: 0.178 s, the ring 0.207 s, cp (a read and a write) 0.224 s.
 * A pipe of OFFLOAD_PIPE where it may grow so (in 64 KiB pipefuls the
 * same copy took 0.247 s against 0.175 s, 7 runs).
 */
#define OFFLOAD_PIPE	(1 << 20)

/*
 * Splice the pieces from here on: 1, or 0 for the ring.  Only a source
 * all in the page cache: the same 1 GiB cold, 11 runs in turn, took
 * 0.30 s by splice in 5 of them and 0.79-1.19 s in the other 6 (CPU time
 * in the kernel, not waiting), where the ring took 0.31 s (one run of
 * 1.4 s) and cp 0.30 s.
 */
static int
splice_instead(struct copier *c, struct xfer *x)
{
	int	looked;

	if (xfer_cached(c, x, x->plan.hint, &looked) != 1 ||
	    xfer_pipe(c, x, OFFLOAD_PIPE) < 0)
		return 0;
	x->spliced = 1;
	return 1;
}

/*
 * copy_file_range() failed with err after x->offloaded bytes: 2 when
 * splices are to copy the rest, 0 when the ring is (these files cannot),
 * -1 with the data phase failed.
 */
static int
offload_error(struct copier *c, struct xfer *x, int err)
{
	switch (-err) {
	case EXDEV:
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
		x->offload_err = err;
		if (splice_instead(c, x))
			return 2;
		x->plan.next = (off_t)x->offloaded;
		return 0;
	case EBADF:
	case ETXTBSY:
	case EPERM:
		/* Not for these files: the ring does the rest. */
		x->offload_err = err;
		x->plan.next = (off_t)x->offloaded;
		return 0;
	}
	/*
	 * A real I/O error: we cannot tell the read side from the write
	 * side, so the message names both files.
	 */
	xfer_fail(x, err, XFER_EITHER, (off_t)x->offloaded);
	return -1;
}

/*
 * A splice failed with err on the given side after x->offloaded bytes
 * landed, the pipe empty again: 0 when the ring is to copy the rest (a
 * file system without splice), -1 with the data phase failed.
 */
static int
splice_error(struct xfer *x, int err, enum xfer_side side)
{
	switch (-err) {
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
		x->splice_err = err;
		x->spliced = 0;
		x->plan.next = (off_t)x->offloaded;
		return 0;
	}
	xfer_fail(x, err, side, (off_t)x->offloaded);
	return -1;
}

/*
 * Out of the pipe into the destination at *out, all n bytes the source
 * gave it: 0, or -errno.  A signal stops it only when it stops the copy.
 */
static int
splice_out(struct copier *c, struct xfer *x, loff_t *out, size_t n)
{
	ssize_t	m;
	int	err;

	while (n > 0) {
		m = splice(x->pipe[0], NULL, x->dfd, out, n, SPLICE_F_MOVE);
		if (m > 0) {
			n -= (size_t)m;
			moved(c, x, (uint64_t)m);
			continue;
		}
		/* Never 0 with data in the pipe; an error, not a loop. */
		err = m == 0 ? EIO : errno;
		if (err != EINTR && err != EAGAIN)
			return -err;
		if (xfer_stopped(c, x))
			return -EINTR;
	}
	return 0;
}

/*
 * One pipeful by splice, in from *in and out to *out until the pipe is
 * empty again, so that a failure leaves the destination whole up to
 * x->offloaded: the bytes moved, 0 at the source's end, or -errno with
 * *side the side that failed (the pipe thrown away if it held data).
 */
static ssize_t
splice_pipeful(struct copier *c, struct xfer *x, loff_t *in, loff_t *out,
    enum xfer_side *side)
{
	ssize_t	n;
	int	err;

	*side = XFER_READING;
	n = splice(x->sfd, in, x->pipe[1], NULL, OFFLOAD_PIPE, SPLICE_F_MOVE);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	if ((err = splice_out(c, x, out, (size_t)n)) < 0) {
		*side = XFER_WRITING;
		xfer_pipe_drop(x);
		return err;
	}
	return n;
}

int
offload_copy(struct copier *c, struct xfer *x)
{
	/* A copy from the start: what was copied is where it goes on. */
	loff_t		in = (loff_t)x->offloaded, out = in;
	uint64_t	step = 0;
	ssize_t		n;
	enum xfer_side	side = XFER_EITHER;

	if (x->pieces++ == 0)
		xfer_read_ahead(x);
	for (;;) {
		if (step >= OFFLOAD_STEP)
			return 2;
		if (xfer_stopped(c, x)) {
			xfer_fail(x, -EINTR, XFER_WRITING, (off_t)out);
			return -1;
		}
		if (x->spliced)
			n = splice_pipeful(c, x, &in, &out, &side);
		else if ((n = copy_file_range(x->sfd, &in, x->dfd, &out,
		    (size_t)(OFFLOAD_STEP - step), 0)) > 0)
			moved(c, x, (uint64_t)n);
		else if (n < 0)
			n = -errno;
		if (n > 0) {
			step += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			/*
			 * A pipe back to a block's size for the slot's next
			 * files: a user's pipes may hold 64 MiB in all (a
			 * sysctl's soft limit), and each slot keeps its own.
			 */
			if (x->spliced)
				(void)fcntl(x->pipe[1], F_SETPIPE_SZ,
				    (int)c->block_size);
			return 1;
		}
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (x->spliced)
			return splice_error(x, (int)n, side);
		/* 2: the splices go on from here, in this round. */
		if ((n = offload_error(c, x, (int)n)) != 2)
			return (int)n;
	}
}

void
offload_step_req(const struct xfer *x, struct req *r)
{
	between(x, r, ENGINE_OP_COPY_RANGE);
	r->off = r->off2 = (off_t)x->offloaded;
	r->len = OFFLOAD_THREAD_STEP;
}

int
offload_step_done(struct copier *c, struct xfer *x, ssize_t res)
{
	x->pieces++;
	if (res > 0) {
		moved(c, x, (uint64_t)res);
		return 2;
	}
	if (res == 0)
		return 1;
	if (res == -EINTR && !xfer_stopped(c, x))
		return 2;
	if (res == -EINTR) {
		xfer_fail(x, -EINTR, XFER_WRITING, (off_t)x->offloaded);
		return -1;
	}
	return offload_error(c, x, (int)res);
}

/*
 * A small file all in the page cache splices (xfer_cached()), and so does
 * one whose read ahead was asked (x->ahead), not one read direct; 1 when
 * it may, and why not for --debug (x->unspliced).
 */
static int
spliceable(struct copier *c, struct xfer *x, off_t size)
{
	int	in, looked;

	/* Read direct (xfer_direct_small()): not through the page cache. */
	if (x->sflip > 0)
		return 0;
	if (x->ahead)
		return 1;
	in = xfer_cached(c, x, size, &looked);
	x->unspliced = in == 0 ? 2 - looked : 0;
	return in != 0;
}

int
offload_may_clone(const struct copier *c)
{
	return c->reflink == COPY_REFLINK_ALWAYS ||
	    (c->reflink != COPY_REFLINK_NEVER &&
	    (c->clones > 0 || c->noclones < 8));
}

int
offload_may_range(const struct copier *c)
{
	return c->offload && !c->direct;
}

/*
 * How x's data moves (sst: its source's stat): the first method after
 * `after` (in the order of enum xfer_method) that fits.  The one place
 * this is decided.
 *
 * Only a plain copy (regular to regular, no checksum: the data need not
 * pass through memory) may leave the ring.  A clone shares the blocks;
 * copy_file_range() suits a big file, cached or not, as cp found (cold:
 * 0.30 s for 1 GiB here, where the ring's O_DIRECT reads took 0.62 s; a
 * small file is faster in the ring beside other files, where one
 * io_uring_enter() serves many).  A small file all in the page cache
 * splices through a pipe (one copy of the data instead of two) where the
 * engine splices off this thread.  So does one whose read ahead was asked
 * (filejob.c): its pages are on their way, and the splice's worker waits
 * for them and copies them, where a read through the ring, retried here
 * when they come, copies them on this thread, which walks and steps
 * every file (50,000 files cold: 1.81 s against 1.98 s and 1.92 against
 * 2.00, medians of 7 and 9 interleaved runs; as bench/run-all.sh runs
 * them, after 3 GiB of new memory, 1.88 against 1.98 and 1.88 against
 * 1.90; this thread's CPU 0.97-1.01 s against 1.34 s, the workers' 0.4
 * s more: on 2 CPUs both are busy).  One that is not cached and not read
 * ahead goes through the ring, whose reads wait for the disk without a
 * thread.
 */
int
offload_method(struct copier *c, struct xfer *x, const struct stat *sst,
    int after)
{
	off_t	size = sst->st_size;
	int	plain, holes;

	plain = x->kind == XFER_COPY && S_ISREG(sst->st_mode) && x->dreg &&
	    c->algo == NULL && !x->resume;
	holes = x->sparse || x->zeros;
	if (after < XFER_CLONE && plain && size > 0 && offload_may_clone(c))
		return XFER_CLONE;
	if (after < XFER_OFFLOAD && plain && offload_may_range(c) &&
	    !holes && size >= OFFLOAD_MIN)
		return XFER_OFFLOAD;
	if (after < XFER_SPLICE && plain && c->splice && !c->direct &&
	    !holes && size < OFFLOAD_MIN && spliceable(c, x, size))
		return XFER_SPLICE;
	return XFER_RING;
}
