"""The two-step import dialog: Check (nothing written), then Import (all or nothing).

Check reads the chosen file and lists every problem; Import, offered once the
check is clean, writes everything in one transaction with a progress bar, or
nothing. Both run on the worker thread. A subclass names the file kind and
calls its service (spreadsheets: ``spreadsheet_dialog``; FHIR bundles:
``fhir_dialog``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.ui.workers import Operations


class _Progress(QObject):
    """Carries the worker's progress to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


class ImportDialog(QDialog):
    """Check a file, then import it; ``imported`` holds the record numbers given."""

    #: Set by subclasses.
    object_name = ""
    title = ""
    intro = ""
    file_label = ""
    placeholder = ""
    file_filter = ""
    what = ""  # "a spreadsheet": the worker's label and the empty-path hint

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setObjectName(self.object_name)
        self.setWindowTitle(f"{self.title} — SIJ Desk")
        self.setMinimumWidth(640)
        self.ops = Operations(self)
        self.imported: tuple[str, ...] = ()
        self.checked_path: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName(self.file_label)
        self.path.setPlaceholderText(self.placeholder)
        self.path.textChanged.connect(lambda _t: self._forget_check())
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_file)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("importResult")
        self.findings.setAccessibleName("What the check found")
        self.findings.setReadOnly(True)
        layout.addWidget(self.findings, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.check_button = QPushButton("Check")
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.start_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)

    # -- what a subclass supplies ----------------------------------------------------

    def dry_run(self, path: str) -> Any:
        """The service's check of ``path`` (runs on the worker)."""
        raise NotImplementedError

    def run_import(self, path: str, progress: Callable[[int, int], None]) -> Any:
        """The service's import of ``path`` (runs on the worker)."""
        raise NotImplementedError

    def check_lines(self, report: Any) -> tuple[list[str], bool]:
        """What the check found, and whether the file can be imported."""
        raise NotImplementedError

    def done_text(self, report: Any) -> str:
        raise NotImplementedError

    # -- the two steps ------------------------------------------------------------------

    def ask_path(self) -> str:
        """Tests monkeypatch this."""
        path, _ = QFileDialog.getOpenFileName(self, self.title, "", self.file_filter)
        return path

    def choose_file(self) -> None:
        path = self.ask_path()
        if path:
            self.path.setText(path)

    def _forget_check(self) -> None:
        self.checked_path = None
        self.import_button.setEnabled(False)

    def check(self) -> None:
        path = self.path.text().strip()
        if not path:
            self.findings.setPlainText(f"Choose {self.what} first.")
            return
        self._busy(True)
        self.findings.setPlainText("Checking…")
        self.ops.run(
            lambda: self.dry_run(path),
            on_success=lambda report: self._checked(path, report),
            on_failure=self._failed,
            context=self,
            label=f"check {self.what}",
        )

    def _checked(self, path: str, report: Any) -> None:
        self._busy(False)
        lines, ready = self.check_lines(report)
        self.checked_path = path if ready else None
        self.findings.setPlainText("\n".join(lines))
        self.import_button.setEnabled(ready)

    def start_import(self) -> None:
        path = self.checked_path
        if path is None:
            return
        moved = self._progress.moved
        self._busy(True)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.ops.run(
            lambda: self.run_import(path, moved.emit),
            on_success=self._imported,
            on_failure=self._failed,
            context=self,
            label=f"import {self.what}",
        )

    def _moved(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _imported(self, report: Any) -> None:
        self._busy(False)
        self.import_button.setEnabled(False)
        if report.problems:  # another desk registered one of them meanwhile
            self.findings.setPlainText(
                "Nothing was imported:\n" + "\n".join(str(p) for p in report.problems)
            )
            return
        self.imported = report.imported
        self.checked_path = None
        self.findings.setPlainText(self.done_text(report))

    def _failed(self, exc: BaseException) -> bool:
        self._busy(False)
        if isinstance(exc, ValidationError):
            text = "\n".join(exc.errors.values())
            self.findings.setPlainText(text[:1].upper() + text[1:])
            return True
        if isinstance(exc, UserError):
            self.findings.setPlainText(str(exc))
            return True
        return False

    def _busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)
