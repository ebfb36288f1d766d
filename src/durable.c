/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copier_int.h"
#include "durable.h"
#include "filejob.h"
#include "fstype.h"
#include "workers.h"
#include "xmalloc.h"

/* Destination file systems with a descriptor kept for their syncfs. */
#define DURABLE_FS	8

struct durable {
	struct workers	w;
	struct req	req;		/* the syncfs out, if busy */
	int		busy;
	unsigned	waiting;	/* files DURABLE_WAITING */
	unsigned	inbatch;	/* files DURABLE_BATCH */
	/*
	 * A descriptor on each file system (a dup of its first file's),
	 * open from before any of our writes to it until the end: syncfs()
	 * reports the file system's writeback errors since it was opened,
	 * each once.
	 */
	struct {
		dev_t	dev;
		int	fd;
	}		fs[DURABLE_FS];
	unsigned	nfs;
	/* What it did, for --debug. */
	unsigned long long syncs, batched, own, failed;
};

void
durable_start(struct copier *c)
{
	struct durable	*d;

	if (!c->fsync)
		return;
	d = xcalloc(1, sizeof(*d));
	if (workers_start(&d->w, 1, 1, -1) < 0) {
		(void)workers_stop(&d->w, 0);
		free(d);
		return;
	}
	c->dur = d;
}

/* The descriptor kept for dev's syncfs, kept now from fd; -1 if none. */
static int
fs_fd(struct durable *d, dev_t dev, int fd)
{
	unsigned	i;

	for (i = 0; i < d->nfs; i++)
		if (d->fs[i].dev == dev)
			return d->fs[i].fd;
	if (fd < 0 || d->nfs == DURABLE_FS ||
	    (fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	d->fs[d->nfs].dev = dev;
	d->fs[d->nfs++].fd = fd;
	return fd;
}

int
durable_hold(struct copier *c, struct cfile *f)
{
	struct stat	st;

	switch (f->durable) {
	case DURABLE_WAITING:
	case DURABLE_BATCH:
		return 1;
	case DURABLE_NONE:
		break;
	default:
		return 0;
	}
	f->durable = DURABLE_OWN;
	if (c->dur == NULL)
		return 0;
	if (fstat(f->dfd, &st) < 0 ||
	    !fs_syncfs_durable(st.st_dev, f->dfd) ||
	    fs_fd(c->dur, st.st_dev, f->dfd) < 0) {
		c->dur->own++;
		return 0;
	}
	f->ddev = st.st_dev;
	f->durable = DURABLE_WAITING;
	c->dur->waiting++;
	return 1;
}

/* Move f on from S_FSYNC: to its own fsync, or past it. */
static void
release(struct copier *c, struct cfile *f, int own)
{
	struct durable	*d = c->dur;

	if (own) {
		f->durable = DURABLE_OWN;
		d->own++;
	} else {
		f->durable = DURABLE_DONE;
		f->state = S_SYNCED;
		/* Its own writeback's errors, as fdatasync would say. */
		if (sync_file_range(f->dfd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
		    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) < 0)
			xfer_fail(&f->x, -errno, XFER_WRITING,
			    (off_t)f->x.bytes);
		else
			d->batched++;
	}
	filejob_step(c, f);
}

/* The batch is over: its files go on, or each to its own fsync. */
static void
batch_end(struct copier *c, int own)
{
	unsigned	i;

	c->dur->busy = 0;
	c->dur->inbatch = 0;
	for (i = 0; i < c->maxfiles; i++)
		if (c->files[i].job != NULL &&
		    c->files[i].durable == DURABLE_BATCH)
			release(c, &c->files[i], own);
}

/* Start a syncfs for the waiting files on one file system: how many. */
static unsigned
batch_start(struct copier *c)
{
	struct durable	*d = c->dur;
	struct cfile	*f;
	unsigned	 i, n = 0, others = 0;
	dev_t		 dev = 0;

	/* Each round: no batch can start, without a look at every slot. */
	if (d->waiting == 0 || (d->waiting < DURABLE_MIN &&
	    c->nactive > d->waiting))
		return 0;
	for (i = 0; i < c->maxfiles; i++) {
		f = &c->files[i];
		if (f->job == NULL)
			continue;
		if (f->durable != DURABLE_WAITING)
			others++;
		else if (n == 0 || f->ddev == dev) {
			dev = f->ddev;
			n++;
		}
	}
	/* Few, and more may come: let them wait for company. */
	if (n == 0 || (n < DURABLE_MIN && others > 0))
		return 0;
	for (i = 0; i < c->maxfiles; i++) {
		f = &c->files[i];
		if (f->job != NULL && f->durable == DURABLE_WAITING &&
		    f->ddev == dev) {
			f->durable = DURABLE_BATCH;
			d->waiting--;
		}
	}
	memset(&d->req, 0, sizeof(d->req));
	d->req.op = ENGINE_OP_SYNCFS;
	d->req.fd = fs_fd(d, dev, -1);
	d->req.buf = -1;
	/*
	 * One file need not wait for the rest of the file system; but
	 * after a stop its own fsync would be cancelled, and a file whose
	 * data is whole is flushed and kept, as those of a batch are.
	 */
	if ((n == 1 && !sched_signalled(&c->sched)) ||
	    workers_queue(&d->w, &d->req) < 0)
		batch_end(c, 1);
	else {
		d->busy = 1;
		d->inbatch = n;
		d->syncs++;
	}
	return n;
}

unsigned
durable_round(struct copier *c)
{
	struct durable	*d = c->dur;
	struct req	*done;
	unsigned	 moved = 0, wait;

	if (d == NULL)
		return 0;
	while (d->busy) {
		/* Nothing else to wait for: wait for it. */
		wait = c->sched.inengine == 0 && c->stepping == 0 &&
		    !c->sched.broken;
		if (workers_reap(&d->w, wait, &done, 1) == 1) {
			if (done->res < 0)
				d->failed++;
			batch_end(c, done->res < 0);
			moved++;
		} else if (!wait)
			break;
		else if (sched_signalled(&c->sched))
			/* Let the round see the stop; come back. */
			return moved + 1;
	}
	if (!d->busy && !c->sched.broken)
		moved += batch_start(c);
	return moved;
}

unsigned
durable_parked(const struct copier *c)
{
	return c->dur == NULL ? 0 : c->dur->waiting + c->dur->inbatch;
}

void
durable_free(struct copier *c)
{
	struct durable	*d = c->dur;
	unsigned	 i;

	if (d == NULL)
		return;
	if (c->debug && d->syncs > 0)
		fprintf(stderr, "acp: debug: --fsync: %llu file%s made durable "
		    "by %llu syncfs call%s, %llu by their own fsync%s\n",
		    d->batched, d->batched == 1 ? "" : "s", d->syncs,
		    d->syncs == 1 ? "" : "s", d->own,
		    d->failed > 0 ? " (a syncfs failed: its files were "
		    "flushed each on its own)" : "");
	(void)workers_stop(&d->w, 0);
	for (i = 0; i < d->nfs; i++)
		(void)close(d->fs[i].fd);
	free(d);
	c->dur = NULL;
}
