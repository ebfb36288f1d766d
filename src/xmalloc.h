/* SPDX-License-Identifier: BSD-2-Clause */
/* Allocation that cannot fail: on failure, exit 1 naming the size. */
#ifndef ACP_XMALLOC_H
#define ACP_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t) __attribute__((malloc));
void	*xcalloc(size_t, size_t) __attribute__((malloc));
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *) __attribute__((nonnull));
char	*xstrndup(const char *, size_t) __attribute__((nonnull));
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3), nonnull(1, 2)));

#endif
