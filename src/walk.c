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
#include "filelist.h"
#include "manifest.h"
#include "meta.h"
#include "nonreg.h"
#include "parents.h"
#include "path.h"
#include "policy.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

/*
 * The jobs of one source file, a job a destination: its manifest line
 * is written once, by the first that succeeds.
 */
struct wgroup {
	unsigned	 refs;
	int		 listed;
	int		 uptodate;	/* --resume skipped it somewhere */
	struct timespec	 ctime;		/* the latest ctime of those copies */
};

/* A file job and what the walker needs when it comes back. */
struct wjob {
	struct copy_job	 job;		/* first: the copier hands it back */
	struct walk	*w;
	unsigned	 tk;		/* its destination */
	struct wgroup	*group;
	char		*src;
	char		*dst;
	char		*name;		/* for the manifest */
	char		*through;	/* --atomic: the file a dst symlink names */
	uintmax_t	 line;		/* of the list it came from, or 0 */
	char		*where;		/* and "list:LINE", or NULL */
	struct wdir	*dir;		/* a reference, or NULL */
	int		 linked;	/* first name of a multiply-linked file */
};


/* The status of a copy the copier reported, and its manifest line. */
static int
file_status(struct walk *w, const struct wjob *wj)
{
	const struct copy_job	*job = &wj->job;
	const struct options	*opts = w->opts;
	char			 note[64];
	int			 status;

	if (opts->fsync && job->created)
		dirsync_add(&w->ds, wj->through != NULL ? wj->through :
		    wj->dst);
	if (job->kept == 0)
		walk_verbose(w, wj->src, wj->dst);
	else if (opts->verbose) {
		/* --resume kept part of what was there. */
		if (job->resumed_at >= job->sst.st_size)
			(void)snprintf(note, sizeof(note), "up to date: equal "
			    "content");
		else
			(void)snprintf(note, sizeof(note), "resumed at %lld",
			    (long long)job->resumed_at);
		quote_arrow_note(stdout, wj->src, wj->dst, note);
	}
	status = job->kept_failed ? ACP_EXIT_FAIL : ACP_EXIT_OK;
	if (job->changed)
		/* Its hash is of data that was moving: no manifest line. */
		status = status_merge(status, ACP_EXIT_CHANGED);
	else if (job->mismatch)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	else if (job->verify_failed)
		status = status_merge(status, ACP_EXIT_FAIL);
	else if (opts->algo != NULL && w->manifest != NULL &&
	    !wj->group->listed) {
		manifest_write(w->manifest, opts->algo, job->hex, wj->name,
		    opts->tag);
		wj->group->listed = 1;
	}
	return status;
}

/* --log: the copy's line. */
static void
file_log(const struct walk *w, const struct wjob *wj)
{
	const struct copy_job	*job = &wj->job;
	struct logent		 e;
	const char		*status = "copied";

	if (w->log == NULL)
		return;
	if (job->changed)
		status = "changed";
	else if (job->ret < 0 || job->mismatch || job->verify_failed ||
	    job->kept_failed)
		status = "failed";
	e = runlog_ent("file", status, wj->src, wj->dst);
	e.bytes = job->bytes;
	e.kept = job->kept;
	e.line = wj->line;
	if (w->opts->algo != NULL && !job->changed && job->ret == 0) {
		e.algo = w->opts->algo->name;
		e.digest = job->hex;
	}
	if (strcmp(status, "copied") != 0) {
		e.error = job->why;
		e.err = job->why_errno;
		/* Nothing said of a copy a signal stopped: the run's end. */
		if (job->why[0] == '\0' && copier_stopping(w->c))
			e.error = "not finished: the run was stopped";
	}
	runlog_put(w->log, &e);
}

