/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One file's data phase: the reads and writes of a copy (or the reads of
 * a hash) through the ring.  Requests carry their own file offset and
 * complete in any order; short transfers resubmit the remainder; EAGAIN
 * and EINTR resubmit the same request; any other error fails the data
 * phase, whose requests still in flight come back (their results
 * ignored) before the file is closed.  Only when the engine itself fails
 * are requests lost: they are never reused, and their file is failed
 * without waiting for them.  Holes of a sparse source are
 * skipped with SEEK_DATA/SEEK_HOLE and hashed as zeros.
 *
 * The descriptors are the file job's (filejob.c); the data phase borrows
 * them.  Its requests go through xfer.c, its setting up and ending
 * (plan, twins, pipe, hash) through xstart.c.  Only the copier's modules
 * include this header.
 */
#ifndef ACP_XFER_H
#define ACP_XFER_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

#include "chunk.h"
#include "hashpipe.h"
#include "sched.h"
#include "twin.h"

struct copier;
struct creq;
struct tee;

/* What the data phase does with what it reads. */
enum xfer_kind {
	XFER_COPY,		/* write it to the destination */
	XFER_HASH,		/* only hash it (--check) */
	XFER_VERIFY,		/* hash the copy read back (--verify) */
};

/* Where a failure happened, for its message. */
enum xfer_side {
	XFER_READING,
	XFER_WRITING,
	XFER_EITHER,		/* copy_file_range: cannot tell */
	XFER_COMPARING,		/* --resume: reading the destination */
};

/* How the data moves; chosen once per file by filejob.c. */
enum xfer_method {
	XFER_NONE,		/* --attributes-only: no data */
	XFER_CLONE,		/* FICLONE: shared blocks */
	XFER_OFFLOAD,		/* copy_file_range, then the ring */
	XFER_SPLICE,		/* the ring, through a pipe */
	XFER_RING,		/* the ring, through pool buffers */
	XFER_TEE,		/* writes only, of what a tee's reader read */
};


/*
 * How many times in a row one request is sent again after EAGAIN, EINTR
 * or ECANCELED before that is the file's error.
 */
#define XFER_MAX_RETRIES	16
/* ERESTARTSYS, which a completion may carry when a worker is interrupted. */
#define XFER_ERESTARTSYS	512

struct xfer {
	enum xfer_kind		 kind;
	enum xfer_method	 method;
	int			 sfd;		/* borrowed */
	int			 dfd;		/* borrowed; -1 for a hash */
	int			 dreg;		/* dst is a regular file */
	int			 sstream;	/* source cannot pread */
	int			 sfuse;		/* source on FUSE: req.async */
	int			 slocal;	/* on a local fs: req.quick */
	off_t			 zero_at;	/* 1 + where a 0 was doubted */
	int			 dstream;	/* destination cannot pwrite */
	int			 trust_short;	/* short read past hint: EOF */
	unsigned		 maxactive;	/* requests it may hold */
	unsigned		 active;
	struct chunk_plan	 plan;
	int			 err;		/* first failure, -errno */
	enum xfer_side		 err_side;
	off_t			 err_off;
	int			 changed;	/* data past the EOF it found */
	int			 finish;	/* a signal does not stop it */
	uint64_t		 bytes;		/* written (or cloned) */
	uint64_t		 nreq;
	unsigned		 peak;
	struct twin		 sdirect;	/* O_DIRECT twin of sfd */
	struct twin		 ddirect;	/* O_DIRECT twin of dfd */
	int			 cached;	/* % of the source cached, or -1 */
	int			 guessed;	/* or taken as cached (1) or not
						   (0) from the files before, or
						   -1 (xfer_cached()) */
	int			 seqread;	/* read ahead as sequential
						   (xfer_read_ahead()) */
	int			 unspliced;	/* small, not cached: 1 looked
						   up, 2 guessed (offload.c) */
	int			 ahead;		/* its read ahead was asked
						   (filejob.c) */
	int			 sflip;		/* sfd itself is O_DIRECT: 1,
						   or was and went back: -1
						   (xfer_direct_small()) */
	uint64_t		 sflip_n;	/* reads it served so */
	off_t			 sflip_at;	/* where it went back */
	int			 sflip_why;	/* and why: -errno, or 0 for
						   a read it could not align */
	int			 rworker;	/* its reads on a worker:
						   hashed, cached (xstart.c) */
	int			 presized;	/* dst was set to st_size first */
	int			 scratch;	/* dst is an --atomic temporary */
	struct hashpipe		 hp;
	uint64_t		 offloaded;	/* bytes copy_file_range (or
						   its splices) moved */
	int			 flush;		/* --fsync or --verify will
						   flush the copy */
	off_t			 flushed;	/* its writeback started below
						   here */
	unsigned		 pieces;	/* in so many calls */
	int			 offload_err;	/* why it stopped, -errno */
	int			 spliced;	/* its pieces go by splice
						   instead (offload.c) */
	int			 splice_err;	/* why they stopped, -errno */
	int			 sparse;	/* skip the source's holes */
	int			 zeros;		/* --sparse=always: zeros too */
	off_t			 data_end;	/* end of the data found so far */
	off_t			 ext_start;	/* the data extent, unrounded */
	off_t			 ext_end;
	uint64_t		 holes_bytes;	/* left as holes in the copy */
	int			*pipe;		/* splice: read end, write end */
	/*
	 * A tee (tee.c): its reader's data phase, which hands what it reads
	 * to each member's (XFER_TEE) to write; fed: the reader is done.
	 */
	struct tee		*tee;
	int			 fed;
	/*
	 * --resume (resume.c): the destination holds cmp_end bytes; blocks
	 * below cmp_stop (the first that differed) are compared first.
	 * kept: bytes found equal and not written; wrote_from: the lowest
	 * offset written, or -1.  trust_end: the destination is whole below
	 * it, as its mark says (resmark.h): kept without being compared.
	 */
	int			 resume;
	off_t			 cmp_end;
	off_t			 cmp_stop;
	uint64_t		 kept;
	off_t			 wrote_from;
	off_t			 trust_end;
	/* The lowest block let go of before it was written, or -1. */
	off_t			 unwritten;
};

