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
#include "sched.h"

struct cfile;

/*
 * What rewrites in place may be left to finish after a signal: about
 * a second of writing on a slow disk.
 */
#define COPIER_FINISH_BYTES	((uint64_t)64 << 20)

struct copier {
	struct sched		 sched;
	struct cfile		*files;		/* maxfiles of them */
	struct cfile		**freefiles;	/* a stack */
	unsigned		 nfreefiles;
	unsigned		 maxfiles;
	unsigned		 nactive;
	int			(*pipes)[2];	/* a pipe per slot, or -1 */
	int			 splice;	/* small files by splice */
	/*
	 * Rewrites of existing files in place: those that a signal lets
	 * finish (their sources' bytes, at most COPIER_FINISH_BYTES in
	 * all), and the one bigger rewrite that it may cut short, so that
	 * an interrupted run leaves at most one old file partly
	 * overwritten, as cp does.  New files stay many.
	 */
	uint64_t		 finish_bytes;
	int			 inplace_big;
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
	mode_t			 umask;		/* the process's, read once */
	/* What the run did. */
	unsigned		 clones;	/* FICLONEs that worked */
	unsigned		 noclones;	/* and that were refused */
	struct copy_stats	 stats;		/* requests, peak: sched's */
	uint64_t		 done_bytes;	/* data moved so far, live */
	void			(*tick)(void *);
	void			*tick_arg;
};

#endif
