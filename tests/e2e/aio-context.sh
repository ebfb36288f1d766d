#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The libaio engine makes its kernel context only for a request the
# kernel is to do (a direct read or write; flushes go to its worker
# threads): a copy that makes none ends without the 30-50 ms that ending a context costs (io_destroy
# waits for RCU grace periods).  Where the context cannot be made
# (fs.aio-max-nr reached: EAGAIN, injected by strace), its worker
# threads do those requests too, and the copy is whole.
. "${top_srcdir:-.}/tests/lib.sh"

plan 10
case " $engines " in
*" aio "*) ;;
*) skip_all "the aio engine cannot start here" ;;
esac
if ! command -v strace > /dev/null ||
    ! strace -f -o /dev/null -e inject=getpid:error=EAGAIN:when=1 true \
    2> /dev/null; then
	skip_all "no strace that injects errors"
fi

# LeakSanitizer cannot run under ptrace: no leak check under strace.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

trace() {
	strace -f -o "$T/trace" -e trace=io_setup,io_submit,io_destroy "$@"
}

# calls NAME: how many NAME calls the trace shows.
calls() {
	grep -c "^[0-9]* *$1(" "$T/trace"
}

mkdata "$T/small" 70001 small
mkdir "$T/tree"
for i in 1 2 3 4 5 6 7 8; do
	mkdata "$T/tree/f$i" $((i * 4099)) tree$i
done

# Buffered copies: the probe only (io_setup for no events, refused).
rc=0
trace "$ACP" --engine=aio "$T/small" "$T/small.copy" 2> "$T/stderr" || rc=$?
ok "$rc" "a small file copies with the aio engine"
cmp -s "$T/small" "$T/small.copy"
ok $? "its copy is whole"
rc=0
trace "$ACP" --engine=aio -r "$T/tree" "$T/tree.copy" 2>> "$T/stderr" ||
    rc=$?
[ "$rc" -eq 0 ] && diff -r "$T/tree" "$T/tree.copy" > /dev/null &&
    [ "$(calls io_setup)" -eq 1 ] &&
    grep -q "io_setup(0, .*EINVAL" "$T/trace" &&
    [ "$(calls io_destroy)" -eq 0 ] && [ "$(calls io_submit)" -eq 0 ]
ok $? "a tree copied buffered makes no kernel context"
# One file under --fsync: its own fdatasync, not a batch's syncfs.
rc=0
strace -f -o "$T/trace" -e trace=io_setup,io_submit,io_destroy,fdatasync \
    "$ACP" --engine=aio --fsync "$T/small" "$T/small.durable" \
    2>> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && cmp -s "$T/small" "$T/small.durable" &&
    [ "$(calls fdatasync)" -ge 1 ] && [ "$(calls io_setup)" -eq 1 ] &&
    [ "$(calls io_destroy)" -eq 0 ] && [ "$(calls io_submit)" -eq 0 ]
ok $? "--fsync flushes on the worker threads, with no kernel context"

if ! direct_ok "$T/small"; then
	for _ in 1 2 3 4 5 6; do skip "no O_DIRECT on $T"; done
	exit 0
fi
mkdata "$T/big" $((3 * 1024 * 1024 + 11)) big

# Direct copies: the context is made once, used, and ended.
rc=0
trace "$ACP" --engine=aio --direct "$T/big" "$T/big.copy" 2> "$T/stderr" ||
    rc=$?
ok "$rc" "--direct copies with the aio engine"
cmp -s "$T/big" "$T/big.copy"
ok $? "its copy is whole"
grep -q "io_setup([1-9][0-9]*, .*= 0" "$T/trace" &&
    [ "$(calls io_setup)" -eq 2 ] && [ "$(calls io_submit)" -gt 0 ] &&
    [ "$(calls io_destroy)" -eq 1 ]
ok $? "a direct copy makes one kernel context and ends it"

# The context refused where it is made: the workers do the direct I/O.
rc=0
strace -f -o "$T/trace" -e trace=io_setup,io_submit,io_destroy \
    -e inject=io_setup:error=EAGAIN:when=2 \
    "$ACP" --engine=aio --direct "$T/big" "$T/big.again" 2> "$T/stderr" ||
    rc=$?
ok "$rc" "--direct with the context refused (EAGAIN) still copies"
cmp -s "$T/big" "$T/big.again"
ok $? "its copy is whole"
grep -q "io_setup([1-9][0-9]*, .*EAGAIN" "$T/trace" &&
    [ "$(calls io_submit)" -eq 0 ] && [ "$(calls io_destroy)" -eq 0 ]
ok $? "without a context nothing goes to the kernel's AIO"

done_testing
