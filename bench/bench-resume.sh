#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Picking up an interrupted copy, and a backup run again over a tree that
# is already up to date.
#
#   file: a big file whose acp --resume copy stopped at 70% (a write past
#   it failed: the first 70% in place, flushed, marked whole to there),
#   finished by acp --resume (which takes the mark at its word), by acp
#   --resume=checksum (which compares the kept part with the source),
#   against rsync --partial --append-verify on the same partial file, dd
#   writing only the missing part (the goal: acp within 1.2x of it), dd
#   reading the part already there from both files (what any resume that
#   checks that part must read), and acp copying the whole file again.
#
#   tree: a second run over the whole small-file tree, already copied
#   with -a: acp -a --resume against rsync -a (the goal: acp at least 2x
#   faster, a ratio of 0.5 or less); and acp -au against cp -au, the
#   backup run again that cp users make.
#
# Warm cache, runs interleaved, a fresh partial file each run, medians.
#
# usage: bench/bench-resume.sh [-s SIZE] [-n FILES] [-r RUNS] [-d DIR] [-a ACP] [-f] [-t]
#   -s SIZE   the big file's size (default 1G)
#   -n FILES  files in the small-file tree (default 50000, in 500 dirs)
#   -r RUNS   runs of each tool (default 5)
#   -d DIR    scratch directory on the disk to measure (default bench/data)
#   -a ACP    the acp binary (default src/acp beside this script)
#   -f        the big file only
#   -t        the tree only
# BENCH_RAW=1 also prints every run's time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
size=1G
nfiles=50000
runs=5
dir=$here/data
acp=$here/../src/acp
do_file=1
do_tree=1
while getopts s:n:r:d:a:ft opt; do
	case $opt in
	s) size=$OPTARG ;;
	n) nfiles=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) acp=$OPTARG ;;
	f) do_tree=0 ;;
	t) do_file=0 ;;
	*) sed -n '4,28p' "$0"; exit 2 ;;
	esac
done
[ -x "$acp" ] || { echo "bench: no acp binary at $acp (build first)" >&2; exit 1; }
command -v rsync > /dev/null || { echo "bench: rsync is not installed" >&2; exit 1; }
acp=$(cd "$(dirname "$acp")" && pwd)/$(basename "$acp")
mkdir -p "$dir"
out=$dir/resume.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

# file: D is a fresh name holding the first $cut MiB of the source, as
# an acp --resume run stopped there leaves it: the write past it failed
# (the file size limit), and acp flushed the copy and marked it whole up
# to there.
prepare() {
	if [ "$kind" = tree ]; then
		hot_memory
		return
	fi
	D=$out/part.$(date +%s%N)
	# shellcheck disable=SC2016 # the inner shell's own arguments
	sh -c 'trap "" XFSZ; exec prlimit --fsize="$1" "$2" --resume "$3" "$4"' \
	    sh $((cut * 1048576)) "$acp" "$src" "$D" 2> /dev/null || true
	[ "$(stat -c %s "$D")" = $((cut * 1048576)) ] ||
	    { echo "bench: the cut copy is not $cut MiB" >&2; exit 1; }
	cat "$src" > /dev/null
	hot_memory
}
same() {
	local ok=0
	[ "$kind" = tree ] && return 0
	if [ "$partial_ok" = 1 ]; then
		cmp -s "$src" "$D" || ok=1
	fi
	rm -f "$D"
	return $ok
}

acp_resume() { partial_ok=1; "$acp" --resume "$src" "$D"; }
acp_compare() { partial_ok=1; "$acp" --resume=checksum "$src" "$D"; }
rsync_append() { partial_ok=1; rsync --partial --append-verify "$src" "$D"; }
dd_rest() {
	partial_ok=1
	dd if="$src" of="$D" bs=1M skip="$cut" seek="$cut" conv=notrunc \
	    status=none
}
# What any resume that checks the kept part must do at least: read it
# from both files (dd, no comparing).
read_kept() {
	partial_ok=0
	dd if="$src" of=/dev/null bs=1M count="$cut" status=none
	dd if="$D" of=/dev/null bs=1M count="$cut" status=none
}
acp_whole() { partial_ok=1; "$acp" "$src" "$D"; }
acp_noop() { "$acp" -a -T --resume "$src" "$copy"; }
rsync_noop() { rsync -a "$src/" "$copy/"; }
cp_update() { cp -a -u -T "$src" "$copy"; }
acp_update() { "$acp" -a -u -T "$src" "$copy"; }

states=warm
echo "# acp --resume: $runs interleaved runs, warm, median seconds; $(uname -r); $(findmnt -no FSTYPE -T "$dir"); $(nproc) cores; $(rsync --version | head -1)"

if [ "$do_file" = 1 ]; then
	kind="file"
	src=$dir/src.bin
	if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$(numfmt --from=iec "$size")" ]; then
		echo "bench: making $size of seeded data in $src" >&2
		openssl enc -aes-128-ctr -nosalt -pass pass:acp-bench -pbkdf2 \
		    < /dev/zero 2>/dev/null | head -c "$size" > "$src"
	fi
	cut=$(( $(stat -c %s "$src") * 7 / 10 / 1048576 ))
	echo "# $size file, cut short at $cut MiB; goal: acp --resume <= 1.2 x dd of the rest"
	base="dd of the rest"
	tools=("dd of the rest|dd_rest" "acp --resume|acp_resume"
	    "acp --resume=checksum|acp_compare" "rsync append|rsync_append"
	    "read kept, both|read_kept" "acp, whole again|acp_whole")
	run_table
fi
if [ "$do_tree" = 1 ]; then
	kind=tree
	src=$dir/tree-$nfiles-500
	[ -d "$src" ] || make_tree "$src" "$nfiles" 500
	copy=$out/copy
	"$acp" -a "$src" "$copy"
	echo "# $nfiles files, all copied already (-a); goal: acp -a --resume <= 0.5 x rsync -a"
	base="rsync -a"
	tools=("rsync -a|rsync_noop" "acp -a --resume|acp_noop")
	run_table
	echo "# the same, with -u: acp -au against cp -au"
	base="cp -au"
	tools=("cp -au|cp_update" "acp -au|acp_update")
	run_table
	# Nothing may have changed, and each run must have copied nothing.
	diff -r -q "$src" "$copy" > /dev/null ||
	    { echo "bench: the copy differs from the tree" >&2; exit 1; }
	n=$("$acp" -a -T --resume --stats=json "$src" "$copy" |
	    grep -o '"files":[0-9]*' | cut -d: -f2)
	[ "$n" = 0 ] || { echo "bench: acp --resume copied $n files again" >&2; exit 1; }
fi
