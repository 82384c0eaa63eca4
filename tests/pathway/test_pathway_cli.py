"""``sijdesk advise`` end to end, through ``python -m sijdesk`` in a subprocess.

Most parsing is tested in-process (test_pathway_facts.py); these tests prove the
command's contract: one JSON object on stdout and exit 0, or exit 2 with exactly one
stderr line naming the offending key, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pathway.pathway_support import READY_FOR_INJECTION

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, stdin: str | bytes | None = None, home: Path
) -> subprocess.CompletedProcess:
    env = dict(os.environ, SIJDESK_HOME=str(home))
    env.pop("SIJDESK_DATABASE_URL", None)
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "sijdesk", "advise", *args],
        input=data if data is not None else b"",
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def stdout_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    return json.loads(result.stdout)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, (result.returncode, stderr)
    assert result.stdout == b""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_advise_reads_stdin_and_prints_one_json_object(home):
    result = run_cli("-", stdin=json.dumps(READY_FOR_INJECTION), home=home)
    advice = stdout_json(result)
    assert advice["step"] == "injection"
    assert advice["injection_purpose"] == "diagnostic"
    assert result.stdout.decode().count("\n") == 1  # compact: one line


def test_advise_reads_a_file_and_pretty_prints_the_same_advice(home, tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(READY_FOR_INJECTION), encoding="utf-8")
    compact = run_cli(str(path), home=home)
    pretty = run_cli(str(path), "--pretty", home=home)
    assert stdout_json(pretty) == stdout_json(compact)
    assert pretty.stdout.decode().count("\n") > 50
    assert pretty.stdout.decode().startswith('{\n  "pathway_version"')


def test_advise_with_a_clinic_thresholds_file(home, tmp_path):
    clinic = tmp_path / "clinic.json"
    clinic.write_text(json.dumps({"block_threshold": 50, "older_age": 70}), encoding="utf-8")
    facts = dict(
        READY_FOR_INJECTION,
        injections=[
            {"date": "2024-03-01", "kind": "diagnostic", "relief_percent": 60},
            {"date": "2024-04-01", "kind": "diagnostic", "relief_percent": 60},
        ],
    )
    advice = stdout_json(
        run_cli("-", "--thresholds", str(clinic), stdin=json.dumps(facts), home=home)
    )
    assert advice["thresholds"]["block_threshold"] == 50
    assert advice["thresholds"]["older_age"] == 70
    assert advice["injection_purpose"] == "therapeutic"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ('{"block_threshold": 150}', "block_threshold"),
        ('{"block_treshold": 50}', "block_treshold"),
    ],
)
@pytest.mark.choice("cli-errors")
def test_advise_with_a_bad_thresholds_file_exits_2_naming_the_threshold(
    home, tmp_path, content, name
):
    clinic = tmp_path / "clinic.json"
    clinic.write_text(content, encoding="utf-8")
    line = one_error_line(run_cli("-", "--thresholds", str(clinic), stdin="{}", home=home))
    assert name in line


def test_advise_with_a_missing_thresholds_file_exits_2(home, tmp_path):
    line = one_error_line(
        run_cli("-", "--thresholds", str(tmp_path / "nope.json"), stdin="{}", home=home)
    )
    assert "nope.json" in line


BAD_INPUTS = [
    pytest.param('{"age": 40,', "malformed JSON", id="malformed-json"),
    pytest.param('{"nrs": NaN}', "nrs", id="nan"),
    pytest.param(
        '{"odi_items": [0, 0, 0, Infinity, 0, 0, 0, 0, 0, 0]}', "odi_items[3]", id="infinity"
    ),
    pytest.param('{"frobnicate": 1}', "frobnicate", id="unknown-key"),
    pytest.param(
        '{"provocation": {"distraction": true, "wiggle": true}}', "wiggle", id="unknown-nested-key"
    ),
    pytest.param('{"nrs": "5"}', "nrs", id="wrong-type"),
    pytest.param('{"nrs": true}', "nrs", id="bool-as-number"),
    pytest.param('{"age": 40.5}', "age", id="non-integral-integer"),
    pytest.param(
        '{"injections": [{"date": "2024-01-01", "kind": "diagnostic"},'
        ' {"date": "2024-02-01", "kind": "therapeutic", "relief_percent": 101}]}',
        "injections[1].relief_percent",
        id="out-of-range-nested",
    ),
    pytest.param(
        '{"provocation": {"distraction": 1}}', "provocation.distraction", id="nested-type"
    ),
    pytest.param('{"age": 40, "age": 41}', "age", id="duplicate-key"),
    pytest.param('{"red_flags": ["fever", "fever"]}', "red_flags[1]", id="duplicate-list-entry"),
    pytest.param('{"as_of": "2024-02-30"}', "as_of", id="bad-date"),
    pytest.param('{"age": "x", "nrs": true}', "age", id="first-error-in-input-order"),
    pytest.param("[]", "JSON object", id="not-an-object"),
]


@pytest.mark.choice("cli-errors")
@pytest.mark.parametrize(("text", "fragment"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_naming_the_path(home, text, fragment):
    line = one_error_line(run_cli("-", stdin=text, home=home))
    assert fragment in line


def test_unreadable_file_exits_2_naming_it(home, tmp_path):
    line = one_error_line(run_cli(str(tmp_path / "missing-facts.json"), home=home))
    assert "missing-facts.json" in line
    line = one_error_line(run_cli(str(tmp_path), home=home))
    assert str(tmp_path) in line


@pytest.mark.choice("cli-errors")
def test_non_utf8_input_exits_2(home):
    line = one_error_line(run_cli("-", stdin=b'{"age": 40} \xff', home=home))
    assert "UTF-8" in line


@pytest.mark.choice("cli-errors")
def test_control_characters_in_an_unknown_key_stay_on_one_line(home):
    line = one_error_line(run_cli("-", stdin='{"bad\\nkey": 1}', home=home))
    assert "bad\\nkey" in line


def test_integral_float_is_accepted_as_integer(home):
    advice = stdout_json(
        run_cli("-", stdin='{"as_of": "2024-06-01", "age": 40.0, "nrs": 5.0}', home=home)
    )
    assert advice["step"] == "conservative"


def test_usage_error_exits_2(home):
    result = run_cli(home=home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr.decode()


def test_advise_loads_neither_qt_nor_a_database(home, tmp_path):
    """The command module and the pathway import nothing heavy."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(READY_FOR_INJECTION), encoding="utf-8")
    script = (
        "import argparse, sys\n"
        "from sijdesk.commands import advise\n"
        "parser = argparse.ArgumentParser()\n"
        "sub = parser.add_subparsers()\n"
        "advise.register(sub, argparse.ArgumentParser(add_help=False))\n"
        f"args = parser.parse_args(['advise', {str(path)!r}])\n"
        "code = args.func(args)\n"
        "names = ('PySide6', 'sqlalchemy', 'alembic', 'reportlab')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    env = dict(os.environ, SIJDESK_HOME=str(home))
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["step"] == "injection"
    assert result.stderr.decode().strip() == "0 []"
