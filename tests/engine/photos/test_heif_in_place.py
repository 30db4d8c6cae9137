"""HEIC/HEIF of Samsung, Canon and an early iOS iPhone (heif/SOURCES.md: its empty 'wide' box, which
ExifTool's rewrite takes up; Apple's others, Sony's, Xiaomi's and Nikon's are in the camera corpus) written in place where the rewrite is proven, judged by Debian's ExifTool (every
other tag), their pixels and undo; a truncated Canon HIF gets a sidecar with ExifTool's reason."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from geor.engine.photos import Location, PhotoWriter, WriteRequest, restore_original

from ...helpers import exiftool_oracle as oracle
from ...helpers.photo_files import pixels
from ...helpers.sidecar_writes import written_beside

pytestmark = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge the writes (CI installs Debian's)")
HEIF = Path(__file__).parent / "heif"
PLACE = Location(64.146582, -21.942635, 12.5, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")


@pytest.mark.parametrize(("name", "overwrite"), [("exiv2-canon-eos-r5.HIF", False), ("kim-samsung-s21ultra.heic", False),
                                                 ("pillow-heif-samsung-s25ultra-gps.heic", True), ("file-type-iphone7plus-wide.heic", True)])
def test_a_heif_is_written_in_place_and_nothing_else_changes(tmp_path, name, overwrite):
    photo = tmp_path / name
    shutil.copy(HEIF / name, photo)
    original = photo.read_bytes()
    before = oracle.dump(photo)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=PLACE, overwrite=overwrite))
    assert result.target == photo and not result.created, result.notes
    assert not list(tmp_path.glob("*.xmp"))
    assert oracle.damage(before, oracle.dump(photo)) == []
    lat, lon, _ = oracle.gps(photo)
    assert (lat, lon) == pytest.approx((PLACE.lat, PLACE.lon), abs=1e-7)
    decoded = pixels(photo)
    assert decoded.size > 0 and np.array_equal(decoded, pixels(HEIF / name))
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


def test_a_truncated_heif_gets_a_sidecar_with_the_reason(tmp_path):
    result = written_beside(tmp_path, HEIF / "pillow-heif-canon-eos1dx3-truncated.hif", "IMG_0001.hif", PLACE)
    assert any(note.startswith("in a sidecar: in place, ExifTool will not rewrite it") for note in result.notes), result.notes
