"""Validation of kinds a runtime serves beyond the built-in ones: the actions of each function kind come
from outside specs (`kinds`), and they key the load caches."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhsync.model.kinds import BUILTIN_ACTIONS
from dhsync.specs.loader import load_repository
from dhsync.specs.models.config import Defaults
from dhsync.specs.validate import check_document
from dhsync.specs.validate_kinds import FixedKinds

ECHO = {**BUILTIN_ACTIONS, "echo": ("job", "say")}


@pytest.mark.parametrize("doc", [
    {"kind": "echo", "name": "e", "spec": {"anything": {"goes": [1]}}},
    {"kind": "echo+say", "spec": {"function": "e", "free": True}},
    {"kind": "echo+job:run", "name": "r", "trigger": "manual", "spec": {"function": "e"}},
])
def test_a_served_kind_checks_the_envelope_and_leaves_the_spec_free(doc: dict[str, object]) -> None:
    checked, issues = check_document(doc, 0, Defaults(), ECHO)
    assert issues == [] and checked is not None and checked.valid
    assert check_document(doc, 0, Defaults())[1][0].code == "unknown-kind"  # the built-in kinds only


def test_an_action_the_runtime_lacks_is_unknown_naming_its_actions() -> None:
    _, issues = check_document({"kind": "echo+serve:run", "name": "r", "spec": {}}, 0, Defaults(), ECHO)
    assert [(i.code, i.message, i.suggestion) for i in issues] == [
        ("unknown-kind", "`echo` functions have no action `serve`", "use one of echo+job:run, echo+say:run")]


def test_a_run_still_needs_its_name_and_a_known_trigger() -> None:
    _, issues = check_document({"kind": "echo+job:run", "trigger": "sometimes", "spec": {}}, 0, Defaults(), ECHO)
    assert {i.path for i in issues} == {("name",), ("trigger",)}


def test_other_kinds_give_another_load_not_the_cached_one(tmp_path: Path) -> None:
    (tmp_path / "dhsync.yaml").write_text("project: p\nspecs: ['*.yaml']\n")
    (tmp_path / "fn.yaml").write_text("kind: echo\nname: e\nspec: {text: hi}\n")
    assert load_repository(tmp_path, kinds=FixedKinds(ECHO)).ok
    assert not load_repository(tmp_path).ok
    assert not load_repository(tmp_path, kinds=FixedKinds(BUILTIN_ACTIONS)).ok
    assert load_repository(tmp_path, kinds=FixedKinds(ECHO)).ok
