"""A trip folder that holds videos beside photos (real devices' videos, tests/engine/photos/videos):
``geor tag`` takes a phone's video as an anchor, a GoPro's telemetry as a track, places a phone's
video recorded without location from a track and writes the position into it (ExifTool and FFmpeg
find it, every media packet unchanged), a camera photo from a DJI drone's SRT, places an AVCHD camera's video and writes its position
beside it (an XMP sidecar), and undo gives back every byte."""

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from geor.engine.placement.policy import distance_m

from ...helpers.cli_runs import geor
from ...helpers.photo_files import EXIFTOOL, exiftool_gps
from ...helpers.video_files import packets_sha256
from ...helpers.video_trip import DRONE, GOPRO, IPHONE, LONDON_TRACK, SONY_TRACK, VIDEOS, make_folder, sha256, write_track

av = pytest.importorskip("av")
pytestmark = pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")


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
    assert len(rows) == 12
    assert "DJI_0002.SRT: a DJI SRT whose positions have no date" in result.stdout + result.stderr

    # the phone's videos are anchors: their own positions, kept
    assert rows["IMG_0001.MOV"]["stage"] == rows["VID_20170222.mp4"]["stage"] == "kept"
    # the camera's photos are placed from the phone's video, and ExifTool reads the position back
    for name in ("DSC_0001.JPG", "DSC_0002.JPG"):
        assert rows[name]["stage"] == "written" and "IMG_0001.MOV" in rows[name]["evidence"], rows[name]
        assert distance_m(*exiftool_gps(root / "camera" / name), *IPHONE) < 50
    # the TG-6 photo is placed from the GoPro's telemetry, a track inside the folder
    assert rows["P0000001.JPG"]["stage"] == "written" and "GS010001.MP4" in rows["P0000001.JPG"]["evidence"], rows["P0000001.JPG"]
    assert distance_m(*exiftool_gps(root / "camera" / "P0000001.JPG"), *GOPRO) < 100
    # the camera photo shot while the drone flew is placed from the drone's SRT (its local times on UTC by Barcelona's zone)
    assert rows["DSC_0100.JPG"]["stage"] == "written" and "DJI_0001.SRT" in rows["DSC_0100.JPG"]["evidence"], rows["DSC_0100.JPG"]
    assert distance_m(*exiftool_gps(root / "camera" / "DSC_0100.JPG"), *DRONE) < 100
    # the Sony's video is placed from the walk's track, and its position goes beside it
    sony = rows["C0001.MTS"]
    assert sony["stage"] == "written", sony
    sidecar = root / "camera" / "C0001.xmp"
    assert distance_m(*exiftool_gps(sidecar), *SONY_TRACK) < 50
    out = subprocess.run([EXIFTOOL, "-s3", "-XMP-exif:GPSLatitude", str(sidecar)], capture_output=True, text=True, check=True)
    assert out.stdout.strip()
    # the phone's video filmed without location is placed from the track, and written in place
    android = root / "phone" / "VID_20170222_2.mp4"
    assert rows[android.name]["stage"] == "written" and "walk.gpx" in rows[android.name]["evidence"], rows[android.name]
    assert distance_m(*exiftool_gps(android), *LONDON_TRACK) < 50
    with av.open(str(android)) as container:
        assert container.metadata.get("location", "").startswith("+51.500"), container.metadata
    country = subprocess.run([EXIFTOOL, "-s3", "-XMP-photoshop:Country", str(android)], capture_output=True, text=True, check=True)
    assert country.stdout.strip() == "United Kingdom"  # its place's names in its XMP, as a photo's
    assert packets_sha256(android) == packets_sha256(VIDEOS / "mde-android6-gps.mp4")
    # the Pentax's MOV takes its photos' clock by the order of their file names (its CreateDate is local time);
    # nothing tells where any of them was: not placed
    assert rows["IMGP0001.MOV"]["clock"].startswith("+9:00"), rows["IMGP0001.MOV"]
    assert rows["IMGP0001.MOV"]["stage"] in ("unplaced", "review")
    # no other video's byte changed
    assert {p: sha256(p) for p in videos if p != android} == {p: h for p, h in videos.items() if p != android}

    undone = geor(env, "undo", job)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert not sidecar.exists()
    assert {p: p.read_bytes() for p in photos} == photos
    assert {p: sha256(p) for p in videos} == videos


