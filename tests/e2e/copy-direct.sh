#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --direct: O_DIRECT reads and writes of awkward sizes on a real ext4 (a
# loop device made here) and on tmpfs (which may refuse O_DIRECT: then
# buffered I/O and a --debug line, never an error), for every engine.
. "${top_srcdir:-.}/tests/lib.sh"

sizes="1 4095 4097 1048583 8388608"
nsizes=5
per_fs=$((nsizes * 2))
plan $((2 * per_fs * $(nengines)))

for s in $sizes; do
	mkdata "$T/src.$s" "$s" "direct-$s"
done

# mount_fs NAME: mount a scratch filesystem at $T/NAME, or say why not.
mount_fs() {
	mkdir -p "$T/$1"
	if [ "$(id -u)" != 0 ]; then
		why="needs root to mount"
		return 1
	fi
	case $1 in
	ext4)
		command -v mkfs.ext4 > /dev/null || { why="no mkfs.ext4"; return 1; }
		truncate -s 128M "$T/ext4.img"
		mkfs.ext4 -q -F "$T/ext4.img" > /dev/null 2>&1 || { why="mkfs.ext4 failed"; return 1; }
		mount -o loop "$T/ext4.img" "$T/ext4" 2> "$T/mount.err" ||
		    { why="cannot mount a loop device: $(head -1 "$T/mount.err")"; return 1; }
		;;
	tmpfs)
		mount -t tmpfs -o size=64M tmpfs "$T/tmpfs" 2> "$T/mount.err" ||
		    { why="cannot mount tmpfs: $(head -1 "$T/mount.err")"; return 1; }
		;;
	esac
	cleanup_mounts="$cleanup_mounts $T/$1"
}

for fs in ext4 tmpfs; do
	why=""
	if ! mount_fs "$fs"; then
		for _ in $(seq $((per_fs * $(nengines)))); do
			skip "$fs: $why"
		done
		continue
	fi
	for s in $sizes; do
		cp "$T/src.$s" "$T/$fs/src.$s"
	done
	for e in $engines; do
		for s in $sizes; do
			rm -f "$T/$fs/dst"
			run_acp --engine="$e" --direct --debug --block-size=64K \
			    "$T/$fs/src.$s" "$T/$fs/dst"
			[ "$rc" -eq 0 ] && cmp -s "$T/$fs/src.$s" "$T/$fs/dst"
			ok $? "$fs, $e: --direct copies $s bytes byte for byte"
			# Each side either went direct or said why not.
			{ grep -q "'$T/$fs/dst': [0-9]* writes with O_DIRECT" "$T/stderr" ||
			    grep -q "'$T/$fs/dst': O_DIRECT refused" "$T/stderr"; } &&
			    { grep -q "'$T/$fs/src.$s': [0-9]* reads with O_DIRECT" "$T/stderr" ||
			    grep -q "'$T/$fs/src.$s': O_DIRECT refused" "$T/stderr"; }
			ok $? "$fs, $e: --debug says how $s bytes were read and written"
		done
	done
	umount "$T/$fs" && cleanup_mounts=""
done
for _ in $skipped_engines; do
	for _ in $(seq $((2 * per_fs))); do skip "engine cannot start"; done
done
done_testing
