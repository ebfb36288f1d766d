/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The buffer pool: one posix_memalign'd block cut into equal buffers, and
 * a stack of free indices.  One block rather than many keeps registration
 * cheap and the memory contiguous.  A block of 2 MiB or more is aligned
 * to 2 MiB and asked for transparent huge pages: the default 32 x 64 KiB
 * is then one page fault instead of 512 (17 ms of a small copy's 30 here,
 * where a virtual machine's first touch of a page is slow; 0.3 ms so),
 * and fewer TLB misses while the data streams through.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bufpool.h"

int
bufpool_init(struct bufpool *bp, unsigned count, size_t size)
{
	unsigned	i;
	void		*mem;
	size_t		 total;

	memset(bp, 0, sizeof(*bp));
	if (count == 0 || size == 0 || size > SIZE_MAX / count)
		return -EINVAL;
	total = size * count;
	if (posix_memalign(&mem, total >= BUFPOOL_HUGE ? BUFPOOL_HUGE :
	    BUFPOOL_ALIGN, total) != 0)
		return -ENOMEM;
#ifdef MADV_HUGEPAGE
	/* Advice only: a kernel without THP, or with it off, says no. */
	if (total >= BUFPOOL_HUGE)
		(void)madvise(mem, total & ~(BUFPOOL_HUGE - 1), MADV_HUGEPAGE);
#endif
	/*
	 * Zeroed once: registration pins every page anyway, and no byte of
	 * old heap can ever reach a destination.  It also keeps valgrind
	 * quiet about data the kernel wrote behind its back (io_uring).
	 */
	memset(mem, 0, total);
	bp->mem = mem;
	bp->iov = calloc(count, sizeof(*bp->iov));
	bp->free = calloc(count, sizeof(*bp->free));
	if (bp->iov == NULL || bp->free == NULL) {
		bufpool_exit(bp);
		return -ENOMEM;
	}
	bp->size = size;
	bp->count = count;
	for (i = 0; i < count; i++) {
		bp->iov[i].iov_base = bp->mem + (size_t)i * size;
		bp->iov[i].iov_len = size;
		/* Lowest index on top, so small copies touch little memory. */
		bp->free[i] = count - 1 - i;
	}
	bp->nfree = count;
	return 0;
}

int
bufpool_get(struct bufpool *bp)
{
	if (bp->nfree == 0)
		return -1;
	return (int)bp->free[--bp->nfree];
}

void
bufpool_put(struct bufpool *bp, int i)
{
	bp->free[bp->nfree++] = (unsigned)i;
}

char *
bufpool_addr(const struct bufpool *bp, int i)
{
	return bp->mem + (size_t)i * bp->size;
}

void
bufpool_exit(struct bufpool *bp)
{
	free(bp->mem);
	free(bp->iov);
	free(bp->free);
	memset(bp, 0, sizeof(*bp));
}
