"""Videos in the desktop app: a dropped folder's videos are rows of the table, with their own
positions on the map, and the detail panel shows a video's first picture (its poster frame)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geor.desktop.job_queue import REVIEW

from ..helpers.desktop_views import select, views_by_name, wait_for_state
from ..helpers.video_trip import VIDEOS

pytest.importorskip("av")


def test_a_folder_of_videos_is_reviewed_like_photos(qtbot, make_window, tmp_path):
    folder = tmp_path / "trip"
    folder.mkdir()
    shutil.copy(VIDEOS / "mde-iphone6-gps.mov", folder / "IMG_0001.MOV")
    shutil.copy(VIDEOS / "exiftool-pentax.mov", folder / "IMGP0001.MOV")
    window = make_window()
    window.add_paths([folder])
    wait_for_state(qtbot, window, REVIEW)
    views = views_by_name(window)
    assert set(views) == {"IMG_0001.MOV", "IMGP0001.MOV"}
    assert views["IMG_0001.MOV"].lat == pytest.approx(32.0929) and views["IMG_0001.MOV"].lon == pytest.approx(34.862)
    assert views["IMGP0001.MOV"].status == "no location"
    select(window, "IMG_0001.MOV")
    qtbot.waitUntil(lambda: window.detail.view is not None and Path(window.detail.view.relpath).name == "IMG_0001.MOV")
    qtbot.waitUntil(lambda: window.detail._image is not None, timeout=20000)
    assert window.detail._image.height() > window.detail._image.width()  # the iPhone's quarter turn, upright
