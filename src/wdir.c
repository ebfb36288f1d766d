/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Directory lifetime.  Each directory being copied holds a descriptor of
 * its source and of its copy (and one for its stream while it is read)
 * until its last entry is done, so that every entry is reached relative
 * to them: there is no PATH_MAX limit on a tree's depth.  A tree deeper
 * than the limit on open files allows parks the ancestors of the
 * directory being read: their descriptors are closed (the entries not yet
 * read kept by name) and reopened by name, checked to be the same
 * directories, when the walk comes back to them.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier.h"
#include "fstype.h"
#include "meta.h"
#include "path.h"
#include "policy.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

struct wdir *
wdir_get(struct wdir *d)
{
	if (d != NULL)
		d->refs++;
	return d;
}

/* The last entry is done: the mode of d's copy k, then its other metadata. */
static int
wdir_meta(struct walk *w, struct wdir *d, unsigned k)
{
	struct wcopy	*c = &d->copy[k];
	struct at	 sat, dat;
	struct stat	 now, want = d->st;
	unsigned	 keep = w->opts->preserve;
	int		 status = ACP_EXIT_OK, dfd = c->dfd_path ? -1 : c->dfd;
	int		 known, set;

	sat.dirfd = d->parent != NULL ? d->parent->sfd : AT_FDCWD;
	sat.name = d->sname;
	sat.path = d->src;
	dat.dirfd = d->parent != NULL ? d->parent->copy[k].dfd : AT_FDCWD;
	dat.name = c->dname;
	dat.path = c->dst;
	if (c->made)
		keep |= meta_made_dir(&want, keep, c->made_mode);
	if (w->opts->preserve & (META_MODE | META_OWNERSHIP | META_TIMESTAMPS |
	    META_XATTR)) {
		/*
		 * One there before may have all of it already (a run again
		 * over a copy): then it is left as it is, its ctime too.
		 */
		known = !c->made && fstat(c->dfd, &now) == 0;
		if ((set = meta_copy(d->sfd, &sat, dfd, &dat, &want, keep,
		    known ? &now : NULL)) < 0)
			status = ACP_EXIT_FAIL;
		/* Its own inode changed: --fsync flushes it too. */
		if (w->opts->fsync && set != 0)
			dirsync_add_dir(&w->ds, xstrdup(c->dst));
	}
	/* Made narrower for us to fill it: now the mode cp's mkdir gives. */
	if (c->made && meta_widen(dfd, &dat, &want, keep,
	    copier_umask(w->c)) < 0)
		status = ACP_EXIT_FAIL;
	return status;
}

void
wdir_put(struct walk *w, struct wdir *d)
{
	struct wdir	*parent;

	unsigned	 k;

	if (d == NULL || --d->refs > 0)
		return;
	/* Its parent, parked, is reached again for its name. */
	if (d->parent != NULL && wdir_ready(w, d->parent, 0) < 0)
		walk_late(w, ACP_EXIT_FAIL);
	else
		for (k = 0; k < w->ntargets; k++)
			if (d->copy[k].live)
				walk_late(w, wdir_meta(w, d, k));
	if (d->sfd >= 0) {
		(void)close(d->sfd);
		w->dirfds--;
	}
	for (k = 0; k < w->ntargets; k++) {
		if (d->copy[k].dfd >= 0) {
			(void)close(d->copy[k].dfd);
			w->dirfds--;
		}
		free(d->copy[k].dst);
	}
	while (d->irest < d->nrest)
		free(d->rest[d->irest++]);
	free(d->rest);
	free(d->given);
	parent = d->parent;
	free(d->src);
	free(d);
	wdir_put(w, parent);
}

/*
 * Open d's source, the directory its entries are reached from, and a
 * stream to read them with; NULL after a message.
 */
