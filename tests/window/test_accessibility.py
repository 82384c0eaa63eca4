"""Every control in the main window, every form and every dialog has a name a
screen reader can say (its accessible name: set, from its text, or from a
label that is its buddy)."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from sijdesk.kinds import RECORDABLE_KINDS

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QAbstractSlider,
    QPlainTextEdit,
    QTextEdit,
)


def _qt_internal(widget: QWidget) -> bool:
    # Scroll bars, header sections and the editor inside a spin box belong to a
    # named control of their own.
    return isinstance(widget, QScrollBar | QHeaderView) or widget.objectName().startswith("qt_")


def unnamed_controls(root: QWidget) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, CONTROLS) or _qt_internal(widget):
            continue
        if widget is not root and not widget.isVisibleTo(root):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            parent = widget.parentWidget()
            found.append(
                f"{type(widget).__name__} {widget.objectName()!r} in "
                f"{type(parent).__name__ if parent else '-'} of {type(root).__name__}"
            )
    return found


def test_the_main_window_with_a_patient_open(ui, patient_with_episode):
    patient, _episode = patient_with_episode
    ui.open_patient(patient.id)
    assert unnamed_controls(ui.window) == []


def test_every_event_form(ui, patient_with_episode):
    patient, _episode = patient_with_episode
    ui.open_patient(patient.id)
    problems = []
    for kind in RECORDABLE_KINDS:
        dialog = ui.view.record(kind)
        problems += unnamed_controls(dialog)
        dialog.close_without_asking()
    assert "\n".join(problems) == ""


def test_every_dialog(qtbot, ui, clinic, patient_with_episode, tmp_path):
    from sijdesk.ui.allergies_dialog import AllergyEntryDialog, RemoveAllergyDialog
    from sijdesk.ui.audit_window import AuditWindow
    from sijdesk.ui.backups_ui import BackupSettingsDialog
    from sijdesk.ui.clinic_settings_dialog import ClinicSettingsDialog
    from sijdesk.ui.documents_dialog import CarePlanDialog, LetterDialog
    from sijdesk.ui.handouts_window import HandoutsWindow
    from sijdesk.ui.pdf_preview import PdfPreview
    from sijdesk.ui.signin import ChangePasswordDialog, FirstRunDialog, SignInDialog
    from sijdesk.ui.users_window import (
        NewUserDialog,
        ResetPasswordDialog,
        RolesDialog,
        UsersWindow,
    )

    patient, episode = patient_with_episode
    ui.open_patient(patient.id)
    me = clinic.users.all_users()[0]
    made = clinic.documents.create_letter(episode.id, "physiotherapy")
    entry = clinic.allergies.record(patient.id, {"substance": "latex", "kind": "allergy"})
    allergies = ui.view.edit_allergies()
    dialogs = [
        ui.view.edit_patient(),
        allergies,
        allergies.add(),
        AllergyEntryDialog(
            clinic, ui.window.ops, patient_id=patient.id, patient_title="x", entry=entry
        ),
        RemoveAllergyDialog(clinic, ui.window.ops, entry=entry, patient_title="x"),
        LetterDialog(clinic, episode.id, ops=ui.window.ops),
        CarePlanDialog(clinic, episode.id, ops=ui.window.ops),
        ClinicSettingsDialog(clinic, ops=ui.window.ops),
        HandoutsWindow(clinic, ops=ui.window.ops),
        PdfPreview(made.pdf, made.title, file_name=made.file_name),
        SignInDialog(clinic.db, is_demo=True),
        FirstRunDialog(clinic.db),
        ChangePasswordDialog(clinic),
        UsersWindow(clinic),
        NewUserDialog(clinic),
        ResetPasswordDialog(clinic, me),
        RolesDialog(clinic, me),
        AuditWindow(clinic, ops=ui.window.ops),
        BackupSettingsDialog(clinic),
        ui.window.show_shortcuts(),
    ]
    problems = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        problems += unnamed_controls(dialog)
        dialog.hide()
    lock = ui.window.start_idle_lock(10)
    lock.lock()
    problems += unnamed_controls(lock.screen)
    assert "\n".join(problems) == ""
