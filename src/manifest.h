/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Manifest lines: written in the format the matching tool checks
 * (sha256sum -c, b2sum -c, xxhsum -c, ...) and read back by --check.
 * Names holding a backslash, a newline or a carriage return are escaped
 * as coreutils 9.1 does: the line starts with '\', and the name has
 * "\\", "\n" and "\r".
 */
#ifndef ACP_MANIFEST_H
#define ACP_MANIFEST_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "checksum.h"
#include "strset.h"

/* Longest manifest line read; longer ones are refused, not held. */
#define MANIFEST_MAX_LINE	(64 * 1024)

/* Write one line: "hex  name", or "TAG (name) = hex" when tag is set
 * or the algorithm's tool writes only that form (xxh3). */
void	manifest_write(FILE *, const struct checksum_algo *, const char *hex,
	    const char *name, int tag);

/*
 * Does name need coreutils' escaping (a backslash, a newline or a
 * carriage return, as sha256sum 9.1 escapes them)?
 */
int	manifest_needs_escape(const char *name);

/* Write name, escaped ("\\", "\n", "\r") when escape is set. */
void	manifest_write_name(FILE *, const char *name, int escape);

struct manifest_entry {
	const struct checksum_algo	*algo;
	char				 hex[CHECKSUM_MAX_HEX];
	char				*name;	/* unescaped; caller frees */
	int				 tagged; /* a BSD line */
};

/*
 * Parse one line of len bytes (no newline; it may hold any bytes).  The
 * algorithm comes from a BSD tag, else from hint, else from the digest's
 * length (32 hex digits: xxh128, 128: sha512, 16: xxh64).  0 and *e
 * filled, or -EINVAL with *why set to a static reason.
 */
int	manifest_parse(const char *line, size_t len,
	    const struct checksum_algo *hint, struct manifest_entry *e,
	    const char **why);

/*
 * Read the next line of fp into buf (MANIFEST_MAX_LINE + 1 bytes), without
 * the newline: its length, -1 at EOF, or -2 for a line too long (the rest
 * of it is skipped).
 */
long	manifest_read_line(FILE *fp, char *buf);

/*
 * Would a line of algo (tagged: in the BSD form) say which algorithm
 * made it?  An untagged one does only where no other algorithm's digest
 * has its length (md5 and xxh128, sha512 and blake2b share theirs).
 */
int	manifest_names_algo(const struct checksum_algo *, int tagged);

/*
 * Take from fp, the manifest an earlier run wrote, the lines of algo
 * that say they are of it (manifest_names_algo()), or, sure (the file
 * is known to be of algo: manifest_marked()), every line of its form and
 * length: each name goes into old with its digest after its NUL.
 * Passed over and counted: lines that may be of algo but do not say so
 * (*unsure), and those of other algorithms or that do not parse
 * (*other).  The lines taken.
 */
size_t	manifest_load(FILE *fp, const struct checksum_algo *, int sure,
	    struct strset *old, size_t *other, size_t *unsure);

/*
 * A manifest acp wrote is marked with the xattr user.acp.manifest:
 *
 *	acp-manifest 1 ALGO SIZE MTIME
 *
 * so that the next run can tell which algorithm its untagged lines are
 * of (md5's and xxh128's look alike), and that a file written since (by
 * another tool: its size or time moved) is no longer taken for one.
 * manifest_mark() marks fd, all of it written; 0, or -errno (no user
 * xattrs there: not an error to say).
 */
#define MANIFEST_XATTR	"user.acp.manifest"
int	manifest_mark(int fd, const struct checksum_algo *);

/* Does fd (of stat st) carry a mark of algo that still fits st? */
int	manifest_marked(int fd, const struct stat *st,
	    const struct checksum_algo *);

/*
 * Write name's line from old (see manifest_load()), if it has one, as
 * manifest_write() would.  1 if written, 0 if old has no line for it.
 */
int	manifest_carry(FILE *, const struct strset *old,
	    const struct checksum_algo *, const char *name, int tag);

/*
 * The manifest a run replaces: its lines (manifest_load()) and the time
 * it was last written.  A copy whose inode changed after that time (its
 * ctime) may no longer hold what its line says.
 */
struct manifest_old {
	struct strset	lines;
	struct timespec	written;
};

#endif
