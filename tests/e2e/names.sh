#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Names: spaces, newlines, tabs, leading dashes, quotes, backslashes,
# non-UTF-8 bytes and 255-byte components come out as GNU cp makes them,
# and -v quotes them as cp -v does.  A tree 200 levels deep of 255-byte
# names (51 KB paths, far past PATH_MAX, which GNU cp cannot copy) is
# copied whole, with every mode and time, and its manifest checks.
. "${top_srcdir:-.}/tests/lib.sh"

snap=${top_srcdir:-.}/tests/treesnap.py
if ! command -v python3 > /dev/null; then
	plan 1
	skip "python3 is needed to read trees deeper than PATH_MAX"
	exit 0
fi
plan $((6 * $(nengines) + 5))

cd "$T" || exit 1
long=$(printf 'n%.0s' $(seq 255))
mkdir src
(
	cd src || exit 1
	for n in 'with space' $'new\nline' $'tab\there' -- '-dash' '--also' \
	    $'\xff\xfe-latin1' 'back\slash' '*glob?' "it's" $'a\'b\nc' \
	    $'\x01ctl' "$long" $'trail\n'; do
		printf '%s\n' "$n" > "./$n"
	done
	mkdir "$(printf 'D%.0s' $(seq 255))" $'dir\nname'
	printf 'deep\n' > "$(printf 'D%.0s' $(seq 255))/$long"
	ln -s $'new\nline' 'link to newline'
	ln -s "$long" "link-${long:0:200}"
)
touch -d "2003-04-05 06:07:08.123456789" src/*
cp -a src ref
python3 "$snap" ref > ref.snap
(cp -av src out | sort) > cp-v.out
rm -rf out

# The deep tree, made with directory descriptors (no shell can cd there).
python3 - << 'PY'
import os
name = "d" * 255
top = os.open("deep", os.O_RDONLY) if os.path.isdir("deep") else None
os.mkdir("deep")
cur = os.open("deep", os.O_RDONLY)
for i in range(200):
    os.mkdir(name, 0o750 if i % 2 else 0o755, dir_fd=cur)
    nxt = os.open(name, os.O_RDONLY, dir_fd=cur)
    fd = os.open("f%03d" % i, os.O_WRONLY | os.O_CREAT, 0o640, dir_fd=nxt)
    os.write(fd, b"level %d\n" % i * (i + 1))
    os.close(fd)
    os.utime("f%03d" % i, ns=(10**18 + i, 10**18 + i), dir_fd=nxt)
    os.close(cur)
    cur = nxt
os.symlink("../" + name, "up", dir_fd=cur)
os.symlink("f199", "rel", dir_fd=cur)
PY
python3 "$snap" deep > deep.snap
[ "$(wc -l < deep.snap)" -eq 402 ]
ok $? "the deep tree is there: 200 directories, 200 files, 2 links (402 lines)"

for e in $engines; do
	rm -rf out out-deep
	run_acp --engine="$e" -a src out
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    python3 "$snap" out | diff ref.snap - > "$T/diff"
	ok $? "$e: odd names copied by acp -a as by cp -a (names, modes, ns times, contents, links)"

	rm -rf out
	run_acp --engine="$e" -av src out
	sort "$T/stdout" | diff cp-v.out - > "$T/diff"
	ok $? "$e: acp -v quotes every odd name as cp -v does"

	run_acp --engine="$e" -a deep out-deep
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    python3 "$snap" out-deep | diff deep.snap - > "$T/diff"
	ok $? "$e: a tree 200 levels deep (51 KB paths) copied whole, modes and ns times kept"

	rm -rf out-deep
	run_acp --engine="$e" -r --checksum=sha256 --manifest=deep.sums \
	    deep out-deep
	[ "$rc" -eq 0 ] && [ "$(wc -l < deep.sums)" -eq 200 ] &&
	    run_acp --engine="$e" --check=deep.sums && [ "$rc" -eq 0 ] &&
	    [ "$(grep -c ': OK$' "$T/stdout")" -eq 200 ]
	ok $? "$e: its manifest has 200 lines and --check reads every long name back: OK"

	rm -rf out-deep
	run_acp --engine="$e" -r --atomic --verify deep out-deep
	[ "$rc" -eq 0 ] && python3 "$snap" out-deep --no-times |
	    diff <(python3 "$snap" deep --no-times) - > "$T/diff"
	ok $? "$e: --atomic --verify in the deep tree (temporary names beside 255-byte ones)"

	rm -rf out
	mkdir out
	run_acp --engine="$e" -- "src/$long" -dash out/
	[ "$rc" -eq 0 ] 2> /dev/null
	cd src && run_acp --engine="$e" -- -dash --also "$T/out/" && cd ..
	[ "$rc" -eq 0 ] && cmp -s "src/$long" "out/$long" &&
	    cmp -s src/-dash out/-dash && cmp -s src/--also out/--also
	ok $? "$e: operands with leading dashes after --, and a 255-byte operand"
done
skip_engines 6

# -L through a link to an ancestor: cp's refusal, and no endless copy.
mkdir -p loop/a && ln -s .. loop/a/up && printf 'x\n' > loop/a/f
cp -rL loop ref-loop 2> cp.err
cprc=$?
run_acp -rL loop out-loop
[ "$rc" -eq 1 ] && [ "$cprc" -eq 1 ] &&
    grep -q "cannot copy cyclic symbolic link 'loop/a/up'" "$T/stderr" &&
    diff <(python3 "$snap" ref-loop --no-times) \
        <(python3 "$snap" out-loop --no-times) > "$T/diff"
ok $? "-L and a link to an ancestor: exit 1 and cp's words, the rest as cp copies it"

# The deep tree with -L: its 'up' link at the bottom is refused the same.
rm -rf out-deep
run_acp -rL deep out-deep
[ "$rc" -eq 1 ] && grep -q 'cannot copy cyclic symbolic link' "$T/stderr" &&
    [ "$(python3 "$snap" out-deep | wc -l)" -eq 401 ]
ok $? "-L in the deep tree: the cycle at the bottom refused, the 401 others copied"

# Deep and -x, -u, -n: the walker's other paths take deep names too.
run_acp -a -n -T deep out-deep-n && run_acp -a -n -T deep out-deep-n
[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
    python3 "$snap" out-deep-n | diff deep.snap - > "$T/diff"
ok $? "-a -n twice over the deep tree: nothing replaced, nothing said"

# A tree copied into a directory holding it, deep: refused at the top.
run_acp -r deep "deep/$(printf 'd%.0s' $(seq 255))"
[ "$rc" -eq 1 ] && grep -q 'into itself' "$T/stderr"
ok $? "copying the deep tree into itself is refused"
