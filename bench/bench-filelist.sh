#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# An incremental copy by a list: a tenth of the small-file tree changed
# since a stamp, find names them, and each tool copies what find named
# into a fresh directory, rebuilding the directories on the way and
# keeping modes and times:
#
#   find . -newer STAMP -print0 | acp --files0-from=- --parents -p -t DST
#   find . -newer STAMP -print0 | cpio -0pdm DST
#   find . -newer STAMP -print0 | rsync -a --from0 --files-from=- . DST
#   find . -newer STAMP -print0 | xargs -0 cp --parents -p -t DST
#
# The tree's data is left as it is; one file in ten has its time set
# after the stamp.  Warm cache, runs interleaved, medians.
#
# usage: bench/bench-filelist.sh [-n FILES] [-r RUNS] [-d DIR] [-a ACP]
#   -n FILES  files in the small-file tree (default 50000, in 500 dirs)
#   -r RUNS   runs of each tool (default 5)
#   -d DIR    scratch directory on the disk to measure (default bench/data)
#   -a ACP    the acp binary (default src/acp beside this script)
# BENCH_RAW=1 also prints every run's time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
nfiles=50000
runs=5
dir=$here/data
acp=$here/../src/acp
while getopts n:r:d:a: opt; do
	case $opt in
	n) nfiles=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) acp=$OPTARG ;;
	*) sed -n '4,23p' "$0"; exit 2 ;;
	esac
done
[ -x "$acp" ] || { echo "bench: no acp binary at $acp (build first)" >&2; exit 1; }
for tool in rsync cpio; do
	command -v "$tool" > /dev/null ||
	    { echo "bench: $tool is not installed" >&2; exit 1; }
done
acp=$(cd "$(dirname "$acp")" && pwd)/$(basename "$acp")
mkdir -p "$dir"
out=$dir/filelist.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

src=$dir/tree-$nfiles-500
[ -d "$src" ] || make_tree "$src" "$nfiles" 500
stamp=$out/stamp
touch -d '1 hour ago' "$stamp"
# One file in ten changed since the stamp (its time only).
(cd "$src" && find . -type f -name 'f*0' -print0 | xargs -0 touch)
want=$(cd "$src" && find . -newer "$stamp" -type f | wc -l)

prepare() {
	D=$out/dst.$(date +%s%N)
	mkdir "$D"
	hot_memory
}
same() {
	local ok=0 f
	[ "$(find "$D" -type f | wc -l)" -eq "$want" ] || ok=1
	for f in d000/f000000 d499/f049990; do
		[ -e "$src/$f" ] || continue
		cmp -s "$src/$f" "$D/$f" || ok=1
		[ "$(stat -c %Y "$src/$f")" = "$(stat -c %Y "$D/$f")" ] || ok=1
	done
	rm -rf "$D"
	return $ok
}

changed() { find . -newer "$stamp" -print0; }
by_acp() { changed | "$acp" --files0-from=- --parents -p -t "$D"; }
by_cpio() { changed | cpio -0pdm --quiet "$D"; }
by_rsync() { changed | rsync -a --from0 --files-from=- . "$D/"; }
by_cp() { changed | xargs -0 -r cp --parents -p -t "$D"; }

cd "$src"
states=warm
echo "# find -newer | copy by list: $want of $nfiles files changed; $runs interleaved runs, warm, median seconds; $(uname -r); $(findmnt -no FSTYPE -T "$dir"); $(nproc) cores"
base="cpio -pdm"
tools=("cpio -pdm|by_cpio" "acp --files0-from|by_acp"
    "rsync --files-from|by_rsync" "xargs cp --parents|by_cp")
run_table
