/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ownership first (a chown may clear set-ID bits), then the mode, then
 * the timestamps last (anything else may move them).  Nanosecond times
 * through futimens/utimensat.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "meta.h"
#include "say.h"
#include "xattrconf.h"
#include "xmalloc.h"

static int	drop_acls(int, const struct at *, int, unsigned);

/* meta_copy_xattrs() only: leave security.capability out. */
#define XATTR_NO_CAP	0x10000
/*
 * And this: a file's own attributes carried to its replacement, all of
 * them, as a write in place leaves them (xattr.conf's skip lines are for
 * copies from another file).
 */
#define XATTR_OWN	0x20000

mode_t
meta_new_mode(const struct stat *sst, unsigned mask)
{
	int	dir = S_ISDIR(sst->st_mode);

	/* cp's mkdir() asks for the source's sticky bit. */
	if (mask & META_NO_MODE)
		return dir ? 0777 | (sst->st_mode & S_ISVTX) : 0666;
	return sst->st_mode & (dir ? 07777 : 0777);
}

unsigned
meta_made_dir(struct stat *st, unsigned mask, mode_t made)
{
	if (!(mask & META_MODE))
		st->st_mode &= ~(mode_t)(S_ISUID | S_ISGID);
	return (made & S_ISGID) ? META_MADE_SGID : 0;
}

/*
 * mode, as dst gets it: see META_MADE_SGID.  whole: mode is the source's
 * kept with its set-ID or sticky bits, which cp sets as they are.
 */
static mode_t
made_sgid(mode_t mode, unsigned mask, int whole)
{
	return (mask & META_MADE_SGID) && !whole ? mode | S_ISGID : mode;
}

mode_t
meta_open_mode(const struct stat *sst, unsigned mask)
{
	mode_t	mode = meta_new_mode(sst, mask);

	if ((mask & META_OWNERSHIP) && !(mask & META_OWNED))
		mode &= ~(mode_t)(S_IRWXG | S_IRWXO);
	else if ((mask & META_MODE) || S_ISDIR(sst->st_mode))
		mode &= ~(mode_t)(S_IWGRP | S_IWOTH);
	return S_ISDIR(sst->st_mode) ? mode | S_IRWXU : mode;
}

mode_t
meta_made_mode(mode_t created, unsigned mask, mode_t umask)
{
	return made_sgid(created & ~umask, mask, 0);
}

int
meta_widen(int fd, const struct at *at, const struct stat *sst, unsigned mask,
    mode_t umask)
{
	mode_t	mode = meta_new_mode(sst, mask);
	int	ret, dropped = 0;

	if (mask & META_MODE)
		return 0;
	/*
	 * --no-preserve=mode gives cp's default modes, and cp then sets
	 * them as the whole ACL: one taken from a default ACL goes (a
	 * directory's own default ACL, taken too, stays, as in cp).
	 */
	if ((mask & META_NO_MODE) && !(mask & META_FRESH) &&
	    !S_ISLNK(sst->st_mode) && (dropped = drop_acls(fd, at, 0, 0)) < 0)
		return -1;
	/*
	 * What the umask left of the mode it was made with may be all
	 * there is to it.  (Under a default ACL, which the kernel takes
	 * instead of the umask, that also leaves it as cp's mkdir does.)
	 */
	mode = made_sgid(mode & ~umask, mask, 0);
	if (dropped == 0 &&
	    meta_made_mode(meta_open_mode(sst, mask), mask, umask) == mode)
		return 0;
	if (fd >= 0)
		ret = fchmod(fd, mode);
	else
		ret = fchmodat(at->dirfd, at->name, mode, 0);
	if (ret < 0) {
		warn("cannot set permissions of '%s'", at->path);
		return -1;
	}
	return 0;
}

/*
 * chown: 0, 1 when refused with EPERM (not an error: the set-ID bits are
 * then not kept, cp's rule), -1 after a message.
 */
