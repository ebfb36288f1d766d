/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The walker.  It decides, the copier acts: every refusal (missing source,
 * a directory without -r, a file onto itself, a destination directory that
 * is not there) is settled here or in the policy (policy.c), before
 * anything is opened for writing, so a refused copy never touches the
 * destination.  Errors name the file and the reason, set the status, and
 * the walk goes on with the next source (OpenBSD cp's rval = 1; continue).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "copier.h"
#include "manifest.h"
#include "meta.h"
#include "nonreg.h"
#include "parents.h"
#include "path.h"
#include "policy.h"
#include "walk_int.h"
#include "xmalloc.h"

/* A file job and what the walker needs when it comes back. */
struct wjob {
	struct copy_job	 job;		/* first: the copier hands it back */
	struct walk	*w;
	char		*src;
	char		*dst;
	char		*name;		/* for the manifest */
	char		*through;	/* --atomic: the file a dst symlink names */
	struct wdir	*dir;		/* a reference, or NULL */
	int		 linked;	/* first name of a multiply-linked file */
};

static int	walk_entry(struct walk *, const struct at *src,
		    const struct at *dst, const char *name, int top);

/* The status of a copy the copier reported, and its manifest line. */
static int
file_status(struct walk *w, const struct wjob *wj)
{
	const struct copy_job	*job = &wj->job;
	const struct options	*opts = w->opts;
	int			 status;

	if (opts->fsync && job->created)
		dirsync_add(&w->ds, wj->through != NULL ? wj->through :
		    wj->dst);
	walk_verbose(w, wj->src, wj->dst);
	status = job->meta_failed ? ACP_EXIT_FAIL : ACP_EXIT_OK;
	if (job->changed)
		/* Its hash is of data that was moving: no manifest line. */
		status = status_merge(status, ACP_EXIT_CHANGED);
	else if (job->mismatch)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	else if (job->verify_failed)
		status = status_merge(status, ACP_EXIT_FAIL);
	else if (opts->algo != NULL && w->manifest != NULL)
		manifest_write(w->manifest, opts->algo, job->hex, wj->name,
		    opts->tag);
	return status;
}

/*
 * A copy came back from the copier (in the order it was submitted): print
 * it under -v, record its hard-link name, its manifest line and its
 * status, and let go of its directory.
 */
static void
walk_file_done(struct copy_job *job)
{
	struct wjob	*wj = (struct wjob *)job;
	struct walk	*w = wj->w;
	struct pendlink	*waiting = NULL;
	struct at	 first;

	if (wj->linked)
		waiting = linkmap_settle(&w->links, &job->sst, job->ret == 0);
	if (job->ret < 0)
		w->status = status_merge(w->status, walk_count_failure(w));
	else
		w->status = status_merge(w->status, file_status(w, wj));
	first.dirfd = wj->dir != NULL ? wj->dir->dfd : AT_FDCWD;
	first.name = job->dst_name;
	first.path = wj->dst;
	nonreg_link_waiting(w, &first, waiting, job->ret == 0);
	wdir_put(w, wj->dir);
	free(wj->src);
	free(wj->dst);
	free(wj->name);
	free(wj->through);
	free(wj);
}

/*
 * A second name of a multiply-linked file whose first name was met: link
 * it, as cp -a does; if the first copy is still in flight, when it is
 * done.  A status, or -1 when the first copy failed (copy this one).
 */
static int
walk_second_name(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *sst, int dst_exists)
{
	struct linkent	*first;
	struct pendlink	*pl;

	if ((first = linkmap_find(&w->links, sst)) == NULL)
		return -1;
	if (first->pending != NULL) {
		/* Linked when the first copy is done: no waiting. */
		pl = xcalloc(1, sizeof(*pl));
		pl->src = xstrdup(src->path);
		pl->dst = xstrdup(dst->path);
		pl->dname = path_name_in(pl->dst, dst);
		pl->dst_exists = dst_exists;
		pl->dir = wdir_get(w->cur);
		linkmap_wait(first, pl);
		return ACP_EXIT_OK;
	}
	if (first->failed)
		return -1;
	return nonreg_hardlink_path(w, first->dst, dst, dst_exists, src->path);
}

/* The job that copies src to dst as the policy said (how). */
static struct wjob *
file_job(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *sst, const struct stat *dstst,
    enum policy_act how)
{
	const struct options	*opts = w->opts;
	struct wjob		*wj = xcalloc(1, sizeof(*wj));

	wj->w = w;
	wj->src = xstrdup(src->path);
	wj->dst = xstrdup(dst->path);
	wj->name = xstrdup(name);
	wj->dir = wdir_get(w->cur);
	wj->job.kind = COPY_JOB_COPY;
	wj->job.src = wj->src;
	wj->job.dst = wj->dst;
	wj->job.src_dirfd = src->dirfd;
	wj->job.src_name = path_name_in(wj->src, src);
	wj->job.dst_dirfd = dst->dirfd;
	wj->job.dst_name = path_name_in(wj->dst, dst);
	wj->job.sst = *sst;
	wj->job.dst_how = how == POLICY_RENAME ? COPY_DST_RENAME :
	    how == POLICY_IN_PLACE ? COPY_DST_IN_PLACE : COPY_DST_NEW;
	wj->job.dst_exists = dstst->st_mode != 0;
	wj->job.dst_mode = dstst->st_mode;
	wj->job.dst_uid = dstst->st_uid;
	wj->job.dst_gid = dstst->st_gid;
	wj->job.noclobber = opts->noclobber;
	wj->job.force = opts->force;
	wj->job.through_dangling = opts->posix;
	wj->job.preserve = opts->preserve;
	wj->job.verify = opts->verify;
	wj->job.attr_only = opts->attr_only;
	wj->job.done = walk_file_done;
	return wj;
}

/*
 * --atomic onto an existing dst that is a symlink: the path of the file it
 * leads to (the caller frees it), or NULL when dst is not a symlink.
 */
static char *
atomic_through(const struct at *dst)
{
	struct stat	lst;

	if (fstatat(dst->dirfd, dst->name, &lst, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(lst.st_mode))
		return NULL;
	return realpath(dst->path, NULL);
}

/*
 * Copy a regular file (or a file's contents) whose stat is sst; top: a
 * command-line operand.
 */
static int
walk_file(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *sst, int top)
{
	const struct options	*opts = w->opts;
	struct wjob		*wj;
	struct stat		 dstst;
	enum policy_act		 how;
	int			 links, ret;

	/*
	 * --preserve=links: a file with other names, or (as cp) any file
	 * reached through symlinks followed on purpose, which may be met
	 * again by another name.
	 */
	links = (opts->preserve & META_LINKS) && (sst->st_nlink > 1 ||
	    opts->deref == OPTIONS_DEREF_ALWAYS ||
	    (top && opts->deref == OPTIONS_DEREF_ARGS));
	how = policy_settle(w->c, opts, POLICY_FILE, walk_fresh(w), sst, src,
	    dst, &dstst);
	if (how == POLICY_SKIP && links &&
	    opts->update == OPTIONS_UPDATE_OLDER && opts->link ==
	    OPTIONS_LINK_NONE && !opts->noclobber) {
		/*
		 * cp -au into an existing tree: a name -u keeps still
		 * joins its inode's other names, and stands for the inode
		 * when it is the first met.
		 */
		if ((ret = walk_second_name(w, src, dst, sst, 1)) >= 0)
			return ret;
		linkmap_add(&w->links, sst, dst->path, NULL);
		return ACP_EXIT_OK;
	}
	if (how == POLICY_SKIP)
		return ACP_EXIT_OK;
	if (how == POLICY_REFUSE)
		return ACP_EXIT_FAIL;
	if (opts->link != OPTIONS_LINK_NONE)
		return nonreg_link(w, src, dst, dstst.st_mode != 0);
	if (links && (ret = walk_second_name(w, src, dst, sst,
	    dstst.st_mode != 0)) >= 0)
		return ret;
	wj = file_job(w, src, dst, name, sst, &dstst, how);
	if (how == POLICY_RENAME && dstst.st_mode != 0 &&
	    (wj->through = atomic_through(dst)) != NULL) {
		/*
		 * The file the symlink leads to is replaced and the link
		 * kept, as cp writes through it.
		 */
		wj->job.dst_dirfd = AT_FDCWD;
		wj->job.dst_name = wj->through;
	}
	wj->linked = links;
	if (links)
		linkmap_add(&w->links, sst, dst->path, &wj->job);
	copier_submit(w->c, &wj->job);
	return ACP_EXIT_OK;
}

/*
 * Would copying the directory src (stat st) to dst never end: dst inside
 * src, or src its own ancestor?  0, or ACP_EXIT_FAIL after a message.
 */
static int
dir_loops(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st, int follow)
{
	struct wdir	*a;
	char		*parent;
	int		 into = 0;

	if (w->cur == NULL) {
		/* At the top, by path: a copy into itself. */
		parent = path_parent(dst->path);
		into = path_inside(src->path, parent);
		free(parent);
	}
	/*
	 * Below the top, by inode: the copy being made (reached again
	 * through a symlink under -L, or a bind mount), or a directory
	 * that is its own ancestor, would never end either.
	 */
	for (a = w->cur; a != NULL && !into; a = a->parent) {
		if (a->ddev == st->st_dev && a->dino == st->st_ino)
			into = 1;
		else if (a->st.st_dev == st->st_dev &&
		    a->st.st_ino == st->st_ino) {
			/* Following links, a link did it: cp's words. */
			if (follow)
				warnx("cannot copy cyclic symbolic link '%s'",
				    src->path);
			else
				warnx("'%s': directory loop: it is '%s' again",
				    src->path, a->src);
			return ACP_EXIT_FAIL;
		}
	}
	if (!into)
		return 0;
	warnx("cannot copy a directory, '%s', into itself, '%s'", src->path,
	    dst->path);
	return ACP_EXIT_FAIL;
}

/* Copy every entry of the directory being read, d; a status. */
static int
walk_dir_entries(struct walk *w, struct wdir *d, const struct at *src,
    const struct at *dst, const char *name)
{
	const char	*ent;
	struct at	 csrc, cdst;
	char		*cname;
	int		 status = ACP_EXIT_OK, err;

	while (!copier_stopping(w->c)) {
		if ((ent = wdir_next(d, &err)) == NULL) {
			if (err != 0) {
				warnc(err, "cannot read directory '%s'",
				    src->path);
				status = status_merge(status,
				    walk_count_failure(w));
			}
			break;
		}
		/* Parked while a subdirectory was copied: back to it. */
		if (wdir_ready(w, d, 1) < 0) {
			status = status_merge(status, walk_count_failure(w));
			break;
		}
		csrc.dirfd = d->sfd;
		csrc.name = ent;
		csrc.path = path_join(src->path, ent);
		cdst.dirfd = d->dfd;
		cdst.name = ent;
		cdst.path = path_join(dst->path, ent);
		cname = path_join(name, ent);
		status = status_merge(status, walk_entry(w, &csrc, &cdst,
		    cname, 0));
		free((char *)csrc.path);
		free((char *)cdst.path);
		free(cname);
	}
	return status;
}

static int
walk_dir(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *st, int follow)
{
	struct wdir	*d;
	int		 status = ACP_EXIT_OK;

	if (dir_loops(w, src, dst, st, follow) != 0)
		return walk_count_failure(w);
	/*
	 * Each directory holds a descriptor of its source and its copy
	 * (and of its stream) until its last entry is done; past the
	 * budget, let the copies in flight finish (they borrow them), then
	 * park the ancestors, which the walk does not need until it comes
	 * back to them.
	 */
	if (w->dirfds + 3 > w->dirfd_budget) {
		copier_wait(w->c, NULL);
		wdir_park(w, 3);
	}
	if ((d = wdir_open(w, src, dst, st, follow, &status)) == NULL)
		return walk_count_failure(w);
	if (d->dp != NULL)
		status = status_merge(status, walk_dir_entries(w, d, src, dst,
		    name));
	wdir_done(w, d);
	return status;
}

/* Does this entry's stat follow a symlink (-L, -H, -P, cp's default)? */
static int
walk_follows(const struct options *opts, int top)
{
	switch (opts->deref) {
	case OPTIONS_DEREF_ALWAYS:
		return 1;
	case OPTIONS_DEREF_NEVER:
		return 0;
	case OPTIONS_DEREF_ARGS:
		return top;
	}
	/* cp: without -r, follow; with it, copy links, but -l links targets. */
	return !opts->recursive || opts->link == OPTIONS_LINK_HARD;
}

/* Copy one source entry to one destination path; a status. */
static int
walk_entry(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, int top)
{
	const struct options	*opts = w->opts;
	struct stat		 st;
	int			 follow = walk_follows(opts, top), ret;

	if (fstatat(src->dirfd, src->name, &st,
	    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
		/* A symlink loop under -L is ELOOP here: this entry only. */
		warn("cannot stat '%s'", src->path);
		return walk_count_failure(w);
	}
	if (top)
		w->topdev = st.st_dev;
	if (S_ISDIR(st.st_mode)) {
		if (!opts->recursive) {
			warnx("-r not specified; omitting directory '%s'",
			    src->path);
			return walk_count_failure(w);
		}
		w->st.directories++;
		return walk_dir(w, src, dst, name, &st, follow);
	}
	if (S_ISLNK(st.st_mode))
		ret = nonreg_symlink(w, src, dst, &st);
	else if (opts->recursive && !S_ISREG(st.st_mode) &&
	    !(opts->copy_contents && (S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))))
		ret = nonreg_special(w, src, dst, &st);
	else
		ret = walk_file(w, src, dst, name, &st, top);
	if (ret == ACP_EXIT_FAIL)
		w->st.errors++;
	return ret;
}

/* Wait for every job, then flush directories; the run's status. */
static int
walk_end(struct walk *w, int status, struct walk_stats *ws)
{
	copier_wait(w->c, NULL);
	if (ws != NULL)
		*ws = w->st;
	status = status_merge(status, w->status);
	if (copier_broken(w->c))
		status = status_merge(status, ACP_EXIT_FAIL);
	linkmap_free(&w->links);
	strset_free(&w->once);
	strset_free(&w->parents_made);
	return status_merge(status, dirsync_run(&w->ds));
}

/*
 * Several sources into one directory, as cp guards them: a source file
 * named twice is copied once (unless backups are made); a directory
 * named twice for the same destination under --preserve=links, once;
 * and a destination this run made is never overwritten (save by
 * numbered backups), nor written through when it is a symlink.  The
 * keys: "f DEV INO PARENT-DEV PARENT-INO NAME", "d DEV INO DST" and
 * "m DST".  -1 to go on, else
 * a status (after a message, if a failure).
 */
static int
walk_once(struct walk *w, const char *src, const char *dst)
{
	const struct options	*opts = w->opts;
	struct stat		 st, dst_st, pst;
	const char		*base;
	char			*key, *parent;
	int			 follow = walk_follows(opts, 1), seen;

	if (fstatat(AT_FDCWD, src, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return -1;	/* walk_entry() says why */
	if (S_ISDIR(st.st_mode) && (opts->preserve & META_LINKS)) {
		xasprintf(&key, "d %ju %ju %s", (uintmax_t)st.st_dev,
		    (uintmax_t)st.st_ino, dst);
		if (!strset_add(&w->once, key)) {
			warnx("warning: source directory '%s' specified more "
			    "than once", src);
			return ACP_EXIT_OK;
		}
	} else if (!S_ISDIR(st.st_mode) &&
	    opts->backup == OPTIONS_BACKUP_NONE) {
		/* One directory entry by two names ("a", "./a"), not two
		 * hard links. */
		parent = path_parent(src);
		if (stat(parent, &pst) < 0)
			memset(&pst, 0, sizeof(pst));
		free(parent);
		base = strrchr(src, '/');
		xasprintf(&key, "f %ju %ju %ju %ju %s", (uintmax_t)st.st_dev,
		    (uintmax_t)st.st_ino, (uintmax_t)pst.st_dev,
		    (uintmax_t)pst.st_ino, base != NULL ? base + 1 : src);
		if (!strset_add(&w->once, key)) {
			warnx("warning: source file '%s' specified more than "
			    "once", src);
			return ACP_EXIT_OK;
		}
	}
	xasprintf(&key, "m %s", dst);
	seen = strset_has(&w->once, key);
	free(key);
	if (!seen)
		return -1;
	/* Made by this run: let it be finished before looking. */
	copier_wait(w->c, NULL);
	if (lstat(dst, &dst_st) < 0)
		return -1;
	if (S_ISLNK(dst_st.st_mode) && opts->backup == OPTIONS_BACKUP_NONE) {
		warnx("will not copy '%s' through just-created symlink '%s'",
		    src, dst);
		return walk_count_failure(w);
	}
	if (!S_ISDIR(dst_st.st_mode) &&
	    opts->backup != OPTIONS_BACKUP_NUMBERED &&
	    (stat(dst, &dst_st) < 0 || !S_ISDIR(dst_st.st_mode))) {
		warnx("will not overwrite just-created '%s' with '%s'", dst,
		    src);
		return walk_count_failure(w);
	}
	return -1;
}

/* Copy the source src into the target directory dir; a status. */
static int
walk_into(struct walk *w, const char *dir, const char *operand)
{
	const struct options	*opts = w->opts;
	struct at		 sat, dat;
	const char		*name;
	char			*dst, *src, *made;
	size_t			 len;
	int			 status;

	/*
	 * --strip-trailing-slashes: "link/" names the link, not the
	 * directory it points to.  As in GNU cp, only where sources go
	 * into a directory.
	 */
	src = xstrdup(operand);
	len = strlen(src);
	while (opts->strip_slashes && len > 1 && src[len - 1] == '/')
		src[--len] = '\0';
	if (opts->parents) {
		if ((dst = parents_target(w, dir, src)) == NULL) {
			free(src);
			return ACP_EXIT_FAIL;
		}
		name = dst + strlen(dir) + 1;
	} else {
		dst = path_in_dir(dir, src);
		name = strrchr(dst, '/');
		name = name != NULL ? name + 1 : dst;
	}
	if (!opts->manifest_relative)
		name = dst;
	sat = at_path(src);
	dat = at_path(dst);
	if (!w->several || (status = walk_once(w, src, dst)) < 0) {
		status = walk_entry(w, &sat, &dat, name, 1);
		if (w->several) {
			xasprintf(&made, "m %s", dst);
			(void)strset_add(&w->once, made);
		}
	}
	if (opts->parents)
		status = status_merge(status, parents_meta(w, dir, src));
	free(src);
	free(dst);
	return status;
}

/* SOURCE DEST: copy src to the name dst; a status. */
static int
walk_one(struct walk *w, const char *src, const char *dst)
{
	const struct options	*opts = w->opts;
	struct options		 nobackup;
	struct stat		 st;
	struct at		 sat = at_path(src), dat = at_path(dst);
	char			*name, *bname = NULL;
	int			 status;

	/* "DEST/" names a directory: a file cannot be made there (cp). */
	if (dst[0] != '\0' && dst[strlen(dst) - 1] == '/' &&
	    lstat(dst, &st) < 0 && errno == ENOENT &&
	    stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		warn("cannot create regular file '%s'", dst);
		return walk_count_failure(w);
	}
	/*
	 * cp -bf FILE FILE: the copy goes to FILE's backup name, the way
	 * "make a backup, then copy" reads for one file.
	 */
	if (opts->force && opts->backup != OPTIONS_BACKUP_NONE &&
	    strcmp(src, dst) == 0 && stat(dst, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		dst = bname = policy_backup_name(opts, &dat);
		dat = at_path(dst);
		nobackup = *opts;
		nobackup.backup = OPTIONS_BACKUP_NONE;
		w->opts = &nobackup;
	}
	/* Relative to where the copy went: its own name. */
	name = path_last(dst);
	status = walk_entry(w, &sat, &dat, opts->manifest_relative ? name :
	    dst, 1);
	free(name);
	free(bname);
	w->opts = opts;
	return status;
}

/*
 * The target directory, as cp finds it: -t, else the last operand if it
 * is a directory (*nsrc: the sources before it).  NULL for SOURCE DEST;
 * *status is set when there is no valid target.
 */
static const char *
walk_target(const struct options *opts, int *nsrc, int *status)
{
	*nsrc = opts->noperands;
	*status = ACP_EXIT_OK;
	if (opts->target_dir != NULL) {
		if (path_is_dir(opts->target_dir) <= 0) {
			warn("target directory '%s'", opts->target_dir);
			*status = ACP_EXIT_FAIL;
		}
		return opts->target_dir;
	}
	(*nsrc)--;
	if (opts->no_target_dir)
		return NULL;
	if (path_is_dir(opts->operands[*nsrc]) > 0)
		return opts->operands[*nsrc];
	if (*nsrc > 1) {
		warn("target '%s'", opts->operands[*nsrc]);
		*status = ACP_EXIT_FAIL;
	}
	return NULL;
}

int
walk_run(const struct options *opts, struct copier *c, FILE *manifest,
    struct walk_stats *ws)
{
	struct walk	 w;
	const char	*dir;
	int		 nsrc, i, status;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	w.c = c;
	w.manifest = manifest;
	w.dirfd_budget = wdir_budget(c);

	dir = walk_target(opts, &nsrc, &status);
	if (status != ACP_EXIT_OK)
		return status;
	if (dir == NULL && opts->parents) {
		warnx("with --parents, the destination must be a directory");
		return ACP_EXIT_FAIL;
	}
	if (dir == NULL)
		return walk_end(&w, walk_one(&w, opts->operands[0],
		    opts->operands[1]), ws);
	w.several = nsrc > 1;
	for (i = 0; i < nsrc && !copier_stopping(c); i++)
		status = status_merge(status, walk_into(&w, dir,
		    opts->operands[i]));
	return walk_end(&w, status, ws);
}
