/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A data phase's setting up and ending: the plan of its reads, the
 * O_DIRECT twins, the splice pipe, the hash (xfer.h).  The requests
 * themselves go through xfer.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "copier_int.h"
#include "fstype.h"
#include "holes.h"
#include "pagecache.h"
#include "resume.h"
#include "xfer.h"

/* Files smaller than this are read through the cache, cached or not. */
#define DIRECT_MIN	((off_t)32 << 20)

/*
 * Whether x's source is read with O_DIRECT: where asked (--direct), to
 * verify, and for a cold source where the engine's buffered reads would
 * defeat the readahead (see struct engine).  Through io_uring a cold
 * source is read buffered: 0.40 s for 1 GiB with xxh128 here, where
 * O_DIRECT reads of a block each took 0.63 s.
 */
static int
reads_direct(const struct copier *c, const struct xfer *x,
    const struct stat *sst)
{
	return x->kind == XFER_VERIFY || (S_ISREG(sst->st_mode) &&
	    (c->direct || (sst->st_size >= DIRECT_MIN && x->cached >= 0 &&
	    x->cached < 50 && !c->sched.eng->readahead)));
}

void
xfer_plan(struct copier *c, struct xfer *x, const struct stat *sst)
{
	int	sreg = S_ISREG(sst->st_mode);
	int	sized = sreg || S_ISBLK(sst->st_mode);

	/*
	 * Pipes, sockets and character devices cannot pread: read them in
	 * order.  A destination that cannot pwrite (a FIFO, a tty) takes
	 * one request at a time so its writes stay in order.  A block
	 * device has a size (filejob.c asked for it): planned as a file.
	 */
	x->sstream = !sized;
	x->sfuse = sreg && fs_is_fuse(sst->st_dev);
	x->trust_short = sized;
	x->maxactive = xfer_share(c, x);
	chunk_init(&x->plan, sized ? sst->st_size : 0, c->block_size);
	if (sreg && x->kind != XFER_VERIFY && sst->st_size >= DIRECT_MIN)
		x->cached = pagecache_percent(x->sfd, sst->st_size);
	holes_start(c, x, sst);
}

/*
 * A big source not all in the page cache, about to be read buffered
 * from start to end (copy_file_range, or the ring's reads where it has
 * no O_DIRECT twin): the kernel reads twice as far ahead of it if told
 * so, as cp tells it of every source.  1 GiB cold, medians, the order
 * turned each round: a plain copy 0.362 s against 0.382 s (21 rounds),
 * 0.359 s against 0.370 s (25, cp 0.356 s); with xxh128, 0.408 s
 * against 0.439 s and 0.373 s against 0.417 s (21 each); README has
 * the series that were level or worse.  The advice neither reads nor
 * waits; a cached file needs none, nor a clone.
 */
void
xfer_read_ahead(struct xfer *x)
{
	if (!x->seqread && x->sdirect.fd < 0 && x->sflip == 0 &&
	    x->cached >= 0 && x->cached < 100)
		x->seqread = posix_fadvise(x->sfd, 0, 0,
		    POSIX_FADV_SEQUENTIAL) == 0;
}

/*
 * A small file that is not in the page cache goes from the disk straight
 * into the ring's buffer: buffered, its read would first fill the page
 * cache with pages that this copy reads once (and that push out others),
 * then copy them out; the read ahead hint that started them ran on a
 * worker of its own.  Its own descriptor is switched, not a second one
 * opened (an open costs more than the read of a small file): every read
 * of it is then direct, so xfer_send() aligns each (the last rounded up
 * to a page: a direct read stops at the end of the file) or, where it
 * cannot, switches the file back.  The flag is this open's, which no one
 * else holds.  50,000 files cold on a journaled ext4 (2 CPUs, medians of
 * 7 interleaved runs): 1.84 s against 2.08 s read ahead and spliced,
 * 2.29 s of CPU against 2.76 s; of 9 others, 2.01 s against 2.11 s.
 */
int
xfer_direct_small(struct xfer *x)
{
	/*
	 * A source is opened with none of the flags F_SETFL changes
	 * (filejob.c's open_src()): no F_GETFL first, a call less a file.
	 */
	if (fcntl(x->sfd, F_SETFL, O_DIRECT) < 0)
		return 0;
	x->sflip = 1;
	return 1;
}

void
xfer_direct_small_end(struct xfer *x, off_t at, int why)
{
	int	fl;

	if (x->sflip <= 0)
		return;
	x->sflip = -1;
	x->sflip_at = at;
	x->sflip_why = why;
	if ((fl = fcntl(x->sfd, F_GETFL)) >= 0)
		(void)fcntl(x->sfd, F_SETFL, fl & ~O_DIRECT);
}

/*
 * A big file was looked at by xfer_plan().  A look at a small one (mmap,
 * mincore, munmap) took 6-7 us a file in a test program (0.3 s for
 * 50,000 files; acp copies them warm in 1.2 s), so most small files
 * take the answer of the files before them, fewer the longer it holds
 * (pagecache.h).  50,000 files warm, a look every 16th file against one
 * every 256th once the answer held: 1.12 s against 1.09 s, 1.75 s
 * against 1.70 s of CPU (medians of 21 interleaved runs); cold, 2.05 s
 * against 1.99 s (7).  mincore() says "cached" of a file this process
 * neither owns nor could write (Linux 5.0).  cachestat(2) would take
 * one call, but it is Linux 6.5 only and unknown to valgrind 3.19,
 * which warns on stderr.  A wrong answer costs speed, never data.
 */
