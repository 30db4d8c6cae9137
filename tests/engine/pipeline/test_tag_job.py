import csv
import datetime as dt
import json
import os

import numpy as np
import pytest

from geor.engine.photos import read_metadata
from geor.engine.pipeline import JobStore, TagOptions, undo_job
from geor.engine.placement.policy import distance_m

from ...helpers.photo_files import EXIFTOOL, exiftool_gps, make_photo, pixels
from ...helpers.tag_jobs import T0, A, D, album, names, run, write_gpx


def test_propagates_between_anchors_writes_and_reports(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, summary = run(folder, place_names=names)
    assert summary.counts == {"tagged by interpolated": 2, "already had GPS (exif)": 2, "no location found": 1}
    lat, lon, _ = read_metadata(folder / "b0.jpg").gps
    # a third of the way from A to D along the great circle
    assert lat == pytest.approx(A[0] + (D[0] - A[0]) / 3, abs=1e-4) and lon == pytest.approx(A[1] + (D[1] - A[1]) / 3, abs=1e-4)
    if EXIFTOOL:
        assert exiftool_gps(folder / "b1.jpg") == pytest.approx(read_metadata(folder / "b1.jpg").gps[:2], abs=1e-6)
    rows = {os.path.basename(r["path"]): r for r in csv.DictReader(summary.report_csv.open())}
    assert rows["b0.jpg"]["source"] == "interpolated" and rows["a.jpg"]["source"] == "exif"
    assert rows["lonely.jpg"]["stage"] == "unplaced" and "no GPS" in rows["lonely.jpg"]["message"]
    # 2 min from the nearer of two anchors 6 min apart: confidence falls with that gap; the radius is a
    # phone's 20 m plus how far along the 1.2 km the user may really be: having left at once, at driving
    # pace, at the end of it (two thirds beyond the interpolated point)
    assert float(rows["b0.jpg"]["confidence"]) == pytest.approx(0.95 * (1 - 0.5 * 2 / 30), abs=1e-3) and rows["b0.jpg"]["city"] == "Biei"
    assert float(rows["b0.jpg"]["radius_m"]) == pytest.approx(20 + 2 / 3 * distance_m(*A, *D), abs=0.5)
    assert rows["b0.jpg"]["evidence"].startswith("between a.jpg (Geo-R Tests TestCam X1), 2 min before, and d.jpg")
    geojson = json.loads(summary.report_geojson.read_text())
    assert len(geojson["features"]) == 5  # every photo; the one without a position has a null geometry
    assert sum(f["geometry"] is None for f in geojson["features"]) == 1
    assert store.get("state") == "finished"


def test_confidence_falls_with_the_time_gap_and_low_confidence_is_not_written(tmp_path, jobs_home):
    folder = tmp_path / "gap"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=A)
    make_photo(folder / "near.jpg", T0 + dt.timedelta(minutes=1))
    make_photo(folder / "far.jpg", T0 + dt.timedelta(minutes=25))
    _, summary = run(folder, TagOptions(min_confidence=0.5))
    assert read_metadata(folder / "near.jpg").gps is not None
    assert read_metadata(folder / "far.jpg").gps is None  # 25 of the 30 min bound: confidence 0.15, left for review
    assert summary.counts["left for review"] == 1


def test_the_same_camera_in_another_folder_places_and_another_camera_needs_its_clock(tmp_path, jobs_home):
    """Anchors count across folders; across cameras only once the other camera's clock is known
    (one photo of an unknown clock says nothing about it)."""
    folder = tmp_path / "two"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=A)
    make_photo(folder / "other_camera.jpg", T0 + dt.timedelta(minutes=1), model="Other Phone")
    (folder / "sub").mkdir()
    make_photo(folder / "sub" / "other_folder.jpg", T0 + dt.timedelta(minutes=1))
    store, _ = run(folder)
    assert read_metadata(folder / "sub" / "other_folder.jpg").gps[:2] == pytest.approx(A, abs=1e-6)
    assert read_metadata(folder / "other_camera.jpg").gps is None
    row = next(r for r in store.photos() if r.relpath == b"other_camera.jpg")
    assert row.stage == "unplaced" and "this camera's clock is unknown" in row.message


