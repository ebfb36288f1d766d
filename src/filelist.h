/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --files-from and --files0-from: the sources, one name a line (or
 * between NULs), read as the copy goes, one name at a time, so that a
 * list of ten million names costs no more memory than a list of ten.
 */
#ifndef ACP_FILELIST_H
#define ACP_FILELIST_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

struct filelist {
	FILE		*fp;
	const char	*path;		/* as given; "-": standard input */
	int		 delim;		/* '\n' or '\0' */
	uintmax_t	 line;		/* of the name last read, from 1 */
	char		 name[PATH_MAX];
	char		 where[PATH_MAX + 32];	/* filelist_where()'s */
};

/* Open the list at path ("-": standard input); 0, or -1 after a message. */
int	filelist_open(struct filelist *, const char *path, int delim);

/*
 * The next name: 1 and *name (the list's buffer, good until the next
 * call), 0 at the end, -1 after a read error (said).  A bad entry (empty,
 * longer than PATH_MAX, with a NUL in a list of lines) is said with the
 * list's name and line, counted in *bad, and FILELIST_BAD returned, the
 * buffer holding what fit of it.
 */
#define FILELIST_BAD	2
int	filelist_next(struct filelist *, const char **name, unsigned *bad);

/* "LIST:LINE", for messages about the name last read. */
const char *filelist_where(struct filelist *);

void	filelist_close(struct filelist *);

#endif
