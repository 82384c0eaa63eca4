"""The table models: Qt's model tester, paging, sorting and filtering in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from sijdesk.services.text import fold
from sijdesk.ui.patient_list import PatientIdRole, PatientListModel
from sijdesk.ui.timeline import EntryRole, TimelineModel
from sijdesk.ui.workers import Operations
from tests.conftest import TODAY
from tests.window_fixtures import register


@pytest.fixture
def ops(qtbot):
    queue = Operations()
    yield queue
    queue.shutdown()


@pytest.fixture
def many(clinic):
    """450 demo patients: three pages of the patient list."""
    from sijdesk.demo import create_demo_clinic

    create_demo_clinic(clinic, patients=450)
    return clinic


def _wait_loaded(qtbot, model: PatientListModel) -> None:
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)


def test_patient_list_model_passes_the_model_tester(qtbot, qtmodeltester, many, ops):
    model = PatientListModel(many, ops)
    model.refresh()
    _wait_loaded(qtbot, model)
    assert model.rowCount() == many.patients.count()
    qtmodeltester.check(model)
    _wait_loaded(qtbot, model)  # the pages the tester asked for arrive
    qtmodeltester.check(model)


def test_patient_list_fetches_pages_only_when_shown(qtbot, many, ops):
    model = PatientListModel(many, ops)
    model.refresh()
    _wait_loaded(qtbot, model)
    total = model.rowCount()
    assert total > 2 * PatientListModel.PAGE_SIZE
    assert model.patient_at(0) is not None
    last = total - 1
    assert model.patient_at(last) is None  # not loaded yet: asked for now
    assert model.data(model.index(last, 0)) == "…"
    _wait_loaded(qtbot, model)
    assert model.patient_at(last) is not None
    assert set(model._pages) == {0, last // PatientListModel.PAGE_SIZE}


def test_patient_list_sorts_in_sql(qtbot, clinic, people, ops):
    model = PatientListModel(clinic, ops)
    model.refresh()
    _wait_loaded(qtbot, model)
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert names[0].startswith("ŁUKASIEWICZ")  # accent-insensitive: L before N
    model.sort(2, Qt.SortOrder.DescendingOrder)
    _wait_loaded(qtbot, model)
    records = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
    assert records == sorted(records, reverse=True)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    _wait_loaded(qtbot, model)
    born = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert born == sorted(born)


def test_patient_list_hides_archived_unless_asked(qtbot, clinic, people, ops):
    clinic.patients.set_archived(people[0].id, True, reason="moved away")
    model = PatientListModel(clinic, ops)
    model.refresh()
    _wait_loaded(qtbot, model)
    ids = {model.data(model.index(r, 0), PatientIdRole) for r in range(model.rowCount())}
    assert people[0].id not in ids
    model.set_include_archived(True)
    _wait_loaded(qtbot, model)
    texts = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert any("(archived)" in t for t in texts)


def test_patient_list_query_narrows(qtbot, clinic, people, ops):
    model = PatientListModel(clinic, ops)
    model.set_query("nguyen")
    _wait_loaded(qtbot, model)
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "NGUYỄN, François"
    model.set_query("1968-11-20")
    _wait_loaded(qtbot, model)
    assert model.data(model.index(0, 0)) == "王, 芳"


def test_timeline_model_passes_the_model_tester(qtmodeltester, clinic):
    patient = register(clinic, "Kai", "Thompson", "1998-04-03")
    episode = clinic.episodes.create(patient.id, {"side": "left"})
    clinic.timeline.add(episode.id, "outcome", {"date": TODAY, "nrs": 6})
    entry = clinic.timeline.add(
        episode.id, "note", {"date": TODAY - timedelta(days=3), "text": "Seen with interpreter."}
    )
    clinic.timeline.remove(entry.id, "wrong patient")
    model = TimelineModel()
    model.set_entries(clinic.timeline.entries(episode.id, include_removed=True))
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    removed = [model.index(r, 0).data(EntryRole) for r in range(2)]
    assert any(e.entered_in_error for e in removed)
    status = [model.index(r, TimelineModel.STATUS).data() for r in range(2)]
    assert "entered in error" in status


def test_list_rows_leave_room_for_stacked_accents(qtbot):
    """NGUYỄN has a tilde above a circumflex; a tight row cuts it to NGUYÊN."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QListWidget

    from sijdesk.ui.sizing import roomy_list_items

    widget = QListWidget()
    qtbot.addWidget(widget)
    roomy_list_items(widget)
    widget.addItem("NGUYỄN, François · 000002")
    widget.resize(400, 200)
    widget.show()
    qtbot.waitExposed(widget)
    row = widget.visualItemRect(widget.item(0))
    metrics = QFontMetrics(widget.font())
    ink_above_baseline = -metrics.tightBoundingRect("Ễ").top()
    room_above_baseline = (row.height() - metrics.height()) / 2 + metrics.ascent()
    assert room_above_baseline >= ink_above_baseline


