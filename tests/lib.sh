# shellcheck shell=sh
# SPDX-License-Identifier: BSD-2-Clause
# Shared helpers for the end-to-end tests: TAP output, a scratch directory
# removed on exit, seeded data, running acp under a timeout, and the list
# of engines this machine can start.  Sourced by tests/e2e/*.sh (POSIX sh).

: "${ACP:?ACP must point at the acp binary}"
LC_ALL=C
export LC_ALL

tap_n=0
tap_fail=0
tap_planned=0

plan() {
	tap_planned=$1
	echo "1..$1"
}

# skip_all REASON: every planned case not yet run is skipped; exit 0.
skip_all() {
	while [ "$tap_n" -lt "$tap_planned" ]; do
		skip "$1"
	done
	exit 0
}

# ok COND-STATUS DESCRIPTION: ok when the status is 0.
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_fail=$((tap_fail + 1))
		# Its first and last lines: how it started, how it ended.
		if [ "$(wc -l < "$T/stderr" 2> /dev/null || echo 0)" -gt 20 ]; then
			sed 's/^/# stderr: /' "$T/stderr" | head -10
			echo "# stderr: ... ($(wc -l < "$T/stderr") lines)"
			sed 's/^/# stderr: /' "$T/stderr" | tail -10
		elif [ -s "$T/stderr" ]; then
			sed 's/^/# stderr: /' "$T/stderr"
		fi
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

diag() {
	echo "# $*"
}

T=$(mktemp -d "${TMPDIR:-/tmp}/acp-test.XXXXXX")
cleanup() {
	for m in $cleanup_mounts; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$T"
}
cleanup_mounts=""
trap cleanup EXIT
trap 'exit 130' INT TERM

# mkdata FILE SIZE SEED: SIZE bytes of reproducible pseudo-random data.
mkdata() {
	if [ "$2" -eq 0 ]; then
		: > "$1"
		return
	fi
	openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$3" \
	    < /dev/zero 2>/dev/null | head -c "$2" > "$1"
}

# cached_pages FILE: how many of FILE's pages the page cache holds
# (util-linux fincore); nothing, status 1, where fincore is missing.
cached_pages() {
	command -v fincore > /dev/null || return 1
	_pages=$(fincore -n -o PAGES "$1" 2> /dev/null | tr -d ' ')
	echo "${_pages:-0}"
}

# drop_pages FILE...: ask once that each FILE's pages leave the page
# cache (GNU dd: nocache, count=0), all flushed first by one sync (dirty
# pages stay).  Only advice, not checked; 1 if a FILE cannot be flushed
# or read.  No FILE: nothing done (a bare sync would flush everything).
drop_pages() {
	[ "$#" -gt 0 ] || return 0
	sync "$@" || return 1
	for _dp in "$@"; do
		dd if="$_dp" iflag=nocache count=0 status=none 2> /dev/null ||
		    return 1
	done
}

# evict FILE [PAGES]: drop FILE from the page cache, checked with
# fincore where util-linux has it: fewer than PAGES (100) may stay,
# asked again a few times.  1 if more stayed.
evict() {
	for _ in 1 2 3 4 5; do
		drop_pages "$1" || :
		_pages=$(cached_pages "$1") || return 0
		[ "$_pages" -lt "${2:-100}" ] && return 0
		sleep 0.2
	done
	return 1
}

# direct_ok FILE: the filesystem holding FILE takes O_DIRECT reads.
direct_ok() {
	dd if="$1" of=/dev/null bs=4096 count=1 iflag=direct status=none \
	    2> /dev/null
}

# faultfs_missing: why the FUSE tests cannot run here, or nothing.
faultfs_missing() {
	if [ ! -x "${FAULTFS:-}" ]; then
		echo "no faultfs helper (configure found no libfuse3)"
	elif [ "$(id -u)" != 0 ]; then
		echo "needs root to mount FUSE"
	elif [ ! -c /dev/fuse ]; then
		echo "no /dev/fuse"
	fi
}

# mount_faultfs MOUNTPOINT ARGS...: mount tests/faultfs there with ARGS,
# single-threaded (its state is plain globals, and it keeps the order)
# and with no attribute cache (a size that moves is seen at once), and
# unmount it at exit ($faultfs_pid is its process).  1, with the reason in $T/faultfs.err, if it did
# not come up.
mount_faultfs() {
	_mnt=$1
	shift
	mkdir -p "$_mnt"
	"$FAULTFS" "$@" "$_mnt" -f -s \
	    -o attr_timeout=0,entry_timeout=0,negative_timeout=0 \
	    2> "$T/faultfs.err" &
	faultfs_pid=$!
	for _ in $(seq 300); do
		[ -e "$_mnt/good" ] && break
		sleep 0.1
	done
	if [ ! -e "$_mnt/good" ]; then
		kill "$faultfs_pid" 2> /dev/null
		return 1
	fi
	cleanup_mounts="$cleanup_mounts $_mnt"
}

