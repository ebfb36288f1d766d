/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Manifest lines round trip: what manifest_write() writes,
 * manifest_parse() reads back to the same name and digest, plain and
 * tagged, escaped where the name needs it.
 */
#include "config.h"

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

	tap_plan((int)(3 * n + 2));
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
	return tap_done();
}
