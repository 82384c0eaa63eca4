"""Layering rules: nothing below ui/ loads Qt; bare top-level imports are banned."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import sijdesk

ROOT = Path(__file__).resolve().parents[2]


def _non_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(sijdesk.__path__, "sijdesk."):
        if info.name.startswith("sijdesk.ui") or info.name.startswith("sijdesk.db.migrations"):
            continue
        if info.name == "sijdesk.__main__":
            continue
        names.append(info.name)
    for package in ("sijdesk.models", "sijdesk.reports", "sijdesk.resources"):
        module = __import__(package, fromlist=["_"])
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            names.append(info.name)
    return sorted(set(names))


def test_no_module_outside_ui_imports_pyside6():
    modules = _non_ui_modules()
    assert "sijdesk.services.patients" in modules
    assert "sijdesk.pathway" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_ruff_bans_bare_imports_of_the_mapped_folders(tmp_path):
    # The probe lives in the test's own folder: tests never write into the source tree.
    offender = tmp_path / "_ruff_ban_probe.py"
    offender.write_text("import ui\nfrom models import Patient\n")
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--select",
            "TID251",
            str(offender),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert "sijdesk.ui" in result.stdout
    assert "sijdesk.models" in result.stdout


def test_the_whole_tree_passes_ruff():
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout


def test_the_window_and_the_command_line_never_act_without_a_password():
    """``Clinic.as_user`` and ``load_actor`` skip the password: only the demo
    builder (and tests) may use them; every door signs in."""
    offenders = []
    for folder in (ROOT / "ui", ROOT / "sijdesk" / "commands", ROOT / "sijdesk" / "cli.py"):
        files = [folder] if folder.is_file() else sorted(folder.rglob("*.py"))
        for path in files:
            text = path.read_text(encoding="utf-8")
            if ".as_user(" in text or "load_actor(" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_services_open_database_sessions():
    """The window, the documents and the command line go through a service, which
    checks the role and audits; they never open a session of their own."""
    offenders = []
    for folder in ("ui", "reports", "sijdesk/commands"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if ".db.read()" in text or ".db.write()" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_method_or_field_shadows_a_builtin():
    """``timeline.list`` or ``Clinic.open`` read like the builtins they hide; the
    names say what they do instead. Overrides of a library's method keep its name."""
    import ast
    import builtins

    shadowable = {name for name in dir(builtins) if not name.startswith("_")} - {"id"}
    overrides = {"format", "filter", "exec"}  # logging.Formatter.format, Qt's exec
    offenders = []
    for folder in ("sijdesk", "ui", "reports", "models"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        name = item.name
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        name = item.target.id
                    else:
                        continue
                    if name in shadowable and name not in overrides:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.name}.{name}")
    assert offenders == []


def _imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported, called = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
    return imported, called


def test_reports_only_render_they_never_call_a_service():
    """Gathering is the documents service's job (sijdesk/services/document_content.py)."""
    offenders = []
    for path in sorted((ROOT / "reports").glob("*.py")):
        imported, _called = _imports_and_calls(path)
        offenders += [f"{path.name}: {m}" for m in imported if m.startswith("sijdesk.services")]
    assert offenders == []


def test_services_use_the_clinics_services_and_never_build_their_own_copies():
    # The sign-in door (AccountService) acts before anyone is signed in: the
    # session service asks it to check a password again at unlock.
    allowed = {"AccountService"}
    offenders = []
    for path in sorted((ROOT / "sijdesk" / "services").glob("*.py")):
        if path.name == "__init__.py":  # Clinic wires the services together
            continue
        _imported, called = _imports_and_calls(path)
        made = {name for name in called if name.endswith("Service")} - allowed
        offenders += [f"{path.name}: {name}" for name in sorted(made)]
    assert offenders == []
