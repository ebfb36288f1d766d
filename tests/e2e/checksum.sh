#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Checksums computed while copying: each algorithm's manifest is accepted
# by the matching tool, --tag and escaped names as coreutils writes them,
# --verify, and --check with good, bad, missing and hostile input.
. "${top_srcdir:-.}/tests/lib.sh"

algos="xxh128 xxh3 xxh64 sha256 sha512 sha1 md5 blake2b"
plan $((8 * $(nengines) + 17))

tool_check() {	# ALGO MANIFEST: the matching tool checks it
	case $1 in
	xxh128) xxhsum -H2 -c "$2" ;;
	xxh3) xxhsum -H3 -c "$2" ;;
	xxh64) xxhsum -H1 -c "$2" ;;
	sha256) sha256sum -c "$2" ;;
	sha512) sha512sum -c "$2" ;;
	sha1) sha1sum -c "$2" ;;
	md5) md5sum -c "$2" ;;
	blake2b) b2sum -c "$2" ;;
	esac
}

mkdata "$T/a" 3000007 sum-a
mkdata "$T/b" 4096 sum-b
: > "$T/empty"
cd "$T" || exit 1
mkdir out

for e in $engines; do
	for a in $algos; do
		rm -rf out/*
		run_acp --engine="$e" --queue-depth=8 --block-size=64K \
		    --checksum="$a" --manifest=m.txt a b empty out
		if [ "$a" != sha256 ] && [ "$a" != md5 ] && [ "$a" != sha1 ] &&
		    [ "$a" != sha512 ] && [ "$a" != blake2b ] &&
		    ! command -v xxhsum > /dev/null; then
			skip "$e, $a: xxhsum is not installed"
			continue
		fi
		[ "$rc" -eq 0 ] && [ "$(wc -l < m.txt)" -eq 3 ] &&
		    tool_check "$a" m.txt > "$T/check.out" 2>&1 &&
		    cmp -s a out/a
		ok $? "$e, $a: the manifest passes the matching tool's -c"
	done
done
skip_engines 8

# The same sums as the tools compute, independently of acp's checking.
run_acp --checksum=sha256 --manifest=- a out/a2
[ "$(cat "$T/stdout")" = "$(sha256sum out/a2)" ]
ok $? "--manifest=- prints the same line as sha256sum"

run_acp --checksum=blake2b --manifest=- --tag a out/a3
[ "$(cat "$T/stdout")" = "$(b2sum --tag out/a3)" ]
ok $? "--tag writes b2sum --tag's line"

run_acp --manifest=- --manifest-relative a b out
[ "$(cat "$T/stdout")" = "$(cd out && xxhsum -H2 a b)" ]
ok $? "--manifest-relative names files as seen from the target directory"

name='we\ird
name'
cp b "$name"
run_acp --checksum=sha256 --manifest=esc.txt "$name" out
[ "$rc" -eq 0 ] && [ "$(cat esc.txt)" = "$(sha256sum "out/$name")" ] &&
    sha256sum -c esc.txt > /dev/null
ok $? "a name with a backslash and a newline is escaped as sha256sum does"

run_acp --verify --debug a out/v
[ "$rc" -eq 0 ] && cmp -s a out/v && grep -q "'out/v': hashed with xxh128" "$T/stderr"
ok $? "--verify reads the copy back and agrees"

run_acp --checksum=md4 a out/x
expect_rc 2 "an unknown algorithm is a usage error"
run_acp --check=m.txt a
expect_rc 2 "--check with operands is a usage error"
run_acp --tag a out/x
expect_rc 2 "--tag without --manifest is a usage error"

# --check
rm -rf out/* && "$ACP" --manifest=good.txt a b empty out
run_acp --check=good.txt
[ "$rc" -eq 0 ] && [ "$(cat "$T/stdout")" = "out/a: OK
out/b: OK
out/empty: OK" ]
ok $? "--check prints OK for each file, exit 0"

# --debug says how --check read each file, as it does for a copy.
case " $engines " in
*" uring "*)
	cat out/a out/b > /dev/null
	run_acp --engine=uring --debug --check=good.txt
	said="^acp: debug: 'out/a': read by uring's worker threads"
	[ "$rc" -eq 0 ] && grep -q "$said (cached: this thread hashes)$" \
	    "$T/stderr" &&
	    grep -q "^acp: debug: 'out/a': hashed with xxh128, " "$T/stderr"
	ok $? "--check --debug: a cached file read by io_uring's workers, said"
	;;
*)
	skip "--check --debug through uring: uring not tested here (ACP_TEST_ENGINES) or cannot start"
	;;
esac

printf 'x' | dd of=out/b bs=1 seek=10 conv=notrunc status=none
run_acp --check=good.txt
[ "$rc" -eq 3 ] && grep -q '^out/b: FAILED$' "$T/stdout" &&
    grep -q "1 computed checksum did NOT match" "$T/stderr"
ok $? "--check: a changed file is FAILED, exit 3"

rm out/empty
run_acp --check=good.txt
[ "$rc" -eq 3 ] && grep -q '^out/empty: FAILED open or read$' "$T/stdout"
ok $? "--check: a missing file is FAILED open or read; a mismatch still wins (3)"

{ echo "not a checksum line"; echo "zz  out/a"; head -1 good.txt; } > mixed.txt
run_acp --check=mixed.txt
[ "$rc" -eq 0 ] && grep -q "mixed.txt: 1: improperly formatted checksum line" "$T/stderr" &&
    grep -q "mixed.txt: 2: " "$T/stderr" && grep -q '^out/a: OK$' "$T/stdout"
ok $? "--check: malformed lines are named by number, the good ones checked"

# Hostile input: NUL bytes, binary junk, a 1 MiB line.  No crash, exit 1.
{ printf 'abc\000def  out/a\n'; head -c 65536 /dev/urandom; echo;
  head -c 1048576 /dev/zero | tr '\0' 'a'; echo; } > hostile.txt
run_acp --check=hostile.txt
[ "$rc" -eq 1 ] && grep -q "no properly formatted checksum lines" "$T/stderr" &&
    grep -q "hostile.txt: 1: line holds a NUL byte" "$T/stderr"
ok $? "--check: NUL bytes, junk and a huge line give messages and exit 1"

# libcrypto is loaded only for the hashes that are its: hidden (an empty
# file bound over it, in a mount namespace of the test's own), a plain or
# xxh128 copy runs, and sha256 fails before it copies, naming it.
# The soname acp was built to load (configure's, from make check).
so=${LIBCRYPTO_SONAME:-}
crypto=$(ldconfig -p 2> /dev/null | awk -v so="$so" \
    '$1 == so && $2 ~ /x86-64|64bit|AArch64/ { print $NF; exit }')
[ -n "$crypto" ] || crypto=$(ldconfig -p 2> /dev/null |
    awk -v so="$so" '$1 == so { print $NF; exit }')
no_crypto() {	# CMD...: run CMD with libcrypto hidden; status in $rc
	rc=0
	# shellcheck disable=SC2016 # the inner sh expands them
	unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
	    sh "$crypto" "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
}
if [ "$(id -u)" != 0 ] || [ -z "$so" ] || [ -z "$crypto" ] ||
    ! unshare -m true 2> /dev/null; then
	skip "without libcrypto: a plain copy (needs root, unshare, ldconfig)"
	skip "without libcrypto: --checksum=sha256 (needs root, unshare, ldconfig)"
	skip "without libcrypto: --check (needs root, unshare, ldconfig)"
else
	rm -rf out/* && sha256sum a > a.sha256
	no_crypto "$ACP" a out/plain
	r1=$rc
	no_crypto "$ACP" --checksum=xxh128 --manifest=x.txt b out/hashed
	[ "$r1" -eq 0 ] && [ "$rc" -eq 0 ] && cmp -s a out/plain &&
	    cmp -s b out/hashed && grep -q ' out/hashed$' x.txt
	ok $? "without libcrypto: a plain and an xxh128 copy run"
	no_crypto "$ACP" --checksum=sha256 a out/sha
	[ "$rc" -eq 1 ] && [ ! -e out/sha ] &&
	    grep -q "cannot load OpenSSL's libcrypto" "$T/stderr"
	ok $? "without libcrypto: --checksum=sha256 fails before copying, exit 1"
	no_crypto "$ACP" --check=a.sha256
	[ "$rc" -eq 1 ] && grep -q '^a: FAILED open or read$' "$T/stdout" &&
	    grep -q "cannot load OpenSSL's libcrypto" "$T/stderr"
	ok $? "without libcrypto: --check of sha256 lines fails them, exit 1"
fi
done_testing
