/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine interface, for every engine this machine can start: names
 * parse, writes, reads and fsyncs come back through reap with the right
 * results, and completions may arrive in any order; direct and buffered
 * requests, opens and closes in flight together all come back to the
 * reaper (libaio sends them different ways), and a full engine says busy.
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

/* Empty reaps in a row after which a request is taken for lost. */
#define REAP_EMPTY_MAX	600

/*
 * Reap until want requests are in.  engine_reap() may come back with
 * fewer than it was asked to wait for (a signal, or the sync engine's
 * tick of 100 ms that lets the copier see a stop), and one fdatasync on a
 * disk a loaded CI run keeps busy can outlast a tick.  How many came
 * back; fewer than want only after REAP_EMPTY_MAX empty reaps in a row
 * or an error.
 */
static int
reap_n(struct engine *eng, int want, struct req **done)
{
	int	got = 0, empty = 0, n;

	while (got < want && empty < REAP_EMPTY_MAX) {
		n = engine_reap(eng, (unsigned)(want - got), done + got,
		    (unsigned)(want - got));
		if (n < 0)
			break;
		empty = n == 0 ? empty + 1 : 0;
		got += n;
	}
	return got;
}

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
		for (i = 0; i < 5; i++)
			skip("%s: not built", name);
		return;
	}
	if (engine_start(&eng, kind, &params, log, sizeof(log)) < 0) {
		for (i = 0; i < 5; i++)
			skip("%s: cannot start here: %s", name, log);
		return;
	}
	if ((fd = mkstemp(tmpl)) < 0 || unlink(tmpl) < 0 ||
	    posix_memalign((void **)&mem, 4096, NREQ * LEN) != 0) {
		for (i = 0; i < 5; i++)
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
	got = reap_n(&eng, NREQ, done);
	for (i = good = 0; i < got; i++)
		good += done[i]->res == LEN;
	is(good, NREQ, "%s: %d writes of %d bytes completed", name, NREQ,
	    LEN);

	/* Read them back into a cleared buffer, in reverse order. */
	memset(mem, 0, NREQ * LEN);
	for (i = NREQ - 1; i >= 0; i--) {
		reqs[i].op = ENGINE_OP_READ;
		(void)engine_queue(&eng, &reqs[i]);
	}
	got = reap_n(&eng, NREQ, done);
	for (i = good = 0; i < got; i++)
		good += done[i]->res == LEN &&
		    done[i]->addr[0] == 'a' + (done[i]->off / LEN) &&
		    done[i]->addr[LEN - 1] == 'a' + (done[i]->off / LEN);
	is(good, NREQ, "%s: reads return each block's own data", name);

	/* A read past EOF is 0 bytes, not an error. */
	reqs[0].op = ENGINE_OP_READ;
	reqs[0].off = NREQ * LEN;
	(void)engine_queue(&eng, &reqs[0]);
	n = reap_n(&eng, 1, done);
	ok(n == 1 && done[0]->res == 0, "%s: read at EOF returns 0", name);

	reqs[0].op = ENGINE_OP_FSYNC;
	(void)engine_queue(&eng, &reqs[0]);
	n = reap_n(&eng, 1, done);
	ok(n == 1 && done[0]->res == 0, "%s: fdatasync succeeds", name);

	/* The whole file read ahead into the page cache: a hint, 0. */
	reqs[0].op = ENGINE_OP_FADVISE;
	(void)engine_queue(&eng, &reqs[0]);
	n = reap_n(&eng, 1, done);
	ok(n == 1 && done[0]->res == 0, "%s: fadvise(WILLNEED) succeeds",
	    name);
	(void)close(fd);
out:
	free(mem);
	engine_stop(&eng);
}

/*
 * Direct and buffered writes, an open and a close, all in flight at once
 * (NREQ of them, the depth): reaping for all of them gets them.
 */
