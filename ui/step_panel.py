"""The treatment-step panel: the pathway's advice for the episode, read top to bottom.

Triage first (an urgent red-flag referral cannot be missed), then the four
steps of the guide with the advised one marked "★ advised" and the current
one "● now", each step's criteria as ✓ met / ✗ not met / ? unknown (symbol,
word and colour) with the values read and the source on hover, then what is
missing (each with a link to the form that records it), the components and
medications, warnings and the rationale. Accept or Override… store a decision
on the timeline through the pathway service. The panel holds no clinical rule:
it shows :class:`~sijdesk.services.pathway_service.EpisodeAdvice` as it comes,
as one document (:mod:`sijdesk.ui.advice_html` says why).

Signals:
    recordFact(str): open the form that records a missing fact (a ``missing`` id).
    referralRequested(str): write a referral letter of this kind ("" = let the user choose).
    decisionRecorded(object): a decision was stored (TimelineEntry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import ValidationError
from sijdesk.pathway import vocab
from sijdesk.ui.advice_html import STEP_ROWS, advice_sections, escape, message_html
from sijdesk.ui.describe import word
from sijdesk.ui.errors import Messages, report_exception
from sijdesk.ui.forms import ChoiceRadios, NotesField, RecordDialog, form_layout
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)


def wrap_label(html: str) -> QLabel:
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)  # a new policy would drop the wrapped label's own flag
    label.setSizePolicy(policy)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AdviceView(QTextBrowser):
    """The advice document: links act (``record:``, ``toggle:``), nothing is fetched,
    and the text under the mouse shows its ``title`` as a tooltip."""

    linkActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Pathway advice")
        self.anchorClicked.connect(self._on_anchor)

    def _on_anchor(self, url: QUrl) -> None:
        self.linkActivated.emit(url.toString())

    def loadResource(self, kind: int, name: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        return None  # the document names no images or files: never read one

    def tooltip_at(self, position) -> str:
        """The tooltip of the text at ``position`` (viewport coordinates)."""
        return self.cursorForPosition(position).charFormat().toolTip()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)


class OverrideDialog(RecordDialog):
    """Override the advice: the step chosen and a reason (required)."""

    save_text = "&Record override"

    def __init__(self, clinic, ops: Operations, *, episode_advice, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Override the pathway's advice", parent)
        self.episode_advice = episode_advice
        advice = episode_advice.advice
        self.resize(560, 420)
        layout = QVBoxLayout(self.body)
        advised = word(advice.step) if advice.step else "no step (urgent referral)"
        intro = QLabel(
            f"The pathway advises: <b>{escape(advised)}</b>. Choose what you will do instead and "
            "say why; the override and its reason are stored on the timeline with a snapshot "
            "of the advice."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = form_layout()
        choices: list[tuple[Any, str]] = [
            (step, f"{number} {name}")
            for step, number, name in STEP_ROWS[:3]
            if step != advice.step
        ]
        choices.append((None, "No treatment step for now (explain in the reason)"))
        self.step = ChoiceRadios(choices, columns=1, accessible="Step chosen")
        self.step.set_value(choices[0][0])
        self.add_row(form, "chosen_step", self.step, "Step chosen")
        self.reason = NotesField("Why does this patient need something else?", lines=3)
        self.add_row(form, "reason", self.reason, "Reason (required)")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        if not self.reason.value().strip():
            return {"reason": "is required: an override needs a reason"}
        return {}

    def perform(self) -> Callable[[], Any]:
        pathway = self.clinic.pathway
        advice = self.episode_advice.advice
        episode_id = self.episode_advice.episode_id
        reason, step = self.reason.value(), self.step.value()
        return lambda: pathway.record_decision(
            episode_id, advice, accepted=False, reason=reason, chosen_step=step
        )


class StepPanel(QWidget):
    recordFact = Signal(str)
    referralRequested = Signal(str)
    decisionRecorded = Signal(object)

    def __init__(self, clinic, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.episode_id: int | None = None
        self.patient_id: int | None = None
        self.allergy_state: str | None = None  # read with the advice, for the allergy check
        self.episode_advice = None
        self.patient_title = ""
        self.loading = False
        self.sections: dict[str, str] = {}  # the document shown, by section (HTML)
        self._toggled: set[str] = set()  # steps shown or hidden by the user, this episode
        self._shown_episode: int | None = None
        self._generation = 0
        self.setObjectName("stepPanel")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("<b>Next step</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)
        # A real button, not a link, for the one action that must not be missed.
        self.urgent_button = QPushButton("⚠ Write urgent referral…")
        bold = QFont(self.urgent_button.font())
        bold.setBold(True)
        self.urgent_button.setFont(bold)
        self.urgent_button.setVisible(False)
        self.urgent_button.clicked.connect(lambda: self.referralRequested.emit("urgent"))
        layout.addWidget(self.urgent_button)
        self.advice_view = AdviceView()
        self.advice_view.linkActivated.connect(self._on_link)
        layout.addWidget(self.advice_view, 1)

        self.decision_label = wrap_label("")
        layout.addWidget(self.decision_label)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("&Accept")
        self.accept_button.setToolTip("Record on the timeline that you follow the advised step")
        self.override_button = QPushButton("O&verride…")
        self.override_button.setToolTip(
            "Choose another step, with a reason (stored on the timeline)"
        )
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.override_button)
        layout.addLayout(buttons)
        self.referral_button = QToolButton()
        self.referral_button.setText("Write referral…")
        self.referral_button.setToolTip("Write a referral letter; the advised kind is preselected")
        self.referral_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.referral_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.referral_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.referral_menu = QMenu(self.referral_button)
        for kind in vocab.REFERRALS:
            action = self.referral_menu.addAction(f"{word(kind)} letter…")
            action.triggered.connect(lambda _c=False, k=kind: self.referralRequested.emit(k))
        self.referral_button.setMenu(self.referral_menu)
        layout.addWidget(self.referral_button)

        self.accept_button.clicked.connect(self.accept_advice)
        self.override_button.clicked.connect(self.open_override)
        self.referral_button.clicked.connect(self._write_advised_referral)
        self.show_message("Open a patient and choose an episode to see the advised step.")

    # -- loading ---------------------------------------------------------------------------

    @property
    def pathway(self):
        return self.clinic.pathway

    def set_episode(
        self,
        episode_id: int | None,
        patient_title: str = "",
        patient_id: int | None = None,
        *,
        read: tuple[object, str | None] | None = None,
    ) -> None:
        """Show an episode's advice; ``read`` is (advice or the error reading it,
        allergy state) when the caller has already read it for this episode."""
        self.episode_id = episode_id
        self.patient_title = patient_title
        self.patient_id = patient_id
        if read is None or episode_id is None:
            self.refresh()
            return
        self._generation += 1
        advice, allergy_state = read
        if isinstance(advice, BaseException):
            if not self._on_failure(self._generation, advice):
                self.ops.default_failure(advice, self)
        else:
            self._on_advice(self._generation, advice, allergy_state)

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.episode_advice = None
        if self.episode_id is None:
            self.loading = False
            self.show_message("Choose or open an episode to see the advised step.")
            return
        pathway = self.pathway
        self.loading = True
        self.title.setText("<b>Next step</b> — working out the advice…")
        self._set_buttons(False)
        episode_id, patient_id, allergies = self.episode_id, self.patient_id, self.clinic.allergies

        def job():
            state = allergies.status(patient_id).state if patient_id is not None else None
            return pathway.episode_advice(episode_id), state

        self.ops.run(
            job,
            on_success=lambda result: self._on_advice(generation, *result),
            on_failure=lambda exc: self._on_failure(generation, exc),
            context=self,
            label="episode advice",
        )

    def _on_failure(self, generation: int, exc: BaseException) -> bool:
        if generation != self._generation:
            return True
        self.loading = False
        self.show_message(f"The advice could not be worked out: {exc}")
        return False

    def _on_advice(self, generation: int, result, allergy_state: str | None) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.episode_advice = result
        self.allergy_state = allergy_state
        self.show_advice(result)

    # -- showing ----------------------------------------------------------------------------

    def _set_buttons(self, enabled: bool, *, referral: bool | None = None) -> None:
        self.accept_button.setEnabled(enabled)
        self.override_button.setEnabled(enabled)
        self.referral_button.setEnabled(enabled if referral is None else referral)

    def _show_sections(self, sections: dict[str, str], *, keep_scroll: bool) -> None:
        bar = self.advice_view.verticalScrollBar()
        position = bar.value()
        self.sections = sections
        self.advice_view.setHtml("".join(sections.values()))
        bar.setValue(position if keep_scroll else 0)

    def panel_text(self) -> str:
        """The advice as plain text, as a screen reader reads it."""
        return self.advice_view.toPlainText()

    def show_message(self, text: str) -> None:
        self.title.setText("<b>Next step</b>")
        self.urgent_button.setVisible(False)
        self._show_sections({"message": message_html(text)}, keep_scroll=False)
        self.decision_label.setText("")
        self.accept_button.setText("&Accept")
        self.referral_button.setText("Write referral…")
        self._set_buttons(False)

    def show_advice(self, result, *, keep_scroll: bool | None = None) -> None:
        advice = result.advice
        same_episode = result.episode_id == self._shown_episode
        if not same_episode:
            self._toggled.clear()  # each episode opens with the steps as they come
            self._shown_episode = result.episode_id
        self.title.setText(
            f"<b>Next step</b> <span style='color:#555'>· as of {result.as_of.isoformat()}"
            + (f" · pathway {advice.pathway_version}" if advice else "")
            + "</span>"
        )
        self.urgent_button.setVisible(advice is not None and advice.triage == "urgent_referral")
        sections = advice_sections(result, self.allergy_state, toggled=frozenset(self._toggled))
        self._show_sections(
            sections, keep_scroll=same_episode if keep_scroll is None else keep_scroll
        )
        self._show_decision(result)
        if advice is None:
            self._set_buttons(False, referral=True)
            self.accept_button.setText("&Accept")
            self.referral_button.setText("Write letter…")
        else:
            self._set_buttons(True)
            if advice.step is None:
                self.accept_button.setText("&Accept: urgent referral")
            else:
                self.accept_button.setText(f"&Accept: {word(advice.step).lower()}")
            referral = advice.referral
            self.referral_button.setText(
                f"Write referral: {word(referral)} ▸" if referral else "Write referral… ▸"
            )

    @Slot(str)
    def _on_link(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "record":
            self.recordFact.emit(value)
        elif kind == "toggle" and self.episode_advice is not None:
            self._toggled ^= {value}
            self.show_advice(self.episode_advice, keep_scroll=True)

    def _show_decision(self, result) -> None:
        decision = result.last_decision
        if decision is None:
            self.decision_label.setText(
                "<span style='color:#555'>No decision recorded for this episode yet.</span>"
            )
            return
        self.decision_label.setText(
            f"<span style='color:#555'>Last decision {decision.event_date.isoformat()} "
            f"({escape(decision.created_by)}): {escape(decision.summary)}</span>"
        )

    # -- decisions ----------------------------------------------------------------------------

    @Slot()
    def accept_advice(self) -> None:
        result = self.episode_advice
        if result is None or result.advice is None or self.pathway is None:
            return
        pathway, advice, episode_id = self.pathway, result.advice, result.episode_id
        self._set_buttons(False)
        self.ops.run(
            lambda: pathway.record_decision(episode_id, advice, accepted=True),
            on_success=self._decision_done,
            on_failure=self._decision_failed,
            context=self,
            label="accept advice",
        )

    def _decision_done(self, entry) -> None:
        self.decisionRecorded.emit(entry)
        self.refresh()

    def _decision_failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationError):
            Messages.warning(
                self,
                "Decision not recorded",
                "The decision was not recorded: "
                + "; ".join(exc.errors.values())
                + ". The advice is shown again as it is now.",
            )
            self.refresh()
            return True
        self.refresh()
        report_exception(exc, parent=self)
        return True

    def override_dialog(self) -> OverrideDialog | None:
        result = self.episode_advice
        if result is None or result.advice is None or self.pathway is None:
            return None
        dialog = OverrideDialog(
            self.clinic,
            self.ops,
            episode_advice=result,
            patient_title=self.patient_title,
            parent=self.window(),
        )
        dialog.saved.connect(self._decision_done)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    @Slot()
    def open_override(self) -> OverrideDialog | None:
        dialog = self.override_dialog()
        if dialog is not None:
            dialog.open()
        return dialog

    @Slot()
    def _write_advised_referral(self) -> None:
        result = self.episode_advice
        kind = result.advice.referral if result is not None and result.advice is not None else None
        self.referralRequested.emit(kind or "")
