"""The episode timeline: a table model of events, its pane, the event viewer and history.

Every event shows its date, an icon, colour *and* word for its kind, and a
summary line a clinician can scan. Amended events say "amended" and keep
their history one click away; removed events ("entered in error") are hidden
unless asked for and then shown struck through.

Signals of :class:`TimelinePane`:
    openRequested(object): the user wants to read an entry (TimelineEntry).
    amendRequested(object): amend an entry.
    removeRequested(object): mark an entry entered in error.
    historyRequested(object): show the versions of an entry.
    loaded(object): the list of entries shown now.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.kinds import KINDS, RECORDABLE_KINDS
from sijdesk.kinds.decision import DecisionRecord
from sijdesk.services import TimelineEntry
from sijdesk.ui import icons
from sijdesk.ui.describe import describe_fields, kind_label
from sijdesk.ui.sizing import roomy_list_items
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

EntryRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2

ALL_KINDS = (*RECORDABLE_KINDS, "decision", "document")

_ModelIndex = QModelIndex | QPersistentModelIndex


def status_text(entry: TimelineEntry) -> str:
    if entry.entered_in_error:
        return "entered in error"
    if entry.version > 1:
        return f"amended (v. {entry.version})"
    return ""


class TimelineModel(QAbstractTableModel):
    """The events of one episode, as loaded (already filtered and ordered in SQL)."""

    COLUMNS = ("Date", "Event", "Summary", "Status")
    DATE, KIND, SUMMARY, STATUS = range(4)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._entries: list[TimelineEntry] = []

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def entry(self, row: int) -> TimelineEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, root_id: int) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.root_id == root_id:
                return row
        return None

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        column = index.column()
        style = icons.kind_style(entry.kind)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DATE:
                return entry.event_date.isoformat()
            if column == self.KIND:
                return style.label
            if column == self.SUMMARY:
                return entry.summary
            return status_text(entry)
        if role == Qt.ItemDataRole.DecorationRole and column == self.KIND:
            return icons.kind_icon(entry.kind)
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.entered_in_error:
                return QColor("#6d6d6d")
            if column == self.KIND:
                return QColor(style.colour)
            if column == self.STATUS and entry.version > 1:
                return QColor("#8a4b00")
        if role == Qt.ItemDataRole.FontRole:
            if entry.entered_in_error:
                font = QFont()
                font.setStrikeOut(True)
                return font
            if column == self.KIND or (entry.kind == "decision" and column == self.SUMMARY):
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry, style.label)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [entry.event_date.isoformat(), style.label, entry.summary, status_text(entry)]
            return ", ".join(p for p in parts if p)
        if role == EntryRole:
            return entry
        if role == KindRole:
            return entry.kind
        return None


class TimelineTable(QTableView):
    """Enter opens the current event.

    Signals:
        openRow(int)
    """

    openRow = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doubleClicked.connect(lambda index: self.openRow.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.openRow.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


class TimelinePane(QWidget):
    """Filter and order controls over the timeline table, and actions on an event."""

    openRequested = Signal(object)
    amendRequested = Signal(object)
    removeRequested = Signal(object)
    historyRequested = Signal(object)
    loaded = Signal(object)

    def __init__(self, clinic, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.episode_id: int | None = None
        self._generation = 0
        self.model = TimelineModel(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        title = QLabel("<b>Timeline</b>")
        bar.addWidget(title)
        kind_label_widget = QLabel("&Show:")
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Show kinds of event")
        self.kind_filter.addItem("All kinds", None)
        for kind in ALL_KINDS:
            self.kind_filter.addItem(icons.kind_icon(kind), icons.kind_style(kind).label, kind)
        kind_label_widget.setBuddy(self.kind_filter)
        bar.addWidget(kind_label_widget)
        bar.addWidget(self.kind_filter)
        self.show_removed = QCheckBox("Entered in &error")
        self.show_removed.setToolTip("Also show events that were removed as entered in error")
        bar.addWidget(self.show_removed)
        bar.addStretch(1)
        self.order_button = QToolButton()
        self.order_button.setCheckable(True)
        self.order_button.setAccessibleName("Order of events")
        self.order_button.setToolTip("Toggle newest first / oldest first")
        self._update_order_text()
        bar.addWidget(self.order_button)
        layout.addLayout(bar)

        self.table = TimelineTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Timeline of the episode")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        metrics = self.table.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(max(metrics.height() + 8, 22))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TimelineModel.SUMMARY, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(TimelineModel.DATE, metrics.horizontalAdvance("0000-00-00") + 20)
        bold = QFont(self.table.font())
        bold.setBold(True)
        widest = max(
            QFontMetrics(bold).horizontalAdvance(s.label) for s in icons.kind_styles().values()
        )
        header.resizeSection(TimelineModel.KIND, widest + 40)
        header.resizeSection(TimelineModel.STATUS, metrics.horizontalAdvance("amended (v. 2)") + 16)
        layout.addWidget(self.table, 1)

        self.empty_label = QLabel("")
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label)

        actions = QHBoxLayout()
        self.open_button = QPushButton("&Open")
        self.open_button.setToolTip("Read the selected event (Enter or double-click)")
        self.amend_button = QPushButton("A&mend…")
        self.amend_button.setToolTip(
            "Correct the selected event; the earlier version stays in its history"
        )
        self.remove_button = QPushButton("Entered in error…")
        self.remove_button.setToolTip(
            "Remove the selected event as entered in error (with a reason); it stays in the history"
        )
        self.history_button = QPushButton("&History…")
        self.history_button.setToolTip("Every version of the selected event")
        for button in (
            self.open_button,
            self.amend_button,
            self.remove_button,
            self.history_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.kind_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.show_removed.toggled.connect(lambda _b: self.reload())
        self.order_button.toggled.connect(self._on_order_toggled)
        self.table.openRow.connect(self._open_row)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.open_button.clicked.connect(lambda: self._emit_for_current(self.openRequested))
        self.amend_button.clicked.connect(lambda: self._emit_for_current(self.amendRequested))
        self.remove_button.clicked.connect(lambda: self._emit_for_current(self.removeRequested))
        self.history_button.clicked.connect(lambda: self._emit_for_current(self.historyRequested))
        self._update_buttons()
        self._show_empty("Choose or open an episode to see its timeline.")

    # -- state ---------------------------------------------------------------------------

    @property
    def newest_first(self) -> bool:
        return not self.order_button.isChecked()

    def _update_order_text(self) -> None:
        self.order_button.setText("Newest first ↓" if self.newest_first else "Oldest first ↑")

    @Slot(bool)
    def _on_order_toggled(self, _checked: bool) -> None:
        self._update_order_text()
        self.reload()

    def set_kind(self, kind: str | None) -> None:
        index = self.kind_filter.findData(kind)
        self.kind_filter.setCurrentIndex(max(index, 0))

    @property
    def shows_whole_episode(self) -> bool:
        """Every current event of the episode is shown (no kind chosen, none removed)."""
        return not self.kind_filter.currentData() and not self.show_removed.isChecked()

    def query(self) -> dict[str, Any]:
        """The arguments of ``TimelineService.entries`` for what the pane shows now."""
        kind = self.kind_filter.currentData()
        return {
            "kinds": [kind] if kind else None,
            "include_removed": self.show_removed.isChecked(),
            "newest_first": self.newest_first,
        }

    def set_episode(
        self, episode_id: int | None, *, read: tuple[dict[str, Any], list] | None = None
    ) -> None:
        """Show an episode; ``read`` is (query, entries) when the caller has already
        read them (opening a patient reads everything in one job), used when the
        pane's filters are still the ones they were read with."""
        self.episode_id = episode_id
        if read is not None and episode_id is not None and read[0] == self.query():
            self._generation += 1
            self._on_loaded(self._generation, read[1])
        else:
            self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        if self.episode_id is None:
            self.model.set_entries([])
            self._show_empty("Choose or open an episode to see its timeline.")
            self._update_buttons()
            self.loaded.emit([])
            return
        episode_id = self.episode_id
        query = self.query()
        timeline = self.clinic.timeline
        self.ops.run(
            lambda: timeline.entries(episode_id, **query),
            on_success=lambda entries: self._on_loaded(generation, entries),
            context=self,
            label="load timeline",
        )

    def _on_loaded(self, generation: int, entries: list[TimelineEntry]) -> None:
        if generation != self._generation:
            return
        selected = self.current_entry()
        self.model.set_entries(entries)
        if selected is not None:
            row = self.model.row_of(selected.root_id)
            if row is not None:
                self.table.selectRow(row)
        if entries:
            self.empty_label.setVisible(False)
        elif self.kind_filter.currentData():
            self._show_empty(
                f"No {kind_label(self.kind_filter.currentData()).lower()} events in this "
                "episode. Choose All kinds to see everything."
            )
        else:
            self._show_empty(
                "No events yet — Record (Ctrl+R) an assessment, outcome measures or a "
                "therapy session."
            )
        self._update_buttons()
        self.loaded.emit(entries)

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.setVisible(True)

    def current_entry(self) -> TimelineEntry | None:
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = rows[0]
        return self.model.entry(index.row()) if index.isValid() else None

    def select_root(self, root_id: int) -> None:
        row = self.model.row_of(root_id)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        entry = self.current_entry()
        has = entry is not None
        changeable = (
            entry is not None and entry.kind in RECORDABLE_KINDS and not entry.entered_in_error
        )
        self.open_button.setEnabled(has)
        self.history_button.setEnabled(has)
        self.amend_button.setEnabled(bool(changeable))
        self.remove_button.setEnabled(bool(changeable))

    @Slot(int)
    def _open_row(self, row: int) -> None:
        entry = self.model.entry(row)
        if entry is not None:
            self.openRequested.emit(entry)

    def _emit_for_current(self, signal: SignalInstance) -> None:
        entry = self.current_entry()
        if entry is not None:
            signal.emit(entry)


