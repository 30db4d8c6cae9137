"""The model stage of the tagging job, with a scripted predictor (the real model runs in
tests/engine/cli/test_predict_cli.py): who is asked, what is written, what waits for review."""

import datetime as dt

from geor.engine.inference.predictor import Prediction
from geor.engine.photos import read_metadata
from geor.engine.pipeline import AnchorSource, JobStore, TagOptions, run_tag_job
from geor.engine.pipeline.model_source import ModelSource

from ...helpers.photo_files import make_photo
from ...helpers.tag_jobs import T0


class Scripted:
    """predict_path -> the Prediction scripted for that file name; records who was asked."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def predict_path(self, path):
        self.asked.append(path.name)
        kind = self.answers[path.name]
        if kind is None:
            return Prediction(path, "unparsed", reason="no usable answer: no_coordinates")
        lat, lon, confidence, review = kind
        return Prediction(path, "ok", lat=lat, lon=lon, country="Japan", state="Hokkaido", city="Biei", confidence=confidence,
                          radius_km=None, needs_review=review, reason="low confidence" if review else "")


def test_model_places_only_what_nothing_else_could(tmp_path, jobs_home):
    make_photo(tmp_path / "anchor.jpg", T0, gps=(43.45, 142.61))
    make_photo(tmp_path / "near.jpg", T0 + dt.timedelta(minutes=1))
    make_photo(tmp_path / "sure.jpg", T0 + dt.timedelta(hours=3))
    make_photo(tmp_path / "unsure.jpg", T0 + dt.timedelta(hours=6))
    make_photo(tmp_path / "noise.jpg", T0 + dt.timedelta(hours=9))
    predictor = Scripted({"sure.jpg": (43.588, 142.467, 0.9, False), "unsure.jpg": (35.0, 135.0, 0.2, True), "noise.jpg": None})
    options = TagOptions(model="scripted")
    store = JobStore.create(tmp_path, options.as_dict())
    run_tag_job(store, options, [AnchorSource(), ModelSource(predictor, "scripted", store)])
    assert sorted(predictor.asked) == ["noise.jpg", "sure.jpg", "unsure.jpg"]  # never the anchor or its neighbour
    rows = {store.path_of(r).name: r for r in store.photos()}
    assert rows["sure.jpg"]["stage"] == "written" and rows["sure.jpg"]["source"] == "model"
    assert abs(read_metadata(tmp_path / "sure.jpg").gps[0] - 43.588) < 1e-4
    assert rows["unsure.jpg"]["stage"] == "review" and read_metadata(tmp_path / "unsure.jpg").gps is None
    assert "review before writing" in rows["unsure.jpg"]["message"]
    assert rows["noise.jpg"]["stage"] == "unplaced" and "model: no usable answer" in rows["noise.jpg"]["message"]
    assert rows["near.jpg"]["source"] == "interpolated"

    # the answers are in the job store: the same job run again asks the model nothing
    predictor.asked.clear()
    run_tag_job(store, options, [AnchorSource(), ModelSource(predictor, "scripted", store)])
    assert predictor.asked == []


def test_event_pooling(tmp_path, jobs_home):
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_photo(tmp_path / name, T0 + dt.timedelta(minutes=4 * i), seed=i)
    make_photo(tmp_path / "later.jpg", T0 + dt.timedelta(hours=14))  # 1,140 km away: a plausible day's travel
    predictor = Scripted({"a.jpg": (43.5, 142.4, 0.9, False), "b.jpg": (43.6, 142.5, 0.8, False), "c.jpg": None,
                          "later.jpg": (35.0, 135.0, 0.9, False)})
    options = TagOptions(model="scripted", pool_events=True, dry_run=True)
    store = JobStore.create(tmp_path, options.as_dict())
    run_tag_job(store, options, [ModelSource(predictor, "scripted", store, pool_events=True, window=dt.timedelta(minutes=10))])
    rows = {store.path_of(r).name: r for r in store.photos()}
    pooled = {(round(rows[n]["lat"], 6), round(rows[n]["lon"], 6)) for n in ("a.jpg", "b.jpg", "c.jpg")}
    assert len(pooled) == 1  # one position for the event, the unparsed photo included
    lat, lon = pooled.pop()
    assert 43.5 <= lat <= 43.6 and 142.4 <= lon <= 142.5
    assert "pooled from 2 photos" in rows["c.jpg"]["message"]
    assert (rows["later.jpg"]["lat"], rows["later.jpg"]["lon"]) == (35.0, 135.0)  # its own event of one
