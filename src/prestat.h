/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A look ahead at the destination: a thread of the walker's that lstats
 * the names of a batch of entries in a destination directory that was
 * there before the run, while the walker stats their sources and
 * decides the batch before it.  A run over a tree that is mostly there
 * already (--resume, -u, -n, an overwrite) makes two stats an entry, one
 * of each side; on two cores they go side by side.
 *
 * The thread works on a descriptor of its own (a dup), so that the
 * walker may close and reopen its directories meanwhile; it touches
 * only the batch it was given until prestat_wait() returns.
 */
#ifndef ACP_PRESTAT_H
#define ACP_PRESTAT_H

#include <sys/types.h>
#include <sys/stat.h>

#include <pthread.h>
#include <stddef.h>

#include "policy.h"

/* PRESTAT_BATCH names a batch at most. */
#define PRESTAT_BATCH	256

struct prestat_batch {
	char			*name[PRESTAT_BATCH];
	struct policy_ahead	 found[PRESTAT_BATCH];
	size_t			 n;
};

struct prestat {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	struct prestat_batch	*asked;		/* being looked at, or NULL */
	int			 dfd;		/* its directory (ours, a dup) */
	int			 up;
	int			 stop;
};

/* Start the thread; 0, or -1 (then the walker looks itself). */
int	prestat_start(struct prestat *);

/*
 * Look at b's names in the directory dfd (duplicated here): 0, or -1 if
 * it cannot be (b is then not looked at: each found[] has err -1).
 */
int	prestat_ask(struct prestat *, int dfd, struct prestat_batch *b);

/* Wait until the batch asked is looked at. */
void	prestat_wait(struct prestat *);

/* Wait, then end the thread. */
void	prestat_stop(struct prestat *);

#endif
