#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Two destinations at once: a big file and a tree of small files copied
# to two directories by acp (-t A -t B), against acp's one copy (the
# goal: one copy plus at most 25%), cp run twice, and tee (for the tree,
# tar into tee into two tar extracts).  A limit row: two cp at once, one
# to each destination, each on its own core (what writing the data twice
# costs this machine, with the source read twice).  Warm cache, runs
# interleaved, fresh destination names each run, each copy checked,
# medians.  With a hash, a second limit row: two cp and an xxhsum of the
# source at once.  Each table ends with CPU floors: a row's CPU time over
# the cores, the least time its work can take on this machine, as a
# ratio to the one copy the goal names (a floor above 1.25x puts the
# goal out of that work's reach here).
#
# usage: bench/bench-targets.sh [-s SIZE] [-n FILES] [-r RUNS] [-d DIR] [-l SIZE | -x SIZE] [-a ACP] [-f] [-t]
#   -s SIZE   the big file's size (default 1G)
#   -n FILES  files in the small-file tree (default 50000, in 500 dirs)
#   -r RUNS   runs of each tool (default 5)
#   -d DIR    scratch directory on the disk to measure (default bench/data)
#   -l SIZE   measure on a new journaled ext4 of SIZE in DIR, on a loop
#             device, removed at the end (root only; see loop_fs)
#   -x SIZE   each destination on an ext4 of its own of SIZE (as two
#             backup disks), the source left in DIR: copy_file_range
#             cannot go from one filesystem to another (root only)
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
loop=
xloop=
while getopts s:n:r:d:l:x:a:ft opt; do
	case $opt in
	s) size=$OPTARG ;;
	n) nfiles=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	l) loop=$OPTARG ;;
	x) xloop=$OPTARG ;;
	a) acp=$OPTARG ;;
	f) do_tree=0 ;;
	t) do_file=0 ;;
	*) sed -n '4,30p' "$0"; exit 2 ;;
	esac
done
[ -x "$acp" ] || { echo "bench: no acp binary at $acp (build first)" >&2; exit 1; }
acp=$(cd "$(dirname "$acp")" && pwd)/$(basename "$acp")
mkdir -p "$dir"
data=$dir
if [ -n "$loop" ] && [ -n "$xloop" ]; then
	echo "bench: -l or -x, not both" >&2
	exit 2
fi
if [ -n "$loop" ]; then
	loop_fs "$loop" "$dir"
	dir=$loop_mnt
fi
# A's parent and B's.
out=$dir/targets.$$
outb=$out
where=$(findmnt -no FSTYPE -T "$dir")
if [ -n "$xloop" ]; then
	loop_fs "$xloop" "$dir" a
	out=$loop_mnt/targets.$$
	loop_fs "$xloop" "$dir" b
	outb=$loop_mnt/targets.$$
	where="$where, each destination on an ext4 of its own"
fi
mkdir -p "$out" "$outb"
trap 'rm -rf "$out" "$outb"; loop_fs_done' EXIT
can_drop=0
[ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ] && can_drop=1

# Each run gets destinations A and B under a name not used before; the
# check compares what a run made with the source, then removes it.
prepare() {
	n=$(date +%s%N)
	A=$out/a.$n
	B=$outb/b.$n
	mkdir "$A" "$B"
	if [ "$kind" = tree ]; then
		# Last run's deleted inodes in the block cache slow ext4's
		# creates: drop them, then read the tree back in.
		sync
		[ "$can_drop" = 1 ] && echo 3 > /proc/sys/vm/drop_caches
		tar -C "$src" -cf - . | cat > /dev/null
	else
		cat "$src" > /dev/null
	fi
	hot_memory
}
same() {
	local ok=0 d
	for d in "$A" "$B"; do
		[ "$d" = "$B" ] && [ "$ndst" = 1 ] && break
		if [ "$kind" = tree ]; then
			diff -r -q "$src" "$d/$(basename "$src")" > /dev/null || ok=1
		else
			cmp -s "$src" "$d/$(basename "$src")" || ok=1
		fi
	done
	rm -rf "$A" "$B"
	return $ok
}

