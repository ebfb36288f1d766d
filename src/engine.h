/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine interface: the one seam between the copier and the kernel's
 * asynchronous I/O interfaces, modelled on fio's ioengine ops.
 *
 * The copier fills a struct req (op, fd, buffer, offset, length) and hands
 * it to engine_queue(); engine_submit() pushes what is queued to the
 * kernel; engine_reap() returns completed requests, in any order, with
 * req->res set to the byte count or to -errno.  A request belongs to the
 * engine from queue until it comes back from reap, and to the copier
 * otherwise.  Nothing above this header includes liburing.h or libaio.h.
 */
#ifndef ACP_ENGINE_H
#define ACP_ENGINE_H

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <stddef.h>

enum engine_op {
	ENGINE_OP_READ,
	ENGINE_OP_WRITE,
	ENGINE_OP_FSYNC,	/* fdatasync(fd) */
	ENGINE_OP_FSYNC_ALL,	/* fsync(fd): data and inode */
	ENGINE_OP_OPENAT,	/* openat(fd, path, flags, mode): res fd */
	ENGINE_OP_CLOSE,	/* close(fd) */
	ENGINE_OP_STATX,	/* statx(fd, "", AT_EMPTY_PATH, ...) into stx */
	ENGINE_OP_SPLICE,	/* splice(fd, off, fd2, off2, len): a pipe */
	/*
	 * copy_file_range(fd, off, fd2, off2) until len bytes or the end:
	 * res the bytes moved (0 at the end).  No engine's kernel interface
	 * has it: only the copier's worker threads are given it.
	 */
	ENGINE_OP_COPY_RANGE,
	/* syncfs(fd): --fsync's batches, on the copier's own thread. */
	ENGINE_OP_SYNCFS,
	/*
	 * posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED): start reading the
	 * file into the page cache; res 0 or -errno.  A hint: io_uring's
	 * (5.6) runs it on an io-wq worker.
	 */
	ENGINE_OP_FADVISE,
	/*
	 * ioctl(fd2, FICLONE, fd): fd2 shares fd's blocks; res 0 or -errno.
	 * As COPY_RANGE: only the copier's worker threads are given it.
	 */
	ENGINE_OP_CLONE,
};
#define ENGINE_NOPS	(ENGINE_OP_CLONE + 1)

/*
 * One I/O request.  The copier writes every field but res before
 * engine_queue(); the engine writes res before it returns the request from
 * engine_reap().  off == -1 means "at the file's current position", for
 * pipes and character devices that cannot seek.
 */
struct req {
	enum engine_op	 op;
	int		 fd;
	int		 buf;	/* index in the registered buffers, or -1 */
	char		*addr;	/* where the data goes or comes from */
	off_t		 off;
	size_t		 len;
	ssize_t		 res;	/* bytes moved (a descriptor), or -errno */
	void		*owner;	/* the copier's; engines never look */
	const char	*path;	/* OPENAT: the name, alive until reaped */
	int		 flags;	/* OPENAT: open(2) flags */
	mode_t		 mode;	/* OPENAT: mode for O_CREAT */
	struct statx	*stx;	/* STATX: where the result goes */
	int		 fd2;	/* SPLICE: where the data goes */
	off_t		 off2;	/* SPLICE: its offset, -1 for a pipe */
	int		 direct;	/* READ, WRITE: fd is O_DIRECT */
	/*
	 * READ, WRITE: straight to a worker, never tried inline: fd's file
	 * system may block the submitter however it is asked (FUSE), or the
	 * copier wants its thread for other work (a hashed copy's cached
	 * reads).
	 */
	int		 async;
	/*
	 * The call answers at once (on a local file system: a statx, a
	 * create, a regular file's open or close, a splice of cached pages
	 * into an empty pipe): the engine may make it on the submitting
	 * thread, instead of waking a worker for it (the thread-pool
	 * engines do; io_uring's does not).
	 */
	int		 quick;
	struct iovec	 iov;	/* the engine's: READV/WRITEV's one vector */
};

enum engine_kind {
	ENGINE_AUTO,
	ENGINE_URING,
	ENGINE_AIO,
	ENGINE_SYNC,
};

/* Settings an engine is started with. */
struct engine_params {
	unsigned	depth;	/* most requests in flight at once */
};

/* Results of engine_queue(). */
#define ENGINE_QUEUED	0	/* will come back from engine_reap() */
#define ENGINE_BUSY	1	/* full: submit and reap, then queue again */

#define ENGINE_F_FIXEDBUF	0x1	/* register_buffers is worth calling */

struct engine;

struct engine_ops {
	const char	*name;
	unsigned	 flags;
	/*
	 * 0, or -errno with a human reason written to reason.  On success
	 * reason may say how it started, for --debug ("started, ...").
	 */
	int		(*init)(struct engine *, const struct engine_params *,
			    char *reason, size_t reasonlen);
	/* Optional: let the kernel pin the buffers once. */
	int		(*register_buffers)(struct engine *,
			    const struct iovec *, unsigned);
	int		(*queue)(struct engine *, struct req *);
	/* Requests handed to the kernel, or -errno. */
	int		(*submit)(struct engine *);
	/*
	 * Submit whatever is still queued, wait for at least min
	 * completions (or wait_ms, when set), write them to reqs (at most
	 * max); a count or -errno.
	 */
	int		(*reap)(struct engine *, unsigned min, struct req **reqs,
			    unsigned max);
	/*
	 * Ask that req, queued and not yet reaped, end now: it still comes
	 * back from reap, done or with -ECANCELED or -EINTR.  Best effort;
	 * NULL where nothing can block for long.
	 */
	void		(*cancel)(struct engine *, struct req *);
	/* Release priv (never NULL here); engine_stop() clears it. */
	void		(*exit)(struct engine *);
};