int
xfer_cached(struct copier *c, struct xfer *x, off_t size, int *looked)
{
	int	pct;

	*looked = x->guessed < 0;
	if (x->cached >= 0)
		return x->cached == 100;
	if (x->guessed >= 0)
		return x->guessed;
	if (pagecache_guess_skip(&c->warm)) {
		*looked = 0;
		return x->guessed = c->warm.warm;
	}
	if ((pct = pagecache_percent(x->sfd, size)) < 0)
		return -1;
	x->cached = pct;
	pagecache_guess_note(&c->warm, pct == 100);
	return pct == 100;
}

static void
pipe_close(int *p)
{
	if (p[0] >= 0)
		(void)close(p[0]);
	if (p[1] >= 0)
		(void)close(p[1]);
	p[0] = p[1] = -1;
}

/*
 * The slot's pipe for splicing (x->pipe), made once and kept while it
 * stays empty between files; 0, or -1 to copy through the buffers.
 */
static int
pipe_open(struct copier *c, int *p)
{
	if (p[0] >= 0)
		return 0;
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
	return 0;
}

int
xfer_pipe(struct copier *c, struct xfer *x, int size)
{
	if (x->pipe == NULL || pipe_open(c, x->pipe) < 0)
		return -1;
	if (fcntl(x->pipe[1], F_GETPIPE_SZ) < size)
		(void)fcntl(x->pipe[1], F_SETPIPE_SZ, size);
	return 0;
}

void
xfer_pipe_drop(struct xfer *x)
{
	if (x->pipe != NULL)
		pipe_close(x->pipe);
}

/*
 * Whether x's reads go to io-wq workers.  A hashed copy of a cached file on
 * one core is its reads (copies of the cached pages into the buffers) and
 * its hash, one after the other, with the writes on a worker; with the
 * reads on workers too this thread only hashes.  Where that thread is the
 * one that holds the copy back: small files (it also opens, creates and
 * ends each) or a slow hash.  5 to 7 interleaved runs, medians: 50,000
 * small files hashed warm 1.11 s against 1.23 s; 1 GiB with sha256 0.84 s
 * against 0.96 s; --check of the tree warm 0.58 s against 0.68 s.  A big
 * file's copy with xxh128 is bound by its writes' worker instead: reads
 * beside them made it slower (0.249 s against 0.237 s, 9 runs), and its
 * --check no faster (0.201 s against 0.197 s, 7 runs: the hash is quicker
 * than a hand-off).  Not a cold source: its reads would hold a worker
 * asleep each, where inline they wait for the disk without a thread (2.63 s
 * against 2.49 s for the tree cold); nor a tee's reader, whose
 * destinations' writes keep the workers busy; nor a read-back (cold by
 * design).
 */
static int
reads_on_worker(struct copier *c, struct xfer *x, const struct stat *sst,
    const struct checksum_algo *algo)
{
	int	looked;

	if (algo == NULL || !c->sched.eng->punt || x->tee != NULL ||
	    x->kind == XFER_VERIFY || !S_ISREG(sst->st_mode) || x->sfuse ||
	    x->sdirect.fd >= 0)
		return 0;
	if (sst->st_size >= DIRECT_MIN && checksum_fast(algo))
		return 0;
	return xfer_cached(c, x, sst->st_size, &looked) == 1;
}

int
xfer_ring_start(struct copier *c, struct xfer *x, const struct stat *sst,
    const struct checksum_algo *algo)
{
	struct stat	dst;
	int		ret;

	if (reads_direct(c, x, sst))
		twin_open(&x->sdirect, x->sfd, O_RDONLY, sst, c->block_size);
	xfer_read_ahead(x);
	if (x->kind == XFER_COPY && x->dreg && c->direct &&
	    fstat(x->dfd, &dst) == 0)
		twin_open(&x->ddirect, x->dfd, O_WRONLY, &dst,
		    c->block_size);
	/*
	 * A direct write past EOF is done synchronously under the inode
	 * lock (ext4, xfs), so 16 of them in flight run one by one:
	 * measured 1.07 s for 1 GiB, the io-wq workers waiting in
	 * rwsem_down_write_slowpath.  Setting the size first makes every
	 * write land inside the file, but a file killed mid-copy would then
	 * look whole (zeros past what landed).  So only an --atomic
	 * temporary, which no one takes for the file, is sized first (and
	 * set to the end of the data once it is known); a file under its
	 * own name gets its blocks reserved and grows as data lands.
	 */
	if (x->ddirect.fd >= 0 && sst->st_size > 0) {
		if (x->scratch && ftruncate(x->dfd, sst->st_size) == 0)
			x->presized = 1;
		else
			(void)fallocate(x->dfd, FALLOC_FL_KEEP_SIZE, 0,
			    sst->st_size);
	}
	x->rworker = reads_on_worker(c, x, sst, algo);
	if (x->method == XFER_SPLICE) {
		if (pipe_open(c, x->pipe) == 0)
			x->maxactive = 1;
		else
			x->method = XFER_RING;
	}
	if (algo == NULL) {
		resume_skip(c, x);
		return 0;
	}
	if ((ret = hashpipe_start(&x->hp, algo, c->depth, c->block_size)) < 0) {
		xfer_fail(x, ret, XFER_READING, 0);
		return -1;
	}
	return 0;
}

void
xfer_end(struct xfer *x)
{
	twin_close(&x->sdirect);
	twin_close(&x->ddirect);
	hashpipe_end(&x->hp, NULL);
	/* A failed splice may leave data in the pipe: make a new one. */
	if (x->method == XFER_SPLICE && x->pipe != NULL &&
	    (x->err != 0 || x->changed))
		pipe_close(x->pipe);
}
