#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Imaging a disk: a block device (a loop device here) as the source.
# Its size comes from BLKGETSIZE64 (stat says 0), so the ring runs full
# and the copy, its checksum and its read-back are of the whole device.
. "${top_srcdir:-.}/tests/lib.sh"

per=4
plan $((per * $(nengines)))
command -v losetup > /dev/null || skip_all "no losetup"
cd "$T" || exit 1
mkdata disk.img 8388608 blockdev
loop=$(losetup -f --show disk.img 2> losetup.err) ||
    skip_all "cannot set up a loop device: $(head -1 losetup.err)"
trap 'losetup -d "$loop"; cleanup' EXIT
want=$(sha256sum < disk.img | cut -d' ' -f1)

for e in $engines; do
	rm -f "image.$e"
	run_acp --engine="$e" --queue-depth=16 --debug "$loop" "image.$e"
	[ "$rc" -eq 0 ] && cmp -s disk.img "image.$e"
	ok $? "$e: a loop device copies whole (8 MiB)"
	n=$(grep -o '[0-9]* in flight at most' "$T/stderr" | head -1 |
	    cut -d' ' -f1)
	[ "${n:-0}" -eq 16 ]
	ok $? "$e: its size is known, so the ring runs full (${n:-0} of 16 in flight)"

	rm -f "image2.$e"
	run_acp --engine="$e" --checksum=sha256 --verify --manifest="m.$e" \
	    "$loop" "image2.$e"
	[ "$rc" -eq 0 ] && grep -q "^$want " "m.$e" && cmp -s disk.img "image2.$e"
	ok $? "$e: --checksum --verify: the manifest has the image's sha256"

	rm -f "h.$e"
	run_acp --engine="$e" --checksum=sha256 --manifest="h.$e" "$loop" \
	    /dev/null
	[ "$rc" -eq 0 ] && grep -q "^$want " "h.$e"
	ok $? "$e: imaged to /dev/null, the checksum of the whole device"
done
skip_engines "$per"
done_testing
