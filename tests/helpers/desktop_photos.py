"""The photo folder the desktop tests (and the installer's smoke test, and the screenshots) open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .photo_files import make_photo

T0 = dt.datetime(2024, 7, 14, 10, 0, 0)
TOKYO = (35.6812, 139.7671)


def photo_folder(root: Path, model_photos: int = 3) -> Path:
    """A trip: two GPS-tagged photos in Tokyo with one taken between them (placed from its
    neighbours), ``model_photos`` photos taken days later without GPS (only the model can place
    them), and one damaged file."""
    folder = root / "trip"
    folder.mkdir(parents=True)
    make_photo(folder / "tokyo_1.jpg", T0, gps=TOKYO, size=(160, 120), seed=1)
    make_photo(folder / "tokyo_2.jpg", T0 + dt.timedelta(minutes=4), size=(160, 120), seed=2)
    make_photo(folder / "tokyo_3.jpg", T0 + dt.timedelta(minutes=8), gps=(TOKYO[0] + 0.01, TOKYO[1] + 0.01), size=(160, 120), seed=3)
    for i in range(model_photos):
        make_photo(folder / f"hokkaido_{i + 1}.jpg", T0 + dt.timedelta(days=3, hours=i), size=(160, 120), seed=10 + i)
    (folder / "damaged.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    return folder
