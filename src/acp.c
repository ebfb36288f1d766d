/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acp: copy files like cp, with many reads and writes in flight through
 * io_uring (or libaio, or plain read/write where io_uring is missing or
 * blocked).
 *
 * main() parses the command line, starts an engine (recording why the
 * ones before it could not start), builds the copier over it and lets the
 * walker feed it the sources.  The exit status is the walker's, or 1 when
 * the requested engine cannot start, or 2 for bad usage.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "checksum.h"
#include "copier.h"
#include "engine.h"
#include "manifest.h"
#include "meta.h"
#include "options.h"
#include "pagecache.h"
#include "path.h"
#include "progress.h"
#include "say.h"
#include "stats.h"
#include "status.h"
#include "walk.h"
#include "xattrconf.h"

/*
 * How many files the copier keeps in flight: four per read or write
 * slot, so that while some files wait on their open or close, others
 * keep the buffers busy (bench/bench-tree.sh: 50,000 small files cold,
 * 16 files 4.1 s, 64 files 3.5 s, 128 files 3.2 s).  Under --fsync,
 * files whose data is written wait in their slots for a batch's syncfs,
 * copying nothing: sixty-four slots per read or write slot, of which
 * sixteen copy at most (*copying).  With every slot able to copy, the
 * files waiting filled them all while a syncfs was out, and the next
 * could start only when it was over: the copy and the syncfs calls
 * took turns (50,000 files on ext4, medians of 7 interleaved runs: 512
 * slots 3.56 s, 2048 slots 3.24 s, 2048 of which 512 copy 2.65 s; cp
 * -r then sync 3.99 s).  Each holds up to six descriptors (source,
 * destination, two O_DIRECT twins, a splice pipe's two ends), so the
 * limit on open files caps it.
 */
static unsigned
copy_files_in_flight(unsigned depth, int fsync, unsigned *copying)
{
	struct rlimit	rl;
	rlim_t		n = (rlim_t)depth * (fsync ? 64 : 4), room, dirs;
	rlim_t		busy = (rlim_t)depth * (fsync ? 16 : 4);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		/*
		 * What the limit leaves after the reserve and the walker's
		 * directories (a quarter, between its least and its fill),
		 * at six a file.
		 */
		dirs = rl.rlim_cur / 4;
		dirs = dirs < WALK_FDS_MIN ? WALK_FDS_MIN :
		    dirs > WALK_FDS_WANT ? WALK_FDS_WANT : dirs;
		room = rl.rlim_cur > COPIER_FDS_RESERVED + dirs ?
		    (rl.rlim_cur - COPIER_FDS_RESERVED - dirs) /
		    COPIER_FDS_PER_FILE : 1;
		if (n > room)
			n = room;
	}
	if (n > 4096)
		n = 4096;
	if (n < 1)
		n = 1;
	*copying = busy < n ? (unsigned)busy : (unsigned)n;
	return (unsigned)n;
}

/*
 * Take the hard limit on open files as the soft one (capped): each
 * directory being copied holds two descriptors until its entries are
 * done, and a deep tree holds its whole chain, so the common soft limit
 * of 1024 would make a deep copy wait for itself.
 */
