#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A source whose reads come back short (FUSE with direct I/O passes each
# read through as the daemon answers it): 1 byte and 4095 bytes a read,
# a small file (copied by splice by the default engine) and a large one
# (through the ring).  After a short read FUSE answers 0 past it, to a
# splice and a read alike, until a stat gives it the size again: a 0
# below the size seen is never taken for the end before a fresh fstat
# says so.  The copy is whole, exit 0.
. "${top_srcdir:-.}/tests/lib.sh"

per=3
plan $((per * $(nengines) + 3))
why=$(faultfs_missing)
[ -z "$why" ] || skip_all "$why"
mkdir "$T/out"
mount_faultfs "$T/one" -s 20000 -r 1 ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"
mount_faultfs "$T/small" -s 20000 -r 4095 ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"
mount_faultfs "$T/large" -s 3000000 -r 4095 ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"

for e in $engines; do
	for m in one small large; do
		rm -f "$T/out/$m"
		run_acp --engine="$e" "$T/$m/short" "$T/out/$m"
		[ "$rc" -eq 0 ] && cmp -s "$T/$m/good" "$T/out/$m"
		ok $? "$e: $m: $(stat -c %s "$T/$m/good") bytes read $(case $m in one) echo 1 ;; *) echo 4095 ;; esac) at a time: whole (exit $rc, got $(stat -c %s "$T/out/$m" 2> /dev/null))"
	done
done
skip_engines "$per"

# The default engine splices a small plain copy through a pipe.
for m in one small; do
	rm -f "$T/out/$m"
	run_acp --debug --sparse=never "$T/$m/short" "$T/out/$m"
	[ "$rc" -eq 0 ] && cmp -s "$T/$m/good" "$T/out/$m" &&
	    grep -q "acp: debug: splice moved nothing at offset [0-9]* of 20000: reading the rest" "$T/stderr"
	ok $? "default engine, $m: a splice that moves nothing below the size goes on by reads: whole (exit $rc)"
done
rm -f "$T/out/large"
run_acp --checksum "$T/large/short" "$T/out/large"
[ "$rc" -eq 0 ] && cmp -s "$T/large/good" "$T/out/large"
ok $? "default engine, large, --checksum: whole (exit $rc)"
done_testing
