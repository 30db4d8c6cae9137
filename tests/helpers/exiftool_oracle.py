"""The independent reader the photo tests judge Geo-R's writes with: the system's ExifTool (Debian's
libimage-exiftool-perl in CI, a different version from the one Geo-R writes with), asked for every
tag with binary values (``-b``: embedded images and maker-note blobs compared byte for byte) and
its validation warnings, plus Pillow for the pixels.

Nothing here imports Geo-R's own comparison: what counts as a location field is listed again, so
a mistake in the product cannot hide itself in the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

EXIFTOOL = shutil.which("exiftool")

#: What a location write may set (ExifTool group:name, IPTC records merged).
LOCATION_FIELDS = {
    "GPS:GPSLatitude", "GPS:GPSLatitudeRef", "GPS:GPSLongitude", "GPS:GPSLongitudeRef", "GPS:GPSAltitude", "GPS:GPSAltitudeRef",
    "GPS:GPSMapDatum", "GPS:GPSProcessingMethod", "GPS:GPSDateStamp", "GPS:GPSTimeStamp",  # (the last two: exiftool -geotag's)
    "IPTC:City", "IPTC:Province-State", "IPTC:Country-PrimaryLocationName", "IPTC:Country-PrimaryLocationCode",
    "XMP-photoshop:City", "XMP-photoshop:State", "XMP-photoshop:Country", "XMP-iptcCore:CountryCode",
    "XMP-exif:GPSLatitude", "XMP-exif:GPSLongitude", "XMP-exif:GPSAltitude", "XMP-exif:GPSAltitudeRef", "XMP-exif:GPSMapDatum",
    "XMP-exif:GPSVersionID",
    # a video's: ISO 6709 strings in its Keys and UserData boxes; a replaced 3GPP loci box goes
    "Keys:GPSCoordinates", "UserData:GPSCoordinates", "ItemList:GPSCoordinates", "UserData:LocationInformation",
}
#: What an old fix says of itself (its precision, how it was found, the area it names): may go, never
#: change or appear, where the position it belonged to was replaced.
OLD_FIX_FIELDS = {f"{group}:{name}" for group in ("GPS", "XMP-exif") for name in (
    "GPSHPositioningError", "GPSDOP", "GPSMeasureMode", "GPSStatus", "GPSSatellites", "GPSDifferential", "GPSAreaInformation",
    "GPSProcessingMethod")} | {"Keys:LocationAccuracyHorizontal"}
#: Where a file holds its position, one of which must have changed for OLD_FIX_FIELDS to go.
POSITION_KEYS = ("GPS:GPSLatitude", "XMP-exif:GPSLatitude", "Keys:GPSCoordinates", "UserData:GPSCoordinates", "ItemList:GPSCoordinates")
#: Names of the old place a location write does not set itself: may go, never change or appear, where the
#: place names were replaced or written (a photo that named only its sub-location, placed anew) or the write
#: was asked to replace them (--overwrite), and the IPTC record's version, with the last dataset of the record.
OLD_PLACE_FIELDS = ("IPTC:Sub-location", "XMP-iptcCore:Location", "XMP-iptcExt:LocationCreated", "IPTC:ApplicationRecordVersion")
NAME_KEYS = ("IPTC:City", "IPTC:Country-PrimaryLocationName", "XMP-photoshop:City", "XMP-photoshop:Country")
#: May appear where they were absent (the blocks a writer must create), never change.
ADDED_ONLY = {
    "GPS:GPSVersionID", "IPTC:CodedCharacterSet", "IPTC:EnvelopeRecordVersion", "IPTC:ApplicationRecordVersion", "XMP-x:XMPToolkit",
    "IFD0:XResolution", "IFD0:YResolution", "IFD0:ResolutionUnit", "IFD0:YCbCrPositioning",
    "ExifIFD:ExifVersion", "ExifIFD:ComponentsConfiguration", "ExifIFD:FlashpixVersion", "ExifIFD:ColorSpace",
    "QuickTime:HandlerType",  # the handler a video's new Keys box declares
}
NOT_METADATA = {"File", "System", "Composite"}
#: A HEIF's media data box as a whole (it holds the EXIF item, which grows): the image in it is
#: compared by its pixels, and Geo-R's own check compares its image items by ExifTool's hash.
MEDIA_BOX = {"QuickTime:MediaData", "QuickTime:MediaDataSize"}
POINTER = re.compile(r"(?:Offsets?|Offset64|Start)$")  # (a video's ChunkOffset64: where its media chunks sit)


def dump(path: Path) -> dict[str, Counter[str]]:
    """Every tag with binary data, as {group:name: Counter(values)}; validation warnings included."""
    return dump_many([path])[Path(path)]


def dump_many(paths: list[Path]) -> dict[Path, dict[str, Counter[str]]]:
    """dump() of many files in one ExifTool run (its start-up is most of the cost of one file)."""
    out = subprocess.run([EXIFTOOL, "-j", "-a", "-G1:4", "-b", "-u", "-api", "validate=1", "-api", "LargeFileSupport=1",
                          *map(str, paths)], capture_output=True, check=False).stdout
    found = {}
    for row in json.loads(out.decode("utf-8", "surrogateescape")):  # a camera's string tag may hold bytes that are not UTF-8
        tags: dict[str, Counter[str]] = {}
        for key, value in row.items():
            if key == "SourceFile":
                continue
            parts = key.split(":")
            group, name = parts[0], parts[-1]
            if group.rstrip("0123456789") == "IPTC":
                group = "IPTC"
            tags.setdefault(f"{group}:{name}", Counter())[json.dumps(value, sort_keys=True)] += 1
        found[Path(row["SourceFile"])] = tags
    return {Path(p): found[Path(p)] for p in paths}


#: Embedded JPEGs and their length tags: a length a camera overstated (past the block that holds the
#: image) is corrected by a rewrite, the image kept to its end.
EMBEDDED_JPEG = {"ThumbnailImage": "ThumbnailLength", "PreviewImage": "PreviewImageLength", "JpgFromRaw": "JpgFromRawLength",
                 "OtherImage": "OtherImageLength"}


def _shortened_alike(was: Counter[str], now: Counter[str]) -> bool:
    """One embedded image whose new bytes are its old ones cut short and decode to the same pixels:
    whole, both; or, where the old one does not decode whole either (a camera's thumbnail cut short),
    both as far as their data goes."""
    import base64
    import io

    from PIL import Image, ImageFile

    if len(was) != 1 or len(now) != 1:
        return False
    old, new = (json.loads(next(iter(c))) for c in (was, now))
    if not (isinstance(old, str) and isinstance(new, str) and old.startswith("base64:") and new.startswith("base64:")):
        return False
    old_bytes, new_bytes = base64.b64decode(old[7:]), base64.b64decode(new[7:])
    if not (len(new_bytes) < len(old_bytes) and old_bytes.startswith(new_bytes)):
        return False
    def pixels(data: bytes, truncated: bool) -> np.ndarray:
        was, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, truncated
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
            return np.asarray(image)
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = was

    try:
        pixels(old_bytes, False)
        truncated = False
    except Exception:  # noqa: BLE001 - the old one is not whole: compared as far as its data goes
        truncated = True
    try:
        return bool(np.array_equal(pixels(old_bytes, truncated), pixels(new_bytes, truncated)))
    except Exception:  # noqa: BLE001 - not an image Pillow decodes (whole, where the old one was): not alike
        return False


def damage(before: dict[str, Counter[str]], after: dict[str, Counter[str]], overwrite: bool = False) -> list[str]:
    """Every difference outside the location fields (and the few kinds a metadata writer must make).
    ``overwrite``: the write was asked to replace the place names a photo has, so the old place's
    names may go whatever the new position is called (at sea, nothing)."""
    found = []
    shortened = {f"{key.partition(':')[0]}:{length}" for key in before for name, length in EMBEDDED_JPEG.items()
                 if key.partition(":")[2] == name and key in after and _shortened_alike(before[key], after[key])}
    shortened |= {f"{key.partition(':')[0]}:{name}" for key in shortened for name, length in EMBEDDED_JPEG.items()
                  if key.partition(":")[2] == length}
    for key in POSITION_KEYS:  # a replaced position must leave no copy of itself (a second image's EXIF, an XMP copy)
        was, now = before.get(key, Counter()), after.get(key, Counter())
        if was and now and was != now and was & now:
            found.append(f"{key}: the old position {_short(was & now)} kept beside the new {_short(now - was)}")
    for key in sorted((set(before) | set(after)) - shortened):
        group, _, name = key.partition(":")
        if group in NOT_METADATA or key in ("ExifTool:ExifToolVersion", "ExifTool:Validate") or key in LOCATION_FIELDS or key in MEDIA_BOX:
            continue
        if POINTER.search(name) or key == "RIFF:WebP_Flags":  # where blocks sit; their contents are compared as binary tags
            continue
        was, now = before.get(key, Counter()), after.get(key, Counter())
        if was == now or (not was and key in ADDED_ONLY):
            continue
        if key in OLD_FIX_FIELDS and not now and any(before.get(k) not in (None, after.get(k)) for k in POSITION_KEYS):
            continue
        if key.startswith(OLD_PLACE_FIELDS) and not now and (overwrite or any(before.get(k) != after.get(k) for k in NAME_KEYS)):
            continue
        if key in ("RIFF:ImageWidth", "RIFF:ImageHeight") and set(was) == set(now):  # VP8X repeats the canvas size
            continue
        if key == "QuickTime:HandlerType" and not was - now and list((now - was).elements()) == ['"Metadata Tags"']:
            continue  # a video's new Keys box ('mdta') beside the iTunes-style box ('mdir') it had: every handler before kept
        if key == "QuickTime:Wide" and set(was) <= {'""'} and not now:  # an empty free-space box (8 bytes for a 64-bit media header)
            continue
        if key == "Photoshop:IPTCDigest" and now == after.get("File:CurrentIPTCDigest"):  # renewed, still current
            continue
        if key == "ExifTool:Warning":
            new = now - was
            if new:
                found.append(f"new warnings {sorted(new)}")
            continue
        found.append(f"{key}: {_short(was)} -> {_short(now)}")
    return found


def _short(values: Counter[str]) -> str:
    text = "; ".join(sorted(values)) or "(absent)"
    return text if len(text) < 80 else f"{text[:77]}..."


def values(tags: dict[str, Counter[str]], key: str) -> list[Any]:
    return sorted(json.loads(v) for v in tags.get(key, Counter()).elements())


def gps(path: Path) -> tuple[float, float, float | None] | None:
    """The position as the independent reader sees it (signed degrees, altitude in metres)."""
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-GPSLatitude", "-GPSLongitude", "-GPSAltitude", str(path)], capture_output=True,
                         check=True).stdout
    row = json.loads(out)[0]
    if "GPSLatitude" not in row or "GPSLongitude" not in row:
        return None
    return float(row["GPSLatitude"]), float(row["GPSLongitude"]), row.get("GPSAltitude")


def pixels(path: Path) -> np.ndarray | None:
    """The decoded main image (HEIF and AVIF through pillow-heif), or None where Pillow cannot decode the format."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()

    try:
        with Image.open(path) as image:
            image.load()
            return np.asarray(image)
    except Exception:  # noqa: BLE001 - an exotic compression Pillow lacks: the binary tags still guard the data
        return None
