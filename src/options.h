/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The command line: one struct options, filled by options_parse() and
 * checked there; nothing below the CLI reads argv.
 */
#ifndef ACP_OPTIONS_H
#define ACP_OPTIONS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "checksum.h"
#include "engine.h"

/*
 * Defaults chosen from bench/ measurements (see README).  Through the
 * page cache a write of 64K fills small folios; a write of 1M asks for
 * large ones, which on a VM that reports free memory to its host come
 * from pages the host took back, and were measured up to 10x slower to
 * fill.  O_DIRECT requests go to the device as they are: 1M.
 */
#define ACP_DEFAULT_QUEUE_DEPTH	32
#define ACP_DEFAULT_BLOCK_SIZE	(64 * 1024)
#define ACP_DEFAULT_DIRECT_BLOCK_SIZE (1024 * 1024)

/*
 * A run that hashes big files the page cache holds takes bigger requests
 * when no --block-size is given: 256K, a quarter of the handoffs of 64K.
 * 1M did better on 2026-12-04 (1 GiB with xxh128 to two destinations,
 * 0.31 s against 0.39 s at 64K) and far worse on 2026-12-05 (1.85 s in
 * the median, runs of 0.48 s and 2.7 s, with three to six times the
 * system time; 256K 0.48 s, 64K 0.51; sha256 to one: 0.90, 0.65, 0.68 s;
 * 5 interleaved runs each).  A 1M write asks for 1M page-cache folios,
 * which more often split the 2 MiB blocks this VM hands back to its host
 * (see above).  Not for a cold source (1M buffered reads through the
 * ring took 0.57 s against 0.34), nor for small files (the pool costs
 * about 0.1 ms a MiB to set up, at every start).
 */
#define ACP_BIG_BLOCK_SIZE	(256 * 1024)
#define ACP_BIG_SOURCE		((off_t)256 << 20)

#define ACP_MIN_BLOCK_SIZE	4096
#define ACP_MAX_BLOCK_SIZE	(64 * 1024 * 1024)
#define ACP_MAX_QUEUE_DEPTH	4096
/* queue depth * block size: the pool is allocated and pinned at once. */
#define ACP_MAX_POOL_BYTES	((uint64_t)1024 * 1024 * 1024)

/* Destinations one run may write at once (the main one and --also's). */
#define ACP_MAX_TARGETS		16

struct options {
	const char	 *target_dir;	/* -t DIR, or NULL */
	/*
	 * More destinations, each taken as the main one is (a second -t
	 * DIR, or --also=DEST): every source is read once and written to
	 * each of them.
	 */
	const char	 *also[ACP_MAX_TARGETS - 1];
	int		  nalso;
	int		  no_target_dir; /* -T: DEST is never a directory */
	/*
	 * --files-from=FILE, --files0-from=FILE: the sources are read from
	 * FILE ("-": standard input), one a line or NUL-terminated (the
	 * delimiter); no source operand is then given.
	 */
	const char	 *files_from;
	int		  files_delim;
	int		  verbose;	/* -v: "'a' -> 'b'" as GNU cp */
	int		  force;	/* -f: unlink a destination we cannot open */
	int		  noclobber;	/* -n: never overwrite */
	int		  posix;	/* POSIXLY_CORRECT is set */
	int		  debug;	/* --debug: engine and per-file details */
	int		  direct;	/* --direct: O_DIRECT where allowed */
	const struct checksum_algo *algo; /* --checksum, or NULL */
	const char	 *manifest;	/* --manifest=FILE ("-": stdout) */
	const char	 *log;		/* --log=FILE: a JSON line an entry */
	int		  manifest_relative; /* names relative to the target */
	int		  tag;		/* --tag: BSD-style lines */
	int		  verify;	/* --verify: read each copy back */
	int		  fsync;	/* --fsync: data and directories durable */
	int		  atomic;	/* --atomic: temp file, renamed into place */
	int		  resume;	/* --resume: OPTIONS_RESUME_* */
	int		  stats;	/* --stats: STATS_NONE, _HUMAN or _JSON */
	int		  sparse;	/* --sparse: COPY_SPARSE_* */
	int		  progress;	/* --progress: a line on stderr */
	int		  reflink;	/* --reflink: COPY_REFLINK_* */
	int		  interactive;	/* -i: ask before overwriting */
	int		  update;	/* -u, --update: OPTIONS_UPDATE_* */
	int		  link;		/* -l, -s: OPTIONS_LINK_* */
	int		  remove_destination; /* unlink dst before opening */
	int		  copy_contents; /* -r: read specials as files */
	int		  strip_slashes; /* --strip-trailing-slashes */
	int		  keep_dir_symlink; /* follow dst links to dirs */
	int		  backup;	/* -b, --backup: OPTIONS_BACKUP_* */
	int		  parents;	/* --parents: DIR/SOURCE, dirs made */
	int		  attr_only;	/* --attributes-only: no file data */
	const char	 *suffix;	/* -S: the simple backups' suffix */
	int		  recursive;	/* -r, -R: copy directories */
	int		  one_fs;	/* -x: stay on each source's filesystem */
	int		  deref;	/* OPTIONS_DEREF_* for symlinks */
	unsigned	  preserve;	/* META_* to keep */
	int		  context;	/* -Z, --context */
	const char	 *context_arg;	/* --context=CTX, or NULL */
	const char	 *check;	/* --check=FILE: verify, copy nothing */
	enum engine_kind  engine;	/* --engine */
	unsigned	  queue_depth;	/* --queue-depth */
	size_t		  block_size;	/* --block-size */
	int		  block_auto;	/* no --block-size, no --direct */
	char		**operands;	/* sources and destination, as given */
	int		  noperands;
};

