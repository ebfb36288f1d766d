/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The thread pool (workers.c): it grows one thread at a time, up to its
 * bound, only for requests that may sleep in their calls and only when
 * every thread is busy; a buffered copy finds no new thread.  Its eventfd
 * is told once for each batch a worker finishes, never for a quick call
 * made on the caller's thread; every request comes back to the reaper.
 *
 * The calls that sleep are opens of FIFOs (each waits for a writer) and
 * a read of an empty pipe: the test holds them there as long as it needs
 * the threads busy, so nothing depends on timing.
 */
#include "config.h"

#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "engine.h"
#include "workers.h"

#define NFIFO		4
#define WAIT_MS		10000

static char	dir[] = "/tmp/acp-workers-XXXXXX";
static char	fifo[NFIFO][64];

static void
sleep_ms(long ms)
{
	struct timespec	t = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&t, NULL);
}

/* Threads in a call; under the lock. */
static unsigned
count_busy(const struct workers *w)
{
	unsigned	i, busy;

	for (i = busy = 0; i < w->nbusy; i++)
		busy += w->busy[i].req != NULL;
	return busy;
}

/* Requests done and not reaped; under the lock. */
static unsigned
count_done(const struct workers *w)
{
	return w->ndone;
}

/* Wait until count(w) reaches n (WAIT_MS at most): 1 if it does. */
static int
wait_for(struct workers *w, unsigned (*count)(const struct workers *),
    unsigned n)
{
	unsigned	got;
	long		ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		pthread_mutex_lock(&w->lock);
		got = count(w);
		pthread_mutex_unlock(&w->lock);
		if (got >= n)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

static void
open_req(struct req *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->op = ENGINE_OP_OPENAT;
	r->fd = AT_FDCWD;
	r->path = fifo[i];
	r->flags = O_RDONLY | O_CLOEXEC;
}

/* Reap n (the 100 ms ticks may bring fewer): how many came back. */
static unsigned
reap_all(struct workers *w, unsigned n, struct req **done)
{
	unsigned	got = 0, tries;

	for (tries = 0; got < n && tries < WAIT_MS / 100; tries++)
		got += workers_reap(w, n - got, done + got, n - got);
	return got;
}

static void
test_grow(void)
{
	struct workers	 w;
	struct req	 opens[NFIFO], rd, fr, *done[NFIFO + 2];
	char		 buf[8], fbuf[16];
	int		 p[2], wfd[NFIFO], i, good, ffd;
	unsigned	 got;

	ffd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (ffd < 0 || pipe(p) < 0 || workers_start(&w, 8, 1, -1) < 0) {
		ok(0, "a pool of one thread starts");
		return;
	}
	workers_grow_to(&w, 3);
	/* The one thread is held in the first FIFO's open. */
	open_req(&opens[0], 0);
	is(workers_queue(&w, &opens[0]), 0, "an open of a FIFO is queued");
	ok(wait_for(&w, count_busy, 1), "the one thread is in it");
	open_req(&opens[1], 1);
	(void)workers_queue(&w, &opens[1]);
	is(w.nthreads, 2, "an open that finds every thread busy starts one");
	ok(wait_for(&w, count_busy, 2), "which takes it");
	open_req(&opens[2], 2);
	(void)workers_queue(&w, &opens[2]);
	ok(wait_for(&w, count_busy, 3) && w.nthreads == 3, "a third, up to the bound");
	open_req(&opens[3], 3);
	(void)workers_queue(&w, &opens[3]);
	is(w.nthreads, 3, "none past the bound: the fourth open waits");

	/*
	 * A buffered read of a file finds every thread busy: no thread for
	 * it (a copy in memory).  One of a pipe, which waits for a writer,
	 * gets one.
	 */
	workers_grow_to(&w, 5);
	memset(&fr, 0, sizeof(fr));
	fr.op = ENGINE_OP_READ;
	fr.fd = ffd;
	fr.addr = fbuf;
	fr.len = sizeof(fbuf);
	(void)workers_queue(&w, &fr);
	is(w.nthreads, 3, "a buffered read of a file starts no thread");
	memset(&rd, 0, sizeof(rd));
	rd.op = ENGINE_OP_READ;
	rd.fd = p[0];
	rd.off = -1;
	rd.addr = buf;
	rd.len = sizeof(buf);
	(void)workers_queue(&w, &rd);
	is(w.nthreads, 4, "a read of a pipe does");

	/* Let them all go: each FIFO gets its writer, the pipe its data. */
	for (i = 0; i < NFIFO; i++)
		wfd[i] = open(fifo[i], O_WRONLY | O_CLOEXEC);
	(void)write(p[1], "ok", 2);
	got = reap_all(&w, NFIFO + 2, done);
	for (i = good = 0; i < (int)got; i++) {
		if (done[i]->op == ENGINE_OP_OPENAT && done[i]->res >= 0) {
			good++;
			(void)close((int)done[i]->res);
		} else if (done[i] == &rd)
			good += done[i]->res == 2;
		else if (done[i] == &fr)
			good += done[i]->res == (ssize_t)sizeof(fbuf);
	}
	is(good, NFIFO + 2, "every request comes back with its result");
	for (i = 0; i < NFIFO; i++)
		if (wfd[i] >= 0)
			(void)close(wfd[i]);
	(void)close(p[0]);
	(void)close(p[1]);
	(void)close(ffd);
	(void)workers_stop(&w, 0);
}

static void
test_tell(void)
{
	struct workers	 w;
	struct req	 cl[2], quick, *done[2];
	struct pollfd	 pfd;
	uint64_t	 count = 0;
	int		 efd, i;

	if ((efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    workers_start(&w, 8, 2, efd) < 0) {
		ok(0, "a pool with an eventfd starts");
		return;
	}
	/* Two a worker makes before the reaper looks: one count. */
	for (i = 0; i < 2; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].op = ENGINE_OP_CLOSE;
		cl[i].fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		(void)workers_queue(&w, &cl[i]);
	}
	ok(wait_for(&w, count_done, 2), "the workers make two closes");
	pfd.fd = efd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, WAIT_MS) != 1 ||
	    read(efd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	is(count, 1, "the eventfd is told once for the batch");
	is(reap_all(&w, 2, done), 2, "the reaper gets both");
	/* A quick call is made on this thread and tells no one. */
	memset(&quick, 0, sizeof(quick));
	quick.op = ENGINE_OP_CLOSE;
	quick.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	quick.quick = 1;
	(void)workers_queue(&w, &quick);
	ok(quick.res == 0 && read(efd, &count, sizeof(count)) < 0 &&
	    errno == EAGAIN, "a quick call is made at once, the eventfd "
	    "left alone");
	ok(reap_all(&w, 1, done) == 1 && done[0] == &quick,
	    "the reaper gets it from the done list");
	(void)workers_stop(&w, 0);
	(void)close(efd);
}

int
main(void)
{
	int	i;

	tap_plan(14);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (i = 0; i < NFIFO; i++) {
		snprintf(fifo[i], sizeof(fifo[i]), "%s/fifo%d", dir, i);
		if (mkfifo(fifo[i], 0600) < 0) {
			perror("mkfifo");
			return 1;
		}
	}
	test_grow();
	test_tell();
	for (i = 0; i < NFIFO; i++)
		(void)unlink(fifo[i]);
	(void)rmdir(dir);
	return tap_done();
}
