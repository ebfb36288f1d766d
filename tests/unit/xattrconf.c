/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xattr_conf_parse() and xattr_conf_match(): Debian's /etc/xattr.conf
 * as libattr reads it, comments and blank lines, the last matching line
 * saying, and lines that are not a pattern and an action refused with
 * their number.
 */
#include "config.h"

#include <string.h>

#include "../tap.h"
#include "xattrconf.h"

static const char debian[] =
    "# /etc/xattr.conf\n"
    "#\n"
    "system.nfs4_acl\t\t\tpermissions\n"
    "system.posix_acl_access\t\tpermissions\n"
    "trusted.SGI_DMI_*\t\tskip\t\t# xfs specific\n"
    "\n"
    "user.Beagle.*\t\t\tskip\t\t# ignore Beagle index data\n"
    "security.evm\t\t\tskip\t\t# may only be written by kernel\n"
    "afs.*\t\t\t\tskip";

/* The line at which text is refused, or 0 when it parses. */
static unsigned
refused_at(const char *text)
{
	struct xattr_conf	conf = { NULL, 0 };
	unsigned		line;

	if (xattr_conf_parse(&conf, text, strlen(text), &line) == 0) {
		xattr_conf_free(&conf);
		return 0;
	}
	return conf.nrules == 0 && conf.rules == NULL ? line : 1000;
}

int
main(void)
{
	struct xattr_conf	conf = { NULL, 0 };
	unsigned		line;
	const char		*two = "user.*  permissions\nuser.x skip\n";

	tap_plan(17);

	ok(xattr_conf_parse(&conf, debian, strlen(debian), &line) == 0 &&
	    conf.nrules == 6, "Debian's file: six rules");
	is(xattr_conf_match(&conf, "user.Beagle.MimeType"), XATTR_SKIP,
	    "a pattern's match: skipped");
	is(xattr_conf_match(&conf, "user.Beagle"), XATTR_COPY,
	    "the pattern's prefix alone: copied");
	is(xattr_conf_match(&conf, "security.evm"), XATTR_SKIP,
	    "a name: skipped");
	is(xattr_conf_match(&conf, "security.evm2"), XATTR_COPY,
	    "a longer name: copied");
	is(xattr_conf_match(&conf, "system.nfs4_acl"), XATTR_PERMISSIONS,
	    "an NFSv4 ACL: part of the mode");
	is(xattr_conf_match(&conf, "afs.x"), XATTR_SKIP,
	    "the last line, without a newline");
	is(xattr_conf_match(&conf, "user.mime_type"), XATTR_COPY,
	    "any other: copied");
	xattr_conf_free(&conf);

	ok(xattr_conf_parse(&conf, two, strlen(two), &line) == 0 &&
	    conf.nrules == 2, "two rules");
	is(xattr_conf_match(&conf, "user.x"), XATTR_SKIP,
	    "two lines match: the last says");
	is(xattr_conf_match(&conf, "user.y"), XATTR_PERMISSIONS,
	    "one matches: it says");
	xattr_conf_free(&conf);

	is(refused_at("user.a skip\n\n  # note\r\nuser.b skip \r\n"), 0,
	    "blank lines, comments and CRLF ends: parsed");
	is(refused_at("user.a skip\nuser.b\nuser.c skip\n"), 2,
	    "a pattern without an action: refused at its line");
	is(refused_at("user.a copy\n"), 1, "an action not known: refused");
	is(refused_at("user.a skip now\n"), 1, "a third word: refused");
	is(refused_at("user.a# skip\n"), 1,
	    "a comment inside the pattern: refused");
	ok(xattr_conf_parse(&conf, "user.a skip\0\n", 13, &line) < 0 &&
	    line == 1 && conf.nrules == 0, "a NUL byte: refused, rules freed");
	return tap_done();
}
