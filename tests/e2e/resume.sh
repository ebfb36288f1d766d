#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --resume: a copy cut short by a signal (held at a known point by the
# FUSE test filesystem's gate) or a full disk is kept and continued, the
# second run writing only the rest; a destination that differs in its
# middle is repaired from there; a changed source starts over; a tree
# half copied has the copied half skipped unread; nothing is taken as
# whole from its size alone; a manifest written again over its last
# run's lists the files skipped with their lines from it.
. "${top_srcdir:-.}/tests/lib.sh"

snap=${top_srcdir:-.}/tests/treesnap.py
per=24
plan $((per * $(nengines) + 18))

cd "$T" || exit 1

# jkey KEY: the number KEY has in the --stats=json line in $T/stdout.
jkey() {
	grep -o "\"$1\":[0-9]*" "$T/stdout" | cut -d: -f2
}

# fsize FILE
fsize() {
	stat -c %s "$1"
}

# mark FILE: the --resume mark FILE carries, if any.
mark() {
	getfattr --only-values -n user.acp.resume "$1" 2> /dev/null
}

# fsz_acp ARGS...: run acp with ARGS, a request at a time (each block
# written before the next is read), no file it writes let past 1 MiB (a
# write there fails with EFBIG, SIGXFSZ ignored).  Status in $rc.
fsz_acp() {
	rc=0
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 120 sh -c 'trap "" XFSZ; exec prlimit --fsize=1048576 "$@"' \
	    sh "$ACP" --queue-depth=1 "$@" > "$T/stdout" 2> "$T/stderr" ||
	    rc=$?
}

mkdata src.bin 3145728 src
mkdir -p tree/a/b
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	mkdata "tree/a/f$i" $((i * 37000)) "f$i"
	mkdata "tree/a/b/g$i" $((i * 11000)) "g$i"
done
ln tree/a/f1 tree/a/b/hard
ln -s ../f2 tree/a/b/sym
chmod 640 tree/a/f3
touch -d '2021-03-03 03:03:03' tree/a/f4 tree/a/b
"$ACP" -a tree clean
python3 "$snap" clean > clean.snap

# A 2 MiB tmpfs that fills up, grown later to let the copy finish.
full=""
mount_tmpfs full 2M && full=full
gated_faultfs

# release: let the read held at the gate go on.
release() {
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 sh -c 'echo go > "$1"' sh gate/release
}

# interrupt ARGS...: run acp on mnt/gated with ARGS, one request at a
# time (so the first MiB is written when the read at 1 MiB is held),
# and SIGTERM it while that read waits.  Status in $rc.
interrupt() {
	"$ACP" --queue-depth=1 "$@" > "$T/stdout" 2> "$T/stderr" &
	pid=$!
	timeout 60 cat gate/reached > /dev/null
	kill -s TERM "$pid"
	wait_said "interrupted by signal"
	release
	rc=0
	wait "$pid" || rc=$?
}

# through_gate ARGS...: run acp with ARGS, letting its read of mnt/gated
# pass the gate.  Status in $rc.
through_gate() {
	"$ACP" "$@" > "$T/stdout" 2> "$T/stderr" &
	pid=$!
	timeout 60 cat gate/reached > /dev/null
	release
	rc=0
	wait "$pid" || rc=$?
}

