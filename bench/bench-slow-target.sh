#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# What a slow destination does to a fast one when a file is read once for
# both (acp --checksum -t FAST -t SLOW).  Two ext4 loop devices; writes
# to the slow one are throttled (cgroup v1 blkio, or v2 io.max) to a
# tenth of what the fast one took alone, and go past the page cache
# (--direct) so that the throttle sees them as they are made.  Prints the
# median seconds of the copy to each alone and to both, and acp's peak
# RSS against the ring's memory (queue depth x block size) + 32 MiB.
#
# usage: bench/bench-slow-target.sh [-s SIZE] [-r RUNS] [-d DIR] [-a ACP]
#   -s SIZE   the file's size (default 256M)
#   -r RUNS   runs of each case (default 3)
#   -d DIR    where the loop devices' backing files go (default bench/data)
#   -a ACP    the acp binary (default src/acp beside this script)
# Needs root (loop devices, mounts, the throttle).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
size=256M
runs=3
dir=$here/data
acp=$here/../src/acp
while getopts s:r:d:a: opt; do
	case $opt in
	s) size=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) acp=$OPTARG ;;
	*) sed -n '4,17p' "$0"; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -x "$acp" ] || { echo "bench: no acp binary at $acp (build first)" >&2; exit 1; }
acp=$(cd "$(dirname "$acp")" && pwd)/$(basename "$acp")
bytes=$(numfmt --from=iec "$size")
work=$dir/slow.$$
mkdir -p "$work/fast" "$work/slow"
loops=""
cg=""
cleanup() {
	set +e
	umount "$work/fast" "$work/slow" 2> /dev/null
	for l in $loops; do losetup -d "$l"; done
	if [ -n "$cg" ]; then
		echo $$ > "$(dirname "$cg")/cgroup.procs"
		rmdir "$cg"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Each destination: an ext4 loop device big enough for one copy.
for d in fast slow; do
	truncate -s $((bytes * 2 + (64 << 20))) "$work/$d.img"
	mkfs.ext4 -q -F "$work/$d.img"
	l=$(losetup --direct-io=on -f --show "$work/$d.img")
	loops="$loops $l"
	mount "$l" "$work/$d"
done
slowdev=$(lsblk -ndo MAJ:MIN "${loops##* }" | tr -d ' ')
src=$work/src.bin
openssl enc -aes-128-ctr -nosalt -pass pass:acp-bench -pbkdf2 \
    < /dev/zero 2> /dev/null | head -c "$bytes" > "$src"

# The throttle: a cgroup that this shell joins, so acp and its io_uring
# and worker threads are in it.
if [ -d /sys/fs/cgroup/blkio ]; then
	cg=/sys/fs/cgroup/blkio/acp-bench.$$
	mkdir "$cg"
	throttle() { echo "$slowdev $1" > "$cg/blkio.throttle.write_bps_device"; }
	echo $$ > "$cg/cgroup.procs"
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	cg=/sys/fs/cgroup/acp-bench.$$
	mkdir "$cg"
	throttle() { echo "$slowdev wbps=$1" > "$cg/io.max"; }
	echo $$ > "$cg/cgroup.procs"
else
	echo "bench: no cgroup blkio or io controller to throttle with" >&2
	exit 1
fi

n=0
# run_case TARGET-ARGS...: seconds for one copy, each to a fresh name.
one() {
	local t0 t1 args=() d
	n=$((n + 1))
	for d in "$@"; do args+=(-t "$work/$d/$n"); mkdir "$work/$d/$n"; done
	sync
	cat "$src" > /dev/null
	t0=$(now)
	"$acp" --direct --checksum "${args[@]}" "$src"
	t1=$(now)
	for d in "$@"; do
		cmp -s "$src" "$work/$d/$n/src.bin" ||
		    { echo "bench: a different copy in $d" >&2; exit 1; }
		rm -rf "${work:?}/$d/$n"
	done
	echo "$t1 - $t0" | bc -l
}
med() {
	local t="" _
	for _ in $(seq "$runs"); do t+="$(one "$@") "; done
	# shellcheck disable=SC2086
	printf '%s\n' $t | median
}

throttle 0
fast=$(med fast)
rate=$(echo "$bytes / $fast / 10" | bc)
throttle "$rate"
slow=$(med slow)
both=$(med fast slow)
kib=$(/usr/bin/time -f %M "$acp" --direct --checksum -t "$work/fast" \
    -t "$work/slow" "$src" 2>&1 > /dev/null | tail -1)
# The ring: 32 buffers of --direct's 1 MiB, and 32 MiB.
budget=64

echo "# acp, a slow destination beside a fast one: $size, --direct --checksum, $runs runs, median seconds; $(uname -r)"
printf '%-40s %8.3f\n' "fast destination alone" "$fast"
printf '%-40s %8.3f  (throttled to %s/s)\n' "slow destination alone" "$slow" \
    "$(numfmt --to=iec "$rate")"
printf '%-40s %8.3f  (%.2f x the slow one alone)\n' "both, read once" "$both" \
    "$(echo "$both / $slow" | bc -l)"
printf '%-40s %5s MiB (budget %s MiB)\n' "peak RSS, both" "$((kib / 1024))" "$budget"
