#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A busy kernel: io_uring_enter() and io_submit() refuse with EAGAIN or
# EBUSY, which means nothing was submitted.  acp must not wait for
# completions of requests the kernel does not have: it reaps what the
# kernel holds, submits again, and the copy ends whole.  The refusals
# are injected by strace at fixed calls, so the order is forced.
. "${top_srcdir:-.}/tests/lib.sh"

plan 5
if ! command -v strace > /dev/null ||
    ! strace -f -o /dev/null -e inject=getpid:error=EAGAIN:when=1 true \
    2> /dev/null; then
	for _ in 1 2 3 4 5; do skip "no strace that injects errors"; done
	exit 0
fi
cd "$T" || exit 1

mkdata src 3000007 busy
mkdir tree
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	mkdata "tree/f$i" $((i * 40000 + 7)) "busy-$i"
done

# busy ENGINE SYSCALL ERRNO WHEN ARGS...: acp under the injection, by a
# timeout that only a hang reaches; status in $rc.
busy() {
	_e=$1 _call=$2 _err=$3 _when=$4
	shift 4
	rc=0
	# Leak checking cannot run under ptrace.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    timeout 120 strace -f -o /dev/null \
	    -e inject="$_call:error=$_err:when=$_when" \
	    "$ACP" --engine="$_e" "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
}

if echo " $engines " | grep -q " uring "; then
	busy uring io_uring_enter EAGAIN 1 src dst1
	[ "$rc" -eq 0 ] && cmp -s src dst1
	ok $? "uring: the first io_uring_enter refused (EAGAIN): no hang, a whole copy"

	busy uring io_uring_enter EBUSY 1..3 --checksum=xxh64 src dst2
	[ "$rc" -eq 0 ] && cmp -s src dst2
	ok $? "uring: three refused in a row (EBUSY), with a checksum: a whole copy"

	busy uring io_uring_enter EAGAIN 2+3 -r tree tree2
	[ "$rc" -eq 0 ] && diff -r tree tree2 > /dev/null
	ok $? "uring: every third enter refused, a tree: every file whole"
else
	skip "uring engine cannot start here"
	skip "uring engine cannot start here"
	skip "uring engine cannot start here"
fi

if echo " $engines " | grep -q " aio "; then
	busy aio io_submit EAGAIN 1..5 --direct src dst3
	[ "$rc" -eq 0 ] && cmp -s src dst3
	ok $? "aio: io_submit refused five times (EAGAIN): a whole copy"

	busy aio io_submit EAGAIN 2+2 -r --direct tree tree3
	[ "$rc" -eq 0 ] && diff -r tree tree3 > /dev/null
	ok $? "aio: every other io_submit refused, a tree: every file whole"
else
	skip "aio engine cannot start here"
	skip "aio engine cannot start here"
fi
done_testing
