/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A file named relative to a directory descriptor, as the *at() calls
 * take it, with its whole path beside for messages.  The walker holds a
 * descriptor for each directory it is copying from and into, so no call
 * ever gets more than one component of a deep tree: there is no
 * PATH_MAX limit on how deep a tree may be.
 */
#ifndef ACP_AT_H
#define ACP_AT_H

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stddef.h>

struct at {
	int		 dirfd;		/* AT_FDCWD: name is a whole path */
	const char	*name;		/* relative to dirfd */
	const char	*path;		/* the whole path, for messages */
};

/* The (AT_FDCWD, path, path) location. */
struct at	at_path(const char *path);

/*
 * A name by which the l*xattr() calls reach at, which have no *at()
 * form: the name, relative to the working directory; else the path
 * itself when it is short enough and ends in the name; else (a long
 * path, or one that names the entry another way, as a symlink the user
 * gave for the file it leads to) /proc/self/fd/DIRFD/NAME, in buf
 * (PATH_MAX bytes).
 */
const char	*at_xattr_name(const struct at *, char *buf, size_t size);

/*
 * Reach path without handing PATH_MAX or more bytes to one call: for a
 * short path, *dirfd is AT_FDCWD and *name is path; for a long one,
 * *dirfd is a new O_PATH descriptor of its parent directory, opened a
 * piece at a time, and *name its last component.  0, or -1 with errno
 * set.  Release with at_release().
 */
int		 at_resolve(const char *path, int *dirfd, const char **name);
void		 at_release(int dirfd);

/*
 * An O_PATH descriptor of the directory that holds name (relative to
 * dirfd, or a path with AT_FDCWD), "/" for a name in the root; -1 with
 * errno set.
 */
int		 at_parent_open(int dirfd, const char *name);

/*
 * Are a and b the same file (device and inode)?  The one same-file test,
 * for the walker's look before a copy and the copier's on the opened
 * files.
 */
int		 at_same_file(const struct stat *a, const struct stat *b);

/* Two of a stat's times: <0, 0 or >0 as a is before, at or after b. */
static inline int
at_time_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/* Open the directory at path for reading (any length); -1 and errno. */
int		 at_open_dir(const char *path);

/*
 * The size of the block device open as fd (BLKGETSIZE64), which stat
 * gives as 0; -1 if fd is not one.
 */
off_t		 at_device_size(int fd);

/* The struct stat of what statx found (the fields acp reads). */
void		 at_stat_from_statx(struct stat *st, const struct statx *x);

/*
 * Did a regular file change between these two looks at it (size, mtime
 * or ctime moved)?
 */
int		 at_stat_moved(const struct stat *before,
		    const struct stat *after);

#endif
