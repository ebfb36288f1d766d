/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Option parsing: one getopt_long loop with GNU cp's names for what cp
 * has, long names for what is acp's own, and the range checks after the
 * loop.  Usage errors say what is wrong and exit 2 with cp's hint line.
 */
#include "config.h"

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <libutil.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "copier.h"
#include "cpabbrev.h"
#include "options.h"
#include "say.h"
#include "stats.h"

enum {
	OPT_ENGINE = UCHAR_MAX + 1,
	OPT_ALSO,
	OPT_FILES_FROM,
	OPT_FILES0_FROM,
	OPT_LOG,
	OPT_QUEUE_DEPTH,
	OPT_BLOCK_SIZE,
	OPT_DEBUG,
	OPT_DIRECT,
	OPT_CHECKSUM,
	OPT_MANIFEST,
	OPT_MANIFEST_RELATIVE,
	OPT_TAG,
	OPT_VERIFY,
	OPT_CHECK,
	OPT_FSYNC,
	OPT_ATOMIC,
	OPT_PRESERVE,
	OPT_NO_PRESERVE,
	OPT_STATS,
	OPT_SPARSE,
	OPT_REFLINK,
	OPT_UPDATE,
	OPT_BACKUP,
	OPT_PARENTS,
	OPT_ATTRIBUTES_ONLY,
	OPT_REMOVE_DESTINATION,
	OPT_RESUME,
	OPT_COPY_CONTENTS,
	OPT_STRIP_TRAILING_SLASHES,
	OPT_KEEP_DIRECTORY_SYMLINK,
	OPT_PROGRESS,
	OPT_CONTEXT,
	OPT_HELP,
	OPT_VERSION,
};

static const char short_opts[] = "abdfHiLlnPprRsS:t:TuvxZ";

static const struct option long_opts[] = {
	{ "archive", no_argument, NULL, 'a' },
	{ "also", required_argument, NULL, OPT_ALSO },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "attributes-only", no_argument, NULL, OPT_ATTRIBUTES_ONLY },
	{ "backup", optional_argument, NULL, OPT_BACKUP },
	{ "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "checksum", optional_argument, NULL, OPT_CHECKSUM },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "direct", no_argument, NULL, OPT_DIRECT },
	{ "dereference", no_argument, NULL, 'L' },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "force", no_argument, NULL, 'f' },
	{ "files-from", required_argument, NULL, OPT_FILES_FROM },
	{ "files0-from", required_argument, NULL, OPT_FILES0_FROM },
	{ "fsync", no_argument, NULL, OPT_FSYNC },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "manifest", required_argument, NULL, OPT_MANIFEST },
	{ "manifest-relative", no_argument, NULL, OPT_MANIFEST_RELATIVE },
	{ "copy-contents", no_argument, NULL, OPT_COPY_CONTENTS },
	{ "interactive", no_argument, NULL, 'i' },
	{ "keep-directory-symlink", no_argument, NULL,
	    OPT_KEEP_DIRECTORY_SYMLINK },
	{ "link", no_argument, NULL, 'l' },
	{ "no-clobber", no_argument, NULL, 'n' },
	{ "no-dereference", no_argument, NULL, 'P' },
	{ "no-preserve", required_argument, NULL, OPT_NO_PRESERVE },
	{ "no-target-directory", no_argument, NULL, 'T' },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "parents", no_argument, NULL, OPT_PARENTS },
	{ "preserve", optional_argument, NULL, OPT_PRESERVE },
	{ "context", optional_argument, NULL, OPT_CONTEXT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "queue-depth", required_argument, NULL, OPT_QUEUE_DEPTH },
	{ "recursive", no_argument, NULL, 'r' },
	{ "reflink", optional_argument, NULL, OPT_REFLINK },
	{ "remove-destination", no_argument, NULL, OPT_REMOVE_DESTINATION },
	{ "resume", optional_argument, NULL, OPT_RESUME },
	{ "strip-trailing-slashes", no_argument, NULL,
	    OPT_STRIP_TRAILING_SLASHES },
	{ "suffix", required_argument, NULL, 'S' },
	{ "symbolic-link", no_argument, NULL, 's' },
	{ "update", optional_argument, NULL, OPT_UPDATE },
	{ "sparse", required_argument, NULL, OPT_SPARSE },
	{ "stats", optional_argument, NULL, OPT_STATS },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "target-directory", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void
usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
	    getprogname());
}

int
options_parse_size(const char *s, uint64_t *out)
{
	uint64_t	v;
	size_t		len = strlen(s);

	/*
	 * expand_number() would read "-1" as a huge unsigned value and
	 * clamps an overflowing number without failing: check both.
	 */
	if (len == 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	if (expand_number(s, &v) != 0)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int
options_parse_preserve(const char *list, unsigned *mask)
{
	static const struct {
		const char	*name;
		unsigned	 bits;
	} attrs[] = {
		{ "mode", META_MODE },
		{ "ownership", META_OWNERSHIP },
		{ "timestamps", META_TIMESTAMPS },
		{ "links", META_LINKS },
		{ "xattr", META_XATTR },
		{ "all", META_ALL },
		{ "context", META_CONTEXT },
	};
	const size_t	 n = sizeof(attrs) / sizeof(attrs[0]);
	const char	*p = list, *end;
	size_t		 i, len, found;

	*mask = 0;
	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		/* A name, or as in cp a prefix of only one ("owner"). */
		found = n;
		for (i = 0; len > 0 && i < n; i++) {
			if (strncmp(p, attrs[i].name, len) != 0)
				continue;
			if (strlen(attrs[i].name) == len) {
				found = i;
				break;
			}
			if (found != n)
				return -EINVAL;	/* ambiguous */
			found = i;
		}
		if (found == n)
			return -EINVAL;
		*mask |= attrs[found].bits;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

int
options_parse_count(const char *s, long long min, long long max,
    long long *out)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		/* errno is not reliable here across libbsd versions. */
		return strcmp(errstr, "invalid") == 0 ? -EINVAL : -ERANGE;
	*out = v;
	return 0;
}

/* The words an option takes, and what each one sets. */
struct word {
	const char	*name;
	int		 value;
};

static const struct word update_words[] = {
	{ "all", OPTIONS_UPDATE_ALL },
	{ "none", OPTIONS_UPDATE_NONE },
	{ "none-fail", OPTIONS_UPDATE_NONE_FAIL },
	{ "older", OPTIONS_UPDATE_OLDER },
	{ NULL, 0 },
};
static const struct word backup_words[] = {
	{ "none", OPTIONS_BACKUP_NONE },
	{ "off", OPTIONS_BACKUP_NONE },
	{ "simple", OPTIONS_BACKUP_SIMPLE },
	{ "never", OPTIONS_BACKUP_SIMPLE },
	{ "numbered", OPTIONS_BACKUP_NUMBERED },
	{ "t", OPTIONS_BACKUP_NUMBERED },
	{ "existing", OPTIONS_BACKUP_EXISTING },
	{ "nil", OPTIONS_BACKUP_EXISTING },
	{ NULL, 0 },
};
static const struct word reflink_words[] = {
	{ "auto", COPY_REFLINK_AUTO },
	{ "always", COPY_REFLINK_ALWAYS },
	{ "never", COPY_REFLINK_NEVER },
	{ NULL, 0 },
};
static const struct word resume_words[] = {
	{ "quick", OPTIONS_RESUME_QUICK },
	{ "checksum", OPTIONS_RESUME_CONTENT },
	{ NULL, 0 },
};
static const struct word sparse_words[] = {
	{ "auto", COPY_SPARSE_AUTO },
	{ "always", COPY_SPARSE_ALWAYS },
	{ "never", COPY_SPARSE_NEVER },
	{ NULL, 0 },
};

/*
 * Set *out from --opt's argument, one of words (bare: dflt, where the
 * argument is optional); 0, or -1 after a message listing them.
 */
static int
parse_word(const char *opt, const char *arg, const char *dflt,
    const struct word *words, int *out)
{
	const struct word	*w;

	if (arg == NULL)
		arg = dflt;
	for (w = words; arg != NULL && w->name != NULL; w++) {
		if (strcmp(arg, w->name) == 0) {
			*out = w->value;
			return 0;
		}
	}
	fprintf(stderr, "%s: invalid argument '%s' for '--%s': use",
	    getprogname(), arg != NULL ? arg : "", opt);
	for (w = words; w->name != NULL; w++)
		fprintf(stderr, "%s %s", w == words ? "" : w[1].name == NULL ?
		    " or" : ",", w->name);
	fputc('\n', stderr);
	return -1;
}

static int
parse_block_size(struct options *opts, const char *arg)
{
	uint64_t	v;

	if (options_parse_size(arg, &v) < 0) {
		warnx("invalid block size '%s'", arg);
		return -1;
	}
	if (v < ACP_MIN_BLOCK_SIZE || v > ACP_MAX_BLOCK_SIZE ||
	    v % ACP_MIN_BLOCK_SIZE != 0) {
		warnx("block size '%s' out of range: a multiple of 4K "
		    "from 4K to 64M", arg);
		return -1;
	}
	opts->block_size = (size_t)v;
	return 0;
}

static int
parse_queue_depth(struct options *opts, const char *arg)
{
	long long	v;
	int		ret;

	ret = options_parse_count(arg, 1, ACP_MAX_QUEUE_DEPTH, &v);
	if (ret == -ERANGE) {
		warnx("queue depth '%s' out of range: 1 to %d", arg,
		    ACP_MAX_QUEUE_DEPTH);
		return -1;
	}
	if (ret < 0) {
		warnx("invalid queue depth '%s'", arg);
		return -1;
	}
	opts->queue_depth = (unsigned)v;
	return 0;
}

static int
parse_engine(struct options *opts, const char *arg)
{
	if (engine_kind_parse(arg, &opts->engine) < 0) {
		warnx("invalid engine '%s': use auto, uring, aio or sync", arg);
		return -1;
	}
	if (!engine_kind_built(opts->engine)) {
		warnx("engine '%s' is not built into this acp", arg);
		return -1;
	}
	return 0;
}

/* --preserve[=LIST] (keep) and --no-preserve=LIST; 0 or -1. */
static int
parse_preserve(struct options *opts, int keep, const char *arg)
{
	unsigned	mask;

	if (arg == NULL)
		mask = META_MODE | META_OWNERSHIP | META_TIMESTAMPS;
	else if (options_parse_preserve(arg, &mask) < 0) {
		warnx("invalid attribute list '%s': use mode, ownership, "
		    "timestamps, links, xattr, context, all", arg);
		return -1;
	}
	if (keep)
		opts->preserve = (opts->preserve | mask) &
		    ~(mask & META_MODE ? (unsigned)META_NO_MODE : 0);
	else
		opts->preserve = (opts->preserve & ~mask) |
		    (mask & META_MODE ? META_NO_MODE : 0);
	return 0;
}

/* One more destination (--also, a second -t); 0, or -1 after a message. */
static int
add_also(struct options *opts, const char *dest)
{
	if (opts->nalso == ACP_MAX_TARGETS - 1) {
		warnx("at most %d destinations at once", ACP_MAX_TARGETS);
		return -1;
	}
	opts->also[opts->nalso++] = dest;
	return 0;
}

/*
 * What to copy and how to walk: cp's options for the tree, links,
 * attributes and targets.
 * 0 when taken, -1 after a message for a bad argument, 1 when ch is not
 * one of them.
 */
static int
parse_tree_option(struct options *opts, int ch)
{
	switch (ch) {
	case 'a':
		opts->recursive = 1;
		opts->deref = OPTIONS_DEREF_NEVER;
		opts->preserve = META_ALL;
		break;
	case 'd':
		opts->deref = OPTIONS_DEREF_NEVER;
		opts->preserve |= META_LINKS;
		break;
	case 'H':
		opts->deref = OPTIONS_DEREF_ARGS;
		break;
	case 'L':
		opts->deref = OPTIONS_DEREF_ALWAYS;
		break;
	case 'P':
		opts->deref = OPTIONS_DEREF_NEVER;
		break;
	case 'p':
		opts->preserve |= META_MODE | META_OWNERSHIP |
		    META_TIMESTAMPS;
		break;
	case 'r':
	case 'R':
		opts->recursive = 1;
		break;
	case 'Z':
	case OPT_CONTEXT:
		opts->context = 1;
		opts->context_arg = optarg;
		break;
	case OPT_PRESERVE:
	case OPT_NO_PRESERVE:
		return parse_preserve(opts, ch == OPT_PRESERVE, optarg);
	case OPT_PARENTS:
		opts->parents = 1;
		break;
	case OPT_ATTRIBUTES_ONLY:
		opts->attr_only = 1;
		break;
	case OPT_COPY_CONTENTS:
		opts->copy_contents = 1;
		break;
	case OPT_STRIP_TRAILING_SLASHES:
		opts->strip_slashes = 1;
		break;
	case OPT_KEEP_DIRECTORY_SYMLINK:
		opts->keep_dir_symlink = 1;
		break;
	case 't':
		/* A second -t is one more destination. */
		if (opts->target_dir != NULL)
			return add_also(opts, optarg);
		opts->target_dir = optarg;
		break;
	case OPT_ALSO:
		return add_also(opts, optarg);
	case OPT_FILES_FROM:
	case OPT_FILES0_FROM:
		if (opts->files_from != NULL) {
			warnx("one list of sources at most (--files-from or "
			    "--files0-from)");
			return -1;
		}
		opts->files_from = optarg;
		opts->files_delim = ch == OPT_FILES_FROM ? '\n' : '\0';
		break;
	case 'T':
		opts->no_target_dir = 1;
		break;
	case 'v':
		opts->verbose = 1;
		break;
	case 'x':
		opts->one_fs = 1;
		break;
	default:
		return 1;
	}
	return 0;
}

/*
 * What to do with an existing destination: cp's -f -i -n -u -l -s
 * -b -S, --update, --backup and --remove-destination.
 * 0 when taken, -1 after a message for a bad argument, 1 when ch is not
 * one of them.
 */
static int
parse_replace_option(struct options *opts, int ch)
{
	switch (ch) {
	case 'f':
		/* As in cp 9.1: -f leaves -i and -n as they are. */
		opts->force = 1;
		break;
	case 'n':
		/* -i and -n: the last one wins, as in cp. */
		opts->noclobber = 1;
		opts->interactive = 0;
		break;
	case 'i':
		opts->interactive = 1;
		opts->noclobber = 0;
		break;
	case 'l':
		opts->link = OPTIONS_LINK_HARD;
		break;
	case 's':
		opts->link = OPTIONS_LINK_SYMBOLIC;
		break;
	case 'u':
		opts->update = OPTIONS_UPDATE_OLDER;
		break;
	case 'b':
	case OPT_BACKUP:
		/* As cp: the argument, else $VERSION_CONTROL. */
		if (optarg == NULL)
			optarg = getenv("VERSION_CONTROL");
		if (optarg == NULL || optarg[0] == '\0')
			opts->backup = OPTIONS_BACKUP_EXISTING;
		else if (parse_word("backup", optarg, NULL, backup_words,
		    &opts->backup) < 0)
			return -1;
		break;
	case 'S':
		if (optarg[0] == '\0' || strchr(optarg, '/') != NULL) {
			warnx("invalid backup suffix '%s'", optarg);
			return -1;
		}
		opts->suffix = optarg;
		if (opts->backup == OPTIONS_BACKUP_NONE)
			opts->backup = OPTIONS_BACKUP_EXISTING;
		break;
	case OPT_UPDATE:
		if (parse_word("update", optarg, "older", update_words,
		    &opts->update) < 0)
			return -1;
		break;
	case OPT_REMOVE_DESTINATION:
		opts->remove_destination = 1;
		break;
	default:
		return 1;
	}
	return 0;
}

/*
 * acp's own options: engine, ring, checksums, safety, reporting.
 * 0 when taken, -1 after a message for a bad argument, 1 when ch is not
 * one of them.
 */
static int
parse_acp_option(struct options *opts, int ch)
{
	switch (ch) {
	case OPT_ENGINE:
		if (parse_engine(opts, optarg) < 0)
			return -1;
		break;
	case OPT_QUEUE_DEPTH:
		if (parse_queue_depth(opts, optarg) < 0)
			return -1;
		break;
	case OPT_BLOCK_SIZE:
		if (parse_block_size(opts, optarg) < 0)
			return -1;
		break;
	case OPT_DEBUG:
		opts->debug = 1;
		break;
	case OPT_DIRECT:
		opts->direct = 1;
		break;
	case OPT_CHECKSUM:
		if (optarg == NULL)
			optarg = (char *)"xxh128";
		if ((opts->algo = checksum_find(optarg)) == NULL) {
			warnx("invalid checksum '%s': use xxh128, xxh3, "
			    "xxh64, sha256, sha512, sha1, md5 or "
			    "blake2b", optarg);
			return -1;
		}
		break;
	case OPT_MANIFEST:
		opts->manifest = optarg;
		break;
	case OPT_LOG:
		opts->log = optarg;
		break;
	case OPT_MANIFEST_RELATIVE:
		opts->manifest_relative = 1;
		break;
	case OPT_TAG:
		opts->tag = 1;
		break;
	case OPT_VERIFY:
		opts->verify = 1;
		break;
	case OPT_CHECK:
		opts->check = optarg;
		break;
	case OPT_FSYNC:
		opts->fsync = 1;
		break;
	case OPT_ATOMIC:
		opts->atomic = 1;
		break;
	case OPT_RESUME:
		if (parse_word("resume", optarg, "quick", resume_words,
		    &opts->resume) < 0)
			return -1;
		break;
	case OPT_PROGRESS:
		opts->progress = 1;
		break;
	case OPT_REFLINK:
		if (parse_word("reflink", optarg, "always", reflink_words,
		    &opts->reflink) < 0)
			return -1;
		break;
	case OPT_SPARSE:
		if (parse_word("sparse", optarg, NULL, sparse_words,
		    &opts->sparse) < 0)
			return -1;
		break;
	case OPT_STATS:
		if ((opts->stats = stats_parse(optarg)) < 0) {
			warnx("invalid --stats form '%s': use human or "
			    "json", optarg);
			return -1;
		}
		break;
	default:
		return 1;
	}
	return 0;
}

int
options_parse(struct options *opts, int argc, char **argv)
{
	int	ch, ret;

	memset(opts, 0, sizeof(*opts));
	opts->engine = ENGINE_AUTO;
	opts->queue_depth = ACP_DEFAULT_QUEUE_DEPTH;
	opts->block_size = 0;		/* not given: by --direct, below */

	cp_expand_abbreviations(argc, argv, long_opts);
	while ((ch = getopt_long(argc, argv, short_opts, long_opts,
	    NULL)) != -1) {
		if (ch == OPT_HELP) {
			options_usage();
			return OPTIONS_EXIT;
		}
		if (ch == OPT_VERSION) {
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return OPTIONS_EXIT;
		}
		if ((ret = parse_tree_option(opts, ch)) == 1 &&
		    (ret = parse_replace_option(opts, ch)) == 1)
			ret = parse_acp_option(opts, ch);
		if (ret != 0)
			goto bad;
	}
	opts->operands = argv + optind;
	opts->noperands = argc - optind;
	if (options_check(opts) < 0)
		goto bad;
	return OPTIONS_OK;
bad:
	usage_hint();
	return OPTIONS_USAGE;
}
