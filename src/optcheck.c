/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What options_parse() checks once every option is read: defaults that
 * depend on other options, options that cannot go together, operands.
 */
#include "config.h"

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "copier.h"
#include "options.h"
#include "say.h"

/*
 * The checks after the loop: defaults that depend on other options,
 * conflicts, operands.  0, or -1 after a message.
 */
/*
 * --resume continues or keeps what is at each destination: not with
 * options that replace it, never replace it, or copy no data.
 */
static int
resume_conflicts(const struct options *opts)
{
	const char	*other = NULL;

	if (opts->noclobber || opts->update == OPTIONS_UPDATE_NONE ||
	    opts->update == OPTIONS_UPDATE_NONE_FAIL)
		other = "--no-clobber and --update=none";
	else if (opts->update == OPTIONS_UPDATE_OLDER)
		/* A partial copy is newer than its source: never resumed. */
		other = "--update (-u)";
	else if (opts->backup != OPTIONS_BACKUP_NONE ||
	    opts->remove_destination)
		other = "--backup and --remove-destination";
	else if (opts->link != OPTIONS_LINK_NONE || opts->attr_only)
		other = "--link, --symbolic-link and --attributes-only";
	if (other == NULL)
		return 0;
	warnx("--resume cannot be combined with %s", other);
	return -1;
}

static int list_check(struct options *);
static int replace_check(struct options *);

int
options_check(struct options *opts)
{
	opts->block_auto = opts->block_size == 0 && !opts->direct;
	if (opts->block_size == 0)
		opts->block_size = opts->direct ?
		    ACP_DEFAULT_DIRECT_BLOCK_SIZE : ACP_DEFAULT_BLOCK_SIZE;

	if ((uint64_t)opts->queue_depth * opts->block_size >
	    ACP_MAX_POOL_BYTES) {
		warnx("queue depth %u times block size %zu is more than 1G "
		    "of buffers", opts->queue_depth, opts->block_size);
		return -1;
	}
	if (opts->check != NULL) {
		if (opts->noperands > 0 || opts->target_dir != NULL ||
		    opts->files_from != NULL || opts->log != NULL ||
		    opts->nalso > 0 || opts->manifest != NULL || opts->verify ||
		    opts->resume != OPTIONS_RESUME_NONE) {
			warnx("--check takes no operands and no --manifest, "
			    "--verify or --resume: it copies nothing");
			return -1;
		}
		return 0;
	}
	if (opts->attr_only && (opts->algo != NULL || opts->manifest != NULL ||
	    opts->verify || opts->atomic || opts->link != OPTIONS_LINK_NONE)) {
		warnx("--attributes-only copies no data: it cannot be hashed, "
		    "made atomic or linked");
		return -1;
	}
	if (opts->reflink == COPY_REFLINK_ALWAYS && (opts->algo != NULL ||
	    opts->manifest != NULL || opts->verify)) {
		warnx("--reflink=always shares the data without reading it: "
		    "it cannot be hashed (--checksum, --manifest, --verify)");
		return -1;
	}
	/* A manifest or a verification needs hashes: the default one. */
	if ((opts->manifest != NULL || opts->verify) && opts->algo == NULL)
		opts->algo = checksum_find("xxh128");
	if (opts->log != NULL && opts->manifest != NULL &&
	    strcmp(opts->log, "-") == 0 && strcmp(opts->manifest, "-") == 0) {
		warnx("--log and --manifest cannot both be standard output");
		return -1;
	}
	if ((opts->tag || opts->manifest_relative) && opts->manifest == NULL) {
		warnx("--tag and --manifest-relative need --manifest");
		return -1;
	}
	if (opts->target_dir != NULL && opts->no_target_dir) {
		warnx("cannot combine --target-directory (-t) and "
		    "--no-target-directory (-T)");
		return -1;
	}
	if (opts->files_from != NULL)
		return list_check(opts);
	if (opts->noperands == 0) {
		warnx("missing file operand");
		return -1;
	}
	if (opts->noperands == 1 && opts->target_dir == NULL) {
		warnx("missing destination file operand after '%s'",
		    opts->operands[0]);
		return -1;
	}
	if (opts->no_target_dir && opts->noperands > 2) {
		warnx("extra operand '%s'", opts->operands[2]);
		return -1;
	}
	return replace_check(opts);
}

/* The operands with a list of sources: none but the destination. */
static int
list_check(struct options *opts)
{
	const char	*list = opts->files_from;

	if (opts->no_target_dir) {
		warnx("the sources of '%s' go into a directory: -T cannot "
		    "be used with --files-from or --files0-from", list);
		return -1;
	}
	if (opts->noperands > (opts->target_dir == NULL)) {
		warnx("extra operand '%s': the sources come from '%s'",
		    opts->operands[0], list);
		return -1;
	}
	if (opts->noperands == 0 && opts->target_dir == NULL) {
		warnx("missing destination: give -t DIR, or DIR after the "
		    "options, for the sources in '%s'", list);
		return -1;
	}
	if (strcmp(list, "-") == 0 && opts->interactive) {
		warnx("-i reads its answers from standard input: the list "
		    "cannot be read from there too");
		return -1;
	}
	return replace_check(opts);
}

/* What replacing, resuming and backups ask; 0, or -1 after a message. */
static int
replace_check(struct options *opts)
{
	if (opts->resume != OPTIONS_RESUME_NONE && resume_conflicts(opts) < 0)
		return -1;
	if (opts->backup != OPTIONS_BACKUP_NONE && opts->noclobber) {
		warnx("options --backup and --no-clobber are mutually "
		    "exclusive");
		return -1;
	}
	opts->posix = getenv("POSIXLY_CORRECT") != NULL;
	if (opts->suffix == NULL && (opts->suffix =
	    getenv("SIMPLE_BACKUP_SUFFIX")) == NULL)
		opts->suffix = "~";
	return 0;
}

size_t
options_block_for(const struct options *opts,
    const struct options_sources *src)
{
	if (!opts->block_auto || opts->algo == NULL || opts->check != NULL ||
	    opts->resume != OPTIONS_RESUME_NONE || opts->files_from != NULL)
		return opts->block_size;
	if (!src->all_files || src->biggest < ACP_BIG_SOURCE ||
	    !src->all_cached)
		return opts->block_size;
	return ACP_BIG_BLOCK_SIZE;
}

/* Any queue depth allowed can take the bigger requests. */
_Static_assert((uint64_t)ACP_MAX_QUEUE_DEPTH * ACP_BIG_BLOCK_SIZE <=
    ACP_MAX_POOL_BYTES, "the deepest queue's pool of big requests is "
    "more than ACP_MAX_POOL_BYTES");
