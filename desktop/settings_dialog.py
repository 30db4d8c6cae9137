"""Settings: the model (a file, a folder, or a registry model to download, with progress), where it
runs, how locations are written, the time window, and GPX track logs."""

from __future__ import annotations

import dataclasses
import threading
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
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .settings import DEVICES, AppSettings
from .workers import TaskRunner


class DownloadCancelled(Exception):
    pass


class _DownloadSignals(QObject):
    progress = Signal(str, int, object)  # file, bytes done, bytes total (None: unknown)


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Geo-R settings")
        self.setMinimumWidth(640)
        self.settings = dataclasses.replace(settings, gpx_files=list(settings.gpx_files))
        self.tasks = TaskRunner(1, self)
        self._cancel = threading.Event()
        self._signals = _DownloadSignals(self)
        self._signals.progress.connect(self._download_progress)

        # model
        self.model = QLineEdit(settings.model)
        self.model.setPlaceholderText("no model: place photos from their GPS, GPX tracks and neighbours only")
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
        self.download_status = QLabel()
        self.download_status.setWordWrap(True)
        registry_buttons = QHBoxLayout()
        registry_buttons.addWidget(self.download)
        registry_buttons.addWidget(self.use)
        registry_buttons.addWidget(self.cancel_download)
        registry_buttons.addWidget(self.progress, 1)
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addLayout(model_row)
        model_layout.addWidget(QLabel("Or download one (the only time Geo-R uses the network):"))
        model_layout.addWidget(self.registry)
        model_layout.addLayout(registry_buttons)
        model_layout.addWidget(self.download_status)

        # running
        self.device = QComboBox()
        self.device.addItems(["auto (CUDA when available)", "CPU", "CUDA"])
        self.device.setCurrentIndex(DEVICES.index(settings.device))
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("all cores")
        self.threads.setValue(settings.threads)
        run_box = QGroupBox("Running")
        run_form = QFormLayout(run_box)
        run_form.addRow("Device", self.device)
        run_form.addRow("CPU threads", self.threads)

        # writing
        self.in_place = QRadioButton("Into the photos (XMP sidecar for formats that cannot take it safely)")
        self.sidecar = QRadioButton("Always into XMP sidecars beside the photos (photos never change)")
        group = QButtonGroup(self)
        group.addButton(self.in_place)
        group.addButton(self.sidecar)
        (self.sidecar if settings.sidecar else self.in_place).setChecked(True)
        self.overwrite = QCheckBox("Replace GPS a photo already has")
        self.overwrite.setChecked(settings.overwrite)
        write_box = QGroupBox("Writing locations")
        write_layout = QVBoxLayout(write_box)
        write_layout.addWidget(self.in_place)
        write_layout.addWidget(self.sidecar)
        write_layout.addWidget(self.overwrite)

        # placing
        self.window = QDoubleSpinBox()
        self.window.setRange(0.0, 24 * 60.0)
        self.window.setSuffix(" min")
        self.window.setValue(settings.window_min)
        self.min_confidence = QDoubleSpinBox()
        self.min_confidence.setRange(0.0, 1.0)
        self.min_confidence.setSingleStep(0.05)
        self.min_confidence.setValue(settings.min_confidence)
        self.utc_offset = QLineEdit(settings.camera_utc_offset)
        self.utc_offset.setPlaceholderText("e.g. +09:00 (only for photos whose EXIF has no time zone)")
        self.gpx = QListWidget()
        self.gpx.addItems(settings.gpx_files)
        self.gpx.setMaximumHeight(70)
        add_gpx = QPushButton("Add GPX…")
        add_gpx.clicked.connect(self._add_gpx)
        remove_gpx = QPushButton("Remove")
        remove_gpx.clicked.connect(lambda: [self.gpx.takeItem(self.gpx.row(i)) for i in self.gpx.selectedItems()])
        gpx_buttons = QHBoxLayout()
        gpx_buttons.addWidget(add_gpx)
        gpx_buttons.addWidget(remove_gpx)
        gpx_buttons.addStretch(1)
        place_box = QGroupBox("Placing photos")
        place_form = QFormLayout(place_box)
        place_form.addRow("Take the position of GPS-tagged photos within", self.window)
        place_form.addRow("Ask for review below confidence", self.min_confidence)
        place_form.addRow("GPX track logs", self.gpx)
        place_form.addRow("", gpx_buttons)
        place_form.addRow("Camera clock's UTC offset", self.utc_offset)

        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(run_box)
        left.addWidget(write_box)
        columns.addLayout(left)
        columns.addWidget(place_box)
        layout.addLayout(columns)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._load_registry()

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
        return self.registry.item(row, 0).text(), self.registry.item(row, 1).data(Qt.ItemDataRole.UserRole)

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

    def _add_gpx(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add GPX track logs", "", "GPX files (*.gpx);;All files (*)")
        known = {self.gpx.item(i).text() for i in range(self.gpx.count())}
        self.gpx.addItems([p for p in paths if p not in known])

    def result_settings(self) -> AppSettings:
        return AppSettings(
            model=self.model.text().strip(), device=DEVICES[self.device.currentIndex()], threads=self.threads.value(),
            write_mode="sidecar" if self.sidecar.isChecked() else "in-place", overwrite=self.overwrite.isChecked(),
            window_min=self.window.value(), min_confidence=self.min_confidence.value(),
            gpx_files=[self.gpx.item(i).text() for i in range(self.gpx.count())], max_tokens=self.settings.max_tokens,
            max_pixels=self.settings.max_pixels, camera_utc_offset=self.utc_offset.text().strip(),
        )

    def _accept(self) -> None:
        settings = self.result_settings()
        problems = settings.problems()
        if problems:
            self.problem.setText("; ".join(problems))
            return
        self._cancel.set()
        self.tasks.wait(5000)
        self.settings = settings
        self.accept()

    def reject(self) -> None:
        self._cancel.set()
        super().reject()

