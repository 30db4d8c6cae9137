"""The job store's typed face: rows are PhotoRow/ChangeRow values, and each change is recorded by a
method named for what it records (no SQL outside the store)."""

from geor.engine.pipeline.jobstore import JobStore, PhotoRow, Position, Reading
from geor.engine.pipeline.tag_options import TagOptions
from geor.engine.pipeline.vocabulary import Source, Stage, Verdict


def new_store(tmp_path) -> JobStore:
    store = JobStore.create(tmp_path, TagOptions(dry_run=True))
    store.add_found(b"a.jpg", 100, 1)
    store.add_found(b"sub/b.jpg", 200, 2)
    store.add_skipped(b"loop", "a link that loops")
    return store


def test_rows_are_typed_and_follow_the_stages(tmp_path, jobs_home):
    store = new_store(tmp_path)
    rows = store.photos()
    assert all(isinstance(r, PhotoRow) for r in rows)
    assert [(r.relpath, r.stage) for r in rows] == [(b"a.jpg", Stage.NEW), (b"sub/b.jpg", Stage.NEW), (b"loop", Stage.SKIPPED)]
    assert rows[2].message == "a link that loops"
    assert store.path_of(rows[1]) == tmp_path / "sub" / "b.jpg"
    assert [r.relpath for r in store.photos(Stage.SKIPPED)] == [b"loop"]
    assert store.photo(999) is None


def test_a_reading_then_a_position_then_a_persons_verdict(tmp_path, jobs_home):
    store = new_store(tmp_path)
    store.record_reading(1, Reading(taken_at="2025-05-03T10:00:00", utc_offset_s=7200, time_source="DateTimeOriginal", camera="Nikon Z 6",
                                    gps=(43.5, 142.4, 250.0), gps_problem=None, gps_time=None, gps_accuracy_m=5.0))
    row = store.photo(1)
    assert row is not None and row.stage == Stage.READ and row.gps == (43.5, 142.4, 250.0) and row.position is None
    store.record_clock(2, "2025-05-03T08:00:00+00:00", "+2:00 exact", "exact")
    store.record_position(2, Position(stage=Stage.DECIDED, source=Source.INTERPOLATED, lat=43.6, lon=142.5, confidence=0.9, radius_m=30.0,
                                      evidence="between a and c", message="between a and c"))
    store.record_place_names(2, {"city": "Biei", "country": "Japan"})
    row = store.photo(2)
    assert row is not None and row.position == (43.6, 142.5) and row.names["city"] == "Biei" and row.names["state"] is None
    assert row.clock_strength == "exact"
    assert store.set_verdicts([1, 2], Verdict.ACCEPTED) == 1  # photo 1 has no proposal: left as it is
    assert store.photo(2).verdict == Verdict.ACCEPTED and store.photo(1).verdict is None
    store.set_stage(2, Stage.WRITTEN, "written to b.jpg")
    store.record_file(2, 210, 3)
    assert (store.photo(2).stage, store.photo(2).size, store.photo(2).mtime_ns) == (Stage.WRITTEN, 210, 3)
    assert store.set_verdicts([2], None) == 0  # written: no longer a proposal


def test_a_new_proposal_clears_an_old_verdict_and_a_person_placing_records_theirs(tmp_path, jobs_home):
    store = new_store(tmp_path)
    placed = Position(stage=Stage.DECIDED, source=Source.MANUAL, lat=1.0, lon=2.0, confidence=1.0, radius_m=None, evidence="by hand",
                      message="by hand")
    store.record_position(1, placed, verdict=Verdict.ACCEPTED, names={"country": "Atlantis"})
    assert store.photo(1).verdict == Verdict.ACCEPTED and store.photo(1).country == "Atlantis"
    store.record_position(1, Position(stage=Stage.REVIEW, source=Source.MODEL, lat=3.0, lon=4.0, confidence=0.2, radius_m=25_000.0,
                                      evidence="model", message="model: review"))
    assert store.photo(1).verdict is None and store.photo(1).country == "Atlantis"  # names stay until the naming step names it again
