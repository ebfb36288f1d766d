/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Manifest lines round trip: what manifest_write() writes,
 * manifest_parse() reads back to the same name and digest, plain and
 * tagged, escaped where the name needs it.  An earlier run's manifest
 * is loaded (manifest_load()) with only the lines that say they are of
 * the algorithm in use, and carried (manifest_carry()) as written.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "checksum.h"
#include "manifest.h"

static const char *const names[] = {
	"plain",
	"with space",
	" leading space",
	"new\nline",
	"back\\slash",
	"both\\n\n",
	"trailing backslash\\",
	"caf\xc3\xa9",
	"dir/sub/file",
	"(parens) = x",
	"carriage\rreturn",
	"ends in CR\r",
};

/* Write one line for name and parse it back; 1 when it round-trips. */
static int
round_trip(const struct checksum_algo *algo, const char *hex,
    const char *name, int tag)
{
	struct manifest_entry	 e;
	const char		*why;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*fp;
	int			 ret;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return 0;
	manifest_write(fp, algo, hex, name, tag);
	fclose(fp);
	if (len == 0 || buf[len - 1] != '\n') {
		free(buf);
		return 0;
	}
	ret = manifest_parse(buf, len - 1, NULL, &e, &why) == 0 &&
	    e.algo == algo && strcmp(e.hex, hex) == 0 &&
	    strcmp(e.name, name) == 0;
	if (!ret)
		printf("# line: %.*s\n", (int)len - 1, buf);
	else
		free(e.name);
	free(buf);
	return ret;
}

/* Load text as an old manifest of algo (sure: known to be); the lines taken. */
static size_t
load(const char *text, const struct checksum_algo *algo, int sure,
    struct strset *old, size_t *other, size_t *unsure)
{
	FILE	*fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	size_t	 n;

	if (fp == NULL)
		return (size_t)-1;
	n = manifest_load(fp, algo, sure, old, other, unsure);
	fclose(fp);
	return n;
}

/* What manifest_carry() writes for name: a string to free, or NULL. */
static char *
carried(const struct strset *old, const struct checksum_algo *algo,
    const char *name, int tag)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;
	int	 got;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return NULL;
	got = manifest_carry(fp, old, algo, name, tag);
	fclose(fp);
	if (!got) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* manifest_load() and manifest_carry(): 10 checks. */
static void
old_lines(void)
{
	const struct checksum_algo	*xxh = checksum_find("xxh128");
	const struct checksum_algo	*sha = checksum_find("sha256");
	const char			*x1 = "0123456789abcdef0123456789abcdef";
	const char			*x2 = "fedcba9876543210fedcba9876543210";
	const char			*s1 = "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855";
	struct strset			 old = { NULL, 0, 0 };
	char				 text[1024], *line;
	size_t				 other, unsure, n;

	/* Tagged xxh128 (twice for "a": the first stands), an escaped
	 * name, an untagged 32-digit line (md5 or xxh128?), a sha256
	 * line, and junk. */
	snprintf(text, sizeof(text),
	    "XXH128 (a) = %s\n"
	    "XXH128 (a) = %s\n"
	    "\\XXH128 (new\\nline) = %s\n"
	    "%s  untagged\n"
	    "%s  sha\n"
	    "not a line\n", x1, x2, x2, x1, s1);
	n = load(text, xxh, 0, &old, &other, &unsure);
	is((long)n, 2L, "xxh128: the tagged lines are taken, once a name");
	is((long)unsure, 1L, "an untagged xxh128-long line is not");
	is((long)other, 2L, "nor a sha256 line or junk");
	line = carried(&old, xxh, "a", 1);
	ok(line != NULL && strncmp(line, "XXH128 (a) = ", 13) == 0 &&
	    strncmp(line + 13, x1, 32) == 0, "carried: the first line of a");
	free(line);
	line = carried(&old, xxh, "new\nline", 0);
	ok(line != NULL && line[0] == '\\' && strstr(line, x2) != NULL,
	    "carried untagged, the name escaped again");
	free(line);
	ok(carried(&old, xxh, "untagged", 0) == NULL &&
	    carried(&old, xxh, "sha", 0) == NULL,
	    "no line for a name whose line was passed over");
	strset_free(&old);

	/* sha256's length is its own: its untagged lines are taken. */
	n = load(text, sha, 0, &old, &other, &unsure);
	is((long)n, 1L, "sha256: the untagged sha256 line is taken");
	line = carried(&old, sha, "sha", 0);
	ok(line != NULL && strncmp(line, s1, 64) == 0 &&
	    strcmp(line + 64, "  sha\n") == 0, "and carried as it was");
	free(line);
	strset_free(&old);
	ok(strset_find(&old, "sha") == NULL, "an empty set finds nothing");

	/* A file known to be of xxh128 (marked): its untagged line too. */
	n = load(text, xxh, 1, &old, &other, &unsure);
	line = carried(&old, xxh, "untagged", 0);
	ok(n == 3 && unsure == 0 && line != NULL &&
	    strncmp(line, x1, 32) == 0, "sure of xxh128: the untagged line "
	    "is taken too (%zu lines)", n);
	free(line);
	strset_free(&old);
}

int
main(void)
{
	const struct checksum_algo	*sha = checksum_find("sha256");
	const struct checksum_algo	*xxh = checksum_find("xxh128");
	const char			*shahex =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const char			*xxhhex =
	    "99aa06d3014798d86001c324468d497f";
	size_t				 i, n = sizeof(names) / sizeof(names[0]);

	tap_plan((int)(3 * n + 2 + 10));
	for (i = 0; i < n; i++) {
		ok(round_trip(sha, shahex, names[i], 0), "sha256, plain: "
		    "name %zu", i);
		ok(round_trip(sha, shahex, names[i], 1), "sha256, tagged: "
		    "name %zu", i);
		ok(round_trip(xxh, xxhhex, names[i], 0), "xxh128, plain: "
		    "name %zu", i);
	}
	ok(manifest_needs_escape("a\nb") && manifest_needs_escape("a\\b") &&
	    !manifest_needs_escape("a b"), "which names need escaping");
	ok(!round_trip(sha, "zz", "x", 0), "a bad digest does not parse");
	old_lines();
	return tap_done();
}
