/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Holes in the copy, for the data phase (xfer.c): skipped where the
 * source has them, made of zeros under --sparse=always.
 */
#ifndef ACP_HOLES_H
#define ACP_HOLES_H

#include <sys/stat.h>

struct copier;
struct creq;
struct xfer;

/* Whether x skips its source's holes and turns zeros into holes. */
void	holes_start(struct copier *, struct xfer *, const struct stat *sst);

/*
 * --sparse=always: 1 when q's whole block is zeros (nothing to write;
 * counted as holes), else 0.
 */
int	holes_zero_block(struct copier *, struct creq *);

/* --sparse=always: punch the runs of zero pages in q's written block. */
void	holes_punch_zeros(struct copier *, struct creq *);

#endif
