"""Build what a clinic with no internet installs SIJ Desk from.

    python -m sijdesk.packaging wheelhouse --out DIR [--python 3.12 --platform win_amd64]

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
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

from sijdesk import __version__

ROOT = Path(__file__).resolve().parents[1]
# What a source copy leaves out: builds and caches, the tests, the developer's venv.
NOT_SHIPPED = (".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")
EXTRAS = "postgresql"  # every clinic gets the driver: moving to a server needs no new install

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


def _run(step: str, command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(f"{step} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


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
        _run(
            "Building SIJ Desk's wheel",
            [
                *pip,
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                str(wheels),
                str(_source_copy(work)),
            ],
        )
        (own,) = wheels.glob("sijdesk-*.whl")
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
    args = parser.parse_args(argv)
    try:
        archive = build_wheelhouse(args.out, python_version=args.python, platforms=args.platforms)
    except PackagingError as exc:
        print(f"sijdesk.packaging: {exc}", file=sys.stderr)
        return 1
    size = archive.stat().st_size / 1e6
    print(f"{archive} ({size:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
