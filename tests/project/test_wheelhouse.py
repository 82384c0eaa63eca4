"""The offline wheelhouse (issue 15): built from the checkout, unpacked in a clean
folder and installed into a new virtual environment with ``--no-index``; the
installed SIJ Desk then runs with an empty environment and, where the machine
allows it, no network at all: its version, a demonstration clinic, a letter to
PDF, and the real window drawn offscreen. Nothing is written outside the new
home folder and the folders the test gave it."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest

from sijdesk import __version__
from sijdesk.demo import DEMO_PASSWORD
from sijdesk.packaging import build_wheelhouse
from tests.documents.pdfcheck import pdf_text
from tests.project.install_checks import file_tree, no_network_prefix

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the new environment's bin folder, the unpacked wheelhouse folder)."""
    built = tmp_path_factory.mktemp("built")
    archive = build_wheelhouse(built)
    assert archive.name.startswith(f"sijdesk-{__version__}-wheelhouse-cp")
    unpacked = tmp_path_factory.mktemp("usb-stick")
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (folder,) = unpacked.iterdir()
    install_text = (folder / "INSTALL.txt").read_text(encoding="utf-8")
    assert "--no-index --find-links wheels" in install_text
    wheels = sorted(p.name for p in (folder / "wheels").iterdir())
    assert any(name.startswith("sijdesk-") for name in wheels)
    assert any(name.lower().startswith("pyside6") for name in wheels)
    assert any(name.startswith("psycopg_binary") for name in wheels)
    venv = tmp_path_factory.mktemp("clinic-pc") / "sijdesk-env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [
            *no_network_prefix(),
            str(venv / "bin" / "pip"),
            "install",
            "-q",
            "--no-index",
            "--find-links",
            "wheels",
            "sijdesk[postgresql]",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
        # The test machine's pip settings (mirrors, constraints) must not help it.
        env={"PATH": "/usr/bin:/bin", "HOME": str(venv.parent), "PIP_CONFIG_FILE": os.devnull},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv / "bin", folder


def test_the_wheelhouse_installs_offline_and_the_app_works(installed, tmp_path):
    bin_folder, wheelhouse = installed
    before = file_tree(wheelhouse)
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "QT_QPA_PLATFORM": "offscreen",
        "SIJDESK_USER": "admin",
        "SIJDESK_PASSWORD": DEMO_PASSWORD,
    }
    offline = no_network_prefix()

    def sijdesk(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
            [*offline, str(bin_folder / "sijdesk"), *args],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result

    assert sijdesk("--version").stdout.strip().endswith(__version__)
    clinic = home / "clinic.sqlite3"
    sijdesk("demo", "--patients", "50", "--db", str(clinic))
    letter = home / "letter.pdf"
    sijdesk("letter", "physiotherapy", "--patient", "1", "-o", str(letter), "--db", str(clinic))
    assert "ŁUKASIEWICZ, Zoë" in pdf_text(letter.read_bytes())
    # The real window, drawn offscreen on a demonstration clinic of its own, then closed.
    shots = home / "shots"
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [*offline, str(bin_folder / "python"), "-m", "sijdesk.ui.screenshots", "--out", str(shots)],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (shots / "main_injection.png").stat().st_size > 10_000
    assert file_tree(wheelhouse) == before  # the installation medium is only read