struct engine {
	const struct engine_ops	*ops;
	void			*priv;	/* the engine's own state */
	unsigned		 depth;
	int			 fixedbuf;	/* buffers were registered */
	/*
	 * Set by init: 1 where the engine does the op asynchronously, 0
	 * where queue() does it at once with engine_run_blocking() (it
	 * still comes back from reap).  For --debug and the copier's
	 * choices.
	 */
	unsigned char		 async[ENGINE_NOPS];
	/*
	 * Set by init: buffered reads of a file out of the page cache keep
	 * the kernel's readahead going (they reach the file in the order
	 * queued).  Where not, worker threads read a block each, out of
	 * order, and the readahead gives up: a cold 1 GiB read with a hash
	 * took 1.9 s so, 1.2 s with O_DIRECT and 0.4 s through io_uring.
	 */
	int			 readahead;
	/*
	 * Set by init: a run's small files not in the page cache are read
	 * with O_DIRECT (xstart.c's xfer_direct_small()) from the
	 * direct_from-th on, counted from 1; 0, never.  None where a direct
	 * read holds a thread asleep for the disk (the sync engine's
	 * workers: 50,000 files cold 4.78 s against 4.11 s buffered).
	 */
	unsigned		 direct_from;
	/*
	 * Set by init: a read or write with req->async goes to a worker
	 * thread instead of being tried on the caller's (io_uring's
	 * IOSQE_ASYNC); 0 where the flag changes nothing.
	 */
	int			 punt;
	/*
	 * Set by the caller.  wait_ms: 0, reap waits for its min; else it
	 * returns after about that long with what it has (a run that was
	 * stopped, waiting on cancels).  abandoned: requests given up on
	 * may still be in the kernel, so exit neither waits for them nor
	 * frees what they use; the process is about to end.
	 */
	unsigned		 wait_ms;
	int			 abandoned;
};

/* The engine name for a kind ("auto", "uring", "aio", "sync"). */
const char	*engine_kind_name(enum engine_kind);

/* Parse an engine name; 0 and *kind set, or -EINVAL. */
int		 engine_kind_parse(const char *, enum engine_kind *);

/* Whether this build has the engine at all. */
int		 engine_kind_built(enum engine_kind);

/*
 * Start the engine of the given kind; with ENGINE_AUTO, the first of
 * uring, aio, sync that starts.  Returns 0 or -errno.  Whatever the
 * outcome, log (NUL-terminated, lines ending in '\n') tells which engines
 * were tried and why each that failed did.
 */
int		 engine_start(struct engine *, enum engine_kind,
		    const struct engine_params *, char *log, size_t loglen);

/* Register the buffer pool with the engine, where that helps; 0 or -errno. */
int		 engine_register_buffers(struct engine *,
		    const struct iovec *, unsigned);

/* ENGINE_QUEUED or ENGINE_BUSY. */
int		 engine_queue(struct engine *, struct req *);

/* Requests handed to the kernel, or -errno. */
int		 engine_submit(struct engine *);

/*
 * Wait for min completions (at most max written to reqs): their count,
 * or -errno.  Fewer, even none, come back where a signal ends the wait
 * or a timed wait runs out (wait_ms; the workers' tick), so that the
 * caller can look at a stop: a caller that needs them reaps again.
 */
int		 engine_reap(struct engine *, unsigned min, struct req **reqs,
		    unsigned max);

/*
 * Do req now with plain system calls (read/pread, write/pwrite,
 * fdatasync, fsync, openat, close, statx) and set req->res: the sync
 * engine's work, and the other engines' for what their kernel interface
 * cannot do.
 */
void		 engine_run_blocking(struct req *);

/*
 * Cancel req, which the engine holds (a signal stops the run): a read
 * blocked on a FIFO, a pipe or a stalled filesystem comes back at once.
 */
void		 engine_cancel(struct engine *, struct req *);

/* Stop the engine; safe on an engine that never started. */
void		 engine_stop(struct engine *);

/*
 * Why io_uring_setup() gave EPERM, as --debug says it: from the value of
 * kernel.io_uring_disabled (0, 1 or 2) and whether the process holds
 * CAP_SYS_ADMIN, which =1 lets through (then seccomp is to blame).
 */
const char	*uring_eperm_hint(int disabled, int sys_admin);

/*
 * Make a started io_uring engine act as on a kernel without
 * IORING_REGISTER_PROBE (5.5 and older): only the ops 5.1 had, reads and
 * writes by READV/WRITEV or the fixed ops.  For the test engine.
 */
void		 uring_as_unprobed(struct engine *);

/* The ops tables, in fallback order. */
extern const struct engine_ops engine_uring_ops;
#ifdef HAVE_LIBAIO
extern const struct engine_ops engine_aio_ops;
#endif
extern const struct engine_ops engine_sync_ops;

#endif
