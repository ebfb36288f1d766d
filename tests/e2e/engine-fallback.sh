#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Engine fallback under a seccomp filter, as in a container that refuses
# io_uring: auto falls back to libaio, then to read/write, says why under
# --debug, stays silent without it, and copies byte for byte; an engine
# named on the command line that cannot start is an error naming why.
. "${top_srcdir:-.}/tests/lib.sh"

plan 22
helper=${SECCOMP_RUN:-}
if [ -z "$helper" ] || [ ! -x "$helper" ]; then
	for _ in $(seq 22); do skip "no seccomp-run helper (configure found no libseccomp)"; done
	exit 0
fi
if ! "$helper" -d io_uring_setup=EPERM true 2> "$T/stderr"; then
	for _ in $(seq 22); do skip "seccomp filters cannot be loaded here: $(head -1 "$T/stderr")"; done
	exit 0
fi

mkdata "$T/src" 3000007 fallback
# A big source out of the page cache goes through the engine even with
# no engine named (a cached one may go to copy_file_range instead).
mkdata "$T/cold" $((40 * 1024 * 1024 + 7)) cold
cold=0
direct_ok "$T/cold" && cold=1
aio_built=1
"$ACP" --engine=aio "$T/src" "$T/probe" 2> /dev/null || aio_built=0
rm -f "$T/probe"

for err in EPERM ENOSYS; do
	case $err in
	EPERM) msg="Operation not permitted" ;;
	ENOSYS) msg="Function not implemented" ;;
	esac

	# io_uring refused: auto goes on with libaio.
	rm -f "$T/dst"
	rc=0
	"$helper" -d io_uring_setup=$err "$ACP" --debug --engine=auto \
	    --queue-depth=8 "$T/src" "$T/dst" > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "io_uring_setup $err: auto still copies byte for byte"
	expect_err "engine uring: io_uring_setup: $msg" \
	    "io_uring_setup $err: --debug names the refusal"
	if [ "$aio_built" = 1 ]; then
		expect_err "engine aio: started" \
		    "io_uring_setup $err: --debug says libaio took over"
		rc=0
		if [ "$cold" = 1 ] && evict "$T/cold"; then
			# Hashed, so that the data passes through memory (a
			# plain copy of a big file goes by copy_file_range).
			"$helper" -d io_uring_setup=$err "$ACP" --debug \
			    --checksum "$T/cold" "$T/dst.cold" > "$T/stdout" \
			    2> "$T/stderr" || rc=$?
			[ "$rc" -eq 0 ] && cmp -s "$T/cold" "$T/dst.cold" &&
			    grep -q "requests through aio" "$T/stderr"
			ok $? "io_uring_setup $err: an uncached file's data went through libaio"
			rm -f "$T/dst.cold"
		else
			skip "cannot evict a file from the page cache here"
		fi
	else
		skip "libaio engine not available"
		skip "libaio engine not available"
	fi

	# Without --debug a fallback is silent, and -v is cp's.
	rm -f "$T/dst"
	rc=0
	"$helper" -d io_uring_setup=$err "$ACP" -v "$T/src" "$T/dst" \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    [ "$(cat "$T/stdout")" = "'$T/src' -> '$T/dst'" ]
	ok $? "io_uring_setup $err: silent fallback, -v prints only cp's line"

	# Both refused: the plain engine copies.
	rm -f "$T/dst"
	rc=0
	"$helper" -d io_uring_setup=$err -d io_setup=$err "$ACP" --debug \
	    --engine=uring --queue-depth=8 "$T/src" "$T/dst" \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 1 ] && [ ! -e "$T/dst" ]
	ok $? "io_uring_setup $err: --engine=uring exits 1, nothing written"
	expect_err "acp: cannot start engine uring: io_uring_setup: $msg" \
	    "io_uring_setup $err: --engine=uring names the reason"

	rc=0
	"$helper" -d io_uring_setup=$err -d io_setup=$err "$ACP" --debug \
	    "$T/src" "$T/dst" > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/src" "$T/dst"
	ok $? "io_uring_setup and io_setup $err: auto copies with read/write"
	expect_err "engine aio: io_setup: $msg" \
	    "io_setup $err: --debug names the refusal"
	expect_err "engine sync: started" \
	    "both refused: --debug says the sync engine took over"

	rc=0
	"$helper" -d io_setup=$err "$ACP" --engine=aio "$T/src" "$T/dst2" \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	if [ "$aio_built" = 1 ]; then
		[ "$rc" -eq 1 ] && [ ! -e "$T/dst2" ] &&
		    grep -q "acp: cannot start engine aio: io_setup: $msg" "$T/stderr"
		ok $? "io_setup $err: --engine=aio exits 1 and names the reason"
	else
		skip "libaio engine not available"
	fi
done
done_testing