static DIR *
wdir_read(struct walk *w, struct wdir *d, const struct at *src, int follow)
{
	struct stat	 st;
	DIR		*dp;
	int		 fd;

	if ((d->sfd = openat(src->dirfd, src->name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | (follow ? 0 : O_NOFOLLOW))) < 0) {
		warn("cannot open directory '%s'", src->path);
		return NULL;
	}
	w->dirfds++;
	if (fstat(d->sfd, &st) < 0) {
		warn("cannot stat directory '%s'", src->path);
		return NULL;
	}
	if (!at_same_file(&st, &d->st)) {
		warnx("'%s' was replaced while being copied", src->path);
		return NULL;
	}
	if ((fd = dup(d->sfd)) < 0 || (dp = fdopendir(fd)) == NULL) {
		warn("cannot read directory '%s'", src->path);
		if (fd >= 0)
			(void)close(fd);
		return NULL;
	}
	w->dirfds++;
	return dp;
}

/*
 * Open the copy, made or found, for its entries to go in; the
 * descriptor, or -1 after a message.  *path_only: it is O_PATH.
 */
static int
open_copy(const struct at *dst, int made, int keep_symlink,
    struct stat *st, int *path_only)
{
	int	fd, flags = O_DIRECTORY | O_CLOEXEC;

