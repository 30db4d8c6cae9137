"""Reading the proposal: coordinates typed by a person, the Chain of Region as steps."""

from pathlib import Path

from geor.desktop.detail_panel import chain_html, parse_coordinates
from geor.engine.pipeline import PhotoView


def view(**fields):
    base = dict(id=1, path=Path("/p/a.jpg"), relpath="a.jpg", stage="review", source="model", lat=43.588, lon=142.467, confidence=0.35,
                city="Biei", state="Hokkaido", country="Japan", message="model: Japan > Hokkaido > Biei", verdict=None,
                taken_at="2024-07-14T10:00:00", had_gps=False, model=None)
    return PhotoView(**(base | fields))


def test_parse_coordinates():
    assert parse_coordinates("43.588, 142.467") == (43.588, 142.467)
    assert parse_coordinates(" -33.9 18.4 ") == (-33.9, 18.4)
    assert parse_coordinates("43.5;-120") == (43.5, -120.0)
    for bad in ("", "43.5", "Biei", "91, 10", "10, 181", "1,2,3"):
        assert parse_coordinates(bad) is None


def test_chain_steps_show_what_the_geocoder_says():
    answer = {"status": "ok", "country": "Japan", "state": "Hokkaido", "city": "Sapporo", "lat": 43.588, "lon": 142.467, "radius_km": 12.0,
              "checks": {"country": {"agrees": True, "found": "Japan"}, "state": {"agrees": True, "found": "Hokkaido"},
                         "city": {"agrees": False, "found": "Biei"}}}
    text = chain_html(view(model=answer))
    assert "Country" in text and "Japan" in text and "✓" in text
    assert "✗" in text and "the map says Biei" in text and "± 12 km" in text.replace("&plusmn;", "±")


def test_uncertainty_circle():
    from geor.desktop.detail_panel import uncertainty_km

    checks = {"country": {"agrees": True}, "state": {"agrees": True}, "city": {"agrees": False}}
    assert uncertainty_km(view(model={"status": "ok", "radius_km": 40.0, "checks": checks})) == 40.0  # samples' spread
    assert uncertainty_km(view(model={"status": "ok", "radius_km": None, "checks": checks})) == 200.0  # the region confirmed
    assert uncertainty_km(view(model={"status": "ok", "checks": {"city": {"agrees": True}}})) == 25.0
    assert uncertainty_km(view(model={"status": "ok", "checks": {}})) == 2500.0
    assert uncertainty_km(view(source="interpolated", model=None)) is None
    assert uncertainty_km(view(source="interpolated", model=None, radius_m=180.0)) == 0.18  # the decision's own radius


def test_other_sources_and_failures():
    text = chain_html(view(source="interpolated", message="written to a.jpg", radius_m=180.0, camera="NIKON Z 6",
                           evidence="between x.jpg (iPhone), 2 min before, and y.jpg (iPhone), 4 min after, 40 m apart: the same place",
                           clock="+1:03:27 strong: from 14 co-occurring bursts with Apple iPhone 12 Pro")).replace("&plusmn;", "±")
    assert "GPS photos of any device" in text and "± 180 m" in text and "between x.jpg (iPhone), 2 min before" in text
    assert "NIKON Z 6: +1:03:27 strong: from 14 co-occurring bursts" in text
    assert "could not be read" in chain_html(view(stage="failed", source=None, lat=None, lon=None, message="cannot read: empty file"))
    unplaced = chain_html(view(stage="unplaced", source=None, lat=None, lon=None, confidence=None,
                               model={"status": "unparsed", "reason": "no usable answer: no_coordinates"}))
    assert "no usable answer" in unplaced
    assert "No location yet" in chain_html(view(stage="unplaced", source=None, lat=None, lon=None, confidence=None, message=None))


def test_statuses():
    assert view().status == "needs review"
    assert view(stage="decided").status == "proposed" and not view(stage="decided").will_write
    assert view(verdict="accepted").will_write and view(verdict="rejected").status == "rejected"
    assert view(stage="kept").status == "has GPS" and view(stage="failed").status == "error"
    assert view(stage="withheld").status == "withheld"


def test_a_scenes_pooled_answer_shows_its_position_and_provenance():
    pooled = "model: Japan > Hokkaido > Biei; pooled over 3 of 24 photos of this scene; spread 0.8 km"
    own = {"status": "ok", "country": "Japan", "state": "Hokkaido", "city": "Biei", "lat": 43.6, "lon": 142.5,
           "checks": {"country": {"agrees": True}, "state": {"agrees": True}, "city": {"agrees": True}}}
    asked = chain_html(view(model=own, evidence=pooled, message=pooled, lat=43.588, lon=142.467))  # one of the three asked
    assert "43.60000, 142.50000" in asked and "Position" in asked and "43.58800, 142.46700" in asked
    assert "pooled over 3 of 24 photos of this scene" in asked
    member = chain_html(view(model=None, evidence=pooled, message=pooled))  # one of the 21 not asked
    assert "Position" in member and "pooled over 3 of 24 photos of this scene" in member
