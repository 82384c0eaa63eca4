"""The referral letter dialog and the care plan dialog.

Letter: pick the kind (the pathway's suggested one is preselected and marked
"★ advised"), see the draft the letter will print, edit the recipient, the
reason and the question, then preview or sign it. Signing renders the PDF,
records it on the episode's timeline and opens the preview.

Care plan: large print, next review date and the goals (one per line), then
preview or create.

Every read and every PDF is made on the background worker (the window's
:class:`~sijdesk.ui.workers.Operations`); widgets are only touched in the
callbacks on the GUI thread. Every title names the patient (name, date of
birth, record number): these dialogs write to the record.

Signals of both dialogs:
    documentCreated(object): the recorded :class:`GeneratedPdf`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import ValidationError
from sijdesk.reports.wording import KIND_NAMES
from sijdesk.services.contacts import LETTER_ROLES
from sijdesk.ui.errors import Messages, user_message
from sijdesk.ui.pdf_preview import show_preview
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: #555555;"


def patient_words(patient) -> str:
    """Name, date of birth and record number (the words that prevent wrong-patient errors)."""
    return (
        f"{patient.display_name} · DOB {patient.date_of_birth.isoformat()} · "
        f"Record {patient.record_number}"
    )


def _labelled(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    return label


class _DocumentDialog(QDialog):
    """Shared parts: the worker, the busy state and the error line."""

    documentCreated = Signal(object)

    def __init__(self, clinic, episode_id: int, ops: Operations | None, parent: QWidget | None):
        super().__init__(parent)
        self.clinic = clinic
        self.episode_id = episode_id
        self.ops = ops if ops is not None else Operations(self)
        self.service = clinic.documents
        self.previews: list[QDialog] = []
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.status = QLabel("Reading the record…")
        self.status.setStyleSheet(HINT_STYLE)

    def _busy(self, text: str | None) -> None:
        self.status.setText(text or "")
        for button in self._action_buttons():
            button.setEnabled(text is None)

    def _action_buttons(self) -> list[QPushButton]:
        return []

    def _failed(self, exc: BaseException) -> bool:
        self._busy(None)
        if isinstance(exc, ValidationError):
            self.error.setText(user_message(exc).replace("The record was not saved:\n", ""))
            return True
        return False  # the worker's default handling: message or crash dialog

    def _open_preview(self, made, *, recorded: bool) -> QDialog:
        title = made.title if recorded else f"{made.title} (draft, not saved)"
        service = self.service
        preview = show_preview(
            made.pdf,
            title,
            file_name=made.file_name,
            parent=self.parentWidget(),
            on_saved=lambda path: self.ops.run(
                lambda: service.record_save(made, path), label="record save"
            ),
        )
        if made.info is not None:
            preview.printed.connect(
                lambda _name, event_id=made.info.event_id: self.ops.run(
                    lambda: self.service.record_print(event_id), label="record print"
                )
            )
        self.previews.append(preview)
        return preview


class LetterDialog(_DocumentDialog):
    """Draft, edit and sign a referral letter for one episode."""

    def __init__(
        self,
        clinic,
        episode_id: int,
        *,
        kind: str | None = None,
        ops: Operations | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(clinic, episode_id, ops, parent)
        self.setWindowTitle("Referral letter")
        self.setObjectName("letterDialog")
        resize_to_fit(self, 980, 720)
        self.draft = None
        self.contacts: list = []
        self._requested_kind = kind or None
        self._edited = dict.fromkeys(
            ("recipient", "reason", "question", "to", "urgency", "copy"), False
        )
        self._loading = False

        self.patient_label = QLabel()
        self.patient_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.patient_label.setStyleSheet("font-weight: bold;")
        self.kind_combo = QComboBox()
        for ident, name in KIND_NAMES.items():
            self.kind_combo.addItem(name, ident)
        self._build_addressing()
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.question = QPlainTextEdit()
        self.question.setTabChangesFocus(True)
        self.signer_label = QLabel()
        self.signer_label.setWordWrap(True)
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Draft letter text")
        self.reset_button = QPushButton("Reset &wording")
        self.reset_button.setToolTip("Put back the suggested recipient, reason and question")
        self.preview_button = QPushButton("&Preview")
        self.preview_button.setToolTip("See the letter as a PDF without signing or saving it")
        self.sign_button = QPushButton("&Sign and save")
        self.sign_button.setToolTip(
            "Sign the letter with your name, save it on the episode's timeline and open it"
        )
        self.sign_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")

        form = QFormLayout()
        form.addRow(_labelled("Letter &kind:", self.kind_combo), self.kind_combo)
        form.addRow(_labelled("Send &to:", self.to_combo), self.to_combo)
        form.addRow(_labelled("Addressed t&o:", self.recipient), self.recipient)
        form.addRow(_labelled("&Urgency:", self.urgency_combo), self.urgency_combo)
        form.addRow("", self.copy_to_gp)
        form.addRow(_labelled("&Reason for referral:", self.reason), self.reason)
        form.addRow(_labelled("&Question for the recipient:", self.question), self.question)
        form.addRow(QLabel("Signed by:"), self.signer_label)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignLeft)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(_labelled("&Draft (what the letter will print):", self.text_view))
        right_layout.addWidget(self.text_view, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.patient_label)
        self.allergy_note = QLabel()
        self.allergy_note.setWordWrap(True)
        self.allergy_note.setAccessibleName("Allergy check")
        self.allergy_note.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.allergy_note.setVisible(False)
        layout.addWidget(self.allergy_note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        for first, second in (
            (self.kind_combo, self.recipient),
            (self.recipient, self.reason),
            (self.reason, self.question),
            (self.question, self.reset_button),
            (self.reset_button, self.text_view),
            (self.text_view, self.preview_button),
            (self.preview_button, self.sign_button),
            (self.sign_button, self.cancel_button),
        ):
            self.setTabOrder(first, second)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(600)
        self._refresh_timer.timeout.connect(self.refresh_draft)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.recipient.textEdited.connect(lambda _t: self._on_edited("recipient"))
        self.reason.textChanged.connect(lambda: self._on_edited("reason"))
        self.question.textChanged.connect(lambda: self._on_edited("question"))
        self.reset_button.clicked.connect(self.reset_wording)
        self.preview_button.clicked.connect(self.preview)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)
        self._busy("Reading the record…")
        self.load(self._requested_kind)

    def _action_buttons(self) -> list[QPushButton]:
        return [self.preview_button, self.sign_button, self.reset_button]

    def reject(self) -> None:
        """Esc or Cancel: ask before throwing away wording the clinician typed."""
        if any(self._edited.values()) and not Messages.question(
            self, "Referral letter", "Discard the changes you made to this letter?"
        ):
            return
        super().reject()

    def _build_addressing(self) -> None:
        """Who the letter goes to (address book or typed), how soon, and the GP's copy."""
        self.to_combo = QComboBox()
        self.to_combo.setAccessibleName("Send to (address book)")
        self.to_combo.setToolTip("The contact from the clinic's address book the letter goes to")
        self.to_combo.activated.connect(lambda _i: self._on_edited("to"))
        self.recipient = QLineEdit()
        self.recipient.setAccessibleName("Addressed to")
        self.urgency_combo = QComboBox()
        self.urgency_combo.setAccessibleName("Urgency")
        for ident, words in (("routine", "Routine"), ("soon", "Soon"), ("urgent", "Urgent")):
            self.urgency_combo.addItem(words, ident)
        self.urgency_combo.activated.connect(lambda _i: self._on_edited("urgency"))
        self.copy_to_gp = QCheckBox("Copy to the patient's family doctor")
        self.copy_to_gp.setChecked(True)
        self.copy_to_gp.toggled.connect(lambda _on: self._on_edited("copy"))

    # -- loading the draft --------------------------------------------------------------------

    def load(self, kind: str | None, *, keep_edits: bool = False) -> None:
        edits = self.edits() if keep_edits else {}
        service, episode_id = self.service, self.episode_id

        contacts = self.clinic.contacts

        def job():
            return service.letter_draft(episode_id, kind, **edits), contacts.all_contacts()

        self.ops.run(
            job,
            on_success=self._on_draft,
            on_failure=self._failed,
            context=self,
            label="letter draft",
        )

    def edits(self) -> dict[str, Any]:
        """The fields the user changed (None = use the suggested wording)."""
        # "Not in the address book" chosen: the typed addressee, not the default contact.
        typed = (self._edited["recipient"] or self._edited["to"]) and (
            self.to_combo.currentData() is None
        )
        return {
            "recipient": self.recipient.text() if typed else None,
            "reason": self.reason.toPlainText() if self._edited["reason"] else None,
            "question": self.question.toPlainText() if self._edited["question"] else None,
            **self._addressing(),
        }

    def _addressing(self) -> dict[str, Any]:
        """Who it goes to, how soon and the copy, as chosen in the dialog."""
        return {
            "to_contact_id": self.to_combo.currentData() if self._edited["to"] else None,
            "urgency": self.urgency_combo.currentData() if self._edited["urgency"] else None,
            "copy_to_gp": self.copy_to_gp.isChecked(),
        }

    def _fill_contacts(self, contacts, chosen: int | None) -> None:
        """The address book, contacts of the kind's role first."""
        role = LETTER_ROLES.get(self.kind())
        ordered = sorted(contacts, key=lambda c: (role is not None and c.role != role, c.name))
        self.to_combo.clear()
        self.to_combo.addItem("Not in the address book: type the addressee below", None)
        for contact in ordered:
            self.to_combo.addItem(f"{contact.display} ({contact.role_label})", contact.id)
        index = self.to_combo.findData(chosen) if chosen is not None else 0
        self.to_combo.setCurrentIndex(max(index, 0))
        self.recipient.setEnabled(self.to_combo.currentData() is None)

    @Slot(object)
    def _on_draft(self, result) -> None:
        draft, contacts = result
        self.draft = draft
        self.contacts = contacts
        self._loading = True
        try:
            title = patient_words(draft.patient)
            self.setWindowTitle(f"Referral letter — {title}")
            self.patient_label.setText(f"Patient: {title}")
            for index in range(self.kind_combo.count()):
                ident = self.kind_combo.itemData(index)
                name = KIND_NAMES[ident]
                if ident == draft.advised_kind:
                    name += "  ★ advised"
                self.kind_combo.setItemText(index, name)
            index = self.kind_combo.findData(draft.options.kind)
            self.kind_combo.setCurrentIndex(index)
            opts = draft.options
            self._fill_contacts(contacts, draft.to_contact_id)
            self.urgency_combo.setCurrentIndex(max(self.urgency_combo.findData(opts.urgency), 0))
            if opts.copy_to:
                self.copy_to_gp.setText(f"Copy to the patient's family doctor: {opts.copy_to}")
            if not self._edited["recipient"] or draft.to_contact_id is not None:
                self.recipient.setText(opts.recipient)
            if not self._edited["reason"]:
                self.reason.setPlainText(opts.reason)
            if not self._edited["question"]:
                self.question.setPlainText(opts.question)
            self.text_view.setPlainText(draft.text)
            self.allergy_note.setText(f"⚠ {draft.allergy_note}" if draft.allergy_note else "")
            self.allergy_note.setVisible(bool(draft.allergy_note))
            signer = draft.signer
            words = signer.name + (f", {signer.credentials}" if signer.credentials else "")
            if signer.signature_png is None:
                words += " (no signature image: set one under Documents › Clinic letterhead…)"
            self.signer_label.setText(words)
            self.error.clear()
        finally:
            self._loading = False
        self._busy(None)
        self.status.setText(f"Pathway {draft.pathway_version}")

    @Slot(int)
    def _on_kind_changed(self, _index: int) -> None:
        if self._loading or self.draft is None:
            return
        self._edited = dict.fromkeys(self._edited, False)
        self._busy("Preparing the draft…")
        self.load(self.kind())

    def _on_edited(self, field: str) -> None:
        if self._loading:
            return
        self._edited[field] = True
        self._refresh_timer.start()

    @Slot()
    def refresh_draft(self) -> None:
        if self.draft is not None:
            self.load(self.kind(), keep_edits=True)

    @Slot()
    def reset_wording(self) -> None:
        self._edited = dict.fromkeys(self._edited, False)
        self.load(self.kind())

    def kind(self) -> str:
        return self.kind_combo.currentData()

    # -- making the PDF --------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        to_contact_id = self.to_combo.currentData()
        return {
            "recipient": None if to_contact_id is not None else self.recipient.text(),
            "reason": self.reason.toPlainText(),
            "question": self.question.toPlainText(),
            "to_contact_id": to_contact_id,
            "urgency": self.urgency_combo.currentData(),
            "copy_to_gp": self.copy_to_gp.isChecked(),
        }

    @Slot()
    def preview(self) -> None:
        service, episode_id, kind, options = (
            self.service,
            self.episode_id,
            self.kind(),
            self._options(),
        )
        self._busy("Making the preview…")
        self.ops.run(
            lambda: service.preview_letter(episode_id, kind, **options),
            on_success=self._on_preview,
            on_failure=self._failed,
            context=self,
            label="letter preview",
        )

    def _on_preview(self, made) -> None:
        self._busy(None)
        self._open_preview(made, recorded=False)

    @Slot()
    def sign(self) -> None:
        service, episode_id, kind, options = (
            self.service,
            self.episode_id,
            self.kind(),
            self._options(),
        )
        self._busy("Signing and saving the letter…")
        self.ops.run(
            lambda: service.create_letter(episode_id, kind, **options),
            on_success=self._on_signed,
            on_failure=self._failed,
            context=self,
            label="create letter",
        )

    def _on_signed(self, made) -> None:
        self._busy(None)
        log.info("letter saved: %s", made.title)
        self.documentCreated.emit(made)
        self._open_preview(made, recorded=True)
        self.accept()