static int
meta_own(int fd, const struct at *at, const struct stat *st)
{
	int	ret;

	if (fd >= 0)
		ret = fchown(fd, st->st_uid, st->st_gid);
	else
		ret = fchownat(at->dirfd, at->name, st->st_uid, st->st_gid,
		    AT_SYMLINK_NOFOLLOW);
	if (ret == 0)
		return 0;
	if (errno != EPERM) {
		warn("cannot preserve ownership of '%s'", at->path);
		return -1;
	}
	/* Not ours to give away: keep the group if it is one of ours. */
	if (fd >= 0)
		(void)fchown(fd, (uid_t)-1, st->st_gid);
	else
		(void)fchownat(at->dirfd, at->name, (uid_t)-1, st->st_gid,
		    AT_SYMLINK_NOFOLLOW);
	return 1;
}

static int
meta_mode(int fd, const struct at *at, mode_t mode)
{
	int	ret;

	if (fd >= 0)
		ret = fchmod(fd, mode);
	else
		ret = fchmodat(at->dirfd, at->name, mode, 0);
	if (ret < 0) {
		warn("cannot preserve permissions of '%s'", at->path);
		return -1;
	}
	return 0;
}

static int
meta_times(int fd, const struct at *at, const struct stat *st)
{
	struct timespec	times[2];
	int		ret;

	times[0] = st->st_atim;
	times[1] = st->st_mtim;
	if (fd >= 0)
		ret = futimens(fd, times);
	else
		ret = utimensat(at->dirfd, at->name, times,
		    AT_SYMLINK_NOFOLLOW);
	if (ret < 0) {
		warn("cannot preserve times of '%s'", at->path);
		return -1;
	}
	return 0;
}

static int
no_xattrs(int err)
{
	return err == ENOTSUP || err == ENOSYS;
}

/* Where Linux keeps a POSIX ACL: a file's, and a directory's default. */
static const char *const acl_names[] = {
	"system.posix_acl_access",
	"system.posix_acl_default",
};

/* Which of acl_names n is, as a bit (1 << index), or 0. */
static unsigned
acl_name(const char *n)
{
	unsigned	i;

	for (i = 0; i < sizeof(acl_names) / sizeof(acl_names[0]); i++)
		if (strcmp(n, acl_names[i]) == 0)
			return 1u << i;
	return 0;
}

/*
 * Is the attribute n part of the mode (a POSIX ACL, or one xattr.conf
 * calls "permissions": an NFSv4 ACL), -1 for one it says to skip (but
 * with XATTR_OWN in mask), or 0?
 */
static int
mode_part(const char *n, unsigned mask)
{
	if (acl_name(n))
		return 1;
	switch (xattr_conf_action(n)) {
	case XATTR_SKIP:
		return (mask & XATTR_OWN) ? 0 : -1;
	case XATTR_PERMISSIONS:
		return 1;
	default:
		return 0;
	}
}

/* *buf (of *cap bytes, contents not kept) made at least need bytes. */
static void
buf_room(char **buf, size_t *cap, size_t need)
{
	if (need > *cap) {
		*cap = need;
		free(*buf);
		*buf = xmalloc(*cap);
	}
}

/*
 * Does dst (dfd, or by name dname) hold the attribute n with the value
 * val of len bytes already?  *buf (of *cap bytes) is the caller's, grown
 * here.
 */
static int
xattr_there(int dfd, const char *dname, const char *n, const char *val,
    ssize_t len, char **buf, size_t *cap)
{
	ssize_t	got;

	buf_room(buf, cap, (size_t)len + 1);
	/* One byte more than val: a longer value does not fit (ERANGE). */
	got = dfd >= 0 ? fgetxattr(dfd, n, *buf, *cap) :
	    lgetxattr(dname, n, *buf, *cap);
	return got == len && memcmp(*buf, val, (size_t)len) == 0;
}

