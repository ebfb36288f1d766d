/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tee: the source read once, written to each destination (tee.h).
 * The reader is a hash job of the source with the tee attached to its
 * data phase; a member is a copy job that skips the source's open (the
 * reader opens and stats it, and looks again at the end for a change)
 * and whose data phase (XFER_TEE) only writes.  Members each keep their
 * own destination's rules: created O_EXCL or as an --atomic temporary,
 * metadata, --fsync, --verify, removed when their copy fails.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "copier_int.h"
#include "filejob.h"
#include "fstype.h"
#include "holes.h"
#include "jobreport.h"
#include "offload.h"
#include "tee.h"
#include "xmalloc.h"

/*
 * Does the source of jobs[0] (all of them have it) live on a file system
 * whose clones and copy_file_range() stop at its device?  Told by an fd
 * of it, so that a btrfs subvolume (not in mountinfo) is told too.
 */
static int
src_solo(const struct copy_job *job)
{
	int	fd, solo;

	if ((fd = openat(job->src_dirfd, job->src_name != NULL ?
	    job->src_name : job->src, O_PATH | O_CLOEXEC)) < 0)
		return 0;
	solo = fs_is_solo(job->sst.st_dev, fd);
	(void)close(fd);
	return solo;
}

/*
 * Is job's destination where no clone or copy_file_range() reaches from
 * its source: another device, and on one side a file system whose own
 * stop at its device (fstype.h)?  0 when it cannot be told.  *ssolo is
 * src_solo(), asked the first time it is needed (-1 before).
 */
static int
out_of_reach(const struct copy_job *job, int *ssolo)
{
	struct stat	 dst;
	int		 dfd, far = 0;

	if ((dfd = job->dst_name != NULL ?
	    at_parent_open(job->dst_dirfd, job->dst_name) :
	    at_parent_open(AT_FDCWD, job->dst)) < 0)
		return 0;
	if (fstat(dfd, &dst) == 0 && dst.st_dev != job->sst.st_dev) {
		far = fs_is_solo(dst.st_dev, dfd);
		if (!far && *ssolo < 0)
			*ssolo = src_solo(job);
		far = far || *ssolo > 0;
	}
	(void)close(dfd);
	return far;
}

/*
 * Without a hash each destination's copy reads the source on its own, so
 * that a clone or copy_file_range() may serve it.  Where neither can
 * serve any destination, each copy passes through the ring, and one read
 * for all of them costs less: a cached 1 GiB file to two ext4 loop
 * devices took 1.96 times one copy each on its own (0.553 s, 0.83 s of
 * CPU), 1.59 times read once (0.447 s, 0.6-0.7 s of CPU); two cp at once
 * 1.16 times.  A small file splices, or goes through the ring beside
 * others; it stays as it was.
 */
static int
plain_tee_pays(const struct copier *c, struct copy_job **jobs, unsigned n)
{
	int		ssolo = -1;
	unsigned	i;

	if (jobs[0]->sst.st_size < OFFLOAD_MIN ||
	    c->reflink == COPY_REFLINK_ALWAYS)
		return 0;
	if (!offload_may_clone(c) && !offload_may_range(c))
		return 1;
	for (i = 0; i < n; i++)
		if (!out_of_reach(jobs[i], &ssolo))
			return 0;
	return 1;
}

int
tee_wanted(const struct copier *c, struct copy_job **jobs, unsigned n)
{
	unsigned	i;

	/* The reader takes a slot of its own beside the members'. */
	if (n < 2 || n > TEE_MAX || n + 1 > c->maxfiles || c->targets < n)
		return 0;
	for (i = 0; i < n; i++)
		if (jobs[i]->kind != COPY_JOB_COPY || jobs[i]->attr_only ||
		    jobs[i]->dst_how == COPY_DST_IN_PLACE || jobs[i]->resume ||
		    !S_ISREG(jobs[i]->sst.st_mode))
			return 0;
	return c->algo != NULL || plain_tee_pays(c, jobs, n);
}

static void
rjob_done(struct copy_job *job)
{
	tee_put(job->arg);
}

