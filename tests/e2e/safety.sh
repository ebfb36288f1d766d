#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Nothing lost: signals stop the copy with 130/143/129 and remove a new
# half-written file (an old one is named), and --fsync flushes the
# file's data and the directory.  (A source that changes during its copy:
# io-errors.sh, through faultfs's file that grows as it is read.)
. "${top_srcdir:-.}/tests/lib.sh"

plan $((7 * $(nengines) + 9))

mkdata "$T/chunk" 65536 chunk

# over_1mb FILE: FILE holds over 1,000,000 bytes.
over_1mb() {
	[ -s "$1" ] && [ "$(stat -c %s "$1")" -gt 1000000 ]
}

# A FIFO that never runs dry, so the copy is still going when signalled.
start_writer() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	( while cat "$T/chunk" 2> /dev/null; do :; done > "$T/fifo" ) 2> /dev/null &
	writer=$!
}
stop_writer() {
	kill "$writer" 2> /dev/null
	wait "$writer" 2> /dev/null
}

# interrupt ENGINE SIGNAL DST: copy the endless FIFO, signal acp once it
# has written something; $rc and $T/stderr as run_acp.
interrupt() {
	start_writer
	"$ACP" --engine="$1" "$T/fifo" "$3" 2> "$T/stderr" &
	pid=$!
	wait_until over_1mb "$3"
	kill -s "$2" "$pid"
	rc=0
	wait "$pid" || rc=$?
	stop_writer
}

