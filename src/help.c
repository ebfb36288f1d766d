/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --help: the synopsis, every option in the order of GNU cp's help and
 * then acp's own, and the exit statuses.  Kept in step with man/acp.1
 * and the completions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "options.h"

static void	usage_acp(void);

void
options_usage(void)
{
	printf("Usage: %s [OPTION]... SOURCE DEST\n"
	    "  or:  %s [OPTION]... SOURCE... DIRECTORY\n"
	    "  or:  %s [OPTION]... -t DIRECTORY SOURCE...\n"
	    "  or:  %s [OPTION]... --files-from=LIST DIRECTORY\n",
	    getprogname(), getprogname(), getprogname(), getprogname());
	printf("Copy SOURCE to DEST, or several SOURCEs into DIRECTORY, keeping\n"
	    "many reads and writes in flight through io_uring.\n"
	    "\n"
	    "  -a, --archive                same as -dR --preserve=all\n"
	    "  -d                           same as --no-dereference --preserve=links\n"
	    "      --attributes-only        copy no file data, only the attributes\n"
	    "  -b                           like --backup, but takes no argument\n"
	    "      --backup[=CONTROL]       keep each replaced destination: none, simple\n"
	    "                                 (NAME~), numbered (NAME.~N~), existing\n"
	    "                                 (numbered if some are; the default)\n"
	    "  -S, --suffix=SUFFIX          the suffix of simple backups (default ~)\n"
	    "  -f, --force                  if a destination cannot be opened, remove it\n"
	    "                                 and try again\n"
	    "  -i, --interactive            ask before overwriting (answer on stdin)\n"
	    "  -l, --link                   hard-link files instead of copying them\n"
	    "  -H                           follow symbolic links given as SOURCE\n"
	    "  -L, --dereference            always follow symbolic links in SOURCE\n"
	    "  -n, --no-clobber             do not overwrite an existing file\n"
	    "  -P, --no-dereference         never follow symbolic links in SOURCE\n"
	    "  -p                           same as --preserve=mode,ownership,timestamps\n"
	    "      --preserve[=ATTR_LIST]   keep these attributes: mode, ownership,\n"
	    "                                 timestamps, links, xattr, context, all\n"
	    "      --no-preserve=ATTR_LIST  do not keep these attributes\n"
	    "      --parents                copy each SOURCE to DIRECTORY/SOURCE, making\n"
	    "                                 the directories on the way\n"
	    "  -R, -r, --recursive          copy directories recursively\n"
	    "  -Z, --context[=CTX]          SELinux: accepted, as cp does without\n"
	    "                                 SELinux, and refused with it\n"
	    "  -s, --symbolic-link          make symbolic links instead of copying\n"
	    "  -u                           same as --update=older\n"
	    "      --update[=WHEN]          replace existing files: all, none, none-fail\n"
	    "                                 (exit 1 for each), older (the default:\n"
	    "                                 only where the destination is older)\n"
	    "      --remove-destination     remove an existing destination first\n"
	    "      --copy-contents          with -r, copy the contents of FIFOs and\n"
	    "                                 devices, not the special files\n"
	    "      --strip-trailing-slashes remove trailing slashes from each SOURCE\n"
	    "      --keep-directory-symlink follow symbolic links to directories in\n"
	    "                                 the destination\n"
	    "      --reflink[=WHEN]         share the source's blocks (FICLONE): auto\n"
	    "                                 (the default, when no checksum is asked),\n"
	    "                                 always (fail if it cannot), never\n"
	    "      --sparse=WHEN            holes in the copy: auto (the source's holes,\n"
	    "                                 the default), always (also runs of zeros),\n"
	    "                                 never\n"
	    "  -t, --target-directory=DIR   copy all SOURCE arguments into DIR\n"
	    "                                 (again: into each DIR as well)\n"
	    "      --also=DEST              copy to DEST too, taken as the main\n"
	    "                                 destination is\n"
	    "      --files-from=LIST        copy the SOURCEs named in LIST, one a line\n"
	    "                                 (- for stdin), read as the copy goes\n"
	    "      --files0-from=LIST       the same, each name ending in a NUL (as\n"
	    "                                 find -print0 writes them)\n"
	    "  -T, --no-target-directory    treat DEST as a normal file\n"
	    "  -v, --verbose                explain what is being done\n"
	    "  -x, --one-file-system        stay on this file system\n");
	usage_acp();
}

/* --help: acp's own options, and the exit statuses. */
static void
usage_acp(void)
{
	printf("      --engine=ENGINE          I/O engine: auto (default), uring, aio, sync\n"
	    "      --queue-depth=N          reads and writes in flight at once (default\n"
	    "                                 %d); up to 4N files are open at once\n"
	    "                                 (64N with --fsync, 16N of them copying)\n"
	    "      --block-size=SIZE        bytes per request, with K, M or G\n"
	    "                                 (default %dK; %dM with --direct; %dK\n"
	    "                                 hashing big cached files)\n"
	    "      --direct                 read and write with O_DIRECT where the\n"
	    "                                 filesystem allows, past the page cache\n"
	    "      --checksum[=ALGO]        hash every file while copying: xxh128\n"
	    "                                 (default), xxh3, xxh64, sha256, sha512,\n"
	    "                                 sha1, md5, blake2b\n"
	    "      --manifest=FILE          write the checksums to FILE (- for stdout)\n"
	    "                                 in the format of sha256sum, xxhsum, ...\n"
	    "      --manifest-relative      name files relative to the target directory\n"
	    "      --tag                    write BSD-style lines: ALGO (file) = hash\n"
	    "      --verify                 read each copy back past the page cache and\n"
	    "                                 compare its checksum (mismatch: exit 3)\n"
	    "      --check=FILE             check files against a manifest, copying\n"
	    "                                 nothing (like sha256sum -c)\n"
	    "      --atomic                 write each file to a temporary name beside\n"
	    "                                 it and rename it into place when complete\n"
	    "      --resume[=WHEN]          continue copies cut short and skip what is\n"
	    "                                 already there: quick (default) skips a\n"
	    "                                 file with the source's size and time and\n"
	    "                                 goes on with a copy acp kept from where\n"
	    "                                 it marked it whole; checksum compares\n"
	    "                                 every file; only blocks that differ are\n"
	    "                                 written\n"
	    "      --fsync                  flush each file's data, each destination\n"
	    "                                 directory, the manifest and the log to\n"
	    "                                 disk before succeeding\n"
	    "      --progress               show bytes, files, rate and ETA on a line of\n"
	    "                                 standard error as the copy goes\n"
	    "      --stats[=FORM]           print a summary at the end to standard\n"
	    "                                 output: human (default) or json\n"
	    "      --log=FILE               write a JSON line for each entry to FILE as\n"
	    "                                 it is done: copied, skipped, failed (with\n"
	    "                                 the error) or changed\n"
	    "      --debug                  say which engine copies and why, and how\n"
	    "                                 each file was copied\n"
	    "      --help                   display this help and exit\n"
	    "      --version                output version information and exit\n"
	    "\n"
	    "Exit status: 0 all copied, 1 some file not copied, 2 bad usage,\n"
	    "3 checksum or verification mismatch, 4 a source changed while copied,\n"
	    "130/143 interrupted.\n"
	    "See acp(1) for details.\n",
	    ACP_DEFAULT_QUEUE_DEPTH, ACP_DEFAULT_BLOCK_SIZE / 1024,
	    ACP_DEFAULT_DIRECT_BLOCK_SIZE / (1024 * 1024),
	    ACP_BIG_BLOCK_SIZE / 1024);
}
