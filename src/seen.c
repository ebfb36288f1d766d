/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fingerprints of what a run did (seen.h).  An entry is added to the
 * tail, an open-addressed table; when the tail is full it is sorted and
 * merged into the sorted array from the back, in place once the array
 * is grown.  The tail holds an eighth of the array (1024 at least), so
 * an entry is moved about eight times over a run, and the array has no
 * empty slots: sixteen bytes an entry, and three for the tail.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "seen.h"
#include "xmalloc.h"

#define SEEN_TAIL_MIN	1024

uint64_t
seen_hash(const void *s, size_t len)
{
	return XXH3_64bits(s, len);
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct seen_ent	*x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* The tail's slot for key: its own, or the empty one to put it in. */
static size_t
tail_slot(const struct seen *s, uint64_t key)
{
	size_t	i = (size_t)key & (s->nslot - 1);

	while (s->slot[i] != 0 && s->tail[s->slot[i] - 1].key != key)
		i = (i + 1) & (s->nslot - 1);
	return i;
}

int
seen_find(const struct seen *s, uint64_t key, uint64_t *tag)
{
	const struct seen_ent	*e = NULL;
	size_t			 lo = 0, hi = s->n, mid, i;

	if (s->tn > 0) {
		i = tail_slot(s, key);
		if (s->slot[i] != 0)
			e = &s->tail[s->slot[i] - 1];
	}
	while (e == NULL && lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->ent[mid].key == key)
			e = &s->ent[mid];
		else if (s->ent[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (e == NULL)
		return 0;
	if (tag != NULL)
		*tag = e->tag;
	return 1;
}

/* Sort the tail into the array; the tail is empty again. */
static void
seen_merge(struct seen *s)
{
	size_t	i = s->n, j = s->tn, k = s->n + s->tn;

	qsort(s->tail, s->tn, sizeof(*s->tail), ent_cmp);
	s->ent = xreallocarray(s->ent, k, sizeof(*s->ent));
	while (j > 0) {
		if (i > 0 && s->ent[i - 1].key > s->tail[j - 1].key)
			s->ent[--k] = s->ent[--i];
		else
			s->ent[--k] = s->tail[--j];
	}
	s->n += s->tn;
	s->tn = 0;
	memset(s->slot, 0, s->nslot * sizeof(*s->slot));
}

void
seen_add(struct seen *s, uint64_t key, uint64_t tag)
{
	size_t	want;

	if (seen_find(s, key, NULL))
		return;
	if (s->tn == s->tcap) {
		if (s->tn > 0)
			seen_merge(s);
		want = s->n / 8 > SEEN_TAIL_MIN ? s->n / 8 : SEEN_TAIL_MIN;
		if (want > s->tcap) {
			s->tcap = want;
			s->tail = xreallocarray(s->tail, s->tcap,
			    sizeof(*s->tail));
			for (s->nslot = 1; s->nslot < 2 * s->tcap; )
				s->nslot *= 2;
			free(s->slot);
			s->slot = xcalloc(s->nslot, sizeof(*s->slot));
		}
	}
	s->tail[s->tn].key = key;
	s->tail[s->tn].tag = tag;
	s->slot[tail_slot(s, key)] = (uint32_t)++s->tn;
}

void
seen_free(struct seen *s)
{
	free(s->ent);
	free(s->tail);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
