/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destination policy as a decision table: options x what is at the
 * destination -> what to do.  policy_decide() is pure, so each row is
 * one call.
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include "../tap.h"
#include "meta.h"
#include "options.h"
#include "policy.h"
#include "samefile.h"

/* What is at the destination in a row. */
enum there {
	NOTHING,	/* absent */
	DANGLING,	/* a symlink to nothing */
	OLDER,		/* a regular file older than the source */
	NEWER,		/* a regular file newer than the source */
	SAME,		/* the source itself */
	DIRECTORY,
	FIFO,
};

struct row {
	const char	*what;
	enum policy_entry entry;
	enum there	 there;
	/* options */
	int		 noclobber, interactive, update, backup, remove, atomic;
	int		 link;
	/* expected */
	enum policy_act	 act;
	enum policy_why	 why;
	int		 ask, bkp, rm;
};

#define F	POLICY_FILE
#define B	POLICY_BYNAME
#define D	POLICY_DIR
#define NEW	POLICY_NEW
#define INPL	POLICY_IN_PLACE
#define REN	POLICY_RENAME
#define SKIP	POLICY_SKIP
#define REF	POLICY_REFUSE
#define UOLD	OPTIONS_UPDATE_OLDER
#define UNONE	OPTIONS_UPDATE_NONE
#define UFAIL	OPTIONS_UPDATE_NONE_FAIL
#define BSIM	OPTIONS_BACKUP_SIMPLE

static const struct row rows[] = {
	{ "file onto nothing", F, NOTHING, 0, 0, 0, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 0 },
	{ "file onto nothing, --atomic", F, NOTHING, 0, 0, 0, 0, 0, 1, 0,
	    REN, 0, 0, 0, 0 },
	{ "file onto a file", F, OLDER, 0, 0, 0, 0, 0, 0, 0,
	    INPL, 0, 0, 0, 0 },
	{ "file onto a file, --atomic", F, OLDER, 0, 0, 0, 0, 0, 1, 0,
	    REN, 0, 0, 0, 0 },
	{ "file onto a FIFO, --atomic: written into", F, FIFO, 0, 0, 0, 0, 0,
	    1, 0, INPL, 0, 0, 0, 0 },
	{ "file onto itself", F, SAME, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_SAME_FILE, 0, 0, 0 },
	{ "file onto itself, -n: still the same file", F, SAME, 1, 0, 0, 0, 0,
	    0, 0, REF, POLICY_WHY_SAME_FILE, 0, 0, 0 },
	{ "file onto a directory", F, DIRECTORY, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_DIR_WITH_NONDIR, 0, 0, 0 },
	{ "file onto a dangling symlink", F, DANGLING, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_DANGLING, 0, 0, 0 },
	{ "-n onto a file", F, OLDER, 1, 0, 0, 0, 0, 0, 0,
	    SKIP, 0, 0, 0, 0 },
	{ "--update=none onto a file", F, OLDER, 0, 0, UNONE, 0, 0, 0, 0,
	    SKIP, 0, 0, 0, 0 },
	{ "--update=none-fail onto a file", F, OLDER, 0, 0, UFAIL, 0, 0, 0, 0,
	    REF, POLICY_WHY_NOT_REPLACING, 0, 0, 0 },
	{ "-u onto an older file", F, OLDER, 0, 0, UOLD, 0, 0, 0, 0,
	    INPL, 0, 0, 0, 0 },
	{ "-u onto a newer file", F, NEWER, 0, 0, UOLD, 0, 0, 0, 0,
	    SKIP, 0, 0, 0, 0 },
	{ "-u onto nothing", F, NOTHING, 0, 0, UOLD, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 0 },
	{ "-i onto a file: ask, then in place", F, OLDER, 0, 1, 0, 0, 0, 0, 0,
	    INPL, 0, 1, 0, 0 },
	{ "-i onto nothing: no question", F, NOTHING, 0, 1, 0, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 0 },
	{ "-iu onto a newer file: no question", F, NEWER, 0, 1, UOLD, 0, 0, 0,
	    0, SKIP, 0, 0, 0, 0 },
	{ "-b onto a file: back up, then new", F, OLDER, 0, 0, 0, BSIM, 0, 0,
	    0, NEW, 0, 0, 1, 0 },
	{ "-b --atomic onto a file: back up, then by rename", F, OLDER, 0, 0,
	    0, BSIM, 0, 1, 0, REN, 0, 0, 1, 0 },
	{ "--remove-destination onto a file", F, OLDER, 0, 0, 0, 0, 1, 0, 0,
	    NEW, 0, 0, 0, 1 },
	{ "--remove-destination -l: the link code removes", F, OLDER, 0, 0, 0,
	    0, 1, 0, OPTIONS_LINK_HARD, INPL, 0, 0, 0, 0 },
	{ "-b wins over --remove-destination", F, OLDER, 0, 0, 0, BSIM, 1, 0,
	    0, NEW, 0, 0, 1, 0 },
	{ "symlink onto nothing", B, NOTHING, 0, 0, 0, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 0 },
	{ "symlink onto a file: removed first", B, OLDER, 0, 0, 0, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 1 },
	{ "symlink onto a file, --atomic: removed first", B, OLDER, 0, 0, 0, 0,
	    0, 1, 0, NEW, 0, 0, 0, 1 },
	{ "symlink onto a directory", B, DIRECTORY, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_DIR_WITH_NONDIR, 0, 0, 0 },
	{ "symlink onto a file, -n", B, OLDER, 1, 0, 0, 0, 0, 0, 0,
	    SKIP, 0, 0, 0, 0 },
	{ "symlink onto a file, -b", B, OLDER, 0, 0, 0, BSIM, 0, 0, 0,
	    NEW, 0, 0, 1, 0 },
	{ "directory onto nothing", D, NOTHING, 0, 0, 0, 0, 0, 0, 0,
	    NEW, 0, 0, 0, 0 },
	{ "directory onto a directory: merged", D, DIRECTORY, 0, 0, 0, 0, 0, 0,
	    0, INPL, 0, 0, 0, 0 },
	{ "directory onto a file", D, OLDER, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_NONDIR_WITH_DIR, 0, 0, 0 },
	{ "directory onto itself", D, SAME, 0, 0, 0, 0, 0, 0, 0,
	    REF, POLICY_WHY_DIR_INTO_ITSELF, 0, 0, 0 },
	{ "directory onto a directory, -n: merged all the same", D, DIRECTORY,
	    1, 0, 0, 0, 0, 0, 0, INPL, 0, 0, 0, 0 },
};

