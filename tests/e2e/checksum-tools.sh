#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Known answers: on seeded data of several sizes, acp's digests equal what
# sha256sum, sha512sum, sha1sum, md5sum, b2sum and xxhsum print, and the
# manifests those tools write pass acp --check.
. "${top_srcdir:-.}/tests/lib.sh"

sizes="0 1 4095 4097 3145733"
pairs="xxh128:xxhsum_-H2 xxh3:xxhsum_-H3 xxh64:xxhsum_-H1 sha256:sha256sum sha512:sha512sum sha1:sha1sum md5:md5sum blake2b:b2sum"
plan 16

cd "$T" || exit 1
mkdir src out
for s in $sizes; do
	mkdata "src/f$s" "$s" "kat-$s"
done

for p in $pairs; do
	algo=${p%%:*}
	tool=${p#*:}
	tool=${tool//_/ }
	if ! command -v "${tool%% *}" > /dev/null; then
		skip "$algo: ${tool%% *} is not installed"
		skip "$algo: ${tool%% *} is not installed"
		continue
	fi
	rm -f out/*
	run_acp --checksum="$algo" --manifest=- --manifest-relative \
	    src/f0 src/f1 src/f4095 src/f4097 src/f3145733 out
	# The tool hashes the copies, acp hashed the sources: same bytes.
	# shellcheck disable=SC2086
	want=$(cd out && $tool f0 f1 f4095 f4097 f3145733)
	[ "$rc" -eq 0 ] && [ "$(cat "$T/stdout")" = "$want" ]
	ok $? "$algo: acp's lines equal $tool's for sizes $sizes"

	# shellcheck disable=SC2086
	(cd out && $tool f0 f1 f4095 f4097 f3145733) > tool.sum
	if [ "$algo" = md5 ] || [ "$algo" = blake2b ]; then
		# 32 and 128 hex digits are ambiguous without a tag.
		(cd out && "$ACP" --checksum="$algo" --check=../tool.sum) > "$T/stdout" 2> "$T/stderr"
	else
		(cd out && "$ACP" --check=../tool.sum) > "$T/stdout" 2> "$T/stderr"
	fi
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(grep -c ': OK$' "$T/stdout")" -eq 5 ]
	ok $? "$algo: $tool's manifest passes acp --check"
done
done_testing
