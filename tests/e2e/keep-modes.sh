#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# -a and --preserve=mode give each copy the source's mode exactly, whatever
# the umask: new files that already have it from their create are left as
# they are, the others (set-ID bits, bits the umask or the create left out,
# another owner's files) are set.  On vfat, whose modes come from how it
# was mounted, acp fails where cp does, with the same mode left.
. "${top_srcdir:-.}/tests/lib.sh"

umasks="022 077 000 002"
per_engine=6
plan $((per_engine * $(nengines)))

modes="644 664 600 640 755 777 4755 2755 1644 000 444 711 2644"
mkdir -p "$T/src/sub"
for m in $modes; do
	mkdata "$T/src/f$m" 5000 "mode-$m"
	cp "$T/src/f$m" "$T/src/sub/f$m"
	chmod "$m" "$T/src/f$m" "$T/src/sub/f$m"
done
# Another owner's file: the create cannot give it its owner.
if [ "$(id -u)" = 0 ]; then
	mkdata "$T/src/theirs" 300 theirs
	chown 65534:65534 "$T/src/theirs"
	chmod 664 "$T/src/theirs"
fi

# What -a must keep of each entry: its name, mode, owner and group.
modes_of() {
	(cd "$1" && find . -printf '%p %m %U %G\n' | sort)
}
modes_of "$T/src" > "$T/want"

# mount_vfat: a small vfat at $T/vfat, or say why not.
mount_vfat() {
	mkdir -p "$T/vfat"
	[ "$(id -u)" = 0 ] || { why="needs root to mount"; return 1; }
	command -v mkfs.vfat > /dev/null || { why="no mkfs.vfat"; return 1; }
	truncate -s 32M "$T/vfat.img"
	mkfs.vfat "$T/vfat.img" > /dev/null 2>&1 ||
	    { why="mkfs.vfat failed"; return 1; }
	mount -o loop,umask=022 "$T/vfat.img" "$T/vfat" 2> "$T/mount.err" ||
	    { why="cannot mount vfat: $(head -1 "$T/mount.err")"; return 1; }
	cleanup_mounts="$cleanup_mounts $T/vfat"
}
why=""
mount_vfat || vfat_why=$why

for e in $engines; do
	for u in $umasks; do
		rm -rf "$T/out"
		(umask "$u" && "$ACP" --engine="$e" -a "$T/src" "$T/out") \
		    > "$T/stdout" 2> "$T/stderr"
		rc=$?
		modes_of "$T/out" > "$T/got"
		[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
		    cmp -s "$T/want" "$T/got" &&
		    cmp -s "$T/src/f4755" "$T/out/f4755"
		ok $? "$e: -a under umask $u: every mode, owner and group kept"
	done

	# The mode alone: the files are ours, but no chown makes it so.
	rm -rf "$T/out"
	(umask 077 && "$ACP" --engine="$e" -r --preserve=mode "$T/src" \
	    "$T/out") > "$T/stdout" 2> "$T/stderr"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/stderr" ] &&
	    [ "$(modes_of "$T/out" | cut -d' ' -f1,2)" = \
	    "$(cut -d' ' -f1,2 "$T/want")" ]
	ok $? "$e: --preserve=mode under umask 077: every mode kept"

	if [ -n "$vfat_why" ]; then
		skip "vfat: $vfat_why"
		continue
	fi
	# cp -a cannot give a vfat file mode 644: nor may acp, silently.
	rm -f "$T/vfat/"*
	(umask 022 && cp -a "$T/src/f644" "$T/vfat/bycp") 2> /dev/null
	cprc=$?
	(umask 022 && "$ACP" --engine="$e" -a "$T/src/f644" "$T/vfat/byacp") \
	    > "$T/stdout" 2> "$T/stderr"
	rc=$?
	[ "$cprc" -ne 0 ] && [ "$rc" -ne 0 ] &&
	    grep -q "permissions of '$T/vfat/byacp'" "$T/stderr" &&
	    [ "$(stat -c %a "$T/vfat/byacp")" = "$(stat -c %a "$T/vfat/bycp")" ] &&
	    cmp -s "$T/src/f644" "$T/vfat/byacp"
	ok $? "$e: -a of mode 644 onto vfat: refused as by cp, the mode as cp's"
done
skip_engines $per_engine
done_testing
