/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON strings, for --stats=json and --log. */
#ifndef ACP_JSON_H
#define ACP_JSON_H

#include <stdio.h>

/*
 * s as a JSON string: quotes, backslashes and control characters
 * escaped, UTF-8 as it is; a byte that is not part of valid UTF-8 (a
 * name in another encoding) is written as the character of its value,
 * \u00XX, which json_utf8() tells apart.
 */
void	json_string(FILE *, const char *s);

/* Is s valid UTF-8, so that json_string() gives back its very bytes? */
int	json_utf8(const char *s);

/* s's bytes in hexadecimal, as a JSON string. */
void	json_hex(FILE *, const char *s);

#endif
