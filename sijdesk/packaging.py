"""Build what a clinic with no internet installs SIJ Desk from.

    python -m sijdesk.packaging wheelhouse --out DIR [--python 3.12 --platform win_amd64]
    python -m sijdesk.packaging bundle --out DIR [--platform linux|windows|macos]

``wheelhouse`` writes ``DIR/sijdesk-VERSION-wheelhouse-cpXY-PLATFORM.tar.gz``:
SIJ Desk's own wheel and a binary wheel of every library it needs (the
PostgreSQL driver included) for one Python version and platform, with an
``INSTALL.txt`` that gives the two commands to install it on a PC that has
Python but no internet::

    python3 -m venv sijdesk-env
    sijdesk-env/bin/pip install --no-index --find-links wheels 'sijdesk[postgresql]'

It is built from a source checkout on a machine that can reach a package
index (or a mirror of one): the wheels are fetched once, here, never by the
clinic's PC. Run it from the checkout (``python -m sijdesk.packaging``) with
the project installed for development.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

from sijdesk import __version__
from sijdesk.desktop_entry import ENTRY_NAME, ICON_NAME, desktop_entry, draw_icon
from sijdesk.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
# What a source copy leaves out: builds and caches, the tests, the developer's venv.
NOT_SHIPPED = (".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")
EXTRAS = "postgresql"  # every clinic gets the driver: moving to a server needs no new install

BUNDLE_README = """\
SIJ Desk {version}: the application folder

Everything SIJ Desk needs is in this folder, Python and Qt included; nothing
is downloaded and nothing is written here (it may stay on a USB stick or a
read-only share). The clinic's data goes to the user's data folder, as with
an installed SIJ Desk (sijdesk --version --verbose says where).

Start the window:        ./sijdesk
The commands:            ./sijdesk --help
Add it to the menu:      ./sijdesk menu-entry   (./sijdesk menu-entry --remove
                         takes it out; run it again after moving the folder)
"""

INSTALL_TEXT = """\
SIJ Desk {version}: offline installation ({python}, {platform})

This folder holds SIJ Desk and every library it needs; nothing is downloaded.
On the clinic's PC, with Python {python_short} installed, in this folder:

    python3 -m venv sijdesk-env
    sijdesk-env/bin/pip install --no-index --find-links wheels 'sijdesk[postgresql]'

(On Windows: py -{python_short} -m venv sijdesk-env, then
sijdesk-env\\Scripts\\pip install --no-index --find-links wheels "sijdesk[postgresql]")

Then start it with sijdesk-env/bin/sijdesk (the window), or try the commands:

    sijdesk-env/bin/sijdesk --version
    sijdesk-env/bin/sijdesk --help
"""


class PackagingError(Exception):
    """A step of the build failed; the message says which and why."""


def current_platform_tag() -> str:
    """This machine's platform as wheel tags spell it: ``linux_x86_64``, ``win_amd64``."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _run(
    step: str, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> str:
    """Run one step of the build; its output, or PackagingError with the end of it."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    if result.returncode != 0:
        raise PackagingError(f"{step} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.stdout


def _own_wheel(work: Path, into: Path) -> Path:
    """SIJ Desk's own wheel, built from a clean copy of the source into ``into``."""
    _run(
        "Building SIJ Desk's wheel",
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(into),
            str(_source_copy(work)),
        ],
    )
    (own,) = into.glob("sijdesk-*.whl")
    return own


def _target_options(short: str, abi: str, platforms: list[str]) -> list[str]:
    options = ["--python-version", short, "--implementation", "cp", "--abi", abi]
    for tag in platforms:
        options += ["--platform", tag]
    return options


def _source_copy(into: Path) -> Path:
    """The checkout copied without builds, caches or tests: setuptools writes build/
    and *.egg-info beside the sources it builds, and the checkout stays clean."""
    if not (ROOT / "pyproject.toml").exists():
        raise PackagingError(
            "Run this from a source checkout of SIJ Desk (it builds from pyproject.toml)."
        )
    copy = into / "source"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SHIPPED, "tests"))
    return copy


