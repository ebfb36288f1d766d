/* SPDX-License-Identifier: BSD-2-Clause */
/* The fingerprints of what a run did: found, tagged, and kept across merges. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "../tap.h"
#include "seen.h"

/* A spread of keys, as a hash gives them: i times an odd constant. */
static uint64_t
key_of(uint64_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

int
main(void)
{
	struct seen	s;
	uint64_t	tag, i, bad;
	const uint64_t	many = 300000;

	memset(&s, 0, sizeof(s));
	tap_plan(11);
	ok(!seen_find(&s, 42, &tag), "nothing in an empty set");
	seen_add(&s, 42, 7);
	ok(seen_find(&s, 42, &tag) && tag == 7, "found with its tag");
	seen_add(&s, 42, 9);
	ok(seen_find(&s, 42, &tag) && tag == 7, "the first tag is kept");
	ok(!seen_find(&s, 43, NULL), "a neighbour is not there");
	seen_free(&s);
	ok(!seen_find(&s, 42, NULL), "empty again after seen_free");

	/* Through many merges of the tail into the sorted array. */
	for (i = 0; i < many; i++)
		seen_add(&s, key_of(i), i | 1);
	ok(s.n + s.tn == many, "%ju entries kept (%zu sorted, %zu in the "
	    "tail)", (uintmax_t)many, s.n, s.tn);
	ok(s.n > 0 && s.tn > 0, "both the sorted array and the tail in use");
	for (bad = 0, i = 0; i < many; i++)
		if (!seen_find(&s, key_of(i), &tag) || tag != (i | 1))
			bad++;
	ok(bad == 0, "every key found with its own tag (%ju not)",
	    (uintmax_t)bad);
	for (bad = 0, i = many; i < 2 * many; i++)
		if (seen_find(&s, key_of(i), NULL))
			bad++;
	ok(bad == 0, "no key added is found (%ju were)", (uintmax_t)bad);
	for (bad = 0, i = 1; i < s.n; i++)
		if (s.ent[i - 1].key >= s.ent[i].key)
			bad++;
	ok(bad == 0, "the array is sorted, each key once");
	ok(seen_hash("a/b", 3) == seen_hash("a/b",
	    3) && seen_hash("a/b", 3) != seen_hash("a/c", 3),
	    "the same name hashes the same, another otherwise");
	seen_free(&s);
	return tap_done();
}