/* Directories of files given up on (walk_file_done()). */
static struct wdir	**kept_dirs;
static size_t		  nkept_dirs;

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
	struct target_stats *ts;
	struct at	 first;
	unsigned	 tk = w->tk;

	/* Its destination's, while the walker may be at another. */
	w->tk = wj->tk;
	if (wj->linked)
		waiting = linkmap_settle(&w->links[wj->tk], &job->sst,
		    job->ret == 0);
	ts = &w->st.target[wj->tk];
	if (job->ret < 0) {
		ts->failed++;
		w->status = status_merge(w->status, walk_count_failure(w));
	} else {
		ts->files++;
		ts->bytes += job->bytes;
		w->status = status_merge(w->status, file_status(w, wj));
	}
	file_log(w, wj);
	first.dirfd = wj->dir != NULL ? wj->dir->copy[wj->tk].dfd : AT_FDCWD;
	first.name = job->dst_name;
	first.path = wj->dst;
	nonreg_link_waiting(w, &first, waiting, job->ret == 0);
	w->tk = tk;
	/*
	 * An engine worker may still open a name in its directories: they
	 * stay open (their numbers not reused), and reachable, until the
	 * process ends.
	 */
	if (job->lost && wj->dir != NULL) {
		kept_dirs = xreallocarray(kept_dirs, nkept_dirs + 1,
		    sizeof(*kept_dirs));
		kept_dirs[nkept_dirs++] = wj->dir;
	} else
		wdir_put(w, wj->dir);
	if (--wj->group->refs == 0)
		free(wj->group);
	free(wj->src);
	free(wj->dst);
	free(wj->name);
	free(wj->through);
	free(wj->where);
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

	if ((first = linkmap_find(&w->links[w->tk], sst)) == NULL)
		return -1;
	if (first->pending != NULL) {
		/* Linked when the first copy is done: no waiting. */
		pl = xcalloc(1, sizeof(*pl));
		pl->src = xstrdup(src->path);
		pl->dst = xstrdup(dst->path);
		pl->dname = path_name_in(pl->dst, dst);
		pl->dst_exists = dst_exists;
		pl->dir = wdir_get(w->cur);
		pl->tk = w->tk;
		linkmap_wait(first, pl);
		return ACP_EXIT_OK;
	}
	if (first->failed)
		return -1;
	return nonreg_hardlink_path(w, first->dst, dst, dst_exists, src->path);
}

/*
 * --resume found dst (of stat dstst) whole: its size and time are the
 * source's.  Its owner and mode are set again where they differ.
 */
static int
walk_uptodate(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *sst, const struct stat *dstst)
{
	int	set;

	if ((set = meta_refresh(src, dst, dstst, sst, w->opts->preserve)) < 0) {
		walk_log(w, "file", "failed", src->path, dst->path, NULL);
		return ACP_EXIT_FAIL;
	}
	walk_said_uptodate(w, "file", src->path, dst->path,
	    (uint64_t)sst->st_size, "the size and modification time are "
	    "the source's", set ? "owner and mode" : NULL);
	return ACP_EXIT_OK;
}

/* The job that copies src to dst as the policy said (how). */
static struct wjob *
file_job(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *sst, const struct stat *dstst,
    enum policy_act how, struct wgroup *group)
{
	const struct options	*opts = w->opts;
	const struct wcopy	*in;
	struct wjob		*wj = xcalloc(1, sizeof(*wj));

