/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON strings (json.h). */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "json.h"

/*
 * The length of the valid UTF-8 sequence at s (1 to 4), or 0: shortest
 * forms only, no surrogates, nothing past U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned	c = s[0], min, cp;
	size_t		n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
json_string(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	putc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(fp, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20) {
			fprintf(fp, "\\u%04x", *p++);
			continue;
		}
		if ((n = utf8_len(p)) == 0) {
			fprintf(fp, "\\u%04x", *p++);
			continue;
		}
		fwrite(p, 1, n, fp);
		p += n;
	}
	putc('"', fp);
}

int
json_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	for (; *p != '\0'; p += n)
		if ((n = utf8_len(p)) == 0)
			return 0;
	return 1;
}

void
json_hex(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++)
		fprintf(fp, "%02x", (unsigned char)*s);
	putc('"', fp);
}
