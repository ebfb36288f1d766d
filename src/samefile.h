/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Are the source and what is at the destination one file, in a way that
 * copying would destroy it?  GNU cp's answer, which depends on symlinks
 * on either side, hard links, and the options that remove or back up the
 * destination first.  same_judge() is pure, for the tests;
 * same_gather() collects what it looks at.
 */
#ifndef ACP_SAMEFILE_H
#define ACP_SAMEFILE_H

#include <sys/types.h>
#include <sys/stat.h>

struct at;
struct options;

struct same_facts {
	struct stat	src;		/* the source, as the walk saw it */
	struct stat	dst;		/* the destination, as the policy looked */
	struct stat	slink;		/* the source, not followed */
	struct stat	dlink;		/* the destination, not followed */
	struct stat	starget;	/* followed; st_mode 0 if it cannot be */
	struct stat	dtarget;
	int		same_name;	/* one directory entry, by two names */
};

enum same_verdict {
	SAME_OK,	/* copy as usual */
	SAME_DONE,	/* nothing to do: already linked, not a failure */
	SAME_REFUSE,	/* "are the same file" */
};

/* Does the run copy symbolic links as links (cp's "never dereference")? */
int	same_never_follows(const struct options *);

enum same_verdict same_judge(const struct options *, const struct same_facts *);

/*
 * Is same_judge()'s verdict SAME_OK whatever same_gather() would find,
 * from the walked source's stat and the destination's alone?  So it is
 * for two inodes neither of which is a symlink the run copies as one
 * (cp's same_file_ok() looks no further either).
 */
int	same_quick(const struct options *, const struct stat *sst,
	    const struct stat *dst_st);

/*
 * Fill f for src (walked stat sst) and dst (looked-at stat dst): -1 if
 * either is gone, which the caller takes as not the same.
 */
int	same_gather(const struct at *src, const struct stat *sst,
	    const struct at *dst, const struct stat *dst_st,
	    struct same_facts *f);

#endif
