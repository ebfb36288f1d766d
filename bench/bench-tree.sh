#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Copy a seeded tree of many small files with acp and its peers, warm and
# cold cache, and print the median and fastest time of each and its ratio
# to cp -r.
#
# usage: bench/bench-tree.sh [-n FILES] [-D DIRS] [-r RUNS] [-d DIR] [-a ACP] [-F] [-m]
#   -n FILES  files in the tree (default 50000), 4 KiB to 64 KiB each
#   -D DIRS   directories they are spread over (default 500)
#   -r RUNS   runs per tool and cache state (default 3)
#   -d DIR    scratch directory on the disk to measure (default bench/data)
#   -a ACP    the acp binary (default src/acp beside this script)
#   -F        also the cost of safety: acp --atomic --fsync, cp -r then sync
#   -m        a mixed tree instead (sizes 0 to 1 MiB, one entry in 20 a
#             symlink, one in 25 a hard link), copied with -a: acp -a,
#             cp -a, rsync -aH
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
nfiles=50000
ndirs=500
runs=3
dir=$here/data
acp=$here/../src/acp
safety=0
mixed=0
while getopts n:D:r:d:a:Fm opt; do
	case $opt in
	n) nfiles=$OPTARG ;;
	D) ndirs=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) acp=$OPTARG ;;
	F) safety=1 ;;
	m) mixed=1 ;;
	*) sed -n '4,19p' "$0"; exit 2 ;;
	esac
done
[ -x "$acp" ] || { echo "bench: no acp binary at $acp" >&2; exit 1; }
command -v python3 > /dev/null || { echo "bench: needs python3 to make the tree" >&2; exit 1; }

mkdir -p "$dir"
src=$dir/tree-$nfiles-$ndirs
[ "$mixed" = 1 ] && src=$dir/mixed-$nfiles-$ndirs
dst=$dir/tree-dst
trap 'rm -rf "$dst"' EXIT

if [ ! -d "$src" ]; then
	if [ "$mixed" = 1 ]; then
		make_mixed "$src" "$nfiles" "$ndirs"
	else
		make_tree "$src" "$nfiles" "$ndirs"
	fi
fi

can_drop=0
[ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ] && can_drop=1

# Warm: the source's data and inodes in the page cache.  Caches are
# dropped first in both states: the last run's metadata left in the
# block device's cache makes every ext4 create slower (perf: ext4_create
# -> recently_deleted -> find_get_block_common), and more so with every
# run, whatever tool ran.  tar writes into a pipe, not /dev/null: GNU tar
# skips reading the files when its archive is /dev/null.
prepare() {
	rm -rf "$dst"
	sync
	[ "$can_drop" = 1 ] && echo 3 > /proc/sys/vm/drop_caches
	if [ "$1" = warm ]; then
		tar -C "$src" -cf - . | cat > /dev/null
	fi
}

# Same content; for the mixed tree also the same types, symlink targets,
# link counts (hard-link groups) and modification times.
shape() { (cd "$1" && find . -printf '%p %y %n %l %T@\n' | sort); }
same() {
	diff -r -q "$src" "$dst" > /dev/null || return 1
	[ "$mixed" = 1 ] || return 0
	[ "$(shape "$src")" = "$(shape "$dst")" ]
}

tar_pipe() { mkdir -p "$2" && tar -C "$1" -cf - . | tar -C "$2" -xf -; }
cp_sync() { cp -r "$1" "$2" && sync; }

if [ "$mixed" = 1 ]; then
	tools=("cp -a|cp -a $src $dst" "acp -a|$acp -a $src $dst")
	command -v rsync > /dev/null && tools+=("rsync -aH|rsync -aH $src/ $dst/")
else
	tools=("cp -r|cp -r $src $dst" "acp -r|$acp -r $src $dst")
	command -v rsync > /dev/null && tools+=("rsync -a|rsync -a $src/ $dst/")
	tools+=("tar pipe|tar_pipe $src $dst")
fi
if [ "$safety" = 1 ]; then
	tools+=("cp -r+sync|cp_sync $src $dst")
	tools+=("acp atomic+fsync|$acp -r --atomic --fsync $src $dst")
fi

states="warm"
[ "$can_drop" = 1 ] && states="warm cold"

echo "# acp tree bench: $nfiles $([ "$mixed" = 1 ] && echo mixed entries || echo files) in $ndirs dirs, $runs runs each, seconds; $(uname -r); $(findmnt -no FSTYPE -T "$dir")"
base="cp -r"
[ "$mixed" = 1 ] && base="cp -a"
run_table
