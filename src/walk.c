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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	size_t	 len = strlen(dir);

	if ((base = last_component(src)) == NULL)
		err(1, "strndup");
	while (len > 1 && dir[len - 1] == '/')
		len--;
	xasprintf(&out, "%.*s/%s", (int)len, dir, base);
	free(base);
	return out;
}

/* Copy one source to one destination path; a status. */
static int
walk_one(const struct options *opts, struct copier *c, const char *src,
    const char *dst)
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
	job.force = opts->force;
	if (copier_copy_file(c, &job) < 0)
		return ACP_EXIT_FAIL;
	if (opts->verbose) {
		walk_quote(stdout, src);
		fputs(" -> ", stdout);
		walk_quote(stdout, dst);
		fputc('\n', stdout);
	}
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
walk_run(const struct options *opts, struct copier *c)
{
	const char	*dir = NULL;
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

	if (dir == NULL)
		return walk_one(opts, c, opts->operands[0], opts->operands[1]);
	for (i = 0; i < nsrc && !c->broken; i++) {
		dst = target_in_dir(dir, opts->operands[i]);
		status = status_merge(status,
		    walk_one(opts, c, opts->operands[i], dst));
		free(dst);
	}
	if (c->broken)
		status = status_merge(status, ACP_EXIT_FAIL);
	return status;
}
