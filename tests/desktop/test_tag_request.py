"""The tag job is assembled once: geor tag's flags and the desktop's settings give the same request."""

import pytest

from geor.engine.cli import build_parser
from geor.engine.cli.tag import tag_request
from geor.engine.errors import BadOption
from geor.engine.pipeline.jobstore import jobs_dir
from geor.engine.pipeline.tag_options import TagOptions
from geor.engine.pipeline.tag_request import TagRequest, assemble_tag_job
from geor.engine.placement.policy import PlacementPolicy
from geor.engine.placement.privacy import PrivacyError, PrivacyOptions, PrivacyRules

from ..helpers.app_settings import app_settings


def test_the_cli_and_the_desktop_build_the_same_job_options(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_DATA_DIR", str(tmp_path / "data"))
    track = tmp_path / "walk.gpx"
    track.write_text("<gpx/>")
    args = build_parser().parse_args([
        "tag", str(tmp_path), "--dry-run", "--sidecar", "--track", str(track), "--tz", "+09:00", "--clock", "NIKON Z 6=+01:03:27",
        "--min-confidence", "0.4", "--window-min", "5", "--max-speed-kmh", "250", "--model", "some-model", "--threads", "3",
        "--review-below", "0.4", "--no-clock-inference", "--per-scene", "5",
    ])
    settings = app_settings(model="some-model", threads=3, per_scene=5, sidecar=True, min_confidence=0.4, window_min=5,
                            tracks=[str(track)], tz="+09:00", clocks=["NIKON Z 6=+01:03:27"], infer_clocks=False,
                            policy=PlacementPolicy(max_speed_kmh=250))
    from_cli, from_app = tag_request(args).options, settings.tag_request(tmp_path).options
    assert from_cli.resolved(PrivacyRules()).to_json() == from_app.resolved(PrivacyRules()).to_json()  # the model request included
    assert from_cli.model is not None and (from_cli.model.identity, from_cli.model.threads, from_cli.model.review_below) == ("some-model", 3, 0.4)


def test_a_negative_number_of_photos_per_scene_is_refused():
    args = build_parser().parse_args(["tag", ".", "--model", "m", "--per-scene", "-1"])
    with pytest.raises(BadOption, match="--per-scene cannot be negative"):
        tag_request(args)
    assert app_settings(per_scene=-1).problems() == ["photos per scene cannot be negative (0: every photo)"]


def test_a_bad_option_stops_the_job_before_a_store_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(PrivacyError, match="privacy zone"):
        assemble_tag_job(TagRequest(folder=tmp_path, options=TagOptions(privacy=PrivacyOptions(zones=("not a zone",)))))
    with pytest.raises(BadOption, match="window"):
        assemble_tag_job(TagRequest(folder=tmp_path, options=TagOptions(window_min=-1)))
    assert not jobs_dir().exists() or not any(jobs_dir().iterdir())
