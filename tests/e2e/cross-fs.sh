#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A big plain copy to another file system, where copy_file_range cannot
# reach (tmpfs and FUSE copy only within themselves): a source all in
# the page cache goes by splice through a pipe, 16 MiB a round, and one
# that is not goes through the ring; both give the same bytes, and
# --debug says which ran and why.  While splicing, a full destination
# and one that fails its writes (faultfs) give exit 1 with the file and
# the reason named, and leave no partial copy; a signal while a write is
# held at faultfs's barrier stops the copy (exit 143), the partial copy
# removed.  The order is forced by the barrier, not by time.  Splices
# are made only with no engine named: a named engine moves every byte
# itself (copy-paths.sh), and its full disk is atomic.sh's.
. "${top_srcdir:-.}/tests/lib.sh"

plan 12
cd "$T" || exit 1

size=$((40 * 1024 * 1024 + 7))
mkdata big "$size" cross-fs
mount_tmpfs other 64M || skip_all "cannot mount a tmpfs (root only)"

# spliced DST: --debug says big went to DST by splice, in 3 pieces.
spliced() {
	said "^acp: debug: 'big' -> '$1': $size bytes by splice through a pipe in 3 pieces, a round each (copy_file_range: "
}

cat big > /dev/null
run_acp --debug --stats=json big other/copy
[ "$rc" -eq 0 ] && cmp -s big other/copy
ok $? "cached, to another file system: copied whole"
if said "bytes by copy offload"; then
	skip "this kernel's copy_file_range reaches across file systems"
	skip "this kernel's copy_file_range reaches across file systems"
else
	spliced other/copy
	ok $? "--debug: spliced in 3 pieces, and why copy_file_range did not"
	if command -v jq > /dev/null; then
		[ "$(tail -1 "$T/stdout" | jq -r '.bytes, .bytes_offloaded' |
		    tr '\n' ' ')" = "$size $size " ]
		ok $? "--stats=json: every byte counted as copied by the kernel"
	else
		skip "jq is not installed"
	fi
fi

# Not all in the page cache: the ring, as before.
rm -f other/copy
if evict big; then
	run_acp --debug big other/copy
	[ "$rc" -eq 0 ] && cmp -s big other/copy
	ok $? "not cached: copied whole"
	if said "^acp: debug: 'big': 100% in the page cache"; then
		skip "the page cache took the source back"
	else
		! said "by splice through a pipe" &&
		    said "^acp: debug: 'big': copy_file_range: .*; copying through [a-z]*$"
		ok $? "not cached: --debug says the ring copied it, and why"
	fi
else
	skip "the page cache kept the source (eviction is only advice)"
	skip "the page cache kept the source (eviction is only advice)"
fi
rm -f other/copy

# A destination that fills up while splicing.
cat big > /dev/null
if mount_tmpfs small 16M; then
	run_acp big small/copy
	[ "$rc" -eq 1 ] &&
	    said "^acp: error writing 'small/copy' at offset [0-9]*: No space left on device$"
	ok $? "full destination: exit 1, the file and the reason named"
	[ ! -e small/copy ]
	ok $? "full destination: the partial copy removed"
else
	skip "cannot mount a small tmpfs"
	skip "cannot mount a small tmpfs"
fi

# faultfs: created files keep 12 MiB and fail their writes past it; one
# named "stalled..." holds its first write at the barrier in gate/.
fuse=$(faultfs_missing)
if [ -z "$fuse" ]; then
	mkdir gate && mkfifo gate/reached gate/release
	mount_faultfs "$T/mnt" -e 12582912 -g "$T/gate" ||
	    fuse="cannot mount faultfs: $(head -1 "$T/faultfs.err")"
fi
if [ -n "$fuse" ]; then
	skip_all "$fuse"
fi

# 10 MiB fits (a failed file gets no --debug line of how it went: this
# one shows the way the next one takes).
mkdata fits $((10 * 1024 * 1024)) cross-fs-fits
cat fits > /dev/null
run_acp --debug fits mnt/fits
[ "$rc" -eq 0 ] && cmp -s fits mnt/fits &&
    said "^acp: debug: 'fits' -> 'mnt/fits': $((10 * 1024 * 1024)) bytes by splice through a pipe in 1 piece, "
ok $? "to FUSE: spliced, whole"

cat big > /dev/null
run_acp big mnt/copy
[ "$rc" -eq 1 ] &&
    said "^acp: error writing 'mnt/copy' at offset [0-9]*: Input/output error$"
ok $? "a write that fails while splicing: exit 1, the file and the reason named"
[ ! -e mnt/copy ]
ok $? "a write that fails while splicing: the partial copy removed"

cat big > /dev/null
"$ACP" big mnt/stalled 2> "$T/stderr" &
pid=$!
timeout 60 cat gate/reached > /dev/null
# The signal is pending before the write is let go: acp sees it when its
# splice returns (a FUSE write waits for its answer), then stops.
kill -s TERM "$pid"
# shellcheck disable=SC2016 # the inner shell's own arguments
timeout 60 sh -c 'echo go > "$1"' sh gate/release
reap "$pid"
[ "$rc" -eq 143 ] && [ ! -e mnt/stalled ]
ok $? "SIGTERM while a spliced write is held: exit 143 (got $rc), the partial copy removed"
said "interrupted by signal"
ok $? "SIGTERM while a spliced write is held: the signal named"
