/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mark a partial copy kept for --resume carries, in the xattr
 * user.acp.resume: which source it holds part of (size, modification
 * time, inode, and the destination's name), and, once the run that
 * stopped flushed it to disk, how far its data is whole and the
 * modification time it had then:
 *
 *	acp-resume 1 SIZE MTIME INODE NAME[/kept WHOLE MTIME]
 *
 * A name holds no slash, so the part after one is the run's word on the
 * data.  A copy whose mark says it is whole up to WHOLE, unchanged since,
 * is continued from there without being read back (--resume's quick
 * way); any other is compared with the source.  Only the copier's
 * modules include this header.
 */
#ifndef ACP_RESMARK_H
#define ACP_RESMARK_H

#include <sys/types.h>
#include <sys/stat.h>

struct cfile;

#define RESMARK_XATTR	"user.acp.resume"

/* What the copy f makes is marked with, before the data's word. */
char	*resmark_id(const struct cfile *);

/*
 * What fd's mark says of it, fd's stat being st: RESMARK_WHOLE with
 * *whole set (a run kept it for this source, whole below *whole, not
 * written since), RESMARK_SOURCE (part of this source, no word on its
 * data), RESMARK_OTHER (no mark, or another source's).
 */
#define RESMARK_OTHER	0
#define RESMARK_SOURCE	1
#define RESMARK_WHOLE	2
int	 resmark_read(int fd, const char *id, const struct stat *st,
	    off_t *whole);

/*
 * Parse the mark got (n bytes) against id; the same answers as
 * resmark_read(), without the system calls (for the unit tests).
 */
int	 resmark_parse(const char *got, size_t n, const char *id,
	    const struct stat *st, off_t *whole);

/*
 * The run stops and keeps the copy that dirfd/name is, whose data is
 * whole below *whole: flush it to disk and mark it so for the next run
 * (*whole cut to its size, holes at its end being not there yet).  0,
 * or -1 with errno set (not marked: the next run compares it).
 */
int	 resmark_kept(int dirfd, const char *name, const char *id,
	    off_t *whole);

#endif
