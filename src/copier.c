/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier's API.  It takes jobs from the walker, gives each a file
 * slot (filejob.c), and runs rounds: every file in flight issues what it
 * can, then a batch of completions is reaped (sched.c) and handed to the
 * data phase (xfer.c) or the state machine (filejob.c).
 *
 * Jobs are reported to the caller in the order they were submitted: a
 * finished job waits (holding only its struct, not a file slot) until
 * those before it are done.  The number of such jobs is bounded, so the
 * walker can run ahead of the copier without unbounded memory.
 */
#include "config.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copier_int.h"
#include "durable.h"
#include "filejob.h"
#include "say.h"
#include "tee.h"
#include "workers.h"
#include "xmalloc.h"

unsigned
copier_requests(unsigned depth, unsigned files, unsigned targets)
{
	/* A tee's buffer: the read, and a write to each of its targets. */
	return depth * (targets > 1 ? targets + 1 : 1) +
	    (files != 0 ? files : depth);
}

/* The file slots, each with its splice pipe (made when first used). */
static void
slots_init(struct copier *c)
{
	unsigned	i;

	c->files = xcalloc(c->maxfiles, sizeof(*c->files));
	c->pipes = xcalloc(c->maxfiles, sizeof(*c->pipes));
	c->freefiles = xcalloc(c->maxfiles, sizeof(*c->freefiles));
	for (i = 0; i < c->maxfiles; i++) {
		c->pipes[i][0] = c->pipes[i][1] = -1;
		c->freefiles[c->nfreefiles++] = &c->files[c->maxfiles - 1 - i];
	}
}

static void
slots_exit(struct copier *c)
{
	unsigned	i;

	for (i = 0; c->pipes != NULL && i < c->maxfiles; i++) {
		if (c->pipes[i][0] >= 0)
			(void)close(c->pipes[i][0]);
		if (c->pipes[i][1] >= 0)
			(void)close(c->pipes[i][1]);
	}
	free(c->pipes);
	free(c->files);
	free(c->freefiles);
}

/*
 * Several destinations: each one's copy_file_range() pieces run at once,
 * a thread each (two cp runs side by side took 1.15 times one here,
 * where this thread alone took 1.9).  Without the threads, the pieces
 * run here.  Clones use them too (copier_clone_threads()).
 */
static void
offload_threads(struct copier *c, unsigned threads)
{
	c->offw = xcalloc(1, sizeof(*c->offw));
	if (workers_start(c->offw, c->maxfiles, threads, -1) < 0) {
		(void)workers_stop(c->offw, 0);
		free(c->offw);
		c->offw = NULL;
	}
}

/*
 * The threads clones are made on, started with the first clone that
 * worked (the ones before are made on this thread, until the file
 * system is known to clone); NULL where they cannot be had.  FICLONE
 * waits for the file system: on this thread the clones of a tree ran
 * one after another, as cp makes them, and every other file waited.
 */
struct workers *
copier_clone_threads(struct copier *c)
{
	if (c->offw == NULL && c->clones > 0 && !c->no_clone_threads) {
		offload_threads(c, COPIER_CLONE_THREADS);
		c->no_clone_threads = c->offw == NULL;
	}
	return c->offw;
}

/*
 * What is said next is about f: with its place in the input (a list's
 * line), or none.  What was said before, to be put back.
 */
static const char *
about(const struct cfile *f)
{
	return say_where(f != NULL && f->job != NULL ? f->job->where : NULL);
}

/*
 * Take the pieces the threads have finished (waiting for min of them)
 * and move their files on: a destination's next piece starts as soon as
 * its last one ends, however far behind a slower destination's is
 * (waiting for every piece out held each destination to the slowest
 * one's pace).
 */
static void
offloads_collect(struct copier *c, unsigned min)
{
	struct req	*done[16];
	const char	*was;
	unsigned	 i, n;

	n = workers_reap(c->offw, min, done, 16);
	for (i = 0; i < n; i++) {
		c->offloads--;
		was = about(done[i]->owner);
		filejob_offloaded(c, done[i]->owner, done[i]->res);
		(void)say_where(was);
	}
}

