#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# kill -9 in the middle of a --direct copy: the destination is never
# longer than the data that reached it, so a later run (acp -u, a size
# check) cannot take a half-copied file for a whole one.  An --atomic
# copy's temporary may be sized first: no one takes it for the file.
#
# The order is forced, never timed: the source sits on faultfs, whose
# file "gated" stops the first read that reaches 1 MiB until the test
# has killed the copy.
. "${top_srcdir:-.}/tests/lib.sh"

per=2
plan $((per * $(nengines)))
why=$(faultfs_missing)
[ -z "$why" ] || skip_all "$why"
: > "$T/probe"
direct_ok "$T/probe" || skip_all "no O_DIRECT where the tests write"

size=8388608
gate=1048576
mkdir "$T/gate" "$T/out"
mkfifo "$T/gate/reached" "$T/gate/release"
mount_faultfs "$T/mnt" -s "$size" -e "$gate" -g "$T/gate" ||
    skip_all "cannot mount faultfs: $(head -1 "$T/faultfs.err")"

# gate_kill PID: when the copy is at the gate, kill -9 it, then let the
# read go on (for the filesystem's sake).  Bounded, in case it never
# gets there.
gate_kill() {
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 cat "$T/gate/reached" > /dev/null &&
	    kill -s KILL "$1" &&
	    timeout 60 sh -c 'echo go > "$1"' sh "$T/gate/release"
}

for e in $engines; do
	rm -rf "$T/out" && mkdir "$T/out"
	"$ACP" --engine="$e" --direct "$T/mnt/gated" "$T/out/dst" \
	    2> "$T/stderr" &
	pid=$!
	gate_kill "$pid"
	wait "$pid"
	got=$(stat -c %s "$T/out/dst" 2> /dev/null || echo 0)
	[ "$got" -le "$gate" ]
	ok $? "$e: kill -9 at 1 MiB of 8: the file is $got bytes, no longer than what was read"

	rm -rf "$T/out" && mkdir "$T/out"
	"$ACP" --engine="$e" --direct --atomic "$T/mnt/gated" "$T/out/dst" \
	    2> "$T/stderr" &
	pid=$!
	gate_kill "$pid"
	wait "$pid"
	set -- "$T"/out/.acp-dst.*
	[ ! -e "$T/out/dst" ] && [ -e "$1" ]
	ok $? "$e: --atomic, kill -9: no file under the name, only the temporary"
done
skip_engines "$per"
done_testing
