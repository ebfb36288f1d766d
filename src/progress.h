/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --progress: one line on stderr, redrawn at most five times a second on
 * a terminal (bytes done and total, percent, files, rate, ETA and the
 * current file, cut to the terminal's width, which SIGWINCH updates), or
 * a plain line every five seconds when stderr is not a terminal.
 *
 * The totals are counted by a thread that walks the sources ahead of the
 * copy (progress_count_start()); until it is done they show as "at
 * least", and there is no ETA.
 */
#ifndef ACP_PROGRESS_H
#define ACP_PROGRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "options.h"

struct progress {
	FILE		*fp;
	int		 tty;		/* redraw one line, else log lines */
	unsigned	 width;		/* the terminal's columns */
	struct timespec	 start;
	struct timespec	 last;		/* when the line was last drawn */
	uint64_t	 last_bytes;	/* bytes done at that time */
	double		 rate;		/* bytes a second, smoothed */
	int		 drawn;		/* something is on the line */

	/* Written by the counting thread, read under lock. */
	pthread_mutex_t	 lock;
	pthread_t	 counter;
	int		 counting;	/* the thread runs */
	int		 counted;	/* and has finished */
	int		 stop;		/* asked to stop early */
	uint64_t	 total_bytes;
	uint64_t	 total_files;
	const struct options *opts;
};

/* Start the display on fp (stderr); fp's being a terminal decides its form. */
void	progress_init(struct progress *, FILE *fp, const struct options *);

/* Start counting the sources' files and bytes in a thread. */
void	progress_count_start(struct progress *);

/*
 * Show bytes and files done so far, and the name of a file in flight
 * (may be NULL); rate-limited, so cheap to call often.
 */
void	progress_update(struct progress *, uint64_t bytes, uint64_t files,
	    const char *current);

/* Draw the last state, end the line, stop the counter, free. */
void	progress_end(struct progress *, uint64_t bytes, uint64_t files);

#endif
