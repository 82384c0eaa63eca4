"""The installation tests' own tools must see what they claim to: a write tracer that
missed a write outside the new home would let a bundle that writes to /tmp pass."""

from __future__ import annotations

import subprocess

import pytest

from tests.project.install_checks import write_tracer, written_paths


def test_the_tracer_sees_every_kind_of_write_and_resolves_relative_paths(tmp_path):
    log = tmp_path / "trace.log"
    tracer = write_tracer(log)
    if not tracer:
        pytest.skip("strace cannot trace here (.ci/run installs it)")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        f"cd {elsewhere}; touch made.txt; mkdir -p sub/deeper; mv made.txt sub/moved.txt; "
        "cat /etc/hostname > /dev/null; echo x >> appended.txt; rm appended.txt"
    )
    subprocess.run([*tracer, "sh", "-c", script], check=True, cwd=tmp_path)
    written = written_paths(log, tmp_path)
    for path in ("made.txt", "sub", "sub/deeper", "sub/moved.txt", "appended.txt"):
        assert str(elsewhere / path) in written, path
    assert "/etc/hostname" not in written  # read, not written
