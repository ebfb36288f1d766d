/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destination policy.  Every refusal is settled here, before
 * anything is opened for writing, so a refused copy never touches the
 * destination.  The order of the questions is cp's: the same file, a
 * directory in the way, -n and --update, then -i, then what to do with
 * what is there (back it up, remove it, or write it in place).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier.h"
#include "meta.h"
#include "options.h"
#include "policy.h"
#include "quote.h"
#include "samefile.h"
#include "say.h"
#include "xmalloc.h"

void
policy_look(const struct options *opts, enum policy_entry e, int fresh,
    const struct at *dst, const struct policy_ahead *ahead,
    struct policy_dst *d)
{
	struct stat	lst;
	int		flags = AT_SYMLINK_NOFOLLOW;

	memset(d, 0, sizeof(*d));
	if (fresh)
		return;
	/* cp's rule: a file is written through a symlink, unless the link
	 * itself is what goes (removed, backed up, linked over). */
	if ((e == POLICY_FILE && opts->link == OPTIONS_LINK_NONE &&
	    opts->backup == OPTIONS_BACKUP_NONE && !opts->remove_destination) ||
	    (e == POLICY_DIR && opts->keep_dir_symlink))
		flags = 0;
	/* The name first: one call for a destination not there yet. */
	if (ahead != NULL) {
		if (ahead->err != 0) {
			if (ahead->err != ENOENT)
				d->err = ahead->err;
			return;
		}
		d->st = ahead->st;
	} else if (fstatat(dst->dirfd, dst->name, &d->st,
	    AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			d->err = errno;
		return;
	}
	d->exists = 1;
	if (flags == AT_SYMLINK_NOFOLLOW || !S_ISLNK(d->st.st_mode))
		return;
	lst = d->st;
	if (fstatat(dst->dirfd, dst->name, &d->st, 0) == 0)
		return;
	if (errno == ELOOP && opts->force) {
		/* A symlink loop that -f will remove. */
		d->st = lst;
		return;
	}
	d->exists = 0;
	memset(&d->st, 0, sizeof(d->st));
	if (errno != ENOENT)
		d->err = errno;
	else if (e == POLICY_FILE)
		d->dangling = 1;
}

/* Is the destination at least as new as the source (-u keeps it)? */
static int
not_older(const struct stat *dst, const struct stat *src)
{
	return at_time_cmp(&dst->st_mtim, &src->st_mtim) >= 0;
}

/*
 * --resume's quick check, rsync's: a destination with the source's size
 * and modification time (to the nanosecond) is taken as a whole copy.
 * A partial copy never has it: times are set after the data.
 */
static int
same_size_and_time(const struct stat *dst, const struct stat *src)
{
	return S_ISREG(dst->st_mode) && S_ISREG(src->st_mode) &&
	    dst->st_size == src->st_size &&
	    dst->st_mtim.tv_sec == src->st_mtim.tv_sec &&
	    dst->st_mtim.tv_nsec == src->st_mtim.tv_nsec;
}

static void
refuse(struct policy *p, enum policy_why why)
{
	p->act = POLICY_REFUSE;
	p->resume = 0;
	p->why = why;
}

/* A directory onto what is there: merge into a directory, else refuse. */
static void
decide_dir(const struct stat *sst, const struct policy_dst *d,
    struct policy *p)
{
	if (!S_ISDIR(d->st.st_mode))
		refuse(p, POLICY_WHY_NONDIR_WITH_DIR);
	else if (at_same_file(&d->st, sst))
		refuse(p, POLICY_WHY_DIR_INTO_ITSELF);
	else
		p->act = POLICY_IN_PLACE;
}

void
policy_decide(const struct options *opts, enum policy_entry e,
    const struct stat *sst, const struct policy_dst *d, struct policy *p)
{
	memset(p, 0, sizeof(*p));
	/* With nothing there (or nothing left), a file is made anew. */
	p->act = e == POLICY_FILE && opts->atomic ? POLICY_RENAME :
	    POLICY_NEW;
	/* An interrupted --atomic copy may have left its temporary. */
	p->resume = p->act == POLICY_RENAME && S_ISREG(sst->st_mode) &&
	    opts->resume != OPTIONS_RESUME_NONE;
	if (d->err != 0) {
		refuse(p, POLICY_WHY_STAT);
		p->err = d->err;
		return;
	}
	if (e == POLICY_FILE && d->dangling) {
		/* cp does not create a dangling symlink's target, unless
		 * POSIX is asked for. */
		p->resume = 0;
		if (opts->posix)
			p->act = POLICY_IN_PLACE;
		else
			refuse(p, POLICY_WHY_DANGLING);
		return;
	}
	if (!d->exists)
		return;
	if (e == POLICY_DIR) {
		decide_dir(sst, d, p);
		return;
	}
	/* cp's order: the same file, -u, then -n or -i, then the rest. */
	if (d->same == SAME_REFUSE)
		refuse(p, POLICY_WHY_SAME_FILE);
	else if (d->same == SAME_DONE)
		p->act = POLICY_SKIP;
	else if (opts->update == OPTIONS_UPDATE_NONE)
		p->act = POLICY_SKIP;
	else if (opts->update == OPTIONS_UPDATE_NONE_FAIL)
		refuse(p, POLICY_WHY_NOT_REPLACING);
	else if (opts->update == OPTIONS_UPDATE_OLDER && not_older(&d->st, sst))
		p->act = POLICY_SKIP;
	else if (opts->noclobber)
		p->act = POLICY_SKIP;
	else if (e == POLICY_FILE && opts->resume == OPTIONS_RESUME_QUICK &&
	    same_size_and_time(&d->st, sst)) {
		p->act = POLICY_SKIP;
		p->uptodate = 1;
	}
	if (p->act == POLICY_SKIP || p->act == POLICY_REFUSE) {
		p->resume = 0;
		return;
	}
	/* Asked first, even when the answer "yes" leads to a refusal. */
	p->ask = opts->interactive;
	if (S_ISDIR(d->st.st_mode)) {
		refuse(p, POLICY_WHY_DIR_WITH_NONDIR);
		return;
	}
	if (opts->backup != OPTIONS_BACKUP_NONE)
		p->backup = 1;
	else if (opts->link != OPTIONS_LINK_NONE)
		/* -l, -s: removed only under -f (nonreg_link()). */
		p->act = POLICY_IN_PLACE;
	else if (opts->remove_destination ||
	    (e == POLICY_BYNAME && (!opts->attr_only || opts->force)) ||
	    ((opts->preserve & META_LINKS) && d->st.st_nlink > 1 &&
	    S_ISREG(d->st.st_mode) && !opts->attr_only))
		/*
		 * cp's rule: what is made by name replaces what is there
		 * (--attributes-only needs -f for that), and under
		 * --preserve=links a file with other names is replaced, not
		 * written through them.
		 */
		p->remove = 1;
	else if (!opts->atomic || !S_ISREG(d->st.st_mode))
		/* A FIFO or device is written into, never replaced. */
		p->act = POLICY_IN_PLACE;
	p->resume = opts->resume != OPTIONS_RESUME_NONE && !p->remove &&
	    !p->backup && S_ISREG(d->st.st_mode) && S_ISREG(sst->st_mode);
}

void
policy_say(const struct policy *p, const char *src, const char *dst)
{
	switch (p->why) {
	case POLICY_WHY_SAME_FILE:
		warnx("'%s' and '%s' are the same file", src, dst);
		break;
	case POLICY_WHY_DIR_WITH_NONDIR:
		warnx("cannot overwrite directory '%s' with non-directory",
		    dst);
		break;
	case POLICY_WHY_NONDIR_WITH_DIR:
		warnx("cannot overwrite non-directory '%s' with directory "
		    "'%s'", dst, src);
		break;
	case POLICY_WHY_DIR_INTO_ITSELF:
		warnx("cannot copy a directory, '%s', into itself, '%s'", src,
		    dst);
		break;
	case POLICY_WHY_DANGLING:
		warnx("not writing through dangling symlink '%s'", dst);
		break;
	case POLICY_WHY_NOT_REPLACING:
		warnx("not replacing '%s'", dst);
		break;
	case POLICY_WHY_STAT:
		errno = p->err;
		warn("cannot stat '%s'", dst);
		break;
	case POLICY_WHY_NONE:
	case POLICY_WHY_DECLINED:
		break;
	}
}

/*
 * -i: may dst (at, stat st) be overwritten?  Nothing may be in flight
 * while we ask.  As cp, a file we may not write is named with its mode.
 */
static int
ask(struct copier *c, const struct at *dst, const struct stat *st)
{
	char	answer[16], perms[12];

	copier_wait(c, NULL);
	if (!S_ISLNK(st->st_mode) && faccessat(dst->dirfd, dst->name, W_OK,
	    AT_EACCESS) < 0) {
		/* strmode(): "-rw-r--r-- "; cp shows the nine bits. */
		strmode(st->st_mode, perms);
		perms[10] = '\0';
		fprintf(stderr, "%s: replace ", getprogname());
		quote_name(stderr, dst->path);
		fprintf(stderr, ", overriding mode %04o (%s)? ",
		    (unsigned)(st->st_mode & 07777), perms + 1);
	} else {
		fprintf(stderr, "%s: overwrite ", getprogname());
		quote_name(stderr, dst->path);
		fputs("? ", stderr);
	}
	fflush(stderr);
	return fgets(answer, sizeof(answer), stdin) != NULL &&
	    (answer[0] == 'y' || answer[0] == 'Y');
}

/*
 * The highest N of dst's numbered backups (NAME.~N~) in its directory,
 * 0 if it has none.
 */
static unsigned long
backup_highest(const struct at *dst)
{
	const char	*slash = strrchr(dst->name, '/'), *base;
	struct dirent	*de;
	unsigned long	 n, max = 0;
	size_t		 blen;
	char		*end;
	DIR		*dp;
	int		 fd;

	/* Read the directory through a descriptor of its own. */
	base = slash != NULL ? slash + 1 : dst->name;
	blen = strlen(base);
	if (slash == NULL)
		fd = openat(dst->dirfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	else if (slash == dst->name)
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		end = xstrndup(dst->name, (size_t)(slash - dst->name));
		fd = openat(dst->dirfd, end, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		free(end);
	}
	if (fd < 0)
		return 0;
	if ((dp = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, base, blen) != 0 ||
		    strncmp(de->d_name + blen, ".~", 2) != 0 ||
		    !isdigit((unsigned char)de->d_name[blen + 2]))
			continue;
		n = strtoul(de->d_name + blen + 2, &end, 10);
		if (strcmp(end, "~") == 0 && n > max)
			max = n;
	}
	(void)closedir(dp);
	return max;
}

char *
policy_backup_name(const struct options *opts, const struct at *dst)
{
	unsigned long	 n = 0;
	char		*name;

	if (opts->backup != OPTIONS_BACKUP_SIMPLE)
		n = backup_highest(dst);
	if (opts->backup == OPTIONS_BACKUP_NUMBERED ||
	    (opts->backup == OPTIONS_BACKUP_EXISTING && n > 0))
		xasprintf(&name, "%s.~%lu~", dst->name, n + 1);
	else
		xasprintf(&name, "%s%s", dst->name, opts->suffix);
	return name;
}

/*
 * -b: move what is at dst to its backup name (policy_backup_name()'s,
 * which reads the directory for numbered ones: made once a file); 0, or
 * -1 after a message.  Not where the backup would take the source's name
 * (cp -b a~ a).
 */
static int
backup(const struct options *opts, const struct stat *sst,
    const struct at *src, const struct at *dst)
{
	struct stat	 st;
	char		*name = policy_backup_name(opts, dst);
	int		 ret = 0;

	if (fstatat(dst->dirfd, name, &st, 0) == 0 && at_same_file(&st, sst)) {
		warnx("backing up '%s' might destroy source;  '%s' not copied",
		    dst->path, src->path);
		ret = -1;
	} else if (renameat(dst->dirfd, dst->name, dst->dirfd, name) < 0) {
		warn("cannot back up '%s' as '%s%s'", dst->path, dst->path,
		    name + strlen(dst->name));
		ret = -1;
	}
	free(name);
	return ret;
}

enum policy_act
policy_settle(struct copier *c, const struct options *opts,
    enum policy_entry e, int fresh, const struct stat *sst,
    const struct at *src, const struct at *dst,
    const struct policy_ahead *ahead, struct policy_result *res)
{
	struct same_facts	facts;
	struct policy_dst	d;
	struct policy		p;

	policy_look(opts, e, fresh, dst, ahead, &d);
	/*
	 * What --resume's quick check skips is not written: whether it is
	 * the source by another name matters only when it is the same
	 * inode (then cp's message).  Nor need two inodes, neither a link
	 * the run copies as such, be looked at further (same_quick()).  Six
	 * stats a file fewer, on a run over a tree that is there: 10,000
	 * entries under -ru made 80,517 stats, cp -ru 21,117.
	 */
	if (d.exists && e != POLICY_DIR && !(e == POLICY_FILE &&
	    opts->resume == OPTIONS_RESUME_QUICK && !at_same_file(&d.st, sst) &&
	    same_size_and_time(&d.st, sst)) && !same_quick(opts, sst, &d.st) &&
	    same_gather(src, sst, dst, &d.st, &facts) == 0)
		d.same = same_judge(opts, &facts);
	policy_decide(opts, e, sst, &d, &p);
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
		res->uptodate = p.uptodate;
		res->resume = p.resume;
		if (p.uptodate)
			res->dst = d.st;
	}
	/* Declined: left as it is, which is not a failure (cp 9.1). */
	if (p.ask && !ask(c, dst, &d.st))
		return POLICY_SKIP;
	if (p.act == POLICY_REFUSE) {
		policy_say(&p, src->path, dst->path);
		return POLICY_REFUSE;
	}
	if (p.act == POLICY_SKIP)
		return POLICY_SKIP;
	/*
	 * --atomic replaces by rename, which a file we may not write would
	 * not stop: refuse it as cp without -f does.
	 */
	if (p.act == POLICY_RENAME && d.exists && !opts->force &&
	    faccessat(dst->dirfd, dst->name, W_OK, AT_EACCESS) < 0) {
		warn("cannot open '%s' for writing", dst->path);
		return POLICY_REFUSE;
	}
	if (p.backup && backup(opts, sst, src, dst) < 0)
		return POLICY_REFUSE;
	if (p.remove && unlinkat(dst->dirfd, dst->name, 0) < 0) {
		warn("cannot remove '%s'", dst->path);
		return POLICY_REFUSE;
	}
	if (res != NULL && d.exists && !p.backup && !p.remove)
		res->dst = d.st;
	return p.act;
}
