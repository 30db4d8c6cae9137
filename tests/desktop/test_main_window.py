"""The whole review loop through the real window: drop a folder, the job runs on the tiny taught
model through llama.cpp, accept / reject / correct, write, check the files with an independent
reader, undo; cancel and resume; a damaged file; the event loop stays responsive."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from geor.desktop.job_queue import CANCELLED, INTERRUPTED, REVIEW

from ..helpers.desktop_photos import photo_folder
from ..helpers.desktop_views import select, views_by_name, wait_for_state
from ..helpers.photo_files import EXIFTOOL

pytestmark = pytest.mark.slow


@pytest.fixture
def model_settings(tiny_vlm):
    from tests.helpers.tiny_vlm import MAX_PIXELS

    return {"model": str(tiny_vlm.model), "threads": 2, "max_tokens": 64, "max_pixels": MAX_PIXELS}


def gps_of(path: Path) -> tuple[float, float] | None:
    """GPS as an independent reader sees it: exiftool when installed, else exiv2's raw tags."""
    if EXIFTOOL:
        import json
        import subprocess

        out = json.loads(subprocess.run([EXIFTOOL, "-j", "-n", "-GPSLatitude", "-GPSLongitude", str(path)],
                                        capture_output=True, text=True, check=True).stdout)[0]
        return (out["GPSLatitude"], out["GPSLongitude"]) if "GPSLatitude" in out else None
    import pyexiv2

    from geor.engine.photos.gps_tags import parse_exif_gps

    with pyexiv2.Image(str(path)) as handle:
        gps = parse_exif_gps(handle.read_exif())
    return None if gps is None else (gps[0], gps[1])


