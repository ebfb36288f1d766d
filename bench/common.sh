# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2154,SC2034
# What bench-file.sh and bench-tree.sh share: timing, medians, and the
# table.  The caller sets tools (NAME|COMMAND entries), states, runs,
# base (the NAME ratios are taken against) and defines prepare STATE and
# same (did the copy come out right?).

now() { date +%s.%N; }

# A virtual machine that hands freed memory back to its host (free page
# reporting) makes the first touch of each page after that slow: a run
# that needs more new page cache than the run before it freed pays for
# the difference, whichever tool it is (measured: 0.5 to 5.7 s of system
# time for the same 2 GiB copy).  hot_memory frees 3 GiB just
# before a run, still the guest's: written to a tmpfs and removed.
hot_memory() {
	local f=/dev/shm/acp-bench.$$
	dd if=/dev/zero of="$f" bs=1M count=3072 status=none 2> /dev/null || true
	rm -f "$f"
}

# loop_fs SIZE DIR [TAG]: a new journaled ext4 of SIZE in an image in
# DIR, on a loop device with direct I/O (no second copy of its pages in
# the cache), mounted; sets loop_mnt.  TAG tells apart several made in
# one run.  An ext4 without a journal (as some machines' root is) checks
# every inode number freed in the last minutes before it reuses it, with
# the directory locked: on one, each run's removal slows the next run's
# creates.  loop_fs_done undoes them all.
loops_made=()
loop_fs() {
	local tag=${3:-}
	loop_img=$2/ext4.$$$tag.img
	truncate -s "$1" "$loop_img"
	mkfs.ext4 -q -F "$loop_img"
	loop_dev=$(losetup --direct-io=on -f --show "$loop_img")
	bdi_defaults "$loop_dev"
	loop_mnt=$2/mnt.$$$tag
	mkdir -p "$loop_mnt"
	mount "$loop_dev" "$loop_mnt"
	loops_made+=("$loop_dev|$loop_mnt|$loop_img")
}
# bdi_defaults DEV: the kernel's own writeback limits for DEV's bdi.  A
# loop device's bdi outlives its detach, so a cap that a run before set
# on that number (bench-slow-target.sh's) would hold back this one.
bdi_defaults() {
	local b
	b=/sys/class/bdi/$(lsblk -ndo MAJ:MIN "$1" | tr -d ' ')
	[ -w "$b/max_ratio" ] || return 0
	echo 0 > "$b/strict_limit"
	echo 100 > "$b/max_ratio"
}
loop_fs_done() {
	local l dev mnt img
	for l in "${loops_made[@]}"; do
		IFS='|' read -r dev mnt img <<< "$l"
		umount "$mnt" && rmdir "$mnt"
		losetup -d "$dev"
		rm -f "$img"
	done
	loops_made=()
}

# on_disk NAME: S is NAME as the runs read it: in $data, where it was
# made, or its copy on the scratch file system ($dir) when that differs.
on_disk() {
	if [ "$data" != "$dir" ] && [ ! -e "$dir/$1" ]; then
		cp -a "$data/$1" "$dir/$1"
	fi
	S=$dir/$1
}

# fresh_memory: how fast new pages come, in GiB/s: 512 MiB written to a
# tmpfs file that was not there, then removed.  Where the host takes
# freed memory back, this falls from several GiB/s to a fraction of one
# for minutes at a time, and every copy's time with it (writing the
# copy's page cache is such a first touch): a table is comparable with
# another taken at a like rate.
fresh_memory() {
	local f=/dev/shm/acp-fresh.$$ t0 t1
	t0=$(now)
	if ! dd if=/dev/zero of="$f" bs=1M count=512 status=none 2> /dev/null; then
		rm -f "$f"
		echo "?"
		return
	fi
	t1=$(now)
	rm -f "$f"
	printf '%.2f\n' "$(echo "0.5 / ($t1 - $t0)" | bc -l)"
}

# memory_line WHEN: a comment line with three fresh_memory() tries.
memory_line() {
	echo "# new pages $1: $(fresh_memory) $(fresh_memory) $(fresh_memory) GiB/s (512 MiB to a tmpfs, 3 tries; under 1: the host is faulting them in)"
}

median() {
	sort -g | awk '{a[NR]=$1} END {
	    if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}

# The median of milliseconds, in seconds.
median_s() { median | awk '{ print $1 / 1000 }'; }

