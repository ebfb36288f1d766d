#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Memory safety under valgrind, on the sync engine (the kernel writes into
# io_uring and libaio buffers behind valgrind's back): a copy with a
# checksum and --verify, a /proc file, a refusal, and --check.
. "${top_srcdir:-.}/tests/lib.sh"

plan 4
if ! command -v valgrind > /dev/null; then
	for _ in 1 2 3 4; do skip "valgrind is not installed"; done
	exit 0
fi
if [ -n "${ACP_UNDER_VALGRIND:-}" ]; then
	for _ in 1 2 3 4; do skip "the whole suite runs under valgrind already"; done
	exit 0
fi
if [ -n "${ASAN_OPTIONS:-}" ]; then
	for _ in 1 2 3 4; do skip "an AddressSanitizer build cannot run under valgrind"; done
	exit 0
fi

vg() {
	rc=0
	valgrind -q --vgdb=no --leak-check=full \
	    --errors-for-leak-kinds=definite --error-exitcode=99 \
	    "$ACP" --engine=sync "$@" \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
}

mkdata "$T/a" 300007 vg
vg --checksum=sha256 --manifest="$T/m" --verify --queue-depth=4 \
    --block-size=64K "$T/a" "$T/b"
[ "$rc" -eq 0 ] && cmp -s "$T/a" "$T/b"
ok $? "valgrind: a copy with a checksum and --verify is clean"

vg /proc/self/status "$T/st"
[ "$rc" -eq 0 ]
ok $? "valgrind: a /proc file is clean"

vg "$T/missing" "$T/x"
[ "$rc" -eq 1 ]
ok $? "valgrind: a refusal is clean (exit 1, not 99)"

vg --check="$T/m"
[ "$rc" -eq 0 ]
ok $? "valgrind: --check is clean"
done_testing