def drop(window, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_empty_window_says_what_to_do(make_window, dialogs):
    window = make_window()
    assert window.stack.currentWidget() is window.drop_area
    assert "Drop a folder of photos here" in [w.text() for w in window.drop_area.findChildren(type(window.counts))]
    assert not window.actions_by_name["write"].isEnabled()
    window.actions_by_name["about"].trigger()
    text = dialogs.shown[-1][2]
    assert "Natural Earth" in text and "GeoNames" in text and "llama-cpp-python" in text
    assert "国土数値情報" in text and "geoBoundaries" in text  # the municipal sources (issue 28)


def test_drop_review_write_and_undo(qtbot, make_window, dialogs, tmp_path, model_settings):
    folder = photo_folder(tmp_path, model_photos=3)
    original_pixels = (folder / "hokkaido_1.jpg").read_bytes()[-2000:]
    window = make_window(**model_settings)
    drop(window, [folder])
    wait_for_state(qtbot, window, REVIEW)
    views = views_by_name(window)
    assert window.stack.currentWidget() is window.splitter
    assert views["tokyo_1.jpg"].status == "has GPS"
    assert views["tokyo_2.jpg"].source == "interpolated"
    for name in ("hokkaido_1.jpg", "hokkaido_2.jpg", "hokkaido_3.jpg"):
        assert views[name].source == "model", views[name]
        assert (views[name].country, views[name].state) == ("Japan", "Hokkaido")
        assert views[name].model["checks"]["country"]["agrees"] is True
    assert views["damaged.jpg"].status == "error" and "cannot read" in views["damaged.jpg"].message

    # the detail panel shows the chain as steps, and the map the position
    select(window, "hokkaido_1.jpg")
    qtbot.waitUntil(lambda: window.detail.view is not None and window.detail.view.relpath == "hokkaido_1.jpg")
    assert "Hokkaido" in window.detail.chain.text() and "✓" in window.detail.chain.text()
    assert window.detail.map.marker is not None and abs(window.detail.map.marker[0] - views["hokkaido_1.jpg"].lat) < 1e-9
    qtbot.waitUntil(lambda: window.detail._image is not None, timeout=20000)

    # the review loop with the keyboard's actions: accept moves on to the next photo
    window.actions_by_name["accept"].trigger()
    qtbot.waitUntil(lambda: views_by_name(window)["hokkaido_1.jpg"].verdict == "accepted")
    qtbot.waitUntil(lambda: window.detail.view is not None and window.detail.view.relpath == "hokkaido_2.jpg")
    window.actions_by_name["reject"].trigger()
    qtbot.waitUntil(lambda: views_by_name(window)["hokkaido_2.jpg"].verdict == "rejected")
    select(window, "tokyo_2.jpg")
    window.actions_by_name["accept"].trigger()
    qtbot.waitUntil(lambda: views_by_name(window)["tokyo_2.jpg"].verdict == "accepted")
    # correct one by typing coordinates
    select(window, "hokkaido_3.jpg")
    window.detail.coordinates.setText("43.0621, 141.3544")
    window.detail.coordinates.returnPressed.emit()
    qtbot.waitUntil(lambda: views_by_name(window)["hokkaido_3.jpg"].source == "manual")
    corrected = views_by_name(window)["hokkaido_3.jpg"]
    assert corrected.city == "Sapporo" and corrected.verdict == "accepted"

    written_progress = []
    window.queue.write_progress.connect(lambda job, done, total: written_progress.append((done, total)))
    window.actions_by_name["write"].trigger()
    qtbot.waitUntil(lambda: any(title == "Locations written" for _, title, _ in dialogs.shown), timeout=30000)
    assert written_progress == [(1, 3), (2, 3), (3, 3)]
    assert "3 locations written" in dialogs.shown[-1][2]
    views = views_by_name(window)
    assert {n for n, v in views.items() if v.stage == "written"} == {"hokkaido_1.jpg", "tokyo_2.jpg", "hokkaido_3.jpg"}
    lat, lon = gps_of(folder / "hokkaido_1.jpg")
    assert abs(lat - views["hokkaido_1.jpg"].lat) < 1e-5 and abs(lon - views["hokkaido_1.jpg"].lon) < 1e-5
    assert gps_of(folder / "hokkaido_3.jpg") == pytest.approx((43.0621, 141.3544), abs=1e-5)
    assert gps_of(folder / "hokkaido_2.jpg") is None  # rejected: untouched
    assert (folder / "hokkaido_1.jpg").read_bytes()[-2000:] == original_pixels  # the image data is the same

    window.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: any(title == "Undone" for _, title, _ in dialogs.shown), timeout=30000)
    assert gps_of(folder / "hokkaido_1.jpg") is None and gps_of(folder / "tokyo_2.jpg") is None
    assert views_by_name(window)["hokkaido_1.jpg"].stage == "decided"


