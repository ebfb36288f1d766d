/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The copier: moves the data of regular files through an engine, with up
 * to queue-depth block-size requests in flight, each holding a buffer of
 * the pool.  It opens the source and the destination, copies until the
 * source's EOF (never trusting st_size), and reports failures per file:
 * a failed file never stops the run.
 */
#ifndef ACP_COPY_H
#define ACP_COPY_H

#include <sys/types.h>
#include <sys/stat.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bufpool.h"
#include "checksum.h"
#include "engine.h"

struct copier_params {
	size_t		block_size;
	unsigned	depth;
	int		debug;		/* one line per file on stderr */
	int		offload;	/* may use copy_file_range */
	int		direct;		/* --direct: O_DIRECT where possible */
	const struct checksum_algo *algo; /* hash every file, or NULL */
	int		fsync;		/* --fsync: flush each file's data */
	int		atomic;		/* --atomic: temp file, then rename */
	/* Set by a signal handler: finish what is in flight, start nothing. */
	volatile sig_atomic_t *stop;
};

struct copy_stats {
	uint64_t	files;		/* regular files copied */
	uint64_t	bytes;		/* data bytes written */
	uint64_t	requests;	/* reads and writes issued */
	uint64_t	offloaded;	/* bytes the kernel copied itself */
	unsigned	peak;		/* most requests in flight at once */
};

struct creq;

/* The copier's state; fields are its own. */
struct copier {
	struct engine		*eng;
	struct bufpool		 pool;
	struct creq		*reqs;		/* depth of them */
	struct creq		**idle;		/* free requests, a stack */
	unsigned		 nidle;
	struct req		**reaped;	/* scratch for engine_reap() */
	unsigned		 inflight;
	size_t			 block_size;
	unsigned		 depth;
	int			 debug;
	int			 offload;
	int			 direct;
	const struct checksum_algo *algo;
	unsigned		 inengine;	/* requests the engine holds */
	int			 fsync;
	int			 atomic;
	mode_t			 umask;		/* the process's, read once */
	volatile sig_atomic_t	*stop;
	int			 broken;	/* the engine failed: stop */
	struct copy_stats	 stats;
};

/*
 * Set up the pool and requests over a started engine, registering the
 * buffers where the engine wants it; 0 or -errno.  Release with
 * copier_exit().
 */
int	copier_init(struct copier *, struct engine *,
	    const struct copier_params *);

/* Release what copier_init() made; the engine stays the caller's. */
void	copier_exit(struct copier *);

/* One file to copy, as the walker decided it. */
struct copy_job {
	const char		*src;
	const char		*dst;
	const struct stat	*sst;		/* the walker's stat of src */
	int			 dst_exists;	/* the walker saw dst */
	mode_t			 dst_mode;	/* and its st_mode */
	int			 noclobber;	/* -n: never replace dst */
	unsigned		 preserve;	/* META_* to keep */
	int			 meta_failed;	/* out: metadata not all kept */
	int			 force;		/* -f: unlink dst if unopenable */
	char			 hex[CHECKSUM_MAX_HEX]; /* out: the digest */
	int			 changed;	/* out: the source changed */
	int			 created;	/* out: dst's directory changed */
};

/*
 * Copy one file's data.  0 when the destination holds all of it (with
 * job->changed set, after a warning, if the source's size, mtime or ctime
 * moved during the copy); -1 when it failed or was interrupted, after a
 * message naming the file and the reason.  A destination that this call
 * created is removed on failure.
 */
int	copier_copy_file(struct copier *, struct copy_job *);

/*
 * Read path through the ring and hash it with algo into hex.  With verify, the page cache may not answer: the file is
 * flushed and dropped from the cache first, and read with O_DIRECT
 * where the filesystem allows.  0, or -1 after a message.
 */
int	copier_hash_file(struct copier *, const char *path,
	    const struct checksum_algo *algo, int verify, char *hex);

#endif
