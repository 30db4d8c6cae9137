"""The photo table model: filters, sorting, and the selection following its photo through both."""

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from geor.desktop.photo_table import CONFIDENCE, PHOTO, PhotoTableModel
from geor.engine.pipeline import PhotoView


def views(n: int = 40) -> list[PhotoView]:
    out = []
    for i in range(n):
        stage = ("decided", "review", "unplaced", "failed", "kept")[i % 5]
        placed = stage in ("decided", "review", "kept")
        out.append(PhotoView(id=i + 1, path=Path(f"/p/img_{i:03d}.jpg"), relpath=f"img_{i:03d}.jpg", stage=stage,
                             source="model" if placed else None, lat=10.0 if placed else None, lon=20.0 if placed else None,
                             confidence=(i % 7) / 7 if placed else None, city="Biei" if placed else None, state=None,
                             country="Japan" if placed else None, message="why" if stage == "failed" else None,
                             verdict=None, taken_at=None, had_gps=False))
    return out


def test_filters_and_search():
    model = PhotoTableModel()
    model.set_views(views())
    assert model.rowCount() == 40
    model.set_filter("Needs review")
    assert {model.view_at(r).stage for r in range(model.rowCount())} == {"decided", "review"}
    model.set_filter("Errors")
    assert model.rowCount() == 8 and model.data(model.index(0, 3)) == "why"
    model.set_filter("All photos")
    model.set_text("IMG_00")
    assert model.rowCount() == 10
    model.set_text("japan")
    assert model.rowCount() == 24


def test_sort_by_confidence_both_ways():
    model = PhotoTableModel()
    model.set_views(views())
    model.sort(CONFIDENCE, Qt.SortOrder.DescendingOrder)
    values = [model.view_at(r).confidence for r in range(model.rowCount())]
    numbers = [v for v in values if v is not None]
    assert numbers == sorted(numbers, reverse=True) and values[-1] is None
    model.sort(PHOTO, Qt.SortOrder.AscendingOrder)
    assert model.view_at(0).relpath == "img_000.jpg"


def test_the_selection_follows_its_photo(qtbot):
    model = PhotoTableModel()
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    model.set_views(views())
    row = model.row_of(13)
    table.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    model.sort(CONFIDENCE, Qt.SortOrder.DescendingOrder)
    assert model.view_at(table.selectionModel().currentIndex().row()).id == 13
    refreshed = views()
    model.set_views(refreshed[5:])  # a refresh with fewer photos: the selected one is still there
    assert model.view_at(table.selectionModel().currentIndex().row()).id == 13
    model.set_filter("Errors")  # photo 13 (a "kept" one) is filtered out: nothing selected
    assert not table.selectionModel().hasSelection()