def test_place_by_map_click_name_and_copy_to_neighbours(qtbot, make_window, tmp_path):
    folder = photo_folder(tmp_path, model_photos=2)
    window = make_window()  # no model: the Hokkaido photos have no location
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    assert views_by_name(window)["hokkaido_1.jpg"].status == "no location"
    window.filter.setCurrentText("No location")
    assert window.table_model.rowCount() == 3  # two Hokkaido photos and the damaged one

    select(window, "hokkaido_1.jpg")
    map_view = window.detail.map
    qtbot.waitUntil(lambda: map_view.data is not None, timeout=60000)
    map_view.show_position(43.77, 142.36)
    window.actions_by_name["pick"].trigger()
    assert map_view.picking
    centre = QPointF(map_view.width() / 2, map_view.height() / 2)
    qtbot.mouseClick(map_view, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    qtbot.waitUntil(lambda: views_by_name(window)["hokkaido_1.jpg"].source == "manual")
    placed = views_by_name(window)["hokkaido_1.jpg"]
    assert abs(placed.lat - 43.77) < 0.05 and abs(placed.lon - 142.36) < 0.05 and placed.country == "Japan"
    window.actions_by_name["pick"].trigger()

    # by name: the completer offers the gazetteer's matches
    window.filter.setCurrentText("All photos")
    select(window, "hokkaido_2.jpg")
    window.detail.place_search.setText("Biei")
    window.detail.search_requested.emit("Biei")
    qtbot.waitUntil(lambda: window.detail._completions.rowCount() > 0)
    assert window.detail._completions.stringList()[0] == "Biei, Hokkaido, Japan"
    window.detail._picked_place("Biei, Hokkaido, Japan")
    qtbot.waitUntil(lambda: views_by_name(window)["hokkaido_2.jpg"].city == "Biei")

    # copy to neighbours in time: tokyo_2 gets tokyo_1's position (taken 4 minutes apart)
    select(window, "tokyo_1.jpg")
    window.actions_by_name["copy_neighbours"].trigger()
    qtbot.waitUntil(lambda: views_by_name(window)["tokyo_2.jpg"].source == "manual")
    assert views_by_name(window)["tokyo_2.jpg"].lat == views_by_name(window)["tokyo_1.jpg"].lat


def test_cancel_and_resume_after_the_app_closed(qtbot, make_window, tmp_path, model_settings):
    folder = photo_folder(tmp_path, model_photos=6)
    window = make_window(**model_settings)
    window.add_paths([folder])
    qtbot.waitUntil(lambda: window.job is not None and window.job.stage == "model" and window.job.done >= 2, timeout=120000)
    window.actions_by_name["cancel"].trigger()
    wait_for_state(qtbot, window, CANCELLED)
    answered = sum(v.model is not None for v in window.job.views)
    assert 1 <= answered < 6
    job_path = window.job.path
    window.close()

    # a new session finds the job, says it is unfinished, and resumes it without asking again
    again = make_window(**model_settings)
    qtbot.waitUntil(lambda: any(j.path == job_path for j in again.queue.jobs))
    job = next(j for j in again.queue.jobs if j.path == job_path)
    assert job.state == INTERRUPTED
    again.job_list.setCurrentRow(again.queue.jobs.index(job))
    qtbot.waitUntil(lambda: again.actions_by_name["resume"].isEnabled())
    first_answers = {v.id: v.model for v in window.job.views if v.model is not None}
    again.actions_by_name["resume"].trigger()
    wait_for_state(qtbot, again, REVIEW)
    views = {v.id: v for v in again.job.views}
    assert all(views[i].model == answer for i, answer in first_answers.items())  # kept, not asked again
    assert sum(v.source == "model" for v in views.values()) == 6


def test_pause_holds_the_job_between_photos(qtbot, make_window, tmp_path, model_settings):
    folder = photo_folder(tmp_path, model_photos=5)
    window = make_window(**model_settings)
    window.add_paths([folder])
    qtbot.waitUntil(lambda: window.job is not None and window.job.stage == "model" and window.job.done >= 1, timeout=120000)
    window.actions_by_name["pause"].trigger()
    qtbot.waitUntil(lambda: window.job.state == "paused")
    held = window.job.done
    qtbot.wait(1500)
    assert window.job.done <= held + 1  # at most the photo under way finishes
    window.actions_by_name["resume"].trigger()
    wait_for_state(qtbot, window, REVIEW)


def test_event_loop_stays_responsive_while_the_model_runs(qtbot, make_window, tmp_path, model_settings):
    """A 20 ms timer keeps firing while the job runs: the longest gap between two ticks stays far
    below the job's length (a job run on the UI thread would make one gap as long as the job)."""
    folder = photo_folder(tmp_path, model_photos=48)
    window = make_window(**{**model_settings, "max_tokens": 128, "max_pixels": 0})  # 448 x 448: more work per photo
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append((now - last[0]) / 1000.0)
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    started = time.perf_counter()
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    job_seconds = time.perf_counter() - started
    timer.stop()
    longest = max(gaps)
    print(f"job {job_seconds:.2f} s, {len(gaps)} ticks, longest gap {longest * 1000:.0f} ms")
    assert job_seconds > 1.0  # long enough that blocking would show
    assert longest < min(0.5, job_seconds / 2)


def test_a_damaged_photo_is_a_row_not_a_crash(qtbot, make_window, tmp_path, dialogs):
    folder = tmp_path / "only-bad"
    folder.mkdir()
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    (folder / "empty.jpg").write_bytes(b"")
    window = make_window()
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    views = views_by_name(window)
    assert views["broken.jpg"].status == "error" and views["empty.jpg"].status == "error"
    assert "empty file" in views["empty.jpg"].message
    select(window, "broken.jpg")
    assert "could not be read" in window.detail.chain.text()
    assert not dialogs.titles("error")


def test_a_model_that_cannot_load_is_a_clear_error(qtbot, make_window, tmp_path, dialogs):
    folder = photo_folder(tmp_path, model_photos=1)
    window = make_window(model=str(tmp_path / "missing.gguf"))
    window.add_paths([folder])
    qtbot.waitUntil(lambda: window.job is not None and window.job.state == "failed", timeout=60000)
    title, text = next((t, x) for k, t, x in dialogs.shown if k == "error")
    assert "missing.gguf" in text and "Resume" in text
    assert window.actions_by_name["resume"].isEnabled()


def test_a_wrong_path_is_reported(make_window, dialogs, tmp_path):
    window = make_window()
    window.add_paths([tmp_path / "nowhere"])
    assert dialogs.titles("error") == ["Cannot open this"] and "nowhere" in dialogs.shown[0][2]


def test_loose_photos_become_a_job_on_those_photos_only(qtbot, make_window, tmp_path):
    folder = photo_folder(tmp_path, model_photos=2)
    window = make_window()
    drop(window, [folder / "tokyo_1.jpg", folder / "tokyo_2.jpg"])
    wait_for_state(qtbot, window, REVIEW)
    assert sorted(views_by_name(window)) == ["tokyo_1.jpg", "tokyo_2.jpg"]


def test_file_open_events_become_jobs(qtbot, make_window, tmp_path):
    """macOS hands folders dropped on the Dock icon to the app as FileOpen events."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from geor.desktop.main_window import FileOpenForwarder

    folder = photo_folder(tmp_path, model_photos=0)
    window = make_window()
    forwarder = FileOpenForwarder(window)
    assert forwarder.eventFilter(QApplication.instance(), QFileOpenEvent(str(folder)))
    wait_for_state(qtbot, window, REVIEW)
    assert "tokyo_2.jpg" in views_by_name(window)


def test_tracks_and_the_camera_clock_from_settings(qtbot, make_window, tmp_path, dialogs):
    import datetime as dt

    from ..helpers.desktop_photos import T0
    from ..helpers.photo_files import make_photo
    from ..helpers.tag_jobs import write_gpx

    folder = tmp_path / "hike"
    folder.mkdir()
    make_photo(folder / "p1.jpg", T0)  # the camera clock runs on UTC+9
    utc = T0 - dt.timedelta(hours=9)
    gpx = write_gpx(tmp_path / "track.gpx", [(43.0, 142.0, 100, utc - dt.timedelta(minutes=5)), (43.1, 142.1, 200, utc + dt.timedelta(minutes=5))])
    window = make_window(tracks=[str(gpx)], tz="+09:00")
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    placed = views_by_name(window)["p1.jpg"]
    assert placed.source == "track" and (placed.lat, placed.lon) == pytest.approx((43.05, 142.05), abs=1e-3)
    assert placed.radius_m is not None and "track.gpx" in placed.evidence and placed.clock.startswith("+9:00 set")

    wrong = make_window(tracks=[str(gpx)], tz="+9:75")
    wrong.add_paths([folder])
    qtbot.waitUntil(lambda: wrong.job is not None and wrong.job.state == "failed", timeout=60000)
    assert "+9:75" in wrong.job.error


def test_closing_during_a_long_photo_hides_then_closes_when_it_ends(qtbot, make_window, tmp_path, model_settings, dialogs):
    """Quitting while the model is on a photo: the window goes at once, the photo finishes out of
    sight (a big model can take a minute), no new job starts, and the job resumes next time."""
    folder = photo_folder(tmp_path, model_photos=6)
    window = make_window(**model_settings)
    window.add_paths([folder])
    qtbot.waitUntil(lambda: window.queue.running is not None and window.queue.running.stage == "model", timeout=120000)
    first = window.queue.running
    window.add_paths([photo_folder(tmp_path / "second", model_photos=1)])
    qtbot.waitUntil(lambda: len(window.queue.jobs) == 2, timeout=10000)
    second = next(job for job in window.queue.jobs if job is not first)
    shutdown = window.queue.shutdown
    window.queue.shutdown = lambda wait_ms=10000: shutdown(wait_ms=1)  # as if the photo under way took longer than we wait
    with qtbot.waitSignal(window.closed, timeout=60000):  # the app quits on it (app.py)
        window.close()
        assert not window.isVisible()  # gone at once; the photo goes on out of sight
    assert dialogs.titles("confirm") == ["Quit Geo-R"]
    qtbot.waitUntil(lambda: window.queue.job_thread is None, timeout=10000)
    assert first.state == CANCELLED
    assert second.state == "queued"  # it never started; it runs next time


def test_a_scene_is_asked_about_once_and_one_photo_on_request(qtbot, make_window, tmp_path, model_settings, dialogs):
    import datetime as dt
    import sqlite3

    from ..helpers.desktop_photos import T0
    from ..helpers.photo_files import make_photo, scene_pixels

    folder = tmp_path / "burst"
    folder.mkdir()
    for shot in range(6):  # one scene: six alike shots within two minutes
        make_photo(folder / f"falls_{shot}.jpg", T0 + dt.timedelta(seconds=20 * shot), pixels=scene_pixels(0, shot))
    window = make_window(**model_settings)
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)

    def answers() -> int:
        with sqlite3.connect(window.job.path) as db:
            return db.execute("SELECT COUNT(*) FROM model_predictions").fetchone()[0]

    views = views_by_name(window)
    assert answers() == 3 and {v.source for v in views.values()} == {"model"}
    assert all("pooled over 3 of 6 photos of this scene" in v.evidence for v in views.values())
    one = next(name for name, v in sorted(views.items()) if v.model is None)  # a photo the job did not ask about
    select(window, one)
    assert window.actions_by_name["ask_model"].isEnabled()
    window.actions_by_name["ask_model"].trigger()
    qtbot.waitUntil(lambda: "asked about this photo alone" in (views_by_name(window)[one].evidence or ""), timeout=60000)
    assert answers() == 4 and views_by_name(window)[one].model is not None
    assert all("pooled" in v.evidence for name, v in views_by_name(window).items() if name != one)  # the others keep theirs
    assert window.statusBar().currentMessage().startswith("The model placed 1 of 1 photo")


def test_the_add_photos_dialog_offers_every_file_a_job_reads():
    """The dialog's filter (it listed eight photo formats, so a camera's CR3s, NEFs, JXLs and videos were hidden)."""
    from fnmatch import fnmatchcase

    from geor.desktop.main_window import MEDIA_FILTER

    patterns = MEDIA_FILTER.split(";;")[0].partition("(")[2].rstrip(")").split()
    for name in ("IMG_0001.CR3", "DSC_0001.NEF", "_DSC0001.ARW", "IMG_0001.HEIC", "export.jxl", "P1000001.RW2", "C0001.MP4", "00001.MTS",
                 "IMG_0001.jpg", "GOPR0001.GPR"):
        assert any(fnmatchcase(name, pattern) for pattern in patterns), name
    assert not any(fnmatchcase(name, pattern) for pattern in patterns for name in ("notes.txt", "track.gpx"))
