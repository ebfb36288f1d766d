/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The buffer pool: one posix_memalign'd block cut into equal buffers, and
 * a stack of free indices.  One block rather than many keeps registration
 * cheap and the memory contiguous.
 */
#include "config.h"

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

	memset(bp, 0, sizeof(*bp));
	if (count == 0 || size == 0 || size > SIZE_MAX / count)
		return -EINVAL;
	if (posix_memalign(&mem, BUFPOOL_ALIGN, size * count) != 0)
		return -ENOMEM;
	/*
	 * Zeroed once: registration pins every page anyway, and no byte of
	 * old heap can ever reach a destination.  It also keeps valgrind
	 * quiet about data the kernel wrote behind its back (io_uring).
	 */
	memset(mem, 0, size * count);
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
