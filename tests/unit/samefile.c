/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * same_quick() against same_judge(): wherever the quick look says "not
 * the same" from the two walked stats, the full judgement must say
 * SAME_OK for every fact same_gather() could have brought (the entries
 * not followed, their targets, one name or two), under every option
 * that bears on it.
 */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include "../tap.h"
#include "options.h"
#include "samefile.h"

/* The inodes a fact may name: two files, two symlinks, or none. */
enum { FILE_A, FILE_B, LINK_1, LINK_2, NONE, NKINDS };

static struct stat
inode(int kind)
{
	struct stat	st;

	memset(&st, 0, sizeof(st));
	if (kind == NONE)
		return st;
	st.st_dev = 1;
	st.st_ino = (ino_t)(10 + kind);
	st.st_mode = (kind == LINK_1 || kind == LINK_2 ? S_IFLNK : S_IFREG) |
	    0644;
	st.st_nlink = 2;
	return st;
}

/*
 * Every fact same_gather() could bring for walked stats sst and dst:
 * how many judgements were not SAME_OK.
 */
static unsigned
judged_not_ok(const struct options *opts, int sst, int dst)
{
	struct same_facts	f;
	int			sl, dl, st, dt, name;
	unsigned		bad = 0;

	for (sl = FILE_A; sl < NONE; sl++)
	for (dl = FILE_A; dl < NONE; dl++)
	for (st = FILE_A; st < NKINDS; st++)
	for (dt = FILE_A; dt < NKINDS; dt++)
	for (name = 0; name < 2; name++) {
		f.src = inode(sst);
		f.dst = inode(dst);
		f.slink = inode(sl);
		f.dlink = inode(dl);
		f.starget = inode(st);
		f.dtarget = inode(dt);
		f.same_name = name;
		bad += same_judge(opts, &f) != SAME_OK;
	}
	return bad;
}

int
main(void)
{
	static const int derefs[] = { OPTIONS_DEREF_DEFAULT,
	    OPTIONS_DEREF_NEVER, OPTIONS_DEREF_ALWAYS, OPTIONS_DEREF_ARGS };
	static const int links[] = { OPTIONS_LINK_NONE, OPTIONS_LINK_HARD,
	    OPTIONS_LINK_SYMBOLIC };
	static const int backups[] = { OPTIONS_BACKUP_NONE,
	    OPTIONS_BACKUP_SIMPLE };
	struct options	opts;
	struct stat	a, b;
	unsigned	i, j, k, rec, rm, bad, quick;
	int		s, d;

	tap_plan(4 * 2 * 3 * 2 * 2 + 3);
	for (i = 0; i < 4; i++)
	for (rec = 0; rec < 2; rec++)
	for (j = 0; j < 3; j++)
	for (k = 0; k < 2; k++)
	for (rm = 0; rm < 2; rm++) {
		memset(&opts, 0, sizeof(opts));
		opts.deref = derefs[i];
		opts.recursive = (int)rec;
		opts.link = links[j];
		opts.backup = backups[k];
		opts.remove_destination = (int)rm;
		bad = quick = 0;
		for (s = FILE_A; s < NONE; s++)
			for (d = FILE_A; d < NONE; d++) {
				a = inode(s);
				b = inode(d);
				if (!same_quick(&opts, &a, &b))
					continue;
				quick++;
				bad += judged_not_ok(&opts, s, d);
			}
		ok(bad == 0 && quick > 0, "deref %d, -r %u, link %d, backup "
		    "%d, remove %u: %u quick pairs, %u judged otherwise",
		    derefs[i], rec, links[j], backups[k], rm, quick, bad);
	}

	/* What the quick look leaves to the full one. */
	memset(&opts, 0, sizeof(opts));
	opts.recursive = 1;
	a = inode(FILE_A);
	ok(!same_quick(&opts, &a, &a), "one inode is looked at further");
	b = inode(LINK_1);
	ok(!same_quick(&opts, &a, &b),
	    "-r: a symlink at the destination is looked at further");
	b = inode(FILE_B);
	ok(same_quick(&opts, &a, &b), "-r: two files are not the same");
	return tap_done();
}
