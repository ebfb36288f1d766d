/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-order hashing: blocks handed in any order, holes among them, must
 * hash as the file read front to back; the window says which blocks may
 * be read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "checksum.h"
#include "hashpipe.h"

#define BS	16
#define NSLOTS	4

/* The digest of len bytes at data in one go. */
static void
whole(const struct checksum_algo *algo, const char *data, size_t len,
    char *hex)
{
	struct checksum	ck;

	checksum_init(&ck, algo);
	checksum_update(&ck, data, len);
	checksum_final(&ck, hex);
}

/* Hash everything that is ready; the count of blocks hashed. */
static int
drain(struct hashpipe *hp)
{
	int	n = 0;

	while (hashpipe_next(hp) != NULL)
		n++;
	return n;
}

int
main(void)
{
	const struct checksum_algo	*algo = checksum_find("sha256");
	struct hashpipe			 hp;
	char				 data[6 * BS + 5], want[CHECKSUM_MAX_HEX];
	char				 got[CHECKSUM_MAX_HEX];
	int				 owners[8], i;

	tap_plan(14);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	memset(&hp, 0, sizeof(hp));

	/* Four blocks and a short tail, handed in reverse order. */
	whole(algo, data, 4 * BS + 5, want);
	is(hashpipe_start(&hp, algo, NSLOTS + 1, BS), 0, "start");
	ok(hashpipe_fits(&hp, 4 * BS) && !hashpipe_fits(&hp, 5 * BS),
	    "the window is nslots blocks from the hash's position");
	hashpipe_put(&hp, 4 * BS, data + 4 * BS, 5, &owners[4]);
	for (i = 3; i >= 1; i--)
		hashpipe_put(&hp, i * BS, data + i * BS, BS, &owners[i]);
	is(drain(&hp), 0, "nothing is hashed before the first block");
	hashpipe_put(&hp, 0, data, BS, &owners[0]);
	ok(hashpipe_next(&hp) == &owners[0], "the first block comes back "
	    "first");
	is(drain(&hp), 4, "then the rest, in order");
	hashpipe_end(&hp, got);
	ok(strcmp(got, want) == 0, "reverse order hashes as in order");

	/* A hole in the middle is hashed as zeros, in its turn. */
	memset(data + BS, 0, 2 * BS);
	whole(algo, data, 4 * BS, want);
	hashpipe_start(&hp, algo, NSLOTS, BS);
	hashpipe_put(&hp, 3 * BS, data + 3 * BS, BS, &owners[3]);
	hashpipe_hole(&hp, BS, 3 * BS);
	is(drain(&hp), 0, "a hole waits for the block before it");
	hashpipe_put(&hp, 0, data, BS, &owners[0]);
	is(drain(&hp), 2, "the block, the hole, the block after");
	is(hp.off, 4 * BS, "the hash is at the end");
	hashpipe_end(&hp, got);
	ok(strcmp(got, want) == 0, "a hole hashes as zeros");

	/* A block forgotten (its request let go) no longer waits. */
	hashpipe_start(&hp, algo, NSLOTS, BS);
	hashpipe_put(&hp, BS, data + BS, BS, &owners[1]);
	ok(hashpipe_owner(&hp, 1) == &owners[1], "the block waits in slot 1");
	hashpipe_forget(&hp, BS, &owners[2]);
	ok(hashpipe_owner(&hp, 1) == &owners[1], "another owner cannot "
	    "forget it");
	hashpipe_forget(&hp, BS, &owners[1]);
	ok(hashpipe_owner(&hp, 1) == NULL, "its owner can");
	hashpipe_end(&hp, NULL);

	/* The ring of holes fills at nslots + 1. */
	hashpipe_start(&hp, algo, 2, BS);
	hashpipe_hole(&hp, BS, 2 * BS);
	hashpipe_hole(&hp, 3 * BS, 4 * BS);
	hashpipe_hole(&hp, 5 * BS, 6 * BS);
	ok(hashpipe_holes_full(&hp), "three holes fill a window of two");
	hashpipe_end(&hp, NULL);
	hashpipe_free(&hp);
	return tap_done();
}
