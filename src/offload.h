/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's own copies, for a plain file-to-file copy that needs no
 * data in memory: FICLONE (the copy shares the source's blocks) and
 * copy_file_range() (pages move inside the kernel, or a reflink where
 * the filesystem shares extents).  Only the copier's modules include
 * this header.
 */
#ifndef ACP_OFFLOAD_H
#define ACP_OFFLOAD_H

#include <sys/types.h>

#include <stdint.h>

struct copier;
struct req;
struct stat;
struct xfer;

/* Files below this go through the ring (see offload.c). */
#define OFFLOAD_MIN	((off_t)8 << 20)

/*
 * Share the source's blocks (size bytes): 1 when cloned (the data phase
 * is done), 0 when the ring must copy, -errno when --reflink=always and
 * the filesystems refused (errno's value: the caller says so).
 */
int	offload_clone(struct copier *, struct xfer *, off_t size);

/*
 * The clone as offload_clone(), made on a worker thread: r becomes its
 * request, and offload_cloned() takes its result (0 or -errno),
 * returning as offload_clone() does.
 */
void	offload_clone_req(const struct xfer *, struct req *r);
int	offload_cloned(struct copier *, struct xfer *, off_t size, int res);

/*
 * May a clone be tried (--reflink, and clones not given up on after
 * failing)?  May copy_file_range() be (no engine named, no --direct)?
 * The settings' part of offload_method()'s choice, without a file.
 */
int	offload_may_clone(const struct copier *);
int	offload_may_range(const struct copier *);

/*
 * How x's data moves: the first method after `after` that fits its
 * source (stat sst) and the run's settings (an enum xfer_method).  It
 * may look up how much of the source is cached (x->cached).
 */
int	offload_method(struct copier *, struct xfer *,
	    const struct stat *sst, int after);

/*
 * copy_file_range() on from where the last call stopped (the start at
 * first), OFFLOAD_STEP bytes at most: 2 when there is more (call again,
 * the next round: progress and the other files go on meanwhile), 1 when
 * it reached EOF (done), 0 when the ring must copy from x->plan.next on
 * (x->offload_err says why), -1 with the data phase failed.
 */
int	offload_copy(struct copier *, struct xfer *);

/*
 * With several destinations, each one's copy_file_range() runs on a
 * worker thread of its own, a step at a time: r becomes x's next step,
 * and offload_step_done() takes its result (returning as offload_copy()
 * does).
 */
void	offload_step_req(const struct xfer *, struct req *r);
int	offload_step_done(struct copier *, struct xfer *, ssize_t res);

/*
 * The bytes one offload_copy() call moves at most: a few milliseconds of
 * a cached copy, so a round stays short.
 */
#define OFFLOAD_STEP	((uint64_t)16 << 20)
/*
 * A piece on a worker thread: larger ones are handed back less often
 * (two destinations of a cached 1 GiB file, when the round still waited
 * for every destination's piece: 1.57 times one copy in 16 MiB pieces,
 * 1.23 in 64 MiB).
 */
#define OFFLOAD_THREAD_STEP	((uint64_t)64 << 20)

#endif
