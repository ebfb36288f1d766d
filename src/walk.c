/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The walker.  It decides, the copier acts: every refusal (missing source,
 * a directory without -r, a file onto itself, a destination directory that
 * is not there) is settled here, before anything is opened for writing, so
 * a refused copy never touches the destination.  Errors name the file and
 * the reason, set the status, and the walk goes on with the next source
 * (OpenBSD cp's rval = 1; continue).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "meta.h"
#include "status.h"
#include "walk.h"
#include "xmalloc.h"

void
walk_quote(FILE *fp, const char *name)
{
	const unsigned char	*p;
	int			 plain = 1, squote = 0, special = 0;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p == '\'')
			squote = 1;
		else if (*p < 0x20 || *p == 0x7f)
			plain = 0;
		else if (strchr("\"$`\\", *p) != NULL)
			special = 1;
	}
	if (plain && !squote) {
		fprintf(fp, "'%s'", name);
		return;
	}
	if (plain && !special) {
		fprintf(fp, "\"%s\"", name);
		return;
	}
	/* Shell quoting: 'abc'\''def' and control bytes as $'\ooo'. */
	fputc('\'', fp);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "'$'\\%03o''", *p);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/*
 * A name in --check's report, as sha256sum -c prints it: as is, but a
 * name with a newline or backslash escaped (the line then starts '\').
 */
static void
walk_quote_plain(FILE *fp, const char *name)
{
	int	escape = manifest_needs_escape(name);

	if (escape)
		fputc('\\', fp);
	manifest_write_name(fp, name, escape);
}

/* The last component of a path, ignoring trailing slashes; caller frees. */
static char *
last_component(const char *path)
{
	size_t		 len = strlen(path);
	const char	*start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	start = path + len;
	while (start > path && start[-1] != '/')
		start--;
	return strndup(start, (size_t)(path + len - start));
}

/* dir + "/" + the source's last component; caller frees. */
static char *
target_in_dir(const char *dir, const char *src)
{
	char	*base, *out;
	size_t	 len = strlen(dir), n;

	if ((base = last_component(src)) == NULL)
		err(1, "strndup");
	while (len > 1 && dir[len - 1] == '/')
		len--;
	n = len + 1 + strlen(base) + 1;
	out = xmalloc(n);
	snprintf(out, n, "%.*s/%s", (int)len, dir, base);
	free(base);
	return out;
}

/*
 * The hard-link map: (device, inode) of a source file with more than one
 * name, to the destination path its first name was copied to.  Open
 * addressing, grown at half full; it holds only multiply-linked files.
 */
/* A second name met while its first copy was in flight. */
struct pendlink {
	char		*src;
	char		*dst;
	int		 dst_exists;
	struct wdir	*dir;		/* a reference: the link changes it */
	struct pendlink	*next;
};

struct linkent {
	dev_t			 dev;
	ino_t			 ino;
	char			*dst;	/* NULL: empty slot */
	struct pendlink		*waiting; /* names to link when it is done */
	struct pendlink		**tail;
	const struct copy_job	*pending; /* its copy, still in flight */
	int			 failed;  /* that copy failed: copy again */
};

struct linkmap {
	struct linkent	*tab;
	size_t		 size;	/* a power of two, or 0 */
	size_t		 used;
};

static size_t
linkmap_slot(const struct linkmap *m, dev_t dev, ino_t ino)
{
	uint64_t	h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;
	size_t		i = (size_t)(h ^ (h >> 29)) & (m->size - 1);

	while (m->tab[i].dst != NULL &&
	    (m->tab[i].dev != dev || m->tab[i].ino != ino))
		i = (i + 1) & (m->size - 1);
	return i;
}

static struct linkent *
linkmap_find(const struct linkmap *m, const struct stat *st)
{
	struct linkent	*e;

	if (m->size == 0)
		return NULL;
	e = &m->tab[linkmap_slot(m, st->st_dev, st->st_ino)];
	return e->dst != NULL ? e : NULL;
}

/*
 * Remember dst as the first name of st's inode, its copy in flight as
 * job.  A name whose copy failed is replaced.
 */
static void
linkmap_add(struct linkmap *m, const struct stat *st, const char *dst,
    const struct copy_job *job)
{
	struct linkmap	 bigger;
	size_t		 i, j;

	if (2 * (m->used + 1) > m->size) {
		bigger.size = m->size == 0 ? 64 : 2 * m->size;
		bigger.used = m->used;
		bigger.tab = xcalloc(bigger.size, sizeof(*bigger.tab));
		for (i = 0; i < m->size; i++) {
			if (m->tab[i].dst == NULL)
				continue;
			j = linkmap_slot(&bigger, m->tab[i].dev,
			    m->tab[i].ino);
			bigger.tab[j] = m->tab[i];
		}
		free(m->tab);
		*m = bigger;
	}
	i = linkmap_slot(m, st->st_dev, st->st_ino);
	if (m->tab[i].dst != NULL) {
		if (!m->tab[i].failed)
			return;
		free(m->tab[i].dst);
		m->used--;
	}
	m->tab[i].dev = st->st_dev;
	m->tab[i].ino = st->st_ino;
	m->tab[i].dst = xstrdup(dst);
	m->tab[i].pending = job;
	m->tab[i].failed = 0;
	m->tab[i].waiting = NULL;
	m->used++;
}

