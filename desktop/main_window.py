"""The main window: drop folders in, watch the jobs, review every proposed location on the map,
write the accepted ones. Widgets only show state and forward what the person does: the jobs and
their photos live in :class:`~.job_queue.JobQueue`, the work in :mod:`geor.engine` on worker threads."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QFileOpenEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from geor.engine.photos.formats import MEDIA_SUFFIXES
from geor.engine.pipeline.review_session import CannotApply, ReviewAction, ReviewSession, undone_words, written_words
from geor.engine.pipeline.vocabulary import Stage, Step, Verdict

from . import dialogs, palette
from .detail_panel import DetailPanel
from .job_queue import PAUSED, RESUMABLE, RUNNING, Job, JobQueue
from .map_view import prepare_map_data
from .model_on_request import ModelOnRequest
from .photo_table import FILTERS, PHOTO, PhotoTableModel
from .settings import AppSettings, save_settings
from .thumbnails import PreviewLoader, ThumbnailCache
from .workers import TaskRunner, shared_geocoder

#: The file dialog's filter: every photo and video a job reads (RAW and videos too), either case.
MEDIA_FILTER = ("Photos and videos (" + " ".join(f"*{suffix} *{suffix.upper()}" for suffix in sorted(MEDIA_SUFFIXES))
                + ");;All files (*)")


class FileOpenForwarder(QObject):
    """macOS delivers folders dropped on the Dock icon (and "Open With") as FileOpen events."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent) and event.file():
            self.window.add_paths([Path(event.file())])
            return True
        return False


