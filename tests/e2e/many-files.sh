#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Many files in flight through one ring: a tree of small files comes out
# whole with every time kept, requests of many files were in flight at
# once (--stats=json), one unreadable file among many costs one message
# and exit 1, small files go by splice when cached and through the ring
# when not, and the walker's memory does not grow with the tree.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((6 * $(nengines) + 13))
cd "$T" || exit 1

# 1200 files of 0 to 70000 bytes in 12 directories, cut from one blob.
mkdata blob 200000 many
mkdir src
i=0
while [ "$i" -lt 1200 ]; do
	d=src/d$((i % 12))
	[ -d "$d" ] || mkdir "$d"
	head -c $(((i * 7919) % 70001)) blob > "$d/f$i"
	i=$((i + 1))
done
# Old, distinct times on directories, so that one set by the copy
# (instead of kept) shows.
touch -d '2001-02-03 04:05:06.123456789' src/d*
touch -d '2002-02-03 04:05:06.5' src

# times DIR: every entry's mtime (ns) and mode, sorted by name.
times() {
	(cd "$1" && find . -printf '%p %T@ %m\n' | sort)
}

# json_num KEY: the number under KEY in $T/stdout's JSON line.
json_num() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/stdout"
}

for e in $engines; do
	rm -rf dst
	run_acp --engine="$e" -a --stats=json src dst
	[ "$rc" -eq 0 ] && diff -r src dst > /dev/null
	ok $? "$e: 1200 small files in 12 directories copied whole"
	times src > t.src
	times dst > t.dst
	cmp -s t.src t.dst
	ok $? "$e: -a keeps every file's and directory's mtime (ns) and mode"
	[ "$(json_num files)" = 1200 ] && [ "$(json_num directories)" = 13 ]
	ok $? "$e: --stats=json counts 1200 files and 13 directories"
	[ "$(json_num peak_files)" -gt 1 ] && [ "$(json_num peak_requests)" -gt 1 ]
	ok $? "$e: many files were in flight at once (peak $(json_num peak_files) files, $(json_num peak_requests) requests)"

	# One file nobody may read, among 1200.
	rm -rf dst
	chmod 000 src/d5/f5
	chmod 755 "$T"
	if [ "$(id -u)" = 0 ]; then
		mkdir dst && chown 65534:65534 dst
		rc=0
		timeout 120 setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$ACP" --engine="$e" -r src dst/c > "$T/stdout" \
		    2> "$T/stderr" || rc=$?
	else
		mkdir dst
		run_acp --engine="$e" -r src dst/c
	fi
	chmod 644 src/d5/f5
	[ "$rc" -eq 1 ] && [ "$(wc -l < "$T/stderr")" -eq 1 ] &&
	    grep -q "^acp: cannot open 'src/d5/f5' for reading: Permission denied$" "$T/stderr"
	ok $? "$e: one unreadable file: one message naming it, exit 1"
	[ ! -e dst/c/d5/f5 ] &&
	    [ "$(diff -r src dst/c 2>&1)" = "Only in src/d5: f5" ]
	ok $? "$e: and the other 1199 files are copied"
done
skip_engines 6

# Hard links whose second name comes right after the first, while the
# first copy is still in flight: linked when it is done.
mkdir hl
i=0
while [ "$i" -lt 300 ]; do
	head -c $((i * 10)) blob > "hl/f$i" && ln "hl/f$i" "hl/f$i.link"
	i=$((i + 1))
done
run_acp -a -v hl hl.out
[ "$rc" -eq 0 ] && diff -r hl hl.out > /dev/null &&
    [ "$(grep -c "" "$T/stdout")" -eq 601 ] &&
    [ "$(find hl.out -type f -links 2 | wc -l)" -eq 600 ] &&
    [ "$(stat -c %i hl.out/f7)" = "$(stat -c %i hl.out/f7.link)" ] &&
    [ "$(stat -c %Y hl)" = "$(stat -c %Y hl.out)" ]
