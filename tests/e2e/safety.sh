#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Nothing lost: signals stop the copy with 130/143/129 and remove a new
# half-written file (an old one is named), a source that changes during
# its copy gives exit 4 and no manifest line, and --fsync flushes the
# file's data and the directory.
. "${top_srcdir:-.}/tests/lib.sh"

plan $((6 * $(nengines) + 4))

mkdata "$T/chunk" 65536 chunk

# A FIFO that never runs dry, so the copy is still going when signalled.
start_writer() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	( while cat "$T/chunk" 2> /dev/null; do :; done > "$T/fifo" ) 2> /dev/null &
	writer=$!
}
stop_writer() {
	kill "$writer" 2> /dev/null
	wait "$writer" 2> /dev/null
}

# interrupt ENGINE SIGNAL DST: copy the endless FIFO, signal acp once it
# has written something; $rc and $T/stderr as run_acp.
interrupt() {
	start_writer
	"$ACP" --engine="$1" "$T/fifo" "$3" 2> "$T/stderr" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$3" ] && [ "$(stat -c %s "$3")" -gt 1000000 ] && break
		sleep 0.05
	done
	kill -s "$2" "$pid"
	rc=0
	wait "$pid" || rc=$?
	stop_writer
}

for e in $engines; do
	rm -f "$T/dst"
	interrupt "$e" TERM "$T/dst"
	[ "$rc" -eq 143 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGTERM exits 143 and removes the half-written new file"
	expect_err "acp: interrupted by signal 15" "$e: SIGTERM is reported"

	interrupt "$e" INT "$T/dst"
	[ "$rc" -eq 130 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGINT exits 130 and removes the half-written new file"

	interrupt "$e" HUP "$T/dst"
	[ "$rc" -eq 129 ] && [ ! -e "$T/dst" ]
	ok $? "$e: SIGHUP exits 129"

	echo "old content" > "$T/old"
	interrupt "$e" TERM "$T/old"
	[ "$rc" -eq 143 ] && [ -e "$T/old" ]
	ok $? "$e: an existing destination is left in place"
	expect_err "interrupted: '$T/old' was partly overwritten" \
	    "$e: and named in the message"
done
skip_engines 6

# A source that grows while it is copied.
mkdata "$T/grow" 20000000 grow
touch "$T/keep-going"
( while [ -e "$T/keep-going" ]; do echo x >> "$T/grow"; done ) &
appender=$!
sleep 0.2
run_acp --engine=sync --queue-depth=1 --block-size=4K --checksum \
    --manifest="$T/m.txt" "$T/grow" "$T/gdst"
rm -f "$T/keep-going"
wait "$appender"
[ "$rc" -eq 4 ] && grep -q "acp: '$T/grow' changed while being copied" "$T/stderr"
ok $? "a source that changes while copied: a warning and exit 4"
[ -e "$T/m.txt" ] && [ ! -s "$T/m.txt" ]
ok $? "its manifest line is left out"

if command -v strace > /dev/null; then
	mkdir -p "$T/sync"
	rc=0
	# LeakSanitizer cannot run under ptrace.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -e trace=fdatasync,fsync -o "$T/strace" "$ACP" --fsync \
	    "$T/chunk" "$T/sync/c" 2> "$T/stderr" || rc=$?
	[ "$rc" -eq 0 ] && cmp -s "$T/chunk" "$T/sync/c" &&
	    grep -q "^[0-9]* *fdatasync(" "$T/strace"
	ok $? "--fsync flushes the file's data"
	grep -q "^[0-9]* *fsync(" "$T/strace"
	ok $? "--fsync flushes the directory that gained the file"
else
	skip "strace is not installed"
	skip "strace is not installed"
fi
done_testing
