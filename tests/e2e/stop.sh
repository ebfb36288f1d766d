#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A signal stops a copy whose read is blocked: on a FIFO, on a pipe, on
# a file system that stalled (faultfs's gate: a FUSE read that is not
# answered until the test says so), and --check of a FIFO.  What is in
# flight is cancelled, the new file is removed, an --atomic temporary
# too, even when a second signal comes; the exit status is 128 + the
# signal.  The order is forced: the test feeds "part", waits until acp
# sleeps in a read of its source (its threads' wchan, or the gate), then
# signals.  A hang is caught by a bound on the wait, not by timing.
# A create that the stalled file system does not answer is stopped the
# same way: a create is made on acp's own thread only where the
# directory's file system is local, never on FUSE.
. "${top_srcdir:-.}/tests/lib.sh"

per=6
plan $((per * $(nengines)))
cd "$T" || exit 1

# The stalled file system: faultfs's file "gated" stops the first read
# that reaches 1 MiB until the test writes to gate/release.
fuse=$(faultfs_missing)
if [ -z "$fuse" ]; then
	mkdir gate && mkfifo gate/reached gate/release
	mount_faultfs "$T/mnt" -s 8388608 -e 1048576 -g "$T/gate" ||
	    fuse="cannot mount faultfs: $(head -1 "$T/faultfs.err")"
fi

# in_read PID: one of its threads sleeps in a pipe read, or the main one
# waits for io_uring completions with nothing else to do: the copy is
# blocked on its source.
in_read() {
	for _w in /proc/"$1"/task/*/wchan; do
		case $(cat "$_w" 2> /dev/null) in
		*pipe_read* | *pipe_wait* | io_cqring_wait) return 0 ;;
		esac
	done
	return 1
}

# stop_fed PID SIG...: feed the FIFO "part" (its reader, PID or the cat
# before it, has it open), wait until PID is blocked in a read, send the
# signals in turn, and reap it (status in rc).
stop_fed() {
	_pid=$1
	shift
	exec 3> fifo
	printf part >&3
	wait_until in_read "$_pid"
	for _sig; do
		kill -s "$_sig" "$_pid" 2> /dev/null
	done
	reap "$_pid"
}

# gate_stop PID: once PID is held at faultfs's gate, SIGTERM it and wait
# for its message (said: 0 if it came while the gate was still shut).
# gate_open PID: open the gate and reap PID (status in rc).
gate_stop() {
	timeout 60 cat gate/reached > /dev/null
	kill -s TERM "$1"
	wait_said "interrupted by signal"
	said=$?
}
gate_open() {
	# shellcheck disable=SC2016 # the inner shell's own arguments
	timeout 60 sh -c 'echo go > "$1"' sh gate/release
	reap "$1"
}

for e in $engines; do
	rm -f fifo out && mkfifo fifo
	"$ACP" --engine="$e" fifo out 2> "$T/stderr" &
	stop_fed "$!" TERM
	[ "$rc" -eq 143 ] && [ ! -e out ]
	ok $? "$e: SIGTERM while a FIFO read is blocked: exit 143 (got $rc), the partial copy removed"

	# A pipe: cat forwards what the test writes to a FIFO, so acp's
	# source is an anonymous pipe that stays open, empty, until the test
	# closes its end.  $! is the last command of the pipeline: acp.
	rm -f fifo out && mkfifo fifo
	# shellcheck disable=SC2002 # cat's pipe, not the FIFO, is the point
	cat fifo | "$ACP" --engine="$e" /dev/stdin out 2> "$T/stderr" &
	stop_fed "$!" TERM
	[ "$rc" -eq 143 ] && [ ! -e out ]
	ok $? "$e: SIGTERM while a pipe read is blocked: exit 143 (got $rc), nothing left"

	rm -rf fifo adir && mkfifo fifo && mkdir adir
	"$ACP" --engine="$e" --atomic fifo adir/out 2> "$T/stderr" &
	stop_fed "$!" INT INT
	[ "$rc" -eq 130 ] && [ -z "$(ls -A adir)" ]
	ok $? "$e: --atomic, SIGINT twice: exit 130 (got $rc), no temporary left"
	rm -f fifo m && mkfifo fifo
	echo "00000000000000000000000000000000  fifo" > m
	"$ACP" --engine="$e" --check=m > "$T/stdout" 2> "$T/stderr" &
	stop_fed "$!" TERM
	[ "$rc" -eq 143 ] && ! grep -q FAILED "$T/stdout"
	ok $? "$e: --check of a FIFO, SIGTERM while its read is blocked: exit 143 (got $rc), nothing called FAILED"

	if [ -n "$fuse" ]; then
		skip "$e: a stalled file system: $fuse"
	else
		# Cleanup happens while the read is still unanswered: the
		# message is printed and the copy removed before the gate
		# opens.  (The kernel then holds the process in its exit until
		# FUSE answers a flush: nothing a program can do about that.)
		rm -rf fout && mkdir fout
		"$ACP" --engine="$e" "$T/mnt/gated" fout/dst 2> "$T/stderr" &
		gate_stop "$!"
		left=$(ls fout)
		gate_open "$!"
		[ "$rc" -eq 143 ] && [ -z "$left" ] &&
		    grep -q "giving up on" "$T/stderr"
		ok $? "$e: SIGTERM while a read waits on a stalled file system: cleaned up before it answers, exit 143 (got $rc, left '$left')"
	fi
	if [ -n "$fuse" ]; then
		skip "$e: a create on a stalled file system: $fuse"
	else
		# faultfs does not answer the create of gated-*: the signal
		# is acted on (the message) before the gate opens.
		printf data > small
		"$ACP" --engine="$e" small "$T/mnt/gated-$e" 2> "$T/stderr" &
		gate_stop "$!"
		gate_open "$!"
		[ "$said" -eq 0 ] && [ "$rc" -eq 143 ] &&
		    grep -q "giving up on" "$T/stderr"
		ok $? "$e: SIGTERM while a create waits on a stalled file system: stopped before it answers, exit 143 (got $rc)"
	fi
done
skip_engines "$per"
done_testing