	if (made || !keep_symlink)
		flags |= O_NOFOLLOW;
	*path_only = 0;
	if ((fd = openat(dst->dirfd, dst->name, flags | O_RDONLY)) < 0 &&
	    errno == EACCES) {
		/* Not ours to read: enough to make entries in. */
		fd = openat(dst->dirfd, dst->name, flags | O_PATH);
		*path_only = 1;
	}
	if (fd < 0 || fstat(fd, st) < 0) {
		warn("cannot open directory '%s'", dst->path);
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	return fd;
}

/*
 * Make or open the copy of src (stat st) at dst in c, as the policy
 * allows; 0, or ACP_EXIT_FAIL after a message.
 */
static int
copy_open(struct walk *w, struct wcopy *c, const struct at *src,
    const struct at *dst, const struct stat *st)
{
	struct stat	fst;

	switch (policy_settle(w->c, w->opts, POLICY_DIR, walk_fresh(w), st,
	    src, dst, w->ahead, NULL)) {
	case POLICY_NEW:
		/* Writable for us while it fills; its mode is set after. */
		if (mkdirat(dst->dirfd, dst->name,
		    meta_open_mode(st, w->opts->preserve)) < 0) {
			warn("cannot create directory '%s'", dst->path);
			return ACP_EXIT_FAIL;
		}
		c->made = 1;
		walk_verbose(w, src->path, dst->path);
		if (w->opts->fsync)
			dirsync_add(&w->ds, dst->path);
		break;
	case POLICY_IN_PLACE:
		break;
	default:
		return ACP_EXIT_FAIL;
	}
	if ((c->dfd = open_copy(dst, c->made, w->opts->keep_dir_symlink, &fst,
	    &c->dfd_path)) < 0)
		return ACP_EXIT_FAIL;
	c->live = 1;
	c->dst = xstrdup(dst->path);
	c->dname = path_name_in(c->dst, dst);
	c->ddev = fst.st_dev;
	c->made_mode = fst.st_mode;
	c->dgid = fst.st_gid;
	c->dino = fst.st_ino;
	c->local = fs_is_local(c->ddev, c->dfd);
	c->modes = fs_keeps_modes(c->ddev, c->dfd);
	/*
	 * Files made in it take its default ACL, which a mode kept (or
	 * --no-preserve=mode) must then remove, and no umask (meta.h's
	 * META_FRESH, dest.c's temporaries); looked at once here, after a
	 * mkdir that may have inherited one too.
	 */
	c->dacl = c->dfd_path || meta_dacl(c->dfd, NULL) != 0;
	w->dirfds++;
	return 0;
}

struct wdir *
wdir_open(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st, int follow, int *status)
{
	struct wdir	*d;
	unsigned	 k, live = 0;

	d = xcalloc(1, sizeof(*d) + w->ntargets * sizeof(d->copy[0]));
	for (k = 0; k < w->ntargets; k++) {
		d->copy[k].dfd = -1;
		if (dst[k].path == NULL)
			continue;
		w->tk = k;
		if (copy_open(w, &d->copy[k], src, &dst[k], st) != 0)
			*status = walk_count_failure_in(w, k);
		else
			live++;
	}
	if (live == 0) {
		free(d);
		return NULL;
	}
	d->refs = 1;
	d->src = xstrdup(src->path);
	d->sname = path_name_in(d->src, src);
	d->sfd = -1;
	d->st = *st;
	d->parent = wdir_get(w->cur);
	w->cur = d;

	/* -x: a mount point is copied, what is mounted on it is not. */
	if (!w->opts->one_fs || st->st_dev == w->topdev) {
		if ((d->dp = wdir_read(w, d, src, follow)) == NULL)
			*status = walk_count_failure(w);
	}
	d->had_sfd = d->sfd >= 0;
	return d;
}

const char *
wdir_next(struct wdir *d, int *err)
{
	struct dirent	*de;

	*err = 0;
	if (d->rest != NULL) {
		/* The name handed out last is the caller's until now. */
		free(d->given);
		d->given = NULL;
		if (d->irest == d->nrest)
			return NULL;
		d->given = d->rest[d->irest++];
		return d->given;
	}
	if (d->dp == NULL)
		return NULL;
	for (;;) {
		errno = 0;
		if ((de = readdir(d->dp)) == NULL) {
			*err = errno;
			return NULL;
		}
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return de->d_name;
	}
}

/*
 * Open the directory below the open one at fd by the names of the parked
 * chain down to d, checking each against what it was: the descriptor, or
 * -1 (errno set; ESTALE for one replaced).  k: the copy's chain in that
 * destination, or WDIR_SOURCE for the source's.
 */
#define WDIR_SOURCE	(-1)

static int
reopen(int fd, struct wdir *top, struct wdir *d, int k)
{
	struct wdir	*chain[64], *c;
	struct wcopy	*cp;
	struct stat	 st;
	unsigned	 n = 0, i;
	int		 at = fd, next, flags = O_DIRECTORY | O_CLOEXEC;

	/* The chain from below top down to d, at most 64 at a time. */
	for (c = d; c != top && n < 64; c = c->parent)
		chain[n++] = c;
	if (c != top) {
		/* Deeper than that: open the middle first. */
		if ((at = reopen(fd, top, c, k)) < 0)
			return -1;
	}
	for (i = n; i-- > 0;) {
		c = chain[i];
		cp = k == WDIR_SOURCE ? NULL : &c->copy[k];
		next = openat(at, cp == NULL ? c->sname : cp->dname, flags |
		    (i > 0 || (cp != NULL && cp->dfd_path) ? O_PATH :
		    O_RDONLY));
		if (at != fd)
			(void)close(at);
		if (next < 0)
			return -1;
		if (fstat(next, &st) < 0 || (cp == NULL ? !at_same_file(&st,
		    &c->st) : st.st_dev != cp->ddev || st.st_ino != cp->dino)) {
			(void)close(next);
			errno = ESTALE;
			return -1;
		}
		at = next;
	}
	return at;
}

int
wdir_ready(struct walk *w, struct wdir *d, int may_wait)
{
	struct wdir	*a;
	unsigned	 k, live = 0, failed = 0;
	int		 fd;

	if (!d->parked)
		return 0;
	/*
	 * In the budget: the copies in flight finished (their directories
	 * closed with them), then others parked.  A directory's metadata,
	 * applied from a copy's completion, cannot wait: it goes past the
	 * budget by two for a moment, into the reserve.
	 */
	if (may_wait && w->dirfds + WDIR_FDS(w) > w->dirfd_budget) {
		copier_wait(w->c, NULL);
		wdir_park(w, WDIR_FDS(w));
	}
	/* The nearest ancestor that is open: the top never parks. */
	for (a = d->parent; a->parked; a = a->parent)
		;
	if (d->had_sfd) {
		if ((d->sfd = reopen(a->sfd, a, d, WDIR_SOURCE)) < 0) {
			warn("cannot open directory '%s' again", d->src);
			return -1;
		}
		w->dirfds++;
	}
	d->parked = 0;
	for (k = 0; k < w->ntargets; k++) {
		if (!d->copy[k].live)
			continue;
		if ((fd = reopen(a->copy[k].dfd, a, d, (int)k)) < 0) {
			/* Not there any more: nothing goes in it. */
			warn("cannot open directory '%s' again",
			    d->copy[k].dst);
			d->copy[k].live = 0;
			w->st.target[k].failed++;
			failed++;
			continue;
		}
		d->copy[k].dfd = fd;
		w->dirfds++;
		live++;
	}
	/* The caller counts the failure that ends the directory. */
	for (; failed > (live == 0); failed--)
		walk_late(w, ACP_EXIT_FAIL);
	return live > 0 ? 0 : -1;
}

/* Keep d's unread entries by name, and close its descriptors. */
static void
park(struct walk *w, struct wdir *d)
{
	const char	*name;
	char		**rest = NULL;
	size_t		 cap = 0, n = 0;
	unsigned	 k;
	int		 err;

	if (d->dp != NULL) {
		/* From the stream: d->rest is not there yet. */
		while ((name = wdir_next(d, &err)) != NULL) {
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				rest = xreallocarray(rest, cap, sizeof(*rest));
			}
			rest[n++] = xstrdup(name);
		}
		d->rest = rest;
		d->nrest = n;
		if (err != 0)
			warnc(err, "cannot read directory '%s'", d->src);
		(void)closedir(d->dp);
		d->dp = NULL;
		w->dirfds--;
	}
	if (d->rest == NULL)
		d->rest = xcalloc(1, sizeof(*d->rest));
	if (d->sfd >= 0) {
		(void)close(d->sfd);
		w->dirfds--;
	}
	d->sfd = -1;
	for (k = 0; k < w->ntargets; k++) {
		if (d->copy[k].dfd >= 0) {
			(void)close(d->copy[k].dfd);
			w->dirfds--;
		}
		d->copy[k].dfd = -1;
	}
	d->parked = 1;
}

