import os
import stat

import numpy as np
import pytest

from geor.engine.photos.gps_tags import Location
from geor.engine.photos.metadata import read_metadata
from geor.engine.photos.writer import FileState, PhotoWriteError, location_tags, write_tags

from .conftest import EXIFTOOL, exiftool_gps, make_photo, pixels

BIEI = Location(43.452002, 142.615358, 250.5, "Biei", "Hokkaido", "Japan", "JP", "JPN")
OURS = ("Exif.GPSInfo.", "Xmp.photoshop.City", "Xmp.photoshop.State", "Xmp.photoshop.Country", "Xmp.iptc.CountryCode",
        "Iptc.Application2.City", "Iptc.Application2.ProvinceState", "Iptc.Application2.CountryName", "Iptc.Application2.CountryCode",
        "Iptc.Envelope.CharacterSet", "Exif.Image.GPSTag",
        # where blocks sit in the file (layout, not content): they move when metadata grows
        "Exif.Image.ExifTag", "Exif.Image.StripOffsets", "Exif.Image.TileOffsets", "Exif.Photo.InteroperabilityTag",
        # TIFF keeps XMP and IPTC inside EXIF tags: their contents are compared key by key instead
        "Exif.Image.XMLPacket", "Exif.Image.IPTCNAA")


def all_metadata(path):
    import pyexiv2

    with pyexiv2.Image(str(path)) as handle:
        merged = handle.read_exif() | handle.read_xmp() | handle.read_iptc()
    return {k: v for k, v in merged.items() if not k.startswith(OURS)}


@pytest.mark.parametrize("suffix", [".jpg", ".tif", ".png", ".webp"])
def test_embedded_write_is_lossless_and_reads_back(tmp_path, when, suffix):
    photo = make_photo(tmp_path / f"p{suffix}", when)
    os.chmod(photo, 0o640)
    os.utime(photo, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before_pixels, before_meta, before_stat = pixels(photo), all_metadata(photo), os.stat(photo)
    target, tags = location_tags(photo, BIEI, sidecar=False)
    result = write_tags(target, tags, expect=FileState.of(photo))
    assert result.target == photo and not result.created
    assert result.old["Exif.GPSInfo.GPSLatitude"] is None
    np.testing.assert_array_equal(pixels(photo), before_pixels)
    assert all_metadata(photo) == before_meta  # every other field untouched
    after = os.stat(photo)
    assert stat.S_IMODE(after.st_mode) == 0o640 and after.st_mtime_ns == before_stat.st_mtime_ns
    lat, lon, alt = read_metadata(photo).gps
    assert (lat, lon) == pytest.approx((43.452002, 142.615358), abs=1e-7) and alt == pytest.approx(250.5)
    if EXIFTOOL:
        assert exiftool_gps(photo) == pytest.approx((43.452002, 142.615358), abs=1e-7)
    assert not list(tmp_path.glob(".*geor-tmp"))


def test_place_names_in_xmp_and_iptc(tmp_path, when):
    import pyexiv2

    photo = make_photo(tmp_path / "p.jpg", when)
    write_tags(*location_tags(photo, BIEI, sidecar=False))
    with pyexiv2.Image(str(photo)) as handle:
        xmp, iptc = handle.read_xmp(), handle.read_iptc()
    assert xmp["Xmp.photoshop.City"] == "Biei" and xmp["Xmp.iptc.CountryCode"] == "JP"
    assert iptc["Iptc.Application2.City"] == "Biei" and iptc["Iptc.Application2.CountryCode"] == "JPN"


@pytest.mark.parametrize("suffix", [".heic", ".cr2", ".jpg"])
def test_sidecar_leaves_the_original_byte_identical(tmp_path, when, suffix):
    photo = tmp_path / f"IMG_1{suffix}"
    if suffix == ".cr2":
        photo.write_bytes(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(range(256)) * 40)  # RAW bytes we must never touch
    else:
        make_photo(photo, when)
    original = photo.read_bytes()
    target, tags = location_tags(photo, BIEI, sidecar=(suffix == ".jpg"))
    assert target == tmp_path / "IMG_1.xmp"
    result = write_tags(target, tags)
    assert result.created and photo.read_bytes() == original
    if suffix != ".cr2":
        assert read_metadata(photo).gps[:2] == pytest.approx((43.452002, 142.615358), abs=1e-7)
    if EXIFTOOL:
        assert exiftool_gps(target) == pytest.approx((43.452002, 142.615358), abs=1e-7)


def test_southern_and_western_hemispheres(tmp_path, when):
    photo = make_photo(tmp_path / "rio.jpg", when)
    write_tags(*location_tags(photo, Location(-22.951916, -43.210487, -3.0), sidecar=False))
    lat, lon, alt = read_metadata(photo).gps
    assert (lat, lon, alt) == pytest.approx((-22.951916, -43.210487, -3.0), abs=1e-7)


def test_read_only_file_is_left_alone(tmp_path, when):
    photo = make_photo(tmp_path / "locked.jpg", when)
    os.chmod(photo, 0o444)
    data = photo.read_bytes()
    with pytest.raises(PhotoWriteError, match="read-only"):
        write_tags(*location_tags(photo, BIEI, sidecar=False))
    assert photo.read_bytes() == data


def test_changed_since_read_is_not_written(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    state = FileState.of(photo)
    with photo.open("ab") as handle:
        handle.write(b"\0")
    data = photo.read_bytes()
    with pytest.raises(PhotoWriteError, match="changed since"):
        write_tags(*location_tags(photo, BIEI, sidecar=False), expect=state)
    assert photo.read_bytes() == data


def test_symlink_out_of_the_folder_is_not_followed(tmp_path, when):
    outside = make_photo(tmp_path / "outside.jpg", when)
    folder = tmp_path / "album"
    folder.mkdir()
    (folder / "link.jpg").symlink_to(outside)
    data = outside.read_bytes()
    with pytest.raises(PhotoWriteError, match="outside the folder"):
        write_tags(*location_tags(folder / "link.jpg", BIEI, sidecar=False), root=folder)
    assert outside.read_bytes() == data


def test_symlink_inside_is_written_through_and_stays_a_link(tmp_path, when):
    real = make_photo(tmp_path / "real.jpg", when)
    (tmp_path / "link.jpg").symlink_to(real)
    write_tags(*location_tags(tmp_path / "link.jpg", BIEI, sidecar=False), root=tmp_path)
    assert (tmp_path / "link.jpg").is_symlink() and read_metadata(real).gps is not None


def test_not_an_image(tmp_path):
    fake = tmp_path / "fake.jpg"
    fake.write_text("this is a text file, not a JPEG")
    with pytest.raises(PhotoWriteError, match="not a readable image"):
        write_tags(*location_tags(fake, BIEI, sidecar=False))
    assert fake.read_text() == "this is a text file, not a JPEG"


def test_full_disk_leaves_original_and_no_temp(tmp_path, when, monkeypatch):
    """Simulated ENOSPC on the temporary copy (a real full disk needs a mount the tests cannot make)."""
    import errno

    import geor.engine.photos.writer as writer

    photo = make_photo(tmp_path / "p.jpg", when)
    data = photo.read_bytes()
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fd, *args, **kwargs):
            self.handle = real_fdopen(fd, *args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer.os, "fdopen", FullDisk)
    with pytest.raises(PhotoWriteError, match="no space left"):
        write_tags(*location_tags(photo, BIEI, sidecar=False))
    monkeypatch.undo()
    assert photo.read_bytes() == data and not list(tmp_path.glob(".*geor-tmp"))
