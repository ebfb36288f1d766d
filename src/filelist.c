/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The list of sources (filelist.h).  An entry is read a byte at a time
 * into a buffer of PATH_MAX, the rest of a longer one skipped, never
 * kept: no line of the list, however long, costs more than the buffer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "filelist.h"
#include "say.h"

int
filelist_open(struct filelist *fl, const char *path, int delim)
{
	memset(fl, 0, sizeof(*fl));
	fl->path = path;
	fl->delim = delim;
	if (strcmp(path, "-") == 0)
		fl->fp = stdin;
	else if ((fl->fp = fopen(path, "r")) == NULL) {
		warn("cannot open the list '%s'", path);
		return -1;
	}
	return 0;
}

const char *
filelist_where(struct filelist *fl)
{
	(void)snprintf(fl->where, sizeof(fl->where), "%s:%ju", fl->path,
	    fl->line);
	return fl->where;
}

int
filelist_next(struct filelist *fl, const char **name, unsigned *bad)
{
	size_t	len = 0;
	int	ch, nul = 0;

	while ((ch = getc_unlocked(fl->fp)) != EOF && ch != fl->delim) {
		if (len < sizeof(fl->name))
			fl->name[len] = (char)ch;
		nul |= ch == '\0';
		len++;
	}
	if (ferror(fl->fp)) {
		warn("error reading the list '%s'", fl->path);
		return -1;
	}
	if (ch == EOF && len == 0)
		return 0;
	fl->line++;
	*name = fl->name;
	if (len < sizeof(fl->name)) {
		fl->name[len] = '\0';
		if (len > 0 && !nul)
			return 1;
	} else
		fl->name[sizeof(fl->name) - 1] = '\0';
	(*bad)++;
	if (len == 0)
		warnx("%s:%ju: invalid zero-length file name", fl->path,
		    fl->line);
	else if (nul)
		/* Only --files0-from can say such a name. */
		warnx("%s:%ju: a name with a NUL byte in it (a list of names "
		    "ending in NULs is --files0-from)", fl->path, fl->line);
	else
		warnc(ENAMETOOLONG, "%s:%ju: a name of %zu bytes", fl->path,
		    fl->line, len);
	return FILELIST_BAD;
}

void
filelist_close(struct filelist *fl)
{
	if (fl->fp != NULL && fl->fp != stdin)
		(void)fclose(fl->fp);
	fl->fp = NULL;
}