/* The source: a regular file (a directory for POLICY_DIR) at mtime 100. */
static void
make_src(const struct row *r, struct stat *src)
{
	memset(src, 0, sizeof(*src));
	src->st_dev = 1;
	src->st_ino = 10;
	src->st_mode = (r->entry == D ? S_IFDIR : S_IFREG) | 0644;
	src->st_mtim.tv_sec = 100;
}

static void
make_dst(const struct row *r, const struct stat *src, struct policy_dst *d)
{
	memset(d, 0, sizeof(*d));
	d->exists = r->there != NOTHING && r->there != DANGLING;
	d->dangling = r->there == DANGLING;
	d->st.st_dev = 1;
	d->st.st_ino = 20;
	d->st.st_mode = S_IFREG | 0644;
	d->st.st_mtim.tv_sec = r->there == NEWER ? 200 : 50;
	switch (r->there) {
	case SAME:
		d->st = *src;
		break;
	case DIRECTORY:
		d->st.st_mode = S_IFDIR | 0755;
		break;
	case FIFO:
		d->st.st_mode = S_IFIFO | 0644;
		break;
	default:
		break;
	}
}

/* --resume: what is there, against a source of 1000 bytes at mtime 100.5. */
struct resume_row {
	const char	*what;
	int		 mode;		/* OPTIONS_RESUME_* */
	int		 atomic, links;
	mode_t		 type;		/* of what is there; 0: nothing */
	off_t		 size;
	time_t		 sec;
	long		 nsec;
	nlink_t		 nlink;
	enum policy_act	 act;
	int		 uptodate, resume;
};

#define QUICK	OPTIONS_RESUME_QUICK
#define CONTENT	OPTIONS_RESUME_CONTENT

