#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Trees, against GNU cp on the same source: -a keeps modes, owners,
# nanosecond times (directories' too), symlinks as links, hard links as
# links, FIFOs, devices and sockets, xattrs and ACLs; -r without -p as
# cp -r; -L, -H, a symlink loop, and a directory copied into itself.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((4 * $(nengines) + 10))

cd "$T" || exit 1
mkdir -p src/a/b/c src/empty
mkdata src/f0 0 f0
mkdata src/a/f1 4097 f1
mkdata src/a/b/f2 1048583 f2
mkdata src/a/b/c/f3 100 f3
chmod 0750 src/a
chmod 0600 src/a/f1
chmod 2755 src/a/b
chmod 0444 src/a/b/c/f3
ln src/a/f1 src/hard1
ln src/a/f1 src/a/b/hard2
ln -s f0 src/rel
ln -s "$T/src/a" src/abs
ln -s nowhere src/dangling
mkfifo src/fifo
[ "$(id -u)" = 0 ] && mknod src/null c 1 3
command -v python3 > /dev/null &&
    python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('src/sock')"
has_xattr=0
if command -v setfattr > /dev/null && setfattr -n user.acp -v kept src/a/f1 2> /dev/null; then
	has_xattr=1
	setfacl -m u:nobody:r src/a/b/f2 2> /dev/null || true
fi
touch -h -d "2001-02-03 04:05:06.123456789" src/rel
touch -d "2002-03-04 05:06:07.987654321" src/a/b/c src/a/f1

# snapshot DIR: every entry's type, mode, owner, size, mtime (ns), link
# target and content hash; and xattrs and ACLs where the tools exist.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %u %g %s %T@ %l\n' | sort &&
	    find . -type f -exec sha256sum {} + | sort)
	if [ "$has_xattr" = 1 ]; then
		(cd "$1" && getfattr -R -d -m - -h . 2> /dev/null | grep -v '^$')
	fi
}
# Without -p times and owners are the copier's: compare the rest.
shape() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort &&
	    find . -type f -exec sha256sum {} + | sort)
}

cp -a src ref-a
cp -r src ref-r
snapshot ref-a > ref-a.snap
shape ref-r > ref-r.snap

for e in $engines; do
	rm -rf out-a out-r
	run_acp --engine="$e" -a src out-a
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ]
	ok $? "$e: acp -a copies the tree without a word"
	snapshot out-a | diff ref-a.snap - > "$T/diff" && [ ! -s "$T/diff" ]
	ok $? "$e: acp -a gives what cp -a gives: modes, owners, ns times, links, specials$( [ "$has_xattr" = 1 ] && echo ", xattrs, ACLs")"
	[ "$(stat -c %i out-a/a/f1)" = "$(stat -c %i out-a/hard1)" ] &&
	    [ "$(stat -c %i out-a/a/f1)" = "$(stat -c %i out-a/a/b/hard2)" ]
	ok $? "$e: hard links in the source share one inode in the copy"

	run_acp --engine="$e" -r src out-r
	[ "$rc" -eq 0 ] && shape out-r | diff ref-r.snap - > /dev/null
	ok $? "$e: acp -r gives what cp -r gives"
done
skip_engines 4

# -r without -p: new files and directories take the umask.
rm -rf um && (umask 077 && "$ACP" -r src um)
[ "$(stat -c %a um/a)" = 700 ] && [ "$(stat -c %a um/a/b/f2)" = 600 ]
ok $? "-r narrows modes by the umask, as cp -r"

# -L follows links inside the tree; a loop fails that entry only.
rm -rf loop out-l && mkdir loop && ln -s l2 loop/l1 && ln -s l1 loop/l2 &&
    echo data > loop/file
run_acp -rL loop out-l
[ "$rc" -eq 1 ] && grep -q "cannot stat 'loop/l1': Too many levels of symbolic links" "$T/stderr" &&
    cmp -s loop/file out-l/file
ok $? "-L: a symlink loop is an error for that entry, the rest is copied"

run_acp -rL src out-L
[ -f out-L/rel ] && [ ! -L out-L/rel ] && [ -d out-L/abs ] && [ ! -L out-L/abs ]
ok $? "-L copies what the links point to"

ln -s src srclink
run_acp -rH srclink out-H
[ -d out-H ] && [ ! -L out-H ] && [ -L out-H/rel ]
ok $? "-H follows a command-line link, not the links inside"

run_acp -r srclink out-P
[ -L out-P ]
ok $? "-r alone copies a command-line symlink as a link (as cp -r)"

run_acp -r src src/a
[ "$rc" -eq 1 ] && grep -q "cannot copy a directory, 'src', into itself, 'src/a/src'" "$T/stderr" &&
    [ ! -e src/a/src ]
ok $? "a directory copied into itself is refused, nothing made"

run_acp -r src/a/f1 src/fifo out-files
[ "$rc" -eq 1 ] && grep -q "target 'out-files'" "$T/stderr"
ok $? "several sources onto a missing target are refused"

touch ro-target
run_acp -r src ro-target
[ "$rc" -eq 1 ] && grep -q "cannot overwrite non-directory 'ro-target' with directory 'src'" "$T/stderr"
ok $? "a directory onto a file is refused"

# Directory times are set after their entries.
rm -rf t && "$ACP" -a src t
[ "$(stat -c %Y.%y src/a/b/c)" = "$(stat -c %Y.%y t/a/b/c)" ]
ok $? "-a: a directory's mtime survives the copying of its entries"
# -x: a filesystem mounted inside the tree is not entered.
if [ "$(id -u)" = 0 ] && mkdir -p xsrc/mnt && echo top > xsrc/top &&
    mount -t tmpfs -o size=1M tmpfs xsrc/mnt 2> /dev/null; then
	cleanup_mounts="$T/xsrc/mnt"
	echo inner > xsrc/mnt/inner
	run_acp -rx xsrc xdst
	[ "$rc" -eq 0 ] && [ -d xdst/mnt ] && [ ! -e xdst/mnt/inner ] &&
	    cmp -s xsrc/top xdst/top
	ok $? "-x makes the mount point but does not enter it, as cp -x"
	umount xsrc/mnt && cleanup_mounts=""
else
	skip "-x needs root to mount a tmpfs inside the tree"
fi
done_testing
