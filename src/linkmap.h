/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hard-link map: (device, inode) of a source file with more than one
 * name, to the destination path its first name was copied to.  While
 * that first copy is in flight, later names wait on its entry and are
 * linked when it is done.  Open addressing, grown at half full; it holds
 * only multiply-linked files.  Pure memory: no I/O.
 */
#ifndef ACP_LINKMAP_H
#define ACP_LINKMAP_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>

struct wdir;

/* A second name met while its first copy was in flight. */
struct pendlink {
	char		*src;
	char		*dst;
	const char	*dname;		/* in dir's destination, or dst */
	int		 dst_exists;
	struct wdir	*dir;		/* a reference: the link changes it */
	unsigned	 tk;		/* in dir's copy in this destination */
	struct pendlink	*next;
};

struct linkent {
	dev_t		 dev;
	ino_t		 ino;
	char		*dst;		/* NULL: empty slot */
	struct pendlink	*waiting;	/* names to link when it is done */
	struct pendlink	**tail;
	const void	*pending;	/* its copy, still in flight */
	int		 failed;	/* that copy failed: copy again */
};

struct linkmap {
	struct linkent	*tab;
	size_t		 size;		/* a power of two, or 0 */
	size_t		 used;
};

/* The entry of st's inode, or NULL. */
struct linkent *linkmap_find(const struct linkmap *, const struct stat *st);

/*
 * Remember dst as the first name of st's inode, its copy in flight as
 * pending.  A name whose copy failed is replaced; one that did not is
 * kept.
 */
void	linkmap_add(struct linkmap *, const struct stat *st, const char *dst,
	    const void *pending);

/* p waits on e's copy; it is handed back by linkmap_settle(). */
void	linkmap_wait(struct linkent *e, struct pendlink *p);

/*
 * The copy of st's first name is finished (ok: it succeeded); the names
 * that waited for it, which the caller links and frees.
 */
struct pendlink *linkmap_settle(struct linkmap *, const struct stat *st,
	    int ok);

/* Free the map (not the waiting names: settle them first). */
void	linkmap_free(struct linkmap *);

#endif
