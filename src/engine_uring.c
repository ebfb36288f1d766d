/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The io_uring engine, on liburing.  One ring per run, sized to the queue
 * depth; the buffer pool is registered once so that reads and direct
 * writes use the fixed-buffer opcodes and the kernel does not pin and
 * unpin pages on every request (buffered writes: see prep_rw()).
 * Submissions are batched: queue() only fills SQEs, and the ring is
 * entered once per submit()/reap() round, never once per request.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "thread.h"

struct uring_priv {
	struct io_uring	  ring;
	int		  ring_up;
	unsigned	  pending;	/* SQEs filled but not yet submitted */
	unsigned	  cancels;	/* of which our cancels (the last ones) */
	struct req	**done;		/* done at queue time, not reaped */
	unsigned	  ndone;
	unsigned	  inflight;	/* queued and not yet reaped */
	unsigned	  refused;	/* submits refused in a row (EAGAIN) */
	int		  vectored;	/* no IORING_OP_READ/WRITE: READV */
	int		  untimed;	/* timed waits refused (before 5.4) */
};

/* The user_data of our own cancel requests, whose completions we drop. */
#define URING_CANCEL_TAG	NULL

/* Submits refused in a row, with nothing in the kernel, before we fail. */
#define URING_MAX_REFUSED	100000

/* Only what 5.1 had: READV/WRITEV (or the fixed ops) and fsync. */
static void
unprobed(struct engine *eng)
{
	struct uring_priv	*p = eng->priv;

	memset(eng->async, 0, sizeof(eng->async));
	eng->async[ENGINE_OP_FSYNC] = 1;
	eng->async[ENGINE_OP_FSYNC_ALL] = 1;
	eng->async[ENGINE_OP_READ] = eng->async[ENGINE_OP_WRITE] = 1;
	/* Buffered reads that miss go to io-wq's workers before 5.9. */
	eng->readahead = 0;
	p->vectored = 1;
}

void
uring_as_unprobed(struct engine *eng)
{
	if (eng->ops == &engine_uring_ops)
		unprobed(eng);
}

/*
 * Which ops this kernel's io_uring has.  Vectored reads and writes and
 * fsync are as old as io_uring itself; open, close, statx, fadvise and
 * plain reads and writes came in 5.6, splice in 5.7.  A kernel without the
 * probe (5.6 brought it) has none of those: they are done at queue time
 * (engine_run_blocking()), and reads and writes vectored.
 */
