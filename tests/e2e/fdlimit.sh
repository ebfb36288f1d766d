#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The limit on open files: acp fits its files in flight and its window
# of directories into what the limit allows (six descriptors a file,
# three a directory level), parking the ancestors of a deep walk and
# reopening them by name, so a tree copies whole where cp -r copies it.
. "${top_srcdir:-.}/tests/lib.sh"

per=4
plan $((per * $(nengines)))

# A tree of 20 directories of 30 files.
mkdir "$T/wide"
for d in $(seq 20); do
	mkdir "$T/wide/d$d"
	for f in $(seq 30); do
		echo "$d.$f" > "$T/wide/d$d/f$f"
	done
done
# 400 levels, a file and an empty directory at every tenth, modes and
# times to keep under -a.
p=$T/deep
for i in $(seq 400); do
	p=$p/d
	mkdir -p "$p"
	if [ $((i % 10)) -eq 0 ]; then
		echo "$i" > "$p/f$i"
		mkdir "$p/e"
		chmod 750 "$p"
	fi
done
touch -d 2001-02-03 "$T/deep/d"

# snap DIR: every entry's name, type, mode and mtime.
snap() {
	(cd "$1" && find . -printf '%p %y %m %T@\n' | sort)
}

# limited N ARGS...: acp under a limit of N open files (soft and hard).
limited() {
	_n=$1
	shift
	rc=0
	(ulimit -n "$_n" && exec "$ACP" "$@") > "$T/stdout" 2> "$T/stderr" ||
	    rc=$?
}

for e in $engines; do
	rm -rf "$T/out"
	limited 64 --engine="$e" -r "$T/wide" "$T/out"
	[ "$rc" -eq 0 ] && diff -r "$T/wide" "$T/out" > /dev/null
	ok $? "$e: ulimit -n 64, 20 directories of 30 files: whole (exit $rc)"

	rm -rf "$T/out"
	limited 1024 --engine="$e" -a "$T/deep" "$T/out"
	[ "$rc" -eq 0 ] && [ "$(snap "$T/deep")" = "$(snap "$T/out")" ] &&
	    diff -r "$T/deep" "$T/out" > /dev/null
	ok $? "$e: ulimit -n 1024, 400 levels under -a: whole, modes and times kept (exit $rc)"

	rm -rf "$T/out"
	limited 32 --engine="$e" -a "$T/deep" "$T/out"
	[ "$rc" -eq 0 ] && [ "$(snap "$T/deep")" = "$(snap "$T/out")" ]
	ok $? "$e: ulimit -n 32, 400 levels: whole, a window of a few levels (exit $rc)"

	rm -rf "$T/out"
	limited 32 --engine="$e" -r "$T/wide" "$T/out"
	[ "$rc" -eq 0 ] && diff -r "$T/wide" "$T/out" > /dev/null
	ok $? "$e: ulimit -n 32, 20 directories of 30 files: whole (exit $rc)"
done
skip_engines "$per"
done_testing