/*
 * Start a data phase of the given kind over sfd (and dfd, -1 for a
 * hash), forgetting any earlier one but keeping its memory.
 */
void	xfer_init(struct xfer *, enum xfer_kind, int sfd, int dfd, int dreg,
	    int dstream);

/*
 * The requests x may hold at once: one for a destination that cannot
 * pwrite; with several destinations, each one's copy its share of the
 * ring, so that none waits for another's whole file; else the depth.
 */
unsigned xfer_share(const struct copier *, const struct xfer *);

/*
 * Plan the reads of a source whose stat is sst: streams, the size hint,
 * how much of it is cached, its holes.
 */
void	xfer_plan(struct copier *, struct xfer *, const struct stat *sst);

/*
 * Whether x's source (regular, size bytes) is all in the page cache: 1,
 * 0, or -1 when the kernel cannot tell.  *looked is 0 when the answer was
 * taken from the files before it instead of looked up.  Asked again, the
 * same answer: a source's read ahead (filejob.c) asks before its pages
 * are on their way, the choice of method after.
 */
int	xfer_cached(struct copier *, struct xfer *, off_t size, int *looked);

/*
 * A small source not in the page cache, to be read through the ring:
 * switch its own descriptor (x->sfd) to O_DIRECT.  1 if switched, 0 if
 * the file system refused (its reads stay buffered).
 */
int	xfer_direct_small(struct xfer *);

/*
 * Its reads go back to buffered from offset at on (why: -errno, or 0 for
 * a read that could not be aligned).
 */
void	xfer_direct_small_end(struct xfer *, off_t at, int why);

/*
 * x's source is to be read buffered, in order: if it is big and not all
 * in the page cache, advise POSIX_FADV_SEQUENTIAL (once; x->seqread).
 */
void	xfer_read_ahead(struct xfer *);

/*
 * Set up the ring for the plan: O_DIRECT twins, presizing, a splice pipe
 * when the method is XFER_SPLICE, in-order hashing with algo (NULL: none).
 * 0, or -1 with the data phase failed.
 */
int	xfer_ring_start(struct copier *, struct xfer *, const struct stat *sst,
	    const struct checksum_algo *algo);

/* Record a failure; of several, the lowest offset is kept. */
void	xfer_fail(struct xfer *, int err, enum xfer_side, off_t off);

/*
 * Must this data phase stop for a signal?  Not a rewrite in place that
 * the copier lets finish (finish).
 */
int	xfer_stopped(const struct copier *, const struct xfer *);

/*
 * --fsync, --verify: the destination's data below end was written; start
 * its writeback (not wait for it) every XFER_FLUSH_STEP bytes.
 */
void	xfer_flush_behind(const struct copier *, struct xfer *, off_t end);

/*
 * Issue q for its phase (a read of what it still wants, or a write of
 * what it read and has not written); 0, or -1 with the data phase
 * failed (q is still the caller's).
 */
int	xfer_send(struct copier *, struct creq *q, enum creq_phase phase);

/* Hand q to the engine as it is; 0, or -1 with the data phase failed. */
int	xfer_queue(struct copier *, struct creq *q);

/*
 * Write the block q read (or, --sparse=always, leave its zeros a hole);
 * 0, or -1 with the data phase failed (q is still the caller's).
 */
int	xfer_write_block(struct copier *, struct creq *q);

/* q is done with: its buffer back (unless it borrows another's). */
void	xfer_release(struct copier *, struct creq *q);

/* Issue what the plan, the pool and the window allow; drop on failure. */
void	xfer_pump(struct copier *, struct xfer *);

/* A read or write of the data phase came back. */
void	xfer_complete(struct copier *, struct creq *);

/* Nothing in flight, and (without a failure) every byte moved. */
int	xfer_idle(const struct xfer *);
int	xfer_done(const struct xfer *);

/*
 * x's pipe (the slot's), made if it was not and grown towards size bytes
 * where the kernel lets it: 0, or -1 when there is none.
 */
int	xfer_pipe(struct copier *, struct xfer *, int size);

/* Throw x's pipe away, with what a failure left in it. */
void	xfer_pipe_drop(struct xfer *);

/* Close the twins, drop an unfinished hash, and a pipe a failure dirtied. */
void	xfer_end(struct xfer *);

/* Release the memory a data phase keeps across restarts. */
void	xfer_free(struct xfer *);


#endif
