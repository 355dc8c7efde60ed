"""Load a spec repository into the desired state, with every problem found as located diagnostics.

Loading never raises on bad input: it returns what it could load and the diagnostics; callers decide.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from dhsync.model.diagnostics import Diagnostic, Location, Severity, error, has_errors, sort_key, warning
from dhsync.model.entities import DesiredState, desired_digest
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.kinds import EntityType
from dhsync.model.plan import SecretRules
from dhsync.specs import code, snapshot
from dhsync.specs.cache import CheckCache, cache_salt
from dhsync.specs.config import NOT_A_CONFIG_FIX, not_a_config_file
from dhsync.specs.discover import discover
from dhsync.specs.filekind import inside, not_regular
from dhsync.specs.files import read_whole
from dhsync.specs.issues import Issue, from_validation
from dhsync.specs.models.config import CONFIG_FILE, STATE_DIR, Config
from dhsync.specs.resolve import FileIssue, Placed, resolve
from dhsync.specs.validate import Checked, check_document
from dhsync.specs.yamlio import Locator, decode, parse, parse_with_lines


@dataclass(frozen=True)
class LoadResult:
    root: Path
    config: Config | None
    state: DesiredState | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is not None and not has_errors(self.diagnostics)


@dataclass
class _FileResult:
    checked: list[Checked] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


class _Display:
    """Paths as the user gave them (`examples/src/train.py`), not resolved absolute paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = "" if root.as_posix() == "." else root.as_posix().rstrip("/") + "/"

    def __call__(self, relative: str) -> str:
        return "." if relative == "." and not self._prefix else self._prefix + relative


def load_repository(root: Path, *, use_cache: bool = True) -> LoadResult:
    """The desired state of the spec repository at `root`, and every problem found in it."""
    with cyclic_gc_paused():
        return _load(root, use_cache)


def _load(root: Path, use_cache: bool) -> LoadResult:
    display = _Display(root)
    config, config_diags = load_config_file(root, display)
    if config is None:  # the summary counts dhsync.yaml as a file with errors, like any spec file
        read = (CONFIG_FILE,) if os.path.lexists(root / CONFIG_FILE) else ()
        return LoadResult(root, None, None, tuple(config_diags), read)
    files = discover(root, config.specs, config.ignore)
    if not files:  # a typo in `specs:` would otherwise look like an empty, valid repository
        config_diags = [*config_diags, warning(
            "no-spec-files", f"no file matches specs {config.specs} (ignore {config.ignore})",
            Location(display(CONFIG_FILE), 1, 1), ("specs",),
            suggestion="check the globs: they are relative to dhsync.yaml, e.g. `functions/**/*.yaml`")]
    salt = cache_salt(orjson.dumps(config.defaults.model_dump(), option=orjson.OPT_SORT_KEYS))
    cache_dir = root / STATE_DIR / "cache"
    secrets = SecretRules(tuple(config.secrets.mask), tuple(config.secrets.show))
    cache = CheckCache(cache_dir / "checked.json" if use_cache else None, salt, secrets)
    whole_key = snapshot.snapshot_key(_read_bytes(os.path.join(root, CONFIG_FILE)), salt)
    if use_cache:
        known = snapshot.load(cache_dir / "snapshot.json", whole_key, root, files, cache, display)
        if known is not None:
            entities_known, digest = known
            return LoadResult(root, config, DesiredState(config.project, tuple(entities_known), digest),
                              tuple(config_diags), tuple(files))
    diagnostics = list(config_diags)
    placed: list[Placed] = []
    code_issues: list[FileIssue] = []
    reader = code.CodeReader(root, cache if use_cache else None)
    for relative in files:
        result = _check_file(root, relative, display, cache, config)
        diagnostics.extend(result.diagnostics)
        where = display(relative)
        for checked in result.checked:
            origin = Location(where, _start(result.starts, checked.doc), 1)
            placed.append(_with_code(reader, relative, origin, checked, code_issues))
    cache.save()
    entities, resolve_issues = resolve(placed, config.project, config.policies.protect)
    diagnostics.extend(_locate_all(root, display, code_issues + resolve_issues))
    diagnostics.sort(key=sort_key)
    state = DesiredState(config.project, tuple(entities))
    if use_cache and not diagnostics:
        origins = {p.origin: p.file for p in placed}
        state = replace(state, digest=desired_digest(state))  # hashed once here, read back when unchanged
        snapshot.save(cache_dir / "snapshot.json", whole_key, cache.keys_of(files),
                      [(origins[e.origin], e) for e in entities], state.digest or "", partial(cache.seal, root))
    return LoadResult(root, config, state, tuple(diagnostics), tuple(files))


