/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-file state machine and the file slots it runs in.  Up to
 * maxfiles files are in flight at once, each in a slot of its own (struct
 * cfile) from its source's open until it is reported.  A failure is kept
 * to its file: it is said, what this run made of the destination is
 * removed, and the other files go on.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier_int.h"
#include "dest.h"
#include "durable.h"
#include "filejob.h"
#include "fstype.h"
#include "jobreport.h"
#include "meta.h"
#include "offload.h"
#include "say.h"
#include "tee.h"
#include "verify.h"
#include "xmalloc.h"

/* file_op() for a step: wait only when no request was free. */
static int
issue(struct copier *c, struct cfile *f, enum engine_op op, int fd,
    enum cstate next)
{
	return file_op(c, f, op, fd, NULL, 0, 0, next) == 0 ? STEP_WAIT :
	    STEP_GO;
}

/*
 * Has f's destination, new, the mode that -p keeps since its create?
 * (Made by open_dst() with dest_create_mode(), in a directory with no
 * default ACL, which then takes the umask off, on a file system that
 * gives it the mode asked; and needing no chown, nor a set-ID bit.)  The
 * chmod that would set it again was a system call a file: 10,000 entries
 * under -a made 9,305 of them.
 */
static int
made_as_kept(const struct copier *c, const struct cfile *f, unsigned keep)
{
	return (keep & META_MODE) && (keep & META_FRESH) &&
	    (keep & META_OWNED) && f->job->dst_modes && f->tmp == NULL &&
	    f->job->dst_how == COPY_DST_NEW && meta_made_mode(
	    dest_create_mode(f), keep, copier_umask(c)) ==
	    (f->sst.st_mode & 07777);
}

/*
 * The copy is whole: set its size where holes or presizing left it
 * wrong, the temporary file's mode, then metadata through the
 * descriptor (after the data, before an --atomic rename); a metadata
 * failure is reported but keeps the copy.
 */
static void
data_end(struct copier *c, struct cfile *f)
{
	struct xfer	*x = &f->x;
	struct stat	 now;
	unsigned	 keep = f->job->preserve | (f->created &&
			    f->job->dst_no_dacl ? META_FRESH : 0) |
			    (f->created && f->job->dst_owned ? META_OWNED : 0);
	int		 known;

	if (made_as_kept(c, f, keep))
		keep |= META_MODE_MADE;
	/* Holes at the end are not written: the size makes them. */
	if ((x->holes_bytes > 0 || x->resume || (x->presized &&
	    x->plan.eof != f->sst.st_size)) && x->plan.eof >= 0 &&
	    ftruncate(f->dfd, x->plan.eof) < 0)
		xfer_fail(x, -errno, XFER_WRITING, x->plan.eof);
	if (f->tmp != NULL && x->err == 0 && fchmod(f->dfd, f->tmode) < 0)
		xfer_fail(x, -errno, XFER_WRITING, x->plan.eof);
	if (x->err == 0)
		dest_unmark(f);
	/*
	 * A file written over keeps what it has already, as in cp: a
	 * chown to the owner it has would still drop its set-ID bits.
	 */
	known = x->err == 0 && x->dreg && !f->created && (f->job->preserve &
	    (META_OWNERSHIP | META_MODE)) && fstat(f->dfd, &now) == 0;
	if (x->err == 0 && x->dreg && meta_copy(f->sfd, &f->sat, f->dfd,
	    &f->dat, &f->sst, keep, known ? &now : NULL) < 0)
		f->job->kept_failed = 1;
	/* Created narrower than it ends (an --atomic one has tmode). */
	if (x->err == 0 && f->created && f->tmp == NULL &&
	    meta_widen(f->dfd, &f->dat, &f->sst, keep,
	    copier_umask(c)) < 0)
		f->job->kept_failed = 1;
}

/* f is in flight: last in the copier's list. */
static void
flight_join(struct copier *c, struct cfile *f)
{
	f->next = NULL;
	f->prev = c->last;
	*(c->last != NULL ? &c->last->next : &c->first) = f;
	c->last = f;
	c->nactive++;
}

/* f has ended: out of the list; a round stepping it goes on past f. */
static void
flight_leave(struct copier *c, struct cfile *f)
{
	if (c->cursor == f)
		c->cursor = f->next;
	*(f->prev != NULL ? &f->prev->next : &c->first) = f->next;
	*(f->next != NULL ? &f->next->prev : &c->last) = f->prev;
	f->next = f->prev = NULL;
	c->nactive--;
}

