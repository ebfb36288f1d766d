/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-file state machine: open the source, statx it, open the
 * destination, move the data (one method, chosen in one place), apply
 * metadata, fsync, statx the source again to see whether it changed,
 * close both, read the copy back with --verify, and report.  Opens,
 * statx, fsync and close are requests like reads and writes: with
 * io_uring one io_uring_enter() serves many files.  A step with nothing
 * to wait for (metadata, --atomic's temporary file) is done at once.
 *
 * Only the copier's modules include this header.
 */
#ifndef ACP_FILEJOB_H
#define ACP_FILEJOB_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

#include "at.h"
#include "xfer.h"

struct copier;
struct copy_job;
struct creq;
struct tee;

/* What a state's step tells the loop: go on, or wait for the next round. */
#define STEP_GO		0
#define STEP_WAIT	1

/* Where a file is; the comment says what the state waits for or does. */
enum cstate {
	S_OPEN_SRC,		/* issue the source's open */
	S_OPENED_SRC,		/* its result */
	S_STAT_SRC,		/* issue the statx of the open source */
	S_STATED_SRC,		/* its result: check it */
	S_OPEN_DST,		/* open or create the destination */
	S_OPENED_DST,		/* the ring's create came back */
	S_DATA_START,		/* choose the method, start it */
	S_OFFLOAD,		/* copy_file_range(), a piece a round */
	S_OFFLOADING,		/* a piece on a worker thread */
	S_CLONING,		/* its clone on a worker thread */
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

/* One file in flight. */
struct cfile {
	struct copy_job		*job;
	enum cstate		 state;
	int			 waiting;	/* meta requests in flight */
	struct cfile		*next, *prev;	/* the copier's in flight */
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
	int			 lost;		/* its requests given up on */
	int			 lost_dst;	/* and not only reads of src */
	int			 truncated;	/* we cut an existing dst */
	int			 readable;	/* --resume: dst was opened to
						   read, to compare */
	int			 keep;		/* --resume: the temporary is
						   marked, to keep if cut short */
	ssize_t			 opres;		/* the last meta result */
	struct statx		 stx;
	struct stat		 sst;		/* the source, as opened */
	int			 reported;	/* the failure was said */
	int			 inplace_big;	/* the one cut short by a signal */
	uint64_t		 finish_bytes;	/* its in c->finish_bytes */
	int			 debug_said;	/* --debug told of the copy */
	int			 slocal;	/* src is on a local fs */
	struct xfer		 x;		/* the data phase */
	struct req		 oreq;		/* S_OFFLOADING, S_CLONING */
	struct tee		*tee;		/* its reader or a member */
	int			 durable;	/* --fsync: DURABLE_* */
	dev_t			 ddev;		/* and dst's file system */
	/* The copy's figures, kept when --verify starts a new phase. */
	uint64_t		 bytes;
	uint64_t		 offloaded;
	uint64_t		 holes;
	int			 cloned;
	uint64_t		 kept;		/* --resume: found equal */
	off_t			 wrote_from;	/* and where writing began */
};

/*
 * Take job into a free slot (the caller made sure there is one) and move
 * it as far as it goes; the slot is freed when the job is reported.
 */
struct cfile *filejob_start(struct copier *, struct copy_job *job);

/*
 * Move f on as far as it goes without waiting: each state goes on to
 * the next, issues a request (its completion steps f again), or waits
 * for the next round (no request free, or data still in flight).
 */
void	filejob_step(struct copier *, struct cfile *);

/*
 * Issue one open, statx, fsync or close for f and move it to state next,
 * where its completion finds it (fileop.c).  1 when it is in flight, 0
 * when no request is free (f->state stays, to be retried on the next
 * round), or -1 with the file failed (f->state is S_END).
 */
int	file_op(struct copier *, struct cfile *f, enum engine_op op, int fd,
	    const char *path, int flags, mode_t mode, enum cstate next);

/*
 * The open or statx that f waited for failed: say so (fmt names the
 * file) and end it.  1 if so, 0 when it succeeded.
 */
int	file_op_failed(struct copier *, struct cfile *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* An open, statx, fsync or close of the file came back. */
void	filejob_meta_done(struct copier *, struct creq *);

/* The engine failed: fail f, whose requests are lost, without waiting. */
void	filejob_abandon(struct copier *, struct cfile *);

/*
 * Steps of the machine in filedata.c: S_DATA_START (choose the method,
 * start it), S_OFFLOAD (a piece of copy_file_range() here, or out to a
 * thread), S_OFFLOADING and S_CLONING (wait for the thread).  STEP_GO
 * or STEP_WAIT.
 */
int	filejob_data_start(struct copier *, struct cfile *);
int	filejob_offloading(struct copier *, struct cfile *);
int	filejob_offload_out(struct copier *, struct cfile *);

/*
 * f's piece of copy_file_range(), or its clone, on a worker thread came
 * back with res.
 */
void	filejob_offloaded(struct copier *, struct cfile *, ssize_t res);

#endif
