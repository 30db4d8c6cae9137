from hypothesis import assume, given
from hypothesis import strategies as st

from geor.engine.cor import CorAnswer, is_renderable_name, parse_answer, render_answer

names = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40),
    st.sampled_from(["Île-de-France", "Provence-Alpes-Côte d'Azur", "北海道", "São Paulo", "Bosnia and Herzegovina", "Vatican City", "Mexico City"]),
)
degrees = st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6)
longitudes = st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6)
reasoning = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80))


@given(names, names, names, degrees, longitudes, reasoning)
def test_parse_inverts_render(country, state, city, lat, lon, thought):
    for name in (country, state, city):
        assume(name is None or is_renderable_name(name))
    if thought is not None:
        assume(thought.strip() == thought and "<think>" not in thought.lower() and "</think>" not in thought.lower())
        assume("<answer>" not in thought.lower() and thought)
    answer = CorAnswer(country, state, city, lat, lon, reasoning=thought)
    assert parse_answer(render_answer(answer)) == answer


@given(st.text(max_size=300))
def test_parse_never_raises(text):
    result = parse_answer(text)
    assert result.ok in (True, False)
