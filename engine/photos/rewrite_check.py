"""Did a rewrite change anything besides the location fields? Two ExifTool dumps of the same file,
before and after, compared tag by tag (maker notes, embedded images by size, IPTC records, XMP
properties, validation warnings without the group names whose spelling depends on what the ExifTool
process read before), so a write that would lose or alter something is never renamed
over the photo.

What may differ: the tags Geo-R set, where blocks sit in the file (offsets: the data they point to
is copied; an offset cleared to 0 is a change), the tags a new EXIF, GPS or IPTC block must have
(ExifTool adds them as any writer must), and the XMP toolkit name of a packet Geo-R created (an
existing packet keeps its own, or none). An existing packet's namespaces keep their prefixes
(renamed_namespaces).
"""

from __future__ import annotations

import base64
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from .exiftool import TagDump
from .jpeg_end import EOI, SOI, first_scan, header_segments

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
    "QuickTime:HandlerType",  # the handler ('mdta') a video's new Keys box must declare
})
#: A copy a writer adds beside those a file holds when it creates a block of another kind: a video's
#: new Keys box declares its handler ('mdta') beside an iTunes-style metadata box's ('mdir': iTunes,
#: FFmpeg's own MP4s). Allowed only as that one added value, every value before kept.
ADDED_COPIES = {"QuickTime:HandlerType": "mdta"}
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


def tag_values(dump: TagDump) -> dict[str, list[Any]]:
    """Every tag of a dump as {group:name: [values, in file order]}."""
    tags: dict[str, list[Any]] = {}
    for key, value in dump.entries:
        tags.setdefault(_normal_key(key), []).append(value)
    return tags


def _multiset(values: list[Any]) -> Counter[str]:
    """Copies of a tag (several IPTC records, repeated warnings) compared whatever their order."""
    return Counter(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values)


