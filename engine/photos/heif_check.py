"""What a HEIC/HEIF/AVIF rewrite must prove, beyond every photo's tag-by-tag check, to be used in
place (else the position goes into a sidecar, with the reason):

* the image data is byte for byte the same: ExifTool's hash of every image item (``ImageDataHash``)
  is unchanged;
* nothing that no tag references was dropped: ExifTool rewrites the EXIF item from the tags it
  knows, so bytes inside it that no tag points to are lost (the corpus's Xiaomi HEIC loses 178 kB that
  way, Sony's HIF 1.7 kB): each metadata block (EXIF, XMP) may only grow, and the file grows by
  exactly what its blocks grow, give or take the few item boxes a new block needs.
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


def block_sizes(session: ExifToolSession, path: Path) -> dict[str, int]:
    """The size of each metadata block as ExifTool extracts it (0: none)."""
    status, out, err = session.run(["-j", "-b", *(f"-{block}" for block in BLOCKS), os.fsencode(path)])
    try:
        rows = json.loads(out) if out.strip() else []
    except json.JSONDecodeError:
        rows = []
    row: dict[str, Any] = rows[0] if rows and isinstance(rows[0], dict) else {}
    return {block: _size(row.get(block)) for block in BLOCKS}


def _size(value: object) -> int:
    if isinstance(value, str) and value.startswith("base64:"):
        return len(base64.b64decode(value[7:]))
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def heif_problems(session: ExifToolSession, source: Path, temp: Path) -> list[str]:
    """Why the rewrite ``temp`` of ``source`` may not replace it (empty: it may)."""
    before, after = media_facts(session, source), media_facts(session, temp)
    if not before.get("ImageDataHash") or before.get("ImageDataHash") != after.get("ImageDataHash"):
        return ["ExifTool's hash of the image data differs after the rewrite (or it has none)"]
    old, new = block_sizes(session, source), block_sizes(session, temp)
    problems = [f"ExifTool's rewrite would drop {old[b] - new[b]:,} bytes of the {b} block that no tag references"
                for b in BLOCKS if new[b] < old[b]]
    grown = os.stat(temp).st_size - os.stat(source).st_size
    blocks = sum(new.values()) - sum(old.values())
    if not problems and not 0 <= grown - blocks <= ITEM_BOXES_BYTES:
        problems.append(f"the file would change by {grown:,} bytes where its metadata grows by {blocks:,}")
    return problems
