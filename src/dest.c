/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destination file.  Two rules of safety live here: an existing file
 * is never cut before the opened destination has been compared with the
 * opened source (a hard link made to the source since the walker looked
 * would otherwise be emptied), and a short copy never looks whole: what
 * this run created is removed when the copy fails, and an --atomic
 * temporary replaces the old file only once complete.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "copier_int.h"
#include "dest.h"
#include "filejob.h"
#include "meta.h"
#include "path.h"
#include "resmark.h"
#include "resume.h"
#include "say.h"
#include "strset.h"
#include "xmalloc.h"

/* How much of a name its --atomic temporary name keeps (NAME_MAX - 12). */
#define TEMP_NAME_KEEP	200

mode_t
dest_create_mode(const struct cfile *f)
{
	return meta_open_mode(&f->sst, f->job->preserve |
	    (f->job->dst_owned ? META_OWNED : 0));
}

void
dest_created(struct cfile *f, int fd)
{
	f->dfd = fd;
	f->created = 1;
	f->x.dreg = 1;
	f->x.dstream = 0;
}

/*
 * Open the destination as cp does: an existing file keeps its mode (and
 * a FIFO or device is written into); under -f one that cannot be opened
 * is removed and created again.  The descriptor, or -1 after a message.
 */
static int
open_existing(struct cfile *f)
{
	const struct copy_job	*job = f->job;
	int			 fd, flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;
	int			 excl = O_EXCL;

	/* --resume reads it to compare; if it may not, it is rewritten. */
	if (job->compare && (fd = openat(f->dat.dirfd, f->dat.name,
	    O_RDWR | O_CLOEXEC | O_NOCTTY)) >= 0) {
		f->readable = 1;
		return fd;
	}
	if ((fd = openat(f->dat.dirfd, f->dat.name, flags)) >= 0)
		return fd;
	if (!job->force || errno == ENOENT) {
		if (errno != ENOENT) {
			warn("cannot open '%s' for writing", f->dst);
			return -1;
		}
		/*
		 * Gone since the walker looked: create it.  Under
		 * POSIXLY_CORRECT, through a dangling symlink as well.
		 */
		if (job->through_dangling)
			excl = 0;
	} else if (unlinkat(f->dat.dirfd, f->dat.name, 0) < 0 &&
	    errno != ENOENT) {
		warn("cannot remove '%s'", f->dst);
		return -1;
	}
	if ((fd = openat(f->dat.dirfd, f->dat.name, flags | O_CREAT | excl,
	    dest_create_mode(f))) < 0) {
		warn("cannot create regular file '%s'", f->dst);
		return -1;
	}
	f->created = 1;
	return fd;
}

/*
 * --resume over f's destination (of stat st): one that a run kept and
 * marked whole up to an offset is taken at its word there.  The mark
 * goes: from now on the file is this run's, and marked again only if
 * this run stops too.
 */
static void
trust_kept(struct copier *c, struct cfile *f, const struct stat *st)
{
	char	*id = resmark_id(f);
	off_t	 whole = 0;
	int	 mark;

	mark = resmark_read(f->dfd, id, st, &whole);
	free(id);
	if (mark == RESMARK_OTHER)
		return;
	(void)fremovexattr(f->dfd, RESMARK_XATTR);
	if (mark != RESMARK_WHOLE || !f->job->trust)
		return;
	resume_trust(&f->x, whole);
	if (c->debug)
		fprintf(stderr, "acp: debug: '%s': continuing at %lld: whole "
		    "there, as the run that stopped marked it\n", f->dst,
		    (long long)whole);
}

int
dest_open_in_place(struct copier *c, struct cfile *f)
{
	struct stat	st;

	if ((f->dfd = open_existing(f)) < 0)
		return -1;
	if (fstat(f->dfd, &st) < 0) {
		warn("cannot fstat '%s'", f->dst);
		return -1;
	}
	if (at_same_file(&st, &f->sst)) {
		/* The walker checked; this is a race, and nothing was cut. */
		warnx("'%s' and '%s' are the same file", f->src, f->dst);
		return -1;
	}
	f->x.dreg = S_ISREG(st.st_mode);
	f->x.dstream = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
	if (f->readable && f->x.dreg) {
		/* --resume: what is there is compared, not cut. */
		resume_start(&f->x, st.st_size);
		trust_kept(c, f, &st);
		return 0;
	}
	/* --attributes-only keeps an existing file's data. */
	if (!f->created && f->x.dreg && !f->job->attr_only) {
		if (ftruncate(f->dfd, 0) < 0) {
			warn("cannot truncate '%s'", f->dst);
			return -1;
		}
		f->truncated = 1;
	}
	return 0;
}

