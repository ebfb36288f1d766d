#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copying into a tree that is there already, where acp looks at the
# destination's names ahead of its decisions (a thread stats a batch's
# names, its sources too, just ahead of the walker, which stats those
# the thread has not got to): against GNU cp on the same scene, with -a,
# with -au and with -aL (sources stated through symlinks, a dangling one
# among them that neither can stat), over directories of 700
# entries (three batches), subdirectories between them, and destinations
# that are a symlink to a file elsewhere (written through), a dangling
# symlink, a directory where the source has a file and a file where it
# has a directory.  The trees left (treesnap), the file written through
# the link, the exit status and the names each complains about must be
# cp's.  Then an up-to-date tree under --resume: nothing copied.
. "${top_srcdir:-.}/tests/lib.sh"

snap=${top_srcdir:-.}/tests/treesnap.py
per=6
plan $((per * $(nengines) + 2))
command -v cp > /dev/null || skip_all "no cp"

cd "$T" || exit 1

mkdir -p src/many/sub1/deep src/many/sub2 src/many/wasfile
i=1
while [ "$i" -le 700 ]; do
	echo "file $i" > "src/many/f$i"
	[ "$i" -gt 60 ] || ln -s "f$i" "src/many/l$i"
	i=$((i + 1))
done
echo deep > src/many/sub1/deep/x
echo two > src/many/sub2/y
ln -s f1 src/many/lnk
ln -s sub2 src/many/lnkdir
ln -s nowhere src/many/broken
echo through > src/many/through
echo dangle > src/many/dangle
echo isdir > src/many/isdir
echo inside > src/many/wasfile/z
touch -d '2020-01-01 00:00:00' src/many/f1 src/many/f2 src/many/f3

# The scene a copy goes into: half the files there, some older, some
# newer, some different, and the awkward ones.
mkdir -p pre/many
i=1
while [ "$i" -le 350 ]; do
	cp -p "src/many/f$i" "pre/many/f$i"
	i=$((i + 1))
done
echo "changed, newer" > pre/many/f4
touch -d '2030-01-01 00:00:00' pre/many/f4
echo "changed, older" > pre/many/f5
touch -d '2000-01-01 00:00:00' pre/many/f5
mkdir pre/many/sub1
ln -s ../../elsewhere pre/many/through
ln -s nowhere pre/many/dangle
mkdir pre/many/isdir
echo "a file" > pre/many/wasfile

# names FILE: the quoted names a message file complains about, sorted.
names() {
	grep -o "'[^']*'" "$1" | sort -u
}

# scene DIR: a fresh copy of the scene, and its file "elsewhere".
scene() {
	rm -rf "$1" && mkdir "$1" && cp -a pre "$1/dst" &&
	    echo "old elsewhere" > "$1/elsewhere" &&
	    touch -d '2025-05-05 05:05:05' "$1/elsewhere"
}

for e in $engines; do
	for opt in -a -au -aL; do
		scene cpA
		rc_cp=0
		(cd cpA && cp "$opt" ../src/many dst/) 2> cp.err || rc_cp=$?
		scene acpA
		rc=0
		(cd acpA && "$ACP" --engine="$e" --debug "$opt" ../src/many \
		    dst/) 2> acp.debug || rc=$?
		grep -v "^acp: debug: " acp.debug > acp.err
		python3 "$snap" cpA > cp.snap
		python3 "$snap" acpA > acp.snap
		[ "$rc" -eq "$rc_cp" ] && cmp -s cp.snap acp.snap &&
		    cmp -s cpA/elsewhere acpA/elsewhere &&
		    grep -q "^acp: debug: 'dst/many' was there before: the names in it are looked at ahead" acp.debug
		ok $? "$e: $opt into a tree there already: cp's tree, the file written through the link, exit $rc (cp $rc_cp)"
		sed "s|^cp: |acp: |" cp.err > cp.said
		names cp.said > cp.names
		names acp.err > acp.names
		cmp -s cp.names acp.names
		ok $? "$e: $opt: the same names complained about ($(tr '\n' ' ' < acp.names))"
	done
done
skip_engines "$per"

# An up-to-date tree of 700 entries a directory: --resume copies nothing.
"$ACP" -a src/many fresh
run_acp -a -T --resume --stats=json src/many fresh
[ "$rc" -eq 0 ] && grep -q '"files":0,' "$T/stdout" &&
    grep -q "\"files_skipped\":$(find src/many ! -type d | wc -l)," "$T/stdout"
ok $? "--resume over an up-to-date tree: every file and symlink skipped, none copied"

# On one CPU no thread looks ahead (it would only take turns with the
# walker): --debug says so, and the run is the same.
if command -v taskset > /dev/null && taskset -c 0 true 2> /dev/null; then
	rc=0
	taskset -c 0 "$ACP" -a -T --resume --debug --stats=json src/many fresh \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && grep -q '"files":0,' "$T/stdout" &&
	    grep -q "'fresh' was there before; one CPU: the walker looks at the names in it alone" "$T/stderr" &&
	    ! grep -q "on a thread of their own" "$T/stderr"
	ok $? "on one CPU: no look-ahead thread, said under --debug, nothing copied"
else
	skip "no taskset"
fi
done_testing
