/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The operands: each destination as cp finds it (a directory the sources
 * go in, or the name of the one copy), cp's guards for several sources
 * into a directory, and each source operand to every destination.  The
 * tree below an operand is walk.c's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier.h"
#include "filelist.h"
#include "meta.h"
#include "parents.h"
#include "path.h"
#include "policy.h"
#include "prestat.h"
#include "say.h"
#include "seen.h"
#include "walk_int.h"
#include "xmalloc.h"

/* Wait for every job, then flush directories; the run's status. */
static int
walk_end(struct walk *w, int status, struct walk_stats *ws)
{
	unsigned	k;

	copier_wait(w->c, NULL);
	if (ws != NULL)
		*ws = w->st;
	status = status_merge(status, w->status);
	if (copier_broken(w->c))
		status = status_merge(status, ACP_EXIT_FAIL);
	for (k = 0; k < ACP_MAX_TARGETS; k++)
		linkmap_free(&w->links[k]);
	seen_free(&w->once);
	seen_free(&w->listed_dirs);
	free(w->parent_path);
	if (w->pre != NULL) {
		prestat_stop(w->pre);
		free(w->pre);
	}
	for (k = 0; k < WALK_AHEAD_DEPTH; k++)
		free(w->ahead_batch[k]);
	strset_free(&w->parents_made);
	strset_free(&w->parents_todo);
	return status_merge(status, dirsync_run(&w->ds));
}

/* The fingerprint of a path: "DIR/./a" (--parents, "./a") is "DIR/a". */
static uint64_t
path_key(const char *path)
{
	char		*tidy = path_tidy(path);
	uint64_t	 key = seen_hash(tidy, strlen(tidy));

	free(tidy);
	return key;
}

/*
 * The stat of src's parent directory, for walk_once(); taken over from
 * the last source's when it has the same one, as the names of a list
 * mostly do.  Takes parent.
 */
static void
parent_stat(struct walk *w, char *parent, struct stat *pst)
{
	if (w->parent_path != NULL && strcmp(parent, w->parent_path) == 0) {
		*pst = w->parent_st;
		free(parent);
		return;
	}
	if (stat(parent, &w->parent_st) < 0)
		memset(&w->parent_st, 0, sizeof(w->parent_st));
	free(w->parent_path);
	w->parent_path = parent;
	*pst = w->parent_st;
}

/*
 * Several sources into one directory, as cp guards them: a source file
 * named twice is copied once (unless backups are made); a directory
 * named twice for the same destination under --preserve=links, once;
 * and a destination this run made is never overwritten (save by
 * numbered backups), nor written through when it is a symlink.  Each
 * destination made is remembered by its name's fingerprint (*key) with
 * a tag for its source (*tag): a file's (dev, ino, parent's dev and ino,
 * name), so that "a" and "./a" are one, not two hard links; a
 * directory's (dev, ino); none (0) where naming it twice is no mistake.
 * *warned: the warning of a source named twice was given (for another
 * destination).  -1 to go on, else a status (after a message, if a
 * failure).
 */
