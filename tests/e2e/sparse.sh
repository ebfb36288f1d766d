#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Sparse files: --sparse=auto keeps the source's holes (SEEK_DATA and
# SEEK_HOLE, never read), always also makes holes of zeros, never writes
# every byte.  Each copy is compared with GNU cp's with the same option:
# the same content and no more allocated blocks.  Holes are hashed as
# zeros, so checksums are of the logical content.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((9 * $(nengines)))
cd "$T" || exit 1

# Holes at the start, in the middle and at the end; data at offsets that
# are not block multiples, and a 4 KiB island inside a 1 MiB block.
truncate -s 40M holes
mkdata d1 3000000 d1
dd if=d1 of=holes bs=4096 seek=1000 conv=notrunc status=none
mkdata d2 4096 d2
dd if=d2 of=holes bs=4096 seek=5003 conv=notrunc status=none
truncate -s 8M allhole
# Allocated zeros with a little data: only --sparse=always makes holes.
head -c 3000000 /dev/zero > zeros
printf 'end' >> zeros

blocks() { stat -c %b "$1"; }

# same SRC OPTION: acp's copy equals the source and holds no more
# blocks than cp's.
same() {
	rm -f "a.$1" "c.$1"
	cp --sparse="$2" "$1" "c.$1" || return 1
	run_acp --engine="$e" --sparse="$2" "$1" "a.$1"
	[ "$rc" -eq 0 ] || return 1
	if cmp -s "$1" "a.$1" &&
	    [ "$(stat -c %s "a.$1")" = "$(stat -c %s "$1")" ] &&
	    [ "$(blocks "a.$1")" -le "$(blocks "c.$1")" ]; then
		return 0
	fi
	diag "$1 --sparse=$2: acp $(blocks "a.$1") blocks, cp $(blocks "c.$1")"
	return 1
}

for e in $engines; do
	same holes auto
	ok $? "$e: --sparse=auto keeps the holes (acp $(blocks a.holes), cp $(blocks c.holes) blocks)"
	run_acp --engine="$e" --debug holes a.dbg
	grep -q "bytes of holes made (SEEK_HOLE)" "$T/stderr"
	ok $? "$e: --debug says the holes were made with SEEK_HOLE"
	same holes never
	ok $? "$e: --sparse=never writes every byte, as cp does"
	same zeros always
	ok $? "$e: --sparse=always makes holes of zeros (acp $(blocks a.zeros), cp $(blocks c.zeros) blocks)"
	same zeros auto
	ok $? "$e: --sparse=auto leaves allocated zeros allocated"
	same allhole auto
	[ "$(blocks a.allhole)" -eq 0 ]
	ok $? "$e: a file that is one hole copies to no blocks"

	rm -f a.sum
	run_acp --engine="$e" --checksum=sha256 --manifest=m holes a.sum
	[ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 m)" = "$(sha256sum < holes | cut -d' ' -f1)" ]
	ok $? "$e: holes are hashed as zeros (sha256 of the logical content)"
	run_acp --engine="$e" --checksum=sha256 --check=m
	[ "$rc" -eq 0 ] && grep -q '^a.sum: OK$' "$T/stdout"
	ok $? "$e: --check of a sparse copy"
	rm -f a.v
	run_acp --engine="$e" --verify --sparse=always holes a.v
	[ "$rc" -eq 0 ] && cmp -s holes a.v
	ok $? "$e: --verify reads a sparse copy back and agrees"
done
skip_engines 9
done_testing
