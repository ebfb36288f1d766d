#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Copy one big seeded file with acp (each engine) and its peers, warm and
# cold cache, several runs each, and print the median time of each and its
# ratio to cp.  Speed lives here, never in the tests.
#
# usage: bench/bench-file.sh [-s SIZE] [-r RUNS] [-d DIR] [-a ACP] [-e ENGINES]
#   -s SIZE     file size for head -c (default 1G)
#   -r RUNS     runs per tool and cache state (default 5)
#   -d DIR      scratch directory on the disk to measure (default bench/data)
#   -a ACP      the acp binary (default src/acp beside this script)
#   -e ENGINES  space-separated acp engines (default "auto uring aio sync")
#   -x ARGS     extra acp arguments, e.g. "--queue-depth=32 --block-size=256K"
#   -o          only acp (skip the peers), for tuning sweeps
#   -D          also time each engine with --direct, and dd with
#               iflag=direct oflag=direct
#   -C          checksums: acp --checksum=xxh128 and =sha256 against cp
#               followed by xxhsum -H2 and by sha256sum
#   -F          the cost of safety: acp --atomic --fsync against cp
#               followed by sync
#   -P          the cost of --progress: acp with and without it (stderr
#               to a file, so it prints a line every five seconds)
# Cold runs drop the page cache (needs root); without root they are skipped.
# Prints the median and the fastest run of each; ratios are of medians.
# BENCH_RAW=1 also prints every timing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
size=1G
runs=5
dir=$here/data
acp=$here/../src/acp
engines="auto uring aio sync"
extra=""
only_acp=0
with_direct=0
with_sums=0
with_safety=0
with_progress=0
while getopts s:r:d:a:e:x:oDCFP opt; do
	case $opt in
	s) size=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) acp=$OPTARG ;;
	e) engines=$OPTARG ;;
	x) extra=$OPTARG ;;
	o) only_acp=1 ;;
	D) with_direct=1 ;;
	C) with_sums=1 ;;
	F) with_safety=1 ;;
	P) with_progress=1 ;;
	*) sed -n '4,28p' "$0"; exit 2 ;;
	esac
done
[ -x "$acp" ] || { echo "bench: no acp binary at $acp (build first)" >&2; exit 1; }

mkdir -p "$dir"
src=$dir/src.bin
dst=$dir/dst.bin
trap 'rm -f "$dst"' EXIT

# Seeded, incompressible data: AES-CTR keystream of a fixed key.
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$(numfmt --from=iec "$size")" ]; then
	echo "bench: making $size of seeded data in $src" >&2
	openssl enc -aes-128-ctr -nosalt -pass pass:acp-bench -pbkdf2 \
	    < /dev/zero 2>/dev/null | head -c "$size" > "$src"
fi

can_drop=0
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
	can_drop=1
fi

prepare() {	# $1: warm|cold
	rm -f "$dst"
	sync
	if [ "$1" = cold ]; then
		echo 3 > /proc/sys/vm/drop_caches
	else
		cat "$src" > /dev/null
	fi
}

same() { cmp -s "$src" "$dst"; }

cp_xxh() { cp "$1" "$2" && xxhsum -q -H2 "$2"; }
cp_sha() { cp "$1" "$2" && sha256sum "$2"; }
cp_sync() { cp "$1" "$2" && sync; }
# shellcheck disable=SC2086
acp_progress() { "$acp" --progress $extra "$1" "$2" 2>> "$dir/progress.log"; }

tools=()
if [ "$only_acp" = 0 ]; then
	tools+=("cp|cp $src $dst")
	tools+=("dd bs=1M|dd if=$src of=$dst bs=1M status=none")
	[ "$with_direct" = 1 ] &&
	    tools+=("dd direct|dd if=$src of=$dst bs=1M iflag=direct oflag=direct status=none")
	command -v rsync > /dev/null && tools+=("rsync|rsync $src $dst")
fi
# acp's answer to "cp, then xxhsum": the hash computed while copying.
if [ "$with_sums" = 1 ]; then
	command -v xxhsum > /dev/null && tools+=("cp+xxhsum|cp_xxh $src $dst")
	tools+=("acp xxh128|$acp --checksum=xxh128 --manifest=/dev/null $extra $src $dst")
	tools+=("cp+sha256sum|cp_sha $src $dst")
	tools+=("acp sha256|$acp --checksum=sha256 --manifest=/dev/null $extra $src $dst")
fi
if [ "$with_progress" = 1 ]; then
	tools+=("acp|$acp $extra $src $dst")
	tools+=("acp --progress|acp_progress $src $dst")
fi
if [ "$with_safety" = 1 ]; then
	tools+=("cp+sync|cp_sync $src $dst")
	tools+=("acp atomic+fsync|$acp --atomic --fsync $extra $src $dst")
fi
for e in $engines; do
	tools+=("acp $e|$acp --engine=$e $extra $src $dst")
	[ "$with_direct" = 1 ] && [ "$e" != auto ] &&
	    tools+=("acp $e direct|$acp --engine=$e --direct $extra $src $dst")
done

states="warm"
[ "$can_drop" = 1 ] && states="warm cold"
[ "$can_drop" = 1 ] || echo "bench: not root: cold-cache runs skipped" >&2

echo "# acp bench: $size file, $runs runs each, median seconds; $(uname -r); $(findmnt -no FSTYPE -T "$dir")"
[ -n "$extra" ] && echo "# acp arguments: $extra"
base="cp"
run_table
