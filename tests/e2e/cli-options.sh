#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The command line: help and version, usage errors (exit 2, nothing done),
# -t, -T, -v, -n, -f and --debug.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((45 + 11 * $(nengines)))

run_acp --help
[ "$rc" -eq 0 ] && grep -q '^Usage: acp' "$T/stdout" && [ ! -s "$T/stderr" ]
ok $? "--help prints usage on stdout, exit 0"
for o in --archive --dereference --no-dereference --preserve --no-preserve \
    --recursive --one-file-system --force --no-clobber --target-directory --no-target-directory \
    --verbose --engine --queue-depth --block-size --direct --checksum \
    --manifest --manifest-relative --tag --verify --check --atomic --fsync --debug \
    --version; do
	grep -q -- "$o" "$T/stdout"
	ok $? "--help lists $o"
done

run_acp --version
[ "$rc" -eq 0 ] && grep -q '^acp [0-9]' "$T/stdout"
ok $? "--version prints the version, exit 0"

# Whether io_uring's worker limits can be set here (Linux 5.15).
iowq_limits() {
	kv=$(uname -r)
	major=${kv%%.*}
	minor=${kv#*.}
	minor=${minor%%[!0-9]*}
	[ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 15 ]; }
}

mkdata "$T/a" 100 a
cd "$T" || exit 1

run_acp a
expect_rc 2 "one operand is a usage error"
expect_err "missing destination file operand after 'a'" "and says what is missing"
grep -q "Try 'acp --help'" "$T/stderr"
ok $? "usage errors point at --help"

run_acp --queue-depth=0 a b
[ "$rc" -eq 2 ] && [ ! -e b ]
ok $? "--queue-depth=0: exit 2, nothing copied"

run_acp --queue-depth=100000 a b
[ "$rc" -eq 2 ] && [ ! -e b ] && grep -q "out of range" "$T/stderr"
ok $? "--queue-depth=100000: exit 2, out of range"

run_acp --block-size=1 a b
[ "$rc" -eq 2 ] && [ ! -e b ] && grep -q "block size '1' out of range" "$T/stderr"
ok $? "--block-size=1: exit 2, out of range"

run_acp --block-size=lots a b
[ "$rc" -eq 2 ] && [ ! -e b ] && grep -q "invalid block size 'lots'" "$T/stderr"
ok $? "--block-size=lots: exit 2, invalid"

run_acp --engine=warp a b
[ "$rc" -eq 2 ] && [ ! -e b ] && grep -q "invalid engine 'warp'" "$T/stderr"
ok $? "--engine=warp: exit 2"

run_acp --bogus a b
[ "$rc" -eq 2 ] && [ ! -e b ]
ok $? "unknown option: exit 2"

run_acp --stats=xml a b
[ "$rc" -eq 2 ] && [ ! -e b ] && grep -q "invalid --stats form 'xml'" "$T/stderr"
ok $? "--stats=xml: exit 2"

run_acp --stats a b
[ "$rc" -eq 0 ] && cmp -s a b &&
    grep -q "^acp: copied 1 file, 0 directories, 0 symlinks, 0 hard links, 0 specials; 100B in [0-9.]* s, " "$T/stdout" &&
    grep -q "^acp: engine [a-z]*, queue depth 32 x 64K, [0-9]* requests, [0-9]* in flight at most, 1 file at once; 0 errors$" "$T/stdout"
ok $? "--stats prints two lines on stdout"
rm -f b

run_acp --stats=json --checksum --manifest=m a b
if command -v jq > /dev/null; then
	[ "$rc" -eq 0 ] && [ "$(tail -1 "$T/stdout" | jq -r '.files, .bytes, .bytes_hashed, .exit_status, .mode' | tr '\n' ' ')" = "1 100 100 0 copy " ]
	ok $? "--stats=json: one object that jq reads"
else
	skip "jq is not installed"
fi
rm -f b m

run_acp --stats=json --check=nonexistent
[ "$rc" -eq 1 ] && grep -q '"mode":"check",.*"errors":1,.*"exit_status":1[,}]' "$T/stdout"
ok $? "--stats=json with a failed --check: errors and exit status"