def _start(starts: list[int], doc: int) -> int:
    return starts[doc] if doc < len(starts) else 1


def load_config_file(root: Path, display: _Display | None = None) -> tuple[Config | None, list[Diagnostic]]:
    show = display or _Display(root)
    where = show(CONFIG_FILE)
    path = root / CONFIG_FILE
    what = not_a_config_file(path)
    if what is not None:  # there, so "no dhsync.yaml … dhsync init" would be wrong
        return None, [error("not-a-file", f"{CONFIG_FILE} is {what}, so dhsync does not read it", Location(where),
                            suggestion=NOT_A_CONFIG_FIX)]
    if not path.is_file():
        return None, [error("no-config", f"no {CONFIG_FILE} in `{root}`", Location(show(".")),
                            suggestion=_no_config_hint(root))]
    text, diags = _read_text(path, where)
    if text is None:
        return None, diags
    docs, problems = parse(text, where)
    if problems:
        return None, problems
    content = [d for d in docs if d is not None]
    if len(content) != 1 or not isinstance(content[0], dict):
        return None, [error("bad-config", f"{CONFIG_FILE} must hold one mapping (project, backend, specs …)",
                            Location(where, 1, 1))]
    try:
        return Config.model_validate(content[0]), []
    except ValidationError as exc:
        issues = from_validation(exc.errors(include_url=False), docs.index(content[0]), Config)
        return None, sorted(_locate(Locator(text, where), issues), key=sort_key)


def _no_config_hint(root: Path) -> str:
    if not root.is_dir():
        return "give the folder of a spec repository"
    for parent in root.resolve().parents:
        if (parent / CONFIG_FILE).is_file():
            return f"the spec repository is `{parent}` (it has {CONFIG_FILE}); give that folder"
    return "run `dhsync init` to create one"


