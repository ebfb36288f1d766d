#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Lists in and out: --files-from and --files0-from (names with spaces,
# newlines, leading dashes and bytes that are not UTF-8; bad entries said
# with their line and skipped; --parents; a list from find on standard
# input giving the tree a plain -a copy gives; a list of a million names
# in the memory of a thousand), --log's JSON lines (a tree with a file
# that cannot be read and one that changes while read, parsed with jq,
# and the failed entries retried through --files0-from), the manifest in
# the list's order, and contrib/acp-parallel (fpart and GNU parallel,
# locally and through --sshlogin :) giving the tree and the manifests one
# acp -a run gives.
. "${top_srcdir:-.}/tests/lib.sh"

snap=${top_srcdir:-.}/tests/treesnap.py
parallel_script=${top_srcdir:-.}/contrib/acp-parallel
per=9
plan $((per * $(nengines) + 9))

cd "$T" || exit 1

# Sources with awkward names, and a tree.
mkdir -p src/sub/deep
mkdata "src/sp ace" 70000 sp
mkdata src/-dash 1000 dash
mkdata "$(printf 'src/bad\377name')" 3000 bad
mkdata "$(printf 'src/sub/new\nline')" 5000 nl
mkdata src/sub/deep/f 200000 f
ln -s ../f src/sub/deep/lnk
ln src/sub/deep/f src/sub/hard
chmod 750 src/sub
touch -d '2020-02-02 02:02:02' src/sub/deep src/sub
"$ACP" -a src clean
python3 "$snap" clean > clean.snap

long=$(printf 'x%.0s' $(seq 1 5000))
{
	printf 'src/sp ace\nsrc/-dash\n'
	printf 'src/bad\377name\n'
	printf '\n'
	printf 'src/missing\n'
	printf 'src/%s\n' "$long"
	printf 'src/sub\n'
} > list

# A FUSE filesystem with a file whose reads fail past 1 MiB (bad) and
# one that grows while it is read (moving).
fuse_why=$(faultfs_missing)
fuse=""
if [ -z "$fuse_why" ]; then
	if mount_faultfs "$T/mnt" -s 4194304 -e 1048576; then
		fuse=mnt
	else
		fuse_why="cannot mount faultfs: $(head -1 "$T/faultfs.err")"
	fi
fi

# jq_ok FILE: every line of FILE is a JSON object.
jq_ok() {
	jq -e -s 'all(type == "object")' "$1" > /dev/null 2>&1
}

