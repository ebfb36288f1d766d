#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# What GNU coreutils' own cp tests found, each case in a scratch scene of
# its own: the same file reached through a symlink, backups that would
# replace the source, destinations made earlier in the same run, cp's
# option rules (-i, -n, -f, -b, abbreviations), dangling symlinks, hard
# links with -l, and the metadata -p keeps (ACLs, capabilities, group,
# a set-group-ID parent's bit).
. "${top_srcdir:-.}/tests/lib.sh"

ncases_engine=11
plan $((ncases_engine * $(nengines) + 41))
cd "$T" || exit 1

# scene: a fresh, empty directory $T/s, made the current one.
scene() {
	cd "$T" && rm -rf s && mkdir s && cd s || exit 1
}

for e in $engines; do
	scene
	echo precious > target && ln -s target sym
	run_acp --engine="$e" -d sym target
	[ "$rc" -eq 1 ] && grep -q "'sym' and 'target' are the same file" \
	    "$T/stderr" && [ -f target ] && [ ! -L target ] &&
	    [ "$(cat target)" = precious ]
	ok $? "$e: -d SYMLINK TARGET (it points there): refused, the target kept"

	run_acp --engine="$e" -a sym target
	[ "$rc" -eq 1 ] && [ ! -L target ] && [ "$(cat target)" = precious ]
	ok $? "$e: -a SYMLINK TARGET: refused, the target kept"

	if command -v setcap > /dev/null && command -v getcap > /dev/null &&
	    echo data > capfile && chown nobody capfile 2> /dev/null &&
	    setcap cap_net_bind_service=ep capfile 2> /dev/null; then
		run_acp --engine="$e" --preserve=all capfile capcopy
		[ "$rc" -eq 0 ] && getcap capcopy | grep -q cap_net_bind_service
		ok $? "$e: --preserve=all keeps a file capability (set after the chown)"
	else
		skip "$e: no setcap, or no file capabilities here"
	fi

	if command -v setfacl > /dev/null && echo data > aclfile &&
	    setfacl -m u:bin:rw aclfile 2> /dev/null; then
		run_acp --engine="$e" -p aclfile aclcopy
		[ "$rc" -eq 0 ] && getfacl -c aclcopy 2> /dev/null |
		    grep -q '^user:bin:rw-'
		ok $? "$e: -p keeps a POSIX ACL"
	else
		skip "$e: no setfacl, or no ACLs here"
	fi

	# A directory's default ACL is taken by what is made in it; the
	# mode kept (-a, -p) is the source's alone, as cp gives it.
	if command -v setfacl > /dev/null && mkdir -p in/sub out &&
	    echo data > in/sub/f && chmod 640 in/sub/f && chmod 750 in/sub &&
	    mkfifo in/sub/p && setfacl -d -m u:nobody:rwx out 2> /dev/null
	then
		run_acp --engine="$e" -a in out
		st=$rc
		for p in out/in out/in/sub out/in/sub/f out/in/sub/p; do
			getfacl -cp "$p" 2> /dev/null | grep -q nobody && st=1
			[ "$(stat -c %a "$p")" = \
			    "$(stat -c %a "in/${p#out/in}")" ] || st=1
		done
		[ "$st" -eq 0 ] && getfacl -cp out | grep -q default:user:nobody
		ok $? "$e: -a into a directory with a default ACL: the copies have none, as cp"

		echo old > old && setfacl -m u:nobody:rw old &&
		    run_acp --engine="$e" -p in/sub/f old
		[ "$rc" -eq 0 ] && [ "$(stat -c %a old)" = 640 ] &&
		    ! getfacl -cp old 2> /dev/null | grep -q nobody
		ok $? "$e: -p over a file with an ACL: the source's mode, no ACL left"
	else
		skip "$e: no setfacl, or no ACLs here"
		skip "$e: no setfacl, or no ACLs here"
	fi

	# A set-group-ID directory's subdirectories take its bit at mkdir
	# and keep it, as cp keeps it; a source with a sticky bit has its
	# mode set whole, without it.
	# The files made there take its group, and -a gives back theirs.
	rm -rf in out && mkdir -p in/sub in/st out && chmod 755 in/sub &&
	    chmod 1777 in/st && echo f > in/sub/f &&
	    chown "$(id -u):$(id -g)" in/sub/f &&
	    chgrp adm out 2> /dev/null && chmod 2775 out
	run_acp --engine="$e" -a in out
	[ "$rc" -eq 0 ] && [ "$(stat -c %a out/in)" = 2755 ] &&
	    [ "$(stat -c %a out/in/sub)" = 2755 ] &&
	    [ "$(stat -c %a out/in/st)" = 1777 ] &&
	    [ "$(stat -c %g out/in/sub/f)" = "$(id -g)" ]
	ok $? "$e: -a into a set-group-ID directory: the directories made keep its bit, the files their group, as cp"

	# A file written over is not given the owner it has: that chown
	# would drop its set-user-ID bit, which cp leaves.
	rm -f suid && echo old > suid && chmod 4755 suid && echo new > newer
	run_acp --engine="$e" -a --no-preserve=mode newer suid
	[ "$rc" -eq 0 ] && [ "$(stat -c %a suid)" = 4755 ] &&
	    [ "$(cat suid)" = new ]
	ok $? "$e: -a --no-preserve=mode over a set-user-ID file of the same owner: its mode left, as cp"

	# An ACL is part of the mode, not an extended attribute (cp's rule).
	if command -v setfacl > /dev/null && command -v getfattr > /dev/null &&
	    echo data > xa && setfacl -m u:nobody:rw xa 2> /dev/null &&
	    setfattr -n user.acp -v kept xa 2> /dev/null; then
		run_acp --engine="$e" --preserve=xattr xa xacopy
		[ "$rc" -eq 0 ] &&
		    getfattr -n user.acp --only-values xacopy | grep -q kept &&
		    ! getfacl -cp xacopy 2> /dev/null | grep -q nobody
		ok $? "$e: --preserve=xattr: user attributes kept, the ACL not"

		rm -rf dacl && mkdir dacl && setfacl -d -m u:nobody:rwx dacl &&
		    chmod 600 xa
		run_acp --engine="$e" -a --no-preserve=mode xa dacl/
		[ "$rc" -eq 0 ] && ! getfacl -cp dacl/xa | grep -q nobody &&
		    [ "$(stat -c %a dacl/xa)" = \
		    "$(printf %o $((0666 & ~$(umask))))" ]
		ok $? "$e: --no-preserve=mode: cp's default mode, no ACL taken from the directory"
	else
		skip "$e: no setfacl or setfattr, or no ACLs or user attributes here"
		skip "$e: no setfacl or setfattr, or no ACLs or user attributes here"
	fi

	# /etc/xattr.conf (libattr's, read by cp): "skip" attributes stay.
	if grep -q '^user\.Beagle\.\*[[:space:]]*skip' /etc/xattr.conf \
	    2> /dev/null && mkdir -p xs/d && echo data > xs/f &&
	    setfattr -n user.Beagle.MimeType -v text xs/f 2> /dev/null &&
	    setfattr -n user.Beagle.MimeType -v dir xs/d &&
	    setfattr -n user.acp -v kept xs/f && setfattr -n user.acp -v kept xs/d
	then
		run_acp --engine="$e" -a xs xacp
		cp -a xs xcp
		(getfattr -R -d xacp | sed 's/^# file: xacp/# file: x/'
		    getfattr -R -d xcp | sed 's/^# file: xcp/# file: x/') |
		    sort | uniq -u > only
		[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] && [ ! -s only ] &&
		    [ "$(getfattr -R -d xacp | grep -c 'user.acp="kept"')" = 2 ] &&
		    ! getfattr -R -d xacp | grep -q Beagle &&
		    [ "$(getfattr -R -d xs | grep -c Beagle)" = 2 ]
		ok $? "$e: -a leaves out what /etc/xattr.conf says to skip (user.Beagle.*), as cp -a"
	else
		skip "$e: no user.Beagle.* skip line in /etc/xattr.conf, or no user attributes here"
	fi
done
skip_engines $ncases_engine

scene
echo source > 'a~' && echo dest > a
run_acp --backup=simple 'a~' a
[ "$rc" -eq 1 ] && grep -q "backing up 'a' might destroy source" \
    "$T/stderr" && [ "$(cat 'a~')" = source ] && [ "$(cat a)" = dest ]
ok $? "--backup=simple a~ a: refused, both kept"

scene
echo new > f && echo old > g
run_acp --b=simple f g
[ "$rc" -eq 0 ] && [ "$(cat 'g~')" = old ] && [ "$(cat g)" = new ]
ok $? "--b means --backup, as in cp"

scene
mkdir a b c && echo outside > outside && ln -s ../outside a/1 &&
    echo data > b/1
run_acp -dR a/1 b/1 c
[ "$rc" -eq 1 ] && grep -q "will not copy 'b/1' through just-created symlink 'c/1'" \
    "$T/stderr" && [ "$(cat outside)" = outside ] && [ -L c/1 ]
ok $? "-dR a/1 b/1 c: not written through the symlink it just made"

scene
echo data > a && mkdir d
run_acp a a d/
[ "$rc" -eq 0 ] && grep -q "warning: source file 'a' specified more than once" \
    "$T/stderr" && [ "$(cat d/a)" = data ]
ok $? "a a d/: copied once, with cp's warning"

scene
mkdir a b c && echo first > a/f && echo second > b/f
run_acp --backup a/f b/f c
[ "$rc" -eq 1 ] && grep -q "will not overwrite just-created 'c/f' with 'b/f'" \
    "$T/stderr" && [ "$(cat c/f)" = first ]
ok $? "--backup a/f b/f c: the first copy is not overwritten"

scene
mkdir a b c && echo first > a/f && echo second > b/f
run_acp --backup=numbered a/f b/f c
[ "$rc" -eq 0 ] && [ "$(cat c/f)" = second ] && [ "$(cat 'c/f.~1~')" = first ]
ok $? "--backup=numbered a/f b/f c: the first kept as a backup"

scene
echo new > e && echo old > f
rc=0
echo n | "$ACP" -i -f e f > "$T/stdout" 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && grep -q "overwrite 'f'?" "$T/stderr" && [ "$(cat f)" = old ]
ok $? "-i -f still asks; answered n: kept, exit 0 (cp 9.1)"

run_acp -nf e f
[ "$rc" -eq 0 ] && [ "$(cat f)" = old ]
ok $? "-nf: -n is not undone by -f"

run_acp -bn e f
[ "$rc" -ne 0 ] && grep -q "mutually exclusive" "$T/stderr" &&
    [ "$(cat f)" = old ]
ok $? "-bn: refused as cp refuses it"

scene
mkdir -p a b/a/c && echo x > a/c
rc=0
echo n | "$ACP" -iR a b > "$T/stdout" 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && grep -q "overwrite 'b/a/c'?" "$T/stderr" && [ -d b/a/c ]
ok $? "-iR: asked before the directory in the way is an error"

scene
echo data > f && touch -d 2001-02-03 f
run_acp --preserve=owner,timestamp f g
[ "$rc" -eq 0 ] && [ "$(stat -c %Y f)" = "$(stat -c %Y g)" ]
ok $? "--preserve=owner,timestamp: abbreviations as cp takes them"

scene
echo data > f && ln -s no-such dangling
run_acp --remove-destination f dangling
[ "$rc" -eq 0 ] && [ -f dangling ] && [ ! -L dangling ] &&
    [ "$(cat dangling)" = data ] && [ ! -e no-such ]
ok $? "--remove-destination onto a dangling symlink: replaced"

scene
echo data > f && ln -s no-such dangling
run_acp f dangling
[ "$rc" -eq 1 ] && grep -q "not writing through dangling symlink" "$T/stderr"
ok $? "onto a dangling symlink: refused"

rc=0
POSIXLY_CORRECT=1 "$ACP" f dangling > "$T/stdout" 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && [ -L dangling ] && [ "$(cat no-such)" = data ]
ok $? "POSIXLY_CORRECT: written through the dangling symlink"

scene
echo data > f && ln -s loop loop
run_acp -f f loop
[ "$rc" -eq 0 ] && [ ! -L loop ] && [ "$(cat loop)" = data ]
ok $? "-f onto a symlink to itself: replaced"

scene
echo one > f1 && echo two > f2 && ln -s f1 sym
run_acp -a --attributes-only sym f2
[ "$rc" -eq 1 ] && [ ! -L f2 ] && [ "$(cat f2)" = two ]
ok $? "-a --attributes-only SYMLINK FILE: refused, the file kept"

scene
echo data > t && ln -s t sl
run_acp -l sl hard
[ "$rc" -eq 0 ] && [ ! -L hard ] && [ "$(stat -c %i hard)" = "$(stat -c %i t)" ]
ok $? "-l through a symlink it follows: a hard link to the target"

run_acp -P -l sl hard2
[ "$rc" -eq 0 ] && [ -L hard2 ] && [ "$(stat -c %i hard2)" = "$(stat -c %i sl)" ]
ok $? "-P -l: a hard link to the symlink itself"

scene
echo data > foo
run_acp -b -f foo foo
[ "$rc" -eq 0 ] && [ "$(cat 'foo~')" = data ] && [ "$(cat foo)" = data ]
ok $? "-bf FILE FILE: the copy is the backup"

scene
umask 022
echo data > f && chmod 600 f && mkdir d && chmod 705 d
run_acp --no-preserve=mode f g && run_acp -r --no-preserve=mode d d2
[ "$rc" -eq 0 ] && [ "$(stat -c %a g)" = 644 ] && [ "$(stat -c %a d2)" = 755 ]
ok $? "--no-preserve=mode: cp's default modes (0666, 0777 less the umask)"

scene
echo data > f && mkdir d
run_acp --parents f/g d
[ "$rc" -eq 1 ] && [ ! -e d/f ]
ok $? "--parents f/g d (f a file): refused, no stray d/f"

scene
mkdir -p np/b np_dest && echo data > np/b/file && chmod 0700 np
run_acp --parents --no-preserve=mode np/b/file np_dest/
[ "$rc" -eq 0 ] && [ "$(stat -c %a np_dest/np)" = 755 ] &&
    [ "$(cat np_dest/np/b/file)" = data ]
ok $? "--parents --no-preserve=mode: the directories made are 0755"

# -p: the new file is owner-only until its owner is set.  The copy
# reads a FIFO whose writer holds it open until the mode was looked at.
scene
mkfifo fifo
"$ACP" -p --copy-contents fifo copy > "$T/stdout" 2> "$T/stderr" &
pid=$!
exec 3> fifo
echo some >&3
wait_until test -e copy
mode=$(stat -c %a copy 2> /dev/null)
exec 3>&-
rc=0
wait "$pid" || rc=$?
[ "$mode" = 600 ] && [ "$rc" -eq 0 ] && [ "$(cat copy)" = some ]
ok $? "-p: created owner-only (mode $mode while the data came)"

scene
echo data > b
run_acp b no-such/
[ "$rc" -eq 1 ] && grep -q "cannot create regular file 'no-such/': Not a directory" \
    "$T/stderr" && [ ! -e no-such ]
ok $? "FILE no-such/: cp's message, nothing made"

scene
echo data > a && ln -s a b && mkdir c
run_acp --preserve=links -R -H a b c
[ "$rc" -eq 0 ] && [ "$(stat -c %i c/a)" = "$(stat -c %i c/b)" ]
ok $? "--preserve=links -H: a file and a symlink to it given: one inode"

scene
mkdir -p s t/s && touch s/f && ln s/f s/linkm && ln s/f s/fileu &&
    touch t/s/f && touch -d '+1 hour' t/s/fileu
run_acp -au s t
[ "$rc" -eq 0 ] && [ "$(stat -c %i t/s/f)" = "$(stat -c %i t/s/linkm)" ] &&
    [ "$(stat -c %i t/s/f)" = "$(stat -c %i t/s/fileu)" ]
ok $? "-au into an existing tree: names -u keeps still join the inode"

scene
mkdir d c && echo data > d/a && ln -s a d/b
run_acp --preserve=links -R -L d c
[ "$rc" -eq 0 ] && [ "$(stat -c %i c/d/a)" = "$(stat -c %i c/d/b)" ]
ok $? "--preserve=links -L: a file and a symlink to it in a tree: one inode"

# --parents --preserve=mode: the directory made is not group- or
# other-writable while the copy fills it (a FIFO holds the copy).
scene
umask 002
mkdir -p m/sub d && chmod 775 m/sub && mkfifo m/sub/fifo
"$ACP" --preserve=mode -R --copy-contents --parents m/sub d \
    > "$T/stdout" 2> "$T/stderr" &
pid=$!
exec 3> m/sub/fifo
wait_until test -e d/m/sub/fifo
during=$(stat -c %a d/m/sub 2> /dev/null)
echo data >&3
exec 3>&-
rc=0
wait "$pid" || rc=$?
umask 022
[ "$rc" -eq 0 ] && [ "$during" = 755 ] && [ "$(stat -c %a d/m/sub)" = 775 ]
ok $? "--parents --preserve=mode: not group-writable while filled ($during), 775 after"

if command -v setpriv > /dev/null; then
	scene
	chmod 777 . && mkdir locked && chmod 700 locked && echo data > f &&
	    chmod 644 f && ln -s locked/x l
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$ACP" f l > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 1 ] && grep -q "cannot stat 'l': Permission denied" \
	    "$T/stderr"
	ok $? "a destination symlink into an unreadable directory: cp's message"
else
	skip "no setpriv"
fi

# Found by review.
scene
mkdir -p a/b dst && echo x > a/b/f
(cd a/b && "$ACP" -r .. ../../dst/) > "$T/stdout" 2> "$T/stderr"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat dst/b/f)" = x ] && [ ! -e b ]
ok $? "-r .. DIR/: the contents of .. go into DIR, never into DIR/.."

# The destination becomes the source (a hard link) after the policy
# looked and before the copy opens it: -i holds the run at its question
# while the test swaps the file, through a FIFO.
scene
echo precious > src && echo other > dst && mkfifo answer
"$ACP" -i src dst < answer > "$T/stdout" 2> "$T/stderr" &
pid=$!
exec 3> answer
wait_said "overwrite"
rm dst && ln src dst
echo y >&3
exec 3>&-
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 1 ] && grep -q "are the same file" "$T/stderr" &&
    [ "$(cat src)" = precious ]
