/* SPDX-License-Identifier: BSD-2-Clause */
#include "config.h"

#include <sys/types.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fstype.h"

/* Devices asked about, and the answers: replaced in turn. */
#define FSTYPE_KEPT	16
/* What a device's file system is known to do. */
#define FS_FUSE		1
#define FS_SYNCFS	2
#define FS_LOCAL	4
#define FS_MODES	8
#define FS_SOLO		16
#define FS_CLONES	32
/* statfs(2)'s f_type of btrfs (linux/magic.h's BTRFS_SUPER_MAGIC). */
#define FS_BTRFS_MAGIC	0x9123683e

int
mountinfo_parse(const char *line, dev_t *dev, const char **type,
    size_t *typelen)
{
	const char	*p = line, *sep;
	char		*end;
	unsigned long	 major, minor;
	int		 i;

	/* Past the mount's id and its parent's. */
	for (i = 0; i < 2; i++) {
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		p++;
	}
	major = strtoul(p, &end, 10);
	if (end == p || *end != ':')
		return -1;
	p = end + 1;
	minor = strtoul(p, &end, 10);
	if (end == p || *end != ' ')
		return -1;
	/* The optional fields end at a lone "-". */
	if ((sep = strstr(end, " - ")) == NULL)
		return -1;
	p = sep + 3;
	*typelen = strcspn(p, " \n");
	if (*typelen == 0)
		return -1;
	*type = p;
	*dev = makedev(major, minor);
	return 0;
}

int
fstype_is_fuse(const char *type, size_t len)
{
	return (len == 4 && strncmp(type, "fuse", 4) == 0) ||
	    (len == 7 && strncmp(type, "fuseblk", 7) == 0) ||
	    (len > 5 && strncmp(type, "fuse.", 5) == 0);
}

/* Is type (len bytes, not terminated) one of names? */
static int
type_in(const char *type, size_t len, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strlen(*names) == len && strncmp(type, *names, len) == 0)
			return 1;
	return 0;
}

int
fstype_syncfs_durable(const char *type, size_t len)
{
	static const char *const durable[] = {
		"ext3", "ext4", "xfs", "btrfs", NULL
	};

	return type_in(type, len, durable);
}

int
fstype_local(const char *type, size_t len)
{
	static const char *const local[] = {
		"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs",
		"f2fs", "bcachefs", "zfs", "vfat", "exfat", NULL
	};

	return type_in(type, len, local);
}

int
fstype_solo(const char *type, size_t len)
{
	/*
	 * No copy_file_range() of their own, nor clones across
	 * superblocks: since Linux 5.19 both stop at their superblock,
	 * which is one st_dev here (not so btrfs's and bcachefs's
	 * subvolumes; NFS, CIFS, FUSE may copy on the server).
	 */
	static const char *const solo[] = {
		"ext2", "ext3", "ext4", "xfs", "tmpfs", "ramfs", "f2fs",
		"vfat", "exfat", NULL
	};

	return type_in(type, len, solo);
}

int
fstype_clones(const char *type, size_t len)
{
	/* FICLONE between two of its files (xfs: made with reflink=1). */
	static const char *const clones[] = {
		"btrfs", "xfs", "bcachefs", "ocfs2", "zfs", NULL
	};

	return type_in(type, len, clones);
}

int
fstype_keeps_modes(const char *type, size_t len)
{
	/* Their modes come from the mount's uid, gid, fmask and dmask. */
	static const char *const fixed[] = {
		"vfat", "exfat", NULL
	};

	return fstype_local(type, len) && !type_in(type, len, fixed);
}

/*
 * Look dev up in mountinfo: its FS_* traits, 0 if not found.  A btrfs
 * file's st_dev is its subvolume's, which mountinfo does not list: with
 * fd (one of dev's files, or -1), it is known by its magic instead.
 */
static int
lookup(dev_t dev, int fd)
{
	struct statfs	 sfs;
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0, len;
	const char	*type;
	dev_t		 got;
	int		 traits = 0;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return 0;
	while (getline(&line, &cap, fp) > 0)
		if (mountinfo_parse(line, &got, &type, &len) == 0 &&
		    got == dev) {
			traits = (fstype_is_fuse(type, len) ? FS_FUSE : 0) |
			    (fstype_syncfs_durable(type, len) ? FS_SYNCFS : 0) |
			    (fstype_local(type, len) ? FS_LOCAL : 0) |
			    (fstype_keeps_modes(type, len) ? FS_MODES : 0) |
			    (fstype_solo(type, len) ? FS_SOLO : 0) |
			    (fstype_clones(type, len) ? FS_CLONES : 0);
			break;
		}
	free(line);
	(void)fclose(fp);
	if (traits == 0 && fd >= 0 && fstatfs(fd, &sfs) == 0 &&
	    sfs.f_type == FS_BTRFS_MAGIC)
		traits = FS_SYNCFS | FS_LOCAL | FS_MODES | FS_CLONES;
	return traits;
}

/* dev's FS_* traits, looked up once (a few devices are kept). */
static int
fs_traits(dev_t dev, int fd)
{
	static struct {
		dev_t	dev;
		int	traits;
	}		kept[FSTYPE_KEPT];
	static unsigned	nkept, next;
	unsigned	i;

	for (i = 0; i < nkept; i++)
		if (kept[i].dev == dev)
			return kept[i].traits;
	i = nkept < FSTYPE_KEPT ? nkept++ : next++ % FSTYPE_KEPT;
	kept[i].dev = dev;
	kept[i].traits = lookup(dev, fd);
	return kept[i].traits;
}

int
fs_is_fuse(dev_t dev)
{
	return (fs_traits(dev, -1) & FS_FUSE) != 0;
}

int
fs_syncfs_durable(dev_t dev, int fd)
{
	return (fs_traits(dev, fd) & FS_SYNCFS) != 0;
}

int
fs_is_local(dev_t dev, int fd)
{
	return (fs_traits(dev, fd) & FS_LOCAL) != 0;
}

int
fs_keeps_modes(dev_t dev, int fd)
{
	return (fs_traits(dev, fd) & FS_MODES) != 0;
}

int
fs_is_solo(dev_t dev, int fd)
{
	return (fs_traits(dev, fd) & FS_SOLO) != 0;
}

int
fs_may_clone(dev_t dev, int fd)
{
	return (fs_traits(dev, fd) & FS_CLONES) != 0;
}
