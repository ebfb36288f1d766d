/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What --resume finds up to date: said, counted and logged like a copy,
 * and (a regular file that is not read) listed in the manifest with the
 * line an earlier run wrote for it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "manifest.h"
#include "quote.h"
#include "walk_int.h"

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

void
walk_carry_line(struct walk *w, const char *name)
{
	const struct options	*opts = w->opts;

	if (opts->algo == NULL || w->old == NULL)
		return;
	if (manifest_carry(w->manifest, w->old, opts->algo, name, opts->tag))
		return;
	if (opts->debug)
		fprintf(stderr, "acp: debug: '%s': no manifest line: the "
		    "manifest replaced had none of %s for it\n", name,
		    opts->algo->name);
}
