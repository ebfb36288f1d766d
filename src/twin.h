/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * O_DIRECT twins of a file's buffered descriptor.
 */
#ifndef ACP_TWIN_H
#define ACP_TWIN_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/*
 * An O_DIRECT descriptor beside a buffered one for the same file: aligned
 * requests use it, the tail of the file and the rest of a short transfer
 * use the buffered one.
 */
struct twin {
	int		 fd;		/* -1: none */
	int		 disabled;	/* it failed a request: stop using it */
	unsigned	 align;		/* offset and length alignment */
	uint64_t	 n;		/* requests it served */
	int		 why;		/* -errno when it could not be opened */
};

/*
 * Open a twin of fd (flags O_RDONLY or O_WRONLY) for the file want: its
 * alignment must divide block_size.  On failure t->fd stays -1 and t->why
 * says why (buffered I/O it is).
 */
void	twin_open(struct twin *, int fd, int flags, const struct stat *want,
	    size_t block_size);

/* May [off + done, off + len) go through t?  Counts it when it may. */
int	twin_fits(struct twin *, off_t off, size_t done, size_t len);

void	twin_close(struct twin *);

/* Tell, under --debug, how a twin served name ("reads", "writes"). */
void	twin_debug(const struct twin *, const char *name, const char *what);

#endif
