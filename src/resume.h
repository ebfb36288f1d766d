/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --resume in the data phase: a destination that already holds data
 * (a copy cut short, or one that differs) is compared with the source a
 * block at a time before anything is written.  Each block read from the
 * source is read from the destination too, into a second buffer; an
 * equal block is kept as it is, a different one written.  From the
 * first block that differs, blocks after it are written without
 * comparing (a copy cut short has nothing of use past its end).  A hash
 * of the source sees every block as usual, so the digest covers the
 * whole file.  Only the copier's modules include this header.
 */
#ifndef ACP_RESUME_H
#define ACP_RESUME_H

#include <sys/types.h>

struct copier;
struct creq;
struct xfer;

/*
 * x writes over a destination that holds size bytes: compare below
 * that.
 */
void	resume_start(struct xfer *, off_t size);

/*
 * The destination is whole below whole, as the mark of the run that
 * kept it says (resmark.h): that part is not compared, nor written.
 */
void	resume_trust(struct xfer *, off_t whole);

/*
 * Start x's plan past what it trusts, where no hash needs the source's
 * data (with one, each block below it is read, hashed and kept).
 */
void	resume_skip(struct copier *, struct xfer *);

/*
 * How far the destination of a copy that stopped is whole: every byte
 * below it was written (or kept, or is a hole that is one in the
 * source).  0 where that cannot be told.
 */
off_t	resume_whole(const struct xfer *);

/* Does a read at off need a second buffer, for the comparison? */
int	resume_compares(const struct xfer *, off_t off);

/*
 * q read its block from the source: read the destination's block for
 * the comparison, or keep a trusted block (1, or -1 with the data phase
 * failed and q still the caller's), or 0 when the block is past what is
 * compared: the caller writes it.
 */
int	resume_send(struct copier *, struct creq *);

/* The destination's block came back with res: keep or write the block. */
void	resume_compared(struct copier *, struct creq *, ssize_t res);

/*
 * [from, to) of the source is a hole, or a block of zeros left as one:
 * make it one in the destination too where that held data.  0, or -1
 * with the data phase failed.
 */
int	resume_hole(struct xfer *, off_t from, off_t to);

#endif