ok $? "300 hard-link pairs met in flight: linked, all printed, dir time kept"

# No engine named and no checksum: small files go by splice.
rm -rf dst
run_acp -a --debug src dst
[ "$rc" -eq 0 ] && diff -r src dst > /dev/null &&
    grep -q "^acp: debug: 'src/d3/f3' -> 'dst/d3/f3': $(stat -c %s src/d3/f3) bytes by splice through a pipe" "$T/stderr" &&
    times dst > t.dst && cmp -s t.src t.dst
ok $? "the default engine splices small files: whole, times kept"

# Small files that the page cache does not hold are read straight into
# the ring's buffers (their descriptor switched to O_DIRECT, each read
# aligned, the last rounded up past the end), where the file system
# takes direct reads; elsewhere, and where fcntl(F_SETFL) is refused,
# read ahead by an io-wq worker (fadvise), then spliced.  mincore(2)
# says they are not cached of the first 16, and the rest take their
# answer.  Sizes from 1 byte to just past two 64 KiB blocks.
mkdir cold
i=0
while [ "$i" -lt 40 ]; do
	head -c $((i * 3400 + 1)) blob > "cold/f$i"
	i=$((i + 1))
done
# reads_of N: how many 64 KiB reads a file of N bytes takes.
reads_of() {
	echo $(( ($1 + 65535) / 65536 ))
}
# Not one page of them may stay cached.
evict_all() {
	for f in "$@"; do
		evict "$f" 1 || return 1
	done
}
# uncache FILE...: flushed, then each dropped from the page cache
# (POSIX_FADV_DONTNEED), in one process.
uncache() {
	sync "$@" && python3 -c '
import os, sys
for f in sys.argv[1:]:
    fd = os.open(f, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
' "$@"
}
# cached_total FILE...: their pages in the page cache, in all (fincore).
cached_total() {
	fincore -n -o PAGES "$@" 2> /dev/null | awk '{ n += $1 } END { print n + 0 }'
}
# Each line of the direct reads says as many reads as its size takes.
# Through the test engine cutting reads short (ACP_CHAOS's short), the
# kernel refuses a direct read cut to an unaligned length, and the file
# goes on buffered: any count, and where it went back.
direct_said() {
	for f in cold/f*; do
		_n=$(reads_of "$(stat -c %s "$f")")
		_back=
		case ${ACP_CHAOS:-} in
		*short*)
			_n="[0-9]*"
			_back="\(, buffered from offset [0-9]* on (Invalid argument)\)\{0,1\}"
			;;
		esac
		grep -q "^acp: debug: '$f': not in the page cache: read with O_DIRECT ($_n reads\{0,1\})$_back$" "$T/stderr" ||
		    return 1
	done
}
# Each is read ahead by an io-wq worker (fadvise) while its copy is
# created: asked before the look, the read ahead would make it "cached".
# The thread-pool engines read on their workers: no read ahead.
seccomp=${SECCOMP_RUN:-}
if [ -n "${ACP_UNDER_VALGRIND:-}" ]; then
	# It reads the head of each file mapped (is it ELF?), caching it.
	for _ in 1 2 3 4 5 6 7; do
		skip "valgrind caches what acp maps to ask mincore"
	done
