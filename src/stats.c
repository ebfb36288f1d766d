/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The --stats summary.  The JSON keys are a stable interface for backup
 * scripts: never renamed or removed, only added to (man/acp.1 lists
 * them).  Numbers are plain integers, seconds a decimal.
 */
#include "config.h"

#include <libutil.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "stats.h"

int
stats_parse(const char *s)
{
	if (s == NULL || strcmp(s, "human") == 0)
		return STATS_HUMAN;
	if (strcmp(s, "json") == 0)
		return STATS_JSON;
	return -1;
}

void
stats_size(char *buf, size_t len, uint64_t n)
{
	/* Four characters and the NUL: the scale is chosen to fit. */
	if (len > 5)
		len = 5;
	if (humanize_number(buf, len, (int64_t)n, "", HN_AUTOSCALE,
	    HN_DECIMAL | HN_NOSPACE | HN_B) < 0)
		snprintf(buf, len, "?");
}

static double
rate(const struct run_stats *st)
{
	uint64_t	n = st->bytes > st->hashed ? st->bytes : st->hashed;

	return st->seconds > 0 ? (double)n / st->seconds : 0;
}

/* Several destinations: each one's counts. */
static void
print_targets(FILE *fp, const struct run_stats *st, int form)
{
	const struct target_stats	*t;
	char				 bytes[16];
	unsigned			 i;

	for (i = 0; i < st->ntargets; i++) {
		t = &st->targets[i];
		if (form == STATS_JSON) {
			fprintf(fp, "%s{\"path\":", i == 0 ? "" : ",");
			json_string(fp, t->path);
			fprintf(fp, ",\"files\":%llu,\"bytes\":%llu,"
			    "\"failed\":%llu,\"skipped\":%llu}",
			    (unsigned long long)t->files,
			    (unsigned long long)t->bytes,
			    (unsigned long long)t->failed,
			    (unsigned long long)t->skipped);
			continue;
		}
		stats_size(bytes, sizeof(bytes), t->bytes);
		fprintf(fp, "acp: to '%s': %llu file%s, %s; %llu failed",
		    t->path, (unsigned long long)t->files,
		    t->files == 1 ? "" : "s", bytes,
		    (unsigned long long)t->failed);
		if (st->resume)
			fprintf(fp, "; %llu up to date",
			    (unsigned long long)t->skipped);
		putc('\n', fp);
	}
}

void
stats_print(FILE *fp, const struct run_stats *st, int form)
{
	char	bytes[16], speed[16], bs[16], holes[16];

	if (form == STATS_JSON) {
		fprintf(fp, "{\"acp_stats\":1,\"mode\":\"%s\",\"engine\":\"%s\","
		    "\"files\":%llu,\"directories\":%llu,\"symlinks\":%llu,"
		    "\"hardlinks\":%llu,\"specials\":%llu,\"bytes\":%llu,"
		    "\"bytes_offloaded\":%llu,\"bytes_cloned\":%llu,"
		    "\"bytes_holes\":%llu,"
		    "\"bytes_hashed\":%llu,"
		    "\"bytes_verified\":%llu,\"requests\":%llu,"
		    "\"peak_requests\":%u,\"peak_files\":%u,"
		    "\"queue_depth\":%u,\"block_size\":%llu,\"errors\":%llu,"
		    "\"seconds\":%.6f,\"bytes_per_second\":%.0f,"
		    "\"exit_status\":%d,\"files_skipped\":%llu,"
		    "\"files_resumed\":%llu,\"bytes_skipped\":%llu",
		    st->mode, st->engine,
		    (unsigned long long)st->files,
		    (unsigned long long)st->directories,
		    (unsigned long long)st->symlinks,
		    (unsigned long long)st->hardlinks,
		    (unsigned long long)st->specials,
		    (unsigned long long)st->bytes,
		    (unsigned long long)st->offloaded,
		    (unsigned long long)st->cloned,
		    (unsigned long long)st->holes,
		    (unsigned long long)st->hashed,
		    (unsigned long long)st->verified,
		    (unsigned long long)st->requests, st->peak_requests,
		    st->peak_files, st->queue_depth,
		    (unsigned long long)st->block_size,
		    (unsigned long long)st->errors, st->seconds, rate(st),
		    st->status, (unsigned long long)st->skipped,
		    (unsigned long long)st->resumed,
		    (unsigned long long)st->bytes_skipped);
		if (st->ntargets > 0) {
			fputs(",\"targets\":[", fp);
			print_targets(fp, st, form);
			putc(']', fp);
		}
		fputs("}\n", fp);
		return;
	}
	stats_size(bytes, sizeof(bytes), st->bytes > st->hashed &&
	    strcmp(st->mode, "copy") == 0 ? st->bytes : st->hashed);
	stats_size(speed, sizeof(speed), (uint64_t)rate(st));
	stats_size(bs, sizeof(bs), st->block_size);
	stats_size(holes, sizeof(holes), st->holes);
	if (strcmp(st->mode, "check") == 0)
		fprintf(fp, "acp: checked %llu file%s, %s in %.2f s, %s/s\n",
		    (unsigned long long)st->files, st->files == 1 ? "" : "s",
		    bytes, st->seconds, speed);
	else
		fprintf(fp, "acp: copied %llu file%s, %llu director%s, "
		    "%llu symlink%s, %llu hard link%s, %llu special%s; "
		    "%s in %.2f s, %s/s%s%s%s\n",
		    (unsigned long long)st->files, st->files == 1 ? "" : "s",
		    (unsigned long long)st->directories,
		    st->directories == 1 ? "y" : "ies",
		    (unsigned long long)st->symlinks,
		    st->symlinks == 1 ? "" : "s",
		    (unsigned long long)st->hardlinks,
		    st->hardlinks == 1 ? "" : "s",
		    (unsigned long long)st->specials,
		    st->specials == 1 ? "" : "s", bytes, st->seconds, speed,
		    st->holes > 0 ? " (" : "", st->holes > 0 ? holes : "",
		    st->holes > 0 ? " of holes not written)" : "");
	fprintf(fp, "acp: engine %s, queue depth %u x %s, %llu requests, "
	    "%u in flight at most, %u file%s at once; %llu error%s\n",
	    st->engine, st->queue_depth, bs,
	    (unsigned long long)st->requests, st->peak_requests,
	    st->peak_files, st->peak_files == 1 ? "" : "s",
	    (unsigned long long)st->errors, st->errors == 1 ? "" : "s");
	if (st->resume) {
		stats_size(bytes, sizeof(bytes), st->bytes_skipped);
		fprintf(fp, "acp: --resume: %llu file%s up to date, %llu "
		    "resumed; %s not copied\n",
		    (unsigned long long)st->skipped, st->skipped == 1 ? "" : "s",
		    (unsigned long long)st->resumed, bytes);
	}
	print_targets(fp, st, form);
}
