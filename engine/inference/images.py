"""Photos -> RGB pixels a model can take: any format Pillow reads (HEIC/AVIF with pillow-heif),
and a video's poster frame (its first picture, decoded by PyAV, FFmpeg's maintained binding),
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


#: Videos whose first picture stands for them (the desktop's previews, the scenes, the model).
VIDEO_SUFFIXES = {".mov", ".mp4", ".m4v", ".3gp", ".3g2", ".mts", ".m2ts", ".avi"}


def poster_frame(path: Path) -> PilImage:
    """A video's first decodable picture, upright by the stream's rotation; ImageError when there
    is none (no video stream, damaged data, PyAV missing)."""
    try:
        import av
    except ImportError:
        raise ImageError(f"{path}: a video, and PyAV (which decodes its poster frame) is not installed") from None
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ImageError(f"{path}: a file without a video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                image: PilImage = frame.to_image()  # type: ignore[no-untyped-call]
                rotation = int(getattr(frame, "rotation", 0) or 0)  # the display matrix's turn (counter-clockwise)
                return image.rotate(rotation, expand=True) if rotation % 360 else image
    except ImageError:
        raise
    except Exception as exc:  # noqa: BLE001 - FFmpeg's errors on damaged or unknown data: the file is named, never a crash
        raise ImageError(f"{path}: the video's first picture cannot be decoded ({exc})") from None
    raise ImageError(f"{path}: the video holds no decodable picture")


def load_image(path: Path, max_side: int = DEFAULT_MAX_SIDE, max_pixels: int | None = None) -> PreparedImage:
    from PIL import Image, ImageOps, UnidentifiedImageError

    register_heif()
    path = Path(path)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        if not path.exists():
            raise ImageError(f"{path}: no such file")
        image = poster_frame(path).convert("RGB")
        image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
        return PreparedImage(path, image.width, image.height, image.tobytes())
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
