"""The window around the panes: menus, shortcuts, settings, empty states, accessibility."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from sijdesk.pathway import PATHWAY_VERSION
from sijdesk.ui.main_window import MainWindow


def test_menus_are_in_the_expected_places(ui):
    titles = [a.text().replace("&", "") for a in ui.window.menuBar().actions()]
    assert titles == ["File", "Patient", "Episode", "Documents", "Tools", "Help"]


def test_the_window_reads_the_patient_list_once_as_it_opens(qtbot, clinic, people, settings):
    # Each read counts every matching patient: at 100,000 patients a wasted one is
    # a tenth of a second before the list shows (Qt's default sort order was one).
    reads: list[tuple[str, str, bool]] = []
    search_counted = clinic.patients.search_counted

    def counted(query="", **options):
        reads.append((query, options["sort"], options["descending"]))
        return search_counted(query, **options)

    clinic.patients.search_counted = counted
    window = MainWindow(clinic, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.list_pane.model.rowCount() == len(people), timeout=10_000)
    qtbot.waitUntil(lambda: not window.list_pane.model.loading, timeout=10_000)
    assert reads == [("", "name", False)]
    window.close()


def test_shortcuts(ui):
    w = ui.window
    expected = {
        w.act_find: "Ctrl+F",
        w.act_new_patient: "Ctrl+N",
        w.act_new_episode: "Ctrl+E",
        w.act_record: "Ctrl+R",
        w.act_print: "Ctrl+P",
    }
    for action, keys in expected.items():
        assert action.shortcut() == QKeySequence(keys), action.text()
    rows = dict(w.shortcut_rows())
    assert "Ctrl+F" in rows and "Ctrl+1 … Ctrl+9" in rows


def test_print_is_disabled_until_documents_exist(ui, patient_with_episode):
    assert not ui.window.act_print.isEnabled()
    ui.open_patient(patient_with_episode[0].id)
    assert not ui.window.act_print.isEnabled()


def test_ctrl_f_focuses_the_search_box(ui):
    ui.window.act_find.trigger()
    assert (
        ui.window.list_pane.search.hasFocus()
        or ui.window.focusWidget() is ui.window.list_pane.search
    )


def test_ctrl_n_opens_registration(ui):
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = ui.window.last_dialog
    assert dialog.isVisible() and "New patient" in dialog.windowTitle()
    dialog.close_without_asking()


def test_status_bar_shows_database_and_pathway_version(ui, clinic):
    if clinic.db.path is not None:
        assert ui.window.db_label.text() == f"clinic.sqlite3 · pathway {PATHWAY_VERSION}"
    else:  # the test server listens on a socket of this computer
        database = clinic.db.engine.url.database
        assert ui.window.db_label.text() == (
            f"{database} on this computer · pathway {PATHWAY_VERSION}"
        )
    if clinic.db.engine.url.password:
        assert clinic.db.engine.url.password not in ui.window.db_label.toolTip()


def test_about_names_the_pathway_version(ui, messages):
    ui.window.show_about()
    assert any(PATHWAY_VERSION in text for text in messages.texts_of("info"))


def test_about_says_what_the_clinic_runs(ui, messages):
    """Version, schema, Qt and Python, and the data folder: what support asks for."""
    import platform

    from PySide6.QtCore import qVersion

    from sijdesk.db.migrate import HEAD_REVISION
    from sijdesk.paths import data_folder

    ui.window.show_about()
    (text,) = messages.texts_of("info")
    assert f"Database schema:  {HEAD_REVISION}" in text
    assert f"Qt:               {qVersion()}" in text
    assert platform.python_version() in text
    assert str(data_folder()) in text


def test_handouts_open_from_the_toolbar_and_letters_need_an_episode(ui, messages):
    ui.window.act_handouts_short.trigger()
    handouts = ui.window.documents.handouts_window
    assert handouts is not None and handouts.isVisible()
    ui.window.step_panel.referralRequested.emit("physiotherapy")
    (text,) = messages.texts_of("info")
    assert "episode" in text
    handouts.close()


def test_empty_states_say_what_to_do_next(ui, clinic):
    view = ui.view
    assert view.stack.currentWidget() is view.empty
    assert "New patient" in view.empty.text()
    patient = clinic.patients.register(
        {"given_names": "Kai", "family_name": "Thompson", "date_of_birth": "1998-04-03"}
    )
    ui.open_patient(patient.id)
    assert view.no_episode.isVisible()
    assert "No episodes yet — open one with New episode" in view.no_episode_label.text()
    assert "Choose or open an episode" in panel_text(ui)


def panel_text(ui) -> str:
    return ui.panel.panel_text()


def test_new_episode_then_close_it_with_a_reason(ui, clinic):
    patient = clinic.patients.register(
        {"given_names": "Kai", "family_name": "Thompson", "date_of_birth": "1998-04-03"}
    )
    ui.open_patient(patient.id)
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = ui.view.last_dialog
    assert "Thompson".upper() in dialog.windowTitle()
    assert not dialog.save_button.isEnabled()  # a side is needed
    dialog.fields["side"].set_value("left")
    episode = ui.save(dialog)
    ui.wait(lambda: ui.view.episode is not None and ui.view.episode.id == episode.id)
    assert ui.panel.episode_id == episode.id
    assert "No events yet" in ui.view.timeline.empty_label.text()

    close = ui.view.close_episode()
    close.fields["reason"].setPlainText("Discharged: goals met")
    ui.save(close)
    ui.wait(lambda: ui.view.episode is not None and not ui.view.episode.is_open)
    assert "closed" in ui.view.episode_combo.currentText()
    assert not ui.window.act_record.isEnabled()


def test_geometry_and_splitter_sizes_are_remembered(qtbot, clinic, settings):
    first = MainWindow(clinic, settings)
    qtbot.addWidget(first)
    first.resize(780, 560)  # the offscreen screen is 800 x 600: restored sizes must fit it
    first.show()
    first.splitter.setSizes([200, 420, 150])
    wanted = first.splitter.sizes()
    first.close()
    second = MainWindow(clinic, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.splitter.sizes() == wanted
    assert second.size() == first.size()
    second.close()


def test_patient_list_collapses_and_comes_back(ui):
    ui.window.act_toggle_list.trigger()
    assert ui.window.splitter.sizes()[0] == 0
    ui.window.act_find.trigger()  # Ctrl+F brings it back
    assert ui.window.splitter.sizes()[0] > 0


def _unnamed_controls(root: QWidget) -> list[str]:
    """Controls a screen reader could not name: no text, accessible name or label buddy."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    problems = []
    kinds = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QAbstractSpinBox)
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget.parent(), QAbstractSpinBox | QComboBox | QLineEdit):
            continue  # Qt's own parts: the editor of a spin box, a line edit's clear button
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        named = widget.accessibleName() or text.strip() or id(widget) in buddies
        if isinstance(widget, QAbstractButton) and not text.strip() and not widget.toolTip():
            named = False  # icon-only buttons need a tooltip too
        if not named:
            where = type(widget.parent()).__name__
            problems.append(f"{type(widget).__name__} {widget.objectName()!r} in {where}")
    return problems