def build_wheelhouse(
    out: Path, *, python_version: str | None = None, platforms: list[str] | None = None
) -> Path:
    """Build the wheelhouse archive in ``out``; returns its path.

    Without ``python_version`` and ``platforms`` the wheels are this machine's
    (every tag its pip accepts); with them, another PC's: ``platforms`` are wheel
    platform tags such as ``win_amd64`` or ``manylinux_2_28_x86_64`` (pip takes
    only those tags, so name each one the libraries publish).
    """
    target = python_version is not None or bool(platforms)
    python_version = python_version or platform.python_version()
    short = ".".join(python_version.split(".")[:2])
    abi = "cp" + short.replace(".", "")
    platform_name = platforms[0] if platforms else current_platform_tag()
    name = f"sijdesk-{__version__}-wheelhouse-{abi}-{platform_name}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sijdesk-wheelhouse-") as scratch:
        work = Path(scratch)
        folder = work / name
        wheels = folder / "wheels"
        wheels.mkdir(parents=True)
        pip = [sys.executable, "-m", "pip"]
        own = _own_wheel(work, wheels)
        # Binary wheels only, for the target Python and platform: the clinic's PC
        # has no compiler, and pip there must find everything in this folder.
        _run(
            "Fetching the libraries' wheels",
            [
                *pip,
                "download",
                "--only-binary=:all:",
                *(_target_options(short, abi, platforms or []) if target else []),
                "--dest",
                str(wheels),
                f"sijdesk[{EXTRAS}] @ {own.as_uri()}",
            ],
        )
        (folder / "INSTALL.txt").write_text(
            INSTALL_TEXT.format(
                version=__version__,
                python=f"CPython {short}",
                python_short=short,
                platform=platform_name,
            ),
            encoding="utf-8",
        )
        archive = out / f"{name}.tar.gz"
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=name)
        partial.replace(archive)  # never a half-written archive under the real name
    return archive


# -- the self-contained application folder --------------------------------------------

# Qt modules SIJ Desk never imports, left out of the folder (PyInstaller's hooks
# would otherwise follow some of them in through QtCharts' and QtPdf's plugins).
UNUSED_QT = (
    "PySide6.Qt3DCore",
    "PySide6.QtBluetooth",
    "PySide6.QtDesigner",
    "PySide6.QtMultimedia",
    "PySide6.QtNetworkAuth",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets",
)
# PySide6's Python modules for Qt libraries the app needs only through other Qt
# libraries (QtCharts links OpenGL; QtPdf links Network), never imported itself.
UNIMPORTED_QT = (
    "PySide6.QtDBus",
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
)
# Never imported when SIJ Desk runs: Tk (Pillow's ImageTk would pull in Tcl/Tk and
# its data), mypy (pydantic's mypy plugin), the test and notebook tools.
NOT_FROZEN = (
    "tkinter",
    "_tkinter",
    "mypy",
    "pytest",
    "hypothesis",
    "IPython",
    "matplotlib",
    "numpy",
)
# Qt plugins PyInstaller's hooks collect that a desktop clinic PC never loads, by
# path under Qt's plugins folder. Kept: the xcb, Wayland, offscreen and minimal
# platforms, image formats, print support, the compose and IBus input methods.
UNUSED_QT_PLUGINS = (
    "egldeviceintegrations",  # full-screen embedded displays (eglfs)
    "generic",  # raw evdev input, for eglfs and linuxfb
    "networkinformation",  # SIJ Desk never goes on the network
    "tls",  # nor opens an encrypted connection through Qt
    "platforminputcontexts/libqtvirtualkeyboardplugin.so",  # draws with Qt Quick
    "platforms/libqeglfs.so",
    "platforms/libqlinuxfb.so",
    "platforms/libqminimalegl.so",
    "platforms/libqvkkhrdisplay.so",
    "platforms/libqvnc.so",
    # GTK's theme: would load the PC's GTK against the folder's own GLib.
    "platformthemes/libqgtk3.so",
)