ok $? "dst made a hard link to the source after the check: refused, nothing cut"

scene
echo new > s && mkdir o && echo old > o/t && ln -s o/t l
run_acp --atomic s l
[ "$rc" -eq 0 ] && [ -L l ] && [ "$(cat o/t)" = new ] && [ "$(ls o)" = t ]
ok $? "--atomic onto a symlink: the file it leads to replaced, the link kept"

scene
echo new > s && echo old > d && chown nobody:users d 2> /dev/null
run_acp --atomic s d
[ "$rc" -eq 0 ] && [ "$(cat d)" = new ] &&
    [ "$(stat -c %U:%G d)" = "nobody:users" ]
ok $? "--atomic as root: the replaced file keeps its owner and group"

if command -v setpriv > /dev/null; then
	scene
	chmod 777 . && echo new > s && echo ro > r && chmod 444 r
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$ACP" --atomic s r > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 1 ] && grep -q "cannot open 'r' for writing" "$T/stderr" &&
	    [ "$(cat r)" = ro ]
	ok $? "--atomic, a file the caller may not write: refused as cp without -f"
else
	skip "no setpriv"
fi

if command -v strace > /dev/null; then
	scene
	mkdir -p src/d dst && ln -s x src/d/l && mkfifo src/d/p
	# -y names each descriptor's file: fsync(4</path/dst/d>).  (Leak
	# checking cannot run under ptrace.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -y -e trace=fsync -o "$T/trace" \
	    "$ACP" -r --fsync src/d dst/ > "$T/stdout" 2> "$T/stderr"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q 'fsync([0-9]*<[^>]*/dst/d>)' "$T/trace"
	ok $? "--fsync flushes a directory that gained only a symlink and a FIFO"