/*
 * The copy of st's first name is finished (ok: it succeeded); the names
 * that waited for it, which the caller links and frees.
 */
static struct pendlink *
linkmap_settle(struct linkmap *m, const struct stat *st, int ok)
{
	struct linkent	*e;
	struct pendlink	*list;

	if ((e = linkmap_find(m, st)) == NULL)
		return NULL;
	e->pending = NULL;
	e->failed = !ok;
	list = e->waiting;
	e->waiting = NULL;
	return list;
}

static void
linkmap_free(struct linkmap *m)
{
	size_t	i;

	for (i = 0; i < m->size; i++)
		free(m->tab[i].dst);
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

/* Directories that gained entries, to fsync once at the end. */
struct dirlist {
	char	**dirs;
	size_t	  n;
};

static void
dirlist_add_dir(struct dirlist *dl, char *dir)
{
	size_t	i;

	for (i = 0; i < dl->n; i++) {
		if (strcmp(dl->dirs[i], dir) == 0) {
			free(dir);
			return;
		}
	}
	dl->dirs = xreallocarray(dl->dirs, dl->n + 1, sizeof(*dl->dirs));
	dl->dirs[dl->n++] = dir;
}

/* The directory that holds path gained an entry. */
static void
dirlist_add(struct dirlist *dl, const char *path)
{
	char	*dir, *slash;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	dirlist_add_dir(dl, dir);
}

/* fsync each directory once; frees the list; a status. */
static int
dirlist_sync(struct dirlist *dl)
{
	size_t	i;
	int	fd, status = ACP_EXIT_OK;

	for (i = 0; i < dl->n; i++) {
		fd = open(dl->dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0) {
			warn("cannot fsync directory '%s'", dl->dirs[i]);
			status = ACP_EXIT_FAIL;
		}
		if (fd >= 0)
			(void)close(fd);
		free(dl->dirs[i]);
	}
	free(dl->dirs);
	dl->dirs = NULL;
	dl->n = 0;
	return status;
}

/*
 * A directory being copied.  Its metadata (mode, owner, times, xattrs)
 * is applied after all its entries, which may finish in any order long
 * after the walker has moved on: each entry's job holds a reference, and
 * so does the walker while it reads the directory.  The last reference
 * applies the metadata and lets go of the parent.
 */
struct wdir {
	unsigned	 refs;
	char		*src;
	char		*dst;
	struct stat	 st;
	int		 made;		/* we created it */
	struct wdir	*parent;
};

struct walk;

/* A file job and what the walker needs when it comes back. */
struct wjob {
	struct copy_job	 job;		/* first: the copier hands it back */
	struct walk	*w;
	char		*src;
	char		*dst;
	char		*name;		/* for the manifest */
	char		*expect;	/* --check: the listed digest */
	struct wdir	*dir;		/* a reference, or NULL */
	int		 linked;	/* first name of a multiply-linked file */
};

/* The walk's state: what every entry needs. */
struct walk {
	const struct options	*opts;
	struct copier		*c;
	FILE			*manifest;
	struct dirlist		 dl;
	struct linkmap		 links;
	dev_t			 topdev;	/* -x: the source's filesystem */
	struct wdir		*cur;		/* the directory being read */
	int			 status;	/* of what finished in the copier */
	struct walk_stats	 st;
	/* --check's counts. */
	unsigned long		 unreadable, mismatched;
};

static int	walk_entry(struct walk *, const char *src, const char *dst,
		    const char *name, int top);

static void
walk_verbose(const struct walk *w, const char *src, const char *dst)
{
	if (!w->opts->verbose)
		return;
	walk_quote(stdout, src);
	fputs(" -> ", stdout);
	walk_quote(stdout, dst);
	fputc('\n', stdout);
}

/* Count a failed entry (its message was printed); ACP_EXIT_FAIL. */
static int
walk_error(struct walk *w)
{
	w->st.errors++;
	return ACP_EXIT_FAIL;
}

/* Is the entry being walked in a directory that this run created? */
static int
walk_fresh(const struct walk *w)
{
	return w->cur != NULL && w->cur->made;
}

static int
walk_stopped(const struct walk *w)
{
	return w->c->broken || (w->c->stop != NULL && *w->c->stop);
}

static void	wdir_put(struct walk *, struct wdir *);

/*
 * An existing destination (not a directory) is about to be replaced by
 * src: decide as cp's -n, --update and -i do, in that order.  0: replace
 * it; 1: leave it, a declined copy and no failure; -1: leave it, and it
 * counts as a failure (--update=none-fail, said; -i answered no).
 */
static int
walk_may_replace(const struct walk *w, const struct stat *sst,
    const char *dst, const struct stat *dstst)
{
	const struct options	*opts = w->opts;
	char			 answer[16];

	if (opts->noclobber || opts->update == OPTIONS_UPDATE_NONE)
		return 1;
	if (opts->update == OPTIONS_UPDATE_NONE_FAIL) {
		warnx("not replacing '%s'", dst);
		return -1;
	}
	if (opts->update == OPTIONS_UPDATE_OLDER &&
	    (dstst->st_mtim.tv_sec > sst->st_mtim.tv_sec ||
	    (dstst->st_mtim.tv_sec == sst->st_mtim.tv_sec &&
	    dstst->st_mtim.tv_nsec >= sst->st_mtim.tv_nsec)))
		return 1;
	if (opts->interactive) {
		/* Nothing may be in flight to a file the user is asked of. */
		copier_wait(w->c, NULL);
		fprintf(stderr, "%s: overwrite ", getprogname());
		walk_quote(stderr, dst);
		fputs("? ", stderr);
		fflush(stderr);
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
		    (answer[0] != 'y' && answer[0] != 'Y'))
			return -1;
	}
	return 0;
}