for e in $engines; do
	if [ -n "$fuse" ]; then
		rm -rf g && mkdir g
		interrupt --engine="$e" --resume mnt/gated g/big
		[ "$rc" -eq 143 ] && [ "$(fsize g/big)" -eq 1048576 ] &&
		    grep -q "kept the partial copy 'g/big' for --resume" "$T/stderr"
		ok $? "$e: SIGTERM mid-copy under --resume: the first MiB kept, said, exit 143 (got $rc)"
		through_gate --engine="$e" --resume -v --stats=json mnt/gated g/big
		[ "$rc" -eq 0 ] && cmp -s mnt/good g/big &&
		    [ "$(jkey bytes)" -eq 3145728 ] &&
		    [ "$(jkey bytes_skipped)" -eq 1048576 ] &&
		    [ "$(jkey files_resumed)" -eq 1 ] &&
		    grep -q "^'mnt/gated' -> 'g/big' (resumed at 1048576)$" "$T/stdout"
		ok $? "$e: the second run writes only the remaining 3 MiB, identical (got $(jkey bytes))"
		rm -rf g && mkdir g
		interrupt --engine="$e" --resume --atomic mnt/gated g/big
		[ "$rc" -eq 143 ] && [ ! -e g/big ] &&
		    [ "$(fsize g/.acp-big.resume)" -eq 1048576 ] &&
		    grep -q "kept the partial copy 'g/.acp-big.resume' for --resume" "$T/stderr"
		ok $? "$e: --atomic cut short: its temporary kept under a name the next run finds"
		through_gate --engine="$e" --resume --atomic --debug --stats=json mnt/gated g/big
		[ "$rc" -eq 0 ] && cmp -s mnt/good g/big && [ ! -e g/.acp-big.resume ] &&
		    [ "$(jkey bytes)" -eq 3145728 ] &&
		    grep -q "continuing the interrupted copy in 'g/.acp-big.resume' at 1048576: whole there" "$T/stderr" &&
		    ! getfattr -n user.acp.resume g/big > /dev/null 2>&1
		ok $? "$e: --atomic --resume continues its temporary where its mark says, then renames it into place, unmarked"
		# Writes that fail on the destination (faultfs fails past
		# 1 MiB): the copy is kept; a temporary that cannot be
		# marked (no user xattrs there) is removed as without it.
		run_acp --engine="$e" --resume src.bin "mnt/wfail-$e"
		[ "$rc" -eq 1 ] && [ -s "mnt/wfail-$e" ] &&
		    grep -q "error writing 'mnt/wfail-$e'" "$T/stderr" &&
		    grep -q "kept the partial copy 'mnt/wfail-$e' for --resume" "$T/stderr"
		ok $? "$e: an I/O error on the destination under --resume: the copy kept, said"
		run_acp --engine="$e" --resume --atomic --debug src.bin "mnt/afail-$e"
		[ "$rc" -eq 1 ] && [ ! -e "mnt/.acp-afail-$e.resume" ] &&
		    [ ! -e "mnt/afail-$e" ] && grep -q "cannot mark 'mnt/.acp-afail-$e.resume' for --resume" "$T/stderr" &&
		    ! grep -q "kept the partial" "$T/stderr"
		ok $? "$e: --atomic --resume where no xattr can mark the temporary: removed, as without --resume"
	else
		for _ in 1 2 3 4 5 6; do skip "$fuse_why"; done
	fi

	# A copy stopped by a write that fails (past 1 MiB: the file size
	# limit) is flushed and marked whole up to where it stopped; the
	# next run takes it at its word there, without reading it back.
	rm -f fz
	fsz_acp --engine="$e" --resume src.bin fz
	[ "$rc" -eq 1 ] && [ "$(fsize fz)" -eq 1048576 ] &&
	    mark fz | grep -q "/kept 1048576 [0-9]*\.[0-9]\{9\}$" &&
	    grep -q "kept the partial copy 'fz' for --resume" "$T/stderr"
	ok $? "$e: a copy cut short by a failed write is kept and marked whole up to 1 MiB ($(mark fz | sed 's/.*\///'))"
	run_acp --engine="$e" --resume --debug --stats=json src.bin fz
	[ "$rc" -eq 0 ] && cmp -s src.bin fz &&
	    grep -q "'fz': continuing at 1048576: whole there" "$T/stderr" &&
	    grep -q "'fz': resumed at 1048576: 1048576 bytes kept as marked whole, not read back" "$T/stderr" &&
	    [ "$(jkey bytes)" -eq 2097152 ] && [ "$(jkey bytes_skipped)" -eq 1048576 ] &&
	    [ -z "$(mark fz)" ]
	ok $? "$e: the next run goes on from the mark unread, writes the rest, leaves no mark"
	# Written to since it was kept: its time says so, and it is
	# compared (and mended) instead.
	rm -f fz
	fsz_acp --engine="$e" --resume src.bin fz
	printf 'X' | dd of=fz bs=1 seek=5000 conv=notrunc status=none
	run_acp --engine="$e" --resume --debug --stats=json src.bin fz
	[ "$rc" -eq 0 ] && cmp -s src.bin fz &&
	    ! grep -q "continuing at" "$T/stderr" &&
	    [ "$(jkey bytes)" -gt 2097152 ] && [ "$(jkey bytes)" -lt 3145728 ]
	ok $? "$e: a kept copy written to since: compared, not trusted, its bad block mended (wrote $(jkey bytes))"
	# Changed with its time put back: --resume=checksum trusts no mark.
	rm -f fz
	fsz_acp --engine="$e" --resume src.bin fz
	touch -r fz stamp
	printf 'X' | dd of=fz bs=1 seek=5000 conv=notrunc status=none
	touch -r stamp fz
	run_acp --engine="$e" --resume=checksum --debug --stats=json src.bin fz
	[ "$rc" -eq 0 ] && cmp -s src.bin fz &&
	    ! grep -q "continuing at" "$T/stderr" &&
	    [ "$(jkey bytes)" -gt 2097152 ] && [ "$(jkey bytes)" -lt 3145728 ]
	ok $? "$e: --resume=checksum compares a marked copy all the same"

	# A destination that differs in its middle (and is newer).
	cp src.bin mid
	printf 'XXXX' | dd of=mid bs=1 seek=1600000 conv=notrunc status=none
	run_acp --engine="$e" --resume --stats=json src.bin mid
	[ "$rc" -eq 0 ] && cmp -s src.bin mid &&
	    [ "$(jkey bytes_skipped)" -ge 1572864 ] &&
	    [ "$(jkey bytes)" -le $((3145728 - 1572864)) ] &&
	    [ "$(jkey bytes)" -gt 0 ]
	ok $? "$e: a copy differing at 1.5 MiB is rewritten from its block on only (wrote $(jkey bytes))"

	# A source that changed all through: every block is written again.
	mkdata mid 3145728 other
	run_acp --engine="$e" --resume --stats=json src.bin mid
	[ "$rc" -eq 0 ] && cmp -s src.bin mid && [ "$(jkey bytes)" -eq 3145728 ] &&
	    [ "$(jkey bytes_skipped)" -eq 0 ]
	ok $? "$e: a changed source: copied again from the start"

	# One request at a time still has the two buffers a comparison needs.
	head -c 1000000 src.bin > q1
	run_acp --engine="$e" --resume --queue-depth=1 --stats=json src.bin q1
	[ "$rc" -eq 0 ] && cmp -s src.bin q1 && [ "$(jkey bytes_skipped)" -eq 983040 ]
	ok $? "$e: --queue-depth=1: compared and resumed all the same"

	# Longer than the source: cut to its size.
	cat src.bin src.bin > long
	run_acp --engine="$e" --resume src.bin long
	[ "$rc" -eq 0 ] && cmp -s src.bin long
	ok $? "$e: a destination longer than the source is cut to it"

	# Same size, other bytes, other time: compared, not trusted.
	mkdata same 3145728 other
	run_acp --engine="$e" --resume -p src.bin same
	[ "$rc" -eq 0 ] && cmp -s src.bin same
	ok $? "$e: the right size with another time is compared and repaired"
	# Same size and time, other bytes: the quick check takes it as
	# whole, as rsync's does; --resume=checksum compares it.
	mkdata same 3145728 other
	touch -r src.bin same
	run_acp --engine="$e" --resume -v --stats=json src.bin same
	[ "$rc" -eq 0 ] && ! cmp -s src.bin same && [ "$(jkey files_skipped)" -eq 1 ] &&
	    grep -q "^skipped 'same' (up to date)$" "$T/stdout"
	ok $? "$e: the same size and time is skipped unread (the quick check)"
	run_acp --engine="$e" --resume=checksum --stats=json src.bin same
	[ "$rc" -eq 0 ] && cmp -s src.bin same && [ "$(jkey files_skipped)" -eq 0 ]
	ok $? "$e: --resume=checksum compares it and repairs it"

	# Holes stay holes where the copy held data.
	truncate -s 8M sparse
	mkdata part 1048576 part
	dd if=part of=sparse bs=1M seek=4 conv=notrunc status=none
	mkdata over 8388608 over
	run_acp --engine="$e" --resume sparse over
	[ "$rc" -eq 0 ] && cmp -s sparse over &&
	    [ "$(du -k over | cut -f1)" -le 2048 ]
	ok $? "$e: a sparse source over a full copy: its holes punched ($(du -k over | cut -f1)K used)"

	# The digest covers the whole file, compared part included.
	head -c 1000000 src.bin > hashed
	run_acp --engine="$e" --resume --checksum=sha256 --manifest=m.sum src.bin hashed
	[ "$rc" -eq 0 ] && cmp -s src.bin hashed &&
	    [ "$(cut -d' ' -f1 m.sum)" = "$(sha256sum src.bin | cut -d' ' -f1)" ]
	ok $? "$e: --checksum over a resumed copy: the whole file's digest"

	# A tree half copied: the copied half is skipped unread.
	rm -rf half && "$ACP" -a tree half
	rm -f half/a/f1[0-2] half/a/b/g[5-9] half/a/b/sym
	head -c 1000 tree/a/f9 > half/a/f9
	run_acp --engine="$e" -a -T --resume --checksum --stats=json tree half
	left=$(jkey bytes_hashed)
	want=$(cat tree/a/f10 tree/a/f11 tree/a/f12 tree/a/f9 tree/a/b/g5 \
	    tree/a/b/g6 tree/a/b/g7 tree/a/b/g8 tree/a/b/g9 | wc -c)
	[ "$rc" -eq 0 ] && [ "$(jkey files_skipped)" -eq 16 ] &&
	    [ "$left" -eq "$want" ] &&
	    python3 "$snap" half | cmp -s - clean.snap
	ok $? "$e: a tree half copied: 16 files skipped unread, the rest copied, as a clean copy (hashed $left of $want)"
	run_acp --engine="$e" -a -T --resume --stats=json tree half
	# Every name: 24 files, the second hard link's name, the symlink.
	[ "$rc" -eq 0 ] && [ "$(jkey files_skipped)" -eq 26 ] &&
	    [ "$(jkey bytes)" -eq 0 ]
	ok $? "$e: run again, nothing is copied"

	# A full disk cuts an --atomic copy short: kept, then continued.
	if [ -n "$full" ]; then
		find full -mindepth 1 -delete && mount -o remount,size=2M full
		run_acp --engine="$e" --resume --atomic src.bin full/big
		kept=$(fsize full/.acp-big.resume 2> /dev/null || echo 0)
		[ "$rc" -eq 1 ] && [ ! -e full/big ] && [ "$kept" -gt 0 ] &&
		    grep -q "kept the partial copy 'full/.acp-big.resume'" "$T/stderr"
		ok $? "$e: --atomic --resume onto a full disk: the temporary kept ($kept bytes)"
		mount -o remount,size=8M full
		run_acp --engine="$e" --resume --atomic --stats=json src.bin full/big
		[ "$rc" -eq 0 ] && cmp -s src.bin full/big &&
		    [ "$(jkey bytes_skipped)" -gt 0 ] &&
		    [ $(($(jkey bytes) + $(jkey bytes_skipped))) -eq 3145728 ]
		ok $? "$e: with room again it goes on (kept $(jkey bytes_skipped), wrote $(jkey bytes))"
		find full -mindepth 1 -delete && mount -o remount,size=2M full
		run_acp --engine="$e" --resume --atomic src.bin full/big
		touch -d '2022-02-02' src.bin
		mount -o remount,size=8M full
		run_acp --engine="$e" --resume --atomic --debug --stats=json src.bin full/big
		[ "$rc" -eq 0 ] && cmp -s src.bin full/big &&
		    [ "$(jkey bytes)" -eq 3145728 ] &&
		    grep -q "started over in 'full/.acp-big.resume'" "$T/stderr"
		ok $? "$e: a source changed since: its temporary started over"
		touch src.bin
	else
		for _ in 1 2 3; do skip "needs root to mount a small tmpfs"; done
	fi