struct copier *
copier_new(struct engine *eng, const struct copier_params *params, int *err)
{
	struct copier	*c = xcalloc(1, sizeof(*c));
	int		 ret;

	c->block_size = params->block_size;
	c->depth = params->depth;
	c->debug = params->debug;
	c->offload = params->offload;
	c->direct = params->direct;
	c->algo = params->algo;
	c->fsync = params->fsync;
	c->sparse = params->sparse;
	c->reflink = params->reflink;
	/* Only this thread touches the umask, and only here. */
	c->umask = umask(0);
	(void)umask(c->umask);
	/*
	 * depth reads and writes, each with a buffer; beside them, one
	 * open, statx, fsync or close for each file in flight, which need
	 * no buffer.  Finished jobs wait for their turn to be reported; a
	 * few times as many as the files keeps the walker ahead.
	 */
	c->maxfiles = params->files != 0 ? params->files : c->depth;
	c->maxcopying = params->copying != 0 &&
	    params->copying < c->maxfiles ? params->copying : c->maxfiles;
	c->maxjobs = 4 * c->maxfiles;
	c->targets = params->targets > 0 ? params->targets : 1;
	/* Two buffers at least: --resume compares a block with its copy. */
	if ((ret = sched_init(&c->sched, eng, copier_requests(c->depth,
	    c->maxfiles, c->targets), c->depth < 2 ? 2 : c->depth,
	    c->block_size, params->stop, c->debug)) < 0) {
		free(c);
		*err = ret;
		return NULL;
	}
	slots_init(c);
	/*
	 * A plain copy of a small cached file through a pipe: splice in
	 * takes references to the source's pages, splice out copies them
	 * once into the destination's, where read and write copy twice.
	 * Only where the engine does splices off this thread.
	 */
	c->splice = params->offload && eng->async[ENGINE_OP_SPLICE];
	if (params->offload && c->targets > 1)
		offload_threads(c, c->targets);
	durable_start(c);
	eng->wait_ms = COPIER_TICK_MS;
	return c;
}

/*
 * A copier whose requests were given up on while the kernel may still
 * write to them (its buffers, its requests, the statx in its slots):
 * kept, not freed, until the process ends.
 */
static struct copier *volatile kept;

void
copier_lost_create(struct copier *c, const struct cfile *f)
{
	struct lost_create	*l;
	unsigned		 i;

	for (i = 0; i < c->sched.nreqs; i++)
		if (c->sched.reqs[i].f == f && c->sched.reqs[i].queued &&
		    c->sched.reqs[i].r.op == ENGINE_OP_OPENAT)
			break;
	if (i == c->sched.nreqs)
		return;
	if (c->lost == NULL)
		c->lost = xcalloc(c->maxfiles, sizeof(*c->lost));
	l = &c->lost[c->nlost++];
	l->q = &c->sched.reqs[i];
	l->dirfd = f->dat.dirfd == AT_FDCWD ? AT_FDCWD :
	    fcntl(f->dat.dirfd, F_DUPFD_CLOEXEC, 0);
	l->name = xstrdup(f->dat.name);
}

int
copier_lost_requests(const struct copier *c, struct cfile *f)
{
	const struct creq	*q;
	unsigned		 i;
	int			 dst = 0;

	for (i = 0; i < c->sched.nreqs; i++) {
		q = &c->sched.reqs[i];
		if (!q->queued || (q->f != f && q->x != &f->x))
			continue;
		if (q->x == &f->x && (f->x.unwritten < 0 ||
		    q->off < f->x.unwritten))
			f->x.unwritten = q->off;
		if ((q->r.op != ENGINE_OP_READ && q->r.op != ENGINE_OP_SPLICE &&
		    q->r.op != ENGINE_OP_FADVISE) ||
		    (q->r.fd != f->x.sfd && q->r.fd != f->x.sdirect.fd))
			dst = 1;
	}
	return dst;
}

