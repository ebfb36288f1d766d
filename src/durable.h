/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --fsync for many files at once: group commit.  Each file's fsync on a
 * journaling file system is its own small write and its own wait for a
 * journal commit and a cache flush (50,000 files: 4,000 to 5,000 commits).
 * Instead, files whose data is written wait together; one syncfs() on a
 * thread writes them all out in merged I/O with one commit, while the
 * other files in flight go on copying; then each file's own writeback
 * error is taken from its descriptor (sync_file_range with WAIT_AFTER
 * reports it, as fdatasync would), so a failure still names its file.
 * If the syncfs fails, each file of its batch gets its own fsync, which
 * says which of them (if any) lost data.
 *
 * Only on file systems whose syncfs() commits and flushes as their fsync
 * does (ext3, ext4, xfs, btrfs).  A batch starts with DURABLE_MIN files,
 * or with fewer when no other file is in flight to join them; a file
 * alone then gets its own fsync, which need not wait for the rest of the
 * file system's dirty data.
 */
#ifndef ACP_DURABLE_H
#define ACP_DURABLE_H

#include <sys/types.h>

struct copier;
struct cfile;

/* A file's place in it (struct cfile's durable). */
enum {
	DURABLE_NONE,		/* not asked yet */
	DURABLE_WAITING,	/* its data is written; waits for a batch */
	DURABLE_BATCH,		/* in the batch whose syncfs is out */
	DURABLE_OWN,		/* gets its own fsync */
	DURABLE_DONE,		/* made durable by a batch */
};

/* Files a batch waits for while others may still join. */
#define DURABLE_MIN	16

/* Start the thread; the copier goes on without batches if it cannot. */
void	durable_start(struct copier *);

/*
 * S_FSYNC: 1 when f waits for a batch (now or from before), 0 when it
 * is to have its own fsync.
 */
int	durable_hold(struct copier *, struct cfile *);

/*
 * Each round: collect a finished syncfs (waiting for it when nothing
 * else is in flight) and move its files on; start the next batch.  The
 * number of files moved or batched, for the round's count of steps.
 */
unsigned durable_round(struct copier *);

/*
 * Files whose data is written and that wait for a batch, or are in the
 * one whose syncfs is out: they hold their slots, but copy nothing.
 */
unsigned durable_parked(const struct copier *);

/* Wait for a syncfs still out, close what it kept, say what it did. */
void	durable_free(struct copier *);

#endif
