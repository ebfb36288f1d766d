/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier: runs many file jobs at once through one engine.  Every
 * request of every file, data or not (open, statx, fsync, close), shares
 * the ring: at most queue-depth of them are in flight, each data request
 * holding a buffer of the pool.  A file is copied until its source's EOF
 * (never trusting st_size), its metadata applied after its data, and its
 * failure reported and kept to itself: a failed file never stops the run.
 *
 * The caller submits jobs; each comes back through its done callback, in
 * the order it was submitted, once the copier is finished with it.  The
 * callback runs inside copier_submit() or copier_wait() and must not call
 * either.  struct copier is opaque: its modules (copier.c, filejob.c,
 * xfer.c, ...) share copier_int.h, everyone else uses the functions here.
 */
#ifndef ACP_COPIER_H
#define ACP_COPIER_H

#include <sys/types.h>
#include <sys/stat.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "checksum.h"
#include "engine.h"

struct copier_params {
	size_t		block_size;
	unsigned	depth;		/* reads and writes in flight */
	unsigned	files;		/* files in flight at most; 0: depth */
	/*
	 * Of them, copying at most; the others' data is written and they
	 * wait for a --fsync batch's syncfs.  0: files.
	 */
	unsigned	copying;
	int		debug;		/* one line per file on stderr */
	int		offload;	/* may use copy_file_range */
	int		direct;		/* --direct: O_DIRECT where possible */
	const struct checksum_algo *algo; /* hash every file, or NULL */
	int		fsync;		/* --fsync: flush each file's data */
	int		sparse;		/* COPY_SPARSE_* */
	int		reflink;	/* COPY_REFLINK_* */
	unsigned	targets;	/* most copies of one source at once */
	/*
	 * Set by a signal handler to the signal's number: start nothing,
	 * cancel what is in flight (but the rewrites let finish), clean up.
	 * COPIER_STOP_AGAIN added by a second signal stops those too.
	 */
	volatile sig_atomic_t *stop;
};

#define COPIER_STOP_AGAIN	0x100

/* --sparse: which runs of the source become holes in the copy. */
#define COPY_SPARSE_AUTO	0	/* the source's holes (SEEK_HOLE) */
#define COPY_SPARSE_NEVER	1	/* none: every byte is written */
#define COPY_SPARSE_ALWAYS	2	/* holes, and zeros of a page or more */

/* --reflink: share the source's blocks instead of copying them. */
#define COPY_REFLINK_AUTO	0	/* try, where no checksum is asked */
#define COPY_REFLINK_NEVER	1
#define COPY_REFLINK_ALWAYS	2	/* a file that cannot be cloned fails */

struct copy_stats {
	uint64_t	files;		/* regular files copied */
	uint64_t	checked;	/* files hashed by --check */
	uint64_t	bytes;		/* data bytes written */
	uint64_t	hashed;		/* bytes hashed (copies, checks) */
	uint64_t	verified;	/* bytes read back by --verify */
	uint64_t	requests;	/* requests of every kind issued */
	uint64_t	offloaded;	/* bytes the kernel copied itself */
	uint64_t	holes;		/* bytes left as holes in copies */
	uint64_t	cloned;		/* bytes shared by FICLONE */
	uint64_t	failed;		/* jobs that failed */
	uint64_t	resumed;	/* --resume: copies that kept data */
	uint64_t	kept;		/* and the bytes they kept */
	unsigned	peak;		/* most requests in flight at once */
	unsigned	peak_files;	/* most files in flight at once */
};

enum copy_kind {
	COPY_JOB_COPY,		/* src to dst */
	COPY_JOB_HASH,		/* read src and hash it (--check) */
};

/* How the destination of a copy is written: the walker's policy says. */
enum copy_dst {
	COPY_DST_NEW,		/* created, O_EXCL: nothing is there */
	COPY_DST_IN_PLACE,	/* the existing file, cut to the new data */
	COPY_DST_RENAME,	/* --atomic: a temporary, renamed over it */
};

struct cfile;
struct copy_job;
struct tee;

/* Told of a finished job; it may free the job. */
typedef void copier_done_fn(struct copy_job *);

/*
 * One job.  The caller fills the first part, keeps the job (and the
 * strings it points to) alive until the done callback has seen it, and
 * frees it then.
 */
struct copy_job {
	enum copy_kind		 kind;
	const char		*src;
	const char		*dst;		/* COPY only */
	/*
	 * Where the copier opens them: relative to these directories (the
	 * walker's), or, with a NULL name, src and dst from the working
	 * directory.  The paths above are for messages.
	 */
	int			 src_dirfd;
	const char		*src_name;
	int			 dst_dirfd;
	const char		*dst_name;
	struct stat		 sst;		/* the walker's stat of src */
	enum copy_dst		 dst_how;
	int			 dst_exists;	/* the walker saw dst */
	/*
	 * dst's directory is on a local file system: its create answers at
	 * once (engine.h's quick).
	 */
	int			 dst_local;
	/*
	 * dst's directory has no default ACL: a file created there has no
	 * ACL for a kept mode to remove (meta.h's META_FRESH).
	 */
	int			 dst_no_dacl;
	/*
	 * A file created in dst's directory is the source's owner and
	 * group already (the caller's, on a local file system, in a
	 * directory of the caller's group, so set-group-ID or not): no
	 * chown, as cp makes none (meta.h's META_OWNED).
	 */
	int			 dst_owned;
	/* Its file system gives a new file the mode asked (fstype.h). */
	int			 dst_modes;
	mode_t			 dst_mode;	/* and its st_mode */
	uid_t			 dst_uid;	/* and its owner */
	gid_t			 dst_gid;
	int			 noclobber;	/* -n: never replace dst */
	int			 force;		/* -f: unlink dst if unopenable */
	int			 through_dangling; /* create a dangling link's target */
	unsigned		 preserve;	/* META_* to keep */
	int			 verify;	/* read the copy back, hash it */
	int			 attr_only;	/* --attributes-only: no data */
	/*
	 * --resume: a partial copy is kept for the next run (resume); what
	 * is at the destination, or an interrupted --atomic temporary, is
	 * compared first and kept where equal (compare); a copy a run kept
	 * and marked whole up to an offset is taken at its word there
	 * (trust: --resume's quick way, not --resume=checksum).
	 */
	int			 resume;
	int			 compare;
	int			 trust;
	const struct checksum_algo *algo; /* HASH: the algorithm */
	const char		*where;		/* its place in the input
						   ("list:12"), said before its
						   messages; or NULL */
	copier_done_fn		*done;		/* called once, when reported */
	void			*arg;		/* the caller's */

