"""What a HEIC/HEIF/AVIF rewrite (and a JPEG XL's, after jxl_check.py's refusals) must prove,
beyond every photo's tag-by-tag check, to be used in place (else the position goes into a sidecar,
with the reason):

* the image data is byte for byte the same: ExifTool's hash of every image item (``ImageDataHash``)
  is unchanged;
* nothing that no tag references was dropped: ExifTool rewrites the EXIF item from the tags it
  knows, so bytes inside it that no tag points to are lost (the corpus's Xiaomi HEIC loses 178 kB of
  data that way, a Sony ILCE-7SM3 HEIC 1.8 kB). A metadata block (EXIF, XMP) may shrink only by zero
  bytes, the padding Canon's and Sony's cameras reserve (its non-zero bytes may not become fewer: the
  position adds some), and the file changes by exactly what its blocks change, give or take the few
  item boxes a new block needs.

What this cannot see: a loss of fewer non-zero bytes than the written tags add (a few dozen), and
an ``--overwrite`` that shortens a block's values is refused as if it had dropped data (a sidecar).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from .exiftool import ExifToolSession
from .video_writer import media_facts

#: Formats of the HEIF family (ISO/IEC 23008-12 and AV1's AVIF), written in place when proven.
HEIF_FAMILY = {".heic", ".heif", ".hif", ".avif"}
#: The most bytes the item boxes (infe, iloc, iref entries) of a block ExifTool adds may take.
ITEM_BOXES_BYTES = 512
BLOCKS = ("EXIF", "XMP")
#: The media data box as a whole, which holds the EXIF item in most HEIC files: it grows with it
#: (what is in it is proven by the checks below, not by comparing it whole).
HEIF_MEDIA_TAGS = frozenset({"QuickTime:MediaData", "QuickTime:MediaDataSize"})
#: An empty 'wide' box: eight bytes of free space before the media data (early iOS HEICs, an iPhone 7
#: Plus's), which ExifTool's rewrite of the media data takes up. Nothing reads anything from it.
FREE_SPACE = "QuickTime:Wide"


def media_tags(existing: Any) -> frozenset[str]:
    """The tags a HEIF rewrite may change beside the written ones: the media data box, and an empty
    free-space box it takes up (``existing``: the file's TagDump)."""
    return HEIF_MEDIA_TAGS | ({FREE_SPACE} if existing.get(FREE_SPACE) == "" else set())


def blocks(session: ExifToolSession, path: Path) -> dict[str, bytes]:
    """Each metadata block as ExifTool extracts it (empty: none)."""
    status, out, err = session.run(["-j", "-b", *(f"-{block}" for block in BLOCKS), os.fsencode(path)])
    try:
        rows = json.loads(out) if out.strip() else []
    except json.JSONDecodeError:
        rows = []
    row: dict[str, Any] = rows[0] if rows and isinstance(rows[0], dict) else {}
    return {block: _bytes(row.get(block)) for block in BLOCKS}


def _bytes(value: object) -> bytes:
    if isinstance(value, str) and value.startswith("base64:"):
        return base64.b64decode(value[7:])
    return value.encode("utf-8") if isinstance(value, str) else b""


def _non_zero(data: bytes) -> int:
    return len(data) - data.count(0)


def heif_problems(session: ExifToolSession, source: Path, temp: Path) -> list[str]:
    """Why the rewrite ``temp`` of ``source`` may not replace it (empty: it may)."""
    before, after = media_facts(session, source), media_facts(session, temp)
    if not before.get("ImageDataHash") or before.get("ImageDataHash") != after.get("ImageDataHash"):
        return ["ExifTool's hash of the image data differs after the rewrite (or it has none)"]
    old, new = blocks(session, source), blocks(session, temp)
    problems = [f"ExifTool's rewrite would drop {_non_zero(old[b]) - _non_zero(new[b]):,} bytes of data in the {b} block that no tag "
                "references" for b in BLOCKS if _non_zero(new[b]) < _non_zero(old[b])]
    grown = os.stat(temp).st_size - os.stat(source).st_size
    changed = sum(map(len, new.values())) - sum(map(len, old.values()))
    if not problems and not 0 <= grown - changed <= ITEM_BOXES_BYTES:
        problems.append(f"the file would change by {grown:,} bytes where its metadata changes by {changed:,}")
    return problems
