/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --check.  Each valid manifest line becomes a hash job; the copier
 * reports them in submission order, so the OK/FAILED lines come out in
 * the manifest's order while many files are read at once.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "check.h"
#include "copier.h"
#include "manifest.h"
#include "options.h"
#include "say.h"
#include "status.h"
#include "walk.h"
#include "xmalloc.h"

struct check {
	const struct copier *c;
	unsigned long	unreadable;
	unsigned long	mismatched;
	unsigned long	bad_lines;
	unsigned long	good_lines;
};

/* A manifest line's hash job. */
struct checkjob {
	struct copy_job	 job;		/* first: the copier hands it back */
	struct check	*ck;
	char		*name;
	char		*expect;
	int		 dirfd;		/* a long name's directory */
};

/*
 * A name in the report, as sha256sum -c (9.1) prints it: as is, but a
 * name with a newline escaped (the line then starts '\').
 */
static void
print_name(FILE *fp, const char *name)
{
	int	escape = strchr(name, '\n') != NULL;

	if (escape)
		fputc('\\', fp);
	manifest_write_name(fp, name, escape);
}

/* A line's file was hashed: say OK or FAILED, in manifest order. */
static void
check_done(struct copy_job *job)
{
	struct checkjob	*cj = (struct checkjob *)job;

	/* One cut short by a signal is neither checked nor failed. */
	if (job->ret == 0 || !copier_stopping(cj->ck->c) ||
	    copier_broken(cj->ck->c)) {
		print_name(stdout, cj->name);
		if (job->ret < 0 || job->kept_failed) {
			printf(": FAILED open or read\n");
			cj->ck->unreadable++;
		} else if (strcmp(job->hex, cj->expect) != 0) {
			printf(": FAILED\n");
			cj->ck->mismatched++;
		} else
			printf(": OK\n");
	}
	at_release(cj->dirfd);
	free(cj->name);
	free(cj->expect);
	free(cj);
}

/* Hand the manifest entry e to the copier. */
static void
check_submit(struct copier *c, struct check *ck,
    const struct manifest_entry *e)
{
	struct checkjob	*cj = xcalloc(1, sizeof(*cj));

	cj->ck = ck;
	cj->name = e->name;
	cj->expect = xstrdup(e->hex);
	cj->job.kind = COPY_JOB_HASH;
	cj->job.src = cj->name;
	/* A name longer than PATH_MAX is reached a piece at a time. */
	if (at_resolve(cj->name, &cj->dirfd, &cj->job.src_name) < 0) {
		cj->dirfd = AT_FDCWD;
		cj->job.src_name = NULL;
	}
	cj->job.src_dirfd = cj->dirfd;
	cj->job.algo = e->algo;
	cj->job.done = check_done;
	copier_submit(c, &cj->job);
}

/* Read the manifest, a job per valid line. */
static void
check_lines(const struct options *opts, struct copier *c, struct check *ck,
    FILE *fp, const char *fpname)
{
	struct manifest_entry	 e;
	const char		*why;
	char			*line;
	long			 len, lineno = 0;

	line = xmalloc(MANIFEST_MAX_LINE + 1);
	while (!copier_stopping(c) &&
	    (len = manifest_read_line(fp, line)) != -1) {
		lineno++;
		if (len == -2) {
			warnx("%s: %ld: line longer than %d bytes", fpname,
			    lineno, MANIFEST_MAX_LINE);
			ck->bad_lines++;
			continue;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if (manifest_parse(line, (size_t)len, opts->algo, &e,
		    &why) < 0) {
			warnx("%s: %ld: %s", fpname, lineno, why);
			ck->bad_lines++;
			continue;
		}
		ck->good_lines++;
		check_submit(c, ck, &e);
	}
	free(line);
}

int
check_run(const struct options *opts, struct copier *c, FILE *fp,
    const char *fpname, struct walk_stats *ws)
{
	struct check	ck;
	int		status = ACP_EXIT_OK;

	memset(&ck, 0, sizeof(ck));
	ck.c = c;
	check_lines(opts, c, &ck, fp, fpname);
	copier_wait(c, NULL);
	if (ferror(fp)) {
		warn("error reading '%s'", fpname);
		status = ACP_EXIT_FAIL;
	}
	if (ck.bad_lines > 0)
		warnx("WARNING: %lu line%s improperly formatted", ck.bad_lines,
		    ck.bad_lines == 1 ? " is" : "s are");
	if (ck.unreadable > 0)
		warnx("WARNING: %lu listed file%s could not be read",
		    ck.unreadable, ck.unreadable == 1 ? "" : "s");
	if (ck.mismatched > 0)
		warnx("WARNING: %lu computed checksum%s did NOT match",
		    ck.mismatched, ck.mismatched == 1 ? "" : "s");
	if (ck.good_lines == 0) {
		warnx("%s: no properly formatted checksum lines found",
		    fpname);
		status = status_merge(status, ACP_EXIT_FAIL);
	}
	if (ws != NULL) {
		memset(ws, 0, sizeof(*ws));
		ws->errors = ck.unreadable + ck.mismatched + ck.bad_lines;
	}
	if (ck.unreadable > 0 || copier_broken(c))
		status = status_merge(status, ACP_EXIT_FAIL);
	if (ck.mismatched > 0)
		status = status_merge(status, ACP_EXIT_MISMATCH);
	return status;
}
