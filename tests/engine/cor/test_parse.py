"""Parser behaviour on recorded, real-looking model outputs."""

import math

import pytest

from geor.engine.cor import CorAnswer, CorParseFailure, FailureReason, parse_answer


def ok(text: str) -> CorAnswer:
    result = parse_answer(text)
    assert isinstance(result, CorAnswer), result
    return result


def failed(text: object, reason: FailureReason) -> CorParseFailure:
    result = parse_answer(text)
    assert isinstance(result, CorParseFailure), result
    assert result.reason is reason, result
    return result


def test_single_line_with_slashes():
    answer = ok("Country: Japan / State: Hokkaido / City: Biei Town / Coordinates: (43.452002, 142.615358)")
    assert (answer.country, answer.state, answer.city) == ("Japan", "Hokkaido", "Biei Town")
    assert (answer.lat, answer.lon) == (43.452002, 142.615358)


def test_reasoning_then_answer():
    answer = ok("<think>\nRed soil, eucalyptus: Australia.\n</think>\n\nCountry: Australia\nState: Northern Territory\nCity: Yulara\nCoordinates: (-25.2406, 130.9845)")
    assert answer.reasoning == "Red soil, eucalyptus: Australia."
    assert answer.state == "Northern Territory"


def test_reasoning_mentions_other_places_but_the_answer_wins():
    answer = ok("<think>Could be Country: Chile at (-33.4, -70.6)...</think>Country: Argentina\nCoordinates: (-34.6, -58.4)")
    assert answer.country == "Argentina" and answer.lat == -34.6 and answer.coordinate_pairs == 1


def test_markdown_bullets_and_synonyms():
    answer = ok("Here is my guess:\n- **Country:** Canada\n- **Province**: British Columbia\n- **Town:** Whistler\n- **GPS coordinates:** 50.1163° N, 122.9574° W")
    assert (answer.country, answer.state, answer.city) == ("Canada", "British Columbia", "Whistler")
    assert (answer.lat, answer.lon) == pytest.approx((50.1163, -122.9574))


def test_case_and_whitespace():
    answer = ok("  COUNTRY :   Peru  \n  state:Cusco\ncity :  Aguas Calientes\ncoordinates:-13.1631,-72.5450 ")
    assert (answer.country, answer.state, answer.city) == ("Peru", "Cusco", "Aguas Calientes")
    assert (answer.lat, answer.lon) == (-13.1631, -72.545)


def test_missing_levels_are_none():
    answer = ok("Country: Egypt\nCoordinates: (29.9792, 31.1342)")
    assert answer.state is None and answer.city is None


def test_unknown_words_are_none():
    answer = ok("Country: Brazil\nState: N/A\nCity: unknown\nCoordinates: (-22.9, -43.2)")
    assert answer.state is None and answer.city is None


@pytest.mark.parametrize(
    ("coordinates", "expected"),
    [
        ("(43.452002, 142.615358)", (43.452002, 142.615358)),
        ("43.452002, 142.615358", (43.452002, 142.615358)),
        ("[-33.8688, 151.2093]", (-33.8688, 151.2093)),
        ("33.8688° S, 151.2093° E", (-33.8688, 151.2093)),
        ("33.8688S 151.2093E", (-33.8688, 151.2093)),
        ("S 33.8688, E 151.2093", (-33.8688, 151.2093)),
        ("151.2093° E, 33.8688° S", (-33.8688, 151.2093)),
        ("43°27'07.2\"N 142°36'55.3\"E", (43 + 27 / 60 + 7.2 / 3600, 142 + 36 / 60 + 55.3 / 3600)),
        ("43° 27′ 7.2″ N, 142° 36′ 55.3″ E", (43 + 27 / 60 + 7.2 / 3600, 142 + 36 / 60 + 55.3 / 3600)),
        ("13°09'47\"S 72°32'42\"W", (-(13 + 9 / 60 + 47 / 3600), -(72 + 32 / 60 + 42 / 3600))),
        ("43°27.5'N, 142°36.9'E", (43 + 27.5 / 60, 142 + 36.9 / 60)),
        ("40 deg 45' 28.4\" N, 73 deg 59' 6.5\" W", (40 + 45 / 60 + 28.4 / 3600, -(73 + 59 / 60 + 6.5 / 3600))),
        ("lat 48.85, lon 2.35", (48.85, 2.35)),
        ("lon: 2.35, lat: 48.85", (48.85, 2.35)),
        ("23.55 South, 46.63 West", (-23.55, -46.63)),
        ("−33.87, 151.21", (-33.87, 151.21)),  # unicode minus
        ("-33.9° S, 18.4° E", (-33.9, 18.4)),  # redundant sign agrees with S
        ("(35, 139)", (35.0, 139.0)),
        ("90, -180", (90.0, -180.0)),
    ],
)
def test_coordinate_spellings(coordinates, expected):
    answer = ok(f"Country: X\nCoordinates: {coordinates}")
    assert (answer.lat, answer.lon) == pytest.approx(expected, abs=1e-9)


