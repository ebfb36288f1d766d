/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What --resume finds up to date: said, counted and logged like a copy,
 * and (a regular file that is not read) listed in the manifest with the
 * line an earlier run wrote for it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "at.h"
#include "copier.h"
#include "manifest.h"
#include "quote.h"
#include "walk_int.h"
#include "xmalloc.h"

void
walk_said_uptodate(struct walk *w, const char *kind, const char *src,
    const char *dst, uint64_t bytes, const char *why, const char *set)
{
	walk_log(w, kind, "skipped", src, dst, "up to date");
	w->st.skipped++;
	w->st.target[w->tk].skipped++;
	w->st.bytes_skipped += bytes;
	if (w->opts->verbose) {
		fputs("skipped ", stdout);
		quote_name(stdout, dst);
		fputs(" (up to date)\n", stdout);
	}
	if (w->opts->debug)
		fprintf(stderr, "acp: debug: '%s': skipped: %s%s%s%s\n", dst,
		    why, set != NULL ? " (" : "", set != NULL ? set : "",
		    set != NULL ? " set again)" : "");
}

/* A carried line, said in its turn among the copies' (copier_note()). */
struct carried {
	struct copy_job	 job;		/* first: the copier hands it back */
	struct walk	*w;
	char		*name;
	int		 stale;		/* its copy changed since the line */
};

static void
carried_done(struct copy_job *job)
{
	struct carried		*cl = (struct carried *)job;
	const struct options	*opts = cl->w->opts;

	if (cl->stale) {
		if (opts->debug)
			fprintf(stderr, "acp: debug: '%s': no manifest line: "
			    "its copy changed after the manifest replaced was "
			    "written\n", cl->name);
	} else if (!manifest_carry(cl->w->manifest, &cl->w->old->lines,
	    opts->algo, cl->name, opts->tag) && opts->debug)
		fprintf(stderr, "acp: debug: '%s': no manifest line: the "
		    "manifest replaced had none of %s for it\n", cl->name,
		    opts->algo->name);
	free(cl->name);
	free(cl);
}

void
walk_carry_line(struct walk *w, const char *name,
    const struct timespec *ctime)
{
	struct carried	*cl;

	if (w->opts->algo == NULL || w->old == NULL)
		return;
	cl = xcalloc(1, sizeof(*cl));
	cl->w = w;
	cl->name = xstrdup(name);
	/*
	 * Written to since the line was (by a run without --manifest, or
	 * another tool): the line may be of what it held before.
	 */
	cl->stale = at_time_cmp(ctime, &w->old->written) > 0;
	cl->job.src = cl->name;		/* for --progress, were it the oldest */
	cl->job.done = carried_done;
	copier_note(w->c, &cl->job);
}
