"""Service boundaries log what an IT person needs: operation, user and ids, never patient data."""

from __future__ import annotations

import logging

import pytest

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.services import timeline as timeline_module
from tests.signin import add_user

NAME = "Zebedee-Quillfeather"
NOTE = "Lives with her sister on Marsh Road"


@pytest.fixture
def episode(clinic):
    patient = clinic.patients.register(
        {"given_names": "Ann", "family_name": NAME, "date_of_birth": "1970-01-01"}
    )
    return clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"})


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "sijdesk.services")


def test_a_refused_input_logs_the_fields_but_not_what_was_typed(clinic, caplog):
    caplog.set_level(logging.INFO, logger="sijdesk.services")
    with pytest.raises(ValidationError):
        clinic.patients.register(
            {"given_names": "Ann", "family_name": NAME, "date_of_birth": "born in spring"}
        )
    text = _logged(caplog)
    assert f"patients.register refused: invalid date_of_birth (user {clinic.actor.id}" in text
    assert NAME not in text and "spring" not in text


def test_a_refused_role_logs_the_operation_user_and_ids(clinic, episode, caplog):
    desk = add_user(clinic, "desk", "Front Desk", "reception")
    caplog.set_level(logging.INFO, logger="sijdesk.services")
    with pytest.raises(PermissionDenied):
        desk.timeline.add(episode.id, "note", {"date": "2026-11-01", "text": NOTE})
    text = _logged(caplog)
    expected = f"timeline.add refused: PermissionDenied (user {desk.actor.id} episode_id="
    assert f"{expected}{episode.id})" in text
    assert NOTE not in text


def test_a_failure_logs_its_type_and_frames_at_error_without_its_text(
    clinic, episode, caplog, monkeypatch
):
    def broken(kind, data):
        raise RuntimeError(f"constraint failed for {NAME}: {NOTE}")

    monkeypatch.setattr(timeline_module, "summarize", broken)
    caplog.set_level(logging.INFO, logger="sijdesk.services")
    with pytest.raises(RuntimeError):
        clinic.timeline.add(episode.id, "note", {"date": "2026-11-01", "text": NOTE})
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, "logged once, at the outermost service call"
    text = errors[0].getMessage()
    assert text.startswith(f"timeline.add failed: RuntimeError (user {clinic.actor.id}")
    assert f"episode_id={episode.id}" in text
    assert "timeline.py" in text  # where it failed
    assert NAME not in text and NOTE not in text
