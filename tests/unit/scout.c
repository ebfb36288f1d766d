/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scout (scout.h) on a real tree: it goes exactly SCOUT_AHEAD
 * entries ahead of the walker and waits there, goes on as the walker
 * comes nearer, stats every entry of the tree once and goes through no
 * symbolic link, and stops when told, waiting or done.  Each check waits
 * for a count the scout must reach, never for a time.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "scout.h"

/* Files in d0 and in d1. */
#define N0	(2 * SCOUT_AHEAD)
#define N1	300
/* d0, its files, d1, its files, d1/sub, d1/sub/f, a file, a symlink. */
#define ENTRIES	(1 + N0 + 1 + N1 + 1 + 1 + 1 + 1)

static char	top[] = "/tmp/acp-scout.XXXXXX";

static void
make(const char *dir, int n)
{
	char	name[64];
	int	i, fd;

	if (mkdir(dir, 0755) < 0) {
		perror(dir);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "%s/f%04d", dir, i);
		if ((fd = open(name, O_WRONLY | O_CREAT, 0644)) < 0 ||
		    close(fd) < 0) {
			perror(name);
			exit(1);
		}
	}
}

static void
scene(void)
{
	if (mkdtemp(top) == NULL || chdir(top) < 0 || mkdir("t", 0755) < 0) {
		perror(top);
		exit(1);
	}
	make("t/d0", N0);
	make("t/d1", N1);
	make("t/d1/sub", 1);
	if (close(open("t/file", O_WRONLY | O_CREAT, 0644)) < 0 ||
	    symlink("d0", "t/link") < 0) {
		perror("t");
		exit(1);
	}
}

/*
 * Wait (yielding) until the scout has seen n entries; what it saw.  A
 * scout that never gets there fails the check instead of hanging the
 * test, after far more yields than the walk takes anywhere.
 */
static unsigned long
reach(struct scout *s, unsigned long n)
{
	unsigned long	tries;

	for (tries = 0; scout_seen(s) < n && tries < 100000000UL; tries++)
		(void)sched_yield();
	return scout_seen(s);
}

int
main(void)
{
	struct stat	 st;
	struct scout	*s;
	unsigned long	 i;
	char		 cmd[64];
	int		 still;

	tap_plan(7);
	scene();
	if (stat("t", &st) < 0) {
		perror("t");
		return 1;
	}
	ok(scout_start(AT_FDCWD, "missing", st.st_dev, 0) == NULL,
	    "no directory: no scout");

	s = scout_start(AT_FDCWD, "t", st.st_dev, 0);
	ok(s != NULL, "a scout starts");
	if (s == NULL)
		return tap_done();
	is((long)reach(s, SCOUT_AHEAD), (long)SCOUT_AHEAD,
	    "the walker at 0: it goes SCOUT_AHEAD entries ahead");
	for (i = 0; i < 1000; i++)
		(void)sched_yield();
	is((long)scout_seen(s), (long)SCOUT_AHEAD, "and waits there");

	/* Half the lead used up wakes it; it goes to the lead again. */
	for (i = 0; i < SCOUT_AHEAD / 2; i++)
		scout_walked(s);
	is((long)reach(s, SCOUT_AHEAD / 2 + SCOUT_AHEAD),
	    (long)(SCOUT_AHEAD / 2 + SCOUT_AHEAD),
	    "the walker half its lead on: it goes on to the lead again");

	/* The walker at the end: every entry once, not through the link. */
	for (i = SCOUT_AHEAD / 2; i < ENTRIES; i++)
		scout_walked(s);
	still = reach(s, ENTRIES) == ENTRIES;
	for (i = 0; i < 1000; i++)
		(void)sched_yield();
	ok(still && scout_seen(s) == ENTRIES,
	    "every entry of the tree stat-ed once, none through the symlink "
	    "(%lu of %d)", scout_seen(s), ENTRIES);
	scout_stop(s);

	/* Stopped while it waits at its lead. */
	s = scout_start(AT_FDCWD, "t", st.st_dev, 0);
	if (s != NULL)
		(void)reach(s, SCOUT_AHEAD);
	scout_stop(s);
	ok(s != NULL, "a scout waiting at its lead stops when told");

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	(void)system(cmd);
	return tap_done();
}