def _read_text(path: Path, where: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [_unreadable(exc, where)]
    text = decode(data, where)
    return (None, [text]) if isinstance(text, Diagnostic) else (text, [])


def _unreadable(exc: OSError, where: str) -> Diagnostic:
    if exc.errno == errno.ELOOP:
        return error("symlink-loop", "file is a symbolic link loop", Location(where),
                     suggestion="remove the link or add it to `ignore` in dhsync.yaml")
    return error("unreadable", f"cannot read file: {exc.strerror or exc}", Location(where))


def _check_file(root: Path, relative: str, display: _Display, cache: CheckCache, config: Config) -> _FileResult:
    where = display(relative)
    path = os.path.join(root, relative)
    try:
        st = os.lstat(path)  # for a regular file, what os.stat says: no extra system call
        if stat.S_ISLNK(st.st_mode):
            if not inside(os.path.realpath(path), os.path.realpath(root)):  # discover lists such folders too
                return _FileResult(diagnostics=[_escaping_link(where, "folder" if os.path.isdir(path) else "file")])
            st = os.stat(path)
        what = not_regular(st.st_mode)
        if what is not None:  # opening a FIFO waits for a writer: validate would hang
            return _FileResult(diagnostics=[_not_a_file(where, what)])
        known = cache.stamped(relative, st)
        if known is not None and (cached := cache.get(known, path)) is not None:
            try:
                return _from_cache(cached, where)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry is just a miss
        data = read_whole(path, st.st_size)
    except OSError as exc:
        return _FileResult(diagnostics=[_unreadable(exc, where)])
    key = cache.key(data)
    cache.stamp(relative, st, key)
    cached = cache.get(key, data)
    if cached is not None:
        try:
            return _from_cache(cached, where)
        except (KeyError, TypeError, ValueError):
            pass
    text = decode(data, where)
    result = _FileResult(diagnostics=[text]) if isinstance(text, Diagnostic) else _check_text(text, where, config)
    cache.put(key, _to_cache(result), data)
    return result


def _escaping_link(where: str, what: str) -> Diagnostic:
    return error("spec-link-escapes", f"{what} is a symbolic link that leads outside the repository",
                 Location(where),
                 suggestion=f"copy the {what} into the repository, or add it to `ignore` in dhsync.yaml")


def _not_a_file(where: str, what: str) -> Diagnostic:
    return error("not-a-file", f"file is {what}, not a regular file, so dhsync does not read it", Location(where),
                 suggestion="remove it or add it to `ignore` in dhsync.yaml")


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _check_text(text: str, where: str, config: Config) -> _FileResult:
    docs, starts, problems = parse_with_lines(text, where)
    if problems:
        return _FileResult(diagnostics=problems)
    result = _FileResult(starts=starts)
    issues: list[Issue] = []
    for index, raw in enumerate(docs):
        if raw is None:
            continue
        checked, doc_issues = check_document(raw, index, config.defaults)
        issues.extend(doc_issues)
        if checked is not None:
            result.checked.append(checked)
    if issues:
        result.diagnostics = _locate(Locator(text, where), issues)
    return result


def _locate(locator: Locator, issues: list[Issue]) -> list[Diagnostic]:
    return [_located(locator, issue) for issue in issues]


def _located(locator: Locator, issue: Issue) -> Diagnostic:
    where = locator.locate(issue.doc, issue.path, key=issue.at_key)
    if issue.first is None:
        return Diagnostic(issue.severity, issue.code, issue.message, where, issue.path, issue.suggestion)
    first = locator.locate(issue.doc, issue.first, key=issue.at_key)
    return Diagnostic(issue.severity, issue.code, f"{issue.message}; the first is at line {first.line}", where,
                      issue.path, issue.suggestion, (first,))


def _locate_all(root: Path, display: _Display, file_issues: list[FileIssue]) -> list[Diagnostic]:
    by_file: dict[str, list[Issue]] = {}
    for relative, issue in file_issues:
        by_file.setdefault(relative, []).append(issue)
    out: list[Diagnostic] = []
    for relative, issues in by_file.items():
        text, _ = _read_text(root / relative, display(relative))
        out.extend(_locate(Locator(text or "", display(relative)), issues))
    return out


def _with_code(reader: code.CodeReader, relative: str, origin: Location, checked: Checked,
               issues: list[FileIssue]) -> Placed:
    """Functions get their code as base64 from the file `spec.source.source` names (or inline `code`)."""
    spec = checked.content.get("spec")
    source = spec.get("source") if isinstance(spec, dict) else None
    if checked.type is not EntityType.FUNCTION or not isinstance(source, dict):
        return Placed(relative, origin, checked)
    # copies: the checked content is shared with the cache, which must keep what the file says
    source = dict(source)
    content = {**checked.content, "spec": {**checked.content["spec"], "source": source}}
    checked = Checked(checked.doc, checked.kind, checked.type, content, checked.set_aside, checked.valid)
    code.encode_inline(source)
    path = source.get("source")
    if isinstance(path, str) and code.is_file_url(path):
        problem = code.file_url_issue(reader.root, path, checked.doc)
        if problem is not None:
            issues.append((relative, problem))
        return Placed(relative, origin, checked)
    if not isinstance(path, str) or code.is_remote(path):
        return Placed(relative, origin, checked)
    found = reader.read(path, checked.doc)
    if isinstance(found, Issue):
        issues.append((relative, found))
        return Placed(relative, origin, checked)
    source["base64"] = found.base64
    return Placed(relative, origin, checked, ((found.relative, found.sha256),))


def _to_cache(result: _FileResult) -> dict[str, Any]:
    return {
        "checked": [[c.doc, c.kind, c.type.value, c.content, list(c.set_aside), c.valid] for c in result.checked],
        "diagnostics": [[d.severity.value, d.code, d.message, d.location.line, d.location.column, list(d.path),
                         d.suggestion] for d in result.diagnostics],
        "starts": result.starts,
    }


def _from_cache(entry: dict[str, Any], where: str) -> _FileResult:
    checked = [Checked(doc, kind, EntityType(type_), content, tuple(aside), valid)
               for doc, kind, type_, content, aside, valid in entry["checked"]]
    diagnostics = [Diagnostic(Severity(sev), code_, message, Location(where, line, col), tuple(path), hint)
                   for sev, code_, message, line, col, path, hint in entry["diagnostics"]]
    return _FileResult(checked, diagnostics, list(entry["starts"]))
