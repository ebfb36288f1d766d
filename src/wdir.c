/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Directory lifetime.  Each directory being copied holds a descriptor of
 * its source and of its copy (and one for its stream while it is read)
 * until its last entry is done, so that every entry is reached relative
 * to them: there is no PATH_MAX limit on a tree's depth.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "at.h"
#include "copier.h"
#include "meta.h"
#include "path.h"
#include "policy.h"
#include "walk_int.h"
#include "xmalloc.h"

struct wdir *
wdir_get(struct wdir *d)
{
	if (d != NULL)
		d->refs++;
	return d;
}

/* The last entry is done: d's mode, then its other metadata. */
static int
wdir_meta(struct walk *w, struct wdir *d)
{
	struct at	sat, dat;
	int		status = ACP_EXIT_OK, dfd = d->dfd_path ? -1 : d->dfd;

	sat.dirfd = d->parent != NULL ? d->parent->sfd : AT_FDCWD;
	sat.name = d->sname;
	sat.path = d->src;
	dat.dirfd = d->parent != NULL ? d->parent->dfd : AT_FDCWD;
	dat.name = d->dname;
	dat.path = d->dst;
	if (w->opts->preserve & (META_MODE | META_OWNERSHIP | META_TIMESTAMPS |
	    META_XATTR)) {
		if (meta_copy(d->sfd, &sat, dfd, &dat, &d->st,
		    w->opts->preserve) < 0)
			status = ACP_EXIT_FAIL;
		/* Its own inode changed: --fsync flushes it too. */
		if (w->opts->fsync)
			dirsync_add_dir(&w->ds, xstrdup(d->dst));
	}
	/* Made narrower for us to fill it: now the mode cp's mkdir gives. */
	if (d->made && meta_widen(dfd, &dat, &d->st, w->opts->preserve,
	    copier_umask(w->c)) < 0)
		status = ACP_EXIT_FAIL;
	return status;
}

void
wdir_put(struct walk *w, struct wdir *d)
{
	struct wdir	*parent;

	if (d == NULL || --d->refs > 0)
		return;
	walk_late(w, wdir_meta(w, d));
	if (d->sfd >= 0) {
		(void)close(d->sfd);
		w->dirfds--;
	}
	(void)close(d->dfd);
	w->dirfds--;
	parent = d->parent;
	free(d->src);
	free(d->dst);
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

struct wdir *
wdir_open(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st, int follow, DIR **dp, int *status)
{
	struct stat	 fst;
	struct wdir	*d;
	int		 made = 0, dfd, path_only;

	*dp = NULL;
	switch (policy_settle(w->c, w->opts, POLICY_DIR, walk_fresh(w), st,
	    src, dst, NULL)) {
	case POLICY_NEW:
		/* Writable for us while it fills; its mode is set after. */
		if (mkdirat(dst->dirfd, dst->name,
		    meta_open_mode(st, w->opts->preserve)) < 0) {
			warn("cannot create directory '%s'", dst->path);
			return NULL;
		}
		made = 1;
		walk_verbose(w, src->path, dst->path);
		if (w->opts->fsync)
			dirsync_add(&w->ds, dst->path);
		break;
	case POLICY_IN_PLACE:
		break;
	default:
		return NULL;
	}
	if ((dfd = open_copy(dst, made, w->opts->keep_dir_symlink, &fst,
	    &path_only)) < 0)
		return NULL;

	d = xcalloc(1, sizeof(*d));
	d->refs = 1;
	d->src = xstrdup(src->path);
	d->dst = xstrdup(dst->path);
	d->sname = path_name_in(d->src, src);
	d->dname = path_name_in(d->dst, dst);
	d->sfd = -1;
	d->dfd = dfd;
	d->dfd_path = path_only;
	d->ddev = fst.st_dev;
	d->dino = fst.st_ino;
	d->st = *st;
	d->made = made;
	d->parent = wdir_get(w->cur);
	w->cur = d;
	w->dirfds++;

	/* -x: a mount point is copied, what is mounted on it is not. */
	if (!w->opts->one_fs || st->st_dev == w->topdev) {
		if ((*dp = wdir_read(w, d, src, follow)) == NULL)
			*status = walk_count_failure(w);
	}
	return d;
}

void
wdir_done(struct walk *w, struct wdir *d, DIR *dp)
{
	if (dp != NULL) {
		(void)closedir(dp);
		w->dirfds--;
	}
	/* Its metadata once the last of its entries is done. */
	w->cur = d->parent;
	wdir_put(w, d);
}

unsigned
wdir_budget(const struct copier *c)
{
	struct rlimit	rl;
	rlim_t		used = (rlim_t)copier_max_files(c) * 8 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1U << 16;
	if (rl.rlim_cur < used + 64)
		return 64;
	return rl.rlim_cur - used > (1U << 20) ? 1U << 20 :
	    (unsigned)(rl.rlim_cur - used);
}
