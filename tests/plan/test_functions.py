"""Functions in a plan: create, new version (spec or code changed, with the fields), update in place
(description, labels, protection), or nothing."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from dhsync.model.plan import Action, Reason

from .helpers import CODE, PROJECT, PY_SPEC, applied, function, new_backend, plan, state

STORED = function("train", metadata={"description": "fit", "labels": ["ml", "team-a"]})


def _spec(**changes: Any) -> dict[str, Any]:
    return {**PY_SPEC, **changes}


# desired function -> (action, reason, the field paths the plan lists) or None for no change
CASES: dict[str, tuple[dict[str, Any], tuple[Action, Reason, list[str]] | None]] = {
    "unchanged": ({}, None),
    "labels in another order": ({"metadata": {"description": "fit", "labels": ["team-a", "ml"]}}, None),
    "code written as base64": ({"spec": _spec(source={"handler": "main",
                                                      "base64": base64.b64encode(CODE.encode()).decode()})}, None),
    "explicit default lang": ({"spec": _spec(source={**PY_SPEC["source"], "lang": "python"})}, None),
    "empty values": ({"spec": _spec(requirements=[], image=None)}, None),
    "spec field": ({"spec": _spec(python_version="PYTHON3_12")},
                   (Action.NEW_VERSION, Reason.SPEC_CHANGED, ["spec.python_version"])),
    "code": ({"spec": _spec(source={"code": CODE + "# v2\n", "handler": "main"})},
             (Action.NEW_VERSION, Reason.SPEC_CHANGED, ["spec.source.code"])),
    "spec and description": ({"spec": _spec(python_version="PYTHON3_12"),
                              "metadata": {"description": "fit v2", "labels": ["ml", "team-a"]}},
                             (Action.NEW_VERSION, Reason.SPEC_CHANGED, ["metadata.description",
                                                                       "spec.python_version"])),
    "kind": ({"kind": "container", "spec": {"image": "i"}},
             (Action.NEW_VERSION, Reason.SPEC_CHANGED, ["kind", "spec.image", "spec.python_version",
                                                        "spec.source"])),
    "description": ({"metadata": {"description": "fit v2", "labels": ["ml", "team-a"]}},
                    (Action.UPDATE, Reason.METADATA_CHANGED, ["metadata.description"])),
    "labels": ({"metadata": {"description": "fit", "labels": ["ml"]}},
               (Action.UPDATE, Reason.METADATA_CHANGED, ["metadata.labels"])),
    "protect": ({"protect": True}, (Action.UPDATE, Reason.METADATA_CHANGED, ["protect"])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_declared_function_against_its_stored_version(case: str) -> None:
    backend = applied(state(STORED))
    changes, expected = CASES[case]
    args: dict[str, Any] = {"kind": "python", "spec": PY_SPEC, "metadata": STORED.metadata, **changes}
    desired = function("train", args.pop("kind"), args.pop("spec"), **args)
    planned = plan(state(desired), backend)
    if expected is None:
        assert planned.changes == ()
        return
    (change,) = planned.changes
    assert (change.action, change.reason, [f.path for f in change.fields]) == expected
    assert change.before is not None and change.after is not None and change.before != change.after


def test_a_new_function_is_created_with_its_content() -> None:
    (change,) = plan(state(STORED), new_backend()).changes
    assert (change.action, change.reason, change.before, change.fields) == (Action.CREATE, Reason.NOT_IN_BACKEND,
                                                                           None, ())
    assert change.after is not None
    assert change.after["metadata"] == {"description": "fit", "labels": ["ml", "team-a"]}
    assert change.after["spec"]["source"]["code"].startswith("sha256:")  # the code's digest, not the code


def test_a_function_as_the_sdk_and_dhcore_store_it_is_unchanged() -> None:
    """The SDK sends `embedded: false`, base64 code and `lang`; DHCore adds its fields; dhsync marked it."""
    backend = new_backend()
    backend.create_function(PROJECT, {
        "kind": "python", "name": "train", "project": PROJECT,
        "metadata": {"description": "fit", "labels": ["team-a", "dhsync/managed", "ml"], "embedded": False,
                     "version": "gentle-otter", "created": "2026-01-01T00:00:00+00:00"},
        "spec": {"python_version": "PYTHON3_11", "requirements": [],
                 "source": {"handler": "main", "lang": "python", "base64": base64.b64encode(CODE.encode()).decode()}},
        "status": {"state": "CREATED"}, "user": "alice",
    })
    assert plan(state(STORED), backend).changes == ()


def test_only_the_latest_version_is_compared() -> None:
    backend = applied(state(function("train", spec=_spec(python_version="PYTHON3_10"))))
    backend.create_function(PROJECT, {"kind": "python", "name": "train", "spec": PY_SPEC,
                                      "metadata": {"labels": ["dhsync/managed"]}})
    assert plan(state(function("train")), backend).changes == ()
    (change,) = plan(state(function("train", spec=_spec(python_version="PYTHON3_10"))), backend).changes
    assert change.action is Action.NEW_VERSION


def test_ignored_changes_make_no_new_version() -> None:
    backend = applied(state(function("api", "container", {"image": "api:1", "command": "serve"})))
    desired = state(function("api", "container", {"image": "api:2", "command": "serve"}))
    assert plan(desired, backend, ignore_changes=("spec.image",)).changes == ()
    (change,) = plan(desired, backend).changes
    assert [f.path for f in change.fields] == ["spec.image"]
