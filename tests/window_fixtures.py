"""Fixtures for tests that drive the window, loaded for every test by tests/conftest.py.

Qt runs offscreen. Every modal message goes through ``sijdesk.ui.errors.Messages``,
which ``messages`` replaces with recorders in every test, so none ever blocks on
a dialog, and a crash dialog nobody expected fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import TODAY  # one "today" for every test

# The offscreen platform plugin says this whenever a window is shown; it is not ours.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@dataclass
class MessageLog:
    """What the window would have shown in modal message boxes."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    crashes: list[tuple[str, str]] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    texts: list[str | None] = field(default_factory=list)
    choices: list[int | None] = field(default_factory=list)

    def texts_of(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.shown if kind is None or k == kind]

    def any_contains(self, fragment: str) -> bool:
        return any(fragment in text for _k, _t, text in self.shown)

    def take_crashes(self) -> list[tuple[str, str]]:
        """The crash dialogs shown so far, for a test that provokes one on purpose."""
        taken, self.crashes = self.crashes, []
        return taken


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    from sijdesk.ui.errors import Messages

    log = MessageLog()

    def info(parent, title, text):
        log.shown.append(("info", title, text))

    def warning(parent, title, text):
        log.shown.append(("warning", title, text))

    def question(parent, title, text, *, default_yes=False):
        log.shown.append(("question", title, text))
        return log.answers.pop(0) if log.answers else False

    def choose(parent, title, text, options):
        log.shown.append(("choose", title, text))
        return log.choices.pop(0) if log.choices else None

    def ask_text(parent, title, label, text=""):
        log.shown.append(("ask_text", title, label))
        return log.texts.pop(0) if log.texts else None

    def crash(parent, summary, details):
        log.crashes.append((summary, details))

    monkeypatch.setattr(Messages, "info", staticmethod(info))
    monkeypatch.setattr(Messages, "warning", staticmethod(warning))
    monkeypatch.setattr(Messages, "question", staticmethod(question))
    monkeypatch.setattr(Messages, "ask_text", staticmethod(ask_text))
    monkeypatch.setattr(Messages, "choose", staticmethod(choose))
    monkeypatch.setattr(Messages, "crash", staticmethod(crash))
    yield log
    assert log.crashes == [], "a crash dialog was shown:\n" + log.crashes[0][1]


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def register(clinic, given: str, family: str, born: str, **extra: Any):
    data = {"given_names": given, "family_name": family, "date_of_birth": born, **extra}
    return clinic.patients.register(data, allow_duplicate=True)


@pytest.fixture
def people(clinic):
    """A few patients with names from several scripts."""
    return [
        register(clinic, "Zoë", "Łukasiewicz", "1972-03-14", sex="female"),
        register(clinic, "François", "Nguyễn", "1985-07-02", sex="male"),
        register(clinic, "芳", "王", "1968-11-20", sex="female"),
        register(clinic, "Henrik", "Sæther", "1961-09-30", sex="male"),
    ]


@pytest.fixture
def patient_with_episode(clinic):
    """A patient with one open right-sided episode that began ten weeks ago."""
    patient = register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08", sex="female")
    episode = clinic.episodes.create(
        patient.id, {"side": "right", "onset_date": TODAY - timedelta(weeks=10)}
    )
    return patient, episode


class Ui:
    """Helpers that drive the window the way a user would and wait for it."""

    def __init__(self, qtbot, window):
        self.qtbot = qtbot
        self.window = window

    @property
    def view(self):
        return self.window.patient_view

    @property
    def panel(self):
        return self.window.step_panel

    def idle(self) -> bool:
        return (
            not self.window.ops.busy
            and not self.view.loading
            and not self.panel.loading
            and not self.window.list_pane.model.loading
        )

    def wait_idle(self, timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(self.idle, timeout=timeout)

    def wait(self, condition: Callable[[], bool], timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(condition, timeout=timeout)
        self.wait_idle(timeout)

    def open_patient(self, patient_id: int) -> None:
        self.window.open_patient(patient_id)
        self.wait(lambda: self.view.patient is not None and self.view.patient.id == patient_id)

    def save(self, dialog) -> Any:
        """Click Save and wait for the dialog's answer."""
        results: list[Any] = []
        dialog.saved.connect(results.append)
        dialog.revalidate()  # what the pending live-validation timer would do
        assert dialog.save_button.isEnabled(), dialog.status.text()
        dialog.save_button.click()
        self.qtbot.waitUntil(lambda: bool(results) or not dialog.saving, timeout=10_000)
        self.wait_idle()
        return results[0] if results else None

    def timeline_kinds(self) -> list[str]:
        return [entry.kind for entry in self.view.timeline.model.entries()]


@pytest.fixture
def window(qtbot, clinic, settings):
    from sijdesk.ui.main_window import MainWindow

    main = MainWindow(clinic, settings)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    ui = Ui(qtbot, main)
    ui.wait_idle()
    yield main
    main.close()


@pytest.fixture
def ui(qtbot, window) -> Ui:
    helper = Ui(qtbot, window)
    helper.wait_idle()
    return helper