/* The creates given up on that happened after all: undone. */
static void
lost_creates_undo(struct copier *c)
{
	struct lost_create	*l;
	unsigned		 i;

	for (i = 0; i < c->nlost; i++) {
		l = &c->lost[i];
		/* Done by a worker (the engine has stopped): its fd. */
		if (l->q->r.res >= 0) {
			(void)close((int)l->q->r.res);
			if (l->dirfd != -1)
				(void)unlinkat(l->dirfd, l->name, 0);
		}
		if (l->dirfd >= 0)
			(void)close(l->dirfd);
		free(l->name);
	}
	free(c->lost);
	c->lost = NULL;
	c->nlost = 0;
}

void
copier_free(struct copier *c)
{
	if (c == NULL)
		return;
	lost_creates_undo(c);
	strset_free(&c->tempdirs);
	if (c->sched.inengine > 0) {
		kept = c;
		return;
	}
	durable_free(c);
	if (c->offw != NULL) {
		(void)workers_stop(c->offw, 0);
		free(c->offw);
	}
	slots_exit(c);
	sched_exit(&c->sched);
	free(c);
}

/* Tell the caller of every finished job at the head of the queue. */
static void
report(struct copier *c)
{
	struct copy_job	*job;
	const char	*was;

	while ((job = c->head) != NULL && job->finished) {
		c->head = job->next;
		if (c->head == NULL)
			c->tail = NULL;
		c->njobs--;
		job->next = NULL;
		/* Put back before the job, and its place, are freed. */
		was = say_where(job->where);
		job->done(job);
		(void)say_where(was);
	}
}

/*
 * Step every file in flight, in the order they started; after the
 * engine failed, abandon each.  A file that ends leaves the list, and
 * the cursor moves past it.
 */
static void
step_all(struct copier *c, int abandon)
{
	struct cfile	*f;
	const char	*was;

	for (f = c->first; f != NULL; f = c->cursor) {
		c->cursor = f->next;
		/* One waiting for its requests has no step to take. */
		if (!abandon && f->waiting != 0)
			continue;
		was = about(f);
		if (abandon)
			filejob_abandon(c, f);
		else
			filejob_step(c, f);
		(void)say_where(was);
	}
}

/*
 * Every file in flight is abandoned: first the pieces out on the
 * threads come back (a piece ends; its file must not go while a thread
 * writes through it).
 */
static void
abandon_all(struct copier *c)
{
	while (c->offloads > 0)
		offloads_collect(c, 1);
	step_all(c, 1);
}

/*
 * A signal stops the run: what the engine holds for a file that is not
 * let finish (an in-place rewrite of a regular file is) is cancelled, so
 * a read blocked on a FIFO, a pipe or a stalled filesystem ends now.
 */
