/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Request planning; see chunk.h for the rule about st_size.  Requests
 * below the hint start on multiples of the block size and the last one
 * stops at the hint, so the read that finds EOF on an unchanged file is the
 * single probe at the hint.
 */
#include "config.h"

#include "chunk.h"

void
chunk_init(struct chunk_plan *cp, off_t hint, size_t bs)
{
	cp->next = 0;
	cp->hint = hint < 0 ? 0 : hint;
	cp->eof = -1;
	cp->bs = bs;
	cp->beyond = 0;
}

int
chunk_next(struct chunk_plan *cp, off_t *off, size_t *len)
{
	off_t	left;

	if (cp->eof >= 0 && cp->next >= cp->eof)
		return CHUNK_DONE;
	if (cp->next < cp->hint) {
		left = cp->hint - cp->next;
		*off = cp->next;
		*len = (off_t)cp->bs < left ? cp->bs : (size_t)left;
		cp->next += (off_t)*len;
		return CHUNK_READ;
	}
	/* Past what the file said it held: one read at a time. */
	if (cp->eof >= 0)
		return CHUNK_DONE;
	if (cp->beyond > 0)
		return CHUNK_WAIT;
	cp->beyond++;
	*off = cp->next;
	*len = cp->bs;
	cp->next += (off_t)cp->bs;
	return CHUNK_READ;
}

void
chunk_read_done(struct chunk_plan *cp, off_t off)
{
	if (off >= cp->hint && cp->beyond > 0)
		cp->beyond--;
}

void
chunk_eof(struct chunk_plan *cp, off_t off)
{
	if (cp->eof < 0 || off < cp->eof)
		cp->eof = off;
}
