/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destination policy: what to do with what is already at an entry's
 * destination, as GNU cp decides it, in one place.  From -n, -i, -f, -u
 * and --update, --backup, --remove-destination and --atomic, the
 * source's stat and what is at the destination, policy_decide() gives
 * one of: new, in place, by rename, skip or refuse (with the reason).
 * policy_decide() is pure, for the tests; policy_settle() looks at the
 * destination, decides, and does what must come first (ask, back up,
 * remove).
 */
#ifndef ACP_POLICY_H
#define ACP_POLICY_H

#include <sys/types.h>
#include <sys/stat.h>

struct at;
struct copier;
struct options;

/* What kind of entry is copied to the destination. */
enum policy_entry {
	POLICY_FILE,		/* a file's data (or a -l/-s link to it) */
	POLICY_BYNAME,		/* a symlink or special file, made by name */
	POLICY_DIR,		/* a directory */
};

enum policy_act {
	POLICY_NEW,		/* nothing there (any more): create it */
	POLICY_IN_PLACE,	/* write the existing file; merge a directory */
	POLICY_RENAME,		/* --atomic: a temporary renamed over it */
	POLICY_SKIP,		/* leave it: declined, not a failure */
	POLICY_REFUSE,		/* leave it: a failure (why says which) */
};

enum policy_why {
	POLICY_WHY_NONE,
	POLICY_WHY_SAME_FILE,		/* the source itself */
	POLICY_WHY_DIR_WITH_NONDIR,	/* a directory is there */
	POLICY_WHY_NONDIR_WITH_DIR,	/* a non-directory, for a directory */
	POLICY_WHY_DIR_INTO_ITSELF,	/* the source directory itself */
	POLICY_WHY_DANGLING,		/* a symlink to nothing */
	POLICY_WHY_NOT_REPLACING,	/* --update=none-fail */
	POLICY_WHY_DECLINED,		/* -i answered no: nothing to say */
	POLICY_WHY_STAT,		/* cannot look at it (errno in err) */
};

/*
 * What a look ahead found at a destination's name (prestat.h): its lstat,
 * or the errno of looking (ENOENT: nothing there).
 */
struct policy_ahead {
	struct stat	st;
	int		err;
};

/* What is at the destination, as policy_look() found it. */
struct policy_dst {
	int		exists;
	int		dangling;	/* POLICY_FILE: a symlink to nothing */
	int		err;		/* why it could not be looked at */
	int		same;		/* enum same_verdict, when it exists */
	struct stat	st;
};

struct policy {
	enum policy_act	act;
	enum policy_why	why;		/* POLICY_REFUSE: the reason */
	int		err;		/* POLICY_WHY_STAT: the errno */
	int		ask;		/* -i: ask before acting */
	int		backup;		/* rename what is there to its backup */
	int		remove;		/* unlink what is there first */
	/*
	 * --resume: SKIP because what is there has the source's size and
	 * modification time (uptodate); NEW, IN_PLACE or RENAME with what
	 * is there (or an interrupted --atomic temporary) compared first
	 * and kept as far as it is equal (resume).
	 */
	int		uptodate;
	int		resume;
};

/*
 * Look at dst for an entry of the given kind: following a symlink for a
 * file that will be written through it (and noting a dangling one), not
 * for a symlink or special file, nor for a file when what is there will
 * be removed, backed up or linked over; for a directory only under
 * --keep-directory-symlink.  In a directory this run made (fresh),
 * nothing is there: no need to look.  ahead (may be NULL): what a look
 * ahead found by name, taken for the first look.
 */
void	policy_look(const struct options *, enum policy_entry, int fresh,
	    const struct at *dst, const struct policy_ahead *ahead,
	    struct policy_dst *);

/* Decide for an entry whose source has stat sst; pure. */
void	policy_decide(const struct options *, enum policy_entry,
	    const struct stat *sst, const struct policy_dst *, struct policy *);

/*
 * Say why the entry src -> dst is refused (nothing for DECLINED); dst is
 * the destination as the user named it.
 */
void	policy_say(const struct policy *, const char *src, const char *dst);

/* The name dst's backup takes (-b, --backup, -S); the caller frees it. */
char	*policy_backup_name(const struct options *, const struct at *dst);

/* What policy_settle() found, beside what it decided. */
struct policy_result {
	struct stat	dst;		/* what is still there, or up to
					   date (else zeros) */
	int		uptodate;	/* see struct policy */
	int		resume;
};

/*
 * Look, decide, say a refusal, and do what comes before the copy: ask
 * under -i (after the copier has finished everything in flight), back up
 * or remove what is there.  Returns POLICY_NEW, _IN_PLACE or _RENAME to
 * go on, POLICY_SKIP, or POLICY_REFUSE with its message said; res, if
 * not NULL, gets what it found.  ahead: as for policy_look().
 */
enum policy_act policy_settle(struct copier *, const struct options *,
	    enum policy_entry, int fresh, const struct stat *sst,
	    const struct at *src, const struct at *dst,
	    const struct policy_ahead *ahead, struct policy_result *res);

#endif
