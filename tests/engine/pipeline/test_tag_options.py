"""The job's options, declared once: their JSON round trip, the stored form of older job stores,
resolving against the saved privacy rules, and what makes two runs the same job."""

from geor.engine.inference.model_request import ModelRequest
from geor.engine.pipeline.tag_options import TagOptions
from geor.engine.placement.policy import PlacementPolicy
from geor.engine.placement.privacy import PrivacyOptions, PrivacyRules, PrivacyZone

FULL = TagOptions(dry_run=True, tracks=("/trips/a.gpx",), clocks=("NIKON Z 6=+01:03:27",), tz="+09:00", policy=PlacementPolicy(far_km=50.0),
                  privacy=PrivacyOptions(zones=("1,2,300,home",), mode="omit", decimals=1, names=False),
                  model=ModelRequest(model="/models/geo-r.gguf", samples=3, per_scene=0, threads=4))


def test_the_json_round_trip_keeps_every_option():
    assert TagOptions.from_json(FULL.to_json()) == FULL
    assert TagOptions.from_json({}) == TagOptions()


def test_a_job_store_written_before_the_options_were_one_type_reads_as_the_same_options():
    flat = {"dry_run": True, "sidecar": False, "tracks": ["/trips/a.gpx"], "clocks": {"NIKON Z 6": "+01:03:27"}, "tz": "+09:00",
            "far_km": 50.0, "privacy_zones": ["1,2,300,home"], "privacy_mode": "omit", "privacy_decimals": 1, "privacy_names": False,
            "model": "/models/geo-r.gguf", "samples": 3, "per_scene": 0, "infer_clocks": True}
    old = TagOptions.from_json(flat)
    assert old.policy == FULL.policy and old.privacy == FULL.privacy and old.clocks == FULL.clocks and old.tracks == FULL.tracks
    assert old.model == ModelRequest(model="/models/geo-r.gguf", samples=3, per_scene=0)


def test_resolving_adds_the_saved_zones_and_settings():
    saved = PrivacyRules((PrivacyZone(10.0, 20.0, 500.0, "office"),), "coarsen", 2, True)
    resolved = TagOptions(privacy=PrivacyOptions(zones=("1, 2, 300",))).resolved(saved)
    assert resolved.privacy == PrivacyOptions(zones=("10,20,500,office", "1,2,300"), mode="coarsen", decimals=2, names=True)
    assert resolved.privacy_rules().zones[1] == PrivacyZone(1.0, 2.0, 300.0)


def test_the_same_job_whatever_threads_the_model_runs_on_but_not_another_model_setting():
    faster = TagOptions(model=ModelRequest(model="m", threads=16, device="cpu"))
    assert faster.job_key() == TagOptions(model=ModelRequest(model="m")).job_key()
    assert TagOptions(model=ModelRequest(model="m", samples=5)).job_key() != faster.job_key()
