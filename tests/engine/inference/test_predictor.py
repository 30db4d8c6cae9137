"""Parsing, geocoder checks, pooling and confidence, on recorded answers of the kind real VLMs
write (a replay backend stands in for the runtime; the geocoder is the real default pack)."""

import pytest

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.default_location import default_pack_path
from geor.engine.inference.backend import BackendError, Generation
from geor.engine.inference.images import PreparedImage
from geor.engine.inference.predictor import PredictOptions, Predictor

IMAGE = PreparedImage(None, 1, 1, b"\0\0\0")

EIFFEL = "Country: France\nState: Île-de-France\nCity: Paris\nCoordinates: (48.8584, 2.2945)"
GOLDEN_GATE_MARKDOWN = "**Country:** United States\n**State:** California\n**City:** San Francisco\n**Coordinates:** 37.7749° N, 122.4194° W"
WRONG_COUNTRY = "Country: Japan\nState: Tokyo\nCity: Tokyo\nCoordinates: (48.8566, 2.3522)"
REASONED = ("<think>Red double-decker buses, driving on the left, a Gothic clock tower: London.</think>\n"
            "Country: UK\nState: England\nCity: London\nCoordinates: (51.5007, -0.1246)")
UNKNOWN_LEVELS = "Country: Kenya\nState: Unknown\nCity: Unknown\nCoordinates: (-1.2921, 36.8219)"
GARBAGE = "I cannot determine the location of this image."


class Replay:
    name, device = "replay", "cpu"

    def __init__(self, *texts, finished=True):
        self.texts, self.finished, self.calls = list(texts), finished, 0

    def generate(self, image, messages, n, options):
        self.calls += 1
        assert messages[0]["content"][1] == {"type": "image"}
        out = [self.texts[(self.calls - 1 + i) % len(self.texts)] if n > 1 else self.texts[(self.calls - 1) % len(self.texts)] for i in range(n)]
        return [Generation(t, [1] * len(t.split()), self.finished, {"image": 0.1}) for t in out]

    def describe(self):
        return {}

    def close(self):
        pass


@pytest.fixture(scope="module")
def geocoder():
    return Geocoder(default_pack_path())


def predict(geocoder, *texts, **options):
    return Predictor(Replay(*texts), geocoder, PredictOptions(**options)).predict_image(IMAGE)


def test_agreeing_answer_is_confident(geocoder):
    p = predict(geocoder, EIFFEL)
    assert p.status == "ok" and (p.lat, p.lon) == (48.8584, 2.2945)
    assert [(c.level, c.agrees) for c in p.checks] == [("country", True), ("state", True), ("city", True)]
    assert p.confidence == pytest.approx(1.0) and not p.needs_review
    assert p.place.country_a2 == "FR"


def test_markdown_hemisphere_answer_and_country_alias(geocoder):
    p = predict(geocoder, GOLDEN_GATE_MARKDOWN)
    assert p.status == "ok" and p.lat == pytest.approx(37.7749) and p.lon == pytest.approx(-122.4194)
    assert p.checks[0].agrees is True  # "United States" vs the gazetteer's name
    assert p.checks[1].agrees is True


def test_reasoning_and_uk_alias(geocoder):
    p = predict(geocoder, REASONED)
    assert p.status == "ok" and p.country == "UK"
    assert p.checks[0].agrees is True and p.checks[1].agrees is True
    assert not p.needs_review


def test_coordinates_outside_the_named_country_go_to_review(geocoder):
    p = predict(geocoder, WRONG_COUNTRY)
    assert p.status == "ok"
    assert p.checks[0].agrees is False and p.checks[0].found == "France"
    assert p.needs_review and "not in the named country" in p.reason
    assert p.confidence < 0.5


def test_unknown_levels_count_half(geocoder):
    p = predict(geocoder, UNKNOWN_LEVELS)
    assert [c.agrees for c in p.checks] == [True, None, None]
    assert p.confidence == pytest.approx(0.5 + 0.15 + 0.1)


def test_garbage_and_cut_off_answers_are_results_not_errors(geocoder):
    p = predict(geocoder, GARBAGE)
    assert p.status == "unparsed" and p.lat is None and "no_coordinates" in p.reason and p.needs_review
    cut = Predictor(Replay("Country: France\nState: Île-de", finished=False), geocoder).predict_image(IMAGE)
    assert cut.status == "unparsed" and "cut off" in cut.reason


def test_self_consistency_pools_and_measures_spread(geocoder):
    near = ["Country: France\nState: Île-de-France\nCity: Paris\nCoordinates: (48.85, 2.35)",
            "Country: France\nState: Île-de-France\nCity: Versailles\nCoordinates: (48.80, 2.13)",
            EIFFEL, GARBAGE]
    p = predict(geocoder, *near, samples=4)
    assert p.status == "ok" and len(p.samples) == 4
    assert 48.79 < p.lat < 48.86 and 2.12 < p.lon < 2.36
    assert 0 < p.radius_km < 20
    assert p.confidence <= 0.75  # a quarter of the answers unparsed costs a quarter
    spread = predict(geocoder, EIFFEL, REASONED, UNKNOWN_LEVELS, samples=3)
    assert spread.radius_km > 300 and spread.needs_review


def test_sampling_defaults():
    assert PredictOptions().sampling().temperature == 0.0
    assert PredictOptions(samples=5).sampling().temperature == 0.7
    with pytest.raises(ValueError):
        Predictor(Replay(EIFFEL), None, PredictOptions(samples=0))


def test_backend_failure_and_unreadable_photo_are_results(geocoder, tmp_path):
    class Broken(Replay):
        def generate(self, *args):
            raise BackendError("llama.cpp failed to encode the image")

    p = Predictor(Broken(), geocoder).predict_image(IMAGE)
    assert p.status == "error" and "encode" in p.reason
    (tmp_path / "x.jpg").write_bytes(b"not a jpeg")
    p = Predictor(Replay(EIFFEL), geocoder).predict_path(tmp_path / "x.jpg")
    assert p.status == "error" and "x.jpg" in p.reason
    assert p.as_dict()["status"] == "error"
