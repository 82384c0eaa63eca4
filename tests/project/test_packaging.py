"""The wheel carries one import package, sijdesk, with every subpackage and its data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sijdesk.packaging import _own_wheel

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "sijdesk" / "db" / "migrations" / "versions"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """SIJ Desk's wheel as the wheelhouse and the application folder build it."""
    return _own_wheel(tmp_path_factory.mktemp("work"), tmp_path_factory.mktemp("wheel"))


def test_wheel_has_only_the_sijdesk_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"sijdesk"}
    assert "sijdesk/resources/pathway_thresholds.json" in names
    assert "sijdesk/db/migrations/versions/0001_initial_clinical_record_schema.py" in names


def test_every_subpackage_imports_from_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    packages = sorted(
        str(p.parent.relative_to(target)).replace("/", ".") for p in target.rglob("__init__.py")
    )
    assert {"sijdesk.ui", "sijdesk.models", "sijdesk.reports", "sijdesk.resources"} <= set(packages)
    # Every package of the source tree is in the wheel (the list in pyproject is by hand).
    mapped = {"sijdesk": "sijdesk", "ui": "sijdesk.ui", "models": "sijdesk.models"}
    mapped |= {"reports": "sijdesk.reports", "resources": "sijdesk.resources"}
    source_packages = {
        ".".join((mapped[init.relative_to(ROOT).parts[0]], *init.relative_to(ROOT).parts[1:-1]))
        for folder in mapped
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert source_packages <= set(packages), sorted(source_packages - set(packages))
    code = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        f"for name in {packages!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(target)!r}), module.__file__\n"
        "from sijdesk.pathway import load_default_thresholds\n"
        "load_default_thresholds()\n"
        "from sijdesk.db.migrate import script_head_revision\n"
        "print(script_head_revision())\n"
    )
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    # The installed copy knows the newest migration of the source tree.
    newest = max(path.name[:4] for path in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert result.stdout.strip() == newest


def test_every_third_party_import_is_a_declared_dependency():
    """A package imported by the program but only present in the developer's venv
    would pass here and fail on a clean machine (as cryptography once did)."""
    import ast
    import re
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    # An optional extra (postgresql) counts: the code imports it where a missing
    # package becomes a plain message (sijdesk/db/engine.py).
    optional = [
        spec
        for extra, specs in project["optional-dependencies"].items()
        if extra != "dev"
        for spec in specs
    ]
    declared = {
        re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].strip().lower().replace("_", "-")
        for spec in [*project["dependencies"], *optional]
    }
    distributions = packages_distributions()
    missing = set()
    for folder in ("sijdesk", "ui", "models", "reports"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("sijdesk", "__future__"):
                        continue
                    owners = {d.lower().replace("_", "-") for d in distributions.get(top, [])}
                    if top == "shiboken6":  # installed by, and versioned with, PySide6
                        owners.add("pyside6")
                    if not owners & declared:
                        missing.add(f"{top} ({path.relative_to(root)})")
    assert sorted(missing) == []
