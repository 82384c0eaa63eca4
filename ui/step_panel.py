"""The treatment-step panel: the pathway's advice for the episode, read top to bottom.

Triage first (an urgent red-flag referral cannot be missed), then the four
steps of the guide with the advised one marked "★ advised" and the current
one "● now", each step's criteria as ✓ met / ✗ not met / ? unknown (symbol,
word and colour) with the values read and the source on hover, then what is
missing (each with the form that records it), the components and medications,
warnings and the rationale. Accept or Override… store a decision on the
timeline through the pathway service. The panel holds no clinical rule: it
shows :class:`~sijdesk.services.pathway_service.EpisodeAdvice` as it comes.

Signals:
    recordFact(str): open the form that records a missing fact (a ``missing`` id).
    referralRequested(str): write a referral letter of this kind ("" = let the user choose).
    decisionRecorded(object): a decision was stored (TimelineEntry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import ValidationError
from sijdesk.pathway import vocab
from sijdesk.services.allergies import unasked_allergy_note
from sijdesk.ui.describe import word
from sijdesk.ui.errors import Messages, report_exception
from sijdesk.ui.forms import (
    ChoiceRadios,
    NotesField,
    RecordDialog,
    chain_tab_order,
    focusable_children,
    form_layout,
)
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

MET_STYLE = {
    True: ("✓", "met", "#1b5e20"),
    False: ("✗", "not met", "#b71c1c"),
    None: ("?", "unknown", "#8a5a00"),
}

STEP_ROWS = (
    ("conservative", "1", "Conservative care"),
    ("injection", "2", "Injection"),
    ("surgery_evaluation", "3", "Surgical evaluation"),
    ("medications", "4", "Medications (in support)"),
)
STEP_GROUP = {"injection": "injection", "surgery_evaluation": "fusion"}

# Which missing fact keeps a criterion unknown: where "Record…" leads.
CRITERION_FACT = {
    "triage.inflammatory": "symptom_weeks",
    "triage.below_belt": "pain_region",
    "injection.conservative_weeks": "conservative",
    "injection.response": "baseline",
    "injection.cluster": "provocation",
    "injection.repeat_relief": "injections",
    "injection.blocks_allow": "injections",
    "fusion.symptom_weeks": "symptom_weeks",
    "fusion.conservative_weeks": "conservative",
    "fusion.response": "baseline",
    "fusion.confirmed_blocks": "injections",
    "fusion.provocation_tests": "provocation",
    "fusion.nrs": "nrs",
    "fusion.odi": "odi",
}
FACT_ACTIONS = {
    "provocation": "Record assessment…",
    "pain_region": "Record assessment…",
    "nrs": "Record outcome…",
    "odi": "Record outcome…",
    "baseline": "Record outcome…",
    "conservative": "Record therapy session…",
    "injections": "Record injection result…",
    "age": "Edit patient details…",
    "symptom_weeks": "Set onset date…",
}
FACT_HINTS = {
    "baseline": "an NRS or ODI before therapy began and a later one to compare",
    "conservative": "weeks of conservative care (from the first therapy session)",
    "injections": "the result (relief %) of an injection",
    "symptom_weeks": "the onset date of the episode",
    "provocation": "the provocation tests not yet done",
}
TRIAGE_TEXT = {
    "urgent_referral": "URGENT REFERRAL",
    "rheumatology_referral": "Refer to rheumatology",
    "other_source": "Other pain source likely",
    "sij_pathway": "SIJ pathway",
}
ABBREVIATIONS = (
    "NRS: numeric rating scale of pain, 0-10. ODI: Oswestry Disability Index, 0-100 %. "
    "MET: muscle energy techniques. PSIS: posterior superior iliac spine."
)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mark_html(met: bool | None) -> str:
    symbol, text, colour = MET_STYLE[met]
    return f'<span style="color:{colour}"><b>{symbol}&nbsp;{text}</b></span>'


class Box(QFrame):
    """A rounded panel painted directly. (Style sheets on the panel's frames made
    Qt re-style every label inside them each time the advice was shown: about half
    of the 100 ms the panel took to appear.)"""

    def __init__(
        self,
        name: str,
        *,
        background: str | None = None,
        border: str | None = None,
        width: int = 1,
        text: str | None = None,
    ):
        super().__init__()
        self.setObjectName(name)
        self.background = QColor(background) if background else None
        self.border = QColor(border) if border else None
        self.width_px = width
        if text:
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
            self.setPalette(palette)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.border is not None:
            painter.setPen(QPen(self.border, self.width_px))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        if self.background is not None:
            painter.setBrush(self.background)
        inset = self.width_px / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 4, 4)
        painter.end()


def wrap_label(html: str, *, accessible: str = "", tooltip: str = "") -> QLabel:
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)  # a new policy would drop the wrapped label's own flag
    label.setSizePolicy(policy)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if accessible:
        label.setAccessibleName(accessible)
    if tooltip:
        label.setToolTip(tooltip)
    return label


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
            f"The pathway advises: <b>{_html(advised)}</b>. Choose what you will do instead and "
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
        self._generation = 0
        self.setObjectName("stepPanel")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("<b>Next step</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setAccessibleName("Pathway advice")
        layout.addWidget(self.scroll_area, 1)

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

    def _order_tabs(self, content: QWidget) -> None:
        """New content is made after the buttons below it: Tab reads it first."""
        chain_tab_order(
            [
                *focusable_children(content),
                self.accept_button,
                self.override_button,
                self.referral_button,
            ]
        )

    def _set_buttons(self, enabled: bool, *, referral: bool | None = None) -> None:
        self.accept_button.setEnabled(enabled)
        self.override_button.setEnabled(enabled)
        self.referral_button.setEnabled(enabled if referral is None else referral)

    def _replace_content(self, content: QWidget) -> None:
        # The old content (some 300 objects) is deleted on a later turn of the event
        # loop, not in the same one as the new content is laid out.
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll_area.setWidget(content)

    def show_message(self, text: str) -> None:
        self.title.setText("<b>Next step</b>")
        content = QWidget()
        box = QVBoxLayout(content)
        box.addWidget(wrap_label(_html(text)))
        box.addStretch(1)
        self._replace_content(content)
        self._order_tabs(content)
        self.decision_label.setText("")
        self.accept_button.setText("&Accept")
        self.referral_button.setText("Write referral…")
        self._set_buttons(False)

    def show_advice(self, result) -> None:
        content = QWidget()
        content.setObjectName("stepPanelContent")
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 4, 0)
        box.setSpacing(6)
        advice = result.advice
        self.title.setText(
            f"<b>Next step</b> <span style='color:#555'>· as of {result.as_of.isoformat()}"
            + (f" · pathway {advice.pathway_version}" if advice else "")
            + "</span>"
        )
        if advice is None:
            self._show_closed(box, result)
        else:
            self._show_triage(box, advice)
            note = unasked_allergy_note(self.allergy_state or "", advice.step)
            if note:
                self._show_list(box, "Allergies", [f"⚠ {note}"], "#8a4b00")
            self._show_scores(box, advice)
            for step, number, name in STEP_ROWS:
                self._show_step(box, result, advice, step, number, name)
            self._show_missing(box, advice)
            self._show_list(box, "Warnings", [f"⚠ {w}" for w in advice.warnings], "#8a4b00")
            self._show_list(box, "Why", list(advice.rationale), None)
        box.addStretch(1)
        self._replace_content(content)
        self._order_tabs(content)
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

    def _show_closed(self, box: QVBoxLayout, result) -> None:
        entry = result.closed_by
        frame = Box("closedBox", background="#eceff1", border="#607d8b")
        inner = QVBoxLayout(frame)
        inner.addWidget(
            wrap_label(
                f"<b>Pathway closed for this episode</b><br>{_html(entry.summary)} on "
                f"{entry.event_date.isoformat()} (recorded by {_html(entry.created_by)}).",
                accessible="Pathway closed",
            )
        )
        inner.addWidget(
            wrap_label(
                "A fusion ends the treatment pathway for the episode: no step is advised. "
                "Keep recording NRS and ODI to follow the result."
            )
        )
        box.addWidget(frame)

    def _show_triage(self, box: QVBoxLayout, advice) -> None:
        triage = advice.triage
        urgent = triage == "urgent_referral"
        if urgent:
            frame = Box("triageBox", background="#b71c1c", text="white")
        elif triage == "sij_pathway":
            frame = Box("triageBox", background="#e8f0fb", border="#90a4c8")
        else:
            frame = Box("triageBox", background="#fff4e0", border="#e0a040")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(8, 6, 8, 6)
        symbol = "⚠ " if triage != "sij_pathway" else ""
        heading = f"{symbol}Triage: {TRIAGE_TEXT.get(triage, word(triage))}"
        title = wrap_label(
            f"<span style='font-size:large'><b>{_html(heading)}</b></span>",
            accessible=heading,
        )
        inner.addWidget(title)
        if urgent:
            flags = advice.criterion("triage.red_flag").detail
            inner.addWidget(
                wrap_label(
                    f"<b>{_html(flags)}.</b> The routine SIJ pathway is suspended: refer urgently "
                    "today.",
                    accessible="Urgent referral needed",
                )
            )
            urgent_button = QPushButton("⚠ Write urgent referral…")
            bold = QFont(urgent_button.font())
            bold.setBold(True)
            urgent_button.setFont(bold)
            urgent_button.setPalette(QPalette())  # the button's own colours, not the box's
            urgent_button.clicked.connect(lambda: self.referralRequested.emit("urgent"))
            inner.addWidget(urgent_button)
        for criterion in advice.criteria:
            if criterion.group == "triage":
                # on the routine pathway the triage checks are one line each (values on hover)
                compact = triage == "sij_pathway" and criterion.met is not None
                inner.addWidget(self._criterion_row(criterion, on_dark=urgent, compact=compact))
        box.addWidget(frame)

    def _show_scores(self, box: QVBoxLayout, advice) -> None:
        s = advice.scores
        parts = []
        if s.odi_percent is not None:
            parts.append(f"ODI {s.odi_percent:g} % ({word(s.odi_band).lower()})")
        else:
            parts.append("ODI not scored")
        parts.append(f"cluster {word(s.cluster).lower()} ({s.cluster_positives} of 6 +)")
        parts.append(f"response {word(s.response).lower()}")
        parts.append(f"{s.positive_blocks} positive block{'s' if s.positive_blocks != 1 else ''}")
        label = wrap_label(
            "<span style='color:#333'>" + _html(" · ".join(parts)) + "</span>",
            accessible="Scores: " + ", ".join(parts),
            tooltip=ABBREVIATIONS,
        )
        box.addWidget(label)

    def _show_step(
        self, box: QVBoxLayout, result, advice, step: str, number: str, name: str
    ) -> None:
        advised = advice.step == step
        now = result.current_step == step
        if advised:
            frame = Box(f"step_{step}", background="#fff8d6", border="#c79a00", width=2)
        else:
            frame = Box(f"step_{step}", border="#cfd8dc")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(6, 4, 6, 4)
        inner.setSpacing(3)
        tags = []
        if advised:
            tags.append("<span style='color:#8a6d00'><b>★ advised</b></span>")
        if now:
            tags.append("<span style='color:#1f5fa8'><b>● now</b></span>")
        heading = f"{number} {name}"
        if advised and step == "injection" and advice.injection_purpose:
            heading += f" ({word(advice.injection_purpose).lower()})"
        plain_tags = " ".join(t for t, on in (("advised", advised), ("current step", now)) if on)
        header = QHBoxLayout()
        toggle = QToolButton()
        toggle.setCheckable(True)
        toggle.setAutoRaise(True)
        toggle.setArrowType(Qt.ArrowType.DownArrow)
        toggle.setAccessibleName(f"Show or hide the criteria of step {number}")
        toggle.setToolTip("Show or hide the details of this step")
        title = wrap_label(
            f"<b>{_html(heading)}</b> {' '.join(tags)}",
            accessible=f"Step {heading}{', ' + plain_tags if plain_tags else ''}",
        )
        header.addWidget(toggle)
        header.addWidget(title, 1)
        inner.addLayout(header)
        details = QWidget()
        details_box = QVBoxLayout(details)
        details_box.setContentsMargins(18, 0, 0, 0)
        details_box.setSpacing(3)

        if step == "conservative":
            self._conservative_details(details_box, advice)
        elif step == "medications":
            self._medication_details(details_box, advice)
        else:
            group = STEP_GROUP[step]
            for criterion in advice.criteria:
                if criterion.group == group:
                    details_box.addWidget(self._criterion_row(criterion))
        inner.addWidget(details)
        expanded = step != "medications" or bool(advice.medications)
        toggle.setChecked(expanded)
        if not expanded:  # shown with its box otherwise: showing it now would polish it twice
            details.setVisible(False)
        toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        toggle.toggled.connect(details.setVisible)
        toggle.toggled.connect(
            lambda on, t=toggle: t.setArrowType(
                Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow
            )
        )
        box.addWidget(frame)

    def _conservative_details(self, box: QVBoxLayout, advice) -> None:
        if advice.components:
            box.addWidget(wrap_label("Components that fit:"))
            for component in advice.components:
                box.addWidget(
                    wrap_label(
                        f"• <b>{_html(word(component.id))}</b> — {_html(component.reason)}",
                        tooltip="MET: muscle energy techniques" if component.id == "met" else "",
                    )
                )
        elif advice.step is None:
            box.addWidget(wrap_label("Not now: the urgent referral comes first."))
        else:
            box.addWidget(wrap_label("The first step for every SIJ complaint."))

    def _medication_details(self, box: QVBoxLayout, advice) -> None:
        if not advice.medications:
            text = (
                "None indicated: no flare, spasm or nerve-related pain recorded."
                if advice.step is not None
                else "Not considered while an urgent referral is pending."
            )
            box.addWidget(wrap_label(_html(text)))
            return
        for medication in advice.medications:
            if medication.advisable:
                mark = "<span style='color:#1b5e20'><b>✓ advisable</b></span>"
            else:
                mark = "<span style='color:#b71c1c'><b>✗ not advisable</b></span>"
            box.addWidget(
                wrap_label(
                    f"{mark} <b>{_html(word(medication.category))}</b><br>"
                    f"<span style='color:#333'>{_html(medication.reason)}</span>",
                    accessible=(
                        f"{word(medication.category)}: "
                        f"{'advisable' if medication.advisable else 'not advisable'}. "
                        f"{medication.reason}"
                    ),
                )
            )
            for caution in medication.cautions:
                box.addWidget(wrap_label(f"&nbsp;&nbsp;⚠ {_html(caution)}"))

    def _criterion_row(self, criterion, *, on_dark: bool = False, compact: bool = False) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        symbol, text, colour = MET_STYLE[criterion.met]
        if on_dark:
            mark = f"<b>{symbol}&nbsp;{text}</b>"
            detail_colour = "#ffffff"
        else:
            mark = mark_html(criterion.met)
            detail_colour = "#444444"
        if compact:
            html = f"{mark} {_html(criterion.label)}"
            tooltip = f"{criterion.detail}\nSource: {criterion.source}"
        else:
            html = (
                f"{mark} {_html(criterion.label)}<br>"
                f"<span style='color:{detail_colour}'>{_html(criterion.detail)}</span>"
            )
            tooltip = f"Source: {criterion.source}"
        label = wrap_label(
            html, accessible=f"{criterion.label}: {text}. {criterion.detail}", tooltip=tooltip
        )
        label.setObjectName(f"criterion:{criterion.id}")
        layout.addWidget(label, 1)
        fact = CRITERION_FACT.get(criterion.id)
        if criterion.met is None and fact in FACT_ACTIONS:
            button = QPushButton("Record…")
            button.setToolTip(FACT_ACTIONS[fact].rstrip("…") + f" to settle “{criterion.label}”")
            button.setAccessibleName(f"{FACT_ACTIONS[fact]} for {criterion.label}")
            button.clicked.connect(lambda _c=False, f=fact: self.recordFact.emit(f))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _section(
        self, box: QVBoxLayout, name: str, title: str, border: str, background: str | None
    ) -> QVBoxLayout:
        frame = Box(name, background=background, border=border)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(6, 4, 6, 4)
        inner.setSpacing(3)
        inner.addWidget(wrap_label(f"<b>{_html(title)}</b>"))
        box.addWidget(frame)
        return inner

    def _show_missing(self, box: QVBoxLayout, advice) -> None:
        if not advice.missing:
            return
        inner = self._section(
            box,
            "missingBox",
            "Missing to decide",
            border="#e0a040",
            background="#fffaf0",
        )
        for fact in advice.missing:
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            hint = FACT_HINTS.get(fact)
            text = f"? <b>{_html(word(fact))}</b>" + (f" — {_html(hint)}" if hint else "")
            layout.addWidget(
                wrap_label(
                    f"<span style='color:#8a5a00'>{text}</span>",
                    accessible=f"Missing: {word(fact)}",
                ),
                1,
            )
            if fact in FACT_ACTIONS:
                button = QPushButton(FACT_ACTIONS[fact])
                button.setObjectName(f"missing:{fact}")
                button.setAccessibleName(f"{FACT_ACTIONS[fact]} (missing {word(fact)})")
                button.clicked.connect(lambda _c=False, f=fact: self.recordFact.emit(f))
                layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            inner.addWidget(row)

    def _show_list(
        self, box: QVBoxLayout, title: str, lines: list[str], colour: str | None
    ) -> None:
        if not lines:
            return
        inner = self._section(
            box,
            f"section{title}",
            title,
            border=colour or "#cfd8dc",
            background="#fff8ec" if colour else None,
        )
        paragraphs = []
        for line in lines:
            text = _html(line)
            if colour:
                text = f"<span style='color:{colour}'>{text}</span>"
            paragraphs.append(f"<p style='margin:0 0 4px 0'>{text}</p>")
        inner.addWidget(wrap_label("".join(paragraphs), accessible=f"{title}: " + " ".join(lines)))

    def _show_decision(self, result) -> None:
        decision = result.last_decision
        if decision is None:
            self.decision_label.setText(
                "<span style='color:#555'>No decision recorded for this episode yet.</span>"
            )
            return
        self.decision_label.setText(
            f"<span style='color:#555'>Last decision {decision.event_date.isoformat()} "
            f"({_html(decision.created_by)}): {_html(decision.summary)}</span>"
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
