#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --progress: on a terminal (a pty from script(1)) one line redrawn with
# \r, cut to the terminal's width, with the current file; elsewhere plain
# lines; the last one says 100% with the totals the counting thread found.
. "${top_srcdir:-.}/tests/lib.sh"

plan 6
cd "$T" || exit 1

mkdir tree
i=0
while [ "$i" -lt 30 ]; do
	mkdata "tree/f$i" $((i * 1000)) "p$i"
	i=$((i + 1))
done
total=$(cat tree/* | wc -c)

run_acp --progress -r tree out
[ "$rc" -eq 0 ] && diff -r tree out > /dev/null &&
    [ "$(wc -l < "$T/stderr")" -eq 1 ] &&
    grep -q "^acp: [0-9.]*[KMG]* / [0-9.]*[KMG]*  100%  30 / 30 files  [0-9.]*[KMGB]*/s  in [0-9.]* s$" "$T/stderr"
ok $? "not a terminal: a plain last line, 100% of 30 files ($total bytes)"

run_acp --checksum=sha256 --manifest=m -r tree out2
run_acp --check=m --progress
[ "$rc" -eq 0 ] && [ "$(grep -c ': OK$' "$T/stdout")" -eq 30 ] &&
    grep -q "^acp: [0-9.]*[KMG]*  30 files  [0-9.]*[KMGB]*/s  in [0-9.]* s$" "$T/stderr"
ok $? "--check --progress: what was hashed, 30 files, no totals to guess"

if ! command -v script > /dev/null; then
	for _ in 1 2 3 4; do skip "needs script(1) for a terminal"; done
	exit 0
fi

# A source that arrives slowly, so that the line is drawn several times.
mkdata blob 200000 slow
mkfifo slow.fifo
(for _ in 1 2 3 4 5 6; do cat blob; sleep 0.3; done > slow.fifo) &
rc=0
script -qec "stty cols 60; '$ACP' --progress slow.fifo 'a-long-destination-name-that-will-not-fit-in-sixty-columns'" \
    /dev/null > tty.err < /dev/null || rc=$?
wait
tr '\r' '\n' < tty.err | sed 's/\x1b\[K//g' | grep -v '^$' > tty.lines
[ "$rc" -eq 0 ] && [ "$(wc -c < a-long-destination-name-that-will-not-fit-in-sixty-columns)" -eq 1200000 ]
ok $? "a slow FIFO through a terminal: the whole copy"
[ "$(tr -cd '\r' < tty.err | wc -c)" -ge 2 ]
ok $? "the line is redrawn in place ($(tr -cd '\r' < tty.err | wc -c) draws)"
awk 'length($0) > 59 { bad = 1 } END { exit bad }' tty.lines
ok $? "every draw fits in 60 columns"
tail -1 tty.lines | grep -q "  100%  1 / 1 files  .*/s  in [0-9.]* s$" &&
    grep -q "slow.fifo" tty.lines
ok $? "the last draw says 100%, and earlier ones name the file"
done_testing
