/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The walk's state, shared by the walker's modules (walk.c, wdir.c,
 * nonreg.c) and by no one else.
 */
#ifndef ACP_WALK_INT_H
#define ACP_WALK_INT_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>

struct at;
struct filelist;
struct policy_ahead;
struct prestat;
struct prestat_batch;
struct scout;

/* Directories are looked at ahead this deep at most (a batch a level). */
#define WALK_AHEAD_DEPTH	16

#include "dirsync.h"
#include "linkmap.h"
#include "options.h"
#include "quote.h"
#include "runlog.h"
#include "seen.h"
#include "status.h"
#include "strset.h"
#include "walk.h"
#include "wdir.h"

struct walk {
	const struct options	*opts;
	struct copier		*c;
	FILE			*manifest;
	const struct manifest_old *old;		/* its lines from before */
	FILE			*log;		/* --log, or NULL */
	struct dirsync		 ds;		/* --fsync's directories */
	struct linkmap		 links[ACP_MAX_TARGETS]; /* a destination's */
	unsigned		 ntargets;	/* destinations written */
	unsigned		 tk;		/* the one being handled */
	int			 several;	/* sources into a directory */
	struct seen		 once;		/* then: see walk_once() */
	struct strset		 parents_made;	/* --parents: dirs made */
	struct strset		 parents_todo;	/* and to finish: see
						   parents_later() */
	struct filelist		*list;		/* --files-from, or NULL */
	uintmax_t		 list_line;	/* its name being copied */
	struct seen		 listed_dirs;	/* its directories, copied */
	int			 top_dir;	/* the operand was one */
	/*
	 * What the look ahead (prestat.h) found at the name of the entry
	 * being decided, for its own policy_settle() only; or NULL.
	 */
	const struct policy_ahead *ahead;
	const struct policy_ahead *ahead_src;	/* and at its source */
	struct prestat		*pre;		/* the look ahead, or NULL */
	struct prestat_batch	*ahead_batch[WALK_AHEAD_DEPTH];
	unsigned		 ahead_depth;	/* directories walked with it */
	int			 ahead_off;	/* it could not start */
	struct stat		 top_st;	/* the operand's, if top_st_ok */
	int			 top_st_ok;
	char			*parent_path;	/* walk_once()'s last parent */
	struct stat		 parent_st;	/* and its stat */
	dev_t			 topdev;	/* -x: the source's filesystem */
	/*
	 * The scout (scout.h) over the operand being walked (scout_root,
	 * or NULL), once its files are found not cached; the entries
	 * walked in it so far.
	 */
	const struct at		*scout_root;
	struct scout		*scout;
	unsigned long		 walked;
	int			 scout_off;	/* not for this operand */
	struct wdir		*cur;		/* the directory being read */
	unsigned		 dirfds;	/* descriptors the wdirs hold */
	unsigned		 dirfd_budget;	/* before waiting for them */
	int			 status;	/* of what finished late */
	struct walk_stats	 st;
	uid_t			 euid;		/* who copies */
	gid_t			 egid;
};

/* -v: "'src' -> 'dst'" on stdout. */
static inline void
walk_verbose(const struct walk *w, const char *src, const char *dst)
{
	if (w->opts->verbose)
		quote_arrow(stdout, src, dst);
}

/*
 * Is the entry being walked in a directory that this run created (in
 * the destination being handled)?
 */
static inline int
walk_fresh(const struct walk *w)
{
	return w->cur != NULL && w->cur->copy[w->tk].made;
}

/*
 * --log: an entry of kind from src to dst (NULL: none settled) with its
 * status; a failure's words are what was said last.  reason: why it
 * was skipped, or NULL.
 */
static inline void
walk_log(const struct walk *w, const char *kind, const char *status,
    const char *src, const char *dst, const char *reason)
{
	struct logent	e;

	if (w->log == NULL)
		return;
	e = runlog_ent(kind, status, src, dst);
	e.reason = reason;
	e.line = w->list_line;
	runlog_put(w->log, &e);
}

/*
 * An entry of kind that --resume found up to date at dst: logged,
 * counted (bytes: the data not copied), said under -v and --debug (why:
 * what matched; set: what was set again, or NULL).
 */
void	walk_said_uptodate(struct walk *, const char *kind, const char *src,
	    const char *dst, uint64_t bytes, const char *why, const char *set);

/*
 * The regular file of manifest name name was found up to date (and not
 * read) in every destination that did not copy it, the last of those
 * copies' inodes changed at ctime: its line from the manifest an earlier
 * run wrote, if that had one (manifest_carry()) and was written after
 * ctime, written in its turn, after the lines of the files met before it.
 */
void	walk_carry_line(struct walk *, const char *name,
	    const struct timespec *ctime);

/* Count a failed entry whose message was said; ACP_EXIT_FAIL. */
static inline int
walk_count_failure(struct walk *w)
{
	w->st.errors++;
	return ACP_EXIT_FAIL;
}

/* The same, of an entry that failed in destination k alone. */
static inline int
walk_count_failure_in(struct walk *w, unsigned k)
{
	w->st.target[k].failed++;
	return walk_count_failure(w);
}

/*
 * The status of an entry that finished after the walker moved on (a
 * directory's metadata, a waiting hard link): merged into the run's,
 * and a failure counted.
 */
static inline void
walk_late(struct walk *w, int status)
{
	if (status != ACP_EXIT_OK)
		w->st.errors++;
	w->status = status_merge(w->status, status);
}

/* Does this entry's stat follow a symlink (-L, -H, -P, cp's default)? */
int	walk_follows(const struct options *, int top);

/*
 * Copy one source entry to its path in each live destination (dst[],
 * w->ntargets of them; a NULL path is not live); top: a command-line
 * operand.  A status.
 */
/*
 * Copy the entry ent of the directory d being read (src's, copied to
 * dst[]; name: the manifest's), to every live destination; a status.
 */
int	walk_dir_entry(struct walk *, struct wdir *d, const struct at *src,
	    const struct at *dst, const char *name, const char *ent);

/*
 * Walk d's entries with the destination looked at ahead (wahead.c), if
 * walk_ahead_wanted(): d's copy was there before the run, one
 * destination.  A status.
 */
int	walk_ahead_wanted(struct walk *, const struct wdir *d);
int	walk_dir_ahead(struct walk *, struct wdir *d, const struct at *src,
	    const struct at *dst, const char *name);

int	walk_entry(struct walk *, const struct at *src, const struct at *dst,
	    const char *name, int top);

/*
 * The scout (wscout.c) over the operand at w->scout_root: told of each
 * entry walked (and started there, once the files are found cold), and
 * stopped at the operand's end.
 */
void	walk_scout_step(struct walk *);
void	walk_scout_end(struct walk *);

#endif
