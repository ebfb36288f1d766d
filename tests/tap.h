/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A very small TAP producer for the C unit tests: plan, ok, is, skip,
 * diag.  Each check prints one numbered line; tap_done() returns the exit
 * status (1 when any check failed), so a test's main ends with
 * "return tap_done();".
 */
#ifndef ACP_TAP_H
#define ACP_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int	tap_n;
static int	tap_failed;

static void
tap_plan(int n)
{
	printf("1..%d\n", n);
}

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ok() for two integers, showing both when they differ. */
#define is(got, want, ...) do {						\
	long long tap_g = (long long)(got), tap_w = (long long)(want);	\
	ok(tap_g == tap_w, __VA_ARGS__);				\
	if (tap_g != tap_w)						\
		printf("# got %lld, want %lld\n", tap_g, tap_w);	\
} while (0)

static void __attribute__((unused, format(printf, 1, 2)))
skip(const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("ok %d # SKIP ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void __attribute__((unused, format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int
tap_done(void)
{
	return tap_failed > 0;
}

#endif