/*
 * The file is finished, well or not: close what is open, remove a
 * partial copy that this job created (a short copy must never look
 * whole), put an --atomic copy in place, and free the slot.
 */
static int
file_end(struct copier *c, struct cfile *f)
{
	struct copy_job	*job = f->job;
	struct xfer	*x = &f->x;
	int		 reader = f->tee != NULL && f->tee->reader == f;

	/* Given up on: a close may wait on the stalled file system too. */
	if (f->sfd >= 0 && !f->lost)
		(void)close(f->sfd);
	if (f->dfd >= 0 && !f->lost && close(f->dfd) < 0 && x->err == 0)
		xfer_fail(x, -errno, XFER_WRITING, (off_t)x->bytes);
	xfer_end(x);
	job->ret = -1;
	say_forget();
	if (x->err != 0 || x->changed) {
		jobreport_error(c, f);
		jobreport_said(job);
		job->changed |= x->changed;
		if (!dest_keep(c, f))
			dest_abort(f);
	} else if (dest_commit(f) == 0) {
		job->ret = 0;
		/* A rename changed the directory, new file or not. */
		job->created = f->created || f->tmp != NULL;
		if (job->changed && !reader) {
			warnx("'%s' changed while being copied", f->src);
			jobreport_said(job);
		}
		if (!reader)
			jobreport_count(c, f);
		job->bytes = f->bytes;
		job->kept = f->kept;
		job->resumed_at = f->wrote_from;
		if (f->kept > 0) {
			c->stats.resumed++;
			c->stats.kept += f->kept;
		}
		if (c->debug)
			jobreport_debug(c, f);
	}
	if (job->ret < 0)
		jobreport_said(job);
	if (job->ret < 0 && !reader)
		c->stats.failed++;
	if (f->tee != NULL)
		tee_leave(f);
	dest_inplace_done(c, f);
	free(f->tmp);
	xfer_free(x);
	job->finished = 1;
	job->cf = NULL;
	flight_leave(c, f);
	if (!f->lost) {
		memset(f, 0, sizeof(*f));
		c->freefiles[c->nfreefiles++] = f;
	}
	return STEP_WAIT;
}

/*
 * A signal came before f opened (or made) anything it could not take
 * back: end it quietly.  1 if so.
 */
static int
stopped_before(struct copier *c, struct cfile *f)
{
	if (!sched_signalled(&c->sched))
		return 0;
	xfer_fail(&f->x, -EINTR, XFER_READING, 0);
	f->state = S_END;
	return 1;
}

static int
open_src(struct copier *c, struct cfile *f)
{
	if (stopped_before(c, f))
		return STEP_GO;
	return file_op(c, f, ENGINE_OP_OPENAT, f->sat.dirfd, f->sat.name,
	    O_RDONLY | O_CLOEXEC | O_NOCTTY, 0, S_OPENED_SRC) == 0 ?
	    STEP_WAIT : STEP_GO;
}

static int
stated_src(struct copier *c, struct cfile *f)
{
	const struct copy_job	*job = f->job;
	off_t			 size;

	if (file_op_failed(c, f, "cannot fstat '%s'", f->src))
		return STEP_GO;
	at_stat_from_statx(&f->sst, &f->stx);
	/* A disk being imaged: its size, so the ring runs full. */
	if (S_ISBLK(f->sst.st_mode) && (size = at_device_size(f->sfd)) >= 0)
		f->sst.st_size = size;
	f->state = job->kind == COPY_JOB_HASH ? S_DATA_START : S_OPEN_DST;
	if (job->kind == COPY_JOB_HASH && S_ISDIR(f->sst.st_mode)) {
		warnx("'%s': Is a directory", f->src);
		jobreport_failed(f, -EISDIR);
		f->state = S_END;
	} else if ((job->kind == COPY_JOB_COPY || f->tee != NULL) &&
	    !at_same_file(&f->sst, &job->sst)) {
		warnx("'%s' was replaced while being copied", f->src);
		jobreport_failed(f, -ESTALE);
		f->state = S_END;
	}
	return STEP_GO;
}

