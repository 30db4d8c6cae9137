"""Every kind of bad input gets a clear per-file message, the job goes on, and nothing is damaged."""

import csv
import datetime as dt
import json
import os
import struct
import zlib

import pytest

from geor.engine.photos import read_metadata
from geor.engine.pipeline import TagOptions

from ...helpers.photo_files import make_photo
from ...helpers.tag_jobs import T0, run

A = (43.452002, 142.615358)


def report(summary):
    return {os.path.basename(r["path"]): r for r in csv.DictReader(summary.report_csv.open())}


def huge_png(path, width=100_000, height=100_000):
    """A decompression bomb: a valid PNG header announcing 10^10 pixels over a few bytes of data."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def bad_folder(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    make_photo(folder / "anchor.jpg", T0, gps=A)
    make_photo(folder / "good.jpg", T0 + dt.timedelta(minutes=1))
    (folder / "zero.jpg").write_bytes(b"")
    good = (folder / "good.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 3])
    (folder / "text.jpg").write_text("not an image at all")
    (folder / "random.png").write_bytes(os.urandom(5000))
    huge_png(folder / "bomb.png")
    make_photo(folder / "bad_gps.jpg", T0 + dt.timedelta(minutes=2),
               extra_exif={"Exif.GPSInfo.GPSLatitude": "43/1 27/1", "Exif.GPSInfo.GPSLatitudeRef": "N",
                           "Exif.GPSInfo.GPSLongitude": "142/0 36/1 0/1", "Exif.GPSInfo.GPSLongitudeRef": "E"})
    make_photo(folder / "bad_date.jpg", extra_exif={"Exif.Photo.DateTimeOriginal": "0000:00:00 00:00:00"})
    return folder


def test_bad_files_are_reported_and_the_job_goes_on(bad_folder, jobs_home):
    originals = {p.name: p.read_bytes() for p in bad_folder.iterdir() if p.name != "good.jpg"}
    _, summary = run(bad_folder)
    rows = report(summary)
    assert rows["good.jpg"]["stage"] == "written"
    assert rows["zero.jpg"]["stage"] == "failed" and "empty file" in rows["zero.jpg"]["message"]
    for name in ("truncated.jpg", "text.jpg", "random.png"):
        assert rows[name]["stage"] in ("failed", "unplaced"), name
        assert rows[name]["message"], name
    assert rows["text.jpg"]["stage"] == "failed" and "not a readable image" in rows["text.jpg"]["message"]
    # a copy cut short keeps its metadata (it is placed like its neighbour) but is flagged, never rewritten
    assert rows["truncated.jpg"]["stage"] == "failed" and "truncated" in rows["truncated.jpg"]["message"]
    assert rows["bomb.png"]["stage"] == "unplaced"  # read without decoding: no time, no position
    # a malformed GPS block is the photographer's data: reported, kept, left for review
    assert rows["bad_gps.jpg"]["stage"] == "review" and "GPSLatitude has 2 values, expected 3" in rows["bad_gps.jpg"]["message"]
    assert "--overwrite" in rows["bad_gps.jpg"]["message"]
    assert rows["bad_date.jpg"]["stage"] == "unplaced" and "no time" in rows["bad_date.jpg"]["message"]
    for name, data in originals.items():
        if name != "anchor.jpg":
            assert (bad_folder / name).read_bytes() == data, name


def test_malformed_gps_block_is_named(tmp_path):
    photo = make_photo(tmp_path / "p.jpg", T0, extra_exif={"Exif.GPSInfo.GPSLatitude": "43/1 27/1", "Exif.GPSInfo.GPSLatitudeRef": "N",
                                                           "Exif.GPSInfo.GPSLongitude": "1/1 0/1 0/1", "Exif.GPSInfo.GPSLongitudeRef": "E"})
    metadata = read_metadata(photo)
    assert metadata.gps is None and "GPSLatitude has 2 values, expected 3" in metadata.gps_problem


def test_read_only_file_and_folder(tmp_path, jobs_home):
    folder = tmp_path / "ro"
    folder.mkdir()
    make_photo(folder / "anchor.jpg", T0, gps=A)
    locked = make_photo(folder / "locked.jpg", T0 + dt.timedelta(minutes=1))
    os.chmod(locked, 0o444)
    sub = folder / "sub"
    sub.mkdir()
    make_photo(sub / "anchor.jpg", T0, gps=A)
    inside = make_photo(sub / "p.jpg", T0 + dt.timedelta(minutes=1))
    data = locked.read_bytes(), inside.read_bytes()
    os.chmod(sub, 0o555)
    try:
        _, summary = run(folder)
    finally:
        os.chmod(sub, 0o755)
    rows = report(summary)
    assert rows["locked.jpg"]["stage"] == "failed" and "read-only" in rows["locked.jpg"]["message"]
    assert rows["p.jpg"]["stage"] == "failed" and "read-only" in rows["p.jpg"]["message"]
    assert (locked.read_bytes(), inside.read_bytes()) == data


class Meddler:
    """A location source that, running between the read and the write stages, deletes one photo
    and edits another behind the job's back."""

    name = "meddler"

    def __init__(self, delete, edit):
        self.delete, self.edit = delete, edit

    def locate(self, photos):
        self.delete.unlink()
        with self.edit.open("ab") as handle:
            handle.write(b"edited")
        return {}


