"""The clinic's server goes away while someone is typing: the save is refused in one
plain sentence, the form keeps what was typed, and the same save works once the
server is back. Runs on a private server (tests/postgres.py) that the test stops."""

from __future__ import annotations

import pytest

from tests import postgres
from tests.conftest import TODAY
from tests.signin import finish_window_work, new_clinic
from tests.window_fixtures import Ui, register


@pytest.fixture
def private_server():
    server = postgres.start_or_skip()
    yield server
    server.stop()


@pytest.fixture
def server_ui(private_server, qtbot, settings):
    """The main window on a clinic kept on the private server."""
    from sijdesk.ui.main_window import MainWindow

    clinic = new_clinic(private_server.new_database(), clock=lambda: TODAY)
    main = MainWindow(clinic, settings)
    qtbot.addWidget(main)
    main.show()
    ui = Ui(qtbot, main)
    ui.wait_idle()
    yield ui
    finish_window_work()
    main.close()
    clinic.close()


def test_a_save_while_the_server_is_away_keeps_the_form(server_ui, private_server, messages):
    ui, clinic = server_ui, server_ui.window.clinic
    patient = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    ui.open_patient(patient.id)
    dialog = ui.view.edit_patient()
    dialog.fields["address"].set_value("1 New Street\nRiverside")
    private_server.pause()
    assert ui.save(dialog) is None  # refused: the form stays open
    said = messages.texts_of("warning")[-1]
    assert "database server cannot be reached" in said and "Nothing was changed" in said, said
    assert dialog.isVisible()
    assert dialog.fields["address"].value() == "1 New Street\nRiverside"
    # Reading while it is away: a plain message too, never the crash dialog.
    shown = len(messages.shown)
    ui.window.list_pane.model.refresh()
    ui.wait(lambda: len(messages.shown) > shown)
    assert "database server cannot be reached" in messages.shown[-1][2]
    private_server.resume()
    saved = ui.save(dialog)
    assert saved.address == "1 New Street\nRiverside"
    assert clinic.patients.get(patient.id).address == "1 New Street\nRiverside"
    assert messages.take_crashes() == []
