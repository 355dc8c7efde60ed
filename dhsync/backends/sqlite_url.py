"""The file a `sqlite:///…` URL names, or a message saying why it names none.

The path after `sqlite:///` is taken as written, never percent-decoded, as it always was: `%20` would
be three characters of a file name. Since that is rarely what was meant, a percent-escape is refused
rather than silently kept, and so are NUL and other control characters, empty path pieces (`a//b`)
and paths that name a folder: each is a typo that would otherwise become a strange file somewhere.

The one thing not taken as written is a leading `~` or `~user`: it is that home folder, as in a shell,
because people write paths that way (`sqlite:///~/dhsync/state.db`) and a folder named `~` is never what
they meant. Every command, the SDK and the processes of detached runs read a URL here, so all agree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dhsync.model.errors import InvalidInputError

_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORMS = "`sqlite:///relative/path.db` or `sqlite:////abs/path.db`"


def _refuse(url: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"backend URL `{url}` {why}; use {_FORMS}")


def _check_pieces(url: str, raw: str) -> None:
    pieces = (raw[1:] if raw.startswith("/") else raw).split("/")
    if pieces[-1] in ("", ".", ".."):
        raise _refuse(url, "names a folder, not a database file")
    if "" in pieces:
        raise _refuse(url, "has an empty path piece (`//`)")


def sqlite_path(url: str, rest: str, base_dir: Path) -> Path:
    """The database file of `url` (`rest` is what follows `sqlite://`), relative paths from `base_dir`."""
    if "?" in rest or "#" in rest:
        raise InvalidInputError(f"backend URL `{url}` has a query or fragment; sqlite URLs are a file path only "
                                f"({_FORMS})")
    # `sqlite:///rel/path` leaves `/rel/path` after the scheme's `//`; one more `/` makes it absolute.
    if not rest.startswith("/") or rest == "/":
        raise InvalidInputError(f"backend URL `{url}` has no file path; use {_FORMS}")
    raw = rest[1:]
    if _CONTROL.search(raw):
        shown = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", url)
        raise _refuse(shown, "has a NUL byte or another control character in its path")
    escape = _ESCAPE.search(raw)
    if escape is not None:
        raise _refuse(url, f"has a percent-escape (`{escape.group()}`): sqlite URLs are file paths taken as "
                           "written, never decoded, so write the character itself")
    _check_pieces(url, raw)
    path = _home_expanded(url, raw)
    path = path if path.is_absolute() else base_dir / path
    if path.is_dir():
        raise _refuse(url, f"names the folder `{path}`, not a database file")
    return path


def _home_expanded(url: str, raw: str) -> Path:
    """`raw` with a leading `~` or `~user` made that home folder (see the module's docstring)."""
    if not raw.startswith("~"):
        return Path(raw)
    first, _, after = raw.partition("/")
    if first == "~" and not os.environ.get("HOME", "-").strip():
        # expanduser makes an empty HOME the filesystem root: `~/x.db` would be `/x.db`
        raise _refuse(url, "starts with `~`, but HOME is empty here; set HOME or write the folder out")
    home = os.path.expanduser(first)  # unchanged when there is no such user
    if home == first or not os.path.isabs(home):
        raise _refuse(url, f"starts with `{first}`, but no home folder of that name is known here; write the "
                           "folder out")
    return Path(home, after)
