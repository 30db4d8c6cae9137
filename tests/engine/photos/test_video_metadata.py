"""Real devices' videos (tests/engine/photos/videos/SOURCES.md): time, camera, position and
telemetry as Geo-R reads them, checked against what the devices wrote (ExifTool's own dumps of the
same files, values copied by hand), and damaged or odd files read without a crash."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from geor.engine.inference.images import ImageError, load_image
from geor.engine.photos import PhotoReadError, is_media, is_video, needs_sidecar, read_media
from geor.engine.photos.exiftool import ExifToolMissing, find_exiftool

VIDEOS = Path(__file__).parent / "videos"


def _has_exiftool() -> bool:
    try:
        find_exiftool()
    except ExifToolMissing:
        return False
    return True


pytestmark = pytest.mark.skipif(not _has_exiftool(), reason="videos are read by ExifTool (make installs one)")
H = dt.timedelta(hours=1)


def test_an_iphone_video_is_an_anchor_with_its_zone():
    metadata, telemetry = read_media(VIDEOS / "mde-iphone6-gps.mov")
    assert metadata.camera == "Apple iPhone 6"
    assert (metadata.taken_at, metadata.utc_offset, metadata.time_source) == (dt.datetime(2019, 7, 24, 11, 25, 40), 3 * H,
                                                                             "Keys:CreationDate")
    assert metadata.gps == pytest.approx((32.0929, 34.862, 28.516))
    assert telemetry == []


@pytest.mark.parametrize(("name", "when", "where"), [
    ("mde-android6-gps.mp4", dt.datetime(2017, 2, 22, 8, 20, 28), (51.4169, -0.0806)),
    ("jcodec-android7-gps.mp4", dt.datetime(2017, 7, 13, 19, 16, 41), (33.9951, -118.4762)),
])
def test_an_android_video_is_an_anchor_in_utc(name, when, where):
    """Android writes no zone: the movie header's CreateDate is UTC, as QuickTime's specification says."""
    metadata, _ = read_media(VIDEOS / name)
    assert metadata.camera == "Android"
    assert (metadata.taken_at, metadata.utc_offset) == (when, dt.timedelta(0))
    assert "UTC" in metadata.time_source
    assert metadata.gps[:2] == pytest.approx(where)


def test_a_3gpp_location_and_zoned_day_are_read():
    """An app's MP4 that keeps its place in 3GPP's loci box and its time in (c)day with the zone, and
    no other position: an anchor at 52.36929, 6.67609 on +01:00 (what ExifTool prints)."""
    metadata, telemetry = read_media(VIDEOS / "mde-3gpp-loci.mp4")
    assert (metadata.taken_at, metadata.utc_offset, metadata.time_source) == (dt.datetime(2020, 11, 20, 15, 4, 2), H,
                                                                             "UserData:DateTimeOriginal")
    assert metadata.gps == pytest.approx((52.36929, 6.67609, 10.53))
    assert telemetry == []


def test_a_gopro_video_is_a_track_and_its_clock_is_exact():
    metadata, telemetry = read_media(VIDEOS / "gpmf-gopro-max.mp4")
    assert "GoPro Max" in metadata.camera
    assert metadata.taken_at == dt.datetime(2019, 11, 18, 15, 45, 32)  # the camera's local clock
    assert metadata.utc_offset is None and "(video clock)" not in metadata.camera
    assert metadata.gps_time == dt.datetime(2019, 11, 18, 23, 45, 14, tzinfo=dt.UTC)  # its first fix, 0 s into the video
    assert len(telemetry) >= 10
    times = [fix[0] for fix in telemetry]
    assert times == sorted(times) and times[-1] - times[0] >= 9
    assert telemetry[0][0] == dt.datetime(2019, 11, 18, 23, 45, 14, tzinfo=dt.UTC).timestamp()
    assert all(abs(lat - 33.1268) < 0.01 and abs(lon + 117.3273) < 0.01 for _, lat, lon, _ in telemetry)
    assert metadata.gps[:2] == pytest.approx((33.1268, -117.3273), abs=1e-3)
    assert metadata.gps_accuracy_m == pytest.approx(1.54)


@pytest.mark.parametrize(("name", "camera", "when", "offset"), [
    ("mde-sony-a7iii.mts", "ILCE-7M3", dt.datetime(2019, 4, 24, 22, 24), 2 * H),
    ("exiftool-canon-camcorder.mts", "", dt.datetime(2008, 12, 31, 23, 16, 24), H),
])
def test_an_avchd_camera_declares_its_zone(name, camera, when, offset):
    metadata, telemetry = read_media(VIDEOS / name)
    assert (metadata.camera, metadata.taken_at, metadata.utc_offset, metadata.gps, telemetry) == (camera, when, offset, None, [])
    assert metadata.time_source == "H264:DateTimeOriginal"


def test_a_camera_mov_keeps_its_clock_on_a_device_of_its_own():
    """A camera's QuickTime CreateDate may be UTC or its local time: the video's clock is inferred
    on its own device, never taken as the photos' clock or as UTC."""
    metadata, _ = read_media(VIDEOS / "exiftool-pentax.mov")
    assert metadata.camera == "PENTAX DIGITAL CAMERA (video clock)"
    assert (metadata.taken_at, metadata.utc_offset, metadata.gps) == (dt.datetime(2005, 8, 11, 14, 3, 54), None, None)


def test_videos_are_media_and_avchd_gets_sidecars():
    for name in ("a.MOV", "a.mp4", "a.m4v", "a.3gp", "a.MTS", "a.m2ts", "a.AVI"):
        assert is_video(Path(name)) and is_media(Path(name))
        assert needs_sidecar(Path(name)) == name.lower().endswith(("mts", "m2ts", "avi"))  # QuickTime/MP4 in place (test_video_writer)
    assert not is_media(Path("a.LRV")) and not is_media(Path("a.THM")) and not is_media(Path("a.mxf"))


def test_bad_videos_are_named_errors(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mov").write_text("not a video at all\n")
    data = (VIDEOS / "mde-iphone6-gps.mov").read_bytes()
    (tmp_path / "cut.mov").write_bytes(data[:2000])  # the media data's start only: no movie header
    with pytest.raises(PhotoReadError, match="empty"):
        read_media(tmp_path / "empty.mp4")
    with pytest.raises(PhotoReadError, match="not a video"):
        read_media(tmp_path / "text.mov")
    try:
        metadata, _ = read_media(tmp_path / "cut.mov")
    except PhotoReadError:
        pass
    else:
        assert metadata.gps is None
    with pytest.raises(PhotoReadError, match="disappeared"):
        read_media(tmp_path / "gone.mp4")


def test_a_video_stands_for_itself_by_its_first_picture(tmp_path):
    """The preview, the scenes' hashes and the model see the poster frame, upright: the iPhone's
    568 x 320 stream is turned a quarter (its display matrix)."""
    pytest.importorskip("av")
    image = load_image(VIDEOS / "mde-iphone6-gps.mov", max_side=256)
    assert (image.width, image.height) == (144, 256)
    assert len(set(image.rgb[::997])) > 10  # a picture, not a flat frame
    shutil.copy(VIDEOS / "exiftool-pentax.mov", tmp_path / "no-media.mov")
    with pytest.raises(ImageError):
        load_image(tmp_path / "no-media.mov")
