/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What is made by name rather than copied through the ring: symbolic
 * links, special files (FIFOs, devices, sockets), the links of -l and
 * -s, and the hard links that keep a source's multiply-linked files
 * linked in the copy.  Each returns a status (status.h) after a message
 * on failure.
 */
#ifndef ACP_NONREG_H
#define ACP_NONREG_H

#include <sys/stat.h>

struct at;
struct pendlink;
struct walk;

/* Copy the symbolic link src (lstat st) to dst. */
int	nonreg_symlink(struct walk *, const struct at *src, const struct at *dst,
	    const struct stat *st);

/* Make a FIFO, device or socket like src (stat st) at dst. */
int	nonreg_special(struct walk *, const struct at *src, const struct at *dst,
	    const struct stat *st);

/* -l, -s: a link to src at dst instead of a copy (dst_exists: found). */
int	nonreg_link(struct walk *, const struct at *src, const struct at *dst,
	    int dst_exists);

/*
 * Make dst another name of target, removing what is at dst first when
 * dst_exists; src names the source entry for -v.  The one place a hard
 * link is made.
 */
int	nonreg_hardlink(struct walk *, const struct at *target,
	    const struct at *dst, int dst_exists, const char *src);

/*
 * Make dst a second name of first, a copy made earlier in this run,
 * known by its path (its directory may be gone from the walker's hands).
 */
int	nonreg_hardlink_path(struct walk *, const char *first,
	    const struct at *dst, int dst_exists, const char *src);

/*
 * Link the names that waited for the first copy of their file, now that
 * it is done (ok) or failed; frees them and drops their directories.
 */
void	nonreg_link_waiting(struct walk *, const struct at *first,
	    struct pendlink *, int ok);

#endif
