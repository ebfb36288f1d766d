/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-order hashing over a window of slots.  Offsets handed in are
 * multiples of the block size (a hole's edges are rounded inwards by the
 * caller), so the block at off always has slot (off / bs) % nslots, and
 * two blocks in the window never share one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hashpipe.h"
#include "xmalloc.h"

static struct hashpipe_blk *
slot_of(const struct hashpipe *hp, off_t off)
{
	return &hp->slots[(size_t)(off / (off_t)hp->bs) % hp->nslots];
}

int
hashpipe_start(struct hashpipe *hp, const struct checksum_algo *algo,
    unsigned nslots, size_t bs)
{
	int	ret;

	if ((ret = checksum_init(&hp->ck, algo)) < 0)
		return ret;
	if (hp->slots == NULL || hp->nslots != nslots) {
		free(hp->slots);
		free(hp->holes);
		hp->slots = xcalloc(nslots, sizeof(*hp->slots));
		hp->holes = xcalloc(nslots + 1, sizeof(*hp->holes));
	} else
		memset(hp->slots, 0, nslots * sizeof(*hp->slots));
	hp->nslots = nslots;
	hp->bs = bs;
	hp->off = 0;
	hp->hhead = hp->hcount = 0;
	hp->on = 1;
	return 0;
}

int
hashpipe_fits(const struct hashpipe *hp, off_t off)
{
	off_t	bs = (off_t)hp->bs;

	return off < hp->off - hp->off % bs + (off_t)hp->nslots * bs;
}

int
hashpipe_holes_full(const struct hashpipe *hp)
{
	return hp->hcount == hp->nslots + 1;
}

void
hashpipe_hole(struct hashpipe *hp, off_t start, off_t end)
{
	hp->holes[(hp->hhead + hp->hcount) % (hp->nslots + 1)] =
	    (struct hashpipe_hole){ start, end };
	hp->hcount++;
}

void
hashpipe_put(struct hashpipe *hp, off_t off, const char *data, size_t len,
    void *owner)
{
	*slot_of(hp, off) = (struct hashpipe_blk){ off, data, len, owner };
}

/* Hash the hole that starts where the hash is, if there is one; 1 if so. */
static int
hash_hole(struct hashpipe *hp)
{
	static const char	 zeros[65536];
	struct hashpipe_hole	*h;
	off_t			 n;

	if (hp->hcount == 0 || hp->holes[hp->hhead].start != hp->off)
		return 0;
	h = &hp->holes[hp->hhead];
	for (; h->start < h->end; h->start += n) {
		n = h->end - h->start;
		if (n > (off_t)sizeof(zeros))
			n = sizeof(zeros);
		checksum_update(&hp->ck, zeros, (size_t)n);
	}
	hp->off = h->end;
	hp->hhead = (hp->hhead + 1) % (hp->nslots + 1);
	hp->hcount--;
	return 1;
}

void *
hashpipe_next(struct hashpipe *hp)
{
	struct hashpipe_blk	*b;
	void			*owner;

	while (hash_hole(hp))
		;
	b = slot_of(hp, hp->off);
	if (b->owner == NULL || b->off != hp->off)
		return NULL;
	checksum_update(&hp->ck, b->data, b->len);
	hp->off += (off_t)b->len;
	owner = b->owner;
	memset(b, 0, sizeof(*b));
	return owner;
}

void
hashpipe_forget(struct hashpipe *hp, off_t off, const void *owner)
{
	struct hashpipe_blk	*b;

	if (hp->slots == NULL)
		return;
	b = slot_of(hp, off);
	if (b->owner == owner)
		memset(b, 0, sizeof(*b));
}

void *
hashpipe_owner(const struct hashpipe *hp, unsigned i)
{
	return hp->slots[i].owner;
}

void
hashpipe_end(struct hashpipe *hp, char *hex)
{
	if (!hp->on)
		return;
	if (hex != NULL)
		checksum_final(&hp->ck, hex);
	else
		checksum_free(&hp->ck);
	hp->on = 0;
}

void
hashpipe_free(struct hashpipe *hp)
{
	free(hp->slots);
	free(hp->holes);
	hp->slots = NULL;
	hp->holes = NULL;
	hp->nslots = 0;
}