done

skip_engines "$per"

# Not per engine (the walker's): a file up to date whose source's owner
# or mode changed since (which moves no modification time) gets them
# again, as rsync -a does, its data still unread.
rm -rf owned && "$ACP" -a tree owned
chmod 604 tree/a/f3
chown 1234:5678 tree/a/f5
run_acp -a -T --resume --debug --stats=json tree owned
[ "$rc" -eq 0 ] && [ "$(stat -c %a owned/a/f3)" = 604 ] &&
    [ "$(stat -c %u:%g owned/a/f5)" = 1234:5678 ] &&
    [ "$(jkey files)" -eq 0 ] && [ "$(jkey bytes)" -eq 0 ] &&
    grep -q "'owned/a/f3': skipped: .* (owner and mode set again)" "$T/stderr" &&
    grep -q "'owned/a/f5': skipped: .* (owner and mode set again)" "$T/stderr" &&
    ! grep -q "'owned/a/f4': skipped: .* set again" "$T/stderr"
ok $? "a file up to date gets its source's new mode and owner, unread"
chmod 640 tree/a/f3
chown 0:0 tree/a/f5
# Not per engine: a run over a tree that did not change writes nothing:
# a directory whose copy has its owner, mode and times already keeps its
# ctime, a symbolic link with the source's target is not made again (its
# inode stays), a hard link there already is not removed and linked again
# (its directory's ctime stays), a directory's extended attributes and
# ACL with the source's values are not written again; a directory whose
# source changed since gets the change.
# Where the file system takes them: a user xattr and an ACL on tree/a/b.
xa=0
setfattr -n user.note -v night tree/a/b 2> /dev/null &&
    setfacl -m u:nobody:rx tree/a/b 2> /dev/null && xa=1
