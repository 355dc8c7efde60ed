"""Code from git: `git+https://host/org/repo.git[@ref]` or `git+file:///path/repo[@ref]`.

Each (URL, ref) is cloned shallowly once into the cache. A full commit id never changes, so its
checkout is reused as is; a branch or tag (or no ref: the default branch) is fetched again on each
use, and when that fetch fails the cached checkout is used with a note in the run's log.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from dhsync.model.redact import redact_url
from dhsync.runtimes.local.errors import PrepareError

GIT_TIMEOUT = 300.0
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_SCHEMES = ("git+https://", "git+http://", "git+file://", "git+ssh://")


def is_git_url(uri: str) -> bool:
    return uri.startswith("git+")


def split_git_url(uri: str) -> tuple[str, str | None]:
    """(`https://host/repo.git`, ref or None); a ref is `@ref` after the last `/` of the path."""
    if not uri.startswith(_SCHEMES):
        raise PrepareError(f"source `{redact_url(uri)}` is not a git URL dhsync can clone; use git+https:// or "
                           "git+file://")
    url = uri.removeprefix("git+")
    parts = urlsplit(url)
    head, _, last = parts.path.rpartition("/")
    name, at, ref = last.partition("@")
    if not at:
        return url, None
    if not ref:
        raise PrepareError(f"source `{redact_url(uri)}` ends in `@` without a ref; give a branch, tag or commit "
                           "after it")
    path = f"{head}/{name}"
    return parts._replace(path=path).geturl(), ref


def checkout(uri: str, cache: Path, log: Callable[[str], None]) -> Path:
    """A folder holding the repository at `uri`'s ref, from the cache or cloned into it."""
    url, ref = split_git_url(uri)
    shown = redact_url(uri)  # git gets `url` as it is; messages and the log get `shown`
    target = cached_checkout(cache, uri)
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(target.with_suffix(".lock")):
        if (target / ".git").is_dir():
            if ref is not None and _SHA_RE.match(ref):
                log(f"source {shown}: cached checkout {target}")
            else:
                _refresh(target, ref, shown, log)
            return target
        _clone(url, ref, shown, target, log)
        return target


def cached_checkout(cache: Path, uri: str) -> Path:
    """The folder of `uri`'s checkout in the cache; `<folder>.lock` is held while it is cloned or fetched."""
    url, ref = split_git_url(uri)
    return cache / hashlib.sha256(f"{url}@{ref or ''}".encode()).hexdigest()[:24]


def _clone(url: str, ref: str | None, shown: str, target: Path, log: Callable[[str], None]) -> None:
    log(f"source {shown}: cloning into {target}")
    scratch = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
    try:
        if ref is not None and _SHA_RE.match(ref):
            _git(["init", "--quiet", str(scratch)], shown)
            _git(["-C", str(scratch), "fetch", "--quiet", "--depth", "1", url, ref], shown)
            _git(["-C", str(scratch), "checkout", "--quiet", "--detach", "FETCH_HEAD"], shown)
        else:
            branch = ["--branch", ref] if ref else []
            _git(["clone", "--quiet", "--depth", "1", *branch, url, str(scratch)], shown)
        if target.exists():  # a clone that was interrupted half-way
            shutil.rmtree(target)
        os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _refresh(target: Path, ref: str | None, shown: str, log: Callable[[str], None]) -> None:
    try:
        _git(["-C", str(target), "fetch", "--quiet", "--depth", "1", "origin", ref or "HEAD"], shown)
        _git(["-C", str(target), "reset", "--quiet", "--hard", "FETCH_HEAD"], shown)
        log(f"source {shown}: cached checkout {target}, fetched again")
    except PrepareError as exc:
        log(f"source {shown}: fetching again failed, using the cached checkout {target} ({exc})")


def _git(args: list[str], shown: str) -> None:
    """Run git; a failure is a PrepareError naming the source as `shown` (the redacted URL)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise PrepareError(f"cannot clone `{shown}`: the `git` command is not installed") from None
    except subprocess.TimeoutExpired:
        raise PrepareError(f"cannot clone `{shown}`: git did not finish within {GIT_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        # git may echo the URL it was given, credentials included
        raise PrepareError(f"cannot clone `{shown}`: {redact_url(_reason(done.stderr, done.returncode))}")


def _reason(stderr: str, code: int) -> str:
    # git's first `fatal:` line says what went wrong; the lines after it are generic advice
    # ("Please make sure you have the correct access rights and the repository exists.").
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal: ", "error: "))]
    chosen = fatal[0] if fatal else lines[-1] if lines else f"git exited with code {code}"
    return chosen.removeprefix("fatal: ").removeprefix("error: ")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    # Two runs of one source must not clone into the same folder at once.
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
