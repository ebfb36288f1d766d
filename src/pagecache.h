/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How much of a file the page cache holds: the copier reads a large file
 * that is not cached with O_DIRECT (deep queues of direct reads are far
 * faster than buffered reads that miss), and a cached one from the cache;
 * it splices a small file that is cached, and reads one that is not
 * through the ring (offload.c).
 */
#ifndef ACP_PAGECACHE_H
#define ACP_PAGECACHE_H

#include <sys/types.h>

/*
 * The percentage (0 to 100) of the first size bytes of fd that are in
 * the page cache, or -errno when the kernel cannot tell.  Samples 16
 * windows of the file with mincore(2): cachestat(2) would be exact, but
 * it is Linux 6.5 only and unknown to valgrind 3.19, and a sample is
 * enough to choose between buffered and direct reads.
 */
int	pagecache_percent(int fd, off_t size);

/*
 * Whether the next of many small files is cached, guessed: a tree is
 * mostly cold or mostly warm, and a look costs more than the choice it
 * informs.  Once PAGECACHE_RUN looks in a row gave one answer, only
 * every PAGECACHE_RUN-th file is looked at and the rest take that
 * answer; each look that agrees again doubles the files between looks,
 * up to PAGECACHE_GAP.  A look that gives the other answer turns the
 * guess and every file is looked at again.  Zeroed to start.
 */
#define PAGECACHE_RUN	16
#define PAGECACHE_GAP	256

struct pagecache_guess {
	int		warm;		/* the last answer: all cached */
	unsigned	same;		/* looks in a row that gave it, to RUN */
	unsigned	gap;		/* files from one look to the next */
	unsigned	skipped;	/* files guessed since the last look */
};

/* 1 when the next file may take g->warm without a look. */
int	pagecache_guess_skip(struct pagecache_guess *);

/* What a look found: 1 all cached, 0 not. */
void	pagecache_guess_note(struct pagecache_guess *, int warm);

/*
 * The alignment O_DIRECT needs for offsets and lengths on fd (statx
 * STATX_DIOALIGN where the kernel gives it), else 4096; 0 when the kernel
 * says the file cannot do direct I/O.
 */
unsigned	pagecache_dio_align(int fd);

#endif
