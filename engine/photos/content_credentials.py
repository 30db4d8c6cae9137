"""Content Credentials (C2PA): a signed manifest whose hash binds every byte of the file outside
itself. Any rewrite of such a file, however small, turns its credentials from valid to
"assertion.dataHash.mismatch" (the C2PA SDK's reading of a Nikon Z 9's signed JPEG after
ExifTool added one XMP tag), while ExifTool keeps the manifest's bytes as they are, so a tag-by-tag
comparison sees nothing. A photo or video that carries one is never rewritten: its position goes into a sidecar.

ExifTool reads the manifest store (JUMBF) of JPEG, PNG, JPEG XL, TIFF and MP4/MOV files; it is
recognised by its JUMBF description box: label ``c2pa`` or the type of a C2PA manifest store. A
manifest kept elsewhere (a remote manifest) is linked from the file's XMP by the URL in
``dcterms:provenance``, and binds the file's bytes the same way; a provenance that is not a URL is
an archive's statement in words, not a link.
"""

from __future__ import annotations

from .exiftool import TagDump

#: The JUMBF description type of a C2PA manifest store ("c2pa" then the C2PA UUID suffix), as ExifTool's -n prints it.
MANIFEST_STORE_TYPE = "63327061"
REASON = "it carries Content Credentials (a C2PA manifest, in the file or linked from it), which any change to its bytes invalidates"


def has_content_credentials(dump: TagDump) -> bool:
    """Whether ExifTool's reading of a file shows a C2PA manifest store."""
    for key, value in dump.entries:
        text = str(value).strip().lower()
        if key == "XMP-dcterms:Provenance" and text.startswith(("https://", "http://")):
            return True
        if key == "JUMBF:JUMDLabel" and text == "c2pa" or key == "JUMBF:JUMDType" and text.startswith(MANIFEST_STORE_TYPE):
            return True
    return False
