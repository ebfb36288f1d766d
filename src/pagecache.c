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
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pagecache.h"

/* cachestat(2) is newer than the headers of Debian 12. */
#ifndef __NR_cachestat
#if defined(__linux__) && !defined(__alpha__)
#define __NR_cachestat 451
#endif
#endif

struct acp_cachestat_range {
	uint64_t	off;
	uint64_t	len;
};

struct acp_cachestat {
	uint64_t	nr_cache;
	uint64_t	nr_dirty;
	uint64_t	nr_writeback;
	uint64_t	nr_evicted;
	uint64_t	nr_recently_evicted;
};

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
	step = pages / SAMPLES;
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
		if (step == 0)
			break;
	}
	(void)munmap(map, (size_t)size);
	if (seen == 0)
		return -EINVAL;
	return (int)(in * 100 / seen);
}

int
pagecache_percent(int fd, off_t size)
{
	long	pagesz = sysconf(_SC_PAGESIZE);

	if (size <= 0)
		return 100;
	if (pagesz <= 0)
		pagesz = 4096;
#ifdef __NR_cachestat
	{
		struct acp_cachestat_range	range = { 0, (uint64_t)size };
		struct acp_cachestat		cs;
		uint64_t			pages;

		memset(&cs, 0, sizeof(cs));
		if (syscall(__NR_cachestat, fd, &range, &cs, 0) == 0) {
			pages = ((uint64_t)size + (uint64_t)pagesz - 1) /
			    (uint64_t)pagesz;
			if (cs.nr_cache >= pages)
				return 100;
			return (int)(cs.nr_cache * 100 / pages);
		}
	}
#endif
	return percent_mincore(fd, size);
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
