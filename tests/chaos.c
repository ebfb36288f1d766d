/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acp-chaos: acp with a test engine wrapped around whichever real engine
 * starts, so that the copier's state machine meets every completion order
 * and every kind of partial success, without root and on any kernel.
 *
 * It is acp itself (src/acp.c, its main renamed acp_main) linked with
 * -Wl,--wrap=engine_start: acp's call to engine_start() lands in
 * __wrap_engine_start() below, which starts the real engine and puts the
 * chaos engine in front of it.  Nothing of this is in the acp that is
 * installed.
 *
 * ACP_CHAOS, a comma-separated list, says what to do:
 *   seed=N        the pseudo-random sequence (default 1)
 *   reorder       hand completions back in a shuffled order, holding one
 *                 back for a later reap now and then
 *   short         cut reads, writes and splices short at random (never an
 *                 O_DIRECT one: its length must stay aligned)
 *   eagain=K      every Kth read, write or splice completes with -EAGAIN
 *   eintr=K       ... with -EINTR
 *   ecanceled=K   ... with -ECANCELED
 *   fail=N:ERRNO  the Nth request of any kind but a read-ahead hint
 *                 completes with -ERRNO (a number, or EIO, ENOSPC, EBADF,
 *                 ECANCELED)
 *   failop=OP     with fail: count only requests of OP (read, write,
 *                 openat, close, fsync, statx, splice, fadvise)
 *   stop=SIG      with fail: raise SIG (a number, or TERM, INT) as that
 *                 request is failed, so a stop and the cancel of a
 *                 request in flight come in that order (fail=N:ECANCELED)
 *   die=N         the engine itself fails at the Nth reap (-EIO), with
 *                 what it holds still in the inner engine
 *   noprobe       io_uring as on a kernel without IORING_REGISTER_PROBE
 *                 (5.5 and older): only the ops 5.1 had
 *   noregister    buffers cannot be registered (as past RLIMIT_MEMLOCK)
 *   count         at the end, say on stderr how many requests there were
 *                 of the kind fail counts ("acp-chaos: N requests"): the
 *                 range a test sweeps fail=N over
 *   syncfs=ERRNO  every syncfs() fails so (--fsync's batches)
 *   sfr=N:ERRNO   the Nth sync_file_range() that waits (--fsync's check
 *                 of each file of a batch) fails so
 *   syncgate=PATH PATH, a FIFO, is opened as acp starts (waiting for a
 *                 writer), and every syncfs() first reads a byte from it,
 *                 until its end of file: a test holds the batches back
 *                 so, each byte it writes letting one go
 * The last three are system calls, not requests: acp-chaos is also
 * linked with -Wl,--wrap=syncfs,--wrap=sync_file_range.
 * An injected error is never done: the request does not reach the kernel,
 * as when the kernel refuses it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chaos.h"
#include "engine.h"

/* This file is built with acp.c's -Dmain=acp_main: its own main is main. */
#undef main

int	__real_syncfs(int);
int	__wrap_syncfs(int);
int	__real_sync_file_range(int, off_t, off_t, unsigned);
int	__wrap_sync_file_range(int, off_t, off_t, unsigned);

/* syncfs=, sfr= and syncgate=: set before acp starts, read after. */
static int		syncfs_err;
static int		gate_fd = -1;	/* -1 once at its end */
static unsigned long	sfr_at, sfr_seen;
static int		sfr_err;

int	__real_engine_start(struct engine *, enum engine_kind,
	    const struct engine_params *, char *, size_t);
int	__wrap_engine_start(struct engine *, enum engine_kind,
	    const struct engine_params *, char *, size_t);

struct chaos {
	struct engine	 inner;		/* the real engine */
	struct engine_ops ops;		/* chaos_ops, named as the inner */
	/* What ACP_CHAOS asks. */
	unsigned long	 seed;
	int		 reorder;
	int		 shorten;
	unsigned	 eagain, eintr, ecanceled;
	unsigned long	 fail_at;
	int		 fail_err;
	int		 fail_op;	/* -1: any */
	int		 stop_sig;	/* raised with fail, or 0 */
	unsigned long	 die_at;
	int		 noprobe;
	int		 noregister;
	int		 count;
	/* State. */
	unsigned long	 nqueued;	/* requests queued, of any kind */
	unsigned long	 nfailop;	/* of fail_op */
	unsigned long	 ndata;		/* reads, writes, splices */
	unsigned long	 nreaps;
	struct req	**ready;	/* completions to hand back first */
	unsigned	 nready;
	struct req	**got;		/* scratch for the inner reap */
};

/* A small, seeded generator (xorshift64*): the same run each time. */
static unsigned long
chaos_rand(struct chaos *ch)
{
	ch->seed ^= ch->seed >> 12;
	ch->seed ^= ch->seed << 25;
	ch->seed ^= ch->seed >> 27;
	return (unsigned long)(ch->seed * 0x2545F4914F6CDD1DULL >> 11);
}

/* A number, or one of names[] (a typo must not make it 0: no error). */
static int
number_parse(const char *what, const char *s, const char *const *names,
    const int *values)
{
	char	*end;
	long	 n;
	int	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return values[i];
	n = strtol(s, &end, 10);
	if (end == s || *end != '\0' || n <= 0 || n > 4095) {
		fprintf(stderr, "acp-chaos: unknown %s '%s'\n", what, s);
		exit(2);
	}
	return (int)n;
}

static int
errno_parse(const char *s)
{
	static const char *const names[] = {
		"EIO", "ENOSPC", "EBADF", "ECANCELED", NULL
	};
	static const int values[] = { EIO, ENOSPC, EBADF, ECANCELED };

	return number_parse("errno", s, names, values);
}

static int
signal_parse(const char *s)
{
	static const char *const names[] = { "TERM", "INT", NULL };
	static const int values[] = { SIGTERM, SIGINT };

	return number_parse("signal", s, names, values);
}

static int
op_parse(const char *s)
{
	static const char *const names[ENGINE_NOPS] = {
		[ENGINE_OP_READ] = "read", [ENGINE_OP_WRITE] = "write",
		[ENGINE_OP_FSYNC] = "fsync", [ENGINE_OP_FSYNC_ALL] = "fsyncall",
		[ENGINE_OP_OPENAT] = "openat", [ENGINE_OP_CLOSE] = "close",
		[ENGINE_OP_STATX] = "statx", [ENGINE_OP_SPLICE] = "splice",
		[ENGINE_OP_FADVISE] = "fadvise",
	};
	int	i;

	for (i = 0; i < ENGINE_NOPS; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return i;
	fprintf(stderr, "acp-chaos: unknown op '%s'\n", s);
	exit(2);
}

static void
chaos_config(struct chaos *ch, const char *spec)
{
	char	*copy = strdup(spec), *word, *save = NULL, *colon;

	ch->seed = 1;
	ch->fail_op = -1;
	for (word = strtok_r(copy, ",", &save); word != NULL;
	    word = strtok_r(NULL, ",", &save)) {
		if (strncmp(word, "seed=", 5) == 0)
			ch->seed = strtoul(word + 5, NULL, 10) | 1;
		else if (strcmp(word, "reorder") == 0)
			ch->reorder = 1;
		else if (strcmp(word, "short") == 0)
			ch->shorten = 1;
		else if (strcmp(word, "noprobe") == 0)
			ch->noprobe = 1;
		else if (strcmp(word, "noregister") == 0)
			ch->noregister = 1;
		else if (strcmp(word, "count") == 0)
			ch->count = 1;
		else if (strncmp(word, "die=", 4) == 0)
			ch->die_at = strtoul(word + 4, NULL, 10);
		else if (strncmp(word, "eagain=", 7) == 0)
			ch->eagain = (unsigned)atoi(word + 7);
		else if (strncmp(word, "eintr=", 6) == 0)
			ch->eintr = (unsigned)atoi(word + 6);
		else if (strncmp(word, "ecanceled=", 10) == 0)
			ch->ecanceled = (unsigned)atoi(word + 10);
		else if (strncmp(word, "fail=", 5) == 0) {
			ch->fail_at = strtoul(word + 5, &colon, 10);
			ch->fail_err = *colon == ':' ? errno_parse(colon + 1) :
			    EIO;
		} else if (strncmp(word, "failop=", 7) == 0)
			ch->fail_op = op_parse(word + 7);
		else if (strncmp(word, "stop=", 5) == 0)
			ch->stop_sig = signal_parse(word + 5);
		else if (strncmp(word, "syncfs=", 7) == 0)
			syncfs_err = errno_parse(word + 7);
		else if (strncmp(word, "syncgate=", 9) == 0) {
			if (gate_fd < 0 && (gate_fd = open(word + 9,
			    O_RDONLY | O_CLOEXEC)) < 0) {
				fprintf(stderr, "acp-chaos: cannot open '%s': "
				    "%s\n", word + 9, strerror(errno));
				exit(2);
			}
		} else if (strncmp(word, "sfr=", 4) == 0) {
			sfr_at = strtoul(word + 4, &colon, 10);
			sfr_err = *colon == ':' ? errno_parse(colon + 1) : EIO;
		} else {
			fprintf(stderr, "acp-chaos: unknown word '%s'\n", word);
			exit(2);
		}
	}
	free(copy);
}

static int
is_data(const struct req *req)
{
	return req->op == ENGINE_OP_READ || req->op == ENGINE_OP_WRITE ||
	    req->op == ENGINE_OP_SPLICE;
}

/* The error to complete req with instead of doing it, or 0. */
static int
chaos_inject(struct chaos *ch, const struct req *req)
{
	ch->nqueued++;
	/*
	 * Not a hint among "any kind": its failure is ignored by design
	 * (failop=fadvise tests that), and it is asked only for a source
	 * not in the page cache, so a sweep of fail=N over the count would
	 * meet it or not as the cache stood.
	 */
	if (ch->fail_op < 0 ? req->op != ENGINE_OP_FADVISE :
	    (int)req->op == ch->fail_op) {
		ch->nfailop++;
		if (ch->fail_at != 0 && ch->nfailop == ch->fail_at) {
			if (ch->stop_sig != 0)
				(void)raise(ch->stop_sig);
			return -ch->fail_err;
		}
	}
	if (!is_data(req))
		return 0;
	ch->ndata++;
	if (ch->eagain != 0 && ch->ndata % ch->eagain == 0)
		return -EAGAIN;
	if (ch->eintr != 0 && ch->ndata % ch->eintr == 0)
		return -EINTR;
	if (ch->ecanceled != 0 && ch->ndata % ch->ecanceled == 0)
		return -ECANCELED;
	return 0;
}

static int
chaos_queue(struct engine *eng, struct req *req)
{
	struct chaos	*ch = eng->priv;
	int		 err;

	if ((err = chaos_inject(ch, req)) != 0) {
		req->res = err;
		ch->ready[ch->nready++] = req;
		return ENGINE_QUEUED;
	}
	/* A short transfer: the kernel may always do less than asked. */
	if (ch->shorten && is_data(req) && !req->direct && req->len > 1 &&
	    chaos_rand(ch) % 3 == 0)
		req->len = 1 + chaos_rand(ch) % (req->len - 1);
	return ch->inner.ops->queue(&ch->inner, req);
}

static int
chaos_submit(struct engine *eng)
{
	struct chaos	*ch = eng->priv;

	return ch->inner.ops->submit(&ch->inner);
}

/* Shuffle n completions (Fisher-Yates with the seeded generator). */
static void
chaos_shuffle(struct chaos *ch, struct req **reqs, int n)
{
	struct req	*t;
	int		 i, j;

	for (i = n - 1; i > 0; i--) {
		j = (int)(chaos_rand(ch) % (unsigned long)(i + 1));
		t = reqs[i];
		reqs[i] = reqs[j];
		reqs[j] = t;
	}
}

static int
chaos_reap(struct engine *eng, unsigned min, struct req **reqs, unsigned max)
{
	struct chaos	*ch = eng->priv;
	unsigned	 n = 0;
	int		 got, i;

	if (ch->die_at > 0 && ++ch->nreaps >= ch->die_at)
		return -EIO;
	if (ch->nready > 0) {
		/* Injected or held back: these first, without waiting. */
		(void)ch->inner.ops->submit(&ch->inner);
		while (n < max && ch->nready > 0)
			reqs[n++] = ch->ready[--ch->nready];
		return (int)n;
	}
	/* The caller's settings are the inner engine's. */
	ch->inner.wait_ms = eng->wait_ms;
	got = ch->inner.ops->reap(&ch->inner, min, ch->got, max);
	if (got <= 0 || !ch->reorder)
		goto out;
	chaos_shuffle(ch, ch->got, got);
	/* Now and then one waits for the next reap. */
	if (got > 1 && chaos_rand(ch) % 4 == 0)
		ch->ready[ch->nready++] = ch->got[--got];
out:
	for (i = 0; i < got; i++)
		reqs[i] = ch->got[i];
	return got;
}

static int
chaos_register(struct engine *eng, const struct iovec *iov, unsigned n)
{
	struct chaos	*ch = eng->priv;
	int		 ret;

	if (ch->noregister)
		return -ENOMEM;
	ret = engine_register_buffers(&ch->inner, iov, n);
	eng->fixedbuf = ch->inner.fixedbuf;
	return ret;
}

static void
chaos_exit(struct engine *eng)
{
	struct chaos	*ch = eng->priv;

	if (ch->count)
		fprintf(stderr, "acp-chaos: %lu requests\n", ch->nfailop);
	ch->inner.abandoned = eng->abandoned;
	engine_stop(&ch->inner);
	free(ch->ready);
	free(ch->got);
	free(ch);
}

/* The inner engine's cancel; one held back here comes back by itself. */
static void
chaos_cancel(struct engine *eng, struct req *req)
{
	struct chaos	*ch = eng->priv;

	engine_cancel(&ch->inner, req);
}

static const struct engine_ops chaos_ops = {
	.name = "chaos",
	.init = NULL,		/* started by wrapping a started engine */
	.register_buffers = chaos_register,
	.queue = chaos_queue,
	.submit = chaos_submit,
	.reap = chaos_reap,
	.cancel = chaos_cancel,
	.exit = chaos_exit,
};

int
__wrap_engine_start(struct engine *eng, enum engine_kind kind,
    const struct engine_params *params, char *log, size_t loglen)
{
	const char	*spec = getenv("ACP_CHAOS");
	struct chaos	*ch;
	size_t		 len;
	int		 ret;

	ret = __real_engine_start(eng, kind, params, log, loglen);
	if (ret < 0 || spec == NULL || *spec == '\0')
		return ret;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return -ENOMEM;
	chaos_config(ch, spec);
	if (ch->noprobe)
		uring_as_unprobed(eng);
	ch->inner = *eng;
	ch->ready = calloc(eng->depth + 1, sizeof(*ch->ready));
	ch->got = calloc(eng->depth + 1, sizeof(*ch->got));
	if (ch->ready == NULL || ch->got == NULL) {
		free(ch->ready);
		free(ch->got);
		free(ch);
		return -ENOMEM;
	}
	/* The copier sees the inner engine's name and abilities. */
	ch->ops = chaos_ops;
	ch->ops.name = ch->inner.ops->name;
	ch->ops.flags = ch->inner.ops->flags;
	eng->ops = &ch->ops;
	eng->priv = ch;
	len = strlen(log);
	snprintf(log + len, loglen - len, "chaos: in front of %s (%s)\n",
	    ch->inner.ops->name, spec);
	return 0;
}

int
__wrap_syncfs(int fd)
{
	char	byte;

	/* Only --fsync's thread calls it, one call at a time. */
	if (gate_fd >= 0 && read(gate_fd, &byte, 1) != 1) {
		(void)close(gate_fd);
		gate_fd = -1;
	}
	if (syncfs_err != 0) {
		errno = syncfs_err;
		return -1;
	}
	return __real_syncfs(fd);
}

int
__wrap_sync_file_range(int fd, off_t off, off_t len, unsigned flags)
{
	if ((flags & SYNC_FILE_RANGE_WAIT_AFTER) && sfr_at != 0 &&
	    ++sfr_seen == sfr_at) {
		errno = sfr_err;
		return -1;
	}
	return __real_sync_file_range(fd, off, len, flags);
}

int
main(int argc, char **argv)
{
	const char	*spec = getenv("ACP_CHAOS");
	struct chaos	 words;

	/* Its words for the system calls (the engine's, again, at start). */
	if (spec != NULL && *spec != '\0') {
		memset(&words, 0, sizeof(words));
		chaos_config(&words, spec);
	}
	/* Messages say "acp:", as the tests expect of acp. */
	argv[0] = (char *)"acp";
	return acp_main(argc, argv);
}
