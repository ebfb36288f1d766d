/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * faultfs: a FUSE filesystem that fails on purpose, for the I/O error
 * tests.
 *
 *	faultfs [-s SIZE] [-e OFFSET] [-g DIR] [-r BYTES] MOUNTPOINT
 *	    [fuse options]
 *
 * It holds, each SIZE bytes of a fixed pattern (byte i is
 * (i * 31 + 7) & 0xff):
 *   good	read as it is;
 *   bad	reads at or past OFFSET fail with EIO (a read that starts
 *		before stops short at OFFSET, so the error lands there);
 *   short	every read returns at most BYTES (-r; 1000 unless told);
 *   moving	grows by 4096 bytes, and its mtime moves, at each of the
 *		first 100 reads after it is opened (a log being appended
 *		to, then quiet; each open starts it again from SIZE).
 *   gated	with -g, the first read after each open that reaches
 *		OFFSET stops there: it opens the FIFO DIR/reached for writing (so a test
 *		that reads it knows the reader is in the middle of the
 *		file) and then DIR/release for reading, and goes on when
 *		the test has written to it.  A barrier, for tests that
 *		must signal a copier at a known point, whatever the speed
 *		of the machine.  With -g, a file created under a name that
 *		starts with "gated" meets the same barrier before it is
 *		made (a create that the file system does not answer),
 *		and one under a name that starts with "stalled" meets
 *		it at its first write, before the write lands (a write
 *		that the file system does not answer).
 * Files created in it keep what is written up to OFFSET and fail with
 * EIO past it; those whose name starts with "corrupt" read back with the
 * byte at 100 flipped.  Everything is direct I/O, so the kernel passes
 * each request through as it is.  State is plain globals: run it
 * single-threaded (fuse's -s).
 */
#define FUSE_USE_VERSION 35

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CREATED	64

static off_t	fs_size = 4 << 20;
static off_t	fail_at = 1 << 20;
static off_t	short_len = 1000;	/* -r: /short's most per read */

static struct {
	char	 name[256];
	off_t	 size;
	mode_t	 mode;
	int	 stalled;	/* "stalled*": met the barrier */
	char	*data;	/* fail_at bytes */
} created[MAX_CREATED];
static int	ncreated;
static long	moving_reads;
static const char *gate_dir;	/* -g: the FIFOs of /gated's barrier */
static int	gate_passed;

static void	gate_wait(void);

static int
fixed_file(const char *path)
{
	return strcmp(path, "/good") == 0 || strcmp(path, "/bad") == 0 ||
	    strcmp(path, "/short") == 0 || strcmp(path, "/moving") == 0 ||
	    strcmp(path, "/gated") == 0;
}

static off_t
fixed_size(const char *path)
{
	if (strcmp(path, "/moving") == 0)
		return fs_size + moving_reads * 4096;
	return fs_size;
}

static int
find_created(const char *path)
{
	int	i;

	for (i = 0; i < ncreated; i++)
		if (strcmp(created[i].name, path + 1) == 0)
			return i;
	return -1;
}

static int
ffs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	int	i;

	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (fixed_file(path)) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = fixed_size(path);
		if (strcmp(path, "/moving") == 0)
			st->st_mtime = st->st_ctime = 1000000 + moving_reads;
		return 0;
	}
	if ((i = find_created(path)) >= 0) {
		st->st_mode = S_IFREG | created[i].mode;
		st->st_nlink = 1;
		st->st_size = created[i].size;
		return 0;
	}
	return -ENOENT;
}

static int
ffs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	int	i;

	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/") != 0)
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "good", NULL, 0, 0);
	fill(buf, "bad", NULL, 0, 0);
	fill(buf, "short", NULL, 0, 0);
	fill(buf, "moving", NULL, 0, 0);
	fill(buf, "gated", NULL, 0, 0);
	for (i = 0; i < ncreated; i++)
		fill(buf, created[i].name, NULL, 0, 0);
	return 0;
}

static int
ffs_open(const char *path, struct fuse_file_info *fi)
{
	if (!fixed_file(path) && find_created(path) < 0)
		return -ENOENT;
	if (strcmp(path, "/moving") == 0)
		moving_reads = 0;
	/* Each open of /gated meets the barrier once. */
	if (strcmp(path, "/gated") == 0)
		gate_passed = 0;
	fi->direct_io = 1;
	return 0;
}

static int
ffs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int	i;

	if (strncmp(path, "/gated", 6) == 0 && gate_dir != NULL)
		gate_wait();
	if ((i = find_created(path)) < 0) {
		if (ncreated == MAX_CREATED || strlen(path + 1) >= 256)
			return -ENOSPC;
		if ((created[ncreated].data = calloc(1, (size_t)fail_at)) ==
		    NULL)
			return -ENOMEM;
		i = ncreated++;
		snprintf(created[i].name, sizeof(created[i].name), "%s",
		    path + 1);
	}
	created[i].size = 0;
	created[i].mode = mode & 07777;
	created[i].stalled = 0;
	fi->direct_io = 1;
	return 0;
}

