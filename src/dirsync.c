/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The set of directories to fsync, flushed in no particular order: each
 * fsync stands alone.
 */
#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "dirsync.h"
#include "path.h"
#include "say.h"
#include "status.h"
#include "xmalloc.h"

int
dirsync_has(const struct dirsync *ds, const char *dir)
{
	return strset_has(&ds->dirs, dir);
}

void
dirsync_add_dir(struct dirsync *ds, char *dir)
{
	(void)strset_add(&ds->dirs, dir);
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

	for (i = 0; i < ds->dirs.size; i++) {
		if (ds->dirs.tab[i] == NULL)
			continue;
		fd = at_open_dir(ds->dirs.tab[i]);
		if (fd < 0 || fsync(fd) < 0) {
			warn("cannot fsync directory '%s'", ds->dirs.tab[i]);
			status = ACP_EXIT_FAIL;
		}
		if (fd >= 0)
			(void)close(fd);
	}
	strset_free(&ds->dirs);
	return status;
}
