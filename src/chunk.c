/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Request planning; see chunk.h for the rule about st_size.  Requests
 * start on multiples of the block size and are a whole block long.  The
 * last one below the hint reaches past it, so on an unchanged file it
 * comes back short, at the hint: that is its EOF, and a small file takes
 * one read, not a read and an empty probe.  Only a file whose size is a
 * multiple of the block size needs the probe at the hint.
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
		if ((off_t)cp->bs > left) {
			/* Reaches past the hint: one such read at a time. */
			if (cp->beyond > 0)
				return CHUNK_WAIT;
			cp->beyond++;
		}
		*off = cp->next;
		*len = cp->bs;
		cp->next += (off_t)cp->bs;
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
	if (off + (off_t)cp->bs > cp->hint && cp->beyond > 0)
		cp->beyond--;
}

void
chunk_skip(struct chunk_plan *cp, off_t off)
{
	if (off > cp->next)
		cp->next = off;
}

int
chunk_done(const struct chunk_plan *cp)
{
	return cp->eof >= 0 && cp->next >= cp->eof;
}

int
chunk_past_hint(const struct chunk_plan *cp, off_t off, size_t len)
{
	return cp->hint > 0 && off + (off_t)len > cp->hint;
}

void
chunk_eof(struct chunk_plan *cp, off_t off)
{
	if (cp->eof < 0 || off < cp->eof)
		cp->eof = off;
}
