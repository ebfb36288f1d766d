/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exit statuses (DESIGN.md, man/acp.1 EXIT STATUS) and how several
 * outcomes of one run combine into one.
 */
#ifndef ACP_STATUS_H
#define ACP_STATUS_H

#define ACP_EXIT_OK		0	/* all copied (and verified) */
#define ACP_EXIT_FAIL		1	/* at least one file not copied */
#define ACP_EXIT_USAGE		2	/* bad usage, nothing done */
#define ACP_EXIT_MISMATCH	3	/* checksum or verification mismatch */
#define ACP_EXIT_CHANGED	4	/* a source changed while read */
#define ACP_EXIT_SIGNAL		128	/* plus the signal number */

/*
 * The status of a run in which both a and b happened: a signal first,
 * then usage, mismatch, failure, a changed source, success.
 */
int	status_merge(int a, int b);

#endif
