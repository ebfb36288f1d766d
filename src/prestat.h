/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A look ahead: a thread of the walker's that looks at a batch of entries
 * of a directory whose copy was there before the run (lstat of the name
 * in the destination, stat of the source as the walker would) while the
 * walker decides them.  A run over a tree that is mostly there already
 * (--resume, -u, -n, an overwrite) makes two stats an entry and little
 * else; on two cores they go side by side.
 *
 * Both sides take the batch's entries in order, each claiming the next
 * one not yet claimed (next): the thread looks at the entries it claims
 * and marks each done; the walker decides the entries in order, and
 * when the one it is on is not done yet, it claims the next free one
 * and looks at it itself meanwhile.  So the walker, whose part is the
 * decisions, takes only the stats the thread has not got to, neither
 * side is idle until the batch's last stats are done, and the walker
 * never waits: with none left to claim, it looks at the entry the thread
 * is on itself (what the thread finds for it is not read).  An entry's destination is changed only by its own
 * decision, so what was found for the later names of a batch still holds
 * when their turn comes.
 *
 * The walker ends the batch (prestat_end()), which waits only for the
 * entry the thread is on; after that, an entry not done is the walker's
 * to look at.  The thread works on descriptors of its own (dups), so the
 * walker may close and reopen its directories meanwhile.  Each side waits
 * for the other awake a little before it sleeps (the thread for the next
 * batch, the walker for the entry the thread is on): both waits are about
 * as short as waking a sleeping thread of a virtual machine.
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
	atomic_uchar		 done[PRESTAT_BATCH];	/* found[i], src[i] hold */
	size_t			 n;
	int			 sflags;	/* the sources' fstatat() flags */
	atomic_size_t		 next;		/* the first entry not claimed */
	atomic_int		 over;		/* the thread is off it */
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
	atomic_uint		 posted;	/* batches asked so far */
	atomic_uint		 ended;		/* and done with */
};

/*
 * Is a thread worth starting: may the process run on two CPUs?  On one it
 * would only take turns with the walker, and its waits awake would hold
 * the walker off.
 */
int	prestat_worth(void);

/* Start the thread; 0, or -1 (then the walker looks itself). */
int	prestat_start(struct prestat *);

/*
 * Look at b's names in the destination directory dfd and the source
 * directory sfd (both duplicated here), if it can.
 */
void	prestat_ask(struct prestat *, int dfd, int sfd,
	    struct prestat_batch *b);

/* The walker has read b's names: none looked at yet. */
void	prestat_fresh(struct prestat_batch *b);

/*
 * The walker is on b's i-th entry, in the directories dfd and sfd (its
 * own descriptors): 1 if it was looked at (found[i] and src[i] hold what
 * was found), by the thread or by the walker while it waited for it; 0
 * if the walker is to look at it itself.
 */
int	prestat_found(struct prestat_batch *b, size_t i, int dfd, int sfd);

/* The walker is done with the batch asked: stop looking, wait for it. */
void	prestat_end(struct prestat *);

/* End the thread. */
void	prestat_stop(struct prestat *);

#endif
