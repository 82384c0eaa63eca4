"""Dialogs that write to the record: one form per event kind, and the shared machinery.

Every form validates live by calling the services' own validation
(:func:`sijdesk.kinds.validate_event`) and shows each message beside
its field; Save stays disabled, with the reason shown, until the input is
valid. Saving is one service call on the background worker (one
transaction: nothing is half-saved); while it runs the form stays open, and
if the environment fails (database locked, disk full) the message is shown
and the typed input is kept. Esc asks before discarding typed input. Every
title names the patient (name, date of birth, record number).

Signals of :class:`RecordDialog`:
    saved(object): the service's result after a successful save.
"""

from __future__ import annotations

from sijdesk.kinds import KINDS
from sijdesk.ui.forms.assessment import AssessmentDialog
from sijdesk.ui.forms.episode import (
    CloseEpisodeDialog,
    EpisodeDialog,
    OnsetDialog,
    RemoveEventDialog,
)
from sijdesk.ui.forms.event import DeclaredEventDialog, EventDialog
from sijdesk.ui.forms.injection import InjectionDialog
from sijdesk.ui.forms.outcome import OutcomeDialog
from sijdesk.ui.forms.procedure import ProcedureDialog
from sijdesk.ui.forms.record import RecordDialog
from sijdesk.ui.forms.therapy import TherapyDialog
from sijdesk.ui.forms.widgets import (
    ERROR_STYLE,
    HINT_STYLE,
    CheckList,
    ChoiceCombo,
    ChoiceRadios,
    DateField,
    NotesField,
    NumberField,
    OdiField,
    OptionalDateField,
    TextField,
    TriState,
    base_field,
    buttons_of,
    chain_tab_order,
    escape_html,
    expanding,
    focusable_children,
    form_layout,
    from_qdate,
    group,
    number_text,
    short_label,
    to_qdate,
)

__all__ = [
    "AssessmentDialog",
    "CloseEpisodeDialog",
    "DeclaredEventDialog",
    "EVENT_DIALOGS",
    "EpisodeDialog",
    "EventDialog",
    "InjectionDialog",
    "OnsetDialog",
    "OutcomeDialog",
    "RecordDialog",
    "RemoveEventDialog",
    "TherapyDialog",
    "event_dialog",
    "ERROR_STYLE",
    "HINT_STYLE",
    "short_label",
    "base_field",
    "to_qdate",
    "from_qdate",
    "number_text",
    "DateField",
    "OptionalDateField",
    "TextField",
    "NumberField",
    "NotesField",
    "ChoiceCombo",
    "ChoiceRadios",
    "CheckList",
    "TriState",
    "OdiField",
    "focusable_children",
    "chain_tab_order",
    "escape_html",
    "form_layout",
    "group",
    "buttons_of",
    "expanding",
]

EVENT_DIALOGS: dict[str, type[EventDialog]] = {
    cls.KIND: cls
    for cls in (
        AssessmentDialog,
        OutcomeDialog,
        TherapyDialog,
        InjectionDialog,
        ProcedureDialog,
    )
}


def event_dialog(kind: str) -> type[EventDialog]:
    """The form that records (and amends) events of ``kind``."""
    if kind in EVENT_DIALOGS:
        return EVENT_DIALOGS[kind]
    if kind not in KINDS or not KINDS[kind].recordable:
        raise KeyError(kind)
    name = "".join(part.title() for part in kind.split("_")) + "Dialog"
    return type(name, (DeclaredEventDialog,), {"KIND": kind})
