/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page-cache residency and direct-I/O alignment of an open file.  Both
 * are hints for the copier's choice of buffered or direct reads; a wrong
 * answer costs speed, never correctness.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pagecache.h"

#define SAMPLES		16	/* windows mincore() looks at */
#define SAMPLE_PAGES	64	/* pages per window */

static int
percent_mincore(int fd, off_t size)
{
	unsigned char	 vec[SAMPLE_PAGES];
	long		 pagesz = sysconf(_SC_PAGESIZE);
	uint64_t	 pages, step, in = 0, seen = 0, first, i, j, n;
	void		*map;

	if (pagesz <= 0)
		pagesz = 4096;
	pages = ((uint64_t)size + (uint64_t)pagesz - 1) / (uint64_t)pagesz;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	/*
	 * Windows apart, never overlapping: a file of SAMPLES windows or
	 * less is looked at whole, in as few calls as its windows.
	 */
	step = pages / SAMPLES;
	if (step < SAMPLE_PAGES)
		step = SAMPLE_PAGES;
	for (i = 0; i < SAMPLES; i++) {
		first = i * step;
		if (first >= pages)
			break;
		n = pages - first < SAMPLE_PAGES ? pages - first : SAMPLE_PAGES;
		if (mincore((char *)map + first * (uint64_t)pagesz,
		    (size_t)(n * (uint64_t)pagesz), vec) < 0)
			break;
		for (j = 0; j < n; j++)
			in += vec[j] & 1;
		seen += n;
	}
	(void)munmap(map, (size_t)size);
	if (seen == 0)
		return -EINVAL;
	return (int)(in * 100 / seen);
}

int
pagecache_percent(int fd, off_t size)
{
	if (size <= 0)
		return 100;
	return percent_mincore(fd, size);
}

int
pagecache_guess_skip(struct pagecache_guess *g)
{
	if (g->same < PAGECACHE_RUN)
		return 0;
	if (++g->skipped < g->gap)
		return 1;
	g->skipped = 0;
	return 0;
}

void
pagecache_guess_note(struct pagecache_guess *g, int warm)
{
	warm = warm != 0;
	if (g->same > 0 && warm == g->warm) {
		if (g->same < PAGECACHE_RUN) {
			if (++g->same == PAGECACHE_RUN)
				g->gap = PAGECACHE_RUN;
		} else if (g->gap < PAGECACHE_GAP)
			g->gap *= 2;
		return;
	}
	g->warm = warm;
	g->same = 1;
	g->gap = 1;
	g->skipped = 0;
}

unsigned
pagecache_dio_align(int fd)
{
#ifdef STATX_DIOALIGN
	struct statx	stx;

	memset(&stx, 0, sizeof(stx));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (stx.stx_dio_offset_align == 0)
			return 0;
		return stx.stx_dio_offset_align > stx.stx_dio_mem_align ?
		    stx.stx_dio_offset_align : stx.stx_dio_mem_align;
	}
#else
	(void)fd;
#endif
	return 4096;
}
