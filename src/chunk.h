/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The request planner: which part of a source file to read next.  Pure
 * logic, no system calls, so that it is tested on its own.
 *
 * The size a file reports (st_size) is only a hint: files in /proc say 0
 * and have content, and any file may grow or shrink while it is read.  So
 * below the hint the planner cuts block-size requests that may all be in
 * flight at once, and at or past it reads one request at a time until a
 * read comes back empty, or (for a regular file) short past the hint:
 * that, and only that, is the end of the file.
 */
#ifndef ACP_CHUNK_H
#define ACP_CHUNK_H

#include <sys/types.h>

#include <stddef.h>

struct chunk_plan {
	off_t		next;	/* next offset to hand out */
	off_t		hint;	/* st_size when the copy began */
	off_t		eof;	/* end of data once a read found it, or -1 */
	size_t		bs;	/* bytes per request */
	unsigned	beyond;	/* reads in flight at or past hint */
};

#define CHUNK_WAIT	0	/* nothing to issue until a read completes */
#define CHUNK_READ	1	/* issue the read in *off, *len */
#define CHUNK_DONE	(-1)	/* every read the file needs was handed out */

/* Start planning a file that reports hint bytes, in bs-byte requests. */
void	chunk_init(struct chunk_plan *, off_t hint, size_t bs);

/* CHUNK_READ with *off and *len set, CHUNK_WAIT or CHUNK_DONE. */
int	chunk_next(struct chunk_plan *, off_t *off, size_t *len);

/*
 * The read handed out at off has finished reading (full, or short and
 * ended by EOF); lets the next read past the hint go.
 */
void	chunk_read_done(struct chunk_plan *, off_t off);

/* A read found the end of the data at off. */
void	chunk_eof(struct chunk_plan *, off_t off);

/*
 * Skip to off (a hole in the source: nothing to read before it); off is
 * at or past the next offset, and a multiple of the block size or the
 * hint.
 */
void	chunk_skip(struct chunk_plan *, off_t off);

/* Every read the file needs was handed out and its EOF is known. */
int	chunk_done(const struct chunk_plan *);

/*
 * Does the read [off, off + len) reach past a non-zero hint?  A regular
 * file's read that stops short there has met the file's end (the size
 * is checked again after the copy, so growth is still caught).
 */
int	chunk_past_hint(const struct chunk_plan *, off_t off, size_t len);

#endif
