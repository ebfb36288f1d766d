/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FICLONE and copy_file_range().  Both are synchronous: this thread waits
 * while the kernel copies (copy_file_range() a piece a round), so they
 * are used only where that beats the ring (offload_method() chooses).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "copier_int.h"
#include "offload.h"
#include "xfer.h"

/* Bytes asked of copy_file_range() at once; also the readahead step. */
#define OFFLOAD_CHUNK	((size_t)8 << 20)

int
offload_clone(struct copier *c, struct xfer *x, off_t size)
{
	if (ioctl(x->dfd, FICLONE, x->sfd) == 0) {
		c->clones++;
		x->bytes = (uint64_t)size;
		c->done_bytes += (uint64_t)size;
		x->plan.eof = size;
		return 1;
	}
	/*
	 * auto: after eight refusals and no success, these filesystems do
	 * not clone; stop asking (an ioctl a file is a cost on a tree of
	 * small files).
	 */
	c->noclones++;
	return c->reflink == COPY_REFLINK_ALWAYS ? -errno : 0;
}

/*
 * copy_file_range() is sequential, so the disk is kept busy by asking
 * for the source two chunks ahead with POSIX_FADV_WILLNEED.
 */
int
offload_copy(struct copier *c, struct xfer *x)
{
	/* A copy from the start: what was copied is where it goes on. */
	loff_t		in = (loff_t)x->offloaded, out = in;
	uint64_t	step = 0;
	ssize_t		n;

	x->pieces++;
	for (;;) {
		if (step >= OFFLOAD_STEP)
			return 2;
		if (xfer_stopped(c, x)) {
			xfer_fail(x, -EINTR, XFER_WRITING, (off_t)out);
			return -1;
		}
		if (x->ahead < in + (off_t)(2 * OFFLOAD_CHUNK) &&
		    x->ahead < x->plan.hint) {
			(void)posix_fadvise(x->sfd, x->ahead, OFFLOAD_CHUNK,
			    POSIX_FADV_WILLNEED);
			x->ahead += (off_t)OFFLOAD_CHUNK;
			continue;
		}
		n = copy_file_range(x->sfd, &in, x->dfd, &out, OFFLOAD_CHUNK,
		    0);
		if (n > 0) {
			step += (uint64_t)n;
			x->offloaded += (uint64_t)n;
			x->bytes += (uint64_t)n;
			c->done_bytes += (uint64_t)n;
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		switch (errno) {
		case EXDEV:
		case EINVAL:
		case ENOSYS:
		case EOPNOTSUPP:
		case EBADF:
		case ETXTBSY:
		case EPERM:
			/* Not for these files: the ring does the rest. */
			x->offload_err = -errno;
			x->plan.next = (off_t)in;
			return 0;
		}
		/*
		 * A real I/O error: we cannot tell the read side from the
		 * write side, so the message names both files.
		 */
		xfer_fail(x, -errno, XFER_EITHER, (off_t)out);
		return -1;
	}
}

/*
 * How x's data moves (sst: its source's stat): the first method after
 * `after` (in the order of enum xfer_method) that fits.  The one place
 * this is decided.
 *
 * Only a plain copy (regular to regular, no checksum: the data need not
 * pass through memory) may leave the ring.  A clone shares the blocks;
 * copy_file_range() suits a big cached file (a cold one is faster with
 * direct reads through the ring; a small one is faster in the ring
 * beside other files, where one io_uring_enter() serves many); a small
 * file splices through a pipe (one copy of the data instead of two)
 * where the engine splices off this thread.
 */
int
offload_method(const struct copier *c, const struct xfer *x,
    const struct stat *sst, int after)
{
	off_t	size = sst->st_size;
	int	plain, holes;

	plain = x->kind == XFER_COPY && S_ISREG(sst->st_mode) && x->dreg &&
	    c->algo == NULL;
	holes = x->sparse || x->zeros;
	if (after < XFER_CLONE && plain && c->reflink != COPY_REFLINK_NEVER &&
	    size > 0 && (c->reflink == COPY_REFLINK_ALWAYS || c->clones > 0 ||
	    c->noclones < 8))
		return XFER_CLONE;
	if (after < XFER_OFFLOAD && plain && c->offload && !c->direct &&
	    !holes && size >= OFFLOAD_MIN && (x->cached < 0 || x->cached >= 50))
		return XFER_OFFLOAD;
	if (after < XFER_SPLICE && plain && c->splice && !c->direct &&
	    !holes && size < OFFLOAD_MIN)
		return XFER_SPLICE;
	return XFER_RING;
}