static void
uring_probe(struct engine *eng, struct io_uring *ring)
{
	static const struct {
		enum engine_op	op;
		int		opcode;
	} map[] = {
		{ ENGINE_OP_READ, IORING_OP_READ },
		{ ENGINE_OP_WRITE, IORING_OP_WRITE },
		{ ENGINE_OP_FSYNC, IORING_OP_FSYNC },
		{ ENGINE_OP_FSYNC_ALL, IORING_OP_FSYNC },
		{ ENGINE_OP_OPENAT, IORING_OP_OPENAT },
		{ ENGINE_OP_CLOSE, IORING_OP_CLOSE },
		{ ENGINE_OP_STATX, IORING_OP_STATX },
		{ ENGINE_OP_SPLICE, IORING_OP_SPLICE },
		{ ENGINE_OP_FADVISE, IORING_OP_FADVISE },
	};
	struct io_uring_probe	*probe;
	size_t			 i;

	if ((probe = io_uring_get_probe_ring(ring)) == NULL) {
		unprobed(eng);
		return;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		eng->async[map[i].op] = (unsigned char)
		    io_uring_opcode_supported(probe, map[i].opcode);
	io_uring_free_probe(probe);
}

/* Does this process hold CAP_SYS_ADMIN (bit 21 of CapEff)? */
static int
has_sys_admin(void)
{
	unsigned long long	 eff = 0;
	char			 line[128];
	FILE			*fp;
	int			 found = 0;

	if ((fp = fopen("/proc/self/status", "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	(void)fclose(fp);
	return found && (eff >> 21 & 1);
}

const char *
uring_eperm_hint(int disabled, int sys_admin)
{
	if (disabled == 2)
		return " (kernel.io_uring_disabled=2: off for every process)";
	if (disabled == 1 && !sys_admin)
		return " (kernel.io_uring_disabled=1: only for privileged "
		    "processes and kernel.io_uring_group)";
	return " (blocked by seccomp?)";
}

/* EPERM from io_uring_setup(): the setting as it is, and who we are. */
static const char *
eperm_hint(void)
{
	char	buf[16];
	int	fd, disabled = 0;
	ssize_t	n;

	if ((fd = open("/proc/sys/kernel/io_uring_disabled", O_RDONLY |
	    O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		(void)close(fd);
		if (n > 0 && buf[0] >= '0' && buf[0] <= '2')
			disabled = buf[0] - '0';
	}
	return uring_eperm_hint(disabled, has_sys_admin());
}

/* Why io_uring_setup() failed, in words a user of a container can act on. */
static void
uring_reason(int err, char *reason, size_t reasonlen)
{
	const char	*hint = "";

	if (err == EPERM)
		hint = eperm_hint();
	else if (err == ENOSYS)
		hint = " (kernel without io_uring, or blocked by seccomp)";
	else if (err == ENOMEM)
		hint = " (RLIMIT_MEMLOCK too small?)";
	snprintf(reason, reasonlen, "io_uring_setup: %s%s", strerror(err),
	    hint);
}

/* How the ring is set up, best first (uring_init). */
static const unsigned setups[] = {
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
	    IORING_SETUP_TASKRUN_FLAG,
	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
	0,
};

static int
uring_init(struct engine *eng, const struct engine_params *params,
    char *reason, size_t reasonlen)
{
	struct uring_priv	*p;
	struct io_uring_params	 iop;
	unsigned		 workers[2], cpus;
	size_t			 i;
	int			 ret = -EINVAL;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(reason, reasonlen, "out of memory");
		return -ENOMEM;
	}
	eng->priv = p;

	/*
	 * One thread submits and reaps, so tell the kernel.  DEFER_TASKRUN
	 * (6.1) keeps the completions io-wq's workers post until that
	 * thread asks for them, all at once, where COOP_TASKRUN (5.19)
	 * runs each at its next system call: 50,000 files warm took 0.990 s
	 * against 1.028 s, 1 GiB 0.274 s against 0.280 s, the 50,000 files
	 * with xxh128 1.073 s against 1.133 s (medians of 5 to 7 interleaved
	 * runs; cold, level).  Older kernels refuse each with EINVAL: then
	 * the next.  Not SQPOLL: with a kernel thread polling the ring
	 * (idle after 5 or 50 ms), a 1 GiB copy with xxh128 took 0.27-0.28 s
	 * against 0.20 s (2 CPUs, 7 interleaved runs); the poller, which
	 * would make the cached reads, competes for a CPU with acp and the
	 * writes' workers.
	 */
	for (i = 0; i < sizeof(setups) / sizeof(setups[0]); i++) {
		memset(&iop, 0, sizeof(iop));
		iop.flags = setups[i];
		ret = io_uring_queue_init_params(params->depth, &p->ring,
		    &iop);
		if (ret != -EINVAL)
			break;
	}
	if (ret < 0) {
		uring_reason(-ret, reason, reasonlen);
		return ret;
	}
	p->ring_up = 1;
	if ((p->done = calloc(params->depth, sizeof(*p->done))) == NULL) {
		snprintf(reason, reasonlen, "out of memory");
		return -ENOMEM;
	}
	uring_probe(eng, &p->ring);
	eng->punt = eng->async[ENGINE_OP_OPENAT];
	/*
	 * From 5.9 (whose feature flag is POLL_32BITS) a buffered read of
	 * pages not cached waits for them without a worker thread, in the
	 * order queued, so the kernel's readahead sees a sequential reader;
	 * before, io-wq threads ran them out of order, as the other engines
	 * do.
	 */
	eng->readahead = (iop.features & IORING_FEAT_POLL_32BITS) != 0;
	/* The ring waits for a direct read without a thread: from the first. */
	eng->direct_from = 1;
	/*
	 * A request that blocks (an fsync, a read from FUSE sent async)
	 * waits for one of io-wq's bounded workers, four per CPU unless
	 * told: with 2 CPUs the fsyncs of 128 files in flight ran 8 at a
	 * time, each with its own cache flush (5,000 files, --fsync: 1.22 s;
	 * with a worker for every request the ring holds, 0.45 s, as flushes
	 * in flight together are merged).  Workers start only when needed.
	 * Kernels before 5.15 refuse: they keep their own limit.
	 */
	workers[0] = params->depth;
	/*
	 * The rest (io-wq's "unbounded" work: here the splices) runs on
	 * copies in the page cache, CPU work that more workers than CPUs
	 * only hand to each other: each request woke a sleeping worker of
	 * its own, and a CPU sat idle between (perf, 2 CPUs: for 30% of a
	 * warm copy of 50,000 files acp's thread ran alone).  One a
	 * CPU, at least two (one may wait for a page on its way): 50,000
	 * files warm 0.978 s against 1.103 s (11 interleaved runs; two for
	 * the bounded ones too 1.254 s), to two destinations 2.688 s against
	 * 3.068 s (7), 10,000 mixed entries -a 0.243 s against 0.300 s (11);
	 * cold level, 1.994 s against 2.013 s (5; this disk answers from its
	 * host's cache).
	 */
	cpus = thread_cpus();
	workers[1] = cpus == 0 ? 0 : cpus < 2 ? 2 : cpus;
	if (io_uring_register_iowq_max_workers(&p->ring, workers) == 0) {
		/* Zeros change nothing and read back the limits. */
		workers[0] = workers[1] = 0;
		if (io_uring_register_iowq_max_workers(&p->ring, workers) == 0)
			snprintf(reason, reasonlen, "io-wq workers at most %u "
			    "bounded and %u unbounded", workers[0], workers[1]);
	}
	return 0;
}

static int
uring_register_buffers(struct engine *eng, const struct iovec *iov,
    unsigned n)
{
	struct uring_priv	*p = eng->priv;

	return io_uring_register_buffers(&p->ring, iov, n);
}

/*
 * A read or write, from a registered buffer where it is one; vectored
 * (one iovec in req) where the kernel has no plain IORING_OP_READ.
 *
 * Buffered writes name their buffer by address even so.  A registered
 * buffer saves pinning its pages, which only direct I/O does; but a
 * write the file system will not take without blocking (ext4's buffered
 * writes) runs on an io-wq worker, and a recent kernel's worker (6.18
 * here) looks the registered buffer up under the ring's lock, which
 * this thread holds through every submit, copying cached reads in it.
 * Two destinations, 1 GiB with xxh128: perf found the workers spinning
 * in io_import_reg_buf(), and by address they do not; 661 ms against
 * 581 ms with no buffer registered, 693 against 673 ms with only the
 * writes by address (medians of 7 and 9 on a noisy day); one
 * destination the same either way.
 */
static void
prep_rw(const struct engine *eng, struct io_uring_sqe *sqe,
    struct req *req, __u64 off)
{
	const struct uring_priv	*p = eng->priv;
	int			 write = req->op == ENGINE_OP_WRITE;
	int			 fixed = eng->fixedbuf && req->buf >= 0 &&
				     (!write || req->direct);

	if (!fixed && p->vectored) {
		req->iov.iov_base = req->addr;
		req->iov.iov_len = req->len;
		io_uring_prep_rw(write ? IORING_OP_WRITEV : IORING_OP_READV,
		    sqe, req->fd, &req->iov, 1, off);
		return;
	}
	io_uring_prep_rw(fixed ? (write ? IORING_OP_WRITE_FIXED :
	    IORING_OP_READ_FIXED) : (write ? IORING_OP_WRITE : IORING_OP_READ),
	    sqe, req->fd, req->addr, (unsigned)req->len, off);
	if (fixed)
		sqe->buf_index = (__u16)req->buf;
}

static int
uring_queue(struct engine *eng, struct req *req)
{
	struct uring_priv	*p = eng->priv;
	struct io_uring_sqe	*sqe;
	__u64			 off = (__u64)req->off;

	if (p->inflight >= eng->depth)
		return ENGINE_BUSY;
	/*
	 * req->quick is not taken here: a quick call (engine.h) goes to an
	 * io-wq worker like any other, where it runs beside this thread,
	 * which the walk and every other file's steps wait for.  Made here
	 * instead (as until 2026-12-06), 50,000 small files took 1.32 s
	 * warm against 1.07 s through the ring, to two destinations 4.10 s
	 * against 2.89 s, the 10,000-entry tree under -a 0.325 s against
	 * 0.309 s; cold, hashed, --fsync and on one CPU level (medians of
	 * 5 to 11 interleaved runs, Linux 6.18, ext4 on 2 CPUs).
	 */
	if (!eng->async[req->op]) {
		engine_run_blocking(req);
		p->done[p->ndone++] = req;
		p->inflight++;
		return ENGINE_QUEUED;
	}
	if ((sqe = io_uring_get_sqe(&p->ring)) == NULL)
		return ENGINE_BUSY;
	switch (req->op) {
	case ENGINE_OP_READ:
	case ENGINE_OP_WRITE:
		prep_rw(eng, sqe, req, off);
		/*
		 * Straight to an io-wq worker (req->async), not tried here
		 * first (IOSQE_ASYNC: 5.6, as old as IORING_OP_OPENAT).
		 */
		if (req->async && eng->punt)
			sqe->flags |= IOSQE_ASYNC;
		break;
	case ENGINE_OP_FSYNC:
		io_uring_prep_fsync(sqe, req->fd, IORING_FSYNC_DATASYNC);
		break;
	case ENGINE_OP_FSYNC_ALL:
		io_uring_prep_fsync(sqe, req->fd, 0);
		break;
	case ENGINE_OP_OPENAT:
		io_uring_prep_openat(sqe, req->fd, req->path, req->flags,
		    req->mode);
		break;
	case ENGINE_OP_CLOSE:
		io_uring_prep_close(sqe, req->fd);
		break;
	case ENGINE_OP_STATX:
		io_uring_prep_statx(sqe, req->fd, "", AT_EMPTY_PATH,
		    STATX_BASIC_STATS, req->stx);
		break;
	case ENGINE_OP_SPLICE:
		io_uring_prep_splice(sqe, req->fd, (int64_t)req->off, req->fd2,
		    (int64_t)req->off2, (unsigned)req->len, 0);
		break;
	case ENGINE_OP_FADVISE:
		io_uring_prep_fadvise(sqe, req->fd, 0, 0,
		    POSIX_FADV_WILLNEED);
		break;
	case ENGINE_OP_COPY_RANGE:
	case ENGINE_OP_SYNCFS:
	case ENGINE_OP_CLONE:
		/* No opcode: async[] is 0, so it ran above.  Never here. */
		io_uring_prep_nop(sqe);
		break;
	}
	io_uring_sqe_set_data(sqe, req);
	p->pending++;
	p->inflight++;
	return ENGINE_QUEUED;
}

/*
 * The kernel took the first n of the pending SQEs; what is left is the
 * newest, and our cancels, always filled last, are among them first.
 */
static void
submitted(struct uring_priv *p, unsigned n)
{
	p->pending -= n > p->pending ? p->pending : n;
	if (p->cancels > p->pending)
		p->cancels = p->pending;
}

static int
uring_submit(struct engine *eng)
{
	struct uring_priv	*p = eng->priv;
	int			 ret;

	if (p->pending == 0)
		return 0;
	do
		ret = io_uring_submit(&p->ring);
	while (ret == -EINTR);
	if (ret > 0)
		submitted(p, (unsigned)ret);
	return ret;
}

/*
 * How many requests the kernel holds: queued and not reaped (inflight),
 * less those reaped already in this call (got) and those not submitted
 * (our own cancels are pending but never counted in inflight).
 */
static unsigned
held(const struct uring_priv *p, unsigned got)
{
	return p->inflight - got - (p->pending - p->cancels);
}

/*
 * Move what the completion ring holds, up to max in all, to reqs[*got..];
 * how many entries it took off the ring (each is ours or not).
 */
static unsigned
take(struct uring_priv *p, struct req **reqs, unsigned *got, unsigned max)
{
	struct io_uring_cqe	*cqes[64];
	struct req		*req;
	unsigned		 n, i;

	n = io_uring_peek_batch_cqe(&p->ring, cqes,
	    max - *got < 64 ? max - *got : 64);
	for (i = 0; i < n; i++) {
		/*
		 * A cancel's own answer; the timeout liburing queues for a
		 * timed wait where the kernel has no EXT_ARG.
		 */
		if (cqes[i]->user_data == LIBURING_UDATA_TIMEOUT)
			continue;
		req = io_uring_cqe_get_data(cqes[i]);
		if (req == URING_CANCEL_TAG)
			continue;
		req->res = cqes[i]->res;
		reqs[(*got)++] = req;
	}
	io_uring_cq_advance(&p->ring, n);
	return n;
}

/*
 * Enter the ring at most once per call when work is queued: submit what
 * is pending and wait for min completions in the same io_uring_enter().
 */
static int
uring_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	struct uring_priv	*p = eng->priv;
	struct io_uring_cqe	*cqe;
	struct __kernel_timespec ts;
	unsigned		 n, got = 0;
	int			 ret, entered = 0;

	if (min > max)
		min = max;
	/*
	 * What was done at queue time needs no kernel; never wait for more
	 * than the kernel holds.
	 */
	while (got < max && p->ndone > 0)
		reqs[got++] = p->done[--p->ndone];
	if (min > p->inflight)
		min = p->inflight;
	/* min 0 is a look at what has come, without waiting: peek. */
	if (got >= min && p->pending == 0 && min > 0) {
		p->inflight -= got;
		return (int)got;
	}
	if (p->pending > 0) {
		/*
		 * Wait in the same enter only for what the kernel holds, and
		 * not at all when the wait is timed: the loop below is.
		 */
		do
			ret = io_uring_submit_and_wait(&p->ring,
			    min > got && held(p, got) > 0 && eng->wait_ms == 0 ?
			    min - got : 0);
		while (ret == -EINTR);
		if (ret < 0 && ret != -EAGAIN && ret != -EBUSY) {
			p->inflight -= got;
			return got > 0 ? (int)got : ret;
		}
		if (ret > 0)
			submitted(p, (unsigned)ret);
		/*
		 * EAGAIN or EBUSY: nothing was submitted.  Reap what the
		 * kernel holds; if it holds nothing, come back for another
		 * try, a bounded number of times in a row.
		 */
		if (ret < 0 && held(p, got) == 0) {
			if (++p->refused > URING_MAX_REFUSED)
				return got > 0 ? (int)got : ret;
			(void)sched_yield();
		} else if (ret >= 0)
			p->refused = 0;
	}
	/* Never wait for completions of requests the kernel does not have. */
	if (min > got + held(p, got))
		min = got + held(p, got);
	for (;;) {
		n = take(p, reqs, &got, max);
		/*
		 * Under DEFER_TASKRUN, completions the kernel keeps for us
		 * come to the ring when we enter it: once a call, where it
		 * says it has some (the flag may stay set without).
		 */
		if (n == 0 && !entered++ && (IO_URING_READ_ONCE(
		    *p->ring.sq.kflags) & IORING_SQ_TASKRUN)) {
			(void)io_uring_get_events(&p->ring);
			continue;
		}
		if (got == max || (n == 0 && got >= min))
			break;
		if (n > 0)
			continue;
		if (eng->wait_ms > 0 && !p->untimed) {
			ts.tv_sec = eng->wait_ms / 1000;
			ts.tv_nsec = (long long)(eng->wait_ms % 1000) * 1000000;
			ret = io_uring_wait_cqes(&p->ring, &cqe, min - got, &ts,
			    NULL);
			if (ret == -ETIME)
				break;	/* what came in time */
			/* No IORING_OP_TIMEOUT (5.1 to 5.3): wait as they can. */
			if (ret == -EINVAL) {
				p->untimed = 1;
				continue;
			}
		} else
			ret = io_uring_wait_cqe_nr(&p->ring, &cqe, min - got);
		if (ret == -EINTR)
			break;	/* a signal: let the caller look at it */
		if (ret < 0 && ret != -EAGAIN) {
			p->inflight -= got;
			return got > 0 ? (int)got : ret;
		}
	}
	p->inflight -= got;
	return (int)got;
}

/*
 * IORING_OP_ASYNC_CANCEL by the request's user_data: a read polled on a
 * pipe is taken off, one running in an io-wq worker is interrupted.  It
 * goes to the kernel at once, whatever else waits to be submitted.
 */
static void
uring_cancel(struct engine *eng, struct req *req)
{
	struct uring_priv	*p = eng->priv;
	struct io_uring_sqe	*sqe;

	if ((sqe = io_uring_get_sqe(&p->ring)) == NULL) {
		(void)uring_submit(eng);
		if ((sqe = io_uring_get_sqe(&p->ring)) == NULL)
			return;
	}
	io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)req, 0);
	io_uring_sqe_set_data(sqe, URING_CANCEL_TAG);
	p->pending++;
	p->cancels++;
	(void)uring_submit(eng);
}

/*
 * Requests the kernel still holds at the end, which the copier gave up
 * on when the engine failed: what ends within a moment gets its result,
 * so that a create the kernel made after all is undone (copier_free()).
 * Not those abandoned on a stalled file system, which may never end, nor
 * where a timed wait would submit what was never submitted (no EXT_ARG).
 */
static void
uring_settle(struct engine *eng)
{
	struct uring_priv	*p = eng->priv;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
	struct io_uring_cqe	*cqe;
	struct req		*req;
	/* Not the unsubmitted, nor those done at queue time (res is set). */
	unsigned		 held = p->pending + p->ndone, waits = 0;
	unsigned		 left = p->inflight - held;

	if (eng->abandoned || p->inflight <= held ||
	    !(p->ring.features & IORING_FEAT_EXT_ARG))
		return;
	while (left > 0 && waits < 10) {
		if (io_uring_wait_cqe_timeout(&p->ring, &cqe, &ts) != 0) {
			waits++;
			continue;
		}
		req = io_uring_cqe_get_data(cqe);
		if (cqe->user_data != LIBURING_UDATA_TIMEOUT &&
		    req != URING_CANCEL_TAG) {
			req->res = cqe->res;
			left--;
		}
		io_uring_cqe_seen(&p->ring, cqe);
	}
}

static void
uring_exit(struct engine *eng)
{
	struct uring_priv	*p = eng->priv;

	if (p->ring_up) {
		uring_settle(eng);
		io_uring_queue_exit(&p->ring);
	}
	free(p->done);
	free(p);
}

const struct engine_ops engine_uring_ops = {
	.name = "uring",
	.flags = ENGINE_F_FIXEDBUF,
	.init = uring_init,
	.register_buffers = uring_register_buffers,
	.queue = uring_queue,
	.submit = uring_submit,
	.cancel = uring_cancel,
	.reap = uring_reap,
	.exit = uring_exit,
};
