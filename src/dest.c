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

#include <dirent.h>
#include <err.h>
#include <errno.h>
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
#include "strset.h"
#include "xmalloc.h"

/* How much of a name its --atomic temporary name keeps (NAME_MAX - 12). */
#define TEMP_NAME_KEEP	200

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
	    meta_open_mode(&f->sst, job->preserve))) < 0) {
		warn("cannot create regular file '%s'", f->dst);
		return -1;
	}
	f->created = 1;
	return fd;
}

int
dest_open_in_place(struct cfile *f)
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
			if (path_is_acp_temp(de->d_name))
				fprintf(stderr, "acp: debug: '%.*s%s' looks like "
				    "the temporary of an interrupted --atomic "
				    "copy (left alone)\n", at, f->dst, de->d_name);
	}
	(void)closedir(dp);
}

int
dest_open_temp(struct copier *c, struct cfile *f)
{
	static const char	 letters[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char		*slash = strrchr(f->dat.name, '/'), *base;
	size_t			 dirlen, baselen, i;
	char			*suffix;
	int			 fd, tries;

	base = slash != NULL ? slash + 1 : f->dat.name;
	dirlen = (size_t)(base - f->dat.name);
	if (c->debug)
		temps_note(c, f, dirlen);
	/* ".acp-" NAME "." 6 letters must stay a name the kernel takes. */
	baselen = strlen(base);
	if (baselen > TEMP_NAME_KEEP)
		baselen = TEMP_NAME_KEEP;
	xasprintf(&f->tmp, "%.*s.acp-%.*s.000000", (int)dirlen, f->dat.name,
	    (int)baselen, base);
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
	/*
	 * cp keeps an existing destination's mode; and an overwrite in
	 * place keeps its owner and group, which the new inode takes where
	 * the caller may give them (root; else the group, if one of ours).
	 */
	if (f->job->dst_exists) {
		f->tmode = f->job->dst_mode & 07777;
		if (!(f->job->preserve & META_OWNERSHIP) &&
		    fchown(fd, f->job->dst_uid, f->job->dst_gid) < 0)
			(void)fchown(fd, (uid_t)-1, f->job->dst_gid);
	} else
		f->tmode = meta_new_mode(&f->sst, f->job->preserve) &
		    ~c->umask;
	dest_created(f, fd);
	return 0;
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
