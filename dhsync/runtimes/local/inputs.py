"""A run's `inputs` as the handler receives them: one local path per name.

An input is a local path (relative to the spec repository, or the current directory for runs started
from the SDK) or the `store://` key of an artifact an earlier run produced on this machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dhsync.runtimes.local.errors import PrepareError
from dhsync.runtimes.local.files import artifact_path, is_artifact_key


def resolve_inputs(inputs: Any, *, base: Path, data: Path) -> dict[str, str]:
    if inputs is None:
        return {}
    if not isinstance(inputs, Mapping):
        raise PrepareError(f"inputs must map names to paths or store:// keys, got {type(inputs).__name__}")
    return {str(name): str(_resolve(str(name), value, base, data)) for name, value in inputs.items()}


def _resolve(name: str, value: Any, base: Path, data: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise PrepareError(f"input `{name}` must be a path or a store:// key, got {value!r}")
    if value.startswith("store://"):
        return _stored(name, value, data)
    if "://" in value:
        raise PrepareError(f"input `{name}`: `{value}` cannot be fetched by the local executor; give a local "
                           "path or the store:// key of an earlier run's output")
    path = Path(value).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise PrepareError(f"input `{name}`: `{value}` not found (looked in {path.parent})")
    return path.resolve()


def _stored(name: str, key: str, data: Path) -> Path:
    if not is_artifact_key(key):
        raise PrepareError(f"input `{name}`: `{key}` is not an artifact key; the local executor resolves "
                           "store://<project>/artifact/<kind>/<name>:<id> keys of earlier runs' outputs")
    found = artifact_path(data, key)
    if found is None:
        raise PrepareError(f"input `{name}`: artifact `{key}` is not stored under {data / 'artifacts'}; "
                           "was it produced by a run on this machine with this backend?")
    return found


def merge_arguments(parameters: Any, inputs: Mapping[str, str]) -> dict[str, Any]:
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping):
        raise PrepareError(f"parameters must be a mapping of names to values, got {type(parameters).__name__}")
    both = sorted(set(parameters) & set(inputs))
    if both:
        raise PrepareError(f"{', '.join(f'`{n}`' for n in both)} is both a parameter and an input; "
                           "rename one of them")
    return {**{str(k): v for k, v in parameters.items()}, **inputs}
