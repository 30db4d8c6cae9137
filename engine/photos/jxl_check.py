"""What keeps a JPEG XL photo from being rewritten in place, beyond the checks every photo gets (the
tag-by-tag comparison, and ExifTool's hash of the image data, as for the HEIF family):

* JPEG reconstruction data (a ``jbrd`` box: what ``cjxl`` keeps by default when it recompresses a
  JPEG, so that ``djxl`` gives the original JPEG back byte for byte). It records the sizes of the
  JPEG's EXIF and XMP segments; a rewrite that adds a position changes them, and the JPEG can no
  longer be rebuilt (libjxl's djxl then says "could not decode losslessly to JPEG"), while the
  image data ExifTool hashes is untouched;
* Brotli-compressed metadata (``brob`` boxes), which ExifTool reads only with a Perl module its
  distribution does not include: an EXIF or XMP it cannot see cannot be checked, and a second,
  uncompressed one beside it would disagree.

The container's top-level boxes are listed from their headers (ISO/IEC 18181-2: a 32-bit size and
a four-character type, a 64-bit size after the type when the 32-bit one is 1, 0 for "to the end").
A bare codestream (no container) has neither: ExifTool wraps it in a container to add metadata.
"""

from __future__ import annotations

import struct

JPEG_XL = {".jxl"}
CONTAINER_SIGNATURE = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
#: The tags of the container ExifTool wraps a bare codestream in (its brand box): new, and allowed to be.
CONTAINER_TAGS = frozenset({"Jpeg2000:MajorBrand", "Jpeg2000:MinorVersion", "Jpeg2000:CompatibleBrands"})
REFUSALS = {
    b"jbrd": "it holds the data that rebuilds its original JPEG byte for byte (JPEG XL's jbrd box), which new metadata would break",
    b"brob": "its metadata is Brotli-compressed, which ExifTool cannot read here, so a rewrite could not be checked",
}


def top_level_boxes(data: bytes) -> list[bytes] | None:
    """The types of a JPEG XL container's top-level boxes, in order; [] for a bare codestream; None
    when the boxes do not add up to the file (a damaged container)."""
    if not data.startswith(CONTAINER_SIGNATURE):
        return []
    types: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 8 > len(data):
            return None
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > len(data):
                return None
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = len(data) - at
        if size < header or at + size > len(data):
            return None
        types.append(kind)
        at += size
    return types


def jxl_refusal(data: bytes) -> str | None:
    """Why a JPEG XL file may not be rewritten in place (None: the usual checks decide)."""
    boxes = top_level_boxes(data)
    if boxes is None:
        return "its JPEG XL boxes do not add up to the file (a damaged container)"
    for kind in boxes:
        if kind in REFUSALS:
            return REFUSALS[kind]
    return None


def wrapping_tags(original: bytes | None, suffix: str) -> frozenset[str]:
    """The tags a rewrite may add because it wraps a bare codestream in a container (else none)."""
    return CONTAINER_TAGS if suffix in JPEG_XL and original is not None and top_level_boxes(original) == [] else frozenset()
