/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Walking a directory whose copy was there before the run, with the
 * destination looked at ahead (prestat.h): the entries are read in
 * batches; while the walker decides one batch (a stat of each source,
 * the policy, the copies), the look-ahead thread lstats the next
 * batch's names in the destination, and each entry's decision takes
 * what it found instead of a stat of its own.  An entry's destination
 * is changed only by its own decision, so what was found for the later
 * names of a batch still holds when their turn comes.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "at.h"
#include "copier.h"
#include "path.h"
#include "prestat.h"
#include "say.h"
#include "walk_int.h"
#include "xmalloc.h"

/* Batches are kept this deep at most (two of them a level). */
#define AHEAD_DEPTH	16

int
walk_ahead_wanted(struct walk *w, const struct wdir *d)
{
	if (w->ntargets != 1 || !d->copy[0].live || d->copy[0].made ||
	    w->ahead_depth >= AHEAD_DEPTH)
		return 0;
	/*
	 * The thread holds a descriptor of its own: taken from the walk's
	 * budget, and only where the budget is not tight.
	 */
	if (w->pre == NULL && w->dirfd_budget < WALK_FDS_WANT)
		w->ahead_off = 1;
	if (w->pre == NULL && !w->ahead_off) {
		w->dirfd_budget--;
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
		/* Not looked at, unless prestat_ask() is. */
		b->found[b->n].err = -1;
		b->name[b->n++] = xstrdup(ent);
	}
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
	struct prestat_batch	*cur, *next, *t;
	struct at		 csrc, cdst;
	char			*cname;
	size_t			 i;
	int			 status = ACP_EXIT_OK, end = 0;

	w->ahead_depth++;
	cur = xcalloc(1, sizeof(*cur));
	next = xcalloc(1, sizeof(*next));
	status = fill(w, d, src, cur, &end);
	if (cur->n > 0)
		(void)prestat_ask(w->pre, d->copy[0].dfd, cur);
	while (cur->n > 0 && !copier_stopping(w->c)) {
		if (!end)
			status = status_merge(status, fill(w, d, src, next,
			    &end));
		prestat_wait(w->pre);
		/* The next batch is looked at while this one is decided. */
		if (next->n > 0 && wdir_ready(w, d, 1) == 0)
			(void)prestat_ask(w->pre, d->copy[0].dfd, next);
		for (i = 0; i < cur->n && !copier_stopping(w->c); i++) {
			/* Parked while a subdirectory was copied: back to it. */
			if (wdir_ready(w, d, 1) < 0) {
				status = status_merge(status,
				    walk_count_failure(w));
				break;
			}
			csrc.dirfd = d->sfd;
			csrc.name = cur->name[i];
			csrc.path = path_join(src->path, cur->name[i]);
			cdst.dirfd = d->copy[0].dfd;
			cdst.name = cur->name[i];
			cdst.path = path_join(dst->path, cur->name[i]);
			cname = path_join(name, cur->name[i]);
			w->ahead = &cur->found[i];
			status = status_merge(status, walk_entry(w, &csrc,
			    &cdst, cname, 0));
			w->ahead = NULL;
			free((char *)csrc.path);
			free((char *)cdst.path);
			free(cname);
		}
		if (i < cur->n)
			break;
		drop(cur);
		t = cur;
		cur = next;
		next = t;
	}
	prestat_wait(w->pre);
	drop(cur);
	drop(next);
	free(cur);
	free(next);
	w->ahead_depth--;
	return status;
}
