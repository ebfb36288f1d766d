/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Path strings: joining, last components, parents, and whether one
 * directory lies inside another.  Every result the caller frees.
 */
#ifndef ACP_PATH_H
#define ACP_PATH_H

struct at;

/* The last component of path, ignoring trailing slashes ("a/b/" is "b"). */
char	*path_last(const char *path);

/* dir + "/" + name, with no doubled slash after dir. */
char	*path_join(const char *dir, const char *name);

/* dir + "/" + the last component of src (trailing slashes of dir dropped). */
char	*path_in_dir(const char *dir, const char *src);

/* The directory that holds path: "." for a bare name, "/" for "/a". */
char	*path_parent(const char *path);

/*
 * Where a's name lies in copy, a copy of a's path: a name relative to a
 * directory is its path's last component, a whole path is itself.
 */
const char *path_name_in(const char *copy, const struct at *a);

/* Is dir (an existing path) the same as src or inside it?  By realpath. */
int	 path_inside(const char *src, const char *dir);

/*
 * path without its "." components, repeated slashes and trailing
 * slashes ("./a//b/." is "a/b"; ".." is kept: it may cross a symlink);
 * the caller frees it.
 */
char	*path_tidy(const char *path);

/* Is path an existing directory?  1, 0 (errno ENOTDIR), or -1 with errno. */
int	 path_is_dir(const char *path);

/*
 * Is name (a directory entry) of the form of an --atomic temporary,
 * ".acp-" NAME "." and six letters or digits?
 */
int	 path_is_acp_temp(const char *name);

/* Is it an --atomic --resume temporary, ".acp-" NAME ".resume"? */
int	 path_is_resume_temp(const char *name);

#endif
