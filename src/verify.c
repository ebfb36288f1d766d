/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The read-back.  It reads the disk, not the page cache: what is dirty
 * is written out first, the cached pages are dropped, and reads go
 * through O_DIRECT where the filesystem allows.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "copier_int.h"
#include "dest.h"
#include "filejob.h"
#include "jobreport.h"
#include "say.h"
#include "verify.h"

/*
 * Write the copy out and wait for it, so that dropping it from the cache
 * leaves every read of it (through O_DIRECT or not) to the disk.  Not
 * fdatasync(): its journal commit and the disk's cache flush make a copy
 * durable, which is --fsync's work, not what reading it back needs; they
 * were most of the difference between --verify and --fsync (1 GiB on a
 * loop ext4 here, 7 interleaved runs: 1.19 s with fdatasync, 0.60 s
 * without).  A write-back error is its error, as it was fdatasync's.
 * A file sync_file_range() does not take (ESPIPE): fdatasync().
 */
static int
write_out(int fd)
{
	if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
	    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) == 0)
		return 0;
	return errno == ESPIPE ? fdatasync(fd) : -1;
}

void
verify_start(struct copier *c, struct cfile *f)
{
	const char	*path = f->tmp != NULL ? f->tmp : f->dat.name;
	struct stat	 st;
	int		 fd;

	f->state = S_VERIFY_END;
	if ((fd = openat(f->dat.dirfd, path, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY)) < 0) {
		warn("cannot open '%s' to verify it", f->dst);
		jobreport_said(f->job);
		f->job->verify_failed = 1;
		return;
	}
	if (write_out(fd) < 0 || fstat(fd, &st) < 0) {
		warn("cannot flush '%s' before verifying", f->dst);
		jobreport_said(f->job);
		(void)close(fd);
		f->job->verify_failed = 1;
		return;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	/* The copy's data phase is over: a new one, reading the copy. */
	f->sfd = fd;
	xfer_init(&f->x, XFER_VERIFY, fd, -1, 0, 0);
	xfer_plan(c, &f->x, &st);
	f->x.trust_short = 1;
	/* A failure here is said by verify_end(), as a read's would be. */
	if (xfer_ring_start(c, &f->x, &st, c->algo) == 0)
		f->state = S_DATA;
}

/* Close the read-back and take its digest, or say why there is none. */
static void
readback_end(struct cfile *f)
{
	struct copy_job	*job = f->job;

	if (f->x.changed) {
		warnx("'%s' changed while being read back", f->dst);
		jobreport_said(job);
		job->verify_failed = 1;
	} else if (f->x.err != 0) {
		warnc(-f->x.err, "error reading back '%s' at offset %lld",
		    f->dst, (long long)f->x.err_off);
		jobreport_said(job);
		job->verify_failed = 1;
	}
	if (!job->verify_failed)
		hashpipe_end(&f->x.hp, job->back);
	xfer_end(&f->x);
	(void)close(f->sfd);
	f->sfd = -1;
	/* Its failure is the job's verify_failed, not the copy's. */
	f->x.err = 0;
	f->x.changed = 0;
}

int
verify_end(struct copier *c, struct cfile *f)
{
	struct copy_job	*job = f->job;

	f->state = S_END;
	if (f->x.kind == XFER_VERIFY)
		readback_end(f);
	if (!job->verify_failed) {
		if (strcmp(job->hex, job->back) == 0)
			return STEP_GO;
		warnx("'%s': verification FAILED: the copy's %s is %s, the "
		    "source's %s", f->dst, c->algo->name, job->back, job->hex);
		jobreport_said(job);
		job->mismatch = 1;
	}
	if (f->tmp != NULL) {
		/*
		 * --atomic: only a copy read back whole and equal replaces
		 * the old file; one that differs, or could not be read back
		 * or flushed, is removed.
		 */
		dest_abort(f);
		job->verify_failed = 1;
	}
	return STEP_GO;
}
