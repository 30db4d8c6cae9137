"""A person's review of a dry-run job: verdicts, hand placement, copying, writing the accepted
positions as one batch, undoing that batch; and what the job store keeps through all of it."""

import datetime as dt
import sqlite3

import pytest

from geor.engine.photos import read_metadata
from geor.engine.pipeline import JobStore, TagOptions, list_jobs, review

from ...helpers.photo_files import make_photo, pixels
from ...helpers.tag_jobs import T0, album, names, run

DRY = TagOptions(dry_run=True)


def by_name(store):
    return {v.path.name: v for v in review.photo_views(store)}


def test_a_dry_run_proposes_and_writes_nothing_until_accepted(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, _ = run(folder, DRY, place_names=names)
    views = by_name(store)
    assert views["b0.jpg"].status == "proposed" and not views["b0.jpg"].will_write
    assert views["a.jpg"].status == "has GPS" and views["lonely.jpg"].status == "no location"
    assert review.write_accepted(store, sidecar=False).written == 0
    assert read_metadata(folder / "b0.jpg").gps is None

    assert review.confident_proposals(store) == [views["b0.jpg"].id, views["b1.jpg"].id]
    assert review.set_verdict(store, [views["b0.jpg"].id, views["a.jpg"].id, views["lonely.jpg"].id], "accepted") == 1  # only b0 has a proposal
    assert review.set_verdict(store, [views["b1.jpg"].id], "rejected") == 1
    before = pixels(folder / "b0.jpg")
    summary = review.write_accepted(store, sidecar=False)
    assert (summary.written, summary.failed) == (1, [])
    views = by_name(store)
    assert views["b0.jpg"].status == "written" and views["b1.jpg"].status == "rejected"
    assert read_metadata(folder / "b0.jpg").gps is not None and read_metadata(folder / "b1.jpg").gps is None
    assert (pixels(folder / "b0.jpg") == before).all()


def test_hand_placement_copy_and_neighbours(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, _ = run(folder, DRY, place_names=names)
    views = by_name(store)
    lonely = views["lonely.jpg"].id
    with pytest.raises(review.ReviewError, match="no position to copy"):
        review.copy_location(store, lonely, [views["b0.jpg"].id])
    with pytest.raises(review.ReviewError, match="no photo"):
        review.copy_location(store, 10_000, [])
    review.place(store, [lonely], 35.0, 139.0 + 360.0, names, "typed")  # a map that wrapped round the world
    placed = by_name(store)["lonely.jpg"]
    assert (placed.lat, placed.lon, placed.source, placed.verdict, placed.city) == (35.0, 139.0, "manual", "accepted", "Biei")
    with pytest.raises(review.ReviewError, match="latitude"):
        review.place(store, [lonely], 91.0, 0.0)
    with pytest.raises(review.ReviewError, match="longitude"):
        review.place(store, [lonely], 10.0, float("nan"))

    assert sorted(review.time_neighbours(store, views["a.jpg"].id, dt.timedelta(minutes=5))) == [views["b0.jpg"].id, views["b1.jpg"].id]
    assert review.copy_location(store, views["a.jpg"].id, [views["b0.jpg"].id, views["a.jpg"].id]) == 1
    copied = by_name(store)["b0.jpg"]
    assert (copied.lat, copied.lon) == pytest.approx((43.452002, 142.615358))
    assert copied.message == "copied from a.jpg"


def test_a_resumed_job_keeps_what_the_person_decided(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, _ = run(folder, DRY, place_names=names)
    views = by_name(store)
    review.set_verdict(store, [views["b0.jpg"].id], "rejected")
    review.place(store, [views["lonely.jpg"].id], 10.0, 20.0)
    store.set("state", "running")  # as if the app died before the job ended: run it again
    store, _ = run(folder, DRY, place_names=names)
    views = by_name(store)
    assert views["b0.jpg"].verdict == "rejected" and views["lonely.jpg"].source == "manual"


def test_undo_last_write_puts_back_only_the_last_batch(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, _ = run(folder, DRY, place_names=names)
    views = by_name(store)
    review.set_verdict(store, [views["b0.jpg"].id], "accepted")
    first = review.write_accepted(store, sidecar=False)
    review.set_verdict(store, [views["b1.jpg"].id], "accepted")
    review.place(store, [views["lonely.jpg"].id], 43.0, 141.0, names)
    second = review.write_accepted(store, sidecar=True)
    assert (first.batch, second.batch) == (1, 2) and second.written == 2
    assert (folder / "b1.jpg.xmp").exists() or (folder / "b1.xmp").exists()
    undone = review.undo_last_write(store)
    assert undone.removed_sidecars == 2 and undone.skipped == []
    assert read_metadata(folder / "b0.jpg").gps is not None  # the first batch stays
    assert read_metadata(folder / "b1.jpg").gps is None and read_metadata(folder / "lonely.jpg").gps is None
    undone = review.undo_last_write(store)
    assert undone.restored == 1 and read_metadata(folder / "b0.jpg").gps is None
    assert review.undo_last_write(store) is None


def test_a_correction_after_writing_writes_again(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store, _ = run(folder, DRY, place_names=names)
    b0 = by_name(store)["b0.jpg"].id
    review.set_verdict(store, [b0], "accepted")
    review.write_accepted(store, sidecar=False)
    review.place(store, [b0], 12.5, 45.25)
    assert review.write_accepted(store, sidecar=False).written == 1  # the store follows the file it wrote
    assert read_metadata(folder / "b0.jpg").gps[:2] == pytest.approx((12.5, 45.25))


def test_a_job_on_some_photos_of_a_folder(tmp_path, jobs_home):
    folder = album(tmp_path / "trip")
    store = JobStore.create(folder, None, origin="desktop")
    store.limit_to([folder / "a.jpg", folder / "b0.jpg"])
    with pytest.raises(ValueError, match="not inside"):
        store.limit_to([tmp_path / "elsewhere.jpg"])
    from geor.engine.pipeline import AnchorSource, run_tag_job

    run_tag_job(store, DRY, [AnchorSource()])
    assert sorted(by_name(store)) == ["a.jpg", "b0.jpg"]
    assert [j.origin for j in list_jobs()] == ["desktop"]


def test_old_job_stores_gain_the_review_columns(tmp_path, jobs_home):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE job (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE photos (id INTEGER PRIMARY KEY, relpath BLOB UNIQUE NOT NULL, size INTEGER, mtime_ns INTEGER,
            stage TEXT NOT NULL, taken_at TEXT, utc_offset_s INTEGER, camera TEXT, gps_lat REAL, gps_lon REAL, gps_alt REAL,
            gps_problem TEXT, source TEXT, lat REAL, lon REAL, confidence REAL, city TEXT, state TEXT, country TEXT,
            country_code TEXT, country_code3 TEXT, message TEXT);
        CREATE TABLE changes (id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL, target BLOB NOT NULL, created INTEGER NOT NULL,
            old TEXT NOT NULL, new TEXT NOT NULL, sha256 TEXT NOT NULL, state TEXT NOT NULL, message TEXT, at TEXT);
        INSERT INTO photos (relpath, stage) VALUES (x'612e6a7067', 'decided');
    """)
    db.close()
    store = JobStore(path)
    assert store.photos()[0].verdict is None and store.last_batch() is None


def test_two_jobs_on_one_folder_in_the_same_second_get_their_own_files(tmp_path, jobs_home):
    folder = tmp_path / "f"
    folder.mkdir()
    make_photo(folder / "x.jpg", T0)
    first = JobStore.create(folder, None)
    second = JobStore.create(folder, None)
    assert first.path != second.path
