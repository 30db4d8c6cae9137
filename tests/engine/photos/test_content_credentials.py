"""Photos and videos with Content Credentials (c2pa/SOURCES.md: a Nikon Z 9's JPEG signed in the
camera, Adobe's test images, one with its manifest kept remotely, an MP4): never rewritten, since any changed byte invalidates the
signature while every tag reads the same; the position goes into a sidecar, or, where the file has
a position of its own that --overwrite would replace, nowhere (a sidecar would disagree with it)."""

import shutil
from pathlib import Path

import pytest

from geor.engine.photos import Location, PhotoWriteError, PhotoWriter, WriteRequest
from geor.engine.photos.content_credentials import has_content_credentials
from geor.engine.photos.exiftool import ExifToolSession

from ...helpers import exiftool_oracle as oracle

pytestmark = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge the writes (CI installs Debian's)")
SIGNED = Path(__file__).parent / "c2pa"
UNSIGNED = Path(__file__).parent / "corpus" / "exiftool-Nikon.jpg"
PLACE = Location(64.146582, -21.942635, 12.5, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")


def test_the_manifests_are_recognised_in_exiftools_reading():
    with ExifToolSession() as session:
        found = {path.name: has_content_credentials(session.read(path, binary=True)) for path in [*sorted(SIGNED.glob("c2pa-*")), UNSIGNED]}
    assert found == {"c2pa-org-nikon-z9-building.jpeg": True, "c2pa-rs-CA.jpg": True, "c2pa-rs-cloud.jpg": True, "c2pa-rs-dashinit.mp4": True,
                     "exiftool-Nikon.jpg": False}


@pytest.mark.parametrize("name", ["c2pa-rs-CA.jpg", "c2pa-rs-cloud.jpg", "c2pa-rs-dashinit.mp4"])
def test_a_signed_file_keeps_every_byte_and_its_position_goes_beside_it(tmp_path, name):
    photo = tmp_path / f"IMG_0001{Path(name).suffix}"
    shutil.copy(SIGNED / name, photo)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=PLACE))
    assert result.created and result.target == tmp_path / "IMG_0001.xmp"
    assert any("Content Credentials" in note for note in result.notes), result.notes
    assert photo.read_bytes() == (SIGNED / name).read_bytes()
    assert oracle.gps(result.target)[:2] == pytest.approx((PLACE.lat, PLACE.lon), abs=1e-7)


def test_a_signed_photo_with_its_own_position_is_not_overwritten_anywhere(tmp_path):
    photo = tmp_path / "DSC_0001.JPG"
    shutil.copy(SIGNED / "c2pa-org-nikon-z9-building.jpeg", photo)
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError, match="Content Credentials"):
        writer.write(WriteRequest(photo=photo, location=PLACE, overwrite=True))
    assert photo.read_bytes() == (SIGNED / "c2pa-org-nikon-z9-building.jpeg").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DSC_0001.JPG"]
