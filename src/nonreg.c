/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entries made by name.  Each settles what is at its destination with
 * the policy first (policy.c), so a refused entry touches nothing.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier.h"
#include "meta.h"
#include "nonreg.h"
#include "path.h"
#include "policy.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

/* Clear the way for an entry made by name; a status, or -1 to go on. */
static int
clear(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st)
{
	switch (policy_settle(w->c, w->opts, POLICY_BYNAME, walk_fresh(w), st,
	    src, dst, w->ahead, NULL)) {
	case POLICY_SKIP:
		return ACP_EXIT_OK;
	case POLICY_REFUSE:
		return ACP_EXIT_FAIL;
	default:
		return -1;
	}
}

/* A name was added in dst's directory: --fsync flushes it at the end. */
static void
named(struct walk *w, const struct at *dst)
{
	if (w->opts->fsync)
		dirsync_add(&w->ds, dst->path);
}

/* The metadata of an entry made by name. */
static int
made(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st)
{
	named(w, dst);
	walk_verbose(w, src->path, dst->path);
	return meta_copy(-1, src, -1, dst, st, w->opts->preserve, NULL) < 0 ?
	    ACP_EXIT_FAIL : ACP_EXIT_OK;
}

/* Is dst a name of target's inode already (flags: linkat()'s)? */
static int
linked_already(const struct at *target, const struct at *dst, int flags)
{
	struct stat	tst, dst_st;

	return fstatat(dst->dirfd, dst->name, &dst_st,
	    AT_SYMLINK_NOFOLLOW) == 0 && fstatat(target->dirfd, target->name,
	    &tst, (flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
	    at_same_file(&tst, &dst_st);
}

/*
 * Hard-link dst to target; flags: AT_SYMLINK_FOLLOW, or 0.  A dst that
 * is that link already is left alone (not removed and made again, when
 * a stop in between would lose the name): under --resume it is up to
 * date, else done as cp would do it.
 */
static int
hardlink_at(struct walk *w, const struct at *target, const struct at *dst,
    int dst_exists, const char *src, int flags)
{
	int	there = dst_exists && linked_already(target, dst, flags);

	if (there && w->opts->resume != OPTIONS_RESUME_NONE) {
		walk_said_uptodate(w, "hardlink", src, dst->path, 0,
		    "a hard link to the first name already", NULL);
		return ACP_EXIT_OK;
	}
	if (dst_exists && !there && unlinkat(dst->dirfd, dst->name, 0) < 0) {
		warn("cannot remove '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	if (!there && linkat(target->dirfd, target->name, dst->dirfd,
	    dst->name, flags) < 0) {
		warn("cannot create hard link '%s' to '%s'", dst->path,
		    target->path);
		return ACP_EXIT_FAIL;
	}
	named(w, dst);
	walk_verbose(w, src, dst->path);
	w->st.hardlinks++;
	walk_log(w, "hardlink", "copied", src, dst->path, NULL);
	return ACP_EXIT_OK;
}

/* Read the target of the symbolic link src; NULL after a message. */
static char *
read_target(const struct at *src, const struct stat *st)
{
	char	*target;
	size_t	 size = (size_t)st->st_size + 1;
	ssize_t	 n;

	/* st_size may lie (it is 0 on some filesystems): grow until it fits. */
	if (size < 64)
		size = 64;
	for (;;) {
		target = xmalloc(size);
		if ((n = readlinkat(src->dirfd, src->name, target, size)) < 0) {
			warn("cannot read symbolic link '%s'", src->path);
			free(target);
			return NULL;
		}
		if ((size_t)n < size)
			break;
		free(target);
		size *= 2;
	}
	target[n] = '\0';
	return target;
}

/*
 * --resume: is dst a symbolic link to target already (up to date: its
 * owner and times set again where they differ; *status)?
 */
static int
symlink_uptodate(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st, const char *target, int *status)
{
	struct stat	 dst_st;
	size_t		 len = strlen(target);
	char		*there;
	ssize_t		 n;
	int		 same, set;

	if (w->opts->resume == OPTIONS_RESUME_NONE)
		return 0;
	if (w->ahead != NULL) {
		if (w->ahead->err != 0)
			return 0;
		dst_st = w->ahead->st;
	} else if (fstatat(dst->dirfd, dst->name, &dst_st,
	    AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISLNK(dst_st.st_mode))
		return 0;
	/* One byte more than the target: a longer one does not fit. */
	there = xmalloc(len + 1);
	n = readlinkat(dst->dirfd, dst->name, there, len + 1);
	same = n == (ssize_t)len && memcmp(there, target, len) == 0;
	free(there);
	if (!same)
		return 0;
	if ((set = meta_link_refresh(src, dst, &dst_st, st,
	    w->opts->preserve)) < 0) {
		walk_log(w, "symlink", "failed", src->path, dst->path, NULL);
		*status = ACP_EXIT_FAIL;
		return 1;
	}
	walk_said_uptodate(w, "symlink", src->path, dst->path, 0,
	    "the symbolic link's target is the source's",
	    set ? "owner and times" : NULL);
	*status = ACP_EXIT_OK;
	return 1;
}

int
nonreg_symlink(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st)
{
	char	*target;
	int	 ret;

	if (w->opts->link == OPTIONS_LINK_HARD) {
		/* -l without following: a hard link to the symlink, as cp. */
		if ((ret = clear(w, src, dst, st)) >= 0)
			return ret;
		return hardlink_at(w, src, dst, 0, src->path, 0);
	}
	if ((target = read_target(src, st)) == NULL)
		return ACP_EXIT_FAIL;
	if (symlink_uptodate(w, src, dst, st, target, &ret) ||
	    (ret = clear(w, src, dst, st)) >= 0) {
		free(target);
		return ret;
	}
	ret = symlinkat(target, dst->dirfd, dst->name);
	free(target);
	if (ret < 0) {
		warn("cannot create symbolic link '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	w->st.symlinks++;
	walk_log(w, "symlink", "copied", src->path, dst->path, NULL);
	return made(w, src, dst, st);
}

int
nonreg_special(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st)
{
	mode_t	mode = st->st_mode & 07777;
	int	ret;

	if ((ret = clear(w, src, dst, st)) >= 0)
		return ret;
	/* Not kept: made as a file is, and widened once its owner is set. */
	if (!(w->opts->preserve & META_MODE))
		mode = meta_open_mode(st, w->opts->preserve) & 0777;
	if (S_ISFIFO(st->st_mode))
		ret = mkfifoat(dst->dirfd, dst->name, mode);
	else
		ret = mknodat(dst->dirfd, dst->name, (st->st_mode & S_IFMT) |
		    mode, st->st_rdev);
	if (ret < 0) {
		warn(S_ISFIFO(st->st_mode) ? "cannot create fifo '%s'" :
		    "cannot create special file '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	w->st.specials++;
	walk_log(w, "special", "copied", src->path, dst->path, NULL);
	ret = made(w, src, dst, st);
	if (meta_widen(-1, dst, st, w->opts->preserve,
	    copier_umask(w->c)) < 0)
		ret = ACP_EXIT_FAIL;
	return ret;
}

int
nonreg_hardlink(struct walk *w, const struct at *target, const struct at *dst,
    int dst_exists, const char *src)
{
	return hardlink_at(w, target, dst, dst_exists, src, 0);
}

int
nonreg_hardlink_path(struct walk *w, const char *first, const struct at *dst,
    int dst_exists, const char *src)
{
	struct at	target;
	int		ret;

	if (at_resolve(first, &target.dirfd, &target.name) < 0) {
		warn("cannot create hard link '%s' to '%s'", dst->path, first);
		return ACP_EXIT_FAIL;
	}
	target.path = first;
	ret = nonreg_hardlink(w, &target, dst, dst_exists, src);
	at_release(target.dirfd);
	return ret;
}

/* Is the directory that holds path the current directory? */
static int
in_current_dir(const char *path)
{
	struct stat	 dot, st;
	char		*parent;
	int		 ret;

	if (strchr(path, '/') == NULL)
		return 1;
	parent = path_parent(path);
	ret = stat(".", &dot) == 0 && stat(parent, &st) == 0 &&
	    dot.st_dev == st.st_dev && dot.st_ino == st.st_ino;
	free(parent);
	return ret;
}

int
nonreg_link(struct walk *w, const struct at *src, const struct at *dst,
    int dst_exists)
{
	const struct options	*opts = w->opts;
	int			 force = opts->force || opts->remove_destination;

	/*
	 * -l: what the walk followed to get here is linked (a symlink met
	 * without following is linked itself, by nonreg_symlink()).
	 */
	if (opts->link == OPTIONS_LINK_HARD)
		return hardlink_at(w, src, dst, dst_exists && force, src->path,
		    AT_SYMLINK_FOLLOW);
	if (src->path[0] != '/' && !in_current_dir(dst->path)) {
		warnx("'%s': can make relative symbolic links only in current "
		    "directory", dst->path);
		return ACP_EXIT_FAIL;
	}
	if (dst_exists && force && unlinkat(dst->dirfd, dst->name, 0) < 0) {
		warn("cannot remove '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	if (symlinkat(src->path, dst->dirfd, dst->name) < 0) {
		warn("cannot create symbolic link '%s' to '%s'", dst->path,
		    src->path);
		return ACP_EXIT_FAIL;
	}
	named(w, dst);
	walk_verbose(w, src->path, dst->path);
	w->st.symlinks++;
	walk_log(w, "symlink", "copied", src->path, dst->path, NULL);
	return ACP_EXIT_OK;
}

void
nonreg_link_waiting(struct walk *w, const struct at *first,
    struct pendlink *p, int ok)
{
	struct pendlink	*next;
	struct at	 at;
	int		 status;

	for (; p != NULL; p = next) {
		next = p->next;
		at.dirfd = p->dir != NULL ? p->dir->copy[p->tk].dfd :
		    AT_FDCWD;
		at.name = p->dname;
		at.path = p->dst;
		if (ok)
			status = nonreg_hardlink(w, first, &at, p->dst_exists,
			    p->src);
		else {
			warnx("cannot create hard link '%s' to '%s': its copy "
			    "failed", p->dst, first->path);
			status = ACP_EXIT_FAIL;
		}
		walk_late(w, status);
		wdir_put(w, p->dir);
		free(p->src);
		free(p->dst);
		free(p);
	}
}
