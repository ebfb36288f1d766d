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
#include <sys/resource.h>
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
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "at.h"
#include "manifest.h"
#include "meta.h"
#include "status.h"
#include "walk.h"
#include "xmalloc.h"

/* A byte's escape inside $'...', as GNU's quoting writes it. */
static void
quote_byte(FILE *fp, unsigned char ch)
{
	static const char	from[] = "\a\b\t\n\v\f\r", to[] = "abtnvfr";
	const char		*p;

	if (ch != '\0' && (p = strchr(from, ch)) != NULL)
		fprintf(fp, "\\%c", to[p - from]);
	else
		fprintf(fp, "\\%03o", ch);
}

/*
 * How many bytes at p make one printable character in the locale (1 for
 * printable ASCII), or 0 for a byte to escape.
 */
static size_t
printable_len(const char *p)
{
	mbstate_t	mbs;
	wchar_t		wc;
	size_t		n;

	if ((unsigned char)*p < 0x80)
		return isprint((unsigned char)*p) ? 1 : 0;
	memset(&mbs, 0, sizeof(mbs));
	n = mbrtowc(&wc, p, MB_CUR_MAX, &mbs);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || !iswprint(wc))
		return 0;
	return n;
}

void
walk_quote(FILE *fp, const char *name)
{
	const char	*p;
	size_t		 n;
	int		 plain = 1, squote = 0, special = 0, dollar = 0;

	for (p = name; *p != '\0'; p += n) {
		if ((n = printable_len(p)) == 0) {
			plain = 0;
			n = 1;
		} else if (*p == '\'')
			squote = 1;
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
	/*
	 * Shell quoting, as GNU cp -v: 'abc'\''def', and what cannot be
	 * printed in $'...' runs: 'a'$'\n\001''b'.
	 */
	fputc('\'', fp);
	for (p = name; *p != '\0'; p += n) {
		if ((n = printable_len(p)) == 0) {
			if (!dollar)
				fputs("'$'", fp);
			dollar = 1;
			quote_byte(fp, (unsigned char)*p);
			n = 1;
			continue;
		}
		if (dollar)
			fputs("''", fp);
		dollar = 0;
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fwrite(p, 1, n, fp);
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
 * Where a's name lies in copy, a copy of a's path: a name relative to a
 * directory is its path's last component, a whole path is itself.
 */
static const char *
name_in(const char *copy, const struct at *a)
{
	return copy + strlen(copy) - strlen(a->name);
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
	const char	*dname;		/* in dir's destination, or dst */
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
		fd = at_open_dir(dl->dirs[i]);
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
	const char	*sname;		/* src in the parent's sfd, or src */
	const char	*dname;		/* dst in the parent's dfd, or dst */
	int		 sfd;		/* the source, open for reading */
	int		 dfd;		/* the copy: what its entries go in */
	int		 dfd_path;	/* dfd is O_PATH: metadata by name */
	struct stat	 st;
	dev_t		 ddev;		/* the copy's device and inode */
	ino_t		 dino;
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
	int		 dirfd;		/* --check: a long name's directory */
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
	unsigned		 dirfds;	/* descriptors the wdirs hold */
	unsigned		 dirfd_budget;	/* before waiting for them */
	int			 status;	/* of what finished in the copier */
	struct walk_stats	 st;
	/* --check's counts. */
	unsigned long		 unreadable, mismatched;
};

static int	walk_entry(struct walk *, const struct at *src,
		    const struct at *dst, const char *name, int top);

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
		end = strndup(dst->name, (size_t)(slash - dst->name));
		if (end == NULL)
			err(1, "strndup");
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

/*
 * -b: move the destination about to be replaced to its backup name, as
 * cp does; 0, or -1 after a message.
 */
static int
walk_backup(const struct walk *w, const struct at *dst)
{
	unsigned long	 n = 0;
	char		*name;
	int		 ret = 0;

	if (w->opts->backup != OPTIONS_BACKUP_SIMPLE)
		n = backup_highest(dst);
	if (w->opts->backup == OPTIONS_BACKUP_NUMBERED ||
	    (w->opts->backup == OPTIONS_BACKUP_EXISTING && n > 0))
		xasprintf(&name, "%s.~%lu~", dst->name, n + 1);
	else
		xasprintf(&name, "%s%s", dst->name, w->opts->suffix);
	if (renameat(dst->dirfd, dst->name, dst->dirfd, name) < 0) {
		warn("cannot back up '%s' as '%s%s'", dst->path, dst->path,
		    name + strlen(dst->name));
		ret = -1;
	}
	free(name);
	return ret;
}

/* -l, -s: a link to src at dst instead of a copy; a status. */
static int
walk_link(struct walk *w, const struct at *src, const struct at *dst,
    int dst_exists)
{
	const struct options	*opts = w->opts;
	int			 hard = opts->link == OPTIONS_LINK_HARD;

	if (!hard && src->path[0] != '/' && strchr(dst->path, '/') != NULL) {
		warnx("'%s': can make relative symbolic links only in current "
		    "directory", dst->path);
		return ACP_EXIT_FAIL;
	}
	if (dst_exists && (opts->force || opts->remove_destination) &&
	    unlinkat(dst->dirfd, dst->name, 0) < 0) {
		warn("cannot remove '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	if ((hard ? linkat(src->dirfd, src->name, dst->dirfd, dst->name, 0) :
	    symlinkat(src->path, dst->dirfd, dst->name)) < 0) {
		warn(hard ? "cannot create hard link '%s' to '%s'" :
		    "cannot create symbolic link '%s' to '%s'", dst->path,
		    src->path);
		return ACP_EXIT_FAIL;
	}
	walk_verbose(w, src->path, dst->path);
	if (hard)
		w->st.hardlinks++;
	else
		w->st.symlinks++;
	return ACP_EXIT_OK;
}

/*
 * Make dst a second name of first, a copy made earlier in this run (its
 * path; its directory may be gone from the walker's hands).  0, or -1
 * with errno set.
 */
static int
link_first(const char *first, const struct at *dst)
{
	const char	*name;
	int		 dirfd, ret, saved;

	if (at_resolve(first, &dirfd, &name) < 0)
		return -1;
	ret = linkat(dirfd, name, dst->dirfd, dst->name, 0);
	saved = errno;
	at_release(dirfd);
	errno = saved;
	return ret;
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
walk_link_waiting(struct walk *w, const struct at *first, struct pendlink *p,
    int ok)
{
	struct pendlink	*next;
	struct at	 at;
	int		 status;

	for (; p != NULL; p = next) {
		next = p->next;
		status = ACP_EXIT_FAIL;
		at.dirfd = p->dir != NULL ? p->dir->dfd : AT_FDCWD;
		at.name = p->dname;
		at.path = p->dst;
		if (!ok)
			warnx("cannot create hard link '%s' to '%s': its copy "
			    "failed", p->dst, first->path);
		else if (p->dst_exists && unlinkat(at.dirfd, at.name, 0) < 0)
			warn("cannot remove '%s'", p->dst);
		else if (linkat(first->dirfd, first->name, at.dirfd, at.name,
		    0) < 0)
			warn("cannot create hard link '%s' to '%s'", p->dst,
			    first->path);
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
	struct at		 first;
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
	first.dirfd = wj->dir != NULL ? wj->dir->dfd : AT_FDCWD;
	first.name = job->dst_name;
	first.path = wj->dst;
	walk_link_waiting(w, &first, waiting, job->ret == 0);
	wdir_put(w, wj->dir);
	wjob_free(wj);
}

/* Copy a regular file (or a file's contents) whose stat is sst. */
static int
walk_file(struct walk *w, const struct at *src, const struct at *dst,
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
	else if (fstatat(dst->dirfd, dst->name, &dstst, 0) == 0) {
		dst_exists = 1;
		if (dstst.st_dev == sst->st_dev &&
		    dstst.st_ino == sst->st_ino) {
			warnx("'%s' and '%s' are the same file", src->path,
			    dst->path);
			return ACP_EXIT_FAIL;
		}
		if (S_ISDIR(dstst.st_mode)) {
			warnx("cannot overwrite directory '%s' with "
			    "non-directory", dst->path);
			return ACP_EXIT_FAIL;
		}
		switch (walk_may_replace(w, sst, dst->path, &dstst)) {
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
			if (unlinkat(dst->dirfd, dst->name, 0) < 0) {
				warn("cannot remove '%s'", dst->path);
				return ACP_EXIT_FAIL;
			}
			dst_exists = 0;
		}
	} else if (errno == ENOENT && fstatat(dst->dirfd, dst->name, &dstst,
	    AT_SYMLINK_NOFOLLOW) == 0) {
		/* A dangling symlink: cp does not create its target. */
		warnx("not writing through dangling symlink '%s'", dst->path);
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
			pl->src = xstrdup(src->path);
			pl->dst = xstrdup(dst->path);
			pl->dname = name_in(pl->dst, dst);
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
			if (dst_exists && unlinkat(dst->dirfd, dst->name,
			    0) < 0) {
				warn("cannot remove '%s'", dst->path);
				return ACP_EXIT_FAIL;
			}
			if (link_first(first->dst, dst) < 0) {
				warn("cannot create hard link '%s' to '%s'",
				    dst->path, first->dst);
				return ACP_EXIT_FAIL;
			}
			walk_verbose(w, src->path, dst->path);
			w->st.hardlinks++;
			return ACP_EXIT_OK;
		}
	}

	wj = xcalloc(1, sizeof(*wj));
	wj->w = w;
	wj->src = xstrdup(src->path);
	wj->dst = xstrdup(dst->path);
	wj->name = xstrdup(name);
	wj->dir = w->cur;
	if (wj->dir != NULL)
		wj->dir->refs++;
	wj->linked = links;
	wj->job.kind = COPY_JOB_COPY;
	wj->job.src = wj->src;
	wj->job.dst = wj->dst;
	wj->job.src_dirfd = src->dirfd;
	wj->job.src_name = name_in(wj->src, src);
	wj->job.dst_dirfd = dst->dirfd;
	wj->job.dst_name = name_in(wj->dst, dst);
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
		linkmap_add(&w->links, sst, dst->path, &wj->job);
	copier_submit(w->c, &wj->job);
	return ACP_EXIT_OK;
}

/*
 * Make room for a new non-directory entry at dst: refuse a directory,
 * keep an existing entry under -n (1), remove it otherwise.  0 to go on,
 * 1 to skip, -1 after a message.
 */
static int
walk_clear(const struct walk *w, const struct stat *sst, const struct at *dst)
{
	struct stat	st;
	int		ret;

	if (walk_fresh(w) ||
	    fstatat(dst->dirfd, dst->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		warnx("cannot overwrite directory '%s' with non-directory",
		    dst->path);
		return -1;
	}
	if ((ret = walk_may_replace(w, sst, dst->path, &st)) != 0)
		return ret;
	if (w->opts->backup != OPTIONS_BACKUP_NONE)
		return walk_backup(w, dst);
	if (unlinkat(dst->dirfd, dst->name, 0) < 0) {
		warn("cannot remove '%s'", dst->path);
		return -1;
	}
	return 0;
}

/* Metadata of an entry made by name (symlink, special file, directory). */
static int
walk_meta(const struct walk *w, int sfd, const struct at *src, int dfd,
    const struct at *dst, const struct stat *st)
{
	int	ret = 0;

	if ((w->opts->preserve & META_XATTR) && !S_ISLNK(st->st_mode) &&
	    meta_copy_xattrs(sfd, src, dfd, dst) < 0)
		ret = -1;
	if ((w->opts->preserve & (META_MODE | META_OWNERSHIP |
	    META_TIMESTAMPS)) &&
	    meta_apply(dfd, dst, st, w->opts->preserve) < 0)
		ret = -1;
	return ret;
}

static int
walk_symlink(struct walk *w, const struct at *src, const struct at *dst,
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
		if ((n = readlinkat(src->dirfd, src->name, target, size)) < 0) {
			warn("cannot read symbolic link '%s'", src->path);
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
	if (symlinkat(target, dst->dirfd, dst->name) < 0) {
		warn("cannot create symbolic link '%s'", dst->path);
		free(target);
		return ACP_EXIT_FAIL;
	}
	free(target);
	walk_verbose(w, src->path, dst->path);
	w->st.symlinks++;
	return walk_meta(w, -1, src, -1, dst, st) < 0 ? ACP_EXIT_FAIL :
	    ACP_EXIT_OK;
}

/* A FIFO, device or socket, made anew (cp -r does not read them). */
static int
walk_special(struct walk *w, const struct at *src, const struct at *dst,
    const struct stat *st)
{
	mode_t	mode = st->st_mode & 07777;
	int	ret;

	if ((ret = walk_clear(w, st, dst)) != 0)
		return ret > 0 ? ACP_EXIT_OK : ACP_EXIT_FAIL;
	if (!(w->opts->preserve & META_MODE))
		mode &= ~w->c->umask & 0777;
	if (S_ISFIFO(st->st_mode))
		ret = mkfifoat(dst->dirfd, dst->name, mode);
	else
		ret = mknodat(dst->dirfd, dst->name, (st->st_mode & S_IFMT) |
		    mode, st->st_rdev);
	if (ret < 0) {
		warn(S_ISFIFO(st->st_mode) ? "cannot create fifo '%s'" :
		    "cannot create special file '%s'", dst->path);
		return ACP_EXIT_FAIL;
	}
	walk_verbose(w, src->path, dst->path);
	w->st.specials++;
	return walk_meta(w, -1, src, -1, dst, st) < 0 ? ACP_EXIT_FAIL :
	    ACP_EXIT_OK;
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
	struct at	 sat, dat;
	mode_t		 mode = d != NULL ? d->st.st_mode & 07777 : 0;
	int		 status = ACP_EXIT_OK, dfd;

	if (d == NULL || --d->refs > 0)
		return;
	sat.dirfd = d->parent != NULL ? d->parent->sfd : AT_FDCWD;
	sat.name = d->sname;
	sat.path = d->src;
	dat.dirfd = d->parent != NULL ? d->parent->dfd : AT_FDCWD;
	dat.name = d->dname;
	dat.path = d->dst;
	dfd = d->dfd_path ? -1 : d->dfd;
	/*
	 * Made writable for us to fill it: without --preserve=mode it
	 * takes the source's mode narrowed by the umask, as cp's mkdir.
	 */
	if (!(w->opts->preserve & META_MODE) && d->made &&
	    (mode & S_IRWXU) != S_IRWXU &&
	    (dfd >= 0 ? fchmod(dfd, mode & ~w->c->umask) :
	    fchmodat(dat.dirfd, dat.name, mode & ~w->c->umask, 0)) < 0) {
		warn("cannot set permissions of '%s'", d->dst);
		status = ACP_EXIT_FAIL;
	}
	if (w->opts->preserve & (META_MODE | META_OWNERSHIP | META_TIMESTAMPS |
	    META_XATTR)) {
		if (walk_meta(w, d->sfd, &sat, dfd, &dat, &d->st) < 0)
			status = ACP_EXIT_FAIL;
		/* Its own inode changed: --fsync flushes it too. */
		if (w->opts->fsync)
			dirlist_add_dir(&w->dl, xstrdup(d->dst));
	}
	if (status != ACP_EXIT_OK)
		w->st.errors++;
	w->status = status_merge(w->status, status);
	if (d->sfd >= 0) {
		(void)close(d->sfd);
		w->dirfds--;
	}
	(void)close(d->dfd);
	w->dirfds--;
	parent = d->parent;
	free(d->src);
	free(d->dst);
	free(d);
	wdir_put(w, parent);
}

/*
 * Open d's source, the directory its entries are reached from, and a
 * stream to read them with; NULL after a message.
 */
static DIR *
wdir_read(struct walk *w, struct wdir *d, const struct at *src, int follow)
{
	struct stat	 st;
	DIR		*dp;
	int		 fd;

	if ((d->sfd = openat(src->dirfd, src->name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | (follow ? 0 : O_NOFOLLOW))) < 0) {
		warn("cannot open directory '%s'", src->path);
		return NULL;
	}
	w->dirfds++;
	if (fstat(d->sfd, &st) < 0) {
		warn("cannot stat directory '%s'", src->path);
		return NULL;
	}
	if (st.st_dev != d->st.st_dev || st.st_ino != d->st.st_ino) {
		warnx("'%s' was replaced while being copied", src->path);
		return NULL;
	}
	if ((fd = dup(d->sfd)) < 0 || (dp = fdopendir(fd)) == NULL) {
		warn("cannot read directory '%s'", src->path);
		if (fd >= 0)
			(void)close(fd);
		return NULL;
	}
	w->dirfds++;
	return dp;
}

static int
walk_dir(struct walk *w, const struct at *src, const struct at *dst,
    const char *name, const struct stat *st, int follow)
{
	struct stat	 dstst, fst;
	struct dirent	*de;
	struct at	 csrc, cdst;
	DIR		*dp = NULL;
	struct wdir	*d, *a;
	char		*parent, *slash, *cname;
	int		 made = 0, status = ACP_EXIT_OK, dfd, flags;
	int		 dfd_path = 0;

	if (w->cur == NULL) {
		/* Copying a directory into itself would never end. */
		parent = xstrdup(dst->path);
		if ((slash = strrchr(parent, '/')) != NULL && slash != parent)
			*slash = '\0';
		else if (slash == NULL)
			strcpy(parent, ".");
		if (inside(src->path, parent)) {
			warnx("cannot copy a directory, '%s', into itself, "
			    "'%s'", src->path, dst->path);
			free(parent);
			return walk_error(w);
		}
		free(parent);
	}
	/*
	 * Below the top, by inode: the copy being made (reached again
	 * through a symlink under -L, or a bind mount), or a directory
	 * that is its own ancestor, would never end either.
	 */
	for (a = w->cur; a != NULL; a = a->parent) {
		if (a->ddev == st->st_dev && a->dino == st->st_ino) {
			warnx("cannot copy a directory, '%s', into itself, "
			    "'%s'", src->path, dst->path);
			return walk_error(w);
		}
		if (a->st.st_dev == st->st_dev && a->st.st_ino == st->st_ino) {
			/* Following links, a link did it: cp's words. */
			if (follow)
				warnx("cannot copy cyclic symbolic link '%s'",
				    src->path);
			else
				warnx("'%s': directory loop: it is '%s' again",
				    src->path, a->src);
			return walk_error(w);
		}
	}

	/*
	 * Each directory holds a descriptor of its source and its copy
	 * until its last entry is done; past the budget, let the copies in
	 * flight finish and give theirs back.
	 */
	if (w->dirfds + 3 > w->dirfd_budget)
		copier_wait(w->c, NULL);

	if (!walk_fresh(w) && fstatat(dst->dirfd, dst->name, &dstst,
	    w->opts->keep_dir_symlink ? 0 : AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(dstst.st_mode)) {
			warnx("cannot overwrite non-directory '%s' with "
			    "directory '%s'", dst->path, src->path);
			return walk_error(w);
		}
		if (dstst.st_dev == st->st_dev && dstst.st_ino == st->st_ino) {
			warnx("cannot copy a directory, '%s', into itself, "
			    "'%s'", src->path, dst->path);
			return walk_error(w);
		}
	} else {
		/* Writable for us while it fills; its mode is set after. */
		if (mkdirat(dst->dirfd, dst->name,
		    (st->st_mode & 07777) | S_IRWXU) < 0) {
			warn("cannot create directory '%s'", dst->path);
			return walk_error(w);
		}
		made = 1;
		walk_verbose(w, src->path, dst->path);
		if (w->opts->fsync)
			dirlist_add(&w->dl, dst->path);
	}
	flags = O_DIRECTORY | O_CLOEXEC;
	if (made || !w->opts->keep_dir_symlink)
		flags |= O_NOFOLLOW;
	if ((dfd = openat(dst->dirfd, dst->name, flags | O_RDONLY)) < 0 &&
	    errno == EACCES) {
		/* Not ours to read: enough to make entries in. */
		dfd = openat(dst->dirfd, dst->name, flags | O_PATH);
		dfd_path = 1;
	}
	if (dfd < 0 || fstat(dfd, &fst) < 0) {
		warn("cannot open directory '%s'", dst->path);
		if (dfd >= 0)
			(void)close(dfd);
		return walk_error(w);
	}

	d = xcalloc(1, sizeof(*d));
	d->refs = 1;
	d->src = xstrdup(src->path);
	d->dst = xstrdup(dst->path);
	d->sname = name_in(d->src, src);
	d->dname = name_in(d->dst, dst);
	d->sfd = -1;
	d->dfd = dfd;
	d->dfd_path = dfd_path;
	d->ddev = fst.st_dev;
	d->dino = fst.st_ino;
	d->st = *st;
	d->made = made;
	if ((d->parent = w->cur) != NULL)
		d->parent->refs++;
	w->cur = d;
	w->dirfds++;

	/* -x: a mount point is copied, what is mounted on it is not. */
	if (w->opts->one_fs && st->st_dev != w->topdev)
		dp = NULL;
	else if ((dp = wdir_read(w, d, src, follow)) == NULL)
		status = walk_error(w);
	while (dp != NULL && !walk_stopped(w)) {
		errno = 0;
		if ((de = readdir(dp)) == NULL) {
			if (errno != 0) {
				warn("cannot read directory '%s'", src->path);
				status = status_merge(status, walk_error(w));
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		csrc.dirfd = d->sfd;
		csrc.name = de->d_name;
		csrc.path = join(src->path, de->d_name);
		cdst.dirfd = d->dfd;
		cdst.name = de->d_name;
		cdst.path = join(dst->path, de->d_name);
		cname = join(name, de->d_name);
		status = status_merge(status, walk_entry(w, &csrc, &cdst,
		    cname, 0));
		free((char *)csrc.path);
		free((char *)cdst.path);
		free(cname);
	}
	if (dp != NULL) {
		(void)closedir(dp);
		w->dirfds--;
	}

	/* Its metadata once the last of its entries is done. */
	w->cur = d->parent;
	wdir_put(w, d);
	return status;
}

/* Copy one source entry to one destination path; a status. */
static int
walk_entry(struct walk *w, const struct at *src, const struct at *dst,
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
	if (fstatat(src->dirfd, src->name, &st,
	    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
		/* A symlink loop under -L is ELOOP here: this entry only. */
		warn("cannot stat '%s'", src->path);
		return walk_error(w);
	}
	if (top)
		w->topdev = st.st_dev;
	if (S_ISDIR(st.st_mode)) {
		if (!opts->recursive) {
			warnx("-r not specified; omitting directory '%s'",
			    src->path);
			return walk_error(w);
		}
		w->st.directories++;
		return walk_dir(w, src, dst, name, &st, follow);
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
	struct at	 sat, dat;
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
		sat = at_path(sdir);
		dat = at_path(ddir);
		if (stat(sdir, &st) == 0 &&
		    walk_meta(w, -1, &sat, -1, &dat, &st) < 0)
			status = ACP_EXIT_FAIL;
		free(sdir);
		free(ddir);
	}
	return status;
}

/*
 * How many descriptors the directories being copied may hold: what the
 * limit leaves after the copier's files in flight (each may hold its
 * source, its copy, a pipe and O_DIRECT twins) and stdio.
 */
static unsigned
dirfd_budget(const struct copier *c)
{
	struct rlimit	rl;
	rlim_t		used = (rlim_t)c->maxfiles * 8 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1U << 16;
	if (rl.rlim_cur < used + 64)
		return 64;
	return rl.rlim_cur - used > (1U << 20) ? 1U << 20 :
	    (unsigned)(rl.rlim_cur - used);
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
	struct at	 sat, dat;
	const char	*dir = NULL, *name;
	char		*dst, *src;
	size_t		 len;
	int		 nsrc = opts->noperands, i, status = ACP_EXIT_OK, ret;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	w.c = c;
	w.manifest = manifest;
	w.dirfd_budget = dirfd_budget(c);

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
		sat = at_path(opts->operands[0]);
		dat = at_path(opts->operands[1]);
		status = walk_entry(&w, &sat, &dat,
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
		sat = at_path(src);
		dat = at_path(dst);
		status = status_merge(status, walk_entry(&w, &sat, &dat, name,
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
	at_release(wj->dirfd);
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
		/* A name longer than PATH_MAX is reached a piece at a time. */
		if (at_resolve(wj->src, &wj->dirfd, &wj->job.src_name) < 0) {
			wj->dirfd = AT_FDCWD;
			wj->job.src_name = NULL;
		}
		wj->job.src_dirfd = wj->dirfd;
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
