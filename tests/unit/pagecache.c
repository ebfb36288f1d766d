/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The page cache: how much of a file it holds (cached, then dropped),
 * and the guess that spares most small files a look.
 */
#include "config.h"

#include <sys/types.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "pagecache.h"

/* Files in a row that take the guess, from g as it is. */
static unsigned
skips(struct pagecache_guess *g, unsigned tries)
{
	unsigned	i, n = 0;

	for (i = 0; i < tries; i++)
		n += pagecache_guess_skip(g);
	return n;
}

static void
guess(void)
{
	struct pagecache_guess	g;
	unsigned		i;

	memset(&g, 0, sizeof(g));
	ok(!pagecache_guess_skip(&g), "nothing looked at: look");
	for (i = 0; i < PAGECACHE_RUN - 1; i++)
		pagecache_guess_note(&g, 0);
	ok(!pagecache_guess_skip(&g), "%u cold in a row: still look",
	    PAGECACHE_RUN - 1);
	pagecache_guess_note(&g, 0);
	ok(g.warm == 0, "the answer kept is cold");
	is(skips(&g, PAGECACHE_RUN - 1), PAGECACHE_RUN - 1,
	    "%u alike: the next %u take the guess", PAGECACHE_RUN,
	    PAGECACHE_RUN - 1);
	ok(!pagecache_guess_skip(&g), "then one is looked at");
	pagecache_guess_note(&g, 0);
	is(skips(&g, 2 * PAGECACHE_RUN - 1), 2 * PAGECACHE_RUN - 1,
	    "it agreed: twice as many take the guess");
	ok(!pagecache_guess_skip(&g), "then one is looked at");
	for (i = 0; i < 8; i++)
		pagecache_guess_note(&g, 0);
	is(g.gap, PAGECACHE_GAP,
	    "agreeing on and on: the gap stops at %u", PAGECACHE_GAP);
	is(skips(&g, PAGECACHE_GAP - 1), PAGECACHE_GAP - 1,
	    "%u take the guess", PAGECACHE_GAP - 1);
	ok(!pagecache_guess_skip(&g), "the next look comes");
	pagecache_guess_note(&g, 7);
	ok(g.warm == 1 && g.same == 1, "a warm answer: the guess turns");
	ok(!pagecache_guess_skip(&g), "and every file is looked at again");
	for (i = 0; i < PAGECACHE_RUN - 1; i++)
		pagecache_guess_note(&g, 1);
	is(skips(&g, PAGECACHE_RUN - 1), PAGECACHE_RUN - 1,
	    "%u warm in a row: guessed warm", PAGECACHE_RUN);
}

static void
percent(void)
{
	char	dir[] = "/tmp/acp-pagecache.XXXXXX", path[64], buf[8192];
	int	fd, i, pct;

	if (mkdtemp(dir) == NULL) {
		perror(dir);
		exit(1);
	}
	(void)snprintf(path, sizeof(path), "%s/f", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0) {
		perror(path);
		exit(1);
	}
	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < 8; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror(path);
			exit(1);
		}
	is(pagecache_percent(fd, 0), 100, "an empty file is all cached");
	is(pagecache_percent(fd, 65536), 100, "just written: all cached");
	(void)fdatasync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	pct = pagecache_percent(fd, 65536);
	if (pct == 100)
		skip("this filesystem keeps its pages (tmpfs?)");
	else
		ok(pct >= 0 && pct < 100, "dropped: not all cached (%d%%)",
		    pct);
	for (i = 0; i < 8; i++)
		(void)pread(fd, buf, sizeof(buf), (off_t)i * sizeof(buf));
	is(pagecache_percent(fd, 65536), 100, "read again: all cached");
	/* Each page counted once: the first half cached is half. */
	(void)posix_fadvise(fd, 32768, 32768, POSIX_FADV_DONTNEED);
	pct = pagecache_percent(fd, 65536);
	if (pct == 100)
		skip("this filesystem keeps its pages (tmpfs?)");
	else
		is(pct, 50, "the second half dropped: 50%% cached");
	(void)close(fd);
	(void)unlink(path);
	(void)rmdir(dir);
}

int
main(void)
{
	tap_plan(18);
	guess();
	percent();
	return tap_done();
}
