#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A signal that comes after a file's data is whole, while its last
# requests are in flight: the fsync, the last look at the source (did it
# change?), the closes.  The stop cancels them; what each cancel means:
#   - the last look or a close: the copy is whole and kept, and nothing
#     is said of it (it is no error of the file's: only the run stopped);
#   - the fsync: the copy is not durable, so it is cut short like any
#     other (a new file removed, an --atomic temporary too);
#   - a rewrite in place that the stop lets finish is never cancelled,
#     and is never said to be partly overwritten.
# The order is forced through the test engine: the Nth request of a kind
# raises SIGTERM and completes as cancelled (tests/chaos.c: stop=).
. "${top_srcdir:-.}/tests/lib.sh"

per=6
plan $((per * $(nengines)))
[ -x "${ACP_CHAOS_BIN:-}" ] || skip_all "no tests/acp-chaos"

mkdata "$T/src" 300000 late
mkdata "$T/old" 100000 old

# late OP N ARGS...: copy with the Nth OP request cancelled by a stop;
# the status in rc.  Only the stop is said.
late() {
	_op=$1 _n=$2
	shift 2
	rc=0
	ACP_CHAOS="failop=$_op,fail=$_n:ECANCELED,stop=TERM" timeout 120 \
	    "$ACP_CHAOS_BIN" --engine="$e" "$@" > "$T/stdout" \
	    2> "$T/stderr" || rc=$?
	[ "$rc" -eq 143 ] && [ "$(grep -cv '^acp: interrupted by signal' \
	    "$T/stderr")" -eq 0 ]
}

for e in $engines; do
	# The source's statx after its data (the first is its open's).
	rm -f "$T/dst"
	late statx 2 "$T/src" "$T/dst" && cmp -s "$T/src" "$T/dst"
	ok $? "$e: the last look cancelled: exit 143, the copy kept whole"

	# close_both() closes the source first, then the copy.
	rm -f "$T/dst"
	late close 1 "$T/src" "$T/dst" && cmp -s "$T/src" "$T/dst"
	ok $? "$e: the source's close cancelled: the copy kept, nothing said"
	rm -f "$T/dst"
	late close 2 "$T/src" "$T/dst" && cmp -s "$T/src" "$T/dst"
	ok $? "$e: the copy's close cancelled: the copy kept, nothing said"

	# A lone file's own fsync, through the engine.
	rm -f "$T/dst"
	late fsync 1 --fsync "$T/src" "$T/dst" && [ ! -e "$T/dst" ]
	ok $? "$e: --fsync, its fsync cancelled: the copy removed"
	rm -rf "$T/d" && mkdir "$T/d" && cp "$T/old" "$T/d/dst"
	late fsync 1 --fsync --atomic "$T/src" "$T/d/dst" &&
	    cmp -s "$T/old" "$T/d/dst" && [ "$(ls -A "$T/d")" = dst ]
	ok $? "$e: --fsync --atomic, the fsync cancelled: old file, no temporary"

	# An existing file rewritten in place, let finish by the stop.
	cp "$T/old" "$T/dst"
	late statx 2 "$T/src" "$T/dst" && cmp -s "$T/src" "$T/dst"
	ok $? "$e: a rewrite in place: whole, not said partly overwritten"
done
skip_engines "$per"
done_testing
