"""Render the desktop app with real content to ``docs/screenshots/*.png`` (for the README).

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/make_screenshots.py [OUT_DIR]

(``make screenshots`` does exactly this.) The content is real: photos written here (a trip with
GPS-tagged photos, untagged photos taken between them and days later, a damaged file), a job run by
the app on the tiny taught model (tests/helpers/tiny_vlm.py, built here through llama.cpp's converter, so
torch is needed for this script but never by the app), and the app's own map. Data, settings and
caches live in a temporary folder: nothing of the user's is touched.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def scenic_photo(path: Path, seed: int, taken_at: dt.datetime, gps: tuple[float, float] | None, phone: bool = False) -> None:
    """A landscape-like picture (sky, hills, fields) with camera metadata, as a camera would write it."""
    import numpy as np
    import pyexiv2
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    width, height = 960, 640
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    sky_top, sky_bottom = np.array([70, 130, 200]) + rng.integers(-20, 20, 3), np.array([200, 220, 240])
    for y in range(height // 2):
        colour = sky_top + (sky_bottom - sky_top) * y / (height / 2)
        draw.line([(0, y), (width, y)], fill=tuple(int(c) for c in colour))
    for layer, base in enumerate(([90, 110, 140], [70, 120, 80], [120, 150, 70])):
        points = [(0, height)]
        level = height * (0.45 + 0.12 * layer)
        for x in range(0, width + 40, 40):
            points.append((x, level + rng.normal(0, 18 - 4 * layer) + 40 * np.sin(x / (140 + 60 * layer) + seed)))
        points.append((width, height))
        draw.polygon(points, fill=tuple(int(c) for c in np.array(base) + rng.integers(-15, 15, 3)))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    image.save(path, quality=90)
    exif = {"Exif.Image.Make": "Fujifilm", "Exif.Image.Model": "X-T5", "Exif.Photo.DateTimeOriginal": taken_at.strftime("%Y:%m:%d %H:%M:%S")}
    if phone:  # a phone: local time with its zone, and the GPS fix's UTC time
        utc = taken_at - dt.timedelta(hours=9)
        exif |= {"Exif.Image.Make": "Apple", "Exif.Image.Model": "iPhone 15", "Exif.Photo.OffsetTimeOriginal": "+09:00",
                 "Exif.GPSInfo.GPSDateStamp": utc.strftime("%Y:%m:%d"), "Exif.GPSInfo.GPSTimeStamp": f"{utc.hour}/1 {utc.minute}/1 {utc.second}/1"}
    if gps is not None:
        from tests.helpers.exiv2_gps import exif_gps_tags

        exif |= exif_gps_tags(*gps)
    with pyexiv2.Image(str(path)) as handle:
        handle.modify_exif(exif)


def make_trip(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    t0 = dt.datetime(2024, 7, 14, 9, 30)
    scenic_photo(folder / "DSCF0101.jpg", 1, t0, (43.7706, 142.3650))  # Asahikawa, GPS on
    scenic_photo(folder / "DSCF0102.jpg", 2, t0 + dt.timedelta(minutes=3), None)
    scenic_photo(folder / "DSCF0103.jpg", 3, t0 + dt.timedelta(minutes=7), (43.7790, 142.3800))
    # the afternoon: the phone in the pocket (sub-folder iPhone/) at eight stops around Biei, the
    # camera beside it with its clock 2 min 31 s fast: Geo-R works the clock out and places it
    (folder / "iPhone").mkdir(exist_ok=True)
    stops = [(43.5883, 142.4670), (43.5632, 142.4921), (43.5432, 142.5121), (43.5187, 142.5655), (43.4920, 142.6141),
             (43.4733, 142.6412), (43.4612, 142.6301), (43.4519, 142.6153)]
    for k, (where, hours) in enumerate(zip(stops, (3.5, 4.1, 4.6, 5.4, 7.0, 8.2, 8.7, 9.6), strict=True)):
        at = t0 + dt.timedelta(hours=hours)
        scenic_photo(folder / "iPhone" / f"IMG_{4100 + 2 * k}.jpg", 40 + k, at, where, phone=True)
        scenic_photo(folder / "iPhone" / f"IMG_{4101 + 2 * k}.jpg", 50 + k, at + dt.timedelta(minutes=14), where, phone=True)
        for j in range(3):
            scenic_photo(folder / f"DSCF01{20 + 3 * k + j}.jpg", 60 + 3 * k + j, at + dt.timedelta(minutes=3 + 4 * j, seconds=151), None)
    for i in range(6):  # GPS off for the rest of the trip: only the model can place these
        scenic_photo(folder / f"DSCF02{i + 10}.jpg", 10 + i, t0 + dt.timedelta(days=1, hours=i), None)
    (folder / "DSCF0299.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated by a failing card reader")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    from geor.engine.geo.geocoder.default_location import default_pack_path

    pack = default_pack_path()  # the user's (built once); shared read-only with the temporary data folder
    work = Path(tempfile.mkdtemp(prefix="geor-screenshots-"))
    os.environ["GEOR_DATA_DIR"] = str(work / "data")
    os.environ["GEOR_CACHE_DIR"] = str(work / "cache")
    (work / "data" / "regionpacks").mkdir(parents=True)
    (work / "data" / "regionpacks" / pack.name).symlink_to(pack)
    print("building the tiny taught model (about a minute)", flush=True)
    from tests.helpers.tiny_vlm import MAX_PIXELS, build

    model = build(work / "model", taught=True).model
    make_trip(work / "Hokkaido 2024")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from geor.desktop.main_window import MainWindow
    from geor.desktop.settings import AppSettings
    from geor.engine.inference.model_request import ModelRequest

    app = QApplication.instance() or QApplication([])
    app.setApplicationName("Geo-R")

    def settle(seconds: float = 0.3, until=None, timeout: float = 300.0) -> None:  # noqa: ANN001
        end = time.monotonic() + timeout
        stop = time.monotonic() + seconds
        while time.monotonic() < stop or (until is not None and not until()):
            app.processEvents()
            time.sleep(0.02)
            if time.monotonic() > end:
                raise TimeoutError("the app did not reach the state to capture")

    qsettings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppSettings(model=ModelRequest(model=str(model), threads=2, max_tokens=64, max_pixels=MAX_PIXELS)), qsettings)
    window.resize(1440, 900)
    window.show()
    settle(1.0, until=lambda: window.detail.map.data is not None)
    window.grab().save(str(out / "empty.png"))

    window.add_paths([work / "Hokkaido 2024"])
    settle(0.5, until=lambda: window.job is not None and window.job.state == "ready for review")
    names = {Path(v.relpath).name: v for v in window.job.views}
    from tests.helpers.desktop_views import select

    select(window, "DSCF0210.jpg")
    settle(1.5)
    window.grab().save(str(out / "review-model.png"))
    select(window, "DSCF0102.jpg")
    settle(1.5)
    window.grab().save(str(out / "review-neighbours.png"))
    select(window, "DSCF0131.jpg")
    settle(1.5)
    window.grab().save(str(out / "review-devices.png"))
    select(window, "DSCF0299.jpg")
    settle(0.5)
    window.filter.setCurrentText("All photos")
    settle(0.5)
    window.grab().save(str(out / "damaged-file.png"))
    # the loop: accept the confident proposals, reject a doubtful one, write, and look at the result
    from geor.desktop import dialogs

    dialogs.HEADLESS = True  # the confirmation and summary go to the terminal instead of a modal box
    window.actions_by_name["accept_confident"].trigger()
    settle(1.0)
    window.actions_by_name["write"].trigger()
    settle(1.0, until=lambda: any(v.stage == "written" for v in window.job.views))
    select(window, "DSCF0211.jpg")
    settle(1.5)
    window.grab().save(str(out / "written.png"))
    from geor.desktop.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, window)
    dialog.show()
    settle(1.0)
    dialog.grab().save(str(out / "settings.png"))
    dialog.tabs.setCurrentIndex(1)
    settle(0.5)
    dialog.grab().save(str(out / "settings-placing.png"))
    dialog.tabs.setCurrentIndex(2)
    dialog._add_zone_row("home", 43.7706, 142.3650, 500.0)
    settle(0.5)
    dialog.grab().save(str(out / "settings-privacy.png"))
    dialog.reject()
    print(f"{len(names)} photos in the job; screenshots in {out}")
    window.close()
    settle(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