/* Open the destination as the walker's policy said, or start its create. */
static int
open_dst(struct copier *c, struct cfile *f)
{
	int	ret = 0;

	if (stopped_before(c, f))
		return STEP_GO;
	switch (f->job->dst_how) {
	case COPY_DST_NEW:
		/* The common case, through the ring: a new file. */
		return file_op(c, f, ENGINE_OP_OPENAT, f->dat.dirfd,
		    f->dat.name, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_CREAT |
		    O_EXCL, dest_create_mode(f), S_OPENED_DST) == 0 ?
		    STEP_WAIT : STEP_GO;
	case COPY_DST_RENAME:
		ret = dest_open_temp(c, f);
		break;
	case COPY_DST_IN_PLACE:
		/* --resume: a signal stops it, and the next run goes on. */
		if (!f->job->compare && dest_inplace_admit(c, f) < 0)
			return STEP_WAIT;
		ret = dest_open_in_place(c, f);
		break;
	}
	if (ret < 0) {
		jobreport_failed(f, -EIO);
		f->state = S_END;
	} else
		f->state = S_DATA_START;
	return STEP_GO;
}

/* S_DATA: keep the reads and writes going until the data phase is over. */
static int
data(struct copier *c, struct cfile *f)
{
	xfer_pump(c, &f->x);
	if (!xfer_done(&f->x))
		return STEP_WAIT;
	if (f->x.kind == XFER_VERIFY)
		f->state = S_VERIFY_END;
	else if (f->x.err != 0)
		f->state = S_END;
	else
		f->state = S_DATA_END;
	return STEP_GO;
}

static int
data_done(struct copier *c, struct cfile *f)
{
	struct xfer	*x = &f->x;

	if (x->kind == XFER_HASH) {
		hashpipe_end(&x->hp, f->job->hex);
		f->state = S_CLOSE;
		if (f->tee != NULL) {
			/* A tee's reader: the copies have it all; changed? */
			tee_fed(f);
			f->state = S_STAT_END;
		}
		return STEP_GO;
	}
	data_end(c, f);
	/* Its data is whole: the next rewrite in place may start. */
	dest_inplace_done(c, f);
	hashpipe_end(&x->hp, x->err == 0 ? f->job->hex : NULL);
	/* The copy's figures: a --verify read-back starts a new phase. */
	f->bytes = x->bytes;
	f->offloaded = x->offloaded;
	f->holes = x->holes_bytes;
	f->cloned = x->method == XFER_CLONE;
	f->kept = x->kept;
	f->wrote_from = !x->resume ? -1 : x->wrote_from >= 0 ? x->wrote_from :
	    x->plan.eof;
	if (x->err != 0)
		f->state = S_END;
	else
		f->state = c->fsync && x->dreg ? S_FSYNC : S_STAT_END;
	return STEP_GO;
}

/*
 * --fsync: the data, and with preserved metadata the inode too (fdatasync
 * may leave a mode or times change in memory); or one syncfs for many.
 */
static int
fsync_dst(struct copier *c, struct cfile *f)
{
	return durable_hold(c, f) ? STEP_WAIT : issue(c, f,
	    (f->job->preserve & ~META_LINKS) ? ENGINE_OP_FSYNC_ALL :
	    ENGINE_OP_FSYNC, f->dfd, S_SYNCED);
}

/* The source's last look; cancelled by a stop, the whole copy is kept. */
static int
stated_end(struct copier *c, struct cfile *f)
{
	struct stat	now;

	if (f->opres == 0) {
		at_stat_from_statx(&now, &f->stx);
		if (at_stat_moved(&f->sst, &now))
			f->job->changed = 1;
	} else if (!sched_stop_cancelled(&c->sched, f->opres)) {
		/* Whether it changed is not known: as a failed close. */
		warnc((int)-f->opres, "cannot fstat '%s' after reading it",
		    f->src);
		f->job->kept_failed = 1;
	}
	f->state = S_CLOSE;
	return STEP_GO;
}

/* Both closes at once where two requests are free. */
static int
close_both(struct copier *c, struct cfile *f)
{
	int	ret;

	xfer_end(&f->x);
	if (f->sfd >= 0) {
		if ((ret = file_op(c, f, ENGINE_OP_CLOSE, f->sfd, NULL, 0, 0,
		    S_CLOSE)) <= 0)
			return ret == 0 ? STEP_WAIT : STEP_GO;
		f->sfd = -1;
	}
	if (f->dfd >= 0) {
		if ((ret = file_op(c, f, ENGINE_OP_CLOSE, f->dfd, NULL, 0, 0,
		    S_CLOSED)) <= 0)
			return ret == 0 ? STEP_WAIT : STEP_GO;
		f->dfd = -1;
	}
	f->state = S_CLOSED;
	return STEP_GO;
}

