/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Walking a directory whose copy was there before the run, with the
 * entries looked at ahead (prestat.h): they are read in batches; while
 * the walker decides a batch's entries in order (the policy, the
 * copies), the look-ahead thread stats their sources and lstats their
 * names in the destination just ahead of it, and an entry's decision
 * takes what was found instead of stats of its own.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "at.h"
#include "copier.h"
#include "prestat.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

int
walk_ahead_wanted(struct walk *w, const struct wdir *d)
{
	if (w->ntargets != 1 || !d->copy[0].live || d->copy[0].made ||
	    w->ahead_depth >= WALK_AHEAD_DEPTH)
		return 0;
	/*
	 * The thread holds two descriptors of its own: taken from the
	 * walk's budget, and only where the budget is not tight.
	 */
	if (w->pre == NULL && w->dirfd_budget < WALK_FDS_WANT)
		w->ahead_off = 1;
	if (w->pre == NULL && !w->ahead_off && !prestat_worth()) {
		w->ahead_off = 1;
		if (w->opts->debug)
			fprintf(stderr, "acp: debug: '%s' was there before; "
			    "one CPU: the walker looks at the names in it "
			    "alone\n", d->copy[0].dst);
	}
	if (w->pre == NULL && !w->ahead_off) {
		w->dirfd_budget -= 2;
		w->pre = xcalloc(1, sizeof(*w->pre));
		if (prestat_start(w->pre) < 0) {
			free(w->pre);
			w->pre = NULL;
			w->ahead_off = 1;
		} else if (w->opts->debug)
			fprintf(stderr, "acp: debug: '%s' was there before: "
			    "the names in it are looked at ahead, on a thread "
			    "of their own\n", d->copy[0].dst);
	}
	return w->pre != NULL;
}

/* Read up to a batch of d's names into b; a status. */
static int
fill(struct walk *w, struct wdir *d, const struct at *src,
    struct prestat_batch *b, int *end)
{
	const char	*ent;
	int		 err;

	b->n = 0;
	while (!*end && b->n < PRESTAT_BATCH) {
		if ((ent = wdir_next(d, &err)) == NULL) {
			*end = 1;
			if (err != 0) {
				warnc(err, "cannot read directory '%s'",
				    src->path);
				return walk_count_failure(w);
			}
			break;
		}
		b->name[b->n++] = xstrdup(ent);
	}
	prestat_fresh(b);
	return ACP_EXIT_OK;
}

static void
drop(struct prestat_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		free(b->name[i]);
	b->n = 0;
}

int
walk_dir_ahead(struct walk *w, struct wdir *d, const struct at *src,
    const struct at *dst, const char *name)
{
	struct prestat_batch	*b;
	size_t			 i;
	int			 status = ACP_EXIT_OK, end = 0;

	/* A batch a level, kept for the walk: no fresh pages a directory. */
	if ((b = w->ahead_batch[w->ahead_depth]) == NULL)
		b = w->ahead_batch[w->ahead_depth] = xcalloc(1, sizeof(*b));
	b->sflags = walk_follows(w->opts, 0) ? 0 : AT_SYMLINK_NOFOLLOW;
	w->ahead_depth++;
	while (!end && !copier_stopping(w->c)) {
		status = status_merge(status, fill(w, d, src, b, &end));
		if (b->n == 0)
			break;
		if (wdir_ready(w, d, 1) == 0)
			prestat_ask(w->pre, d->copy[0].dfd, d->sfd, b);
		for (i = 0; i < b->n && !copier_stopping(w->c); i++) {
			/* Parked while a subdirectory was copied: back to it. */
			if (wdir_ready(w, d, 1) < 0) {
				status = status_merge(status,
				    walk_count_failure(w));
				end = 1;
				break;
			}
			/* Found already, or the walker looks itself. */
			if (prestat_found(b, i, d->copy[0].dfd, d->sfd)) {
				w->ahead = &b->found[i];
				w->ahead_src = &b->src[i];
			}
			status = status_merge(status, walk_dir_entry(w, d,
			    src, dst, name, b->name[i]));
			w->ahead = NULL;
			w->ahead_src = NULL;
		}
		prestat_end(w->pre);
		drop(b);
	}
	w->ahead_depth--;
	return status;
}
