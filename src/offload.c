/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FICLONE and copy_file_range().  Both are synchronous: this thread waits
 * while the kernel copies, so they are used only where that beats the
 * ring (filejob.c chooses).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>

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
	loff_t	in = 0, out = 0;
	off_t	ahead = 0;
	ssize_t	n;

	for (;;) {
		if (xfer_stopped(c, x)) {
			xfer_fail(x, -EINTR, XFER_WRITING, (off_t)out);
			return -1;
		}
		if (ahead < in + (off_t)(2 * OFFLOAD_CHUNK) &&
		    ahead < x->plan.hint) {
			(void)posix_fadvise(x->sfd, ahead, OFFLOAD_CHUNK,
			    POSIX_FADV_WILLNEED);
			ahead += (off_t)OFFLOAD_CHUNK;
			continue;
		}
		n = copy_file_range(x->sfd, &in, x->dfd, &out, OFFLOAD_CHUNK,
		    0);
		if (n > 0) {
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
