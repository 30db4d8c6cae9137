"""The photos of a job as a Qt table model, and the filters a reviewer needs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

COLUMNS = ("Photo", "Status", "Source", "Place", "Confidence", "Position")
PHOTO, STATUS, SOURCE, PLACE, CONFIDENCE, POSITION = range(len(COLUMNS))
LOW_CONFIDENCE = 0.5

#: filter name -> test on a PhotoView
FILTERS: dict[str, Any] = {
    "All photos": lambda v: True,
    "Needs review": lambda v: v.status in ("needs review", "proposed"),
    "Low confidence": lambda v: v.confidence is not None and v.confidence < LOW_CONFIDENCE and v.stage in ("decided", "review"),
    "No location": lambda v: v.lat is None,
    "Will be written": lambda v: v.will_write,
    "Accepted": lambda v: v.verdict == "accepted",
    "Rejected": lambda v: v.verdict == "rejected",
    "Written": lambda v: v.stage == "written",
    "Errors": lambda v: v.stage == "failed",
}

STATUS_COLOURS = {
    "needs review": "#b26b00", "proposed": "#1f5fa8", "accepted": "#1b7f3b", "written": "#1b7f3b",
    "rejected": "#8a8a8a", "error": "#b3261e", "no location": "#8a8a8a", "has GPS": "#4a4a4a", "pending": "#8a8a8a",
}
SOURCE_LABELS = {"exif": "own GPS", "gpx": "GPX track", "interpolated": "neighbours in time", "model": "model", "manual": "by hand"}
ViewIndex = QModelIndex | QPersistentModelIndex


class PhotoTableModel(QAbstractTableModel):
    ViewRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, thumbnails: Any = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.views: list[Any] = []
        self.thumbnails = thumbnails
        self._row_of_path: dict[str, int] = {}
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)

    def set_views(self, views: list[Any]) -> None:
        same_rows = [v.id for v in views] == [v.id for v in self.views]
        self.views = list(views)
        self._row_of_path = {str(v.path): i for i, v in enumerate(self.views)}
        if same_rows and views:  # a refresh keeps the selection and the scroll position
            self.dataChanged.emit(self.index(0, 0), self.index(len(views) - 1, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self.endResetModel()

    def view_at(self, row: int) -> Any:
        return self.views[row]

    def row_of(self, photo_id: int) -> int | None:
        return next((i for i, v in enumerate(self.views) if v.id == photo_id), None)

    def rowCount(self, parent: ViewIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self.views)

    def columnCount(self, parent: ViewIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: ViewIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        view = self.views[index.row()]
        column = index.column()
        if role == self.ViewRole:
            return view
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(view, column)
        if role == self.SortRole:
            if column == CONFIDENCE:
                return view.confidence if view.confidence is not None else -1.0
            if column == PHOTO:
                return view.relpath.casefold()
            return self._text(view, column)
        if role == Qt.ItemDataRole.DecorationRole and column == PHOTO and self.thumbnails is not None:
            return self.thumbnails.icon(view.path)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            return QBrush(QColor(STATUS_COLOURS.get(view.status, "#000000")))
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
            if view.stage == "failed":
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


class PhotoFilter(QSortFilterProxyModel):
    """A named filter (see :data:`FILTERS`) and a search on the file name and place."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.filter_name = "All photos"
        self.text = ""
        self.setSortRole(PhotoTableModel.SortRole)

    def set_filter(self, name: str) -> None:
        self._refilter(lambda: setattr(self, "filter_name", name))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.casefold().strip()))

    def _refilter(self, change: Any) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: ViewIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        view = model.view_at(row)
        if not FILTERS[self.filter_name](view):
            return False
        return not self.text or self.text in view.relpath.casefold() or self.text in view.place.casefold()
