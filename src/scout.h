/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scout: a thread that walks a source tree not in the kernel's
 * caches ahead of the walker, reading each directory and stat-ing each
 * entry in the order the walker will, so that the walker's own calls
 * find the directory blocks, the inodes and the names cached.  Cold, the
 * walker's fstatat of each entry waits for the disk and builds the
 * inode and its name on the thread that also starts every file's
 * requests; the scout does it on the other CPU.
 *
 * It reads only, and only what the walker is about to read: it keeps at
 * most SCOUT_AHEAD entries ahead (the walker counts what it has walked,
 * scout_walked()), stays on the file system of its root, follows no
 * symbolic link, and goes at most SCOUT_DEPTH directories deep.  What
 * it finds is thrown away: a tree that changes under it costs time,
 * never a wrong copy.  Signals are the walker's (thread.h).
 */
#ifndef ACP_SCOUT_H
#define ACP_SCOUT_H

#include <sys/types.h>

/* Entries the scout keeps ahead of the walker at most. */
#define SCOUT_AHEAD	2048

/* Directories deep it goes, each a descriptor held. */
#define SCOUT_DEPTH	16

struct scout;

/*
 * Start a scout over the directory name (at dirfd), on device dev; the
 * walker has walked `walked` entries of it already.  NULL when the
 * thread or its descriptor cannot be had: the walk goes on alone.
 */
struct scout	*scout_start(int dirfd, const char *name, dev_t dev,
		    unsigned long walked);

/* The walker has walked one more entry of the tree. */
void		 scout_walked(struct scout *);

/* Entries the scout has stat-ed so far (for the tests). */
unsigned long	 scout_seen(struct scout *);

/* Stop the thread wherever it is, wait for it, and free s (or NULL). */
void		 scout_stop(struct scout *);

#endif
