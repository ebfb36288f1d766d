/* SPDX-License-Identifier: BSD-2-Clause */
/* Quoting names as GNU cp does. */
#ifndef ACP_QUOTE_H
#define ACP_QUOTE_H

#include <stdio.h>

/* Print name quoted as GNU cp's -v does ('a', "it's", 'a'$'\n''b'). */
void	quote_name(FILE *, const char *name);

/* A -v line: "'src' -> 'dst'" and a newline. */
void	quote_arrow(FILE *, const char *src, const char *dst);

/* The same with " (note)" before the newline (NULL: none). */
void	quote_arrow_note(FILE *, const char *src, const char *dst,
	    const char *note);

#endif
