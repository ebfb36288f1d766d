/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The start of a file's data phase (S_DATA_START), by the method
 * offload_method() picks: a clone, copy_file_range() a piece a round, or
 * the ring; the clones and the pieces on worker threads where there are
 * some (S_CLONING, S_OFFLOADING).  Steps of filejob.c's machine.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>

#include "copier_int.h"
#include "filejob.h"
#include "jobreport.h"
#include "offload.h"
#include "tee.h"
#include "workers.h"
#include "xfer.h"

/* The data phase by method m: through the ring (or a pipe, splicing). */
static int
ring_start(struct copier *c, struct cfile *f, enum xfer_method m)
{
	struct xfer	*x = &f->x;

	x->method = m;
	f->state = S_DATA;
	x->scratch = f->tmp != NULL;
	if (xfer_ring_start(c, x, &f->sst, x->kind == XFER_HASH ?
	    f->job->algo : c->algo) < 0)
		f->state = S_END;
	return STEP_GO;
}

/* Where a piece of copy_file_range() leaves f (how: offload_copy()'s). */
static int
offloaded(struct copier *c, struct cfile *f, int how)
{
	switch (how) {
	case 2:
		f->state = S_OFFLOAD;
		c->stepping++;
		return STEP_WAIT;
	case 1:
		f->state = S_DATA_END;
		return STEP_GO;
	case 0:
		return ring_start(c, f, (enum xfer_method)offload_method(c,
		    &f->x, &f->sst, XFER_OFFLOAD));
	}
	f->state = S_END;
	return STEP_GO;
}

/*
 * Hand f's request (f->oreq, made) to the threads w, where f waits in
 * state: 1, or 0 when it is to be made here (no threads, or no room).
 */
static int
to_thread(struct copier *c, struct workers *w, struct cfile *f,
    enum cstate state)
{
	f->oreq.owner = f;
	if (w == NULL || workers_queue(w, &f->oreq) < 0)
		return 0;
	c->offloads++;
	f->state = state;
	return 1;
}

/*
 * S_OFFLOAD: copy_file_range() a piece at a time, a round each, so that
 * progress, signals and the other files in flight go on meanwhile.
 */
int
filejob_offloading(struct copier *c, struct cfile *f)
{
	if (c->offw != NULL && !f->x.spliced && !xfer_stopped(c, &f->x)) {
		/* Beside the other destinations' pieces, on a thread. */
		offload_step_req(&f->x, &f->oreq);
		if (to_thread(c, c->offw, f, S_OFFLOADING))
			return STEP_WAIT;
	}
	return offloaded(c, f, offload_copy(c, &f->x));
}

/*
 * S_OFFLOADING, S_CLONING: the round collects the piece or the clone
 * (filejob_offloaded()).
 */
int
filejob_offload_out(struct copier *c, struct cfile *f)
{
	(void)c;
	(void)f;
	return STEP_WAIT;
}

/*
 * Where a clone leaves f (how: offload_clone()'s): done, failed under
 * --reflink=always, or copied by the next method that fits.
 */
static int
cloned(struct copier *c, struct cfile *f, int how)
{
	struct xfer		*x = &f->x;
	enum xfer_method	 m;

	if (how > 0) {
		f->state = S_DATA_END;
		return STEP_GO;
	}
	if (how < 0) {
		warnc(-how, "failed to clone '%s' from '%s'", f->dst, f->src);
		jobreport_failed(f, how);
		f->state = S_END;
		return STEP_GO;
	}
	if ((m = offload_method(c, x, &f->sst, XFER_CLONE)) == XFER_OFFLOAD) {
		x->method = XFER_OFFLOAD;
		f->state = S_OFFLOAD;
		return STEP_GO;
	}
	return ring_start(c, f, m);
}

/*
 * Clone f on a worker thread, beside the other files' clones and steps:
 * 1 when it went there, 0 to clone here.
 */
static int
clone_on_thread(struct copier *c, struct cfile *f)
{
	if (xfer_stopped(c, &f->x))
		return 0;
	offload_clone_req(&f->x, &f->oreq);
	return to_thread(c, copier_clone_threads(c), f, S_CLONING);
}

void
filejob_offloaded(struct copier *c, struct cfile *f, ssize_t res)
{
	int	step;

	if (f->state == S_CLONING)
		step = cloned(c, f, offload_cloned(c, &f->x, f->sst.st_size,
		    (int)res));
	else
		step = offloaded(c, f, offload_step_done(c, &f->x, res));
	if (step == STEP_GO)
		filejob_step(c, f);
}

/* Plan the data phase and start it by the method offload_method() picks. */
int
filejob_data_start(struct copier *c, struct cfile *f)
{
	struct xfer		*x = &f->x;
	enum xfer_method	 m;

	if (f->tee != NULL)
		return tee_data_start(c, f);
	x->sfd = f->sfd;
	x->dfd = f->dfd;
	x->slocal = f->slocal;
	/* The slot's pipe: for splices, and should copy_file_range() fail. */
	x->pipe = c->pipes[f - c->files];
	f->state = S_DATA_END;
	if (f->job->attr_only) {
		/* --attributes-only: the file, its metadata, no data. */
		x->method = XFER_NONE;
		x->plan.eof = -1;
		return STEP_GO;
	}
	xfer_plan(c, x, &f->sst);
	if ((m = offload_method(c, x, &f->sst, XFER_NONE)) == XFER_CLONE) {
		x->method = XFER_CLONE;
		if (clone_on_thread(c, f))
			return STEP_WAIT;
		return cloned(c, f, offload_clone(c, x, f->sst.st_size));
	}
	if (m == XFER_OFFLOAD) {
		x->method = XFER_OFFLOAD;
		f->state = S_OFFLOAD;
		return STEP_GO;
	}
	return ring_start(c, f, m);
}