def test_coordinates_in_prose_without_label():
    answer = ok("The photo was probably taken in Sydney, Australia, at about -33.8568, 151.2153.")
    assert (answer.lat, answer.lon) == (-33.8568, 151.2153)


def test_prose_numbers_are_not_coordinates():
    failed("Route 66, 5 km from the 2 lakes", FailureReason.NO_COORDINATES)


def test_separate_latitude_and_longitude_lines():
    answer = ok("Country: France\nLatitude: 48.8566\nLongitude: 2.3522")
    assert (answer.lat, answer.lon) == (48.8566, 2.3522)


def test_counts_coordinate_pairs_and_keeps_the_first_in_the_field():
    answer = ok("Coordinates: (35.6, 139.7) or (34.6, 135.5)")
    assert (answer.lat, answer.lon) == (35.6, 139.7) and answer.coordinate_pairs == 2
    answer = ok("Country: Japan\nCoordinates: (35.6, 139.7)\nAlternatively 34.6939, 135.5022 (Osaka).")
    assert answer.coordinate_pairs == 2


def test_names_with_numbers_do_not_count_as_coordinates():
    answer = ok("Country: France\nState: Paris\nCity: 75011 Paris 11e\nCoordinates: (48.85, 2.37)")
    assert answer.city == "75011 Paris 11e" and answer.coordinate_pairs == 1


def test_answer_tags():
    answer = ok("<think>hmm</think><answer>Country: Kenya\nCoordinates: (-1.29, 36.82)</answer>")
    assert answer.country == "Kenya"


def test_last_label_wins():
    assert ok("Country: Spain\nActually, Country: Portugal\nCoordinates: (38.7, -9.1)").country == "Portugal"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, FailureReason.NOT_TEXT),
        (42, FailureReason.NOT_TEXT),
        ("", FailureReason.EMPTY),
        ("   \n\t ", FailureReason.EMPTY),
        ("<think>The tiles look Portuguese, and the", FailureReason.UNFINISHED_REASONING),
        ("I cannot tell where this is.", FailureReason.NO_COORDINATES),
        ("Country: Italy\nCoordinates: somewhere near Rome", FailureReason.MALFORMED_COORDINATES),
        ("Coordinates: (142.6, 43.4)", FailureReason.OUT_OF_RANGE),
        ("Coordinates: 95.0, 10.0", FailureReason.OUT_OF_RANGE),
        ("Coordinates: 45.0, 181.0", FailureReason.OUT_OF_RANGE),
        ("Coordinates: 43°75'N 142°10'E", FailureReason.MALFORMED_COORDINATES),
        ("Coordinates: 43°10'75\"N 142°10'E", FailureReason.MALFORMED_COORDINATES),
        ("Coordinates: -33.9 N, 151.2 E", FailureReason.MALFORMED_COORDINATES),
        ("Coordinates: 33.9 N, 51.2 N", FailureReason.MALFORMED_COORDINATES),
        ("Coordinates: nan, nan", FailureReason.MALFORMED_COORDINATES),
        ("\x00\x01\ufffd garbage \U0001F600" * 50, FailureReason.NO_COORDINATES),
    ],
)
def test_failures_are_typed_never_raised(text, reason):
    failed(text, reason)


def test_failure_keeps_the_region_names_it_found():
    failure = failed("Country: Italy\nState: Lazio\nCity: Rome\nCoordinates: ???", FailureReason.MALFORMED_COORDINATES)
    assert (failure.country, failure.state, failure.city) == ("Italy", "Lazio", "Rome")
    assert not failure.ok and "Coordinates" in failure.detail


def test_huge_garbage_does_not_hang():
    text = "Coordinates: " + "1" * 10_000 + " ," * 5_000 + "°" * 1000
    result = parse_answer(text)
    assert isinstance(result, (CorAnswer, CorParseFailure))
    if isinstance(result, CorAnswer):
        assert math.isfinite(result.lat)


def test_bracketed_integers_count_in_prose():
    assert (ok("My answer is (35, 139).").lat, ok("[35, 139]").lon) == (35.0, 139.0)