class DropArea(QWidget):
    """The empty state: what to do first."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Drop a folder of photos here")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet(palette.DROP_TITLE)
        text = QLabel("Geo-R reads each photo's time and GPS, works out every camera's clock, places the others from "
                      "the GPS photos of every device taken at the same moment, from your tracks and, when a model is "
                      "set, from what the photo shows. You review every proposal on "
                      "the map before anything is written. Nothing leaves this computer.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setStyleSheet(palette.DROP_TEXT)
        text.setMinimumHeight(text.fontMetrics().lineSpacing() * 5)  # a wrapped label in a box gets one line otherwise
        button = QPushButton("Open Folder…")
        button.setMinimumWidth(160)
        button.clicked.connect(self.open_requested)
        box = QWidget()
        box.setFixedWidth(660)
        box.setObjectName("dropBox")
        box.setStyleSheet(palette.DROP_BOX)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(48, 40, 48, 40)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    #: the window has closed for good (at once, or hidden first while a photo finished); the app
    #: quits on it, since Qt's "last window closed" does not fire for a window that was hidden
    closed = Signal()

    def __init__(self, settings: AppSettings, qsettings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Geo-R")
        self.setAcceptDrops(True)
        self.qsettings = qsettings
        self.settings = settings
        self.queue = JobQueue(settings, self)
        self.tasks = TaskRunner(2, self)
        self.thumbnails = ThumbnailCache(parent=self)
        self.previews = PreviewLoader(parent=self)
        self.job: Job | None = None
        self._listed: list[Job] = []
        self._search: Any = None
        self._closing = False
        self.model_on_request = ModelOnRequest()

        self.actions_by_name = self._make_actions()
        self._make_menus()
        self._make_widgets()
        self._connect()
        self._update_actions()
        self.resize(1280, 800)
        if qsettings is not None and qsettings.contains("window/geometry"):
            self.restoreGeometry(QByteArray(qsettings.value("window/geometry")))
        freeze_long_lived_objects()
        self.queue.load_earlier_jobs()
        self._prepare_geocoder_and_map()

    # -- building ---------------------------------------------------------------------------------

    def _make_actions(self) -> dict[str, QAction]:
        specs: dict[str, tuple[str, str | QKeySequence.StandardKey | None, Callable[[], object]]] = {
            "open": ("&Open Folder…", QKeySequence.StandardKey.Open, self.open_folder),
            "open_files": ("Add &Photos…", "Ctrl+Shift+O", self.open_files),
            "settings": ("&Settings…", QKeySequence.StandardKey.Preferences, self.edit_settings),
            "quit": ("&Quit", QKeySequence.StandardKey.Quit, self.close),
            "accept": ("&Accept", "A", lambda: self.set_verdict(Verdict.ACCEPTED)),
            "reject": ("&Reject", "R", lambda: self.set_verdict(Verdict.REJECTED)),
            "clear": ("C&lear Verdict", "Backspace", lambda: self.set_verdict(None)),
            "accept_confident": ("Accept All &Confident Proposals", "Ctrl+Shift+A", self.accept_confident),
            "next": ("&Next", "N", lambda: self.step(1)),
            "previous": ("&Previous", "P", lambda: self.step(-1)),
            "pick": ("Place on &Map", "M", self.toggle_picking),
            "copy_neighbours": ("Copy to Neighbours in Time", "Ctrl+Shift+C", self.copy_to_neighbours),
            "copy_selection": ("Copy to &Selection", "Ctrl+Shift+V", self.copy_to_selection),
            "ask_model": ("As&k the Model About This Photo", "K", self.ask_model),
            "write": ("&Write Locations…", QKeySequence.StandardKey.Save, self.write),
            "undo": ("&Undo Last Write…", QKeySequence.StandardKey.Undo, self.undo_last_write),
            "pause": ("Pa&use Job", None, self.pause_job),
            "resume": ("Res&ume Job", None, self.resume_job),
            "cancel": ("&Cancel Job", None, self.cancel_job),
            "about": ("&About Geo-R", None, self.about),
        }
        actions = {}
        for name, (text, shortcut, slot) in specs.items():
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, slot=slot: slot())
            actions[name] = action
        actions["pick"].setCheckable(True)
        tips = {
            "accept": "Accept the proposed location (A); it is written with the next Write",
            "reject": "Reject the proposal (R); nothing is written for this photo",
            "pick": "Click on the map to place the selected photos (M)",
            "copy_neighbours": "Give this photo's location to the photos of its folder taken within the time window",
            "ask_model": "Ask the model about the selected photos each on its own, instead of their scene's pooled answer (K)",
            "write": "Write the accepted locations into the photos (or sidecars)",
            "accept_confident": "Accept every proposal confident enough to need no review (other photos' GPS, tracks, confident model answers)",
        }
        for name, tip in tips.items():
            actions[name].setToolTip(tip)
            actions[name].setStatusTip(tip)
        return actions

    def _make_menus(self) -> None:
        a = self.actions_by_name
        menus: dict[str, list[str | None]] = {
            "&File": ["open", "open_files", None, "settings", None, "quit"],
            "&Review": ["accept", "reject", "clear", "accept_confident", None, "next", "previous", None, "pick", "copy_neighbours", "copy_selection",
                        None, "ask_model"],
            "&Photos": ["write", "undo", None, "pause", "resume", "cancel"],
            "&Help": ["about"],
        }
        for title, names in menus.items():
            menu = self.menuBar().addMenu(title)
            for name in names:
                if name is None:
                    menu.addSeparator()
                else:
                    menu.addAction(a[name])
        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("open", "settings", None, "write", "undo"):
            if name is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(a[name])
        self.addToolBar(toolbar)

    def _make_widgets(self) -> None:
        self.drop_area = DropArea()
        self.drop_area.open_requested.connect(self.open_folder)
        left = self._build_jobs_and_photos()
        self.detail = DetailPanel(self.actions_by_name)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([740, 540])

        self.stack = QStackedWidget()
        self.stack.addWidget(self.drop_area)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)

    def _build_jobs_and_photos(self) -> QWidget:
        """The left side: the jobs, the selected job's state and controls, its photos with filter and search."""
        self.job_list = QListWidget()
        self.job_list.setMaximumHeight(84)
        self.job_progress = QProgressBar()
        self.job_progress.setTextVisible(True)
        self.job_state = QLabel()
        self.job_state.setStyleSheet(palette.SECONDARY_LABEL)
        self.table = self._build_photo_table()
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search file names and places")
        self.search.setClearButtonEnabled(True)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel("Show"))
        filter_row.addWidget(self.filter)
        filter_row.addWidget(self.search, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        jobs_title = QLabel("Jobs")
        jobs_title.setStyleSheet(palette.BOLD_LABEL)
        left_layout.addWidget(jobs_title)
        left_layout.addWidget(self.job_list)
        left_layout.addWidget(self.job_state)
        left_layout.addWidget(self.job_progress)
        left_layout.addLayout(self._build_job_buttons())
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.table, 1)
        return left

    def _build_job_buttons(self) -> QHBoxLayout:
        """Pause, resume, cancel: buttons that follow their actions' enabled state."""
        job_buttons = QHBoxLayout()
        for name in ("pause", "resume", "cancel"):
            button = QPushButton(self.actions_by_name[name].text().replace("&", ""))
            button.clicked.connect(self.actions_by_name[name].trigger)
            self.actions_by_name[name].changed.connect(lambda b=button, n=name: b.setEnabled(self.actions_by_name[n].isEnabled()))
            job_buttons.addWidget(button)
        job_buttons.addStretch(1)
        return job_buttons

    def _build_photo_table(self) -> QTableView:
        self.table_model = PhotoTableModel(self.thumbnails, self)
        table = QTableView()
        table.setModel(self.table_model)
        table.setSortingEnabled(True)
        table.sortByColumn(PHOTO, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(52)
        table.setIconSize(QSize(64, 48))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((190, 96, 126, 210, 80, 150)):
            table.setColumnWidth(column, width)
        return table

    def _connect(self) -> None:
        q = self.queue
        q.jobs_changed.connect(self._jobs_changed)
        q.job_updated.connect(self._job_updated)
        q.views_changed.connect(self._views_changed)
        q.error.connect(lambda title, text: dialogs.error(self, title, text))
        q.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        q.wrote.connect(self._wrote)
        q.write_progress.connect(self._write_progress)
        q.undid.connect(self._undid)
        self.job_list.currentRowChanged.connect(self._job_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.filter.currentTextChanged.connect(self.table_model.set_filter)
        self.search.textChanged.connect(self.table_model.set_text)
        self.detail.place_requested.connect(self.place_selected)
        self.detail.search_requested.connect(self._search_places)
        self.detail.map.picked.connect(lambda lat, lon: self.place_selected(lat, lon, "placed on the map"))
        self.previews.ready.connect(lambda path, image: self._preview_ready(path, image))
        self.previews.failed.connect(lambda path, message: self._preview_failed(path, message))

    def _prepare_geocoder_and_map(self) -> None:
        self.statusBar().showMessage("Opening the offline geocoder (the first start builds it: about a minute)…")

        def prepare() -> Any:
            return prepare_map_data(shared_geocoder().pack)

        def ready(data: Any) -> None:
            if not shiboken6.isValid(self.detail.map):  # the window closed before the map's data was ready (a first start builds it)
                return
            self.detail.map.set_data(data)
            freeze_long_lived_objects()  # the geocoder's and the map's
            self.statusBar().showMessage("Ready", 3000)

        def failed(message: str) -> None:
            if not shiboken6.isValid(self.detail.map):
                return
            self.detail.map.set_failed(message)
            dialogs.error(self, "The offline geocoder could not be opened", f"{message}\n\nPlace names and the map are unavailable; "
                          "reinstalling Geo-R restores its data.")

        self.tasks.run(prepare, ready, failed)

    # -- jobs -------------------------------------------------------------------------------------

    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos")
        if folder:
            self.add_paths([Path(folder)])

    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add photos", "", MEDIA_FILTER,
                                                options=QFileDialog.Option.HideNameFilterDetails)  # (a pattern per suffix and case: over a hundred)
        if files:
            self.add_paths([Path(f) for f in files])

    def add_paths(self, paths: list[Path]) -> None:
        """Folders become one job each; loose photos, one job per folder they are in (on them only)."""
        files_by_folder: dict[Path, list[Path]] = defaultdict(list)
        for path in paths:
            if path.is_dir():
                self.queue.add_folder(path)
            elif path.is_file():
                files_by_folder[path.parent].append(path)
            else:
                dialogs.error(self, "Cannot open this", f"{path}: no such file or folder.")
        for folder, files in files_by_folder.items():
            self.queue.add_files(folder, files)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def _jobs_changed(self) -> None:
        """Jobs were added (the newest one added is shown) or listed from earlier sessions."""
        jobs = self.queue.jobs
        added = [job for job in jobs if job not in self._listed]
        self._listed = list(jobs)
        self.job_list.blockSignals(True)
        self.job_list.clear()
        for job in jobs:
            item = QListWidgetItem(self._job_text(job))
            item.setToolTip(job.root)
            self.job_list.addItem(item)
        self.job_list.blockSignals(False)
        self.stack.setCurrentIndex(1 if jobs else 0)
        if not jobs:
            return
        fresh = [job for job in added if job.busy]
        current = fresh[-1] if fresh else (self.job if self.job in jobs else jobs[0])
        index = jobs.index(current)
        self.job_list.setCurrentRow(index)
        self._job_selected(index)

    def _job_text(self, job: Job) -> str:
        text = f"{job.name} — {job.state}"
        if job.state in (RUNNING, PAUSED) and job.total:
            text += f" ({job.stage} {job.done}/{job.total})"
        return text

    def _job_updated(self, job: Job) -> None:
        if job in self.queue.jobs:
            item = self.job_list.item(self.queue.jobs.index(job))
            if item is not None:
                item.setText(self._job_text(job))
        if job is self.job:
            self._show_job_state()
        self._update_actions()

    def _job_selected(self, row: int) -> None:
        self.job = self.queue.jobs[row] if 0 <= row < len(self.queue.jobs) else None
        self._show_job_state()
        if self.job is not None:
            if self.job.loaded:
                self._views_changed(self.job)
            else:
                self.table_model.set_views([])
                self.queue.load_views(self.job)
        self._update_actions()

    def _show_job_state(self) -> None:
        job = self.job
        if job is None:
            self.job_state.setText("")
            self.job_progress.setVisible(False)
            return
        stage_names = {Step.SCAN: "finding photos", Step.READ: "reading metadata", Step.SCENES: "grouping scenes",
                       Step.MODEL: "asking the model", Step.DECIDE: "deciding",
                       "starting": "starting", Step.WRITE: "writing"}
        text = f"{job.root} — {job.state}"
        if job.state in (RUNNING, PAUSED):
            text += f": {stage_names.get(job.stage, job.stage)}"
        if job.error:
            text += f": {job.error}"
        self.job_state.setText(text)
        self.job_state.setToolTip(text)
        self.job_progress.setVisible(job.state in (RUNNING, PAUSED))
        self.job_progress.setRange(0, max(job.total, 1))
        self.job_progress.setValue(job.done if job.total else 0)
        self.job_progress.setFormat(f"{stage_names.get(job.stage, job.stage)} %v / %m")

    def pause_job(self) -> None:
        if self.job is not None:
            self.queue.pause(self.job)

    def resume_job(self) -> None:
        if self.job is not None:
            self.queue.resume(self.job)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.queue.cancel(self.job)

    # -- photos -----------------------------------------------------------------------------------

    def _views_changed(self, job: Job) -> None:
        if job is not self.job:
            return
        self.table_model.set_views(job.views)
        self.detail.map.set_points([(v.lat, v.lon, v.status) for v in job.views if v.lat is not None])
        if not self.table.selectionModel().hasSelection() and self.table_model.rowCount() > 0:
            self.table.selectRow(0)
        self._selection_changed(zoom=False)
        self._update_counts()

    def _update_counts(self) -> None:
        views = self.job.views if self.job is not None else []
        review = sum(v.status in ("needs review", "proposed") for v in views)
        writes = sum(v.will_write for v in views)
        errors = sum(v.stage == Stage.FAILED for v in views)
        parts = [f"{len(views)} photos", f"{review} to review", f"{writes} to write"]
        if errors:
            parts.append(f"{errors} unreadable")
        self.counts.setText("  ·  ".join(parts))

    def selected_views(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.table_model.view_at(r) for r in rows]

    def current_view(self) -> Any:
        index = self.table.selectionModel().currentIndex()
        if index.isValid():
            return self.table_model.view_at(index.row())
        selected = self.selected_views()
        return selected[0] if selected else None

    def _selection_changed(self, zoom: bool = True) -> None:
        selected = self.selected_views()
        view = self.current_view() if len(selected) <= 1 else None
        if len(selected) == 1:
            view = selected[0]
        previous = self.detail.view
        self.detail.show_view(view, len(selected), zoom=zoom or (previous is None or view is None or previous.id != view.id))
        if view is not None and (previous is None or previous.id != view.id):
            self.previews.request(view.path)
        self._update_actions()

    def _preview_ready(self, path: str, image: Any) -> None:
        if self.detail.view is not None and str(self.detail.view.path) == path:
            self.detail.set_preview(image)

    def _preview_failed(self, path: str, message: str) -> None:
        if self.detail.view is not None and str(self.detail.view.path) == path:
            self.detail.set_preview_error(message)

    def step(self, delta: int) -> None:
        rows = self.table_model.rowCount()
        if rows == 0:
            return
        current = self.table.selectionModel().currentIndex()
        row = min(max((current.row() if current.isValid() else -1) + delta, 0), rows - 1)
        index = self.table_model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                                     | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    # -- review actions ---------------------------------------------------------------------------

    def _ids(self) -> list[int]:
        return [v.id for v in self.selected_views()]

    def session(self) -> ReviewSession:
        """The review as the settings say it (engine/pipeline/review_session.py: no Qt there); the
        geocoder names a placed position on the review lane, never on the UI thread."""
        from geor.engine.pipeline.place_names import place_namer_for

        return ReviewSession(place_names=lambda positions: place_namer_for(shared_geocoder())(positions), window_min=self.settings.options.window_min,
                             sidecar=self.settings.sidecar)

    def _review(self, make: Callable[[ReviewSession], ReviewAction[Any]], busy: str = "Review", quiet: bool = False) -> bool:
        """Run the session's action on the job's review lane; say what it did, or why it cannot apply."""
        if self.job is None:
            return False
        try:
            action = make(self.session())
        except CannotApply as exc:
            dialogs.error(self, exc.title, str(exc))
            return False
        done = None if quiet else (lambda result: self.statusBar().showMessage(action.words(result), 6000))
        self.queue.review(self.job, action.work, done, busy)
        return True

    def set_verdict(self, verdict: str | None) -> None:
        ids = self._ids()
        if ids and self._review(lambda session: session.verdict(ids, verdict), quiet=True) and len(ids) == 1 and verdict is not None:
            self.step(1)  # the review loop: on to the next photo

    def accept_confident(self) -> None:
        self._review(lambda session: session.accept_confident())

    def toggle_picking(self) -> None:
        self.detail.map.set_picking(self.actions_by_name["pick"].isChecked())

    def place_selected(self, lat: float, lon: float, note: str) -> None:
        if self.job is None:
            dialogs.error(self, "No photo selected", "Select the photos to place first, then click on the map or type the position.")
            return
        ids = self._ids()
        self._review(lambda session: session.place(ids, lat, lon, note))

    def copy_to_neighbours(self) -> None:
        view = self.current_view()
        self._review(lambda session: session.copy_to_neighbours(view))

    def copy_to_selection(self) -> None:
        view, ids = self.current_view(), self._ids()
        self._review(lambda session: session.copy_to_selection(view, ids))

    def ask_model(self) -> None:
        """The model's own answer about each selected photo (the job asked about a few of each scene)."""
        if self.job is None:
            return
        ids = self._ids()
        request = self.settings.tag_request(Path(self.job.root)).options.model
        asker = self.model_on_request
        ask = (lambda store, chosen: asker.ask(store, chosen, request, shared_geocoder())) if request is not None else None

        def make(session: ReviewSession) -> ReviewAction[Any]:
            action = session.ask(ids, ask)
            self.statusBar().showMessage(f"Asking the model about {len(ids)} photo{'s' if len(ids) != 1 else ''}…")
            return action

        def answered(summary: Any, words: Callable[[Any], str]) -> None:
            self.statusBar().showMessage(words(summary), 8000)
            if summary.failures:
                dialogs.warning(self, "No usable answer", "\n".join(summary.failures[:20]))

        try:
            action = make(self.session())
        except CannotApply as exc:
            dialogs.error(self, exc.title, str(exc))
            return
        self.queue.review(self.job, action.work, lambda summary: answered(summary, action.words), "Asking the model")

    def _search_places(self, text: str) -> None:
        from geor.engine.geo.geocoder.place_search import PlaceSearch

        def find() -> list[Any]:
            if self._search is None:
                self._search = PlaceSearch(shared_geocoder())
            return self._search.find(text)

        self.tasks.run(find, self.detail.set_place_matches)

    # -- writing ----------------------------------------------------------------------------------

    def write(self) -> None:
        job = self.job
        if job is None:
            return
        try:
            question = self.session().write_question(job.views)
        except CannotApply as exc:
            dialogs.info(self, exc.title, str(exc))
            return
        if not dialogs.confirm(self, "Write locations", question):
            return
        self.statusBar().showMessage(f"Writing {sum(v.will_write for v in job.views)} locations…")
        self.queue.write(job)

    def _write_progress(self, job: Job, done: int, total: int) -> None:
        if job is self.job:
            self.job_progress.setVisible(done < total)
            self.job_progress.setRange(0, max(total, 1))
            self.job_progress.setValue(done)
            self.job_progress.setFormat("writing %v / %m")

    def _wrote(self, job: Job, summary: Any) -> None:
        self.job_progress.setVisible(False)
        text = written_words(summary)
        if summary.failed:
            dialogs.warning(self, "Write finished with problems", text)
        else:
            self.statusBar().showMessage(text + " Undo Last Write (Ctrl+Z) puts them back.", 10000)
            dialogs.info(self, "Locations written", text + "\n\nUndo Last Write (Ctrl+Z) puts the old values back.")
        self._update_actions()

    def undo_last_write(self) -> None:
        if self.job is None:
            return
        if not dialogs.confirm(self, "Undo last write", "Put back what the last write changed in the photos?"):
            return
        self.queue.undo_last_write(self.job)

    def _undid(self, job: Job, summary: Any) -> None:
        text = undone_words(summary)
        if summary is None:
            dialogs.info(self, "Nothing to undo", text)
        elif summary.skipped:
            dialogs.warning(self, "Undo finished with problems", text)
        else:
            dialogs.info(self, "Undone", text)

    # -- settings, about, state ---------------------------------------------------------------------

    def edit_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.apply_settings(dialog.settings)

    def apply_settings(self, settings: AppSettings) -> None:
        self.settings = settings
        self.queue.settings = settings
        if self.qsettings is not None:
            save_settings(settings, self.qsettings)
        model = settings.model.model or "none (photos' GPS and tracks only)"
        self.statusBar().showMessage(f"Settings saved; model: {model}. They apply to jobs started from now on.", 8000)

    def about(self) -> None:
        dialogs.about(self, self.settings)

    def _update_actions(self) -> None:
        a = self.actions_by_name
        job = self.job
        selected = self.table.selectionModel().hasSelection() if hasattr(self, "table") else False
        has_job = job is not None
        idle_job = job is not None and not job.busy
        for name in ("accept", "reject", "clear", "pick", "copy_neighbours"):
            a[name].setEnabled(has_job and selected)
        a["ask_model"].setEnabled(has_job and selected and bool(self.settings.model.model))
        a["copy_selection"].setEnabled(has_job and selected and len(self._ids()) > 1)
        a["accept_confident"].setEnabled(has_job)
        a["next"].setEnabled(has_job)
        a["previous"].setEnabled(has_job)
        a["write"].setEnabled(idle_job)
        a["undo"].setEnabled(idle_job)
        a["pause"].setEnabled(job is not None and job.state == RUNNING)
        a["resume"].setEnabled(job is not None and (job.state == PAUSED or job.state in RESUMABLE))
        a["cancel"].setEnabled(job is not None and job.busy)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.queue.running is not None and not self._closing:
            if not dialogs.confirm(self, "Quit Geo-R", "A job is running. Quit anyway? It stops after the current photo and "
                                   "resumes from there next time."):
                event.ignore()
                return
        if not self._closing and self.qsettings is not None:
            self.qsettings.setValue("window/geometry", self.saveGeometry())
        self._closing = True
        thread = self.queue.job_thread
        if not self.queue.shutdown(wait_ms=3000) and thread is not None:
            # a big model can take a minute on one photo: let it finish out of sight, then close for real
            self.hide()
            thread.finished.connect(self.close)
            event.ignore()
            return
        self.tasks.wait(5000)
        self.thumbnails.wait(5000)
        self.previews.wait(5000)
        self.model_on_request.close()
        event.accept()
        self.closed.emit()


def freeze_long_lived_objects() -> None:
    """Keep what is loaded by now (libraries, the geocoder, the map) out of the garbage collector's
    full scans: they live as long as the app, and a full scan holds the GIL for as long as it walks
    them (60 ms with the app's own heap, over 300 ms in a process that also holds torch), which
    freezes the window while a job allocates."""
    gc.freeze()