ENTRY = """\
import sys

from sijdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
"""

# The systems the application folder is built for, by sys.platform; PyInstaller
# freezes for the system it runs on, so each is built on a PC of its own kind.
BUNDLE_SYSTEMS = {"linux": "linux", "win32": "windows", "darwin": "macos"}
# The icon each system's executable carries (Linux menus take the PNG in share/). The
# Mac's is given as PNG: PyInstaller makes the .icns with Pillow (a ReportLab
# dependency), as Qt's own ICNS writer leaves a table of contents its reader rejects.
EXECUTABLE_ICON = {"windows": ("sijdesk.ico", "ICO"), "macos": ("sijdesk.png", "PNG")}


def this_system() -> str:
    return BUNDLE_SYSTEMS.get(sys.platform, sys.platform)


def _bundle_platform() -> str:
    return f"{this_system()}-{platform.machine().lower()}"


def _draw_icon(path: Path, image_format: str = "PNG") -> None:
    try:
        draw_icon(path, image_format)
    except UserError as exc:
        raise PackagingError(str(exc)) from exc


def _elf_needs(path: Path) -> set[str]:
    """The shared libraries an ELF file names as NEEDED (binutils' readelf, which
    PyInstaller itself needs on Linux)."""
    dynamic = _run("Reading a library's dependencies", ["readelf", "-d", "--wide", str(path)])
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def _leave_out_unused_qt(internal: Path) -> None:
    """Remove the Qt plugins nobody here loads, then every Qt library no remaining
    binary needs (Qt Quick and QML came in only for the virtual keyboard)."""
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for name in UNUSED_QT_PLUGINS:
        path = plugins / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    while True:
        binaries = [
            path
            for path in internal.rglob("*")
            if path.is_file() and not path.is_symlink() and _is_elf(path)
        ]
        needed = set().union(*(_elf_needs(path) for path in binaries))
        unneeded = [p for p in binaries if p.name.startswith("libQt6") and p.name not in needed]
        if not unneeded:
            return
        for library in unneeded:
            library.unlink()
            alias = internal / library.name  # PyInstaller links each one into _internal
            if alias.is_symlink():
                alias.unlink()


