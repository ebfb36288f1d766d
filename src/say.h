/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Messages on standard error, worded as warn(3) words them ("acp: what:
 * why"), the last one of each thread kept so that --log can give an
 * entry's failure in the words it was said in.  A file that says things
 * includes this after <err.h>: warn, warnx, warnc and vwarnc are then
 * these.
 */
#ifndef ACP_SAY_H
#define ACP_SAY_H

#include <err.h>
#include <stdarg.h>
#include <stddef.h>

void	say_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	say_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	say_warnc(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	say_vwarnc(int code, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#define warn	say_warn
#define warnx	say_warnx
#define warnc	say_warnc
#define vwarnc	say_vwarnc

/*
 * The last message this thread said (without "acp: "), or "" after
 * say_forget(); *code: its errno, 0 for none.
 */
const char *say_last(int *code);

/*
 * Say where in the input the messages that follow are from ("list:12",
 * a name's place in --files-from), before each: "acp: list:12: what:
 * why".  NULL for nowhere.  The place said until now is returned, to be
 * put back.  say_here(): the place said now.
 */
const char *say_where(const char *where);
const char *say_here(void);

/* Forget the last message: what is said next is a new entry's. */
void	say_forget(void);

/* The name of an errno value ("ENOENT"), or NULL for one not known. */
const char *say_errno_name(int code);

#endif
