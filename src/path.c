/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Path strings.  Pure string work, but for path_inside() and
 * path_is_dir(), which ask the filesystem.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "path.h"
#include "xmalloc.h"

char *
path_last(const char *path)
{
	size_t		 len = strlen(path);
	const char	*start;
	char		*out;

	while (len > 1 && path[len - 1] == '/')
		len--;
	start = path + len;
	/* The root's last component is the root. */
	while (start > path && start[-1] != '/')
		start--;
	if (start == path + len && len > 0)
		start--;
	out = xstrndup(start, (size_t)(path + len - start));
	return out;
}

char *
path_join(const char *dir, const char *name)
{
	size_t	 dlen = strlen(dir), nlen = strlen(name);
	char	*out = xmalloc(dlen + 1 + nlen + 1), *p = out;

	/* Three for each entry a walk meets: copies, not a printf. */
	memcpy(p, dir, dlen);
	p += dlen;
	if (dlen == 0 || dir[dlen - 1] != '/')
		*p++ = '/';
	memcpy(p, name, nlen + 1);
	return out;
}

char *
path_in_dir(const char *dir, const char *src)
{
	char	*base, *out;
	size_t	 len = strlen(dir), n;

	base = path_last(src);
	/* As cp's last_component(): the root adds nothing ("d/"). */
	if (strcmp(base, "/") == 0)
		base[0] = '\0';
	/* "..", like ".", stands for its contents: into dir itself, never
	 * into dir's parent (cp writes "dir/."). */
	else if (strcmp(base, "..") == 0)
		base[1] = '\0';
	while (len > 1 && dir[len - 1] == '/')
		len--;
	n = len + 1 + strlen(base) + 1;
	out = xmalloc(n);
	/* Into the root: "/y", not "//y". */
	snprintf(out, n, "%.*s%s%s", (int)len, dir,
	    len == 1 && dir[0] == '/' ? "" : "/", base);
	free(base);
	return out;
}

char *
path_parent(const char *path)
{
	char	*dir, *slash;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		return xstrdup(".");
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

const char *
path_name_in(const char *copy, const struct at *a)
{
	return copy + strlen(copy) - strlen(a->name);
}

int
path_inside(const char *src, const char *dir)
{
	char	*rs, *rd;
	size_t	 len;
	int	 ret = 0;

	rs = realpath(src, NULL);
	rd = realpath(dir, NULL);
	if (rs != NULL && rd != NULL) {
		len = strlen(rs);
		ret = strncmp(rs, rd, len) == 0 &&
		    (rd[len] == '/' || rd[len] == '\0' || strcmp(rs, "/") == 0);
	}
	free(rs);
	free(rd);
	return ret;
}

int
path_is_dir(const char *path)
{
	struct stat	st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	return 1;
}

int
path_is_resume_temp(const char *name)
{
	size_t	len = strlen(name);

	return len > 12 && strncmp(name, ".acp-", 5) == 0 &&
	    strcmp(name + len - 7, ".resume") == 0;
}

int
path_is_acp_temp(const char *name)
{
	size_t	len = strlen(name), i;

	if (len < 13 || strncmp(name, ".acp-", 5) != 0 || name[len - 7] != '.')
		return 0;
	for (i = len - 6; i < len; i++)
		if (!isalnum((unsigned char)name[i]))
			return 0;
	return 1;
}

char *
path_tidy(const char *path)
{
	char		*out = xmalloc(strlen(path) + 1), *o = out;
	const char	*p = path;

	while (*p != '\0') {
		if ((p == path || p[-1] == '/') && p[0] == '.' &&
		    (p[1] == '/' || (p[1] == '\0' && p > path))) {
			p += p[1] == '/' ? 2 : 1;
			continue;
		}
		if (*p == '/' && o > out && o[-1] == '/') {
			p++;
			continue;
		}
		*o++ = *p++;
	}
	while (o > out + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}