	wj->w = w;
	wj->tk = w->tk;
	wj->group = group;
	group->refs++;
	wj->src = xstrdup(src->path);
	wj->dst = xstrdup(dst->path);
	wj->name = xstrdup(name);
	wj->line = w->list_line;
	if (say_here() != NULL)
		wj->job.where = wj->where = xstrdup(say_here());
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
	/* What the walker knows of the directory dst is made in. */
	in = w->cur != NULL && w->cur->copy[w->tk].live &&
	    w->cur->copy[w->tk].dfd == dst->dirfd ? &w->cur->copy[w->tk] : NULL;
	wj->job.dst_local = in != NULL && in->local;
	wj->job.dst_no_dacl = in != NULL && !in->dacl;
	wj->job.dst_modes = in != NULL && in->modes;
	wj->job.dst_owned = wj->job.dst_local && sst->st_uid == w->euid &&
	    sst->st_gid == w->egid && in->dgid == w->egid;
	wj->job.dst_mode = dstst->st_mode;
	wj->job.dst_uid = dstst->st_uid;
	wj->job.dst_gid = dstst->st_gid;
	wj->job.noclobber = opts->noclobber;
	wj->job.force = opts->force;
	wj->job.through_dangling = opts->posix;
	wj->job.preserve = opts->preserve;
	wj->job.verify = opts->verify;
	wj->job.attr_only = opts->attr_only;
	wj->job.resume = opts->resume != OPTIONS_RESUME_NONE;
	wj->job.trust = opts->resume == OPTIONS_RESUME_QUICK;
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
 * Copy a regular file (or a file's contents) whose stat is sst to the
 * destination being handled (w->tk), as one of group; top: a
 * command-line operand.  The copy job, if one is to be made, goes to
 * *job for the caller to submit.
 */
static int
walk_file_to(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *sst, int top, struct wgroup *group,
    struct copy_job **job)
{
	const struct options	*opts = w->opts;
	struct policy_result	 pr;
	struct wjob		*wj;
	enum policy_act		 how;
	int			 links, joins, ret, kept;

	/*
	 * --preserve=links: a file with other names, or (as cp) any file
	 * reached through symlinks followed on purpose, which may be met
	 * again by another name.
	 */
	links = (opts->preserve & META_LINKS) && (sst->st_nlink > 1 ||
	    opts->deref == OPTIONS_DEREF_ALWAYS ||
	    (top && opts->deref == OPTIONS_DEREF_ARGS));
	how = policy_settle(w->c, opts, POLICY_FILE, walk_fresh(w), sst, src,
	    dst, w->ahead, &pr);
	/*
	 * cp -au into an existing tree: a name -u keeps still joins its
	 * inode's other names (left alone where it is one of them), and
	 * stands for the inode when it is the first met (so too what
	 * --resume finds up to date).
	 */
	joins = how == POLICY_SKIP && links && (pr.uptodate ||
	    (opts->update == OPTIONS_UPDATE_OLDER && opts->link ==
	    OPTIONS_LINK_NONE && !opts->noclobber));
	if (joins && (ret = walk_second_name(w, src, dst, sst, 1)) >= 0)
		return ret;
	kept = ACP_EXIT_OK;
	if (how == POLICY_SKIP && pr.uptodate) {
		kept = walk_uptodate(w, src, dst, sst, &pr.dst);
		group->uptodate |= kept == ACP_EXIT_OK;
		if (at_time_cmp(&pr.dst.st_ctim, &group->ctime) > 0)
			group->ctime = pr.dst.st_ctim;
	} else if (how == POLICY_SKIP)
		walk_log(w, "file", "skipped", src->path, dst->path,
		    "not replaced");
	if (joins)
		linkmap_add(&w->links[w->tk], sst, dst->path, NULL);
	if (how == POLICY_SKIP)
		return kept;
	if (how == POLICY_REFUSE) {
		walk_log(w, "file", "failed", src->path, dst->path, NULL);
		return ACP_EXIT_FAIL;
	}
	if (opts->link != OPTIONS_LINK_NONE) {
		say_forget();
		if ((ret = nonreg_link(w, src, dst, pr.dst.st_mode != 0)) ==
		    ACP_EXIT_FAIL)
			walk_log(w, "file", "failed", src->path, dst->path,
			    NULL);
		return ret;
	}
	if (links && (ret = walk_second_name(w, src, dst, sst,
	    pr.dst.st_mode != 0)) >= 0)
		return ret;
	wj = file_job(w, src, dst, name, sst, &pr.dst, how, group);
	wj->job.compare = pr.resume;
	if (how == POLICY_RENAME && pr.dst.st_mode != 0 &&
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
		linkmap_add(&w->links[w->tk], sst, dst->path, &wj->job);
	*job = &wj->job;
	return ACP_EXIT_OK;
}

/* Copy a regular file (or a file's contents) to each live destination. */
static int
walk_file(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *sst, int top)
{
	struct wgroup	*group = xcalloc(1, sizeof(*group));
	struct copy_job	*jobs[ACP_MAX_TARGETS];
	unsigned	 k, n = 0;
	int		 status = ACP_EXIT_OK, ret;

	/* Held while its jobs are made: one may be reported at once. */
	group->refs = 1;
	for (k = 0; k < w->ntargets; k++) {
		if (dst[k].path == NULL)
			continue;
		w->tk = k;
		jobs[n] = NULL;
		ret = walk_file_to(w, src, &dst[k], name, sst, top, group,
		    &jobs[n]);
		if (jobs[n] != NULL)
			n++;
		if (ret == ACP_EXIT_FAIL)
			(void)walk_count_failure_in(w, k);
		status = status_merge(status, ret);
	}
	/* Read once for all of them where the copier can. */
	if (n > 0)
		copier_submit_group(w->c, jobs, n);
	else if (group->uptodate && w->manifest != NULL)
		walk_carry_line(w, name, &group->ctime);
	if (--group->refs == 0)
		free(group);
	return status;
}

/*
 * Would copying the directory src (stat st) never end: src its own
 * ancestor (ACP_EXIT_FAIL after a message), or a copy inside src (that
 * destination's path in live[] is set to NULL after a message, its
 * failure counted)?  0 to go on with live[].
 */
static int
dir_loops(struct walk *w, const struct at *src, struct at *live,
    const struct stat *st, int follow)
{
	struct wdir	*a;
	char		*parent;
	unsigned	 k;
	int		 into;

	/* A directory that is its own ancestor: for every destination. */
	for (a = w->cur; a != NULL; a = a->parent) {
		if (a->st.st_dev != st->st_dev || a->st.st_ino != st->st_ino)
			continue;
		/* Following links, a link did it: cp's words. */
		if (follow)
			warnx("cannot copy cyclic symbolic link '%s'",
			    src->path);
		else
			warnx("'%s': directory loop: it is '%s' again",
			    src->path, a->src);
		return ACP_EXIT_FAIL;
	}
	for (k = 0; k < w->ntargets; k++) {
		if (live[k].path == NULL)
			continue;
		into = 0;
		if (w->cur == NULL) {
			/* At the top, by path: a copy into itself. */
			parent = path_parent(live[k].path);
			into = path_inside(src->path, parent);
			free(parent);
		}
		/*
		 * Below the top, by inode: the copy being made (reached
		 * again through a symlink under -L, or a bind mount) would
		 * never end either.
		 */
		for (a = w->cur; a != NULL && !into; a = a->parent)
			into = a->copy[k].live && a->copy[k].ddev ==
			    st->st_dev && a->copy[k].dino == st->st_ino;
		if (!into)
			continue;
		warnx("cannot copy a directory, '%s', into itself, '%s'",
		    src->path, live[k].path);
		/* The other destinations go on; the run has failed. */
		w->status = status_merge(w->status,
		    walk_count_failure_in(w, k));
		live[k].path = NULL;
	}
	return 0;
}

int
walk_dir_entry(struct walk *w, struct wdir *d, const struct at *src,
    const struct at *dst, const char *name, const char *ent)
{
	struct at	 csrc, cdst[ACP_MAX_TARGETS];
	char		*cname;
	unsigned	 k;
	int		 status;

	csrc.dirfd = d->sfd;
	csrc.name = ent;
	csrc.path = path_join(src->path, ent);
	for (k = 0; k < w->ntargets; k++) {
		cdst[k].dirfd = d->copy[k].dfd;
		cdst[k].name = ent;
		cdst[k].path = d->copy[k].live ? path_join(dst[k].path, ent) :
		    NULL;
	}
	cname = path_join(name, ent);
	walk_scout_step(w);
	status = walk_entry(w, &csrc, cdst, cname, 0);
	free((char *)csrc.path);
	for (k = 0; k < w->ntargets; k++)
		free((char *)cdst[k].path);
	free(cname);
	return status;
}

/* Copy every entry of the directory being read, d; a status. */
static int
walk_dir_entries(struct walk *w, struct wdir *d, const struct at *src,
    const struct at *dst, const char *name)
{
	const char	*ent;
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
		status = status_merge(status, walk_dir_entry(w, d, src, dst,
		    name, ent));
	}
	return status;
}

/* --log: the directory's line for each destination, made or not. */
static void
dir_log(const struct walk *w, const struct at *src, const struct at *live,
    const struct wdir *d)
{
	unsigned	k;

	for (k = 0; k < w->ntargets && w->log != NULL; k++)
		if (live[k].path != NULL)
			walk_log(w, "directory", d != NULL &&
			    d->copy[k].live ? "copied" : "failed", src->path,
			    live[k].path, NULL);
}

/*
 * Copy the directory src (stat st); ahead: what a look ahead found at
 * dst, for its own decision, or NULL.
 */
static int
walk_dir(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *st, int follow,
    const struct policy_ahead *ahead)
{
	struct wdir	*d;
	struct at	*live;
	int		 status = ACP_EXIT_OK;

	live = xcalloc(w->ntargets, sizeof(*live));
	memcpy(live, dst, w->ntargets * sizeof(*live));
	if (dir_loops(w, src, live, st, follow) != 0) {
		walk_log(w, "directory", "failed", src->path, NULL, NULL);
		free(live);
		return walk_count_failure(w);
	}
	/*
	 * Each directory holds a descriptor of its source and its copies
	 * (and of its stream) until its last entry is done; past the
	 * budget, let the copies in flight finish (they borrow them), then
	 * park the ancestors, which the walk does not need until it comes
	 * back to them.
	 */
	if (w->dirfds + WDIR_FDS(w) > w->dirfd_budget) {
		copier_wait(w->c, NULL);
		wdir_park(w, WDIR_FDS(w));
	}
	say_forget();
	w->ahead = ahead;
	d = wdir_open(w, src, live, st, follow, &status);
	w->ahead = NULL;
	dir_log(w, src, live, d);
	if (d != NULL) {
		if (d->dp != NULL && walk_ahead_wanted(w, d))
			status = status_merge(status, walk_dir_ahead(w, d,
			    src, live, name));
		else if (d->dp != NULL)
			status = status_merge(status, walk_dir_entries(w, d,
			    src, live, name));
		wdir_done(w, d);
	} else
		status = status_merge(status, ACP_EXIT_FAIL);
	free(live);
	return status;
}

int
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

int
walk_entry(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, int top)
{
	const struct options	*opts = w->opts;
	const struct policy_ahead *ahead = w->ahead, *asrc = w->ahead_src;
	struct stat		 st;
	unsigned		 k;
	int			 follow = walk_follows(opts, top), ret;
	int			 status = ACP_EXIT_OK;

	/* For this entry's own decision, not for those below it. */
	w->ahead = w->ahead_src = NULL;

	if (top && w->top_st_ok)
		st = w->top_st;		/* walk_once() looked already */
	else if (!top && asrc != NULL && asrc->err == 0)
		st = asrc->st;		/* the look ahead did */
	else if (fstatat(src->dirfd, src->name, &st,
	    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
		/* A symlink loop under -L is ELOOP here: this entry only. */
		warn("cannot stat '%s'", src->path);
		walk_log(w, "unknown", "failed", src->path, NULL, NULL);
		return walk_count_failure(w);
	}
	if (top)
		w->topdev = st.st_dev;
	if (S_ISDIR(st.st_mode)) {
		if (!opts->recursive) {
			warnx("-r not specified; omitting directory '%s'",
			    src->path);
			walk_log(w, "directory", "failed", src->path, NULL,
			    NULL);
			return walk_count_failure(w);
		}
		w->st.directories++;
		w->top_dir |= top;
		return walk_dir(w, src, dst, name, &st, follow, ahead);
	}
	w->ahead = ahead;
	if (!S_ISLNK(st.st_mode) && (!opts->recursive || S_ISREG(st.st_mode) ||
	    (opts->copy_contents && (S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))))) {
		ret = walk_file(w, src, dst, name, &st, top);
		w->ahead = NULL;
		return ret;
	}
	for (k = 0; k < w->ntargets; k++) {
		if (dst[k].path == NULL)
			continue;
		w->tk = k;
		say_forget();
		if (S_ISLNK(st.st_mode))
			ret = nonreg_symlink(w, src, &dst[k], &st);
		else
			ret = nonreg_special(w, src, &dst[k], &st);
		if (ret == ACP_EXIT_FAIL) {
			walk_log(w, S_ISLNK(st.st_mode) ? "symlink" :
			    "special", "failed", src->path, dst[k].path, NULL);
			(void)walk_count_failure_in(w, k);
		}
		status = status_merge(status, ret);
	}
	w->ahead = NULL;
	return status;
}
