"""A real PostgreSQL server for the tests, started from Debian's ``postgresql``
package in a temporary folder of its own and stopped at the end.

It listens only on a Unix socket in that folder (no TCP port, nothing another
program can reach) and asks for a password (SCRAM), so a wrong password is
really refused. PostgreSQL will not run as root: when the tests run as root
the server runs as the ``postgres`` user the package creates.

Without a server program the PostgreSQL tests are skipped, unless
``SIJDESK_REQUIRE_POSTGRESQL`` is set (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REQUIRE_VARIABLE = "SIJDESK_REQUIRE_POSTGRESQL"
SUPERUSER = "sijdesk_test"


def find_server_programs() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: the newest Debian version first."""
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


@dataclass
class PostgresServer:
    folder: Path
    bin: Path
    port: int
    password: str
    run_as: str | None
    databases: list[str] = field(default_factory=list)
    options: str = ""  # the server's command-line settings (port, socket folder, speed)

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, database: str, *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return (
            f"postgresql+psycopg://{SUPERUSER}:{secret}@/{database}"
            f"?host={self.socket_dir}&port={self.port}"
        )

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.run_as,
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PGPASSWORD": self.password},
        )

    def new_database(self, *, template: str | None = None) -> str:
        """An empty database of its own, or a copy of ``template`` (a URL this server
        gave, with no one connected to it); returns its SQLAlchemy URL."""
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"clinic_{len(self.databases) + 1}_{secrets.token_hex(3)}"
        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            copied = f' TEMPLATE "{make_url(template).database}"' if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{copied}')
        self.databases.append(name)
        return self.url(name)

    def pause(self) -> None:
        """Stop the server as a crash or a pulled cable would look to its clients: their
        connections cut. Fast, not immediate: the test servers commit without waiting
        for the disk (synchronous_commit=off), so an immediate stop could lose what a
        real server would have kept."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-o",
            self.options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb a new cluster in a temporary folder and start it on a socket there."""
    programs = find_server_programs()
    if programs is None:
        raise FileNotFoundError("no PostgreSQL server programs (Debian package postgresql)")
    run_as = None
    # A folder under /tmp itself: the server's user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="sijdesk-pg-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        owner = pwd.getpwnam(run_as)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = secrets.token_urlsafe(16)
    server = PostgresServer(folder, programs, random.randint(20_000, 60_000), password, run_as)
    password_file = folder / "password"
    password_file.write_text(password + "\n", encoding="utf-8")
    if run_as is not None:
        os.chown(password_file, owner.pw_uid, owner.pw_gid)
    try:
        server._run(
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            SUPERUSER,
            "--pwfile",
            str(password_file),
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-k {folder} -p {server.port} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        server.options = options
        server.resume()
    except subprocess.CalledProcessError as exc:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc
    return server


def start_or_skip() -> PostgresServer:
    """A new server for the tests; the test is skipped when none can start, or failed
    where the run requires PostgreSQL (``.ci/run``)."""
    import pytest

    try:
        import psycopg  # noqa: F401

        return start_server()
    except (ImportError, FileNotFoundError, RuntimeError) as exc:
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"PostgreSQL is required here but could not start: {exc}")
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
