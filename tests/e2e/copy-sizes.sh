#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Seeded files of awkward sizes, copied with several queue depths and block
# sizes through every engine, compared byte for byte with cmp.
. "${top_srcdir:-.}/tests/lib.sh"

sizes="0 1 4095 4096 4097 1048575 1048577 104857607"
depths="1 2 64"
blocks="4K 1M"

per_engine=0
for s in $sizes; do
	for d in $depths; do
		for b in $blocks; do
			per_engine=$((per_engine + 1))
		done
	done
done
plan $((per_engine * $(nengines) + 3 * $(nengines)))

for s in $sizes; do
	mkdata "$T/src.$s" "$s" "size-$s"
done

for e in $engines; do
	for s in $sizes; do
		for d in $depths; do
			for b in $blocks; do
				rm -f "$T/dst"
				run_acp --engine="$e" --queue-depth="$d" \
				    --block-size="$b" "$T/src.$s" "$T/dst"
				[ "$rc" -eq 0 ] && [ ! -s "$T/stdout" ] &&
				    [ ! -s "$T/stderr" ] &&
				    cmp -s "$T/src.$s" "$T/dst"
				ok $? "$e: $s bytes, depth $d, block $b"
			done
		done
	done

	# Overwriting a longer file truncates it to the source.
	mkdata "$T/dst" 300000 "longer"
	run_acp --engine="$e" "$T/src.4097" "$T/dst"
	[ "$rc" -eq 0 ] && cmp -s "$T/src.4097" "$T/dst"
	ok $? "$e: overwriting a longer file leaves exactly the source"

	# A new file gets the source's mode, narrowed by the umask.
	rm -f "$T/dst"
	chmod 0754 "$T/src.1"
	(umask 022 && "$ACP" --engine="$e" "$T/src.1" "$T/dst")
	[ "$(stat -c %a "$T/dst")" = 754 ]
	ok $? "$e: new file has the source's mode 754 (umask 022)"
	rm -f "$T/dst"
	(umask 027 && "$ACP" --engine="$e" "$T/src.1" "$T/dst")
	[ "$(stat -c %a "$T/dst")" = 750 ]
	ok $? "$e: umask 027 narrows 754 to 750"
	chmod 0644 "$T/src.1"
done
skip_engines $((per_engine + 3))
done_testing