else
	skip "no strace"
fi

scene
mkdir s d && printf x > "s/$(printf 'c\rd')" && printf x > 's/b\s'
run_acp -r --checksum=sha256 --manifest="$T/m" --manifest-relative s/. d
[ "$rc" -eq 0 ] && grep -q '^\\[0-9a-f]*  ./c\\rd$' "$T/m"
ok $? "--manifest: a carriage return in a name is escaped as sha256sum writes it"

(cd d && sha256sum -c "$T/m") > "$T/want" 2>&1
rc=0
(cd d && "$ACP" --check="$T/m") > "$T/got" 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && cmp -s "$T/want" "$T/got"
ok $? "--check reads it back, and says OK in sha256sum -c's words"

# Under a default ACL the kernel takes no umask: what the modes asked of
# mkdir and mknod are then shows, and must be cp's (the group's write
# left off a directory being filled, a special file made as the source).
scene
if command -v setfacl > /dev/null && mkdir -p in/sg in/st out o2 &&
    chmod 2775 in/sg && chmod 1777 in/st && mkfifo -m 620 in/p &&
    setfacl -d -m u:nobody:rwx out o2 2> /dev/null; then
	rc=0
	(umask 027 && "$ACP" -r in out && "$ACP" -r --preserve=ownership in o2) \
	    > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && [ "$(stat -c %A out/in/sg)" = drwxr-xr-x ] &&
	    [ "$(stat -c %A out/in/st)" = drwxr-xr-t ] &&
	    [ "$(stat -c %A out/in/p)" = prw--w---- ] &&
	    [ "$(stat -c %A o2/in/p)" = prw------- ]
	ok $? "-r into a directory with a default ACL: cp's modes, the umask not taken"
