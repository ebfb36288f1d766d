#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every refusal: the exit status, the message, and the destination left as
# it was.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((26 * $(nengines)))

for e in $engines; do
	rm -rf "$T/w"
	mkdir "$T/w"
	cd "$T/w" || exit 1
	mkdata a 5000 a
	mkdata keep 777 keep
	cp keep keep.orig
	mkdir d

	run_acp --engine="$e" missing keep
	expect_rc 1 "$e: missing source"
	expect_err "acp: cannot stat 'missing': No such file or directory" \
	    "$e: missing source is named with the reason"
	cmp -s keep keep.orig
	ok $? "$e: missing source leaves the destination alone"

	run_acp --engine="$e" d keep
	expect_rc 1 "$e: directory source without -r"
	expect_err "acp: -r not specified; omitting directory 'd'" \
	    "$e: the directory is named"
	cmp -s keep keep.orig
	ok $? "$e: directory source leaves the destination alone"

	run_acp --engine="$e" keep keep
	expect_rc 1 "$e: a file onto itself"
	expect_err "acp: 'keep' and 'keep' are the same file" \
	    "$e: same file message"
	cmp -s keep keep.orig
	ok $? "$e: copying onto itself keeps the data"

	ln -s keep link
	run_acp --engine="$e" keep link
	expect_rc 1 "$e: a file onto a symlink to itself"
	cmp -s keep keep.orig
	ok $? "$e: through a symlink the data is kept"

	ln keep hard
	run_acp --engine="$e" hard keep
	expect_rc 1 "$e: a hard link onto its other name"
	expect_err "acp: 'hard' and 'keep' are the same file" \
	    "$e: hard link message"
	cmp -s keep keep.orig
	ok $? "$e: through a hard link the data is kept"

	run_acp --engine="$e" a nodir/x
	expect_rc 1 "$e: destination directory does not exist"
	expect_err "acp: cannot create regular file 'nodir/x': No such file or directory" \
	    "$e: missing destination directory is named"
	[ ! -e nodir ]
	ok $? "$e: nothing was created"

	run_acp --engine="$e" a keep notadir
	expect_rc 1 "$e: several sources, destination not a directory"
	expect_err "acp: target 'notadir': No such file or directory" \
	    "$e: the target is named"

	run_acp --engine="$e" a a keep
	expect_rc 1 "$e: several sources onto a file"
	expect_err "acp: target 'keep': Not a directory" \
	    "$e: the file target is named"
	cmp -s keep keep.orig
	ok $? "$e: the file target is untouched"

	run_acp --engine="$e" -T a d
	expect_rc 1 "$e: -T onto a directory"
	expect_err "acp: cannot overwrite directory 'd' with non-directory" \
	    "$e: -T names the directory"

	run_acp --engine="$e" -t nodir a
	expect_rc 1 "$e: -t with a missing directory"
	expect_err "acp: target directory 'nodir': No such file or directory" \
	    "$e: -t names the directory"
	cd "$T" || exit 1
done
skip_engines 26
done_testing
