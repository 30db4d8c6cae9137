"""GPS-labelled photos for training and evaluation: the community CSV layouts and any folder of
photos whose EXIF holds GPS (a user's own library is training data).

Images are referenced by path, never copied. A row whose image is missing or unreadable, or whose
position is not a valid latitude/longitude, is skipped and counted by reason; it is never fatal.

Layouts (detected from the header, or named):

============  ==========================  ===========================================================
layout        columns                     images
============  ==========================  ===========================================================
mp16          IMG_ID, LAT, LON            ``IMAGE_ROOT/IMG_ID`` (MP16-Pro adds region names: ignored,
                                          the geocoder makes the chain); also Im2GPS3K and YFCC4K
osv5m         id, latitude, longitude     ``IMAGE_ROOT/**/<id>.jpg`` (OSV-5M's zips unpack to sub-folders)
============  ==========================  ===========================================================
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geor.engine.csv_files import CsvFileError, open_csv, parse_number
from geor.engine.errors import BadInput


class DatasetError(BadInput):
    """A dataset that cannot be read at all (no such file, unknown layout); the message names it."""


@dataclass(frozen=True)
class GeoSample:
    id: str
    image: Path
    lat: float
    lon: float


@dataclass(frozen=True)
class Layout:
    name: str
    id_column: str
    lat_column: str
    lon_column: str
    by_stem: bool  # the id names the file's stem, anywhere under the image root (OSV-5M)


LAYOUTS: dict[str, Layout] = {
    "mp16": Layout("mp16", "IMG_ID", "LAT", "LON", by_stem=False),
    "osv5m": Layout("osv5m", "id", "latitude", "longitude", by_stem=True),
}
#: Dataset names users know, mapped to the layout their published CSVs use.
DATASET_LAYOUTS = {"mp16": "mp16", "mp16-pro": "mp16", "im2gps3k": "mp16", "yfcc4k": "mp16", "osv5m": "osv5m", "osv-5m": "osv5m"}


@dataclass
class ReadReport:
    """What a reader kept and what it skipped, by reason, with a few examples for the user."""

    source: str
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{where}: {reason}")

    def summary(self) -> str:
        parts = [f"{self.source}: {self.kept:,} samples"]
        if self.skipped:
            parts.append("skipped " + ", ".join(f"{count:,} {reason}" for reason, count in sorted(self.skipped.items())))
        return "; ".join(parts)


def detect_layout(header: list[str]) -> Layout | None:
    for layout in LAYOUTS.values():
        if {layout.id_column, layout.lat_column, layout.lon_column} <= set(header):
            return layout
    return None


def read_csv(path: Path, image_root: Path, layout: str | None = None, check_images: bool = True) -> tuple[list[GeoSample], ReadReport]:
    """The samples of a dataset CSV whose images lie under ``image_root``."""
    path, image_root = Path(path), Path(image_root)
    if not image_root.is_dir():
        raise DatasetError(f"{image_root}: no such folder (the images of {path.name})")
    try:
        handle, reader, header = open_csv(path)
    except CsvFileError as exc:
        raise DatasetError(str(exc)) from None
    with handle:
        if layout is None:
            chosen = detect_layout(header)
            if chosen is None:
                raise DatasetError(
                    f"{path}: unknown layout; expected the columns of "
                    + " or ".join(f"{k} ({l.id_column}, {l.lat_column}, {l.lon_column})" for k, l in LAYOUTS.items())
                    + f", found {', '.join(header) or 'none'}"
                )
        else:
            if layout not in DATASET_LAYOUTS:
                raise DatasetError(f"unknown dataset layout {layout!r}; known: {', '.join(DATASET_LAYOUTS)}")
            chosen = LAYOUTS[DATASET_LAYOUTS[layout]]
            missing = [c for c in (chosen.id_column, chosen.lat_column, chosen.lon_column) if c not in header]
            if missing:
                raise DatasetError(f"{path}: layout {layout} needs the column {missing[0]!r} (found {', '.join(header)})")
        report = ReadReport(str(path))
        stems = _stem_index(image_root) if chosen.by_stem else None
        samples = []
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            ident = (row.get(chosen.id_column) or "").strip()
            lat, lon = parse_number(row.get(chosen.lat_column)), parse_number(row.get(chosen.lon_column))
            if not ident:
                report.skip("rows without an image id", where)
                continue
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
                report.skip("rows without a valid position", where)
                continue
            image = stems.get(ident) if stems is not None else image_root / ident
            if image is None:
                report.skip("missing images", f"{where} ({ident})")
                continue
            problem = _image_problem(image, check_images)
            if problem:
                report.skip(problem, f"{where} ({ident})")
                continue
            samples.append(GeoSample(ident, image, lat, lon))
    report.kept = len(samples)
    return samples, report


def read_photo_folder(root: Path) -> tuple[list[GeoSample], ReadReport]:
    """Every photo under ``root`` whose EXIF or XMP sidecar holds a GPS position."""
    from geor.engine.paths import printable
    from geor.engine.photos.metadata import PhotoReadError, read_metadata
    from geor.engine.pipeline.scan import scan_photos

    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: no such folder")
    report = ReadReport(str(root))
    problems: list[str] = []
    samples = []
    for found in scan_photos(root, problems):
        relative = found.relpath
        path = root / os.fsdecode(relative)
        if found.skipped:
            report.skip("unlistable or skipped entries", f"{printable(path)}: {found.skipped}")
            continue
        try:
            metadata = read_metadata(path)
        except PhotoReadError as exc:
            report.skip("unreadable photos", f"{printable(path)} ({exc})")
            continue
        if metadata.gps is None:
            report.skip("photos without GPS", printable(path))
            continue
        problem = _image_problem(path, check=True)
        if problem:
            report.skip(problem, printable(path))
            continue
        samples.append(GeoSample(os.fsdecode(relative), path, metadata.gps[0], metadata.gps[1]))
    for problem in problems:
        report.skip("unlistable or skipped entries", problem)
    report.kept = len(samples)
    return samples, report


def read_source(source: dict) -> tuple[list[GeoSample], ReadReport]:
    """One dataset entry of a training config: ``{csv, images, layout?}`` or ``{photos}``."""
    if "photos" in source:
        return read_photo_folder(Path(source["photos"]))
    if "csv" not in source or "images" not in source:
        raise DatasetError(f"a dataset needs either 'photos: FOLDER' or 'csv: FILE' with 'images: FOLDER', got {sorted(source)}")
    return read_csv(Path(source["csv"]), Path(source["images"]), source.get("layout"), source.get("check_images", True))


def read_sources(sources: Iterable[dict]) -> tuple[list[GeoSample], list[ReadReport]]:
    samples: list[GeoSample] = []
    reports = []
    for source in sources:
        found, report = read_source(source)
        samples += found
        reports.append(report)
    return samples, reports


def _stem_index(root: Path) -> dict[str, Path]:
    """File stem -> path of every image under ``root`` (one walk; OSV-5M names images by id)."""
    index: dict[str, Path] = {}
    for folder, _folders, files in os.walk(root):
        for name in files:
            stem, dot, _ext = name.rpartition(".")
            if dot:
                index.setdefault(stem, Path(folder) / name)
    return index


def _image_problem(path: Path, check: bool) -> str | None:
    """None for a usable image; else the reason it is skipped. ``check`` opens the file's header."""
    if not path.is_file():
        return "missing images"
    if not check:
        return None
    from PIL import Image, UnidentifiedImageError

    from geor.engine.inference.images import register_heif

    register_heif()
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "unreadable images"
    return None