struct tee *
tee_new(struct copier *c, struct copy_job **jobs, unsigned n)
{
	struct tee	*t = xcalloc(1, sizeof(*t));
	unsigned	 i;

	t->refs = n + 1;
	t->rjob.kind = COPY_JOB_HASH;
	t->rjob.src = jobs[0]->src;
	t->rjob.src_dirfd = jobs[0]->src_dirfd;
	t->rjob.src_name = jobs[0]->src_name;
	t->rjob.sst = jobs[0]->sst;
	t->rjob.algo = c->algo;
	t->rjob.done = rjob_done;
	t->rjob.arg = t;
	t->rjob.tee = t;
	for (i = 0; i < n; i++)
		jobs[i]->tee = t;
	return t;
}

void
tee_put(struct tee *t)
{
	if (--t->refs == 0)
		free(t);
}

void
tee_join(struct cfile *f)
{
	struct tee	*t = f->tee;

	if (f->job == &t->rjob) {
		t->reader = f;
		return;
	}
	t->member[t->n++] = f;
	/* The reader opens the source; this only writes. */
	f->sst = f->job->sst;
	f->state = S_OPEN_DST;
}

/* Is m a member still taking data? */
static int
live(const struct cfile *m)
{
	return m != NULL && m->state == S_DATA && m->x.err == 0;
}

/* Start member m writing what the reader, which opened sst, reads. */
static void
member_start(struct copier *c, struct cfile *m, const struct stat *sst)
{
	struct xfer	*x = &m->x;
	struct stat	 dst;

	m->sst = *sst;
	x->method = XFER_TEE;
	x->sfd = -1;
	x->dfd = m->dfd;
	x->scratch = m->tmp != NULL;
	x->zeros = x->dreg && c->sparse == COPY_SPARSE_ALWAYS;
	chunk_init(&x->plan, sst->st_size, c->block_size);
	if (c->direct && x->dreg && fstat(x->dfd, &dst) == 0)
		twin_open(&x->ddirect, x->dfd, O_WRONLY, &dst, c->block_size);
	m->state = S_DATA;
}

int
tee_data_start(struct copier *c, struct cfile *f)
{
	struct tee	*t = f->tee;
	struct xfer	*x = &f->x;
	unsigned	 k, n = 0;
	int		 dense = 0;

	/* An open done at once may bring one here before all are there. */
	if (!t->ready)
		return STEP_WAIT;
	if (f != t->reader) {
		/* The reader starts it; gone, it said why (or a signal did). */
		if (t->reader != NULL)
			return STEP_WAIT;
		jobreport_failed(f, -ECANCELED);
		f->state = S_END;
		return STEP_GO;
	}
	for (k = 0; k < t->n; k++) {
		if (t->member[k] == NULL)
			continue;
		if (t->member[k]->state != S_DATA_START)
			return STEP_WAIT;
		dense |= !t->member[k]->x.dreg;
		n++;
	}
	if (n == 0) {
		/* Every destination failed before its data: nothing to read. */
		jobreport_failed(f, -ECANCELED);
		f->state = S_END;
		return STEP_GO;
	}
	x->sfd = f->sfd;
	xfer_plan(c, x, &f->sst);
	/* Holes stay holes only where every copy can have them. */
	if (c->sparse == COPY_SPARSE_NEVER || dense)
		x->sparse = 0;
	x->tee = t;
	t->reading = 1;
	for (k = 0; k < t->n; k++)
		if (t->member[k] != NULL)
			member_start(c, t->member[k], &f->sst);
	x->method = XFER_RING;
	f->state = S_DATA;
	if (xfer_ring_start(c, x, &f->sst, c->algo) < 0)
		f->state = S_END;
	return STEP_GO;
}

