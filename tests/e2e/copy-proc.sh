#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Files whose size lies: /proc files say 0 bytes and have content; they
# must be copied whole, by reading until EOF.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((3 * $(nengines)))

# same_cpuinfo COPY: COPY is /proc/cpuinfo, but for the "cpu MHz" lines,
# which move between two reads.
same_cpuinfo() {
	grep -v MHz "$1" > "$T/copy.steady"
	grep -v MHz /proc/cpuinfo > "$T/proc.steady"
	[ -s "$1" ] && cmp -s "$T/copy.steady" "$T/proc.steady" &&
	    [ "$(grep -c MHz "$1")" = "$(grep -c MHz /proc/cpuinfo)" ]
}

for e in $engines; do
	run_acp --engine="$e" /proc/cpuinfo "$T/cpuinfo"
	[ "$rc" -eq 0 ] && same_cpuinfo "$T/cpuinfo"
	ok $? "$e: /proc/cpuinfo (st_size 0) copied whole"

	# /proc/self/status changes with the reader; check its shape.
	run_acp --engine="$e" /proc/self/status "$T/status"
	[ "$rc" -eq 0 ] && grep -q '^Name:' "$T/status" &&
	    grep -q '^VmPeak:' "$T/status" &&
	    grep -q '^nonvoluntary_ctxt_switches:' "$T/status"
	ok $? "$e: /proc/self/status copied from first line to last"

	# Small blocks: many reads past the reported size, one at a time.
	run_acp --engine="$e" --block-size=4K --queue-depth=8 /proc/cpuinfo \
	    "$T/cpuinfo4k"
	[ "$rc" -eq 0 ] && same_cpuinfo "$T/cpuinfo4k"
	ok $? "$e: /proc/cpuinfo in 4K requests copied whole ($(wc -c < /proc/cpuinfo) bytes)"
done
skip_engines 3
done_testing
