/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The request scheduler: the copier's pool of requests and buffers over
 * one engine.  Every request of every file in flight, data or not, is one
 * of nreqs struct creq; a data request also borrows one pool buffer.  The
 * scheduler queues requests to the engine, reaps a batch of completions,
 * and holds the run's stop state: a signal asked us to stop, or the
 * engine itself failed.
 *
 * Only the copier's modules include this header.
 */
#ifndef ACP_SCHED_H
#define ACP_SCHED_H

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bufpool.h"
#include "engine.h"

enum creq_phase {
	CREQ_READ,
	CREQ_WRITE,
	CREQ_META,		/* open, statx, fsync or close */
	CREQ_CMP,		/* --resume: the destination's block */
};

struct cfile;
struct xfer;

/*
 * One request.  A data request lives through two phases: READ until its
 * buffer holds what was asked or the file ended, then WRITE until all it
 * read is on the destination.  Written by the module that issued it
 * (xfer.c for data, filejob.c for the rest); sched.c writes r's queueing.
 */
struct creq {
	struct req		 r;	/* what the engine sees */
	struct cfile		*f;	/* the file it is for */
	struct xfer		*x;	/* data: the data phase it serves */
	enum creq_phase		 phase;
	int			 buf;	/* pool buffer index, or -1 */
	int			 buf2;	/* --resume: the destination's, or -1 */
	size_t			 got;	/* and how much of it is read */
	off_t			 off;	/* file offset of the buffer's start */
	size_t			 want;	/* bytes to read */
	size_t			 have;	/* bytes read */
	size_t			 written;
	int			 direct;	/* through an O_DIRECT twin */
	int			 flipped;	/* a read of a source switched to
						   O_DIRECT (xfer_direct_small()) */
	int			 wdone;		/* all of it is written */
	int			 hashed;
	int			 closing_dst;	/* CLOSE of the destination */
	char			*path;		/* OPENAT: r.path, its own */
	int			 edge;		/* a block a hole's edge cuts */
	int			 more;		/* splice: read on once written */
	unsigned		 retries;	/* EAGAIN... in a row, sent again */
	int			 queued;	/* the engine holds it */
	int			 cancelled;	/* and was asked to end it */
	/*
	 * A tee: a write of parent's buffer to one member (buf is the
	 * parent's, not its own); the parent counts them in children.
	 */
	struct creq		*parent;
	unsigned		 children;
	/*
	 * The tee's second and later writes of a buffer go straight to an
	 * io-wq worker (the engine's async), so that they run on the other
	 * core while this thread hashes and writes the first.
	 */
	int			 offcore;
};

struct sched {
	struct engine		*eng;
	struct bufpool		 pool;
	struct creq		*reqs;		/* nreqs of them */
	struct creq		**idle;		/* free requests, a stack */
	unsigned		 nidle;
	unsigned		 nreqs;
	struct req		**reaped;	/* the last reap's completions */
	unsigned		 inflight;	/* requests lent out */
	unsigned		 inengine;	/* requests the engine holds */
	unsigned		 cancelled;	/* of which we asked to end */
	uint64_t		 requests;	/* queued in all */
	unsigned		 peak;		/* most lent out at once */
	volatile sig_atomic_t	*stop;		/* set by a signal handler */
	int			 broken;	/* the engine failed */
};

/*
 * Make nreqs requests and a pool of nbufs buffers of bs bytes over a
 * started engine, registering the buffers where the engine wants it
 * (with debug, say so when that fails); 0 or -errno.
 */
int	sched_init(struct sched *, struct engine *, unsigned nreqs,
	    unsigned nbufs, size_t bs, volatile sig_atomic_t *stop, int debug);

/* Release what sched_init() made; the engine stays the caller's. */
void	sched_exit(struct sched *);

/* A zeroed idle request (no buffer), or NULL when all are lent out. */
struct creq *sched_get(struct sched *);

/* Give back a request got from sched_get(), and its buffer if any. */
void	sched_put(struct sched *, struct creq *);

/*
 * Hand q to the engine; on a full engine submit what is queued and try
 * once more.  0, or -EBUSY (the engine was sized for every request, so
 * this is a bug the caller reports as the file's failure).
 */
int	sched_queue(struct sched *, struct creq *);

/*
 * Wait for at least min completions; their requests are in reaped.  A
 * count, or -errno when the engine failed (then broken is set).
 */
int	sched_reap(struct sched *, unsigned min);

/* The request of the i-th completion of the last reap. */
struct creq *sched_reaped(const struct sched *, int i);

/* Ask the engine to end q, which it holds, now; once. */
void	sched_cancel(struct sched *, struct creq *);

/* Must the run stop starting work: a signal came, or the engine failed? */
int	sched_stopping(const struct sched *);

/* Did a signal ask us to stop (not an engine failure)? */
int	sched_signalled(const struct sched *);

/* Did a request end so (res: -errno) because our stop cancelled it? */
int	sched_stop_cancelled(const struct sched *, long res);

#endif
