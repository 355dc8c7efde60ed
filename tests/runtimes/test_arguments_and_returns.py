"""What a handler receives (parameters, inputs) and what becomes of what it returns."""

from __future__ import annotations

import json

import pytest

from dhsync.runtimes import artifact_file
from tests.runtimes.conftest import PROJECT, Lab, message, states

WRITE_REPORT = """
from pathlib import Path

def main(rows, label='x'):
    Path('report.txt').write_text(f'{label}: {rows} rows\\n')
    return 'report.txt', rows * 2, {'label': label}
"""


def test_parameters_are_keyword_arguments(lab: Lab) -> None:
    run = lab.go("def main(a, b=2):\n    return a * b\n", parameters={"a": 21})
    assert run["status"]["results"] == {"output_0": 42}


def test_parameters_the_handler_does_not_accept_are_an_error_naming_them(lab: Lab) -> None:
    run = lab.go("def main(a):\n    return a\n", parameters={"a": 1, "colour": "red"})
    assert run["status"]["state"] == "ERROR"
    assert message(run) == ("`main(a)` does not accept the run's parameters and inputs (a, colour): "
                            "got an unexpected keyword argument 'colour'")


def test_a_missing_required_parameter_is_an_error(lab: Lab) -> None:
    run = lab.go("def main(a, b):\n    return a\n", parameters={"a": 1})
    assert run["status"]["state"] == "ERROR"
    assert "`main(a, b)` does not accept the run's parameters and inputs (a): missing a required argument: 'b'" \
        == message(run)


def test_outputs_are_stored_as_files_and_values_become_results(lab: Lab) -> None:
    run = lab.go(WRITE_REPORT, parameters={"rows": 5, "label": "north"},
                 outputs=["report"], values=["doubled", "meta"])
    assert run["status"]["state"] == "COMPLETED", message(run)
    assert run["status"]["results"] == {"doubled": 10, "meta": {"label": "north"}}
    key = run["status"]["outputs"]["report"]
    assert key == f"store://{PROJECT}/artifact/artifact/report:{run['id']}"
    stored = artifact_file(lab.backend, key)
    assert stored is not None and stored.name == "report.txt"
    assert stored.read_text() == "north: 5 rows\n"


def test_outputs_given_as_a_mapping_name_the_artifact(lab: Lab) -> None:
    run = lab.go("def main():\n    return {'rows': [1, 2]}\n", outputs={"rows": "row-list"})
    key = run["status"]["outputs"]["rows"]
    assert key.endswith(f"/row-list:{run['id']}")
    stored = artifact_file(lab.backend, key)
    assert stored is not None and json.loads(stored.read_text()) == [1, 2]


def test_a_local_path_input_is_passed_as_an_absolute_path(lab: Lab) -> None:
    (lab.root / "data").mkdir()
    (lab.root / "data" / "numbers.txt").write_text("3\n4\n")
    code = "def main(numbers):\n    return sum(int(line) for line in open(numbers))\n"
    run = lab.go(code, inputs={"numbers": "data/numbers.txt"})
    assert run["status"]["results"] == {"output_0": 7}, message(run)


def test_the_store_key_of_an_earlier_output_is_an_input(lab: Lab) -> None:
    first = lab.go(WRITE_REPORT, parameters={"rows": 3}, outputs=["report"], values=["doubled", "meta"])
    key = first["status"]["outputs"]["report"]
    second = lab.go("def main(report):\n    return open(report).read().strip()\n", inputs={"report": key})
    assert second["status"]["results"] == {"output_0": "x: 3 rows"}, message(second)


@pytest.mark.parametrize(("value", "why"), [
    ("data/missing.csv", "input `raw`: `data/missing.csv` not found"),
    (f"store://{PROJECT}/artifact/artifact/clean:0123456789abcdef", "input `raw`: artifact `store://"),
    ("s3://bucket/raw.csv", "input `raw`: `s3://bucket/raw.csv` cannot be fetched by the local executor"),
])
def test_an_input_that_cannot_be_found_fails_the_run_before_it_starts(lab: Lab, value: str, why: str) -> None:
    run = lab.go("def main(raw):\n    return 1\n", inputs={"raw": value})
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith(why)
    assert "RUNNING" not in states(run)


def test_an_unnamed_tuple_is_stored_as_output_0_to_n(lab: Lab) -> None:
    run = lab.go("def main():\n    return 1, 'two', [3]\n")
    assert run["status"]["results"] == {"output_0": 1, "output_1": "two", "output_2": [3]}


def test_none_returned_without_names_stores_no_results(lab: Lab) -> None:
    run = lab.go("def main():\n    print('side effects only')\n")
    assert run["status"]["state"] == "COMPLETED"
    assert run["status"]["results"] == {} and run["status"]["outputs"] == {}


@pytest.mark.parametrize(("code", "fields", "why"), [
    ("def main():\n    return object()\n", {},
     "value `output_0` (an object) cannot be stored as a result: results are JSON"),
    ("def main():\n    return float('nan')\n", {"values": ["score"]},
     "value `score` (a float) cannot be stored as a result"),
    ("import threading\ndef main():\n    return {'model': {'weights': [1, 2], 'lock': threading.Lock()}}\n", {},
     "value `output_0.model.lock` (a lock) cannot be stored as a result"),
    ("def main():\n    return 1, 2\n", {"values": ["a", "b", "c"]},
     "the handler returned a tuple of 2 but the run names 3 (values a, b, c)"),
    ("def main():\n    return 'nowhere.csv'\n", {"outputs": ["clean"]},
     "output `clean`: `nowhere.csv` is not a file the handler wrote"),
    ("def main():\n    return {1, 2}\n", {"outputs": ["clean"]},
     "output `clean` (a set) cannot be stored: return the path of a file"),
    ("def main():\n    return 'x' * (2 * 1024 * 1024)\n", {},
     "the results are 2097168 bytes of JSON (the limit is 1048576)"),
])
def test_a_return_value_that_cannot_be_stored_is_an_error_naming_it(lab: Lab, code: str, fields: dict[str, object],
                                                                      why: str) -> None:
    run = lab.go(code, **fields)
    assert run["status"]["state"] == "ERROR"
    assert message(run).startswith(why)
    assert "results" not in run["status"]


def test_the_request_holding_the_parameters_is_readable_by_its_owner_only(lab: Lab) -> None:
    code = ("import os, stat\ndef main(password):\n"
            "    mode = lambda name: oct(stat.S_IMODE(os.stat(name).st_mode))\n"
            "    return mode('../request.json'), mode('..')\n")
    run = lab.go(code, parameters={"password": "hunter2"}, values=["request", "work"])
    assert run["status"]["results"] == {"request": "0o600", "work": "0o700"}, message(run)