else
	skip "no setfacl, or no ACLs here"
fi

# In a set-group-ID directory: a directory made keeps the bit it takes
# there whatever mode it ends with, unless a kept mode with a sticky or
# set-ID bit is set whole; a chown refused leaves cp no such bits of the
# source's to set, and the bit stays (non-root -a).
scene
mkdir -p in/st out o3 && chmod 755 in && chmod 1777 in/st &&
    chgrp adm out && chmod 2775 out
rc=0
(umask 022 && "$ACP" -r in out) > "$T/stdout" 2> "$T/stderr" || rc=$?
[ "$rc" -eq 0 ] && [ "$(stat -c %a out/in)" = 2755 ] &&
    [ "$(stat -c %a out/in/st)" = 3755 ]
ok $? "-r into a set-group-ID directory: the bit kept, beside a sticky source's"
if command -v setpriv > /dev/null; then
	chmod 777 . && chown nobody:nogroup o3 && chmod 2775 o3
	rc=0
	(umask 022 && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$ACP" -a in o3) > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && [ "$(stat -c %a o3/in)" = 2755 ] &&
	    [ "$(stat -c %a o3/in/st)" = 3777 ]
	ok $? "non-root -a into a set-group-ID directory: the bit kept, the owner not"
else
	skip "no setpriv"
fi

# A non-root -p of someone else's file, in a group of ours, keeps the group.
scene
if command -v setpriv > /dev/null && getent group users > /dev/null; then
	chmod 777 . && echo data > f && chown root:users f && chmod 644 f
	rc=0
	setpriv --reuid=nobody --regid=nogroup --groups=users \
	    "$ACP" -p f g > "$T/stdout" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && [ "$(stat -c %G:%U g)" = users:nobody ]
	ok $? "non-root -p: the owner cannot be kept, the group can"
else
	skip "no setpriv, or no group 'users'"
fi

done_testing
