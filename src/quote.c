/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names as GNU cp prints them in -v lines and prompts: in single quotes,
 * double quotes for a name with a single quote, and shell $'...' escapes
 * for what the locale cannot print.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "quote.h"

/* A byte's escape inside $'...', as GNU's quoting writes it. */
static void
quote_byte(FILE *fp, unsigned char ch)
{
	static const char	from[] = "\a\b\t\n\v\f\r", to[] = "abtnvfr";
	const char		*p;

	if (ch != '\0' && (p = strchr(from, ch)) != NULL)
		fprintf(fp, "\\%c", to[p - from]);
	else
		fprintf(fp, "\\%03o", ch);
}

/*
 * How many bytes at p make one printable character in the locale (1 for
 * printable ASCII), or 0 for a byte to escape.
 */
static size_t
printable_len(const char *p)
{
	mbstate_t	mbs;
	wchar_t		wc;
	size_t		n;

	if ((unsigned char)*p < 0x80)
		return isprint((unsigned char)*p) ? 1 : 0;
	memset(&mbs, 0, sizeof(mbs));
	n = mbrtowc(&wc, p, MB_CUR_MAX, &mbs);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || !iswprint(wc))
		return 0;
	return n;
}

void
quote_name(FILE *fp, const char *name)
{
	const char	*p;
	size_t		 n;
	int		 plain = 1, squote = 0, special = 0, dollar = 0;

	for (p = name; *p != '\0'; p += n) {
		if ((n = printable_len(p)) == 0) {
			plain = 0;
			n = 1;
		} else if (*p == '\'')
			squote = 1;
		else if (strchr("\"$`\\", *p) != NULL)
			special = 1;
	}
	if (plain && !squote) {
		fprintf(fp, "'%s'", name);
		return;
	}
	if (plain && !special) {
		fprintf(fp, "\"%s\"", name);
		return;
	}
	/*
	 * Shell quoting, as GNU cp -v: 'abc'\''def', and what cannot be
	 * printed in $'...' runs: 'a'$'\n\001''b'.
	 */
	fputc('\'', fp);
	for (p = name; *p != '\0'; p += n) {
		if ((n = printable_len(p)) == 0) {
			if (!dollar)
				fputs("'$'", fp);
			dollar = 1;
			quote_byte(fp, (unsigned char)*p);
			n = 1;
			continue;
		}
		if (dollar)
			fputs("''", fp);
		dollar = 0;
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fwrite(p, 1, n, fp);
	}
	fputc('\'', fp);
}

void
quote_arrow_note(FILE *fp, const char *src, const char *dst, const char *note)
{
	quote_name(fp, src);
	fputs(" -> ", fp);
	quote_name(fp, dst);
	if (note != NULL)
		fprintf(fp, " (%s)", note);
	fputc('\n', fp);
}

void
quote_arrow(FILE *fp, const char *src, const char *dst)
{
	quote_arrow_note(fp, src, dst, NULL);
}
