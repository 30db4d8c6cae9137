"""Did a rewrite change anything besides the location fields? Two ExifTool dumps of the same file,
before and after, compared tag by tag (maker notes, embedded images by size, IPTC records, XMP
properties, validation warnings), so a write that would lose or alter something is never renamed
over the photo.

What may differ: the tags Geo-R set, where blocks sit in the file (offsets: the data they point to
is copied), the tags a new EXIF, GPS or IPTC block must have (ExifTool adds them as any writer
must), and the XMP toolkit name when Geo-R merged names into a packet.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

from .exiftool import TagDump

#: Groups that describe the file, not its metadata (name, size, dates, derived values).
IGNORED_GROUPS = frozenset({"File", "System", "Composite"})
IGNORED_TAGS = frozenset({"ExifTool:ExifToolVersion", "ExifTool:Validate", "ExifTool:Now", "ExifTool:Error"})
#: Tag names that locate data inside the file; the data moves when metadata grows.
POINTER = re.compile(r"(?:Offsets?|ImageStart|Start)$")
#: Tags a writer adds when it creates a block (EXIF 2.3 mandatory tags, IIM record versions, GPS
#: version): allowed when absent before, never changed when present.
MANDATORY_ADDITIONS = frozenset({
    "IFD0:XResolution", "IFD0:YResolution", "IFD0:ResolutionUnit", "IFD0:YCbCrPositioning",
    "ExifIFD:ExifVersion", "ExifIFD:ComponentsConfiguration", "ExifIFD:FlashpixVersion", "ExifIFD:ColorSpace",
    "IPTC:EnvelopeRecordVersion", "IPTC:ApplicationRecordVersion", "GPS:GPSVersionID", "XMP-x:XMPToolkit",
})
#: Container flags that say which metadata chunks exist (WebP's VP8X header).
CONTAINER_FLAGS = frozenset({"RIFF:WebP_Flags"})
#: Compared as sets: a simple WebP that gains metadata becomes an extended one, whose VP8X header
#: repeats the image size.
REPEATABLE = frozenset({"RIFF:ImageWidth", "RIFF:ImageHeight"})


def _normal_key(key: str) -> str:
    """``IPTC2:City`` -> ``IPTC:City``: the records of a file are compared as one multiset."""
    group, _, name = key.partition(":")
    if group.rstrip("0123456789") == "IPTC":
        group = "IPTC"
    return f"{group}:{name}"


def tag_multiset(dump: TagDump) -> dict[str, Counter[str]]:
    """Every tag of a dump as {group:name: Counter(values)}: copies of a tag (several IPTC
    records, repeated warnings) compared as a multiset, whatever their order."""
    tags: dict[str, Counter[str]] = {}
    for key, value in dump.entries:
        tags.setdefault(_normal_key(key), Counter())[json.dumps(value, sort_keys=True, ensure_ascii=False)] += 1
    return tags


def unexpected_changes(before: TagDump, after: TagDump, written: Iterable[str]) -> list[str]:
    """Descriptions of every difference between two dumps of one file that is not a location
    field Geo-R wrote (``written``: normalised ``group:name`` keys) or one of the allowed kinds."""
    ours = set(written)
    old, new = tag_multiset(before), tag_multiset(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        group, _, name = key.partition(":")
        if key in ours or group in IGNORED_GROUPS or key in IGNORED_TAGS or key in CONTAINER_FLAGS or POINTER.search(name):
            continue
        was, now = old.get(key, Counter()), new.get(key, Counter())
        if was == now or (not was and key in MANDATORY_ADDITIONS) or (key in REPEATABLE and set(was) == set(now)):
            continue
        if key == "ExifTool:Warning":
            added = sorted((now - was).elements())
            if added:  # a warning that went away is the writer tidying up, not damage
                changes.append(f"new warning: {json.loads(added[0])}")
            continue
        changes.append(f"{key} {_show(was)} -> {_show(now)}")
    return changes


def _show(values: Counter[str]) -> str:
    if not values:
        return "(absent)"
    text = "; ".join(sorted(values.elements()))
    return text if len(text) <= 60 else text[:57] + "..."