static void
test_mixed(enum engine_kind kind)
{
	struct engine		eng;
	struct engine_params	params = { .depth = NREQ };
	struct req		reqs[NREQ + 1], *done[NREQ];
	char			log[512], dtmpl[] = "/var/tmp/acp-engine-XXXXXX";
	char			btmpl[] = "/tmp/acp-engine-XXXXXX";
	char			*mem = NULL;
	const char		*name = engine_kind_name(kind);
	int			dfd = -1, bfd = -1, cfd = -1, i, got, good;
	int			busy, direct;

	if (!engine_kind_built(kind) ||
	    engine_start(&eng, kind, &params, log, sizeof(log)) < 0) {
		for (i = 0; i < 3; i++)
			skip("%s: cannot start here", name);
		return;
	}
	if ((dfd = mkstemp(dtmpl)) < 0 || (bfd = mkstemp(btmpl)) < 0 ||
	    (cfd = dup(bfd)) < 0 ||
	    posix_memalign((void **)&mem, 4096, NREQ * LEN) != 0) {
		for (i = 0; i < 3; i++)
			ok(0, "%s: test setup", name);
		goto out;
	}
	/* /var/tmp is a disk where /tmp may be tmpfs, which refuses it. */
	direct = fcntl(dfd, F_SETFL, O_DIRECT) == 0;
	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < NREQ - 2; i++) {
		memset(mem + i * LEN, 'A' + i, LEN);
		reqs[i].op = ENGINE_OP_WRITE;
		reqs[i].direct = direct && i % 2 == 0;
		reqs[i].fd = reqs[i].direct ? dfd : bfd;
		reqs[i].buf = -1;
		reqs[i].addr = mem + i * LEN;
		reqs[i].off = (off_t)i * LEN;
		reqs[i].len = LEN;
	}
	reqs[NREQ - 2].op = ENGINE_OP_OPENAT;
	reqs[NREQ - 2].fd = AT_FDCWD;
	reqs[NREQ - 2].path = btmpl;
	reqs[NREQ - 2].flags = O_RDONLY | O_CLOEXEC;
	reqs[NREQ - 1].op = ENGINE_OP_CLOSE;
	reqs[NREQ - 1].fd = cfd;
	good = 0;
	for (i = 0; i < NREQ; i++)
		good += engine_queue(&eng, &reqs[i]) == ENGINE_QUEUED;
	reqs[NREQ] = reqs[0];
	busy = engine_queue(&eng, &reqs[NREQ]) == ENGINE_BUSY;
	ok(good == NREQ && busy, "%s: %d requests of four kinds queued, "
	    "one more is busy", name, NREQ);
	got = reap_n(&eng, NREQ, done);
	for (i = good = 0; i < got; i++) {
		if (done[i]->op == ENGINE_OP_WRITE)
			good += done[i]->res == LEN;
		else if (done[i]->op == ENGINE_OP_OPENAT && done[i]->res >= 0) {
			good++;
			(void)close((int)done[i]->res);
		} else if (done[i]->op == ENGINE_OP_CLOSE)
			good += done[i]->res == 0;
	}
	is(got, NREQ, "%s: reaping for all of them gets all of them", name);
	is(good, NREQ, "%s: each with its own result (%s)", name,
	    direct ? "direct and buffered" : "buffered only here");
out:
	if (dfd >= 0) {
		(void)unlink(dtmpl);
		(void)close(dfd);
	}
	if (bfd >= 0) {
		(void)unlink(btmpl);
		(void)close(bfd);
	}
	free(mem);
	engine_stop(&eng);
}

int
main(void)
{
	enum engine_kind	k;

	tap_plan(6 + 3 * 5 + 3 * 3 + 4);
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
	test_mixed(ENGINE_URING);
	test_mixed(ENGINE_AIO);
	test_mixed(ENGINE_SYNC);
	ok(strstr(uring_eperm_hint(0, 0), "seccomp") != NULL,
	    "EPERM, io_uring_disabled=0: seccomp's");
	ok(strstr(uring_eperm_hint(1, 1), "seccomp") != NULL,
	    "EPERM, io_uring_disabled=1 and CAP_SYS_ADMIN: seccomp's, not "
	    "the setting's");
	ok(strstr(uring_eperm_hint(1, 0), "io_uring_disabled=1") != NULL,
	    "EPERM, io_uring_disabled=1, unprivileged: the setting's");
	ok(strstr(uring_eperm_hint(2, 1), "io_uring_disabled=2") != NULL,
	    "EPERM, io_uring_disabled=2: the setting's, for root too");
	return tap_done();
}
