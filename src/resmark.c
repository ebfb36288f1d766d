/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copier_int.h"
#include "filejob.h"
#include "resmark.h"
#include "xmalloc.h"

#define KEPT_WORD	"/kept "

char *
resmark_id(const struct cfile *f)
{
	const char	*slash = strrchr(f->dat.name, '/');
	char		*id;

	xasprintf(&id, "acp-resume 1 %jd %lld.%09ld %ju %s",
	    (intmax_t)f->sst.st_size, (long long)f->sst.st_mtim.tv_sec,
	    f->sst.st_mtim.tv_nsec, (uintmax_t)f->sst.st_ino,
	    slash != NULL ? slash + 1 : f->dat.name);
	return id;
}

/* A decimal number of digits only, ended by c; NULL if not one. */
static const char *
number(const char *p, const char *end, char c, intmax_t *v)
{
	intmax_t	n = 0;
	const char	*start = p;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (n > (INTMAX_MAX - (*p - '0')) / 10)
			return NULL;
		n = n * 10 + (*p - '0');
	}
	if (p == start || p >= end || *p != c)
		return NULL;
	*v = n;
	return p + 1;
}

int
resmark_parse(const char *got, size_t n, const char *id,
    const struct stat *st, off_t *whole)
{
	size_t		 len = strlen(id), wlen = strlen(KEPT_WORD);
	const char	*p, *end = got + n;
	intmax_t	 w, sec, nsec;

	if (n < len || memcmp(got, id, len) != 0)
		return RESMARK_OTHER;
	if (n == len)
		return RESMARK_SOURCE;
	p = got + len;
	if ((size_t)(end - p) <= wlen || memcmp(p, KEPT_WORD, wlen) != 0)
		return RESMARK_OTHER;
	p += wlen;
	/* The nanoseconds end the mark: a NUL stands in for its end. */
	if ((p = number(p, end, ' ', &w)) == NULL ||
	    (p = number(p, end, '.', &sec)) == NULL)
		return RESMARK_SOURCE;
	for (nsec = 0; p < end && *p >= '0' && *p <= '9' && nsec < 1000000000;
	    p++)
		nsec = nsec * 10 + (*p - '0');
	if (p != end || nsec >= 1000000000)
		return RESMARK_SOURCE;
	/* Written since it was flushed, or cut: no longer as it was left. */
	if (sec != (intmax_t)st->st_mtim.tv_sec ||
	    nsec != (intmax_t)st->st_mtim.tv_nsec || w > (intmax_t)st->st_size)
		return RESMARK_SOURCE;
	*whole = (off_t)w;
	return RESMARK_WHOLE;
}

int
resmark_read(int fd, const char *id, const struct stat *st, off_t *whole)
{
	char	got[PATH_MAX + 128];
	ssize_t	n;

	if ((n = fgetxattr(fd, RESMARK_XATTR, got, sizeof(got))) <= 0)
		return RESMARK_OTHER;
	return resmark_parse(got, (size_t)n, id, st, whole);
}

int
resmark_kept(int dirfd, const char *name, const char *id, off_t *whole)
{
	struct stat	 st;
	char		*mark;
	int		 fd, ret = -1, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK)) < 0)
		return -1;
	/*
	 * On disk before the mark says so, or a crash could leave a mark
	 * over data that never landed; the time is taken after the flush.
	 */
	if (fdatasync(fd) == 0 && fstat(fd, &st) == 0) {
		/* Holes at its end are not there yet: the size says so. */
		if (*whole > st.st_size)
			*whole = st.st_size;
		if (!S_ISREG(st.st_mode))
			errno = EINVAL;
		else {
			xasprintf(&mark, "%s" KEPT_WORD "%jd %lld.%09ld", id,
			    (intmax_t)*whole, (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec);
			ret = fsetxattr(fd, RESMARK_XATTR, mark, strlen(mark),
			    0);
			free(mark);
		}
	}
	saved = errno;
	(void)close(fd);
	errno = saved;
	return ret;
}
