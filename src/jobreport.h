/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reporting a finished file.  Only the copier's modules include this
 * header.
 */
#ifndef ACP_JOBREPORT_H
#define ACP_JOBREPORT_H

struct copier;
struct cfile;
struct copy_job;

/*
 * Say what went wrong with f, unless it was said already: nothing for a
 * file a signal stopped, unless an existing file was partly overwritten.
 */
void	jobreport_error(const struct copier *, const struct cfile *);

/* Under --debug: how f's data moved (or was hashed), on stderr. */
void	jobreport_debug(const struct copier *, const struct cfile *);

/*
 * Keep what was said last in job->why (for --log), unless something was
 * kept already: the first word on a file is the one that counts.
 */
void	jobreport_said(struct copy_job *);

/* f failed with err (-errno), which its own message said already. */
void	jobreport_failed(struct cfile *, int err);

/* Count a file finished well in the run's figures. */
void	jobreport_count(struct copier *, const struct cfile *);

#endif
