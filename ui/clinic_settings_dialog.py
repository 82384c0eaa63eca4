"""The clinic letterhead and the signing clinician's details.

Clinic fields (name, address, phone, e-mail, paper size, logo) are the
administrator's; every clinician keeps their own signing name, credentials
and signature image. Saving is one audited service call on the worker; a
problem is shown beside its field and nothing is saved. On first start, when
no clinic name has been entered, :func:`maybe_prompt_first_run` offers the
dialog to an administrator.

Image choosing sits behind :meth:`ClinicSettingsDialog.ask_image_path` so that
tests can replace the file dialog.

Signals:
    saved(object): the LetterheadSettings after saving.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import ValidationError
from sijdesk.ui.errors import Messages
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg)"


class _ImageField(QWidget):
    """A thumbnail with Choose… and Remove; holds the chosen image's bytes."""

    def __init__(self, what: str, owner: ClinicSettingsDialog):
        super().__init__()
        self.what = what
        self.owner = owner
        self.data: bytes | None = None
        self.changed = False
        self.thumb = QLabel()
        self.thumb.setMinimumSize(160, 56)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setStyleSheet("border: 1px solid #aaaaaa; background: white;")
        self.thumb.setAccessibleName(f"{what} image")
        self.choose = QPushButton(f"Choose {what.lower()}…")
        self.remove = QPushButton("Remove")
        self.remove.setToolTip(f"Print without a {what.lower()}")
        self.choose.clicked.connect(self.pick)
        self.remove.clicked.connect(lambda: self.set_data(None, changed=True))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumb)
        layout.addWidget(self.choose)
        layout.addWidget(self.remove)
        layout.addStretch(1)

    def set_data(self, data: bytes | None, *, changed: bool) -> None:
        self.data = data
        self.changed = self.changed or changed
        self.remove.setEnabled(data is not None)
        if data is None:
            self.thumb.setPixmap(QPixmap())
            self.thumb.setText(f"No {self.what.lower()}")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(QByteArray(data))
        if pixmap.isNull():
            self.thumb.setText("Cannot show this image")
            return
        self.thumb.setPixmap(
            pixmap.scaled(
                160,
                56,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    @Slot()
    def pick(self) -> None:
        path = self.owner.ask_image_path(self.what)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            Messages.warning(self.owner, self.what, f"The file could not be read: {exc.strerror}.")
            return
        self.set_data(data, changed=True)


class ClinicSettingsDialog(QDialog):
    """Letterhead and signature settings."""

    saved = Signal(object)

    def __init__(self, clinic, *, ops: Operations | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops if ops is not None else Operations(self)
        self.service = clinic.documents
        self.is_admin = "admin" in clinic.actor.roles
        self.can_sign = bool(clinic.actor.roles & {"admin", "clinician"})
        self.setWindowTitle("Clinic letterhead and signature")
        self.setObjectName("clinicSettingsDialog")
        resize_to_fit(self, 640, 620)

        self.clinic_name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(80)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.page_size = QComboBox()
        self.page_size.addItem("A4", "A4")
        self.page_size.addItem("US Letter", "Letter")
        self.logo = _ImageField("Logo", self)
        self.signer_name = QLineEdit()
        self.signer_credentials = QLineEdit()
        self.signer_credentials.setPlaceholderText("e.g. MSc, Chartered Physiotherapist")
        self.signature = _ImageField("Signature", self)
        self.errors: dict[str, QLabel] = {}

        clinic_box = QGroupBox("Clinic letterhead (printed on every document)")
        clinic_form = QFormLayout(clinic_box)
        for key, label, widget in (
            ("clinic_name", "Clinic &name:", self.clinic_name),
            ("address", "&Address:", self.address),
            ("phone", "&Phone:", self.phone),
            ("email", "&E-mail:", self.email),
            ("page_size", "Paper si&ze:", self.page_size),
            ("logo_png", "&Logo:", self.logo),
        ):
            self._row(clinic_form, key, label, widget)
        if not self.is_admin:
            clinic_box.setEnabled(False)
            clinic_box.setToolTip("Only a clinic administrator can change the letterhead.")
        sign_box = QGroupBox("Your signature (letters and care plans you sign)")
        sign_form = QFormLayout(sign_box)
        for key, label, widget in (
            ("signer_name", "Your na&me:", self.signer_name),
            ("signer_credentials", "&Credentials:", self.signer_credentials),
            ("signature_png", "&Signature image:", self.signature),
        ):
            self._row(sign_form, key, label, widget)
        if not self.can_sign:
            sign_box.setEnabled(False)

        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        note = QLabel(
            "Letters, care plans and handouts print this letterhead. Images are PNG or JPEG, "
            "at most 2 MB."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(clinic_box)
        layout.addWidget(sign_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.save_button.setEnabled(False)
        self.ops.run(
            self.service.letterhead, on_success=self._on_loaded, context=self, label="letterhead"
        )

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(widget if not isinstance(widget, _ImageField) else widget.choose)
        widget.setAccessibleName(text.replace("&", "").rstrip(":"))
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        column.addWidget(error)
        holder = QWidget()
        holder.setLayout(column)
        form.addRow(label, holder)
        self.errors[key] = error

    def _on_loaded(self, settings) -> None:
        self.settings = settings
        self.clinic_name.setText(settings.clinic_name)
        self.address.setPlainText(settings.address)
        self.phone.setText(settings.phone)
        self.email.setText(settings.email)
        self.page_size.setCurrentIndex(max(0, self.page_size.findData(settings.page_size)))
        self.logo.set_data(settings.logo_png, changed=False)
        self.signer_name.setText(settings.signer_name)
        self.signer_credentials.setText(settings.signer_credentials)
        self.signature.set_data(settings.signature_png, changed=False)
        self.save_button.setEnabled(self.is_admin or self.can_sign)

    def ask_image_path(self, what: str) -> str | None:
        """The file dialog; tests replace it."""
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {what.lower()}", "", IMAGE_FILTER)
        return path or None

    def changes(self) -> dict:
        """Only the fields that differ from what was loaded (and that this user may change)."""
        s = self.settings
        out: dict = {}
        if self.is_admin:
            values = {
                "clinic_name": self.clinic_name.text().strip(),
                "address": self.address.toPlainText().strip(),
                "phone": self.phone.text().strip(),
                "email": self.email.text().strip(),
                "page_size": self.page_size.currentData(),
            }
            out.update({k: v for k, v in values.items() if v != getattr(s, k)})
            if self.logo.changed:
                out["logo_png"] = self.logo.data
        if self.can_sign:
            if self.signer_name.text().strip() != s.signer_name:
                out["signer_name"] = self.signer_name.text().strip()
            if self.signer_credentials.text().strip() != s.signer_credentials:
                out["signer_credentials"] = self.signer_credentials.text().strip()
            if self.signature.changed:
                out["signature_png"] = self.signature.data
        return out

    @Slot()
    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.general_error.clear()
        changes = self.changes()
        if not changes:
            self.accept()
            return
        service = self.service
        self.save_button.setEnabled(False)
        self.ops.run(
            lambda: service.update_letterhead(changes),
            on_success=self._on_saved,
            on_failure=self._on_failed,
            context=self,
            label="save letterhead",
        )

    def _on_saved(self, settings) -> None:
        log.info("letterhead saved")
        self.saved.emit(settings)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            for key, message in exc.errors.items():
                label = self.errors.get(key)
                if label is None:
                    self.general_error.setText(f"{key}: {message}")
                else:
                    label.setText(message)
                    label.show()
            return True
        return False


class FirstRunPrompt:
    """Whether to set up the letterhead now; tests monkeypatch :meth:`ask`."""

    @staticmethod
    def ask(parent: QWidget | None) -> bool:
        return Messages.question(
            parent,
            "Clinic letterhead",
            "No clinic letterhead has been set up yet. Letters, care plans and handouts print "
            "the clinic's name, address and phone number.\n\nSet up the letterhead now?",
            default_yes=True,
        )


def maybe_prompt_first_run(parent: QWidget | None, clinic, ops: Operations | None = None):
    """Offer the letterhead dialog to an administrator when no clinic name is set."""
    if "admin" not in clinic.actor.roles:
        return None
    service = clinic.documents
    if not service.letterhead().is_empty:
        return None
    if not FirstRunPrompt.ask(parent):
        return None
    dialog = ClinicSettingsDialog(clinic, ops=ops, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
