"""Reading: capture time by the documented order, text that is not UTF-8, files exiv2 cannot open."""

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pyexiv2
import pytest

from geor.engine.photos import PhotoReadError, read_metadata
from geor.engine.photos.exiftool import ExifToolSession
from geor.engine.photos.metadata import capture_time

from ...helpers.photo_files import EXIFTOOL, make_photo


def set_tags(path, *assignments):
    with ExifToolSession() as session:
        status, _, err = session.run([*assignments, "-overwrite_original", os.fsencode(path)])
    assert status == 0, err


def test_latin1_text_in_exif_and_iptc_is_read(tmp_path, when):
    """Canon, Nikon and Ricoh bodies write the copyright sign and accents in Latin-1: exiv2's UTF-8
    decoding used to fail the whole photo."""
    photo = make_photo(tmp_path / "p.jpg", when, model="EOS 7D")
    set_tags(photo, "-charset", "exif=Latin", "-IFD0:Make=Canon ©", "-IFD0:Copyright=© Jürgen", "-charset", "iptc=Latin",
             "-IPTC:By-line=Jürgen Straße")
    assert b"\xa9 J\xfcrgen" in photo.read_bytes()  # really Latin-1 bytes in the file
    metadata = read_metadata(photo)
    assert metadata.camera == "Canon © EOS 7D" and metadata.taken_at == when


def test_time_order_original_then_xmp_then_create_then_modify(tmp_path):
    exif = {"Exif.Photo.DateTimeOriginal": "2024:07:14 10:00:00", "Exif.Photo.SubSecTimeOriginal": "25",
            "Exif.Photo.OffsetTimeOriginal": "+09:00", "Exif.Photo.DateTimeDigitized": "2024:07:14 11:00:00",
            "Exif.Image.DateTime": "2025:01:01 08:00:00"}
    xmp = {"Xmp.photoshop.DateCreated": "2024-07-14T12:00:00.5-03:00"}
    assert capture_time(exif, xmp) == (dt.datetime(2024, 7, 14, 10, 0, 0, 250000), dt.timedelta(hours=9), "DateTimeOriginal")
    del exif["Exif.Photo.DateTimeOriginal"]
    assert capture_time(exif, xmp) == (dt.datetime(2024, 7, 14, 12, 0, 0, 500000), dt.timedelta(hours=-3), "XMP photoshop:DateCreated")
    assert capture_time(exif, {"Xmp.exif.DateTimeOriginal": "2024-07-14T12:00Z"})[1] == dt.timedelta(0)
    assert capture_time(exif, {"Xmp.photoshop.DateCreated": "2024-07-14"})[2] == "CreateDate"  # a date alone is no time
    iptc = {"Iptc.Application2.DateCreated": "2024-07-14", "Iptc.Application2.TimeCreated": "12:30:00+02:00"}
    assert capture_time(exif, xmp, iptc)[2] == "XMP photoshop:DateCreated"
    assert capture_time(exif, {}, iptc) == (dt.datetime(2024, 7, 14, 12, 30), None, "IPTC DateCreated")  # its zone not taken
    assert capture_time(exif, {}, {"Iptc.Application2.DateCreated": "2024-07-14"})[2] == "CreateDate"
    assert capture_time(exif, {})[2] == "CreateDate"
    del exif["Exif.Photo.DateTimeDigitized"]
    assert capture_time(exif, {}) == (dt.datetime(2025, 1, 1, 8, 0), None, "ModifyDate")
    assert capture_time({"Exif.Photo.DateTimeOriginal": "0000:00:00 00:00:00"}, {}) == (None, None, None)
    # a camera that writes only OffsetTime: its zone is the capture time's too
    only = {"Exif.Photo.DateTimeOriginal": "2024:07:14 10:00:00", "Exif.Photo.OffsetTime": "+02:00"}
    assert capture_time(only, {})[1] == dt.timedelta(hours=2)


