/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What is said of a finished file: the message of its failure, its line
 * under --debug (how the data moved), and its place in the run's counts.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "copier_int.h"
#include "filejob.h"
#include "jobreport.h"
#include "say.h"
#include "tee.h"

void
jobreport_error(const struct copier *c, const struct cfile *f)
{
	const struct xfer	*x = &f->x;

	if (f->reported)
		return;
	if (x->changed) {
		warnx("'%s' changed while being read", f->src);
		return;
	}
	if (x->err == -EINTR && sched_signalled(&c->sched)) {
		if (f->truncated)
			warnx("interrupted: '%s' was partly overwritten",
			    f->dst);
		return;
	}
	if (x->kind == XFER_HASH || x->err_side == XFER_READING)
		warnc(-x->err, "error reading '%s' at offset %lld", f->src,
		    (long long)x->err_off);
	else if (x->err_side == XFER_COMPARING)
		warnc(-x->err, "error reading '%s' at offset %lld to compare "
		    "it (--resume)", f->dst, (long long)x->err_off);
	else if (x->err_side == XFER_EITHER)
		warnc(-x->err, "error copying '%s' to '%s' at offset %lld",
		    f->src, f->dst, (long long)x->err_off);
	else
		warnc(-x->err, "error writing '%s' at offset %lld", f->dst,
		    (long long)x->err_off);
}

/* Whether x's source was looked at in the page cache, and what came of it. */
static void
cache_debug(const struct cfile *f)
{
	const struct xfer	*x = &f->x;

	/* Read direct: its own line says so (jobreport_debug()). */
	if (x->cached < 0 || x->sflip != 0)
		return;
	fprintf(stderr, "acp: debug: '%s': %d%% in the page cache%s\n",
	    f->src, x->cached, x->seqread ? ": read ahead as sequential "
	    "(POSIX_FADV_SEQUENTIAL)" : "");
}

/* How a copy through the ring read its source, and why so. */
static void
reads_debug(const struct copier *c, const struct cfile *f, const char *eng)
{
	const struct xfer	*x = &f->x;

	if (x->offload_err != 0 && x->splice_err != 0)
		fprintf(stderr, "acp: debug: '%s': copy_file_range: %s; "
		    "splice: %s; copying through %s\n", f->src,
		    strerror(-x->offload_err), strerror(-x->splice_err), eng);
	else if (x->offload_err != 0)
		fprintf(stderr, "acp: debug: '%s': copy_file_range: %s; "
		    "copying through %s\n", f->src, strerror(-x->offload_err),
		    eng);
	cache_debug(f);
	if (x->rworker)
		fprintf(stderr, "acp: debug: '%s': read by %s's worker "
		    "threads (cached: this thread hashes)\n", f->src, eng);
	if (x->unspliced && x->method == XFER_RING)
		fprintf(stderr, "acp: debug: '%s': read through %s, not "
		    "spliced: %s (a splice would wait for the disk in a "
		    "worker thread)\n", f->src, eng, x->unspliced == 1 ?
		    "not all cached" : "taken as not cached, as the files "
		    "before it were");
	else if (x->cached >= 0 && x->cached < 50 && x->sdirect.fd < 0 &&
	    x->sflip == 0 && c->sched.eng->readahead)
		fprintf(stderr, "acp: debug: '%s': buffered reads (through %s "
		    "the kernel's readahead keeps up)\n", f->src, eng);
	twin_debug(&x->sdirect, f->src, "reads");
}

/* What --resume kept of the destination and what it wrote. */
static void
resume_debug(const struct cfile *f)
{
	const struct xfer	*x = &f->x;

	if (x->resume && x->trust_end > 0)
		fprintf(stderr, "acp: debug: '%s': resumed at %lld: %llu bytes "
		    "kept as marked whole, not read back\n", f->dst,
		    (long long)f->wrote_from, (unsigned long long)x->kept);
	else if (x->resume && x->kept > 0 && f->wrote_from >= x->plan.eof)
		fprintf(stderr, "acp: debug: '%s': up to date: all %llu bytes "
		    "compared equal, none written\n", f->dst,
		    (unsigned long long)x->kept);
	else if (x->resume && x->kept > 0)
		fprintf(stderr, "acp: debug: '%s': resumed at %lld: %llu bytes "
		    "of the %lld there were equal and kept\n", f->dst,
		    (long long)f->wrote_from, (unsigned long long)x->kept,
		    (long long)x->cmp_end);
	else if (x->resume)
		fprintf(stderr, "acp: debug: '%s': copied: nothing of the %lld "
		    "bytes there was equal\n", f->dst, (long long)x->cmp_end);
}