# cpu_ms VAR FILE: the user and system milliseconds of this shell's
# children so far (those it has waited for, and theirs) into VAR, from
# the times builtin through FILE, with no process of its own (which
# would count).
cpu_ms() {
	local _ t m sec all=0
	times > "$2"
	{ read -r _ _; read -r -a t; } < "$2"
	for m in "${t[@]}"; do		# 0m1.234s
		sec=${m#*m}
		sec=${sec%s}
		all=$((all + 10#${m%%m*} * 60000 + 10#${sec%.*} * 1000 +
		    10#${sec#*.}))
	done
	printf -v "$1" '%d' "$all"
}

# time_one NAME STATE CMD...: "SECONDS,CPU_MS" for one run, after
# checking it: the wall time, and the CPU time (user and system) of the
# processes the run waited for, io_uring's workers with acp's.  It runs
# in a command substitution, so its children are the run's alone;
# cpu_ms's file is run_table()'s $cpu_file.
time_one() {
	local name=$1 state=$2 t0 t1 c0 c1
	shift 2
	prepare "$state"
	t0=$(now)
	cpu_ms c0 "$cpu_file"
	"$@" > /dev/null
	cpu_ms c1 "$cpu_file"
	t1=$(now)
	if ! same; then
		echo "bench: $name produced a different copy" >&2
		exit 1
	fi
	echo "$(echo "$t1 - $t0" | bc -l),$((c1 - c0))"
}

# Runs are interleaved (each run times every tool once) so that a slow
# moment of a shared machine falls on all tools alike.  Prints the table:
# median, ratio of medians to $base, fastest run, and the median CPU
# time (kept in cpu[], as med[] is): where it nears the cores times the
# median, the run kept every core busy.
run_table() {
	local state t name cmd m c k r n=${#tools[@]}
	# med and cpu stay set after the table, for a caller's own ratios.
	declare -A times low cpus
	declare -gA med=() cpu=()
	local cpu_file
	cpu_file=$(mktemp)
	for state in $states; do
		# Each run starts one tool further on, so that no tool always
		# runs just after the same other one (here, a run after
		# another's removal of a big file pays for the memory the
		# host took back).
		for r in $(seq 0 $((runs - 1))); do
			for k in $(seq 0 $((n - 1))); do
				t=${tools[$(((k + r) % n))]}
				name=${t%%|*}
				cmd=${t#*|}
				# shellcheck disable=SC2086
				m=$(time_one "$name" "$state" $cmd)
				times["$name/$state"]+="${m%,*} "
				cpus["$name/$state"]+="${m#*,} "
			done
		done
		for t in "${tools[@]}"; do
			name=${t%%|*}
			# shellcheck disable=SC2086
			med["$name/$state"]=$(printf '%s\n' ${times["$name/$state"]} | median)
			# shellcheck disable=SC2086
			low["$name/$state"]=$(printf '%s\n' ${times["$name/$state"]} | sort -g | head -1)
			# shellcheck disable=SC2086
			cpu["$name/$state"]=$(printf '%s\n' ${cpus["$name/$state"]} | median_s)
		done
	done
	rm -f "$cpu_file"

	printf '%-22s' tool
	for state in $states; do
		printf '%10s %8s %8s %6s' "$state med" "vs $base" "min" "cpu"
	done
	printf '\n'
	for t in "${tools[@]}"; do
		name=${t%%|*}
		printf '%-22s' "$name"
		for state in $states; do
			m=${med["$name/$state"]}
			c=${med["$base/$state"]:-}
			if [ -n "$c" ]; then
				printf '%10.3f %7.2fx %8.3f' "$m" \
				    "$(echo "$m / $c" | bc -l)" "${low["$name/$state"]}"
			else
				printf '%10.3f %8s %8.3f' "$m" "-" "${low["$name/$state"]}"
			fi
			printf ' %6.2f' "${cpu["$name/$state"]}"
		done
		printf '\n'
	done
	if [ -n "${BENCH_RAW:-}" ]; then
		for t in "${!times[@]}"; do
			echo "# raw $t: ${times[$t]}(CPU ms: ${cpus[$t]})"
		done
	fi
}

# make_tree DIR FILES DIRS: FILES seeded files of 4 KiB to 64 KiB spread
# over DIRS directories.
make_tree() {
	echo "bench: making $2 files in $3 directories in $1" >&2
	python3 - "$1" "$2" "$3" <<'PY'
import os, random, sys
root, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261125)
blob = rng.randbytes(1 << 20)
for i in range(d):
    os.makedirs(os.path.join(root, "d%03d" % i), exist_ok=True)
for i in range(n):
    size = rng.randint(4096, 65536)
    off = rng.randint(0, len(blob) - size)
    with open(os.path.join(root, "d%03d" % (i % d), "f%06d" % i), "wb") as f:
        f.write(i.to_bytes(8, "little") + blob[off:off + size - 8])
PY
}

# make_mixed DIR ENTRIES DIRS: a tree as a home directory has it: sizes 0
# to 1 MiB, one entry in 20 a symlink, one in 25 a hard link.
make_mixed() {
	echo "bench: making a mixed tree of $2 entries in $1" >&2
	python3 - "$1" "$2" "$3" <<'PY'
import os, random, sys
root, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261201)
blob = rng.randbytes(2 << 20)
files, here = [], {}
for i in range(d):
    os.makedirs(os.path.join(root, "d%03d" % i), exist_ok=True)
for i in range(n):
    sub = "d%03d" % (i % d)
    path = os.path.join(root, sub, "e%06d" % i)
    if i % 20 == 19 and here.get(sub):
        # Relative, to a file beside it.
        os.symlink(os.path.basename(rng.choice(here[sub])), path)
        continue
    if i % 25 == 24 and files:
        os.link(rng.choice(files), path)
        continue
    # Mostly small, a few up to 1 MiB, as in a home directory.
    size = min(1 << 20, int(rng.expovariate(1 / 40000)))
    off = rng.randint(0, len(blob) - size)
    with open(path, "wb") as f:
        f.write(blob[off:off + size])
    files.append(path)
    here.setdefault(sub, []).append(path)
PY
}
