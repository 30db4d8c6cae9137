"""A write that must keep a file whole and put its position beside it (a refusal in place)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geor.engine.photos import Location, PhotoWriter, WriteRequest, WriteResult

from . import exiftool_oracle as oracle


def written_beside(tmp_path: Path, source: Path, name: str, location: Location) -> WriteResult:
    """``source`` copied to ``tmp_path / name`` and ``location`` written through PhotoWriter: the write
    must have made a new sidecar (the name's stem, ``.xmp``) that the system's ExifTool reads the
    position from, and left the file byte for byte as it was. Returns the result (its notes say why)."""
    photo = tmp_path / name
    shutil.copy(source, photo)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=location))
    assert result.created and result.target == photo.with_suffix(".xmp"), result.notes
    assert photo.read_bytes() == Path(source).read_bytes()
    assert oracle.gps(result.target)[:2] == pytest.approx((location.lat, location.lon), abs=1e-7)
    return result
