"""A JPEG's image data: where its first scan begins and where the image ends.

A copy cut short (an SD card pulled mid-transfer, a download that stopped) keeps its metadata and
loses the bottom of the picture: a file that starts as a JPEG and has no :func:`first_scan` is
reported, never rewritten.
A metadata rewrite copies the image data as it is, which :func:`same_scan` proves byte for
byte; ExifTool's validation then reads a copy without that data (:func:`write_quiet_copy`), since
its check of it is a search for markers in Perl that costs 40 times the reading of the metadata on
a 24-megapixel photo. ExifTool also rewrites that copy rather than the photo (its copying of the
image data in Perl is 40 % of a 12-megapixel photo's rewrite), and :func:`spliced` puts the image
data back: the file ExifTool writes from the photo itself, byte for byte (the tests compare the two
on every real JPEG), unless a pointer in the metadata points into the image data or past the file's end (:func:`stray_pointers`).

The walk goes over the marker segments from the start of image to the first start of scan, then
looks for the end-of-image marker after it. Inside entropy-coded data a 0xFF byte is always
followed by 0x00 or a restart marker, so 0xFFD9 there can only be the real end. Thumbnails and
previews inside APP segments are skipped by their lengths; data after the end (trailers, the
second image of an MPO) is ExifTool's to check. Microseconds per file, on bytes already in memory.
"""

from __future__ import annotations

import re
from pathlib import Path

SOI, SOS, EOI = b"\xff\xd8", 0xDA, b"\xff\xd9"
#: The end-of-image marker as a pattern: the regular-expression engine finds it in image data twice as
#: fast as ``bytes.find``, whose search for a two-byte needle stops at every 0xFF of the data.
_EOI = re.compile(re.escape(EOI))
#: Markers without a length field: TEM and RST0-7.
STANDALONE = {0x01, *range(0xD0, 0xD8)}


def header_segments(data: bytes) -> list[tuple[int, int, int]] | None:
    """(marker, start, end) of each segment with a length of a JPEG, from the start of image to its
    first start of scan included; None when ``data`` is not a JPEG or its headers do not reach a
    start of scan."""
    if not data.startswith(SOI):
        return None
    segments = []
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None  # garbage where a marker must be
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes before a marker
            position += 1
            continue
        if marker in STANDALONE:
            position += 2
            continue
        end = position + 2 + int.from_bytes(data[position + 2:position + 4], "big")
        segments.append((marker, position, end))
        if marker == SOS:
            return segments
        position = end
    return None  # the headers ran past the end of the file


def scan_start(data: bytes) -> int | None:
    """Where a JPEG's first scan's entropy-coded data begins (after its headers); None when
    ``data`` is not a JPEG or its headers do not reach a start of scan."""
    segments = header_segments(data)
    return segments[-1][2] if segments else None


def first_scan(data: bytes) -> tuple[int, int] | None:
    """(where the first scan's entropy-coded data begins, where the end-of-image marker after it
    sits) of a JPEG; None when ``data`` is not a JPEG or one that ends early (cut short). (The search for the
    end reads the image data: about a millisecond on a 12-megapixel photo.)"""
    start = scan_start(data)
    if start is None:
        return None
    found = _EOI.search(data, start)
    return (start, found.start()) if found else None


def write_quiet_copy(data: bytes, scan: tuple[int, int], path: Path) -> None:
    """Write ``data`` to ``path`` without its image data (``scan``, from :func:`first_scan`), for
    ExifTool to validate the rest. A JPEG that ends with its image (most cameras' files) is copied
    without it, its headers then the end-of-image marker: ExifTool has nothing to search. One that
    holds more after it (MPF images, previews and trailers that offsets from the file's start
    point at) keeps its length, the image data as zeros: a hole the file system reads back as
    zeros, so that copy also costs the metadata's bytes, not the photo's."""
    start, end = scan
    view = memoryview(data)
    with open(path, "wb") as handle:
        handle.write(view[:start])
        if quiet_scan_length(data, scan):
            handle.seek(end)
        handle.write(view[end:])


