/* SPDX-License-Identifier: BSD-2-Clause */
/* The request planner: block cuts, the EOF probe, files that lie. */
#include "config.h"

#include <sys/types.h>

#include "../tap.h"
#include "chunk.h"

/* Take every request the plan gives until it waits or ends. */
static int
drain(struct chunk_plan *cp, off_t *offs, size_t *lens, int max, int *last)
{
	int	n = 0, r;

	while (n < max && (r = chunk_next(cp, &offs[n], &lens[n])) ==
	    CHUNK_READ)
		n++;
	if (n < max)
		*last = chunk_next(cp, &offs[n], &lens[n]);
	return n;
}

int
main(void)
{
	struct chunk_plan	cp;
	off_t			offs[64];
	size_t			lens[64];
	int			n, last;

	tap_plan(31);

	/* An empty file: one probe at 0 that finds EOF. */
	chunk_init(&cp, 0, 4096);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 1, "empty file: one probe read");
	is(offs[0], 0, "empty file: probe at 0");
	is(last, CHUNK_WAIT, "empty file: waits for the probe");
	chunk_eof(&cp, 0);
	chunk_read_done(&cp, 0);
	is(chunk_next(&cp, &offs[0], &lens[0]), CHUNK_DONE,
	    "empty file: done after EOF");

	/* 4097 bytes in 4K blocks: 4096, then a block reaching past. */
	chunk_init(&cp, 4097, 4096);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 2, "4097 bytes: two cuts, no separate probe");
	is(lens[0], 4096, "first cut is a whole block");
	is(offs[1], 4096, "second cut at 4096");
	is(lens[1], 4096, "second cut is a whole block, past the size");
	ok(chunk_past_hint(&cp, offs[1], lens[1]), "it reaches past the hint");
	ok(!chunk_past_hint(&cp, offs[0], lens[0]), "the first does not");
	is(last, CHUNK_WAIT, "only one read past the reported size");
	ok(!chunk_done(&cp), "not done before EOF is known");

	/* That read came back full (a growing file): keep going. */
	chunk_read_done(&cp, 4096);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 1, "after a full read past the size, one more read");
	is(offs[0], 2 * 4096, "next read follows on");
	chunk_eof(&cp, 2 * 4096 + 10);
	chunk_read_done(&cp, offs[0]);
	is(chunk_next(&cp, &offs[0], &lens[0]), CHUNK_DONE,
	    "done once a read found EOF");
	ok(chunk_done(&cp), "chunk_done agrees");

	/* Exact multiple: 3 blocks and the probe. */
	chunk_init(&cp, 3 * 65536, 65536);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 4, "3 blocks: 3 cuts and a probe");
	is(offs[3], 3 * 65536, "probe at the end");

	/* The caller's queue limit: take 2, then the rest later. */
	chunk_init(&cp, 10 * 4096, 4096);
	n = drain(&cp, offs, lens, 2, &last);
	is(n, 2, "the plan hands out only what is asked");
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 9, "and the rest when asked again");
	is(offs[0], 2 * 4096, "resuming where it stopped");

	/* A file that shrank: EOF below the reported size ends the plan. */
	chunk_init(&cp, 10 * 4096, 4096);
	n = drain(&cp, offs, lens, 3, &last);
	chunk_eof(&cp, 5000);
	is(chunk_next(&cp, &offs[0], &lens[0]), CHUNK_DONE,
	    "shrunk file: no reads past the EOF found");

	/* EOF only moves down. */
	chunk_init(&cp, 100, 4096);
	chunk_eof(&cp, 50);
	chunk_eof(&cp, 80);
	is(cp.eof, 50, "the lowest EOF wins");

	/* Big block, small file. */
	chunk_init(&cp, 10, 1 << 20);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 1, "small file, big block: one read");
	is(lens[0], 1 << 20, "the read asks for a whole block");
	is(last, CHUNK_WAIT, "and waits for it");
	chunk_eof(&cp, 10);
	chunk_read_done(&cp, 0);
	is(chunk_next(&cp, &offs[0], &lens[0]), CHUNK_DONE,
	    "small file: done after its one read");

	/* Negative hint is treated as zero. */
	chunk_init(&cp, -5, 4096);
	is(cp.hint, 0, "negative size hint becomes 0");

	/* A huge file: offsets do not overflow 32 bits. */
	chunk_init(&cp, (off_t)5 << 32, 1 << 20);
	cp.next = ((off_t)5 << 32) - (1 << 20);
	n = drain(&cp, offs, lens, 64, &last);
	is(n, 2, "past 4 GiB: last cut and probe");
	is(offs[1], (off_t)5 << 32, "probe at 20 GiB");
	is(lens[0], 1 << 20, "last cut whole");
	return tap_done();
}
