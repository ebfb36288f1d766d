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

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
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
	const char	*p;

	if (strpbrk(name, "\\\n") == NULL) {
		fputs(name, fp);
		return;
	}
	fputc('\\', fp);
	for (p = name; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p == '\n')
			fputs("\\n", fp);
		else
			fputc(*p, fp);
	}
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
 * Read the copy back and compare, then record the line: the manifest
 * only lists what was copied and (where asked) verified.
 */
static int
walk_finish_hash(const struct options *opts, struct copier *c,
    FILE *manifest, const char *dst, const char *name, const char *hex)
{
	char	back[CHECKSUM_MAX_HEX];

	if (opts->verify) {
		if (copier_hash_file(c, dst, opts->algo, 1, back) < 0)
			return ACP_EXIT_FAIL;
		if (strcmp(hex, back) != 0) {
			warnx("'%s': verification FAILED: the copy's %s is %s, "
			    "the source's %s", dst, opts->algo->name, back, hex);
			return ACP_EXIT_MISMATCH;
		}
	}
	if (manifest != NULL)
		manifest_write(manifest, opts->algo, hex, name, opts->tag);
	return ACP_EXIT_OK;
}

/* Directories that gained entries, to fsync once at the end. */
struct dirlist {
	char	**dirs;
	size_t	  n;
};

static void
dirlist_add(struct dirlist *dl, const char *path)
{
	char	*dir, *slash;
	size_t	 i;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	for (i = 0; i < dl->n; i++) {
		if (strcmp(dl->dirs[i], dir) == 0) {
			free(dir);
			return;
		}
	}
	dl->dirs = xreallocarray(dl->dirs, dl->n + 1, sizeof(*dl->dirs));
	dl->dirs[dl->n++] = dir;
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

/* Copy one source to one destination path; a status. */
static int
walk_one(const struct options *opts, struct copier *c, FILE *manifest,
    struct dirlist *dl, const char *src, const char *dst, const char *name)
{
	struct copy_job	job;
	struct stat	sst, dstst;
	int		dst_exists = 0;

	if (stat(src, &sst) < 0) {
		warn("cannot stat '%s'", src);
		return ACP_EXIT_FAIL;
	}
	if (S_ISDIR(sst.st_mode)) {
		warnx("-r not specified; omitting directory '%s'", src);
		return ACP_EXIT_FAIL;
	}
	if (stat(dst, &dstst) == 0) {
		dst_exists = 1;
		if (dstst.st_dev == sst.st_dev && dstst.st_ino == sst.st_ino) {
			warnx("'%s' and '%s' are the same file", src, dst);
			return ACP_EXIT_FAIL;
		}
		if (S_ISDIR(dstst.st_mode)) {
			warnx("cannot overwrite directory '%s' with "
			    "non-directory", dst);
			return ACP_EXIT_FAIL;
		}
		if (opts->noclobber)
			return ACP_EXIT_OK;
	} else if (errno == ENOENT && lstat(dst, &dstst) == 0) {
		/* A dangling symlink: cp does not create its target. */
		warnx("not writing through dangling symlink '%s'", dst);
		return ACP_EXIT_FAIL;
	}

	memset(&job, 0, sizeof(job));
	job.src = src;
	job.dst = dst;
	job.sst = &sst;
	job.dst_exists = dst_exists;
	job.dst_mode = dst_exists ? dstst.st_mode : 0;
	job.noclobber = opts->noclobber;
	job.force = opts->force;
	if (copier_copy_file(c, &job) < 0)
		return ACP_EXIT_FAIL;
	if (opts->fsync && job.created)
		dirlist_add(dl, dst);
	if (opts->verbose) {
		walk_quote(stdout, src);
		fputs(" -> ", stdout);
		walk_quote(stdout, dst);
		fputc('\n', stdout);
	}
	if (job.changed)
		/* Its hash is of data that was moving: no manifest line. */
		return ACP_EXIT_CHANGED;
	if (opts->algo != NULL)
		return walk_finish_hash(opts, c, manifest, dst, name, job.hex);
	return ACP_EXIT_OK;
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

int
walk_run(const struct options *opts, struct copier *c, FILE *manifest)
{
	struct dirlist	 dl = { NULL, 0 };
	const char	*dir = NULL, *name;
	char		*dst;
	int		 nsrc = opts->noperands, i, status = ACP_EXIT_OK, ret;

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

	if (dir == NULL) {
		/* Relative to where the copy went: its own name. */
		dst = last_component(opts->operands[1]);
		status = walk_one(opts, c, manifest, &dl, opts->operands[0],
		    opts->operands[1], opts->manifest_relative && dst != NULL ?
		    dst : opts->operands[1]);
		free(dst);
		return status_merge(status, dirlist_sync(&dl));
	}
	for (i = 0; i < nsrc && !c->broken && !(c->stop && *c->stop); i++) {
		dst = target_in_dir(dir, opts->operands[i]);
		name = strrchr(dst, '/');
		name = opts->manifest_relative && name != NULL ? name + 1 : dst;
		status = status_merge(status, walk_one(opts, c, manifest,
		    &dl, opts->operands[i], dst, name));
		free(dst);
	}
	if (c->broken)
		status = status_merge(status, ACP_EXIT_FAIL);
	return status_merge(status, dirlist_sync(&dl));
}

int
walk_check(const struct options *opts, struct copier *c, FILE *fp,
    const char *fpname)
{
	struct manifest_entry	 e;
	const char		*why;
	char			*line, hex[CHECKSUM_MAX_HEX];
	long			 len, lineno = 0;
	unsigned long		 bad_lines = 0, unreadable = 0, mismatched = 0;
	unsigned long		 good_lines = 0;
	int			 status = ACP_EXIT_OK;

	line = xmalloc(MANIFEST_MAX_LINE + 1);
	while ((len = manifest_read_line(fp, line)) != -1) {
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
		if (copier_hash_file(c, e.name, e.algo, 0, hex) < 0) {
			walk_quote_plain(stdout, e.name);
			printf(": FAILED open or read\n");
			unreadable++;
		} else if (strcmp(hex, e.hex) != 0) {
			walk_quote_plain(stdout, e.name);
			printf(": FAILED\n");
			mismatched++;
		} else {
			walk_quote_plain(stdout, e.name);
			printf(": OK\n");
		}
		free(e.name);
	}
	if (ferror(fp)) {
		warn("error reading '%s'", fpname);
		status = ACP_EXIT_FAIL;
	}
	free(line);
	if (bad_lines > 0)
		warnx("WARNING: %lu line%s improperly formatted", bad_lines,
		    bad_lines == 1 ? " is" : "s are");
	if (unreadable > 0)
		warnx("WARNING: %lu listed file%s could not be read",
		    unreadable, unreadable == 1 ? "" : "s");
	if (mismatched > 0)
		warnx("WARNING: %lu computed checksum%s did NOT match",
		    mismatched, mismatched == 1 ? "" : "s");
	if (good_lines == 0) {
		warnx("%s: no properly formatted checksum lines found",
		    fpname);
		status = status_merge(status, ACP_EXIT_FAIL);
	}
	if (unreadable > 0)
		status = status_merge(status, ACP_EXIT_FAIL);
	if (mismatched > 0)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	return status;
}
