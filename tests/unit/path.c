/* SPDX-License-Identifier: BSD-2-Clause */
/* Path strings: joining, last components, parents. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "at.h"
#include "path.h"

/* ok() that the string got (freed here) is want. */
static void
str_is(char *got, const char *want, const char *what)
{
	ok(strcmp(got, want) == 0, "%s: '%s'", what, got);
	free(got);
}

int
main(void)
{
	struct at	a;
	char		copy[] = "dir/sub/name";

	tap_plan(25);
	str_is(path_join("a", "b"), "a/b", "join");
	str_is(path_join("a/", "b"), "a/b", "join after a slash");
	str_is(path_join("/", "b"), "/b", "join to the root");
	str_is(path_join("", "b"), "/b", "join to nothing");
	str_is(path_last("a/b/c"), "c", "last component");
	str_is(path_last("a/b/"), "b", "last component, trailing slash");
	str_is(path_last("name"), "name", "last of a bare name");
	str_is(path_last("/"), "/", "last of the root");
	str_is(path_in_dir("d", "x/y"), "d/y", "into a directory");
	str_is(path_in_dir("d///", "x/y/"), "d/y", "into a directory, slashes");
	str_is(path_in_dir("/", "y"), "/y", "into the root");
	str_is(path_in_dir("d", "/"), "d/", "the root into a directory");
	str_is(path_in_dir("d/", ".."), "d/.", "'..' into d itself, as cp");
	str_is(path_in_dir("d", "a/.."), "d/.", "'a/..' into d itself");
	str_is(path_parent("a/b/c"), "a/b", "parent");
	str_is(path_parent("name"), ".", "parent of a bare name");
	str_is(path_parent("/a"), "/", "parent at the root");
	a.dirfd = AT_FDCWD;
	a.name = "name";
	a.path = "dir/sub/name";
	ok(strcmp(path_name_in(copy, &a), "name") == 0 &&
	    path_name_in(copy, &a) == copy + 8, "a name inside its path's copy");
	a.name = a.path;
	ok(path_name_in(copy, &a) == copy, "a whole path is itself");
	ok(path_inside(".", ".") && !path_inside("/nonexistent-acp", "."),
	    "inside: itself yes, a missing path no");
	ok(path_is_acp_temp(".acp-file.txt.aB3xYz") &&
	    path_is_acp_temp(".acp-x.000000"), "an --atomic temporary's name");
	ok(!path_is_acp_temp(".acp-x.00000") && !path_is_acp_temp(".acp-.ab"
	    "cdef") && !path_is_acp_temp("acp-x.abcdef"),
	    "too short, no name, no dot: not one");
	ok(!path_is_acp_temp(".acp-x.abc-ef") && !path_is_acp_temp(
	    ".acp-x_abcdef"), "a sign in the letters, no dot before them: not");
	ok(path_is_resume_temp(".acp-big.img.resume") &&
	    path_is_acp_temp(".acp-big.img.resume"),
	    "an --atomic --resume temporary's name is a temporary's");
	ok(!path_is_resume_temp(".acp-x.aB3xYz") &&
	    !path_is_resume_temp("acp-x.resume") &&
	    !path_is_resume_temp(".acp-.resume"),
	    "random letters, no leading dot, no name: not a --resume one");
	return tap_done();
}