static int
closed(struct copier *c, struct cfile *f)
{
	/* A tee's reader: its members end with what it found. */
	if (f->tee != NULL && f == f->tee->reader)
		tee_stated(f);
	if (f->x.err != 0 || !f->job->verify || f->job->changed) {
		f->state = S_END;
		return STEP_GO;
	}
	/* Say how it was copied before reading back. */
	if (c->debug)
		jobreport_debug(c, f);
	f->debug_said = 1;
	verify_start(c, f);
	return STEP_GO;
}

static int
opened_src(struct copier *c, struct cfile *f)
{
	if (!file_op_failed(c, f, "cannot open '%s' for reading", f->src)) {
		f->sfd = (int)f->opres;
		/* Its statx calls answer at once (engine.h's quick). */
		f->slocal = f->job->sst.st_mode != 0 &&
		    fs_is_local(f->job->sst.st_dev, f->sfd);
		f->state = S_STAT_SRC;
	}
	return STEP_GO;
}

/*
 * Whether f's data is likely to be cloned, not read (offload_method()'s
 * first choice): a plain copy to one destination, where clones are
 * tried, from a file system that clones.  Its data is then never read,
 * and reading it ahead would only fill the page cache: 50,000 files
 * cloned on btrfs read 1.7 GB ahead.
 */
static int
clone_likely(const struct copier *c, const struct cfile *f)
{
	return f->job->kind == COPY_JOB_COPY && f->tee == NULL &&
	    c->algo == NULL && !f->job->resume && offload_may_clone(c) &&
	    fs_may_clone(f->job->sst.st_dev, f->sfd);
}

/* Whether the engine reads ahead on a hint of its own workers (io_uring). */
static int
read_ahead_can(const struct engine *eng)
{
	return eng->readahead && eng->async[ENGINE_OP_FADVISE];
}

/*
 * Whether f's source is a small regular file on a local file system, not
 * in the page cache (xfer_cached(), asked before a hint puts pages on
 * their way), that the engine can read direct or have read ahead.
 */
static int
cold_small(struct copier *c, struct cfile *f)
{
	const struct stat	*st = &f->job->sst;
	const struct engine	*eng = c->sched.eng;
	int			 looked;

	if (f->x.ahead || f->x.sflip || (eng->direct_from == 0 &&
	    !read_ahead_can(eng)) || !f->slocal || c->direct ||
	    f->job->attr_only || !S_ISREG(st->st_mode) || st->st_size <= 0 ||
	    st->st_size >= OFFLOAD_MIN || clone_likely(c, f))
		return 0;
	f->x.sfd = f->sfd;
	return xfer_cached(c, &f->x, st->st_size, &looked) == 0;
}

/*
 * A cold small file is read direct where the file system lets it (each
 * read from the disk into the ring's buffer, xstart.c) and the engine
 * waits for such reads without a thread (engine.h's direct_from).
 * Else, through io_uring, whose buffered reads are tried on this thread,
 * it is read ahead beside its statx and its create: a read that misses
 * starts its own readahead there, under the same thread that walks and
 * steps every file; the hint runs on an io-wq worker, and the copy,
 * spliced (offload.c), finds its pages on their way.  50,000 files cold:
 * 2.05 s against 2.17 s (medians of 11 interleaved runs, read through
 * the ring then); direct, 1.84 s against 2.08 s.  Warm, the look answers
 * "cached" and nothing changes.  The thread-pool engines read on their
 * workers already: no hint.
 */
static int
read_direct(struct copier *c, struct cfile *f)
{
	unsigned	from = c->sched.eng->direct_from;

	c->cold_small++;
	return from != 0 && c->cold_small >= from && xfer_direct_small(&f->x);
}

static int
stat_src(struct copier *c, struct cfile *f)
{
	int	ret;

	if (cold_small(c, f) && !read_direct(c, f) &&
	    read_ahead_can(c->sched.eng)) {
		/* Its answer is not waited for alone: the statx goes too. */
		if ((ret = file_op(c, f, ENGINE_OP_FADVISE, f->sfd, NULL, 0, 0,
		    S_STAT_SRC)) <= 0)
			return ret == 0 ? STEP_WAIT : STEP_GO;
		f->x.ahead = 1;
	}
	return issue(c, f, ENGINE_OP_STATX, f->sfd, S_STATED_SRC);
}