for e in $engines; do
	rm -f "$T/dst"
	interrupt "$e" TERM "$T/dst"
	[ "$rc" -eq 143 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGTERM exits 143 and removes the half-written new file"
	expect_err "acp: interrupted by signal 15" "$e: SIGTERM is reported"

	interrupt "$e" INT "$T/dst"
	[ "$rc" -eq 130 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGINT exits 130 and removes the half-written new file"

	interrupt "$e" HUP "$T/dst"
	[ "$rc" -eq 129 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGHUP exits 129"

	interrupt "$e" PIPE "$T/dst"
	[ "$rc" -eq 141 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGPIPE exits 141"

	echo "old content" > "$T/old"
	interrupt "$e" TERM "$T/old"
	[ "$rc" -eq 143 ] && [ -e "$T/old" ]
	ok $? "$e: an existing destination is left in place"
	expect_err "interrupted: '$T/old' was partly overwritten" \
	    "$e: and named in the message"
done
skip_engines 7

# A large tree, interrupted: every file is whole or was never touched.
mkdir -p "$T/tree"
for d in 0 1 2 3 4 5 6 7 8 9; do
	mkdir "$T/tree/d$d"
	for f in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
		mkdata "$T/tree/d$d/f$f" 200000 "tree-$d-$f"
	done
done

# tree_interrupt SIGNAL ARGS...: copy the tree into $T/tdst, which holds
# an "old" version of d0, and signal acp in the middle, in an order that
# does not depend on the machine's speed.  A FIFO is a source between d1
# and d0 (read as a file: --copy-contents); opening it for writing
# returns once acp has opened it to read, which is when the signal goes,
# and only then does the FIFO end.  With --queue-depth=1 acp keeps 4
# files in flight and 16 jobs unreported, and the FIFO's job holds up the
# reporting of those after it, so when the signal comes d1 is copied, at
# most 15 files after the FIFO are started, and the rest are not.
tree_interrupt() {
	_sig=$1
	shift
	rm -rf "$T/tdst" && mkdir -p "$T/tdst/tree/d0"
	for f in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
		echo "old $f" > "$T/tdst/tree/d0/f$f"
	done
	rm -f "$T/tree/fifo" && mkfifo "$T/tree/fifo"
	"$ACP" "$@" -r --fsync --copy-contents --queue-depth=1 "$T/tree/d1" \
	    "$T/tree/fifo" "$T/tree/d0" "$T/tree/d2" "$T/tree/d3" \
	    "$T/tree/d4" "$T/tree/d5" "$T/tree/d6" "$T/tree/d7" \
	    "$T/tree/d8" "$T/tree/d9" "$T/tdst/tree" 2> "$T/stderr" &
	pid=$!
	# The barrier, bounded in case acp never opens the FIFO.
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 sh -c 'exec 3> "$1" && kill -s "$2" "$3"' sh \
	    "$T/tree/fifo" "$_sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
}

# Each file of the copy is its source's content, or its old content.
tree_whole() {
	find "$T/tdst" -type f | while read -r f; do
		rel=${f#"$T"/tdst/}
		# The FIFO ended with nothing in it.
		[ "$rel" = tree/fifo ] && [ ! -s "$f" ] && continue
		cmp -s "$f" "$T/$rel" && continue
		case $rel in
		tree/d0/f*) [ "$(cat "$f")" = "old ${rel##*/f}" ] && continue ;;
		esac
		echo "partial: $rel"
	done
}

tree_interrupt INT --atomic
[ "$rc" -eq 130 ] && [ -z "$(tree_whole)" ]
ok $? "a tree under --atomic, SIGINT: exit 130, every file whole or old"
[ -z "$(find "$T/tdst" -name '.acp-*')" ]
ok $? "a tree under --atomic, SIGINT: no temporary file left"

tree_interrupt TERM
partial=$(tree_whole)
# Without --atomic only an old file being rewritten may be partial, and
# then the message names it: acp rewrites one existing file in place at a
# time (new files are many), so at most one.
[ "$rc" -eq 143 ] && { [ -z "$partial" ] ||
    { [ "$(echo "$partial" | wc -l)" -eq 1 ] &&
    grep -q "was partly overwritten" "$T/stderr"; }; }
ok $? "a tree, SIGTERM: exit 143, no new file left short"
# d0's 20, d1's 20, the FIFO and at most 15 more of the 221.
[ "$(find "$T/tdst" -type f | wc -l)" -le 56 ]
ok $? "a tree, SIGTERM: the copy stopped early"

if command -v strace > /dev/null; then
	mkdir -p "$T/sync"
	rc=0
	# LeakSanitizer cannot run under ptrace.  The sync engine, because
	# io_uring's flush is an IORING_OP_FSYNC that strace does not see.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -e trace=fdatasync,fsync -o "$T/strace" "$ACP" \
	    --engine=sync --fsync \
	    "$T/chunk" "$T/sync/c" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/chunk" "$T/sync/c" &&
	    grep -q "^[0-9]* *fdatasync(" "$T/strace"
	ok $? "--fsync flushes the file's data"
	grep -q "^[0-9]* *fsync(" "$T/strace"
	ok $? "--fsync flushes the directory that gained the file"

	# A big file's writeback starts behind the copy, every 8 MiB, by
	# copy_file_range (auto) and through the ring (sync), under --fsync
	# and under --verify (which writes the copy out before it reads it
	# back): the flush at the end comes after (strace sees it with the
	# sync engine), and the copy is whole.  --verify's is a write-out
	# that waits (sync_file_range), not fdatasync: it reads back what
	# the disk has, and leaves making it durable to --fsync.
	mkdata "$T/big" $((40 * 1024 * 1024)) big
	for how in auto:--fsync sync:--fsync sync:--verify; do
		e=${how%%:*}
		opt=${how#*:}
		[ "$opt" = --verify ] && opt="--checksum --verify"
		rc=0
		# shellcheck disable=SC2086 # $opt is one or two options
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    strace -f -e trace=sync_file_range,fdatasync -o "$T/strace" \
		    "$ACP" --engine="$e" $opt "$T/big" "$T/sync/big.$e" \
		    2> "$T/stderr" || rc=$?
		n=$(grep -c "sync_file_range(.*SYNC_FILE_RANGE_WRITE)" "$T/strace")
		flush="fdatasync("
		[ "$opt" = --fsync ] ||
		    flush="sync_file_range(.*WAIT_BEFORE.*WRITE.*WAIT_AFTER)"
		[ "$rc" -eq 0 ] && cmp -s "$T/big" "$T/sync/big.$e" &&
		    [ "$n" -ge 3 ] && { [ "$e" = auto ] ||
		    grep -A1000 "SYNC_FILE_RANGE_WRITE)" "$T/strace" |
		    grep -q "$flush"; } && { [ "$opt" = --fsync ] ||
		    ! grep -q "fdatasync(" "$T/strace"; }
		ok $? "$e $opt: a big file's writeback starts as it goes ($n calls), then the flush"
		rm -f "$T/sync/big.$e"
	done
else
	for _ in 1 2 3 4 5; do skip "strace is not installed"; done
fi
done_testing