void
jobreport_debug(const struct copier *c, const struct cfile *f)
{
	const struct xfer	*x = &f->x;
	const char		*eng = c->sched.eng->ops->name;

	if (x->kind == XFER_VERIFY) {
		twin_debug(&x->sdirect, f->dst, "reads back");
		fprintf(stderr, "acp: debug: '%s': hashed with %s reading it "
		    "back, %llu requests through %s\n", f->dst, c->algo->name,
		    (unsigned long long)x->nreq, eng);
		return;
	}
	if (f->debug_said)
		return;
	/* A small cold file's, whichever way its data then went. */
	if (x->ahead)
		fprintf(stderr, "acp: debug: '%s': read ahead by %s's workers "
		    "(fadvise), beside its create\n", f->src, eng);
	if (x->sflip > 0)
		fprintf(stderr, "acp: debug: '%s': not in the page cache: read "
		    "with O_DIRECT (%llu read%s)\n", f->src,
		    (unsigned long long)x->sflip_n, x->sflip_n == 1 ? "" : "s");
	else if (x->sflip < 0)
		fprintf(stderr, "acp: debug: '%s': not in the page cache: read "
		    "with O_DIRECT (%llu read%s), buffered from offset %lld "
		    "on (%s)\n", f->src, (unsigned long long)x->sflip_n,
		    x->sflip_n == 1 ? "" : "s", (long long)x->sflip_at,
		    x->sflip_why == 0 ? "a read that could not be aligned" :
		    strerror(-x->sflip_why));
	if (x->kind == XFER_HASH) {
		reads_debug(c, f, eng);
		if (f->tee != NULL)
			fprintf(stderr, "acp: debug: '%s': read once for %u "
			    "destinations, ", f->src, f->tee->n);
		else
			fprintf(stderr, "acp: debug: '%s': ", f->src);
		if (f->job->algo != NULL)
			fprintf(stderr, "hashed with %s, ",
			    f->job->algo->name);
		fprintf(stderr, "%llu requests through %s\n",
		    (unsigned long long)x->nreq, eng);
		return;
	}
	if (x->method == XFER_TEE) {
		twin_debug(&x->ddirect, f->dst, "writes");
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes written "
		    "from the one read of the source, %llu requests through "
		    "%s, %u in flight at most\n", f->src, f->dst,
		    (unsigned long long)x->bytes, (unsigned long long)x->nreq,
		    eng, x->peak);
		return;
	}
	if (x->method == XFER_CLONE) {
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes cloned "
		    "(FICLONE: the copy shares the source's blocks)\n", f->src,
		    f->dst, (unsigned long long)x->bytes);
		return;
	}
	if (x->method == XFER_SPLICE) {
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by splice "
		    "through a pipe, %llu requests through %s (no checksum "
		    "asked: the data need not pass through memory)\n", f->src,
		    f->dst, (unsigned long long)x->bytes,
		    (unsigned long long)x->nreq, eng);
		return;
	}
	if (x->offloaded > 0 && x->offloaded == x->bytes && x->spliced) {
		cache_debug(f);
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by "
		    "splice through a pipe in %u piece%s, a round each "
		    "(copy_file_range: %s; no checksum asked, so the data need "
		    "not pass through memory)\n", f->src, f->dst,
		    (unsigned long long)x->bytes, x->pieces,
		    x->pieces == 1 ? "" : "s", strerror(-x->offload_err));
		return;
	}
	if (x->offloaded > 0 && x->offloaded == x->bytes) {
		cache_debug(f);
		fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes by copy "
		    "offload (copy_file_range in %u piece%s, a round each: no "
		    "checksum asked, so the data need not pass through "
		    "memory)\n", f->src, f->dst, (unsigned long long)x->bytes,
		    x->pieces, x->pieces == 1 ? "" : "s");
		return;
	}
	reads_debug(c, f, eng);
	twin_debug(&x->ddirect, f->dst, "writes");
	resume_debug(f);
	fprintf(stderr, "acp: debug: '%s' -> '%s': %llu bytes, %llu requests "
	    "through %s, %u in flight at most", f->src, f->dst,
	    (unsigned long long)x->bytes, (unsigned long long)x->nreq, eng,
	    x->peak);
	if (x->holes_bytes > 0)
		fprintf(stderr, ", %llu bytes of holes made (%s)",
		    (unsigned long long)x->holes_bytes, x->zeros ?
		    "--sparse=always: holes and zeros" : "SEEK_HOLE");
	fputc('\n', stderr);
}

void
jobreport_said(struct copy_job *job)
{
	const char	*said;

	if (job->why[0] != '\0')
		return;
	said = say_last(&job->why_errno);
	(void)snprintf(job->why, sizeof(job->why), "%s", said);
}

void
jobreport_count(struct copier *c, const struct cfile *f)
{
	if (f->x.kind == XFER_HASH) {
		c->stats.checked++;
		return;
	}
	c->stats.files++;
	c->stats.bytes += f->bytes;
	c->stats.offloaded += f->offloaded;
	c->stats.holes += f->holes;
	if (f->cloned)
		c->stats.cloned += f->bytes;
}

void
jobreport_failed(struct cfile *f, int err)
{
	if (f->x.err == 0)
		f->x.err = err;
	f->reported = 1;
	jobreport_said(f->job);
}