def test_every_control_has_a_name(ui, patient_with_episode):
    ui.open_patient(patient_with_episode[0].id)
    ui.wait(lambda: ui.panel.episode_advice is not None)
    assert _unnamed_controls(ui.window) == []
    for kind in ("assessment", "outcome", "injection", "therapy", "medication"):
        dialog = ui.view.record(kind)
        assert _unnamed_controls(dialog) == [], kind
        dialog.close_without_asking()


def test_reception_sees_demographics_only(qtbot, clinic, settings, users, patient_with_episode):
    reception = users["reception"]
    window = MainWindow(reception, settings)
    qtbot.addWidget(window)
    window.show()
    window.open_patient(patient_with_episode[0].id)
    view = window.patient_view
    qtbot.waitUntil(lambda: view.patient is not None and not window.ops.busy)
    assert "demographics only" in view.no_episode_label.text()
    assert not window.act_new_episode.isEnabled()
    assert not window.act_record.isEnabled()
    assert window.act_handouts_short.isEnabled()  # reception prints handouts
    window.close()


def test_generated_documents_are_events_and_enable_print(ui, clinic, patient_with_episode):

    from sijdesk.ui.pdf_preview import PdfPreview

    patient, episode = patient_with_episode
    made = clinic.documents.create_letter(episode.id, "physiotherapy")
    ui.open_patient(patient.id)
    ui.wait(ui.window.act_print.isEnabled)
    model = ui.view.timeline.model
    assert [e.kind for e in model.entries()] == ["document"]
    assert model.index(0, model.KIND).data() == "Document"
    assert model.index(0, model.SUMMARY).data().endswith("(PDF)")
    assert ui.window.selected_document().kind == "document"
    ui.view.open_entry(model.entries()[0])  # opens the recorded PDF in the preview
    ui.wait(lambda: any(isinstance(d, PdfPreview) for d in ui.window.documents.dialogs))
    preview = next(d for d in ui.window.documents.dialogs if isinstance(d, PdfPreview))
    assert preview.pdf == made.pdf
    preview.close()


def test_background_work_is_named_only_once_it_lasts(ui):
    """A search per keystroke must not make the status bar flicker "Working…" (nor
    relayout it beside each search); work that lasts is still named."""
    import threading

    from sijdesk.ui import main_window

    window = ui.window
    ui.wait_idle()
    window.ops.run(lambda: None)
    ui.wait_idle()
    assert window.busy_label.text() == ""
    release = threading.Event()
    window.ops.run(lambda: release.wait(10))
    assert window.busy_label.text() == ""  # not at once
    ui.qtbot.waitUntil(lambda: window.busy_label.text() == "Working…", timeout=5000)
    assert main_window.BUSY_SHOWN_AFTER_MS >= 200
    release.set()
    ui.wait_idle()
    assert window.busy_label.text() == ""
