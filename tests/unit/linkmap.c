/* SPDX-License-Identifier: BSD-2-Clause */
/* The hard-link map: first names, waiting names, failed copies, growth. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "linkmap.h"

static struct stat
inode(dev_t dev, ino_t ino)
{
	struct stat	st;

	memset(&st, 0, sizeof(st));
	st.st_dev = dev;
	st.st_ino = ino;
	return st;
}

int
main(void)
{
	struct linkmap	 m;
	struct linkent	*e;
	struct pendlink	 p1, p2, *list;
	struct stat	 a = inode(1, 7), b = inode(2, 7), st;
	char		 name[32];
	int		 job, i, found;

	tap_plan(12);
	memset(&m, 0, sizeof(m));
	ok(linkmap_find(&m, &a) == NULL, "an empty map finds nothing");
	linkmap_add(&m, &a, "dst/a", &job);
	e = linkmap_find(&m, &a);
	ok(e != NULL && strcmp(e->dst, "dst/a") == 0 && e->pending == &job,
	    "the first name, its copy in flight");
	ok(linkmap_find(&m, &b) == NULL, "the same inode on another device "
	    "is another file");
	linkmap_add(&m, &a, "dst/other", NULL);
	ok(strcmp(linkmap_find(&m, &a)->dst, "dst/a") == 0,
	    "a second add keeps the first name");

	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	linkmap_wait(e, &p1);
	linkmap_wait(e, &p2);
	list = linkmap_settle(&m, &a, 1);
	ok(list == &p1 && p1.next == &p2 && p2.next == NULL,
	    "waiting names come back in the order they came");
	ok(e->pending == NULL && !e->failed, "settled: done, not failed");
	ok(linkmap_settle(&m, &a, 1) == NULL, "nothing waits any more");

	linkmap_add(&m, &b, "dst/b", &job);
	(void)linkmap_settle(&m, &b, 0);
	ok(linkmap_find(&m, &b)->failed, "a failed first copy is marked");
	linkmap_add(&m, &b, "dst/b2", &job);
	e = linkmap_find(&m, &b);
	ok(strcmp(e->dst, "dst/b2") == 0 && !e->failed && e->pending == &job,
	    "the next name replaces a failed first copy");

	/* Past the first table of 64: every entry is still found. */
	for (i = 100; i < 1100; i++) {
		st = inode(3, (ino_t)i);
		snprintf(name, sizeof(name), "n%d", i);
		linkmap_add(&m, &st, name, NULL);
	}
	for (found = 0, i = 100; i < 1100; i++) {
		st = inode(3, (ino_t)i);
		snprintf(name, sizeof(name), "n%d", i);
		e = linkmap_find(&m, &st);
		found += e != NULL && strcmp(e->dst, name) == 0;
	}
	is(found, 1000, "a thousand inodes, each found after growth");
	ok(m.size >= 2 * m.used, "the table stays at most half full");
	ok(linkmap_find(&m, &a) != NULL, "the first entries survive growth");
	linkmap_free(&m);
	return tap_done();
}
