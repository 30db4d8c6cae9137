"""The photos of a job as a Qt table model, with the filters and the sort a reviewer needs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from geor.engine.pipeline.vocabulary import PROPOSED_STAGES, Source, Stage, Verdict

from . import palette

COLUMNS = ("Photo", "Status", "Source", "Place", "Confidence", "Position")
PHOTO, STATUS, SOURCE, PLACE, CONFIDENCE, POSITION = range(len(COLUMNS))
LOW_CONFIDENCE = 0.5

#: filter name -> test on a PhotoView
FILTERS: dict[str, Any] = {
    "All photos": lambda v: True,
    "Needs review": lambda v: v.status in ("needs review", "proposed"),
    "Flagged by checks": lambda v: "implausible:" in (v.message or "") or "weak clock" in (v.message or ""),
    "Low confidence": lambda v: v.confidence is not None and v.confidence < LOW_CONFIDENCE and v.stage in PROPOSED_STAGES,
    "No location": lambda v: v.lat is None,
    "Will be written": lambda v: v.will_write,
    "Accepted": lambda v: v.verdict == Verdict.ACCEPTED,
    "Rejected": lambda v: v.verdict == Verdict.REJECTED,
    "Written": lambda v: v.stage == Stage.WRITTEN,
    "Errors": lambda v: v.stage == Stage.FAILED,
}

SOURCE_LABELS: dict[str, str] = {
    Source.EXIF: "own GPS",
    Source.GPX: "GPX track",
    Source.TRACK: "track",
    Source.INTERPOLATED: "other photos' GPS",
    Source.MODEL: "model",
    Source.MANUAL: "by hand",
}
ViewIndex = QModelIndex | QPersistentModelIndex


class PhotoTableModel(QAbstractTableModel):
    """The job's photos, filtered and sorted here in Python (list operations), not by a proxy model:
    a proxy calls back into Python for every comparison, which takes seconds for thousands of rows.
    Rows move with their selection when the filter, the sort or the photos change."""

    ViewRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, thumbnails: Any = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.all_views: list[Any] = []
        self.rows: list[Any] = []  # the visible views, filtered and sorted
        self.filter_name = "All photos"
        self.text = ""
        self.sort_column, self.sort_order = PHOTO, Qt.SortOrder.AscendingOrder
        self.thumbnails = thumbnails
        self._row_of_path: dict[str, int] = {}
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)

    # -- content, filter, sort ------------------------------------------------------------------

    def set_views(self, views: list[Any]) -> None:
        self.all_views = list(views)
        self._relayout()

    def set_filter(self, name: str) -> None:
        self.filter_name = name
        self._relayout()

    def set_text(self, text: str) -> None:
        self.text = text.casefold().strip()
        self._relayout()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._relayout()

    def _visible(self) -> list[Any]:
        test = FILTERS[self.filter_name]
        text = self.text
        shown = [v for v in self.all_views if test(v) and (not text or text in v.relpath.casefold() or text in v.place.casefold())]
        column = self.sort_column
        if column == CONFIDENCE:
            key: Any = lambda v: (v.confidence if v.confidence is not None else -1.0, v.relpath)  # noqa: E731
        elif column == PHOTO:
            key = lambda v: v.relpath.casefold()  # noqa: E731
        else:
            key = lambda v: (self._text(v, column).casefold(), v.relpath.casefold())  # noqa: E731
        return sorted(shown, key=key, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)

    def _relayout(self) -> None:
        rows = self._visible()
        if [v.id for v in rows] == [v.id for v in self.rows]:
            self.rows = rows
            self._row_of_path = {str(v.path): i for i, v in enumerate(rows)}
            if rows:  # same rows, new content: repaint (the view only redraws what is on screen)
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = [v.id for v in self.rows]
        self.rows = rows
        self._row_of_path = {str(v.path): i for i, v in enumerate(rows)}
        new_row = {v.id: i for i, v in enumerate(rows)}
        before = self.persistentIndexList()
        after = []
        for index in before:
            row = new_row.get(old_ids[index.row()]) if 0 <= index.row() < len(old_ids) else None
            after.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def view_at(self, row: int) -> Any:
        return self.rows[row]

    def row_of(self, photo_id: int) -> int | None:
        return next((i for i, v in enumerate(self.rows) if v.id == photo_id), None)

    # -- Qt's model interface ---------------------------------------------------------------------

    def rowCount(self, parent: ViewIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ViewIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: ViewIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        view = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(view, column)
        if role == self.ViewRole:
            return view
        if role == Qt.ItemDataRole.DecorationRole and column == PHOTO and self.thumbnails is not None:
            return self.thumbnails.icon(view.path)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            return QBrush(QColor(palette.STATUS_TEXT.get(view.status, palette.TEXT)))
        if role == Qt.ItemDataRole.ToolTipRole:
            return view.message or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == CONFIDENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(view: Any, column: int) -> str:
        if column == PHOTO:
            return view.relpath
        if column == STATUS:
            return view.status
        if column == SOURCE:
            return SOURCE_LABELS.get(view.source or "", "")
        if column == PLACE:
            if view.stage == Stage.FAILED:
                return view.message or ""
            return view.place
        if column == CONFIDENCE:
            return "" if view.confidence is None else f"{view.confidence:.2f}"
        if column == POSITION:
            return "" if view.lat is None else f"{view.lat:.4f}, {view.lon:.4f}"
        return ""

    def _thumbnail_ready(self, path: str) -> None:
        row = self._row_of_path.get(path)
        if row is not None:
            index = self.index(row, PHOTO)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
