"""The self-contained application folder (issue 15): frozen with PyInstaller from
the checkout, unpacked into a clean read-only folder and run with an empty
environment, a new home folder and, where the machine allows it, no network:
its version, a demonstration clinic, a letter to PDF and the real window drawn
offscreen; with no screen at all it says so in a sentence. Nothing is written
into the folder, and nothing outside the new home."""

from __future__ import annotations

import os
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from sijdesk import __version__
from sijdesk.demo import DEMO_PASSWORD
from sijdesk.packaging import build_bundle
from tests.documents.pdfcheck import pdf_text
from tests.project.install_checks import (
    file_tree,
    no_network_prefix,
    parse_desktop_entry,
    write_tracer,
    written_paths,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The unpacked application folder, read-only like a USB stick or a share."""
    archive = build_bundle(tmp_path_factory.mktemp("built"))
    assert archive.name == f"sijdesk-{__version__}-linux-{os.uname().machine}.tar.gz"
    unpacked = tmp_path_factory.mktemp("usb-stick")
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    folder = unpacked / "sijdesk"
    assert (folder / "share" / "applications" / "sijdesk.desktop").is_file()
    assert (folder / "share" / "sijdesk.png").stat().st_size > 1000
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _run(bundle, home, *args, display=False, check=True, trace=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "SIJDESK_USER": "admin",
        "SIJDESK_PASSWORD": DEMO_PASSWORD,
    }
    if not display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [*no_network_prefix(), *(trace or []), str(bundle / "sijdesk"), *args],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def test_the_application_folder_runs_with_nothing_installed(bundle, tmp_path):
    before = file_tree(bundle)
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    trace_log = tmp_path / "strace.log"
    tracer = write_tracer(trace_log)
    verbose = _run(bundle, home, "--version", "--verbose").stdout
    assert f"SIJ Desk:         {__version__}" in verbose
    assert "(application folder)" in verbose
    assert f"Data folder:      {home}" in verbose
    clinic = home / "clinic.sqlite3"
    _run(bundle, home, "demo", "--patients", "50", "--db", str(clinic))
    letter = home / "letter.pdf"
    _run(bundle, home, "letter", "physiotherapy", "--patient", "1", "-o", str(letter), "--db",
         str(clinic))  # fmt: skip
    assert "ŁUKASIEWICZ, Zoë" in pdf_text(letter.read_bytes())
    shots = home / "shots"
    _run(bundle, home, "screenshots", "--out", str(shots), trace=tracer)
    assert (shots / "main_injection.png").stat().st_size > 10_000
    assert file_tree(bundle) == before
    # The window (the run that touches the most: Qt, fonts, a clinic, PNG files)
    # writes nothing outside the new home, not even Qt's runtime folder in /tmp.
    if not tracer:
        pytest.skip("strace cannot trace here; the folder itself was checked above")
    written = written_paths(trace_log, home)
    assert any(path.startswith(f"{home}/") for path in written), "the trace saw no writes"
    outside = sorted(p for p in written if not p.startswith((f"{home}/", "/dev/", "/proc/")))
    assert not outside, outside


def test_one_command_puts_the_folder_in_the_menu_by_its_full_path(bundle, tmp_path):
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    _run(bundle, home, "menu-entry")
    entry = parse_desktop_entry(home / ".local/share/applications/sijdesk.desktop")
    assert entry["Exec"] == [str(bundle / "sijdesk")]
    icon = Path(entry["Icon"][0])
    assert icon.read_bytes() == (bundle / "share" / "sijdesk.png").read_bytes()
    _run(bundle, home, "menu-entry", "--remove")
    assert not icon.exists()


def test_the_folder_holds_what_a_clinic_pc_loads_and_leaves_out_the_rest(bundle):
    internal = bundle / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for kept in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
        "printsupport/libcupsprintersupport.so",
        "imageformats/libqjpeg.so",
        "imageformats/libqpdf.so",
    ):
        assert (plugins / kept).is_file(), kept
    for left_out in ("tls", "networkinformation", "egldeviceintegrations", "platforms/libqvnc.so"):
        assert not (plugins / left_out).exists(), left_out
    names = {path.name for path in internal.rglob("*")}
    assert not names & {"libQt6Quick.so.6", "libQt6Qml.so.6", "QtNetwork.abi3.so", "_tcl_data",
                        "mypy"}  # fmt: skip
    # The platform plugins find every library they need in the folder or in the base
    # system: the xcb one needs several that a PC without Qt applications lacks.
    search = {"LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    for plugin in [*(plugins / "platforms").glob("*.so"), *(plugins / "printsupport").glob("*.so")]:
        linked = subprocess.run(
            ["ldd", str(plugin)], capture_output=True, text=True, env=search, check=True
        ).stdout
        assert "not found" not in linked, f"{plugin.name}:\n{linked}"


def test_patients_go_out_and_come_back_as_fhir_from_the_folder(bundle, tmp_path):
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    clinic = home / "clinic.sqlite3"
    _run(bundle, home, "demo", "--patients", "5", "--db", str(clinic))
    exported = home / "all.json"
    said = _run(bundle, home, "export", "--fhir", "-o", str(exported), "--db", str(clinic))
    assert "5 patients" in said.stdout
    assert '"resourceType": "Bundle"' in exported.read_text(encoding="utf-8")
    other = str(home / "other.sqlite3")
    _run(bundle, home, "init", "--db", other, "--admin", "admin")
    imported = _run(bundle, home, "import", "--fhir", str(exported), "--db", other)
    assert "imported 5 patients" in imported.stdout


def test_without_a_screen_it_says_so_instead_of_crashing(bundle, tmp_path):
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    result = _run(bundle, home, "--db", str(home / "c.sqlite3"), display=True, check=False)
    assert result.returncode == 3, result.stderr
    assert "needs a screen" in result.stderr
