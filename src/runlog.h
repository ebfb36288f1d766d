/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --log=FILE: one JSON object a line for each entry as it is reported,
 * flushed at once, for a script to retry what failed or a monitor to
 * follow.  The keys are an append-only schema (acp(1), LOG):
 *
 *   source, destination	the names, as said on the command line or
 *				in the list (source_hex, destination_hex:
 *				their bytes, where they are not UTF-8)
 *   kind		file, directory, symlink, hardlink, special, unknown
 *   status		copied, skipped, failed, changed
 *   bytes		copied: the bytes written
 *   kept		--resume: the bytes found equal and kept
 *   algorithm, digest	--checksum: the source's digest
 *   reason		skipped: why
 *   error, errno	failed, changed: the message, the errno's name
 *   line		--files-from: the list's line the entry came from
 *
 * Every function does nothing when fp is NULL (no --log).
 */
#ifndef ACP_RUNLOG_H
#define ACP_RUNLOG_H

#include <stdint.h>
#include <stdio.h>

struct logent {
	const char	*source;
	const char	*destination;	/* or NULL */
	const char	*kind;
	const char	*status;
	uint64_t	 bytes;		/* copied */
	uint64_t	 kept;
	const char	*algo;		/* and digest, or NULL */
	const char	*digest;
	const char	*reason;	/* skipped, or NULL */
	const char	*error;		/* failed: NULL for what was said last */
	int		 err;		/* and its errno (with error) */
	uintmax_t	 line;		/* of the list it came from, or 0 */
};

/* Write e's line and flush it; a failed write is said at the end. */
void	runlog_put(FILE *fp, const struct logent *e);

/* e for a copy of kind from src to dst with its status. */
struct logent runlog_ent(const char *kind, const char *status,
	    const char *src, const char *dst);

#endif
