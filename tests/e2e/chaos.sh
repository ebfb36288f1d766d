#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The copier's state machine against every completion order, through the
# test engine (tests/acp-chaos, see tests/chaos.c): completions shuffled
# and held back, transfers cut short, EAGAIN and EINTR that must be
# retried, and an error injected at the Nth request of each kind, which
# must fail that file alone, say so, and leave nothing half made.
. "${top_srcdir:-.}/tests/lib.sh"

per=29
plan $((per * $(nengines)))
[ -x "${ACP_CHAOS_BIN:-}" ] || skip_all "no tests/acp-chaos"

# chaos SPEC ARGS...: acp through the test engine; like run_acp.
chaos() {
	_spec=$1
	shift
	rc=0
	# shellcheck disable=SC2086 # $wrap: a command and its options
	ACP_CHAOS=$_spec ${wrap:-} timeout 120 "$ACP_CHAOS_BIN" "$@" \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
}

# injected HOW SPEC FILE MESSAGE DESCRIPTION ARGS...: copying $T/src/FILE
# into an empty $T/got with the error SPEC injected fails the run: exit
# 1, "acp: MESSAGE" (a grep pattern).  HOW says what is left: fails, no
# $T/got/FILE; kept (an error after the data was all read), the copy
# whole.  fails and kept are its two uses.
injected() {
	_how=$1 _spec=$2 _file=$3 _msg=$4 _what=$5
	shift 5
	rm -rf "$T/got" && mkdir "$T/got"
	chaos "$_spec" "$@" "$T/src/$_file" "$T/got"
	[ "$rc" -eq 1 ] && grep -q "acp: $_msg" "$T/stderr" &&
	    if [ "$_how" = kept ]; then
		cmp -s "$T/src/$_file" "$T/got/$_file"
	    else
		[ ! -e "$T/got/$_file" ]
	    fi
	ok $? "$_what"
}
fails() { injected fails "$@"; }
kept() { injected kept "$@"; }

# named_absent_or_whole FILE: FILE's error was said and no copy is left,
# or it was not and its copy is whole.
named_absent_or_whole() {
	if grep -q "'$T/src/$1'" "$T/stderr"; then
		[ ! -e "$T/got/$1" ]
	else
		cmp -s "$T/src/$1" "$T/got/$1"
	fi
}

# sweep SPEC ARGS...: copy $T/src/sub into $T/got with ARGS once for each
# request N that SPEC's kind counts (fail=N added to SPEC), N from 1 to
# as many as a run makes; then a --resume run with no error.  Each N must
# fail the run (exit 1: no error is lost), say why, leave every copy it
# left whole, list in the manifest only what the clean run lists, and be
# made whole by the --resume run.  $bad counts the runs that did not, the
# first of them in $T/why.
sweep() {
	_spec=$1
	shift
	bad=0
	rm -rf "$T/got" "$T/why"
	[ -z "${cold:-}" ] || evict_all "$T/src/sub"
	chaos "count,$_spec" "$@" --checksum "$T/src/sub" "$T/got"
	_total=$(sed -n 's/^acp-chaos: \([0-9]*\) requests$/\1/p' "$T/stderr" |
	    head -1)
	[ "${_total:-0}" -gt 0 ] || { bad=1; echo "no count" > "$T/why"; }
	_n=1
	while [ "$_n" -le "${_total:-0}" ]; do
		rm -rf "$T/got"
		[ -z "${cold:-}" ] || evict_all "$T/src/sub"
		chaos "$_spec,fail=$_n:$err" "$@" --checksum \
		    --manifest="$T/got.m" --manifest-relative "$T/src/sub" \
		    "$T/got"
		_why=""
		if [ "$rc" -ne 1 ]; then
			_why="exit $rc"
		elif ! grep -q "^acp: " "$T/stderr"; then
			_why="exit 1, nothing said"
		elif [ -d "$T/got" ] && diff -rq "$T/src/sub" "$T/got" 2>&1 |
		    grep -qv "^Only in $T/src/sub"; then
			_why="a copy left that is not its source's"
		elif [ -s "$T/got.m" ] && grep -vxqFf "$T/sub.m" "$T/got.m"; then
			_why="a manifest line not of the clean copy"
		else
			ACP_CHAOS="" "$ACP_CHAOS_BIN" "$@" --resume -T "$T/src/sub" \
			    "$T/got" > /dev/null 2>&1 &&
			    diff -r "$T/src/sub" "$T/got" > /dev/null 2>&1 ||
			    _why="--resume after it: not the tree"
		fi
		if [ -n "$_why" ]; then
			bad=$((bad + 1))
			[ -e "$T/why" ] ||
			    echo "fail=$_n:$err: $_why: $(head -2 "$T/stderr")" \
			    > "$T/why"
		fi
		_n=$((_n + 1))
	done
}