/*
 * Copy the extended attributes (all namespaces the caller may read and
 * write) with META_XATTR, the POSIX ACLs with META_MODE (cp's rule: an
 * ACL is part of the mode, not an extended attribute), from src to dst, by
 * descriptor or, when a descriptor is -1, by name without following a
 * symlink; with compare, one dst holds with the same value already is
 * left alone (no new ctime).  *acls gets the acl_name() bits of the ACLs
 * src has.  How many were written, or -1 after a message.  Filesystems
 * without xattrs are not an error.
 */
static int
meta_copy_xattrs(int sfd, const struct at *sat, int dfd, const struct at *dat,
    unsigned mask, int compare, unsigned *acls)
{
	char		 sbuf[PATH_MAX], dbuf[PATH_MAX];
	const char	*src = sat->path, *dst = dat->path;
	const char	*sname = NULL, *dname = NULL;
	char		*names = NULL, *val = NULL, *n, *dval = NULL;
	ssize_t	 len, vlen;
	size_t	 vcap = 0, dcap = 0;
	int	 ret = 0, written = 0, part;

	*acls = 0;
	if (sfd < 0)
		sname = at_xattr_name(sat, sbuf, sizeof(sbuf));
	if (dfd < 0)
		dname = at_xattr_name(dat, dbuf, sizeof(dbuf));
	len = sfd >= 0 ? flistxattr(sfd, NULL, 0) : llistxattr(sname, NULL, 0);
	if (len <= 0) {
		if (len < 0 && !no_xattrs(errno)) {
			warn("cannot list extended attributes of '%s'", src);
			return -1;
		}
		return 0;
	}
	names = xmalloc((size_t)len);
	len = sfd >= 0 ? flistxattr(sfd, names, (size_t)len) :
	    llistxattr(sname, names, (size_t)len);
	if (len < 0) {
		warn("cannot list extended attributes of '%s'", src);
		free(names);
		return -1;
	}
	for (n = names; n < names + len; n += strlen(n) + 1) {
		if ((part = mode_part(n, mask)) < 0 ||
		    !(part ? mask & META_MODE : mask & META_XATTR) ||
		    ((mask & XATTR_NO_CAP) &&
		    strcmp(n, "security.capability") == 0))
			continue;
		vlen = sfd >= 0 ? fgetxattr(sfd, n, NULL, 0) :
		    lgetxattr(sname, n, NULL, 0);
		if (vlen < 0)
			continue;	/* gone, or not ours to read */
		*acls |= acl_name(n);
		buf_room(&val, &vcap, (size_t)vlen + 1);
		vlen = sfd >= 0 ? fgetxattr(sfd, n, val, vcap) :
		    lgetxattr(sname, n, val, vcap);
		if (vlen < 0 || (compare &&
		    xattr_there(dfd, dname, n, val, vlen, &dval, &dcap)))
			continue;
		if ((dfd >= 0 ? fsetxattr(dfd, n, val, (size_t)vlen, 0) :
		    lsetxattr(dname, n, val, (size_t)vlen, 0)) < 0) {
			/* A non-root caller cannot write trusted.* etc. */
			if (errno == EPERM || no_xattrs(errno))
				continue;
			warn("cannot preserve extended attribute '%s' of '%s'",
			    n, dst);
			ret = -1;
		} else
			written++;
	}
	free(names);
	free(val);
	free(dval);
	return ret < 0 ? -1 : written;
}

/*
 * The ACLs dst has that are not to stay (all but the acl_name() bits in
 * keep: those its source has; a default ACL only on a directory) are
 * removed, as cp -p does: a new file takes its directory's default ACL,
 * which would otherwise outlive the mode set after.  How many were
 * removed, or -1 after a message.  Looked for first: removing one that
 * is not there succeeds as if it were (ext4), and the mode would be set
 * again.
 */
