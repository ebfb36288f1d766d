/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The summary --stats prints at the end of a run, for a person (one or
 * two lines, sizes through humanize_number) or for a script (one JSON
 * object on one line; the schema is in man/acp.1 and only grows).
 */
#ifndef ACP_STATS_H
#define ACP_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STATS_NONE	0
#define STATS_HUMAN	1
#define STATS_JSON	2

/* What one of several destinations got. */
struct target_stats {
	const char	*path;		/* as given */
	uint64_t	 files;		/* regular files copied there */
	uint64_t	 bytes;		/* data bytes written there */
	uint64_t	 failed;	/* entries that could not be copied there */
	uint64_t	 skipped;	/* --resume: entries found up to date */
};

/* What a run did; filled by main from the walker and the copier. */
struct run_stats {
	const char	*engine;	/* the engine that ran */
	const char	*mode;		/* "copy" or "check" */
	uint64_t	 files;		/* regular files copied (or checked) */
	uint64_t	 directories;	/* directories made or entered */
	uint64_t	 symlinks;	/* symbolic links made */
	uint64_t	 hardlinks;	/* names linked to a file copied */
	uint64_t	 specials;	/* FIFOs, devices, sockets made */
	uint64_t	 bytes;		/* data bytes written */
	uint64_t	 offloaded;	/* of them, copied by the kernel itself */
	uint64_t	 holes;		/* bytes left as holes, not written */
	uint64_t	 cloned;	/* bytes shared by --reflink */
	uint64_t	 hashed;	/* bytes hashed */
	uint64_t	 verified;	/* bytes read back by --verify */
	uint64_t	 requests;	/* engine requests of every kind */
	unsigned	 peak_requests;	/* most requests in flight at once */
	unsigned	 peak_files;	/* most files in flight at once */
	unsigned	 queue_depth;
	uint64_t	 block_size;
	uint64_t	 errors;	/* entries that failed */
	/*
	 * --resume (resume: it was given): files found up to date, files
	 * continued, and the bytes neither copied.
	 */
	int		 resume;
	uint64_t	 skipped;
	uint64_t	 resumed;
	uint64_t	 bytes_skipped;
	double		 seconds;	/* wall-clock time of the run */
	int		 status;	/* the exit status */
	/* With several destinations, each one's (else ntargets is 0). */
	unsigned	 ntargets;
	const struct target_stats *targets;
};

/* Print st in the given form (STATS_HUMAN or STATS_JSON) to fp. */
void	stats_print(FILE *fp, const struct run_stats *st, int form);

/*
 * n bytes in at most four characters, as ls -h writes sizes ("1.5G",
 * "512B"), into buf (len of at least 5).
 */
void	stats_size(char *buf, size_t len, uint64_t n);

/* Parse "human" or "json" (NULL: human); STATS_* or -1. */
int	stats_parse(const char *);

#endif