static void
cancel_inflight(struct copier *c)
{
	struct creq	*q;
	struct xfer	*x;
	unsigned	 i;

	for (i = 0; i < c->sched.nreqs; i++) {
		q = &c->sched.reqs[i];
		/* A data request knows its phase, a meta one its file. */
		x = q->x != NULL ? q->x : q->f != NULL ? &q->f->x : NULL;
		if (q->queued && !q->cancelled && (x == NULL ||
		    xfer_stopped(c, x)))
			sched_cancel(&c->sched, q);
	}
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A stopped run waits for what it cancelled; requests that do not come
 * back in COPIER_GIVE_UP_MS (a read from a filesystem that stalled: FUSE
 * waits for its daemon's answer even after a signal) are given up on.
 * Every file in flight then fails, its partial destination removed, and
 * none of what those requests use (their slots, buffers, the engine's
 * threads) is freed or reused: the process is about to end.  The rewrites
 * in place let finish are not cancelled, and are waited for.
 */
static void
stop_clock(struct copier *c)
{
	if (c->stopped_ns == 0) {
		c->stopped_ns = now_ns();
		/* Look at the clock more often while waiting. */
		c->sched.eng->wait_ms = COPIER_STOP_WAIT_MS;
	}
	if (c->sched.broken || c->sched.inengine == 0 ||
	    c->sched.cancelled < c->sched.inengine ||
	    now_ns() - c->stopped_ns < COPIER_GIVE_UP_MS * 1000000ull)
		return;
	warnx("giving up on %u cancelled request%s that did not end (a "
	    "stalled file system?)", c->sched.inengine,
	    c->sched.inengine == 1 ? "" : "s");
	c->sched.broken = 1;
	c->sched.eng->abandoned = 1;
	abandon_all(c);
}

/*
 * How many completions a round waits for: half of each file's requests
 * in flight.  One big file with 32 reads and writes out waits for 16, so
 * one io_uring_enter() retires a batch (waiting for one took 2,980
 * enters for a 1 GiB copy, 232 waiting for half, and a little more
 * CPU).  Many small files, each with one open, splice or close out,
 * wait for the first: each completion moves a file on to its next
 * request, which would otherwise wait while io-wq's workers run dry
 * (medians of 6 interleaved runs, against waiting for half of all
 * requests: 50,000 files warm 1.08 s against 1.15 s, the 10,000-entry
 * tree -a 0.285 s against 0.303 s; cold, no clear change).
 */
static unsigned
reap_min(const struct copier *c)
{
	unsigned	files = c->nactive > 0 ? c->nactive : 1;
	unsigned	n = c->sched.inengine / (2 * files);

	return n > 1 ? n : 1;
}

/*
 * One round: let every file in flight issue what it can, then wait for a
 * batch of completions and hand them to their files.
 */
static void
round_run(struct copier *c)
{
	struct creq	*q;
	const char	*was;
	int		 n, i;

	c->stepping = 0;
	step_all(c, 0);
	c->stepping += durable_round(c);
	/*
	 * Wait for a piece when nothing else is to be waited for; else the
	 * engine's wait (a tick at most) lets those done be taken next.
	 */
	if (c->offloads > 0)
		offloads_collect(c, c->stepping == 0 &&
		    c->sched.inengine == 0);
	if (sched_signalled(&c->sched)) {
		cancel_inflight(c);
		stop_clock(c);
	}
	/* After the engine failed, what it holds never comes back. */
	if (c->sched.inengine == 0 || c->sched.broken) {
		if (c->stepping > 0 && c->tick != NULL)
			c->tick(c->tick_arg);
		if (c->nactive > 0 && c->stepping == 0 && c->offloads == 0 &&
		    !c->sched.broken) {
			/* Files in flight and nothing to wait for: a bug. */
			warnx("%u files stalled with no request in flight",
			    c->nactive);
			c->sched.broken = 1;
			step_all(c, 0);
		}
		report(c);
		return;
	}
	n = sched_reap(&c->sched, c->stepping > 0 ? 0 : reap_min(c));
	if (n < 0) {
		/* Every file in flight fails; nothing new starts. */
		warnc(-n, "I/O engine %s failed", c->sched.eng->ops->name);
		abandon_all(c);
		report(c);
		return;
	}
	for (i = 0; i < n; i++) {
		q = sched_reaped(&c->sched, i);
		was = about(q->f);
		if (q->phase == CREQ_META)
			filejob_meta_done(c, q);
		else
			xfer_complete(c, q);
		(void)say_where(was);
	}
	if (c->tick != NULL)
		c->tick(c->tick_arg);
	report(c);
}

/*
 * May k more files start?  Each takes a slot and a place among the jobs
 * reported in order; and at most maxcopying files copy at once, beside
 * those whose data is written and that wait for a --fsync batch's
 * syncfs (durable.h).  After the engine failed, the jobs' places only:
 * the files start and fail at once.
 */
static int
room_for(const struct copier *c, unsigned k)
{
	unsigned	parked = durable_parked(c);
	unsigned	copying = c->nactive > parked ? c->nactive - parked : 0;

	if (c->njobs + k > c->maxjobs)
		return 0;
	return c->sched.broken || (c->nfreefiles >= k &&
	    copying + k <= c->maxcopying);
}

/* Queue job to be reported after those before it. */
static void
enqueue(struct copier *c, struct copy_job *job)
{
	job->next = NULL;
	job->finished = 0;
	job->ret = -1;
	if (c->tail != NULL)
		c->tail->next = job;
	else
		c->head = job;
	c->tail = job;
	c->njobs++;
}

void
copier_submit_group(struct copier *c, struct copy_job **jobs, unsigned n)
{
	struct tee	*t;
	const char	*was;
	unsigned	 i;
	int		 tee = tee_wanted(c, jobs, n);

	if (tee) {
		/* Its reader and members start together. */
		while (!room_for(c, n + 1))
			round_run(c);
	}
	if (!tee || c->nfreefiles < n + 1) {
		for (i = 0; i < n; i++)
			copier_submit(c, jobs[i]);
		return;
	}
	t = tee_new(c, jobs, n);
	t->rjob.where = jobs[0]->where;
	enqueue(c, &t->rjob);
	was = say_where(t->rjob.where);
	(void)filejob_start(c, &t->rjob);
	for (i = 0; i < n; i++) {
		enqueue(c, jobs[i]);
		(void)filejob_start(c, jobs[i]);
	}
	(void)say_where(was);
	t->ready = 1;
	report(c);
}

void
copier_submit(struct copier *c, struct copy_job *job)
{
	const char	*was;

	while (!room_for(c, 1))
		round_run(c);
	enqueue(c, job);
	if (c->nfreefiles == 0) {
		/* The engine failed holding every slot: none comes back. */
		job->cf = NULL;
		job->finished = 1;
		c->stats.failed++;
	} else {
		was = say_where(job->where);
		(void)filejob_start(c, job);
		(void)say_where(was);
	}
	report(c);
}

void
copier_note(struct copier *c, struct copy_job *job)
{
	while (c->njobs >= c->maxjobs)
		round_run(c);
	enqueue(c, job);
	job->cf = NULL;
	job->ret = 0;
	job->finished = 1;
	report(c);
}

void
copier_wait(struct copier *c, const struct copy_job *job)
{
	const struct copy_job	*j;
	int			 queued;

	for (;;) {
		/* NULL: every job; no need to look for it in the queue. */
		queued = job == NULL;
		for (j = c->head; j != NULL && !queued; j = j->next)
			queued = j == job;
		if (c->head == NULL || !queued)
			return;
		round_run(c);
	}
}

const char *
copier_current(const struct copier *c)
{
	return c->head != NULL ? c->head->src : NULL;
}

void
copier_stats(const struct copier *c, struct copy_stats *st)
{
	*st = c->stats;
	st->requests = c->sched.requests;
	st->peak = c->sched.peak;
}

uint64_t
copier_done_bytes(const struct copier *c)
{
	return c->done_bytes;
}

uint64_t
copier_done_files(const struct copier *c)
{
	return c->stats.files + c->stats.checked + c->stats.failed;
}

void
copier_set_tick(struct copier *c, void (*tick)(void *), void *arg)
{
	c->tick = tick;
	c->tick_arg = arg;
}

int
copier_stopping(const struct copier *c)
{
	return sched_stopping(&c->sched);
}

int
copier_cold(const struct copier *c)
{
	return c->warm.same >= PAGECACHE_RUN && !c->warm.warm;
}

int
copier_broken(const struct copier *c)
{
	return c->sched.broken;
}

unsigned
copier_max_files(const struct copier *c)
{
	return c->maxfiles;
}

mode_t
copier_umask(const struct copier *c)
{
	return c->umask;
}
