"""The JPEG's image data (jpeg_end): where the first scan lies, the copy ExifTool validates with
that data as zeros, and the byte-for-byte proof that a rewrite kept it. On the corpus's real JPEGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from geor.engine.photos.exiftool import ExifToolSession
from geor.engine.photos.jpeg_end import (
    SOI,
    decoded_headers,
    first_scan,
    header_segments,
    same_scan,
    spliced,
    stray_pointers,
    write_quiet_copy,
)

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


def test_rewriting_the_copy_without_image_data_and_putting_it_back_is_exiftools_rewrite_of_every_real_jpeg(tmp_path):
    """The writer has ExifTool rewrite a JPEG's copy without image data and puts the image data back
    (jpeg_end.spliced): on every real JPEG whose metadata points nowhere into the image data, the
    result is byte for byte the file ExifTool writes from the photo itself, names in IPTC and XMP
    included. Where a pointer does, or points past the file's end (a Canon maker note's
    preview an editor cut off), the rewrite of the copy differs, which is why the writer rewrites such a photo itself."""
    from geor.engine.photos.gps_tags import Location, gps_assignments
    from geor.engine.photos.rewrite_check import pointed_at

    args = [*gps_assignments(Location(lat=-33.9, lon=151.2, altitude_m=12.0), "EXIF"), "-IPTC:City=Sydney", "-XMP-photoshop:City=Sydney"]
    same = pointing = 0
    with ExifToolSession() as session:
        for n, path in enumerate(JPEGS):
            data = path.read_bytes()
            scan = first_scan(data)
            if scan is None:
                continue
            copy, whole, quiet = tmp_path / f"q{n}.jpg", tmp_path / f"w{n}.jpg", tmp_path / f"qw{n}.jpg"
            write_quiet_copy(data, scan, copy)
            status, _, _ = session.run(["-m", *args, "-o", str(whole), str(path)])
            if status != 0 or not whole.exists():  # (a file ExifTool will not rewrite even with -m: the writer refuses it)
                continue
            assert session.run(["-m", *args, "-o", str(quiet), str(copy)])[0] == 0, path.name
            made = spliced(quiet.read_bytes(), data, scan)
            if stray_pointers(pointed_at(session.read(copy, binary=True)), scan, len(data)):
                pointing += 1
                continue
            assert made == whole.read_bytes(), path.name
            same += 1
    assert same > 60 and pointing <= same // 10  # (four test files whose previews were cut off)


def test_spliced_refuses_a_rewrite_that_touched_the_image_data_of_the_copy():
    data = (HERE / "corpus" / "exiftool-Nikon.jpg").read_bytes()
    scan = first_scan(data)
    trailer_free = data[:scan[0]] + b"\xff\xd9"
    assert spliced(trailer_free, data, scan) == data[:scan[1] + 2]  # the image data back, nothing else
    assert spliced(trailer_free[:-1] + b"\xda", data, scan) is None  # no end marker where the image data ends
    assert spliced(data[:scan[0]] + b"\x00\xff\xd9", data, scan) is None  # a byte of image data where there was none
    assert spliced(trailer_free + b"TRAILER", data, scan) is None  # a trailer where the photo had none: its offsets would be the copy's
    with_trailer = data[:scan[1] + 2] + b"TRAILER"
    sparse = with_trailer[:scan[0]] + bytes(scan[1] - scan[0]) + with_trailer[scan[1]:]
    assert spliced(sparse, with_trailer, scan) == with_trailer
    touched = bytearray(sparse)
    touched[(scan[0] + scan[1]) // 2] = 1
    assert spliced(bytes(touched), with_trailer, scan) is None


def test_decoded_headers_are_what_the_pixels_depend_on(tmp_path):
    """Two JPEGs with the same image data and the same decoded headers (tables, frame, scan header,
    Adobe's transform) decode to the same pixels, whatever their metadata; a changed quantisation
    table is seen."""
    import io

    import numpy as np
    from PIL import Image

    source = HERE / "corpus" / "exiftool-Nikon.jpg"
    data = source.read_bytes()
    written = tmp_path / "w.jpg"
    with ExifToolSession() as session:
        assert session.run(["-IPTC:City=Reykjavík", "-XMP-dc:Title=x", "-o", str(written), str(source)])[0] == 0
    moved = written.read_bytes()
    assert moved != data and decoded_headers(moved) == decoded_headers(data) and same_scan(moved, data, first_scan(data))
    with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(moved)) as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))
    # without its JFIF segment a JPEG whose components are named R, G, B decodes as RGB, not YCbCr: APP0 counts
    app0 = next(((start, end) for marker, start, end in header_segments(data) if marker == 0xE0), None)
    if app0 is not None:
        assert decoded_headers(data[:app0[0]] + data[app0[1]:]) != decoded_headers(data)
    else:
        jfif = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        assert decoded_headers(data[:2] + jfif + data[2:]) != decoded_headers(data)
    dqt = next(start for marker, start, _ in header_segments(data) if marker == 0xDB)
    table = bytearray(data)
    table[dqt + 10] ^= 0x01
    assert decoded_headers(bytes(table)) != decoded_headers(data)


def test_stray_pointers_are_those_into_the_image_data_or_past_the_end():
    """Every pointer a reading holds counts (an embedded block's start whose size tag is missing as one
    byte): in the headers or in what follows the image it is not stray; in the image data, or past the
    file's end, it is."""
    from geor.engine.photos.exiftool import TagDump
    from geor.engine.photos.rewrite_check import pointed_at

    assert pointed_at(TagDump((("Canon:PreviewImageStart", 5000),))) == [(5000, 1)]
    scan = (100, 4000)  # image data from byte 100, its end marker at 4000
    assert not stray_pointers([(20, 60), (4002, 900)], scan, 5000)  # a thumbnail in the headers, a trailer after the image
    assert stray_pointers([(200, 10)], scan, 5000) and stray_pointers([(5000, 1)], scan, 5000) and stray_pointers([(4500, 900)], scan, 5000)
