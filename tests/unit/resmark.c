/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The --resume mark: a kept copy is taken at its word only when the mark
 * is of this source and its data's word still holds.
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include "../tap.h"
#include "resmark.h"

static const char	id[] = "acp-resume 1 3145728 1700000000.000000001 42 "
			    "a b";

/* What parsing mark says against id, a file of size and mtime given. */
static int
says(const char *mark, off_t size, long long sec, long nsec, off_t *whole)
{
	struct stat	st;

	memset(&st, 0, sizeof(st));
	st.st_size = size;
	st.st_mtim.tv_sec = sec;
	st.st_mtim.tv_nsec = nsec;
	*whole = -1;
	return resmark_parse(mark, strlen(mark), id, &st, whole);
}

int
main(void)
{
	off_t	w;

	tap_plan(12);
	ok(says(id, 0, 5, 6, &w) == RESMARK_SOURCE && w == -1,
	    "the source's mark alone: compared");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "1048576 1700000100.123456789", 1048576, 1700000100, 123456789,
	    &w) == RESMARK_WHOLE && w == 1048576,
	    "whole up to 1 MiB, unchanged since: taken at its word");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "1048576 1700000100.123456789", 2097152, 1700000100, 123456789,
	    &w) == RESMARK_WHOLE && w == 1048576,
	    "longer than whole (late writes past it): whole still");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "1048576 1700000100.123456789", 1048576, 1700000100, 123456788,
	    &w) == RESMARK_SOURCE, "written since (another nanosecond): "
	    "compared");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "1048576 1700000100.123456789", 1048575, 1700000100, 123456789,
	    &w) == RESMARK_SOURCE, "cut shorter than whole: compared");
	ok(says("acp-resume 1 3145728 1700000000.000000002 42 a b/kept "
	    "1048576 1700000100.123456789", 1048576, 1700000100, 123456789,
	    &w) == RESMARK_OTHER, "another source's time: not this copy's");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a/kept "
	    "1048576 1700000100.123456789", 1048576, 1700000100, 123456789,
	    &w) == RESMARK_OTHER, "another name: not this copy's");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a bc", 0, 0, 0,
	    &w) == RESMARK_OTHER, "a longer name it begins: not this copy's");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "x 1700000100.123456789", 1048576, 1700000100, 123456789, &w) ==
	    RESMARK_SOURCE, "a word that is no number: compared");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "99999999999999999999999 1.0", 1048576, 1, 0, &w) ==
	    RESMARK_SOURCE, "a number too big: compared");
	ok(says("acp-resume 1 3145728 1700000000.000000001 42 a b/kept "
	    "1048576 1700000100.123456789 ", 1048576, 1700000100, 123456789,
	    &w) == RESMARK_SOURCE, "anything after the time: compared");
	ok(says("", 0, 0, 0, &w) == RESMARK_OTHER, "no mark: not ours");
	return tap_done();
}