def _tooltip(entry: TimelineEntry, label: str) -> str:
    tip = f"{entry.event_date.isoformat()} · {label}: {entry.summary}"
    tip += f"\nRecorded by {entry.created_by} on {entry.created_at:%Y-%m-%d %H:%M}"
    if entry.version > 1:
        tip += f"\nAmended (version {entry.version}): {entry.amendment_reason or ''}"
    if entry.entered_in_error:
        tip += f"\nEntered in error: {entry.amendment_reason or ''}"
    if entry.allergy_confirmation:
        tip += f"\nGiven despite a recorded allergy: {entry.allergy_confirmation}"
    return tip


def _fields_widget(entry: TimelineEntry) -> QWidget:
    widget = QWidget()
    form = QFormLayout(widget)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    style = icons.kind_style(entry.kind)
    form.addRow("Event:", QLabel(f"{style.symbol} {style.label}"))
    form.addRow("Date:", QLabel(entry.event_date.isoformat()))
    for label, value in describe_fields(KINDS[entry.kind].values_of(entry.record), entry.kind):
        text = QLabel(value)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(f"{label}:", text)
    if isinstance(entry.record, DecisionRecord):
        snapshot = entry.record.advice_snapshot or {}
        rationale = snapshot.get("rationale") or []
        if rationale:
            text = QLabel("\n".join(f"• {line}" for line in rationale))
            text.setWordWrap(True)
            form.addRow("Advice shown:", text)
    if entry.allergy_confirmation:
        confirmed = QLabel(f"⚠ Given despite a recorded allergy: {entry.allergy_confirmation}")
        confirmed.setWordWrap(True)
        confirmed.setAccessibleName("Allergy confirmation")
        form.addRow("Allergy:", confirmed)
    recorded = QLabel(f"{entry.created_by}, {entry.created_at:%Y-%m-%d %H:%M} (UTC)")
    form.addRow("Recorded by:", recorded)
    if entry.version > 1 or entry.amendment_reason:
        what = "Removed as entered in error" if entry.entered_in_error else "Amended"
        reason = QLabel(f"{what} (version {entry.version}): {entry.amendment_reason or ''}")
        reason.setWordWrap(True)
        form.addRow("Change:", reason)
    return widget