def unexpected_changes(before: TagDump, after: TagDump, written: Iterable[str]) -> list[str]:
    """Descriptions of every difference between two dumps of one file that is not a location
    field Geo-R wrote (``written``: normalised ``group:name`` keys) or one of the allowed kinds."""
    ours = set(written)
    old, new = tag_values(before), tag_values(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        was_list, now_list = old.get(key, []), new.get(key, [])
        if was_list == now_list:  # the common case, compared without serialising anything
            continue
        group, _, name = key.partition(":")
        if key in ours or group in IGNORED_GROUPS or key in IGNORED_TAGS or key in CONTAINER_FLAGS:
            continue
        if POINTER.search(name):  # where data sits may change; that it sits nowhere may not
            if _pointing(now_list) < _pointing(was_list):
                changes.append(f"{key} {' '.join(map(str, was_list))} -> {' '.join(map(str, now_list)) or '(absent)'} (the rewrite would clear this pointer)")
            continue
        if key == "ExifTool:Warning":
            was_list, now_list = _normal_warnings(was_list), _normal_warnings(now_list)
        was, now = _multiset(was_list), _multiset(now_list)
        created = not was and key in MANDATORY_ADDITIONS and not (key == "XMP-x:XMPToolkit" and has_xmp(before))  # (signs new packets only)
        created = created or (key in ADDED_COPIES and not was - now and now - was == Counter([json.dumps(ADDED_COPIES[key])]))
        if was == now or created or (key in REPEATABLE and set(was) == set(now)):
            continue
        if key == "ExifTool:Warning":
            added = sorted((now - was).elements())
            if added:  # a warning that went away is the writer tidying up, not damage
                changes.append(f"new warning: {json.loads(added[0])}")
            continue
        shown = (_show(was), _show(now))
        changes.append(f"{key} {shown[0]} -> {shown[1]}" + (" (different bytes)" if shown[0] == shown[1] else ""))
    return changes


#: A group named before a tag in a warning ("Undefined value for MakerNotes:ManualFocusDistance"):
#: the name depends on which tables the ExifTool process loaded before (a Nikon maker note is
#: "MakerNotes" in a fresh process, "MakerNoteNikon" once it wrote one), not on the file.
WARNING_GROUP = re.compile(r"\b[A-Za-z][\w-]*:(?=[A-Za-z]\w*\b)")
#: A maker note named as the directory it is ("[minor] Unrecognized MakerNotes"): the same history,
#: without the colon; once the process has written a file with a maker note it cannot parse, the
#: next one is "Unrecognized MakerNoteUnknown" (ExifTool's MakerNotes.pm names it by its DirName).
MAKER_NOTE_DIRECTORY = re.compile(r"\bMakerNote(?:s\b|[A-Z]\w*)")
#: A tag ExifTool does not know is "Unknown ExifIFD tag 0x9103" until the process has written a file
#: that holds it; from then on it is "Non-standard ExifIFD tag 0x9103 Exif_0x9103" (the name it gave
#: the tag): one warning, two spellings, by the process's history.
NAMED_UNKNOWN_TAG = re.compile(r"\bNon-standard (\S+) tag (0x[0-9a-fA-F]{4}) \w+_0x[0-9a-fA-F]{4}$")
#: ExifTool folds repeats of a warning into one text: "Entries in IFD1 are out of order [x6]".
REPEATS = re.compile(r" \[x(\d+)\]$")


def _normal_warnings(texts: list[Any]) -> list[Any]:
    """Warnings as compared: without the group names and the spellings that depend on the process's
    history, each repeat a copy of its own (a rewrite that fixes one of six repeats adds nothing)."""
    found: list[Any] = []
    for text in texts:
        if not isinstance(text, str):
            found.append(text)
            continue
        repeats = REPEATS.search(text)
        text = WARNING_GROUP.sub("", text[:repeats.start()] if repeats else text)
        text = NAMED_UNKNOWN_TAG.sub(r"Unknown \1 tag \2", MAKER_NOTE_DIRECTORY.sub("MakerNotes", text))
        found += [text] * (int(repeats.group(1)) if repeats else 1)
    return found


def _pointing(values: list[Any]) -> int:
    """How many of a pointer tag's copies point somewhere (not 0): a writer that finds nothing valid
    where a pointer says (a Canon OriginalDecisionDataOffset an editor left stale) sets it to 0."""
    return sum(any(_numbers(v)) for v in values)


def has_xmp(dump: TagDump) -> bool:
    """Does the file hold an XMP packet (any XMP property)?"""
    return any(key.startswith("XMP-") for key, _ in dump.entries)


def keep_xmp_signature(existing: TagDump) -> list[str]:
    """ExifTool signs an XMP packet it rewrites (x:xmptk): the assignments that leave a packet the
    file already held with its own signature, or without one (a camera's or another program's
    packet), so that only a packet Geo-R creates is signed (the check above allows nothing else)."""
    toolkit = existing.get("XMP-x:XMPToolkit")
    if isinstance(toolkit, str) and toolkit:
        return [f"-XMP-x:XMPToolkit={toolkit}"]
    return ["-XMP-x:XMPToolkit="] if has_xmp(existing) else []


def _show(values: Counter[str]) -> str:
    """Values for a person: ``72``, ``72 and 144`` (two copies of the tag), ``(absent)``, ``293,002 bytes``
    (binary data, read with ``-b``)."""
    if not values:
        return "(absent)"
    text = " and ".join(sorted(_binary_size(v) for v in values.elements()))
    return text if len(text) <= 60 else text[:57] + "..."


def _binary_size(shown: str) -> str:
    if not shown.startswith('"base64:'):
        return shown
    try:
        return f"{len(base64.b64decode(shown[8:-1])):,} bytes"
    except ValueError:
        return shown


#: Where embedded data sits, as ExifTool reports it (absolute file offsets with -n): pointer tag ->
#: its size tag, in the same group. Thumbnails, maker-note and IFD previews, MPF images (phones'
#: gain maps, the second eye of an MPO), RAW-style JPEGs, TIFF strips and tiles.
DATA_POINTERS = {"ThumbnailOffset": "ThumbnailLength", "PreviewImageStart": "PreviewImageLength", "MPImageStart": "MPImageLength",
                 "JpgFromRawStart": "JpgFromRawLength", "OtherImageStart": "OtherImageLength", "StripOffsets": "StripByteCounts",
                 "TileOffsets": "TileByteCounts"}


#: Pointers to embedded JPEGs (thumbnails, previews, MPF images), whose end marker ends the image.
JPEG_POINTERS = frozenset({"ThumbnailOffset", "PreviewImageStart", "MPImageStart", "JpgFromRawStart", "OtherImageStart"})


def cut_at_their_end(before: TagDump, after: TagDump, original: bytes, written: bytes) -> dict[str, int]:
    """The embedded JPEGs whose length tag overstated them (some cameras count bytes past the end of
    the segment that holds the thumbnail, bytes of what follows it in the file: Canon's EOS 350D 8, an
    HP Photosmart 2, a photo in PhotoPrism's test data whose thumbnail the camera had already cut
    short 1) and which the rewrite cut at that segment's end: ExifTool keeps an embedded image within
    its segment and corrects the length. Only that: in a JPEG file, one piece, the old block running
    past the end of its segment into the header segment that follows it and no further, the new one
    as long as the old one's part within its segment, its bytes that part; and the image whole to its
    end marker, or, where the camera had cut it short, no more dropped than the following segment's
    marker and length (bytes the file's own structure says are not the image's).
    {block key (``IFD1:ThumbnailOffset#0``): bytes dropped}; see ``length_tags``."""
    old_segments = header_segments(original)
    if not old_segments or not written.startswith(SOI):
        return {}
    old, new = dict(_pointed(before, JPEG_POINTERS)), dict(_pointed(after, JPEG_POINTERS))
    found = {}
    for key, pieces in old.items():
        if len(pieces) != 1 or len(new.get(key, [])) != 1:
            continue
        (old_at, old_length), (new_at, new_length) = pieces[0], new[key][0]
        was, now = original[old_at:old_at + old_length], written[new_at:new_at + new_length]
        if not (len(now) < len(was) == old_length and was.startswith(now)):
            continue
        segment_end = _segment_end(old_segments, old_at)
        if old_at + new_length == segment_end < old_at + old_length and _overrun_allowed(old_segments, segment_end, old_at + old_length,
                                                                                             now, original):
            found[key] = old_length - new_length
    return found


def _overrun_allowed(segments: list[tuple[int, int, int]], segment_end: int, old_end: int, kept: bytes, original: bytes) -> bool:
    """Whether an embedded image's old block, which ran from its segment (ending at ``segment_end``)
    to ``old_end``, ran only into the header segment right after it (fill bytes before it allowed),
    and either the image ``kept`` is whole to its end marker or no more than that segment's marker
    and length were in the block."""
    following = next(((start, end) for _, start, end in segments if start >= segment_end), None)
    if following is None or original[segment_end:following[0]].count(0xFF) != following[0] - segment_end or old_end > following[1]:
        return False
    scan = first_scan(kept)
    return (scan is not None and scan[1] + len(EOI) <= len(kept)) or old_end <= following[0] + SEGMENT_HEADER


#: A header segment's marker and length field: bytes of the file's structure, never an image's.
SEGMENT_HEADER = 4


def _segment_end(segments: list[tuple[int, int, int]], offset: int) -> int:
    """The end of the header segment that holds ``offset`` (-1: none does)."""
    return next((end for _, start, end in segments if start <= offset < end), -1)


def length_tags(blocks: Iterable[str]) -> set[str]:
    """The length tags of embedded blocks (``IFD1:ThumbnailOffset#0`` -> ``IFD1:ThumbnailLength``)."""
    return {f"{key.partition(':')[0]}:{DATA_POINTERS[pointer_name(key)]}" for key in blocks}


def pointer_name(block: str) -> str:
    """The pointer tag of an embedded block's key (``IFD1:ThumbnailOffset#0`` -> ``ThumbnailOffset``)."""
    return block.partition(":")[2].partition("#")[0]


def embedded_data_changes(before: TagDump, after: TagDump, original: bytes, written: bytes, cut: Iterable[str] = ()) -> list[str]:
    """Every embedded image (see DATA_POINTERS) must hold the same bytes after the rewrite, wherever
    it moved: compared byte for byte from the two files, without asking ExifTool to extract them.
    ``cut``: blocks that ``cut_at_their_end`` found cut at their JPEG's end marker (not damage)."""
    changes = []
    old, new = _data_blocks(before, original), _data_blocks(after, written)
    for key in sorted((set(old) | set(new)) - set(cut)):
        if old.get(key) != new.get(key):
            was, now = old.get(key), new.get(key)
            changes.append(f"{key} data {'absent' if was is None else f'{len(was)} bytes'} -> {'absent' if now is None else f'{len(now)} bytes'}"
                           + (" (different bytes)" if was is not None and now is not None and len(was) == len(now) else ""))
    return changes


def _data_blocks(dump: TagDump, data: bytes) -> dict[str, bytes]:
    return {key: b"".join(data[offset:offset + length] for offset, length in pieces) for key, pieces in _pointed(dump)}


def _pointed(dump: TagDump, only: Collection[str] | None = None) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """Each embedded block (see DATA_POINTERS; ``only`` these pointers) as (pointer key and copy, its (offset, length) pieces)."""
    values = tag_values(dump)
    for key, starts in values.items():
        group, _, name = key.partition(":")
        size_name = DATA_POINTERS.get(name)
        if size_name is None or f"{group}:{size_name}" not in values or (only is not None and name not in only):
            continue
        # a damaged file may hold more pointers than sizes or the other way round: compare the pairs there are
        for copy, (start, size) in enumerate(zip(starts, values[f"{group}:{size_name}"], strict=False)):
            if name == "MPImageStart" and _numbers(start) == [0]:
                continue  # MPF's first image is the file itself, metadata and all
            yield f"{key}#{copy}", list(zip(_numbers(start), _numbers(size), strict=False))  # likewise


def pointed_at(dump: TagDump) -> list[tuple[int, int]]:
    """Every (offset, length) in the file a dump's pointers name: the embedded blocks, and every
    pointer (``POINTER``: a maker note's offset to data of its own, a start whose size tag is
    missing) as one byte."""
    blocks = [piece for _, pieces in _pointed(dump) for piece in pieces]
    for key, values in tag_values(dump).items():
        group, _, name = key.partition(":")
        if POINTER.search(name) and group not in IGNORED_GROUPS:  # (an embedded block's start too: its size may be missing)
            blocks += [(offset, 1) for value in values for offset in _numbers(value)]
    return blocks


def _numbers(value: Any) -> list[int]:
    """A -n value that is a number or a list of numbers (strip offsets come as "8 1032 2056")."""
    if isinstance(value, (int, float)):
        return [int(value)]
    try:
        return [int(float(part)) for part in str(value).split()]
    except ValueError:
        return []


def renamed_namespaces(original: bytes, written: bytes) -> list[str]:
    """XMP namespaces the rewrite declares under other prefixes than the file did, packet by packet
    in file order. ExifTool re-serialises a packet it writes into with its own prefixes (13.x:
    Google's container namespace, ``Container:`` in Android's Ultra HDR photos, becomes
    ``GContainer:``): the same properties to a reader that goes by namespace, the gain map's
    directory gone to one that goes by prefix (ExifTool 12.x among them)."""
    changes = []
    for old, new in zip(_xmp_namespaces(original), _xmp_namespaces(written), strict=False):
        changes += [f"XMP namespace {uri} would be declared as {', '.join(sorted(new[uri]))}, not {', '.join(sorted(prefixes))}"
                    for uri, prefixes in sorted(old.items()) if uri in new and not prefixes <= new[uri]]
    return changes


_XMP_PACKET = re.compile(rb"<x:xmpmeta[\s>].*?</x:xmpmeta>", re.DOTALL)


def _xmp_namespaces(data: bytes) -> list[dict[str, set[str]]]:
    """Each XMP packet's namespace URIs with the prefixes they are declared under, found as the XMP
    specification's packet scanning finds packets (by their x:xmpmeta element, in any file format)
    and read by an XML parser; a packet that does not parse counts as none."""
    found = []
    for packet in _XMP_PACKET.finditer(data):
        namespaces: dict[str, set[str]] = {}
        try:
            for _, (prefix, uri) in ElementTree.iterparse(io.BytesIO(packet.group()), events=("start-ns",)):
                namespaces.setdefault(uri, set()).add(prefix)
        except ElementTree.ParseError:
            continue
        found.append(namespaces)
    return found
