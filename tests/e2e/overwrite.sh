#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The overwrite policy and the link options, against GNU cp: each case
# builds the same scene twice, runs cp in one and acp in the other with
# the same arguments, and compares the exit status and what is left
# (types, sizes, contents, link targets, link counts).  Options GNU cp
# 9.1 lacks (--update=none, none-fail) are checked on their own.
. "${top_srcdir:-.}/tests/lib.sh"

plan 31
cd "$T" || exit 1

# scene DIR: old and new files, a directory, a symlink, a FIFO.
scene() {
	rm -rf "$1" && mkdir -p "$1/src/sub" "$1/dst" "$1/elsewhere" &&
	    (cd "$1" &&
	    echo new > src/new && echo old > dst/new &&
	    touch -d '2001-01-01' src/new &&
	    echo fresh > src/stale && echo stale > dst/stale &&
	    touch -d '2001-01-01' dst/stale &&
	    echo in-sub > src/sub/f &&
	    echo target > elsewhere/t && ln -s ../elsewhere/t dst/link &&
	    echo over-link > src/link &&
	    ln -s ../elsewhere dst/subdir && mkdir src/subdir &&
	    echo deep > src/subdir/g &&
	    ln -s sub src/sublink)
}

# state DIR: what is in it, one line an entry.
state() {
	(cd "$1" && find . -path ./cmp -prune -o -printf '%p %y %s %l %n\n' |
	    sort && find . -type f ! -name cmp -exec md5sum {} + | sort)
}

# both ARGS...: cp and acp with ARGS in fresh scenes, from inside them;
# 0 when the exit statuses and the results agree.
both() {
	scene c && scene a || return 1
	crc=0
	# shellcheck disable=SC2217 # cp -i reads its answers from stdin
	(cd c && cp "$@" < /dev/null > /dev/null 2> ../cp.err) || crc=$?
	arc=0
	(cd a && timeout 60 "$ACP" "$@" < /dev/null > /dev/null 2> ../acp.err) || arc=$?
	cp acp.err "$T/stderr"
	if [ "$crc" -ne "$arc" ]; then
		diag "$*: cp exit $crc, acp exit $arc"
		return 1
	fi
	state c > c.state
	state a > a.state
	if ! cmp -s c.state a.state; then
		diff c.state a.state | head -5 | sed 's/^/# /'
		return 1
	fi
}

both -u src/new src/stale dst
ok $? "-u: an older destination is replaced, a newer one kept"
both -n src/new src/stale dst
ok $? "-n: nothing replaced, exit 0"
both --remove-destination src/link dst
ok $? "--remove-destination: a symlink in the way is replaced, its target untouched"
both src/link dst
ok $? "without it, the copy is written through the symlink"
both -l src/new dst/linked
ok $? "-l: a hard link, not a copy"
both -r -l src dst/tree
ok $? "-r -l: directories made, files hard-linked"
both -lf src/new dst
ok $? "-l -f over an existing file"
both -s "$T/a/src/new" dst/abs
ok $? "-s: an absolute symbolic link"
both -s src/new rel
ok $? "-s: a relative link in the current directory"
both -s src/new dst/rel
ok $? "-s: a relative link elsewhere is refused (exit 1)"
both -r src/ dst/one
ok $? "-r with a trailing slash"
both -r src/sublink/ dst
ok $? "-r src/sublink/ into a directory: the directory it points to"
both -r --strip-trailing-slashes src/sublink/ dst
ok $? "--strip-trailing-slashes: src/sublink/ copied as the link it is"
both -r src dst/..
ok $? "a directory onto an existing one: merged"

# --copy-contents: a device's content as a regular file (root: mknod).
if [ "$(id -u)" = 0 ]; then
	mkdir -p cc.src cc.c cc.a && mknod cc.src/null c 1 3 &&
	    mkdata cc.src/plain 1000 cc
	rc=0
	cp -r --copy-contents cc.src cc.c/t && "$ACP" -r --copy-contents cc.src cc.a/t &&
	    [ -f cc.a/t/null ] && [ ! -s cc.a/t/null ] &&
	    [ "$(state cc.c)" = "$(state cc.a)" ] || rc=1
	ok $rc "-r --copy-contents: a device copied as its content, as cp does"
