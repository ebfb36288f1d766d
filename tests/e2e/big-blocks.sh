#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# A run that hashes big files the page cache holds takes 256 KiB requests
# when no --block-size is given (options.h): the copies and their hashes
# stay right on every engine, to one and two destinations and under
# --verify, and the choice is not made for a plain copy, a given block
# size, a directory or a source that is not cached.  With sha256 its
# reads go to io_uring's workers, with xxh128 not.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((3 * $(nengines) + 5))

cd "$T" || exit 1
# 256 MiB and a bit (ACP_BIG_SOURCE): mostly a hole, so that the copy is
# quick even under valgrind, with 9 MiB of data around unaligned edges.
mkdata d1 3000007 big-1
mkdata d2 5242880 big-2
mkdata d3 1048579 big-3
truncate -s $(((256 << 20) + 12345)) big
put() {	# FILE OFFSET: FILE's bytes into big at OFFSET
	dd if="$1" of=big bs=64K seek="$2" oflag=seek_bytes conv=notrunc \
	    status=none
}
put d1 0
put d2 $(((100 << 20) + 12288))
put d3 $(((256 << 20) - 1048576 + 7))
sha256sum < big | cut -d' ' -f1 > big.sum
mkdir src out
# Read into the cache: holes too, where the file system caches them.
cached() {
	cat big > /dev/null
	_p=$(cached_pages big) || return 0
	[ "$_p" -ge $(((256 << 20) / 4096 / 2)) ]
}
said_workers() {
	grep -q "^acp: debug: 'big': read by uring's worker threads" \
	    "$T/stderr"
}
said_big() {
	grep -q "block size 262144, not 65536: the sources are big" \
	    "$T/stderr"
}

for e in $engines; do
	if ! cached; then
		for _ in 1 2 3; do
			skip "$e: this file system does not cache a file's holes"
		done
		continue
	fi
	rm -rf out/* && mkdir out/a out/b
	run_acp --engine="$e" --checksum=sha256 --manifest=m.txt --debug \
	    big out/a/
	# A slow hash: io_uring's workers read, acp's own thread hashes.
	[ "$rc" -eq 0 ] && said_big && cmp -s big out/a/big &&
	    [ "$(cut -d' ' -f1 m.txt)" = "$(cat big.sum)" ] &&
	    if [ "$e" = uring ]; then said_workers; else ! said_workers; fi
	ok $? "$e: a big cached source, hashed: 256 KiB requests, copy and hash right"
	rm -rf out/* && mkdir out/a out/b
	cached
	run_acp --engine="$e" --checksum=sha256 --manifest=m.txt --debug \
	    -t out/a -t out/b big
	[ "$rc" -eq 0 ] && said_big && cmp -s big out/a/big &&
	    cmp -s big out/b/big && [ "$(wc -l < m.txt)" -eq 1 ] &&
	    [ "$(cut -d' ' -f1 m.txt)" = "$(cat big.sum)" ]
	ok $? "$e: the same to two destinations, read once"
	cached
	run_acp --engine="$e" --checksum --verify --debug big out/v
	[ "$rc" -eq 0 ] && said_big && cmp -s big out/v
	ok $? "$e: the same with --verify"
done
skip_engines 3

cached
run_acp --debug big out/plain
[ "$rc" -eq 0 ] && ! said_big && cmp -s big out/plain
ok $? "a plain copy keeps 64K requests"
run_acp --debug --checksum --block-size=64K big out/given
[ "$rc" -eq 0 ] && ! said_big &&
    grep -q "queue depth 32, block size 65536" "$T/stderr" &&
    cmp -s big out/given
ok $? "a given --block-size is kept"
# xxHash is quicker than a hand-off to a worker: acp's thread reads.
case " $engines " in
*" uring "*)
	cached
	run_acp --engine=uring --debug --checksum big out/fast
	[ "$rc" -eq 0 ] && said_big && ! said_workers && cmp -s big out/fast
	ok $? "a big cached source, xxh128: read on acp's own thread"
	;;
*)	skip "io_uring cannot be used here" ;;
esac
ln big src/big
run_acp --debug --checksum -r src out/tree
[ "$rc" -eq 0 ] && ! said_big && cmp -s big out/tree/big
ok $? "a directory among the sources: 64K requests"
if evict big 100; then
	run_acp --debug --checksum big out/cold
	[ "$rc" -eq 0 ] && ! said_big && cmp -s big out/cold
	ok $? "a big source not in the page cache: 64K requests"
else
	skip "this file system keeps a file's pages: nothing to evict"
fi
done_testing