def build_bundle(out: Path, system: str | None = None) -> Path:
    """The application folder as ``out/sijdesk-VERSION-PLATFORM.tar.gz``; returns its path.

    ``system`` (linux, windows, macos) must be this machine's: PyInstaller does not
    build for another system, and asking for one says where to run the command.
    """
    if system is not None and system != this_system():
        raise PackagingError(
            f"The {system} application folder is built on a {system} PC: PyInstaller "
            f"freezes for the system it runs on (this is {this_system()}). There, with "
            "Python 3.11 or later and the project installed (pip install -e '.[bundle]'), "
            f"run: python -m sijdesk.packaging bundle --platform {system} --out dist"
        )
    try:
        import PyInstaller.__main__  # noqa: F401 - only checks it is there
    except ImportError as exc:
        raise PackagingError(
            "PyInstaller is not installed here: pip install -e '.[bundle]' (or '.[dev]') "
            "installs it."
        ) from exc
    name = f"sijdesk-{__version__}-{_bundle_platform()}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sijdesk-bundle-") as scratch:
        work = Path(scratch)
        # Frozen from SIJ Desk as installed (its wheel in a folder of its own), not from
        # the checkout: there ui/, models/, ... become sijdesk.ui, sijdesk.models, ...
        # only through the install's package mapping, which PyInstaller cannot follow.
        own = _own_wheel(work, work / "wheel")
        site = work / "site"
        _run(
            "Unpacking SIJ Desk's wheel",
            [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(own)],
        )
        migrations = site / "sijdesk" / "db" / "migrations"
        entry = work / "sijdesk_main.py"
        entry.write_text(ENTRY, encoding="utf-8")
        separator = ";" if sys.platform == "win32" else ":"
        icon_options: list[str] = []
        if this_system() in EXECUTABLE_ICON:
            icon_name, icon_format = EXECUTABLE_ICON[this_system()]
            _draw_icon(work / icon_name, icon_format)
            icon_options = ["--icon", str(work / icon_name)]
        command = [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--onedir",
            "--name",
            "sijdesk",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            "--specpath",
            str(work),
            "--paths",
            str(site),
            # Fonts, handouts, thresholds and the migrations (Alembic reads the
            # migration scripts as files, so they go in as files, not modules).
            "--collect-data",
            "sijdesk",
            "--add-data",
            f"{migrations}{separator}sijdesk/db/migrations",
            "--collect-submodules",
            "sijdesk",
            "--hidden-import",
            "psycopg_binary",
            *(
                arg
                for module in (*UNUSED_QT, *UNIMPORTED_QT, *NOT_FROZEN)
                for arg in ("--exclude-module", module)
            ),
            *icon_options,
            str(entry),
        ]
        # The unpacked wheel first on the path, and not started from a checkout: a
        # development copy of SIJ Desk would otherwise be found (and its data) instead.
        environment = {**os.environ, "PYTHONPATH": str(site)}
        _run("Freezing SIJ Desk with PyInstaller", command, env=environment, cwd=work)
        folder = work / "dist" / "sijdesk"
        if this_system() == "linux":
            _leave_out_unused_qt(folder / "_internal")
        share = folder / "share"
        (share / "applications").mkdir(parents=True)
        _draw_icon(share / f"{ICON_NAME}.png")
        # For whoever packages the folder for a distribution: the command on PATH and
        # the icon by name. A user runs ./sijdesk menu-entry instead (full paths).
        (share / "applications" / ENTRY_NAME).write_text(
            desktop_entry(exec_line="sijdesk", icon=ICON_NAME), encoding="utf-8"
        )
        (folder / "README.txt").write_text(
            BUNDLE_README.format(version=__version__), encoding="utf-8"
        )
        archive = out / f"{name}.tar.gz"
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname="sijdesk")
        partial.replace(archive)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sijdesk.packaging",
        description="Build what a clinic without internet installs SIJ Desk from.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wheelhouse = commands.add_parser(
        "wheelhouse", help="SIJ Desk and every library it needs, as wheels, in one archive"
    )
    wheelhouse.add_argument("--out", type=Path, required=True, help="folder for the archive")
    wheelhouse.add_argument(
        "--python", help="the clinic's Python version, e.g. 3.12 (default: this one)"
    )
    wheelhouse.add_argument(
        "--platform",
        action="append",
        dest="platforms",
        help="a wheel platform tag of the clinic's PC, e.g. win_amd64 or "
        "manylinux_2_28_x86_64; repeat for several (default: this machine's)",
    )
    bundle = commands.add_parser(
        "bundle", help="a self-contained application folder (Python and Qt inside), as .tar.gz"
    )
    bundle.add_argument("--out", type=Path, required=True, help="folder for the archive")
    bundle.add_argument(
        "--platform",
        choices=sorted(set(BUNDLE_SYSTEMS.values())),
        help="the system to build for; it must be this one (PyInstaller freezes for the "
        "system it runs on), default: this one",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "bundle":
            archive = build_bundle(args.out, args.platform)
        else:
            archive = build_wheelhouse(
                args.out, python_version=args.python, platforms=args.platforms
            )
    except PackagingError as exc:
        print(f"sijdesk.packaging: {exc}", file=sys.stderr)
        return 1
    size = archive.stat().st_size / 1e6
    print(f"{archive} ({size:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
