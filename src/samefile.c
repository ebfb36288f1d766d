/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The same-file rules.  What must never happen: truncating the source
 * because the destination is the source (by a hard link, through a
 * symlink on either side), or replacing a file by a symlink to itself.
 * What must keep working: backing up over a link, removing a symlink
 * that points at the source, hard-linking a file to where it already is.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "options.h"
#include "samefile.h"

/* at_same_file(), for stats that may be missing (st_mode 0). */
static int
same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_mode != 0 && b->st_mode != 0 && at_same_file(a, b);
}

int
same_never_follows(const struct options *opts)
{
	if (opts->deref == OPTIONS_DEREF_NEVER)
		return 1;
	return opts->deref == OPTIONS_DEREF_DEFAULT && opts->recursive &&
	    opts->link != OPTIONS_LINK_HARD;
}

/* Both symlinks, not followed: distinct links may replace each other. */
static enum same_verdict
judge_two_links(const struct options *opts, const struct same_facts *f)
{
	if (f->same_name)
		return SAME_REFUSE;
	if (opts->backup != OPTIONS_BACKUP_NONE)
		return SAME_OK;
	/* Two names of one symlink: nothing to copy. */
	return same_inode(&f->src, &f->dst) ? SAME_DONE : SAME_OK;
}

enum same_verdict
same_judge(const struct options *opts, const struct same_facts *f)
{
	const struct stat	*sl, *dl;
	int			 never = same_never_follows(opts);
	int			 hard = opts->link == OPTIONS_LINK_HARD;
	int			 same = same_inode(&f->src, &f->dst), same_link;

	if (same && hard)
		return SAME_DONE;
	if (never) {
		if (S_ISLNK(f->src.st_mode) && S_ISLNK(f->dst.st_mode))
			return judge_two_links(opts, f);
		sl = &f->src;
		dl = &f->dst;
	} else {
		if (!same)
			return SAME_OK;
		sl = &f->slink;
		dl = &f->dlink;
		if (S_ISLNK(sl->st_mode) && S_ISLNK(dl->st_mode) &&
		    opts->remove_destination)
			return SAME_OK;
	}
	same_link = same_inode(sl, dl);
	if (opts->backup != OPTIONS_BACKUP_NONE) {
		/* The backup keeps a copy, unless it would move the source. */
		if (same_link)
			return f->same_name ? SAME_REFUSE : SAME_OK;
		/* Backing up the target of a source symlink dangles it. */
		return !never && S_ISLNK(sl->st_mode) &&
		    !S_ISLNK(dl->st_mode) ? SAME_REFUSE : SAME_OK;
	}
	if (opts->remove_destination) {
		/* Removed first: only the link goes. */
		if (S_ISLNK(dl->st_mode))
			return SAME_OK;
		if (same_link && dl->st_nlink > 1 && !f->same_name)
			return SAME_OK;
	}
	if (!S_ISLNK(sl->st_mode) && !S_ISLNK(dl->st_mode)) {
		if (!same_inode(sl, dl))
			return SAME_OK;
		if (hard)
			return SAME_DONE;
	}
	if (opts->link == OPTIONS_LINK_SYMBOLIC && S_ISLNK(dl->st_mode))
		return SAME_OK;
	if (never) {
		/* A symlink on one side that leads to the other. */
		if (!same_inode(S_ISLNK(sl->st_mode) ? &f->starget : sl,
		    S_ISLNK(dl->st_mode) ? &f->dtarget : dl))
			return SAME_OK;
		if (hard)
			return S_ISLNK(dl->st_mode) ? SAME_OK : SAME_DONE;
	}
	return SAME_REFUSE;
}

/*
 * same_judge() with src and dst two inodes: following links, SAME_OK at
 * once; not following them, SAME_OK but where a symlink on one side may
 * lead to the other (its target, gathered) or both are links (their
 * names, gathered).  tests/unit/samefile.c holds it to same_judge() over
 * every fact same_gather() could bring.
 */
int
same_quick(const struct options *opts, const struct stat *sst,
    const struct stat *dst_st)
{
	if (same_inode(sst, dst_st))
		return 0;
	return !same_never_follows(opts) || (!S_ISLNK(sst->st_mode) &&
	    !S_ISLNK(dst_st->st_mode));
}

/*
 * Stat the directory that holds at's entry.  A bare name (the walker's,
 * a file a time when a tree is copied over) is dirfd's own entry: one
 * call, not an open, a stat and a close.
 */
static int
stat_parent(const struct at *at, struct stat *st)
{
	int	fd, ret;

	if (strchr(at->name, '/') == NULL)
		return fstatat(at->dirfd, "", st, AT_EMPTY_PATH);
	if ((fd = at_parent_open(at->dirfd, at->name)) < 0)
		return -1;
	ret = fstat(fd, st);
	(void)close(fd);
	return ret;
}

static const char *
base_of(const char *name)
{
	const char	*slash = strrchr(name, '/');

	return slash != NULL ? slash + 1 : name;
}

int
same_gather(const struct at *src, const struct stat *sst, const struct at *dst,
    const struct stat *dst_st, struct same_facts *f)
{
	struct stat	sp, dp;

	memset(f, 0, sizeof(*f));
	f->src = *sst;
	f->dst = *dst_st;
	if (fstatat(src->dirfd, src->name, &f->slink, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(dst->dirfd, dst->name, &f->dlink, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (fstatat(src->dirfd, src->name, &f->starget, 0) < 0)
		f->starget.st_mode = 0;
	if (fstatat(dst->dirfd, dst->name, &f->dtarget, 0) < 0)
		f->dtarget.st_mode = 0;
	f->same_name = strcmp(base_of(src->name), base_of(dst->name)) == 0 &&
	    stat_parent(src, &sp) == 0 && stat_parent(dst, &dp) == 0 &&
	    same_inode(&sp, &dp);
	return 0;
}