static int
ffs_read(const char *path, char *buf, size_t len, off_t off,
    struct fuse_file_info *fi)
{
	off_t	end, size;
	size_t	i;
	int	j;

	(void)fi;
	if ((j = find_created(path)) >= 0) {
		if (off >= created[j].size)
			return 0;
		end = off + (off_t)len > created[j].size ? created[j].size :
		    off + (off_t)len;
		memcpy(buf, created[j].data + off, (size_t)(end - off));
		if (strncmp(created[j].name, "corrupt", 7) == 0 &&
		    off <= 100 && end > 100)
			buf[100 - off] ^= (char)0xff;
		return (int)(end - off);
	}
	size = fixed_size(path);
	if (strcmp(path, "/moving") == 0 && moving_reads < 100)
		moving_reads++;
	if (off >= size)
		return 0;
	end = off + (off_t)len > size ? size : off + (off_t)len;
	if (strcmp(path, "/short") == 0 && end - off > short_len)
		end = off + short_len;
	if (strcmp(path, "/bad") == 0) {
		if (off >= fail_at)
			return -EIO;
		if (end > fail_at)
			end = fail_at;
	}
	if (strcmp(path, "/gated") == 0 && gate_dir != NULL && !gate_passed &&
	    end > fail_at) {
		/* Up to the gate now; what lies past it after the barrier. */
		if (off < fail_at)
			end = fail_at;
		else
			gate_wait();
	}
	for (i = 0; i < (size_t)(end - off); i++)
		buf[i] = (char)(((off + (off_t)i) * 31 + 7) & 0xff);
	return (int)(end - off);
}

/* /gated's barrier: tell the test we are there, wait for its word. */
static void
gate_wait(void)
{
	char	path[4096], byte;
	int	fd;

	snprintf(path, sizeof(path), "%s/reached", gate_dir);
	if ((fd = open(path, O_WRONLY)) >= 0)
		(void)close(fd);
	snprintf(path, sizeof(path), "%s/release", gate_dir);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		while (read(fd, &byte, 1) > 0)
			;
		(void)close(fd);
	}
	gate_passed = 1;
}

static int
ffs_write(const char *path, const char *buf, size_t len, off_t off,
    struct fuse_file_info *fi)
{
	int	i;

	(void)fi;
	if ((i = find_created(path)) < 0)
		return -EROFS;
	if (strncmp(created[i].name, "stalled", 7) == 0 && gate_dir != NULL &&
	    !created[i].stalled) {
		created[i].stalled = 1;
		gate_wait();
	}
	if (off + (off_t)len > fail_at)
		return -EIO;
	memcpy(created[i].data + off, buf, len);
	if (off + (off_t)len > created[i].size)
		created[i].size = off + (off_t)len;
	return (int)len;
}

static int
ffs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	int	i;

	(void)fi;
	if ((i = find_created(path)) < 0)
		return -EROFS;
	if (size > fail_at)
		return -EFBIG;
	created[i].size = size;
	return 0;
}

static int
ffs_unlink(const char *path)
{
	int	i;

	if ((i = find_created(path)) < 0)
		return -EROFS;
	free(created[i].data);
	created[i] = created[--ncreated];
	return 0;
}

static int
ffs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int	i;

	(void)fi;
	if ((i = find_created(path)) < 0)
		return -EROFS;
	created[i].mode = mode & 07777;
	return 0;
}

static int
ffs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	(void)fi;
	return 0;
}

/*
 * A file unlinked while open is removed at once, not hidden.  The kernel
 * sends a file's release in the background, so an unlink made just after
 * the last close (a failed copy's partial file removed) can reach us
 * before it; libfuse would then rename the file to .fuse_hidden..., and
 * with no rename here the unlink failed with ENOSYS (seen once in CI, in
 * tests/e2e/targets.sh).  The tests are about the copier, not that.
 */
static void *
ffs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->hard_remove = 1;
	return NULL;
}

static const struct fuse_operations ffs_ops = {
	.init = ffs_init,
	.getattr = ffs_getattr,
	.readdir = ffs_readdir,
	.open = ffs_open,
	.create = ffs_create,
	.read = ffs_read,
	.write = ffs_write,
	.truncate = ffs_truncate,
	.unlink = ffs_unlink,
	.chmod = ffs_chmod,
	.fsync = ffs_fsync,
};

int
main(int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "+s:e:g:r:")) != -1) {
		switch (ch) {
		case 's':
			fs_size = strtoll(optarg, NULL, 10);
			break;
		case 'e':
			fail_at = strtoll(optarg, NULL, 10);
			break;
		case 'g':
			gate_dir = optarg;
			break;
		case 'r':
			short_len = strtoll(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: faultfs [-s SIZE] [-e OFFSET] "
			    "[-g DIR] [-r BYTES] MOUNTPOINT [fuse options]\n");
			return 2;
		}
	}
	argv[optind - 1] = argv[0];
	return fuse_main(argc - optind + 1, argv + optind - 1, &ffs_ops,
	    NULL);
}