static void
raise_open_files(void)
{
	struct rlimit	rl;
	rlim_t		want;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 :
	    rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * SELinux contexts, as GNU cp treats them on a kernel without SELinux:
 * --preserve=context fails before anything is copied, --context=CTX is
 * ignored with a warning, -Z silently.  With SELinux, where cp would
 * keep or set the context and acp cannot, both are refused.
 */
static int
context_check(const struct options *opts)
{
	int	selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;

	if (opts->preserve & META_CONTEXT) {
		if (!selinux)
			warnx("cannot preserve security context without an "
			    "SELinux-enabled kernel");
		else
			warnx("cannot preserve security context: acp does "
			    "not copy SELinux contexts");
		return ACP_EXIT_FAIL;
	}
	if (opts->context && selinux) {
		warnx("cannot set security context: acp does not set SELinux "
		    "contexts");
		return ACP_EXIT_FAIL;
	}
	if (opts->context_arg != NULL)
		warnx("warning: ignoring --context; it requires an "
		    "SELinux-enabled kernel");
	return ACP_EXIT_OK;
}

/* --progress: the copier's tick draws the line when it is due. */
struct run_progress {
	struct progress	 pr;
	struct copier	*c;
};

static void
progress_tick(void *arg)
{
	struct run_progress	*rp = arg;

	progress_update(&rp->pr, copier_done_bytes(rp->c),
	    copier_done_files(rp->c), copier_current(rp->c));
}

static void
print_stats(const struct options *opts, const struct copy_stats *cs,
    const struct walk_stats *ws, const char *engine, int status,
    double seconds)
{
	struct run_stats	st;

	memset(&st, 0, sizeof(st));
	st.engine = engine;
	st.mode = opts->check != NULL ? "check" : "copy";
	st.files = opts->check != NULL ? cs->checked : cs->files;
	st.directories = ws->directories;
	st.symlinks = ws->symlinks;
	st.hardlinks = ws->hardlinks;
	st.specials = ws->specials;
	st.bytes = cs->bytes;
	st.offloaded = cs->offloaded;
	st.holes = cs->holes;
	st.cloned = cs->cloned;
	st.hashed = cs->hashed;
	st.verified = cs->verified;
	st.requests = cs->requests;
	st.peak_requests = cs->peak;
	st.peak_files = cs->peak_files;
	st.queue_depth = opts->queue_depth;
	st.block_size = opts->block_size;
	st.errors = ws->errors;
	st.resume = opts->resume != OPTIONS_RESUME_NONE;
	st.skipped = ws->skipped;
	st.resumed = cs->resumed;
	st.bytes_skipped = ws->bytes_skipped + cs->kept;
	st.seconds = seconds;
	st.status = status;
	if (ws->ntargets > 1) {
		st.ntargets = ws->ntargets;
		st.targets = ws->target;
	}
	stats_print(stdout, &st, opts->stats);
}

static void
print_engine_log(const char *log)
{
	const char	*p, *nl;

	for (p = log; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		fprintf(stderr, "acp: debug: %.*s\n", (int)(nl - p), p);
	}
}

/* The signal that asked us to stop, or 0. */
static volatile sig_atomic_t interrupted;

/*
 * The first SIGINT, SIGTERM, SIGHUP or SIGPIPE asks the copier to stop:
 * no new requests, those in flight cancelled (rewrites in place of
 * regular files let finish), what this run made and did not finish
 * removed.  A second one stops the rewrites too, and the cleanup still
 * happens: it never skips it.
 */
static void
on_signal(int sig)
{
	if (interrupted == 0)
		interrupted = sig;
	else
		interrupted |= COPIER_STOP_AGAIN;
}

static void
signals_init(void)
{
	struct sigaction	sa;
	const int		sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	size_t			i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or wait should see EINTR. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static int
run_check(const struct options *opts, struct copier *copier,
    struct walk_stats *ws)
{
	FILE	*fp;
	int	 status;

	if (strcmp(opts->check, "-") == 0)
		return check_run(opts, copier, stdin, "standard input", ws);
	if ((fp = fopen(opts->check, "r")) == NULL) {
		warn("cannot open '%s'", opts->check);
		ws->errors++;
		return ACP_EXIT_FAIL;
	}
	status = check_run(opts, copier, fp, opts->check, ws);
	(void)fclose(fp);
	return status;
}

/* Open --manifest's or --log's file ("-": standard output); NULL if none. */
static int
open_out(const char *path, const char *what, FILE **fp)
{
	*fp = NULL;
	if (path == NULL)
		return 0;
	if (strcmp(path, "-") == 0)
		*fp = stdout;
	else if ((*fp = fopen(path, "w")) == NULL) {
		warn("cannot create %s '%s'", what, path);
		return -1;
	}
	return 0;
}

/*
 * --fsync: what open_out() wrote (fd, at path) is made durable as the
 * copies are: its data, and the directory that holds its name.  Not a
 * FIFO's or a terminal's.  0, or -1 with errno set.
 */
static int
sync_out(int fd, const char *path)
{
	struct stat	 st;
	char		*dir;
	int		 dfd, ret;

	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return 0;
	if (fsync(fd) < 0)
		return -1;
	dir = path_parent(path);
	ret = dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		ret = fsync(dfd);
		(void)close(dfd);
	}
	free(dir);
	return ret < 0 ? -1 : 0;
}

/*
 * Close what open_out() opened (durable: flushed to disk first); a file
 * cut short is a failure.
 */
static int
close_out(FILE *fp, const char *path, const char *what, int durable,
    int status)
{
	int	bad;

	if (fp == NULL)
		return status;
	bad = fflush(fp) != 0 || ferror(fp);
	if (!bad && durable && fp != stdout && sync_out(fileno(fp), path) < 0)
		bad = 1;
	if (fp != stdout && fclose(fp) != 0)
		bad = 1;
	if (bad) {
		/* A manifest cut short must not pass for a whole one. */
		warn("error writing %s '%s'", what, path);
		status = status_merge(status, ACP_EXIT_FAIL);
	}
	return status;
}

/*
 * --resume with --manifest=FILE: the lines FILE holds from the run before,
 * for the files this one finds up to date and does not read; 1 if old
 * was filled.  Only a regular file is read: a FIFO or a terminal named
 * by --manifest is a reader's, not a manifest of the last run.
 */
static int
old_manifest(const struct options *opts, struct manifest_old *old)
{
	struct stat	 st;
	FILE		*fp;
	size_t		 n, other, unsure;
	int		 fd, sure;

	if (opts->manifest == NULL || strcmp(opts->manifest, "-") == 0 ||
	    opts->resume != OPTIONS_RESUME_QUICK || opts->algo == NULL)
		return 0;
	if ((fd = open(opts->manifest, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (fp = fdopen(fd, "r")) == NULL) {
		(void)close(fd);
		return 0;
	}
	/* Marked by the run that wrote it: its untagged lines are sure. */
	sure = manifest_marked(fd, &st, opts->algo);
	old->written = st.st_mtim;
	n = manifest_load(fp, opts->algo, sure, &old->lines, &other, &unsure);
	(void)fclose(fp);
	if (opts->debug)
		fprintf(stderr, "acp: debug: manifest '%s'%s: %zu lines of %s "
		    "kept for files found up to date; passed over: %zu of "
		    "other algorithms or not lines, %zu untagged%s\n",
		    opts->manifest, sure ? " (marked as written by acp with "
		    "this algorithm)" : "", n, opts->algo->name, other, unsure,
		    unsure > 0 ? " (untagged lines of md5 and xxh128, or "
		    "of sha512 and blake2b, look alike and this file carries "
		    "no mark of acp's that says which: --tag writes lines that "
		    "do)" : "");
	return 1;
}

static int
run_copy(const struct options *opts, struct copier *copier,
    struct walk_stats *ws)
{
	struct manifest_old old;
	FILE		*mfp, *lfp;
	int		 status, had;

	/* Read before open_out() empties it. */
	memset(&old, 0, sizeof(old));
	had = old_manifest(opts, &old);
	if (open_out(opts->manifest, "manifest", &mfp) < 0) {
		ws->errors++;
		strset_free(&old.lines);
		return ACP_EXIT_FAIL;
	}
	if (open_out(opts->log, "log", &lfp) < 0) {
		ws->errors++;
		strset_free(&old.lines);
		return close_out(mfp, opts->manifest, "manifest", 0,
		    ACP_EXIT_FAIL);
	}
	if (opts->preserve & (META_XATTR | META_MODE))
		xattr_conf_load();
	status = walk_run(opts, copier, mfp, had ? &old : NULL, lfp, ws);
	strset_free(&old.lines);
	/* All of it written: say which algorithm for the next run. */
	if (mfp != NULL && mfp != stdout && fflush(mfp) == 0 && !ferror(mfp))
		(void)manifest_mark(fileno(mfp), opts->algo);
	status = close_out(mfp, opts->manifest, "manifest", opts->fsync,
	    status);
	return close_out(lfp, opts->log, "log", opts->fsync, status);
}

/*
 * Start the engine asked for (auto: the first that starts), sized for
 * the copier's requests; under --debug, say which were tried and why.
 * 0, or -1 after a message.
 */
static int
start_engine(const struct options *opts, unsigned files, struct engine *eng)
{
	struct engine_params	params;
	char			log[1024], *nl;
	int			ret;

	memset(&params, 0, sizeof(params));
	params.depth = copier_requests(opts->queue_depth, files,
	    (unsigned)opts->nalso + 1);
	ret = engine_start(eng, opts->engine, &params, log, sizeof(log));
	if (opts->debug)
		print_engine_log(log);
	if (ret == 0)
		return 0;
	/* Only an engine asked for by name can fail to start. */
	if (opts->engine == ENGINE_AUTO)
		warnx("no I/O engine could start");
	else {
		if ((nl = strchr(log, '\n')) != NULL)
			*nl = '\0';
		warnx("cannot start %s", log);
	}
	return -1;
}

/*
 * Bigger requests for a run that hashes big cached files (options.h):
 * the source operands are looked at here, before the buffers are made.
 * A source that cannot be opened now is left to the copy to report.
 */
static void
size_blocks(struct options *opts)
{
	struct options_sources	 src = { 1, 0, 1 };
	struct stat		 st;
	int			 i, nsrc, fd, pc;
	size_t			 bs;

	if (!opts->block_auto || opts->algo == NULL)
		return;
	nsrc = opts->noperands - (opts->target_dir == NULL);
	for (i = 0; i < nsrc && src.all_files; i++) {
		if (stat(opts->operands[i], &st) < 0 || !S_ISREG(st.st_mode)) {
			src.all_files = 0;
			break;
		}
		if (st.st_size > src.biggest)
			src.biggest = st.st_size;
		if (st.st_size < ACP_BIG_SOURCE)
			continue;
		pc = -1;
		if ((fd = open(opts->operands[i], O_RDONLY | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY)) >= 0) {
			pc = pagecache_percent(fd, st.st_size);
			(void)close(fd);
		}
		if (pc < 50)
			src.all_cached = 0;
	}
	bs = options_block_for(opts, &src);
	if (bs != opts->block_size && opts->debug)
		fprintf(stderr, "acp: debug: block size %zu, not %zu: the "
		    "sources are big files in the page cache, and hashed\n",
		    bs, opts->block_size);
	opts->block_size = bs;
}

/* The copier over eng, as the options ask; NULL after a message. */
static struct copier *
start_copier(const struct options *opts, unsigned files, unsigned copying,
    struct engine *eng)
{
	struct copier_params	cparams;
	struct copier		*copier;
	int			ret;

	memset(&cparams, 0, sizeof(cparams));
	cparams.block_size = opts->block_size;
	cparams.depth = opts->queue_depth;
	cparams.files = files;
	cparams.copying = copying;
	cparams.debug = opts->debug;
	cparams.direct = opts->direct;
	cparams.algo = opts->algo;
	cparams.fsync = opts->fsync;
	cparams.sparse = opts->sparse;
	cparams.reflink = opts->reflink;
	cparams.targets = (unsigned)opts->nalso + 1;
	cparams.stop = &interrupted;
	/*
	 * With no engine named and nothing that needs the data in memory,
	 * the kernel may copy it itself, as cp does.  Naming an engine
	 * sends every byte through it.
	 */
	cparams.offload = opts->engine == ENGINE_AUTO;
	if ((copier = copier_new(eng, &cparams, &ret)) == NULL)
		warnc(-ret, "cannot allocate %u buffers of %zu bytes",
		    opts->queue_depth, opts->block_size);
	return copier;
}

int
main(int argc, char **argv)
{
	struct options		opts;
	struct engine		eng;
	struct copier		*copier;
	struct copy_stats	cs;
	struct walk_stats	ws;
	struct run_progress	rp;
	struct timespec		t0, t1;
	const char		*engine_name;
	unsigned		files, copying;
	int			status, sig;

	setprogname(argv[0]);
	/* Names in messages are quoted as the locale prints them. */
	(void)setlocale(LC_CTYPE, "");
	switch (options_parse(&opts, argc, argv)) {
	case OPTIONS_EXIT:
		return fflush(stdout) == 0 ? ACP_EXIT_OK : ACP_EXIT_FAIL;
	case OPTIONS_USAGE:
		/* Installed as cp, its scripts expect cp's status for this. */
		return strcmp(getprogname(), "cp") == 0 ? ACP_EXIT_FAIL :
		    ACP_EXIT_USAGE;
	}

	if ((status = context_check(&opts)) != ACP_EXIT_OK)
		return status;
	/* A hash that cannot be made fails the run before it copies. */
	if (opts.algo != NULL && checksum_ready(opts.algo) < 0)
		return ACP_EXIT_FAIL;
	size_blocks(&opts);
	signals_init();
	raise_open_files();
	files = copy_files_in_flight(opts.queue_depth, opts.fsync, &copying);
	if (start_engine(&opts, files, &eng) < 0)
		return ACP_EXIT_FAIL;
	if ((copier = start_copier(&opts, files, copying, &eng)) == NULL) {
		engine_stop(&eng);
		return ACP_EXIT_FAIL;
	}
	if (opts.debug) {
		fprintf(stderr, "acp: debug: engine %s, queue depth %u, "
		    "block size %zu, %u files in flight", eng.ops->name,
		    opts.queue_depth, opts.block_size, files);
		if (copying < files)
			fprintf(stderr, " (%u copying at once, the others "
			    "waiting for a syncfs)", copying);
		fprintf(stderr, "%s\n", eng.fixedbuf ? ", registered buffers "
		    "(for reads and direct writes)" : "");
	}

	memset(&ws, 0, sizeof(ws));
	if (opts.progress) {
		progress_init(&rp.pr, stderr, &opts);
		rp.c = copier;
		copier_set_tick(copier, progress_tick, &rp);
		if (opts.check == NULL)
			progress_count_start(&rp.pr);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	if (opts.check != NULL)
		status = run_check(&opts, copier, &ws);
	else
		status = run_copy(&opts, copier, &ws);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	if (opts.progress)
		progress_end(&rp.pr, copier_done_bytes(copier),
		    copier_done_files(copier));

	/* The engine first: the kernel may still hold the pool's buffers. */
	engine_name = eng.ops->name;
	copier_stats(copier, &cs);
	engine_stop(&eng);
	copier_free(copier);
	if (interrupted != 0) {
		sig = (int)(interrupted & ~COPIER_STOP_AGAIN);
		warnx("interrupted by signal %d (%s)", sig, strsignal(sig));
		status = status_merge(status, ACP_EXIT_SIGNAL + sig);
	}
	if (opts.stats != STATS_NONE)
		print_stats(&opts, &cs, &ws, engine_name, status,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (fflush(stdout) != 0) {
		warn("write error on standard output");
		status = status_merge(status, ACP_EXIT_FAIL);
	}
	return status;
}
