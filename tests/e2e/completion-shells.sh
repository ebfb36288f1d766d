#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The zsh and fish completions load in those shells without error, and
# fish's completes an option and the values of --engine.
. "${top_srcdir:-.}/tests/lib.sh"

plan 3
comp=$top_srcdir/completions

if command -v zsh > /dev/null; then
	zrc=0
	zsh -f -c "fpath=('$comp' \$fpath); autoload -Uz compinit &&
	    compinit -u -d '$T/zcompdump' && autoload -Uz +X _acp &&
	    whence -w _acp" > "$T/zsh.out" 2> "$T/stderr" || zrc=$?
	[ "$zrc" -eq 0 ] && [ ! -s "$T/stderr" ] && grep -q '^_acp: function$' "$T/zsh.out"
	ok $? "zsh: _acp loads as a function, silently"
else
	skip "zsh is not installed"
fi

if command -v fish > /dev/null; then
	out=$(fish --no-config -c "source '$comp/acp.fish'; complete -C 'acp --spa'" 2> "$T/stderr")
	[ ! -s "$T/stderr" ] && [ "$(echo "$out" | cut -f1)" = "--sparse" ]
	ok $? "fish: --spa completes to --sparse"
	out=$(fish --no-config -c "source '$comp/acp.fish'; complete -C 'acp --engine='" 2> "$T/stderr")
	[ "$(echo "$out" | cut -f1 | tr '\n' ' ')" = "--engine=aio --engine=auto --engine=sync --engine=uring " ]
	ok $? "fish: --engine= offers every engine"
else
	skip "fish is not installed"
	skip "fish is not installed"
fi
done_testing