def test_every_declared_shape_is_drawn_and_each_kind_looks_different(qapp):
    """A kind names its shape (sijdesk/kinds); the window must know how to draw it."""
    from typing import get_args

    from PySide6.QtCore import QSize

    from sijdesk.kinds import KINDS
    from sijdesk.kinds.declare import Shape
    from sijdesk.ui import icons

    def picture(icon) -> bytes:
        return bytes(icon.pixmap(QSize(32, 32)).toImage().constBits())

    def shape(name: str) -> bytes:
        return picture(icons._render(lambda p: icons._shape(p, name, "#336699")))

    fallback = shape("no-such-shape")
    drawn = {name: shape(name) for name in get_args(Shape)}
    for name, image in drawn.items():
        assert image != fallback, f"the shape {name!r} is drawn as the fallback dot"
    assert len(set(drawn.values())) == len(drawn)
    kinds = {name: picture(icons.kind_icon(name)) for name in KINDS}
    assert len(set(kinds.values())) == len(kinds)


def test_a_common_search_shows_and_counts_only_up_to_the_limit(qtbot, qtmodeltester, many, ops):
    model = PatientListModel(many, ops)
    model.MATCH_LIMIT = 50
    counts: list[int] = []
    model.countChanged.connect(counts.append)
    model.set_query("a")  # the start of a name: 83 of the 450 patients
    _wait_loaded(qtbot, model)
    assert many.patients.count("a") > 50
    assert counts == [51] and model.rowCount() == 50
    qtmodeltester.check(model)
    _wait_loaded(qtbot, model)
    first = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert first == sorted(first, key=fold) and "…" not in first
    model.set_query("")  # the whole list is never cut short
    _wait_loaded(qtbot, model)
    assert model.rowCount() == many.patients.count() > 50


def test_patient_list_answers_only_the_roles_it_draws(qtbot, clinic, people, ops):
    """The view asks every visible cell for seven roles at each paint: the model
    answers the ones it draws and returns nothing for the rest at once."""
    clinic.patients.set_archived(people[0].id, True, reason="moved away")
    model = PatientListModel(clinic, ops)
    model.set_include_archived(True)
    _wait_loaded(qtbot, model)
    rows = {model.data(model.index(r, 0), PatientIdRole): r for r in range(model.rowCount())}
    archived = rows[people[0].id]
    current = rows[people[1].id]
    for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole):
        assert model.data(model.index(current, 0), role) is None
    left_centred = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    assert model.data(model.index(current, 1), Qt.ItemDataRole.TextAlignmentRole) == int(
        left_centred
    )
    assert model.data(model.index(current, 0), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(current, 0), Qt.ItemDataRole.FontRole) is None
    grey = model.data(model.index(archived, 0), Qt.ItemDataRole.ForegroundRole)
    assert grey.name() == "#6d6d6d"
    assert model.data(model.index(archived, 0), Qt.ItemDataRole.FontRole).italic()
    assert "archived" in model.data(model.index(archived, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.flags(model.index(current, 0)) == (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    )
