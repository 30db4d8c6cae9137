"""Photos -> RGB pixels a model can take: any format Pillow reads (HEIC/AVIF with pillow-heif),
turned upright by its EXIF orientation, shrunk to at most ``max_side`` pixels a side and
``max_pixels`` in all (JPEGs are decoded at reduced size, which is much faster for big photos).
The model's image budget is set here, once, so that every backend sees the same pixels: the cost of
a photo grows with its image tokens (Qwen2.5-VL: one per 28 x 28 pixels)."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geor.engine.errors import BadInput

if TYPE_CHECKING:  # Pillow is imported when an image is
    from PIL.Image import Image as PilImage

DEFAULT_MAX_SIDE = 1024


class ImageError(BadInput):
    """A photo that cannot be decoded; the message names the file."""


@dataclass(frozen=True)
class PreparedImage:
    path: Path | None
    width: int
    height: int
    rgb: bytes  # width * height * 3, row-major

    @property
    def key(self) -> str:
        """Identity of the pixels, for caches."""
        return hashlib.sha1(self.rgb, usedforsecurity=False).hexdigest()

    def to_pil(self) -> PilImage:
        from PIL import Image

        return Image.frombytes("RGB", (self.width, self.height), self.rgb)


_heif_registered = False


def register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        _heif_registered = True
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError:
            pass


def load_image(path: Path, max_side: int = DEFAULT_MAX_SIDE, max_pixels: int | None = None) -> PreparedImage:
    from PIL import Image, ImageOps, UnidentifiedImageError

    register_heif()
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                opened.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2, 1/4, 1/8 scale when big
                image = ImageOps.exif_transpose(opened).convert("RGB")
                image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
                if max_pixels and image.width * image.height > max_pixels:
                    scale = (max_pixels / (image.width * image.height)) ** 0.5
                    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
                    image = image.resize(size, Image.Resampling.BICUBIC)
                return PreparedImage(path, image.width, image.height, image.tobytes())
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image Geo-R can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{path}: too many pixels (decompression bomb guard)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path}: damaged or truncated image ({exc})") from None


def from_pil(image: PilImage, path: Path | None = None) -> PreparedImage:
    rgb = image.convert("RGB")
    return PreparedImage(path, rgb.width, rgb.height, rgb.tobytes())