/*
 * The highest N of dst's numbered backups (NAME.~N~) in its directory,
 * 0 if it has none.
 */
static unsigned long
backup_highest(const char *dst)
{
	const char	*slash = strrchr(dst, '/'), *base;
	struct dirent	*de;
	unsigned long	 n, max = 0;
	size_t		 blen;
	char		*dir, *end;
	DIR		*dp;

	base = slash != NULL ? slash + 1 : dst;
	blen = strlen(base);
	dir = slash == NULL ? xstrdup(".") : slash == dst ? xstrdup("/") :
	    strndup(dst, (size_t)(slash - dst));
	if (dir == NULL || (dp = opendir(dir)) == NULL) {
		free(dir);
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
	free(dir);
	return max;
}

/*
 * -b: move the destination about to be replaced to its backup name, as
 * cp does; 0, or -1 after a message.
 */
static int
walk_backup(const struct walk *w, const char *dst)
{
	unsigned long	 n = 0;
	char		*name;
	int		 ret = 0;

	if (w->opts->backup != OPTIONS_BACKUP_SIMPLE)
		n = backup_highest(dst);
	if (w->opts->backup == OPTIONS_BACKUP_NUMBERED ||
	    (w->opts->backup == OPTIONS_BACKUP_EXISTING && n > 0))
		xasprintf(&name, "%s.~%lu~", dst, n + 1);
	else
		xasprintf(&name, "%s%s", dst, w->opts->suffix);
	if (rename(dst, name) < 0) {
		warn("cannot back up '%s' as '%s'", dst, name);
		ret = -1;
	}
	free(name);
	return ret;
}

/* -l, -s: a link to src at dst instead of a copy; a status. */
static int
walk_link(struct walk *w, const char *src, const char *dst, int dst_exists)
{
	const struct options	*opts = w->opts;
	int			 hard = opts->link == OPTIONS_LINK_HARD;

	if (!hard && src[0] != '/' && strchr(dst, '/') != NULL) {
		warnx("'%s': can make relative symbolic links only in current "
		    "directory", dst);
		return ACP_EXIT_FAIL;
	}
	if (dst_exists && (opts->force || opts->remove_destination) &&
	    unlink(dst) < 0) {
		warn("cannot remove '%s'", dst);
		return ACP_EXIT_FAIL;
	}
	if ((hard ? link(src, dst) : symlink(src, dst)) < 0) {
		warn(hard ? "cannot create hard link '%s' to '%s'" :
		    "cannot create symbolic link '%s' to '%s'", dst, src);
		return ACP_EXIT_FAIL;
	}
	walk_verbose(w, src, dst);
	if (hard)
		w->st.hardlinks++;
	else
		w->st.symlinks++;
	return ACP_EXIT_OK;
}

static void
wjob_free(struct wjob *wj)
{
	free(wj->src);
	free(wj->dst);
	free(wj->name);
	free(wj->expect);
	free(wj);
}

/*
 * Link the names that waited for the first copy of their file, now that
 * it is done (ok) or failed.
 */
static void
walk_link_waiting(struct walk *w, const char *first, struct pendlink *p,
    int ok)
{
	struct pendlink	*next;
	int		 status;

	for (; p != NULL; p = next) {
		next = p->next;
		status = ACP_EXIT_FAIL;
		if (!ok)
			warnx("cannot create hard link '%s' to '%s': its copy "
			    "failed", p->dst, first);
		else if (p->dst_exists && unlink(p->dst) < 0)
			warn("cannot remove '%s'", p->dst);
		else if (link(first, p->dst) < 0)
			warn("cannot create hard link '%s' to '%s'", p->dst,
			    first);
		else {
			walk_verbose(w, p->src, p->dst);
			w->st.hardlinks++;
			status = ACP_EXIT_OK;
		}
		if (status != ACP_EXIT_OK)
			w->st.errors++;
		w->status = status_merge(w->status, status);
		wdir_put(w, p->dir);
		free(p->src);
		free(p->dst);
		free(p);
	}
}

/*
 * A copy came back from the copier (in the order it was submitted): print
 * it under -v, record its hard-link name, its manifest line and its
 * status, and let go of its directory.
 */
static void
walk_file_done(struct copy_job *job)
{
	struct wjob		*wj = (struct wjob *)job;
	struct walk		*w = wj->w;
	const struct options	*opts = w->opts;
	struct pendlink		*waiting = NULL;
	int			 status;

	if (wj->linked)
		waiting = linkmap_settle(&w->links, &job->sst, job->ret == 0);
	if (job->ret < 0) {
		w->st.errors++;
		status = ACP_EXIT_FAIL;
		goto out;
	}
	if (opts->fsync && job->created)
		dirlist_add(&w->dl, wj->dst);
	walk_verbose(w, wj->src, wj->dst);
	status = job->meta_failed ? ACP_EXIT_FAIL : ACP_EXIT_OK;
	if (job->changed)
		/* Its hash is of data that was moving: no manifest line. */
		status = status_merge(status, ACP_EXIT_CHANGED);
	else if (job->mismatch)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	else if (job->verify_failed)
		status = status_merge(status, ACP_EXIT_FAIL);
	else if (opts->algo != NULL && w->manifest != NULL)
		manifest_write(w->manifest, opts->algo, job->hex, wj->name,
		    opts->tag);
out:
	w->status = status_merge(w->status, status);
	walk_link_waiting(w, wj->dst, waiting, job->ret == 0);
	wdir_put(w, wj->dir);
	wjob_free(wj);
}

/* Copy a regular file (or a file's contents) whose stat is sst. */
static int
walk_file(struct walk *w, const char *src, const char *dst,
    const char *name, const struct stat *sst)
{
	const struct options	*opts = w->opts;
	struct wjob		*wj;
	struct linkent		*first;
	struct pendlink		*pl;
	struct stat		 dstst;
	int			 dst_exists = 0, links;

	/*
	 * In a directory this run made, nothing is there to overwrite: no
	 * need to look (which would also wait on the directory's lock
	 * behind the creates in flight).
	 */
	if (walk_fresh(w))
		;
	else if (stat(dst, &dstst) == 0) {
		dst_exists = 1;
		if (dstst.st_dev == sst->st_dev &&
		    dstst.st_ino == sst->st_ino) {
			warnx("'%s' and '%s' are the same file", src, dst);
			return ACP_EXIT_FAIL;
		}
		if (S_ISDIR(dstst.st_mode)) {
			warnx("cannot overwrite directory '%s' with "
			    "non-directory", dst);
			return ACP_EXIT_FAIL;
		}
		switch (walk_may_replace(w, sst, dst, &dstst)) {
		case 1:
			return ACP_EXIT_OK;
		case -1:
			return ACP_EXIT_FAIL;
		}
		if (opts->backup != OPTIONS_BACKUP_NONE) {
			if (walk_backup(w, dst) < 0)
				return ACP_EXIT_FAIL;
			dst_exists = 0;
		} else if (opts->remove_destination &&
		    opts->link == OPTIONS_LINK_NONE) {
			if (unlink(dst) < 0) {
				warn("cannot remove '%s'", dst);
				return ACP_EXIT_FAIL;
			}
			dst_exists = 0;
		}
	} else if (errno == ENOENT && lstat(dst, &dstst) == 0) {
		/* A dangling symlink: cp does not create its target. */
		warnx("not writing through dangling symlink '%s'", dst);
		return ACP_EXIT_FAIL;
	}

	if (opts->link != OPTIONS_LINK_NONE)
		return walk_link(w, src, dst, dst_exists);

	/*
	 * A second name of a file already copied: link it, as cp -a does.
	 * If the first copy is still in flight, the link is made when it
	 * is done; if it failed, this name is copied instead.
	 */
	links = (opts->preserve & META_LINKS) && sst->st_nlink > 1;
	if (links && (first = linkmap_find(&w->links, sst)) != NULL) {
		if (first->pending != NULL) {
			/* Linked when the first copy is done: no waiting. */
			pl = xcalloc(1, sizeof(*pl));
			pl->src = xstrdup(src);
			pl->dst = xstrdup(dst);
			pl->dst_exists = dst_exists;
			if ((pl->dir = w->cur) != NULL)
				pl->dir->refs++;
			if (first->waiting == NULL)
				first->waiting = pl;
			else
				*first->tail = pl;
			first->tail = &pl->next;
			return ACP_EXIT_OK;
		}
		if (!first->failed) {
			if (dst_exists && unlink(dst) < 0) {
				warn("cannot remove '%s'", dst);
				return ACP_EXIT_FAIL;
			}
			if (link(first->dst, dst) < 0) {
				warn("cannot create hard link '%s' to '%s'",
				    dst, first->dst);
				return ACP_EXIT_FAIL;
			}
			walk_verbose(w, src, dst);
			w->st.hardlinks++;
			return ACP_EXIT_OK;
		}
	}

	wj = xcalloc(1, sizeof(*wj));
	wj->w = w;
	wj->src = xstrdup(src);
	wj->dst = xstrdup(dst);
	wj->name = xstrdup(name);
	wj->dir = w->cur;
	if (wj->dir != NULL)
		wj->dir->refs++;
	wj->linked = links;
	wj->job.kind = COPY_JOB_COPY;
	wj->job.src = wj->src;
	wj->job.dst = wj->dst;
	wj->job.sst = *sst;
	wj->job.dst_exists = dst_exists;
	wj->job.dst_mode = dst_exists ? dstst.st_mode : 0;
	wj->job.noclobber = opts->noclobber;
	wj->job.force = opts->force;
	wj->job.preserve = opts->preserve;
	wj->job.verify = opts->verify;
	wj->job.attr_only = opts->attr_only;
	wj->job.done = walk_file_done;
	if (links)
		linkmap_add(&w->links, sst, dst, &wj->job);
	copier_submit(w->c, &wj->job);
	return ACP_EXIT_OK;
}

/*
 * Make room for a new non-directory entry at dst: refuse a directory,
 * keep an existing entry under -n (1), remove it otherwise.  0 to go on,
 * 1 to skip, -1 after a message.
 */
static int
walk_clear(const struct walk *w, const struct stat *sst, const char *dst)
{
	struct stat	st;
	int		ret;

	if (walk_fresh(w) || lstat(dst, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		warnx("cannot overwrite directory '%s' with non-directory",
		    dst);
		return -1;
	}
	if ((ret = walk_may_replace(w, sst, dst, &st)) != 0)
		return ret;
	if (w->opts->backup != OPTIONS_BACKUP_NONE)
		return walk_backup(w, dst);
	if (unlink(dst) < 0) {
		warn("cannot remove '%s'", dst);
		return -1;
	}
	return 0;
}

/* Metadata of an entry made by name (symlink, special file, directory). */
static int
walk_meta(const struct walk *w, const char *src, const char *dst,
    const struct stat *st)
{
	int	ret = 0;

	if ((w->opts->preserve & META_XATTR) && !S_ISLNK(st->st_mode) &&
	    meta_copy_xattrs(-1, src, -1, dst) < 0)
		ret = -1;
	if ((w->opts->preserve & (META_MODE | META_OWNERSHIP |
	    META_TIMESTAMPS)) && meta_apply(-1, dst, st, w->opts->preserve) < 0)
		ret = -1;
	return ret;
}

static int
walk_symlink(struct walk *w, const char *src, const char *dst,
    const struct stat *st)
{
	char	*target;
	size_t	 size = (size_t)st->st_size + 1;
	ssize_t	 n;
	int	 ret;

	/* st_size may lie (it is 0 on some filesystems): grow until it fits. */
	if (size < 64)
		size = 64;
	for (;;) {
		target = xmalloc(size);
		if ((n = readlink(src, target, size)) < 0) {
			warn("cannot read symbolic link '%s'", src);
			free(target);
			return ACP_EXIT_FAIL;
		}
		if ((size_t)n < size)
			break;
		free(target);
		size *= 2;
	}
	target[n] = '\0';
	if ((ret = walk_clear(w, st, dst)) != 0) {
		free(target);
		return ret > 0 ? ACP_EXIT_OK : ACP_EXIT_FAIL;
	}
	if (symlink(target, dst) < 0) {
		warn("cannot create symbolic link '%s'", dst);
		free(target);
		return ACP_EXIT_FAIL;
	}
	free(target);
	walk_verbose(w, src, dst);
	w->st.symlinks++;
	return walk_meta(w, src, dst, st) < 0 ? ACP_EXIT_FAIL : ACP_EXIT_OK;
}

/* A FIFO, device or socket, made anew (cp -r does not read them). */
static int
walk_special(struct walk *w, const char *src, const char *dst,
    const struct stat *st)
{
	mode_t	mode = st->st_mode & 07777;
	int	ret;

	if ((ret = walk_clear(w, st, dst)) != 0)
		return ret > 0 ? ACP_EXIT_OK : ACP_EXIT_FAIL;
	if (!(w->opts->preserve & META_MODE))
		mode &= ~w->c->umask & 0777;
	if (S_ISFIFO(st->st_mode))
		ret = mkfifo(dst, mode);
	else
		ret = mknod(dst, (st->st_mode & S_IFMT) | mode, st->st_rdev);
	if (ret < 0) {
		warn(S_ISFIFO(st->st_mode) ? "cannot create fifo '%s'" :
		    "cannot create special file '%s'", dst);
		return ACP_EXIT_FAIL;
	}
	walk_verbose(w, src, dst);
	w->st.specials++;
	return walk_meta(w, src, dst, st) < 0 ? ACP_EXIT_FAIL : ACP_EXIT_OK;
}

/* Is dir (an existing path) the same as src or inside it? */
static int
inside(const char *src, const char *dir)
{
	char	*rs, *rd;
	size_t	 len;
	int	 ret = 0;

	rs = realpath(src, NULL);
	rd = realpath(dir, NULL);
	if (rs != NULL && rd != NULL) {
		len = strlen(rs);
		ret = strncmp(rs, rd, len) == 0 &&
		    (rd[len] == '/' || rd[len] == '\0' || strcmp(rs, "/") == 0);
	}
	free(rs);
	free(rd);
	return ret;
}

static char *
join(const char *dir, const char *name)
{
	size_t	 n = strlen(dir) + 1 + strlen(name) + 1;
	char	*out = xmalloc(n);

	snprintf(out, n, "%s%s%s", dir,
	    dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return out;
}

/*
 * Drop a reference to d; the last one applies its metadata, after the
 * entries, which changed its times and needed it writable.
 */
static void
wdir_put(struct walk *w, struct wdir *d)
{
	struct wdir	*parent;
	int		 status = ACP_EXIT_OK;

	if (d == NULL || --d->refs > 0)
		return;
	if (w->opts->preserve & (META_MODE | META_OWNERSHIP | META_TIMESTAMPS |
	    META_XATTR)) {
		if (walk_meta(w, d->src, d->dst, &d->st) < 0)
			status = ACP_EXIT_FAIL;
		/* Its own inode changed: --fsync flushes it too. */
		if (w->opts->fsync)
			dirlist_add_dir(&w->dl, xstrdup(d->dst));
	} else if (d->made && (d->st.st_mode & S_IRWXU) != S_IRWXU &&
	    chmod(d->dst, d->st.st_mode & 07777 & ~w->c->umask) < 0) {
		warn("cannot set permissions of '%s'", d->dst);
		status = ACP_EXIT_FAIL;
	}
	if (status != ACP_EXIT_OK)
		w->st.errors++;
	w->status = status_merge(w->status, status);
	parent = d->parent;
	free(d->src);
	free(d->dst);
	free(d);
	wdir_put(w, parent);
}

static int
walk_dir(struct walk *w, const char *src, const char *dst, const char *name,
    const struct stat *st)
{
	struct stat	 dstst;
	struct dirent	*de;
	DIR		*dp;
	struct wdir	*d;
	char		*parent, *slash, *csrc, *cdst, *cname;
	int		 made = 0, status = ACP_EXIT_OK;

	/* Copying a directory into itself would never end. */
	parent = xstrdup(dst);
	if ((slash = strrchr(parent, '/')) != NULL && slash != parent)
		*slash = '\0';
	else if (slash == NULL)
		strcpy(parent, ".");
	if (inside(src, parent)) {
		warnx("cannot copy a directory, '%s', into itself, '%s'", src,
		    dst);
		free(parent);
		return walk_error(w);
	}
	free(parent);

	if (!walk_fresh(w) && (w->opts->keep_dir_symlink ? stat(dst, &dstst) :
	    lstat(dst, &dstst)) == 0) {
		if (!S_ISDIR(dstst.st_mode)) {
			warnx("cannot overwrite non-directory '%s' with "
			    "directory '%s'", dst, src);
			return walk_error(w);
		}
		if (dstst.st_dev == st->st_dev && dstst.st_ino == st->st_ino) {
			warnx("cannot copy a directory, '%s', into itself, "
			    "'%s'", src, dst);
			return walk_error(w);
		}
	} else {
		/* Writable for us while it fills; its mode is set after. */
		if (mkdir(dst, (st->st_mode & 07777) | S_IRWXU) < 0) {
			warn("cannot create directory '%s'", dst);
			return walk_error(w);
		}
		made = 1;
		walk_verbose(w, src, dst);
		if (w->opts->fsync)
			dirlist_add(&w->dl, dst);
	}

	d = xcalloc(1, sizeof(*d));
	d->refs = 1;
	d->src = xstrdup(src);
	d->dst = xstrdup(dst);
	d->st = *st;
	d->made = made;
	if ((d->parent = w->cur) != NULL)
		d->parent->refs++;
	w->cur = d;

	/* -x: a mount point is copied, what is mounted on it is not. */
	if (w->opts->one_fs && st->st_dev != w->topdev)
		dp = NULL;
	else if ((dp = opendir(src)) == NULL) {
		warn("cannot open directory '%s'", src);
		status = walk_error(w);
	}
	while (dp != NULL && !walk_stopped(w)) {
		errno = 0;
		if ((de = readdir(dp)) == NULL) {
			if (errno != 0) {
				warn("cannot read directory '%s'", src);
				status = status_merge(status, walk_error(w));
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		csrc = join(src, de->d_name);
		cdst = join(dst, de->d_name);
		cname = join(name, de->d_name);
		status = status_merge(status, walk_entry(w, csrc, cdst, cname,
		    0));
		free(csrc);
		free(cdst);
		free(cname);
	}
	if (dp != NULL)
		(void)closedir(dp);

	/* Its metadata once the last of its entries is done. */
	w->cur = d->parent;
	wdir_put(w, d);
	return status;
}

/* Copy one source entry to one destination path; a status. */
static int
walk_entry(struct walk *w, const char *src, const char *dst,
    const char *name, int top)
{
	const struct options	*opts = w->opts;
	struct stat		 st;
	int			 follow, ret;

	switch (opts->deref) {
	case OPTIONS_DEREF_ALWAYS:
		follow = 1;
		break;
	case OPTIONS_DEREF_NEVER:
		follow = 0;
		break;
	case OPTIONS_DEREF_ARGS:
		follow = top;
		break;
	default:
		/*
		 * cp: without -r, follow; with it, copy links as links,
		 * but -l links what they point to.
		 */
		follow = !opts->recursive || opts->link == OPTIONS_LINK_HARD;
		break;
	}
	ret = follow ? stat(src, &st) : lstat(src, &st);
	if (ret < 0) {
		/* A symlink loop under -L is ELOOP here: this entry only. */
		warn("cannot stat '%s'", src);
		return walk_error(w);
	}
	if (top)
		w->topdev = st.st_dev;
	if (S_ISDIR(st.st_mode)) {
		if (!opts->recursive) {
			warnx("-r not specified; omitting directory '%s'", src);
			return walk_error(w);
		}
		w->st.directories++;
		return walk_dir(w, src, dst, name, &st);
	}
	if (S_ISLNK(st.st_mode))
		ret = walk_symlink(w, src, dst, &st);
	else if (opts->recursive && !S_ISREG(st.st_mode) &&
	    !(opts->copy_contents && (S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))))
		ret = walk_special(w, src, dst, &st);
	else
		ret = walk_file(w, src, dst, name, &st);
	if (ret == ACP_EXIT_FAIL)
		w->st.errors++;
	return ret;
}

/* Is path an existing directory?  1, 0, or -1 with errno set. */
static int
is_dir(const char *path)
{
	struct stat	st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	return 1;
}

/*
 * --parents: DIR/a/b/c for the source a/b/c, making DIR/a and DIR/a/b
 * where missing, each with the mode of the source directory it stands
 * for (narrowed by the umask until parents_meta()).  The path, which the
 * caller frees, or NULL after a message.
 */
static char *
parents_target(struct walk *w, const char *dir, const char *src)
{
	struct stat	 st;
	const char	*rel = src, *p;
	char		*out, *sdir, *ddir;
	int		 ok = 1;

	while (*rel == '/')
		rel++;
	out = join(dir, rel);
	for (p = strchr(rel, '/'); ok && p != NULL; p = strchr(p + 1, '/')) {
		sdir = strndup(src, (size_t)(p - src));
		ddir = strndup(out, strlen(dir) + 1 + (size_t)(p - rel));
		if (sdir == NULL || ddir == NULL)
			err(1, "strndup");
		if (lstat(ddir, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				warnx("'%s' is not a directory", ddir);
				ok = 0;
			}
		} else if (stat(sdir, &st) < 0) {
			warn("cannot stat '%s'", sdir);
			ok = 0;
		} else if (mkdir(ddir, (st.st_mode & 07777) | S_IRWXU) < 0) {
			warn("cannot make directory '%s'", ddir);
			ok = 0;
		} else {
			if (w->opts->verbose)
				printf("%s -> %s\n", sdir, ddir);
			if (!(w->opts->preserve & META_MODE) &&
			    (st.st_mode & S_IRWXU) != S_IRWXU)
				(void)chmod(ddir, st.st_mode & 07777 &
				    ~w->c->umask);
		}
		free(sdir);
		free(ddir);
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * --parents with -p or -a: the directories made for src's parents take
 * their sources' metadata once what went in them is done.
 */
static int
parents_meta(struct walk *w, const char *dir, const char *src)
{
	struct stat	 st;
	const char	*rel = src, *p;
	char		*sdir, *ddir;
	int		 status = ACP_EXIT_OK;

	if (!(w->opts->preserve & (META_MODE | META_OWNERSHIP |
	    META_TIMESTAMPS | META_XATTR)))
		return ACP_EXIT_OK;
	copier_wait(w->c, NULL);
	while (*rel == '/')
		rel++;
	for (p = strrchr(rel, '/'); p != NULL && p > rel;
	    p = memrchr(rel, '/', (size_t)(p - rel))) {
		sdir = strndup(src, (size_t)(p - src));
		if (sdir == NULL)
			err(1, "strndup");
		xasprintf(&ddir, "%s/%.*s", dir, (int)(p - rel), rel);
		if (stat(sdir, &st) == 0 && walk_meta(w, sdir, ddir, &st) < 0)
			status = ACP_EXIT_FAIL;
		free(sdir);
		free(ddir);
	}
	return status;
}

/* Wait for every job, then flush directories; the run's status. */
static int
walk_end(struct walk *w, int status, struct walk_stats *ws)
{
	copier_wait(w->c, NULL);
	if (ws != NULL)
		*ws = w->st;
	status = status_merge(status, w->status);
	if (w->c->broken)
		status = status_merge(status, ACP_EXIT_FAIL);
	linkmap_free(&w->links);
	return status_merge(status, dirlist_sync(&w->dl));
}

int
walk_run(const struct options *opts, struct copier *c, FILE *manifest,
    struct walk_stats *ws)
{
	struct walk	 w;
	const char	*dir = NULL, *name;
	char		*dst, *src;
	size_t		 len;
	int		 nsrc = opts->noperands, i, status = ACP_EXIT_OK, ret;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	w.c = c;
	w.manifest = manifest;

	if (opts->target_dir != NULL) {
		if (is_dir(opts->target_dir) <= 0) {
			warn("target directory '%s'", opts->target_dir);
			return ACP_EXIT_FAIL;
		}
		dir = opts->target_dir;
	} else if (!opts->no_target_dir) {
		nsrc--;
		ret = is_dir(opts->operands[nsrc]);
		if (ret > 0)
			dir = opts->operands[nsrc];
		else if (nsrc > 1) {
			warn("target '%s'", opts->operands[nsrc]);
			return ACP_EXIT_FAIL;
		}
	} else
		nsrc--;

	if (dir == NULL && opts->parents) {
		warnx("with --parents, the destination must be a directory");
		return ACP_EXIT_FAIL;
	}
	if (dir == NULL) {
		/* Relative to where the copy went: its own name. */
		dst = last_component(opts->operands[1]);
		status = walk_entry(&w, opts->operands[0], opts->operands[1],
		    opts->manifest_relative && dst != NULL ? dst :
		    opts->operands[1], 1);
		free(dst);
		return walk_end(&w, status, ws);
	}
	for (i = 0; i < nsrc && !walk_stopped(&w); i++) {
		/*
		 * --strip-trailing-slashes: "link/" names the link, not the
		 * directory it points to.  As in GNU cp, only where sources
		 * go into a directory.
		 */
		src = xstrdup(opts->operands[i]);
		len = strlen(src);
		while (opts->strip_slashes && len > 1 && src[len - 1] == '/')
			src[--len] = '\0';
		if (opts->parents) {
			if ((dst = parents_target(&w, dir, src)) == NULL) {
				status = status_merge(status, ACP_EXIT_FAIL);
				free(src);
				continue;
			}
			name = dst + strlen(dir) + 1;
		} else {
			dst = target_in_dir(dir, src);
			name = strrchr(dst, '/');
			name = name != NULL ? name + 1 : dst;
		}
		if (!opts->manifest_relative)
			name = dst;
		status = status_merge(status, walk_entry(&w, src, dst, name,
		    1));
		if (opts->parents)
			status = status_merge(status, parents_meta(&w, dir,
			    src));
		free(src);
		free(dst);
	}
	return walk_end(&w, status, ws);
}

/* A --check line's file was hashed: say OK or FAILED, in manifest order. */
static void
walk_check_done(struct copy_job *job)
{
	struct wjob	*wj = (struct wjob *)job;
	struct walk	*w = wj->w;

	walk_quote_plain(stdout, wj->src);
	if (job->ret < 0) {
		printf(": FAILED open or read\n");
		w->unreadable++;
	} else if (strcmp(job->hex, wj->expect) != 0) {
		printf(": FAILED\n");
		w->mismatched++;
	} else
		printf(": OK\n");
	wjob_free(wj);
}

int
walk_check(const struct options *opts, struct copier *c, FILE *fp,
    const char *fpname, struct walk_stats *ws)
{
	struct manifest_entry	 e;
	struct walk		 w;
	struct wjob		*wj;
	const char		*why;
	char			*line;
	long			 len, lineno = 0;
	unsigned long		 bad_lines = 0, good_lines = 0;
	int			 status = ACP_EXIT_OK;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	w.c = c;
	line = xmalloc(MANIFEST_MAX_LINE + 1);
	while (!walk_stopped(&w) &&
	    (len = manifest_read_line(fp, line)) != -1) {
		lineno++;
		if (len == -2) {
			warnx("%s: %ld: line longer than %d bytes", fpname,
			    lineno, MANIFEST_MAX_LINE);
			bad_lines++;
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if (manifest_parse(line, (size_t)len, opts->algo, &e,
		    &why) < 0) {
			warnx("%s: %ld: %s", fpname, lineno, why);
			bad_lines++;
			continue;
		}
		good_lines++;
		wj = xcalloc(1, sizeof(*wj));
		wj->w = &w;
		wj->src = e.name;
		wj->expect = xstrdup(e.hex);
		wj->job.kind = COPY_JOB_HASH;
		wj->job.src = wj->src;
		wj->job.algo = e.algo;
		wj->job.done = walk_check_done;
		copier_submit(c, &wj->job);
	}
	copier_wait(c, NULL);
	if (ferror(fp)) {
		warn("error reading '%s'", fpname);
		status = ACP_EXIT_FAIL;
	}
	free(line);
	if (bad_lines > 0)
		warnx("WARNING: %lu line%s improperly formatted", bad_lines,
		    bad_lines == 1 ? " is" : "s are");
	if (w.unreadable > 0)
		warnx("WARNING: %lu listed file%s could not be read",
		    w.unreadable, w.unreadable == 1 ? "" : "s");
	if (w.mismatched > 0)
		warnx("WARNING: %lu computed checksum%s did NOT match",
		    w.mismatched, w.mismatched == 1 ? "" : "s");
	if (good_lines == 0) {
		warnx("%s: no properly formatted checksum lines found",
		    fpname);
		status = status_merge(status, ACP_EXIT_FAIL);
	}
	if (ws != NULL) {
		memset(ws, 0, sizeof(*ws));
		ws->errors = w.unreadable + w.mismatched + bad_lines;
	}
	if (w.unreadable > 0 || c->broken)
		status = status_merge(status, ACP_EXIT_FAIL);
	if (w.mismatched > 0)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	return status;
}
