/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --parents: the directories on the way to each copy.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
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
 * --parents with -p or -a: the directories made for src's parents take
 * their sources' metadata once what went in them is done.
 */
int
parents_meta(struct walk *w, const char *dir, const char *src)
{
	struct stat	 st;
	struct at	 sat, dat;
	const char	*rel = src, *p;
	char		*sdir, *ddir;
	int		 status = ACP_EXIT_OK;

	unsigned	 keep = w->opts->preserve;

	if (w->parents_made.used == 0 && !(keep & (META_MODE |
	    META_OWNERSHIP | META_TIMESTAMPS | META_XATTR)))
		return ACP_EXIT_OK;
	copier_wait(w->c, NULL);
	while (*rel == '/')
		rel++;
	for (p = strrchr(rel, '/'); p != NULL && p > rel;
	    p = memrchr(rel, '/', (size_t)(p - rel))) {
		sdir = xstrndup(src, (size_t)(p - src));
		xasprintf(&ddir, "%s/%.*s", dir, (int)(p - rel), rel);
		sat = at_path(sdir);
		dat = at_path(ddir);
		if (stat(sdir, &st) < 0) {
			free(sdir);
			free(ddir);
			continue;
		}
		if (meta_copy(-1, &sat, -1, &dat, &st, keep) < 0)
			status = ACP_EXIT_FAIL;
		/* One this run made, with the mode it was made narrower than. */
		if (strset_has(&w->parents_made, ddir) && meta_widen(-1, &dat,
		    &st, keep, copier_umask(w->c)) < 0)
			status = ACP_EXIT_FAIL;
		free(sdir);
		free(ddir);
	}
	return status;
}

