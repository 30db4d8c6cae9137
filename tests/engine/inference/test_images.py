import numpy as np
import pytest
from PIL import Image

from geor.engine.inference.images import ImageError, load_image


def test_upright_and_within_budget(tmp_path):
    pixels = np.zeros((300, 600, 3), dtype="uint8")
    pixels[:, :300] = 255  # left half white
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image.save(tmp_path / "sideways.jpg", exif=exif.tobytes())
    loaded = load_image(tmp_path / "sideways.jpg", max_side=1024, max_pixels=100 * 100)
    assert loaded.height > loaded.width  # turned upright
    assert loaded.width * loaded.height <= 100 * 100
    assert len(loaded.rgb) == loaded.width * loaded.height * 3
    assert loaded.key == load_image(tmp_path / "sideways.jpg", max_side=1024, max_pixels=100 * 100).key


def test_heic_and_png(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(tmp_path / "a.heic")
    Image.new("RGBA", (64, 48), (10, 200, 30, 100)).save(tmp_path / "b.png")
    assert load_image(tmp_path / "a.heic").width == 64
    assert load_image(tmp_path / "b.png").rgb[:3] == bytes((10, 200, 30))


@pytest.mark.parametrize("content, message", [(b"", "not an image"), (b"GIF89a\x01", "not an image|damaged")])
def test_bad_files_name_themselves(tmp_path, content, message):
    (tmp_path / "bad.jpg").write_bytes(content)
    with pytest.raises(ImageError, match=message):
        load_image(tmp_path / "bad.jpg")
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "absent.jpg")


def test_truncated_jpeg(tmp_path):
    Image.fromarray((np.random.default_rng(0).random((200, 200, 3)) * 255).astype("uint8")).save(tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="cut.jpg: damaged or truncated"):
        load_image(tmp_path / "cut.jpg")
