#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --fsync's batches: on ext4 (and xfs, btrfs) the files of a tree whose
# data is written wait together for one syncfs(), then each file's own
# writeback error is taken from its descriptor.  A lone file, and any
# file on another file system, gets its own fsync.  A failed syncfs
# sends each file of its batch to its own fsync, which names the one
# that lost data; a file whose own check fails is named and removed.
# The manifest and the log are flushed too, with their directory.
# The failures are injected through tests/acp-chaos (syncfs=, sfr=).
. "${top_srcdir:-.}/tests/lib.sh"

per=11
plan $((per * $(nengines) + 3))
[ "$(id -u)" = 0 ] || skip_all "needs root (loop mounts)"
command -v mkfs.ext4 > /dev/null || skip_all "no mkfs.ext4"
cd "$T" || exit 1

# fs_mount FS MKFS SIZE: a fresh FS on an image, mounted at $T/FS;
# 1 (why in $T/mount.err) if it cannot be had.
fs_mount() {
	truncate -s "$3" "$1.img" && mkdir -p "$1" &&
	    { "$2" -q "$1.img" > "$T/mount.err" 2>&1 ||
	    "$2" "$1.img" > "$T/mount.err" 2>&1; } &&
	    mount -o loop "$1.img" "$1" 2> "$T/mount.err" || return 1
	cleanup_mounts="$T/$1 $cleanup_mounts"
}
fs_mount ext4 mkfs.ext4 64M ||
    skip_all "cannot mount an ext4 image: $(head -1 "$T/mount.err")"

# open_twice PID FILE: PID has FILE open on two descriptors.
open_twice() {
	[ "$(for _fd in /proc/"$1"/fd/*; do readlink "$_fd"; done \
	    2> /dev/null | grep -cxF "$2")" -ge 2 ]
}

# nfiles DIR: how many files DIR holds.
nfiles() {
	find "$1" -type f 2> /dev/null | wc -l
}

# holds DIR N: DIR holds N files or more.
holds() {
	[ "$(nfiles "$1")" -ge "$2" ]
}

# A tree of 40 files (0 to 60 KB) in two directories.
mkdir -p ext4/src/a ext4/src/b
i=1
while [ "$i" -le 20 ]; do
	mkdata "ext4/src/a/f$i" $((i * 3000)) "a$i"
	mkdata "ext4/src/b/g$i" $((i * 100)) "b$i"
	i=$((i + 1))
done
# 200 files of 1 KB in one directory.
mkdir ext4/flat
i=1
while [ "$i" -le 200 ]; do
	mkdata "ext4/flat/h$i" 1000 "h$i"
	i=$((i + 1))
done
mkdata ext4/one 100000 one
mkdata ext4/big 4000000 big

# batched N: the --debug line says N files or more went by syncfs, in
# fewer calls than files.
batched() {
	_line=$(grep "acp: debug: --fsync: " "$T/stderr") || return 1
	_n=$(echo "$_line" | sed 's/.*--fsync: \([0-9]*\) files\{0,1\} made.*/\1/')
	_s=$(echo "$_line" | sed 's/.* by \([0-9]*\) syncfs call.*/\1/')
	[ "$_n" -ge "$1" ] && [ "$_s" -ge 1 ] && [ "$_s" -lt "$_n" ]
}