/*
 * --debug: name the temporaries that look left by an --atomic run that
 * was killed, once per directory written into; never removed, since one
 * may belong to a run still going.
 */
static void
temps_note(struct copier *c, const struct cfile *f, size_t dirlen)
{
	const char	*slash = strrchr(f->dst, '/');
	struct dirent	*de;
	struct stat	 st;
	char		*dir, *key;
	DIR		*dp;
	int		 fd, at = slash != NULL ? (int)(slash - f->dst) + 1 : 0;

	dir = dirlen > 0 ? xstrndup(f->dat.name, dirlen) : xstrdup(".");
	fd = openat(f->dat.dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || (dp = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return;
	}
	xasprintf(&key, "%ju:%ju", (uintmax_t)st.st_dev,
	    (uintmax_t)st.st_ino);
	if (strset_add(&c->tempdirs, key)) {
		while ((de = readdir(dp)) != NULL)
			/* --resume takes up its own as it meets them. */
			if (path_is_acp_temp(de->d_name) && !(f->job->resume &&
			    path_is_resume_temp(de->d_name)))
				fprintf(stderr, "acp: debug: '%.*s%s' looks like "
				    "the temporary of an interrupted --atomic "
				    "copy (left alone)\n", at, f->dst, de->d_name);
	}
	(void)closedir(dp);
}

/*
 * The name of a temporary beside f's destination, in dat's directory:
 * ".acp-" NAME "." suffix, NAME cut where the whole would be too long.
 */
static char *
temp_name(const struct cfile *f, const char *suffix)
{
	const char	*slash = strrchr(f->dat.name, '/'), *base;
	size_t		 baselen;
	char		*name;

	base = slash != NULL ? slash + 1 : f->dat.name;
	baselen = strlen(base);
	if (baselen > TEMP_NAME_KEEP)
		baselen = TEMP_NAME_KEEP;
	xasprintf(&name, "%.*s.acp-%.*s.%s", (int)(base - f->dat.name),
	    f->dat.name, (int)baselen, base, suffix);
	return name;
}

/*
 * The temporary fd (named f->tmp) is f's destination: the mode it gets
 * when whole and its owner, as cp gives them.
 */
static void
temp_made(struct copier *c, struct cfile *f, int fd)
{
	/*
	 * cp keeps an existing destination's mode; and an overwrite in
	 * place keeps its owner and group, which the new inode takes where
	 * the caller may give them (root; else the group, if one of ours).
	 */
	unsigned	keep = f->job->preserve;
	int		dacl;

	if (f->job->dst_exists) {
		f->tmode = f->job->dst_mode & 07777;
		if (!(keep & META_OWNERSHIP) &&
		    fchown(fd, f->job->dst_uid, f->job->dst_gid) < 0)
			(void)fchown(fd, (uid_t)-1, f->job->dst_gid);
		/* And its attributes; a kept mode sets the ACL anew. */
		if (meta_attrs_from(fd, &f->dat, !(keep & META_MODE)) < 0)
			f->job->kept_failed = 1;
		dest_created(f, fd);
		return;
	}
	/*
	 * Under a default ACL the kernel takes no umask off what is
	 * made, and cp's open() would have had none taken off; with
	 * --no-preserve=mode, cp sets its default mode as the whole ACL.
	 */
	dacl = !f->job->dst_no_dacl && meta_in_dacl(&f->dat) > 0;
	f->tmode = meta_new_mode(&f->sst, keep) &
	    (dacl && !(keep & META_NO_MODE) ? 07777 : ~c->umask);
	if (dacl && (keep & META_NO_MODE) && meta_drop_acl(fd, &f->dat) < 0)
		f->job->kept_failed = 1;
	dest_created(f, fd);
}

/* f's temporary as the user knows it: in the directory of f->dst. */
static char *
temp_shown(const struct cfile *f)
{
	const char	*slash = strrchr(f->dst, '/'), *tslash;
	char		*shown;

	tslash = strrchr(f->tmp, '/');
	xasprintf(&shown, "%.*s%s", slash != NULL ?
	    (int)(slash - f->dst) + 1 : 0, f->dst, tslash != NULL ?
	    tslash + 1 : f->tmp);
	return shown;
}

/* --debug on f's --resume temporary: "before 'TEMP' after". */
static void
debug_temp(const struct cfile *f, const char *before, const char *after)
{
	char	*shown = temp_shown(f);

	fprintf(stderr, "acp: debug: '%s': %s '%s'%s\n", f->dst, before, shown,
	    after);
	free(shown);
}

/*
 * --atomic --resume: the temporary has a name the next run can find
 * (".acp-NAME.resume") and says in an xattr which source it is of.  One
 * left by an interrupted run of the same source is continued; any other
 * is started over.  0, or -1 to use a temporary of its own (the name is
 * another run's, locked, or not a plain file).
 */
static int
open_resume_temp(struct copier *c, struct cfile *f)
{
	struct stat	 st;
	char		*name = temp_name(f, "resume"), *want, got[PATH_MAX];
	off_t		 whole = 0;
	int		 fd, mark;

	fd = openat(f->dat.dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, S_IRUSR | S_IWUSR);
	if (fd >= 0 && (flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)) {
		(void)close(fd);
		fd = -1;
	}
	if (fd < 0) {
		free(name);
		return -1;
	}
	want = resmark_id(f);
	mark = resmark_read(fd, want, &st, &whole);
	f->tmp = name;
	if (mark != RESMARK_OTHER) {
		resume_start(&f->x, st.st_size);
		f->readable = 1;
		if (mark == RESMARK_WHOLE && f->job->trust) {
			resume_trust(&f->x, whole);
			(void)snprintf(got, sizeof(got), " at %lld: whole "
			    "there, as the run that stopped marked it",
			    (long long)whole);
		} else
			(void)snprintf(got, sizeof(got), " (%lld bytes there, "
			    "compared)", (long long)st.st_size);
		if (c->debug)
			debug_temp(f, "continuing the interrupted copy in", got);
	} else if (st.st_size > 0) {
		if (c->debug)
			debug_temp(f, "started over in", ": it held part of "
			    "another source, or of this one before it changed");
		if (ftruncate(fd, 0) < 0) {
			free(want);
			free(name);
			f->tmp = NULL;
			(void)close(fd);
			return -1;
		}
	}
	/* Unmarked, it could not be told apart next time: not kept. */
	f->keep = fsetxattr(fd, RESMARK_XATTR, want, strlen(want), 0) == 0;
	if (!f->keep && c->debug) {
		(void)snprintf(got, sizeof(got), " for --resume (%s): it is "
		    "removed if the copy fails", strerror(errno));
		debug_temp(f, "cannot mark", got);
	}
	free(want);
	temp_made(c, f, fd);
	return 0;
}

int
dest_open_temp(struct copier *c, struct cfile *f)
{
	static const char	 letters[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char		*slash = strrchr(f->dat.name, '/');
	size_t			 i;
	char			*suffix;
	int			 fd, tries;

	if (c->debug)
		temps_note(c, f, slash != NULL ?
		    (size_t)(slash + 1 - f->dat.name) : 0);
	if (f->job->resume && open_resume_temp(c, f) == 0)
		return 0;
	f->tmp = temp_name(f, "000000");
	suffix = f->tmp + strlen(f->tmp) - 6;
	for (tries = 0; tries < 100; tries++) {
		for (i = 0; i < 6; i++)
			suffix[i] = letters[arc4random_uniform(
			    sizeof(letters) - 1)];
		fd = openat(f->dat.dirfd, f->tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOCTTY, S_IRUSR | S_IWUSR);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		warn("cannot create a temporary file beside '%s'", f->dst);
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	temp_made(c, f, fd);
	return 0;
}

/*
 * May f rewrite its existing destination in place now?  A regular
 * source that fits in what is left of COPIER_FINISH_BYTES is let finish
 * after a signal (x.finish); otherwise one rewrite at a time, which a
 * signal cuts short.  0 to go on, -1 to wait for the others.
 */
int
dest_inplace_admit(struct copier *c, struct cfile *f)
{
	uint64_t	size = (uint64_t)f->sst.st_size;

	if (S_ISREG(f->sst.st_mode) &&
	    c->finish_bytes + size <= COPIER_FINISH_BYTES) {
		c->finish_bytes += size;
		f->finish_bytes = size;
		f->x.finish = 1;
	} else if (!c->inplace_big)
		c->inplace_big = f->inplace_big = 1;
	else
		return -1;
	return 0;
}

/*
 * f's rewrite in place, if it is one, no longer counts against the next
 * ones.  One let finish stays so (x.finish) until its end: its fsync,
 * its last look at the source and its closes are not cancelled by a
 * signal, so its old file is never said to be partly overwritten.
 */
void
dest_inplace_done(struct copier *c, struct cfile *f)
{
	c->finish_bytes -= f->finish_bytes;
	f->finish_bytes = 0;
	if (f->inplace_big)
		c->inplace_big = 0;
	f->inplace_big = 0;
}

void
dest_unmark(struct cfile *f)
{
	if (f->tmp != NULL && f->keep)
		(void)fremovexattr(f->dfd, RESMARK_XATTR);
}

int
dest_commit(struct cfile *f)
{
	int	ret;

	if (f->tmp == NULL)
		return 0;
	if (f->job->noclobber)
		ret = renameat2(f->dat.dirfd, f->tmp, f->dat.dirfd, f->dat.name,
		    RENAME_NOREPLACE);
	else
		ret = renameat(f->dat.dirfd, f->tmp, f->dat.dirfd, f->dat.name);
	if (ret < 0) {
		warn("cannot rename the copy into place as '%s'", f->dst);
		dest_abort(f);
		return -1;
	}
	return 0;
}

/*
 * f stopped and its copy (name, in f's directory) is kept: flush it and
 * mark how far it is whole, so that the next run need not read it back.
 */
static void
mark_kept(struct copier *c, struct cfile *f, const char *name)
{
	off_t	 whole = resume_whole(&f->x);
	char	*id;

	/*
	 * A source that changed may have given it data of another time; a
	 * destination stalled would not answer.  (A read of the source that
	 * was given up on lies past whole, and writes past it that land late
	 * change the time that the mark holds.)
	 */
	if (whole <= 0 || f->lost_dst || f->x.changed)
		return;
	id = resmark_id(f);
	if (resmark_kept(f->dat.dirfd, name, id, &whole) < 0) {
		if (c->debug)
			fprintf(stderr, "acp: debug: '%s': cannot mark the "
			    "partial copy (%s): the next run compares it\n",
			    f->dst, strerror(errno));
	} else if (c->debug)
		fprintf(stderr, "acp: debug: '%s': flushed the partial copy "
		    "and marked it whole up to %lld\n", f->dst,
		    (long long)whole);
	free(id);
}

int
dest_keep(struct copier *c, struct cfile *f)
{
	const struct xfer	*x = &f->x;
	struct stat		 st;
	char			*shown;

	/*
	 * Worth keeping if it holds anything: by its size, since writes
	 * that land after the failure are not counted in x->bytes.
	 */
	if (!f->job->resume || x->kind != XFER_COPY ||
	    fstatat(f->dat.dirfd, f->tmp != NULL ? f->tmp : f->dat.name, &st,
	    AT_SYMLINK_NOFOLLOW) < 0 || st.st_size == 0)
		return 0;
	if (f->tmp != NULL) {
		if (!f->keep || !f->created)
			return 0;
		mark_kept(c, f, f->tmp);
		shown = temp_shown(f);
		warnx("kept the partial copy '%s' for --resume", shown);
		free(shown);
		free(f->tmp);
		f->tmp = NULL;
	} else if (x->dreg) {
		mark_kept(c, f, f->dat.name);
		warnx("kept the partial copy '%s' for --resume", f->dst);
	} else
		return 0;
	f->created = 0;
	return 1;
}

void
dest_abort(struct cfile *f)
{
	const char	*made = f->tmp != NULL ? f->tmp : f->dat.name;

	if (f->created && unlinkat(f->dat.dirfd, made, 0) < 0 &&
	    errno != ENOENT)
		warn("cannot remove partial copy '%s'", f->tmp != NULL ?
		    f->tmp : f->dst);
	f->created = 0;
	free(f->tmp);
	f->tmp = NULL;
}
