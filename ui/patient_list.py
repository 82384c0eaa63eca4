"""The patient list: a table model over SQL with a row cache by page, and its pane.

The model never holds the whole list: it asks the patient service for the
number of matches with the first page (one read per keystroke), then for further
pages as the view scrolls to them, all on the background worker. Sorting and
filtering happen in SQL, so 100,000 patients scroll as smoothly as 100. Results
that arrive for an older query are dropped (a generation counter), so typing fast
never shows stale rows.

Signals of :class:`PatientListModel`:
    loadingChanged(bool): a count or page request started or all finished.
    countChanged(int): the number of matching patients is known (MATCH_LIMIT + 1
        standing for "more than MATCH_LIMIT" when searching).
Signals of :class:`PatientListPane`:
    openPatient(int): the user chose a patient (Enter, double-click, a recent entry).
    newPatientRequested(): the "New patient" button.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.services import PatientSummary
from sijdesk.ui import icons
from sijdesk.ui.sizing import roomy_list_items
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

PatientIdRole = Qt.ItemDataRole.UserRole + 1
SummaryRole = Qt.ItemDataRole.UserRole + 2

# The roles the list answers, as plain ints. The view asks each visible cell for
# seven roles at every paint (some 400 calls for one screen), on the GUI thread,
# often while the worker runs a search: each call must be short.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ANSWERED = frozenset(
    (_DISPLAY, _TOOLTIP, _FOREGROUND, _FONT, _ALIGNMENT, _ACCESSIBLE, PatientIdRole, SummaryRole)
)
_LEFT_CENTRED = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ARCHIVED_GREY = "#6d6d6d"

SEARCH_DEBOUNCE_MS = 250
MAX_RECENT = 9

_ModelIndex = QModelIndex | QPersistentModelIndex


def display_name(patient: PatientSummary) -> str:
    return f"{patient.family_name.upper()}, {patient.given_names}"


class PatientListModel(QAbstractTableModel):
    """Matching patients, fetched from the database a page at a time."""

    loadingChanged = Signal(bool)
    countChanged = Signal(int)

    COLUMNS: tuple[tuple[str, str], ...] = (
        ("name", "Name"),
        ("date_of_birth", "Born"),
        ("record_number", "Record"),
    )
    PAGE_SIZE = 200
    # A search shows at most this many rows and counts no further: past it the
    # user types more, and a common word ("a") costs no more than a page to count.
    MATCH_LIMIT = 1000
    MAX_PAGES = 60  # rows kept in memory: at most 12,000

    def __init__(self, clinic, ops: Operations, parent: QObject | None = None):
        super().__init__(parent)
        self._clinic = clinic
        self._ops = ops
        self._query = ""
        self._include_archived = False
        self._sort = "name"
        self._descending = False
        self._count = 0
        self._pages: dict[int, list[PatientSummary]] = {}
        self._requested: set[int] = set()
        self._generation = 0
        self._waiting = 0
        self._today = clinic.today()

    # -- state ------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def loading(self) -> bool:
        return self._waiting > 0

    def set_query(self, text: str) -> None:
        if text.strip() != self._query:
            self._query = text.strip()
            self.refresh()

    def set_include_archived(self, include: bool) -> None:
        if include != self._include_archived:
            self._include_archived = include
            self.refresh()

    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort, self._descending):
            self._sort, self._descending = key, descending
            self.refresh()

    def refresh(self) -> None:
        """Count the matches and read the first page again, in one job (after a change
        or a new query); the cached pages are dropped."""
        self._generation += 1
        generation = self._generation
        query, archived = self._query, self._include_archived
        sort, descending = self._sort, self._descending
        patients = self._clinic.patients
        self._start_wait()
        self._ops.run(
            lambda: patients.search_counted(
                query,
                include_archived=archived,
                limit=self.PAGE_SIZE,
                sort=sort,
                descending=descending,
                count_up_to=self.MATCH_LIMIT + 1 if query else None,
            ),
            on_success=lambda result: self._on_count(generation, *result),
            on_failure=self._on_failure,
            context=self,
            label="search patients",
        )

    def _start_wait(self) -> None:
        self._waiting += 1
        if self._waiting == 1:
            self.loadingChanged.emit(True)

    def _end_wait(self) -> None:
        self._waiting = max(0, self._waiting - 1)
        if self._waiting == 0:
            self.loadingChanged.emit(False)

    def _on_failure(self, exc: BaseException) -> bool:
        self._end_wait()
        return False  # shown the default way

    def _on_count(self, generation: int, count: int, first_page: list[PatientSummary]) -> None:
        self._end_wait()
        if generation != self._generation:
            return
        self.beginResetModel()
        self._count = min(count, self.MATCH_LIMIT) if self._query else count
        self._pages = {0: first_page} if count else {}
        self._requested = {0} if count else set()
        self.endResetModel()
        self.countChanged.emit(count)

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation = self._generation
        args = dict(
            include_archived=self._include_archived,
            limit=self.PAGE_SIZE,
            offset=page * self.PAGE_SIZE,
            sort=self._sort,
            descending=self._descending,
        )
        query = self._query
        patients = self._clinic.patients
        self._start_wait()
        self._ops.run(
            lambda: patients.search(query, **args),
            on_success=lambda rows: self._on_page(generation, page, rows),
            on_failure=lambda exc: self._on_page_failure(generation, page, exc),
            context=self,
            label=f"patients page {page}",
        )

    def _on_page_failure(self, generation: int, page: int, exc: BaseException) -> bool:
        self._end_wait()
        if generation == self._generation:
            self._requested.discard(page)
        return False

    def _on_page(self, generation: int, page: int, rows: list[PatientSummary]) -> None:
        self._end_wait()
        if generation != self._generation:
            return
        self._pages[page] = rows
        while len(self._pages) > self.MAX_PAGES:
            oldest = next(iter(self._pages))
            del self._pages[oldest]
            self._requested.discard(oldest)
        first = page * self.PAGE_SIZE
        last = min(self._count, first + self.PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def patient_at(self, row: int) -> PatientSummary | None:
        """The patient of a row if its page is loaded (None while it loads)."""
        if not 0 <= row < self._count:
            return None
        rows = self._pages.get(row // self.PAGE_SIZE)
        if rows is None:
            self._request(row // self.PAGE_SIZE)
            return None
        offset = row % self.PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def row_of(self, patient_id: int) -> int | None:
        for page, rows in self._pages.items():
            for offset, patient in enumerate(rows):
                if patient.id == patient_id:
                    return page * self.PAGE_SIZE + offset
        return None

    # -- the model API ------------------------------------------------------------------

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole:
                what = "date of birth" if section == 1 else self.COLUMNS[section][1].lower()
                return f"Sort by {what} (click again to reverse)"
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: _ModelIndex, role: int = _DISPLAY) -> Any:
        role = int(role)
        if role not in _ANSWERED or not index.isValid() or index.row() >= self._count:
            return None
        patient = self.patient_at(index.row())
        column = index.column()
        if patient is None:
            if role == _DISPLAY:
                return "…" if column == 0 else ""
            if role == _TOOLTIP:
                return "Loading…"
            return None
        if role == _DISPLAY:
            if column == 0:
                name = display_name(patient)
                return f"{name} (archived)" if patient.archived else name
            if column == 1:
                return patient.date_of_birth.isoformat()
            return patient.record_number
        if role == _TOOLTIP:
            return self._tooltip(patient)
        if role == _FOREGROUND and patient.archived:
            return QColor(_ARCHIVED_GREY)
        if role == _FONT and patient.archived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == _ALIGNMENT and column > 0:
            return _LEFT_CENTRED
        if role == _ACCESSIBLE:
            born = patient.date_of_birth.isoformat()
            return f"{display_name(patient)}, born {born}, record {patient.record_number}"
        if role == PatientIdRole:
            return patient.id
        if role == SummaryRole:
            return patient
        return None

    def _tooltip(self, patient: PatientSummary) -> str:
        age = patient.age_on(self._today)
        parts = [
            display_name(patient),
            f"born {patient.date_of_birth.isoformat()} ({age} y)",
            patient.sex,
            f"record {patient.record_number}",
        ]
        if patient.phone:
            parts.append(patient.phone)
        if patient.archived:
            parts.append("archived")
        return " · ".join(parts)


class PatientTable(QTableView):
    """The list view: Enter opens the current patient.

    Signals:
        openRow(int): Enter or double-click on a row.
    """

    openRow = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doubleClicked.connect(lambda index: self.openRow.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.openRow.emit(index.row())
                event.accept()
                return
        super().keyPressEvent(event)


class RecentPatients:
    """The patients opened last on this workstation, per database, in QSettings."""

    def __init__(self, settings: QSettings, database_key: str):
        self._settings = settings
        self._key = f"recent/{database_key}"

    def entries(self) -> list[tuple[int, str]]:
        raw = self._settings.value(self._key, "[]")
        try:
            items = json.loads(raw if isinstance(raw, str) else "[]")
            return [(int(i["id"]), str(i["label"])) for i in items][:MAX_RECENT]
        except (ValueError, TypeError, KeyError):
            return []

    def add(self, patient_id: int, label: str) -> None:
        items = [(i, text) for i, text in self.entries() if i != patient_id]
        items.insert(0, (patient_id, label))
        self._save(items[:MAX_RECENT])

    def remove(self, patient_id: int) -> None:
        self._save([(i, text) for i, text in self.entries() if i != patient_id])

    def _save(self, items: list[tuple[int, str]]) -> None:
        self._settings.setValue(
            self._key,
            json.dumps([{"id": i, "label": text} for i, text in items], ensure_ascii=False),
        )


def recent_label(patient: PatientSummary) -> str:
    return f"{display_name(patient)} · {patient.record_number}"


class PatientListPane(QWidget):
    """Search box, the list, registration and the recently opened patients."""

    openPatient = Signal(int)
    newPatientRequested = Signal()

    def __init__(
        self,
        clinic,
        ops: Operations,
        recent: RecentPatients,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clinic = clinic
        self.recent = recent
        self.model = PatientListModel(clinic, ops, self)
        self.setObjectName("patientListPane")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        search_label = QLabel("&Search patients")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, record no., date of birth or phone")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search patients")
        self.search.setToolTip(
            "Type part of a name, a record number, a date of birth (2026-11-02 or 02.11.2026) "
            "or a phone number. Down arrow moves into the list; Enter opens the patient."
        )
        search_icon = self.search.addAction(
            icons.action_icon("search"), QLineEdit.ActionPosition.LeadingPosition
        )
        # The buttons Qt draws inside the field (the magnifier and the clear
        # button) are controls of their own: a screen reader must name them.
        for button in self.search.findChildren(QToolButton):
            if button.defaultAction() is search_icon:
                button.setAccessibleName("Search")
            else:
                button.setAccessibleName("Clear the search")
                button.setToolTip("Clear the search")
        search_label.setBuddy(self.search)
        layout.addWidget(search_label)
        layout.addWidget(self.search)

        row = QHBoxLayout()
        self.archived = QCheckBox("Show &archived")
        self.archived.setToolTip("Include patients whose records are archived")
        row.addWidget(self.archived)
        row.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Number of matching patients")
        row.addWidget(self.count_label)
        layout.addLayout(row)

        self.table = PatientTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Patients")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, metrics.horizontalAdvance("0000-00-00") + 16)
        header.resizeSection(2, metrics.horizontalAdvance("Record") + 26)
        header.setMinimumSectionSize(40)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        # The indicator first: enabling sorting sorts by it at once, and Qt's default
        # (descending) would send the model a query of its own before the window's.
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        layout.addWidget(self.table, 3)

        self.empty_label = QLabel("")
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label)

        self.new_button = QPushButton(icons.action_icon("new_patient"), "&New patient…")
        self.new_button.setToolTip("Register a new patient (Ctrl+N)")
        layout.addWidget(self.new_button)

        recent_label_widget = QLabel("&Recent (Ctrl+1 … Ctrl+9)")
        self.recent_list = QListWidget()
        roomy_list_items(self.recent_list)
        self.recent_list.setAccessibleName("Recently opened patients")
        self.recent_list.setMaximumHeight(metrics.height() * 6 + 12)
        recent_label_widget.setBuddy(self.recent_list)
        layout.addWidget(recent_label_widget)
        layout.addWidget(self.recent_list, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._debounce.start)
        self.search.installEventFilter(self)
        self.archived.toggled.connect(self.model.set_include_archived)
        self.table.openRow.connect(self._open_row)
        self.new_button.clicked.connect(self.newPatientRequested)
        self.recent_list.itemActivated.connect(self._open_recent)
        self.model.countChanged.connect(self._on_count)
        self.model.loadingChanged.connect(self._on_loading)
        for number in range(1, MAX_RECENT + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda n=number: self.open_recent(n - 1))

        self.refresh_recent()

    # -- search ------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    @Slot()
    def _apply_search(self) -> None:
        self.model.set_query(self.search.text())

    def search_now(self, text: str) -> None:
        """Set the search text and run it at once (no debounce)."""
        self.search.setText(text)
        self._debounce.stop()
        self._apply_search()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount():
                self._apply_pending_search()
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                row = max(self.table.currentIndex().row(), 0)
                self.table.setCurrentIndex(self.model.index(row, 0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._apply_pending_search()
                if self.model.rowCount() == 1 or self.table.currentIndex().isValid():
                    row = max(self.table.currentIndex().row(), 0)
                    self._open_row(row)
                elif self.model.rowCount():
                    self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                    self.table.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)

    def _apply_pending_search(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._apply_search()

    @Slot(int)
    def _on_count(self, count: int) -> None:
        noun = "patient" if count == 1 else "patients"
        limit = self.model.MATCH_LIMIT
        if self.model.query and count > limit:
            self.count_label.setText(f"More than {limit:,} {noun}")
            self.empty_label.setText(
                f"Showing the first {limit:,} matches. Type more of the name, or a date of "
                "birth or record number, to narrow the list."
            )
            self.empty_label.setVisible(True)
            return
        self.count_label.setText(f"{count:,} {noun}")
        if count == 0:
            if self.model.query:
                text = (
                    f"No patient matches “{self.model.query}”. Check the spelling, search by "
                    "record number or date of birth, or register a New patient (Ctrl+N)."
                )
            else:
                text = "No patients yet — register one with New patient (Ctrl+N)."
            self.empty_label.setText(text)
        self.empty_label.setVisible(count == 0)

    @Slot(bool)
    def _on_loading(self, loading: bool) -> None:
        if loading and not self.count_label.text():
            self.count_label.setText("Searching…")

    @Slot(int)
    def _open_row(self, row: int) -> None:
        patient = self.model.patient_at(row)
        if patient is not None:
            self.openPatient.emit(patient.id)

    def select_patient(self, patient_id: int) -> None:
        row = self.model.row_of(patient_id)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))

    # -- recent ------------------------------------------------------------------------

    def note_opened(self, patient: PatientSummary) -> None:
        self.recent.add(patient.id, recent_label(patient))
        self.refresh_recent()

    def refresh_recent(self) -> None:
        self.recent_list.clear()
        entries = self.recent.entries()
        for number, (patient_id, label) in enumerate(entries, start=1):
            item = QListWidgetItem(f"{number}  {label}")
            item.setData(PatientIdRole, patient_id)
            item.setToolTip(f"Open {label} (Ctrl+{number})")
            self.recent_list.addItem(item)
        if not entries:
            item = QListWidgetItem("Patients you open appear here.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(item)

    def open_recent(self, position: int) -> None:
        entries = self.recent.entries()
        if 0 <= position < len(entries):
            self.openPatient.emit(entries[position][0])

    @Slot(QListWidgetItem)
    def _open_recent(self, item: QListWidgetItem) -> None:
        patient_id = item.data(PatientIdRole)
        if patient_id is not None:
            self.openPatient.emit(int(patient_id))