def test_dry_run_writes_nothing(tmp_path, jobs_home):
    folder = album(tmp_path / "dry")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _, summary = run(folder, TagOptions(dry_run=True))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert summary.counts["would tag by interpolated"] == 2


def test_sidecar_mode_never_touches_originals(tmp_path, jobs_home):
    folder = album(tmp_path / "side")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    run(folder, TagOptions(sidecar=True))
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".jpg"} == before
    assert sorted(p.name for p in folder.glob("*.xmp")) == ["b0.xmp", "b1.xmp"]
    assert read_metadata(folder / "b0.jpg").gps is not None  # read back through the sidecar


def test_gpx_with_time_zone(tmp_path, jobs_home):
    folder = tmp_path / "hike"
    folder.mkdir()
    make_photo(folder / "p1.jpg", T0)  # camera clock in UTC+9: 10:00 local = 01:00 UTC
    make_photo(folder / "p2.jpg", T0 + dt.timedelta(hours=3))  # outside the track
    utc = T0 - dt.timedelta(hours=9)
    gpx = write_gpx(tmp_path / "track.gpx", [(43.0, 142.0, 100, utc - dt.timedelta(minutes=5)), (43.1, 142.1, 200, utc + dt.timedelta(minutes=5))])
    _, summary = run(folder, gpx=[gpx], tz=dt.timedelta(hours=9))
    lat, lon, alt = read_metadata(folder / "p1.jpg").gps
    assert (lat, lon) == pytest.approx((43.05, 142.05), abs=1e-3) and alt == pytest.approx(150.0)
    assert read_metadata(folder / "p2.jpg").gps is None
    assert summary.counts["tagged by track"] == 1


def test_gpx_without_time_zone_places_nothing(tmp_path, jobs_home):
    folder = tmp_path / "nozone"
    folder.mkdir()
    make_photo(folder / "p1.jpg", T0)
    gpx = write_gpx(tmp_path / "t.gpx", [(43.0, 142.0, 0, T0), (43.1, 142.1, 0, T0 + dt.timedelta(minutes=10))])
    run(folder, gpx=[gpx], tz=None)
    assert read_metadata(folder / "p1.jpg").gps is None


def test_existing_gps_is_kept_unless_overwrite(tmp_path, jobs_home):
    folder = tmp_path / "keep"
    folder.mkdir()
    make_photo(folder / "p.jpg", T0, gps=A)
    gpx = write_gpx(tmp_path / "t.gpx", [(10.0, 10.0, 0, T0 - dt.timedelta(minutes=1)), (10.0, 10.0, 0, T0 + dt.timedelta(minutes=1))])
    run(folder, gpx=[gpx], tz=dt.timedelta(0))
    assert read_metadata(folder / "p.jpg").gps[:2] == pytest.approx(A, abs=1e-6)
    run(folder, TagOptions(overwrite=True), gpx=[gpx], tz=dt.timedelta(0))
    assert read_metadata(folder / "p.jpg").gps[:2] == pytest.approx((10.0, 10.0), abs=1e-6)


