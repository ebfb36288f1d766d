/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tee: one source file copied to several destinations with one read.
 * A reader (a hash job of the source, made by the copier) reads and
 * hashes it, or only reads it when no hash is asked; each destination is
 * a member, a copy job that opens its destination as any copy does but
 * reads nothing: every buffer the reader fills is written to each member
 * (a write request of its own, borrowing the reader's buffer), and goes
 * back to the pool once every write of it is done and it is hashed.  A
 * member that fails is dropped and the others go on; a read that fails
 * fails them all, said once.
 * Each member reads its own copy back under --verify, against the one
 * digest.
 *
 * Only the copier's modules include this header.
 */
#ifndef ACP_TEE_H
#define ACP_TEE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

#include "checksum.h"
#include "copier.h"

struct cfile;
struct creq;

/* Destinations a tee writes at most. */
#define TEE_MAX		16

struct tee {
	unsigned	 refs;		/* members not ended, and rjob */
	struct cfile	*reader;	/* NULL once it ended */
	struct cfile	*member[TEE_MAX]; /* each NULL once it ended */
	unsigned	 n;
	int		 ready;		/* all of them are in their slots */
	struct copy_job	 rjob;		/* the reader's job */
	int		 opened;	/* the reader stated the source: sst */
	struct stat	 sst;
	int		 reading;	/* its data phase began */
	int		 fed;		/* and ended with the source whole */
	int		 stated;	/* it looked again and closed it: */
	int		 changed;	/* these are known */
	int		 late_failed;
};

/*
 * May jobs[0..n) be copied as a tee: each a copy of the same regular
 * file to a new name or an --atomic temporary, the data passing through
 * memory anyway (a hash asked; or a big file that no clone or
 * copy_file_range() can serve in any destination), and slots for all and
 * the reader?
 */
int	tee_wanted(const struct copier *, struct copy_job **jobs, unsigned n);

/*
 * Make the tee for jobs[0..n): the reader's job (t->rjob) is queued
 * before them, and each job->tee set; released by tee_put().
 */
struct tee *tee_new(struct copier *, struct copy_job **jobs, unsigned n);

/*
 * f, just put in its slot, is t's reader or a member (f->tee = t): a
 * member skips the source's open, which the reader does.
 */
void	tee_join(struct cfile *f);

/* Drop a reference; the last frees t. */
void	tee_put(struct tee *);

/*
 * S_DATA_START of a reader or a member: the reader starts when every
 * member is at its own (or gone); each member then starts writing what
 * the reader reads.  STEP_GO or STEP_WAIT.
 */
int	tee_data_start(struct copier *, struct cfile *);

/* The reader's read q came back with data: a write of it to each member. */
void	tee_fan_out(struct copier *, struct creq *q);

/* A member's write of a reader's buffer is done with. */
void	tee_child_release(struct copier *, struct creq *q);

/* The reader, while it reads: stop when no member is left to write. */
void	tee_pump(struct tee *);

/* The reader read and hashed the whole source: tell each member. */
void	tee_fed(struct cfile *reader);

/*
 * A member's S_STAT_END: whether the source changed is the reader's to
 * find; wait for it.  STEP_GO or STEP_WAIT.
 */
int	tee_stat_end(struct cfile *);

/* The reader looked at the source again after reading it. */
void	tee_stated(struct cfile *reader);

/* f, reader or member, ends: the others no longer see it. */
void	tee_leave(struct cfile *);

#endif
