"""Multi-statement writes to the job store land together or not at all (JobStore.transaction)."""

import pytest

from geor.engine.pipeline import JobStore, TagOptions

from ...helpers.photo_files import make_photo
from ...helpers.tag_jobs import T0, run


def test_a_failure_between_statements_rolls_back_the_transaction(tmp_path, jobs_home):
    store = JobStore.create(tmp_path, None)
    store.add_found(b"a.jpg", 10, 1)
    store.add_found(b"b.jpg", 10, 1)
    with pytest.raises(RuntimeError, match="between"), store.transaction():
        store.set_stage(1, "read", None)
        raise RuntimeError("a failure between the statements")
    assert not store.db.in_transaction
    assert [row.stage for row in store.photos()] == ["new", "new"]
    with store.transaction():
        store.set_stage(1, "read", None)
        store.set_stage(2, "read", None)
    assert [row.stage for row in store.photos()] == ["read", "read"]


def test_a_job_killed_while_naming_places_keeps_none_of_the_half_and_resumes(tmp_path, jobs_home, monkeypatch):
    folder = tmp_path / "trip"
    folder.mkdir()
    for i in range(3):
        make_photo(folder / f"p{i}.jpg", T0, gps=(43.45 + i / 100, 142.6))

    def names(positions):
        return [{"city": "Biei", "country": "Japan", "country_code": "JP"} for _ in positions]

    calls = {"n": 0}
    real = JobStore.record_place_names

    def failing_update(self, photo_id, names):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")  # lands between the first and the second photo's names
        real(self, photo_id, names)

    monkeypatch.setattr(JobStore, "record_place_names", failing_update)
    with pytest.raises(OSError, match="disk full"):
        run(folder, TagOptions(dry_run=True), place_names=names)
    monkeypatch.setattr(JobStore, "record_place_names", real)
    store = JobStore.open(next(p.stem for p in (jobs_home / "jobs").glob("*.sqlite")))
    assert not store.db.in_transaction
    assert [row.country for row in store.photos()] == [None, None, None]  # all or nothing
    store.close()
    store, _ = run(folder, TagOptions(dry_run=True), place_names=names)  # the same job resumes
    assert [row.country for row in store.photos()] == ["Japan"] * 3
