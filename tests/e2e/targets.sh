#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Several destinations at once (a second -t, --also): each gets what a
# run with it alone would have made (-a trees with symlinks, hard links
# and holes, --parents, -n, SOURCE DEST names); a destination that cannot
# be used stops the run before anything is copied; one that fills up or
# fails its writes is reported by its own names while the others are
# whole; --verify names the one copy that reads back wrong; one manifest
# line a file checks every destination.
. "${top_srcdir:-.}/tests/lib.sh"

snap=${top_srcdir:-.}/tests/treesnap.py
per=24
plan $((per * $(nengines) + 18))

cd "$T" || exit 1
mkdir -p src/sub/deep
mkdata src/a 300000 a
mkdata src/sub/b 70000 b
mkdata src/sub/deep/c 1 c
: > src/empty
ln -s a src/link
ln src/sub/b src/sub/b2
truncate -s 3M src/sparse
printf 'tail' >> src/sparse
chmod 640 src/sub/b
chmod 750 src/sub
touch -d '2020-02-02 02:02:02' src/a src/sub/deep src/sub

# links: the link counts of the tree's files, by path.
links() {
	(cd "$1" && find . -type f -printf '%p %n\n' | sort)
}

# A small tmpfs that fills up, and a FUSE filesystem that fails writes
# past 1M and reads back names starting "corrupt" with a byte flipped.
mkdata big 3000000 big
head -c 500000 big > half
# Past the size below which a plain copy never reads once for all.
mkdata large 9000000 large
full=""
mount_tmpfs full 2M && full=full
gated_faultfs
for e in $engines; do
	# Without a hash each destination's copy has its own requests: at
	# most its share of the ring (8 of 16 each), so that neither waits
	# for the other's whole file.
	rm -rf s1 s2 && mkdir s1 s2
	run_acp --engine="$e" --queue-depth=16 --block-size=64K --debug big s1 --also=s2
	n=$(grep -o '[0-9]* in flight at most' "$T/stderr" | cut -d' ' -f1 |
	    sort -n | tail -1)
	[ "$rc" -eq 0 ] && cmp -s big s1/big && cmp -s big s2/big &&
	    [ "$(grep -c 'in flight at most' "$T/stderr")" -eq 2 ] &&
	    [ "${n:-99}" -le 8 ]
	ok $? "$e: two destinations, no hash: each its share of the ring (${n:-?} of 16 in flight at most)"
	# A big file that neither a clone nor copy_file_range() serves (not
	# asked for, and not with an engine named) is read once for both,
	# with no hash.
	rm -rf s1 s2 && mkdir s1 s2
	run_acp --engine="$e" --reflink=never --debug --stats=json large s1 --also=s2
	[ "$rc" -eq 0 ] && cmp -s large s1/large && cmp -s large s2/large &&
	    grep -q "'large': read once for 2 destinations, [0-9]* requests" "$T/stderr" &&
	    [ "$(jq .bytes "$T/stdout")" -eq 18000000 ] &&
	    [ "$(jq .bytes_hashed "$T/stdout")" -eq 0 ] &&
	    [ "$(jq .files "$T/stdout")" -eq 2 ]
	ok $? "$e: a big file, no hash, no clone or copy_file_range: read once for both, counted as two copies"
	rm -rf one t1 t2 t3 && mkdir one t1 t2 t3
	"$ACP" --engine="$e" -a src one/ 2> /dev/null
	python3 "$snap" one > one.snap

	run_acp --engine="$e" -a src t1 --also=t2
	[ "$rc" -eq 0 ] && python3 "$snap" t1 | cmp -s - one.snap &&
	    python3 "$snap" t2 | cmp -s - one.snap
	ok $? "$e: -a to two destinations: each as one run alone makes it"
	[ "$(links t1)" = "$(links one)" ] && [ "$(links t2)" = "$(links one)" ] &&
	    [ "$(stat -c %b t2/src/sparse)" -lt 100 ]
	ok $? "$e: hard links kept and holes left in each destination"

	# With a hash the source is read once into the ring and each
	# buffer written to both: hashed once, as much as one copy hashes.
	rm -rf t1 t2 && mkdir t1 t2
	run_acp --engine="$e" -a --checksum --stats=json src one2
	one_hashed=$(jq .bytes_hashed "$T/stdout")
	one_bytes=$(jq .bytes "$T/stdout")
	rm -rf one2
	run_acp --engine="$e" -a --checksum --stats=json --debug src t1 --also=t2
	[ "$rc" -eq 0 ] && python3 "$snap" t1 | cmp -s - one.snap &&
	    python3 "$snap" t2 | cmp -s - one.snap &&
	    [ "$(jq .bytes_hashed "$T/stdout")" -eq "$one_hashed" ] &&
	    [ "$(jq .bytes "$T/stdout")" -eq $((2 * one_bytes)) ] &&
	    grep -q "'src/a': read once for 2 destinations" "$T/stderr"
	ok $? "$e: --checksum -a to two: read and hashed once, each as one run alone makes it"

	run_acp --engine="$e" -r -t t1/src -t t2/src -t t3 src/a src/sub
	[ "$rc" -eq 0 ] && cmp -s src/a t3/a && cmp -s src/sub/b t3/sub/b &&
	    cmp -s src/a t1/src/a
	ok $? "$e: three -t: every source into each directory"

	rm -rf u1 u2 && mkdir u1 u2 && echo old > u1/big
	run_acp --engine="$e" --checksum --atomic --fsync --debug big u1 --also=u2
	[ "$rc" -eq 0 ] && cmp -s big u1/big && cmp -s big u2/big &&
	    grep -q "'big': read once for 2 destinations" "$T/stderr" &&
	    [ "$(ls -A u1)" = big ] && [ "$(ls -A u2)" = big ]
	ok $? "$e: read once, --atomic --fsync: one replaced, one made, no temporary left"

	rm -f named1 named2
	run_acp --engine="$e" src/a named1 --also=named2
	[ "$rc" -eq 0 ] && cmp -s src/a named1 && cmp -s src/a named2
	ok $? "$e: SOURCE DEST --also=DEST2: two named copies"

	rm -rf p1 p2 && mkdir p1 p2
	run_acp --engine="$e" --parents -t p1 --also=p2 src/sub/deep/c
	[ "$rc" -eq 0 ] && cmp -s src/sub/deep/c p1/src/sub/deep/c &&
	    cmp -s src/sub/deep/c p2/src/sub/deep/c
	ok $? "$e: --parents makes the way in each destination"

	rm -rf n1 n2 && mkdir n1 n2
	echo keep > n1/a
	run_acp --engine="$e" -n src/a n1 --also=n2
	[ "$rc" -eq 0 ] && [ "$(cat n1/a)" = keep ] && cmp -s src/a n2/a
	ok $? "$e: -n keeps the file one destination has, copies to the other"

	rm -rf m1 m2 && mkdir m1 m2
	run_acp --engine="$e" -r --checksum --manifest=m.sum \
	    --manifest-relative src m1 --also=m2
	[ "$rc" -eq 0 ] && [ "$(wc -l < m.sum)" -eq "$(find src -type f | wc -l)" ] &&
	    (cd m1 && "$ACP" --check=../m.sum) && (cd m2 && xxhsum -c ../m.sum > /dev/null)
	ok $? "$e: one manifest line a file; it checks each destination"

	rm -rf x1 && mkdir x1
	run_acp --engine="$e" src/a src/empty x1 --also=missing
	[ "$rc" -eq 1 ] && [ ! -e x1/a ] &&
	    grep -q "acp: target 'missing': No such file or directory" "$T/stderr"
	ok $? "$e: a destination that cannot be used: exit 1, nothing copied"
	run_acp --engine="$e" -t x1 -t x1/nodir src/a
	[ "$rc" -eq 1 ] && [ ! -e x1/a ] &&
	    grep -q "acp: target directory 'x1/nodir'" "$T/stderr"
	ok $? "$e: a second -t that is not a directory: exit 1, nothing copied"

	rm -rf y1 y2 && mkdir y1 y2 y2/a
	run_acp --engine="$e" src/a y1 --also=y2
	[ "$rc" -eq 1 ] && cmp -s src/a y1/a && [ -d y2/a ] &&
	    grep -q "y2/a" "$T/stderr" && ! grep -q "y1/a" "$T/stderr"
	ok $? "$e: a file refused in one destination is named there; the other is copied"

	if [ -n "$full" ]; then
		rm -rf ok1 && mkdir ok1 && rm -rf full/*
		# One file at a time: which of two in flight fills it first
		# is up to the engine.
		run_acp --engine="$e" --checksum --manifest=f.sum big ok1 --also=full
		[ "$rc" -eq 1 ] && cmp -s big ok1/big && [ ! -e full/big ] &&
		    grep -q "acp: error writing 'full/big' at offset [0-9]*: No space left on device" "$T/stderr" &&
		    [ "$(grep -c . "$T/stderr")" -eq 1 ] && [ "$(wc -l < f.sum)" -eq 1 ]
		ok $? "$e: read once, one destination full: named, removed there, the other whole"
		rm -rf ok1 && mkdir ok1 && rm -rf full/*
		run_acp --engine="$e" --stats=json src/a ok1 --also=full
		run_acp --engine="$e" --stats=json big ok1 --also=full
		[ "$rc" -eq 1 ] && cmp -s big ok1/big && cmp -s src/a ok1/a &&
		    [ ! -e full/big ] && cmp -s src/a full/a &&
		    grep -q "acp: error writing 'full/big' at offset [0-9]*: No space left on device" "$T/stderr" &&
		    [ "$(grep -c . "$T/stderr")" -eq 1 ]
		ok $? "$e: one destination full: named, its short file removed, the other whole"
		[ "$(jq -c '[.targets[] | [.path, .files, .bytes, .failed]]' "$T/stdout")" = \
		    '[["ok1",1,3000000,0],["full",0,0,1]]' ] &&
		    [ "$(jq .files "$T/stdout")" -eq 1 ]
		ok $? "$e: --stats=json counts each destination's files, bytes and failures"
		rm -rf ok1 && mkdir ok1 && rm -rf full/*
		run_acp --engine="$e" --reflink=never --debug large ok1 --also=full
		[ "$rc" -eq 1 ] && cmp -s large ok1/large && [ ! -e full/large ] &&
		    grep -q "acp: error writing 'full/large' at offset [0-9]*: No space left on device" "$T/stderr" &&
		    [ "$(grep -c '^acp: error' "$T/stderr")" -eq 1 ] &&
		    grep -q "'large': read once" "$T/stderr"
		ok $? "$e: read once with no hash, one destination full: named, removed there, the other whole"
	else
		skip "needs root to mount a small tmpfs"
		skip "needs root to mount a small tmpfs"
		skip "needs root to mount a small tmpfs"
		skip "needs root to mount a small tmpfs"
	fi

	if [ -n "$fuse" ]; then
		rm -rf ok2 && mkdir ok2
		run_acp --engine="$e" --block-size=64K big ok2/big --also="mnt/w.$e"
		[ "$rc" -eq 1 ] && cmp -s big ok2/big && [ ! -e "mnt/w.$e" ] &&
		    grep -q "acp: error writing 'mnt/w.$e' at offset [0-9]*: Input/output error" "$T/stderr"
		ok $? "$e: writes failing on one destination: named there, the other whole"
		run_acp --engine="$e" --verify half ok2/half --also="mnt/corrupt.$e"
		[ "$rc" -eq 3 ] && cmp -s half ok2/half &&
		    grep -q "'mnt/corrupt.$e': verification FAILED" "$T/stderr" &&
		    ! grep -q "ok2/half" "$T/stderr"
		ok $? "$e: --verify fails the one copy that reads back different (exit 3)"
		rm -f ok2/bigc
		run_acp --engine="$e" --checksum --block-size=64K big ok2/bigc --also="mnt/wc.$e"
		[ "$rc" -eq 1 ] && cmp -s big ok2/bigc && [ ! -e "mnt/wc.$e" ] &&
		    grep -q "acp: error writing 'mnt/wc.$e' at offset [0-9]*: Input/output error" "$T/stderr"
		ok $? "$e: read once, writes failing on one destination: named there, the other whole"
		rm -f ok2/largep
		run_acp --engine="$e" --reflink=never --debug --block-size=64K large ok2/largep --also="mnt/wp.$e"
		[ "$rc" -eq 1 ] && cmp -s large ok2/largep && [ ! -e "mnt/wp.$e" ] &&
		    grep -q "acp: error writing 'mnt/wp.$e' at offset [0-9]*: Input/output error" "$T/stderr" &&
		    [ "$(grep -c '^acp: error' "$T/stderr")" -eq 1 ] &&
		    grep -q "'large': read once" "$T/stderr"
		ok $? "$e: read once with no hash, writes failing on one destination: named there, the other whole"
		rm -rf r1 r2 && mkdir r1 r2
		run_acp --engine="$e" --checksum --block-size=64K mnt/bad r1 --also=r2
		[ "$rc" -eq 1 ] && [ ! -e r1/bad ] && [ ! -e r2/bad ] &&
		    [ "$(grep -c "acp: error reading 'mnt/bad' at offset 1048576: Input/output error" "$T/stderr")" -eq 1 ] &&
		    [ "$(grep -c . "$T/stderr")" -eq 1 ]
		ok $? "$e: read once, a read error: said once, no copy left anywhere"
		# SIGTERM while the one read waits on a stalled file system:
		# both copies are removed, exit 143.
		rm -rf g1 g2 && mkdir g1 g2
		"$ACP" --engine="$e" --checksum mnt/gated g1 --also=g2 2> "$T/stderr" &
		pid=$!
		timeout 60 cat gate/reached > /dev/null
		kill -s TERM "$pid"
		wait_said "interrupted by signal"
		left=$(find g1 g2 -type f)
		# shellcheck disable=SC2016 # the inner shell's own arguments
		timeout 60 sh -c 'echo go > "$1"' sh gate/release
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 143 ] && [ -z "$left" ] && [ -z "$(find g1 g2 -type f)" ]
		ok $? "$e: read once, SIGTERM while the read waits: both copies removed, exit 143 (got $rc, left '$left')"
	else
		for _ in 1 2 3 4 5 6; do skip "$fuse_why"; done
	fi
done

skip_engines "$per"

# Not per engine: --resume to two destinations, one up to date and one
# with a directory missing: each counted on its own (the hard link's
# second name and the symlink are up to date as entries).
rm -rf r1 r2 && "$ACP" -a src r1 && "$ACP" -a src r2 && rm -rf r2/sub
run_acp -a -T --resume --stats=json src r1 --also=r2
python3 "$snap" r1 > r1.snap
[ "$rc" -eq 0 ] && python3 "$snap" r2 | cmp -s - r1.snap &&
    [ "$(jq -c '[.targets[] | [.path, .files, .skipped]]' "$T/stdout")" = \
    '[["r1",0,7],["r2",2,4]]' ]
ok $? "--resume to two destinations: each one's files copied and entries up to date counted"

# Not per engine: the messages and usage.
run_acp src/a
[ "$rc" -eq 2 ]
ok $? "one operand is still a usage error"
rm -rf d1 d2 && mkdir d1 d2
run_acp -v src/a src/sub/b -t d1 --also=d2
[ "$rc" -eq 0 ] && cmp -s src/a d1/a && cmp -s src/sub/b d1/b &&
    cmp -s src/a d2/a && cmp -s src/sub/b d2/b
ok $? "-t with --also: each source into both"
[ "$(grep -c "^'src/a' -> " "$T/stdout")" -eq 2 ]
ok $? "-v prints each copy made, in each destination"
run_acp --stats src/a -t d1 -t d2
[ "$rc" -eq 0 ] && grep -q "^acp: to 'd1': 1 file, 293K; 0 failed\$" "$T/stdout" &&
    grep -q "^acp: to 'd2': 1 file, 293K; 0 failed\$" "$T/stdout"
ok $? "--stats: a line for each destination"
run_acp --also=d2 --check=m.sum
[ "$rc" -eq 2 ]
ok $? "--check takes no --also"
rm -rf d1/* d2/*
run_acp src/a src/a d1 --also=d2
[ "$rc" -eq 0 ] && [ "$(grep -c "specified more than once" "$T/stderr")" -eq 1 ] &&
    cmp -s src/a d1/a && cmp -s src/a d2/a
ok $? "a source named twice: one warning, copied once to each"
run_acp -r src d1/sub --also=d2
[ "$rc" -eq 0 ] && [ -d d1/sub/sub ] && [ -d d2/src/sub ]
ok $? "each destination is taken on its own: a new name here, a directory there"

# One place named twice would have each file made twice in one run: the
# second create failing on the first's copy, or writing over it.
rm -rf d1/* d2/* && ln -sfn d2 d2link
run_acp -r src -t d1 -t ./d1/
[ "$rc" -eq 1 ] && [ -z "$(ls -A d1)" ] &&
    grep -q "^acp: destinations 'd1' and './d1/' are the same directory" "$T/stderr"
ok $? "one directory named twice: refused before anything is copied"
run_acp src/a -t d1 -t d2 -t d2link
[ "$rc" -eq 1 ] && [ -z "$(ls -A d1)$(ls -A d2)" ] &&
    grep -q "'d2' and 'd2link' are the same directory" "$T/stderr"
ok $? "a link to another destination: refused, naming both"
printf 'old' > d1/x
run_acp src/a d1/x --also=./d1/x
[ "$rc" -eq 1 ] && [ "$(cat d1/x)" = old ] &&
    grep -q "'d1/x' and './d1/x' are the same file" "$T/stderr"
ok $? "the name of the copy twice: refused, the file there left as it was"
rm -rf d1/* d2/* && cp -a src srcx
run_acp -r srcx -t d1 -t srcx/sub
[ "$rc" -eq 1 ] && [ ! -e srcx/sub/srcx ] && diff -r srcx d1/srcx > /dev/null &&
    grep -q "cannot copy a directory, 'srcx', into itself, 'srcx/sub/srcx'" "$T/stderr"
ok $? "one destination inside the source: refused there, the other whole, exit 1"
if mount_tmpfs ro 1M && mount -o remount,ro "$T/ro"; then
	rm -rf d1/* && run_acp -r --stats=json srcx -t d1 -t ro
	[ "$rc" -eq 1 ] && diff -r srcx d1/srcx > /dev/null &&
	    [ "$(jq -c '[.targets[] | [.path, .failed]]' "$T/stdout")" = \
	    '[["d1",0],["ro",1]]' ] &&
	    grep -q "cannot create directory 'ro/srcx': Read-only" "$T/stderr"
	ok $? "a read-only destination: the other whole, its failure counted as its own"
else
	skip "needs root to mount a read-only tmpfs"
fi

# A big plain file (the default engine offloads it to copy_file_range):
# each destination's pieces on a thread of its own, at once.
mkdata huge 20000000 huge
rm -rf h1 h2 && mkdir h1 h2
run_acp --debug huge h1 --also=h2
[ "$rc" -eq 0 ] && cmp -s huge h1/huge && cmp -s huge h2/huge &&
    [ "$(grep -c "bytes by copy offload" "$T/stderr")" -eq 2 ]
ok $? "a big file to two destinations: copy_file_range for each, both whole"
if [ -n "$full" ]; then
	rm -rf h1 && mkdir h1 && find full -mindepth 1 -delete
	run_acp huge h1 --also=full
	[ "$rc" -eq 1 ] && cmp -s huge h1/huge && [ ! -e full/huge ] &&
	    grep -q "'full/huge'.*No space left" "$T/stderr"
	ok $? "one destination fills (its copy goes through the ring): that one removed and named, the other whole"
else
	skip "needs root to mount a small tmpfs"
fi
# Two destinations on file systems of their own (tmpfs: copy_file_range
# and clones stop at its device): no destination can be offloaded to, so
# the big file is read once for both; with one on the source's file
# system, that one is offloaded and each reads on its own.
if mount_tmpfs far1 24M && mount_tmpfs far2 24M; then
	run_acp --debug large far1 --also=far2
	[ "$rc" -eq 0 ] && cmp -s large far1/large && cmp -s large far2/large &&
	    grep -q "'large': read once for 2 destinations" "$T/stderr"
	ok $? "a big file to two other file systems: read once for both"
	rm -rf h1 && mkdir h1 && rm -f far1/large
	run_acp --debug large h1 --also=far1
	[ "$rc" -eq 0 ] && cmp -s large h1/large && cmp -s large far1/large &&
	    ! grep -q "read once" "$T/stderr" &&
	    [ "$(grep -c "bytes by copy offload" "$T/stderr")" -eq 1 ]
	ok $? "one destination on the source's file system: offloaded there, the other read on its own"
else
	skip "needs root to mount a tmpfs"
	skip "needs root to mount a tmpfs"
fi
# The same, with the filling done by copy_file_range on its thread: the
# source and one destination on one 30M tmpfs.
if mount_tmpfs cfr 30M; then
	cp huge cfr/huge && mkdir cfr/out
	rm -rf h1 && mkdir h1
	run_acp cfr/huge h1 --also=cfr/out
	[ "$rc" -eq 1 ] && cmp -s huge h1/huge && [ ! -e cfr/out/huge ] &&
	    grep -q "error copying 'cfr/huge' to 'cfr/out/huge'.*No space left" "$T/stderr"
	ok $? "copy_file_range filling one destination on its thread: that one removed and named, the other whole"
else
	skip "needs root to mount a tmpfs"
fi

done_testing
