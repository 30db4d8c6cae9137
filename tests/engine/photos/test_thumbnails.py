"""Thumbnails: upright, small, cached by path, size and time; the photo only read."""

import io

import pytest
from PIL import Image

from geor.engine.photos.thumbnails import ThumbnailError, thumbnail_jpeg, thumbnails_dir

from ...helpers.photo_files import make_photo
from ...helpers.tag_jobs import T0


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_CACHE_DIR", str(tmp_path / "cache"))


def test_small_cached_and_the_photo_untouched(tmp_path):
    photo = make_photo(tmp_path / "big.jpg", T0, size=(800, 600))
    before = photo.read_bytes()
    data = thumbnail_jpeg(photo, 128)
    image = Image.open(io.BytesIO(data))
    assert max(image.size) == 128 and image.size[0] > image.size[1]
    assert photo.read_bytes() == before
    cached = list(thumbnails_dir().rglob("*.jpg"))
    assert len(cached) == 1 and cached[0].read_bytes() == data
    assert thumbnail_jpeg(photo, 128) == data


def test_a_changed_photo_gets_a_new_thumbnail(tmp_path):
    photo = make_photo(tmp_path / "p.jpg", T0, size=(200, 100), seed=1)
    first = thumbnail_jpeg(photo, 64)
    make_photo(photo, T0, size=(100, 200), seed=2)
    second = Image.open(io.BytesIO(thumbnail_jpeg(photo, 64)))
    assert second.size[1] > second.size[0] and thumbnail_jpeg(photo, 64) != first


def test_a_damaged_or_missing_photo_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 nope")
    with pytest.raises(ThumbnailError, match="bad.jpg"):
        thumbnail_jpeg(bad)
    with pytest.raises(ThumbnailError):
        thumbnail_jpeg(tmp_path / "gone.jpg")
