"""Privacy zones: a position inside one is never written exactly (coarsened or withheld, place
names on or off), checked with the independent reader on the written files; zones live in the
user's config and protect later writes too."""

import dataclasses
import datetime as dt
import subprocess

import pytest

from geor.engine.pipeline import TagOptions
from geor.engine.placement.privacy import PrivacyError, PrivacyOptions, PrivacyRules, PrivacyZone, load_rules, parse_zone, save_rules

from ...helpers.photo_files import EXIFTOOL, make_photo
from ...helpers.tag_jobs import T0, run

HOME = (43.452002, 142.615358)
AWAY = (43.5, 142.7)  # 8.6 km from home
pytestmark = pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")


def names(positions):
    return [{"city": "Biei", "state": "Hokkaido", "country": "Japan", "country_code": "JP", "country_code3": "JPN"} for _ in positions]


def read_back(path):
    out = subprocess.run([EXIFTOOL, "-n", "-s", "-GPSLatitude", "-GPSLongitude", "-XMP-photoshop:City", "-IPTC:City", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in out.strip().splitlines())}


def trip(folder):
    folder.mkdir()
    make_photo(folder / "home.jpg", T0, gps=HOME)
    make_photo(folder / "at_home.jpg", T0 + dt.timedelta(minutes=2))
    make_photo(folder / "away.jpg", T0 + dt.timedelta(hours=3), gps=AWAY)
    make_photo(folder / "out.jpg", T0 + dt.timedelta(hours=3, minutes=2))
    return folder


def test_coarsened_inside_a_zone_exact_outside(tmp_path, jobs_home):
    folder = trip(tmp_path / "trip")
    options = TagOptions(privacy=PrivacyOptions(zones=("43.452,142.615,500,home",)))
    store, summary = run(folder, options, place_names=names)
    inside, outside = read_back(folder / "at_home.jpg"), read_back(folder / "out.jpg")
    assert float(inside["GPSLatitude"]) == pytest.approx(43.45, abs=1e-9) and float(inside["GPSLongitude"]) == pytest.approx(142.62, abs=1e-9)
    assert inside["City"] == "Biei"  # names kept by default
    assert float(outside["GPSLatitude"]) == pytest.approx(AWAY[0], abs=1e-6)
    row = next(r for r in store.photos() if r.relpath == b"at_home.jpg")
    assert row.stage == "written" and "inside the privacy zone 'home': rounded to 2 decimals (about 1.1 km)" in row.message


def test_omitted_or_without_names(tmp_path, jobs_home):
    folder = trip(tmp_path / "omit")
    store, summary = run(folder, TagOptions(privacy=PrivacyOptions(zones=("43.452,142.615,500",), mode="omit")), place_names=names)
    assert read_back(folder / "at_home.jpg") == {} and summary.counts["withheld (privacy zone)"] == 1
    row = next(r for r in store.photos() if r.relpath == b"at_home.jpg")
    assert row.stage == "withheld" and "not written" in row.message

    folder = trip(tmp_path / "nameless")
    run(folder, TagOptions(privacy=PrivacyOptions(zones=("43.452,142.615,500",), names=False, decimals=1)), place_names=names)
    inside = read_back(folder / "at_home.jpg")
    assert float(inside["GPSLatitude"]) == pytest.approx(43.5) and "City" not in inside
    assert read_back(folder / "out.jpg")["City"] == "Biei"


def test_a_zone_saved_after_the_job_still_protects_the_reviewed_write(tmp_path, jobs_home):
    from geor.engine.pipeline import set_verdict, write_accepted

    folder = trip(tmp_path / "later")
    store, _ = run(folder, TagOptions(dry_run=True), place_names=names)
    save_rules(PrivacyRules((PrivacyZone(43.452, 142.615, 500, "home"),), "omit"))
    set_verdict(store, [r.id for r in store.photos("decided")], "accepted")
    write_accepted(store, sidecar=False)
    assert read_back(folder / "at_home.jpg") == {} and "GPSLatitude" in read_back(folder / "out.jpg")


def test_zones_as_typed_and_as_saved(tmp_path):
    assert parse_zone("48.8566, 2.3522, 500, my flat") == PrivacyZone(48.8566, 2.3522, 500.0, "my flat")
    for bad, words in (("48.8,2.3", "expected LAT,LON,RADIUS_M"), ("95,2,500", "is not a position"), ("48,2,-1", "radius")):
        with pytest.raises(PrivacyError, match=words):
            parse_zone(bad)
    rules = PrivacyRules((PrivacyZone(1.0, 2.0, 300.0, "a"),), "omit", 1, False)
    path = save_rules(rules, tmp_path / "privacy.json")
    assert load_rules(path) == rules and load_rules(tmp_path / "none.json") == PrivacyRules()
    path.write_text("{not json")
    with pytest.raises(PrivacyError, match="privacy.json: the privacy settings cannot be read"):
        load_rules(path)
    with pytest.raises(PrivacyError, match="privacy mode"):
        dataclasses.replace(rules, mode="blur")
