#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Every option acp --help lists is in the man page and in the bash, zsh
# and fish completions, and every option the man page documents is in
# --help: the rule that they change together, checked.
. "${top_srcdir:-.}/tests/lib.sh"

src=${top_srcdir:-.}
help=$("$ACP" --help)
longs=$(printf '%s\n' "$help" |
    sed -n 's/^ \{2,6\}\(-[A-Za-z], \)\{0,2\}\(--[a-z][a-z0-9-]*\).*/\2/p' |
    sort -u)
shorts=$(printf '%s\n' "$help" |
    sed -n 's/^  \(-[A-Za-z]\)\(, -[A-Za-z]\)\{0,1\}[ ,].*/\1 \2/p' |
    tr -d ',' | tr ' ' '\n' | grep . | sort -u)
nlong=$(printf '%s\n' "$longs" | wc -l)
nshort=$(printf '%s\n' "$shorts" | wc -l)
plan 6

missing() {	# missing WHAT TEST-COMMAND-PREFIX: options the test fails
	_what=$1
	shift
	for o in $opts; do
		"$@" "$o" || printf ' %s lacks %s' "$_what" "$o"
	done
}
in_man_long() { grep -q -- "^\.It .*Fl -${1#--}\b" "$src/man/acp.1"; }
in_man_short() { grep -q -- "^\.It .*Fl ${1#-}\b" "$src/man/acp.1"; }
in_bash() { grep -q -- "\\(^\\|[ '(]\\)$1\\([ =')]\\|$\\)" "$src/completions/acp"; }
in_zsh() { grep -q -- "$1\\b" "$src/completions/_acp"; }
in_fish_long() { grep -q -- "-l ${1#--}\\b" "$src/completions/acp.fish"; }
in_fish_short() { grep -q -- "-s ${1#-}\\b" "$src/completions/acp.fish"; }

[ "$nlong" -gt 40 ] && [ "$nshort" -gt 15 ]
ok $? "--help lists $nlong long and $nshort short options"

opts=$longs; out=$(missing "man/acp.1" in_man_long)
opts=$shorts; out="$out$(missing "man/acp.1" in_man_short)"
[ -z "$out" ]
ok $? "each is documented in man/acp.1$out"

opts="$longs $shorts"; out=$(missing "completions/acp" in_bash)
[ -z "$out" ]
ok $? "each is in the bash completion$out"

opts="$longs $shorts"; out=$(missing "completions/_acp" in_zsh)
[ -z "$out" ]
ok $? "each is in the zsh completion$out"

opts=$longs; out=$(missing "completions/acp.fish" in_fish_long)
opts=$shorts; out="$out$(missing "completions/acp.fish" in_fish_short)"
[ -z "$out" ]
ok $? "each is in the fish completion$out"

# And the other way: what the man page lists as an option, --help has.
out=$(sed -n 's/^\.It Fl \(-\{0,1\}[A-Za-z][a-z0-9-]*\).*/-\1/p' \
    "$src/man/acp.1" | sort -u | while read -r o; do
	printf '%s\n' "$longs" "$shorts" | grep -qx -- "$o" ||
	    printf ' %s' "$o"
done)
[ -z "$out" ]
ok $? "each option in the man page is in --help$out"