# The tools, each run with $A and $B fresh (ndst: how many it fills).
acp_one() { ndst=1; "$acp" -r "$src" "$A"; }
acp_two() { ndst=2; "$acp" -r -t "$A" -t "$B" "$src"; }
# With a hash the source is read once for both (a tee of the ring).
acp_one_sum() { ndst=1; "$acp" -r --checksum "$src" "$A"; }
acp_two_sum() { ndst=2; "$acp" -r --checksum -t "$A" -t "$B" "$src"; }
cp_twice() { ndst=2; cp -r "$src" "$A" && cp -r "$src" "$B"; }
cp_both() {
	local st=0
	ndst=2
	cp -r "$src" "$A" & cp -r "$src" "$B" || st=1
	wait $! || st=1
	return $st
}
# What a hashed copy to two destinations asks of this machine, done by
# three processes side by side: each destination written by its own cp,
# and the source read and hashed by xxhsum.  acp does the same work (its
# writes run on one io-wq worker for each destination, its reads and
# hash on its own thread); with three streams of work on two cores, this
# is the hashed row's reach here.
cp_both_sum() {
	local st=0 p
	if [ "$kind" = tree ]; then
		find "$src" -type f -print0 | xargs -0 xxhsum -q -H2 > /dev/null &
	else
		xxhsum -q -H2 "$src" > /dev/null &
	fi
	p=$!
	cp_both || st=1
	wait $p || st=1
	return $st
}
tee_file() {
	local name
	ndst=2
	name=$(basename "$src")
	tee "$A/$name" < "$src" > "$B/$name"
}
tee_tree() {
	ndst=2
	rm -f "$out/tee.done"
	tar -C "$(dirname "$src")" -cf - "$(basename "$src")" |
	    tee >(tar -C "$A" -xf - && : > "$out/tee.done") |
	    tar -C "$B" -xf -
	# The extract behind the process substitution ends on its own.
	while [ ! -e "$out/tee.done" ]; do
		sleep 0.01
	done
}

# The hashed rows against acp's one hashed copy, which their goal names.
sum_limit=()
if command -v xxhsum > /dev/null; then
	sum_limit=("limit: 2 cp + xxhsum|cp_both_sum")
else
	echo "bench: no xxhsum (package xxhash): the hashed limit row is left out" >&2
fi
hashed_ratios() {
	local one=${med["acp xxh128, one/warm"]} limit=
	[ ${#sum_limit[@]} = 0 ] || limit=$(printf '; limit: 2 cp + xxhsum %.2fx' \
	    "$(echo "${med["limit: 2 cp + xxhsum/warm"]} / $one" | bc -l)")
	printf '# with a hash, of acp xxh128, one: two %.2fx (goal <= 1.25x)%s\n' \
	    "$(echo "${med["acp xxh128, two/warm"]} / $one" | bc -l)" "$limit"
}

# floors BASE ROW...: each row's CPU time over the cores, against BASE's
# median time.
floors() {
	local base=$1 row sep="" cores
	shift
	cores=$(nproc)
	printf '# CPU floors on %d cores, of %s:' "$cores" "$base"
	for row in "$@"; do
		[ -n "${cpu["$row/warm"]:-}" ] || continue
		printf '%s %s %.2fx' "$sep" "$row" "$(echo \
		    "${cpu["$row/warm"]} / $cores / ${med["$base/warm"]}" | bc -l)"
		sep=";"
	done
	printf '\n'
}
tables_end() {
	floors "acp, one copy" "acp, two" "limit: two cp at once"
	floors "acp xxh128, one" "acp xxh128, two" "limit: 2 cp + xxhsum"
	hashed_ratios
}

states=warm
base="acp, one copy"
echo "# acp two destinations: $runs interleaved runs, warm, median seconds; $(uname -r); $where; $(nproc) cores"
echo "# goal: acp to two destinations <= 1.25 x acp's one copy (with a hash: of acp's one hashed copy)"
memory_line before

if [ "$do_file" = 1 ]; then
	kind="file"
	src=$data/src.bin
	if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$(numfmt --from=iec "$size")" ]; then
		echo "bench: making $size of seeded data in $src" >&2
		openssl enc -aes-128-ctr -nosalt -pass pass:acp-bench -pbkdf2 \
		    < /dev/zero 2>/dev/null | head -c "$size" > "$src"
	fi
	on_disk src.bin
	src=$S
	echo "# $size file"
	tools=("acp, one copy|acp_one" "acp, two|acp_two" "cp twice|cp_twice"
	    "limit: two cp at once|cp_both" "tee|tee_file"
	    "acp xxh128, one|acp_one_sum" "acp xxh128, two|acp_two_sum"
	    "${sum_limit[@]}")
	run_table
	tables_end
fi
if [ "$do_tree" = 1 ]; then
	kind=tree
	[ -d "$data/tree-$nfiles-500" ] ||
	    make_tree "$data/tree-$nfiles-500" "$nfiles" 500
	on_disk "tree-$nfiles-500"
	src=$S
	echo "# $nfiles files"
	tools=("acp, one copy|acp_one" "acp, two|acp_two" "cp twice|cp_twice"
	    "limit: two cp at once|cp_both" "tee (tar)|tee_tree"
	    "acp xxh128, one|acp_one_sum" "acp xxh128, two|acp_two_sum"
	    "${sum_limit[@]}")
	run_table
	tables_end
fi
memory_line after