for e in $engines; do
	rm -rf ext4/d
	run_acp --engine="$e" -r --fsync --debug ext4/src ext4/d
	[ "$rc" -eq 0 ] && diff -r ext4/src ext4/d > /dev/null && batched 36
	ok $? "$e: ext4, 40 files: made durable in batches, one syncfs each ($(grep -o '[0-9]* files made.*' "$T/stderr"))"

	rm -rf ext4/d
	run_acp --engine="$e" -r --fsync --atomic --debug ext4/src ext4/d
	[ "$rc" -eq 0 ] && diff -r ext4/src ext4/d > /dev/null &&
	    batched 36 && [ "$(find ext4/d -name '*.acp*' | wc -l)" -eq 0 ]
	ok $? "$e: ext4, --atomic: batched before each rename, no temporary left"

	rm -rf ext4/d
	run_acp --engine="$e" -a --fsync --debug ext4/src ext4/d
	[ "$rc" -eq 0 ] && diff -r ext4/src ext4/d > /dev/null && batched 36 &&
	    [ "$(stat -c %Y ext4/src/a/f7)" = "$(stat -c %Y ext4/d/a/f7)" ]
	ok $? "$e: ext4, -a: batched, the times kept"

	rm -f ext4/one.copy
	run_acp --engine="$e" --fsync --debug ext4/one ext4/one.copy
	[ "$rc" -eq 0 ] && cmp -s ext4/one ext4/one.copy &&
	    ! grep -q "made durable by" "$T/stderr"
	ok $? "$e: ext4, one file: its own fsync, no syncfs"

	if mount_tmpfs tmp 16M; then
		rm -rf tmp/d
		run_acp --engine="$e" -r --fsync --debug ext4/src tmp/d
		[ "$rc" -eq 0 ] && diff -r ext4/src tmp/d > /dev/null &&
		    ! grep -q "made durable by" "$T/stderr"
		ok $? "$e: to a tmpfs (not a listed file system): each its own fsync"
	else
		skip "cannot mount a tmpfs"
	fi

	# A stop while a file whose data is whole waits for its flush: it
	# gets it (a syncfs, even alone: its own fsync would be cancelled)
	# and is kept; the file still being read is removed.  The order is
	# forced, not timed: the second source is a FIFO held open and
	# empty, so its copy stays in flight and the first file waits for
	# company; the signal goes once acp holds the first copy open twice
	# (durable.c keeps a descriptor of the first waiting file's for its
	# file system's syncfs, taken as the file starts to wait).
	rm -rf ext4/s fifo && mkdir ext4/s && mkfifo fifo
	exec 3<> fifo
	"$ACP" --engine="$e" --fsync --debug ext4/one fifo ext4/s \
	    > "$T/stdout" 2> "$T/stderr" &
	pid=$!
	wait_until open_twice "$pid" "$(pwd -P)/ext4/s/one" &&
	    kill -s TERM "$pid"
	reap "$pid"
	[ "$rc" -eq 143 ] && cmp -s ext4/one ext4/s/one && [ ! -e ext4/s/fifo ] &&
	    grep -q "1 file made durable by 1 syncfs call, 0 by" "$T/stderr" &&
	    [ "$(grep -v '^acp: debug: ' "$T/stderr")" = "acp: interrupted by signal 15 (Terminated)" ]
	ok $? "$e: a stop while a file waits for its flush: flushed by syncfs and kept, the one being read removed"

	if [ ! -x "${ACP_CHAOS_BIN:-}" ]; then
		for _ in 1 2 3 4 5; do skip "no tests/acp-chaos"; done
		continue
	fi
	# Files whose data is written wait for a batch in their slots,
	# while the next files start beside them: at queue depth 1, 64
	# files in flight, 16 of them copying at most.  The first syncfs is
	# held (tests/chaos.c: syncgate=) until the 64 are in, then let go.
	rm -rf ext4/w gate && mkfifo gate
	exec 4<> gate
	ACP_CHAOS=syncgate=$T/gate "$ACP_CHAOS_BIN" \
	    --engine="$e" -r --queue-depth=1 --fsync --debug ext4/flat \
	    ext4/w > "$T/stdout" 2> "$T/stderr" 4>&- &
	pid=$!
	wait_until holds ext4/w 64
	n=$(nfiles ext4/w)
	exec 4>&-
	reap "$pid"
	# All 200 durable: by syncfs, or (a file left alone at the end,
	# when the order of the run made it so) by its own fsync.
	made=$(sed -n 's/^acp: debug: --fsync: \([0-9]*\) files* made durable by [0-9]* syncfs calls*, \([0-9]*\) by their own fsync.*/\1+\2/p' \
	    "$T/stderr")
	[ "$rc" -eq 0 ] && [ "$n" -eq 64 ] && diff -r ext4/flat ext4/w > /dev/null &&
	    [ "$((${made:-0}))" -eq 200 ] &&
	    grep -q "64 files in flight (16 copying at once" "$T/stderr"
	ok $? "$e: files waiting for a syncfs leave room for others: $n of 64 slots taken while the first syncfs was held, then all 200 whole, made durable ${made:-?} (exit $rc)"

	chaos() {
		rc=0
		ACP_CHAOS=$1 timeout 120 "$ACP_CHAOS_BIN" --engine="$e" -r \
		    --fsync --debug ext4/src ext4/d > "$T/stdout" \
		    2> "$T/stderr" || rc=$?
	}
	rm -rf ext4/d
	chaos syncfs=EIO
	[ "$rc" -eq 0 ] && diff -r ext4/src ext4/d > /dev/null &&
	    grep -q "0 files made durable by [0-9]* syncfs calls\{0,1\}, 40 by their own fsync (a syncfs failed" "$T/stderr"
	ok $? "$e: every syncfs fails: each file gets its own fsync, all copied, exit 0"

	rm -rf ext4/d
	chaos syncfs=EIO,failop=fsync,fail=3:EIO
	n=$(grep -c "^acp: error writing '.*' at offset [0-9]*: Input/output error" "$T/stderr")
	bad=$(sed -n "s|^acp: error writing 'ext4/d/\(.*\)' at offset.*|\1|p" "$T/stderr")
	[ "$rc" -eq 1 ] && [ "$n" -eq 1 ] && [ -n "$bad" ] &&
	    [ ! -e "ext4/d/$bad" ] && [ -e "ext4/src/$bad" ] &&
	    [ "$(find ext4/d -type f | wc -l)" -eq 39 ]
	ok $? "$e: syncfs fails, then one file's own fsync: that file named ($bad) and removed, the 39 others kept, exit 1"

	rm -rf ext4/d
	chaos sfr=5:EIO
	n=$(grep -c "^acp: error writing '.*' at offset [0-9]*: Input/output error" "$T/stderr")
	bad=$(sed -n "s|^acp: error writing 'ext4/d/\(.*\)' at offset.*|\1|p" "$T/stderr")
	[ "$rc" -eq 1 ] && [ "$n" -eq 1 ] && [ -n "$bad" ] &&
	    [ ! -e "ext4/d/$bad" ] && [ "$(find ext4/d -type f | wc -l)" -eq 39 ]
	ok $? "$e: syncfs works but one file's own writeback check fails: named ($bad), removed, exit 1"

	# Interleaved with a failing engine: every file still ends whole or
	# gone, and the run fails.
	rm -rf ext4/d
	chaos die=6
	left=$(find ext4/d -type f 2> /dev/null | while read -r f; do
		cmp -s "$f" "ext4/src/${f#ext4/d/}" || echo "$f"; done)
	[ "$rc" -eq 1 ] && [ -z "$left" ]
	ok $? "$e: the engine fails mid-run under --fsync: exit 1, no file left partial"

