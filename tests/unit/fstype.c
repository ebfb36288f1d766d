/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mountinfo_parse(), fstype_is_fuse(), fstype_syncfs_durable(),
 * fstype_local(), fstype_keeps_modes(), fstype_solo() and
 * fstype_clones(): the device and the type of a mountinfo line, optional
 * fields or none, FUSE told from the rest, the file systems whose
 * syncfs() is trusted, those whose stat calls answer at once, those that
 * give a new file the mode asked, those whose copy_file_range() and
 * clones stay on one device, and those that clone.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "fstype.h"

static int
type_is(const char *line, dev_t dev, const char *type)
{
	const char	*t;
	size_t		 len;
	dev_t		 got;

	return mountinfo_parse(line, &got, &t, &len) == 0 && got == dev &&
	    len == strlen(type) && strncmp(t, type, len) == 0;
}

int
main(void)
{
	const char	*t;
	size_t		 len;
	dev_t		 dev;
	struct stat	 st;

	tap_plan(25);
	ok(type_is("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 "
	    "/dev/root rw,errors=continue\n", makedev(98, 0), "ext3"),
	    "the example of proc(5): device 98:0, ext3");
	ok(type_is("61 30 0:52 / /mnt/x rw,nosuid,nodev,relatime - "
	    "fuse.sshfs host:/ rw,user_id=0\n", makedev(0, 52),
	    "fuse.sshfs"), "no optional field: 0:52, fuse.sshfs");
	ok(type_is("1 2 259:3 / / rw shared:1 master:2 - xfs /dev/x rw",
	    makedev(259, 3), "xfs"), "two optional fields, no newline");
	ok(mountinfo_parse("36 35 98:0 /a /b rw ext3 /dev/root rw\n", &dev,
	    &t, &len) < 0, "no separator: refused");
	ok(mountinfo_parse("36 35 98-0 /a /b rw - ext3 x rw\n", &dev, &t,
	    &len) < 0, "no colon in the device: refused");
	ok(mountinfo_parse("36\n", &dev, &t, &len) < 0, "a cut line: refused");
	ok(fstype_is_fuse("fuse", 4) && fstype_is_fuse("fuseblk", 7) &&
	    fstype_is_fuse("fuse.sshfs", 10), "fuse, fuseblk, fuse.sshfs");
	ok(!fstype_is_fuse("fusectl", 7) && !fstype_is_fuse("fuse.", 5),
	    "fusectl is not, nor a bare fuse.");
	ok(!fstype_is_fuse("ext4", 4) && !fstype_is_fuse("tmpfs", 5),
	    "ext4, tmpfs are not");
	ok(fstype_syncfs_durable("ext4", 4) && fstype_syncfs_durable("ext3",
	    4) && fstype_syncfs_durable("xfs", 3) &&
	    fstype_syncfs_durable("btrfs", 5),
	    "syncfs makes every file durable: ext3, ext4, xfs, btrfs");
	ok(!fstype_syncfs_durable("ext2", 4) &&
	    !fstype_syncfs_durable("tmpfs", 5) &&
	    !fstype_syncfs_durable("nfs4", 4) &&
	    !fstype_syncfs_durable("fuse", 4) &&
	    !fstype_syncfs_durable("ext4x", 5) &&
	    !fstype_syncfs_durable("xf", 2),
	    "not ext2 (no flush), tmpfs, nfs4, fuse, nor a longer or shorter name");
	ok(fstype_local("ext4", 4) && fstype_local("xfs", 3) &&
	    fstype_local("btrfs", 5) && fstype_local("tmpfs", 5) &&
	    fstype_local("vfat", 4), "local: ext4, xfs, btrfs, tmpfs, vfat");
	ok(!fstype_local("fuse", 4) && !fstype_local("fuse.sshfs", 10) &&
	    !fstype_local("nfs", 3) && !fstype_local("nfs4", 4) &&
	    !fstype_local("cifs", 4) && !fstype_local("ceph", 4) &&
	    !fstype_local("overlay", 7) && !fstype_local("ext", 3) &&
	    !fstype_local("tmpfsx", 6),
	    "not local: fuse, sshfs, nfs, cifs, ceph, overlay, near names");
	ok(fstype_keeps_modes("ext4", 4) && fstype_keeps_modes("xfs", 3) &&
	    fstype_keeps_modes("btrfs", 5) && fstype_keeps_modes("tmpfs", 5),
	    "modes as asked: ext4, xfs, btrfs, tmpfs");
	ok(!fstype_keeps_modes("vfat", 4) && !fstype_keeps_modes("exfat", 5) &&
	    !fstype_keeps_modes("fuse", 4) && !fstype_keeps_modes("nfs4", 4) &&
	    !fstype_keeps_modes("vfa", 3),
	    "not vfat, exfat (the mount's modes), fuse, nfs4, a near name");
	ok(fstype_solo("ext4", 4) && fstype_solo("xfs", 3) &&
	    fstype_solo("tmpfs", 5) && fstype_solo("vfat", 4),
	    "one device's copies: ext4, xfs, tmpfs, vfat");
	ok(!fstype_solo("btrfs", 5) && !fstype_solo("bcachefs", 8) &&
	    !fstype_solo("nfs4", 4) && !fstype_solo("fuse", 4) &&
	    !fstype_solo("cifs", 4) && !fstype_solo("zfs", 3) &&
	    !fstype_solo("ext", 3),
	    "not btrfs, bcachefs (subvolumes), nfs4, fuse, cifs, zfs, a near name");
	ok(fstype_clones("btrfs", 5) && fstype_clones("xfs", 3) &&
	    fstype_clones("bcachefs", 8) && fstype_clones("zfs", 3),
	    "clones: btrfs, xfs, bcachefs, zfs");
	ok(!fstype_clones("ext4", 4) && !fstype_clones("tmpfs", 5) &&
	    !fstype_clones("nfs4", 4) && !fstype_clones("xf", 2),
	    "no clones: ext4, tmpfs, nfs4, a near name");
	/* This machine's root is in its own mountinfo, and is not FUSE. */
	ok(stat("/", &st) == 0 && !fs_is_fuse(st.st_dev),
	    "/ is not on FUSE");
	ok(!fs_is_fuse(makedev(4095, 1048575)), "an unknown device: no");
	ok(!fs_is_local(makedev(4095, 1048574), -1),
	    "an unknown device is not taken as local");
	ok(!fs_keeps_modes(makedev(4095, 1048573), -1),
	    "nor as keeping modes");
	ok(!fs_is_solo(makedev(4095, 1048572), -1),
	    "nor as copying on one device only");
	ok(!fs_may_clone(makedev(4095, 1048571), -1), "nor as cloning");
	return tap_done();
}
