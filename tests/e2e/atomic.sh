#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# --atomic, and a full disk: a failed or interrupted copy never damages
# what was there (with --atomic) and never leaves a short new file.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((7 * $(nengines) + 7))

mkdata "$T/src" 300000 atomic
mkdata "$T/chunk" 65536 chunk
cd "$T" || exit 1

# big_temporary: a temporary file of over 1000 KiB is under d.
big_temporary() {
	[ -n "$(find d -name '.acp-*' -size +1000k)" ]
}

no_temp() {	# DIR: no .acp-* temporary file left in DIR
	[ -z "$(find "$1" -maxdepth 1 -name '.acp-*' -print -quit)" ]
}

for e in $engines; do
	rm -rf d && mkdir d
	run_acp --engine="$e" --atomic src d/new
	[ "$rc" -eq 0 ] && cmp -s src d/new && no_temp d
	ok $? "$e: --atomic copies, no temporary file left"
	[ "$(stat -c %a d/new)" = "$(stat -c %a src)" ]
	ok $? "$e: the new file has the source's mode"

	echo "old" > d/old
	chmod 600 d/old
	run_acp --engine="$e" --atomic src d/old
	[ "$rc" -eq 0 ] && cmp -s src d/old && [ "$(stat -c %a d/old)" = 600 ]
	ok $? "$e: an existing destination is replaced and keeps its mode"

	echo "keep me" > d/keep
	run_acp --engine="$e" --atomic -n src d/keep
	[ "$rc" -eq 0 ] && [ "$(cat d/keep)" = "keep me" ]
	ok $? "$e: --atomic -n keeps an existing file"

	# Interrupted: the old destination stays whole.
	rm -f fifo && mkfifo fifo
	( while cat chunk 2> /dev/null; do :; done > fifo ) 2> /dev/null &
	writer=$!
	"$ACP" --engine="$e" --atomic fifo d/keep 2> "$T/stderr" &
	pid=$!
	wait_until big_temporary
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	kill "$writer" 2> /dev/null
	wait "$writer" 2> /dev/null
	[ "$rc" -eq 143 ] && [ "$(cat d/keep)" = "keep me" ]
	ok $? "$e: an interrupted --atomic copy leaves the old file untouched"
	no_temp d
	ok $? "$e: and no temporary file behind"

	# The file replaced keeps its ACL and extended attributes (cp writes
	# over it in place), and in a directory with a default ACL a new
	# one is made as cp makes it there: the kernel takes no umask off.
	if command -v setfacl > /dev/null && echo old > d/acl &&
	    setfacl -m u:nobody:r d/acl 2> /dev/null &&
	    setfattr -n user.acp -v kept d/acl 2> /dev/null && mkdir -p d/dacl &&
	    setfacl -d -m u:nobody:rwx d/dacl && echo old > d/acl2 &&
	    setfacl -m u:bin:r d/acl2 && ln -sf acl2 d/acl2link; then
		chmod 755 src
		rc=0
		(umask 077 && "$ACP" --engine="$e" --atomic src d/acl &&
		    "$ACP" --engine="$e" --atomic src d/dacl/new &&
		    cd d && "$ACP" --engine="$e" --atomic ../src acl2link) \
		    > "$T/stdout" 2> "$T/stderr" || rc=$?
		[ "$rc" -eq 0 ] && cmp -s src d/acl && cmp -s src d/acl2 &&
		    getfacl -cp d/acl | grep -q '^user:nobody:r--' &&
		    getfattr -n user.acp --only-values d/acl | grep -q kept &&
		    getfacl -cp d/acl2 | grep -q '^user:bin:r--' &&
		    [ "$(stat -c %A d/dacl/new)" = -rwxr-xr-x ]
		ok $? "$e: --atomic keeps the replaced file's ACL and attributes (through a symlink too); under a default ACL no umask, as cp"
	else
		skip "$e: no setfacl or setfattr, or no ACLs or user attributes here"
	fi
done
skip_engines 7

# A full disk: a small tmpfs.
if ! mount_tmpfs full 2M; then
	for _ in 1 2 3 4 5 6; do skip "needs root to mount a small tmpfs"; done
	exit 0
fi
mkdata small1 100000 s1
mkdata big 5000000 big
mkdata small2 100000 s2
# The small files, submitted first, are written in the ring's first round
# (200 KB of 2 MiB); the big one runs out of room after them.
run_acp small1 small2 big full
[ "$rc" -eq 1 ] && grep -q "acp: error writing 'full/big' at offset [0-9]*: No space left on device" "$T/stderr"
ok $? "ENOSPC: exit 1, the file and the reason named"
[ ! -e full/big ]
ok $? "ENOSPC: the short new file is removed"
cmp -s small1 full/small1 && cmp -s small2 full/small2
ok $? "ENOSPC: the files that fit are copied"

# Many files at once race for the space: whichever lose are named and
# gone, whichever win are whole; none is left short.
rm -f full/*
run_acp small1 big small2 full
whole_or_gone() {
	for f in small1 big small2; do
		if [ -e "full/$f" ]; then
			cmp -s "$f" "full/$f" || return 1
		else
			grep -q "acp: error writing 'full/$f' at offset [0-9]*: No space left on device" "$T/stderr" || return 1
		fi
	done
}
[ "$rc" -eq 1 ] && [ ! -e full/big ] && whole_or_gone
ok $? "ENOSPC, files in flight together: each whole, or removed and named"
rm -f full/*

head -c 1000000 big > full/big
cp full/big oldbig
run_acp --atomic big full/big
[ "$rc" -eq 1 ] && cmp -s oldbig full/big
ok $? "ENOSPC with --atomic: the old destination is untouched"
no_temp full
ok $? "ENOSPC with --atomic: no temporary file behind"

# A temporary that a killed run left: named on --debug, left alone (it
# may be a run still going).
rm -rf d && mkdir d && echo stale > d/.acp-new.Ab12Cd
run_acp --debug --atomic src d/new
[ "$rc" -eq 0 ] && cmp -s src d/new && [ -e d/.acp-new.Ab12Cd ] &&
    grep -q "acp: debug: 'd/.acp-new.Ab12Cd' looks like the temporary of an interrupted --atomic copy" "$T/stderr"
ok $? "--debug names a temporary left by an interrupted run, and leaves it"
done_testing
