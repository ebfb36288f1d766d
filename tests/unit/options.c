/* SPDX-License-Identifier: BSD-2-Clause */
/* Size and count parsing, and the command line's range checks. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "meta.h"
#include "options.h"

static int
parse(struct options *opts, const char *a1, const char *a2, const char *a3)
{
	char	*argv[6];
	int	 argc = 0;

	argv[argc++] = (char *)"acp";
	if (a1 != NULL)
		argv[argc++] = (char *)a1;
	if (a2 != NULL)
		argv[argc++] = (char *)a2;
	if (a3 != NULL)
		argv[argc++] = (char *)a3;
	argv[argc] = NULL;
	optind = 0;	/* glibc: start over */
	return options_parse(opts, argc, argv);
}

/* Options a1 and a2 over the operands s and d. */
static int
parse2(struct options *opts, const char *a1, const char *a2)
{
	char	*argv[] = { (char *)"acp", (char *)a1, (char *)a2,
		    (char *)"s", (char *)"d", NULL };

	optind = 0;
	return options_parse(opts, 5, argv);
}

int
main(void)
{
	struct options	opts;
	uint64_t	v = 0;
	long long	n = 0;

	tap_plan(64);

	is(options_parse_size("4096", &v), 0, "plain number parses");
	is(v, 4096, "plain number value");
	is(options_parse_size("4K", &v), 0, "K suffix parses");
	is(v, 4096, "4K is 4096");
	is(options_parse_size("1m", &v), 0, "lower-case m parses");
	is(v, 1 << 20, "1m is 1 MiB");
	is(options_parse_size("2G", &v), 0, "G suffix parses");
	is(v, (uint64_t)2 << 30, "2G is 2 GiB");
	ok(options_parse_size("", &v) < 0, "empty size refused");
	ok(options_parse_size("-1", &v) < 0, "negative size refused");
	ok(options_parse_size("+1", &v) < 0, "signed size refused");
	ok(options_parse_size("1X", &v) < 0, "unknown suffix refused");
	ok(options_parse_size("abc", &v) < 0, "letters refused");
	is(options_parse_size("99999999999999999999", &v), -ERANGE,
	    "overflow is ERANGE");

	is(options_parse_count("64", 1, 4096, &n), 0, "count parses");
	is(n, 64, "count value");
	is(options_parse_count("0", 1, 4096, &n), -ERANGE,
	    "count below range");
	is(options_parse_count("4097", 1, 4096, &n), -ERANGE,
	    "count above range");
	is(options_parse_count("1x", 1, 4096, &n), -EINVAL,
	    "count with junk");

	is(parse(&opts, "a", "b", NULL), OPTIONS_OK, "two operands parse");
	is(opts.queue_depth, ACP_DEFAULT_QUEUE_DEPTH, "default depth");
	is(opts.block_size, ACP_DEFAULT_BLOCK_SIZE, "default block size");
	is(parse(&opts, "--direct", "a", "b"), OPTIONS_OK, "--direct parses");
	is(opts.block_size, ACP_DEFAULT_DIRECT_BLOCK_SIZE,
	    "default block size with --direct");
	is(parse(&opts, "--block-size=256K", "a", "b"), OPTIONS_OK,
	    "--block-size=256K parses");
	is(opts.block_size, 256 * 1024, "a block size given stays");
	is(opts.engine, ENGINE_AUTO, "default engine is auto");
	is(parse(&opts, "--block-size=1", "a", "b"), OPTIONS_USAGE,
	    "block size 1 is refused");
	is(parse(&opts, "--block-size=128M", "a", "b"), OPTIONS_USAGE,
	    "block size over 64M is refused");
	is(parse(&opts, "--block-size=6000", "a", "b"), OPTIONS_USAGE,
	    "block size not a multiple of 4K is refused");
	is(parse(&opts, "--queue-depth=0", "a", "b"), OPTIONS_USAGE,
	    "queue depth 0 is refused");
	is(parse(&opts, "--queue-depth=4096", "--block-size=1M", "a"),
	    OPTIONS_USAGE, "4096 x 1M of buffers is refused");
	is(parse(&opts, "--engine=sync", "--block-size=64K", "a"),
	    OPTIONS_USAGE, "one operand is a usage error");
	is(parse(&opts, "--engine=sync", "--block-size=64K", "-T"),
	    OPTIONS_USAGE, "no operand is a usage error");
	is(parse(&opts, "-tA", "-tB", "s"), OPTIONS_OK, "-t twice parses");
	ok(opts.target_dir != NULL && strcmp(opts.target_dir, "A") == 0 &&
	    opts.nalso == 1 && strcmp(opts.also[0], "B") == 0,
	    "the second -t is one more destination");
	is(parse(&opts, "--also=C", "s", "d"), OPTIONS_OK, "--also parses");
	ok(opts.target_dir == NULL && opts.nalso == 1 &&
	    strcmp(opts.also[0], "C") == 0, "--also names a destination");
	is(parse(&opts, "--check=m", "--also=C", NULL), OPTIONS_USAGE,
	    "--check takes no --also");
	is(parse(&opts, "--resume", "s", "d"), OPTIONS_OK, "--resume parses");
	is(opts.resume, OPTIONS_RESUME_QUICK, "bare --resume is the quick check");
	is(parse(&opts, "--resume=checksum", "s", "d"), OPTIONS_OK,
	    "--resume=checksum parses");
	is(opts.resume, OPTIONS_RESUME_CONTENT, "--resume=checksum compares");
	is(parse(&opts, "--resume=all", "s", "d"), OPTIONS_USAGE,
	    "--resume takes only its words");
	ok(parse(&opts, "--resume", "-n", "s") == OPTIONS_USAGE &&
	    parse(&opts, "--resume", "-u", "s") == OPTIONS_USAGE &&
	    parse(&opts, "--resume", "--remove-destination", "s") ==
	    OPTIONS_USAGE && parse(&opts, "--resume", "-l", "s") ==
	    OPTIONS_USAGE, "--resume refuses -n, -u, --remove-destination, -l");
	is(parse(&opts, "--resume", "--update=all", "s"), OPTIONS_USAGE,
	    "one operand with --resume is still a usage error");
	is(parse(&opts, "--res", "s", "d"), OPTIONS_OK,
	    "--res abbreviates --resume");
	{
		char	*argv[ACP_MAX_TARGETS + 4];
		int	 i, argc = 0;

		argv[argc++] = (char *)"acp";
		for (i = 0; i < ACP_MAX_TARGETS; i++)
			argv[argc++] = (char *)"--also=x";
		argv[argc++] = (char *)"s";
		argv[argc++] = (char *)"d";
		argv[argc] = NULL;
		optind = 0;
		is(options_parse(&opts, argc, argv), OPTIONS_USAGE,
		    "more than ACP_MAX_TARGETS destinations are refused");
		optind = 0;
		argc -= 3;
		argv[argc++] = (char *)"s";
		argv[argc++] = (char *)"d";
		argv[argc] = NULL;
		is(options_parse(&opts, argc, argv), OPTIONS_OK,
		    "ACP_MAX_TARGETS destinations are taken");
	}
	{
		unsigned	m = 0;

		is(options_parse_preserve("mode,timestamps", &m), 0,
		    "preserve list parses");
		is(m, META_MODE | META_TIMESTAMPS, "mode,timestamps");
		is(options_parse_preserve("all", &m), 0, "all parses");
		is(m, META_ALL, "all is every attribute");
		ok(options_parse_preserve("mode,,links", &m) < 0 &&
		    options_parse_preserve("colour", &m) < 0,
		    "empty and unknown attributes refused");
	}
	{
		struct options_sources	big = { 1, (off_t)1 << 30, 1 };
		struct options_sources	s;
		size_t			bs;

		ok(parse(&opts, "--checksum", "a", "b") == OPTIONS_OK &&
		    options_block_for(&opts, &big) == ACP_BIG_BLOCK_SIZE,
		    "hashing a big cached file: big requests");
		s = big;
		s.biggest = ACP_BIG_SOURCE - 1;
		is(options_block_for(&opts, &s), ACP_DEFAULT_BLOCK_SIZE,
		    "not when every source is under ACP_BIG_SOURCE");
		s.biggest = ACP_BIG_SOURCE;
		is(options_block_for(&opts, &s), ACP_BIG_BLOCK_SIZE,
		    "a source of ACP_BIG_SOURCE bytes is big");
		s = big;
		s.all_cached = 0;
		is(options_block_for(&opts, &s), ACP_DEFAULT_BLOCK_SIZE,
		    "not when a big source is not cached");
		s = big;
		s.all_files = 0;
		is(options_block_for(&opts, &s), ACP_DEFAULT_BLOCK_SIZE,
		    "not when a source is a directory or special file");
		ok(parse(&opts, "a", "b", NULL) == OPTIONS_OK &&
		    options_block_for(&opts, &big) == ACP_DEFAULT_BLOCK_SIZE,
		    "not without a hash");
		bs = 0;
		if (parse2(&opts, "--checksum", "--block-size=128K") ==
		    OPTIONS_OK)
			bs = options_block_for(&opts, &big);
		is(bs, 128 * 1024, "not when --block-size is given");
		bs = 0;
		if (parse2(&opts, "--checksum", "--direct") == OPTIONS_OK)
			bs = options_block_for(&opts, &big);
		is(bs, ACP_DEFAULT_DIRECT_BLOCK_SIZE, "--direct keeps its own");
		bs = 0;
		if (parse2(&opts, "--checksum", "--queue-depth=4096") ==
		    OPTIONS_OK)
			bs = options_block_for(&opts, &big);
		is(bs, ACP_BIG_BLOCK_SIZE,
		    "the deepest queue takes big requests too");
		bs = 0;
		if (parse2(&opts, "--checksum", "--resume") == OPTIONS_OK)
			bs = options_block_for(&opts, &big);
		is(bs, ACP_DEFAULT_BLOCK_SIZE,
		    "not for --resume (two buffers a request)");
	}
	return tap_done();
}
