/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which file system a device's files live on, from /proc/self/mountinfo:
 * for the file systems whose reads can block the thread that submits
 * them even when asked not to (FUSE waits for its daemon, and for a free
 * request slot, in the submitter's own io_uring_enter()), and for those
 * whose syncfs() makes every file durable (--fsync's batches).
 */
#ifndef ACP_FSTYPE_H
#define ACP_FSTYPE_H

#include <sys/types.h>

#include <stddef.h>

/*
 * One line of mountinfo: its device (the third field, MAJOR:MINOR) and
 * its file system type (the first field after " - "), pointed into line.
 * 0, or -1 for a line that is not of that form.
 */
int	mountinfo_parse(const char *line, dev_t *dev, const char **type,
	    size_t *typelen);

/* Is this type FUSE's ("fuse", "fuseblk", "fuse.sshfs")? */
int	fstype_is_fuse(const char *type, size_t len);

/*
 * Does this type's syncfs() write, commit and flush all that fsync() of
 * each of its files would (ext3, ext4, xfs, btrfs)?
 */
int	fstype_syncfs_durable(const char *type, size_t len);

/*
 * Is this type a file system of this machine's own disks or memory,
 * whose stat calls answer at once (never waiting for a daemon or a
 * server: not FUSE, NFS, CIFS, ceph...)?
 */
int	fstype_local(const char *type, size_t len);

/*
 * Does this type give a file the mode its create asks (less the umask,
 * or as its directory's default ACL says), and keep a mode set then?
 * (Not vfat or exfat, whose modes come from how they were mounted.)
 */
int	fstype_keeps_modes(const char *type, size_t len);

/*
 * Do this type's copy_file_range() and clones reach only files of its own
 * device (st_dev)?  Then a copy to another device passes through memory.
 */
int	fstype_solo(const char *type, size_t len);

/*
 * May this type clone a file (FICLONE) within itself?  A hint only: the
 * clone is still asked, and may be refused.
 */
int	fstype_clones(const char *type, size_t len);

/*
 * Are dev's files on FUSE?  Read once per device (a few are kept); 0
 * when it cannot be told.
 */
int	fs_is_fuse(dev_t dev);

/*
 * fstype_syncfs_durable() of dev's file system, fd one of its files (for
 * a btrfs subvolume, not in mountinfo); 0 when it cannot be told.
 */
int	fs_syncfs_durable(dev_t dev, int fd);

/* fstype_local() of dev's file system (fd: as above); 0 when not told. */
int	fs_is_local(dev_t dev, int fd);

/* fstype_keeps_modes() of dev's file system (fd: as above); 0 likewise. */
int	fs_keeps_modes(dev_t dev, int fd);

/* fstype_solo() of dev's file system (fd: as above); 0 likewise. */
int	fs_is_solo(dev_t dev, int fd);

/* fstype_clones() of dev's file system (fd: as above); 0 likewise. */
int	fs_may_clone(dev_t dev, int fd);

#endif
