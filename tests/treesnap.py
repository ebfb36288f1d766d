#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Print a tree's snapshot, one line per entry: path (as bytes, escaped),
type, mode, size, mtime in ns, symlink target and the SHA-256 of a file's
data.  It walks with directory descriptors (os.fwalk), so it reads trees
deeper than PATH_MAX, where find -exec and sha256sum give up.

usage: treesnap.py DIR [--no-times]"""
import hashlib
import os
import stat
import sys


def esc(b):
    return b.decode("ascii", "backslashreplace").encode(
        "unicode_escape").decode("ascii")


def main():
    top = os.fsencode(sys.argv[1])
    times = "--no-times" not in sys.argv[2:]
    out = []
    for path, dirs, files, dfd in os.fwalk(top):
        rel = os.path.relpath(path, top)
        for name in dirs + files:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            kind = stat.S_IFMT(st.st_mode)
            extra = ""
            if stat.S_ISLNK(st.st_mode):
                extra = esc(os.readlink(name, dir_fd=dfd))
            elif stat.S_ISREG(st.st_mode):
                fd = os.open(name, os.O_RDONLY, dir_fd=dfd)
                h = hashlib.sha256()
                with os.fdopen(fd, "rb") as fp:
                    for chunk in iter(lambda: fp.read(1 << 20), b""):
                        h.update(chunk)
                extra = h.hexdigest()
            line = "%s %o %o %d" % (esc(os.path.join(rel, name)), kind,
                                    stat.S_IMODE(st.st_mode),
                                    st.st_size if not stat.S_ISDIR(st.st_mode)
                                    else 0)
            if times and not stat.S_ISLNK(st.st_mode):
                line += " %d" % st.st_mtime_ns
            out.append(line + " " + extra)
    for line in sorted(out):
        print(line)


main()