class EntryDialog(QDialog):
    """Read one event; offers Amend, Entered in error and History.

    Signals:
        amendRequested(object), removeRequested(object), historyRequested(object)
    """

    amendRequested = Signal(object)
    removeRequested = Signal(object)
    historyRequested = Signal(object)

    def __init__(self, entry: TimelineEntry, patient_title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle(
            f"{kind_label(entry.kind)} of {entry.event_date.isoformat()} — {patient_title}"
        )
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(_fields_widget(entry))
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        changeable = entry.kind in RECORDABLE_KINDS and not entry.entered_in_error
        self.amend_button = buttons.addButton("A&mend…", QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button = buttons.addButton(
            "Entered in error…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.history_button = buttons.addButton("&History…", QDialogButtonBox.ButtonRole.ActionRole)
        self.amend_button.setEnabled(changeable)
        self.remove_button.setEnabled(changeable)
        self.amend_button.clicked.connect(lambda: self._then(self.amendRequested))
        self.remove_button.clicked.connect(lambda: self._then(self.removeRequested))
        self.history_button.clicked.connect(lambda: self._then(self.historyRequested))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _then(self, signal: SignalInstance) -> None:
        self.accept()
        signal.emit(self.entry)


class HistoryDialog(QDialog):
    """Every version of an event, oldest first; the selected version's fields beside."""

    def __init__(
        self, versions: list[TimelineEntry], patient_title: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.versions = versions
        first = versions[0]
        self.setWindowTitle(f"History of {kind_label(first.kind).lower()} — {patient_title}")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{len(versions)} version{'s' if len(versions) != 1 else ''}, oldest first. Nothing "
            "is overwritten: every correction is kept with its reason."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        roomy_list_items(self.list)
        self.list.setAccessibleName("Versions")
        for entry in versions:
            if entry.entered_in_error:
                change = f"removed: {entry.amendment_reason}"
            elif entry.version > 1:
                change = f"amended: {entry.amendment_reason}"
            else:
                change = "first recorded"
            current = "" if entry.amended else " (current)"
            item = QListWidgetItem(
                f"Version {entry.version}{current}\n{entry.created_at:%Y-%m-%d %H:%M} · "
                f"{entry.created_by}\n{change}\n{entry.summary}"
            )
            item.setData(EntryRole, entry)
            self.list.addItem(item)
        splitter.addWidget(self.list)
        self.detail = QScrollArea()
        self.detail.setWidgetResizable(True)
        splitter.addWidget(self.detail)
        splitter.setSizes([300, 440])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show_version)
        self.list.setCurrentRow(len(versions) - 1)

    @Slot(int)
    def _show_version(self, row: int) -> None:
        if 0 <= row < len(self.versions):
            self.detail.setWidget(_fields_widget(self.versions[row]))
