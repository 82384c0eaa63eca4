"""The main window: patient list | patient | step panel, with menus, toolbar and status bar.

Three panes in a splitter (the list collapsible), sizes and geometry kept in
QSettings. Every action is in a menu and most have a toolbar button or a
shortcut; Help lists them. Document actions (letters, care plan, handouts,
printing) call slots that the documents module fills in; until then they say
so.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer, Slot, qVersion
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk import __version__
from sijdesk.build_info import build_text
from sijdesk.db.engine import server_label
from sijdesk.kinds import KINDS, RECORDABLE_KINDS
from sijdesk.pathway import PATHWAY_VERSION
from sijdesk.ui import icons
from sijdesk.ui.describe import kind_label
from sijdesk.ui.documents_hooks import DocumentsController
from sijdesk.ui.errors import Messages
from sijdesk.ui.patient_dialog import PatientDialog
from sijdesk.ui.patient_list import PatientListPane, RecentPatients, display_name
from sijdesk.ui.patient_view import PatientView, patient_title
from sijdesk.ui.step_panel import StepPanel
from sijdesk.ui.workers import Operations

if TYPE_CHECKING:
    from sijdesk.ui.change_watch import ChangeWatch
    from sijdesk.ui.lock import IdleLock

log = logging.getLogger(__name__)


RECORD_MNEMONICS = {name: KINDS[name].menu_text for name in RECORDABLE_KINDS}
# Background work is named in the status bar only once it has lasted this long.
BUSY_SHOWN_AFTER_MS = 400


def database_key(clinic) -> str:
    path = clinic.db.path
    return str(path.resolve()) if path is not None else clinic.db.url


def database_label(clinic) -> str:
    path = clinic.db.path
    return path.name if path is not None else server_label(clinic.db.engine.url)


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts — SIJ Desk")
        self.resize(520, 480)
        layout = QVBoxLayout(self)
        table = QTableWidget(len(rows), 2)
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "What they do"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, what) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.resizeColumnToContents(0)
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def user_settings() -> QSettings:
    """This workstation's window layout and recent patients, kept in the SIJ Desk
    data folder (so ``SIJDESK_HOME`` moves them too)."""
    from sijdesk.paths import data_dir

    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    """SIJ Desk's one main window, acting for the clinic's signed-in user."""

    def __init__(self, clinic, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.settings = settings if settings is not None else user_settings()
        self.ops = Operations(self)
        # The follow-up list's count for the toolbar: a queue of its own, so counting
        # never holds up the list or an open record behind it.
        self.due_ops = Operations(self)
        self.due_count: int | None = None
        # Letters, care plans, handouts, preview and print (ui/documents_hooks.py).
        self.documents = DocumentsController(self, clinic, self.ops)
        # Status, automatic and manual backups, restore requests (ui/backups_ui.py).
        from sijdesk.ui.backups_ui import BackupController

        self.backups = BackupController(self, clinic, self.ops)
        self.setObjectName("mainWindow")
        from sijdesk.services import AccountService

        # Every title says when the records are a demonstration clinic's.
        self.app_title = (
            "SIJ Desk — DEMO CLINIC (fictional patients)"
            if AccountService(clinic.db).is_demo()
            else "SIJ Desk"
        )
        self.setWindowTitle(self.app_title)
        self.setWindowIcon(icons.action_icon("app"))
        self.documents_exist = False
        self._shown_once = False
        # Set by "Sign out": the application asks who is next instead of quitting.
        self.signed_out = False
        # Set by the idle lock (ui/lock.py): patient data hidden, shortcuts ignored.
        self.locked = False
        self._shown_before_lock: list[QWidget] = []
        self._title_before_lock = ""
        # Set when another user signed in at the lock screen: the application
        # opens the window afresh for them.
        self.switch_to = None
        self.idle_lock: IdleLock | None = None
        self.change_watch: ChangeWatch | None = None

        self.recent = RecentPatients(self.settings, database_key(clinic))
        self.list_pane = PatientListPane(clinic, self.ops, self.recent)
        self.patient_view = PatientView(clinic, self.ops)
        self.step_panel = StepPanel(clinic, self.ops)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.list_pane)
        self.splitter.addWidget(self.patient_view)
        self.splitter.addWidget(self.step_panel)
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, True)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_settings()
        self._update_actions()
        self.list_pane.model.refresh()

    # -- building -------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot,
        shortcut: str | QKeySequence.StandardKey | None = None,
        *,
        tip: str = "",
        icon: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(icons.action_icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        # While the window is locked its shortcuts do nothing.
        action.triggered.connect(lambda _checked=False: None if self.locked else slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_find = a(
            "&Find patient",
            self.focus_search,
            "Ctrl+F",
            tip="Search the patient list (Ctrl+F)",
            icon="search",
        )
        self.act_new_patient = a(
            "&New patient…",
            self.new_patient,
            "Ctrl+N",
            tip="Register a new patient (Ctrl+N)",
            icon="new_patient",
        )
        self.act_patient_details = a(
            "Patient &details…",
            self.patient_view.edit_patient,
            tip="See or correct the open patient's demographics",
        )
        self.act_allergies = a(
            "A&llergies…",
            self.patient_view.edit_allergies,
            tip="Record, amend or confirm the open patient's allergies",
        )
        self.act_archive = a(
            "&Archive patient…",
            self.toggle_archive,
            tip="Hide the open patient from the list (nothing is deleted)",
        )
        self.act_toggle_list = a(
            "Show patient &list", self.toggle_list, "F9", tip="Show or hide the patient list (F9)"
        )
        self.act_toggle_list.setCheckable(True)
        self.act_new_episode = a(
            "&New episode…",
            self.patient_view.new_episode,
            "Ctrl+E",
            tip="Open a new episode of care (Ctrl+E)",
            icon="new_episode",
        )
        self.act_close_episode = a(
            "&Close episode…",
            self.patient_view.close_episode,
            tip="Close the chosen episode with a reason",
            icon="close",
        )
        self.act_reopen_episode = a(
            "&Reopen episode…",
            self.patient_view.reopen_episode,
            tip="Reopen a closed episode with a reason",
        )
        self.act_record = a(
            "&Record…",
            self.popup_record_menu,
            "Ctrl+R",
            tip="Record an event in the chosen episode (Ctrl+R)",
            icon="record",
        )
        self.act_refresh = a(
            "Re&fresh",
            self.refresh_all,
            QKeySequence.StandardKey.Refresh,
            tip="Read the record again (F5)",
        )
        self.act_letter = a(
            "Write referral &letter…",
            lambda: self.on_referral_requested(""),
            tip="Write a referral letter for the chosen episode",
            icon="letter",
        )
        self.act_care_plan = a(
            "&Care plan…",
            self.on_care_plan_requested,
            tip="The patient's care plan",
            icon="care_plan",
        )
        self.act_handouts = a(
            "&Handouts…",
            self.on_handouts_requested,
            tip="Patient handouts (no clinical record needed)",
            icon="handouts",
        )
        self.act_print = a(
            "&Print…",
            self.on_print_requested,
            "Ctrl+P",
            tip="Print the selected document (Ctrl+P)",
            icon="print",
        )
        self.act_letterhead = a(
            "Clinic letter&head…",
            self.documents.edit_letterhead,
            tip="Clinic name, address, logo and your signature for letters",
        )
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit, tip="Close SIJ Desk")
        self.act_change_password = a(
            "Change my &password…", self.change_password, tip="Choose a new password for yourself"
        )
        self.act_sign_out = a(
            "Sign &out",
            self.sign_out,
            tip="Close the records and return to the sign-in screen for the next user",
        )
        self.act_users = a(
            "&Users…",
            self.show_users,
            tip="Create users, set roles, reset passwords (administrators)",
        )
        self.act_database = a(
            "Clinic &database…",
            self.choose_database,
            tip="This computer's own file or the clinic's PostgreSQL server (administrators)",
        )
        self.act_import_patients = a(
            "&Import from a spreadsheet…",
            self.import_patients,
            tip="Register patients from a CSV file, checked first (administrators)",
        )
        self.act_export_patients = a(
            "E&xport to a spreadsheet…",
            self.export_patients,
            tip="Every patient's demographics to a CSV file (administrators)",
        )
        self.act_import_fhir = a(
            "Import from a &FHIR bundle…",
            self.import_bundle,
            tip="Register patients with their records from an HL7 FHIR R4 bundle, checked "
            "first (administrators)",
        )
        self.act_export_fhir = a(
            "Export record as FH&IR…",
            self.export_patient_record,
            tip="The open patient's record as an HL7 FHIR R4 bundle, for a hospital system",
        )
        self.act_address_book = a(
            "&Address book…",
            self.show_address_book,
            tip="The doctors and services letters go to; who each kind of letter goes to",
        )
        self.act_backup_now = a(
            "&Back up now…",
            self.backups.back_up_now,
            tip="Make and verify a backup of the clinic database now (administrators)",
        )
        self.act_restore = a(
            "&Restore from a backup…",
            self.backups.restore_from_backup,
            tip="Replace the clinic database with a backup (administrators)",
        )
        self.act_backup_settings = a(
            "&Backup settings…",
            self.backups.edit_settings,
            tip="Backup folder, how often, how many are kept, encryption (administrators)",
        )
        self.act_audit = a(
            "&Audit trail…",
            self.show_audit,
            tip="Who did what and when; check the chain; export CSV (administrators)",
        )
        self.act_reports = a(
            "&Outcome report…",
            self.show_reports,
            tip="What became of the clinic's episodes, step by step (clinicians, administrators)",
        )
        self.act_reports.setVisible(bool(self.clinic.actor.roles & {"admin", "clinician"}))
        self.act_due = a(
            "&Follow-up list…",
            self.show_due,
            tip="Whom to call back: patients due for follow-up, longest due first",
        )
        self.act_due.setIcon(icons.action_icon("due"))
        self.act_due.setIconText("Due")
        # Only administrators manage users and read the audit trail; the
        # services refuse anyone else too.
        self.act_users.setVisible("admin" in self.clinic.actor.roles)
        self.act_database.setVisible("admin" in self.clinic.actor.roles)
        for action in (self.act_import_patients, self.act_export_patients, self.act_import_fhir):
            action.setVisible("admin" in self.clinic.actor.roles)
        self.act_export_fhir.setVisible(bool(self.clinic.actor.roles & {"admin", "clinician"}))
        self.act_audit.setVisible("admin" in self.clinic.actor.roles)
        for action in (self.act_backup_now, self.act_restore, self.act_backup_settings):
            action.setVisible("admin" in self.clinic.actor.roles)
        self.act_log_folder = a(
            "Open &log folder",
            self.open_log_folder,
            tip="Open the folder with SIJ Desk's log files",
        )
        self.act_shortcuts = a(
            "&Keyboard shortcuts", self.show_shortcuts, "F1", tip="List the keyboard shortcuts (F1)"
        )
        self.act_about = a("&About SIJ Desk", self.show_about, tip="Version and pathway version")
        self.record_actions: dict[str, QAction] = {}
        for kind in RECORDABLE_KINDS:
            action = QAction(icons.kind_icon(kind), RECORD_MNEMONICS[kind], self)
            action.setStatusTip(f"Record {kind_label(kind).lower()} in the chosen episode")
            action.triggered.connect(lambda _c=False, k=kind: self.patient_view.record(k))
            self.record_actions[kind] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.act_print)
        file.addSeparator()
        file.addAction(self.act_backup_now)
        file.addAction(self.act_restore)
        file.addAction(self.act_database)
        file.addSeparator()
        file.addAction(self.act_change_password)
        file.addAction(self.act_sign_out)
        file.addSeparator()
        file.addAction(self.act_quit)
        patient = bar.addMenu("&Patient")
        for action in (
            self.act_find,
            self.act_new_patient,
            self.act_patient_details,
            self.act_allergies,
            self.act_archive,
            self.act_export_fhir,
        ):
            patient.addAction(action)
        patient.addSeparator()
        patient.addAction(self.act_import_patients)
        patient.addAction(self.act_export_patients)
        patient.addAction(self.act_import_fhir)
        patient.addSeparator()
        patient.addAction(self.act_toggle_list)
        episode = bar.addMenu("&Episode")
        episode.addAction(self.act_new_episode)
        episode.addAction(self.act_close_episode)
        episode.addAction(self.act_reopen_episode)
        episode.addSeparator()
        self.record_menu = QMenu("&Record", self)
        self.record_menu.setIcon(icons.action_icon("record"))
        for action in self.record_actions.values():
            self.record_menu.addAction(action)
        episode.addAction(self.act_record)
        episode.addMenu(self.record_menu)
        episode.addSeparator()
        episode.addAction(self.act_refresh)
        documents = bar.addMenu("&Documents")
        for action in (self.act_letter, self.act_care_plan, self.act_handouts, self.act_print):
            documents.addAction(action)
        documents.addSeparator()
        documents.addAction(self.act_letterhead)
        tools = bar.addMenu("&Tools")
        tools.addAction(self.act_address_book)
        tools.addAction(self.act_due)
        tools.addAction(self.act_reports)
        tools.addSeparator()
        tools.addAction(self.act_users)
        tools.addAction(self.act_audit)
        tools.addAction(self.act_backup_settings)
        tools.addAction(self.act_log_folder)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        toolbar.addAction(self.act_new_patient)
        toolbar.addAction(self.act_new_episode)
        self.record_button = QToolButton()
        self.record_button.setText("Record")
        self.record_button.setIcon(icons.action_icon("record"))
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.record_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.record_button.setMenu(self.record_menu)
        self.record_button.setToolTip("Record an event in the chosen episode (Ctrl+R)")
        self.record_button.setAccessibleName("Record an event")
        toolbar.addWidget(self.record_button)
        toolbar.addSeparator()
        self.act_letter_short = QAction(icons.action_icon("letter"), "Letter", self)
        self.act_letter_short.setToolTip(self.act_letter.toolTip())
        self.act_letter_short.triggered.connect(lambda _c=False: self.on_referral_requested(""))
        toolbar.addAction(self.act_letter_short)
        self.act_care_plan_short = QAction(icons.action_icon("care_plan"), "Care plan", self)
        self.act_care_plan_short.setToolTip(self.act_care_plan.toolTip())
        self.act_care_plan_short.triggered.connect(lambda _c=False: self.on_care_plan_requested())
        toolbar.addAction(self.act_care_plan_short)
        self.act_handouts_short = QAction(icons.action_icon("handouts"), "Handouts", self)
        self.act_handouts_short.setToolTip(self.act_handouts.toolTip())
        self.act_handouts_short.triggered.connect(lambda _c=False: self.on_handouts_requested())
        toolbar.addAction(self.act_handouts_short)
        toolbar.addAction(self.act_print)
        toolbar.addSeparator()
        toolbar.addAction(self.act_due)
        self.toolbar = toolbar
        # Counted once the window has settled: the first list read comes first. A child
        # timer, so it goes with the window if that closes first.
        self._due_timer = QTimer(self)
        self._due_timer.setSingleShot(True)
        self._due_timer.timeout.connect(self.refresh_due_count)
        self._due_timer.start(1500)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.busy_label = QLabel("")
        self.busy_label.setAccessibleName("Background work")
        self._busy_shown_later = QTimer(self)
        self._busy_shown_later.setSingleShot(True)
        self._busy_shown_later.setInterval(BUSY_SHOWN_AFTER_MS)
        self._busy_shown_later.timeout.connect(self._show_busy)
        self.db_label = QLabel(f"{database_label(self.clinic)} · pathway {PATHWAY_VERSION}")
        self.db_label.setAccessibleName("Database and pathway version")
        where = self.clinic.db.path or self.clinic.db.engine.url.render_as_string(
            hide_password=True
        )
        self.db_label.setToolTip(
            f"Clinic database: {where}\n"
            f"Signed in as {self.clinic.actor.display_name} ({self.clinic.actor.role_label})"
        )
        self.user_label = QLabel(
            f"{self.clinic.actor.display_name} ({self.clinic.actor.role_label})"
        )
        self.user_label.setObjectName("signedInUser")
        self.user_label.setAccessibleName("Signed in as")
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.backups.label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.db_label)

    def _connect(self) -> None:
        self.list_pane.openPatient.connect(self.open_patient)
        self.list_pane.newPatientRequested.connect(self.new_patient)
        self.patient_view.patientLoaded.connect(self._on_patient_loaded)
        self.patient_view.episodeChanged.connect(self._on_episode_changed)
        self.patient_view.recordChanged.connect(self._on_record_changed)
        self.patient_view.documentsAvailable.connect(self._on_documents_available)
        self.patient_view.openRecordNumber.connect(self.open_record_number)
        self.patient_view.documentRequested.connect(self.on_document_requested)
        self.patient_view.documents_handled = True
        self.step_panel.recordFact.connect(self.patient_view.record_fact)
        self.step_panel.referralRequested.connect(self.on_referral_requested)
        self.step_panel.decisionRecorded.connect(self._on_decision)
        self.ops.busyChanged.connect(self._on_busy)
        self.splitter.splitterMoved.connect(lambda *_: self._sync_list_action())

    # -- settings -------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self._default_size()
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray | bytes) and state:
            self.restoreState(QByteArray(state))
        self._restore_splitters()

    def _default_size(self) -> None:
        """First start: most of the screen, at least 1366 x 768 where the screen allows."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1366, 768)
            return
        available = screen.availableGeometry()
        width = min(available.width(), max(1366, int(available.width() * 0.85)))
        height = min(available.height(), max(768, int(available.height() * 0.85)))
        self.resize(width, height)

    def _restore_splitters(self) -> None:
        """Splitter sizes apply to the laid-out window, so again when it is first shown."""
        sizes = self._int_list(self.settings.value("window/splitter"))
        self.splitter.setSizes(sizes if len(sizes) == 3 else [300, 700, 366])
        inner = self._int_list(self.settings.value(PatientView.SPLITTER_KEY))
        self.patient_view.splitter.setSizes(inner if len(inner) == 2 else [230, 330])
        self._sync_list_action()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self._restore_splitters()

    @staticmethod
    def _int_list(value) -> list[int]:
        if value is None:
            return []
        items = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in items]
        except (TypeError, ValueError):
            return []

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.sizes())
        self.settings.setValue(PatientView.SPLITTER_KEY, self.patient_view.splitter.sizes())
        self.settings.sync()

    def change_password(self):
        from sijdesk.ui.signin import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.clinic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Your password was changed.", 5000)
        )
        dialog.open()
        return dialog

    def show_users(self):
        from sijdesk.ui.users_window import UsersWindow

        window = UsersWindow(self.clinic, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.open()
        return window

    def import_patients(self):
        from sijdesk.ui.spreadsheet_dialog import ImportPatientsDialog

        dialog = ImportPatientsDialog(self.clinic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.list_pane.model.refresh())
        dialog.open()
        return dialog

    def export_patients(self) -> int | None:
        from sijdesk.ui.spreadsheet_dialog import export_patients

        return export_patients(self.clinic, self)

    def import_bundle(self):
        from sijdesk.ui.fhir_dialog import ImportBundleDialog

        dialog = ImportBundleDialog(self.clinic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.list_pane.model.refresh())
        dialog.open()
        return dialog

    def export_patient_record(self) -> str | None:
        from sijdesk.ui.fhir_dialog import export_patient_record

        patient = self.patient_view.patient
        if patient is None:
            return None
        return export_patient_record(self.clinic, patient, self, self.ops)

    def choose_database(self):
        from sijdesk.ui.database_dialog import DatabaseDialog

        dialog = DatabaseDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage(
                "Saved: this computer opens that database from the next sign-in.", 8000
            )
        )
        dialog.open()
        return dialog

    def show_address_book(self):
        from sijdesk.ui.contacts_window import AddressBookWindow

        window = AddressBookWindow(self.clinic, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.open()
        return window

    def set_locked(self, locked: bool) -> None:
        """Hide (or show again) everything that can show patient data or act on it."""
        self.locked = locked
        if locked:
            parts = [self.centralWidget(), self.menuBar(), self.toolbar]
            self._shown_before_lock = [w for w in parts if w is not None and w.isVisible()]
            for widget in self._shown_before_lock:
                widget.hide()
            # The title names the open patient: hidden too.
            self._title_before_lock = self.windowTitle()
            self.setWindowTitle(f"Locked — {self.app_title}")
        else:
            for widget in self._shown_before_lock:
                widget.show()
            self._shown_before_lock = []
            self.setWindowTitle(self._title_before_lock or self.app_title)

    def start_change_watch(self, *, interval_ms: int | None = None) -> ChangeWatch:
        """Read again what other workstations change (ui/change_watch.py)."""
        from sijdesk.ui.change_watch import CHECK_INTERVAL_MS, ChangeWatch

        self.change_watch = ChangeWatch(self, interval_ms=interval_ms or CHECK_INTERVAL_MS)
        self.change_watch.changedElsewhere.connect(self.refresh_from_elsewhere)
        return self.change_watch

    def refresh_from_elsewhere(self) -> None:
        """Another workstation saved something: the list and the open record again."""
        self.list_pane.model.refresh()
        self.refresh_due_count()
        if self.patient_view.patient is not None and not self.patient_view.loading:
            self.patient_view.reload()
            self.step_panel.refresh()
        self.statusBar().showMessage("Updated with changes saved on another computer.", 8000)

    def start_idle_lock(self, minutes: int, *, interval_ms: int | None = None) -> IdleLock:
        from sijdesk.ui.lock import IdleLock

        self.idle_lock = IdleLock(self, minutes, interval_ms=interval_ms)
        return self.idle_lock

    def show_audit(self):
        from sijdesk.ui.audit_window import AuditWindow

        window = AuditWindow(self.clinic, parent=self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    def show_reports(self):
        from sijdesk.ui.reports_window import ReportsWindow

        window = ReportsWindow(self.clinic, parent=self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    def show_due(self):
        from sijdesk.ui.due_window import DueWindow

        window = DueWindow(self.clinic, parent=self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.changed.connect(self.refresh_due_count)
        window.openPatient.connect(self.open_patient)
        window.show()
        return window

    def refresh_due_count(self) -> None:
        """Count the follow-up list for the toolbar's badge ("Due (12)")."""
        if self.due_ops.busy:
            return
        due = self.clinic.due
        self.due_ops.run(
            due.count,
            on_success=self._show_due_count,
            on_failure=lambda _exc: True,  # a badge is not worth a message
            context=self,
            label="follow-up count",
        )

    def _show_due_count(self, count: int) -> None:
        self.due_count = count
        self.act_due.setIconText(f"Due ({count})" if count else "Due")
        self.act_due.setToolTip(
            f"{count} patients due for follow-up" if count else "Nobody is due for follow-up"
        )

    def sign_out(self) -> None:
        """Close the records; the application then shows the sign-in dialog again."""
        self.signed_out = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.idle_lock is not None:
            self.idle_lock.stop()
        self.backups.stop()
        self.save_settings()
        self.ops.shutdown()
        self.due_ops.shutdown()
        super().closeEvent(event)

    # -- patients ---------------------------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        if self.splitter.sizes()[0] == 0:
            self.toggle_list()
        self.list_pane.focus_search()

    @Slot(int)
    def open_patient(self, patient_id: int) -> None:
        self.statusBar().showMessage("Opening the patient…", 2000)
        self.patient_view.load_patient(patient_id)

    @Slot(str)
    def open_record_number(self, record_number: str) -> None:
        patients = self.clinic.patients
        self.ops.run(
            lambda: patients.get_by_record_number(record_number),
            on_success=lambda patient: self.open_patient(patient.id),
            context=self,
            label="find record number",
        )

    def _on_patient_loaded(self, patient) -> None:
        if self.statusBar().currentMessage().startswith("Opening the patient"):
            self.statusBar().clearMessage()
        if patient is None:
            self.setWindowTitle(self.app_title)
        else:
            self.setWindowTitle(f"{patient_title(patient)} — {self.app_title}")
            self.list_pane.note_opened(patient)
            self.list_pane.select_patient(patient.id)
        self._update_actions()

    def new_patient(self) -> PatientDialog:
        dialog = PatientDialog(self.clinic, self.ops, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_patient_registered)
        dialog.openExisting.connect(self.open_record_number)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _on_patient_registered(self, patient) -> None:
        self.statusBar().showMessage(
            f"Registered {display_name(patient)}, record {patient.record_number}", 5000
        )
        self.list_pane.model.refresh()
        self.open_patient(patient.id)

    def toggle_archive(self) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        archive = not patient.archived
        verb = "Archive" if archive else "Restore"
        question = f"{verb} {display_name(patient)} (record {patient.record_number})? " + (
            "Archived patients are hidden from the list unless “Show archived” is ticked; "
            "nothing is deleted."
            if archive
            else "The patient shows in the list again."
        )
        if not Messages.question(self, f"{verb} patient", question):
            return
        patients = self.clinic.patients
        self.ops.run(
            lambda: patients.set_archived(
                patient.id, archive, reason=f"{verb.lower()}d from the window"
            ),
            on_success=lambda _p: self._after_archive(),
            context=self,
            label="archive patient",
        )

    def _after_archive(self) -> None:
        self.list_pane.model.refresh()
        self.patient_view.reload()

    def toggle_list(self) -> None:
        sizes = self.splitter.sizes()
        if sizes[0] == 0:
            stored = self._int_list(self.settings.value("window/list_width"))
            width = max((stored[0] if stored else 0) or 300, 220)
            self.splitter.setSizes([width, max(sizes[1] - width, 300), sizes[2]])
        else:
            self.settings.setValue("window/list_width", sizes[0])
            self.splitter.setSizes([0, sizes[0] + sizes[1], sizes[2]])
        self._sync_list_action()

    def _sync_list_action(self) -> None:
        self.act_toggle_list.setChecked(self.splitter.sizes()[0] > 0)

    # -- episodes and the record -----------------------------------------------------------------

    def _on_episode_changed(self, episode) -> None:
        patient = self.patient_view.patient
        self.step_panel.set_episode(
            episode.id if episode is not None else None,
            self.patient_view.title,
            patient.id if patient is not None else None,
            read=self.patient_view.advice_read,  # read with the patient, when it was
        )
        self._update_actions()

    def _on_record_changed(self) -> None:
        self.step_panel.refresh()
        self.list_pane.model.refresh()

    def _on_decision(self, entry) -> None:
        self.statusBar().showMessage(f"Decision recorded: {entry.summary}", 5000)
        self.patient_view.reload()

    def _on_documents_available(self, available: bool) -> None:
        self.documents_exist = available
        self._update_actions()

    def _update_actions(self) -> None:
        view = self.patient_view
        patient = view.patient
        has_patient = patient is not None
        episode = view.episode if has_patient else None
        clinical = has_patient and view.clinical_access
        self.act_patient_details.setEnabled(has_patient)
        self.act_archive.setEnabled(has_patient)
        if patient is not None and patient.archived:
            self.act_archive.setText("Restore &archived patient…")
        else:
            self.act_archive.setText("&Archive patient…")
        self.act_new_episode.setEnabled(clinical)
        self.act_allergies.setEnabled(clinical)
        self.act_export_fhir.setEnabled(clinical)
        has_open = episode is not None and episode.is_open
        self.act_close_episode.setEnabled(has_open)
        self.act_reopen_episode.setEnabled(episode is not None and not episode.is_open)
        self.act_record.setEnabled(has_open)
        self.record_button.setEnabled(has_open)
        self.record_menu.setEnabled(has_open)
        self.act_letter.setEnabled(episode is not None)
        self.act_letter_short.setEnabled(episode is not None)
        self.act_care_plan.setEnabled(episode is not None)
        self.act_care_plan_short.setEnabled(episode is not None)
        self.act_print.setEnabled(self.documents_exist)
        if not self.documents_exist:
            self.act_print.setToolTip(
                "Print a document (Ctrl+P) — no documents in this episode yet"
            )
        else:
            self.act_print.setToolTip("Print the selected document (Ctrl+P)")

    @Slot()
    def popup_record_menu(self) -> None:
        if not self.record_menu.isEnabled():
            self.patient_view.record("note")  # explains why nothing can be recorded
            return
        if self.record_button.isVisible():
            position = self.record_button.mapToGlobal(QPoint(0, self.record_button.height()))
        else:
            position = self.mapToGlobal(self.rect().center())
        self.record_menu.popup(position)

    def refresh_all(self) -> None:
        self.list_pane.model.refresh()
        self.patient_view.reload()
        self.step_panel.refresh()

    def _on_busy(self, busy: bool) -> None:
        # Said only of work that lasts: a search per keystroke would make the status bar
        # flicker, and its relayout and repaint ran beside the search on the worker.
        if busy:
            if not self._busy_shown_later.isActive() and not self.busy_label.text():
                self._busy_shown_later.start()
            return
        self._busy_shown_later.stop()
        if self.busy_label.text():
            self.busy_label.setText("")

    def _show_busy(self) -> None:
        if self.ops.busy:
            self.busy_label.setText("Working…")

    # -- documents (ui/documents_hooks.py does the work) -------------------------------------

    @Slot(str)
    def on_referral_requested(self, kind: str) -> None:
        """Write a referral letter of ``kind`` ("" preselects the advised one)."""
        self.documents.write_letter(kind)

    @Slot()
    def on_care_plan_requested(self) -> None:
        self.documents.make_care_plan()

    @Slot()
    def on_handouts_requested(self) -> None:
        """The handout library for reception (no clinical record needed)."""
        self.documents.show_handouts()

    @Slot()
    def on_print_requested(self) -> None:
        """Print a document of the episode (see :meth:`selected_document`)."""
        self.documents.print_current()

    @Slot(object)
    def on_document_requested(self, entry) -> None:
        """A generated document was opened on the timeline: preview its PDF."""
        self.documents.open_document(entry.id)

    def selected_document(self):
        """The document event selected on the timeline, else the episode's latest one."""
        timeline = self.patient_view.timeline
        current = timeline.current_entry()
        if current is not None and current.kind == "document":
            return current
        documents = [e for e in timeline.model.entries() if e.kind == "document"]
        return max(documents, key=lambda e: (e.event_date, e.id)) if documents else None

    # -- help --------------------------------------------------------------------------------------

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in (
            self.act_find,
            self.act_new_patient,
            self.act_new_episode,
            self.act_record,
            self.act_print,
            self.act_toggle_list,
            self.act_refresh,
            self.act_shortcuts,
            self.act_quit,
        ):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.append((keys, action.text().replace("&", "").rstrip("…")))
        rows += [
            ("Ctrl+1 … Ctrl+9", "Open a recently opened patient"),
            ("Down arrow (in search)", "Move into the patient list"),
            ("Enter", "Open the patient or the event under the cursor"),
            ("Esc (in a form)", "Close the form (asks before discarding what you typed)"),
        ]
        return rows

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_rows(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        Messages.info(
            self,
            "About SIJ Desk",
            f"SIJ Desk {__version__}\nClinical pathway version {PATHWAY_VERSION}\n\n"
            "Records, treatment pathway and documents for sacroiliac joint pain clinics. "
            "The pathway is decision support: the clinician decides.\n\n"
            f"Database: {self.clinic.db.path or database_label(self.clinic)}\n"
            f"Signed in as {self.clinic.actor.display_name} ({self.clinic.actor.role_label})\n\n"
            + build_text(qt_version=f"{qVersion()} (PySide6 {PySide6.__version__})"),
        )

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl

        from sijdesk.paths import log_dir

        folder = Path(log_dir())
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            Messages.info(self, "Log folder", f"The log files are in:\n{folder}")
