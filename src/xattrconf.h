/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system's list of extended attributes a copy leaves out, as cp
 * reads it through libattr: /etc/xattr.conf, lines of a name pattern
 * (fnmatch(3)) and an action, "skip" (never copied: index data, a
 * file system's own, one only the kernel may write) or "permissions"
 * (part of the mode, as an ACL is: copied with it, not with the other
 * attributes).  '#' starts a comment.  Where several lines match a name,
 * the last one says.
 */
#ifndef ACP_XATTRCONF_H
#define ACP_XATTRCONF_H

#include <stddef.h>

/* libattr's file, wherever acp itself is installed. */
#define XATTR_CONF	"/etc/xattr.conf"

enum xattr_action {
	XATTR_COPY,		/* no line names it */
	XATTR_SKIP,
	XATTR_PERMISSIONS,
};

struct xattr_rule {
	char			*pattern;
	enum xattr_action	 action;
};

struct xattr_conf {
	struct xattr_rule	*rules;
	size_t			 nrules;
};

/*
 * Parse len bytes of text into conf (empty on entry).  0, or -1 with
 * conf empty again and *line the number of the first line that is not
 * a pattern and an action.
 */
int	xattr_conf_parse(struct xattr_conf *conf, const char *text,
	    size_t len, unsigned *line);

/* What conf says of the attribute name. */
enum xattr_action xattr_conf_match(const struct xattr_conf *conf,
	    const char *name);

void	xattr_conf_free(struct xattr_conf *conf);

/*
 * What the system's file says of name: read once, by the first caller
 * of any thread.  No file: every attribute is copied; one that cannot be
 * read or parsed is said once (acp's exit status unchanged, as cp's) and
 * then the same.
 */
enum xattr_action xattr_conf_action(const char *name);

/*
 * Read the system's file now, on this thread: what it has to say comes
 * before what the copy says, not amid it.
 */
void	xattr_conf_load(void);

#endif
