"""``geor-desktop``: the Geo-R desktop app.

    geor-desktop [FOLDER_OR_PHOTO ...] [--model M] [--quit-when-done [--write-confident]]

Folders and photos on the command line (or dropped on the window, or opened from the File menu)
become jobs. ``--quit-when-done`` processes them and quits with a one-line summary per job: the
same app, scriptable, and what the installer's smoke test runs. ``--write-confident`` then does
what Accept Confident and Write do in the window: the confident proposals are written (through
the bundled ExifTool, journaled, undoable) and a line per job says how many.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def resource(name: str) -> Path:
    return Path(__file__).with_name("resources") / name


def main(argv: list[str] | None = None) -> int:
    from geor.engine import __version__
    from geor.engine.blas_threads import one_blas_thread

    one_blas_thread()

    parser = argparse.ArgumentParser(prog="geor-desktop", description="Geo-R: place photos on the map, review, write GPS into them.")
    parser.add_argument("paths", nargs="*", type=Path, metavar="FOLDER_OR_PHOTO", help="folders or photos to open as jobs")
    parser.add_argument("--version", action="version", version=f"geor-desktop {__version__}")
    parser.add_argument("--model", help="the model for this session (a .gguf file, a model folder or an installed name); not saved")
    parser.add_argument("--quit-when-done", action="store_true", help="process the given folders, print a summary per job, quit")
    parser.add_argument("--write-confident", action="store_true",
                        help="with --quit-when-done: accept the confident proposals and write them, as Accept Confident + Write do")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from . import dialogs
    from .error_edge import install_excepthook
    from .main_window import FileOpenForwarder, MainWindow
    from .settings import APPLICATION, ORGANISATION, load_settings

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource("geor.svg"))))
    qsettings = QSettings(ORGANISATION, APPLICATION)
    settings = load_settings(qsettings)
    if args.model:
        settings = settings.with_model(args.model)
    if args.write_confident and not args.quit_when_done:
        parser.error("--write-confident works with --quit-when-done")
    if args.quit_when_done:
        dialogs.HEADLESS = True
        if not args.paths:
            parser.error("--quit-when-done needs folders or photos to process")
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"{missing[0]}: no such file or folder")
    window = MainWindow(settings, qsettings)
    install_excepthook(lambda title, text: dialogs.error(window, title, text))  # a bug in a slot: logged, shown as a bug
    window.closed.connect(app.quit)
    app.installEventFilter(FileOpenForwarder(window))  # macOS: folders dropped on the Dock icon, "Open With > Geo-R"
    window.show()
    if args.quit_when_done or os.environ.get("GEOR_REPORT_STARTUP"):  # the start-up time, for scripts and the installer's smoke test
        QTimer.singleShot(0, lambda: print(f"geor-desktop: window ready after {time.perf_counter() - STARTED:.2f} s", flush=True))
    if args.paths:
        QTimer.singleShot(0, lambda: window.add_paths(args.paths))
    outcome = {"code": 0}
    if args.quit_when_done:
        def finish() -> None:
            jobs = [job for job in window.queue.jobs if not job.earlier]  # this run's jobs, not those of earlier sessions
            if any(job.busy for job in jobs) or window.queue.tasks.busy():
                return
            for job in jobs:
                statuses: dict[str, int] = {}
                for view in job.views:
                    statuses[view.status] = statuses.get(view.status, 0) + 1
                summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) or "no photos"
                print(f"{job.root}: {job.state}: {summary}" + (f" ({job.error})" if job.error else ""), flush=True)
                if job.state != "ready for review":
                    outcome["code"] = 1
                elif args.write_confident:
                    written, failed = write_confident(job.path, settings.sidecar)
                    print(f"{job.root}: written {written}, failed {len(failed)}", flush=True)
                    for line in failed:
                        print(f"  {line}", flush=True)
                    if failed:
                        outcome["code"] = 1
            window.close()

        window.queue.idle.connect(lambda: QTimer.singleShot(200, finish))
    app.exec()
    return outcome["code"]


def write_confident(store_path: Path, sidecar: bool) -> tuple[int, list[str]]:
    """Accept a job's confident proposals and write them: (files written, failures)."""
    from geor.engine.pipeline import JobStore, set_verdict, write_accepted
    from geor.engine.pipeline.review import confident_proposals
    from geor.engine.pipeline.vocabulary import Verdict

    store = JobStore(store_path)
    try:
        set_verdict(store, confident_proposals(store), Verdict.ACCEPTED)
        summary = write_accepted(store, sidecar)
        return summary.written, summary.failed
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