static const struct resume_row resume_rows[] = {
	{ "--resume: same size and time: skipped, up to date", QUICK, 0, 0,
	    S_IFREG, 1000, 100, 500, 1, SKIP, 1, 0 },
	{ "--resume: same size, another second: compared", QUICK, 0, 0,
	    S_IFREG, 1000, 101, 500, 1, INPL, 0, 1 },
	{ "--resume: same size, another nanosecond: compared", QUICK, 0, 0,
	    S_IFREG, 1000, 100, 501, 1, INPL, 0, 1 },
	{ "--resume: same time, shorter (cut short): compared", QUICK, 0, 0,
	    S_IFREG, 400, 100, 500, 1, INPL, 0, 1 },
	{ "--resume=checksum: same size and time: compared", CONTENT, 0, 0,
	    S_IFREG, 1000, 100, 500, 1, INPL, 0, 1 },
	{ "--resume: nothing there: a new file", QUICK, 0, 0,
	    0, 0, 0, 0, 0, NEW, 0, 0 },
	{ "--resume --atomic: nothing there: a temporary to look for",
	    QUICK, 1, 0, 0, 0, 0, 0, 0, REN, 0, 1 },
	{ "--resume --atomic: a different file: its temporary compared",
	    QUICK, 1, 0, S_IFREG, 400, 7, 0, 1, REN, 0, 1 },
	{ "--resume --atomic: same size and time: skipped", QUICK, 1, 0,
	    S_IFREG, 1000, 100, 500, 1, SKIP, 1, 0 },
	{ "--resume onto a FIFO: written into, not compared", QUICK, 0, 0,
	    S_IFIFO, 0, 100, 500, 1, INPL, 0, 0 },
	{ "--resume onto a directory: refused", QUICK, 0, 0,
	    S_IFDIR, 1000, 100, 500, 2, REF, 0, 0 },
	{ "--resume -a onto a file with other names: replaced, not compared",
	    QUICK, 0, 1, S_IFREG, 400, 7, 0, 2, NEW, 0, 0 },
	{ "--resume -a onto an up-to-date file with other names: skipped",
	    QUICK, 0, 1, S_IFREG, 1000, 100, 500, 2, SKIP, 1, 0 },
};

static void
test_resume(void)
{
	const size_t		n = sizeof(resume_rows) / sizeof(resume_rows[0]);
	struct options		opts;
	struct stat		src;
	struct policy_dst	d;
	struct policy		p;
	size_t			i;

	for (i = 0; i < n; i++) {
		const struct resume_row	*r = &resume_rows[i];

		memset(&opts, 0, sizeof(opts));
		opts.resume = r->mode;
		opts.atomic = r->atomic;
		opts.preserve = r->links ? META_LINKS : 0;
		memset(&src, 0, sizeof(src));
		src.st_dev = 1;
		src.st_ino = 10;
		src.st_mode = S_IFREG | 0644;
		src.st_size = 1000;
		src.st_mtim.tv_sec = 100;
		src.st_mtim.tv_nsec = 500;
		memset(&d, 0, sizeof(d));
		d.exists = r->type != 0;
		d.st.st_dev = 1;
		d.st.st_ino = 20;
		d.st.st_mode = r->type | 0644;
		d.st.st_size = r->size;
		d.st.st_mtim.tv_sec = r->sec;
		d.st.st_mtim.tv_nsec = r->nsec;
		d.st.st_nlink = r->nlink;
		policy_decide(&opts, POLICY_FILE, &src, &d, &p);
		ok(p.act == r->act && p.uptodate == r->uptodate &&
		    p.resume == r->resume, "%s", r->what);
		if (p.act != r->act || p.uptodate != r->uptodate ||
		    p.resume != r->resume)
			printf("# act %d uptodate %d resume %d, want %d %d %d\n",
			    p.act, p.uptodate, p.resume, r->act, r->uptodate,
			    r->resume);
	}
}

int
main(void)
{
	const size_t		n = sizeof(rows) / sizeof(rows[0]);
	struct options		opts;
	struct stat		src;
	struct policy_dst	d;
	struct policy		p;
	size_t			i;

	tap_plan((int)(n + sizeof(resume_rows) / sizeof(resume_rows[0])));
	for (i = 0; i < n; i++) {
		const struct row	*r = &rows[i];

		memset(&opts, 0, sizeof(opts));
		opts.noclobber = r->noclobber;
		opts.interactive = r->interactive;
		opts.update = r->update;
		opts.backup = r->backup;
		opts.remove_destination = r->remove;
		opts.atomic = r->atomic;
		opts.link = r->link;
		make_src(r, &src);
		make_dst(r, &src, &d);
		if (d.exists && r->entry != POLICY_DIR) {
			/* As policy_settle() does: the same-file rules. */
			struct same_facts	f;

			memset(&f, 0, sizeof(f));
			f.src = f.slink = f.starget = src;
			f.dst = f.dlink = f.dtarget = d.st;
			d.same = same_judge(&opts, &f);
		}
		policy_decide(&opts, r->entry, &src, &d, &p);
		ok(p.act == r->act && p.why == r->why && p.ask == r->ask &&
		    p.backup == r->bkp && p.remove == r->rm, "%s", r->what);
		if (p.act != r->act || p.why != r->why)
			printf("# act %d why %d, want act %d why %d\n", p.act,
			    p.why, r->act, r->why);
		if (p.ask != r->ask || p.backup != r->bkp || p.remove != r->rm)
			printf("# ask %d backup %d remove %d, want %d %d %d\n",
			    p.ask, p.backup, p.remove, r->ask, r->bkp, r->rm);
	}
	test_resume();
	return tap_done();
}