def test_modify_date_alone_is_a_weak_time(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", None)
    set_tags(photo, "-IFD0:ModifyDate=2024:07:14 10:00:00", "-XMP:all=")
    metadata = read_metadata(photo)
    assert metadata.taken_at == when and metadata.time_source == "ModifyDate" and metadata.time_is_weak
    set_tags(photo, "-XMP-photoshop:DateCreated=2024:07:14 09:30:00+02:00")
    metadata = read_metadata(photo)
    assert metadata.taken_at == when - dt.timedelta(minutes=30) and metadata.utc_offset == dt.timedelta(hours=2)
    assert not metadata.time_is_weak


def test_a_file_exiv2_cannot_open_is_read_by_exiftool():
    """A Sigma X3F (exiv2 knows no such format): read by ExifTool instead of failing the photo."""
    x3f = Path(__file__).parent / "corpus" / "exiftool-SigmaDP2.x3f"
    with pytest.raises(RuntimeError):
        pyexiv2.Image(str(x3f))
    metadata = read_metadata(x3f)
    assert metadata.camera == "SIGMA SIGMA DP2" and metadata.taken_at == dt.datetime(2009, 11, 28, 13, 5, 20)


def test_a_jpeg_header_and_garbage_is_still_unreadable(tmp_path):
    fake = tmp_path / "damaged.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    with pytest.raises(PhotoReadError):
        read_metadata(fake)



@pytest.mark.parametrize(("name", "reason"), [
    ("exiv2-issue_2427_poc.jpg", "its metadata is damaged (exiv2: _ERROR_FORMAT_CL_SPACE)"),
    ("exiv2-issue_1841_poc.webp", "not a readable image (This does not look like a TIFF image)"),
])
def test_a_fuzzers_file_is_named_unreadable_in_words(name, reason):
    """Two of exiv2's own fuzzing proofs (more_files/SOURCES.md): the report says in words why the
    file cannot be read, not only exiv2's code."""
    with pytest.raises(PhotoReadError) as caught:
        read_metadata(Path(__file__).parent / "more_files" / name)
    assert str(caught.value) == reason


@pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")
def test_gps_time_and_accuracy_of_real_cameras_agree_with_exiftool():
    """GPSDateStamp + GPSTimeStamp (UTC: the camera clock's truth) and GPSHPositioningError, read
    from every real file of the corpus that has them, as the independent reader sees them."""
    corpus = Path(__file__).parent / "corpus"
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-GPSDateStamp", "-GPSTimeStamp", "-GPSHPositioningError", "-GPSLatitude", str(corpus)],
                         capture_output=True, text=True)
    rows = [r for r in json.loads(out.stdout) if "GPSDateStamp" in r and "GPSTimeStamp" in r and "GPSLatitude" in r]
    assert len(rows) >= 6  # iPhone, GoPro, Ricoh, Xiaomi, Pixel, Nikon...
    for row in rows:
        metadata = read_metadata(Path(row["SourceFile"]))
        if not str(row["GPSDateStamp"])[:10].replace(":", "").isdigit():  # a blank date: no moment at all
            assert metadata.gps_time is None
            continue
        hours, minutes, seconds = (float(x) for x in str(row["GPSTimeStamp"]).split(":"))
        day = dt.datetime.strptime(str(row["GPSDateStamp"])[:10], "%Y:%m:%d").replace(tzinfo=dt.UTC)  # one writer added a time
        expected = day + dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        assert metadata.gps_time is not None, row["SourceFile"]
        assert abs((metadata.gps_time - expected).total_seconds()) < 0.01, row["SourceFile"]
        if "GPSHPositioningError" in row:
            assert metadata.gps_accuracy_m == pytest.approx(float(row["GPSHPositioningError"]), abs=1e-3)


def test_null_island_and_void_fixes_are_no_position(tmp_path, when):
    photo = make_photo(tmp_path / "zero.jpg", when, gps=(0.0, 0.0))
    metadata = read_metadata(photo)
    assert metadata.gps is None and metadata.gps_problem is None  # a receiver's no fix: no position, nothing to keep
    void = make_photo(tmp_path / "void.jpg", when, gps=(45.0, 7.0), extra_exif={"Exif.GPSInfo.GPSStatus": "V"})
    metadata = read_metadata(void)
    assert metadata.gps is None and "void" in metadata.gps_problem
    fine = make_photo(tmp_path / "fine.jpg", when, gps=(45.0, 7.0), extra_exif={"Exif.GPSInfo.GPSStatus": "A"})
    assert read_metadata(fine).gps[:2] == pytest.approx((45.0, 7.0))
