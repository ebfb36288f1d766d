/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The look ahead (prestat.h) on real directories: whatever prestat_found()
 * says was looked at holds what an lstat of the name in the destination
 * and a stat of the source (with the batch's flags) give, whether the
 * thread or the walker looked; a batch never asked, one ended early, and
 * one with no thread behind it are the walker's alone; many small
 * batches in a row hand over cleanly.  The split between the two sides
 * depends on timing and is not checked, only that it is never wrong.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "prestat.h"

#define NFILES	300

static char	 top[] = "/tmp/acp-prestat.XXXXXX";
static int	 sfd, dfd;

static void
make(int fd, const char *name, size_t size)
{
	char	buf[512];
	int	f;

	memset(buf, 'x', sizeof(buf));
	if ((f = openat(fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    write(f, buf, size) != (ssize_t)size || close(f) < 0) {
		perror(name);
		exit(1);
	}
}

/* Two directories: every name in the source, every other one there. */
static void
scene(void)
{
	char	name[32];
	int	i;

	if (mkdtemp(top) == NULL || chdir(top) < 0 || mkdir("s", 0755) < 0 ||
	    mkdir("d", 0755) < 0) {
		perror(top);
		exit(1);
	}
	sfd = open("s", O_RDONLY | O_DIRECTORY);
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	for (i = 0; i < NFILES; i++) {
		(void)snprintf(name, sizeof(name), "n%03d", i);
		make(sfd, name, (size_t)(i % 500));
		if (i % 2 == 0)
			make(dfd, name, (size_t)((i + 7) % 500));
	}
	/* A symlink in the source: followed or not as the batch says. */
	if (symlinkat("n001", sfd, "link") < 0) {
		perror("link");
		exit(1);
	}
}

static void
unscene(void)
{
	char	cmd[64];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	(void)system(cmd);
}

/* Does what was found for name match a stat made now? */
static int
holds(int fd, const char *name, int flags, const struct policy_ahead *a)
{
	struct stat	st;
	int		err = 0;

	if (fstatat(fd, name, &st, flags) < 0)
		err = errno;
	if (err != a->err)
		return 0;
	return err != 0 || (st.st_ino == a->st.st_ino &&
	    st.st_size == a->st.st_size && st.st_mode == a->st.st_mode);
}

/* Batch names first..first+n-1 (the symlink where i is NFILES). */
static void
fill(struct prestat_batch *b, size_t first, size_t n, int sflags)
{
	char	name[32];
	size_t	i;

	for (i = 0; i < b->n; i++)
		free(b->name[i]);
	for (i = 0; i < n; i++) {
		if (first + i == NFILES)
			(void)snprintf(name, sizeof(name), "link");
		else
			(void)snprintf(name, sizeof(name), "n%03zu",
			    (first + i) % NFILES);
		b->name[i] = strdup(name);
	}
	b->n = n;
	b->sflags = sflags;
	prestat_fresh(b);
}

/*
 * Walk b as the walker does, ending it after stop entries (all when
 * stop is b->n): how many entries were said looked at with a wrong
 * result; *seen counts those said looked at.
 */
static int
walk(struct prestat *p, struct prestat_batch *b, size_t stop, size_t *seen)
{
	struct stat	st;
	size_t		i;
	int		wrong = 0;

	*seen = 0;
	for (i = 0; i < b->n; i++) {
		if (i == stop)
			prestat_end(p);
		if (!prestat_found(b, i, dfd, sfd)) {
			/* Its own look, as the walker's decision makes. */
			(void)fstatat(dfd, b->name[i], &st,
			    AT_SYMLINK_NOFOLLOW);
			(void)fstatat(sfd, b->name[i], &st, b->sflags);
			continue;
		}
		(*seen)++;
		if (!holds(dfd, b->name[i], AT_SYMLINK_NOFOLLOW,
		    &b->found[i]) || !holds(sfd, b->name[i], b->sflags,
		    &b->src[i]))
			wrong++;
	}
	prestat_end(p);
	return wrong;
}

int
main(void)
{
	struct prestat		 p, none;
	struct prestat_batch	*b;
	size_t			 seen, k, n;
	int			 wrong;

	tap_plan(8);
	scene();
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return 1;
	ok(prestat_start(&p) == 0, "the thread starts");

	fill(b, 0, PRESTAT_BATCH, AT_SYMLINK_NOFOLLOW);
	prestat_ask(&p, dfd, sfd, b);
	wrong = walk(&p, b, b->n, &seen);
	ok(wrong == 0, "a full batch: all %zu looked at are right "
	    "(destination there or not)", seen);

	fill(b, NFILES - 10, 20, 0);
	prestat_ask(&p, dfd, sfd, b);
	wrong = walk(&p, b, b->n, &seen);
	ok(wrong == 0, "sources followed: the symlink's target, %zu right",
	    seen);

	fill(b, 0, 50, AT_SYMLINK_NOFOLLOW);
	wrong = walk(&p, b, b->n, &seen);
	ok(wrong == 0 && seen == 0, "never asked: the walker looks at all");

	fill(b, 0, PRESTAT_BATCH, AT_SYMLINK_NOFOLLOW);
	prestat_ask(&p, dfd, sfd, b);
	wrong = walk(&p, b, 3, &seen);
	ok(wrong == 0, "ended after 3 entries: %zu said looked at, all right",
	    seen);
	/* After the end, only what was done before it counts. */
	n = seen;
	wrong = walk(&p, b, 0, &seen);
	ok(wrong == 0 && seen == n, "walked again after the end: the same "
	    "%zu, none new", seen);

	wrong = 0;
	for (k = 0; k < 500; k++) {
		fill(b, k % NFILES, 1 + k % 5, AT_SYMLINK_NOFOLLOW);
		prestat_ask(&p, dfd, sfd, b);
		wrong += walk(&p, b, b->n, &seen);
	}
	ok(wrong == 0, "500 small batches in a row: all right");
	prestat_stop(&p);

	/* No thread (it could not be started): the walker alone. */
	memset(&none, 0, sizeof(none));
	fill(b, 0, 40, AT_SYMLINK_NOFOLLOW);
	prestat_ask(&none, dfd, sfd, b);
	wrong = walk(&none, b, b->n, &seen);
	ok(wrong == 0 && seen == 0, "no thread: nothing said looked at");
	prestat_stop(&none);

	fill(b, 0, 0, 0);
	free(b);
	(void)close(sfd);
	(void)close(dfd);
	unscene();
	return tap_done();
}
