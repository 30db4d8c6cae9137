"""Photos and videos with Content Credentials (c2pa/SOURCES.md: a Nikon Z 9's JPEG signed in the
camera, Adobe's test images, one with its manifest kept remotely, an MP4): never rewritten, since any changed byte invalidates the
signature while every tag reads the same; the position goes into a sidecar, or, where the file has
a position of its own that --overwrite would replace, nowhere (a sidecar would disagree with it).
The C2PA SDK (c2pa-python) judges: a real file of each format, signed here, is still "Valid" after
Geo-R's write and no longer is after ExifTool's own rewrite of it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from geor.engine.photos import Location, PhotoWriteError, PhotoWriter, WriteRequest
from geor.engine.photos.content_credentials import has_content_credentials
from geor.engine.photos.exiftool import ExifToolSession, find_exiftool

from ...helpers import exiftool_oracle as oracle
from ...helpers.sidecar_writes import written_beside

pytestmark = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge the writes (CI installs Debian's)")
SIGNED = Path(__file__).parent / "c2pa"
SIGNED_FILES = sorted(path for path in SIGNED.iterdir() if path.suffix in (".jpg", ".jpeg", ".mp4"))  # (beside them: SOURCES.md, the test certificate)
UNSIGNED = Path(__file__).parent / "corpus" / "exiftool-Nikon.jpg"
PLACE = Location(64.146582, -21.942635, 12.5, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")


def test_the_manifests_are_recognised_in_exiftools_reading():
    with ExifToolSession() as session:
        found = {path.name: has_content_credentials(session.read(path, binary=True)) for path in [*SIGNED_FILES, UNSIGNED]}
    assert found == {"c2pa-org-nikon-z9-building.jpeg": True, "c2pa-rs-CA.jpg": True, "c2pa-rs-cloud.jpg": True, "c2pa-rs-dashinit.mp4": True,
                     "exiftool-Nikon.jpg": False}


@pytest.mark.parametrize("name", ["c2pa-rs-CA.jpg", "c2pa-rs-cloud.jpg", "c2pa-rs-dashinit.mp4"])
def test_a_signed_file_keeps_every_byte_and_its_position_goes_beside_it(tmp_path, name):
    result = written_beside(tmp_path, SIGNED / name, f"IMG_0001{Path(name).suffix}", PLACE)
    assert any("Content Credentials" in note for note in result.notes), result.notes


def test_a_signed_photo_with_its_own_position_is_not_overwritten_anywhere(tmp_path):
    photo = tmp_path / "DSC_0001.JPG"
    shutil.copy(SIGNED / "c2pa-org-nikon-z9-building.jpeg", photo)
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError, match="Content Credentials"):
        writer.write(WriteRequest(photo=photo, location=PLACE, overwrite=True))
    assert photo.read_bytes() == (SIGNED / "c2pa-org-nikon-z9-building.jpeg").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DSC_0001.JPG"]


#: A real file of each format the writer rewrites in place (none with a position of its own), signed by
#: the test below with the C2PA SDK and the SDK's own test certificate (c2pa/SOURCES.md).
TO_SIGN = {"image/jpeg": "corpus/exiftool-Nikon.jpg", "image/png": "corpus/exempi-samples-testfiles-BlueSquare.png",
           "image/webp": "corpus/pillow-flower.webp", "image/tiff": "corpus/exiftool-ExifTool.tif",
           "image/heic": "heif/kim-samsung-s21ultra.heic", "image/avif": "corpus/exiv2-avif_exif_xmp.avif",
           "image/jxl": "jxl/exiv2-nikon-d1x-reagan.jxl"}


def _signed(tmp_path: Path, mime: str) -> Path:
    c2pa = pytest.importorskip("c2pa", reason="the C2PA SDK (c2pa-python, a test extra) signs and verifies")
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        alg=c2pa.C2paSigningAlg.ES256, sign_cert=(SIGNED / "c2pa-rs-es256.pub").read_bytes(),
        private_key=(SIGNED / "c2pa-rs-es256.pem").read_bytes(), ta_url=None))
    manifest = json.dumps({"claim_generator_info": [{"name": "geor-tests", "version": "1"}], "title": "signed in the test",
                           "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
                               "action": "c2pa.created",
                               "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}]})
    source = Path(__file__).parent / TO_SIGN[mime]
    signed = tmp_path / f"IMG_0001{source.suffix}"
    with c2pa.Builder(manifest) as builder, open(source, "rb") as src, open(signed, "w+b") as dst:
        builder.sign(signer, mime, src, dst)
    return signed


def _credentials(path: Path) -> str:
    """The C2PA SDK's verdict on a file's manifest (its signer's certificate is a test one: "Valid", not "Trusted")."""
    import c2pa

    try:
        with c2pa.Reader(str(path)) as reader:
            return str(json.loads(reader.json()).get("validation_state"))
    except c2pa.C2paError as exc:
        return f"unreadable ({type(exc).__name__})"


@pytest.mark.parametrize("mime", sorted(TO_SIGN))
def test_credentials_stay_valid_in_every_format_and_exiftool_alone_would_break_them(tmp_path, mime):
    signed = _signed(tmp_path, mime)
    assert _credentials(signed) == "Valid"
    signed_bytes = signed.read_bytes()
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=signed, location=PLACE))
    assert result.created and result.target.suffix == ".xmp", result.notes
    assert any("Content Credentials" in note for note in result.notes), result.notes
    assert signed.read_bytes() == signed_bytes and _credentials(signed) == "Valid"
    # the control: the same position written by ExifTool alone, every tag kept, and the signature no longer holds
    rewritten = tmp_path / f"exiftool{signed.suffix}"
    subprocess.run(["perl", str(find_exiftool()), "-q", "-q", "-m", "-GPSLatitude=64.1", "-GPSLatitudeRef=N", "-GPSLongitude=21.9",
                    "-GPSLongitudeRef=W", "-o", str(rewritten), str(signed)], check=True)
    assert _credentials(rewritten) != "Valid"
