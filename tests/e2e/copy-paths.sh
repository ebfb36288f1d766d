#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# How the data moves: copy_file_range for a large plain copy with no
# engine named, cached or not; a named engine moves the bytes itself, and
# reads a large source out of the page cache buffered where the engine
# keeps the kernel's readahead going (io_uring), with O_DIRECT where it
# does not (aio, sync).  Each path must give the same bytes, and --debug
# must say which one ran.  A big source not all in the page cache and
# read buffered is read ahead as sequential (POSIX_FADV_SEQUENTIAL); one
# cached, or read with O_DIRECT, is not.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((5 + 4 * $(nengines)))

size=$((40 * 1024 * 1024 + 7))
mkdata "$T/big" "$size" paths

# Can this filesystem open the file with O_DIRECT at all?
direct=0
direct_ok "$T/big" && direct=1

cat "$T/big" > /dev/null
run_acp --debug "$T/big" "$T/dst"
[ "$rc" -eq 0 ] && cmp -s "$T/big" "$T/dst"
ok $? "auto: a cached file is copied whole"
# 40 MiB in pieces of 16 MiB, a round each: the loop goes on between.
if grep -q "copy offload (copy_file_range in 3 pieces, a round each" \
    "$T/stderr"; then
	ok 0 "auto: --debug says copy_file_range copied it, in 3 pieces"
elif grep -q "copy_file_range: .*; copying through" "$T/stderr"; then
	ok 0 "auto: --debug says why copy_file_range could not: $(grep copy_file_range "$T/stderr" | head -1)"
else
	ok 1 "auto: --debug names how the file was copied"
fi
# all_cached: --debug found the source all in the page cache.
all_cached() {
	grep -q "^acp: debug: '$T/big': 100% in the page cache" "$T/stderr"
}
# seq_advised: 0 if --debug says the source was advised as sequential,
# 1 if it says how much was cached and no advice, 2 if neither.
seq_advised() {
	_line=$(grep "^acp: debug: '$T/big': [0-9]*% in the page cache" \
	    "$T/stderr") || return 2
	case $_line in
	*"% in the page cache: read ahead as sequential (POSIX_FADV_SEQUENTIAL)")
		return 0 ;;
	*"% in the page cache")
		return 1 ;;
	esac
	return 2
}
if all_cached; then
	seq_advised
	[ $? -eq 1 ]
	ok $? "auto: a cached source is not advised as sequential"
else
	seq_advised
	ok $? "auto: a source the cache lost part of is read ahead as sequential"
fi

# Cold, the same: cp's copy_file_range read it faster than the ring.
rm -f "$T/dst"
if evict "$T/big"; then
	run_acp --debug "$T/big" "$T/dst"
	[ "$rc" -eq 0 ] && cmp -s "$T/big" "$T/dst" &&
	    grep -q "copy offload (copy_file_range\|copy_file_range: .*; copying through" \
	    "$T/stderr"
	ok $? "auto: a source out of the page cache is copied by copy_file_range too"
	if all_cached; then
		skip "auto: the page cache took the source back"
	else
		seq_advised
		ok $? "auto: --debug says the cold source was read ahead as sequential"
	fi
else
	skip "auto: the page cache kept the source (eviction is only advice)"
	skip "auto: the page cache kept the source (eviction is only advice)"
fi

for e in $engines; do
	rm -f "$T/dst"
	cat "$T/big" > /dev/null
	run_acp --debug --engine="$e" "$T/big" "$T/dst"
	[ "$rc" -eq 0 ] && cmp -s "$T/big" "$T/dst" &&
	    ! grep -q "copy offload" "$T/stderr" &&
	    grep -q "requests through $e" "$T/stderr"
	ok $? "$e: a named engine moves every byte itself"

	rm -f "$T/dst"
	evict "$T/big"
	run_acp --debug --engine="$e" "$T/big" "$T/dst"
	[ "$rc" -eq 0 ] && cmp -s "$T/big" "$T/dst"
	ok $? "$e: a source out of the page cache is copied whole"
	if [ "$direct" = 1 ]; then
		# Eviction is advice; if the kernel kept the pages, say so.
		# io_uring from 5.9 reads it buffered, the others direct.
		if grep -q "buffered reads (through $e the kernel's readahead" \
		    "$T/stderr"; then
			[ "$e" = uring ] && ! grep -q "reads with O_DIRECT" "$T/stderr"
			ok $? "$e: --debug says the cold source was read buffered, with readahead"
		elif grep -q "reads with O_DIRECT" "$T/stderr"; then
			ok 0 "$e: --debug says the cold source was read with O_DIRECT"
		else
			skip "$e: the page cache kept the source (eviction is only advice)"
		fi
	else
		skip "$e: $(findmnt -no FSTYPE -T "$T" 2>/dev/null) refuses O_DIRECT"
	fi
	# The advice where the reads are buffered, none where they are not.
	if grep -q "reads with O_DIRECT" "$T/stderr"; then
		seq_advised
		[ $? -eq 1 ]
		ok $? "$e: a source read with O_DIRECT is not advised as sequential"
	elif all_cached; then
		skip "$e: the page cache kept the source (eviction is only advice)"
	else
		seq_advised
		ok $? "$e: a cold source read buffered is read ahead as sequential"
	fi
done
skip_engines 4
done_testing
