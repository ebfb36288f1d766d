/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The progress line.  The copier's thread calls progress_update() every
 * round; it returns at once unless the line is due (200 ms on a terminal,
 * 5 s otherwise), so the copy does not wait on the display.  A second
 * thread counts what is to be copied, reading only directories and
 * inodes, and publishes its totals under a lock the display takes once a
 * draw.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at.h"
#include "progress.h"
#include "stats.h"
#include "thread.h"

#define PROGRESS_TTY_NS		200000000LL	/* five draws a second */
#define PROGRESS_LOG_NS		5000000000LL	/* a log line each 5 s */

static volatile sig_atomic_t	winched = 1;

static void
on_winch(int sig)
{
	(void)sig;
	winched = 1;
}

static long long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL +
	    (b->tv_nsec - a->tv_nsec);
}

void
progress_init(struct progress *p, FILE *fp, const struct options *opts)
{
	struct sigaction	sa;

	memset(p, 0, sizeof(*p));
	p->fp = fp;
	p->opts = opts;
	p->tty = isatty(fileno(fp));
	p->width = 80;
	pthread_mutex_init(&p->lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	if (p->tty) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_winch;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(SIGWINCH, &sa, NULL);
	}
}

static int
count_stopped(struct progress *p)
{
	int	stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/* Count path (and below it, with -r) as the walker will copy it. */
static void
count_path(struct progress *p, const char *path, int top)
{
	const struct options	*opts = p->opts;
	struct dirent		*de;
	struct stat		 st;
	DIR			*dp;
	char			*child;
	off_t			 size;
	int			 follow, fd;

	follow = opts->deref == OPTIONS_DEREF_ALWAYS ||
	    (opts->deref == OPTIONS_DEREF_ARGS && top) ||
	    (opts->deref == OPTIONS_DEREF_DEFAULT && !opts->recursive);
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
		return;
	/* A block device read as a file (imaging a disk): its size. */
	if (S_ISBLK(st.st_mode) && (!opts->recursive || opts->copy_contents) &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if ((size = at_device_size(fd)) >= 0) {
			st.st_mode = S_IFREG;
			st.st_size = size;
		}
		(void)close(fd);
	}
	if (S_ISREG(st.st_mode)) {
		pthread_mutex_lock(&p->lock);
		p->total_files++;
		p->total_bytes += (uint64_t)st.st_size;
		pthread_mutex_unlock(&p->lock);
		return;
	}
	if (!S_ISDIR(st.st_mode) || !opts->recursive ||
	    (dp = opendir(path)) == NULL)
		return;
	while (!count_stopped(p) && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s/%s", path, de->d_name) < 0)
			break;
		count_path(p, child, 0);
		free(child);
	}
	(void)closedir(dp);
}

static void *
count_main(void *arg)
{
	struct progress		*p = arg;
	const struct options	*opts = p->opts;
	int			 i, n = opts->noperands;

	/* Every operand but the destination, unless -t named it. */
	if (opts->target_dir == NULL)
		n--;
	for (i = 0; i < n && !count_stopped(p); i++)
		count_path(p, opts->operands[i], 1);
	pthread_mutex_lock(&p->lock);
	p->counted = 1;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void
progress_count_start(struct progress *p)
{
	if (thread_start(&p->counter, count_main, p) == 0)
		p->counting = 1;
}

static void
eta_text(char *buf, size_t len, double secs)
{
	long	s = (long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

/* The rate: the last interval's, smoothed; at the end, the whole run's. */
static void
progress_rate(struct progress *p, uint64_t bytes, const struct timespec *now,
    int last)
{
	double	secs, r;

	secs = (double)ns_between(&p->last, now) / 1e9;
	if (secs > 0 && bytes >= p->last_bytes) {
		r = (double)(bytes - p->last_bytes) / secs;
		p->rate = p->rate == 0 ? r : 0.7 * p->rate + 0.3 * r;
	}
	if (last) {
		secs = (double)ns_between(&p->start, now) / 1e9;
		p->rate = secs > 0 ? (double)bytes / secs : 0;
	}
	p->last = *now;
	p->last_bytes = bytes;
}

/* What the line says; its length, or -1. */
static int
progress_format(struct progress *p, char *line, size_t size, uint64_t bytes,
    uint64_t files, const struct timespec *now, int last)
{
	char		done[8], total[8], rate[8], eta[32];
	uint64_t	tbytes, tfiles;
	int		counted, pct = -1;

	pthread_mutex_lock(&p->lock);
	tbytes = p->total_bytes;
	tfiles = p->total_files;
	counted = p->counted;
	pthread_mutex_unlock(&p->lock);
	if (counted && tbytes < bytes)
		tbytes = bytes;
	if (counted && tfiles < files)
		tfiles = files;

	stats_size(done, sizeof(done), bytes);
	stats_size(total, sizeof(total), tbytes);
	stats_size(rate, sizeof(rate), (uint64_t)p->rate);
	if (counted && tbytes > 0)
		pct = (int)(bytes * 100 / tbytes);
	else if (counted)
		pct = 100;
	if (last)
		snprintf(eta, sizeof(eta), "in %.1f s",
		    (double)ns_between(&p->start, now) / 1e9);
	else if (counted && p->rate > 0) {
		memcpy(eta, "ETA ", 4);
		eta_text(eta + 4, sizeof(eta) - 4,
		    (double)(tbytes - bytes) / p->rate);
	} else
		snprintf(eta, sizeof(eta), "ETA --:--");
	if (!p->counting && !counted)
		/* Nothing counts the totals (--check): what is done. */
		return snprintf(line, size, "%s%s  %llu files  %s/s%s%s",
		    p->tty ? "" : "acp: ", done, (unsigned long long)files, rate,
		    last ? "  " : "", last ? eta : "");
	if (pct >= 0 || last)
		return snprintf(line, size, "%s%s / %s  %3d%%  %llu / %llu "
		    "files  %s/s  %s", p->tty ? "" : "acp: ", done,
		    counted ? total : done, pct >= 0 ? pct : 100,
		    (unsigned long long)files,
		    (unsigned long long)(counted ? tfiles : files), rate, eta);
	/* Still counting: the totals are at least this. */
	return snprintf(line, size, "%s%s / >%s  %llu / >%llu files  %s/s  %s",
	    p->tty ? "" : "acp: ", done, total, (unsigned long long)files,
	    (unsigned long long)tfiles, rate, eta);
}

/* Draw the line now; last: the final state, without the file name. */
static void
progress_draw(struct progress *p, uint64_t bytes, uint64_t files,
    const char *current, const struct timespec *now, int last)
{
	struct winsize	ws;
	char		line[256];
	int		room;
	size_t		len, clen;

	if (p->tty && winched) {
		winched = 0;
		if (ioctl(fileno(p->fp), TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col > 0)
			p->width = ws.ws_col;
	}
	progress_rate(p, bytes, now, last);
	if (progress_format(p, line, sizeof(line), bytes, files, now,
	    last) < 0)
		return;
	len = strlen(line);
	if (!p->tty) {
		fprintf(p->fp, "%s\n", line);
		fflush(p->fp);
		return;
	}
	/* The current file, cut from the left to fit the width. */
	room = (int)p->width - 1 - (int)len - 2;
	if (len >= p->width)
		line[p->width > 1 ? p->width - 1 : 0] = '\0';
	fprintf(p->fp, "\r%s", line);
	if (!last && current != NULL && room > 4) {
		clen = strlen(current);
		if (clen > (size_t)room)
			fprintf(p->fp, "  ...%s", current + clen - (room - 3));
		else
			fprintf(p->fp, "  %s", current);
	}
	fputs("\033[K", p->fp);
	if (last)
		fputc('\n', p->fp);
	fflush(p->fp);
	p->drawn = 1;
}

void
progress_update(struct progress *p, uint64_t bytes, uint64_t files,
    const char *current)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ns_between(&p->last, &now) < (p->tty ? PROGRESS_TTY_NS :
	    PROGRESS_LOG_NS))
		return;
	progress_draw(p, bytes, files, current, &now, 0);
}

void
progress_end(struct progress *p, uint64_t bytes, uint64_t files)
{
	struct timespec	now;

	if (p->counting) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->counter, NULL);
		/* Stopped early or not, the totals are what was done. */
		p->counted = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	progress_draw(p, bytes, files, NULL, &now, 1);
	pthread_mutex_destroy(&p->lock);
}
