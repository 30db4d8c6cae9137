"""The review session on its own: no window, no toolkit, no photo folder; a job store with a few
proposals (as a dry run leaves them) is all it needs."""

import pytest

from geor.engine.pipeline.jobstore import JobStore, Position, Reading
from geor.engine.pipeline.review import WriteSummary, photo_views
from geor.engine.pipeline.review_session import CannotApply, ReviewSession, undone_words, written_words
from geor.engine.pipeline.undo import UndoSummary
from geor.engine.pipeline.vocabulary import Source, Stage, Verdict


@pytest.fixture
def store(tmp_path):
    store = JobStore(tmp_path / "job.sqlite")
    store.set("root_bytes", str(tmp_path).encode().hex())
    for k, (minute, stage, position) in enumerate([(0, Stage.DECIDED, (43.5, 142.4)), (3, Stage.REVIEW, (43.6, 142.5)),
                                                   (5, Stage.UNPLACED, None), (90, Stage.UNPLACED, None)], start=1):
        store.add_found(f"day1/p{k}.jpg".encode(), 100, 1)
        store.record_reading(k, Reading(taken_at=f"2025-05-03T10:{minute % 60:02d}:00" if minute < 60 else "2025-05-03T11:30:00",
                                        utc_offset_s=None, time_source="DateTimeOriginal", camera="cam", gps=None, gps_problem=None,
                                        gps_time=None, gps_accuracy_m=None))
        store.record_position(k, Position(stage=stage, source=Source.INTERPOLATED if position else None, lat=position and position[0],
                                          lon=position and position[1], confidence=0.9 if position else None, radius_m=None,
                                          evidence=None, message=None))
    yield store
    store.close()


def run(action, store):
    result = action.work(store)
    return result, action.words(result)


def test_verdicts_and_accepting_the_confident_ones(store):
    session = ReviewSession()
    assert run(session.verdict([2, 3], Verdict.REJECTED), store) == (1, "Rejected 1 photo")  # photo 3 has nothing to judge
    assert run(session.accept_confident(), store) == (1, "Accepted 1 confident proposal")
    assert [(v.id, v.status) for v in photo_views(store)][:3] == [(1, "accepted"), (2, "rejected"), (3, "no location")]
    assert run(session.verdict([1, 2], None), store)[1] == "Cleared the verdict on 2 photos"


def test_placing_by_hand_names_the_place_and_accepts_it(store):
    session = ReviewSession(place_names=lambda positions: [{"city": "Biei", "country": "Japan"} for _ in positions])
    assert run(session.place([3], 43.59, 142.47, "placed on the map"), store) == (1, "Placed 1 photo at 43.59000, 142.47000")
    row = store.photo(3)
    assert (row.stage, row.source, row.verdict, row.city, row.evidence) == (Stage.DECIDED, Source.MANUAL, Verdict.ACCEPTED, "Biei",
                                                                           "placed on the map")


def test_copying_a_position_to_the_neighbours_in_time_and_to_a_selection(store):
    session = ReviewSession(window_min=10)
    views = {v.id: v for v in photo_views(store)}
    count, words = run(session.copy_to_neighbours(views[1]), store)
    assert count == 2 and words == "Copied the location of day1/p1.jpg to 2 photos taken within 10 min"  # p2, p3; p4 is 90 min later
    assert store.photo(4).lat is None and store.photo(3).lat == 43.5
    assert run(session.copy_to_selection(views[1], [1, 4]), store)[0] == 1 and store.photo(4).lat == 43.5


@pytest.mark.parametrize(("title", "make"), [
    ("No photo selected", lambda s, v: s.verdict([], Verdict.ACCEPTED)),
    ("No photo selected", lambda s, v: s.place([], 1.0, 2.0)),
    ("Nothing to copy", lambda s, v: s.copy_to_neighbours(v[3])),  # no position of its own
    ("Nothing to copy", lambda s, v: s.copy_to_selection(v[1], [1])),  # nothing else selected
    ("No model", lambda s, v: s.ask([1], None)),
    ("Nothing to write", lambda s, v: s.write_question(list(v.values()))),
])
def test_an_action_that_cannot_apply_says_why_before_anything_runs(store, title, make):
    views = {v.id: v for v in photo_views(store)}
    with pytest.raises(CannotApply) as caught:
        make(ReviewSession(), views)
    assert caught.value.title == title and str(caught.value)


def test_asking_the_model_reports_what_it_placed(store):
    class Summary:
        placed, skipped, failures = 1, 1, []

    asked = []
    action = ReviewSession().ask([2, 3], lambda s, ids: asked.append(ids) or Summary())
    assert run(action, store)[1] == "The model placed 1 of 2 photos; review its answer; 1 not asked (own GPS, written or reviewed)"
    assert asked == [[2, 3]]


def test_the_write_question_and_what_a_write_or_an_undo_did(store):
    session = ReviewSession(sidecar=True)
    run(session.verdict([1], Verdict.ACCEPTED), store)
    assert session.write_question(photo_views(store)).startswith("Write 1 location into XMP sidecars beside the photos?")
    assert written_words(WriteSummary(1, written=2, failed=["a.jpg: refused"])).startswith("2 locations written.\n\n1 could not be written")
    assert undone_words(None) == "This job has written nothing that is still there to undo."
    assert undone_words(UndoSummary(restored=1, removed_sidecars=0)) == "Restored 1 photo, removed 0 sidecar(s)."
