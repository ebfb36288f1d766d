/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The walker: turns the operands into copy jobs with cp's rules (target
 * directory or target file, directories without -r, the destination
 * policy) and hands each regular file to the copier.
 */
#ifndef ACP_WALK_H
#define ACP_WALK_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "stats.h"

struct copier;
struct manifest_old;
struct options;

/* What the walker made, for --stats; files and bytes are the copier's. */
struct walk_stats {
	uint64_t	directories;
	uint64_t	symlinks;
	uint64_t	hardlinks;
	uint64_t	specials;
	uint64_t	errors;		/* entries that failed */
	uint64_t	skipped;	/* --resume: files found up to date */
	uint64_t	bytes_skipped;	/* and their bytes */
	unsigned	ntargets;	/* destinations */
	struct target_stats target[ACP_MAX_TARGETS];
};

/*
 * Copy every source; the run's exit status (status.h).  With a manifest
 * (not NULL), a line for each file copied (and verified), and for each
 * found up to date whose line old (not NULL) holds (manifest_load())
 * and whose copy did not change since old was written;
 * with a log (--log, not NULL), a line for each entry (runlog.h).  ws
 * (may be NULL) gets the counts.
 */
int	walk_run(const struct options *, struct copier *, FILE *manifest,
	    const struct manifest_old *old, FILE *log, struct walk_stats *ws);

/*
 * The directories being walked hold three descriptors a level (source,
 * copy, stream); ancestors are parked past the budget, which is never
 * less than WALK_FDS_MIN (eight levels) when the limit allows it, and
 * need not be more than WALK_FDS_WANT for the walk to run without parking.
 */
#define WALK_FDS_MIN	24
#define WALK_FDS_WANT	256

#endif
