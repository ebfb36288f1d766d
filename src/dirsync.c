/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The set of directories to fsync: open addressing on a string hash
 * (FNV-1a), grown at half full.  Flushed in no particular order: each
 * fsync stands alone.
 */
#include "config.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "dirsync.h"
#include "path.h"
#include "status.h"
#include "xmalloc.h"

static size_t
slot(char *const *tab, size_t size, const char *dir)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	const char	*p;
	size_t		 i;

	for (p = dir; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (i = (size_t)h & (size - 1); tab[i] != NULL &&
	    strcmp(tab[i], dir) != 0; i = (i + 1) & (size - 1))
		;
	return i;
}

int
dirsync_has(const struct dirsync *ds, const char *dir)
{
	return ds->size > 0 && ds->tab[slot(ds->tab, ds->size, dir)] != NULL;
}

void
dirsync_add_dir(struct dirsync *ds, char *dir)
{
	char	**bigger;
	size_t	  i, size;

	if (dirsync_has(ds, dir)) {
		free(dir);
		return;
	}
	if (2 * (ds->used + 1) > ds->size) {
		size = ds->size == 0 ? 64 : 2 * ds->size;
		bigger = xcalloc(size, sizeof(*bigger));
		for (i = 0; i < ds->size; i++)
			if (ds->tab[i] != NULL)
				bigger[slot(bigger, size, ds->tab[i])] =
				    ds->tab[i];
		free(ds->tab);
		ds->tab = bigger;
		ds->size = size;
	}
	ds->tab[slot(ds->tab, ds->size, dir)] = dir;
	ds->used++;
}

void
dirsync_add(struct dirsync *ds, const char *path)
{
	dirsync_add_dir(ds, path_parent(path));
}

int
dirsync_run(struct dirsync *ds)
{
	size_t	i;
	int	fd, status = ACP_EXIT_OK;

	for (i = 0; i < ds->size; i++) {
		if (ds->tab[i] == NULL)
			continue;
		fd = at_open_dir(ds->tab[i]);
		if (fd < 0 || fsync(fd) < 0) {
			warn("cannot fsync directory '%s'", ds->tab[i]);
			status = ACP_EXIT_FAIL;
		}
		if (fd >= 0)
			(void)close(fd);
		free(ds->tab[i]);
	}
	free(ds->tab);
	ds->tab = NULL;
	ds->size = ds->used = 0;
	return status;
}
