"""JPEG XL photos (jxl/SOURCES.md): written in place when nothing but the location changes (Debian's
ExifTool judges every other tag, libjxl's djxl the pixels, undo the bytes); a file that holds the
data rebuilding its original JPEG, or metadata ExifTool cannot read, keeps every byte and gets a
sidecar with the reason. The last test shows why: ExifTool's own rewrite of such a file leaves
djxl unable to give the JPEG back."""

import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geor.engine.photos import Location, PhotoWriter, WriteRequest, read_metadata, restore_original
from geor.engine.photos.exiftool import find_exiftool
from geor.engine.photos.formats import is_photo
from geor.engine.photos.jxl_check import top_level_boxes

from ...helpers import exiftool_oracle as oracle
from ...helpers.sidecar_writes import written_beside

pytestmark = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge the writes (CI installs Debian's)")
JXL = Path(__file__).parent / "jxl"
PLACE = Location(64.146582, -21.942635, 12.5, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")
DJXL = shutil.which("djxl")
needs_djxl = pytest.mark.skipif(DJXL is None, reason="no djxl (libjxl-tools, which .ci/run installs) to decode JPEG XL")


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, whole box) of each top-level box (the test files use 32-bit sizes)."""
    found, at = [], 0
    while at < len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        found.append((kind, data[at:at + size]))
        at += size
    return found


def _without_reconstruction_data(path: Path) -> None:
    """The file as cjxl writes it with --allow_jpeg_reconstruction=0: the same boxes but jbrd."""
    path.write_bytes(b"".join(box for kind, box in _boxes(path.read_bytes()) if kind != b"jbrd"))


def _decoded(path: Path, tmp_path: Path) -> np.ndarray:
    out = tmp_path / f"{path.stem}-decoded.png"
    subprocess.run([DJXL, str(path), str(out)], check=True, capture_output=True)
    with Image.open(out) as image:
        return np.asarray(image.convert("RGB"))


def test_its_boxes_are_read_from_the_real_files():
    assert is_photo(Path("IMG_0001.JXL"))
    assert top_level_boxes((JXL / "exiv2-nikon-d1x-reagan.jxl").read_bytes()) == [b"JXL ", b"ftyp", b"Exif", b"xml ", b"jbrd", b"jxlc"]
    assert b"brob" in (top_level_boxes((JXL / "exiftool-JXL2.jxl").read_bytes()) or [])
    codestream = dict(_boxes((JXL / "exiv2-nikon-d1x-reagan.jxl").read_bytes()))[b"jxlc"][8:]
    assert codestream.startswith(b"\xff\x0a") and top_level_boxes(codestream) == []  # a bare codestream
    assert top_level_boxes((JXL / "exiv2-nikon-d1x-reagan.jxl").read_bytes()[:-5]) is None  # cut short


def test_a_bare_codestream_reads_as_a_photo_without_metadata(tmp_path):
    """exiv2 does not know a bare codestream; it is an image all the same, with no time (not "not a readable image")."""
    photo = tmp_path / "export.jxl"
    photo.write_bytes(dict(_boxes((JXL / "exiv2-nikon-d1x-reagan.jxl").read_bytes()))[b"jxlc"][8:])
    found = read_metadata(photo)
    assert found.taken_at is None and found.camera == "" and found.gps is None
    assert read_metadata(JXL / "exiv2-nikon-d1x-reagan.jxl").camera.startswith("NIKON CORPORATION NIKON D1X")


@needs_djxl
@pytest.mark.parametrize("bare", [False, True], ids=["container", "bare codestream"])
def test_a_jxl_is_written_in_place_and_nothing_else_changes(tmp_path, bare):
    photo = tmp_path / "DSC_0001.jxl"
    shutil.copy(JXL / "exiv2-nikon-d1x-reagan.jxl", photo)
    _without_reconstruction_data(photo)
    if bare:  # the codestream alone, as cjxl writes a photo without metadata: ExifTool wraps it in a container
        photo.write_bytes(dict(_boxes(photo.read_bytes()))[b"jxlc"][8:])
    original, before, pixels_before = photo.read_bytes(), oracle.dump(photo), _decoded(photo, tmp_path)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=PLACE))
    assert result.target == photo and not result.created, result.notes
    assert not list(tmp_path.glob("*.xmp"))
    after = oracle.dump(photo)
    changes = oracle.damage(before, after)
    if bare:  # the container's brand box is new (its tags, nothing else)
        assert sorted(c.split(":")[1] for c in changes) == ["CompatibleBrands", "MajorBrand", "MinorVersion"]
    else:
        assert changes == []
    assert oracle.gps(photo)[:2] == pytest.approx((PLACE.lat, PLACE.lon), abs=1e-7)
    kept = oracle.values(before, "XMP-photoshop:City")  # (the Nikon's has names of its own: kept without --overwrite)
    assert oracle.values(after, "XMP-photoshop:City") == (["Reykjavík"] if bare else kept) and (bare or kept)
    assert np.array_equal(_decoded(photo, tmp_path), pixels_before) and pixels_before.size > 0
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


@needs_djxl
def test_jpeg_reconstruction_data_keeps_the_file_whole_and_the_position_goes_beside_it(tmp_path):
    result = written_beside(tmp_path, JXL / "libjxl-1x1_exif_xmp.jxl", "IMG_0001.jxl", PLACE)
    assert any("rebuilds its original JPEG byte for byte" in note for note in result.notes), result.notes
    photo, rebuilt = tmp_path / "IMG_0001.jxl", tmp_path / "rebuilt.jpg"
    subprocess.run([DJXL, str(photo), str(rebuilt)], check=True, capture_output=True)
    assert rebuilt.read_bytes() == (JXL / "libjxl-1x1_exif_xmp.jpg").read_bytes()


def test_brotli_compressed_metadata_keeps_the_file_whole(tmp_path):
    result = written_beside(tmp_path, JXL / "exiftool-JXL2.jxl", "IMG_0002.jxl", PLACE)
    assert any("Brotli-compressed" in note for note in result.notes), result.notes


@needs_djxl
def test_why_exiftool_alone_would_break_the_jpeg_it_rebuilds(tmp_path):
    """The control: ExifTool's rewrite keeps the image data (its hash) and every tag, and still the
    JPEG can no longer be rebuilt, which is what the refusal above prevents."""
    photo, rewritten = tmp_path / "IMG_0001.jxl", tmp_path / "rewritten.jxl"
    shutil.copy(JXL / "libjxl-1x1_exif_xmp.jxl", photo)
    subprocess.run(["perl", str(find_exiftool()), "-q", "-GPSLatitude=64.1", "-GPSLatitudeRef=N", "-o", str(rewritten), str(photo)],
                   check=True)
    assert oracle.damage(oracle.dump(photo), oracle.dump(rewritten)) == []
    rebuilt = tmp_path / "rebuilt.jpg"
    done = subprocess.run([DJXL, str(rewritten), str(rebuilt)], capture_output=True, text=True)
    assert "could not decode losslessly to JPEG" in done.stdout + done.stderr
    assert not rebuilt.exists() or rebuilt.read_bytes() != (JXL / "libjxl-1x1_exif_xmp.jpg").read_bytes()
