"""A trip folder that holds videos beside photos (real devices' videos, tests/engine/photos/videos):
``geor tag`` takes a phone's video as an anchor, a GoPro's telemetry as a track, places a
camera's video from a track and writes its position beside it (an XMP sidecar that ExifTool
reads), leaves every video's bytes as they were, and undo gives back every byte."""

import csv
import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import gpxpy.gpx
import pytest

from geor.engine.placement.policy import distance_m

from ...helpers.cli_runs import geor
from ...helpers.photo_files import EXIFTOOL, exiftool_gps, make_photo

pytestmark = pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")
VIDEOS = Path(__file__).parents[1] / "photos" / "videos"
IPHONE = (32.0929, 34.862)  # where the iPhone's video was shot (its ISO 6709 location)
GOPRO = (33.1268, -117.3273)  # the GoPro's telemetry, 2019-11-18 23:45:14-24 UTC
SONY_TRACK = (47.3769, 8.5417)  # a walk the test records while the Sony shoots, 2019-04-24 20:24 UTC


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_track(path: Path) -> None:
    gpx = gpxpy.gpx.GPX()
    segment = gpxpy.gpx.GPXTrackSegment()
    start = dt.datetime(2019, 4, 24, 20, 14, tzinfo=dt.UTC)
    for minute in range(21):  # 20 min, standing at the spot within a few metres
        segment.points.append(gpxpy.gpx.GPXTrackPoint(SONY_TRACK[0] + minute * 1e-6, SONY_TRACK[1], time=start + dt.timedelta(minutes=minute)))
    track = gpxpy.gpx.GPXTrack()
    track.segments.append(segment)
    gpx.tracks.append(track)
    path.write_text(gpx.to_xml(), encoding="utf-8")


def make_folder(root: Path) -> Path:
    (root / "phone").mkdir(parents=True)
    (root / "gopro").mkdir()
    (root / "camera").mkdir()
    shutil.copy(VIDEOS / "mde-iphone6-gps.mov", root / "phone" / "IMG_0001.MOV")
    shutil.copy(VIDEOS / "mde-android6-gps.mp4", root / "phone" / "VID_20170222.mp4")
    shutil.copy(VIDEOS / "gpmf-gopro-max.mp4", root / "gopro" / "GS010001.MP4")
    shutil.copy(VIDEOS / "mde-sony-a7iii.mts", root / "camera" / "C0001.MTS")
    shutil.copy(VIDEOS / "exiftool-pentax.mov", root / "camera" / "IMGP0001.MOV")
    # a camera on the phone's zone: two photos half a minute around the phone's video
    for name, at in (("DSC_0001.JPG", dt.datetime(2019, 7, 24, 11, 25, 10)), ("DSC_0002.JPG", dt.datetime(2019, 7, 24, 11, 26, 5))):
        make_photo(root / "camera" / name, at, model="Z 6", extra_exif={"Exif.Photo.OffsetTimeOriginal": "+03:00"}, seed=len(name))
    # another camera on California time, shooting while the GoPro records
    make_photo(root / "camera" / "P0000001.JPG", dt.datetime(2019, 11, 18, 15, 45, 20), model="TG-6",
               extra_exif={"Exif.Photo.OffsetTimeOriginal": "-08:00"}, seed=7)
    return root


def test_a_trip_of_photos_and_videos(tmp_path, cli_env):
    root = make_folder(tmp_path / "trip")
    write_track(tmp_path / "walk.gpx")
    videos = {p: sha256(p) for p in root.rglob("*") if p.suffix.upper() in (".MOV", ".MP4", ".MTS")}
    photos = {p: p.read_bytes() for p in root.rglob("*.JPG")}
    env = cli_env | {"GEOR_CONFIG_DIR": str(tmp_path / "config")}
    result = geor(env, "tag", str(root), "--track", str(tmp_path / "walk.gpx"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left alone" not in result.stdout  # every file of this trip is one Geo-R reads

    job = result.stdout.split("geor undo ")[1].split()[0]
    with open(Path(env["GEOR_DATA_DIR"]) / "jobs" / f"{job}-report.csv", encoding="utf-8") as report:
        rows = {os.path.basename(r["path"]): r for r in csv.DictReader(report)}
    assert len(rows) == 8

    # the phone's videos are anchors: their own positions, kept
    assert rows["IMG_0001.MOV"]["stage"] == rows["VID_20170222.mp4"]["stage"] == "kept"
    # the camera's photos are placed from the phone's video, and ExifTool reads the position back
    for name in ("DSC_0001.JPG", "DSC_0002.JPG"):
        assert rows[name]["stage"] == "written" and "IMG_0001.MOV" in rows[name]["evidence"], rows[name]
        assert distance_m(*exiftool_gps(root / "camera" / name), *IPHONE) < 50
    # the TG-6 photo is placed from the GoPro's telemetry, a track inside the folder
    assert rows["P0000001.JPG"]["stage"] == "written" and "GS010001.MP4" in rows["P0000001.JPG"]["evidence"], rows["P0000001.JPG"]
    assert distance_m(*exiftool_gps(root / "camera" / "P0000001.JPG"), *GOPRO) < 100
    # the Sony's video is placed from the walk's track, and its position goes beside it
    sony = rows["C0001.MTS"]
    assert sony["stage"] == "written", sony
    sidecar = root / "camera" / "C0001.xmp"
    assert distance_m(*exiftool_gps(sidecar), *SONY_TRACK) < 50
    out = subprocess.run([EXIFTOOL, "-s3", "-XMP-exif:GPSLatitude", str(sidecar)], capture_output=True, text=True, check=True)
    assert out.stdout.strip()
    # a camera's MOV whose clock nothing tells about is not placed
    assert rows["IMGP0001.MOV"]["stage"] in ("unplaced", "review")
    # no video's byte changed (their positions go into sidecars)
    assert {p: sha256(p) for p in videos} == videos

    undone = geor(env, "undo", job)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert not sidecar.exists()
    assert {p: p.read_bytes() for p in photos} == photos
    assert {p: sha256(p) for p in videos} == videos
