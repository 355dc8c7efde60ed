"""The child process of a local run: import the handler, call it, store what it returned.

`python -m dhsync.runtimes.local.child REQUEST.json`. Its stdout and stderr are the run's log; the
outcome goes to the request's `result` file as JSON: `{"ok": true, "results": …, "outputs": …}` or
`{"ok": false, "message": …}`. A process that ends without that file crashed (the supervisor says so).
"""

from __future__ import annotations

import faulthandler
import importlib
import inspect
import json
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from dhsync.runtimes.local.returns import ReturnError, a_kind, map_returns


class HandlerError(Exception):
    """Why the handler did not produce a result, in words for the run's status.message."""


# Tracebacks name the files the user knows (`src/prepare.py`), not the run's scratch copies of them.
_SHOWN_AS: dict[str, str] = {}


def main(argv: list[str]) -> int:
    faulthandler.enable()  # a crash of the interpreter still leaves a stack in the log
    request = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    _remember_names(request)
    try:
        outcome: dict[str, Any] = {"ok": True, **execute(request)}
    except (HandlerError, ReturnError) as exc:
        outcome = {"ok": False, "message": str(exc)}
    sys.stdout.flush()
    sys.stderr.flush()
    _write(Path(request["result"]), outcome)
    return 0 if outcome["ok"] else 1


def execute(request: dict[str, Any]) -> dict[str, Any]:
    here = os.getcwd()
    sys.path[:] = [request["code"], *(p for p in sys.path if p not in ("", here))]
    module = _import(request["module"], request)
    handler = _attribute(module, request["function"], "handler", request)
    kwargs = request["kwargs"]
    _check_arguments(handler, request["function"], kwargs, "the run's parameters and inputs")
    if request.get("init_function"):
        init = _attribute(module, request["init_function"], "init_function", request)
        init_kwargs = request.get("init_parameters") or {}
        _check_arguments(init, request["init_function"], init_kwargs, "the run's init_parameters")
        _call(init, init_kwargs, f"init_function `{request['init_function']}`")
    value = _call(handler, kwargs, f"handler `{request['function']}`")
    return map_returns(value, request["outputs"], request["values"], Path(request["artifacts"]), Path(here))


def _import(name: str, request: dict[str, Any]) -> ModuleType:
    origin = request["origin"]
    try:
        return importlib.import_module(name)
    except SyntaxError as exc:
        _print_exception(exc)
        where = f"{Path(exc.filename or name).name} line {exc.lineno}" if exc.lineno else name
        raise HandlerError(f"syntax error in the code of {origin} ({where}): {exc.msg}") from None
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(f"{exc.name}.")):
            held = ", ".join(sorted(p.name for p in Path(request["code"]).iterdir() if not p.name.startswith(".")))
            raise HandlerError(f"module `{name}` not found in the code of {origin} (it holds: {held})") from None
        _print_exception(exc)
        raise HandlerError(f"importing `{name}` from {origin} failed: {exc}") from None
    except BaseException as exc:
        _print_exception(exc)
        raise HandlerError(f"importing `{name}` from {origin} failed: {_one_line(exc)}") from None


def _attribute(module: ModuleType, name: str, role: str, request: dict[str, Any]) -> Any:
    where = f"module `{module.__name__}` of {request['origin']}"
    if not hasattr(module, name):
        defined = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_"))
        shown = ", ".join(defined) if defined else "no functions"
        raise HandlerError(f"{role} `{name}` not found in {where} (it defines {shown})")
    found = getattr(module, name)
    if not callable(found):
        raise HandlerError(f"{role} `{name}` in {where} is {a_kind(found)}, not a function")
    return found


def _check_arguments(func: Any, name: str, kwargs: dict[str, Any], what: str) -> None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return  # builtins without a signature: calling them says what is wrong
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        given = ", ".join(sorted(kwargs)) or "none"
        raise HandlerError(f"`{name}{signature}` does not accept {what} ({given}): {exc}") from None


def _call(func: Any, kwargs: dict[str, Any], what: str) -> Any:
    try:
        return func(**kwargs)
    except SystemExit as exc:
        raise HandlerError(f"{what} called sys.exit({exc.code!r}) instead of returning") from None
    except BaseException as exc:
        _print_exception(exc)
        raise HandlerError(f"{what} raised {_one_line(exc)}") from None


def _remember_names(request: dict[str, Any]) -> None:
    origin = str(request["origin"])
    if "://" in origin:  # a git checkout in the cache: its paths are real and stay
        return
    folder = Path(request["code"])
    for name in {f"{request['module']}.py", "main.py"}:
        _SHOWN_AS[str(folder / name)] = origin if origin.endswith(".py") else name


def _print_exception(exc: BaseException) -> None:
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and _is_ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next  # the user's frames only
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    for scratch, shown in _SHOWN_AS.items():
        text = text.replace(f'File "{scratch}"', f'File "{shown}"')
    sys.stderr.write(text)
    sys.stderr.flush()


def _is_ours(filename: str) -> bool:
    return filename in (__file__, importlib.__file__) or filename.startswith("<frozen importlib")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _write(path: Path, outcome: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(outcome), encoding="utf-8")
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