for e in $engines; do
	rm -rf "$T/w"
	mkdir -p "$T/w/dir"
	cd "$T/w" || exit 1
	mkdata x 3000 x
	mkdata y 5000 y
	mkdata old 10 old

	run_acp --engine="$e" -v x y dir
	[ "$rc" -eq 0 ] && cmp -s x dir/x && cmp -s y dir/y
	ok $? "$e: several sources into a directory"
	printf "'x' -> 'dir/x'\n'y' -> 'dir/y'\n" | cmp -s - "$T/stdout"
	ok $? "$e: -v prints what cp -v prints"

	rm -f dir/*
	run_acp --engine="$e" -t dir y x
	[ "$rc" -eq 0 ] && cmp -s x dir/x && cmp -s y dir/y && [ ! -s "$T/stdout" ]
	ok $? "$e: -t DIR, silent without -v"

	run_acp --engine="$e" -T x newname
	[ "$rc" -eq 0 ] && cmp -s x newname
	ok $? "$e: -T copies to a file name"

	cp old old.orig
	run_acp --engine="$e" -n -v x old
	[ "$rc" -eq 0 ] && cmp -s old old.orig && [ ! -s "$T/stdout" ]
	ok $? "$e: -n keeps an existing file, exit 0, nothing printed"

	run_acp --engine="$e" x old
	[ "$rc" -eq 0 ] && cmp -s x old
	ok $? "$e: without -n an existing file is overwritten"

	run_acp --engine="$e" --debug --queue-depth=4 --block-size=64K x dbg
	[ "$rc" -eq 0 ] && grep -q "engine $e, queue depth 4, block size 65536" "$T/stderr"
	ok $? "$e: --debug reports the engine, depth and block size"
	grep -q "engine $e: started" "$T/stderr"
	ok $? "$e: --debug reports why the engine was chosen"
	if [ "$e" = uring ] && iowq_limits; then
		# Splices (io-wq's unbounded work): one worker a CPU, two
		# at least.
		want=$(nproc)
		[ "$want" -ge 2 ] || want=2
		limits="io-wq workers at most [0-9]* bounded and"
		grep -q "engine uring: started, $limits $want unbounded$" \
		    "$T/stderr" && { ! command -v taskset > /dev/null ||
		    taskset -c 0 "$ACP" --debug x dbg1 2>&1 |
		    grep -q "engine uring: started, $limits 2 unbounded$"; }
	else
		grep -qx "acp: debug: engine $e: started" "$T/stderr"
	fi
	ok $? "$e: --debug says how many workers the engine's kernel side may use"

	# -f: a destination we may not open is removed and made anew.
	if id nobody > /dev/null 2>&1 && command -v setpriv > /dev/null &&
	    [ "$(id -u)" = 0 ]; then
		chmod 755 "$T"
		mkdir fdir
		cp y fdir/ro
		chmod 444 fdir/ro
		chown -R nobody fdir
		chmod 644 x
		rc=0
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$ACP" --engine="$e" x fdir/ro 2> "$T/stderr" || rc=$?
		[ "$rc" -eq 1 ] && grep -q "cannot open 'fdir/ro' for writing: Permission denied" "$T/stderr" &&
		    cmp -s y fdir/ro
		ok $? "$e: a read-only destination is refused without -f"
		rc=0
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$ACP" --engine="$e" -f x fdir/ro 2> "$T/stderr" || rc=$?
		[ "$rc" -eq 0 ] && cmp -s x fdir/ro
		ok $? "$e: -f removes it and copies"
		chmod 700 "$T"
	else
		skip "$e: -f needs root, setpriv and user nobody"
		skip "$e: -f needs root, setpriv and user nobody"
	fi
	cd "$T" || exit 1
done
skip_engines 11

# SELinux contexts, against GNU cp on a kernel without SELinux: exit
# status, the copy made or not, and the words.
cd "$T" || exit 1
printf 'ctx\n' > ctx
# ctx_both ARGS...: 0 when cp and acp agree on ARGS ctx DEST.
ctx_both() {
	rm -f ctx.cp ctx.acp
	crc=0
	cp "$@" ctx ctx.cp 2> ctx.cp.err || crc=$?
	rc=0
	"$ACP" "$@" ctx ctx.acp 2> "$T/stderr" || rc=$?
	[ "$crc" -eq "$rc" ] &&
	    { [ -e ctx.cp ] && [ -e ctx.acp ] || { [ ! -e ctx.cp ] && [ ! -e ctx.acp ]; }; } &&
	    sed 's/^cp: //' ctx.cp.err > ctx.cp.words &&
	    sed 's/^acp: //' "$T/stderr" | diff ctx.cp.words - > /dev/null
}
if [ -e /sys/fs/selinux/enforce ]; then
	for _ in 1 2 3 4; do
		skip "SELinux is enabled here: acp refuses what cp would do"
	done
else
	ctx_both --preserve=context
	ok $? "--preserve=context without SELinux: exit 1, nothing copied, cp's words (exit $rc)"
	ctx_both -Z
	ok $? "-Z without SELinux: copied, not a word, as cp"
	ctx_both --context=system_u:object_r:tmp_t:s0
	ok $? "--context=CTX without SELinux: copied, with cp's warning"
	ctx_both --preserve=context --no-preserve=context
	ok $? "--preserve=context then --no-preserve=context: copied, as cp"
fi
done_testing
