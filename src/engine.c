/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Engine selection and the thin dispatch over the ops tables.  "auto"
 * walks the engines in fallback order (io_uring, libaio, read/write) and
 * keeps, for --debug, one line per engine tried: the reason it could not
 * start, or that it was chosen.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

static const struct {
	enum engine_kind	 kind;
	const char		*name;
	const struct engine_ops	*ops;
} engines[] = {
	{ ENGINE_URING, "uring", &engine_uring_ops },
#ifdef HAVE_LIBAIO
	{ ENGINE_AIO, "aio", &engine_aio_ops },
#else
	{ ENGINE_AIO, "aio", NULL },
#endif
	{ ENGINE_SYNC, "sync", &engine_sync_ops },
};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

const char *
engine_kind_name(enum engine_kind kind)
{
	size_t	i;

	for (i = 0; i < NENGINES; i++)
		if (engines[i].kind == kind)
			return engines[i].name;
	return "auto";
}

int
engine_kind_parse(const char *name, enum engine_kind *kind)
{
	size_t	i;

	if (strcmp(name, "auto") == 0) {
		*kind = ENGINE_AUTO;
		return 0;
	}
	for (i = 0; i < NENGINES; i++) {
		if (strcmp(name, engines[i].name) == 0) {
			*kind = engines[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

int
engine_kind_built(enum engine_kind kind)
{
	size_t	i;

	if (kind == ENGINE_AUTO)
		return 1;
	for (i = 0; i < NENGINES; i++)
		if (engines[i].kind == kind)
			return engines[i].ops != NULL;
	return 0;
}

/* An ops table the copier can drive: everything but buffers is required. */
static int
engine_ops_valid(const struct engine_ops *ops)
{
	return ops->name != NULL && ops->init != NULL && ops->queue != NULL &&
	    ops->submit != NULL && ops->reap != NULL && ops->exit != NULL;
}

static void
logf_append(char *log, size_t loglen, const char *name, const char *what)
{
	size_t	used = strlen(log);

	if (used < loglen)
		snprintf(log + used, loglen - used, "engine %s: %s\n", name,
		    what);
}

static int
engine_try(struct engine *eng, const struct engine_ops *ops,
    const struct engine_params *params, char *log, size_t loglen)
{
	char	reason[256], how[sizeof(reason) + 16];
	int	ret;

	memset(eng, 0, sizeof(*eng));
	if (!engine_ops_valid(ops)) {
		logf_append(log, loglen, ops->name ? ops->name : "?",
		    "incomplete ops table");
		return -EINVAL;
	}
	reason[0] = '\0';
	eng->ops = ops;
	eng->depth = params->depth;
	ret = ops->init(eng, params, reason, sizeof(reason));
	if (ret < 0) {
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s", strerror(-ret));
		logf_append(log, loglen, ops->name, reason);
		engine_stop(eng);
		return ret;
	}
	snprintf(how, sizeof(how), "started%s%s", reason[0] != '\0' ?
	    ", " : "", reason);
	logf_append(log, loglen, ops->name, how);
	return 0;
}

int
engine_start(struct engine *eng, enum engine_kind kind,
    const struct engine_params *params, char *log, size_t loglen)
{
	size_t	i;
	int	ret = -ENOSYS;

	if (loglen > 0)
		log[0] = '\0';
	for (i = 0; i < NENGINES; i++) {
		if (kind != ENGINE_AUTO && engines[i].kind != kind)
			continue;
		if (engines[i].ops == NULL) {
			logf_append(log, loglen, engines[i].name,
			    "not built in (configured --without-libaio)");
			ret = -ENOSYS;
			continue;
		}
		ret = engine_try(eng, engines[i].ops, params, log, loglen);
		if (ret == 0)
			return 0;
	}
	return ret;
}

int
engine_register_buffers(struct engine *eng, const struct iovec *iov,
    unsigned n)
{
	int	ret;

	if (eng->ops->register_buffers == NULL ||
	    !(eng->ops->flags & ENGINE_F_FIXEDBUF))
		return 0;
	ret = eng->ops->register_buffers(eng, iov, n);
	if (ret == 0)
		eng->fixedbuf = 1;
	return ret;
}

int
engine_queue(struct engine *eng, struct req *req)
{
	return eng->ops->queue(eng, req);
}

int
engine_submit(struct engine *eng)
{
	return eng->ops->submit(eng);
}

int
engine_reap(struct engine *eng, unsigned min, struct req **reqs,
    unsigned max)
{
	return eng->ops->reap(eng, min, reqs, max);
}

void
engine_cancel(struct engine *eng, struct req *req)
{
	if (eng->ops->cancel != NULL)
		eng->ops->cancel(eng, req);
}

void
engine_stop(struct engine *eng)
{
	/* An init that failed early may have made nothing to release. */
	if (eng->ops != NULL && eng->priv != NULL)
		eng->ops->exit(eng);
	memset(eng, 0, sizeof(*eng));
}