void
tee_fan_out(struct copier *c, struct creq *q)
{
	struct xfer	*x = q->x;
	struct tee	*t = x->tee;
	struct creq	*w;
	struct cfile	*m;
	unsigned	 k;

	/* Held while the writes are made: one may be done with at once. */
	q->children = 1;
	for (k = 0; k < t->n; k++) {
		if (!live(m = t->member[k]))
			continue;
		if ((w = sched_get(&c->sched)) == NULL) {
			/* Sized for a write a member a buffer: a bug. */
			xfer_fail(&m->x, -EBUSY, XFER_WRITING, q->off);
			continue;
		}
		w->x = &m->x;
		w->f = m;
		w->parent = q;
		w->buf = w->r.buf = q->buf;
		w->off = q->off;
		w->want = q->want;
		w->have = q->have;
		w->edge = x->sparse && (q->off < x->ext_start ||
		    q->off + (off_t)q->want > x->ext_end);
		/*
		 * Hashed, 1 GiB to two targets on a journaled ext4 (19
		 * interleaved runs): 0.85 s with every write inline, 0.72 s
		 * with the second target's on io-wq.  Threads of our own
		 * instead of io-wq for every target's writes (pwrite(), an
		 * idle thread woken for 8 writes or when acp waits, their
		 * completions told through an eventfd polled in the ring)
		 * were no faster (7 runs each, ms): 453 against 426 with one
		 * thread for both, 438 against 420 with two taking from one
		 * queue (they contended on each file's lock), and with one a
		 * target 438-454 in four runs, 726-938 in three (median 726
		 * against 449).  On 6.18, IOSQE_ASYNC writes skip io-wq's
		 * one-worker-a-file rule (it is taken before the file is
		 * known): many workers take turns on the second target's
		 * lock (6% of a profile spinning on it).  Without the flag
		 * both targets' writes waited for one worker (0.51 s against
		 * 0.49); with at most 1, 2 or 4 of a target's writes out at
		 * once, 0.60, 0.60 and 0.52 against 0.54 (11 interleaved
		 * runs each): the cost of a round trip through this thread.
		 */
		w->offcore = k > 0;
		q->children++;
		if (++m->x.active > m->x.peak)
			m->x.peak = m->x.active;
		if ((m->x.zeros || w->edge) && holes_zero_block(c, w))
			xfer_release(c, w);
		else if (xfer_send(c, w, CREQ_WRITE) < 0)
			xfer_release(c, w);
	}
	q->wdone = --q->children == 0;
}

void
tee_child_release(struct copier *c, struct creq *w)
{
	struct creq	*q = w->parent;

	w->x->active--;
	w->parent = NULL;
	w->buf = -1;
	sched_put(&c->sched, w);
	if (--q->children > 0 || q->wdone)
		return;
	/* The last write of the reader's buffer: it may go back now. */
	q->wdone = 1;
	if (!q->x->hp.on || q->hashed)
		xfer_release(c, q);
}

void
tee_pump(struct tee *t)
{
	unsigned	k;

	for (k = 0; k < t->n; k++)
		if (live(t->member[k]))
			return;
	/* No one left to write for: stop reading, with nothing to say. */
	jobreport_failed(t->reader, -ECANCELED);
}

void
tee_fed(struct cfile *f)
{
	struct tee	*t = f->tee;
	struct cfile	*m;
	unsigned	 k;

	for (k = 0; k < t->n; k++) {
		if ((m = t->member[k]) == NULL || m->state != S_DATA)
			continue;
		memcpy(m->job->hex, f->job->hex, sizeof(m->job->hex));
		m->x.plan.eof = f->x.plan.eof;
		m->x.holes_bytes += f->x.holes_bytes;
		m->x.fed = 1;
	}
	t->fed = 1;
}

int
tee_stat_end(struct cfile *f)
{
	struct tee	*t = f->tee;

	if (!t->stated)
		return STEP_WAIT;
	f->job->changed = t->changed;
	f->job->kept_failed |= t->late_failed;
	f->state = S_CLOSE;
	return STEP_GO;
}

void
tee_stated(struct cfile *f)
{
	f->tee->changed = f->job->changed;
	f->tee->late_failed = f->job->kept_failed;
	f->tee->stated = 1;
}

void
tee_leave(struct cfile *f)
{
	struct tee	*t = f->tee;
	struct cfile	*m;
	unsigned	 k;
	int		 err = f->x.err != 0 ? f->x.err : -EIO;

	if (f != t->reader) {
		for (k = 0; k < t->n; k++)
			if (t->member[k] == f)
				t->member[k] = NULL;
		tee_put(t);
		return;
	}
	t->reader = NULL;
	t->stated = 1;
	if (t->fed)
		return;
	/* Those still waiting for data get none: the reader said why. */
	for (k = 0; k < t->n; k++)
		if ((m = t->member[k]) != NULL && m->x.err == 0)
			jobreport_failed(m, err);
}