def test_a_compact_cameras_avi_is_placed_and_written_beside_it(tmp_path, cli_env):
    """A Pentax K-x's AVI (ExifTool's test file: its RIFF DateTimeOriginal, 2009-10-27 12:14, the
    camera's local time) was left alone with a line of the scan; now, with the zone typed, it is
    placed from a track and its position written into an XMP sidecar (ExifTool cannot rewrite AVI),
    the video untouched, and undo removes the sidecar; a new job reads the sidecar's position."""
    root = tmp_path / "trip"
    root.mkdir()
    video = root / "IMGP0042.AVI"
    video.write_bytes((Path(__file__).parents[1] / "photos" / "corpus" / "exiftool-Pentax.avi").read_bytes())
    original = video.read_bytes()
    points = "".join(f'<trkpt lat="{35.6586 + k * 1e-4:.6f}" lon="139.7454"><time>2009-10-27T03:{m:02d}:00Z</time></trkpt>'
                     for k, m in enumerate(range(5, 25)))
    (tmp_path / "walk.gpx").write_text('<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
                                       f"<trk><trkseg>{points}</trkseg></trk></gpx>")
    result = geor(cli_env, "tag", str(root), "--track", str(tmp_path / "walk.gpx"), "--tz", "+09:00")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left alone" not in result.stdout
    job = result.stdout.split("geor undo ")[1].split()[0]
    with open(Path(cli_env["GEOR_DATA_DIR"]) / "jobs" / f"{job}-report.csv", encoding="utf-8") as report:
        (row,) = list(csv.DictReader(report))
    assert (os.path.basename(row["path"]), row["stage"], row["time_source"]) == ("IMGP0042.AVI", "written", "RIFF:DateTimeOriginal"), row
    sidecar = root / "IMGP0042.xmp"
    assert distance_m(*exiftool_gps(sidecar), 35.6586 + 9e-4, 139.7454) < 30  # the track at 03:14 UTC
    assert video.read_bytes() == original
    # a new job on the same folder reads the sidecar's position, as a RAW photo's: kept, not a failed
    # write ("already has a GPS position", exit status 3, as every video's sidecar was before)
    again = geor(cli_env, "tag", str(root), "--track", str(tmp_path / "walk.gpx"), "--tz", "+09:00", "--new-job")
    assert again.returncode == 0, again.stdout + again.stderr
    second = again.stdout.split("geor undo ")[1].split()[0]
    with open(Path(cli_env["GEOR_DATA_DIR"]) / "jobs" / f"{second}-report.csv", encoding="utf-8") as report:
        (row,) = list(csv.DictReader(report))
    assert row["stage"] == "kept", row
    undone = geor(cli_env, "undo", job)
    assert undone.returncode == 0 and not sidecar.exists() and video.read_bytes() == original


def test_a_video_whose_own_position_is_no_fix_is_placed(tmp_path, cli_env):
    """metadata-extractor-images' ftyp3gp5.mp4 holds a (c)xyz of (0, 0), what a phone writes without a
    fix: the scan took it for no position and placed the video from the track, then the write found a
    position of its own and failed ('already has a GPS position', exit status 3); then it waited for
    review, "not replaced without --overwrite", as a photo's (0, 0) did. (0, 0) is no position: the
    video is placed from the track without --overwrite, the (0, 0) replaced, and undo gives back its bytes."""
    root = tmp_path / "phone"
    root.mkdir()
    video = root / "VID_20170222.mp4"  # the Android video, 10:20 UTC, its location a receiver's (0, 0)
    subprocess.run([EXIFTOOL, "-q", "-UserData:GPSCoordinates=0, 0", "-QuickTime:CreateDate=2017:02:22 10:20:28", "-o", str(video),
                    str(VIDEOS / "mde-android6-gps.mp4")], check=True)
    original = video.read_bytes()
    write_track(tmp_path / "walk.gpx")
    result = geor(cli_env, "tag", str(root), "--track", str(tmp_path / "walk.gpx"))
    assert result.returncode == 0, result.stdout + result.stderr
    job = result.stdout.split("geor undo ")[1].split()[0]
    with open(Path(cli_env["GEOR_DATA_DIR"]) / "jobs" / f"{job}-report.csv", encoding="utf-8") as report:
        (row,) = list(csv.DictReader(report))
    assert row["stage"] == "written", row
    assert distance_m(*exiftool_gps(video)[:2], *LONDON_TRACK) < 30
    coordinates = subprocess.run([EXIFTOOL, "-j", "-n", "-G1", "-a", "-GPSCoordinates", str(video)], capture_output=True, text=True,
                                 check=True).stdout
    assert all(not str(v).startswith("0 0") for k, v in json.loads(coordinates)[0].items() if k.endswith("GPSCoordinates"))
    undone = geor(cli_env, "undo", job)
    assert undone.returncode == 0 and video.read_bytes() == original


def test_an_audio_recording_with_a_videos_name_is_left_alone_and_named(tmp_path, cli_env):
    """An MP4 that holds only an audio track (mozilla/mp4parse-rust's test file) in a trip folder: it
    was a failed row, "not a video ExifTool can read (audio/mp4)", and the job exited 3. There is no
    picture in it to place: its row says it was left alone and why, the job names it and exits 0,
    and the file is untouched."""
    root = tmp_path / "trip"
    root.mkdir()
    recording = root / "VOICE_0001.mp4"
    recording.write_bytes((VIDEOS / "mp4parse-audio-only.mp4").read_bytes())
    original = recording.read_bytes()
    write_track(tmp_path / "walk.gpx")
    result = geor(cli_env, "tag", str(root), "--track", str(tmp_path / "walk.gpx"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{recording}: left alone: an audio recording (audio/mp4), not a photo or video" in result.stdout + result.stderr
    job = result.stdout.split("geor undo ")[1].split()[0]
    with open(Path(cli_env["GEOR_DATA_DIR"]) / "jobs" / f"{job}-report.csv", encoding="utf-8") as report:
        (row,) = list(csv.DictReader(report))
    assert (row["stage"], row["message"]) == ("left-alone", "left alone: an audio recording (audio/mp4), not a photo or video"), row
    assert recording.read_bytes() == original