else
	skip "needs root for mknod"
fi

# GNU cp 9.1 has no --keep-directory-symlink (tar's name for it).
scene a
rc=0
(cd a && ! "$ACP" -r src/. dst 2> "$T/stderr" &&
    grep -q "cannot overwrite non-directory 'dst/./subdir' with directory 'src/./subdir'" "$T/stderr" &&
    "$ACP" -r --keep-directory-symlink src/. dst &&
    [ -L dst/subdir ] && [ "$(cat elsewhere/g)" = deep ]) || rc=1
ok $rc "--keep-directory-symlink: a symlink to a directory in the way is followed"

both -b src/new src/stale dst
ok $? "-b: each replaced file kept as NAME~"
both -S .bak src/new dst
ok $? "-S .bak: the suffix given, and -S alone makes backups"
both --backup=numbered src/new src/link dst
ok $? "--backup=numbered: NAME.~1~, a symlink in the way backed up as a link"

both --parents src/sub/f src/new dst
ok $? "--parents: DIR/SOURCE, with the directories on the way"
both --parents src/new dst/new
ok $? "--parents onto a file that is not a directory: refused"
scene a && touch -d '2003-03-03' a/src/sub &&
    (cd a && "$ACP" -a --parents src/sub/f dst) &&
    [ "$(stat -c %Y a/dst/src/sub)" = "$(stat -c %Y a/src/sub)" ] &&
    [ "$(cat a/dst/src/sub/f)" = in-sub ]
ok $? "-a --parents: the directories made take their sources' times"

both --attributes-only -p src/new dst
ok $? "--attributes-only -p onto an existing file: its data kept, as cp"
both --attributes-only src/sub/f dst/x
ok $? "--attributes-only to a new file: an empty file"
both -r --attributes-only src dst/attr
ok $? "-r --attributes-only: the tree's shape, no data"
run_acp --attributes-only --checksum src/new x
[ "$rc" -eq 2 ] && [ ! -e x ]
ok $? "--attributes-only with --checksum: a usage error (exit 2)"

# twice TOOL ARGS...: run twice in a fresh scene DIR=$1.
twice() {
	_d=$1
	shift
	scene "$_d" && (cd "$_d" && "$@" && "$@") 2> /dev/null
}
twice c cp --backup=numbered src/new dst && twice a "$ACP" --backup=numbered src/new dst &&
    [ "$(state c)" = "$(state a)" ] && [ -e a/dst/new.~2~ ]
ok $? "--backup=numbered twice: .~1~ and .~2~, as cp"
twice c cp --backup=existing src/new dst && twice a "$ACP" --backup=existing src/new dst &&
    [ "$(state c)" = "$(state a)" ] && [ -e a/dst/new~ ]
ok $? "--backup=existing with no numbered backups: simple ones, as cp"

# -i answers from stdin; the prompt as cp's, with acp's name.
scene a
rc=0
(cd a && echo n | "$ACP" -i src/new dst) 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && [ "$(cat a/dst/new)" = old ] &&
    [ "$(cat "$T/stderr")" = "acp: overwrite 'dst/new'? " ]
ok $? "-i answered n: cp's prompt, the file kept, exit 0 (as cp 9.1)"
rc=0
(cd a && echo y | "$ACP" -i src/new dst) 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && [ "$(cat a/dst/new)" = new ]
ok $? "-i answered y: replaced"

# GNU cp 9.1 has no --update=WHEN: its meaning as coreutils 9.5 gives it.
scene a
rc=0
(cd a && "$ACP" --update=none src/new src/stale dst &&
    [ "$(cat dst/new)" = old ] && [ "$(cat dst/stale)" = stale ] &&
    "$ACP" --update=all src/new dst && [ "$(cat dst/new)" = new ] &&
    echo renewed > src/stale &&
    ! "$ACP" --update=none-fail src/stale dst 2> "$T/stderr" &&
    [ "$(cat dst/stale)" = stale ] &&
    grep -q "^acp: not replacing 'dst/stale'$" "$T/stderr") || rc=1
ok $rc "--update=none keeps, all replaces, none-fail keeps and exits 1"
done_testing
