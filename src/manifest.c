/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writing and parsing manifest lines.  The parser takes hostile input:
 * lines are bounded (MANIFEST_MAX_LINE), NUL bytes and junk are refused
 * with a reason, and nothing is read past len.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "xmalloc.h"

int
manifest_needs_escape(const char *name)
{
	return strpbrk(name, "\\\n\r") != NULL;
}

void
manifest_write_name(FILE *fp, const char *name, int escape)
{
	const char	*p;

	if (!escape) {
		fputs(name, fp);
		return;
	}
	for (p = name; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\r')
			fputs("\\r", fp);
		else
			fputc(*p, fp);
	}
}

void
manifest_write(FILE *fp, const struct checksum_algo *algo, const char *hex,
    const char *name, int tag)
{
	int	escape = manifest_needs_escape(name);

	if (escape)
		fputc('\\', fp);
	if (tag || algo->tagged) {
		fprintf(fp, "%s (", algo->tag);
		manifest_write_name(fp, name, escape);
		fprintf(fp, ") = %s\n", hex);
	} else {
		fprintf(fp, "%s  ", hex);
		manifest_write_name(fp, name, escape);
		fputc('\n', fp);
	}
}

/* Undo write_name()'s escaping; NULL on a bad escape. */
static char *
unescape(const char *s, size_t len, int escaped)
{
	char	*out, *o;
	size_t	 i;

	out = o = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (!escaped || s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (++i == len)
			goto bad;
		if (s[i] == '\\')
			*o++ = '\\';
		else if (s[i] == 'n')
			*o++ = '\n';
		else if (s[i] == 'r')
			*o++ = '\r';
		else
			goto bad;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static const struct checksum_algo *
algo_by_length(size_t hexlen, const struct checksum_algo *hint)
{
	if (hint != NULL)
		return 2 * hint->size == hexlen ? hint : NULL;
	switch (hexlen) {
	case 16:
		return checksum_find("xxh64");
	case 32:
		return checksum_find("xxh128");
	case 40:
		return checksum_find("sha1");
	case 64:
		return checksum_find("sha256");
	case 128:
		return checksum_find("sha512");
	}
	return NULL;
}

static size_t
hex_span(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len && isxdigit((unsigned char)s[i]); i++)
		;
	return i;
}

static void
copy_hex(char *dst, const char *src, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
}

/* "TAG (name) = hex", after any leading '\'. */
static int
parse_bsd(const char *s, size_t len, int escaped,
    const struct checksum_algo *hint, struct manifest_entry *e,
    const char **why)
{
	char		 tag[16];
	const char	*open, *close = NULL, *p;
	size_t		 taglen, hexlen;

	if ((open = memchr(s, ' ', len)) == NULL || (size_t)(open - s) >=
	    sizeof(tag) || open + 1 >= s + len || open[1] != '(') {
		*why = "improperly formatted checksum line";
		return -EINVAL;
	}
	taglen = (size_t)(open - s);
	memcpy(tag, s, taglen);
	tag[taglen] = '\0';
	if ((e->algo = checksum_find_tag(tag)) == NULL) {
		*why = "unknown checksum algorithm";
		return -EINVAL;
	}
	if (hint != NULL && hint != e->algo) {
		*why = "algorithm differs from --checksum";
		return -EINVAL;
	}
	/* The last ") = " ends the name: names may hold ") = " too. */
	for (p = open + 2; p + 4 <= s + len; p++)
		if (memcmp(p, ") = ", 4) == 0)
			close = p;
	if (close == NULL) {
		*why = "improperly formatted checksum line";
		return -EINVAL;
	}
	hexlen = (size_t)(s + len - (close + 4));
	if (hexlen != 2 * e->algo->size ||
	    hex_span(close + 4, hexlen) != hexlen) {
		*why = "digest has the wrong length or is not hexadecimal";
		return -EINVAL;
	}
	copy_hex(e->hex, close + 4, hexlen);
	e->tagged = 1;
	if (close == open + 2 || (e->name = unescape(open + 2,
	    (size_t)(close - (open + 2)), escaped)) == NULL) {
		*why = "bad file name";
		return -EINVAL;
	}
	return 0;
}

int
manifest_parse(const char *line, size_t len,
    const struct checksum_algo *hint, struct manifest_entry *e,
    const char **why)
{
	size_t	hexlen;
	int	escaped = 0;

	memset(e, 0, sizeof(*e));
	if (memchr(line, '\0', len) != NULL) {
		*why = "line holds a NUL byte";
		return -EINVAL;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;	/* written on Windows */
	if (len > 0 && line[0] == '\\') {
		escaped = 1;
		line++;
		len--;
	}
	hexlen = hex_span(line, len);
	if (hexlen == 0 || hexlen == len || line[hexlen] != ' ')
		return parse_bsd(line, len, escaped, hint, e, why);

	/* "hex  name" (text) or "hex *name" (binary). */
	if (hexlen + 2 > len || (line[hexlen + 1] != ' ' &&
	    line[hexlen + 1] != '*') || hexlen + 2 == len) {
		*why = "improperly formatted checksum line";
		return -EINVAL;
	}
	if (hexlen >= CHECKSUM_MAX_HEX ||
	    (e->algo = algo_by_length(hexlen, hint)) == NULL) {
		*why = "digest length fits no algorithm";
		return -EINVAL;
	}
	copy_hex(e->hex, line, hexlen);
	if ((e->name = unescape(line + hexlen + 2, len - hexlen - 2,
	    escaped)) == NULL) {
		*why = "bad escape in file name";
		return -EINVAL;
	}
	return 0;
}

long
manifest_read_line(FILE *fp, char *buf)
{
	long	n = 0;
	int	ch, toolong = 0;

	while ((ch = getc(fp)) != EOF && ch != '\n') {
		if (n < MANIFEST_MAX_LINE)
			buf[n++] = (char)ch;
		else
			toolong = 1;
	}
	if (ch == EOF && n == 0 && !toolong)
		return -1;
	buf[n] = '\0';
	return toolong ? -2 : n;
}

int
manifest_names_algo(const struct checksum_algo *algo, int tagged)
{
	const struct checksum_algo	*all;
	size_t				 i, n;

	if (tagged)
		return 1;
	all = checksum_algos(&n);
	for (i = 0; i < n; i++)
		if (&all[i] != algo && !all[i].tagged &&
		    all[i].size == algo->size)
			return 0;
	return 1;
}

size_t
manifest_load(FILE *fp, const struct checksum_algo *algo, int sure,
    struct strset *old, size_t *other, size_t *unsure)
{
	struct manifest_entry	 e;
	const char		*why;
	char			*buf = xmalloc(MANIFEST_MAX_LINE + 1), *kv;
	size_t			 taken = 0, nlen, hlen;
	long			 len;

	*other = *unsure = 0;
	while ((len = manifest_read_line(fp, buf)) != -1) {
		memset(&e, 0, sizeof(e));
		if (len < 0 || manifest_parse(buf, (size_t)len, algo, &e,
		    &why) < 0 || e.algo != algo ||
		    (!sure && !manifest_names_algo(algo, e.tagged))) {
			if (e.algo == algo && e.name != NULL)
				(*unsure)++;
			else
				(*other)++;
			free(e.name);
			continue;
		}
		/* The name's own allocation, grown to hold its digest. */
		nlen = strlen(e.name);
		hlen = strlen(e.hex);
		kv = xreallocarray(e.name, nlen + hlen + 2, 1);
		memcpy(kv + nlen + 1, e.hex, hlen + 1);
		/* A name listed twice: the first line stands. */
		taken += (size_t)strset_add(old, kv);
	}
	free(buf);
	return taken;
}

int
manifest_carry(FILE *fp, const struct strset *old,
    const struct checksum_algo *algo, const char *name, int tag)
{
	const char	*kv = strset_find(old, name);

	if (kv == NULL)
		return 0;
	manifest_write(fp, algo, kv + strlen(kv) + 1, name, tag);
	return 1;
}

/* What a mark of algo on a file of stat st says. */
static void
mark_text(char *buf, size_t len, const struct checksum_algo *algo,
    const struct stat *st)
{
	(void)snprintf(buf, len, "acp-manifest 1 %s %lld %lld.%09ld",
	    algo->name, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec);
}

int
manifest_mark(int fd, const struct checksum_algo *algo)
{
	struct stat	st;
	char		mark[128];

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	mark_text(mark, sizeof(mark), algo, &st);
	if (fsetxattr(fd, MANIFEST_XATTR, mark, strlen(mark), 0) < 0)
		return -errno;
	return 0;
}

int
manifest_marked(int fd, const struct stat *st,
    const struct checksum_algo *algo)
{
	char		want[128], got[128];
	ssize_t		n;

	if ((n = fgetxattr(fd, MANIFEST_XATTR, got, sizeof(got) - 1)) <= 0)
		return 0;
	got[n] = '\0';
	mark_text(want, sizeof(want), algo, st);
	return strcmp(got, want) == 0;
}
