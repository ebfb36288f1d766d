/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Holes in the copy: which files have theirs skipped (SEEK_DATA, in
 * xfer.c's reads) and, under --sparse=always, blocks and pages of zeros
 * left out of the destination.  Only the data phase (xfer.c) calls this.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>

#include "copier_int.h"
#include "holes.h"
#include "xfer.h"

/* --sparse=always: runs of zeros this long become holes. */
#define ZERO_PAGE	4096

/*
 * Holes: a regular source that holds fewer blocks than its size (the
 * cheap test; SEEK_DATA costs two system calls a file) has its holes
 * skipped, unless --sparse=never or the copy cannot have holes (a device,
 * a FIFO).  A hash skips them too.
 */
void
holes_start(struct copier *c, struct xfer *x, const struct stat *sst)
{
	int	holes_ok = x->kind != XFER_COPY || (x->dreg && c->sparse !=
	    COPY_SPARSE_NEVER);

	x->data_end = 0;
	x->sparse = S_ISREG(sst->st_mode) && holes_ok &&
	    (uint64_t)sst->st_blocks * 512 < (uint64_t)sst->st_size;
	x->zeros = x->kind == XFER_COPY && x->dreg &&
	    c->sparse == COPY_SPARSE_ALWAYS;
}

/* Is [p, p + n) all zero bytes? */
static int
all_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * --sparse=always: a block of zeros is not written at all, and runs of
 * zero pages inside a written block are punched out, so the copy holds
 * no more blocks than cp --sparse=always makes.  1 when the whole block
 * is zeros (nothing to write).
 */
int
holes_zero_block(struct copier *c, struct creq *q)
{
	const char	*p = bufpool_addr(&c->sched.pool, q->buf);

	if (q->have % ZERO_PAGE != 0 || !all_zero(p, q->have))
		return 0;
	q->x->holes_bytes += q->have;
	c->done_bytes += q->have;
	return 1;
}

/* Punch [off, off + run) out of the copy; count it where it worked. */
static void
punch(struct xfer *x, off_t off, size_t run)
{
	if (run > 0 && fallocate(x->dfd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, off, (off_t)run) == 0)
		x->holes_bytes += run;
}

void
holes_punch_zeros(struct copier *c, struct creq *q)
{
	const char	*p = bufpool_addr(&c->sched.pool, q->buf);
	size_t		 i, run = 0;

	for (i = 0; i + ZERO_PAGE <= q->have; i += ZERO_PAGE) {
		if (all_zero(p + i, ZERO_PAGE)) {
			run += ZERO_PAGE;
			continue;
		}
		punch(q->x, q->off + (off_t)(i - run), run);
		run = 0;
	}
	punch(q->x, q->off + (off_t)(i - run), run);
}
