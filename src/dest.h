/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destination file of a copy: opened new, in place, or as an
 * --atomic temporary beside it; committed (renamed into place) only when
 * whole; aborted (what this run made removed) when not.  Only the
 * copier's modules include this header.
 */
#ifndef ACP_DEST_H
#define ACP_DEST_H

#include <sys/types.h>
#include <sys/stat.h>

struct copier;
struct cfile;

/*
 * Open the existing destination to write it in place: without
 * truncating, then the same-file check on the opened files, then cut.
 * Under -f, one that cannot be opened is removed and made anew.  Sets
 * f->dfd, created, truncated and the data phase's dreg and dstream; 0,
 * or -1 after a message.
 */
int	dest_open_in_place(struct copier *, struct cfile *);

/*
 * --atomic: create the temporary file beside the destination (mode 0600
 * until the data is in; f->tmode is what it gets then).  0, or -1 after
 * a message.
 */
int	dest_open_temp(struct copier *, struct cfile *);

/*
 * The mode f's destination is created with where it is made by name
 * (meta_open_mode(): others kept out until the owner and mode are set;
 * need they not be kept from reading, as the owner is right already).
 */
mode_t	dest_create_mode(const struct cfile *);

/* The new file the ring created is f's destination. */
void	dest_created(struct cfile *, int fd);

/*
 * May f rewrite its existing destination in place now?  0 to go on
 * (f->x.finish set where a signal lets it finish), -1 to wait for the
 * other rewrites.  dest_inplace_done(): it no longer counts.
 */
int	dest_inplace_admit(struct copier *, struct cfile *);
void	dest_inplace_done(struct copier *, struct cfile *);

/* Put a whole --atomic copy in place; 0, or -1 after a message. */
int	dest_commit(struct cfile *);

/*
 * --resume: leave a partial copy for the next run, saying so, where it
 * holds data and can be found again (a new file under its own name, or
 * a marked temporary); 1 if kept, 0 if it is for dest_abort().
 */
/*
 * f's --resume temporary is whole: its mark goes before its metadata
 * (the source's xattrs, under -a) are set and it takes the name.
 */
void	dest_unmark(struct cfile *);

int	dest_keep(struct copier *, struct cfile *);

/* Remove what this run made of f's destination (a partial copy). */
void	dest_abort(struct cfile *);

#endif
