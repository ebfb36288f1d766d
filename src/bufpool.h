/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pool of equal, aligned I/O buffers addressed by index, so that the
 * io_uring engine can register them once as fixed buffers.  The pool owns
 * the memory; a request borrows one buffer from its read until its write
 * is done and gives it back.
 */
#ifndef ACP_BUFPOOL_H
#define ACP_BUFPOOL_H

#include <sys/uio.h>

#include <stddef.h>

struct bufpool {
	char		*mem;		/* one aligned block: count * size */
	size_t		 size;		/* bytes per buffer */
	unsigned	 count;
	struct iovec	*iov;		/* one per buffer, for registration */
	unsigned	*free;		/* stack of free indices */
	unsigned	 nfree;
};

/* Alignment of every buffer: a page, enough for O_DIRECT. */
#define BUFPOOL_ALIGN	4096

/* A transparent huge page: a pool this big or more is aligned to it. */
#define BUFPOOL_HUGE	((size_t)2 << 20)

/* Make count buffers of size bytes; 0 or -ENOMEM.  Free with _exit. */
int	 bufpool_init(struct bufpool *, unsigned count, size_t size);

/* A free buffer's index, or -1 when all are lent out. */
int	 bufpool_get(struct bufpool *);

/* Give back a buffer got from bufpool_get(). */
void	 bufpool_put(struct bufpool *, int);

/* The address of buffer i. */
char	*bufpool_addr(const struct bufpool *, int);

/* Release the memory; safe on a zeroed or already released pool. */
void	 bufpool_exit(struct bufpool *);

#endif
