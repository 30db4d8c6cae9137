"""The job places photos from every device's GPS and from tracks, by each camera's clock: what a
weak clock, a null position, a user's clock and a real track do to the decisions."""

import datetime as dt
from pathlib import Path

import gpxpy

from geor.engine.photos import read_metadata
from geor.engine.pipeline import TagOptions
from geor.engine.placement.policy import distance_m

from ...helpers.photo_files import make_photo
from ...helpers.tag_jobs import T0, run

TRACKS = Path(__file__).parent / "tracks" / "data"
PHONE = {"Exif.Image.Make": "Apple", "Exif.Photo.OffsetTimeOriginal": "+09:00"}


def phone_photo(path, local, where):
    utc = local - dt.timedelta(hours=9)
    tags = PHONE | {"Exif.GPSInfo.GPSDateStamp": utc.strftime("%Y:%m:%d"), "Exif.GPSInfo.GPSTimeStamp": f"{utc.hour}/1 {utc.minute}/1 {utc.second}/1"}
    return make_photo(path, local, model="iPhone 12 Pro", gps=where, extra_exif=tags)


def rows(store):
    return {Path(store.path_of(r)).name: r for r in store.photos()}


def test_a_camera_with_too_little_evidence_is_a_proposal_for_review(tmp_path, jobs_home):
    folder = tmp_path / "one stop"
    folder.mkdir()
    phone_photo(folder / "IMG_1.jpg", T0, (43.45, 142.61))
    phone_photo(folder / "IMG_2.jpg", T0 + dt.timedelta(minutes=6), (43.4502, 142.6101))
    make_photo(folder / "DSC_1.jpg", T0 + dt.timedelta(hours=-1, minutes=3), model="NIKON Z 6")  # camera on home time
    make_photo(folder / "DSC_2.jpg", T0 + dt.timedelta(hours=-1, minutes=4), model="NIKON Z 6")
    store, summary = run(folder)
    found = rows(store)
    for name in ("DSC_1.jpg", "DSC_2.jpg"):
        assert found[name].clock_strength in ("weak", "unknown")
        assert found[name].stage in ("review", "unplaced") and read_metadata(folder / name).gps is None
    if found["DSC_1.jpg"].stage == "review":
        assert "weak clock" in found["DSC_1.jpg"].message


def test_the_users_clock_places_across_devices(tmp_path, jobs_home):
    folder = tmp_path / "set"
    folder.mkdir()
    phone_photo(folder / "IMG_1.jpg", T0, (43.45, 142.61))
    make_photo(folder / "DSC_1.jpg", T0 + dt.timedelta(hours=-1, minutes=2), model="NIKON Z 6")
    store, _ = run(folder, TagOptions(clocks=("NIKON Z 6=+08:00",)))
    row = rows(store)["DSC_1.jpg"]
    assert row.stage == "written" and row.clock == "+8:00 set"
    assert "2 min after IMG_1.jpg" in row.evidence and "set by you (--clock 'NIKON Z 6')" in row.evidence


def test_a_null_island_photo_is_no_anchor(tmp_path, jobs_home):
    folder = tmp_path / "null"
    folder.mkdir()
    make_photo(folder / "zero.jpg", T0, gps=(0.0, 0.0))
    make_photo(folder / "next.jpg", T0 + dt.timedelta(minutes=1))
    store, _ = run(folder)
    found = rows(store)
    assert found["next.jpg"].stage == "unplaced" and read_metadata(folder / "next.jpg").gps is None
    assert found["zero.jpg"].stage == "unplaced" and read_metadata(folder / "zero.jpg").gps is None  # (0, 0): no position of its own


def test_a_real_walk_places_photos_along_it(tmp_path, jobs_home):
    """Photos taken during the Korita walk (its GPX from gpxpy's test files), by a camera whose
    OffsetTimeOriginal says +02:00: each lands where the track was at that moment."""
    with open(TRACKS / "korita-zbevnica.gpx", encoding="utf-8") as handle:
        points = [p for t in gpxpy.parse(handle).tracks for s in t.segments for p in s.points if p.time is not None]
    folder = tmp_path / "walk"
    folder.mkdir()
    picks = points[40::120]
    for i, point in enumerate(picks):
        local = point.time.astimezone(dt.timezone(dt.timedelta(hours=2))).replace(tzinfo=None) + dt.timedelta(seconds=7)
        make_photo(folder / f"P{i}.jpg", local, model="EOS R6", extra_exif={"Exif.Photo.OffsetTimeOriginal": "+02:00"})
    store, summary = run(folder, gpx=[TRACKS / "korita-zbevnica.gpx"])
    assert summary.counts["tagged by track"] == len(picks)
    for i, point in enumerate(picks):
        lat, lon, _ = read_metadata(folder / f"P{i}.jpg").gps
        assert distance_m(lat, lon, point.latitude, point.longitude) < 30  # 7 s further along a walk
        row = rows(store)[f"P{i}.jpg"]
        assert "korita-zbevnica.gpx" in row.evidence and row.radius_m < 100  # the tags clock's +-30 s of walking: ~60 m


def test_a_track_alone_proposes_a_clock_for_review(tmp_path, jobs_home):
    """No time zone anywhere: the times the track covers suggest one, which waits for a person."""
    with open(TRACKS / "korita-zbevnica.gpx", encoding="utf-8") as handle:
        points = [p for t in gpxpy.parse(handle).tracks for s in t.segments for p in s.points if p.time is not None]
    folder = tmp_path / "nozone"
    folder.mkdir()
    for i, point in enumerate(points[20::60]):
        make_photo(folder / f"P{i}.jpg", point.time.replace(tzinfo=None) + dt.timedelta(hours=2), model="EOS R6")
    store, summary = run(folder, gpx=[TRACKS / "korita-zbevnica.gpx"])
    assert summary.counts["left for review"] == len(points[20::60]) and not any(read_metadata(p).gps for p in folder.iterdir())
    row = rows(store)["P0.jpg"]
    assert row.clock_strength == "weak" and "does the track cover" in row.evidence


def test_photos_of_no_known_camera_placed_from_one_another_are_for_review(tmp_path, jobs_home):
    """Photos without make and model are one 'camera' per folder (exports, messengers' copies, scans) but
    may be of several devices, whose clocks need not agree: one placed on its own clock from another's
    GPS is a proposal for review, where a camera's own GPS photos would place it."""
    import pyexiv2

    for model in ("", "NIKON Z 6"):
        folder = tmp_path / (model or "anonymous")
        folder.mkdir()
        photos = [make_photo(folder / "with_gps.jpg", T0, gps=(43.45, 142.61)), make_photo(folder / "without.jpg", T0 + dt.timedelta(minutes=2))]
        for photo in photos:
            with pyexiv2.Image(str(photo)) as handle:
                handle.modify_exif({"Exif.Image.Make": None, "Exif.Image.Model": model or None})
        store, _ = run(folder)
        row = rows(store)["without.jpg"]
        if model:
            assert row.stage == "written" and "2 min after with_gps.jpg" in row.evidence
        else:
            assert row.stage == "review" and "photos of no known camera, maybe of another device: review" in row.message, row
            assert read_metadata(folder / "without.jpg").gps is None
