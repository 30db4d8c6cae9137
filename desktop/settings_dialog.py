"""Settings, in tabs: the model (a file, a folder, or a registry model to download, with progress)
and where it runs; how locations are written and the privacy zones; how photos are placed (track
files, camera clocks, the interpolation policy and the plausibility checks: the numbers geor tag
takes as options)."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import fields
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from geor.engine.placement import MODES, PrivacyError, PrivacyRules, load_rules, parse_zone, save_rules
from geor.engine.placement.policy import PlacementPolicy

from . import palette
from .settings import DEVICES, AppSettings
from .workers import TaskRunner

#: a policy number's unit, from the end of its name: the spin box's suffix and its largest value
UNITS = {"m": (" m", 1_000_000.0), "min": (" min", 7 * 24 * 60.0), "kmh": (" km/h", 5000.0), "km": (" km", 20_000.0)}


def _item_text(item: QTableWidgetItem | None) -> str:
    return item.text().strip() if item is not None else ""


class DownloadCancelled(Exception):
    pass


class _DownloadSignals(QObject):
    progress = Signal(str, int, object)  # file, bytes done, bytes total (None: unknown)


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Geo-R settings")
        self.setMinimumWidth(640)
        self.settings = settings  # frozen options: nothing the dialog does changes them
        try:
            self.privacy = load_rules()
            privacy_problem = ""
        except PrivacyError as exc:
            self.privacy, privacy_problem = PrivacyRules(), str(exc)
        self.tasks = TaskRunner(1, self)
        self._cancel = threading.Event()
        self._signals = _DownloadSignals(self)
        self._signals.progress.connect(self._download_progress)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_model_tab(settings), "Model")
        self.tabs.addTab(self._build_placing_box(settings), "Placing")
        self.tabs.addTab(self._build_writing_tab(settings), "Writing and privacy")
        self.problem = QLabel(privacy_problem)
        self.problem.setStyleSheet(palette.ERROR_LABEL)
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._load_registry()

    # -- building: one method per group of the tabs ------------------------------------------------

    def _build_model_tab(self, settings: AppSettings) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self._build_model_box(settings))
        layout.addWidget(self._build_running_box(settings))
        return tab

    def _build_model_box(self, settings: AppSettings) -> QGroupBox:
        """The model: a file or folder, or one of the registry's, downloaded here."""
        self.model = QLineEdit(settings.model.model)
        self.model.setPlaceholderText("no model: place photos from their GPS, other photos' GPS and tracks only")
        choose_file = QPushButton("File…")
        choose_file.clicked.connect(self._choose_model_file)
        choose_folder = QPushButton("Folder…")
        choose_folder.clicked.connect(self._choose_model_folder)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(choose_file)
        model_row.addWidget(choose_folder)
        self.registry = QTableWidget(0, 3)
        self.registry.setHorizontalHeaderLabels(["Model", "Status", "About"])
        self.registry.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.registry.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.registry.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.registry.horizontalHeader().setStretchLastSection(True)
        self.registry.verticalHeader().setVisible(False)
        self.registry.setMaximumHeight(130)
        self.registry.itemSelectionChanged.connect(self._registry_selected)
        self.download_status = QLabel()
        self.download_status.setWordWrap(True)
        box = QGroupBox("Model")
        layout = QVBoxLayout(box)
        layout.addLayout(model_row)
        layout.addWidget(QLabel("Or download one (the only time Geo-R uses the network):"))
        layout.addWidget(self.registry)
        layout.addLayout(self._build_download_row())
        layout.addWidget(self.download_status)
        return box

    def _build_download_row(self) -> QHBoxLayout:
        """Download (or resume), use, cancel a registry model, and the download's progress."""
        self.download = QPushButton("Download")
        self.download.setEnabled(False)
        self.download.clicked.connect(self._start_download)
        self.use = QPushButton("Use")
        self.use.setEnabled(False)
        self.use.clicked.connect(self._use_registry_model)
        self.cancel_download = QPushButton("Cancel download")
        self.cancel_download.setVisible(False)
        self.cancel_download.clicked.connect(self._cancel.set)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.download)
        row.addWidget(self.use)
        row.addWidget(self.cancel_download)
        row.addWidget(self.progress, 1)
        return row

    def _build_running_box(self, settings: AppSettings) -> QGroupBox:
        self.device = QComboBox()
        self.device.addItems(["auto (CUDA when available)", "CPU", "CUDA"])
        self.device.setCurrentIndex(DEVICES.index(settings.model.device))
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("all cores")
        self.threads.setValue(settings.model.threads or 0)
        self.per_scene = QSpinBox()
        self.per_scene.setRange(0, 50)
        self.per_scene.setSpecialValueText("every photo")
        self.per_scene.setSuffix(" photos")
        self.per_scene.setToolTip("Photos of one camera taken close in time that look alike are one scene: the model sees up to this many "
                                  "of its most distinct photos and every photo of the scene gets their pooled answer")
        self.per_scene.setValue(settings.model.per_scene)
        box = QGroupBox("Running")
        form = QFormLayout(box)
        form.addRow("Device", self.device)
        form.addRow("CPU threads", self.threads)
        form.addRow("Ask per scene about", self.per_scene)
        return box

    def _build_writing_tab(self, settings: AppSettings) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self._build_writing_box(settings))
        layout.addWidget(self._build_privacy_box())
        return tab

    def _build_writing_box(self, settings: AppSettings) -> QGroupBox:
        self.in_place = QRadioButton("Into the photos (XMP sidecar for formats that cannot take it safely)")
        self.sidecar = QRadioButton("Always into XMP sidecars beside the photos (photos never change)")
        group = QButtonGroup(self)
        group.addButton(self.in_place)
        group.addButton(self.sidecar)
        (self.sidecar if settings.options.sidecar else self.in_place).setChecked(True)
        self.overwrite = QCheckBox("Replace GPS a photo already has")
        self.overwrite.setChecked(settings.options.overwrite)
        box = QGroupBox("Writing locations")
        layout = QVBoxLayout(box)
        layout.addWidget(self.in_place)
        layout.addWidget(self.sidecar)
        layout.addWidget(self.overwrite)
        return box

    def _build_privacy_box(self) -> QGroupBox:
        """The privacy zones (from the user's config, shared with geor tag) and what happens inside them."""
        self.zones = QTableWidget(0, 4)
        self.zones.setHorizontalHeaderLabels(["Name", "Latitude", "Longitude", "Radius (m)"])
        self.zones.horizontalHeader().setStretchLastSection(True)
        self.zones.verticalHeader().setVisible(False)
        self.zones.setMaximumHeight(140)
        for zone in self.privacy.zones:
            self._add_zone_row(zone.name, zone.lat, zone.lon, zone.radius_m)
        add_zone = QPushButton("Add zone")
        add_zone.clicked.connect(lambda: self._add_zone_row("home", 0.0, 0.0, 500.0))
        remove_zone = QPushButton("Remove")
        remove_zone.clicked.connect(self._remove_selected_zones)
        zone_buttons = QHBoxLayout()
        zone_buttons.addWidget(add_zone)
        zone_buttons.addWidget(remove_zone)
        zone_buttons.addStretch(1)
        box = QGroupBox("Privacy zones: positions inside them are never written exactly")
        layout = QVBoxLayout(box)
        layout.addWidget(self.zones)
        layout.addLayout(zone_buttons)
        layout.addLayout(self._build_privacy_form())
        return box

    def _remove_selected_zones(self) -> None:
        for row in sorted({i.row() for i in self.zones.selectedIndexes()}, reverse=True):
            self.zones.removeRow(row)

    def _build_privacy_form(self) -> QFormLayout:
        self.privacy_mode = QComboBox()
        self.privacy_mode.addItems(["Coarsen the position", "Write no position"])
        self.privacy_mode.setCurrentIndex(MODES.index(self.privacy.mode))
        self.privacy_decimals = QSpinBox()
        self.privacy_decimals.setRange(0, 4)
        self.privacy_decimals.setSuffix(" decimals")
        self.privacy_decimals.setToolTip("2 decimals: about 1 km; 1: about 10 km")
        self.privacy_decimals.setValue(self.privacy.decimals)
        self.privacy_names = QCheckBox("Write place names (city, region, country) inside a zone")
        self.privacy_names.setChecked(self.privacy.names)
        form = QFormLayout()
        form.addRow("Inside a zone", self.privacy_mode)
        form.addRow("Coarsen to", self.privacy_decimals)
        form.addRow("", self.privacy_names)
        return form

    def _build_placing_box(self, settings: AppSettings) -> QGroupBox:
        """How photos are placed: tracks, camera clocks, the interpolation policy, the checks."""
        self.window_min = QDoubleSpinBox()  # not self.window: that would hide QWidget.window()
        self.window_min.setRange(0.0, 24 * 60.0)
        self.window_min.setSuffix(" min")
        self.window_min.setValue(settings.options.window_min)
        self.min_confidence = QDoubleSpinBox()
        self.min_confidence.setRange(0.0, 1.0)
        self.min_confidence.setSingleStep(0.05)
        self.min_confidence.setValue(settings.options.min_confidence)
        self.policy_fields = self._build_policy_fields(settings)
        box = QGroupBox("Placing photos")
        form = QFormLayout(box)
        self._add_track_and_clock_rows(form, settings)
        for spec in fields(PlacementPolicy):  # a row per number, labelled and explained where the policy declares it
            form.addRow(spec.metadata["label"], self.policy_fields[spec.name])
        form.addRow("Ask for review below confidence", self.min_confidence)
        form.addRow("Scenes and copy to neighbours: taken within", self.window_min)
        return box

    def _add_track_and_clock_rows(self, form: QFormLayout, settings: AppSettings) -> None:
        """The track files, and the camera clocks: worked out, set by hand, or an offset for the rest."""
        self.tracks = QListWidget()
        self.tracks.addItems(list(settings.options.tracks))
        self.tracks.setMaximumHeight(70)
        add_track = QPushButton("Add tracks…")
        add_track.clicked.connect(self._add_tracks)
        remove_track = QPushButton("Remove")
        remove_track.clicked.connect(lambda: [self.tracks.takeItem(self.tracks.row(i)) for i in self.tracks.selectedItems()])
        track_buttons = QHBoxLayout()
        track_buttons.addWidget(add_track)
        track_buttons.addWidget(remove_track)
        track_buttons.addStretch(1)
        self.infer_clocks = QCheckBox("Work out each camera's clock from the other devices' photos and the tracks")
        self.infer_clocks.setChecked(settings.options.infer_clocks)
        self.clocks = QPlainTextEdit("\n".join(settings.options.clocks))
        self.clocks.setPlaceholderText("one camera per line, e.g.\nNIKON Z 6=+01:03:27")
        self.clocks.setMaximumHeight(60)
        self.utc_offset = QLineEdit(settings.options.tz or "")
        self.utc_offset.setPlaceholderText("e.g. +09:00, for cameras nothing else tells about")
        form.addRow("Track files", self.tracks)
        form.addRow("", track_buttons)
        form.addRow("", self.infer_clocks)
        form.addRow("Camera clocks set by hand", self.clocks)
        form.addRow("Other cameras' UTC offset", self.utc_offset)

    @staticmethod
    def _build_policy_fields(settings: AppSettings) -> dict[str, QDoubleSpinBox]:
        """The interpolation policy's and the plausibility checks' numbers (PlacementPolicy's fields),
        each with the unit its name ends in and the help it is declared with as tooltip."""
        boxes: dict[str, QDoubleSpinBox] = {}
        for spec in fields(PlacementPolicy):
            unit = spec.name.rsplit("_", 1)[-1]
            suffix, top = UNITS[unit]
            box = QDoubleSpinBox()
            box.setRange(0.0, top)
            box.setDecimals(1 if unit == "min" else 0)
            box.setSuffix(suffix)
            box.setValue(getattr(settings.options.policy, spec.name))
            box.setToolTip(spec.metadata["help"])
            boxes[spec.name] = box
        return boxes

    # -- model ------------------------------------------------------------------------------------

    def _choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model.setText(path)

    def _choose_model_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a model folder (GGUF, ONNX or checkpoint)")
        if path:
            self.model.setText(path)

    def _load_registry(self) -> None:
        from geor.engine.models import registry

        def rows() -> list[tuple[str, str, str]]:
            return [(m.name, registry.status(m.name), f"{m.description} · {m.licence}") for m in registry.registry().values()]

        def show(found: list[tuple[str, str, str]]) -> None:
            self.registry.setRowCount(len(found))
            labels = {"installed": "installed", "partial": "partly downloaded", "absent": "not downloaded"}
            for row, (name, status, about) in enumerate(found):
                status_item = QTableWidgetItem(labels.get(status, status))
                status_item.setData(Qt.ItemDataRole.UserRole, status)
                about_item = QTableWidgetItem(about)
                about_item.setToolTip(about)
                for column, item in enumerate((QTableWidgetItem(name), status_item, about_item)):
                    self.registry.setItem(row, column, item)
            self.registry.resizeColumnsToContents()
            self._registry_selected()

        self.tasks.run(rows, show, lambda message: self.download_status.setText(f"The model registry could not be read: {message}"))

    def _selected_registry(self) -> tuple[str, str] | None:
        rows = self.registry.selectionModel().selectedRows() if self.registry.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        name, model = self.registry.item(row, 0), self.registry.item(row, 1)
        if name is None or model is None:
            return None
        return name.text(), model.data(Qt.ItemDataRole.UserRole)

    def _registry_selected(self) -> None:
        chosen = self._selected_registry()
        busy = self.cancel_download.isVisible()
        self.download.setEnabled(chosen is not None and chosen[1] != "installed" and not busy)
        self.use.setEnabled(chosen is not None and chosen[1] == "installed")
        if chosen is not None and chosen[1] == "partial":
            self.download.setText("Resume download")
        else:
            self.download.setText("Download")

    def _use_registry_model(self) -> None:
        chosen = self._selected_registry()
        if chosen is not None:
            self.model.setText(chosen[0])

    def _start_download(self) -> None:
        from geor.engine.models import registry

        chosen = self._selected_registry()
        if chosen is None:
            return
        name = chosen[0]
        self._cancel.clear()
        self.cancel_download.setVisible(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.download.setEnabled(False)
        self.download_status.setText(f"Downloading {name}…")

        def progress(file: str, done: int, total: int | None) -> None:
            if self._cancel.is_set():
                raise DownloadCancelled()
            self._signals.progress.emit(file, done, total)

        def pull() -> str:
            try:
                return str(registry.pull(name, progress))
            except DownloadCancelled:
                return ""

        def finished(folder: str) -> None:
            self.cancel_download.setVisible(False)
            self.progress.setVisible(False)
            if folder:
                self.download_status.setText(f"{name} is installed in {folder} and verified.")
                self.model.setText(name)
            else:
                self.download_status.setText(f"Download of {name} paused; choose Resume download to go on where it stopped.")
            self._load_registry()

        def failed(message: str) -> None:
            self.cancel_download.setVisible(False)
            self.progress.setVisible(False)
            self.download_status.setText(f"The download failed: {message}. What was downloaded is kept; try again to resume.")
            self._load_registry()

        self.tasks.run(pull, finished, failed)

    def _download_progress(self, file: str, done: int, total: Any) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.download_status.setText(f"{file}: {done / 2**20:,.0f} of {total / 2**20:,.0f} MiB")
        else:
            self.download_status.setText(f"{file}: {done / 2**20:,.0f} MiB")

    # -- the rest -----------------------------------------------------------------------------------

    def _add_tracks(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add track files", "",
            "Tracks (*.gpx *.kml *.kmz *.fit *.tcx *.geojson *.json *.nmea *.log *.csv *.txt);;All files (*)")
        known = {self.tracks.item(i).text() for i in range(self.tracks.count())}
        self.tracks.addItems([p for p in paths if p not in known])

    def _add_zone_row(self, name: str, lat: float, lon: float, radius_m: float) -> None:
        row = self.zones.rowCount()
        self.zones.insertRow(row)
        for column, value in enumerate((name, f"{lat:.6f}", f"{lon:.6f}", f"{radius_m:g}")):
            self.zones.setItem(row, column, QTableWidgetItem(value))

    def result_privacy(self) -> PrivacyRules:
        """The zones as typed; PrivacyError naming the first that cannot be one."""
        zones = []
        for row in range(self.zones.rowCount()):
            cells = [_item_text(self.zones.item(row, c)) for c in range(4)]
            text = ",".join([cells[1], cells[2], cells[3], *([cells[0]] if cells[0] else [])])
            zones.append(parse_zone(text))
        return PrivacyRules(tuple(zones), MODES[self.privacy_mode.currentIndex()], self.privacy_decimals.value(),
                            self.privacy_names.isChecked())

    def result_settings(self) -> AppSettings:
        """The settings as the dialog shows them (what it does not show, as they were)."""
        options = dataclasses.replace(
            self.settings.options, sidecar=self.sidecar.isChecked(), overwrite=self.overwrite.isChecked(), window_min=self.window_min.value(),
            min_confidence=self.min_confidence.value(), tracks=tuple(self.tracks.item(i).text() for i in range(self.tracks.count())),
            tz=self.utc_offset.text().strip() or None, clocks=tuple(line.strip() for line in self.clocks.toPlainText().splitlines() if line.strip()),
            infer_clocks=self.infer_clocks.isChecked(), policy=PlacementPolicy(**{name: box.value() for name, box in self.policy_fields.items()}))
        model = dataclasses.replace(self.settings.model, model=self.model.text().strip(), device=DEVICES[self.device.currentIndex()],
                                    threads=self.threads.value() or None, per_scene=self.per_scene.value())
        return AppSettings(options=options, model=model)

    def _accept(self) -> None:
        settings = self.result_settings()
        problems = settings.problems()
        try:
            privacy = self.result_privacy()
        except PrivacyError as exc:
            problems.append(str(exc))
        if problems:
            self.problem.setText("; ".join(problems))
            return
        try:
            save_rules(privacy)  # the user's config, shared with geor tag
        except OSError as exc:
            self.problem.setText(f"The privacy zones could not be saved: {exc}")
            return
        self._cancel.set()
        self.tasks.wait(5000)
        self.settings, self.privacy = settings, privacy
        self.accept()

    def reject(self) -> None:
        self._cancel.set()
        super().reject()

