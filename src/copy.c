/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier.  A file is cut into requests by the planner (chunk.c); each
 * request (struct creq) borrows one pool buffer and lives through two
 * phases: READ until its buffer holds what was asked or the file ended,
 * then WRITE until all it read is on the destination.  Short transfers
 * resubmit the remainder; EAGAIN and EINTR resubmit the same request; any
 * other error fails the file, and its requests still in flight are
 * drained (their results ignored) before the file is closed, so no
 * request ever outlives the file it points to.
 *
 * Completions arrive in any order, so a request carries its own file
 * offset; nothing depends on the order reads or writes finish in.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"
#include "chunk.h"
#include "copy.h"
#include "meta.h"
#include "pagecache.h"
#include "xmalloc.h"

enum creq_phase {
	CREQ_READ,
	CREQ_WRITE,
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

/* One file being copied. */
struct cfile {
	const char		*src;
	const char		*dst;
	int			 sfd;
	int			 dfd;
	int			 sstream;	/* source cannot pread */
	int			 dstream;	/* destination cannot pwrite */
	unsigned		 maxactive;	/* requests this file may hold */
	unsigned		 active;
	struct chunk_plan	 plan;
	int			 err;		/* first failure, -errno */
	int			 err_write;	/* 0 reading, 1 writing, 2 both */
	off_t			 err_off;
	uint64_t		 bytes;
	uint64_t		 nreq;
	unsigned		 peak;
	struct twin		 sdirect;	/* O_DIRECT twin of sfd */
	struct twin		 ddirect;	/* O_DIRECT twin of dfd */
	int			 cached;	/* % of the source in page cache */
	int			 presized;	/* dst was set to st_size first */
	int			 readonly;	/* hash only: no destination */
	int			 changed;	/* data past the EOF it found */
	struct checksum		 ck;
	int			 hashing;
	off_t			 hash_off;	/* the hash has all before this */
	struct creq		**slots;	/* read, waiting to be hashed */
	uint64_t		 offloaded;	/* bytes copy_file_range moved */
	int			 offload_err;	/* why it stopped, -errno */
};

struct creq {
	struct req		 r;	/* what the engine sees */
	struct cfile		*f;
	enum creq_phase		 phase;
	int			 buf;	/* pool buffer index */
	off_t			 off;	/* file offset of the buffer's start */
	size_t			 want;	/* bytes to read */
	size_t			 have;	/* bytes read */
	size_t			 written;
	int			 direct;	/* through a twin */
	int			 wdone;		/* all of it is written */
	int			 hashed;
};

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
	/* Only this thread touches the umask, and only here. */
	c->umask = umask(0);
	(void)umask(c->umask);
	c->stop = params->stop;
	if ((ret = bufpool_init(&c->pool, c->depth, c->block_size)) < 0)
		return ret;
	c->reqs = xcalloc(c->depth, sizeof(*c->reqs));
	c->idle = xcalloc(c->depth, sizeof(*c->idle));
	c->reaped = xcalloc(c->depth, sizeof(*c->reaped));
	for (i = 0; i < c->depth; i++)
		c->idle[c->nidle++] = &c->reqs[c->depth - 1 - i];

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
	bufpool_exit(&c->pool);
	free(c->reqs);
	free(c->idle);
	free(c->reaped);
	c->reqs = NULL;
	c->idle = NULL;
	c->reaped = NULL;
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
	 * Direct reads only where offset and length are aligned: the tail
	 * of the file, the EOF probe and the rest of a short read go
	 * through the page cache.
	 */
	q->direct = twin_fits(&f->sdirect, q->off, q->have, q->want);
	q->phase = CREQ_READ;
	q->r.op = ENGINE_OP_READ;
	q->r.fd = q->direct ? f->sdirect.fd : f->sfd;
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
	q->r.op = ENGINE_OP_WRITE;
	q->r.fd = q->direct ? q->f->ddirect.fd : q->f->dfd;
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
	if (q->f->hashing && *slot_of(c, q->f, q->off) == q)
		*slot_of(c, q->f, q->off) = NULL;
	bufpool_put(&c->pool, q->buf);
	q->f->active--;
	q->f = NULL;
	c->idle[c->nidle++] = q;
	c->inflight--;
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
	while (f->err == 0 && f->active < f->maxactive && c->nidle > 0) {
		if (chunk_next(&f->plan, &off, &len) != CHUNK_READ)
			break;
		if ((buf = bufpool_get(&c->pool)) < 0)
			break;
		q = c->idle[--c->nidle];
		memset(q, 0, sizeof(*q));
		q->r.owner = q;
		q->f = f;
		q->buf = buf;
		q->r.buf = buf;
		q->off = off;
		q->want = len;
		f->active++;
		c->inflight++;
		if (c->inflight > c->stats.peak)
			c->stats.peak = c->inflight;
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
	struct creq	**slot;

	*slot_of(c, f, q->off) = q;
	for (;;) {
		slot = slot_of(c, f, f->hash_off);
		q = *slot;
		if (q == NULL || q->off != f->hash_off)
			break;
		checksum_update(&f->ck, bufpool_addr(&c->pool, q->buf),
		    q->have);
		f->hash_off += (off_t)q->have;
		q->hashed = 1;
		*slot = NULL;
		if (q->wdone)
			creq_release(c, q);
	}
}

/* The request's part is done on the destination (or there is none). */
static void
creq_done(struct copier *c, struct creq *q)
{
	q->wdone = 1;
	if (!q->f->hashing || q->hashed)
		creq_release(c, q);
}

static void
creq_complete(struct copier *c, struct creq *q)
{
	struct cfile	*f = q->f;
	ssize_t		 res = q->r.res;

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
			if (q->have < q->want) {
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
		if (f->readonly)
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

/* Run the ring until every request of f is done. */
static void
file_run(struct copier *c, struct cfile *f)
{
	struct creq	*q;
	int		 n, i;

	for (;;) {
		file_fill(c, f);
		if (c->inflight == 0)
			break;
		/*
		 * Wait for half of what is in flight, not for one request:
		 * one io_uring_enter() then retires a batch, instead of one
		 * enter per request (measured: 1967 enters for a 1 GiB copy
		 * waiting for one, 231 waiting for half, and 15% less
		 * system time).  Half keeps the queue at least half full.
		 */
		if (f->err != 0)
			file_drop_waiting(c, f);
		if (c->inflight == 0)
			break;
		if (c->inengine == 0) {
			/* Held requests and nothing to wait for: a bug. */
			warnx("'%s': requests held with none in flight",
			    f->src);
			file_fail(f, -EIO, 0, f->hash_off);
			c->broken = 1;
			return;
		}
		n = engine_reap(c->eng, c->inengine / 2 > 1 ?
		    c->inengine / 2 : 1, c->reaped, c->depth);
		if (n < 0) {
			/*
			 * The engine itself failed: what is in flight is
			 * lost to us, so stop the whole run.
			 */
			warnc(-n, "I/O engine %s failed", c->eng->ops->name);
			file_fail(f, n, 0, 0);
			c->broken = 1;
			return;
		}
		c->inengine -= (unsigned)n;
		for (i = 0; i < n; i++) {
			q = c->reaped[i]->owner;
			creq_complete(c, q);
		}
	}
}

/* Bytes asked of copy_file_range() at once; also the readahead step. */
#define OFFLOAD_CHUNK	((size_t)8 << 20)

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

/*
 * A source whose size, mtime or ctime moved while it was copied was
 * changing under us: the copy may mix old and new data.  Regular files
 * only: a FIFO or /proc file has no such promise to keep.
 */
static void
file_check_changed(struct cfile *f, const struct stat *before,
    struct copy_job *job)
{
	struct stat	after;

	if (f->err != 0 || !S_ISREG(before->st_mode) ||
	    fstat(f->sfd, &after) < 0)
		return;
	if (after.st_size != before->st_size ||
	    after.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before->st_mtim.tv_nsec ||
	    after.st_ctim.tv_sec != before->st_ctim.tv_sec ||
	    after.st_ctim.tv_nsec != before->st_ctim.tv_nsec)
		job->changed = 1;
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
	f->slots = xcalloc(c->depth, sizeof(*f->slots));
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
	free(f->slots);
	f->slots = NULL;
	f->hashing = 0;
}

int
copier_hash_file(struct copier *c, const char *path,
    const struct checksum_algo *algo, int verify, char *hex)
{
	struct cfile	f;
	struct stat	st;

	if (c->broken)
		return -1;
	memset(&f, 0, sizeof(f));
	f.src = f.dst = path;
	f.readonly = 1;
	f.dfd = -1;
	f.sdirect.fd = f.ddirect.fd = -1;
	if ((f.sfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		warn("cannot open '%s' for reading", path);
		return -1;
	}
	if (fstat(f.sfd, &st) < 0) {
		warn("cannot fstat '%s'", path);
		(void)close(f.sfd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		warnx("'%s': Is a directory", path);
		(void)close(f.sfd);
		return -1;
	}
	f.sstream = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
	f.maxactive = c->depth;
	chunk_init(&f.plan, S_ISREG(st.st_mode) ? st.st_size : 0,
	    c->block_size);
	if (verify && S_ISREG(st.st_mode)) {
		/*
		 * Read the disk, not the page cache: flush what is dirty,
		 * drop the cached pages, and read with O_DIRECT where the
		 * filesystem allows (the unaligned tail comes through the
		 * emptied cache).
		 */
		if (fdatasync(f.sfd) < 0) {
			warn("cannot flush '%s' before verifying", path);
			(void)close(f.sfd);
			return -1;
		}
		(void)posix_fadvise(f.sfd, 0, 0, POSIX_FADV_DONTNEED);
		twin_open(c, &f.sdirect, f.sfd, O_RDONLY, &st);
	} else if (S_ISREG(st.st_mode) && st.st_size >= DIRECT_MIN) {
		f.cached = pagecache_percent(f.sfd, st.st_size);
		if (f.cached >= 0 && f.cached < 50)
			twin_open(c, &f.sdirect, f.sfd, O_RDONLY, &st);
	}
	if (file_hash_start(c, &f, algo) == 0)
		file_run(c, &f);
	(void)close(f.sfd);
	twin_close(&f.sdirect);
	file_hash_end(&f, f.err == 0 && !f.changed ? hex : NULL);
	if (f.changed) {
		warnx("'%s' changed while being read", path);
		return -1;
	}
	if (f.err != 0) {
		warnc(-f.err, "error reading '%s' at offset %lld", path,
		    (long long)f.err_off);
		return -1;
	}
	if (c->debug) {
		twin_debug(&f.sdirect, path, "reads");
		fprintf(stderr, "acp: debug: '%s': hashed with %s, %llu "
		    "requests through %s\n", path, algo->name,
		    (unsigned long long)f.nreq, c->eng->ops->name);
	}
	return 0;
}

static int
open_source(const struct copy_job *job, struct stat *st)
{
	int	fd;

	if ((fd = open(job->src, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		warn("cannot open '%s' for reading", job->src);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		warn("cannot fstat '%s'", job->src);
		(void)close(fd);
		return -1;
	}
	if (st->st_dev != job->sst->st_dev || st->st_ino != job->sst->st_ino) {
		warnx("'%s' was replaced while being copied", job->src);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * Open the destination as cp does: an existing file is truncated and
 * keeps its mode; a new one is created exclusively with the source's
 * permission bits (no set-id or sticky bits), which the umask narrows.
 * *created tells the caller it may remove the file on failure.
 */
static int
open_dest(const struct copy_job *job, const struct stat *sst, int *created)
{
	mode_t	mode = sst->st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
	int	fd, flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;

	*created = 0;
	if (job->dst_exists) {
		if ((fd = open(job->dst, flags | O_TRUNC)) >= 0)
			return fd;
		if (!job->force || errno == ENOENT) {
			if (errno != ENOENT) {
				warn("cannot open '%s' for writing", job->dst);
				return -1;
			}
			/* Gone since the walker looked: create it. */
		} else if (unlink(job->dst) < 0 && errno != ENOENT) {
			warn("cannot remove '%s'", job->dst);
			return -1;
		}
	}
	if ((fd = open(job->dst, flags | O_CREAT | O_EXCL, mode)) < 0) {
		warn("cannot create regular file '%s'", job->dst);
		return -1;
	}
	*created = 1;
	return fd;
}

/*
 * --atomic: the data goes to a new file beside the destination, created
 * exclusively with mode 0600, and is renamed over the destination only
 * when complete.  *mode is what the file gets just before the rename:
 * an existing destination's mode (cp keeps it), else the source's
 * permission bits narrowed by the umask.  Caller frees *tmp.
 */
static int
open_temp(struct copier *c, const struct copy_job *job,
    const struct stat *sst, char **tmp, mode_t *mode)
{
	const char	*slash = strrchr(job->dst, '/');
	int		 fd;

	if (slash == NULL)
		xasprintf(tmp, ".acp-%s.XXXXXX", job->dst);
	else
		xasprintf(tmp, "%.*s/.acp-%s.XXXXXX",
		    (int)(slash - job->dst), job->dst, slash + 1);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) < 0) {
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
rename_temp(const char *tmp, const struct copy_job *job)
{
	int	ret;

	if (job->noclobber)
		ret = renameat2(AT_FDCWD, tmp, AT_FDCWD, job->dst,
		    RENAME_NOREPLACE);
	else
		ret = rename(tmp, job->dst);
	if (ret < 0) {
		warn("cannot rename the copy into place as '%s'", job->dst);
		return -1;
	}
	return 0;
}

int
copier_copy_file(struct copier *c, struct copy_job *job)
{
	struct cfile	f;
	struct stat	sst, dst;
	char		*tmp = NULL;
	const char	*made;		/* what to remove on failure */
	mode_t		 tmode = 0;
	int		 created;

	if (c->broken)
		return -1;
	memset(&f, 0, sizeof(f));
	f.src = job->src;
	f.dst = job->dst;
	if ((f.sfd = open_source(job, &sst)) < 0)
		return -1;
	/* An existing FIFO or device is written into, as cp does. */
	if (c->atomic && (!job->dst_exists || S_ISREG(job->dst_mode))) {
		f.dfd = open_temp(c, job, &sst, &tmp, &tmode);
		created = 1;
	} else
		f.dfd = open_dest(job, &sst, &created);
	if (f.dfd < 0) {
		(void)close(f.sfd);
		return -1;
	}
	made = tmp != NULL ? tmp : job->dst;
	if (fstat(f.dfd, &dst) < 0) {
		file_fail(&f, -errno, 1, 0);
		goto done;
	}
	if (dst.st_dev == sst.st_dev && dst.st_ino == sst.st_ino) {
		/* The walker checked; this is a race, and nothing was cut. */
		warnx("'%s' and '%s' are the same file", job->src, job->dst);
		(void)close(f.sfd);
		(void)close(f.dfd);
		return -1;
	}

	/*
	 * Pipes, sockets and character devices cannot pread: read them in
	 * order.  A destination that cannot pwrite (a FIFO, a tty) takes
	 * one request at a time so its writes stay in order.
	 */
	f.sstream = !S_ISREG(sst.st_mode) && !S_ISBLK(sst.st_mode);
	f.dstream = !S_ISREG(dst.st_mode) && !S_ISBLK(dst.st_mode);
	f.maxactive = f.dstream ? 1 : c->depth;
	chunk_init(&f.plan, S_ISREG(sst.st_mode) ? sst.st_size : 0,
	    c->block_size);

	f.sdirect.fd = f.ddirect.fd = -1;
	f.cached = -1;
	if (S_ISREG(sst.st_mode) && sst.st_size >= DIRECT_MIN)
		f.cached = pagecache_percent(f.sfd, sst.st_size);

	/*
	 * A file that says it is empty may not be (/proc): read it through
	 * the ring until EOF.  A cold source is faster through the ring
	 * with direct reads than through copy_file_range's buffered ones.
	 */
	if (c->offload && !c->direct && c->algo == NULL &&
	    S_ISREG(sst.st_mode) &&
	    S_ISREG(dst.st_mode) && sst.st_size > 0 &&
	    (f.cached < 0 || f.cached >= 50)) {
		switch (file_offload(c, &f)) {
		case 1:
			goto finish;
		case -1:
			goto done;
		}
	}

	/*
	 * Direct I/O where asked (--direct), where the engine blocks on
	 * buffered I/O (libaio), and for reads of a large cold source.
	 */
	if (S_ISREG(sst.st_mode) && (c->direct ||
	    (c->eng->ops->flags & ENGINE_F_DIRECT) ||
	    (f.cached >= 0 && f.cached < 50)))
		twin_open(c, &f.sdirect, f.sfd, O_RDONLY, &sst);
	if (S_ISREG(dst.st_mode) && (c->direct ||
	    (c->eng->ops->flags & ENGINE_F_DIRECT)))
		twin_open(c, &f.ddirect, f.dfd, O_WRONLY, &dst);
	/*
	 * A direct write past EOF is done synchronously under the inode
	 * lock (ext4, xfs), so 16 of them in flight run one by one:
	 * measured 1.07 s for 1 GiB, the io-wq workers waiting in
	 * rwsem_down_write_slowpath.  Setting the size first makes every
	 * write land inside the file; the size is set again to the end
	 * of the data once it is known.
	 */
	if (f.ddirect.fd >= 0 && sst.st_size > 0 &&
	    ftruncate(f.dfd, sst.st_size) == 0)
		f.presized = 1;
	if (file_hash_start(c, &f, c->algo) < 0)
		goto done;
	file_run(c, &f);
finish:
	if (f.presized && f.err == 0 && f.plan.eof >= 0 &&
	    f.plan.eof != sst.st_size && ftruncate(f.dfd, f.plan.eof) < 0)
		file_fail(&f, -errno, 1, f.plan.eof);
	if (tmp != NULL && f.err == 0 && fchmod(f.dfd, tmode) < 0)
		file_fail(&f, -errno, 1, f.plan.eof);
	/*
	 * Metadata after the data, through the descriptor, before a
	 * --atomic rename; a failure is reported but keeps the copy.
	 */
	if (f.err == 0 && S_ISREG(dst.st_mode)) {
		if ((job->preserve & META_XATTR) &&
		    meta_copy_xattrs(f.sfd, f.src, f.dfd, f.dst) < 0)
			job->meta_failed = 1;
		if ((job->preserve & (META_MODE | META_OWNERSHIP |
		    META_TIMESTAMPS)) &&
		    meta_apply(f.dfd, f.dst, &sst, job->preserve) < 0)
			job->meta_failed = 1;
	}
	/*
	 * --fsync: the data, and with preserved metadata the inode too
	 * (fdatasync may leave a mode or times change in memory).
	 */
	if (c->fsync && f.err == 0 && S_ISREG(dst.st_mode) &&
	    ((job->preserve & ~META_LINKS) ? fsync(f.dfd) :
	    fdatasync(f.dfd)) < 0)
		file_fail(&f, -errno, 1, f.plan.eof);

	file_check_changed(&f, &sst, job);

done:
	(void)close(f.sfd);
	twin_close(&f.sdirect);
	twin_close(&f.ddirect);
	if (close(f.dfd) < 0 && f.err == 0)
		file_fail(&f, -errno, 1, f.bytes);
	file_hash_end(&f, f.err == 0 ? job->hex : NULL);
	if (f.changed) {
		warnx("'%s' changed while being read", f.src);
		if (created && unlink(made) < 0 && errno != ENOENT)
			warn("cannot remove partial copy '%s'", made);
		free(tmp);
		return -1;
	}
	if (f.err == -EINTR && c->stop != NULL && *c->stop) {
		/*
		 * Interrupted: a file we created is removed; one that was
		 * there before has been partly overwritten, and is named.
		 */
		if (created) {
			if (unlink(made) < 0 && errno != ENOENT)
				warn("cannot remove partial copy '%s'", made);
		} else
			warnx("interrupted: '%s' was partly overwritten",
			    f.dst);
		free(tmp);
		return -1;
	}
	if (f.err != 0) {
		if (f.err_write == 2)
			warnc(-f.err, "error copying '%s' to '%s' at offset "
			    "%lld", f.src, f.dst, (long long)f.err_off);
		else if (f.err_write)
			warnc(-f.err, "error writing '%s' at offset %lld",
			    f.dst, (long long)f.err_off);
		else
			warnc(-f.err, "error reading '%s' at offset %lld",
			    f.src, (long long)f.err_off);
		/*
		 * A file this call created holds only part of the data:
		 * remove it rather than leave a short copy that looks whole.
		 */
		if (created && unlink(made) < 0 && errno != ENOENT)
			warn("cannot remove partial copy '%s'", made);
		free(tmp);
		return -1;
	}
	if (tmp != NULL) {
		if (rename_temp(tmp, job) < 0) {
			if (unlink(tmp) < 0 && errno != ENOENT)
				warn("cannot remove '%s'", tmp);
			free(tmp);
			return -1;
		}
		free(tmp);
		/* The rename changed the directory, new file or not. */
		created = 1;
	}
	job->created = created;
	if (job->changed)
		warnx("'%s' changed while being copied", f.src);
	c->stats.files++;
	c->stats.bytes += f.bytes;
	c->stats.offloaded += f.offloaded;
	if (c->debug && f.offloaded > 0 && f.nreq == 0)
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by copy "
		    "offload (copy_file_range: no checksum asked, so the "
		    "data need not pass through memory)\n", f.src, f.dst,
		    (unsigned long long)f.bytes);
	else if (c->debug) {
		if (f.offload_err != 0)
			fprintf(stderr, "acp: debug: '%s': copy_file_range: "
			    "%s; copying through %s\n", f.src,
			    strerror(-f.offload_err), c->eng->ops->name);
		if (f.cached >= 0)
			fprintf(stderr, "acp: debug: '%s': %d%% in the page "
			    "cache\n", f.src, f.cached);
		twin_debug(&f.sdirect, f.src, "reads");
		twin_debug(&f.ddirect, f.dst, "writes");
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes, "
		    "%llu requests through %s%s, %u in flight at most\n",
		    f.src, f.dst, (unsigned long long)f.bytes,
		    (unsigned long long)f.nreq, c->eng->ops->name,
		    c->eng->fixedbuf ? " (registered buffers)" : "", f.peak);
	}
	return 0;
}
