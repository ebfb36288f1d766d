/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-order hashing.  Reads complete in any order; a file's hash must be
 * fed strictly in offset order.  A read block waits in its slot (its
 * buffer held by its owner) until every byte before it has been hashed;
 * holes that were skipped, not read, are hashed as zeros in their turn.
 *
 * The window is nslots blocks of bs bytes from the hash's position: a
 * block further out has no slot and must not be read yet (ask
 * hashpipe_fits()).  Pure logic over memory the caller owns: no I/O.
 */
#ifndef ACP_HASHPIPE_H
#define ACP_HASHPIPE_H

#include <sys/types.h>

#include <stddef.h>

#include "checksum.h"

/* A block read and waiting for its turn; owner NULL: an empty slot. */
struct hashpipe_blk {
	off_t		 off;
	const char	*data;
	size_t		 len;
	void		*owner;
};

/* A hole of the source that was not read. */
struct hashpipe_hole {
	off_t		start;
	off_t		end;
};

struct hashpipe {
	struct checksum		 ck;
	int			 on;		/* a hash is being computed */
	off_t			 off;		/* hashed: all before this */
	size_t			 bs;
	unsigned		 nslots;
	struct hashpipe_blk	*slots;		/* nslots */
	struct hashpipe_hole	*holes;		/* a ring of nslots + 1 */
	unsigned		 hhead, hcount;
};

/*
 * Start hashing with algo from offset 0, over a window of nslots blocks
 * of bs bytes (the memory is kept across restarts and freed by
 * hashpipe_free()).  0, or -errno from checksum_init().
 */
int	hashpipe_start(struct hashpipe *, const struct checksum_algo *,
	    unsigned nslots, size_t bs);

/* May the block at off (a multiple of bs) be read now: is it in the window? */
int	hashpipe_fits(const struct hashpipe *, off_t off);

/* Is the ring of holes full?  Then no hole may be added until it drains. */
int	hashpipe_holes_full(const struct hashpipe *);

/* [start, end) is a hole, to hash as zeros in its turn. */
void	hashpipe_hole(struct hashpipe *, off_t start, off_t end);

/* The block at off (in the window) was read: len bytes at data. */
void	hashpipe_put(struct hashpipe *, off_t off, const char *data,
	    size_t len, void *owner);

/*
 * Hash what is next in offset order: the holes up to the next block,
 * then that block if it is in.  Returns the owner of the block hashed
 * (its slot is empty again), or NULL when nothing more is ready.
 */
void	*hashpipe_next(struct hashpipe *);

/* The block of owner at off no longer waits (its owner let it go). */
void	 hashpipe_forget(struct hashpipe *, off_t off, const void *owner);

/* The owner waiting in slot i (0 to nslots - 1), or NULL. */
void	*hashpipe_owner(const struct hashpipe *, unsigned i);

/* Finish the hash into hex (CHECKSUM_MAX_HEX), or drop it with NULL. */
void	 hashpipe_end(struct hashpipe *, char *hex);

/* Release the window's memory (after hashpipe_end()); NULL-safe fields. */
void	 hashpipe_free(struct hashpipe *);

#endif
