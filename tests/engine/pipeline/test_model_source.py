"""The model stage of the tagging job, with a scripted predictor (the real model runs in
tests/engine/cli/test_predict_cli.py): who is asked, what is written, what waits for review."""

import datetime as dt
import re

import pytest

from geor.engine.inference.model_request import ModelRequest
from geor.engine.inference.predictor import Prediction
from geor.engine.photos import read_metadata
from geor.engine.pipeline import AnchorSource, JobStore, TagOptions, run_tag_job
from geor.engine.pipeline.model_source import ModelSource, ask_alone
from geor.engine.placement.scenes import fingerprints

from ...helpers.photo_files import make_photo, scene_pixels
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
    options = TagOptions(model=ModelRequest(model="scripted"))
    store = JobStore.create(tmp_path, options)
    run_tag_job(store, options, [AnchorSource(), ModelSource(predictor, "scripted", store)])
    assert sorted(predictor.asked) == ["noise.jpg", "sure.jpg", "unsure.jpg"]  # never the anchor or its neighbour
    rows = {store.path_of(r).name: r for r in store.photos()}
    assert rows["sure.jpg"].stage == "written" and rows["sure.jpg"].source == "model"
    assert abs(read_metadata(tmp_path / "sure.jpg").gps[0] - 43.588) < 1e-4
    assert rows["unsure.jpg"].stage == "review" and read_metadata(tmp_path / "unsure.jpg").gps is None
    assert "review before writing" in rows["unsure.jpg"].message
    assert rows["noise.jpg"].stage == "unplaced" and "model: no usable answer" in rows["noise.jpg"].message
    assert rows["near.jpg"].source == "interpolated"

    # the answers are in the job store: the same job run again asks the model nothing
    predictor.asked.clear()
    run_tag_job(store, options, [AnchorSource(), ModelSource(predictor, "scripted", store)])
    assert predictor.asked == []


class ByScene:
    """predict_path -> an answer by the file name's prefix (its scene), a little different per photo."""

    def __init__(self, places):
        self.places, self.asked = places, []

    def predict_path(self, path):
        self.asked.append(path.name)
        place = self.places[path.name.split("-")[0]]
        if place is None:
            return Prediction(path, "unparsed", reason="no usable answer: no_coordinates")
        shot = int(path.stem.split("-")[1])
        return Prediction(path, "ok", lat=place[0] + 0.01 * (shot % 3), lon=place[1], country="Japan", state="Hokkaido", city="Biei",
                          confidence=0.9, radius_km=None, needs_review=False, reason="")


def write_scenes(folder):
    """A burst of 20 alike photos with one unlike photo among them, a later burst of 10, a lone photo."""
    for shot in range(20):
        make_photo(folder / f"hills-{shot:02d}.jpg", T0 + dt.timedelta(seconds=20 * shot), pixels=scene_pixels(0, shot))
    make_photo(folder / "menu-00.jpg", T0 + dt.timedelta(minutes=3, seconds=10), pixels=scene_pixels(3, 0))
    for shot in range(10):
        make_photo(folder / f"harbour-{shot:02d}.jpg", T0 + dt.timedelta(hours=3, seconds=30 * shot), pixels=scene_pixels(1, shot))
    make_photo(folder / "fog-00.jpg", T0 + dt.timedelta(hours=9), pixels=scene_pixels(2, 0))


def test_the_model_is_asked_once_per_scene_and_every_photo_gets_the_pooled_answer(tmp_path, jobs_home):
    write_scenes(tmp_path)
    predictor = ByScene({"hills": (43.5, 142.4), "menu": (35.0, 135.0), "harbour": (43.2, 140.9), "fog": None})
    options = TagOptions(model=ModelRequest(model="scripted"), dry_run=True)
    store = JobStore.create(tmp_path, options)
    source = ModelSource(predictor, "scripted", store, per_scene=3, window=dt.timedelta(minutes=10))
    run_tag_job(store, options, [source])
    asked = sorted(predictor.asked)
    assert len(asked) == 8 and asked.count("menu-00.jpg") == asked.count("fog-00.jpg") == 1
    assert sum(a.startswith("hills") for a in asked) == sum(a.startswith("harbour") for a in asked) == 3
    rows = {store.path_of(r).name: r for r in store.photos()}
    for scene, size in (("hills", 20), ("harbour", 10)):
        members = [rows[n] for n in rows if n.startswith(scene)]
        assert len({(r.lat, r.lon) for r in members}) == 1 and all(r.source == "model" for r in members)
        note = members[0].evidence
        assert re.fullmatch(rf"model: Japan > Hokkaido > Biei; pooled over 3 of {size} photos of this scene; spread [01]\.\d km", note), note
    assert abs(rows["hills-00.jpg"].lat - 43.51) < 0.006  # the median of 43.50, 43.51, 43.52-ish answers
    assert (rows["menu-00.jpg"].lat, rows["menu-00.jpg"].lon) == (35.0, 135.0)  # asked on its own, its own answer
    assert rows["fog-00.jpg"].stage == "unplaced" and "model: no usable answer" in rows["fog-00.jpg"].message

    # resumed: the same scenes and representatives, every answer from the job store
    predictor.asked.clear()
    run_tag_job(store, options, [ModelSource(predictor, "scripted", store, per_scene=3, window=dt.timedelta(minutes=10))])
    assert predictor.asked == []


