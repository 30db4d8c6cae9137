"""The JPEG's image data (jpeg_end): where the first scan lies, the copy ExifTool validates with
that data as zeros, and the byte-for-byte proof that a rewrite kept it. On the corpus's real JPEGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from geor.engine.photos.exiftool import ExifToolSession
from geor.engine.photos.jpeg_end import SOI, first_scan, same_scan, write_quiet_copy

HERE = Path(__file__).parent
JPEGS = sorted(p for folder in (HERE / "corpus", HERE / "more_files") for p in folder.rglob("*")
               if p.suffix.lower() in (".jpg", ".jpeg", ".mpo") and p.is_file())


def _without_file_groups(session: ExifToolSession, path: Path) -> list[tuple[str, object]]:
    return [(k, v) for k, v in session.read(path, validate=True, binary=True).entries if not k.startswith(("File:", "System:"))]


def test_exiftool_reads_the_copy_without_image_data_of_every_real_jpeg_as_the_jpeg_itself(tmp_path):
    """Every tag, embedded image (as its bytes), trailer and validation warning the same: leaving
    the image data out changes nothing ExifTool reports but the time its validation takes (its size
    aside, in the File group, which the rewrite check does not compare). Two processes, each
    reading in the same order, so that neither one's history (a warning ExifTool gives only the
    first time a process meets a property) tells them apart."""
    assert len(JPEGS) > 60
    checked = trailer_free = 0
    with ExifToolSession() as real, ExifToolSession() as quiet:
        for path in JPEGS:
            data = path.read_bytes()
            scan = first_scan(data)
            if scan is None:  # a cut JPEG, or one the walk cannot read: the writer refuses it
                continue
            copy = tmp_path / f"quiet{path.suffix}"
            write_quiet_copy(data, scan, copy)
            quiet_bytes = copy.read_bytes()
            if scan[1] + 2 == len(data):  # the image ends the file: its headers and the end marker
                assert quiet_bytes == data[:scan[0]] + b"\xff\xd9"
                trailer_free += 1
            else:  # more follows the image (MPF images, a trailer): the same length, the image data zeros
                assert len(quiet_bytes) == len(data) and quiet_bytes[scan[0]:scan[1]] == bytes(scan[1] - scan[0])
                assert quiet_bytes[:scan[0]] == data[:scan[0]] and quiet_bytes[scan[1]:] == data[scan[1]:]
            assert _without_file_groups(quiet, copy) == _without_file_groups(real, path), path.name
            checked += 1
    assert checked > 60 and 0 < trailer_free < checked  # both kinds of copy


def test_same_scan_sees_one_byte_of_image_data_and_not_the_metadata_moving(tmp_path):
    source = HERE / "corpus" / "exiftool-Nikon.jpg"
    original = source.read_bytes()
    scan = first_scan(original)
    start, end = scan
    assert 0 < start < end < len(original)
    with ExifToolSession() as session:
        written = tmp_path / "written.jpg"
        status, _, _ = session.run(["-GPSLatitude#=10.5", "-GPSLatitudeRef#=N", "-IPTC:City=Reykjavík", "-o", str(written), str(source)])
        assert status == 0
    moved = written.read_bytes()
    found = same_scan(moved, original, scan)
    assert found == first_scan(moved) and found[0] != start  # the metadata grew: the image data moved, the same bytes
    flipped = bytearray(moved)
    flipped[found[0] + (end - start) // 2] ^= 0x01
    assert same_scan(bytes(flipped), original, scan) is None
    assert same_scan(moved[:found[1]], original, scan) is None  # the end-of-image marker lost
    assert same_scan(b"not a jpeg", original, scan) is None


@pytest.mark.parametrize("cut", [10, 200, -2])
def test_a_cut_jpeg_has_no_scan(cut):
    data = (HERE / "corpus" / "exiftool-Canon.jpg").read_bytes()
    assert data.startswith(SOI) and first_scan(data) is not None
    assert data[:cut].startswith(SOI) and first_scan(data[:cut]) is None
