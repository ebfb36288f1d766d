/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef ACP_CPABBREV_H
#define ACP_CPABBREV_H

struct option;

/*
 * Before getopt_long() over ours: spell out each abbreviation in argv
 * (up to "--") that names one option of GNU cp's but is ambiguous among
 * ours, so it keeps cp's meaning.  Replaced entries live for the run.
 */
void	cp_expand_abbreviations(int argc, char **argv,
	    const struct option *ours);

#endif
