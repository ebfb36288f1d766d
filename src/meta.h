/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Metadata: ownership, mode and timestamps, applied after the data (and,
 * for a directory, after its entries).  Through the file descriptor where
 * there is one, else by name without following a symlink, as OpenBSD cp's
 * setfile() does.  Policy (what to keep) comes in as a mask.
 */
#ifndef ACP_META_H
#define ACP_META_H

#include <sys/types.h>
#include <sys/stat.h>

#define META_MODE	0x01
#define META_OWNERSHIP	0x02
#define META_TIMESTAMPS	0x04
#define META_LINKS	0x08
#define META_XATTR	0x10
#define META_ALL	(META_MODE | META_OWNERSHIP | META_TIMESTAMPS | \
			    META_LINKS | META_XATTR)
/*
 * --preserve=context, asked by name: the SELinux context, which acp
 * does not copy (all asks only "where possible", as in cp).
 */
#define META_CONTEXT	0x20

struct at;

/*
 * Give fd (or at, when fd is -1) the metadata of st that the mask asks
 * for.  0, or -1 after a message naming at's path.  A chown refused with EPERM
 * is not an error, but then the set-user-ID and set-group-ID bits are not
 * kept (cp's rule).
 */
int	meta_apply(int fd, const struct at *at, const struct stat *st,
	    unsigned mask);

/*
 * Copy the extended attributes (all namespaces the caller may read and
 * write; POSIX ACLs are system.posix_acl_* among them) from src to dst,
 * by descriptor or, when a descriptor is -1, by name without following a
 * symlink.  0, or -1 after a message.  Filesystems without xattrs are not
 * an error.
 */
int	meta_copy_xattrs(int sfd, const struct at *src, int dfd,
	    const struct at *dst);

/*
 * Everything the mask asks to keep, in cp's order: the extended
 * attributes (not of a symlink), then mode, owner and times (meta_apply()
 * last, since a chown may clear set-id bits and times move on writes).
 * 0, or -1 after a message.
 */
int	meta_copy(int sfd, const struct at *src, int dfd, const struct at *dst,
	    const struct stat *st, unsigned mask);

#endif
