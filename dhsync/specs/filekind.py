"""What a path is, for the files dhsync must never open: a FIFO blocks `open` until a writer comes (so
`validate` would hang), a device or socket never ends. Spec and code files are regular files only."""

from __future__ import annotations

import os
import stat

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def not_regular(mode: int) -> str | None:
    """What a file of this mode is, in words, when it is not a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def inside(real: str, root_real: str) -> bool:
    """Whether the resolved path `real` is the folder `root_real` or under it (both from realpath)."""
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)