# mount_tmpfs DIR SIZE: a tmpfs of SIZE at $T/DIR (root only), unmounted
# at exit; 1 if it cannot be had.
mount_tmpfs() {
	{ [ "$(id -u)" = 0 ] && mkdir -p "$T/$1" &&
	    mount -t tmpfs -o "size=$2" tmpfs "$T/$1" 2> /dev/null; } ||
	    return 1
	cleanup_mounts="$cleanup_mounts $T/$1"
}

# gated_faultfs: faultfs at $T/mnt (4 MiB files, errors past 1 MiB) with
# its barrier's FIFOs in $T/gate; fuse=mnt, or fuse_why says why not.
# shellcheck disable=SC2034 # fuse is the calling test's
gated_faultfs() {
	fuse=""
	fuse_why=$(faultfs_missing)
	[ -z "$fuse_why" ] || return
	mkdir -p "$T/gate" && mkfifo "$T/gate/reached" "$T/gate/release"
	if mount_faultfs "$T/mnt" -s 4194304 -e 1048576 -g "$T/gate"; then
		fuse=mnt
	else
		fuse_why="cannot mount faultfs: $(head -1 "$T/faultfs.err")"
	fi
}

# run_acp ARGS...: run acp with a timeout; status in $rc, output in
# $T/stdout and $T/stderr.
run_acp() {
	rc=0
	timeout 120 "$ACP" "$@" > "$T/stdout" 2> "$T/stderr" || rc=$?
}

# peak_kib CMD...: run CMD (its stderr dropped) under GNU time and print
# its peak resident memory in KiB.
peak_kib() {
	/usr/bin/time -f %M -o "$T/rss" "$@" 2> /dev/null
	tail -1 "$T/rss"
}

# wait_until CMD...: run CMD every 0.1 s until it succeeds (status 0),
# or give up after 60 s (status 1).  Tests wait so for what a process
# in the background must have done before they go on: a sign, never a
# time.
wait_until() {
	_n=0
	until "$@"; do
		[ "$_n" -ge 600 ] && return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

# ended PID: PID is gone, or a zombie (which still answers kill -0).
ended() {
	kill -0 "$1" 2> /dev/null || return 0
	case $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' \
	    /proc/"$1"/status 2> /dev/null) in
	Z | "") return 0 ;;
	esac
	return 1
}

# reap PID: wait for PID, a job of this shell, but kill -9 it after 60 s
# (a hang, said in the log with each thread's wait channel); its status
# in rc.  Descriptor 3, the test's end of a FIFO the job reads (if
# open), is closed before the wait: bash waits for a whole pipeline, a
# cat reading that FIFO included, which ends at its end of file.  It
# polls instead of running a watchdog subshell: such a subshell, killed
# before it has dropped the test's traps, would clean up $T.
reap() {
	if ! wait_until ended "$1"; then
		# Say where it was stuck, thread by thread, for the log.
		diag "pid $1 still running after 60 s: killed"
		for _t in /proc/"$1"/task/*; do
			diag "  thread $(cat "$_t/comm" 2> /dev/null):" \
			    "$(cat "$_t/wchan" 2> /dev/null)," \
			    "$(sed -n 's/^State:[[:space:]]*//p' "$_t/status" \
			    2> /dev/null)"
		done
	fi
	kill -s KILL "$1" 2> /dev/null
	exec 3>&-
	rc=0
	wait "$1" || rc=$?
}

# said PATTERN: $T/stderr matches the grep pattern.
said() {
	grep -q -- "$1" "$T/stderr"
}

# wait_said PATTERN: wait (at most 60 s) until $T/stderr, written by a
# process in the background, matches the grep pattern.
wait_said() {
	wait_until said "$1"
}

# expect_rc WANT DESCRIPTION
expect_rc() {
	[ "$rc" -eq "$1" ]
	ok $? "$2 (exit $rc, want $1)"
}

# expect_err PATTERN DESCRIPTION: stderr matches the grep pattern.
expect_err() {
	said "$1"
	ok $? "$2"
}

# The engines to test: ACP_TEST_ENGINES, else every engine acp can
# start here.  Unstartable ones go to $skipped_engines with the reason.
engines=""
skipped_engines=""
probe_engines() {
	_want=${ACP_TEST_ENGINES:-uring aio sync}
	: > "$T/probe.src"
	for _e in $_want; do
		if "$ACP" --engine="$_e" "$T/probe.src" "$T/probe.dst" \
		    2> "$T/probe.err"; then
			engines="$engines $_e"
		else
			skipped_engines="$skipped_engines $_e:$(head -1 "$T/probe.err" | tr ' ' '_')"
		fi
		rm -f "$T/probe.dst"
	done
	rm -f "$T/probe.src" "$T/probe.err"
}
probe_engines

# skip_engines N: N skips per engine that cannot run here.
skip_engines() {
	for _s in $skipped_engines; do
		_i=0
		while [ "$_i" -lt "$1" ]; do
			skip "engine ${_s%%:*} cannot start: ${_s#*:}"
			_i=$((_i + 1))
		done
	done
}

# nengines: the count of requested engines, runnable or not.
nengines() {
	# shellcheck disable=SC2086
	set -- ${ACP_TEST_ENGINES:-uring aio sync}
	echo $#
}

done_testing() {
	[ "$tap_fail" -eq 0 ]
}