for e in $engines; do
	rm -rf "o-$e" && mkdir "o-$e"
	run_acp --engine="$e" --files-from=list -t "o-$e"
	[ "$rc" -eq 1 ] && cmp -s "src/sp ace" "o-$e/sp ace" &&
	    cmp -s src/-dash "o-$e/-dash" &&
	    cmp -s "$(printf 'src/bad\377name')" "$(printf 'o-%s/bad\377name' "$e")"
	ok $? "$e: --files-from: names with a space, a leading dash, a byte not UTF-8 copied; exit 1 for the bad entries"
	grep -q "^acp: list:4: invalid zero-length file name$" "$T/stderr" &&
	    grep -q "^acp: list:5: cannot stat 'src/missing': No such file or directory$" "$T/stderr" &&
	    grep -q "^acp: list:6: a name of 5004 bytes: File name too long$" "$T/stderr" &&
	    grep -q "^acp: list:7: -r not specified; omitting directory 'src/sub'$" "$T/stderr" &&
	    [ ! -e "o-$e/sub" ]
	ok $? "$e: each bad entry said with the list's line, and skipped"

	# A name that cannot be read is said with its line too, when its
	# copy fails (as nobody: root reads everything).
	if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1 &&
	    command -v setpriv > /dev/null; then
		rm -rf "u-$e" && mkdir -m 777 "u-$e" && chmod 755 "$T" &&
		    printf 'src/-dash\nsrc/locked\n' > ulist &&
		    mkdata src/locked 5000 locked && chmod 600 src/locked
		rc=0
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		    timeout 120 "$ACP" --engine="$e" --files-from=ulist -t "u-$e" \
		    > "$T/stdout" 2> "$T/stderr" || rc=$?
		rm -f src/locked
		[ "$rc" -eq 1 ] && cmp -s src/-dash "u-$e/-dash" && [ ! -e "u-$e/locked" ] &&
		    grep -q "^acp: ulist:2: cannot open 'src/locked' for reading: Permission denied$" "$T/stderr"
		ok $? "$e: a name that cannot be read: said with its line when the copy fails, the others copied"
	else
		skip "needs root, user nobody and setpriv"
	fi

	# NUL-terminated, a newline in a name, --parents, from a file.
	printf 'src/sub/new\nline\0src/sub/deep/f\0' > list0
	rm -rf "p-$e" && mkdir "p-$e"
	run_acp --engine="$e" -a --parents --files0-from=list0 -t "p-$e"
	[ "$rc" -eq 0 ] &&
	    cmp -s "$(printf 'src/sub/new\nline')" "$(printf 'p-%s/src/sub/new\nline' "$e")" &&
	    cmp -s src/sub/deep/f "p-$e/src/sub/deep/f" &&
	    [ "$(stat -c %a.%Y "p-$e/src/sub")" = "$(stat -c %a.%Y src/sub)" ] &&
	    [ "$(stat -c %Y "p-$e/src/sub/deep")" = "$(stat -c %Y src/sub/deep)" ]
	ok $? "$e: --files0-from --parents -a: a newline in a name; the directories made take their sources' mode and times"

	# The list on standard input, from find: directories and what is in
	# them; each copied once, the tree as -a gives it.
	rm -rf "f-$e" && mkdir "f-$e"
	find src -print0 > found
	run_acp --engine="$e" -a --parents --files0-from=- -t "f-$e" < found
	[ "$rc" -eq 0 ] && python3 "$snap" "f-$e/src" > f.snap &&
	    cmp -s clean.snap f.snap && [ ! -s "$T/stderr" ]
	ok $? "$e: find -print0 | --files0-from=- --parents -a: the tree a plain -a copy makes, nothing said"

	# The manifest is in the list's order.
	printf 'src/sub/deep/f\nsrc/-dash\nsrc/sp ace\n' > order
	rm -rf "m-$e" && mkdir "m-$e"
	run_acp --engine="$e" --files-from=order --manifest=m.txt -t "m-$e"
	[ "$rc" -eq 0 ] && [ "$(sed 's/^[0-9a-f]*  //' m.txt | tr '\n' ,)" = \
	    "m-$e/f,m-$e/-dash,m-$e/sp ace," ]
	ok $? "$e: --manifest lines come in the list's order"

	# --log on a tree with a file that cannot be read and one that
	# changes while it is read (-L follows the links into faultfs).
	if [ -n "$fuse" ]; then
		rm -rf lt "l-$e" && mkdir -p lt/in "l-$e"
		mkdata lt/in/fine 100000 fine
		mkdata lt/ok 2000 ok
		ln -s "$T/mnt/bad" lt/in/unreadable
		ln -s "$T/mnt/moving" lt/changing
		run_acp --engine="$e" -rL --checksum --log=log.json lt -t "l-$e"
		[ "$rc" -eq 4 ] || [ "$rc" -eq 1 ]
		ok $? "$e: --log run: a failure and a change (exit $rc)"
		jq_ok log.json &&
		    [ "$(jq -r 'select(.source=="lt/in/unreadable") | .status + " " + .errno' log.json)" = "failed EIO" ] &&
		    jq -r 'select(.source=="lt/in/unreadable") | .error' log.json |
		        grep -q "^error reading 'lt/in/unreadable' at offset 1048576: Input/output error$" &&
		    [ "$(jq -r 'select(.source=="lt/changing") | .status' log.json)" = changed ] &&
		    [ "$(jq -r 'select(.source=="lt/in/fine") | .status + " " + (.bytes|tostring) + " " + .digest' log.json)" = \
		        "copied 100000 $(xxhsum -H2 lt/in/fine | cut -d' ' -f1)" ] &&
		    [ "$(jq -r 'select(.kind=="directory") | .status' log.json | sort -u)" = copied ] &&
		    [ "$(wc -l < log.json)" -eq 6 ]
		ok $? "$e: --log: one JSON line an entry; failed with its message and errno, changed, copied with bytes and digest"
		# Mend the sources, retry exactly what did not make it.
		rm lt/in/unreadable lt/changing
		mkdata lt/in/unreadable 3000 u
		mkdata lt/changing 4000 c
		jq -j 'select(.status=="failed" or .status=="changed") | .source + "\u0000"' \
		    log.json > retry.list
		run_acp --engine="$e" --files0-from=- --parents -t "l-$e" < retry.list
		[ "$rc" -eq 0 ] && [ "$(tr -cd '\0' < retry.list | wc -c)" -eq 2 ] &&
		    diff -r lt "l-$e/lt" > /dev/null
		ok $? "$e: the failed entries, retried through --files0-from, complete the copy"
	else
		for _ in 1 2 3; do skip "$fuse_why"; done
	fi
done
skip_engines "$per"

