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
/* --no-preserve=mode, asked by name: new entries get cp's default modes
 * (0666 or 0777 less the umask), not the source's. */
#define META_NO_MODE	0x40
/*
 * Not asked by the user: dst is a file this run created in a directory
 * with no default ACL, so it has no ACL of its own for meta_copy() to
 * remove (saves a call a file).
 */
#define META_FRESH	0x80
/*
 * Not asked by the user either: dst is a directory this run made, and
 * mkdir() gave it the set-group-ID bit of its set-group-ID parent.  It
 * keeps it whatever mode it is given, unless that is the source's mode
 * kept with set-ID or sticky bits (then set whole), as in cp, which sets
 * any other mode as an ACL, leaving such bits as they are.
 */
#define META_MADE_SGID	0x100
/*
 * Nor this: dst is a file this run made with the source's owner already
 * (so meta_open_mode() need not keep others from reading it meanwhile).
 */
#define META_OWNED	0x200
/*
 * Nor this: dst was made with the mode that is to be kept (what it was
 * asked for less the umask): no chmod, unless an ACL written or removed
 * has changed it since.
 */
#define META_MODE_MADE	0x400

struct at;

/*
 * The mode a new copy of sst ends with when its mode is not kept,
 * before the umask: the source's permission bits, or the defaults under
 * META_NO_MODE.
 */
mode_t	meta_new_mode(const struct stat *sst, unsigned mask);

/*
 * A directory this run made with mkdir() (its mode then: made) is to be
 * given the metadata of the source whose stat is *st: mkdir() takes no
 * set-ID bits from the mode asked, so without META_MODE the source's are
 * taken off *st.  Returns META_MADE_SGID when mkdir gave it the bit of a
 * set-group-ID parent (the files made in it later then still take its
 * group, as with cp and mkdir(1)), else 0: to add to the mask.
 */
unsigned	meta_made_dir(struct stat *st, unsigned mask, mode_t made);

/*
 * The mode a new copy of sst is created with: meta_new_mode(), less the
 * group and other bits while ownership is still to be set (not with
 * META_OWNED), or their write bits while the mode is (and always a
 * directory's), so no one else can open it, or add to it, in between;
 * a directory is writable
 * and searchable by us while it fills.  When the mode is not kept, the
 * caller then calls meta_widen().
 */
mode_t	meta_open_mode(const struct stat *sst, unsigned mask);

/*
 * The mode a file created asking for mode created has under umask (with
 * the directory's set-group-ID bit, META_MADE_SGID in mask): where it is
 * all the copy is to have, no chmod follows.
 */
mode_t	meta_made_mode(mode_t created, unsigned mask, mode_t umask);

/*
 * A new copy of sst made with meta_open_mode(), its owner set: without
 * META_MODE, give it meta_new_mode() less umask where meta_open_mode()
 * less umask differs, as cp's chmod after its mkdir does (by fd, or by
 * name when fd is -1).  With META_NO_MODE, an access ACL it took from
 * its directory's default ACL is removed first (unless META_FRESH), and
 * the mode then set.  0, or -1 after a message.
 */
int	meta_widen(int fd, const struct at *, const struct stat *sst,
	    unsigned mask, mode_t umask);

/*
 * Has the directory dirfd (or, when it is -1, the one named dir) a
 * default ACL, so that what is made there takes it and not the umask?
 * 1, 0 (also where there are no ACLs), or -1 when that cannot be told.
 */
int	meta_dacl(int dirfd, const char *dir);

/* meta_dacl() of the directory that at is in. */
int	meta_in_dacl(const struct at *at);

/*
 * An --atomic temporary (fd), made in the directory of dst, which it is
 * to replace, takes dst's extended attributes but a file capability,
 * and with acl its POSIX ACL too (or none where dst has none), as cp
 * writing over dst in place leaves them (dst by its directory and name,
 * not following a symlink).  0, or -1 after a message naming dst.
 */
int	meta_attrs_from(int fd, const struct at *dst, int acl);

/*
 * fd, a file made for dst, loses the access ACL it took from its
 * directory's default ACL.  0, or -1 after a message naming dst.
 */
int	meta_drop_acl(int fd, const struct at *dst);

/*
 * Give dst (by fd, or by name without following a symlink when dfd is
 * -1) everything of src that the mask asks to keep, in this order: the
 * owner (a chown may drop set-ID bits and security.capability), the
 * extended attributes but the POSIX ACLs (with META_XATTR), the ACLs
 * (with META_MODE, as cp keeps them; an ACL dst has and src lacks, such
 * as one a new file took from its directory's default ACL, is removed,
 * unless META_FRESH), then the mode, then the times (any
 * write moves them).  A chown refused with EPERM is not an error: the
 * group is kept if it may be, the set-ID bits are not (cp's rule).  now:
 * dst's stat, or NULL: what dst has already is not set again (no change
 * of its ctime, no write to its inode; an extended attribute is read
 * back first and written only where its value differs).  How many of
 * owner, xattrs, mode and times it set, or -1 after a message naming
 * dst.
 */
int	meta_copy(int sfd, const struct at *src, int dfd, const struct at *dst,
	    const struct stat *st, unsigned mask, const struct stat *now);

/*
 * A copy that --resume found up to date (dst, whose stat is dst_st)
 * gets the source's owner and mode again where the mask keeps them and
 * they differ (with the extended attributes, as meta_copy(): a chown
 * drops some), as rsync -a does; its data and times are left.  0 when
 * nothing differed, 1 when set, -1 after a message.
 */
int	meta_refresh(const struct at *src, const struct at *dst,
	    const struct stat *dst_st, const struct stat *sst, unsigned mask);

/*
 * The same for a symbolic link that --resume found up to date (its
 * target the source's): its owner, and its times where the modification
 * time differs (not the access time alone, which reading the link to
 * compare it may move), by name without following it.
 */
int	meta_link_refresh(const struct at *src, const struct at *dst,
	    const struct stat *dst_st, const struct stat *sst, unsigned mask);

#endif
