/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hard-link map, an open-addressing hash table keyed by (device,
 * inode).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linkmap.h"
#include "xmalloc.h"

static size_t
slot(const struct linkmap *m, dev_t dev, ino_t ino)
{
	uint64_t	h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;
	size_t		i = (size_t)(h ^ (h >> 29)) & (m->size - 1);

	while (m->tab[i].dst != NULL &&
	    (m->tab[i].dev != dev || m->tab[i].ino != ino))
		i = (i + 1) & (m->size - 1);
	return i;
}

struct linkent *
linkmap_find(const struct linkmap *m, const struct stat *st)
{
	struct linkent	*e;

	if (m->size == 0)
		return NULL;
	e = &m->tab[slot(m, st->st_dev, st->st_ino)];
	return e->dst != NULL ? e : NULL;
}

static void
grow(struct linkmap *m)
{
	struct linkmap	 bigger;
	size_t		 i;

	bigger.size = m->size == 0 ? 64 : 2 * m->size;
	bigger.used = m->used;
	bigger.tab = xcalloc(bigger.size, sizeof(*bigger.tab));
	for (i = 0; i < m->size; i++)
		if (m->tab[i].dst != NULL)
			bigger.tab[slot(&bigger, m->tab[i].dev,
			    m->tab[i].ino)] = m->tab[i];
	free(m->tab);
	*m = bigger;
}

void
linkmap_add(struct linkmap *m, const struct stat *st, const char *dst,
    const void *pending)
{
	struct linkent	*e;

	if (2 * (m->used + 1) > m->size)
		grow(m);
	e = &m->tab[slot(m, st->st_dev, st->st_ino)];
	if (e->dst != NULL) {
		if (!e->failed)
			return;
		free(e->dst);
		m->used--;
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->dst = xstrdup(dst);
	e->pending = pending;
	e->failed = 0;
	e->waiting = NULL;
	m->used++;
}

void
linkmap_wait(struct linkent *e, struct pendlink *p)
{
	p->next = NULL;
	if (e->waiting == NULL)
		e->waiting = p;
	else
		*e->tail = p;
	e->tail = &p->next;
}

struct pendlink *
linkmap_settle(struct linkmap *m, const struct stat *st, int ok)
{
	struct linkent	*e;
	struct pendlink	*list;

	if ((e = linkmap_find(m, st)) == NULL)
		return NULL;
	e->pending = NULL;
	e->failed = !ok;
	list = e->waiting;
	e->waiting = NULL;
	return list;
}

void
linkmap_free(struct linkmap *m)
{
	size_t	i;

	for (i = 0; i < m->size; i++)
		free(m->tab[i].dst);
	free(m->tab);
	memset(m, 0, sizeof(*m));
}