/* --update: which existing destinations are replaced. */
#define OPTIONS_UPDATE_ALL	0	/* every one (the default) */
#define OPTIONS_UPDATE_NONE	1	/* none, as -n */
#define OPTIONS_UPDATE_NONE_FAIL 2	/* none, and each is a failure */
#define OPTIONS_UPDATE_OLDER	3	/* those older than the source */

/* --resume: how an existing destination is taken as done. */
#define OPTIONS_RESUME_NONE	0	/* not at all: copied again */
#define OPTIONS_RESUME_QUICK	1	/* same size and mtime: skipped */
#define OPTIONS_RESUME_CONTENT	2	/* only what compares equal is kept */

/* -b, --backup: what a replaced destination is kept as. */
#define OPTIONS_BACKUP_NONE	0
#define OPTIONS_BACKUP_SIMPLE	1	/* NAME~ (the suffix) */
#define OPTIONS_BACKUP_NUMBERED	2	/* NAME.~N~ */
#define OPTIONS_BACKUP_EXISTING	3	/* numbered if some are, else simple */

/* -l, -s: make links instead of copies. */
#define OPTIONS_LINK_NONE	0
#define OPTIONS_LINK_HARD	1
#define OPTIONS_LINK_SYMBOLIC	2

/* Which symbolic links are followed. */
#define OPTIONS_DEREF_DEFAULT	0	/* all without -r, none with it */
#define OPTIONS_DEREF_NEVER	1	/* -P, -d */
#define OPTIONS_DEREF_ALWAYS	2	/* -L */
#define OPTIONS_DEREF_ARGS	3	/* -H: command-line arguments only */

/* Print --help to standard output (help.c). */
void	options_usage(void);

/* Parse a --preserve list into META_* bits; 0, or -EINVAL. */
int	options_parse_preserve(const char *list, unsigned *mask);

/* Why options_parse() stopped. */
#define OPTIONS_OK	0
#define OPTIONS_EXIT	1	/* --help or --version printed: exit 0 */
#define OPTIONS_USAGE	2	/* a message was printed: exit 2 */

/* Fill opts from argv; OPTIONS_OK, OPTIONS_EXIT or OPTIONS_USAGE. */
int	options_parse(struct options *opts, int argc, char **argv);

/*
 * Parse a size with an optional K, M, G suffix (powers of 1024), as
 * --block-size takes it; 0 and *out, or -EINVAL / -ERANGE.
 */
int	options_parse_size(const char *s, uint64_t *out);

/* Parse a decimal count in [min, max]; 0 and *out, or -EINVAL / -ERANGE. */
int	options_parse_count(const char *s, long long min, long long max,
	    long long *out);

/*
 * After the loop (optcheck.c): defaults that depend on other options,
 * conflicts, operands.  0, or -1 after a message.
 */
int	options_check(struct options *);

/* What acp saw of the source operands, for options_block_for(). */
struct options_sources {
	int	all_files;	/* every one a regular file */
	off_t	biggest;	/* bytes, of the biggest */
	int	all_cached;	/* half or more of each big one cached */
};

/*
 * The block size of a run, once its sources were looked at: the one in
 * opts, or ACP_BIG_BLOCK_SIZE where none was given and the run hashes
 * (--checksum, --manifest, --verify) regular files, at least one of
 * ACP_BIG_SOURCE bytes, and the page cache holds half or more of each
 * such file.
 */
size_t	options_block_for(const struct options *,
	    const struct options_sources *);

#endif
