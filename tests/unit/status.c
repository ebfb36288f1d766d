/* SPDX-License-Identifier: BSD-2-Clause */
/* Exit status precedence: signal, usage, mismatch, failure, changed. */
#include "config.h"

#include "../tap.h"
#include "status.h"

int
main(void)
{
	tap_plan(10);
	is(status_merge(0, 0), 0, "ok and ok is ok");
	is(status_merge(0, 1), 1, "a failure wins over ok");
	is(status_merge(1, 0), 1, "in either order");
	is(status_merge(4, 1), 1, "failure wins over a changed source");
	is(status_merge(1, 4), 1, "in either order");
	is(status_merge(1, 3), 3, "mismatch wins over failure");
	is(status_merge(3, 2), 2, "usage wins over mismatch");
	is(status_merge(2, 130), 130, "a signal wins over everything");
	is(status_merge(143, 3), 143, "SIGTERM too");
	is(status_merge(0, 4), 4, "changed wins over ok");
	return tap_done();
}