static int
drop_acls(int dfd, const struct at *dat, int dir, unsigned keep)
{
	char		 buf[PATH_MAX];
	const char	*dname = NULL;
	unsigned	 i, n = dir ? 2 : 1;
	int		 removed = 0, ret = 0, r;

	if (dfd < 0)
		dname = at_xattr_name(dat, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (keep & (1u << i))
			continue;
		r = dfd >= 0 ? (int)fgetxattr(dfd, acl_names[i], NULL, 0) :
		    (int)lgetxattr(dname, acl_names[i], NULL, 0);
		if (r >= 0)
			r = dfd >= 0 ? fremovexattr(dfd, acl_names[i]) :
			    lremovexattr(dname, acl_names[i]);
		if (r >= 0)
			removed++;
		else if (errno != ENODATA && !no_xattrs(errno)) {
			warn("cannot remove the ACL (%s) of '%s'",
			    acl_names[i], dat->path);
			ret = -1;
		}
	}
	return ret < 0 ? -1 : removed;
}

int
meta_dacl(int dirfd, const char *dir)
{
	if ((dirfd >= 0 ? fgetxattr(dirfd, acl_names[1], NULL, 0) :
	    getxattr(dir, acl_names[1], NULL, 0)) >= 0)
		return 1;
	return errno == ENODATA || no_xattrs(errno) ? 0 : -1;
}

int
meta_in_dacl(const struct at *at)
{
	char		 dir[PATH_MAX];
	const char	*slash = strrchr(at->path, '/');
	size_t		 len;

	if (slash == NULL)
		return meta_dacl(-1, ".");
	len = slash == at->path ? 1 : (size_t)(slash - at->path);
	if (len >= sizeof(dir)) {
		/* A long path: its directory is the descriptor's, if any. */
		return at->dirfd != AT_FDCWD && strchr(at->name, '/') == NULL ?
		    meta_dacl(at->dirfd, NULL) : -1;
	}
	memcpy(dir, at->path, len);
	dir[len] = '\0';
	return meta_dacl(-1, dir);
}

int
meta_attrs_from(int fd, const struct at *dst, int acl)
{
	unsigned	acls;

	/* A write drops a file capability, in place too. */
	if (meta_copy_xattrs(-1, dst, fd, dst, META_XATTR | XATTR_NO_CAP |
	    XATTR_OWN | (acl ? META_MODE : 0), 0, &acls) < 0)
		return -1;
	return acl && !(acls & 1) && drop_acls(fd, dst, 0, 0) < 0 ? -1 : 0;
}

int
meta_drop_acl(int fd, const struct at *dst)
{
	return drop_acls(fd, dst, 0, 0) < 0 ? -1 : 0;
}

int
meta_copy(int sfd, const struct at *src, int dfd, const struct at *dst,
    const struct stat *st, unsigned mask, const struct stat *now)
{
	mode_t		mode = st->st_mode & 07777;
	unsigned	acls = 0;
	int		ret = 0, set = 0, own = 0, n;
	int		made = (mask & META_MODE_MADE) != 0;

	if ((mask & META_OWNERSHIP) && !(mask & META_OWNED) && (now == NULL ||
	    now->st_uid != st->st_uid || now->st_gid != st->st_gid)) {
		if ((own = meta_own(dfd, dst, st)) < 0)
			ret = -1;
		else if (own > 0)
			mode &= ~(mode_t)(S_ISUID | S_ISGID);
		now = NULL;	/* a chown may drop set-ID bits */
		made = 0;
		set++;
	}
	/* A refused chown leaves cp a mode without those bits: an ACL. */
	mode = made_sgid(mode, mask, own == 0 && (mode & 07000) != 0);
	/* After the chown, which drops security.capability. */
	if ((mask & (META_XATTR | META_MODE)) && !S_ISLNK(st->st_mode)) {
		if ((n = meta_copy_xattrs(sfd, src, dfd, dst,
		    mask, now != NULL, &acls)) < 0)
			ret = -1;
		else if (n > 0) {
			now = NULL;	/* an ACL sets mode bits */
			made = 0;
			set++;
		}
	}
	if ((mask & META_MODE) && !(mask & META_FRESH) &&
	    !S_ISLNK(st->st_mode)) {
		if ((n = drop_acls(dfd, dst, S_ISDIR(st->st_mode), acls)) < 0)
			ret = -1;
		else if (n > 0) {
			/* Its group bits were the ACL's mask. */
			now = NULL;
			made = 0;
			set++;
		}
	}
	if ((mask & META_MODE) && !S_ISLNK(st->st_mode) && !made &&
	    (now == NULL || (now->st_mode & 07777) != mode)) {
		if (meta_mode(dfd, dst, mode) < 0)
			ret = -1;
		set++;
	}
	if ((mask & META_TIMESTAMPS) && (now == NULL ||
	    at_time_cmp(&now->st_atim, &st->st_atim) ||
	    at_time_cmp(&now->st_mtim, &st->st_mtim))) {
		if (meta_times(dfd, dst, st) < 0)
			ret = -1;
		set++;
	}
	return ret < 0 ? -1 : set;
}

