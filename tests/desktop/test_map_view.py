"""The offline map widget: projection round trips, zoom about the cursor, clicks that place."""

import pytest
from PySide6.QtCore import QPointF, Qt

from geor.desktop.map_view import MapView, mercator_lat, mercator_y


@pytest.fixture
def map_view(qtbot):
    view = MapView()
    view.resize(600, 400)
    qtbot.addWidget(view)
    view.show()
    view.show_world()
    return view


def test_mercator_round_trip():
    for lat in (-80.0, -33.9, 0.0, 43.588, 85.0):
        assert mercator_lat(float(mercator_y(lat))) == pytest.approx(lat, abs=1e-9)


def test_screen_round_trip_and_zoom_keeps_the_point_under_the_cursor(map_view):
    map_view.show_position(43.588, 142.467)
    centre = map_view.to_screen(43.588, 142.467)
    assert (centre.x(), centre.y()) == pytest.approx((300.0, 200.0), abs=1.0)
    cursor = QPointF(420.0, 130.0)
    before = map_view.to_lat_lon(cursor)
    map_view.zoom(2.0, cursor)
    assert map_view.to_lat_lon(cursor) == pytest.approx(before, abs=1e-6)


def test_a_click_while_picking_places_and_a_drag_does_not(qtbot, map_view):
    map_view.show_position(35.0, 135.0)
    picks = []
    map_view.picked.connect(lambda lat, lon: picks.append((lat, lon)))
    qtbot.mouseClick(map_view, Qt.MouseButton.LeftButton, pos=QPointF(300, 200).toPoint())
    assert picks == []  # not picking
    map_view.set_picking(True)
    qtbot.mouseClick(map_view, Qt.MouseButton.LeftButton, pos=QPointF(300, 200).toPoint())
    assert picks[0] == pytest.approx((35.0, 135.0), abs=0.05)
    qtbot.mousePress(map_view, Qt.MouseButton.LeftButton, pos=QPointF(100, 100).toPoint())
    qtbot.mouseMove(map_view, QPointF(200, 150).toPoint())
    qtbot.mouseRelease(map_view, Qt.MouseButton.LeftButton, pos=QPointF(200, 150).toPoint())
    assert len(picks) == 1


def test_paints_without_data_and_with_a_marker_across_the_antimeridian(qtbot, map_view):
    map_view.set_marker(-17.8, 179.9, 250.0)
    map_view.set_points([(-17.8, 179.9, "accepted"), (10.0, 10.0, "needs review")])
    image = map_view.grab().toImage()
    assert not image.isNull() and image.width() == 600
    assert map_view.status_text.startswith("Loading")