static int
walk_once(struct walk *w, const char *src, const char *dst, int *warned,
    uint64_t *key, uint64_t *tag)
{
	const struct options	*opts = w->opts;
	struct stat		 st, dst_st, pst;
	const char		*base;
	char			*id, *parent;
	uint64_t		 had;
	int			 follow = walk_follows(opts, 1);

	*key = path_key(dst);
	*tag = 0;
	/* Looked at once for every destination, and by walk_entry(). */
	if (!w->top_st_ok && fstatat(AT_FDCWD, src, &w->top_st,
	    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return -1;	/* walk_entry() says why */
	w->top_st_ok = 1;
	st = w->top_st;
	if (S_ISDIR(st.st_mode) && (opts->preserve & META_LINKS)) {
		xasprintf(&id, "d %ju %ju", (uintmax_t)st.st_dev,
		    (uintmax_t)st.st_ino);
		*tag = seen_hash(id, strlen(id)) | 1;
		free(id);
	} else if (!S_ISDIR(st.st_mode) &&
	    opts->backup == OPTIONS_BACKUP_NONE) {
		parent = path_parent(src);
		parent_stat(w, parent, &pst);
		base = strrchr(src, '/');
		xasprintf(&id, "f %ju %ju %ju %ju %s", (uintmax_t)st.st_dev,
		    (uintmax_t)st.st_ino, (uintmax_t)pst.st_dev,
		    (uintmax_t)pst.st_ino, base != NULL ? base + 1 : src);
		*tag = seen_hash(id, strlen(id)) | 1;
		free(id);
	}
	if (!seen_find(&w->once, *key, &had))
		return -1;
	if (*tag != 0 && had == *tag) {
		if (!(*warned)++)
			warnx("warning: source %s '%s' specified more than "
			    "once", S_ISDIR(st.st_mode) ? "directory" : "file",
			    src);
		walk_log(w, S_ISDIR(st.st_mode) ? "directory" : "file",
		    "skipped", src, dst, "named twice");
		return ACP_EXIT_OK;
	}
	/* Made by this run: let it be finished before looking. */
	copier_wait(w->c, NULL);
	if (lstat(dst, &dst_st) < 0)
		return -1;
	if (S_ISLNK(dst_st.st_mode) && opts->backup == OPTIONS_BACKUP_NONE) {
		warnx("will not copy '%s' through just-created symlink '%s'",
		    src, dst);
		walk_log(w, "unknown", "failed", src, dst, NULL);
		return walk_count_failure(w);
	}
	if (!S_ISDIR(dst_st.st_mode) &&
	    opts->backup != OPTIONS_BACKUP_NUMBERED &&
	    (stat(dst, &dst_st) < 0 || !S_ISDIR(dst_st.st_mode))) {
		warnx("will not overwrite just-created '%s' with '%s'", dst,
		    src);
		walk_log(w, "unknown", "failed", src, dst, NULL);
		return walk_count_failure(w);
	}
	return -1;
}

/* A destination, as cp finds it: a directory, or the name of the copy. */
struct wtarget {
	const char	*path;
	int		 into;		/* a directory the sources go in */
};

/*
 * The path of src's copy in the directory dir; the caller frees it.  NULL
 * after a message (--parents could not make the way).
 */
static char *
walk_into_path(struct walk *w, const char *dir, const char *src)
{
	if (w->opts->parents)
		return parents_target(w, dir, src);
	return path_in_dir(dir, src);
}

/*
 * SOURCE DEST: may src be copied to the name dst?  0, or ACP_EXIT_FAIL
 * after a message.
 */
static int
walk_name_ok(const char *src, const char *dst)
{
	struct stat	st;

	/* "DEST/" names a directory: a file cannot be made there (cp). */
	if (dst[0] != '\0' && dst[strlen(dst) - 1] == '/' &&
	    lstat(dst, &st) < 0 && errno == ENOENT &&
	    stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		warn("cannot create regular file '%s'", dst);
		return ACP_EXIT_FAIL;
	}
	return 0;
}

/*
 * The name a manifest gives the copy dst made in t: dst, or with
 * --manifest-relative its path below t's directory (its own name for
 * SOURCE DEST).  *made: what the caller frees, if anything.
 */
static const char *
walk_name(const struct walk *w, const struct wtarget *t, const char *dst,
    char **made)
{
	const char	*name;

	if (!w->opts->manifest_relative)
		return dst;
	if (!t->into)
		return *made = path_last(dst);
	if (w->opts->parents)
		return dst + strlen(t->path) + 1;
	name = strrchr(dst, '/');
	return name != NULL ? name + 1 : dst;
}

/* Copy the source operand to every destination in t[]; a status. */
static int
walk_operand(struct walk *w, const struct wtarget *t, const char *operand)
{
	const struct options	*opts = w->opts;
	struct options		 nobackup;
	struct at		 sat, dat[ACP_MAX_TARGETS];
	struct stat		 st;
	const char		*name = NULL;
	char			*src, *made, *mname = NULL;
	char			*dsts[ACP_MAX_TARGETS];
	uint64_t		 keys[ACP_MAX_TARGETS], tags[ACP_MAX_TARGETS];
	size_t			 len;
	unsigned		 k;
	int			 status = ACP_EXIT_OK, ret, warned = 0;

	/*
	 * --strip-trailing-slashes: "link/" names the link, not the
	 * directory it points to.  As in GNU cp, only where sources go
	 * into a directory.
	 */
	src = xstrdup(operand);
	len = strlen(src);
	w->top_st_ok = 0;
	while (opts->strip_slashes && t[0].into && len > 1 &&
	    src[len - 1] == '/')
		src[--len] = '\0';
	sat = at_path(src);
	for (k = 0; k < w->ntargets; k++) {
		w->tk = k;
		dsts[k] = NULL;
		dat[k].path = NULL;
		if (t[k].into)
			dsts[k] = walk_into_path(w, t[k].path, src);
		else if ((ret = walk_name_ok(src, t[k].path)) == 0)
			dsts[k] = xstrdup(t[k].path);
		else {
			walk_log(w, "file", "failed", src, t[k].path, NULL);
			status = status_merge(status, walk_count_failure(w));
		}
		if (dsts[k] == NULL) {
			if (t[k].into && opts->parents)
				status = status_merge(status, ACP_EXIT_FAIL);
			continue;
		}
		if (w->several && (ret = walk_once(w, src, dsts[k],
		    &warned, &keys[k], &tags[k])) >= 0) {
			status = status_merge(status, ret);
			continue;
		}
		dat[k] = at_path(dsts[k]);
		/* The manifest's name: relative to where the copy went. */
		if (name == NULL)
			name = walk_name(w, &t[k], dsts[k], &mname);
	}
	/*
	 * cp -bf FILE FILE: the copy goes to FILE's backup name, the way
	 * "make a backup, then copy" reads for one file (one destination).
	 */
	if (w->ntargets == 1 && dat[0].path != NULL && !t[0].into &&
	    opts->force && opts->backup != OPTIONS_BACKUP_NONE &&
	    strcmp(src, dsts[0]) == 0 && stat(dsts[0], &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		made = policy_backup_name(opts, &dat[0]);
		free(dsts[0]);
		dsts[0] = made;
		dat[0] = at_path(made);
		free(mname);
		name = walk_name(w, &t[0], made, &mname);
		nobackup = *opts;
		nobackup.backup = OPTIONS_BACKUP_NONE;
		w->opts = &nobackup;
	}
	if (name != NULL) {
		w->scout_root = &sat;
		status = status_merge(status, walk_entry(w, &sat, dat, name,
		    1));
		walk_scout_end(w);
	}
	w->top_st_ok = 0;
	w->opts = opts;
	for (k = 0; k < w->ntargets; k++) {
		if (w->several && dat[k].path != NULL)
			seen_add(&w->once, keys[k], tags[k]);
		if (opts->parents && t[k].into) {
			w->tk = k;
			if (w->list != NULL)
				parents_later(w, src);
			else
				status = status_merge(status, parents_meta(w,
				    t[k].path, src));
		}
		free(dsts[k]);
	}
	free(mname);
	free(src);
	return status;
}

/*
 * Where a destination goes, as cp finds it: a directory (-t, -t's
 * companions, a directory named last), or with one source the name of
 * the copy.  0, or ACP_EXIT_FAIL after a message.
 */
static int
walk_target(const struct options *opts, const char *path, int nsrc,
    struct wtarget *t)
{
	t->path = path;
	t->into = 0;
	if (opts->target_dir != NULL) {
		if (path_is_dir(path) <= 0) {
			warn("target directory '%s'", path);
			return ACP_EXIT_FAIL;
		}
		t->into = 1;
		return 0;
	}
	if (opts->no_target_dir)
		return 0;
	if (path_is_dir(path) > 0)
		t->into = 1;
	else if (nsrc > 1) {
		warn("target '%s'", path);
		return ACP_EXIT_FAIL;
	}
	return 0;
}

/*
 * Where t's copies land: the directory it is, or the file it names (an
 * existing one followed, as its copy would be), or a new name in its
 * parent.  *name is the new name, freed by the caller, or NULL.  0, or
 * -1 when nothing there can be looked at (the copy will say why).
 */
static int
target_place(const struct wtarget *t, struct stat *st, char **name)
{
	char	*dir;
	int	 ret;

	*name = NULL;
	if (stat(t->path, st) == 0)
		return 0;
	if (t->into)
		return -1;
	dir = path_parent(t->path);
	ret = stat(dir, st);
	free(dir);
	if (ret == 0)
		*name = path_last(t->path);
	return ret == 0 ? 0 : -1;
}

/*
 * Two destinations that are one place (-t a -t ./a, a link to it, the
 * name of the copy twice) would have each file made twice by one run,
 * the second copy failing on the first's or writing over it: refused
 * before anything is copied, as a target that cannot be used is.  0, or
 * ACP_EXIT_FAIL after a message.
 */
static int
walk_targets_apart(const struct wtarget *t, unsigned n)
{
	struct stat	 st[ACP_MAX_TARGETS];
	char		*name[ACP_MAX_TARGETS];
	int		 ok[ACP_MAX_TARGETS], status = 0;
	unsigned	 i, k;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		ok[i] = target_place(&t[i], &st[i], &name[i]) == 0;
	for (i = 1; i < n && status == 0; i++)
		for (k = 0; k < i && status == 0; k++) {
			if (!ok[i] || !ok[k] || !at_same_file(&st[i], &st[k]) ||
			    (name[i] == NULL) != (name[k] == NULL) ||
			    (name[i] != NULL && strcmp(name[i], name[k]) != 0))
				continue;
			warnx("destinations '%s' and '%s' are the same %s: "
			    "each must be a place of its own", t[k].path,
			    t[i].path, name[i] != NULL ? "name" :
			    S_ISDIR(st[i].st_mode) ? "directory" : "file");
			status = ACP_EXIT_FAIL;
		}
	for (i = 0; i < n; i++)
		free(name[i]);
	return status;
}

/*
 * Was the name in a directory the list named before, and so copied
 * with it (-r)?  A list made by find names a directory, then what is in
 * it: each is copied once, as the directory's.
 */
static int
list_inside(struct walk *w, const char *name)
{
	char	*tidy, *p;
	size_t	 len = 0;

	if (w->listed_dirs.n + w->listed_dirs.tn == 0)
		return 0;
	tidy = path_tidy(name);
	for (p = strchr(tidy + 1, '/'); p != NULL && len == 0;
	    p = strchr(p + 1, '/'))
		if (seen_find(&w->listed_dirs, seen_hash(tidy,
		    (size_t)(p - tidy)), NULL))
			len = (size_t)(p - tidy);
	if (len > 0 && w->opts->debug)
		fprintf(stderr, "acp: debug: %s: '%s' was copied with '%.*s'\n",
		    filelist_where(w->list), name, (int)len, tidy);
	free(tidy);
	return len > 0;
}

/* --log: a bad entry of the list, by its line (its name may be cut). */
static void
list_log_bad(const struct walk *w, const struct filelist *fl)
{
	struct logent	e;

	if (w->log == NULL)
		return;
	e = runlog_ent("unknown", "failed", fl->name, NULL);
	e.line = fl->line;
	runlog_put(w->log, &e);
}

/*
 * --files-from, --files0-from: each name of the list, read as it goes,
 * is a source operand into every destination of t[]; a status.
 */
static int
walk_list(struct walk *w, const struct wtarget *t)
{
	struct filelist	 fl;
	const char	*name, *dirs[ACP_MAX_TARGETS];
	unsigned	 bad = 0, k;
	int		 status = ACP_EXIT_OK, ret = 0;

	if (filelist_open(&fl, w->opts->files_from,
	    w->opts->files_delim) < 0)
		return ACP_EXIT_FAIL;
	w->list = &fl;
	while (!copier_stopping(w->c) &&
	    (ret = filelist_next(&fl, &name, &bad)) > 0) {
		if (ret == FILELIST_BAD) {
			list_log_bad(w, &fl);
			continue;
		}
		if (list_inside(w, name))
			continue;
		w->top_dir = 0;
		w->list_line = fl.line;
		/* Whatever is said of it, now or when its copy is done. */
		(void)say_where(filelist_where(&fl));
		status = status_merge(status, walk_operand(w, t, name));
		(void)say_where(NULL);
		w->list_line = 0;
		if (w->top_dir)
			seen_add(&w->listed_dirs, path_key(name), 1);
	}
	if (ret < 0 || bad > 0)
		status = status_merge(status, ACP_EXIT_FAIL);
	w->st.errors += bad;
	for (k = 0; k < w->ntargets; k++)
		dirs[k] = t[k].path;
	status = status_merge(status, parents_finish(w, dirs));
	w->list = NULL;
	filelist_close(&fl);
	return status;
}

int
walk_run(const struct options *opts, struct copier *c, FILE *manifest,
    const struct manifest_old *old, FILE *log, struct walk_stats *ws)
{
	struct walk	 w;
	struct wtarget	 t[ACP_MAX_TARGETS];
	int		 nsrc, i, status = ACP_EXIT_OK;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	w.c = c;
	w.manifest = manifest;
	w.old = old;
	w.log = log;
	w.dirfd_budget = wdir_budget(c);
	w.euid = geteuid();
	w.egid = getegid();

	/*
	 * Every destination is settled before anything is copied.  A list
	 * names sources for a directory, however many it names.
	 */
	nsrc = opts->noperands - (opts->target_dir == NULL);
	w.several = nsrc > 1 || opts->files_from != NULL;
	status = walk_target(opts, opts->target_dir != NULL ?
	    opts->target_dir : opts->operands[nsrc], w.several ? 2 : nsrc,
	    &t[0]);
	for (i = 0; i < opts->nalso; i++)
		status = status_merge(status, walk_target(opts, opts->also[i],
		    w.several ? 2 : nsrc, &t[i + 1]));
	if (status == ACP_EXIT_OK)
		status = walk_targets_apart(t, (unsigned)opts->nalso + 1);
	if (status != ACP_EXIT_OK)
		return status;
	w.st.ntargets = w.ntargets = (unsigned)opts->nalso + 1;
	for (i = 0; i < (int)w.ntargets; i++)
		w.st.target[i].path = t[i].path;
	for (i = 0; i < (int)w.ntargets; i++)
		if (!t[i].into && opts->parents) {
			warnx("with --parents, the destination must be a "
			    "directory");
			return ACP_EXIT_FAIL;
		}
	if (opts->files_from != NULL)
		status = walk_list(&w, t);
	for (i = 0; i < nsrc && !copier_stopping(c); i++)
		status = status_merge(status, walk_operand(&w, t,
		    opts->operands[i]));
	return walk_end(&w, status, ws);
}
