"""Several workstations on one clinic: no lost updates, unique record numbers,
one audit chain. Each test runs on the SQLite file and on a PostgreSQL server;
a "workstation" is a Clinic with its own engine, signed in as its own user."""

from __future__ import annotations

import threading

import pytest

from sijdesk.errors import EditConflict
from tests.patients.test_contacts import MENSAH
from tests.signin import add_user, new_clinic, reopen_clinic
from tests.window_fixtures import register


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "clinic.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def desks(location):
    """(reception desk, treatment room): two workstations on one clinic."""
    first = new_clinic(location)
    add_user(first, "recep", "Front Desk", "reception")
    room = reopen_clinic(location)
    desk = reopen_clinic(location, username="recep")
    first.close()
    yield desk, room
    desk.close()
    room.close()


def _run_together(jobs) -> list:
    """Start every job at once on its own thread; their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects each outcome
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_second_save_from_an_older_view_is_refused_and_says_what_changed(desks):
    desk, room = desks
    patient = register(room, "Zoë", "Łukasiewicz", "1972-03-14", phone="+44 7700 900123")
    seen_by_room = room.patients.get(patient.id)
    desk.patients.update(
        patient.id, {"phone": "+44 7700 900999"}, seen=desk.patients.get(patient.id)
    )
    with pytest.raises(EditConflict) as refused:
        room.patients.update(patient.id, {"address": "1 New Street"}, seen=seen_by_room)
    conflict = refused.value
    assert conflict.changes == {"phone": ("+44 7700 900123", "+44 7700 900999")}
    assert "Front Desk saved this patient's details after you opened it" in str(conflict)
    assert "(they changed: phone)" in str(conflict)
    assert room.patients.get(patient.id).address == ""  # nothing of the refused save
    # Reapplied on the current version, the change is saved beside the other one.
    saved = room.patients.update(patient.id, {"address": "1 New Street"}, seen=conflict.current)
    assert (saved.phone, saved.address) == ("+44 7700 900999", "1 New Street")
    assert saved.version > conflict.current.version


def test_a_contact_corrected_on_two_desks_keeps_both_corrections(desks):
    desk, room = desks
    gp = desk.contacts.create(MENSAH)
    room_view = room.contacts.get(gp.id)
    desk.contacts.update(gp.id, {"phone": "01632 960 111"}, seen=gp)
    with pytest.raises(EditConflict) as refused:
        room.contacts.update(gp.id, {"practice": "Riverside Health"}, seen=room_view)
    assert set(refused.value.changes) == {"phone"}
    room.contacts.update(gp.id, {"practice": "Riverside Health"}, seen=refused.value.current)
    now = desk.contacts.get(gp.id)
    assert (now.phone, now.practice) == ("01632 960 111", "Riverside Health")


def test_saves_at_the_same_moment_let_exactly_one_through(location, desks):
    desk, room = desks
    patient = register(room, "Zoë", "Łukasiewicz", "1972-03-14")
    seen = room.patients.get(patient.id)
    others = [reopen_clinic(location) for _ in range(3)]
    try:
        workstations = [desk, room, *others]
        results = _run_together(
            [
                lambda c=c, n=n: c.patients.update(
                    patient.id, {"phone": f"+44 7700 90000{n}"}, seen=seen
                )
                for n, c in enumerate(workstations)
            ]
        )
    finally:
        for clinic in others:
            clinic.close()
    saved = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(saved) == 1, results
    assert all(isinstance(r, EditConflict) for r in refused), refused
    assert room.patients.get(patient.id).phone == saved[0].phone


def test_record_numbers_stay_unique_and_the_audit_chain_whole_under_load(location, desks):
    desk, room = desks
    others = [reopen_clinic(location) for _ in range(2)]
    workstations = [desk, room, *others]

    def register_five(clinic, n):
        made = []
        for i in range(5):
            made.append(register(clinic, f"Given{n}{i}", f"Family{n}", "1970-01-01"))
            clinic.patients.search(f"family{n}")  # an audited read between the writes
        return made

    try:
        results = _run_together(
            [lambda c=c, n=n: register_five(c, n) for n, c in enumerate(workstations)]
        )
    finally:
        for clinic in others:
            clinic.close()
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(p.record_number for made in results for p in made)
    assert numbers == [f"{n:06d}" for n in range(1, 21)]
    chain = room.audit.verify()
    assert chain.ok, chain.problems


def test_an_episode_closed_elsewhere_refuses_an_onset_change_from_before(desks, location):
    _desk, room = desks
    other = reopen_clinic(location)
    try:
        patient = register(room, "Zoë", "Łukasiewicz", "1972-03-14")
        episode = room.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"})
        other.episodes.close(episode.id, "discharged")
        with pytest.raises(EditConflict) as refused:
            room.episodes.update(episode.id, {"onset_date": "2026-05-01"}, seen=episode)
        assert set(refused.value.changes) == {"status"}
        assert "(they changed: status)" in str(refused.value)
        moved = room.episodes.update(
            episode.id, {"onset_date": "2026-05-01"}, seen=refused.value.current
        )
        assert moved.status == "closed" and str(moved.onset_date) == "2026-05-01"
    finally:
        other.close()


def test_the_change_counter_tells_other_workstations_saves_from_our_own(desks):
    desk, room = desks
    start, elsewhere = room.settings.changes_elsewhere(None)
    assert not elsewhere
    register(room, "Ann", "Own", "1970-01-01")  # saved on this workstation
    now, elsewhere = room.settings.changes_elsewhere(start)
    assert now > start and not elsewhere
    room.patients.search("own")  # an audited read is not a change
    assert room.settings.changes_elsewhere(now) == (now, False)
    register(desk, "Bea", "Nowak", "1990-01-01")  # saved at reception
    later, elsewhere = room.settings.changes_elsewhere(now)
    assert later > now and elsewhere
    assert desk.settings.changes_elsewhere(now) == (later, False)  # reception's own


def test_two_processes_importing_at_once_get_unique_record_numbers(location, desks, tmp_path):
    import os
    import subprocess
    import sys

    from tests.signin import TEST_PASSWORD

    desk, room = desks
    sheets = []
    for n in range(2):
        sheet = tmp_path / f"desk{n}.csv"
        rows = "".join(f"Given{i},Family{n},1970-01-{i + 1:02d}\n" for i in range(10))
        sheet.write_text("given_names,family_name,date_of_birth\n" + rows, encoding="utf-8")
        sheets.append(sheet)
    where = ["--db-url", location] if "://" in location else ["--db", location]
    env = {**os.environ, "SIJDESK_USER": "admin", "SIJDESK_PASSWORD": TEST_PASSWORD}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "sijdesk", "patients", "import", str(sheet), *where],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sheet in sheets
    ]
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outcomes
    numbers = sorted(p.record_number for p in room.patients.search(""))
    assert numbers == [f"{n:06d}" for n in range(1, 21)]
    chain = room.audit.verify()
    assert chain.ok, chain.problems
