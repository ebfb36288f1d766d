#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --reflink: on loop-mounted btrfs and xfs images made here, the copy
# shares the source's blocks (FICLONE); always fails, naming the files,
# where a filesystem cannot clone (ext4, tmpfs); a checksum needs the data
# read, so auto does not clone then, and always refuses it (exit 2).
# Small files not in the page cache that are to be cloned are not read
# ahead (io_uring): their data is never read.
. "${top_srcdir:-.}/tests/lib.sh"

per=5
plan $((2 * per + 4))
cd "$T" || exit 1
mkdata data 3000000 ref

run_acp --reflink=always --checksum data x
[ "$rc" -eq 2 ] && [ ! -e x ] && grep -q "cannot be hashed" "$T/stderr"
ok $? "--reflink=always with --checksum: a usage error (exit 2)"
run_acp --reflink=sometimes data x
[ "$rc" -eq 2 ] && [ ! -e x ]
ok $? "--reflink=sometimes: a usage error (exit 2)"

# Here (the test's scratch directory) the filesystem may or may not
# clone; tmpfs never does.
if [ "$(id -u)" = 0 ] && mkdir tmpfs && mount -t tmpfs -o size=16M tmpfs tmpfs 2> /dev/null; then
	cleanup_mounts="$T/tmpfs"
	cp data tmpfs/src
	run_acp --reflink=always tmpfs/src tmpfs/dst
	[ "$rc" -eq 1 ] && [ ! -e tmpfs/dst ] &&
	    grep -q "^acp: failed to clone 'tmpfs/dst' from 'tmpfs/src': " "$T/stderr"
	ok $? "tmpfs, --reflink=always: exit 1, named, no file left"
	run_acp --debug tmpfs/src tmpfs/auto
	[ "$rc" -eq 0 ] && cmp -s data tmpfs/auto && ! grep -q cloned "$T/stderr"
	ok $? "tmpfs, --reflink=auto: copied the usual way"
else
	skip "needs root to mount a tmpfs"
	skip "needs root to mount a tmpfs"
fi

# fs_test FS MKFS SIZE: the cases on a fresh image of FS.
fs_test() {
	_fs=$1 _mkfs=$2 _size=$3
	if [ "$(id -u)" != 0 ] || ! command -v "$_mkfs" > /dev/null ||
	    ! command -v losetup > /dev/null; then
		for _ in $(seq $per); do skip "$_fs: needs root, losetup and $_mkfs"; done
		return
	fi
	truncate -s "$_size" "$_fs.img"
	mkdir "$_fs"
	if ! "$_mkfs" -q "$_fs.img" > /dev/null 2>&1 && ! "$_mkfs" "$_fs.img" > /dev/null 2>&1 ||
	    ! mount -o loop "$_fs.img" "$_fs" 2> "$T/stderr"; then
		for _ in $(seq $per); do skip "$_fs: cannot make or mount an image: $(head -1 "$T/stderr")"; done
		return
	fi
	cleanup_mounts="$T/$_fs $cleanup_mounts"
	cp data "$_fs/src"
	sync
	run_acp --reflink=always --debug "$_fs/src" "$_fs/always"
	[ "$rc" -eq 0 ] && cmp -s data "$_fs/always" &&
	    grep -q "'$_fs/src' -> '$_fs/always': 3000000 bytes cloned (FICLONE" "$T/stderr"
	ok $? "$_fs: --reflink=always clones"
	run_acp -v --debug "$_fs/src" "$_fs/auto"
	[ "$rc" -eq 0 ] && cmp -s data "$_fs/auto" && grep -q "bytes cloned" "$T/stderr"
	ok $? "$_fs: --reflink=auto (the default) clones"
	run_acp --checksum=sha256 --manifest=m --debug "$_fs/src" "$_fs/sum"
	[ "$rc" -eq 0 ] && cmp -s data "$_fs/sum" && ! grep -q "cloned" "$T/stderr" &&
	    [ "$(cut -d' ' -f1 m)" = "$(sha256sum < data | cut -d' ' -f1)" ]
	ok $? "$_fs: with --checksum, auto reads the data to hash it"
	cold_test "$_fs"
	umount "$_fs"
}

# cold_test FS: 20 small files evicted, cloned by io_uring: none read
# ahead; with --reflink=never, each is.
cold_test() {
	mkdir "$1/cold"
	for i in $(seq 20); do
		head -c $((i * 1500 + 1)) data > "$1/cold/f$i"
	done
	if ! case " $engines " in *" uring "*) true ;; *) false ;; esac; then
		skip "$1: io_uring cannot start here"
		skip "$1: io_uring cannot start here"
		return
	elif ! command -v fincore > /dev/null; then
		skip "$1: no fincore to count cached pages"
		skip "$1: no fincore to count cached pages"
		return
	elif [ -n "${ACP_UNDER_VALGRIND:-}" ]; then
		# It reads the head of each file mapped (is it ELF?).
		skip "$1: valgrind caches what acp maps to ask mincore"
		skip "$1: valgrind caches what acp maps to ask mincore"
		return
	fi
	for f in "$1"/cold/*; do
		evict "$f" 1 || break
	done
	run_acp --engine=uring -r --debug "$1/cold" "$1/cold.clone"
	_pages=0
	for f in "$1"/cold/*; do
		_pages=$((_pages + $(cached_pages "$f")))
	done
	[ "$rc" -eq 0 ] && [ "$(grep -c "bytes cloned" "$T/stderr")" -eq 20 ] &&
	    [ "$_pages" -eq 0 ] && diff -r "$1/cold" "$1/cold.clone" > /dev/null
	ok $? "$1: small files not cached, cloned: none read ahead ($_pages pages cached)"
	for f in "$1"/cold/*; do
		evict "$f" 1 || break
	done
	run_acp --engine=uring --reflink=never -r --debug "$1/cold" \
	    "$1/cold.copy"
	[ "$rc" -eq 0 ] && diff -r "$1/cold" "$1/cold.copy" > /dev/null &&
	    ! grep -q "bytes cloned" "$T/stderr" &&
	    grep -q "not in the page cache: read with O_DIRECT" "$T/stderr"
	ok $? "$1: the same, --reflink=never: read with O_DIRECT, then copied"
}
fs_test btrfs mkfs.btrfs 200M
fs_test xfs mkfs.xfs 400M
done_testing
