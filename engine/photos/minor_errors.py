"""ExifTool's minor errors. ExifTool refuses to rewrite a file in which it meets a fault it calls
minor ("[minor] Bad format (260) for MakerNotes entry 0", "[minor] IFD0 entry 13 has zero count",
an undersized thumbnail's byte count) unless told to go on (``-m``). Geo-R asks for the rewrite once
more with ``-m`` and lets it through only when the rewrite check finds nothing else changed and the
pixels decode the same: ExifTool's caution stays the rule, the proof decides. (Found on 8 of 784
camera files outside the corpus, which the independent ExifTool found unharmed when so written.)"""

from __future__ import annotations

import io

import numpy as np


def only_minor_errors(stderr: str) -> str | None:
    """ExifTool's first error when every error it printed is a minor one, else None."""
    errors = [line.strip() for line in stderr.splitlines() if line.strip().startswith("Error")]
    if not errors or not all("[minor]" in line for line in errors):
        return None
    first = errors[0].removeprefix("Error:").strip()
    return first.rsplit(" - ", 1)[0] if " - " in first else first


#: How ``pixel_problems`` begins when a decoder cannot show the pixels at all (the rewrite is then unproven, not known bad).
UNCOMPARED = "the pixels cannot be compared"


def pixel_problems(original: bytes, written: bytes) -> list[str]:
    """[] when both files decode to the same pixels (Pillow, pillow-heif); else why not."""
    from PIL import Image

    from geor.engine.inference.images import register_heif

    register_heif()
    try:
        with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(written)) as after:
            same = before.size == after.size and before.mode == after.mode and np.array_equal(np.asarray(before), np.asarray(after))
    except Exception as exc:  # noqa: BLE001 - any decoder's failure means the pixels cannot be shown the same
        return [f"{UNCOMPARED} ({type(exc).__name__}: {exc})"]
    return [] if same else ["the pixels would change"]
