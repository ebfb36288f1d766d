/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine interface, for every engine this machine can start: names
 * parse, writes, reads and fsyncs come back through reap with the right
 * results, and completions may arrive in any order.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "engine.h"

#define NREQ	8
#define LEN	4096

static void
test_engine(enum engine_kind kind)
{
	struct engine		eng;
	struct engine_params	params = { .depth = NREQ };
	struct req		reqs[NREQ], *done[NREQ];
	char			log[512], tmpl[] = "/tmp/acp-engine-XXXXXX";
	char			*mem = NULL;
	const char		*name = engine_kind_name(kind);
	int			fd, i, n, got, good;

	if (!engine_kind_built(kind)) {
		for (i = 0; i < 4; i++)
			skip("%s: not built", name);
		return;
	}
	if (engine_start(&eng, kind, &params, log, sizeof(log)) < 0) {
		for (i = 0; i < 4; i++)
			skip("%s: cannot start here: %s", name, log);
		return;
	}
	if ((fd = mkstemp(tmpl)) < 0 || unlink(tmpl) < 0 ||
	    posix_memalign((void **)&mem, 4096, NREQ * LEN) != 0) {
		for (i = 0; i < 4; i++)
			ok(0, "%s: test setup", name);
		goto out;
	}

	/* Write NREQ blocks, each filled with its own index. */
	for (i = 0; i < NREQ; i++) {
		memset(mem + i * LEN, 'a' + i, LEN);
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].op = ENGINE_OP_WRITE;
		reqs[i].fd = fd;
		reqs[i].buf = -1;
		reqs[i].addr = mem + i * LEN;
		reqs[i].off = (off_t)i * LEN;
		reqs[i].len = LEN;
		reqs[i].owner = &reqs[i];
		(void)engine_queue(&eng, &reqs[i]);
	}
	got = good = 0;
	while (got < NREQ && (n = engine_reap(&eng, 1, done, NREQ)) > 0)
		for (i = 0; i < n; i++, got++)
			good += done[i]->res == LEN;
	is(good, NREQ, "%s: %d writes of %d bytes completed", name, NREQ,
	    LEN);

	/* Read them back into a cleared buffer, in reverse order. */
	memset(mem, 0, NREQ * LEN);
	for (i = NREQ - 1; i >= 0; i--) {
		reqs[i].op = ENGINE_OP_READ;
		(void)engine_queue(&eng, &reqs[i]);
	}
	got = good = 0;
	while (got < NREQ && (n = engine_reap(&eng, 1, done, NREQ)) > 0)
		for (i = 0; i < n; i++, got++)
			good += done[i]->res == LEN &&
			    done[i]->addr[0] == 'a' + (done[i]->off / LEN) &&
			    done[i]->addr[LEN - 1] == 'a' + (done[i]->off / LEN);
	is(good, NREQ, "%s: reads return each block's own data", name);

	/* A read past EOF is 0 bytes, not an error. */
	reqs[0].op = ENGINE_OP_READ;
	reqs[0].off = NREQ * LEN;
	(void)engine_queue(&eng, &reqs[0]);
	n = engine_reap(&eng, 1, done, NREQ);
	ok(n == 1 && done[0]->res == 0, "%s: read at EOF returns 0", name);

	reqs[0].op = ENGINE_OP_FSYNC;
	(void)engine_queue(&eng, &reqs[0]);
	n = engine_reap(&eng, 1, done, NREQ);
	ok(n == 1 && done[0]->res == 0, "%s: fdatasync succeeds", name);
	(void)close(fd);
out:
	free(mem);
	engine_stop(&eng);
}

int
main(void)
{
	enum engine_kind	k;

	tap_plan(6 + 3 * 4);
	is(engine_kind_parse("uring", &k), 0, "uring parses");
	is(k, ENGINE_URING, "uring is ENGINE_URING");
	is(engine_kind_parse("auto", &k), 0, "auto parses");
	is(engine_kind_parse("bogus", &k), -EINVAL, "unknown engine refused");
	ok(strcmp(engine_kind_name(ENGINE_SYNC), "sync") == 0,
	    "sync's name");
	ok(engine_kind_built(ENGINE_SYNC), "sync is always built");
	test_engine(ENGINE_URING);
	test_engine(ENGINE_AIO);
	test_engine(ENGINE_SYNC);
	return tap_done();
}
