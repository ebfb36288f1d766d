/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A request done now, with plain system calls: the sync engine's
 * workers do every request this way, and the other engines do so with
 * the ops their kernel interface lacks.  Below every engine, so none of
 * them calls back up into engine.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "engine.h"

/*
 * Up to req->len bytes, in as many calls as the kernel wants; what was
 * moved before an error counts (the next call meets the error again).
 */
static ssize_t
copy_range(const struct req *req)
{
	loff_t	in = req->off, out = req->off2;
	size_t	done = 0;
	ssize_t	n;

	while (done < req->len) {
		n = copy_file_range(req->fd, &in, req->fd2, &out,
		    req->len - done, 0);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0 && done == 0)
			return -1;
		break;
	}
	return (ssize_t)done;
}

void
engine_run_blocking(struct req *req)
{
	ssize_t	n;

	switch (req->op) {
	case ENGINE_OP_READ:
		n = req->off < 0 ? read(req->fd, req->addr, req->len) :
		    pread(req->fd, req->addr, req->len, req->off);
		break;
	case ENGINE_OP_WRITE:
		n = req->off < 0 ? write(req->fd, req->addr, req->len) :
		    pwrite(req->fd, req->addr, req->len, req->off);
		break;
	case ENGINE_OP_FSYNC:
		n = fdatasync(req->fd);
		break;
	case ENGINE_OP_FSYNC_ALL:
		n = fsync(req->fd);
		break;
	case ENGINE_OP_OPENAT:
		n = openat(req->fd, req->path, req->flags, req->mode);
		break;
	case ENGINE_OP_CLOSE:
		n = close(req->fd);
		break;
	case ENGINE_OP_STATX:
		n = statx(req->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS,
		    req->stx);
		break;
	case ENGINE_OP_SPLICE: {
		loff_t	in = req->off, out = req->off2;

		/* A quick one is made by the submitter: never wait on a pipe. */
		n = splice(req->fd, req->off < 0 ? NULL : &in, req->fd2,
		    req->off2 < 0 ? NULL : &out, req->len,
		    req->quick ? SPLICE_F_NONBLOCK : 0);
		break;
	}
	case ENGINE_OP_COPY_RANGE:
		n = copy_range(req);
		break;
	case ENGINE_OP_CLONE:
		n = ioctl(req->fd2, FICLONE, req->fd);
		break;
	case ENGINE_OP_SYNCFS:
		n = syncfs(req->fd);
		break;
	case ENGINE_OP_FADVISE:
		/* It returns the error, and leaves errno alone. */
		if ((errno = posix_fadvise(req->fd, 0, 0,
		    POSIX_FADV_WILLNEED)) != 0)
			n = -1;
		else
			n = 0;
		break;
	default:
		errno = EINVAL;
		n = -1;
		break;
	}
	req->res = n < 0 ? -errno : n;
}
