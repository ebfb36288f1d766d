/* SPDX-License-Identifier: BSD-2-Clause */
/* The look ahead at the destination (prestat.h). */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prestat.h"
#include "thread.h"

/* Look at the name of b's entry i in both directories. */
static void
look(int dfd, int sfd, struct prestat_batch *b, size_t i)
{
	b->found[i].err = 0;
	if (fstatat(dfd, b->name[i], &b->found[i].st,
	    AT_SYMLINK_NOFOLLOW) < 0)
		b->found[i].err = errno;
	b->src[i].err = 0;
	if (fstatat(sfd, b->name[i], &b->src[i].st, b->sflags) < 0)
		b->src[i].err = errno;
}

/*
 * How long a side waits awake for the other before it sleeps.  The thread
 * waits for the next batch: a walker going from one directory to the next
 * closes one and opens and reads the other in tens of microseconds (one
 * busy copying does not come back this soon, and the thread sleeps).  The
 * walker, at a batch's end, waits for the entry the thread is on.  A
 * sleeping thread of a virtual machine takes about as long to wake.
 */
#define PRESTAT_LINGER_NS	100000

static void
relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Wait awake, a while, for *v to be other than was. */
static void
linger(atomic_uint *v, unsigned was)
{
	struct timespec	t0, t;
	unsigned	spins;

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (spins = 1; atomic_load_explicit(v, memory_order_acquire) == was;
	    spins++) {
		relax();
		if (spins % 64 != 0)
			continue;
		(void)clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L +
		    (t.tv_nsec - t0.tv_nsec) > PRESTAT_LINGER_NS)
			break;
	}
}

/* Claim b's next entry: its index, or b->n when none is left. */
static size_t
claim(struct prestat_batch *b)
{
	size_t	i = atomic_load(&b->next);

	while (i < b->n && !atomic_compare_exchange_weak(&b->next, &i, i + 1))
		;
	return i < b->n ? i : b->n;
}

static void *
prestat_main(void *arg)
{
	struct prestat		*p = arg;
	struct prestat_batch	*b;
	size_t			 i;
	int			 dfd, sfd;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->asked == NULL && !p->stop) {
			pthread_mutex_unlock(&p->lock);
			linger(&p->posted, atomic_load(&p->ended));
			pthread_mutex_lock(&p->lock);
		}
		while (p->asked == NULL && !p->stop)
			pthread_cond_wait(&p->cv, &p->lock);
		if (p->asked == NULL)
			break;
		b = p->asked;
		dfd = p->dfd;
		sfd = p->sfd;
		pthread_mutex_unlock(&p->lock);
		while (!atomic_load_explicit(&b->over, memory_order_relaxed) &&
		    (i = claim(b)) < b->n) {
			look(dfd, sfd, b, i);
			atomic_store_explicit(&b->done[i], 1,
			    memory_order_release);
		}
		/* Done with b: the walker need not wait for the closes. */
		pthread_mutex_lock(&p->lock);
		p->asked = NULL;
		atomic_fetch_add(&p->ended, 1);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->lock);
		(void)close(dfd);
		(void)close(sfd);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int
prestat_worth(void)
{
	unsigned	cpus = thread_cpus();

	return cpus == 0 || cpus > 1;
}

int
prestat_start(struct prestat *p)
{
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	if (thread_start(&p->thread, prestat_main, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	p->up = 1;
	return 0;
}

void
prestat_fresh(struct prestat_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		atomic_store_explicit(&b->done[i], 0, memory_order_relaxed);
	atomic_store(&b->next, 0);
	/* Not the thread's until prestat_ask(). */
	atomic_store(&b->over, 1);
}

void
prestat_ask(struct prestat *p, int dfd, int sfd, struct prestat_batch *b)
{
	int	fd, fd2;

	prestat_end(p);
	if (!p->up || (fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if ((fd2 = fcntl(sfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		(void)close(fd);
		return;
	}
	atomic_store(&b->over, 0);
	pthread_mutex_lock(&p->lock);
	p->dfd = fd;
	p->sfd = fd2;
	p->asked = b;
	atomic_fetch_add(&p->posted, 1);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
}

int
prestat_found(struct prestat_batch *b, size_t i, int dfd, int sfd)
{
	size_t	j;

	if (atomic_load_explicit(&b->done[i], memory_order_acquire))
		return 1;
	/* The thread is off the batch: what is not done is ours. */
	if (atomic_load(&b->over))
		return 0;
	/* i is ours, or the thread's and under way: look at others meanwhile. */
	while ((j = claim(b)) != i && j < b->n) {
		look(dfd, sfd, b, j);
		atomic_store_explicit(&b->done[j], 1, memory_order_relaxed);
		if (atomic_load_explicit(&b->done[i], memory_order_acquire))
			return 1;
	}
	/*
	 * Still under way with none left to look at: the walker looks at
	 * it too rather than wait for a stat that may hang (a dead NFS
	 * server), and what the thread finds for it is not read.
	 */
	return atomic_load_explicit(&b->done[i], memory_order_acquire);
}

void
prestat_end(struct prestat *p)
{
	if (!p->up)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->asked != NULL) {
		atomic_store(&p->asked->over, 1);
		pthread_mutex_unlock(&p->lock);
		/* The thread ends with the entry it is on. */
		linger(&p->ended, atomic_load(&p->posted) - 1);
		pthread_mutex_lock(&p->lock);
	}
	while (p->asked != NULL)
		pthread_cond_wait(&p->cv, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void
prestat_stop(struct prestat *p)
{
	if (!p->up)
		return;
	prestat_end(p);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	(void)pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->lock);
	p->up = 0;
}
