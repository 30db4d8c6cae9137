"""Writing a position into a QuickTime/MP4 video in place, as safely as into a photo.

The position goes where the main readers look: Apple Photos reads the ISO 6709 location in the
``Keys`` box (``com.apple.quicktime.location.ISO6709``), Google Photos and Android the ``(c)xyz``
of the ``udta`` box (``UserData:GPSCoordinates``), Lightroom and other XMP readers
``exif:GPSLatitude``/``GPSLongitude`` in the file's XMP. ExifTool writes them into a new file beside
the video; Geo-R then proves, before the rename, that

* every other tag reads as before (the rewrite check photos get, rewrite_check.py);
* the media data is byte for byte the same: ExifTool's hash of it (``ImageDataHash``) and its size
  are unchanged, and the bytes where it sat in each file hash the same (video_layout.py);
* undo can give back every byte from a patch of the bytes around the media data (proven by
  rebuilding the original's checksum, streaming).

Place names go into the video's XMP as into a photo's (``photoshop:City``/``State``/``Country``,
``Iptc4xmpCore:CountryCode``: Lightroom's and digiKam's location fields), kept when the video already
names its place, and left out when writing them would change anything else (the position is then
written alone, and the report says so). An XMP packet the video already holds (an editor's, in a
MOV's ``udta`` or an MP4's ``uuid`` box) keeps its own signature (x:xmptk), as a photo's does. AVCHD streams (``.MTS``) cannot be rewritten by ExifTool and
take a sidecar, which holds the names too.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from geor.engine.errors import UserError

from .exiftool import ExifToolSession, TagDump, number
from .gps_tags import Location, null_island
from .place_name_tags import NameChoice, names_readback
from .restore_patch import PatchError
from .rewrite_check import unexpected_changes
from .video_layout import Span, file_sha256, make_layout_patch, rebuilt_sha256
from .video_metadata import OWN_POSITION_TAGS, own_position

#: 3GPP's location box: read, and removed when a position replaces it (ExifTool cannot write its binary form).
LOCI = "UserData:LocationInformation"
#: An iTunes-style item list's position (``udta/meta/ilst/©xyz``, which some apps write): replaced too where the video has one.
ITEM_LIST = "ItemList:GPSCoordinates"
#: The old fix's precision, as an iPhone records it beside its position: removed when the position is replaced.
OLD_FIX = ("Keys:LocationAccuracyHorizontal",)
#: What a video's position is written as (group:name as ExifTool reads it back).
VIDEO_GPS_TAGS = frozenset({"Keys:GPSCoordinates", "UserData:GPSCoordinates", "XMP-exif:GPSLatitude", "XMP-exif:GPSLongitude",
                            "XMP-exif:GPSAltitude", "XMP-exif:GPSAltitudeRef", LOCI, ITEM_LIST, *OLD_FIX})

NO_NAMES = NameChoice()


class VideoWriteRefused(UserError):
    """Why a video cannot be rewritten (the writer says so, original untouched)."""


def video_gps_args(location: Location, existing: TagDump | None = None) -> list[str]:
    """ExifTool's assignments of ``location``. Of a position the video held (``existing``), nothing is
    left for a reader to find: an item list's is replaced too, a 3GPP ``loci`` box removed, and so are
    an old altitude the new position lacks and the old fix's precision."""
    lat, lon = f"{location.lat:.7f}", f"{location.lon:.7f}"
    coordinates = f"{lat} {lon}" + (f" {location.altitude_m:.2f}" if location.altitude_m is not None else "")
    args = [f"-Keys:GPSCoordinates#={coordinates}", f"-UserData:GPSCoordinates#={coordinates}",
            f"-XMP-exif:GPSLatitude#={lat}", f"-XMP-exif:GPSLongitude#={lon}"]
    if location.altitude_m is not None:
        args += [f"-XMP-exif:GPSAltitude#={abs(location.altitude_m):.2f}", f"-XMP-exif:GPSAltitudeRef#={0 if location.altitude_m >= 0 else 1}"]
    if existing is None:
        return args

    def held(key: str) -> bool:
        return existing.get(key) not in (None, "")

    if held(ITEM_LIST):
        args.append(f"-{ITEM_LIST}#={coordinates}")
    if held(LOCI):
        args.append(f"-{LOCI}=")
    if location.altitude_m is None and held("XMP-exif:GPSAltitude"):
        args += ["-XMP-exif:GPSAltitude=", "-XMP-exif:GPSAltitudeRef="]
    return args + [f"-{key}=" for key in OLD_FIX if held(key)]


