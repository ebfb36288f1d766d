/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * /etc/xattr.conf: which extended attributes cp leaves out.  See
 * xattrconf.h.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"
#include "xattrconf.h"
#include "xmalloc.h"

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next word of [*p, end): its length, *p at it; 0 at a line's end. */
static size_t
word(const char **p, const char *end)
{
	const char	*s = *p;
	size_t		 n = 0;

	while (s < end && blank(*s))
		s++;
	*p = s;
	while (s + n < end && s[n] != '#' && !blank(s[n]))
		n++;
	return n;
}

static int
action_of(const char *w, size_t n, enum xattr_action *action)
{
	if (n == 4 && strncmp(w, "skip", 4) == 0)
		*action = XATTR_SKIP;
	else if (n == 11 && strncmp(w, "permissions", 11) == 0)
		*action = XATTR_PERMISSIONS;
	else
		return -1;
	return 0;
}

/* One line, [p, end) without its newline: a rule added, none, or -1. */
static int
parse_line(struct xattr_conf *conf, const char *p, const char *end)
{
	const char		*pat, *act;
	size_t			 plen, alen;
	enum xattr_action	 action;
	struct xattr_rule	*r;

	pat = p;
	if ((plen = word(&pat, end)) == 0)
		/* Blank, or a comment alone. */
		return pat == end || *pat == '#' ? 0 : -1;
	act = pat + plen;
	if (act < end && *act == '#')
		return -1;
	alen = word(&act, end);
	if (action_of(act, alen, &action) < 0)
		return -1;
	p = act + alen;
	if (word(&p, end) != 0)
		return -1;
	conf->rules = xreallocarray(conf->rules, conf->nrules + 1,
	    sizeof(*conf->rules));
	r = &conf->rules[conf->nrules++];
	r->pattern = xstrndup(pat, plen);
	r->action = action;
	return 0;
}

int
xattr_conf_parse(struct xattr_conf *conf, const char *text, size_t len,
    unsigned *line)
{
	const char	*p = text, *end = text + len, *nl;

	*line = 0;
	while (p < end) {
		++*line;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (memchr(p, '\0', (size_t)(nl - p)) != NULL ||
		    parse_line(conf, p, nl) < 0) {
			xattr_conf_free(conf);
			return -1;
		}
		p = nl + 1;
	}
	return 0;
}

enum xattr_action
xattr_conf_match(const struct xattr_conf *conf, const char *name)
{
	size_t	i;

	for (i = conf->nrules; i > 0; i--)
		if (fnmatch(conf->rules[i - 1].pattern, name, 0) == 0)
			return conf->rules[i - 1].action;
	return XATTR_COPY;
}

void
xattr_conf_free(struct xattr_conf *conf)
{
	size_t	i;

	for (i = 0; i < conf->nrules; i++)
		free(conf->rules[i].pattern);
	free(conf->rules);
	conf->rules = NULL;
	conf->nrules = 0;
}

static struct xattr_conf	system_conf;
static pthread_once_t		system_once = PTHREAD_ONCE_INIT;

/*
 * The whole file in one getdelim() (a NUL, which ends it early, is
 * refused by the parse as the rest of a bad line is).
 */
static void
load_system(void)
{
	FILE		*fp;
	char		*text = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned	 line;

	if ((fp = fopen(XATTR_CONF, "re")) == NULL) {
		if (errno != ENOENT)
			warn("cannot read '%s' (every extended attribute "
			    "is copied)", XATTR_CONF);
		return;
	}
	if ((len = getdelim(&text, &cap, '\0', fp)) < 0 && ferror(fp))
		warn("cannot read '%s' (every extended attribute is copied)",
		    XATTR_CONF);
	else if (len > 0 && xattr_conf_parse(&system_conf, text,
	    (size_t)len, &line) < 0)
		warnx("'%s', line %u: not a pattern and 'skip' or "
		    "'permissions' (every extended attribute is copied)",
		    XATTR_CONF, line);
	free(text);
	(void)fclose(fp);
}

void
xattr_conf_load(void)
{
	pthread_once(&system_once, load_system);
}

enum xattr_action
xattr_conf_action(const char *name)
{
	xattr_conf_load();
	return xattr_conf_match(&system_conf, name);
}
