/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Directories being copied.  A directory's metadata (mode, owner, times,
 * xattrs) is applied after all its entries, which may finish in any
 * order long after the walker has moved on: each entry's job holds a
 * reference, and so does the walker while it reads the directory.  The
 * last reference applies the metadata and lets go of the parent.
 */
#ifndef ACP_WDIR_H
#define ACP_WDIR_H

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>

struct at;
struct copier;
struct walk;

struct wdir {
	unsigned	 refs;
	char		*src;
	char		*dst;
	const char	*sname;		/* src in the parent's sfd, or src */
	const char	*dname;		/* dst in the parent's dfd, or dst */
	int		 sfd;		/* the source, open for reading */
	int		 dfd;		/* the copy: what its entries go in */
	int		 dfd_path;	/* dfd is O_PATH: metadata by name */
	struct stat	 st;
	dev_t		 ddev;		/* the copy's device and inode */
	ino_t		 dino;
	int		 made;		/* we created it */
	struct wdir	*parent;
};

/*
 * Make or open the copy of the directory src (stat st) at dst, as the
 * policy allows, and make it the walker's current directory (w->cur).
 * *dp gets a stream of its entries, or NULL where they are not to be
 * read (-x at a mount point) or could not be (said, *status set).  The
 * directory, or NULL after a message (refused or failed).
 */
struct wdir *wdir_open(struct walk *, const struct at *src,
	    const struct at *dst, const struct stat *st, int follow, DIR **dp,
	    int *status);

/* Stop reading d's entries (its stream) and hand w->cur back to its parent. */
void	wdir_done(struct walk *, struct wdir *, DIR *dp);

/* Take a reference to d (NULL-safe) for an entry that finishes later. */
struct wdir *wdir_get(struct wdir *);

/* Drop a reference (NULL-safe); the last applies d's metadata. */
void	wdir_put(struct walk *, struct wdir *);

/*
 * How many descriptors the directories being copied may hold: what the
 * limit on open files leaves after the copier's files in flight.
 */
unsigned wdir_budget(const struct copier *);

#endif
