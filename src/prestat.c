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
#include <unistd.h>

#include "prestat.h"

/* Look at the name of b's entry i in both directories. */
static void
look(const struct prestat *p, struct prestat_batch *b, size_t i)
{
	b->found[i].err = 0;
	if (fstatat(p->dfd, b->name[i], &b->found[i].st,
	    AT_SYMLINK_NOFOLLOW) < 0)
		b->found[i].err = errno;
	b->src[i].err = 0;
	if (fstatat(p->sfd, b->name[i], &b->src[i].st, b->sflags) < 0)
		b->src[i].err = errno;
}

static void *
prestat_main(void *arg)
{
	struct prestat		*p = arg;
	struct prestat_batch	*b;
	size_t			 i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->asked == NULL && !p->stop)
			pthread_cond_wait(&p->cv, &p->lock);
		if (p->asked == NULL)
			break;
		b = p->asked;
		pthread_mutex_unlock(&p->lock);
		/* From the last entry down, to where the walker is. */
		for (i = b->n; i > 0 && !atomic_load_explicit(&b->cancel,
		    memory_order_relaxed); i--) {
			if (i - 1 <= atomic_load_explicit(&b->at,
			    memory_order_relaxed))
				break;
			look(p, b, i - 1);
			atomic_store_explicit(&b->low, i - 1,
			    memory_order_release);
		}
		(void)close(p->dfd);
		(void)close(p->sfd);
		pthread_mutex_lock(&p->lock);
		p->asked = NULL;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
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
	if (pthread_create(&p->thread, NULL, prestat_main, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	p->up = 1;
	return 0;
}

void
prestat_ask(struct prestat *p, int dfd, int sfd, struct prestat_batch *b)
{
	int	fd, fd2;

	atomic_store(&b->low, b->n);
	atomic_store(&b->at, 0);
	atomic_store(&b->cancel, 0);
	prestat_end(p);
	if (!p->up || (fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if ((fd2 = fcntl(sfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		(void)close(fd);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->dfd = fd;
	p->sfd = fd2;
	p->asked = b;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
}

int
prestat_found(struct prestat_batch *b, size_t i)
{
	atomic_store_explicit(&b->at, i, memory_order_relaxed);
	return i >= atomic_load_explicit(&b->low, memory_order_acquire);
}

void
prestat_end(struct prestat *p)
{
	if (!p->up)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->asked != NULL)
		atomic_store(&p->asked->cancel, 1);
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
