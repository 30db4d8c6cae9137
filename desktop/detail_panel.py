"""The right-hand side of the review screen: the selected photo large, where the proposal came
from (the model's Chain of Region as readable steps, with what the geocoder says about each), the
map, and the ways to correct it: click on the map, type coordinates, or pick a place by name."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from geor.engine.pipeline.vocabulary import SCENE_WORDS, Source, Stage

from . import palette
from .map_view import MapView

_COORDINATES = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")
SOURCE_TEXT: dict[str, str] = {
    Source.EXIF: "The photo's own GPS",
    Source.GPX: "A GPX track, matched by the photo's time",
    Source.TRACK: "A track (GPX, KML, FIT, NMEA, location history…), matched by the photo's time",
    Source.INTERPOLATED: "GPS photos of any device, taken at the same time",
    Source.MODEL: "The model, reasoning down the Chain of Region",
    Source.MANUAL: "Placed by hand",
}


#: The uncertainty circle of a single model answer (no spread of samples to measure), by the finest
#: level the geocoder confirms: the evaluation's thresholds (city 25 km, region 200 km, country 750 km).
RADIUS_BY_CONFIRMED_LEVEL_KM = (("city", 25.0), ("state", 200.0), ("country", 750.0))
UNCONFIRMED_RADIUS_KM = 2500.0

_LABEL = f"color:{palette.TEXT_MUTED};padding-right:8px"  # the style of a step's label cell
_LABEL_TOP = f"{_LABEL};vertical-align:top"  # beside a value that may wrap


def uncertainty_km(view: Any) -> float | None:
    """The radius drawn around a position: the decision's own radius (the anchors' accuracy and the
    time to them, or the model's), else for a model answer the spread of its samples or what the
    geocoder confirms of it."""
    if view is not None and getattr(view, "radius_m", None):
        return float(view.radius_m) / 1000.0
    if view is None or view.source != Source.MODEL or not view.model or view.model.get("status") != "ok":
        return None
    if view.model.get("radius_km"):
        return float(view.model["radius_km"])
    checks = view.model.get("checks", {})
    for level, radius in RADIUS_BY_CONFIRMED_LEVEL_KM:
        if checks.get(level, {}).get("agrees") is True:
            return radius
    return UNCONFIRMED_RADIUS_KM


def _metres(radius_m: float) -> str:
    return f"{radius_m:,.0f} m" if radius_m < 10_000 else f"{radius_m / 1000:,.0f} km"


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """"43.588, 142.467" (or separated by a space or semicolon) -> (lat, lon); None if not that."""
    match = _COORDINATES.match(text)
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon


def chain_html(view: Any) -> str:
    """The proposal as steps a person reads top to bottom."""
    if view is None:
        return ""
    rows = []
    source = SOURCE_TEXT.get(view.source or "", "")
    if view.stage == Stage.FAILED:
        return f"<p style='color:{palette.ERROR}'><b>This photo could not be read.</b><br>{html.escape(view.message or '')}</p>"
    model = view.model
    if model and model.get("status") == "ok" and view.source in (Source.MODEL, None):
        checks = model.get("checks", {})
        for level, label in (("country", "Country"), ("state", "Province / state"), ("city", "City")):
            claimed = model.get(level)
            check = checks.get(level, {})
            mark, note = "", ""
            if check.get("agrees") is True:
                mark = f"<span style='color:{palette.GOOD}'>✓</span>"
            elif check.get("agrees") is False:
                mark = f"<span style='color:{palette.ERROR}'>✗</span>"
                note = f" <span style='color:{palette.TEXT_MUTED}'>(the map says {html.escape(check.get('found') or 'nothing')})</span>"
            rows.append(f"<tr><td style='{_LABEL}'>{label}</td><td><b>{html.escape(claimed or 'unknown')}</b> {mark}{note}</td></tr>")
        radius = uncertainty_km(view)
        coords = f"{model['lat']:.5f}, {model['lon']:.5f}" + (f" &plusmn; {radius:,.0f} km" if radius else "")
        rows.append(f"<tr><td style='{_LABEL}'>Coordinates</td><td><b>{coords}</b></td></tr>")
    elif model and model.get("status") != "ok" and view.lat is None:
        rows.append(
            f"<tr><td colspan=2 style='color:{palette.WARNING}'>The model gave no usable answer: {html.escape(model.get('reason', ''))}</td></tr>"
        )
    evidence = getattr(view, "evidence", None)
    # a scene's pooled answer: this photo's own answer (when it was one of those asked) is not its position
    pooled = view.source == Source.MODEL and SCENE_WORDS in (evidence or "")
    if view.lat is not None and (pooled or not (model and model.get("status") == "ok" and view.source in (Source.MODEL, None))):
        within = f" &plusmn; {_metres(view.radius_m)}" if getattr(view, "radius_m", None) else ""
        rows.append(f"<tr><td style='{_LABEL}'>Position</td><td><b>{view.lat:.5f}, {view.lon:.5f}</b>{within}</td></tr>")
        if view.place:
            rows.append(f"<tr><td style='{_LABEL}'>Place</td><td>{html.escape(view.place)}</td></tr>")
    if evidence and (view.source not in (Source.EXIF, Source.MODEL, None) or pooled):
        rows.append(f"<tr><td style='{_LABEL_TOP}'>Evidence</td><td>{html.escape(evidence)}</td></tr>")
    clock = getattr(view, "clock", None)
    if clock:
        camera = html.escape(getattr(view, "camera", None) or "camera")
        rows.append(f"<tr><td style='{_LABEL_TOP}'>Clock</td><td>{camera}: {html.escape(clock)}</td></tr>")
    if view.confidence is not None and view.stage not in (Stage.KEPT, Stage.WRITTEN):
        rows.append(f"<tr><td style='{_LABEL}'>Confidence</td><td>{view.confidence:.2f}</td></tr>")
    head = f"<p style='margin-bottom:4px'><b>{html.escape(source)}</b></p>" if source else ""
    message = view.message or ""
    if evidence and message.startswith(evidence):  # a decision's message repeats its evidence: show what it adds
        message = message[len(evidence):].lstrip(":; ")
    note = f"<p style='color:{palette.TEXT_SECONDARY}'>{html.escape(message)}</p>" if message and view.stage != Stage.FAILED else ""
    if not rows and not source:
        return (
            f"<p style='color:{palette.TEXT_MUTED}'>No location yet. Place it by clicking on the map, typing coordinates, or a place name.</p>"
            + note
        )
    return head + "<table cellspacing=2>" + "".join(rows) + "</table>" + note


class DetailPanel(QWidget):
    place_requested = Signal(float, float, str)  # lat, lon, note
    search_requested = Signal(str)

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: Any = None
        self._image: QImage | None = None
        self._matches: dict[str, tuple[float, float]] = {}
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_photo_section(actions))
        splitter.addWidget(self._build_placing_section(actions))
        splitter.setSizes([380, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self.show_view(None)

    # -- building ---------------------------------------------------------------------------------

    def _build_photo_section(self, actions: dict[str, QAction]) -> QWidget:
        """The upper half: the photo, its name and status, the proposal's steps, the verdict buttons."""
        self.preview = QLabel("Select a photo to review it")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.preview.setMinimumHeight(160)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setStyleSheet(palette.PREVIEW)
        self.title = QLabel()
        self.title.setStyleSheet(palette.TITLE_LABEL)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet(palette.MUTED_LABEL)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.chain.setTextFormat(Qt.TextFormat.RichText)
        self.chain.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.preview, 1)
        top_layout.addWidget(self.title)
        top_layout.addWidget(self.subtitle)
        top_layout.addWidget(self.chain)
        top_layout.addLayout(self._build_review_buttons(actions))
        return top

    @staticmethod
    def _build_review_buttons(actions: dict[str, QAction]) -> QHBoxLayout:
        buttons = QHBoxLayout()
        for name in ("accept", "reject", "previous", "next"):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        return buttons

    def _build_placing_section(self, actions: dict[str, QAction]) -> QWidget:
        """The lower half: the map, the placing tools, coordinates and place names, what went wrong."""
        self.map = MapView()
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(1, 1, 1, 1)
        frame_layout.addWidget(self.map)
        self.pick = QToolButton()
        self.pick.setDefaultAction(actions["pick"])
        self.copy = QToolButton()
        self.copy.setDefaultAction(actions["copy_neighbours"])
        tools = QHBoxLayout()
        tools.addWidget(self.pick)
        tools.addWidget(self.copy)
        tools.addStretch(1)
        self.feedback = QLabel()
        self.feedback.setStyleSheet(palette.ERROR_LABEL)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(frame, 1)
        bottom_layout.addLayout(tools)
        bottom_layout.addLayout(self._build_correction_fields())
        bottom_layout.addWidget(self.feedback)
        return bottom

    def _build_correction_fields(self) -> QGridLayout:
        """Coordinates typed by hand, and a place name completed from the offline gazetteer."""
        self.coordinates = QLineEdit()
        self.coordinates.setPlaceholderText("lat, lon  e.g. 43.588, 142.467")
        self.coordinates.returnPressed.connect(self._typed_coordinates)
        set_button = QPushButton("Set")
        set_button.clicked.connect(self._typed_coordinates)
        self.place_search = QLineEdit()
        self.place_search.setPlaceholderText("Place name, e.g. Biei or Kyoto, Japan")
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._picked_place)
        self.place_search.setCompleter(completer)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(lambda: self.search_requested.emit(self.place_search.text()))
        self.place_search.textEdited.connect(lambda _: self._debounce.start())
        self.place_search.returnPressed.connect(self._place_search_enter)
        correct = QGridLayout()
        correct.addWidget(QLabel("Coordinates"), 0, 0)
        correct.addWidget(self.coordinates, 0, 1)
        correct.addWidget(set_button, 0, 2)
        correct.addWidget(QLabel("Place"), 1, 0)
        correct.addWidget(self.place_search, 1, 1, 1, 2)
        return correct

    # -- showing a photo --------------------------------------------------------------------------

    def show_view(self, view: Any, count: int = 1, zoom: bool = True) -> None:
        previous = self.view
        self.view = view
        self.feedback.clear()
        if view is None:
            self.title.setText("No photo selected" if count == 0 else f"{count} photos selected")
            self.subtitle.setText("Accept, reject or place them all at once" if count > 1 else "")
            self.chain.setText("")
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Select a photo to review it" if count <= 1 else f"{count} photos selected")
            self.map.set_marker(None, None)
            return
        self.title.setText(view.relpath)
        taken = view.taken_at.replace("T", " ") if view.taken_at else "time unknown"
        self.subtitle.setText(f"{view.status}  ·  taken {taken}")
        self.chain.setText(chain_html(view))
        if previous is None or previous.id != view.id:
            self._image = None
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Loading…")
        radius = uncertainty_km(view)
        same_place = previous is not None and previous.id == view.id and (previous.lat, previous.lon) == (view.lat, view.lon)
        self.map.set_marker(view.lat, view.lon, radius, zoom_to=zoom and not same_place)

    def set_preview(self, image: QImage) -> None:
        self._image = image
        self._fit_preview()

    def set_preview_error(self, message: str) -> None:
        self._image = None
        self.preview.setPixmap(QPixmap())
        if self.view is not None and message.startswith(str(self.view.path)):
            message = message[len(str(self.view.path)):].lstrip(": ")  # the title already names the file
        self.preview.setText(f"No preview: {message}")

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_preview()

    def _fit_preview(self) -> None:
        if self._image is None or self._image.isNull():
            return
        pixmap = QPixmap.fromImage(self._image).scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)

    # -- corrections --------------------------------------------------------------------------------

    def _typed_coordinates(self) -> None:
        parsed = parse_coordinates(self.coordinates.text())
        if parsed is None:
            self.feedback.setText("Type a latitude and a longitude in degrees, e.g. 43.588, 142.467 (latitude -90..90, longitude -180..180).")
            return
        self.feedback.clear()
        self.place_requested.emit(parsed[0], parsed[1], "coordinates typed by hand")

    def set_place_matches(self, matches: list[Any]) -> None:
        self._matches = {m.label: (m.lat, m.lon) for m in matches}
        self._completions.setStringList(list(self._matches))
        if matches and self.place_search.hasFocus():
            self.place_search.completer().complete()

    def _picked_place(self, label: str) -> None:
        if label in self._matches:
            lat, lon = self._matches[label]
            self.feedback.clear()
            self.place_requested.emit(lat, lon, f"placed at {label}")

    def _place_search_enter(self) -> None:
        text = self.place_search.text()
        if text in self._matches:
            self._picked_place(text)
        elif self._matches:
            self._picked_place(next(iter(self._matches)))
        else:
            self.feedback.setText(f"No place called {text!r} in the offline gazetteer; try a larger town nearby, or coordinates.")
