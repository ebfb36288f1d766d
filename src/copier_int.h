/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier's own state, shared by its modules (copier.c, filejob.c,
 * xfer.c, offload.c, dest.c, verify.c) and by no one else: above the
 * copier, struct copier is opaque (copier.h).
 */
#ifndef ACP_COPIER_INT_H
#define ACP_COPIER_INT_H

#include <sys/types.h>

#include <stdint.h>

#include "copier.h"
#include "pagecache.h"
#include "sched.h"
#include "strset.h"

struct cfile;
struct durable;
struct workers;

/*
 * What rewrites in place may be left to finish after a signal: about
 * a second of writing on a slow disk.
 */
#define COPIER_FINISH_BYTES	((uint64_t)64 << 20)
/*
 * A reap waits at most this long: a signal that comes between the look
 * at the stop flag and the wait is seen in that time (a wait interrupted
 * by the signal returns at once).
 */
#define COPIER_TICK_MS		100
/*
 * A stopped run gives up on cancelled requests after this long.  Under
 * load a cancelled read's thread can take over 300 ms to run again and
 * return (a FIFO read on the sync engine with 4 busy loops and a writer
 * on 2 cores: 3 runs in 250 given up at 300 ms, none at 2 s), and giving
 * up fails the files in flight, a whole one waiting for its flush too.
 */
#define COPIER_GIVE_UP_MS	2000
/* and meanwhile waits for completions this long at a time. */
#define COPIER_STOP_WAIT_MS	20

struct copier {
	struct sched		 sched;
	struct cfile		*files;		/* maxfiles of them */
	struct cfile		**freefiles;	/* a stack */
	unsigned		 nfreefiles;
	unsigned		 maxfiles;
	unsigned		 nactive;
	/*
	 * Those files in the order they started (the jobs' order); a round
	 * steps them from first, the cursor on the next to step, moved on
	 * when the one it is on ends.
	 */
	struct cfile		*first, *last, *cursor;
	/* Of them, copying at most (the others wait for a --fsync batch). */
	unsigned		 maxcopying;
	int			(*pipes)[2];	/* a pipe per slot, or -1 */
	int			 splice;	/* small files by splice */
	struct pagecache_guess	 warm;		/* are small files cached */
	unsigned		 cold_small;	/* of them not, so far */
	/*
	 * Rewrites of existing files in place: those that a signal lets
	 * finish (their sources' bytes, at most COPIER_FINISH_BYTES in
	 * all), and the one bigger rewrite that it may cut short, so that
	 * an interrupted run leaves at most one old file partly
	 * overwritten, as cp does.  New files stay many.
	 */
	uint64_t		 finish_bytes;
	int			 inplace_big;
	/*
	 * When the stop was first seen (CLOCK_MONOTONIC, ns; 0: not yet),
	 * so that requests cancelled and never answered (a read from a
	 * filesystem that has stalled) are given up on in time.
	 */
	uint64_t		 stopped_ns;
	/* Files that stepped this round and want the next without a request. */
	unsigned		 stepping;
	/*
	 * With several destinations, their copy_file_range() pieces run on
	 * these threads at once (NULL: on this one); offloads are out.
	 */
	struct workers		*offw;
	unsigned		 offloads;
	int			 no_clone_threads;	/* failed to start */
	/* --fsync's batches (durable.c); NULL: each file its own fsync. */
	struct durable		*dur;
	/*
	 * New files whose create (O_EXCL, through the engine) was given up
	 * on: if it happened after all, the file is ours, removed when the
	 * engine has stopped (copier_free()).
	 */
	struct lost_create {
		struct creq	*q;
		int		 dirfd;		/* a dup, or AT_FDCWD */
		char		*name;
	}			*lost;
	unsigned		 nlost;
	struct strset		 tempdirs;	/* --debug: looked at for
						   temporaries left behind */
	struct copy_job		*head, *tail;	/* jobs not yet reported */
	unsigned		 njobs;
	unsigned		 maxjobs;
	/* Settings, from struct copier_params. */
	size_t			 block_size;
	unsigned		 depth;
	int			 debug;
	int			 offload;
	int			 direct;
	const struct checksum_algo *algo;
	int			 fsync;
	int			 sparse;
	int			 reflink;
	unsigned		 targets;	/* most copies of one source */
	mode_t			 umask;		/* the process's, read once */
	/* What the run did. */
	unsigned		 clones;	/* FICLONEs that worked */
	unsigned		 noclones;	/* and that were refused */
	struct copy_stats	 stats;		/* requests, peak: sched's */
	uint64_t		 done_bytes;	/* data moved so far, live */
	void			(*tick)(void *);
	void			*tick_arg;
};

/*
 * f's create of its new file is given up on (the engine failed, or it
 * never answered a cancel): remember it, to remove the file if the
 * create happened after all.
 */
void	copier_lost_create(struct copier *, const struct cfile *);

/*
 * f's requests are given up on: its copy is not whole from the lowest
 * block one of them held.  1 if one was anything but a read (or a read
 * ahead) of the source (the destination's file system may be the
 * stalled one).
 */
int	copier_lost_requests(const struct copier *, struct cfile *);

/* Threads a tree's clones are made on at once (copier_clone_threads()). */
#define COPIER_CLONE_THREADS	2

/*
 * The worker threads clones go to once one clone worked (copier.c), or
 * NULL: make them on this thread.
 */
struct workers *copier_clone_threads(struct copier *);

#endif
