import pytest

from geor.engine.cor import PROMPTS, CorAnswer, instruction, parse_answer, render_answer, render_few_shot


def test_renders_four_lines_like_the_paper():
    answer = CorAnswer("Japan", "Hokkaido", "Biei Town", 43.452002, 142.615358)
    assert render_answer(answer) == (
        "Country: Japan\nState: Hokkaido\nCity: Biei Town\nCoordinates: (43.452002, 142.615358)"
    )


def test_reasoning_goes_first_in_think_tags():
    answer = CorAnswer("Japan", None, None, 35.0, 139.0, reasoning="Kanji on the signs.")
    text = render_answer(answer)
    assert text.startswith("<think>\nKanji on the signs.\n</think>\nCountry: Japan\nState: Unknown\n")
    assert render_answer(answer, with_reasoning=False).startswith("Country: Japan")


def test_unknown_levels_render_as_unknown_and_parse_as_none():
    answer = CorAnswer(None, None, None, -10.5, 20.25)
    assert parse_answer(render_answer(answer)) == answer


@pytest.mark.parametrize("name", ["", " Japan", "Japan.", "Line\nbreak", "unknown", "N/A", "Foo City: Bar", "a</think>b"])
def test_names_that_would_not_read_back_are_refused(name):
    with pytest.raises(ValueError, match="would not read back"):
        render_answer(CorAnswer(name, None, None, 0.0, 0.0))


def test_coordinates_are_range_checked():
    with pytest.raises(ValueError, match="latitude"):
        CorAnswer("X", None, None, 91.0, 0.0)
    with pytest.raises(ValueError, match="longitude"):
        CorAnswer("X", None, None, 0.0, 180.5)


def test_few_shot_examples():
    text = render_few_shot([CorAnswer("France", "Île-de-France", "Paris", 48.8566, 2.3522), CorAnswer("Peru", None, None, -13.16, -72.54)])
    assert text.count("Coordinates:") == 2 and "\n\nCountry: Peru" in text


def test_prompt_is_versioned_and_names_the_format():
    text = instruction()
    for label in ("Country:", "State:", "City:", "Coordinates:"):
        assert label in text
    assert "<think>" in instruction(reasoning=True) and "<think>" not in text
    assert set(PROMPTS) >= {"cor-1"}
    with pytest.raises(ValueError, match="unknown prompt version"):
        instruction("cor-999")
