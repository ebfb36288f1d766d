# SPDX-License-Identifier: BSD-2-Clause
# fish completion for acp(1)

complete -c acp -s f -l force -d 'Remove a destination that cannot be opened and retry'
complete -c acp -s n -l no-clobber -d 'Do not overwrite an existing file'
complete -c acp -s t -l target-directory -r -a '(__fish_complete_directories)' -d 'Copy all sources into DIR'
complete -c acp -s T -l no-target-directory -d 'Treat DEST as a normal file'
complete -c acp -s v -l verbose -d 'Print each file copied'
complete -c acp -l engine -x -a 'auto uring aio sync' -d 'I/O engine'
complete -c acp -l queue-depth -x -a '1 4 8 16 32 64 128' -d 'Requests in flight at once'
complete -c acp -l block-size -x -a '64K 128K 256K 1M 4M' -d 'Bytes per request (K, M, G)'
complete -c acp -l direct -d 'O_DIRECT reads and writes where allowed'
complete -c acp -l debug -d 'Say which engine copies and why'
complete -c acp -l help -d 'Display help and exit'
complete -c acp -l version -d 'Output version information and exit'