def test_files_deleted_or_changed_mid_job(tmp_path, jobs_home):
    folder = tmp_path / "mid"
    folder.mkdir()
    make_photo(folder / "anchor.jpg", T0, gps=A)
    gone = make_photo(folder / "gone.jpg", T0 + dt.timedelta(minutes=1))
    edited = make_photo(folder / "edited.jpg", T0 + dt.timedelta(minutes=2))
    make_photo(folder / "fine.jpg", T0 + dt.timedelta(minutes=3))
    _, summary = run(folder, extra_sources=[Meddler(gone, edited)])
    rows = report(summary)
    assert rows["gone.jpg"]["stage"] == "failed" and "disappeared" in rows["gone.jpg"]["message"]
    assert rows["edited.jpg"]["stage"] == "failed" and "changed since" in rows["edited.jpg"]["message"]
    assert edited.read_bytes().endswith(b"edited") and rows["fine.jpg"]["stage"] == "written"


def test_odd_names_long_paths_and_symlink_loops(tmp_path, jobs_home):
    folder = tmp_path / "odd"
    folder.mkdir()
    make_photo(folder / "anchor.jpg", T0, gps=A)
    weird = os.fsdecode(b"caf\xe9-latin1.jpg")  # not UTF-8
    make_photo(folder / "plain.jpg", T0 + dt.timedelta(minutes=1)).rename(folder / weird)
    deep = folder
    for i in range(8):
        deep = deep / (f"{i}-" + "x" * 60)
    deep.mkdir(parents=True)
    make_photo(deep / "anchor.jpg", T0, gps=A)
    make_photo(deep / ("y" * 200 + ".jpg"), T0 + dt.timedelta(minutes=1))
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    outside = make_photo(tmp_path / "outside.jpg", T0 + dt.timedelta(minutes=1))
    (folder / "link_out.jpg").symlink_to(outside)
    (folder / "self_loop.jpg").symlink_to(folder / "self_loop.jpg")  # a file symlink loop: once aborted every run (exit 70)
    (folder / "a_loop.jpg").symlink_to(folder / "b_loop.jpg")
    (folder / "b_loop.jpg").symlink_to(folder / "a_loop.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "deleted.jpg")
    for _attempt in range(2):  # and again: a rerun meets the same entries
        _, summary = run(folder)
        assert read_metadata(folder / weird).gps is not None
        assert read_metadata(deep / ("y" * 200 + ".jpg")).gps is not None
        assert read_metadata(outside).gps is None
        rows = report(summary)
        assert rows["link_out.jpg"]["stage"] == "skipped" and "outside the folder" in rows["link_out.jpg"]["message"]
        for name in ("self_loop.jpg", "a_loop.jpg", "b_loop.jpg"):
            assert rows[name]["stage"] == "skipped" and "symlink loop" in rows[name]["message"], name
        assert rows["dangling.jpg"]["stage"] == "skipped" and "dangling symlink" in rows["dangling.jpg"]["message"]
        assert summary.counts["skipped (not a photo of this folder)"] == 5
        features = {os.path.basename(f["properties"]["path"]): f for f in json.loads(summary.report_geojson.read_text())["features"]}
        assert features["dangling.jpg"]["geometry"] is None and "dangling" in features["dangling.jpg"]["properties"]["message"]


def test_empty_and_missing_folder(tmp_path, jobs_home):
    (tmp_path / "empty").mkdir()
    _, summary = run(tmp_path / "empty")
    assert sum(summary.counts.values()) == 0
    with pytest.raises(ValueError, match="no such folder"):
        run(tmp_path / "missing", TagOptions())


def test_exif_with_a_huge_count_and_wrong_types(tmp_path, jobs_home):
    """An APP1 EXIF block whose IFD entries claim 2^31 values, and a GPS IFD with ASCII where
    rationals belong: read without crashing or hanging, reported, never written over."""
    import pyexiv2

    photo = make_photo(tmp_path / "hostile.jpg", T0)
    data = photo.read_bytes()
    tiff = (b"II*\x00\x08\x00\x00\x00" + b"\x02\x00"
            + struct.pack("<HHII", 0x010F, 2, 0x7FFFFFFF, 38)  # Make: ASCII, count 2^31 - 1
            + struct.pack("<HHII", 0x8825, 4, 1, 38)  # GPS IFD pointer
            + b"\x00\x00\x00\x00"
            + b"\x01\x00" + struct.pack("<HHII", 0x0002, 2, 4, 0x0034332E) + b"\x00\x00\x00\x00")  # GPSLatitude as ASCII
    app1 = b"Exif\x00\x00" + tiff
    hostile = data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]
    photo.write_bytes(hostile)
    try:
        with pyexiv2.Image(str(photo)) as handle:
            handle.read_exif()
    except RuntimeError:
        pass  # exiv2 may refuse it outright; what matters is the job below
    _, summary = run(tmp_path)
    row = report(summary)["hostile.jpg"]
    assert row["stage"] in ("failed", "unplaced", "review") and row["message"]
    if row["stage"] == "unplaced":
        assert "GPS block is malformed" in row["message"]
    assert photo.read_bytes() == hostile