elif ! evict_all cold/*; then
	for _ in 1 2 3 4 5 6 7; do
		skip "cannot evict a file from the page cache here"
	done
else
	if direct_ok cold/f1; then
		run_acp -r --debug cold cold.out
		[ "$rc" -eq 0 ] && diff -r cold cold.out > /dev/null &&
		    ! grep -q "by splice\|read ahead\|not spliced" "$T/stderr" &&
		    [ "$(grep -c "^acp: debug: 'cold/f[0-9]*' -> 'cold.out/f[0-9]*': [0-9]* bytes, [0-9]* requests through uring" "$T/stderr")" -eq 40 ]
		ok $? "small files not in the page cache are read through the ring, not spliced: whole, all 40"
		direct_said
		ok $? "each was read with O_DIRECT, in as many reads as its 64 KiB blocks"
	else
		skip "the file system here takes no O_DIRECT reads"
		skip "the file system here takes no O_DIRECT reads"
	fi
	# Where fcntl(F_SETFL) is refused: read ahead, then spliced.
	if [ -n "$seccomp" ] && [ -x "$seccomp" ] && evict_all cold/*; then
		rc=0
		"$seccomp" -d fcntl@1:4=EINVAL "$ACP" -r --debug cold cold.ra \
		    > "$T/stdout" 2> "$T/stderr" || rc=$?
		[ "$rc" -eq 0 ] && diff -r cold cold.ra > /dev/null &&
		    ! grep -q "not spliced\|O_DIRECT" "$T/stderr" &&
		    [ "$(grep -c "^acp: debug: 'cold/f[0-9]*' -> 'cold.ra/f[0-9]*': [0-9]* bytes by splice through a pipe" "$T/stderr")" -eq 40 ]
		ok $? "where O_DIRECT cannot be set, they are spliced after their read ahead: whole, all 40"
		[ "$(grep -c "^acp: debug: 'cold/f[0-9]*': read ahead by uring's workers (fadvise), beside its create$" "$T/stderr")" -eq 40 ]
		ok $? "and each was read ahead by io_uring's workers"
	else
		skip "no seccomp-run, or cannot evict"
		skip "no seccomp-run, or cannot evict"
	fi
	evict_all cold/* && run_acp --engine=sync -r --debug cold cold.sync
	[ "$rc" -eq 0 ] && diff -r cold cold.sync > /dev/null &&
	    ! grep -q "read ahead\|O_DIRECT" "$T/stderr"
	ok $? "the sync engine copies them whole, with no read ahead"
	# The aio engine reads them direct too, by kernel AIO, but only
	# from a run's 4,097th cold small file on: the context those reads
	# need takes 30 ms or more to end, more than a few thousand gain.
	# Buffered, the look that found them cold asks a sequential read
	# ahead of those of more than a block, as of a big file.
	evict_all cold/* && run_acp --engine=aio -r --debug cold cold.aio
	[ "$rc" -eq 0 ] && diff -r cold cold.aio > /dev/null &&
	    ! grep -q "O_DIRECT\\|by uring's workers" "$T/stderr"
	ok $? "the aio engine copies 40 whole, all buffered"
	# 4,200 files of 100 bytes (split: one process), dropped from the
	# page cache by one process too.
	mkdir lots
	cat blob blob blob | head -c 420000 | (cd lots && split -b 100 -a 4 - f)
	if ! direct_ok lots/faaaa; then
		skip "the file system here takes no O_DIRECT reads"
	elif ! uncache lots/* || [ "$(cached_total lots/*)" != 0 ]; then
		skip "cannot evict 4,200 files from the page cache here"
	else
		# The test engine's EAGAIN and EINTR send a read again.
		_n="1 read"
		[ -n "${ACP_CHAOS:-}" ] && _n="[0-9]* reads\{0,1\}"
		run_acp --engine=aio -r --debug lots lots.aio
		[ "$rc" -eq 0 ] && diff -r lots lots.aio > /dev/null &&
		    [ "$(grep -c "^acp: debug: 'lots/f[a-z]*': not in the page cache: read with O_DIRECT ($_n)$" "$T/stderr")" -eq 104 ] &&
		    [ "$(grep -c "^acp: debug: 'lots/f[a-z]*' -> 'lots.aio/f[a-z]*': 100 bytes, [0-9]* requests through aio" "$T/stderr")" -eq 4200 ]
		ok $? "of 4,200 not cached, the aio engine reads the last 104 with O_DIRECT: all whole"
	fi
fi

# A hashed copy reads cached small files on io_uring's worker threads
# (acp's own thread hashes them) and files not cached on its own thread,
# where a read waits for the disk without holding a worker.
case " $engines " in
*" uring "*)
	cat src/d1/* > /dev/null
	run_acp --engine=uring -r --debug --checksum src/d1 d1.sum
	[ "$rc" -eq 0 ] && diff -r src/d1 d1.sum > /dev/null &&
	    [ "$(grep -c "^acp: debug: 'src/d1/f[0-9]*': read by uring's worker threads (cached: this thread hashes)$" "$T/stderr")" -eq 100 ]
	ok $? "hashed, cached: each file read by io_uring's workers, whole"
	if [ -n "${ACP_UNDER_VALGRIND:-}" ]; then
		skip "valgrind caches what acp maps to ask mincore"
	elif ! evict_all cold/*; then
		skip "cannot evict a file from the page cache here"
	else
		run_acp --engine=uring -r --debug --checksum cold cold.sum
		[ "$rc" -eq 0 ] && diff -r cold cold.sum > /dev/null &&
		    grep -q "^acp: debug: 'cold/f1' -> 'cold.sum/f1': " "$T/stderr" &&
		    ! grep -q "worker threads" "$T/stderr"
		ok $? "hashed, not cached: each file read on acp's own thread, whole"
	fi
	# A tree not cached: once 16 files in a row were found so, it is
	# read ahead of the walk on a thread of its own (the scout).  With
	# 128 files in flight at most, the walker reaches the 200th file
	# only after 72 have ended, each looked at before its read.
	mkdir coldtree
	for d in 0 1 2 3; do
		mkdir "coldtree/d$d"
		i=0
		while [ "$i" -lt 50 ]; do
			head -c $((d * 50 + i + 100)) blob > "coldtree/d$d/f$i"
			i=$((i + 1))
		done
	done
	if [ -n "${ACP_UNDER_VALGRIND:-}" ]; then
		skip "valgrind caches what acp maps to ask mincore"
	elif [ "$(nproc)" -lt 2 ]; then
		skip "one CPU: the walk goes alone"
	elif ! evict_all coldtree/*/*; then
		skip "cannot evict a file from the page cache here"
	else
		run_acp --engine=uring -r --debug coldtree coldtree.out
		[ "$rc" -eq 0 ] && diff -r coldtree coldtree.out > /dev/null &&
		    [ "$(grep -c "^acp: debug: 'coldtree': not in the page cache: its tree is read ahead of the walk, on a thread of its own$" "$T/stderr")" -eq 1 ]
		ok $? "a tree not cached is read ahead of the walk, and copied whole"
	fi
	;;
