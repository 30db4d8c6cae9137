"""The desktop's side of the error contract: the user's errors as they are, a bug as a bug with its log."""

import sys

from geor.desktop.error_edge import describe, install_excepthook
from geor.desktop.workers import TaskRunner
from geor.engine.errors import BadInput


def test_a_user_error_is_shown_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_LOG_DIR", str(tmp_path / "logs"))
    assert describe(BadInput("trip.gpx: line 3: not a time")) == "trip.gpx: line 3: not a time"
    assert describe(FileNotFoundError(2, "No such file or directory", "/photos/a.jpg")) == "/photos/a.jpg: No such file or directory"
    assert not (tmp_path / "logs").exists()  # nothing to report


def test_a_bug_says_it_is_one_and_where_its_traceback_is(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_LOG_DIR", str(tmp_path / "logs"))
    try:
        {}["key"]
    except KeyError as exc:
        message = describe(exc)
    log = tmp_path / "logs" / "geor-desktop.log"
    assert "bug in Geo-R" in message and "KeyError" in message and str(log) in message
    assert "Traceback" in log.read_text() and "test_a_bug_says_it_is_one" in log.read_text()


def test_a_task_that_hits_a_bug_reports_it_as_a_bug(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_LOG_DIR", str(tmp_path / "logs"))
    runner = TaskRunner()
    errors: list[str] = []

    def buggy():
        raise ValueError("operands could not be broadcast together")  # a ValueError is not the user's fault by itself

    runner.run(buggy, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "bug in Geo-R" in errors[0] and "ValueError" in errors[0]
    runner.run(lambda: (_ for _ in ()).throw(BadInput("x.jpg: not a photo")), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=10_000)
    assert errors[1] == "x.jpg: not a photo"


def test_an_exception_escaping_a_slot_becomes_a_dialog(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    shown: list[tuple[str, str]] = []
    install_excepthook(lambda title, text: shown.append((title, text)))
    try:
        raise RuntimeError("slot failed")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    try:
        raise BadInput("a.gpx: empty")
    except BadInput as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert shown[0][0] == "Geo-R hit a bug" and "RuntimeError: slot failed" in shown[0][1]
    assert shown[1] == ("Geo-R could not do that", "a.gpx: empty")


def test_a_job_that_hits_a_bug_says_so_and_where_the_log_is(qtbot, make_window, tmp_path, dialogs, monkeypatch):
    from geor.engine.pipeline import tag_request

    from ..helpers.desktop_photos import photo_folder

    monkeypatch.setenv("GEOR_LOG_DIR", str(tmp_path / "logs"))

    def bug(*args, **kwargs):
        raise KeyError("planted by the test")

    monkeypatch.setattr(tag_request, "assemble_tag_job", bug)
    window = make_window()
    window.add_paths([photo_folder(tmp_path)])
    qtbot.waitUntil(lambda: window.job is not None and window.job.state == "failed", timeout=60000)
    title, text = next((t, x) for k, t, x in dialogs.shown if k == "error")
    assert "bug in Geo-R" in text and "KeyError" in text and str(tmp_path / "logs" / "geor-desktop.log") in text
    assert "Fix the cause" not in text  # a bug is not the user's to fix
    assert "planted by the test" in (tmp_path / "logs" / "geor-desktop.log").read_text()
