/* SPDX-License-Identifier: BSD-2-Clause */
/* Exit status precedence; see status.h. */
#include "config.h"

#include "status.h"

static int
status_rank(int s)
{
	switch (s) {
	case ACP_EXIT_OK:
		return 0;
	case ACP_EXIT_CHANGED:
		return 1;
	case ACP_EXIT_FAIL:
		return 2;
	case ACP_EXIT_MISMATCH:
		return 3;
	case ACP_EXIT_USAGE:
		return 4;
	default:
		/* Signals, 128 + n, outrank everything. */
		return s > ACP_EXIT_SIGNAL ? 5 : 2;
	}
}

int
status_merge(int a, int b)
{
	return status_rank(b) > status_rank(a) ? b : a;
}
