/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --verify: once a copy is whole and closed, a hash job on the
 * destination, chained to the copy: the destination is opened again,
 * written out and dropped from the page cache, and read back through a
 * fresh data phase of kind XFER_VERIFY; its digest must equal the
 * source's.
 * Only the copier's modules include this header.
 */
#ifndef ACP_VERIFY_H
#define ACP_VERIFY_H

struct copier;
struct cfile;

/*
 * Start reading f's copy back: f->state becomes S_DATA, or S_VERIFY_END
 * when it could not start (job->verify_failed set, after a message).
 */
void	verify_start(struct copier *, struct cfile *);

/*
 * The read-back is over (f's S_VERIFY_END step, on to S_END): compare the
 * digests.  A mismatch or a failed read-back marks the job (said); an
 * --atomic temporary is then removed, never renamed into place.
 */
int	verify_end(struct copier *, struct cfile *);

#endif
