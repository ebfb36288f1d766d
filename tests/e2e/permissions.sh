#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Permissions, as an unprivileged user (nobody, through setpriv), against
# GNU cp run as the same user on the same scene: unreadable files,
# directories that cannot be listed or searched, read-only directories
# that must still be filled, destinations that cannot be written, -f,
# ownership that cannot be kept, user.* xattrs that can.  Each case
# compares the exit status, the trees left (treesnap), and that acp
# names in its messages every file cp names.
. "${top_srcdir:-.}/tests/lib.sh"

ncases=8
if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1 ||
    ! command -v setpriv > /dev/null || ! command -v python3 > /dev/null; then
	plan 1
	skip "needs root (to become nobody), user nobody, setpriv and python3"
	exit 0
fi
plan $((ncases * $(nengines)))
snap=${top_srcdir:-.}/tests/treesnap.py
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}

chmod 755 "$T"
cd "$T" || exit 1

# scene DIR: a source tree owned by nobody with every permission case,
# and destinations to write into (or not).
scene() {
	rm -rf "$1" && mkdir "$1" && (cd "$1" &&
	    mkdir -p src/open src/noread src/nosearch src/ro src/deep/er \
	        dst ro-dst &&
	    echo a > src/open/a && echo s > src/secret &&
	    echo b > src/noread/b && echo c > src/nosearch/c &&
	    echo d > src/ro/d && echo e > src/deep/er/e &&
	    echo root > src/rootfile && echo old > dst/old &&
	    chmod 444 dst/old &&
	    chown -R nobody src dst ro-dst && chown root src/rootfile &&
	    chmod 644 src/rootfile &&
	    chmod 000 src/secret && chmod 311 src/noread &&
	    chmod 600 src/nosearch && chmod 500 src/ro && chmod 555 ro-dst &&
	    chmod 700 src/deep && chown nobody . && chmod 755 . &&
	    touch -d '2003-01-01' dst/old &&
	    { ! command -v setfattr > /dev/null ||
	      setfattr -n user.acp -v kept src/open/a 2> /dev/null || true; } &&
	    find src -exec touch -h -d '2004-05-06 07:08:09.5' {} +)
}

# cmp_case NAME [--times] ARGS...: cp and acp as nobody, from inside
# fresh scenes; 0 when they agree.
cmp_case() {
	_times=--no-times
	if [ "$1" = --times ]; then
		_times=""
		shift
	fi
	scene c && scene a || return 1
	crc=0
	(cd c && as_nobody cp "$@") > /dev/null 2> c.err || crc=$?
	arc=0
	(cd a && as_nobody timeout 60 "$ACP" --engine="$e" "$@") \
	    > /dev/null 2> a.err || arc=$?
	cp a.err "$T/stderr"
	[ "$crc" -eq "$arc" ] || { diag "exit: cp $crc, acp $arc"; return 1; }
	if [ -s c.err ] && [ ! -s a.err ]; then
		diag "cp said something, acp nothing"
		return 1
	fi
	# Every name cp's messages quote is in acp's.
	grep -o "'[^']*'" c.err | sort -u | while read -r q; do
		grep -qF -- "$q" a.err || { diag "acp does not name $q"; exit 1; }
	done || return 1
	for d in dst ro-dst out; do
		[ -e "c/$d" ] || [ -e "a/$d" ] || continue
		# shellcheck disable=SC2086 # --no-times or nothing
		diff <(python3 "$snap" "c/$d" $_times 2>&1) \
		    <(python3 "$snap" "a/$d" $_times 2>&1) > "$T/diff" ||
		    { diag "$d differs"; head -5 "$T/diff" | sed 's/^/# /'; return 1; }
	done
	if command -v getfattr > /dev/null; then
		[ "$(getfattr -R -d -m user. c/out 2> /dev/null | sed 's|^# file: c/|# file: |')" = \
		  "$(getfattr -R -d -m user. a/out 2> /dev/null | sed 's|^# file: a/|# file: |')" ] ||
		    { diag "user.* xattrs differ"; return 1; }
	fi
	return 0
}

for e in $engines; do
	cmp_case -r src out
	ok $? "$e: -r as nobody: unreadable file, unlistable and unsearchable directories fail alone; a read-only directory is filled"
	cmp_case --times -a src out
	ok $? "$e: -a as nobody: the same, with modes, ns times, user.* xattrs; root's file owned by nobody and no word of it"
	cmp_case --preserve=ownership -r src out
	ok $? "$e: --preserve=ownership as nobody: cp's exit and words"
	cmp_case src/open/a ro-dst/
	ok $? "$e: into a directory nobody may not write: refused, nothing made"
	cmp_case src/open/a dst/old
	ok $? "$e: over a read-only file without -f: refused, the file kept"
	cmp_case -f src/open/a dst/old
	ok $? "$e: -f over a read-only file: removed and made anew"
	cmp_case -r src/ro out
	ok $? "$e: a read-only source directory: its copy filled, then made read-only"
	cmp_case -r src/deep src/open dst
	ok $? "$e: several sources into one directory as nobody"
done
skip_engines "$ncases"