# The options a list goes with, and those it does not.
run_acp --files-from=list src o-x
expect_rc 2 "a source operand beside --files-from is refused"
run_acp -T --files-from=list o-x
[ "$rc" -eq 2 ] && grep -q "cannot be used with --files-from" "$T/stderr"
ok $? "-T with a list is refused"
run_acp --files-from=list
[ "$rc" -eq 2 ] && grep -q "missing destination" "$T/stderr"
ok $? "a list without a destination is refused"
run_acp -i --files-from=- -t o-x < /dev/null
[ "$rc" -eq 2 ] && grep -q "standard input" "$T/stderr"
ok $? "-i with the list on standard input is refused"

# --log names that are not UTF-8 also in hex.
rm -rf hx && mkdir hx
run_acp --files-from=list --log=hex.json -t hx
[ "$(jq -r 'select(.source_hex != null) | .source_hex' hex.json | head -1)" = \
    "$(printf 'src/bad\377name' | od -An -tx1 | tr -d ' \n')" ]
ok $? "--log: a name that is not UTF-8 has its bytes in source_hex"

# A million names cost what a thousand do, give or take 32 MiB.
if [ -n "${ACP_UNDER_VALGRIND:-}" ] || [ -n "${ASAN_OPTIONS:-}" ] ||
    [ -n "${ACP_CHAOS:-}" ]; then
	skip "memory is measured on the plain build only"
elif [ ! -x /usr/bin/time ] || ! mount_tmpfs big 1G; then
	skip "needs GNU time and a tmpfs (root)"
else
	mkdir -p big/s big/d1 big/d2
	(cd big/s && seq -f "f%07g" 1 1000000 | xargs touch)
	seq -f "big/s/f%07g" 1 1000000 > big.list
	head -1000 big.list > small.list
	small=$(peak_kib "$ACP" --files-from=small.list -t big/d1)
	large=$(peak_kib "$ACP" --files-from=big.list -t big/d2)
	diag "peak RSS: 1,000 names ${small} KiB, 1,000,000 names ${large} KiB"
	[ "$(find big/d2 -type f | wc -l)" -eq 1000000 ] &&
	    [ "$large" -lt $((small + 32768)) ]
	ok $? "a list of 1,000,000 empty files: all copied, peak RSS within 32 MiB of a 1,000-name list"
	rm -rf big/s big/d1 big/d2
fi

# contrib/acp-parallel: 50,000 files in 8 partitions, 2 jobs, against one
# acp -a run; the manifests concatenated pass acp --check and xxhsum -c.
if [ -n "${ACP_UNDER_VALGRIND:-}" ] || [ -n "${ACP_CHAOS:-}" ]; then
	for _ in 1 2 3; do
		skip "acp-parallel runs on the plain and sanitizer builds"
	done
elif ! command -v fpart > /dev/null || ! command -v parallel > /dev/null; then
	for _ in 1 2 3; do
		skip "needs fpart and GNU parallel (Debian packages fpart, parallel)"
	done
else
	mkdir -p wide
	d=0
	while [ "$d" -lt 100 ]; do
		mkdir -p "wide/d$d/e"
		for f in $(seq -f "f%03g" 1 499); do
			echo "$d $f" > "wide/d$d/$f"
		done
		echo "$d" > "wide/d$d/e/g"
		d=$((d + 1))
	done
	mkdir wide/empty
	ln wide/d1/f001 wide/d2/linked
	touch -d '2019-09-09 09:09:09' wide/d3 wide/empty
	"$ACP" -a wide wide.one
	rc=0
	ACP="$ACP" bash "$parallel_script" -n 8 -j 2 -m wide.sum wide wide.par \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	python3 "$snap" wide.one > one.snap
	python3 "$snap" wide.par > par.snap
	[ "$rc" -eq 0 ] && diff -r wide.one wide.par > /dev/null &&
	    cmp -s one.snap par.snap &&
	    [ "$(find wide.par -type f | wc -l)" -eq 50001 ]
	ok $? "acp-parallel, 8 partitions, 2 jobs: the tree one acp -a makes (diff -r, modes, times, links)"
	(cd wide.par && "$ACP" --check=../wide.sum > /dev/null 2>&1 &&
	    xxhsum -c ../wide.sum > /dev/null 2>&1) &&
	    [ "$(wc -l < wide.sum)" -ge 50000 ]
	ok $? "its manifests, concatenated, pass acp --check and xxhsum -c"
	rm -rf wide wide.one wide.par
	# Through parallel's remote path to the local host (--sshlogin :),
	# names with a newline and a byte not UTF-8 in them.
	rc=0
	ACP="$ACP" bash "$parallel_script" -n 3 -j 2 -S : src src.par \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && python3 "$snap" src.par > par.snap &&
	    cmp -s clean.snap par.snap
	ok $? "acp-parallel -S : (the local host as a login): awkward names, the tree -a makes"
fi
done_testing
