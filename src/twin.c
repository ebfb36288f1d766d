/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * O_DIRECT twins: a second descriptor of the same file, opened through
 * /proc/self/fd with O_DIRECT, used for the requests its alignment fits.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bufpool.h"
#include "pagecache.h"
#include "twin.h"

/*
 * May a transfer of [off + done, off + len) use the twin?  Only a whole
 * request (nothing done yet) with offset and length aligned.
 */
int
twin_fits(struct twin *t, off_t off, size_t done, size_t len)
{
	if (t->fd < 0 || t->disabled || done != 0 || len == 0 ||
	    off % t->align != 0 || len % t->align != 0)
		return 0;
	t->n++;
	return 1;
}

void
twin_open(struct twin *t, int fd, int flags, const struct stat *want,
    size_t block_size)
{
	struct stat	st;
	char		path[64];
	unsigned	align;
	int		tfd;

	/* Through /proc/self/fd: the same file, not the same name. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((tfd = open(path, flags | O_DIRECT | O_CLOEXEC)) < 0) {
		/* tmpfs refuses O_DIRECT (EINVAL): buffered it is. */
		t->why = -errno;
		return;
	}
	align = pagecache_dio_align(tfd);
	if (fstat(tfd, &st) < 0 || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino) {
		t->why = -ESTALE;
		(void)close(tfd);
		return;
	}
	if (align == 0 || align > BUFPOOL_ALIGN ||
	    block_size % align != 0) {
		t->why = -EINVAL;
		(void)close(tfd);
		return;
	}
	t->fd = tfd;
	t->align = align;
}

void
twin_close(struct twin *t)
{
	if (t->fd >= 0)
		(void)close(t->fd);
	t->fd = -1;
}

void
twin_debug(const struct twin *t, const char *name, const char *what)
{
	/* Called after twin_close(): align tells it was open. */
	if (t->align != 0)
		fprintf(stderr, "acp: debug: '%s': %llu %s with O_DIRECT "
		    "(alignment %u)%s\n", name, (unsigned long long)t->n, what,
		    t->align, t->disabled ? ", then refused: buffered" : "");
	else if (t->why != 0)
		fprintf(stderr, "acp: debug: '%s': O_DIRECT refused (%s): "
		    "buffered %s\n", name, strerror(-t->why), what);
}

