/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deep paths.  The kernel refuses a path of PATH_MAX bytes or more in
 * one call (ENAMETOOLONG), so a long one is walked in pieces shorter
 * than that, each opened with O_PATH relative to the last.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "xmalloc.h"

struct at
at_path(const char *path)
{
	struct at	a = { AT_FDCWD, path, path };

	return a;
}

const char *
at_xattr_name(const struct at *a, char *buf, size_t size)
{
	size_t	plen = strlen(a->path), nlen = strlen(a->name);
	int	n;

	if (a->dirfd == AT_FDCWD)
		return a->name;
	/* The path ends in the name: it reaches the same entry. */
	if (plen < PATH_MAX && plen >= nlen &&
	    strcmp(a->path + plen - nlen, a->name) == 0 &&
	    (plen == nlen || a->path[plen - nlen - 1] == '/'))
		return a->path;
	n = snprintf(buf, size, "/proc/self/fd/%d/%s", a->dirfd, a->name);
	if (n < 0 || (size_t)n >= size)
		return a->path;	/* the call fails, its caller says why */
	return buf;
}

int
at_resolve(const char *path, int *dirfd, const char **name)
{
	const char	*p = path, *last, *cut;
	char		 piece[PATH_MAX];
	size_t		 len = strlen(path);
	int		 fd = AT_FDCWD, nfd, saved;

	*dirfd = AT_FDCWD;
	*name = path;
	if (len < PATH_MAX)
		return 0;
	/* The last component, trailing slashes aside, is what is reached. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	last = path + len;
	while (last > path && last[-1] != '/')
		last--;
	if (last == path || path + len - last >= NAME_MAX + 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	while (p < last) {
		/* The longest run of whole components that fits. */
		cut = last;
		if (cut - p >= PATH_MAX) {
			cut = p + PATH_MAX - 1;
			while (cut > p && cut[-1] != '/')
				cut--;
			if (cut == p) {
				errno = ENAMETOOLONG;
				goto fail;
			}
		}
		memcpy(piece, p, (size_t)(cut - p));
		piece[cut - p] = '\0';
		nfd = openat(fd, piece, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0)
			goto fail;
		at_release(fd);
		fd = nfd;
		p = cut;
	}
	*dirfd = fd;
	*name = last;
	return 0;
fail:
	saved = errno;
	at_release(fd);
	errno = saved;
	return -1;
}

void
at_release(int dirfd)
{
	if (dirfd >= 0)
		(void)close(dirfd);
}

int
at_open_dir(const char *path)
{
	const char	*name;
	int		 dirfd, fd, saved;

	if (at_resolve(path, &dirfd, &name) < 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	at_release(dirfd);
	errno = saved;
	return fd;
}

int
at_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

off_t
at_device_size(int fd)
{
	uint64_t	size;

	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		return -1;
	return (off_t)size;
}

/* The struct stat of what statx found (the fields acp reads). */
void
at_stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = (off_t)x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = (blkcnt_t)x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/*
 * A source whose size, mtime or ctime moved while it was copied was
 * changing under us: the copy may mix old and new data.  Regular files
 * only: a FIFO or /proc file has no such promise to keep.
 */
int
at_stat_moved(const struct stat *before, const struct stat *after)
{
	return after->st_size != before->st_size ||
	    after->st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    after->st_mtim.tv_nsec != before->st_mtim.tv_nsec ||
	    after->st_ctim.tv_sec != before->st_ctim.tv_sec ||
	    after->st_ctim.tv_nsec != before->st_ctim.tv_nsec;
}

int
at_parent_open(int dirfd, const char *name)
{
	const char	*slash = strrchr(name, '/');
	char		*dir;
	int		 fd;

	if (slash == NULL)
		return openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	dir = xstrndup(name, slash == name ? 1 : (size_t)(slash - name));
	fd = openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}
