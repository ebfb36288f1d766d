/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * meta_new_mode(), meta_open_mode() and meta_made_dir(): the modes a copy
 * is made with and ends with, as cp's open, mkdir and chmod give them:
 * kept or not, with the owner still to set, under --no-preserve=mode, and
 * a directory made in a set-group-ID directory.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <string.h>

#include "../tap.h"
#include "meta.h"

static struct stat
st_of(mode_t mode)
{
	struct stat	st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	return st;
}

/* What meta_made_dir() makes of a source dir's mode, and its flag. */
static mode_t
made_dir(mode_t src, unsigned mask, mode_t made, unsigned *flag)
{
	struct stat	st = st_of(S_IFDIR | src);

	*flag = meta_made_dir(&st, mask, S_IFDIR | made);
	return st.st_mode & 07777;
}

/* What a create asking meta_open_mode() leaves under umask. */
static mode_t
made(const struct stat *st, unsigned mask, mode_t umask)
{
	return meta_made_mode(meta_open_mode(st, mask), mask, umask);
}

int
main(void)
{
	struct stat	f = st_of(S_IFREG | 04755);
	struct stat	d = st_of(S_IFDIR | 03775);
	struct stat	p = st_of(S_IFIFO | 0620), w = st_of(S_IFREG | 0666);
	unsigned	flag;

	tap_plan(21);

	/* The mode a copy ends with when it is not kept. */
	is(meta_new_mode(&f, 0), 0755,
	    "a file: its permission bits, no set-ID");
	is(meta_new_mode(&d, 0), 03775, "a directory: all its bits, for mkdir");
	is(meta_new_mode(&f, META_NO_MODE), 0666,
	    "--no-preserve=mode: a file 0666");
	is(meta_new_mode(&d, META_NO_MODE), 01777,
	    "--no-preserve=mode: a directory 0777, and the sticky bit "
	    "cp's mkdir asks for");

	/* Made with: no one else in before the owner and mode are set. */
	is(meta_open_mode(&f, 0), 0755, "-r: a file as it ends");
	is(meta_open_mode(&p, 0), 0620, "-r: a FIFO as it ends");
	is(meta_open_mode(&d, 0), 03755,
	    "-r: a directory without group and other write while it fills");
	is(meta_open_mode(&w, META_MODE), 0644,
	    "--preserve=mode: a file without write for others");
	is(meta_open_mode(&p, META_OWNERSHIP), 0600,
	    "--preserve=ownership: owner only until the owner is set");
	is(meta_open_mode(&d, META_OWNERSHIP | META_MODE), 03700,
	    "-p: a directory owner only, searchable and writable by us");

	/* What the create leaves under a umask: no chmod where it is all. */
	is(made(&w, META_MODE | META_OWNERSHIP | META_OWNED, 022),
	    0644, "-a, the caller's file, umask 022: 0644 made");
	is(made(&w, META_MODE | META_OWNERSHIP, 022), 0600,
	    "-a, another's file: owner only until the chown");
	is(made(&f, 0, 077), 0700, "-r, umask 077: 0700 made");
	is(made(&d, META_MADE_SGID, 022), 03755,
	    "-r, a directory made where set-group-ID: the bit stays");

	/* A directory made: the set-group-ID bit mkdir gave it stays. */
	is(made_dir(0755, META_MODE, 02755, &flag), 0755,
	    "-p: the source's mode");
	is(flag, META_MADE_SGID,
	    "-p, made in a set-group-ID directory: its bit to keep");
	(void)made_dir(0755, META_MODE, 0755, &flag);
	is(flag, 0, "made elsewhere: no bit to keep");
	is(made_dir(06775, META_MODE, 0700, &flag), 06775,
	    "-p: the source's set-ID bits kept");
	is(made_dir(06775, 0, 02700, &flag), 0775,
	    "-r: the source's set-ID bits not carried (mkdir takes none)");
	is(flag, META_MADE_SGID,
	    "-r, made in a set-group-ID directory: its bit to keep");
	is(made_dir(01777, META_NO_MODE, 0700, &flag), 01777,
	    "--no-preserve=mode: the sticky bit left to the mode");
	return tap_done();
}
