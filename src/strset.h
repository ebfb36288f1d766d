/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A set of strings: open addressing on FNV-1a, grown at half full, so
 * that a run over many names is not a quadratic scan.
 */
#ifndef ACP_STRSET_H
#define ACP_STRSET_H

#include <stddef.h>

struct strset {
	char	**tab;		/* NULL: an empty slot */
	size_t	  size;		/* a power of two, or 0 */
	size_t	  used;
};

/* Is s in the set? */
int	strset_has(const struct strset *, const char *s);

/*
 * The string of the set equal to s, or NULL.  A string added may carry
 * bytes of the caller's after its NUL (a value for the key): they are
 * neither hashed nor compared, and come back with it.
 */
const char *strset_find(const struct strset *, const char *s);

/* Add s (once); takes ownership of s.  1 if it was new, 0 if not. */
int	strset_add(struct strset *, char *s);

/* Free every string and the table; the set is empty again. */
void	strset_free(struct strset *);

#endif