/*
 * Open dst as a copy into it would (through a symlink there), to read
 * or, where it may not be read, to write without cutting it: by its
 * descriptor, nothing can be swapped in under the name meanwhile.
 */
static int
open_there(const struct at *dst)
{
	int	flags = O_NOCTTY | O_NONBLOCK | O_CLOEXEC, fd;

	if ((fd = openat(dst->dirfd, dst->name, flags | O_RDONLY)) < 0 &&
	    errno == EACCES)
		fd = openat(dst->dirfd, dst->name, flags | O_WRONLY);
	return fd;
}

/*
 * Would setting the owner that the mask keeps change dst?  Only what can
 * be set counts, or a copy of files owned by others, not made as root,
 * would be set again each run: an owner only by root, a group by root or
 * a member; and without the owner, *mode has no set-ID bits (meta_copy()'s
 * rule).  No call at all when the owner is the same.
 */
static int
owner_differs(const struct stat *dst_st, const struct stat *sst,
    unsigned mask, mode_t *mode)
{
	uid_t	euid;

	if (!(mask & META_OWNERSHIP) || (dst_st->st_uid == sst->st_uid &&
	    dst_st->st_gid == sst->st_gid))
		return 0;
	if ((euid = geteuid()) == 0)
		return 1;
	if (sst->st_uid != euid)
		*mode &= ~(mode_t)(S_ISUID | S_ISGID);
	return dst_st->st_gid != sst->st_gid && group_member(sst->st_gid);
}

int
meta_refresh(const struct at *src, const struct at *dst,
    const struct stat *dst_st, const struct stat *sst, unsigned mask)
{
	struct stat	now;
	mode_t		mode = sst->st_mode & 07777;
	int		fd, ret, own;

	mask &= META_OWNERSHIP | META_MODE | META_XATTR;
	own = owner_differs(dst_st, sst, mask, &mode);
	/* The common case, a file left alone: no call at all. */
	if (!own && !((mask & META_MODE) && (dst_st->st_mode & 07777) != mode))
		return 0;
	if ((fd = open_there(dst)) < 0) {
		warn("cannot open '%s' to set its owner and mode", dst->path);
		return -1;
	}
	if (fstat(fd, &now) < 0 || !at_same_file(&now, dst_st)) {
		warnx("'%s' changed while being looked at", dst->path);
		(void)close(fd);
		return -1;
	}
	ret = meta_copy(-1, src, fd, dst, sst, mask, &now);
	(void)close(fd);
	return ret < 0 ? -1 : 1;
}

int
meta_link_refresh(const struct at *src, const struct at *dst,
    const struct stat *dst_st, const struct stat *sst, unsigned mask)
{
	mode_t	mode = 0;

	mask &= META_OWNERSHIP | META_TIMESTAMPS;
	if (!owner_differs(dst_st, sst, mask, &mode) &&
	    !((mask & META_TIMESTAMPS) && at_time_cmp(&dst_st->st_mtim,
	    &sst->st_mtim)))
		return 0;
	return meta_copy(-1, src, -1, dst, sst, mask, dst_st) < 0 ? -1 : 1;
}
