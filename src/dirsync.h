/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --fsync's directories: every directory that gained an entry (or whose
 * own inode changed) in this run, each once, flushed at the end so that
 * the names of the copies are as durable as their data.  A hash set of
 * paths, so a tree of many directories is not a quadratic scan.
 */
#ifndef ACP_DIRSYNC_H
#define ACP_DIRSYNC_H

#include "strset.h"

struct dirsync {
	struct strset	dirs;
};

/* Add the directory dir (once); takes ownership of dir. */
void	dirsync_add_dir(struct dirsync *, char *dir);

/* The directory that holds path gained an entry. */
void	dirsync_add(struct dirsync *, const char *path);

/* Is dir in the set? */
int	dirsync_has(const struct dirsync *, const char *dir);

/*
 * fsync each directory once and empty the set; a status (ACP_EXIT_OK, or
 * ACP_EXIT_FAIL after a message for each that failed).
 */
int	dirsync_run(struct dirsync *);

#endif
