/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * at_resolve(): a path past PATH_MAX is reached a piece at a time, a
 * short one is left alone, and what cannot be reached says why.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "at.h"

#define LEVELS	45		/* 45 x 201 bytes: past twice PATH_MAX */

int
main(void)
{
	char		 tmpl[] = "/tmp/acp-at.XXXXXX", comp[201], *path, *p;
	const char	*name;
	struct stat	 want, got;
	size_t		 len;
	int		 fd, next, dirfd, i, ret;

	tap_plan(18);
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	memset(comp, 'c', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	len = strlen(tmpl) + LEVELS * (sizeof(comp)) + 16;
	path = malloc(len);
	strcpy(path, tmpl);
	fd = open(tmpl, O_RDONLY | O_DIRECTORY);
	for (i = 0; i < LEVELS; i++) {
		(void)mkdirat(fd, comp, 0755);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
		strcat(path, "/");
		strcat(path, comp);
	}
	close(openat(fd, "leaf", O_WRONLY | O_CREAT, 0644));
	fstatat(fd, "leaf", &want, 0);
	strcat(path, "/leaf");
	ok(strlen(path) > 2 * PATH_MAX - 1, "the path is %zu bytes",
	    strlen(path));

	errno = 0;
	ok(stat(path, &got) < 0 && errno == ENAMETOOLONG,
	    "the kernel refuses it whole");
	ret = at_resolve(path, &dirfd, &name);
	ok(ret == 0 && dirfd >= 0, "at_resolve reaches its directory");
	ok(strcmp(name, "leaf") == 0, "and names the last component");
	ok(fstatat(dirfd, name, &got, 0) == 0 && got.st_ino == want.st_ino &&
	    got.st_dev == want.st_dev, "which is the file made there");
	at_release(dirfd);

	ret = at_resolve("short/path", &dirfd, &name);
	ok(ret == 0 && dirfd == AT_FDCWD && strcmp(name, "short/path") == 0,
	    "a short path is left to the working directory as it is");

	p = strrchr(path, '/');
	*p = '\0';
	fd = at_open_dir(path);
	ok(fd >= 0 && fstat(fd, &got) == 0 && S_ISDIR(got.st_mode),
	    "at_open_dir opens a directory past PATH_MAX");
	if (fd >= 0)
		close(fd);
	*p = '/';

	/* A missing piece in the middle: ENOENT, as the kernel says it. */
	memcpy(path + strlen(tmpl) + 1, "x", 1);
	errno = 0;
	ok(at_resolve(path, &dirfd, &name) < 0 && errno == ENOENT,
	    "a missing directory on the way: ENOENT");
	memcpy(path + strlen(tmpl) + 1, "c", 1);

	/* A last component longer than NAME_MAX is no name at all. */
	p = malloc(strlen(path) + 1 + 300 + 1);
	sprintf(p, "%s/%0300d", path, 0);
	errno = 0;
	ok(at_resolve(p, &dirfd, &name) < 0 && errno == ENAMETOOLONG,
	    "a last component past NAME_MAX: ENAMETOOLONG");
	free(p);

	/* Trailing slashes name the directory. */
	p = strrchr(path, '/');
	strcpy(p, "//");
	ok(at_resolve(path, &dirfd, &name) == 0 && fstatat(dirfd, name, &got,
	    0) == 0 && S_ISDIR(got.st_mode), "trailing slashes: the directory");
	at_release(dirfd);

	{
		struct at	a = at_path("plain");
		char		buf[PATH_MAX];

		struct at	b = { AT_FDCWD, "target", "link" };
		struct at	c = { 7, "f", "d/f" }, d = { 7, "target", "d/link" };

		ok(a.dirfd == AT_FDCWD && at_xattr_name(&a, buf,
		    sizeof(buf)) == a.path, "xattrs of a short path by it");
		ok(at_xattr_name(&b, buf, sizeof(buf)) == b.name,
		    "xattrs in the working directory by the name");
		ok(at_xattr_name(&c, buf, sizeof(buf)) == c.path,
		    "xattrs by a short path that ends in the name");
		ok(strcmp(at_xattr_name(&d, buf, sizeof(buf)),
		    "/proc/self/fd/7/target") == 0,
		    "xattrs by the descriptor where the path names it another way");
	}
	{
		struct stat	top, root, sub;
		int		tfd, pfd;

		tfd = open(tmpl, O_RDONLY | O_DIRECTORY);
		(void)mkdirat(tfd, "sub", 0755);
		fstat(tfd, &top);
		stat("/", &root);
		fstatat(tfd, "sub", &sub, 0);
		pfd = at_parent_open(tfd, "name");
		ok(pfd >= 0 && fstat(pfd, &got) == 0 && got.st_ino ==
		    top.st_ino, "the parent of a bare name: its directory");
		close(pfd);
		pfd = at_parent_open(tfd, "sub/name");
		ok(pfd >= 0 && fstat(pfd, &got) == 0 && got.st_ino ==
		    sub.st_ino, "the parent of sub/name: sub");
		close(pfd);
		pfd = at_parent_open(AT_FDCWD, "/x");
		ok(pfd >= 0 && fstat(pfd, &got) == 0 && got.st_ino ==
		    root.st_ino && got.st_dev == root.st_dev,
		    "the parent of /x: the root");
		close(pfd);
		errno = 0;
		ok(at_parent_open(tfd, "none/x") < 0 && errno == ENOENT,
		    "a missing parent: ENOENT");
		close(tfd);
	}
	free(path);
	path = malloc(strlen(tmpl) + 16);
	sprintf(path, "rm -rf %s", tmpl);
	ret = system(path);
	free(path);
	(void)ret;
	return tap_done();
}
