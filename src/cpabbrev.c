/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cp's abbreviations of its long options, kept where acp's own options
 * would make them ambiguous ("--b" is --backup in cp, not --block-size).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cpabbrev.h"
#include "xmalloc.h"

/* GNU cp's long options (9.1): their abbreviations keep cp's meaning. */
static const char *const cp_long_opts[] = {
	"archive", "attributes-only", "backup", "context", "copy-contents",
	"debug", "dereference", "force", "help", "interactive",
	"keep-directory-symlink", "link", "no-clobber", "no-dereference",
	"no-preserve", "no-target-directory", "one-file-system", "parents",
	"preserve", "recursive", "reflink", "remove-destination", "sparse",
	"strip-trailing-slashes", "suffix", "symbolic-link",
	"target-directory", "update", "verbose", "version", NULL
};

/*
 * The one option of cp that the abbreviation arg (after "--", up to any
 * '=', len bytes) names, if among ours it is ambiguous only because of
 * acp's own options; NULL if none.
 */
static const char *
cp_abbreviation(const struct option *ours, const char *arg, size_t len)
{
	const struct option	*o;
	const char		*const *c, *found = NULL;
	int			 matches = 0;

	for (o = ours; o->name != NULL; o++) {
		if (strncmp(o->name, arg, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return NULL;	/* exact: getopt takes it */
		matches++;
	}
	if (matches < 2)
		return NULL;
	for (c = cp_long_opts; *c != NULL; c++) {
		if (strncmp(*c, arg, len) != 0)
			continue;
		if (found != NULL)
			return NULL;	/* ambiguous in cp as well */
		found = *c;
	}
	return found;
}

void
cp_expand_abbreviations(int argc, char **argv, const struct option *ours)
{
	const char	*name, *eq;
	char		*full;
	size_t		 len;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0')
			continue;
		eq = strchr(argv[i] + 2, '=');
		len = eq != NULL ? (size_t)(eq - argv[i] - 2) :
		    strlen(argv[i] + 2);
		if ((name = cp_abbreviation(ours, argv[i] + 2, len)) == NULL)
			continue;
		/* Kept for the life of the run, as argv is. */
		xasprintf(&full, "--%s%s", name, eq != NULL ? eq : "");
		argv[i] = full;
	}
}