class CarePlanDialog(_DocumentDialog):
    """Options for the patient's care plan, then preview or create it."""

    def __init__(
        self,
        clinic,
        episode_id: int,
        *,
        ops: Operations | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(clinic, episode_id, ops, parent)
        self.setWindowTitle("Care plan")
        self.setObjectName("carePlanDialog")
        resize_to_fit(self, 620, 520)
        self.draft = None
        self.patient_label = QLabel()
        self.patient_label.setStyleSheet("font-weight: bold;")
        self.step_label = QLabel()
        self.step_label.setWordWrap(True)
        self.large_print = QCheckBox("&Large print (bigger text for easier reading)")
        self.review = QDateEdit()
        self.review.setCalendarPopup(True)
        self.review.setDisplayFormat("yyyy-MM-dd")
        self.goals = QPlainTextEdit()
        self.goals.setTabChangesFocus(True)
        self.goals.setToolTip("One goal per line, framed as something the patient wants to do")
        self.preview_button = QPushButton("&Preview")
        self.create_button = QPushButton("&Create care plan")
        self.create_button.setDefault(True)
        self.create_button.setToolTip("Save the care plan on the episode's timeline and open it")
        self.cancel_button = QPushButton("Cancel")

        form = QFormLayout()
        form.addRow(QLabel("Where the patient is:"), self.step_label)
        form.addRow(self.large_print)
        form.addRow(_labelled("Next &review on:", self.review), self.review)
        form.addRow(_labelled("&Goals (one per line):", self.goals), self.goals)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.patient_label)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.preview_button.clicked.connect(self.preview)
        self.create_button.clicked.connect(self.create)
        self.cancel_button.clicked.connect(self.reject)
        self._busy("Reading the record…")
        service = self.service
        self.ops.run(
            lambda: service.care_plan_draft(episode_id),
            on_success=self._on_draft,
            on_failure=self._failed,
            context=self,
            label="care plan draft",
        )

    def _action_buttons(self) -> list[QPushButton]:
        return [self.preview_button, self.create_button]

    def reject(self) -> None:
        """Esc or Cancel: ask before throwing away goals the clinician typed."""
        typed = self.draft is not None and self.goals.toPlainText().strip() != "\n".join(
            self.draft.options.goals
        )
        if typed and not Messages.question(
            self, "Care plan", "Discard the goals you typed for this care plan?"
        ):
            return
        super().reject()

    def _on_draft(self, draft) -> None:
        self.draft = draft
        title = patient_words(draft.patient)
        self.setWindowTitle(f"Care plan — {title}")
        self.patient_label.setText(f"Patient: {title}")
        steps = {
            "conservative": "Step 1: physiotherapy and home programme",
            "injection": "Step 2: SIJ injection",
            "surgery_evaluation": "Step 3: opinion on SIJ fusion",
        }
        self.step_label.setText(
            steps.get(draft.step or "", "No routine step (urgent referral or pathway closed)")
            + f" · pathway {draft.pathway_version}"
        )
        today = self.service.today()
        self.review.setMinimumDate(QDate(today.year, today.month, today.day))
        when = draft.options.review_date
        self.review.setDate(QDate(when.year, when.month, when.day))
        self.goals.setPlainText("\n".join(draft.options.goals))
        self._busy(None)

    def options(self) -> dict:
        qd = self.review.date()
        return {
            "large_print": self.large_print.isChecked(),
            "goals": [g for g in self.goals.toPlainText().splitlines() if g.strip()],
            "review_date": date(qd.year(), qd.month(), qd.day()),
        }

    @Slot()
    def preview(self) -> None:
        service, episode_id, options = self.service, self.episode_id, self.options()
        self._busy("Making the preview…")
        self.ops.run(
            lambda: service.preview_care_plan(episode_id, **options),
            on_success=self._preview_made,
            on_failure=self._failed,
            context=self,
            label="care plan preview",
        )

    def _preview_made(self, made) -> None:
        self._busy(None)
        self._open_preview(made, recorded=False)

    @Slot()
    def create(self) -> None:  # type: ignore[override]  # the dialog's action, not QWidget.create
        service, episode_id, options = self.service, self.episode_id, self.options()
        self._busy("Creating the care plan…")
        self.ops.run(
            lambda: service.create_care_plan(episode_id, **options),
            on_success=self._on_created,
            on_failure=self._failed,
            context=self,
            label="create care plan",
        )

    def _on_created(self, made) -> None:
        self._busy(None)
        self.documentCreated.emit(made)
        self._open_preview(made, recorded=True)
        self.accept()


def no_episode_message(parent: QWidget | None) -> None:
    Messages.info(
        parent,
        "Documents",
        "Open a patient and choose an episode of care first; letters and care plans are "
        "written for one episode.",
    )
