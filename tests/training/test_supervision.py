from pathlib import Path

from PIL import Image

from geor.engine.cor import chat_messages, parse_answer
from geor.training.samples import GeoSample
from geor.training.supervision import ChainRows, supervise


def test_targets_come_from_the_geocoder_by_rules(geocoder):
    rows, fallbacks = supervise([GeoSample("a", Path("a.jpg"), 48.8566, 2.3522), GeoSample("sea", Path("b.jpg"), 0.0, -140.0)], geocoder)
    paris = rows[0]
    assert (paris.country, paris.state, paris.city) == ("France", "Île-de-France", "Paris")
    parsed = parse_answer(paris.target)
    assert (parsed.country, parsed.lat, parsed.lon) == ("France", 48.8566, 2.3522)
    assert fallbacks["no_country"] == 1 and rows[1].country is None


def test_rows_decode_lazily_and_skip_a_photo_that_fails_to_decode(tmp_path, geocoder, caplog):
    good = tmp_path / "good.jpg"
    Image.new("RGB", (640, 480), (10, 200, 30)).save(good, quality=95)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(good.read_bytes()[:400])  # a valid header, then nothing: passes a header check
    rows, _ = supervise([GeoSample("broken", broken, 35.68, 139.69), GeoSample("good", good, 48.8566, 2.3522)], geocoder)
    table = ChainRows(rows, with_completion=True, max_pixels=112 * 112)
    dataset = table.dataset()
    first = dataset[0]
    assert first["id"] == "good" and table.bad_images == {broken}
    assert "broken.jpg" in caplog.text
    image = first["images"][0]
    assert image.width * image.height <= 112 * 112  # the engine's image budget
    assert first["prompt"] == chat_messages()
    assert first["completion"][0]["content"][0]["text"] == rows[1].target
    assert (first["lat"], first["country"]) == (48.8566, "France")
    assert "completion" not in ChainRows(rows, with_completion=False).dataset()[1]
