/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seccomp-run: run a command with some system calls refused, the way a
 * container runtime's seccomp profile refuses io_uring_setup.
 *
 *	seccomp-run [-d SYSCALL[@N:VALUE]=ERRNO]... command [arg...]
 *
 * ERRNO is a name (EPERM, ENOSYS, EACCES) or a number.  With @N:VALUE,
 * only calls whose argument N (0 to 5) is VALUE are refused: fcntl@1:4
 * is fcntl(fd, F_SETFL, ...).  The filter is
 * inherited across execve(), so acp sees exactly what it would in such a
 * container: the call fails at once with that error.
 */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
errno_parse(const char *s)
{
	static const struct {
		const char	*name;
		int		 value;
	} names[] = {
		{ "EPERM", EPERM },
		{ "ENOSYS", ENOSYS },
		{ "EACCES", EACCES },
		{ "EINVAL", EINVAL },
		{ "ENOMEM", ENOMEM },
		{ "EAGAIN", EAGAIN },
	};
	size_t	i;
	char	*end;
	long	v;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > 4095)
		return -1;
	return (int)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: seccomp-run [-d SYSCALL[@N:VALUE]=ERRNO]... "
	    "command [arg...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	scmp_filter_ctx	 ctx;
	char		*eq, *at, *end;
	int		 ch, nr, err, ret, argn = -1;
	unsigned long	 value = 0;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		fprintf(stderr, "seccomp-run: seccomp_init failed\n");
		return 1;
	}
	while ((ch = getopt(argc, argv, "+d:")) != -1) {
		if (ch != 'd')
			usage();
		if ((eq = strchr(optarg, '=')) == NULL)
			usage();
		*eq = '\0';
		argn = -1;
		if ((at = strchr(optarg, '@')) != NULL) {
			*at++ = '\0';
			if (*at < '0' || *at > '5' || at[1] != ':')
				usage();
			argn = *at - '0';
			errno = 0;
			value = strtoul(at + 2, &end, 0);
			if (at[2] == '\0' || *end != '\0' || errno != 0)
				usage();
		}
		if ((nr = seccomp_syscall_resolve_name(optarg)) ==
		    __NR_SCMP_ERROR) {
			fprintf(stderr, "seccomp-run: unknown system call "
			    "'%s'\n", optarg);
			return 2;
		}
		if ((err = errno_parse(eq + 1)) < 0) {
			fprintf(stderr, "seccomp-run: bad errno '%s'\n",
			    eq + 1);
			return 2;
		}
		if (argn < 0)
			ret = seccomp_rule_add(ctx,
			    SCMP_ACT_ERRNO((unsigned)err), nr, 0);
		else
			ret = seccomp_rule_add(ctx,
			    SCMP_ACT_ERRNO((unsigned)err), nr, 1,
			    SCMP_CMP((unsigned)argn, SCMP_CMP_EQ,
			    (scmp_datum_t)value));
		if (ret < 0) {
			fprintf(stderr, "seccomp-run: rule for '%s': %s\n",
			    optarg, strerror(-ret));
			return 1;
		}
	}
	if (optind >= argc)
		usage();
	if ((ret = seccomp_load(ctx)) < 0) {
		fprintf(stderr, "seccomp-run: seccomp_load: %s\n",
		    strerror(-ret));
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "seccomp-run: %s: %s\n", argv[optind],
	    strerror(errno));
	return 127;
}
