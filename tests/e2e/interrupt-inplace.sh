#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A signal while existing files are rewritten in place.  A rewrite whose
# source is a regular file (up to 64 MiB of them in flight) is let
# finish: the old file is never left half old, half new.  One that
# cannot be promised to end (a FIFO's, here) runs alone and is cut
# short, and the message names it: at most one such file, as cp.
#
# The order is forced, never timed: the source of the first case sits on
# faultfs, whose file "gated" stops the first read that reaches 1 MiB
# until the test has sent the signal; the second reads a FIFO that the
# test feeds.
. "${top_srcdir:-.}/tests/lib.sh"

per=4
plan $((per * $(nengines)))
why=$(faultfs_missing)
[ -z "$why" ] || skip_all "$why"

size=4194304
gate=1048576
mkdir "$T/gate"
mkfifo "$T/gate/reached" "$T/gate/release"
mount_faultfs "$T/mnt" -s "$size" -e "$gate" -g "$T/gate" ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"
# What /gated holds (reading it again would meet the gate): byte i is
# (i * 31 + 7) & 0xff.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 31 + 7) & 0xff
    for i in range(int(sys.argv[1]))))' "$size" > "$T/pattern"

# gate_signal PID SIGNAL: when the copy is at the gate, signal it and
# let the read go on.  Bounded, in case it never gets there.
gate_signal() {
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 cat "$T/gate/reached" > /dev/null &&
	    kill -s "$2" "$1" &&
	    timeout 60 sh -c 'echo go > "$1"' sh "$T/gate/release"
}

for e in $engines; do
	mkdata "$T/old" 3000000 "old-$e"
	cp "$T/old" "$T/dst"
	"$ACP" --engine="$e" "$T/mnt/gated" "$T/dst" 2> "$T/stderr" &
	pid=$!
	gate_signal "$pid" TERM
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] && cmp -s "$T/pattern" "$T/dst"
	ok $? "$e: SIGTERM in the middle of a rewrite in place: it finishes, exit 143"
	! grep -q "partly overwritten" "$T/stderr"
	ok $? "$e: nothing is said to be partly overwritten"

	# A FIFO's rewrite: it was cut (emptied) when the copy began, and
	# the signal stops it; the message names it.
	cp "$T/old" "$T/dst"
	rm -f "$T/fifo" && mkfifo "$T/fifo"
	"$ACP" --engine="$e" "$T/fifo" "$T/dst" 2> "$T/stderr" &
	pid=$!
	# Opened (so acp is reading); then wait for the old data to go.
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 sh -c 'exec 3> "$1"; printf part >&3
	    while [ -s "$2" ]; do sleep 0.01; done; kill -s TERM "$3"' \
	    sh "$T/fifo" "$T/dst" "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] && ! cmp -s "$T/old" "$T/dst"
	ok $? "$e: SIGTERM in a FIFO's rewrite in place: cut short, exit 143"
	grep -q "interrupted: '$T/dst' was partly overwritten" "$T/stderr"
	ok $? "$e: and the message names it"
done
skip_engines "$per"
done_testing
