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

/* A directory's copy in one destination. */
struct wcopy {
	int		 live;		/* made or opened: entries go in it */
	char		*dst;
	const char	*dname;		/* dst in the parent's dfd, or dst */
	int		 dfd;		/* what its entries go in */
	int		 dfd_path;	/* dfd is O_PATH: metadata by name */
	dev_t		 ddev;		/* its device and inode */
	ino_t		 dino;
	int		 local;		/* on a local fs (fstype.h) */
	int		 modes;		/* which keeps modes (fstype.h) */
	int		 dacl;		/* may have a default ACL */
	gid_t		 dgid;		/* its group */
	int		 made;		/* we created it */
	mode_t		 made_mode;	/* and its mode then */
};

struct wdir {
	unsigned	 refs;
	char		*src;
	const char	*sname;		/* src in the parent's sfd, or src */
	int		 sfd;		/* the source, open for reading */
	struct stat	 st;
	struct wdir	*parent;
	DIR		*dp;		/* its entries, while read */
	/*
	 * Parked: an ancestor of the directory being read whose descriptors
	 * were closed to stay in the budget (its entries not yet read are
	 * in rest), reopened by name when the walk comes back to it.
	 */
	int		 parked;
	int		 had_sfd;
	char		**rest;
	size_t		 nrest, irest;
	char		*given;		/* the rest's name wdir_next() gave */
	/*
	 * Its copy in each destination (w->ntargets of them); one that
	 * could not be made or opened is not live, and neither are its
	 * entries' there.
	 */
	struct wcopy	 copy[];
};

/* Descriptors a directory holds while read: source, stream, copies. */
#define WDIR_FDS(w)	(2 + (w)->ntargets)

/*
 * Make or open the copies of the directory src (stat st) at each live
 * destination of dst[] (w->ntargets of them; a NULL path is not live), as
 * the policy allows, and make it the walker's current directory (w->cur).
 * A copy refused or failed is said, counted in *status, and not live.
 * d->dp gets a stream of its entries, or NULL where they are not to be
 * read (-x at a mount point) or could not be (said, *status set).  The
 * directory, or NULL when no copy is live.
 */
struct wdir *wdir_open(struct walk *, const struct at *src,
	    const struct at *dst, const struct stat *st, int follow,
	    int *status);

/*
 * The name of d's next entry ("." and ".." skipped), NULL at the end or
 * on an error (*err set to its errno, else 0).  Valid until the next call.
 */
const char *wdir_next(struct wdir *, int *err);

/*
 * Reopen d if it was parked: 0, or -1 after a message.  may_wait: first
 * let the copies in flight finish if the budget is spent (never from a
 * copy's completion).
 */
int	wdir_ready(struct walk *, struct wdir *, int may_wait);

/*
 * Close the descriptors of the current directory's ancestors, from the
 * top down, until need more fit in the budget (the copies in flight must
 * be finished: they borrow them).
 */
void	wdir_park(struct walk *, unsigned need);

/* Stop reading d's entries and hand w->cur back to its parent. */
void	wdir_done(struct walk *, struct wdir *);

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
