"""Load a spec repository into the desired state, with every problem found as located diagnostics.

Loading never raises on bad input: it returns what it could load and the diagnostics; callers decide.
An unchanged repository comes from the snapshot (no parsing, no schemas imported); when a few files
changed, only they are checked again and the snapshot is updated (specs.snapshot).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from dhsync.model.diagnostics import Diagnostic, Location, Severity, error, has_errors, sort_key, warning
from dhsync.model.entities import DesiredEntity, DesiredState, desired_digest
from dhsync.model.gcpause import cyclic_gc_paused
from dhsync.model.kinds import EntityType
from dhsync.model.plan import SecretRules
from dhsync.specs import code, snapshot
from dhsync.specs.cache import CheckCache, cache_salt
from dhsync.specs.checked import Checked
from dhsync.specs.config import NOT_A_CONFIG_FIX, cached_config, not_a_config_file, remember_config
from dhsync.specs.discover import discover
from dhsync.specs.filekind import inside, not_regular
from dhsync.specs.files import read_whole
from dhsync.specs.issue import Issue
from dhsync.specs.models.config import CONFIG_FILE, STATE_DIR, Config, Defaults, config_from_dict
from dhsync.specs.resolve import FileIssue, Placed, resolve
from dhsync.specs.validate_kinds import KindActions, actions_of
from dhsync.specs.yamlio import Locator, decode, parse, parse_with_lines

# what the runtimes find in one entity beyond its schema (cli.repo passes runtimes.checks)
Check = Callable[[DesiredEntity], list[Diagnostic]]


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


def load_repository(root: Path, *, use_cache: bool = True, check: Check | None = None,
                    kinds: KindActions | None = None) -> LoadResult:
    """The desired state of the spec repository at `root`, and every problem found in it. `check` finds
    what the schema cannot say about entities (the runtimes' checks); its findings are kept in the
    snapshot with each entity, so unchanged entities are not checked again. `kinds`: the actions of each
    function kind the runtimes serve (cli.repo passes the runtimes'; without it, the built-in kinds)."""
    with cyclic_gc_paused():
        return _load(root, use_cache, check, kinds)


def _load(root: Path, use_cache: bool, check: Check | None, kinds: KindActions | None) -> LoadResult:
    display = _Display(root)
    config, config_diags, config_bytes = _read_config(root, display, use_cache)
    if config is None:  # the summary counts dhsync.yaml as a file with errors, like any spec file
        read = (CONFIG_FILE,) if os.path.lexists(root / CONFIG_FILE) else ()
        return LoadResult(root, None, None, tuple(config_diags), read)
    files = discover(root, config.specs, config.ignore)
    if not files:  # a typo in `specs:` would otherwise look like an empty, valid repository
        config_diags = [*config_diags, warning(
            "no-spec-files", f"no file matches specs {config.specs} (ignore {config.ignore})",
            Location(display(CONFIG_FILE), 1, 1), ("specs",),
            suggestion="check the globs: they are relative to dhsync.yaml, e.g. `functions/**/*.yaml`")]
    # other kinds, other results: installing or removing a runtime plugin must not be answered from the caches
    salt = cache_salt(orjson.dumps(vars(config.defaults), option=orjson.OPT_SORT_KEYS), kinds.key if kinds else "")
    load = _Load(root, display, config, files, check, kinds, salt, use_cache)
    # another check function, other findings: the key says whether the rows carry them
    key = snapshot.snapshot_key(config_bytes, salt + ("/checked" if check is not None else ""))
    if use_cache and not config_diags:
        known = snapshot.load(load.snapshot_path, key)
        if known is not None:
            state = _from_snapshot(load, known, key)
            if state is not None:
                return LoadResult(root, config, state.state, tuple(state.findings), tuple(files))
            load = _Load(root, display, config, files, check, kinds, salt, use_cache)  # stamps as on disk again
    return _load_all(load, config_diags, key)


class _Load:
    """What one load works with: the repository, its config and files, the caches, the runtime checks and
    the kinds' actions."""

    def __init__(self, root: Path, display: _Display, config: Config, files: list[str], check: Check | None,
                 kinds: KindActions | None, salt: str, use_cache: bool) -> None:
        self.root, self.display, self.config, self.files = root, display, config, files
        self.check, self.kinds, self.use_cache = check, kinds, use_cache
        cache_dir = root / STATE_DIR / "cache"
        self.snapshot_path = cache_dir / "snapshot.json"
        secrets = SecretRules(tuple(config.secrets.mask), tuple(config.secrets.show))
        self.cache = CheckCache(cache_dir / "checked.json" if use_cache else None, salt, secrets)

    def findings(self, entities: Sequence[DesiredEntity]) -> list[list[Diagnostic]]:
        """What the runtime checks find, entity by entity (the snapshot keeps them with each row)."""
        check = self.check
        return [check(entity) for entity in entities] if check is not None else [[] for _ in entities]

    def save(self, key: str, known: snapshot.Snapshot) -> None:
        snapshot.save(self.snapshot_path, key, known, partial(self.cache.seal, self.root))


@dataclass(frozen=True)
class _Warm:
    state: DesiredState
    findings: list[Diagnostic]


def _from_snapshot(load: _Load, known: snapshot.Snapshot, key: str) -> _Warm | None:
    """The state from the snapshot, with the files that changed since checked again; None when that
    cannot give what a whole load would (a problem found, a reference that may have moved)."""
    changed = snapshot.changes(known, load.root, load.files, load.cache)
    if not changed and list(known.files) == load.files:
        if not snapshot.open_rows(known, load.root, load.cache, load.files):
            return None
        return _warm(load, known, known.digest)
    load.cache.forgo_entries()  # a few files changed: reading every checked entry would cost more
    edited = set(changed.edited)
    if not snapshot.open_rows(known, load.root, load.cache, [f for f in load.files if f not in edited]):
        return None
    reader = code.CodeReader(load.root, load.cache)
    if not all(_recoded(load, reader, known.rows[relative]) for relative in changed.code):
        return None
    if not _recheck(load, reader, known, changed):
        return None
    known.rows = {relative: known.rows[relative] for relative in load.files}
    known.files = load.cache.keys_of(load.files)
    load.cache.save()
    warm = _warm(load, known, None)
    load.save(key, replace(known, digest=warm.state.digest or ""))
    return warm


def _warm(load: _Load, known: snapshot.Snapshot, digest: str | None) -> _Warm:
    display, entity, files, rows = load.display, snapshot.entity, load.files, known.rows
    shown = {relative: display(relative) for relative in files}.__getitem__  # a row's FILE is its file's
    state = DesiredState(load.config.project, tuple(entity(values, shown) for relative in files
                                                    for values in rows[relative]), digest)
    if digest is None:
        state = replace(state, digest=desired_digest(state))
    findings = [d for relative in files for values in rows[relative] if values[snapshot.FINDINGS]
                for d in snapshot.findings(values, shown(relative))]
    return _Warm(state, sorted(findings, key=sort_key))


def _recoded(load: _Load, reader: code.CodeReader, rows: list[list[Any]]) -> bool:
    """Rows whose code file changed, with its new content, as `_with_code` would make them; False when the
    file can no longer be read (the whole load says why)."""
    for index, values in enumerate(rows):
        sources = values[snapshot.SOURCES]
        if not sources:
            continue
        source = values[snapshot.SPEC].get("source")
        if not isinstance(source, dict) or list(sources) != [source.get("source")]:
            return False
        found = reader.read(str(source["source"]), 0)
        if isinstance(found, Issue):
            return False
        source["base64"] = found.base64
        values[snapshot.SOURCES] = {found.relative: found.sha256}
        relative = values[snapshot.FILE]
        entity = snapshot.entity(values, load.display)
        rows[index] = snapshot.row(entity, relative, load.findings([entity])[0])
    return True


def _recheck(load: _Load, reader: code.CodeReader, known: snapshot.Snapshot, changed: snapshot.Changes) -> bool:
    """The rows of new and edited files, checked and resolved against the rows of the others; False when
    anything is found, or when a function others may refer to went away (a whole load says what)."""
    placed: list[Placed] = []
    for relative in changed.edited:
        result = _check_file(load.root, relative, load.display, load.cache, load.config, load.kinds)
        issues: list[FileIssue] = []
        placed.extend(_placed(reader, relative, load.display(relative), result, issues))
        if result.diagnostics or issues:
            return False
    edited = set(changed.edited)
    kept = [values for relative in load.files if relative not in edited for values in known.rows[relative]]
    functions = {values[snapshot.NAME]: _declared(values, load.display) for values in kept
                 if values[snapshot.TYPE] == EntityType.FUNCTION.value}
    entities, issues = resolve(placed, load.config.project, load.config.policies.protect, functions)
    taken = {(values[snapshot.TYPE], values[snapshot.NAME]) for values in kept}
    if issues or any((e.type.value, e.name) in taken for e in entities):
        return False
    before = {(values[snapshot.NAME], values[snapshot.KIND]) for relative in (*changed.edited, *changed.removed)
              for values in known.rows.get(relative, ()) if values[snapshot.TYPE] == EntityType.FUNCTION.value}
    if before - {(e.name, e.kind) for e in entities if e.type is EntityType.FUNCTION}:
        return False  # tasks and runs of unchanged files may name it
    origins = {p.origin: p.file for p in placed}
    for relative in changed.edited:
        known.rows[relative] = []
    for entity, findings in zip(entities, load.findings(entities), strict=True):
        known.rows[origins[entity.origin]].append(snapshot.row(entity, origins[entity.origin], findings))
    return True


def _declared(values: list[Any], display: _Display) -> Placed:
    """A function of an unchanged file, as `resolve` looks references up (name, kind, where)."""
    relative = values[snapshot.FILE]
    checked = Checked(0, values[snapshot.KIND], EntityType.FUNCTION, {"name": values[snapshot.NAME]})
    return Placed(relative, Location(display(relative), values[snapshot.LINE], 1), checked)


def _load_all(load: _Load, config_diags: list[Diagnostic], key: str) -> LoadResult:
    """Every file checked (from the checked-entries cache where it answers), then resolved together."""
    root, display, config, files, cache = load.root, load.display, load.config, load.files, load.cache
    diagnostics = list(config_diags)
    placed: list[Placed] = []
    code_issues: list[FileIssue] = []
    reader = code.CodeReader(root, cache if load.use_cache else None)
    for relative in files:
        result = _check_file(root, relative, display, cache, config, load.kinds)
        diagnostics.extend(result.diagnostics)
        placed.extend(_placed(reader, relative, display(relative), result, code_issues))
    cache.save()
    entities, resolve_issues = resolve(placed, config.project, config.policies.protect)
    diagnostics.extend(_locate_all(root, display, code_issues + resolve_issues))
    found = load.findings(entities)
    clean = not diagnostics
    diagnostics.extend(d for each in found for d in each)
    diagnostics.sort(key=sort_key)
    state = DesiredState(config.project, tuple(entities))
    if load.use_cache and clean:
        origins = {p.origin: p.file for p in placed}
        state = replace(state, digest=desired_digest(state))  # hashed once here, read back when unchanged
        rows: dict[str, list[list[Any]]] = {relative: [] for relative in files}
        for entity, findings in zip(entities, found, strict=True):
            rows[origins[entity.origin]].append(snapshot.row(entity, origins[entity.origin], findings))
        load.save(key, snapshot.Snapshot(cache.keys_of(files), rows, state.digest or ""))
    return LoadResult(root, config, state, tuple(diagnostics), tuple(files))


def _placed(reader: code.CodeReader, relative: str, where: str, result: _FileResult,
            code_issues: list[FileIssue]) -> list[Placed]:
    return [_with_code(reader, relative, Location(where, _start(result.starts, checked.doc), 1), checked,
                       code_issues) for checked in result.checked]


def _start(starts: list[int], doc: int) -> int:
    return starts[doc] if doc < len(starts) else 1


def _read_config(root: Path, display: _Display, use_cache: bool) -> tuple[Config | None, list[Diagnostic], bytes]:
    """dhsync.yaml, its problems, and its bytes (they key the caches). Bytes checked before come back
    from the config cache without pydantic (specs.config)."""
    where = display(CONFIG_FILE)
    path = root / CONFIG_FILE
    what = not_a_config_file(path)
    if what is not None:  # there, so "no dhsync.yaml … dhsync init" would be wrong
        return None, [error("not-a-file", f"{CONFIG_FILE} is {what}, so dhsync does not read it", Location(where),
                            suggestion=NOT_A_CONFIG_FIX)], b""
    if not path.is_file():
        return None, [error("no-config", f"no {CONFIG_FILE} in `{root}`", Location(display(".")),
                            suggestion=_no_config_hint(root))], b""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [_unreadable(exc, where)], b""
    known = cached_config(root, data) if use_cache else None
    if known is not None:
        return known, [], data
    config, diagnostics = _check_config(data, where)
    if config is not None and use_cache:
        remember_config(root, data, config)
    return config, diagnostics, data


def _check_config(data: bytes, where: str) -> tuple[Config | None, list[Diagnostic]]:
    from pydantic import ValidationError  # only for a dhsync.yaml not seen before: 0.1 s of imports

    from dhsync.specs.issues import from_validation
    from dhsync.specs.models.config_schema import Config as Checked

    text = decode(data, where)
    if isinstance(text, Diagnostic):
        return None, [text]
    docs, problems = parse(text, where)
    if problems:
        return None, problems
    content = [d for d in docs if d is not None]
    if len(content) != 1 or not isinstance(content[0], dict):
        return None, [error("bad-config", f"{CONFIG_FILE} must hold one mapping (project, backend, specs …)",
                            Location(where, 1, 1))]
    try:
        return config_from_dict(Checked.model_validate(content[0]).model_dump()), []
    except ValidationError as exc:
        issues = from_validation(exc.errors(include_url=False), docs.index(content[0]), Checked)
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


def _check_file(root: Path, relative: str, display: _Display, cache: CheckCache, config: Config,
                kinds: KindActions | None) -> _FileResult:
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
    result = (_FileResult(diagnostics=[text]) if isinstance(text, Diagnostic)
              else _check_text(text, where, config, kinds))
    cache.put(key, _to_cache(result), data)
    return result


def _escaping_link(where: str, what: str) -> Diagnostic:
    return error("spec-link-escapes", f"{what} is a symbolic link that leads outside the repository",
                 Location(where),
                 suggestion=f"copy the {what} into the repository, or add it to `ignore` in dhsync.yaml")


def _not_a_file(where: str, what: str) -> Diagnostic:
    return error("not-a-file", f"file is {what}, not a regular file, so dhsync does not read it", Location(where),
                 suggestion="remove it or add it to `ignore` in dhsync.yaml")


def _check_text(text: str, where: str, config: Config, kinds: KindActions | None) -> _FileResult:
    docs, starts, problems = parse_with_lines(text, where)
    if problems:
        return _FileResult(diagnostics=problems)
    result = _FileResult(starts=starts)
    issues: list[Issue] = []
    for index, raw in enumerate(docs):
        if raw is None:
            continue
        checked, doc_issues = check_document(raw, index, config.defaults, kinds)
        issues.extend(doc_issues)
        if checked is not None:
            result.checked.append(checked)
    if issues:
        result.diagnostics = _locate(Locator(text, where), issues)
    return result


def check_document(raw: Any, doc: int, defaults: Defaults,
                   kinds: KindActions | None = None) -> tuple[Checked | None, list[Issue]]:
    """validate.check_document, imported on first use: the schemas (pydantic, jsonschema) cost 0.1 s of
    imports that a load served by the snapshot does without (and so do the kinds' actions)."""
    from dhsync.specs.validate import check_document as check

    return check(raw, doc, defaults, actions_of(kinds))


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
