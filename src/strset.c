/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "xmalloc.h"

static size_t
slot(char *const *tab, size_t size, const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	const char	*p;
	size_t		 i;

	for (p = s; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (i = (size_t)h & (size - 1); tab[i] != NULL &&
	    strcmp(tab[i], s) != 0; i = (i + 1) & (size - 1))
		;
	return i;
}

const char *
strset_find(const struct strset *set, const char *s)
{
	return set->size > 0 ? set->tab[slot(set->tab, set->size, s)] : NULL;
}

int
strset_has(const struct strset *set, const char *s)
{
	return strset_find(set, s) != NULL;
}

int
strset_add(struct strset *set, char *s)
{
	char	**bigger;
	size_t	  i, size;

	if (strset_has(set, s)) {
		free(s);
		return 0;
	}
	if (2 * (set->used + 1) > set->size) {
		size = set->size == 0 ? 64 : 2 * set->size;
		bigger = xcalloc(size, sizeof(*bigger));
		for (i = 0; i < set->size; i++)
			if (set->tab[i] != NULL)
				bigger[slot(bigger, size, set->tab[i])] =
				    set->tab[i];
		free(set->tab);
		set->tab = bigger;
		set->size = size;
	}
	set->tab[slot(set->tab, set->size, s)] = s;
	set->used++;
	return 1;
}

void
strset_free(struct strset *set)
{
	size_t	i;

	for (i = 0; i < set->size; i++)
		free(set->tab[i]);
	free(set->tab);
	set->tab = NULL;
	set->size = set->used = 0;
}