def same_scan(written: bytes, original: bytes, scan: tuple[int, int]) -> tuple[int, int] | None:
    """The span of the written file's first scan when it holds its original's image data (``scan``,
    the original's :func:`first_scan`) byte for byte after its own headers, the end-of-image marker
    right after (wherever the metadata moved them); else None. Compared in place (``startswith``),
    without searching the written file for its end: the original's image data holds no 0xFFD9."""
    start = scan_start(written)
    if start is None:
        return None
    length = scan[1] - scan[0]
    if written.startswith(memoryview(original)[scan[0]:scan[1]], start) and written.startswith(EOI, start + length):
        return start, start + length
    return None


def quiet_scan_length(data: bytes, scan: tuple[int, int]) -> int:
    """How long the image data of ``data``'s :func:`write_quiet_copy` is: none when the image ends
    the file, else as long as the original's (zeros)."""
    return 0 if scan[1] + len(EOI) == len(data) else scan[1] - scan[0]


def spliced(quiet_written: bytes, original: bytes, scan: tuple[int, int]) -> bytes | None:
    """The file a metadata rewrite of ``original`` gives, from ExifTool's rewrite of its
    :func:`write_quiet_copy` (``quiet_written``): its headers, the original's image data (``scan``),
    then whatever followed the quiet copy's image data (the end marker, and the trailer with its
    offsets unchanged). None when the rewrite did not keep the quiet copy's image data as it was
    (nothing, or zeros) right before an end marker, or added something after the image of a photo
    that ends with it: what a rewrite of the photo itself would have given cannot be told from it."""
    start = scan_start(quiet_written)
    if start is None:
        return None
    length = quiet_scan_length(original, scan)
    if not quiet_written.startswith(EOI, start + length) or quiet_written.count(0, start, start + length) != length:
        return None
    if length == 0 and len(quiet_written) != start + len(EOI):  # something after the image where the photo had nothing: its offsets would be the copy's
        return None
    view = memoryview(quiet_written)
    return b"".join((view[:start], memoryview(original)[scan[0]:scan[1]], view[start + length:]))


def stray_pointers(offsets: list[tuple[int, int]], scan: tuple[int, int], size: int) -> bool:
    """Whether any of the (offset, length) blocks the metadata of a JPEG of ``size`` bytes points at
    (embedded images, a maker note's previews and data) lies outside its headers and what follows
    its image: in the image data, or past the end of the file (a preview an editor cut off). ExifTool
    rewrites such a pointer by what it finds there, or by the file's length, so a rewrite of the
    copy without image data would differ from a rewrite of the photo, and must not stand in for it."""
    return any(not (offset + max(length, 1) <= scan[0] or scan[1] + len(EOI) <= offset <= offset + length <= size)
               for offset, length in offsets)


#: Segments the decoding of the pixels does not read: APP1-APP13, APP15 (EXIF, XMP, ICC, IPTC, MPF,
#: ...) and comments. APP0 (JFIF) and APP14 (Adobe) say which colour space three components are in
#: (libjpeg decodes a JPEG whose components are named R, G, B as RGB unless a JFIF segment says
#: YCbCr): they count.
NOT_DECODED = {*range(0xE1, 0xEE), 0xEF, 0xFE}


def decoded_headers(data: bytes) -> list[bytes] | None:
    """The header segments a decoder reads to turn the image data into pixels (quantisation and
    Huffman tables, the frame, restart interval, Adobe's colour transform, the scan header), in
    order; None when ``data`` is not a JPEG whose headers reach a scan. Two JPEGs with these and
    the image data the same decode to the same pixels."""
    segments = header_segments(data)
    if segments is None:
        return None
    return [data[start:end] for marker, start, end in segments if marker not in NOT_DECODED]
