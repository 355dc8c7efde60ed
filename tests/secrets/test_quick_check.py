"""The cache's quick test (`_may_hold_secret`) must never say "no secret" where the full rules find one:
a file it waves through is cached in clear. Every credential name of the test lists, in the spellings
configurations use, must pass it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from dhsync.model.secret_names import NO_RULES, is_credential_name, words_of
from dhsync.model.secret_values import _may_hold_secret, holds_secret
from tests.conftest import RunCli
from tests.diff.test_secret_names import CREDENTIAL_NAMES, MENTIONING_NAMES, ORDINARY_NAMES
from tests.secrets.test_secret_sweep import NAMES
from tests.specrepo import documents, python_function, task, write_repo

WORDS = ["pat", "sas", "pw", "otp", "token", "tokens", "secret", "secrets", "key", "kube", "config", "web", "hook",
         "blob", "uri", "url", "file", "value", "my", "db", "max", "api", "path", "sasl", "pass", "auth", "2"]


def _spellings(words: list[str]) -> Iterator[str]:
    yield "_".join(words).upper()
    yield "_".join(words)
    yield "-".join(words)
    yield ".".join(words)
    yield words[0] + "".join(w.capitalize() for w in words[1:])  # blobSasUri
    yield words[0] + "".join(w.upper() for w in words[1:])  # blobSASURI
    yield "".join(w.upper() if len(w) <= 3 else w.capitalize() for w in words)  # BlobSASUri, PATFile


def _names() -> list[str]:
    listed = [*CREDENTIAL_NAMES, *MENTIONING_NAMES, *ORDINARY_NAMES, *NAMES,
              "blobSASUri", "SASUrl", "PATFile", "myPATValue", "otp2", "DB_PW", "KubeConfig", "slackWebhook"]
    generated = {n for name in listed for n in _spellings(words_of(name) or [name])}
    rng = random.Random(8)  # the same names every run
    for _ in range(3000):
        generated.update(_spellings(rng.sample(WORDS, rng.randint(1, 4))))
    return sorted({*listed, *generated})


NAMES_TRIED = _names()


def test_whenever_a_name_is_a_credentials_the_quick_test_lets_it_through() -> None:
    missed = [n for n in NAMES_TRIED if is_credential_name(n)
              and not (_may_hold_secret({n: "hunter2hunter2"}, NO_RULES)
                       and _may_hold_secret({"envs": [{"name": n, "value": "hunter2hunter2"}]}, NO_RULES))]
    assert missed == []
    assert sum(map(is_credential_name, NAMES_TRIED)) > 1000  # the generated names do reach the rules


@pytest.mark.parametrize("name", ["blobSASUri", "SASUrl", "PATFile", "myPATValue"])
def test_camel_case_short_words_are_secrets_to_the_cache(name: str) -> None:
    assert holds_secret({"spec": {"envs": [{"name": name, "value": "hunter2hunter2"}]}})


def test_ordinary_values_stay_off_the_slow_path() -> None:
    for value in ({"path": "src/a.py"}, {"sasl_mechanism": "plain"}, {"pwm_duty": 5}, {"mode": "sasquatch"}):
        assert not _may_hold_secret(value, NO_RULES)


def test_plan_masks_and_the_cache_does_not_keep_a_camel_case_secret(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_repo(tmp_path / "repo", {"functions/a.yaml": documents(
        python_function("a"), task("a", spec="envs:\n  - {name: blobSASUri, value: hunter2hunter2}\n"))})
    plan = run_cli("plan", "--format", "json", cwd=root)
    assert "(secret)" in plan.output and "hunter2hunter2" not in plan.output
    run_cli("plan", cwd=root)  # warm
    for path in (root / ".dhsync" / "cache").iterdir():
        assert "hunter2hunter2" not in path.read_text(errors="replace"), path