rm -rf dirs && "$ACP" -a tree dirs
# Reading a source directory may move its atime (relatime: once, while
# the atime is not past the mtime); the copy takes the atime from before
# the read, so one more run takes that over.
"$ACP" -a -T --resume tree dirs
c1=$(stat -c %z:%i dirs dirs/a dirs/a/b dirs/a/b/sym)
# The file system's clock past c1 first, so that any write would show.
until touch tick && [ "$(stat -c %z tick)" != "$(stat -c %z dirs/a)" ]; do :; done
run_acp -a -T --resume --debug tree dirs
again=$rc
c2=$(stat -c %z:%i dirs dirs/a dirs/a/b dirs/a/b/sym)
grep -q "'dirs/a/b/sym': skipped: the symbolic link's target is the source's$" "$T/stderr" &&
    grep -q "'dirs/a/\(f1\|b/hard\)': skipped: a hard link to the first name already$" "$T/stderr" ||
    again=1
m=$(stat -c %a tree/a)
chmod 701 tree/a
touch -d '2021-02-03 04:05:06' tree/a
ln -sfn ../f3 tree/a/b/sym
run_acp -a -T --resume tree dirs
[ "$again" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$c1" = "$c2" ] &&
    [ "$(stat -c %a dirs/a)" = 701 ] &&
    [ "$(stat -c %y dirs/a)" = "$(stat -c %y tree/a)" ] &&
    [ "$(readlink dirs/a/b/sym)" = ../f3 ]
ok $? "a run again writes nothing: directories, symlinks and hard links left alone; a changed directory's new mode and times set, a changed symlink made again"
if [ "$xa" = 1 ] && command -v strace > /dev/null; then
	# The xattr's new value is written, and only that: the ACL stays.
	setfattr -n user.note -v day tree/a/b
	touch -r dirs/a/b tree/a/b
	strace -f -e trace=fsetxattr,setxattr,lsetxattr -o "$T/strace" \
	    "$ACP" -a -T --resume tree dirs
	[ "$(getfattr --only-values -n user.note dirs/a/b)" = day ] &&
	    getfacl -c dirs/a/b 2> /dev/null | grep -q "^user:nobody:r-x" &&
	    [ "$(grep -c "setxattr(" "$T/strace")" -eq 1 ] &&
	    grep -q 'fsetxattr(.*"user.note"' "$T/strace"
	ok $? "a directory's xattrs and ACL are compared: only the changed one is written"
	setfattr -x user.note tree/a/b
	setfacl -b tree/a/b
else
	skip "no strace, or no user xattrs or ACLs on $(stat -f -c %T .)"
fi
chmod "$m" tree/a
# Not per engine: under --fsync, a run that set no directory's metadata
# flushes no directory; one whose mode changed is flushed.
if command -v strace > /dev/null; then
	# Twice: the chmod moved tree/a's ctime, so the first read of it
	# moves its atime (relatime), which the second run takes over.
	"$ACP" -a -T --resume tree dirs
	"$ACP" -a -T --resume tree dirs
	strace -f -e trace=fsync,syncfs -o "$T/strace" "$ACP" -a -T --resume \
	    --fsync tree dirs
	none=$(grep -c "sync" "$T/strace")
	chmod 705 tree/a
	strace -f -e trace=fsync,syncfs -o "$T/strace" "$ACP" -a -T --resume \
	    --fsync tree dirs
	one=$(grep -c "sync" "$T/strace")
	chmod "$m" tree/a
	[ "$none" -eq 0 ] && [ "$one" -ge 1 ] && [ "$(stat -c %a dirs/a)" = 705 ]
	ok $? "--fsync flushes only directories whose metadata was set ($none, then $one)"
else
	skip "no strace"
fi
# Not as root: an owner it cannot give, and the set-ID bits that go
# with it, are not taken for a change (or every run would set them).
if id nobody > /dev/null 2>&1 && command -v setpriv > /dev/null &&
    [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	rm -rf nr && mkdir -p nr/s nr/d && chown nobody nr/d
	echo a > nr/s/a && echo b > nr/s/b && chmod 4755 nr/s/b
	as_nobody() {
		rc=0
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$ACP" "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
	}
	as_nobody -a -T nr/s nr/d/c
	as_nobody -a -T --resume --debug nr/s nr/d/c
	again=$rc
	chmod 604 nr/s/a
	as_nobody -a -T --resume --debug nr/s nr/d/c
	[ "$again" -eq 0 ] && [ "$rc" -eq 0 ] &&
	    [ "$(stat -c %a nr/d/c/a)" = 604 ] && [ "$(stat -c %a nr/d/c/b)" = 755 ] &&
	    grep -q "'nr/d/c/a': skipped: .* (owner and mode set again)" "$T/stderr" &&
	    ! grep -q "'nr/d/c/b': skipped: .* set again" "$T/stderr"
	ok $? "not as root: files owned by others are not set again each run, a new mode is"
else
	skip "needs root, setpriv and user nobody"
fi

# Not per engine (the walker's): --manifest written again each run (a
# nightly backup) lists every file, as after a fresh copy and in its
# order: a file skipped unread gets the line the manifest replaced had
# for it, in its turn.
# Into directories, named relative to them: both manifests' names alike.
cp -a tree nsrc
mkdir ncopy fcopy
m="-a --checksum --tag --manifest-relative"
# shellcheck disable=SC2086 # $m: several options
"$ACP" $m --manifest=n.sum nsrc ncopy
echo more >> nsrc/a/f4
# shellcheck disable=SC2086
run_acp $m --resume --manifest=n.sum --stats=json nsrc ncopy
hashed=$(jkey bytes_hashed)
files=$(jkey files)
# shellcheck disable=SC2086
"$ACP" $m --manifest=f.sum nsrc fcopy
[ "$rc" -eq 0 ] && [ "$files" -eq 1 ] &&
    [ "$hashed" -eq "$(fsize nsrc/a/f4)" ] &&
    [ "$(wc -l < n.sum)" -gt 20 ] && cmp -s n.sum f.sum &&
    (cd ncopy && "$ACP" --check=../n.sum > /dev/null)
ok $? "--manifest over the last run's: every file listed as a fresh copy would ($(wc -l < n.sum) lines, which check), only the changed one read ($hashed bytes)"

# A copy made again by a run without --manifest since (the file system's
# clock past the manifest's time first): its old line may be of what it
# held before, so it is not taken; the others are.
lines=$(wc -l < n.sum)
echo again >> nsrc/a/f5
until touch tick && [ "$(stat -c %y tick)" != "$(stat -c %y n.sum)" ]; do :; done
"$ACP" -a --resume nsrc ncopy
# shellcheck disable=SC2086
run_acp $m --resume --debug --manifest=n.sum nsrc ncopy
[ "$rc" -eq 0 ] && [ "$(wc -l < n.sum)" -eq $((lines - 1)) ] &&
    ! grep -q "(nsrc/a/f5)" n.sum &&
    grep -q "'nsrc/a/f5': no manifest line: its copy changed after the manifest replaced was written" "$T/stderr"
ok $? "a copy changed since the manifest was written gets no line from it"

# Untagged lines of xxh128 could be md5's: taken from a manifest acp
# marked as its own (user.acp.manifest: the algorithm, size and time);
# not from one written since by another tool (say why).
"$ACP" -a -T --checksum --manifest=u.sum nsrc ucopy
sort u.sum > u.before
if getfattr -n user.acp.manifest u.sum > /dev/null 2>&1; then
	run_acp -a -T --checksum --resume --debug --manifest=u.sum nsrc ucopy
	[ "$rc" -eq 0 ] && sort u.sum | cmp -s - u.before &&
	    grep -q "manifest 'u.sum' (marked as written by acp with this algorithm)" "$T/stderr"
	ok $? "untagged xxh128 lines of a manifest acp marked as its own are taken"
else
	skip "no user xattrs on $(stat -f -c %T .) to mark the manifest"
fi
# Written again in place (another tool's run), the same bytes: only its
# time moved (the file system's clock past the mark's first).
cat u.sum > u.tmp
until touch tick && [ "$(stat -c %y tick)" != "$(stat -c %y u.sum)" ]; do :; done
cat u.tmp > u.sum
run_acp -a -T --checksum --resume --debug --manifest=u.sum nsrc ucopy
[ "$rc" -eq 0 ] && [ ! -s u.sum ] &&
    grep -q "$(wc -l < f.sum) untagged (untagged lines of md5 and xxh128" "$T/stderr" &&
    grep -q "'ucopy/a/f4': no manifest line: the manifest replaced had none of xxh128" "$T/stderr"
ok $? "untagged xxh128 lines of a manifest written since by another tool are not taken, and --debug says why"
"$ACP" -a -T --checksum=sha256 --manifest=s.sum nsrc scopy
sort s.sum > s.before
run_acp -a -T --checksum=sha256 --resume --manifest=s.sum nsrc scopy
[ "$rc" -eq 0 ] && sort s.sum | cmp -s - s.before
ok $? "untagged sha256 lines of the last run are taken"

# A FIFO named by --manifest is a reader's: not read first (no hang).
mkfifo n.fifo
timeout 60 cat n.fifo > n.read &
reader=$!
run_acp -a -T --checksum=sha256 --resume --manifest=n.fifo nsrc scopy
wait "$reader"
[ "$rc" -eq 0 ] && [ ! -s n.read ]
ok $? "--manifest naming a FIFO under --resume: written, never read"

# Not per engine: the options it cannot go with, and copies without it.
run_acp --resume -n src.bin x
[ "$rc" -eq 2 ] && grep -q "cannot be combined with --no-clobber" "$T/stderr"
ok $? "--resume with -n is a usage error"
run_acp --resume -u src.bin x
[ "$rc" -eq 2 ]
ok $? "--resume with -u is a usage error"
run_acp --resume --backup src.bin x
[ "$rc" -eq 2 ]
ok $? "--resume with --backup is a usage error"
run_acp --resume=size src.bin x
[ "$rc" -eq 2 ] && grep -q "use quick or checksum" "$T/stderr"
ok $? "--resume=size is refused, naming the words it takes"
ln src.bin twin
run_acp --resume src.bin twin
[ "$rc" -eq 1 ] && grep -q "'src.bin' and 'twin' are the same file" "$T/stderr"
ok $? "a hard link of the source is still the same file, not up to date"
run_acp --check=m.sum --resume
[ "$rc" -eq 2 ]
ok $? "--check with --resume is a usage error"
if [ -n "$full" ]; then
	find full -mindepth 1 -delete && mount -o remount,size=2M full
	run_acp --atomic src.bin full/big
	[ "$rc" -eq 1 ] && [ -z "$(ls -A full)" ]
	ok $? "without --resume a copy cut short by a full disk leaves nothing"
else
	skip "needs root to mount a small tmpfs"
fi
done_testing
