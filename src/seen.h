/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a run has already done, by 64-bit fingerprints: a key (the hash
 * of a destination's name) and a tag beside it (the hash of what was
 * copied there, 0 for nothing said).  About nineteen bytes an entry, so
 * that a list of a million names costs 19 MB: a sorted array, searched
 * by halves, and a small hashed tail of the newest entries, merged into
 * it when it has an eighth as many.
 */
#ifndef ACP_SEEN_H
#define ACP_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct seen_ent {
	uint64_t	key;
	uint64_t	tag;
};

struct seen {
	struct seen_ent	*ent;		/* sorted by key */
	size_t		 n;
	struct seen_ent	*tail;		/* the newest, unsorted */
	size_t		 tn, tcap;
	uint32_t	*slot;		/* the tail's: index + 1, 0 empty */
	size_t		 nslot;		/* a power of two, twice tcap */
};

/* The fingerprint of len bytes at s. */
uint64_t seen_hash(const void *s, size_t len);

/* Is key there?  1 and *tag (may be NULL) its tag, or 0. */
int	seen_find(const struct seen *, uint64_t key, uint64_t *tag);

/* Add key with its tag, unless it is there. */
void	seen_add(struct seen *, uint64_t key, uint64_t tag);

/* Free it all; the set is empty again. */
void	seen_free(struct seen *);

#endif
