"""The finer evidence for a camera's clock, on files: where the phone now and then photographs what
the camera does, the job takes the photos' perceptual hashes, and those alike pairs pin an offset
the stops' bursts alone leave unsure to seconds."""

import datetime as dt

import numpy as np

from geor.engine.pipeline import TagOptions
from geor.engine.pipeline.vocabulary import Stage
from geor.engine.placement.policy import distance_m

from ...helpers.photo_files import make_photo, scene_pixels
from ...helpers.tag_jobs import run

START = dt.datetime(2025, 5, 3, 8, 0, tzinfo=dt.UTC)
CAMERA_OFFSET = dt.timedelta(hours=1, minutes=3, seconds=27)  # home time, 3 min 27 s fast
PHONE_ZONE = dt.timedelta(hours=2)


def exif_time(when: dt.datetime) -> str:
    return when.strftime("%Y:%m:%d %H:%M:%S")


def trip(folder, stops=16, seed=3):
    """Stops of 20-40 min, 2-6 km apart: the camera shoots two bursts a stop (3 views of one scene
    each), the phone photographs the first burst's scene within half a minute and something else."""
    rng = np.random.default_rng(seed)
    truth = {}
    at, lat, lon = START, 46.05, 14.50
    for stop in range(stops):
        length = float(rng.uniform(20, 40)) * 60
        for burst in range(2):
            scene = stop * 10 + burst
            begin = at + dt.timedelta(seconds=float(rng.uniform(60, length - 300)))
            for k in range(3):
                name = f"DSC_{stop:02d}{burst}{k}.jpg"
                make_photo(folder / "camera" / name, (begin + dt.timedelta(seconds=20 * k) + CAMERA_OFFSET).replace(tzinfo=None),
                           model="Z 6", pixels=scene_pixels(scene, k), extra_exif={"Exif.Image.Make": "NIKON CORPORATION"})
                truth[name] = (lat, lon)
            if burst == 0:
                for what, when in ((scene_pixels(scene, 7), begin + dt.timedelta(seconds=float(rng.uniform(-30, 30)))),
                                   (scene_pixels(1000 + stop, 0), at + dt.timedelta(seconds=float(rng.uniform(0, length))))):
                    when = min(max(when, at), at + dt.timedelta(seconds=length))
                    make_photo(folder / "phone" / f"IMG_{stop:02d}{when:%H%M%S}.jpg", (when + PHONE_ZONE).replace(tzinfo=None),
                               model="iPhone 15", pixels=what, gps=(lat + float(rng.normal(0, 3e-5)), lon + float(rng.normal(0, 3e-5))),
                               extra_exif={"Exif.Image.Make": "Apple", "Exif.Photo.OffsetTimeOriginal": "+02:00",
                                           "Exif.GPSInfo.GPSDateStamp": when.strftime("%Y:%m:%d"),
                                           "Exif.GPSInfo.GPSTimeStamp": f"{when.hour}/1 {when.minute}/1 {when.second}/1"})
        at += dt.timedelta(seconds=length + float(rng.uniform(20, 50)) * 60)
        km, bearing = float(rng.uniform(2, 6)), float(rng.uniform(0, 2 * np.pi))
        lat, lon = lat + km / 111.2 * np.cos(bearing), lon + km / 77.0 * np.sin(bearing)
    return truth


def test_photos_of_the_same_scene_pin_the_camera_clock(tmp_path, jobs_home, monkeypatch):
    from geor.engine.pipeline import tag_job

    folder = tmp_path / "trip"
    (folder / "camera").mkdir(parents=True)
    (folder / "phone").mkdir()
    truth = trip(folder)
    with monkeypatch.context() as blind:  # the bursts alone: not sure to 2 minutes
        blind.setattr(tag_job, "stored_fingerprints", lambda store, paths, progress: {})
        store, summary = run(folder, TagOptions(dry_run=True, sidecar=True))
        alone = next(c for c in summary.clocks if c.camera.endswith("Z 6"))
        store.close()
    assert alone.strength != "strong" and "look like" not in alone.evidence, alone.describe()
    store, summary = run(folder, TagOptions(dry_run=True))
    camera = next(c for c in summary.clocks if c.camera.endswith("Z 6"))
    assert camera.strength == "strong", camera.describe()
    assert abs(camera.offset_s - CAMERA_OFFSET.total_seconds()) <= min(camera.uncertainty_s, 60)
    assert "look like theirs (the same scene)" in camera.evidence
    assert store.fingerprints(), "the hashes are kept: a resumed job decodes nothing again"
    rows = [r for r in store.photos() if r.relpath.startswith(b"camera/")]
    decided = [r for r in rows if r.stage == Stage.DECIDED]
    assert len(decided) >= 0.8 * len(rows)
    assert any("the same scene" in (r.evidence or "") for r in decided), "a photo placed by the phone photo of its scene"
    for row in decided:
        error = distance_m(row.lat, row.lon, *truth[row.relpath.decode().split("/")[-1]])
        assert error <= max(row.radius_m, 1.0) and error <= 200
    store.close()