	/* Out, set before the done callback. */
	int			 ret;		/* 0 done, -1 failed (said) */
	/*
	 * The copy is whole and kept, but an error was said that fails the
	 * run: metadata not all kept, the source's close or last fstat.
	 */
	int			 kept_failed;
	int			 changed;	/* the source changed */
	int			 created;	/* dst's directory changed */
	int			 verify_failed;	/* the read-back failed (said) */
	int			 lost;		/* requests given up on may */
						/* still use its directories */
	int			 mismatch;	/* the read-back differs (said) */
	char			 hex[CHECKSUM_MAX_HEX]; /* the digest */
	char			 back[CHECKSUM_MAX_HEX]; /* the read-back's */
	uint64_t		 bytes;		/* data written (or cloned) */
	uint64_t		 kept;		/* --resume: equal, not written */
	off_t			 resumed_at;	/* and where writing began (the
						   size: nothing), or -1 */
	char			 why[512];	/* what was said of a failure */
	int			 why_errno;	/* and its errno, or 0 */

	/* The copier's. */
	struct copy_job		*next;
	struct cfile		*cf;
	int			 finished;
	struct tee		*tee;		/* read once for several */
};

struct copier;

/*
 * The requests a copier keeps in flight at most, and so the depth to
 * start its engine with: depth reads and writes (one buffer each; with
 * several targets, a read and a write to each at most), and a request
 * for each of files files in flight (0: depth).
 */
unsigned copier_requests(unsigned depth, unsigned files, unsigned targets);

/*
 * Set up the pool, requests and file slots over a started engine,
 * registering the buffers where the engine wants it.  The copier, or
 * NULL with *err set to -errno.  Release with copier_free().
 */
struct copier *copier_new(struct engine *, const struct copier_params *,
	    int *err);

/* Release what copier_new() made (NULL-safe); the engine stays the caller's. */
void	copier_free(struct copier *);

/*
 * Take a job: start it, running the ring while no file slot is free.  The
 * job comes back through the done callback, with ret 0 (copied, or
 * hashed) or -1 (after a message naming the file and the reason).
 */
void	copier_submit(struct copier *, struct copy_job *);

/*
 * Take the jobs copying one source to n destinations, in this order:
 * with a hash asked, the source is read once and written to each (a
 * tee); else, or where one of them could not take part, each copies on
 * its own.  Each comes back through its done callback as after
 * copier_submit().
 */
void	copier_submit_group(struct copier *, struct copy_job **jobs,
	    unsigned n);

/*
 * Take a job with nothing to do: it comes back through its done callback
 * (ret 0) after every job taken before it, as a copy would; at once if
 * none is left.  For what must be said in its turn (a manifest line).
 */
void	copier_note(struct copier *, struct copy_job *);

/* The source of the oldest job in flight, or NULL: for --progress. */
const char *copier_current(const struct copier *);

/* The run's counts so far. */
void	copier_stats(const struct copier *, struct copy_stats *);

/* Data bytes moved so far (copied, hashed by --check, left as holes). */
uint64_t copier_done_bytes(const struct copier *);

/* Jobs finished so far, well or not: for --progress. */
uint64_t copier_done_files(const struct copier *);

/* Call tick(arg) once a round (for --progress); NULL for none. */
void	copier_set_tick(struct copier *, void (*tick)(void *), void *arg);

/* Must the walker stop: a signal came, or the engine failed? */
int	copier_stopping(const struct copier *);

/* Did the engine fail during the run? */
int	copier_broken(const struct copier *);

/*
 * Are the sources not in the page cache?  1 once the last PAGECACHE_RUN
 * small files looked at in a row were not (pagecache.h); those looks
 * are io_uring's (its read ahead, its splices), so 0 for the other
 * engines.
 */
int	copier_cold(const struct copier *);

/* Files the copier may hold open at once: for the walker's budget. */
unsigned copier_max_files(const struct copier *);

/*
 * Descriptors: a file in flight holds at most six (its source and
 * destination, their O_DIRECT twins, its slot's pipe for splicing);
 * COPIER_FDS_RESERVED are left for stdio, the engine, a manifest, and
 * the ones opened for a moment.
 */
#define COPIER_FDS_PER_FILE	6
#define COPIER_FDS_RESERVED	16

/* The process's umask, read once at start. */
mode_t	copier_umask(const struct copier *);

/*
 * Run the ring until job has been reported (and so every job before it),
 * or with NULL until every job has.
 */
void	copier_wait(struct copier *, const struct copy_job *);

#endif
