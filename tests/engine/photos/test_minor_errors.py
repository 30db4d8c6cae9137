"""ExifTool's minor errors (minor_errors.py): which stderr counts as only minor, and the pixel gate a
rewrite made with -m must pass."""

import io
from pathlib import Path

import numpy as np
from PIL import Image

from geor.engine.photos.minor_errors import only_minor_errors, pixel_problems

CORPUS = Path(__file__).parent / "corpus"


def test_only_minor_errors_are_retried():
    minor = "Error: [minor] Bad MakerNotes offset for SceneDetectData - /photos/a.jpg\n"
    assert only_minor_errors(minor) == "[minor] Bad MakerNotes offset for SceneDetectData"
    assert only_minor_errors("Warning: [minor] something - a.jpg\n" + minor) == "[minor] Bad MakerNotes offset for SceneDetectData"
    assert only_minor_errors("Error: Bad format (0) for IFD0 entry 0 - /photos/b.jpg\n") is None
    assert only_minor_errors(minor + "Error: Truncated InteropIFD directory - /photos/a.jpg\n") is None
    assert only_minor_errors("Warning: [minor] only a warning - a.jpg\n") is None
    assert only_minor_errors("") is None


def test_the_pixel_gate():
    original = (CORPUS / "exiftool-Canon.jpg").read_bytes()
    assert pixel_problems(original, original) == []
    image = Image.open(io.BytesIO(original))
    pixels = np.asarray(image).copy()
    pixels[0, 0] = 255 - pixels[0, 0]
    changed = io.BytesIO()
    Image.fromarray(pixels).save(changed, "PNG")
    assert pixel_problems(original, changed.getvalue()) == ["the pixels would change"]
    assert pixel_problems(original, original[: len(original) // 3])[0].startswith("the pixels cannot be compared")