def test_undo_restores_every_change(tmp_path, jobs_home):
    import pyexiv2

    folder = album(tmp_path / "undo")
    before_pixels = pixels(folder / "b0.jpg")
    originals = {p.name: p.read_bytes() for p in folder.iterdir()}
    store, _ = run(folder, place_names=names)
    assert read_metadata(folder / "b1.jpg").gps is not None
    summary = undo_job(JobStore.open(store.id))
    assert summary.restored == 2 and not summary.skipped
    with pyexiv2.Image(str(folder / "b0.jpg")) as handle:
        exif, xmp, iptc = handle.read_exif(), handle.read_xmp(), handle.read_iptc()
    assert not any(k.startswith("Exif.GPSInfo.GPSLat") for k in exif)
    assert "Xmp.photoshop.City" not in xmp and "Iptc.Application2.City" not in iptc
    assert exif["Exif.Image.Artist"] == "A. Photographer" and xmp["Xmp.xmp.Rating"] == "4"
    np.testing.assert_array_equal(pixels(folder / "b0.jpg"), before_pixels)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == originals  # byte for byte
    assert undo_job(JobStore.open(store.id)).restored == 0  # a second undo has nothing left to do

    sidecars, _ = run(folder, TagOptions(sidecar=True))
    assert sorted(p.name for p in folder.glob("*.xmp")) == ["b0.xmp", "b1.xmp"]
    summary = undo_job(JobStore.open(sidecars.id))
    assert summary.removed_sidecars == 2 and not list(folder.glob("*.xmp"))
    assert read_metadata(folder / "b0.jpg").gps is None


def test_undo_leaves_files_changed_since(tmp_path, jobs_home):
    folder = album(tmp_path / "changed")
    store, _ = run(folder)
    with (folder / "b0.jpg").open("ab") as handle:
        handle.write(b"edited elsewhere")
    summary = undo_job(JobStore.open(store.id))
    assert summary.restored == 1 and any("changed since" in s for s in summary.skipped)
    assert read_metadata(folder / "b0.jpg").gps is not None


def test_unknown_job():
    with pytest.raises(ValueError, match="no job 'nope'"):
        JobStore.open("nope")


def test_heic_is_written_in_place_and_undone(tmp_path, jobs_home):
    folder = tmp_path / "phone"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=A)
    heic = make_photo(folder / "IMG_0002.heic", T0 + dt.timedelta(minutes=1))
    data = heic.read_bytes()
    assert read_metadata(heic).taken_at == T0 + dt.timedelta(minutes=1)
    store, summary = run(folder)
    assert heic.read_bytes() != data and not (folder / "IMG_0002.xmp").exists()
    assert read_metadata(heic).gps[:2] == pytest.approx(A, abs=1e-6)
    assert summary.counts["tagged by interpolated"] == 1
    undo_job(JobStore.open(store.id))
    assert heic.read_bytes() == data


def test_a_modify_date_only_time_is_flagged_and_not_written_unreviewed(tmp_path, jobs_home):
    """IFD0 ModifyDate is the last edit, often not the capture: a photo placed by it waits for review."""
    import subprocess

    from geor.engine.photos.exiftool import find_exiftool

    folder = tmp_path / "weak"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=A)
    edited = make_photo(folder / "edited.jpg", None)
    subprocess.run([str(find_exiftool()), "-q", "-IFD0:ModifyDate=2024:07:14 10:01:00", "-overwrite_original", str(edited)], check=True)
    _, summary = run(folder)
    rows = {os.path.basename(r["path"]): r for r in csv.DictReader(summary.report_csv.open())}
    assert rows["edited.jpg"]["stage"] == "review" and "ModifyDate" in rows["edited.jpg"]["message"]
    assert rows["edited.jpg"]["time_source"] == "ModifyDate" and rows["a.jpg"]["time_source"] == "DateTimeOriginal"
    assert read_metadata(edited).gps is None


def test_undo_of_a_change_an_older_geor_journaled_says_why_it_cannot(tmp_path, jobs_home):
    """Journals written before 0.2 hold old values, not the bytes: undo leaves such files as they are."""
    folder = album(tmp_path / "old")
    store, _ = run(folder)
    store.db.execute("UPDATE changes SET restore = NULL, original_sha256 = NULL")
    summary = undo_job(JobStore.open(store.id))
    assert summary.restored == 0 and len(summary.skipped) == 2 and all("older than 0.2" in line for line in summary.skipped)
    assert read_metadata(folder / "b0.jpg").gps is not None