void
wdir_park(struct walk *w, unsigned need)
{
	struct wdir	*chain[256], *a;
	unsigned	 n;

	while (w->dirfds + need > w->dirfd_budget) {
		/* The topmost open ancestor of w->cur below the top. */
		n = 0;
		for (a = w->cur != NULL ? w->cur->parent : NULL; a != NULL &&
		    a->parent != NULL && n < 256; a = a->parent)
			if (!a->parked)
				chain[n++] = a;
		if (n == 0)
			return;
		park(w, chain[n - 1]);
	}
}

void
wdir_done(struct walk *w, struct wdir *d)
{
	if (d->dp != NULL) {
		(void)closedir(d->dp);
		d->dp = NULL;
		w->dirfds--;
	}
	/* Its metadata once the last of its entries is done. */
	w->cur = d->parent;
	wdir_put(w, d);
	/* The walk goes on in its parent. */
	if (w->cur != NULL && wdir_ready(w, w->cur, 1) < 0)
		walk_late(w, walk_count_failure(w));
}

unsigned
wdir_budget(const struct copier *c)
{
	struct rlimit	rl;
	rlim_t		used = (rlim_t)copier_max_files(c) *
			    COPIER_FDS_PER_FILE + COPIER_FDS_RESERVED;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1U << 16;
	/* A tiny limit: the top, the directory read, the one opened. */
	if (rl.rlim_cur < used + 9)
		return 9;
	return rl.rlim_cur - used > (1U << 20) ? 1U << 20 :
	    (unsigned)(rl.rlim_cur - used);
}
