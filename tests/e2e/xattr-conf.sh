#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# /etc/xattr.conf under -a, each case with a file of the test's own bound
# over it in a mount namespace of its own: its "skip" lines leave those
# attributes out of files and directories, as cp -a does, and the rest
# are copied (a file replaced by --atomic keeps its own attributes, as
# one written over in place does); its "permissions" lines make those
# part of the mode (kept with it, not with the other attributes, as
# POSIX ACLs are); an empty file copies them all; a file that is not
# patterns and actions is said once, naming it and its line, every
# attribute is copied and the exit status stays 0 (GNU cp, through
# libattr, aborts on it).
. "${top_srcdir:-.}/tests/lib.sh"

per_engine=5
plan $((per_engine * $(nengines)))
cd "$T" || exit 1

why=""
if [ "$(id -u)" != 0 ] || ! unshare -m true 2> /dev/null; then
	why="needs root and unshare to bind a file over /etc/xattr.conf"
elif [ ! -f /etc/xattr.conf ]; then
	why="no /etc/xattr.conf to bind a file over"
elif ! command -v setfattr > /dev/null || ! command -v getfattr > /dev/null
then
	why="no setfattr or getfattr"
else
	mkdir -p src/d
	i=0
	while [ $i -lt 50 ]; do
		echo "file $i" > src/f$i
		i=$((i + 1))
	done
	for p in src/d src/f0 src/f49; do
		if ! setfattr -n user.acp -v kept "$p" 2> /dev/null ||
		    ! setfattr -n user.mine.a -v one "$p" ||
		    ! setfattr -n user.mine.b -v two "$p"; then
			why="no user extended attributes here"
			break
		fi
	done
fi
if [ -n "$why" ]; then
	i=0
	while [ $i -lt $((per_engine * $(nengines))) ]; do
		skip "$why"
		i=$((i + 1))
	done
	exit 0
fi

printf '# ours\nuser.mine.*\tskip   # both\n\n  user.acp  skip\n' > skip.conf
printf 'user.acp permissions\nuser.mine.a skip\n' > perm.conf
: > empty.conf
printf 'user.mine.a skip\nuser.mine.b\n' > broken.conf

# with CONF CMD...: run CMD with CONF as /etc/xattr.conf; status in $rc.
with() {
	rc=0
	# shellcheck disable=SC2016 # the inner sh expands them
	unshare -m sh -c 'mount --bind "$1" /etc/xattr.conf && shift &&
	    exec "$@"' sh "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
}
# The attributes under a tree, named as from its top.
attrs() {
	(cd "$1" && getfattr -R -d . 2> /dev/null | grep -v '^$' | sort)
}

for e in $engines; do
	rm -rf out cpout
	with skip.conf "$ACP" --engine="$e" -a src out
	r=$rc
	with skip.conf cp -a src cpout
	[ "$r" -eq 0 ] && [ ! -s "$T/stderr" ] && ! attrs out | grep -q user &&
	    [ "$(attrs out)" = "$(attrs cpout)" ] && diff -r src out > /dev/null
	ok $? "$e: -a: what xattr.conf says to skip is left out of files and directories, as cp -a"

	# Replacing a file keeps its own, as cp's write in place does.
	rm -f own cpown && echo old > own && echo old > cpown &&
	    setfattr -n user.mine.a -v own own &&
	    setfattr -n user.mine.a -v own cpown
	with skip.conf "$ACP" --engine="$e" --atomic src/f1 own
	r=$rc
	with skip.conf cp src/f1 cpown
	[ "$r" -eq 0 ] && [ ! -s "$T/stderr" ] && cmp -s src/f1 own &&
	    [ "$(getfattr -n user.mine.a --only-values own)" = own ] &&
	    [ "$(getfattr -n user.mine.a --only-values cpown)" = own ]
	ok $? "$e: --atomic over a file: its own attributes kept, those xattr.conf skips too, as cp's write in place"

	rm -rf out mode
	with perm.conf "$ACP" --engine="$e" -r --preserve=xattr src out
	r=$rc
	with perm.conf "$ACP" --engine="$e" -r --preserve=mode src mode
	[ "$r" -eq 0 ] && [ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    ! attrs out | grep -q 'user.acp\|user.mine.a' &&
	    [ "$(attrs out | grep -c 'user.mine.b="two"')" = 3 ] &&
	    [ "$(attrs mode | grep -c 'user.acp="kept"')" = 3 ] &&
	    ! attrs mode | grep -q user.mine
	ok $? "$e: what xattr.conf calls permissions is kept with the mode, not with the other attributes"

	rm -rf out
	with empty.conf "$ACP" --engine="$e" -a src out
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    [ "$(attrs out)" = "$(attrs src)" ]
	ok $? "$e: -a with an empty xattr.conf: every attribute copied"

	rm -rf out
	with broken.conf "$ACP" --engine="$e" -a src out
	[ "$rc" -eq 0 ] && [ "$(wc -l < "$T/stderr")" = 1 ] &&
	    grep -q "^acp: '/etc/xattr.conf', line 2: " "$T/stderr" &&
	    [ "$(attrs out)" = "$(attrs src)" ] && diff -r src out > /dev/null
	ok $? "$e: -a with a broken xattr.conf: said once with its line, every attribute copied, exit 0"
done
skip_engines $per_engine
done_testing
