/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --parents: the directories on the way to each copy.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "copier.h"
#include "meta.h"
#include "parents.h"
#include "path.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

/* Make the directory ddir for --parents like sdir; 0, or -1 (said). */
static int
parents_mkdir(struct walk *w, const char *sdir, const char *ddir)
{
	struct stat	st;

	if (lstat(ddir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		warnx("'%s' is not a directory", ddir);
		return -1;
	}
	if (stat(sdir, &st) < 0) {
		warn("cannot stat '%s'", sdir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* Nothing made for a source that cannot be there. */
		warnx("'%s' is not a directory", sdir);
		return -1;
	}
	if (mkdir(ddir, meta_open_mode(&st, w->opts->preserve)) < 0) {
		/*
		 * Made since the lstat, by another run beside this one (runs
		 * of acp-parallel share their directories): there now, and
		 * not ours to give metadata.
		 */
		if (errno == EEXIST && lstat(ddir, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
		warn("cannot make directory '%s'", ddir);
		return -1;
	}
	if (w->opts->verbose)
		printf("%s -> %s\n", sdir, ddir);
	/* Its mode (kept or not) is set by parents_meta() at the end. */
	(void)strset_add(&w->parents_made, xstrdup(ddir));
	return 0;
}

/*
 * --parents: DIR/a/b/c for the source a/b/c, making DIR/a and DIR/a/b
 * where missing, each with the mode of the source directory it stands
 * for (narrowed by the umask until parents_meta()).  The path, which the
 * caller frees, or NULL after a message.
 */
char *
parents_target(struct walk *w, const char *dir, const char *src)
{
	const char	*rel = src, *p;
	char		*out, *sdir, *ddir;
	int		 ok = 1;

	while (*rel == '/')
		rel++;
	out = path_join(dir, rel);
	for (p = strchr(rel, '/'); ok && p != NULL; p = strchr(p + 1, '/')) {
		sdir = xstrndup(src, (size_t)(p - src));
		ddir = xstrndup(out, strlen(dir) + 1 + (size_t)(p - rel));
		ok = parents_mkdir(w, sdir, ddir) == 0;
		free(sdir);
		free(ddir);
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * The directory ddir that --parents made or went through for the source
 * directory sdir takes sdir's metadata (that kept); one this run made,
 * its final mode.  A status.
 */
static int
parents_dir_meta(struct walk *w, const char *sdir, const char *ddir)
{
	struct stat	st, now;
	struct at	sat = at_path(sdir), dat = at_path(ddir);
	unsigned	keep = w->opts->preserve;
	int		status = ACP_EXIT_OK, made;

	if (stat(sdir, &st) < 0)
		return ACP_EXIT_OK;
	made = strset_has(&w->parents_made, ddir);
	if (made && lstat(ddir, &now) == 0)
		keep |= meta_made_dir(&st, keep, now.st_mode);
	if (meta_copy(-1, &sat, -1, &dat, &st, keep, NULL) < 0)
		status = ACP_EXIT_FAIL;
	/* One this run made, with the mode it was made narrower than. */
	if (made && meta_widen(-1, &dat, &st,
	    keep, copier_umask(w->c)) < 0)
		status = ACP_EXIT_FAIL;
	return status;
}

/* Is there metadata for parents_dir_meta() to set? */
static int
parents_any(const struct walk *w)
{
	return w->parents_made.used > 0 || (w->opts->preserve &
	    (META_MODE | META_OWNERSHIP | META_TIMESTAMPS | META_XATTR));
}

/*
 * --parents with -p or -a: the directories made for src's parents take
 * their sources' metadata once what went in them is done.
 */
int
parents_meta(struct walk *w, const char *dir, const char *src)
{
	const char	*rel = src, *p;
	char		*sdir, *ddir;
	int		 status = ACP_EXIT_OK;

	if (!parents_any(w))
		return ACP_EXIT_OK;
	copier_wait(w->c, NULL);
	while (*rel == '/')
		rel++;
	for (p = strrchr(rel, '/'); p != NULL && p > rel;
	    p = memrchr(rel, '/', (size_t)(p - rel))) {
		sdir = xstrndup(src, (size_t)(p - src));
		xasprintf(&ddir, "%s/%.*s", dir, (int)(p - rel), rel);
		status = status_merge(status, parents_dir_meta(w, sdir, ddir));
		free(sdir);
		free(ddir);
	}
	return status;
}

void
parents_later(struct walk *w, const char *src)
{
	const char	*rel = src, *p;
	char		*key;

	while (*rel == '/')
		rel++;
	for (p = strrchr(rel, '/'); p != NULL && p > rel;
	    p = memrchr(rel, '/', (size_t)(p - rel))) {
		/* "K SDIR": met for the destination K. */
		xasprintf(&key, "%u %.*s", w->tk, (int)(p - src), src);
		/* Its ancestors were put in with it. */
		if (!strset_add(&w->parents_todo, key))
			break;
	}
}

/* Deepest first: a directory's times are set after its children's. */
static int
depth_cmp(const void *a, const void *b)
{
	const char	*x = *(char *const *)a, *y = *(char *const *)b;
	size_t		 dx = 0, dy = 0;

	for (; *x != '\0'; x++)
		dx += *x == '/';
	for (; *y != '\0'; y++)
		dy += *y == '/';
	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

int
parents_finish(struct walk *w, const char *const *dirs)
{
	struct strset	*todo = &w->parents_todo;
	const char	*sdir, *rel;
	char		**all, *ddir, *end;
	size_t		 i, n = 0;
	unsigned	 k;
	int		 status = ACP_EXIT_OK;

	if (todo->used == 0 || !parents_any(w))
		return ACP_EXIT_OK;
	copier_wait(w->c, NULL);
	all = xreallocarray(NULL, todo->used, sizeof(*all));
	for (i = 0; i < todo->size; i++)
		if (todo->tab[i] != NULL)
			all[n++] = todo->tab[i];
	qsort(all, n, sizeof(*all), depth_cmp);
	for (i = 0; i < n; i++) {
		k = (unsigned)strtoul(all[i], &end, 10);
		sdir = end + 1;
		for (rel = sdir; *rel == '/'; rel++)
			continue;
		w->tk = k;
		xasprintf(&ddir, "%s/%s", dirs[k], rel);
		status = status_merge(status, parents_dir_meta(w, sdir, ddir));
		free(ddir);
	}
	free(all);
	return status;
}