def has_video_position(dump: TagDump) -> bool:
    """Whether the video holds a position of its own (loci: 3GPP's location box, which some apps and
    phones write); not (0, 0), what a phone writes without a fix, which the new position replaces."""
    return any(dump.get(key) not in (None, "") and not null_island(own_position(dump, key)) for key in OWN_POSITION_TAGS)


def media_facts(session: ExifToolSession, path: Path) -> dict[str, Any]:
    """ExifTool's hash of the media data, and where the media data sits: of several media data boxes
    (an empty one a muxer left after the movie header, a fragmented video's), the largest, whose
    bytes then stay out of the undo patch (every other byte is in it)."""
    status, out, err = session.run(["-j", "-n", "-a", "-G4", "-api", "ImageHashType=SHA256", "-ImageDataHash", "-MediaDataOffset",
                                    "-MediaDataSize", os.fsencode(path)])
    try:
        rows = json.loads(out) if out.strip() else []
    except json.JSONDecodeError:
        rows = []
    facts: dict[str, Any] = {}
    boxes: dict[str, dict[str, Any]] = {}
    for key, value in (rows[0].items() if rows and isinstance(rows[0], dict) else ()):
        copy, _, name = key.rpartition(":")  # -G4: "" for the first copy of a tag, "Copy1", "Copy2"... for the others
        if name in ("MediaDataOffset", "MediaDataSize"):
            boxes.setdefault(copy, {})[name] = value
        elif name != "SourceFile":
            facts.setdefault(name, value)
    sized = [box for box in boxes.values() if isinstance(box.get("MediaDataSize"), int) and isinstance(box.get("MediaDataOffset"), int)]
    if sized:
        facts.update(max(sized, key=lambda box: box["MediaDataSize"]))
    return facts


def media_span(facts: dict[str, Any]) -> Span:
    offset, size = facts.get("MediaDataOffset"), facts.get("MediaDataSize")
    if not isinstance(offset, int) or not isinstance(size, int) or size <= 0:
        raise VideoWriteRefused("ExifTool finds no media data in it")
    return Span(offset, size)


def readback_problems(location: Location, after: TagDump) -> list[str]:
    """Each written place must read back as the position (1e-6 degrees, about 10 cm)."""
    problems = []
    for key in ("Keys:GPSCoordinates", "UserData:GPSCoordinates", *((ITEM_LIST,) if ITEM_LIST in after else ())):
        parts = [number(p) for p in str(after.get(key, "")).split()]
        if len(parts) < 2 or parts[0] is None or parts[1] is None or not (
                math.isclose(parts[0], location.lat, abs_tol=1e-6) and math.isclose(parts[1], location.lon, abs_tol=1e-6)):
            problems.append(f"{key} reads back as {after.get(key)!r}")
    for key, wanted in (("XMP-exif:GPSLatitude", location.lat), ("XMP-exif:GPSLongitude", location.lon)):
        got = number(after.get(key))
        if got is None or not math.isclose(got, wanted, abs_tol=1e-6):
            problems.append(f"{key} reads back as {after.get(key)!r}")
    return problems


def check_video_rewrite(session: ExifToolSession, location: Location, original: Path, existing: TagDump, before: dict[str, Any],
                        temp: Path, *, names: NameChoice = NO_NAMES) -> tuple[TagDump, bytes, str, str]:
    """(the new file's dump, the undo patch, its checksum, the original's) once every proof holds;
    VideoWriteRefused naming the first that does not. ``names``: the place names written too."""
    after = session.read(temp, binary=True)
    problems = (readback_problems(location, after) + ([f"{LOCI} still holds {after.get(LOCI)!r}"] if after.get(LOCI) else [])
                + names_readback(names, after) + unexpected_changes(existing, after, VIDEO_GPS_TAGS | names.tags))
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        raise VideoWriteRefused(f"the rewrite would also change other metadata ({shown})")
    now = media_facts(session, temp)
    if not before.get("ImageDataHash") or before.get("ImageDataHash") != now.get("ImageDataHash"):
        raise VideoWriteRefused("ExifTool's hash of the media data differs after the rewrite (or it has none)")
    try:
        patch = make_layout_patch(original, media_span(before), temp, media_span(now))
    except PatchError as exc:
        raise VideoWriteRefused(f"undo could not be prepared ({exc})") from None
    original_sha256 = file_sha256(original)
    if rebuilt_sha256(temp, patch) != original_sha256:
        raise VideoWriteRefused("undo could not be prepared (the patch does not rebuild the original)")
    return after, patch, file_sha256(temp), original_sha256
