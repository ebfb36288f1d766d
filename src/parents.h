/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --parents: DIR/a/b/c for the source a/b/c, the directories on the way
 * made like the source directories they stand for, and given their
 * metadata once what went in them is done.
 */
#ifndef ACP_PARENTS_H
#define ACP_PARENTS_H

struct walk;

/*
 * The destination path for src under dir, making dir/a and dir/a/b where
 * missing (narrower than they end, until parents_meta()).  The path,
 * which the caller frees, or NULL after a message.
 */
char	*parents_target(struct walk *, const char *dir, const char *src);

/*
 * The directories of src's path under dir take their sources' metadata
 * (with -p or -a), and those this run made their final mode; a status.
 */
int	 parents_meta(struct walk *, const char *dir, const char *src);

/*
 * A list of sources (--files-from): parents_meta() for src's directories
 * in the destination being handled is left to parents_finish(), once
 * for each directory however many names of the list are in it, and
 * without waiting for the copies in flight at each name.
 */
void	 parents_later(struct walk *, const char *src);

/* Do what parents_later() left, dirs[] the destinations; a status. */
int	 parents_finish(struct walk *, const char *const *dirs);

#endif
