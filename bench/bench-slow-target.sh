#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# What a slow destination does to a fast one (acp -t FAST -t SLOW).  Two
# ext4 loop devices; writes to the slow one are throttled (cgroup v1
# blkio, or v2 io.max) to a tenth of what the copy to the fast one alone
# took, and the slow device may hold little dirty data (its bdi's
# strict_limit and max_bytes), so that a buffered writer waits at the
# throttle's pace as it would on a slow disk.  Three ways to copy:
#   --direct --checksum  past the page cache, read once and hashed once
#                        for both (the ring's buffers go to each);
#   --checksum           the same through the page cache;
#   plain                no hash: copy_file_range where the source's
#                        filesystem is the destination's; here it is
#                        neither's, so (a file of 8 MiB or more) read
#                        once for both through the ring, as with a hash.
#                        (A smaller file's copy to each destination goes
#                        on its own, with its share of the ring.)
# For each: the median seconds of the copy to each alone and to both,
# and when the fast destination's copy was whole (its size reached, seen
# every 5 ms); and acp's peak RSS to both against the ring's memory
# (queue depth x block size) + 32 MiB.
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
	*) sed -n '4,28p' "$0"; exit 2 ;;
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
root_throttle=""
cleanup() {
	set +e
	[ -z "$root_throttle" ] || echo "$slowdev 0" > "$root_throttle"
	umount "$work/fast" "$work/slow" 2> /dev/null
	# The bdi outlives the loop device's detach: the next loop device of
	# that number would inherit the cap (it did, 2026-12-05).
	for l in $loops; do bdi_defaults "$l"; losetup -d "$l"; done
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
	bdi_defaults "$l"
	loops="$loops $l"
	mount "$l" "$work/$d"
done
slowdev=$(lsblk -ndo MAJ:MIN "${loops##* }" | tr -d ' ')
src=$work/src.bin
openssl enc -aes-128-ctr -nosalt -pass pass:acp-bench -pbkdf2 \
    < /dev/zero 2> /dev/null | head -c "$bytes" > "$src"

# A slow disk makes its writer wait once it holds a little dirty data;
# a loop device, as any, would take gigabytes first.  Not on kernels
# before 6.2 (no max_bytes): there the buffered rows say what the page
# cache hid.
bdi=/sys/class/bdi/$slowdev
echo 1 > "$bdi/strict_limit" 2> /dev/null || true
echo $((16 << 20)) > "$bdi/max_bytes" 2> /dev/null || true

# The throttle.  cgroup v1 charges the page cache's writeback to the root
# group, so the limit is set there, for the slow device only; v2 charges
# it to the group that dirtied the pages: a group this shell joins, with
# the io and memory controllers on.
if [ -d /sys/fs/cgroup/blkio ]; then
	root_throttle=/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device
	throttle() { echo "$slowdev $1" > "$root_throttle"; }
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	echo "+io +memory" > /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null || true
	cg=/sys/fs/cgroup/acp-bench.$$
	mkdir "$cg"
	throttle() {
		if [ "$1" = 0 ]; then
			echo "$slowdev wbps=max" > "$cg/io.max"
		else
			echo "$slowdev wbps=$1" > "$cg/io.max"
		fi
	}
	echo $$ > "$cg/cgroup.procs"
else
	echo "bench: no cgroup blkio or io controller to throttle with" >&2
	exit 1
fi

# timed FILE CMD...: CMD's seconds, and when FILE first had the source's
# size (the whole copy there), seen every 5 ms; the same watch in every
# run, so that its cost falls on each alike.
timed() {
	python3 - "$bytes" "$@" <<'PY'
import os, subprocess, sys, time
size, watch, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
whole = None
while p.poll() is None:
    if whole is None:
        try:
            if os.stat(watch).st_size == size:
                whole = time.monotonic() - t0
        except FileNotFoundError:
            pass
    time.sleep(0.005)
t1 = time.monotonic() - t0
if p.returncode != 0:
    sys.exit("bench: %s exited %d" % (cmd[0], p.returncode))
print("%.6f %.6f" % (t1, whole if whole is not None else t1))
PY
}

n=0
# one DESTINATIONS...: "seconds whole-at" of one copy ($opts), each to a
# fresh name; whole-at of the first destination named.
one() {
	local args=() d r
	n=$((n + 1))
	for d in "$@"; do args+=(-t "$work/$d/$n"); mkdir "$work/$d/$n"; done
	sync
	cat "$src" > /dev/null
	# shellcheck disable=SC2086
	r=$(timed "$work/$1/$n/src.bin" "$acp" $opts "${args[@]}" "$src")
	# Every destination's writes on their disk before the next run.
	sync
	for d in "$@"; do
		cmp -s "$src" "$work/$d/$n/src.bin" ||
		    { echo "bench: a different copy in $d" >&2; exit 1; }
		rm -rf "${work:?}/$d/$n"
	done
	echo "$r"
}
# med DESTINATIONS...: the medians of both figures over $runs runs in a
# row (not interleaved with the other cases: the throttle differs).
med() {
	local t="" w="" r _
	for _ in $(seq "$runs"); do
		r=$(one "$@")
		t+="${r% *} "
		w+="${r#* } "
	done
	# shellcheck disable=SC2086
	echo "$(printf '%s\n' $t | median) $(printf '%s\n' $w | median)"
}

echo "# acp, a slow destination beside a fast one: $size, $runs runs each, median seconds; $(uname -r)"
echo "# the slow one throttled to a tenth of the fast one's rate alone, in each way of copying"
printf '%-34s %8s %8s %9s %8s %8s %s\n' "" "fast" "slow" "both" \
    "fast" "both" "peak"
printf '%-34s %8s %8s %9s %8s %8s %s\n' "acp, to" "alone" "alone" \
    "(total)" "whole at" "/ slow" "RSS"
for way in "--direct --checksum" "--checksum" "plain"; do
	opts=$way
	[ "$way" != plain ] || opts=
	throttle 0
	fast=$(med fast)
	fast=${fast% *}
	rate=$(echo "$bytes / $fast / 10" | bc)
	throttle "$rate"
	slow=$(med slow)
	slow=${slow% *}
	if [ "$(echo "$slow < $fast * 5" | bc)" = 1 ]; then
		echo "bench: the throttle did not hold ($way: slow alone $slow s, fast $fast s)" >&2
		exit 1
	fi
	both=$(med fast slow)
	# shellcheck disable=SC2086
	kib=$(/usr/bin/time -f %M "$acp" $opts -t "$work/fast" \
	    -t "$work/slow" "$src" 2>&1 > /dev/null | tail -1)
	rm -f "$work/fast/src.bin" "$work/slow/src.bin"
	sync
	printf '%-34s %8.3f %8.3f %9.3f %8.3f %7.2fx %s MiB\n' \
	    "$way ($(numfmt --to=iec "$rate")/s)" "$fast" "$slow" "${both% *}" \
	    "${both#* }" "$(echo "${both% *} / $slow" | bc -l)" $((kib / 1024))
done
# The ring: 32 buffers of up to 1 MiB, and 32 MiB.
echo "# peak RSS budget: 64 MiB (queue depth x block size + 32 MiB)"
