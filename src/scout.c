/* SPDX-License-Identifier: BSD-2-Clause */
/* The scout (scout.h). */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scout.h"
#include "thread.h"

struct scout {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cv;
	atomic_ulong	 walked;	/* entries the walker has walked */
	atomic_ulong	 seen;		/* entries the scout has stat-ed */
	atomic_int	 waiting;	/* the scout sleeps on cv */
	atomic_int	 stop;
	int		 fd;		/* the root, the scout's own */
	dev_t		 dev;
	DIR		*dirs[SCOUT_DEPTH];
};

/* Whether the scout is as far ahead as it may go. */
static int
ahead(struct scout *s)
{
	return atomic_load(&s->seen) >= atomic_load(&s->walked) + SCOUT_AHEAD;
}

/* Wait until the walker comes nearer, or a stop; 0, or -1 to stop. */
static int
hold(struct scout *s)
{
	if (atomic_load(&s->stop))
		return -1;
	if (!ahead(s))
		return 0;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->waiting, 1);
	while (!atomic_load(&s->stop) && ahead(s))
		pthread_cond_wait(&s->cv, &s->lock);
	atomic_store(&s->waiting, 0);
	pthread_mutex_unlock(&s->lock);
	return atomic_load(&s->stop) ? -1 : 0;
}

/* Stat one entry of dirs[depth - 1]; a directory to go into, or NULL. */
static DIR *
look(struct scout *s, unsigned depth, const char *name)
{
	struct stat	 st;
	DIR		*dp;
	int		 dfd = dirfd(s->dirs[depth - 1]), fd;

	atomic_fetch_add(&s->seen, 1);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode) || st.st_dev != s->dev ||
	    depth >= SCOUT_DEPTH)
		return NULL;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((dp = fdopendir(fd)) == NULL)
		(void)close(fd);
	return dp;
}

/*
 * Depth first, each directory's entries in the order readdir() gives
 * them, going into a directory where it is met: the walker's order.
 */
static void *
scout_main(void *arg)
{
	struct scout	*s = arg;
	struct dirent	*de;
	unsigned	 depth = 1;
	DIR		*sub;

	if ((s->dirs[0] = fdopendir(s->fd)) == NULL) {
		(void)close(s->fd);
		return NULL;
	}
	while (depth > 0 && hold(s) == 0) {
		if ((de = readdir(s->dirs[depth - 1])) == NULL) {
			(void)closedir(s->dirs[--depth]);
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((sub = look(s, depth, de->d_name)) != NULL)
			s->dirs[depth++] = sub;
	}
	while (depth > 0)
		(void)closedir(s->dirs[--depth]);
	return NULL;
}

struct scout *
scout_start(int dirfd, const char *name, dev_t dev, unsigned long walked)
{
	struct scout	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->dev = dev;
	atomic_init(&s->walked, walked);
	s->fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (s->fd < 0)
		goto fail;
	if (pthread_mutex_init(&s->lock, NULL) != 0)
		goto fail_fd;
	if (pthread_cond_init(&s->cv, NULL) != 0)
		goto fail_lock;
	if (thread_start(&s->thread, scout_main, s) == 0)
		return s;
	pthread_cond_destroy(&s->cv);
fail_lock:
	pthread_mutex_destroy(&s->lock);
fail_fd:
	(void)close(s->fd);
fail:
	free(s);
	return NULL;
}

void
scout_walked(struct scout *s)
{
	unsigned long	walked;

	walked = atomic_fetch_add(&s->walked, 1) + 1;
	/* Woken when half its lead is used up: a wake-up costs. */
	if (!atomic_load(&s->waiting) ||
	    atomic_load(&s->seen) > walked + SCOUT_AHEAD / 2)
		return;
	pthread_mutex_lock(&s->lock);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lock);
}

unsigned long
scout_seen(struct scout *s)
{
	return atomic_load(&s->seen);
}

void
scout_stop(struct scout *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stop, 1);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lock);
	(void)pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