*)
	skip "io_uring cannot be used here"
	skip "io_uring cannot be used here"
	skip "io_uring cannot be used here"
	;;
esac

# The walker runs ahead of the copier in bounded memory: ten times the
# entries must not take ten times the memory (sanitizers and valgrind
# have their own, so this is measured on the plain build only).
if [ -n "${ACP_UNDER_VALGRIND:-}" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
	skip "memory is measured without sanitizers or valgrind"
elif [ ! -x /usr/bin/time ]; then
	skip "needs GNU time (/usr/bin/time)"
else
	mkdir -p small/d big/d
	(cd small/d && seq 1 2000 | sed 's/^/e/' | xargs touch)
	i=0
	while [ "$i" -lt 10 ]; do
		mkdir "big/d$i"
		(cd "big/d$i" && seq 1 2000 | sed 's/^/e/' | xargs touch)
		i=$((i + 1))
	done
	small=$(peak_kib "$ACP" -r small small.out)
	big=$(peak_kib "$ACP" -r big big.out)
	diag "peak RSS: 2000 entries ${small} KiB, 22010 entries ${big} KiB"
	[ "$(find big.out -type f | wc -l)" -eq 20000 ] &&
	    [ "$big" -lt $((small + 4096)) ]
	ok $? "22010 entries take no more memory than 2000 (+4 MiB)"
fi
done_testing
