"""An offline map: land, coasts, country and province borders drawn from the geocoder's own region
pack (no tile server), in Web Mercator, with wheel zoom, drag to pan, the photo's position, its
uncertainty circle, the job's other photos as dots, and clicks that place a photo."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from . import palette

MAX_LAT = 85.0511287798  # Web Mercator's square world
TILE_DEG = 30.0
SEA, LAND = QColor(palette.MAP_SEA), QColor(palette.MAP_LAND)
STYLES = {  # class -> (colour, width in pixels)
    "division": (QColor(palette.MAP_DIVISION), 0.8),
    "coast": (QColor(palette.MAP_COAST), 1.0),
    "country": (QColor(palette.MAP_COUNTRY), 1.4),
}


def mercator_y(lat: Any) -> Any:
    lat = np.clip(lat, -MAX_LAT, MAX_LAT)
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def mercator_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


@dataclass(kw_only=True)
class MapData:
    """What the map draws, prepared off the UI thread by :func:`prepare_map_data`."""

    land: QImage  # the whole Mercator world, X and Y in [-180, 180]
    tiles: dict[tuple[str, float], list[tuple[QRectF, QPainterPath]]]  # (class, tolerance) -> tiles
    tolerances: tuple[float, ...]
    attribution: str
    town_x: np.ndarray  # towns, most populous first: Mercator X, Y and names, for labels
    town_y: np.ndarray
    town_names: list[str]


def prepare_map_data(pack: Any, land_width: int = 2048) -> MapData:
    """Outlines and land of the region pack as Qt paths and an image (seconds the first time; cached)."""
    from geor.engine.geo.geocoder.outlines import CLASSES, TOLERANCES_DEG, land_mask, map_outlines

    outlines = map_outlines(pack)
    mask = land_mask(pack, land_width, land_width // 2)
    # resample the equirectangular mask onto Mercator rows
    rows = land_width
    y = 180.0 - (np.arange(rows) + 0.5) * 360.0 / rows
    lat = np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)
    source_row = np.clip(((90.0 - lat) / 180.0 * mask.shape[0]).astype(int), 0, mask.shape[0] - 1)
    mercator = mask[source_row]
    pixels = np.where(mercator[..., None], np.array([LAND.red(), LAND.green(), LAND.blue(), 255], np.uint8),
                      np.array([SEA.red(), SEA.green(), SEA.blue(), 255], np.uint8))
    pixels = np.ascontiguousarray(pixels.astype(np.uint8))
    land = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.shape[1] * 4, QImage.Format.Format_RGBA8888).copy()
    tiles = {}
    for line_class in CLASSES:
        for tolerance in TOLERANCES_DEG:
            if tolerance == 0.0:
                continue  # every vertex: more than a screen shows; the finest kept level is enough
            tiles[(line_class, tolerance)] = _tiles(outlines.at(line_class, tolerance))
    from geor.engine.geo.geocoder.pack_format import StringTable

    a = pack.arrays
    town_x = np.asarray(a["city_lon"], dtype=np.float64)
    town_y = -mercator_y(np.asarray(a["city_lat"], dtype=np.float64))
    names = StringTable(a["city_name_blob"], a["city_name_offsets"]).to_list()
    return MapData(land=land, tiles=tiles, tolerances=tuple(t for t in TOLERANCES_DEG if t > 0),
                   attribution=pack.meta.get("attribution", ""), town_x=town_x, town_y=town_y, town_names=names)


def _tiles(lines: Any) -> list[tuple[QRectF, QPainterPath]]:
    starts = np.asarray(lines.starts)
    keep = np.flatnonzero(np.diff(starts) >= 2)
    if len(keep) == 0:
        return []
    x = np.asarray(lines.lonlat[:, 0], dtype=np.float64)
    y = -mercator_y(np.asarray(lines.lonlat[:, 1], dtype=np.float64))  # screen y grows downwards
    first = starts[keep]
    # each line's extent (a dropped line of fewer than two points can only widen its neighbour's: culling stays safe)
    x0, x1 = np.minimum.reduceat(x, first), np.maximum.reduceat(x, first)
    y0, y1 = np.minimum.reduceat(y, first), np.maximum.reduceat(y, first)
    position = {int(line): i for i, line in enumerate(keep)}
    tile_x = np.floor(x[first] / TILE_DEG).astype(int)
    tile_y = np.floor(y[first] / TILE_DEG).astype(int)
    xs, ys = x.tolist(), y.tolist()
    buckets: dict[tuple[int, int], list[int]] = {}
    for line, tx, ty in zip(keep.tolist(), tile_x.tolist(), tile_y.tolist(), strict=True):
        buckets.setdefault((tx, ty), []).append(line)
    tiles = []
    for members in buckets.values():
        path = QPainterPath()
        at = [position[line] for line in members]
        for line in members:
            s, e = int(starts[line]), int(starts[line + 1])
            path.addPolygon(QPolygonF([QPointF(a, b) for a, b in zip(xs[s:e], ys[s:e], strict=True)]))
        left, right = float(x0[at].min()), float(x1[at].max())
        top, bottom = float(y0[at].min()), float(y1[at].max())
        tiles.append((QRectF(left, top, right - left, bottom - top), path))
    return tiles


class MapView(QWidget):
    picked = Signal(float, float)  # lat, lon: a click while picking
    moved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.data: MapData | None = None
        self.status_text = "Loading the offline map…"
        self.center = QPointF(0.0, 0.0)  # (X, Y) in Mercator degrees
        self.scale = 0.0  # pixels per Mercator degree; 0: fit the world on first paint
        self.marker: tuple[float, float, float | None] | None = None
        self.points: list[tuple[float, float, str]] = []
        self._point_x = self._point_y = np.zeros(0)
        self._point_kind = np.zeros(0, dtype=np.int64)
        self._point_status: list[str] = []
        self.picking = False
        self._press: QPointF | None = None
        self._dragged = False
        self._cursor_text = ""

    # -- content --------------------------------------------------------------------------------

    def set_data(self, data: MapData) -> None:
        self.data = data
        self.status_text = ""
        self.update()

    def set_failed(self, message: str) -> None:
        self.status_text = f"The map could not be drawn: {message}"
        self.update()

    def set_marker(self, lat: float | None, lon: float | None, radius_km: float | None = None, zoom_to: bool = True) -> None:
        self.marker = None if lat is None or lon is None else (lat, lon, radius_km)
        if lat is not None and lon is not None and zoom_to:
            self.show_position(lat, lon, radius_km)
        self.update()

    def set_points(self, points: list[tuple[float, float, str]]) -> None:
        """The job's other photos as dots: (lat, lon, status)."""
        self.points = points
        self._point_x = np.array([p[1] for p in points], dtype=np.float64)
        self._point_y = np.asarray(mercator_y(np.array([p[0] for p in points], dtype=np.float64)), dtype=np.float64)
        statuses = sorted({p[2] for p in points})
        self._point_status = statuses
        self._point_kind = np.array([statuses.index(p[2]) for p in points], dtype=np.int64)
        self.update()

    def set_picking(self, on: bool) -> None:
        self.picking = on
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        self.update()

    def show_position(self, lat: float, lon: float, radius_km: float | None = None) -> None:
        """Centre on a position, zoomed so that its uncertainty (at least ~60 km) fills the view."""
        span_km = max(150.0, 3.0 * (radius_km or 0.0))
        span_deg = span_km / (111.32 * max(math.cos(math.radians(lat)), 0.05))
        self.center = QPointF(lon, float(mercator_y(lat)))
        self.scale = min(self.width(), self.height()) / max(span_deg, 1e-3)
        self._clamp()
        self.moved.emit()

    def show_world(self) -> None:
        self.center = QPointF(0.0, 20.0)
        self.scale = max(self.width() / 360.0, 1e-3)
        self._clamp()
        self.update()

    # -- coordinates ----------------------------------------------------------------------------

    def to_screen(self, lat: float, lon: float) -> QPointF:
        x = (lon - self.center.x()) * self.scale + self.width() / 2
        y = (self.center.y() - float(mercator_y(lat))) * self.scale + self.height() / 2
        return QPointF(x, y)

    def to_lat_lon(self, point: QPointF) -> tuple[float, float]:
        x = self.center.x() + (point.x() - self.width() / 2) / self.scale
        y = self.center.y() - (point.y() - self.height() / 2) / self.scale
        return mercator_lat(y), (x + 180.0) % 360.0 - 180.0

    def _clamp(self) -> None:
        self.scale = min(max(self.scale, self.width() / 360.0 * 0.9, 1e-3), 50000.0)
        half = self.height() / 2 / self.scale
        y = min(max(self.center.y(), -180.0 + half), 180.0 - half) if half < 180 else 0.0
        x = (self.center.x() + 180.0) % 360.0 - 180.0
        self.center = QPointF(x, y)

    # -- drawing --------------------------------------------------------------------------------

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), SEA)
        if self.scale == 0.0:
            self.show_world()
        if self.data is not None:
            self._draw_world(painter)
            self._draw_towns(painter)
        self._draw_points(painter)
        self._draw_marker(painter)
        self._draw_overlay(painter)
        painter.end()

    def _world_offsets(self) -> list[float]:
        half_w = self.width() / 2 / self.scale
        left, right = self.center.x() - half_w, self.center.x() + half_w
        return [k * 360.0 for k in range(-1, 2) if left < k * 360.0 + 180.0 and right > k * 360.0 - 180.0]

    def _draw_world(self, painter: QPainter) -> None:
        data = self.data
        assert data is not None
        half_w, half_h = self.width() / 2 / self.scale, self.height() / 2 / self.scale
        tolerance = next((t for t in sorted(data.tolerances, reverse=True) if t <= 1.5 / self.scale), min(data.tolerances))
        for offset in self._world_offsets():
            painter.save()
            painter.translate(self.width() / 2, self.height() / 2)
            painter.scale(self.scale, self.scale)
            painter.translate(-self.center.x() + offset, self.center.y())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QRectF(-180.0, -180.0, 360.0, 360.0), data.land)
            view = QRectF(self.center.x() - offset - half_w, -self.center.y() - half_h, 2 * half_w, 2 * half_h)
            for line_class, (colour, width) in STYLES.items():
                pen = QPen(colour, width)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for bounds, path in data.tiles[(line_class, tolerance)]:
                    if bounds.intersects(view):
                        painter.drawPath(path)
            painter.restore()

    def _draw_towns(self, painter: QPainter, most: int = 24) -> None:
        """The most populous towns in view, labelled where their labels do not collide."""
        data = self.data
        assert data is not None
        half_w, half_h = self.width() / 2 / self.scale, self.height() / 2 / self.scale
        if half_w > 40.0:  # a continent or more in view: borders say enough
            return
        cx, cy = self.center.x(), -self.center.y()
        visible = np.flatnonzero((np.abs(data.town_x - cx) < half_w) & (np.abs(data.town_y - cy) < half_h))[: most * 3]
        metrics = painter.fontMetrics()
        taken: list[QRectF] = []
        painter.setFont(self.font())
        for i in visible.tolist():
            x = (data.town_x[i] - cx) * self.scale + self.width() / 2
            y = (data.town_y[i] - cy) * self.scale + self.height() / 2
            name = data.town_names[i]
            box = QRectF(x + 5, y - metrics.height() / 2, metrics.horizontalAdvance(name) + 2, metrics.height())
            if any(box.intersects(other) for other in taken) or box.bottom() > self.height() - 22:  # keep the scale bar clear
                continue
            taken.append(box)
            painter.setPen(QPen(QColor(palette.MAP_OUTLINE), 1))
            painter.setBrush(QBrush(QColor(palette.MAP_TOWN)))
            painter.drawEllipse(QPointF(x, y), 2.5, 2.5)
            painter.setPen(QColor(palette.MAP_TOWN_LABEL))
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            if len(taken) >= most:
                break

    def _draw_points(self, painter: QPainter) -> None:
        """One dot per occupied pixel and status (thousands of photos share few places), on screen only."""
        if not self.points:
            return
        painter.setPen(QPen(QColor(palette.MAP_OUTLINE), 1))
        for offset in self._world_offsets():
            sx = np.rint((self._point_x + offset - self.center.x()) * self.scale + self.width() / 2).astype(np.int64)
            sy = np.rint((self.center.y() - self._point_y) * self.scale + self.height() / 2).astype(np.int64)
            on_screen = (sx >= -5) & (sx <= self.width() + 5) & (sy >= -5) & (sy <= self.height() + 5)
            if not on_screen.any():
                continue
            key = (self._point_kind[on_screen] * 1_000_000 + sx[on_screen] + 20_000) * 1_000_000 + sy[on_screen] + 20_000
            _, first = np.unique(key, return_index=True)
            kinds, xs, ys = self._point_kind[on_screen][first], sx[on_screen][first], sy[on_screen][first]
            for kind in np.unique(kinds).tolist():
                painter.setBrush(QBrush(QColor(palette.MAP_DOT.get(self._point_status[kind], palette.MAP_DOT_OTHER))))
                for x, y in zip(xs[kinds == kind].tolist(), ys[kinds == kind].tolist(), strict=True):
                    painter.drawEllipse(QPointF(x, y), 4, 4)

    def _draw_marker(self, painter: QPainter) -> None:
        if self.marker is None:
            return
        from geor.engine.geo.interpolate import circle_around

        lat, lon, radius = self.marker
        for offset in self._world_offsets():
            if radius:
                ring = circle_around(lat, lon, radius, 120)
                polygon = QPolygonF([self._shifted(a, b, offset) for a, b in ring.tolist()])
                painter.setPen(QPen(QColor(palette.MAP_CIRCLE_EDGE), 1.5))
                painter.setBrush(QBrush(QColor(palette.MAP_CIRCLE_FILL)))
                painter.drawPolygon(polygon)
            centre = self._shifted(lat, lon, offset)
            painter.setPen(QPen(QColor(palette.MAP_OUTLINE), 2))
            painter.setBrush(QBrush(QColor(palette.MAP_MARKER)))
            painter.drawEllipse(centre, 7, 7)

    def _shifted(self, lat: float, lon: float, offset: float) -> QPointF:
        lon = lon + 360.0 * round((self.center.x() - offset - lon) / 360.0)  # the copy nearest the view
        p = self.to_screen(lat, lon)
        return QPointF(p.x() + offset * self.scale, p.y())

    def _draw_overlay(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        painter.setFont(font)
        if self.status_text:
            painter.setPen(QColor(palette.TEXT_HEADING))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.status_text)
        self._draw_scale_bar(painter)
        lines = []
        if self.picking:
            lines.append("Click to place the selected photos here")
        if self._cursor_text:
            lines.append(self._cursor_text)
        if lines:
            text = "   ".join(lines)
            metrics = painter.fontMetrics()
            box = QRectF(8, 8, metrics.horizontalAdvance(text) + 12, metrics.height() + 6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.MAP_HINT_BACKGROUND))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor(palette.TEXT_STRONG))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        if self.data is not None:
            painter.setPen(QColor(palette.TEXT_MUTED))
            painter.drawText(self.rect().adjusted(0, 0, -6, -4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             "Natural Earth · © OpenStreetMap contributors · GeoNames · MLIT N03 · geoBoundaries")

    def _draw_scale_bar(self, painter: QPainter) -> None:
        if self.scale <= 0:
            return
        lat = mercator_lat(self.center.y())
        km_per_px = 111.32 * math.cos(math.radians(lat)) / self.scale
        if km_per_px <= 0:
            return
        target = km_per_px * 100
        step = 10 ** math.floor(math.log10(target))
        km = max(s * step for s in (1, 2, 5) if s * step <= target)
        px = km / km_per_px
        x, y = 12, self.height() - 14
        painter.setPen(QPen(QColor(palette.TEXT_HEADING), 2))
        painter.drawLine(QPointF(x, y), QPointF(x + px, y))
        painter.drawLine(QPointF(x, y - 4), QPointF(x, y))
        painter.drawLine(QPointF(x + px, y - 4), QPointF(x + px, y))
        label = f"{km:,.0f} km" if km >= 1 else f"{km * 1000:,.0f} m"
        painter.drawText(QPointF(x + px + 6, y + 4), label)

    # -- interaction ----------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.25 ** steps, event.position())
        event.accept()

    def zoom(self, factor: float, around: QPointF | None = None) -> None:
        around = around or QPointF(self.width() / 2, self.height() / 2)
        before_x = self.center.x() + (around.x() - self.width() / 2) / self.scale
        before_y = self.center.y() - (around.y() - self.height() / 2) / self.scale
        self.scale *= factor
        self._clamp()
        self.center = QPointF(before_x - (around.x() - self.width() / 2) / self.scale,
                              before_y + (around.y() - self.height() / 2) / self.scale)
        self._clamp()
        self.moved.emit()
        self.update()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.5)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom(1 / 1.5)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._dragged = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.scale > 0:
            lat, lon = self.to_lat_lon(event.position())
            self._cursor_text = f"{lat:.4f}, {lon:.4f}"
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            delta = event.position() - self._press
            if self._dragged or abs(delta.x()) + abs(delta.y()) > 4:
                self._dragged = True
                self.center = QPointF(self.center.x() - delta.x() / self.scale, self.center.y() + delta.y() / self.scale)
                self._press = event.position()
                self._clamp()
                self.moved.emit()
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None and not self._dragged and self.picking:
            lat, lon = self.to_lat_lon(event.position())
            self.picked.emit(lat, lon)
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self.picking:
            self.zoom(2.0, event.position())

    def leaveEvent(self, event: Any) -> None:  # noqa: N802
        self._cursor_text = ""
        self.update()
