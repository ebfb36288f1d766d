/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * warn(3)'s words, with the last message kept (say.h).  A message is
 * formatted once, into a buffer of the thread's; a longer one than the
 * buffer is printed whole and kept cut.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"

/* Enough for two paths of a usual length and the reason. */
#define SAY_KEPT	4096

static _Thread_local char	said[SAY_KEPT];
static _Thread_local int	said_code;
static _Thread_local const char	*said_where;

static void	say(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
say(int code, const char *fmt, va_list ap)
{
	va_list	 again;
	size_t	 len = 0, start;
	int	 n;

	va_copy(again, ap);
	said[0] = '\0';
	if (said_where != NULL)
		(void)snprintf(said, sizeof(said), "%s: ", said_where);
	start = strlen(said);
	if (fmt != NULL) {
		n = vsnprintf(said + start, sizeof(said) - start, fmt, ap);
		len = start + (n < 0 ? 0 : (size_t)n);
	}
	flockfile(stderr);
	fprintf(stderr, "%s: ", getprogname());
	if (len < sizeof(said))
		fputs(said, stderr);
	else {
		fputs(said_where != NULL ? said_where : "", stderr);
		fputs(said_where != NULL ? ": " : "", stderr);
		vfprintf(stderr, fmt, again);
	}
	if (code != 0)
		fprintf(stderr, "%s%s", fmt != NULL ? ": " : "",
		    strerror(code));
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(again);
	if (code != 0) {
		len = strlen(said);
		(void)snprintf(said + len, sizeof(said) - len, "%s%s",
		    fmt != NULL ? ": " : "", strerror(code));
	}
	said_code = code;
}

void
say_vwarnc(int code, const char *fmt, va_list ap)
{
	int	saved = errno;

	say(code, fmt, ap);
	errno = saved;
}

void
say_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	say_vwarnc(errno, fmt, ap);
	va_end(ap);
}

void
say_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	say_vwarnc(0, fmt, ap);
	va_end(ap);
}

void
say_warnc(int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	say_vwarnc(code, fmt, ap);
	va_end(ap);
}

const char *
say_last(int *code)
{
	if (code != NULL)
		*code = said_code;
	return said;
}

const char *
say_where(const char *where)
{
	const char	*was = said_where;

	said_where = where;
	return was;
}

const char *
say_here(void)
{
	return said_where;
}

void
say_forget(void)
{
	said[0] = '\0';
	said_code = 0;
}

const char *
say_errno_name(int code)
{
#ifdef HAVE_STRERRORNAME_NP
	return code > 0 ? strerrorname_np(code) : NULL;
#else
	(void)code;
	return NULL;
#endif
}
