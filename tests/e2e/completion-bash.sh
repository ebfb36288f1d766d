#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The bash completion: sourced with bash-completion, _acp driven with
# COMP_WORDS/COMP_CWORD for partial command lines.
. "${top_srcdir:-.}/tests/lib.sh"

plan 7
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
	for _ in 1 2 3 4 5 6; do skip "bash-completion is not installed"; done
	exit 0
fi

# complete LINE...: the words of a command line, the last one partial.
complete_words() {
	bash -c '
		. "$1" && . "$2" || exit 1
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		# "--opt = val" were one word on the line: "--opt=val".
		COMP_LINE=${COMP_LINE// = /=}
		COMP_POINT=${#COMP_LINE}
		_acp acp "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$bc" "$top_srcdir/completions/acp" "$@"
}

out=$(complete_words acp --eng)
[ "$out" = "--engine=" ]
ok $? "--eng completes to --engine="

out=$(complete_words acp --engine u)
[ "$out" = "uring" ]
ok $? "--engine u completes to uring"

out=$(complete_words acp --engine "")
[ "$(echo "$out" | sort | tr '\n' ' ')" = "aio auto sync uring " ]
ok $? "--engine offers every engine"

out=$(complete_words acp --q)
[ "$out" = "--queue-depth=" ]
ok $? "--q completes to --queue-depth="

out=$(complete_words acp --checksum = s)
[ "$(echo "$out" | sort | tr '\n' ' ')" = "sha1 sha256 sha512 " ]
ok $? "--checksum=s offers the sha algorithms"

out=$(complete_words acp --stats = "")
[ "$(echo "$out" | sort | tr '\n' ' ')" = "human json " ]
ok $? "--stats= offers human and json"

mkdir "$T/dir.only" && : > "$T/file.only"
out=$(cd "$T" && complete_words acp -t "")
[ "$out" = "dir.only" ]
ok $? "-t completes directories only"
done_testing