done
skip_engines "$per"

# Not per engine: under --fsync, the manifest and the log are made
# durable as the copies are: their data, and the directory holding their
# names; without it, neither.
if command -v strace > /dev/null; then
	mkdir -p ext4/m
	strace -f -y -e trace=fsync -o "$T/strace" "$ACP" --fsync --checksum \
	    --manifest=ext4/m/sum --log=ext4/m/log ext4/one ext4/m1 \
	    > /dev/null 2>&1
	with=$(grep -c 'fsync([0-9]*<[^>]*/ext4/m\(/sum\|/log\|\)>) = 0' "$T/strace")
	strace -f -y -e trace=fsync -o "$T/strace" "$ACP" --checksum \
	    --manifest=ext4/m/sum --log=ext4/m/log ext4/one ext4/m2 \
	    > /dev/null 2>&1
	without=$(grep -c 'fsync([0-9]*<[^>]*/ext4/m' "$T/strace")
	[ "$with" -eq 4 ] && [ "$without" -eq 0 ] &&
	    cmp -s ext4/one ext4/m1 && [ -s ext4/m/sum ] && [ -s ext4/m/log ]
	ok $? "--fsync flushes the manifest and the log, and their directory ($with fsync calls; $without without --fsync)"
else
	skip "no strace"
fi

# The other file systems whose syncfs is trusted.
for fs in xfs:mkfs.xfs:400M btrfs:mkfs.btrfs:200M; do
	name=${fs%%:*} rest=${fs#*:}
	mk=${rest%%:*} size=${rest#*:}
	if ! command -v "$mk" > /dev/null || ! fs_mount "$name" "$mk" "$size"; then
		skip "$name: cannot make or mount an image"
		continue
	fi
	run_acp -r --fsync --debug ext4/src "$name/d"
	[ "$rc" -eq 0 ] && diff -r ext4/src "$name/d" > /dev/null && batched 36
	ok $? "$name, 40 files: made durable in batches"
done
done_testing