# evict_all DIR: DIR's files out of the page cache, asked once
# (lib.sh's evict asks again and waits, too slow before each of a
# sweep's runs).
evict_all() {
	_dir=$1
	set --
	for _f in "$_dir"/*; do
		[ -f "$_f" ] && set -- "$@" "$_f"
	done
	drop_pages "$@"
}

# A tree with sizes around the block size, a sparse file, an empty one.
mkdir -p "$T/src/sub"
i=0
for n in 0 1 4095 4096 65535 65536 65537 200000 1048576 3000001; do
	mkdata "$T/src/f$i" "$n" "chaos-$i"
	mkdata "$T/src/sub/g$i" $((n / 3)) "chaos-g-$i"
	i=$((i + 1))
done
truncate -s 5M "$T/src/sparse"
printf data | dd of="$T/src/sparse" bs=1 seek=2097152 conv=notrunc \
    status=none
ln "$T/src/f7" "$T/src/sub/hardlink"
"$ACP" --engine=sync -a --checksum --manifest="$T/want.m" \
    --manifest-relative "$T/src" "$T/want" 2> /dev/null
"$ACP" --engine=sync -a --checksum --manifest="$T/sub.m" \
    --manifest-relative "$T/src/sub" "$T/got" 2> /dev/null

for e in $engines; do
	for s in 1 2 3; do
		rm -rf "$T/got"
		chaos "seed=$s,reorder,short,eagain=7,eintr=11" --engine="$e" \
		    -a --checksum --manifest="$T/got.m" --manifest-relative \
		    "$T/src" "$T/got"
		[ "$rc" -eq 0 ] && diff -r "$T/src" "$T/got" > /dev/null &&
		    [ "$(stat -c %i "$T/got/f7")" = \
		    "$(stat -c %i "$T/got/sub/hardlink")" ]
		ok $? "$e seed $s: shuffled, short, retried: the tree copies whole, links kept"
		# A linked pair has one line, under whichever name was
		# copied first: which depends on the order of completion.
		# Names start with the target's own name: drop it.
		grep -v -e '/f7$' -e '/sub/hardlink$' "$T/want.m" |
		    sed 's|  [^/]*/|  |' | sort > "$T/a"
		grep -v -e '/f7$' -e '/sub/hardlink$' "$T/got.m" |
		    sed 's|  [^/]*/|  |' | sort > "$T/b"
		cmp -s "$T/a" "$T/b" && [ "$(grep -c -e '/f7$' \
		    -e '/sub/hardlink$' "$T/got.m")" -eq 1 ]
		ok $? "$e seed $s: and the manifest is the same"
	done

	rm -rf "$T/got" && mkdir "$T/got"
	chaos "reorder,short" --engine="$e" --verify "$T/src/f9" \
	    "$T/src/sparse" "$T/got"
	[ "$rc" -eq 0 ] && cmp -s "$T/src/f9" "$T/got/f9" &&
	    cmp -s "$T/src/sparse" "$T/got/sparse"
	ok $? "$e: --verify reads back through shuffled, short reads"

	# fail=N counts the requests of the op named by failop.
	rm -rf "$T/got" && mkdir "$T/got"
	chaos "failop=read,fail=3:EIO" --engine="$e" --block-size=64K \
	    "$T/src/f9" "$T/src/f7" "$T/got"
	# Which file's read is third depends on which open completes first:
	# one of them is named and absent, the other is whole.
	[ "$rc" -eq 1 ] && [ "$(grep -c "acp: error reading '$T/src/f[79]' at offset [0-9]*: Input/output error" "$T/stderr")" -eq 1 ] &&
	    named_absent_or_whole f7 && named_absent_or_whole f9
	ok $? "$e: EIO on the third read: named, no partial copy, the other file copied"

	fails "failop=write,fail=2:ENOSPC" f9 \
	    "error writing '$T/got/f9' at offset [0-9]*: No space left on device" \
	    "$e: ENOSPC on the second write: named, no partial copy" \
	    --engine="$e" --block-size=64K
	fails "failop=openat,fail=2:EIO" f5 \
	    "cannot create regular file '$T/got/f5': Input/output error" \
	    "$e: the destination's create fails: named, nothing made" \
	    --engine="$e"
	fails "failop=openat,fail=1:EIO" f5 \
	    "cannot open '$T/src/f5' for reading: Input/output error" \
	    "$e: the source's open fails: named" --engine="$e"
	fails "failop=close,fail=2:EIO" f5 \
	    "error writing '$T/got/f5' at offset 65536: Input/output error" \
	    "$e: the destination's close fails (data may be lost): named, removed" \
	    --engine="$e"
	# The source's close (the first close) fails: its data was all
	# read, so the copy stays, but the run fails, as cp's does; a tee's
	# copies and --check (as sha256sum -c) the same.  So does its last
	# fstat (the second statx), which tells whether it changed.
	kept "failop=close,fail=1:EIO" f5 \
	    "failed to close '$T/src/f5': Input/output error" \
	    "$e: the source's close fails: said, exit 1, the copy kept whole" \
	    --engine="$e"
	kept "failop=statx,fail=2:EIO" f5 \
	    "cannot fstat '$T/src/f5' after reading it: Input/output error" \
	    "$e: the source's last fstat (did it change?) fails: said, exit 1, the copy kept" \
	    --engine="$e"
	rm -rf "$T/got" "$T/got2" && mkdir "$T/got" "$T/got2"
	chaos "failop=close,fail=1:EIO" --engine="$e" --checksum \
	    -t "$T/got" -t "$T/got2" "$T/src/f5"
	[ "$rc" -eq 1 ] && cmp -s "$T/src/f5" "$T/got/f5" &&
	    cmp -s "$T/src/f5" "$T/got2/f5" &&
	    [ "$(grep -c "acp: failed to close '$T/src/f5'" "$T/stderr")" -eq 1 ]
	ok $? "$e: read once for two copies, its close fails: said once, exit 1, both kept"
	sed -n "s|  [^/]*/f5\$|  $T/src/f5|p" "$T/want.m" > "$T/f5.m"
	chaos "failop=close,fail=1:EIO" --engine="$e" --check="$T/f5.m"
	[ "$rc" -eq 1 ] && [ -s "$T/f5.m" ] &&
	    grep -qx "$T/src/f5: FAILED open or read" "$T/stdout"
	ok $? "$e: --check, a file's close fails: FAILED open or read, exit 1"
	fails "failop=fsync,fail=1:EIO" f5 \
	    "error writing '$T/got/f5' at offset 65536: Input/output error" \
	    "$e: --fsync's flush fails: named, removed" --engine="$e" --fsync
	fails "failop=statx,fail=1:EIO" f5 \
	    "cannot fstat '$T/src/f5': Input/output error" \
	    "$e: the source's statx fails: named, nothing made" --engine="$e"
	# A file not cached is read with O_DIRECT (io_uring's); where the
	# descriptor cannot be switched (fcntl's F_SETFL refused here), read
	# ahead, a hint beside its create: that failing says nothing, and the
	# copy is whole.
	rm -rf "$T/got" && mkdir "$T/got"
	evict "$T/src/f6" 1 || true
	wrap=
	[ -z "${SECCOMP_RUN:-}" ] || wrap="$SECCOMP_RUN -d fcntl@1:4=EINVAL"
	chaos "failop=fadvise,fail=1:EIO" --engine="$e" --debug "$T/src/f6" \
	    "$T/got"
	wrap=
	[ "$rc" -eq 0 ] && cmp -s "$T/src/f6" "$T/got/f6" &&
	    ! grep -q "Input/output error" "$T/stderr" &&
	    if [ "$e" = uring ] && [ -z "${ACP_UNDER_VALGRIND:-}" ] &&
	        [ -n "${SECCOMP_RUN:-}" ]; then
		grep -q "'$T/src/f6': read ahead by uring's workers" \
		    "$T/stderr"
	    fi
	ok $? "$e: a read ahead (a hint) that fails: nothing said, the copy whole"
	# --atomic --verify: the read-back (the second read of a one-block
	# file) fails: the old file stays, no temporary is left.
	rm -rf "$T/got" && mkdir "$T/got" && echo old > "$T/got/f2"
	chaos "failop=read,fail=2:EIO" --engine="$e" --atomic --verify \
	    "$T/src/f2" "$T/got"
	[ "$rc" -eq 1 ] && grep -q "error reading back '$T/got/f2'" \
	    "$T/stderr" && [ "$(cat "$T/got/f2")" = old ] &&
	    [ "$(ls -A "$T/got")" = f2 ]
	ok $? "$e: --atomic --verify, the read-back fails: the old file kept"

	# ECANCELED that we did not ask for is tried again, as EAGAIN is;
	# one that never stops is the file's error after a bounded number.
	rm -rf "$T/got" && mkdir "$T/got"
	chaos "ecanceled=3" --engine="$e" "$T/src/f9" "$T/got"
	[ "$rc" -eq 0 ] && cmp -s "$T/src/f9" "$T/got/f9"
	ok $? "$e: every third request ECANCELED: retried, the copy whole"
	fails "eagain=1" f9 \
	    "error reading '$T/src/f9' at offset [0-9]*: Resource temporarily unavailable" \
	    "$e: EAGAIN for ever: a bounded number of tries, then named, nothing left" \
	    --engine="$e"

	# The engine itself fails with files in flight, at each of its
	# first reaps in turn: each file in flight fails, its partial copy
	# removed (a create the kernel made after all included), nothing
	# made elsewhere (a directory's descriptor closed under a worker's
	# open and its number reused); what finished before is whole; a
	# --resume run after it makes the tree.
	bad=0
	for n in 1 2 3 4 5 6 7 8 9 10 11 12 v1 v2 v3 v4 v5 v6 v7 v8; do
		# v: with the copies flushed and read back.
		case $n in
		v*) set -- -a --checksum --verify --fsync ;;
		*) set -- -r ;;
		esac
		rm -rf "$T/got"
		chaos "die=${n#v}" --engine="$e" "$@" "$T/src" "$T/got"
		for f in $(cd "$T/src" && find . -type f); do
			[ ! -e "$T/got/$f" ] || cmp -s "$T/src/$f" "$T/got/$f" ||
			    bad=$((bad + 1))
		done
		if [ "$rc" -eq 1 ]; then
			grep -q "acp: I/O engine $e failed" "$T/stderr" ||
			    bad=$((bad + 1))
		elif [ "$rc" -ne 0 ]; then
			bad=$((bad + 1))
		fi
		ACP_CHAOS="" "$ACP_CHAOS_BIN" --engine="$e" "$@" --resume -T \
		    "$T/src" "$T/got" > /dev/null 2>&1 &&
		    diff -r "$T/src" "$T/got" > /dev/null || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ]
	ok $? "$e: the engine fails at each of its first 12 reaps in turn (8 with --verify --fsync): named, no file left partial, a --resume run makes the tree ($bad bad)"

	# Every request failing in turn, whatever it is (an open, a statx,
	# a read, a close...); then every write failing in turn, full.
	err=EIO
	sweep "" --engine="$e" -a
	[ "$bad" -eq 0 ]
	ok $? "$e: EIO on each request in turn ($_total): the run fails, says why, leaves no partial copy; a --resume run after it makes the tree ($bad bad: $(cat "$T/why" 2> /dev/null))"
	# The same with the sources out of the page cache before each run,
	# through io_uring, whose requests then differ: small sources not
	# cached are read with O_DIRECT (or, where a file system refuses it,
	# read ahead: a hint, whose failure is ignored and which chaos's
	# fail=N does not count), cached ones read on its workers when
	# hashed.  aio and sync ask the same requests cold and warm
	# (their reads are on their own threads either way, and O_DIRECT is
	# for sources of 32 MiB and more): their cold sweep would be the warm
	# one again, each run waiting for the disk (a minute of CI's time a
	# run of this test).  For them, that a cold run asks no hints.
	if ! evict_all "$T/src/sub" ||
	    ! _pages=$(cached_pages "$T/src/sub/g9") || [ "$_pages" -ne 0 ]; then
		skip "$e: the sources' pages cannot be dropped here, or counted"
	elif [ "$e" = uring ]; then
		cold=1
		sweep "" --engine="$e" -a
		cold=""
		[ "$bad" -eq 0 ]
		ok $? "$e: EIO on each request in turn, the sources not in the page cache ($_total): the same ($bad bad: $(cat "$T/why" 2> /dev/null))"
	else
		rm -rf "$T/got"
		chaos "count,failop=fadvise" --engine="$e" -a --checksum \
		    "$T/src/sub" "$T/got"
		[ "$rc" -eq 0 ] && grep -qx "acp-chaos: 0 requests" "$T/stderr" &&
		    diff -r "$T/src/sub" "$T/got" > /dev/null
		ok $? "$e: the sources not in the page cache: no read-ahead hints, so the requests of the sweep above"
	fi
	# A direct read the kernel refuses (EINVAL: a disk that wants more
	# than a page's alignment): the file goes on with buffered reads
	# from there.  The first read of the run is refused so.
	if [ "$e" != uring ]; then
		skip "$e: reads a few cold small files buffered (aio direct from the 4,097th)"
	elif ! evict_all "$T/src/sub" || ! direct_ok "$T/src/sub/g9"; then
		skip "$e: the sources' pages cannot be dropped, or no O_DIRECT"
	else
		rm -rf "$T/got"
		chaos "fail=1:22,failop=read" --engine="$e" --debug -r \
		    "$T/src/sub" "$T/got"
		[ "$rc" -eq 0 ] && diff -r "$T/src/sub" "$T/got" > /dev/null &&
		    grep -q "not in the page cache: read with O_DIRECT ([0-9]* reads\{0,1\}), buffered from offset 0 on (Invalid argument)$" "$T/stderr"
		ok $? "$e: a direct read of a small file refused: buffered from there, the tree whole"
	fi
	err=ENOSPC
	sweep "failop=write" --engine="$e" -a --checksum
	[ "$bad" -eq 0 ] && [ "$_total" -gt 0 ]
	ok $? "$e: ENOSPC on each write in turn ($_total): the same ($bad bad: $(cat "$T/why" 2> /dev/null))"

	# A kernel without IORING_REGISTER_PROBE (5.1 to 5.5): READV and
	# WRITEV (or the fixed ops), opens and statx done at queue time.
	if [ "$e" = uring ]; then
		for how in noprobe noprobe,noregister; do
			rm -rf "$T/got"
			chaos "$how,reorder,short" --engine="$e" -a --checksum \
			    "$T/src" "$T/got"
			[ "$rc" -eq 0 ] && diff -r "$T/src" "$T/got" > /dev/null
			ok $? "$e ($how): as on a kernel without the probe, the tree copies whole"
		done
	else
		skip "$e: no probe to do without"
		skip "$e: no probe to do without"
	fi
done
skip_engines "$per"
done_testing