static int
opened_dst(struct copier *c, struct cfile *f)
{
	if (!file_op_failed(c, f, "cannot create regular file '%s'", f->dst)) {
		dest_created(f, (int)f->opres);
		f->state = S_DATA_START;
	}
	return STEP_GO;
}

static int
synced(struct copier *c, struct cfile *f)
{
	(void)c;
	f->state = f->x.err != 0 ? S_END : S_STAT_END;
	return STEP_GO;
}

/* statx the source again (a regular file's) to see whether it changed. */
static int
stat_end(struct copier *c, struct cfile *f)
{
	/* A tee's member: its reader looks. */
	if (f->tee != NULL && f->sfd < 0)
		return tee_stat_end(f);
	if (S_ISREG(f->sst.st_mode))
		return issue(c, f, ENGINE_OP_STATX, f->sfd, S_STATED_END);
	f->state = S_CLOSE;
	return STEP_GO;
}

/*
 * What each state does: go on to the next (STEP_GO), or wait for a
 * completion or the next round (STEP_WAIT).
 */
static int (*const steps[])(struct copier *, struct cfile *) = {
	[S_OPEN_SRC] = open_src,
	[S_OPENED_SRC] = opened_src,
	[S_STAT_SRC] = stat_src,
	[S_STATED_SRC] = stated_src,
	[S_OPEN_DST] = open_dst,
	[S_OPENED_DST] = opened_dst,
	[S_DATA_START] = filejob_data_start,
	[S_OFFLOAD] = filejob_offloading,
	[S_OFFLOADING] = filejob_offload_out,
	[S_CLONING] = filejob_offload_out,
	[S_DATA] = data,
	[S_DATA_END] = data_done,
	[S_FSYNC] = fsync_dst,
	[S_SYNCED] = synced,
	[S_STAT_END] = stat_end,
	[S_STATED_END] = stated_end,
	[S_CLOSE] = close_both,
	[S_CLOSED] = closed,
	[S_VERIFY_END] = verify_end,
	[S_END] = file_end,
};

void
filejob_step(struct copier *c, struct cfile *f)
{
	while (f->job != NULL && f->waiting == 0) {
		if (c->sched.broken && f->state != S_END) {
			xfer_fail(&f->x, -EIO, XFER_READING, 0);
			f->state = S_END;
		}
		if (steps[f->state](c, f) == STEP_WAIT)
			return;
	}
}

void
filejob_abandon(struct copier *c, struct cfile *f)
{
	/* Its requests are lost: the kernel may still write to them. */
	f->job->lost = f->lost = f->waiting != 0 || f->x.active != 0;
	f->lost_dst = f->lost && copier_lost_requests(c, f);
	if (f->waiting != 0 && f->state == S_OPENED_DST)
		copier_lost_create(c, f);
	f->waiting = 0;
	f->x.active = 0;
	filejob_step(c, f);
}

struct cfile *
filejob_start(struct copier *c, struct copy_job *job)
{
	struct cfile	*f = c->freefiles[--c->nfreefiles];

	memset(f, 0, sizeof(*f));
	f->job = job;
	f->src = job->src;
	f->dst = job->dst;
	f->sat.dirfd = job->src_name != NULL ? job->src_dirfd : AT_FDCWD;
	f->sat.name = job->src_name != NULL ? job->src_name : job->src;
	f->sat.path = job->src;
	f->dat.dirfd = job->dst_name != NULL ? job->dst_dirfd : AT_FDCWD;
	f->dat.name = job->dst_name != NULL ? job->dst_name : job->dst;
	f->dat.path = job->dst;
	f->sfd = f->dfd = -1;
	xfer_init(&f->x, job->kind == COPY_JOB_HASH ? XFER_HASH : XFER_COPY,
	    -1, -1, 0, 0);
	f->x.flush = c->fsync || job->verify;
	f->state = S_OPEN_SRC;
	if ((f->tee = job->tee) != NULL)
		tee_join(f);
	job->cf = f;
	flight_join(c, f);
	if (c->nactive > c->stats.peak_files)
		c->stats.peak_files = c->nactive;
	filejob_step(c, f);
	return f;
}
