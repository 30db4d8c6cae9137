"""A trip folder of real devices' videos (tests/engine/photos/videos) and photos the tests make:
an iPhone's video with its location, an Android phone's with and without (location switched off),
a GoPro's telemetry, a DJI drone's SRT (and one without dates), a Sony's AVCHD clip and a Pentax
MOV, and photos of two cameras on declared clocks; with a track of the walks where the Sony and the Android filmed. The video test and
benchmarks/bench_videos.py share it."""

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import gpxpy.gpx

from .photo_files import EXIFTOOL, make_photo

VIDEOS = Path(__file__).parents[1] / "engine" / "photos" / "videos"
DJI_SRT = Path(__file__).parents[1] / "engine" / "placement" / "tracks" / "dji_srt"
IPHONE = (32.0929, 34.862)  # where the iPhone's video was shot (its ISO 6709 location)
GOPRO = (33.1268, -117.3273)  # the GoPro's telemetry, 2019-11-18 23:45:14-24 UTC
SONY_TRACK = (47.3769, 8.5417)  # a walk the test records while the Sony shoots, 2019-04-24 20:24 UTC
DRONE = (41.420684, 2.162162)  # the Mavic Air 2's flight over Barcelona, 2022-05-01 15:01:58 local time
LONDON_TRACK = (51.5007, -0.1246)  # and while the Android phone films without its location, 2017-02-22 10:20 UTC


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_track(path: Path) -> None:
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    for (lat, lon), start in ((SONY_TRACK, dt.datetime(2019, 4, 24, 20, 14, tzinfo=dt.UTC)),
                              (LONDON_TRACK, dt.datetime(2017, 2, 22, 10, 10, tzinfo=dt.UTC))):
        segment = gpxpy.gpx.GPXTrackSegment()
        for minute in range(21):  # 20 min, standing at the spot within a few metres
            segment.points.append(gpxpy.gpx.GPXTrackPoint(lat + minute * 1e-6, lon, time=start + dt.timedelta(minutes=minute)))
        track.segments.append(segment)
    gpx.tracks.append(track)
    path.write_text(gpx.to_xml(), encoding="utf-8")


def make_folder(root: Path) -> Path:
    (root / "phone").mkdir(parents=True)
    (root / "gopro").mkdir()
    (root / "camera").mkdir()
    shutil.copy(VIDEOS / "mde-iphone6-gps.mov", root / "phone" / "IMG_0001.MOV")
    shutil.copy(VIDEOS / "mde-android6-gps.mp4", root / "phone" / "VID_20170222.mp4")
    # the same phone's video two hours later with its location switched off (ExifTool removes the (c)xyz box)
    subprocess.run([EXIFTOOL, "-q", "-UserData:GPSCoordinates=", "-QuickTime:CreateDate=2017:02:22 10:20:28", "-o",
                    str(root / "phone" / "VID_20170222_2.mp4"), str(VIDEOS / "mde-android6-gps.mp4")], check=True)
    shutil.copy(VIDEOS / "gpmf-gopro-max.mp4", root / "gopro" / "GS010001.MP4")
    shutil.copy(VIDEOS / "mde-sony-a7iii.mts", root / "camera" / "C0001.MTS")
    shutil.copy(VIDEOS / "exiftool-pentax.mov", root / "camera" / "IMGP0001.MOV")
    # a camera on the phone's zone: two photos half a minute around the phone's video
    for name, at in (("DSC_0001.JPG", dt.datetime(2019, 7, 24, 11, 25, 10)), ("DSC_0002.JPG", dt.datetime(2019, 7, 24, 11, 26, 5))):
        make_photo(root / "camera" / name, at, model="Z 6", extra_exif={"Exif.Photo.OffsetTimeOriginal": "+03:00"}, seed=len(name))
    # a drone's subtitles (times on local time, no zone) and a camera photo on Barcelona's summer time
    (root / "drone").mkdir()
    shutil.copy(DJI_SRT / "mavic_air2.srt", root / "drone" / "DJI_0001.SRT")
    shutil.copy(DJI_SRT / "mavic_mini.SRT", root / "drone" / "DJI_0002.SRT")  # no dates: not a track, and said so
    make_photo(root / "camera" / "DSC_0100.JPG", dt.datetime(2022, 5, 1, 15, 1, 59), model="Z 6",
               extra_exif={"Exif.Photo.OffsetTimeOriginal": "+02:00"}, seed=11)
    # the Pentax's photos before and after its MOV by file name, declared on +09:00: the MOV's clock is theirs
    for name, at in (("IMGP0000.JPG", dt.datetime(2005, 8, 11, 14, 0)), ("IMGP0002.JPG", dt.datetime(2005, 8, 11, 14, 10))):
        make_photo(root / "camera" / name, at, model="PENTAX DIGITAL CAMERA", extra_exif={"Exif.Photo.OffsetTimeOriginal": "+09:00"},
                   seed=len(name) + 20)
    # another camera on California time, shooting while the GoPro records
    make_photo(root / "camera" / "P0000001.JPG", dt.datetime(2019, 11, 18, 15, 45, 20), model="TG-6",
               extra_exif={"Exif.Photo.OffsetTimeOriginal": "-08:00"}, seed=7)
    return root



#: Where each placeable file of the folder was (None: nothing can tell: it must not be written).
TRUTH = {"DSC_0001.JPG": IPHONE, "DSC_0002.JPG": IPHONE, "P0000001.JPG": GOPRO, "DSC_0100.JPG": DRONE, "C0001.MTS": SONY_TRACK,
         "VID_20170222_2.mp4": LONDON_TRACK, "IMGP0001.MOV": None}
