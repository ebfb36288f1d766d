#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Sources and destinations that cannot seek: a FIFO, a pipe on stdin,
# character devices.  They are read and written in order.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((5 * $(nengines)))

mkdata "$T/src" 3000000 special
for e in $engines; do
	rm -f "$T/fifo" "$T/dst"
	mkfifo "$T/fifo"
	cat "$T/src" > "$T/fifo" &
	run_acp --engine="$e" --block-size=64K "$T/fifo" "$T/dst"
	wait
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "$e: a FIFO source is copied whole"

	rm -f "$T/dst"
	rc=0
	timeout 60 "$ACP" --engine="$e" /dev/stdin "$T/dst" < "$T/src" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "$e: a regular file on stdin is copied whole"

	rm -f "$T/dst"
	rc=0
	# The pipe is the point: acp must read a FIFO on stdin.
	# shellcheck disable=SC2002
	cat "$T/src" | timeout 60 "$ACP" --engine="$e" /dev/stdin "$T/dst" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "$e: a pipe on stdin is copied whole"

	rm -f "$T/dst"
	run_acp --engine="$e" /dev/null "$T/dst"
	[ "$rc" -eq 0 ] && [ -f "$T/dst" ] && [ ! -s "$T/dst" ]
	ok $? "$e: /dev/null gives an empty file"

	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	cat "$T/fifo" > "$T/dst" &
	run_acp --engine="$e" --block-size=4K "$T/src" "$T/fifo"
	wait
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "$e: writing into an existing FIFO keeps the order"
done
skip_engines 5
done_testing
