#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Faults from a FUSE filesystem that fails on purpose (tests/faultfs):
# EIO on read and on write names the file and the offset, the copy goes
# on with the other files, exit 1, and no short new file is left; short
# reads still give a whole copy; a file that changes while read gives
# exit 4 and no manifest line; a copy that reads back different data
# fails --verify (exit 3).
. "${top_srcdir:-.}/tests/lib.sh"

per=9
# Without --engine, small plain copies go by splice through a pipe where
# the filesystem splices (FUSE here does not: the copy falls back to read
# and write on the first request).
nsplice=4
plan $((per * $(nengines) + nsplice))
why=$(faultfs_missing)
[ -z "$why" ] || skip_all "$why"

size=4194304
fail=1048576
mount_faultfs "$T/mnt" -s "$size" -e "$fail" ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"

mkdata "$T/local" 3000000 local
for e in $engines; do
	rm -rf "$T/out" && mkdir "$T/out"
	run_acp --engine="$e" --block-size=64K "$T/mnt/bad" "$T/mnt/good" "$T/out"
	[ "$rc" -eq 1 ] &&
	    grep -q "acp: error reading '$T/mnt/bad' at offset $fail: Input/output error" "$T/stderr"
	ok $? "$e: EIO on read: exit 1, the file and offset $fail named"
	[ ! -e "$T/out/bad" ] && cmp -s "$T/mnt/good" "$T/out/good"
	ok $? "$e: the failed file is not left short; the next file is copied"

	run_acp --engine="$e" --block-size=64K "$T/local" "$T/mnt/w.$e"
	[ "$rc" -eq 1 ] &&
	    grep -q "acp: error writing '$T/mnt/w.$e' at offset [0-9]*: Input/output error" "$T/stderr"
	ok $? "$e: EIO on write: exit 1, the file and offset named"
	[ ! -e "$T/mnt/w.$e" ]
	ok $? "$e: the new file that could not be written is removed"

	run_acp --engine="$e" --checksum --manifest="$T/m" "$T/mnt/bad" "$T/local" "$T/out"
	[ "$rc" -eq 1 ] && [ "$(wc -l < "$T/m")" -eq 1 ] && grep -q "  $T/out/local\$" "$T/m"
	ok $? "$e: a failed file has no manifest line; the others do"

	rm -f "$T/out/short"
	run_acp --engine="$e" --block-size=64K "$T/mnt/short" "$T/out/short"
	[ "$rc" -eq 0 ] && cmp -s "$T/mnt/good" "$T/out/short"
	ok $? "$e: reads that come back 1000 bytes at a time give a whole copy"

	rm -f "$T/out/moving"
	run_acp --engine="$e" --block-size=64K "$T/mnt/moving" "$T/out/moving"
	[ "$rc" -eq 4 ] && grep -q "'$T/mnt/moving' changed while being copied" "$T/stderr"
	ok $? "$e: a file that grows while read: a warning and exit 4"
	rm -f "$T/out/moving" "$T/moving.m"
	run_acp --engine="$e" --checksum --manifest="$T/moving.m" \
	    "$T/mnt/moving" "$T/out/moving"
	[ "$rc" -eq 4 ] && grep -q "'$T/mnt/moving' changed while being copied" "$T/stderr" &&
	    [ -e "$T/moving.m" ] && [ ! -s "$T/moving.m" ]
	ok $? "$e: and hashed: exit 4, no manifest line for it"

	head -c 500000 "$T/local" > "$T/half"
	run_acp --engine="$e" --verify "$T/half" "$T/mnt/corrupt.$e"
	[ "$rc" -eq 3 ] && grep -q "'$T/mnt/corrupt.$e': verification FAILED" "$T/stderr"
	ok $? "$e: --verify catches a copy that reads back different: exit 3"
done

rm -rf "$T/out" && mkdir "$T/out"
run_acp --debug "$T/mnt/bad" "$T/mnt/good" "$T/out"
[ "$rc" -eq 1 ] &&
    grep -q "acp: error reading '$T/mnt/bad' at offset $fail: Input/output error" "$T/stderr" &&
    grep -q "'$T/mnt/good' -> '$T/out/good': $size bytes" "$T/stderr"
ok $? "default engine: EIO on read: exit 1, the file and offset $fail named"
[ ! -e "$T/out/bad" ] && cmp -s "$T/mnt/good" "$T/out/good"
ok $? "default engine: the failed file is not left short; the next is whole"
run_acp "$T/local" "$T/mnt/w.splice"
[ "$rc" -eq 1 ] && [ ! -e "$T/mnt/w.splice" ] &&
    grep -q "acp: error writing '$T/mnt/w.splice' at offset [0-9]*: Input/output error" "$T/stderr"
ok $? "default engine: EIO on write: exit 1, named, the new file removed"
run_acp "$T/mnt/short" "$T/out/short.splice"
[ "$rc" -eq 0 ] && cmp -s "$T/mnt/good" "$T/out/short.splice"
ok $? "default engine: reads of 1000 bytes at a time give a whole copy"

umount "$T/mnt"
wait "$faultfs_pid" 2> /dev/null
cleanup_mounts=""
skip_engines "$per"
done_testing
