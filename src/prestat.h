/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A look ahead at the destination: a thread of the walker's that lstats
 * the names of a batch of entries in a destination directory that was
 * there before the run, while the walker stats their sources and decides
 * them.  A run over a tree that is mostly there already (--resume, -u,
 * -n, an overwrite) makes two stats an entry, one of each side; on two
 * cores they go side by side.
 *
 * The walker never waits for the thread: an entry whose name the thread
 * has not reached yet is looked at by the walker itself.  The thread
 * publishes how far it got (done, after the entries' results); the
 * walker stops it at the end of the batch (prestat_end()), which waits
 * only for the name it is on.  It works on a descriptor of its own (a
 * dup), so the walker may close and reopen its directories meanwhile.
 */
#ifndef ACP_PRESTAT_H
#define ACP_PRESTAT_H

#include <sys/types.h>
#include <sys/stat.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "policy.h"

/* Names a batch at most. */
#define PRESTAT_BATCH	256

struct prestat_batch {
	char			*name[PRESTAT_BATCH];
	struct policy_ahead	 found[PRESTAT_BATCH];
	size_t			 n;
	atomic_size_t		 done;		/* found[] good below it */
	atomic_int		 cancel;	/* the walker is past it */
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

/* Look at b's names in the directory dfd (duplicated here), if it can. */
void	prestat_ask(struct prestat *, int dfd, struct prestat_batch *b);

/* What was found for b's i-th name, or NULL if not yet. */
const struct policy_ahead *prestat_found(struct prestat_batch *b, size_t i);

/* The walker is done with the batch asked: stop looking, wait for it. */
void	prestat_end(struct prestat *);

/* End the thread. */
void	prestat_stop(struct prestat *);

#endif
