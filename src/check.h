/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --check: hash every file a manifest names, through the copier's ring,
 * and print "name: OK" or "name: FAILED" as sha256sum -c does, in the
 * manifest's order.
 */
#ifndef ACP_CHECK_H
#define ACP_CHECK_H

#include <stdio.h>

struct copier;
struct options;
struct walk_stats;

/*
 * Check the manifest fp (called name in messages); ACP_EXIT_OK, _MISMATCH
 * for a mismatch, _FAIL for an unreadable file or a manifest with no
 * valid line.  ws (may be NULL) gets the count of errors.
 */
int	check_run(const struct options *, struct copier *, FILE *fp,
	    const char *name, struct walk_stats *ws);

#endif
