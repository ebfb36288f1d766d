/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Checksum vectors: "hello\n" and the empty input through every
 * algorithm, against what sha256sum, b2sum, md5sum and xxhsum print, and
 * the same digest whether the data comes whole or in pieces.
 */
#include "config.h"

#include <string.h>

#include "../tap.h"
#include "checksum.h"

static const struct {
	const char	*algo;
	const char	*hello;	/* of "hello\n" */
} vectors[] = {
	{ "xxh128", "6bba86c7e069f56d5a10b435f1c8e49c" },
	{ "xxh3", "99fc819aaba2462a" },
	{ "xxh64", "e4c191d091bd8853" },
	{ "sha256", "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" },
	{ "sha1", "f572d396fae9206628714fb2ce00f72e94f2258f" },
	{ "md5", "b1946ac92492d2347c6235b4d2611184" },
	{ "sha512", "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629" },
	{ "blake2b",
	    "f60ce482e5cc1229f39d71313171a8d9f4ca3a87d066bf4b205effb528192a75f14f3271e2c1a90e1de53f275b4d4793eef2f5e31ea90d2ce29d2e481c36435f" },
};

static void
digest(const char *algo, const char *data, size_t len, size_t piece,
    char *hex)
{
	struct checksum	ck;
	size_t		off, n;

	hex[0] = '\0';
	if (checksum_init(&ck, checksum_find(algo)) < 0)
		return;
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		checksum_update(&ck, data + off, n);
	}
	checksum_final(&ck, hex);
}

int
main(void)
{
	char	hex[CHECKSUM_MAX_HEX], hex2[CHECKSUM_MAX_HEX];
	char	big[100000];
	size_t	i, n;

	tap_plan(8 * 3 + 6);
	for (i = 0; i < 100000; i++)
		big[i] = (char)(i * 7 + i / 13);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		digest(vectors[i].algo, "hello\n", 6, 6, hex);
		ok(strcmp(hex, vectors[i].hello) == 0,
			    "%s of \"hello\\n\" is %s", vectors[i].algo, hex);
		ok(strlen(hex) == 2 * checksum_find(vectors[i].algo)->size,
		    "%s digest has %zu hex digits", vectors[i].algo,
		    2 * checksum_find(vectors[i].algo)->size);
		digest(vectors[i].algo, big, sizeof(big), sizeof(big), hex);
		digest(vectors[i].algo, big, sizeof(big), 4093, hex2);
		ok(strcmp(hex, hex2) == 0,
		    "%s: whole and in 4093-byte pieces agree",
		    vectors[i].algo);
	}
	ok(checksum_find("sha3") == NULL, "unknown algorithm is NULL");
	ok(checksum_find_tag("BLAKE2b") == checksum_find("blake2b"),
	    "BSD tag BLAKE2b is blake2b");
	ok(checksum_find_tag("XXH3")->tagged, "xxh3 is written tagged");
	checksum_algos(&n);
	is(n, 8, "eight algorithms");
	ok(checksum_fast(checksum_find("xxh128")) &&
	    checksum_fast(checksum_find("xxh3")) &&
	    checksum_fast(checksum_find("xxh64")), "xxHash's hashes are fast");
	ok(!checksum_fast(checksum_find("sha256")) &&
	    !checksum_fast(checksum_find("sha512")) &&
	    !checksum_fast(checksum_find("sha1")) &&
	    !checksum_fast(checksum_find("md5")) &&
	    !checksum_fast(checksum_find("blake2b")), "libcrypto's are not");
	return tap_done();
}
