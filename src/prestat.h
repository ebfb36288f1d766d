/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A look ahead: a thread of the walker's that looks at a batch of entries
 * of a directory whose copy was there before the run (lstat of the name
 * in the destination, stat of the source as the walker would) while the
 * walker decides them.  A run over a tree that is mostly there already
 * (--resume, -u, -n, an overwrite) makes two stats an entry and little
 * else; on two cores they go side by side.
 *
 * The walker takes the batch from its first entry, the thread from its
 * last, and they meet in it: each entry is looked at once, by whichever
 * side gets there first, and the walker never waits (an entry the thread
 * has not reached is looked at by the walker itself).  The thread
 * publishes how far down it got (low, after the entries' results), and
 * stops where the walker is (at); the walker ends it with the batch
 * (prestat_end()), which waits only for the entry it is on.  It works on
 * descriptors of its own (dups), so the walker may close and reopen its
 * directories meanwhile.
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
	struct policy_ahead	 found[PRESTAT_BATCH];	/* at the destination */
	struct policy_ahead	 src[PRESTAT_BATCH];	/* the source */
	size_t			 n;
	int			 sflags;	/* the sources' fstatat() flags */
	atomic_size_t		 low;		/* found[], src[] good from it */
	atomic_size_t		 at;		/* the walker's entry */
	atomic_int		 cancel;	/* the walker is past it */
};

struct prestat {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	struct prestat_batch	*asked;		/* being looked at, or NULL */
	int			 dfd;		/* its directories (dups) */
	int			 sfd;
	int			 up;
	int			 stop;
};

/* Start the thread; 0, or -1 (then the walker looks itself). */
int	prestat_start(struct prestat *);

/*
 * Look at b's names in the destination directory dfd and the source
 * directory sfd (both duplicated here), if it can.
 */
void	prestat_ask(struct prestat *, int dfd, int sfd,
	    struct prestat_batch *b);

/*
 * The walker is on b's i-th entry: 1 if the thread looked at it already
 * (found[i] and src[i] hold what it found), 0 if the walker looks.
 */
int	prestat_found(struct prestat_batch *b, size_t i);

/* The walker is done with the batch asked: stop looking, wait for it. */
void	prestat_end(struct prestat *);

/* End the thread. */
void	prestat_stop(struct prestat *);

#endif
