/* SPDX-License-Identifier: BSD-2-Clause */
/* --log's lines (runlog.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "runlog.h"
#include "say.h"

struct logent
runlog_ent(const char *kind, const char *status, const char *src,
    const char *dst)
{
	struct logent	e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.status = status;
	e.source = src;
	e.destination = dst;
	return e;
}

/* "key":"name", and "key_hex":"..." where the name is not UTF-8. */
static void
put_name(FILE *fp, const char *key, const char *name)
{
	fprintf(fp, "\"%s\":", key);
	json_string(fp, name);
	if (!json_utf8(name)) {
		fprintf(fp, ",\"%s_hex\":", key);
		json_hex(fp, name);
	}
}

static void
put_str(FILE *fp, const char *key, const char *s)
{
	fprintf(fp, ",\"%s\":", key);
	json_string(fp, s);
}

void
runlog_put(FILE *fp, const struct logent *e)
{
	const char	*error = e->error, *name;
	int		 err = e->err;

	if (fp == NULL)
		return;
	if (error == NULL && (strcmp(e->status, "failed") == 0 ||
	    strcmp(e->status, "changed") == 0))
		error = say_last(&err);
	putc('{', fp);
	put_name(fp, "source", e->source);
	if (e->destination != NULL) {
		putc(',', fp);
		put_name(fp, "destination", e->destination);
	}
	put_str(fp, "kind", e->kind);
	put_str(fp, "status", e->status);
	if (strcmp(e->kind, "file") == 0 && strcmp(e->status, "copied") == 0)
		fprintf(fp, ",\"bytes\":%" PRIu64, e->bytes);
	if (e->kept > 0)
		fprintf(fp, ",\"kept\":%" PRIu64, e->kept);
	if (e->digest != NULL && e->digest[0] != '\0') {
		put_str(fp, "algorithm", e->algo);
		put_str(fp, "digest", e->digest);
	}
	if (e->reason != NULL)
		put_str(fp, "reason", e->reason);
	if (error != NULL && error[0] != '\0')
		put_str(fp, "error", error);
	if (error != NULL && err != 0) {
		if ((name = say_errno_name(err)) != NULL)
			put_str(fp, "errno", name);
		else
			fprintf(fp, ",\"errno\":\"%d\"", err);
	}
	if (e->line > 0)
		fprintf(fp, ",\"line\":%ju", e->line);
	fputs("}\n", fp);
	(void)fflush(fp);
}
