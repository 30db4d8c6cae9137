"""Photos the tests write themselves: real images (Pillow) with real EXIF (exiv2), and exiftool's
independent reading of them."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from .exiv2_gps import exif_gps_tags

EXIFTOOL = shutil.which("exiftool")


def scene_pixels(scene: int, shot: int, size: tuple[int, int] = (160, 120)) -> np.ndarray:
    """A view of scene ``scene`` (smooth shapes and colours of its own) as shot ``shot`` of a burst
    sees it: shifted by a few pixels, a little brighter or darker, with its own sensor noise."""
    coarse = np.random.default_rng(1000 + scene).random((5, 6, 3))
    view = np.asarray(Image.fromarray((coarse * 255).astype("uint8")).resize((size[0] + 16, size[1] + 16), Image.Resampling.BICUBIC),
                      dtype=np.float64)
    rng = np.random.default_rng(scene * 7919 + shot)
    dx, dy = rng.integers(0, 5, size=2)
    view = view[dy:dy + size[1], dx:dx + size[0]] * rng.uniform(0.9, 1.1) + rng.normal(0, 4, (size[1], size[0], 3))
    return np.clip(view, 0, 255).astype("uint8")


def make_photo(path: Path, taken_at: dt.datetime | None = None, model: str = "TestCam X1", gps: tuple[float, float] | None = None,
               extra_exif: dict[str, str] | None = None, size: tuple[int, int] = (96, 64), seed: int = 0,
               pixels: np.ndarray | None = None) -> Path:
    """An image file in the format its suffix names, with camera metadata written by exiv2; its
    pixels: ``pixels``, else noise from ``seed`` (photos of different seeds look nothing alike)."""
    import pyexiv2

    if pixels is None:
        pixels = (np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype("uint8")
    image = Image.fromarray(pixels)
    suffix = path.suffix.lower()
    options: dict = {"quality": 92} if suffix in (".jpg", ".jpeg") else {}
    if suffix in (".heic", ".heif"):  # exiv2 cannot write HEIF: the EXIF goes in as the encoder writes it
        import pillow_heif

        pillow_heif.register_heif_opener()
        heif_exif = Image.Exif()
        heif_exif[0x010F], heif_exif[0x0110] = "Geo-R Tests", model
        if taken_at is not None:
            heif_exif.get_ifd(0x8769)[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        options["exif"] = heif_exif.tobytes()
    image.save(path, **options)
    exif = {"Exif.Image.Make": "Geo-R Tests", "Exif.Image.Model": model, "Exif.Image.Artist": "A. Photographer",
            "Exif.Photo.UserComment": "charset=Ascii keep me", **(extra_exif or {})}
    if taken_at is not None:
        exif["Exif.Photo.DateTimeOriginal"] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        exif |= exif_gps_tags(*gps)
    if suffix not in (".heic", ".heif"):
        with pyexiv2.Image(str(path)) as handle:
            handle.modify_exif(exif)
            handle.modify_xmp({"Xmp.dc.subject": ["holiday", "mountains"], "Xmp.xmp.Rating": "4"})
    return path


def exiftool_gps(path: Path) -> tuple[float, float] | None:
    """The independent oracle: exiftool's reading of the GPS position (None when absent)."""
    out = subprocess.run([EXIFTOOL, "-n", "-s3", "-GPSLatitude", "-GPSLongitude", str(path)], capture_output=True, text=True, check=True)
    values = out.stdout.split()
    return (float(values[0]), float(values[1])) if len(values) == 2 else None


def pixels(path: Path) -> np.ndarray:
    if path.suffix.lower() in (".heic", ".heif", ".hif", ".avif"):
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))
