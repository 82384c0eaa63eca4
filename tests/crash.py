"""Crash-safety trials shared by tests/backups/test_crash_safety.py (50 trials) and
benchmarks/crash_trials.py (1,000): a child process writes through the services
and prints each record's id only after its commit returned; the parent kills it
with SIGKILL at a random moment, then checks the database, the audit chain and
that every acknowledged record is there and complete.

Run as the child: ``python -m tests.crash DB_PATH SEED``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def patient_data(number: int) -> dict[str, str]:
    return {
        "given_names": f"Crash{number}",
        "family_name": f"Trial-{number:07d}",
        "date_of_birth": f"19{50 + number % 50:02d}-0{1 + number % 9}-1{number % 9}",
        "phone": f"+44 1632 {number % 1000000:06d}",
    }


def note_text(number: int) -> str:
    return (f"note {number}: " + "reviewed, plan unchanged. " * (1 + number % 5)).strip()


def child(path: str, seed: int) -> None:
    """Write until killed; one line per acknowledged record."""
    from argon2 import PasswordHasher

    from sijdesk.services import Clinic, accounts
    from tests.signin import TEST_PASSWORD

    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    clinic = Clinic.sign_in(path, username="admin", password=TEST_PASSWORD)
    print("ready", flush=True)
    rng = random.Random(seed)
    number = seed * 100_000
    while True:
        number += 1
        patient = clinic.patients.register(patient_data(number), allow_duplicate=True)
        print(f"patient {patient.id} {number}", flush=True)
        if rng.random() < 0.5:
            episode = clinic.episodes.create(
                patient.id, {"side": "left", "onset_date": "2026-06-01"}
            )
            print(f"episode {episode.id} {patient.id}", flush=True)
            entry = clinic.timeline.add(
                episode.id, "note", {"date": "2026-11-01", "text": note_text(number)}
            )
            print(f"note {entry.id} {number}", flush=True)
        if rng.random() < 0.3:
            clinic.patients.search(f"trial-{number % 100:02d}")


@dataclass
class Acknowledged:
    patients: dict[int, int] = field(default_factory=dict)  # id -> number
    episodes: dict[int, int] = field(default_factory=dict)  # id -> patient id
    notes: dict[int, int] = field(default_factory=dict)  # id -> number

    def read(self, output: str) -> None:
        for line in output.splitlines():
            parts = line.split()
            # A line cut short by the kill is not an acknowledgement.
            if len(parts) != 3 or not all(p.isdigit() for p in parts[1:]):
                continue
            kind, first, second = parts[0], int(parts[1]), int(parts[2])
            if kind == "patient":
                self.patients[first] = second
            elif kind == "episode":
                self.episodes[first] = second
            elif kind == "note":
                self.notes[first] = second


def one_trial(path: Path, seed: int, rng: random.Random, acknowledged: Acknowledged) -> float:
    """Start a writer, kill it at a random moment; returns when it was killed (s)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.crash", str(path), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    first = b""
    if rng.random() < 0.2:
        # While it is still starting: opening the database, signing in.
        delay = rng.uniform(0.0, 0.5)
        time.sleep(delay)
    else:
        # While it writes: a random moment after it signed in.
        assert process.stdout is not None
        first = process.stdout.readline()
        delay = rng.uniform(0.0, 0.3)
        time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=60)
    acknowledged.read((first + output).decode("utf-8", "replace"))
    return delay


def verify(path: Path, acknowledged: Acknowledged) -> list[str]:
    """Problems found (empty when the database is whole and every acknowledged record is)."""
    from sqlalchemy import select

    from sijdesk.check import check_database
    from sijdesk.models import Episode, Note, Patient

    report = check_database(path)
    problems = [line for line in report.lines() if "FAILED" in line]
    if problems:
        return problems
    from sijdesk.db.migrate import open_database

    db = open_database(str(path))
    try:
        with db.read() as session:
            patients = {
                p.id: p
                for p in session.scalars(
                    select(Patient).where(Patient.id.in_(list(acknowledged.patients)))
                )
            }
            for patient_id, number in acknowledged.patients.items():
                expected = patient_data(number)
                row = patients.get(patient_id)
                if row is None:
                    problems.append(f"acknowledged patient {patient_id} is missing")
                elif (row.family_name, row.given_names, row.phone) != (
                    expected["family_name"],
                    expected["given_names"],
                    expected["phone"],
                ):
                    problems.append(f"patient {patient_id} is not as it was saved")
            for episode_id, patient_id in acknowledged.episodes.items():
                episode = session.get(Episode, episode_id)
                if episode is None or episode.patient_id != patient_id:
                    problems.append(f"acknowledged episode {episode_id} is missing or wrong")
            for note_id, number in acknowledged.notes.items():
                note = session.get(Note, note_id)
                if note is None or note.text != note_text(number):
                    problems.append(f"acknowledged note {note_id} is missing or incomplete")
    finally:
        db.dispose()
    return problems


def run_trials(
    path: Path, trials: int, seed: int = 1, report=None
) -> tuple[Acknowledged, list[str]]:
    """``report(done, acknowledged)`` is called after every trial (progress)."""
    rng = random.Random(seed)
    acknowledged = Acknowledged()
    for trial in range(trials):
        one_trial(path, seed * 10_000 + trial, rng, acknowledged)
        problems = verify(path, acknowledged)
        if problems:
            return acknowledged, [f"after trial {trial + 1}: {p}" for p in problems]
        if report is not None:
            report(trial + 1, acknowledged)
    return acknowledged, []


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]))
