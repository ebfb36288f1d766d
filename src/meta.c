/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ownership first (a chown may clear set-ID bits), then the mode, then
 * the timestamps last (anything else may move them).  Nanosecond times
 * through futimens/utimensat.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"
#include "xmalloc.h"

int
meta_apply(int fd, const char *path, const struct stat *st, unsigned mask)
{
	struct timespec	times[2];
	mode_t		mode = st->st_mode & 07777;
	int		ret, islink = S_ISLNK(st->st_mode);

	if (mask & META_OWNERSHIP) {
		if (fd >= 0)
			ret = fchown(fd, st->st_uid, st->st_gid);
		else
			ret = lchown(path, st->st_uid, st->st_gid);
		if (ret < 0) {
			if (errno != EPERM) {
				warn("cannot preserve ownership of '%s'", path);
				return -1;
			}
			mode &= ~(mode_t)(S_ISUID | S_ISGID);
		}
	}
	if ((mask & META_MODE) && !islink) {
		if (fd >= 0)
			ret = fchmod(fd, mode);
		else
			ret = fchmodat(AT_FDCWD, path, mode, 0);
		if (ret < 0) {
			warn("cannot preserve permissions of '%s'", path);
			return -1;
		}
	}
	if (mask & META_TIMESTAMPS) {
		times[0] = st->st_atim;
		times[1] = st->st_mtim;
		if (fd >= 0)
			ret = futimens(fd, times);
		else
			ret = utimensat(AT_FDCWD, path, times,
			    AT_SYMLINK_NOFOLLOW);
		if (ret < 0) {
			warn("cannot preserve times of '%s'", path);
			return -1;
		}
	}
	return 0;
}

static int
no_xattrs(int err)
{
	return err == ENOTSUP || err == ENOSYS;
}

int
meta_copy_xattrs(int sfd, const char *src, int dfd, const char *dst)
{
	char	*names = NULL, *val = NULL, *n;
	ssize_t	 len, vlen;
	size_t	 vcap = 0;
	int	 ret = 0;

	len = sfd >= 0 ? flistxattr(sfd, NULL, 0) : llistxattr(src, NULL, 0);
	if (len <= 0) {
		if (len < 0 && !no_xattrs(errno)) {
			warn("cannot list extended attributes of '%s'", src);
			return -1;
		}
		return 0;
	}
	names = xmalloc((size_t)len);
	len = sfd >= 0 ? flistxattr(sfd, names, (size_t)len) :
	    llistxattr(src, names, (size_t)len);
	if (len < 0) {
		warn("cannot list extended attributes of '%s'", src);
		free(names);
		return -1;
	}
	for (n = names; n < names + len; n += strlen(n) + 1) {
		vlen = sfd >= 0 ? fgetxattr(sfd, n, NULL, 0) :
		    lgetxattr(src, n, NULL, 0);
		if (vlen < 0)
			continue;	/* gone, or not ours to read */
		if ((size_t)vlen + 1 > vcap) {
			vcap = (size_t)vlen + 1;
			free(val);
			val = xmalloc(vcap);
		}
		vlen = sfd >= 0 ? fgetxattr(sfd, n, val, vcap) :
		    lgetxattr(src, n, val, vcap);
		if (vlen < 0)
			continue;
		if ((dfd >= 0 ? fsetxattr(dfd, n, val, (size_t)vlen, 0) :
		    lsetxattr(dst, n, val, (size_t)vlen, 0)) < 0) {
			/* A non-root caller cannot write trusted.* etc. */
			if (errno == EPERM || no_xattrs(errno))
				continue;
			warn("cannot preserve extended attribute '%s' of '%s'",
			    n, dst);
			ret = -1;
		}
	}
	free(names);
	free(val);
	return ret;
}