def test_per_scene_zero_asks_about_every_photo(tmp_path, jobs_home):
    write_scenes(tmp_path)
    predictor = ByScene({"hills": (43.5, 142.4), "menu": (35.0, 135.0), "harbour": (43.2, 140.9), "fog": None})
    options = TagOptions(model=ModelRequest(model="scripted", per_scene=0), dry_run=True)
    store = JobStore.create(tmp_path, options)
    run_tag_job(store, options, [ModelSource(predictor, "scripted", store, per_scene=0)])
    assert len(predictor.asked) == 32
    rows = {store.path_of(r).name: r for r in store.photos()}
    assert rows["hills-01.jpg"].lat != rows["hills-00.jpg"].lat  # each its own answer


def test_a_scene_whose_representatives_give_one_usable_answer_says_so(tmp_path, jobs_home):
    for shot in range(6):
        make_photo(tmp_path / f"hills-{shot:02d}.jpg", T0 + dt.timedelta(seconds=20 * shot), pixels=scene_pixels(0, shot))

    class OneOfThree(ByScene):
        def predict_path(self, path):
            answer = super().predict_path(path)
            return answer if len(self.asked) == 1 else Prediction(path, "unparsed", reason="no usable answer: no_coordinates")

    predictor = OneOfThree({"hills": (43.5, 142.4)})
    options = TagOptions(model=ModelRequest(model="scripted"), dry_run=True)
    store = JobStore.create(tmp_path, options)
    run_tag_job(store, options, [ModelSource(predictor, "scripted", store)])
    assert len(predictor.asked) == 3
    notes = {r.evidence for r in store.photos()}
    assert notes == {"model: Japan > Hokkaido > Biei; from 1 of 6 photos of this scene (2 more asked, no usable answer)"}


def test_a_photo_asked_about_alone_keeps_its_own_answer_when_the_job_decides_again(tmp_path, jobs_home):
    write_scenes(tmp_path)
    predictor = ByScene({"hills": (43.5, 142.4), "menu": (35.0, 135.0), "harbour": (43.2, 140.9), "fog": None})
    options = TagOptions(model=ModelRequest(model="scripted"), dry_run=True)
    store = JobStore.create(tmp_path, options)

    def source():
        return ModelSource(predictor, "scripted", store, per_scene=3, window=dt.timedelta(minutes=10))

    run_tag_job(store, options, [source()])
    rows = {store.path_of(r).name: r for r in store.photos()}
    pooled = (rows["hills-00.jpg"].lat, rows["hills-00.jpg"].lon)
    # a member the model did not see, whose own answer lies away from the scene's pooled one
    name = next(n for n in sorted(rows) if n.startswith("hills") and n not in predictor.asked
                and abs(43.5 + 0.01 * (int(n[6:8]) % 3) - pooled[0]) > 0.005)
    own = (43.5 + 0.01 * (int(name[6:8]) % 3), 142.4)

    predictor.asked.clear()
    summary = ask_alone(store, [rows[name].id], predictor, "scripted")
    assert summary.placed == 1 and predictor.asked == [name]

    # the job runs again (resumed, or the folder tagged again): nothing is asked, the person's answer stays
    predictor.asked.clear()
    run_tag_job(store, options, [source()])
    assert predictor.asked == []
    rows = {store.path_of(r).name: r for r in store.photos()}
    assert (rows[name].lat, rows[name].lon) == pytest.approx(own)
    assert rows[name].evidence == "model: Japan > Hokkaido > Biei; asked about this photo alone"
    others = [r for n, r in rows.items() if n.startswith("hills") and n != name]
    assert {(r.lat, r.lon) for r in others} == {pooled}


def test_fingerprints_are_kept_in_the_job_store_so_a_resumed_job_decodes_only_what_is_new(tmp_path, jobs_home, monkeypatch):
    from geor.engine.placement import scenes

    write_scenes(tmp_path)
    decoded = []

    def counted(paths):
        decoded.extend(p.name for p in paths.values())
        return fingerprints(paths)  # the real decoder

    monkeypatch.setattr(scenes, "fingerprints", counted)
    monkeypatch.setattr(scenes, "FINGERPRINT_BATCH", 8)
    predictor = ByScene({"hills": (43.5, 142.4), "menu": (35.0, 135.0), "harbour": (43.2, 140.9), "fog": None})
    options = TagOptions(model=ModelRequest(model="scripted"), dry_run=True)
    store = JobStore.create(tmp_path, options)

    class Interrupted(Exception):
        pass

    def stop_after_two_batches(stage, done, total):
        if stage == "scenes" and done >= 16:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_tag_job(store, options, [ModelSource(predictor, "scripted", store, progress=stop_after_two_batches)])
    assert len(decoded) == 16 and predictor.asked == []

    # resumed: the 16 fingerprints come from the store, the other 16 are decoded, the scenes are the same
    decoded.clear()
    source = ModelSource(predictor, "scripted", store)
    run_tag_job(store, options, [source])
    assert len(decoded) == 16 and len(store.fingerprints()) == 32
    assert len(predictor.asked) == 8  # three per burst, the unlike photo and the lone one

    # a file that changed since is decoded again; the rest are not
    changed = tmp_path / "hills-05.jpg"
    make_photo(changed, T0 + dt.timedelta(seconds=100), pixels=scene_pixels(2, 0))
    decoded.clear()
    run_tag_job(store, options, [ModelSource(predictor, "scripted", store)])
    assert decoded == ["hills-05.jpg"]
