"""The classes of defect a run on 651 held-out camera files found (issue 25), each on a real file of
the corpus (corpus/SOURCES.md); ExifTool on the system is the independent judge."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from geor.engine.photos import (
    Location,
    PhotoReadError,
    PhotoWriteError,
    PhotoWriter,
    WriteRequest,
    is_photo,
    needs_sidecar,
    read_metadata,
    restore_original,
)
from geor.engine.photos.exiftool import ExifToolSession
from geor.engine.photos.metadata import capture_time, metadata_from, open_exiv2, read_all, read_with_exiftool, text_stored_as_bytes
from geor.engine.photos.rewrite_check import embedded_data_changes, unexpected_changes
from geor.engine.photos.video_metadata import read_media
from geor.engine.pipeline.scan import scan_photos

from ...helpers import exiftool_oracle as oracle
from ...helpers.tag_jobs import run as tag_job
from ...helpers.tag_jobs import write_gpx

CORPUS = Path(__file__).parent / "corpus"
MORE = Path(__file__).parent / "more_files"  # files of other collections, each a defect found there (SOURCES.md)
needs_oracle = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge (CI installs Debian's)")


def copy(tmp_path: Path, *names: str) -> list[Path]:
    for name in names:
        shutil.copy2(CORPUS / name, tmp_path / name)
    return [tmp_path / name for name in names]


def refusal(tmp_path: Path, name: str, overwrite: bool = False) -> str:
    """The writer's refusal of a copy of ``more_files/name``, the copy untouched and nothing left beside it."""
    photo = tmp_path / f"photo{Path(name).suffix}"
    shutil.copy2(MORE / name, photo)
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError) as refused:
        writer.write(WriteRequest(photo=photo, location=Location(34.9778, 135.8556), overwrite=overwrite))
    assert photo.read_bytes() == (MORE / name).read_bytes() and len(list(tmp_path.iterdir())) == 1
    return str(refused.value)


def judge(*args: str) -> None:
    """Change a copy of a real file with the independent ExifTool (what a receiver or a program wrote)."""
    subprocess.run([oracle.EXIFTOOL, "-q", "-overwrite_original", *args], check=True)


# positions within 0.01 degrees of the equator or the prime meridian: ExifTool's JSON gives their
# -n values with more than 16 decimals as strings (about half of such values)
NEAR_ZERO = [(0.0012345678901234567, -0.0009876543210987654), (-0.00731234567890123, 0.00499999999999991), (0.0003, 179.5),
             (51.4778, -0.0014621111111111)]


@needs_oracle
@pytest.mark.parametrize("name", ["exiftool-Canon.jpg", "exiftool-ExifTool.tif", "exiftool-RIFF.webp", "exiftool-CanonRaw.cr2"])
def test_positions_near_the_equator_and_the_prime_meridian_are_written(tmp_path, name):
    (photo,) = copy(tmp_path, name)
    for lat, lon in NEAR_ZERO:
        with PhotoWriter(tmp_path) as writer:
            result = writer.write(WriteRequest(photo=photo, location=Location(lat, lon), overwrite=True))
        assert oracle.gps(result.target)[:2] == pytest.approx((lat, lon), abs=1e-7)
        if not needs_sidecar(photo):
            assert read_metadata(photo).gps[:2] == pytest.approx((lat, lon), abs=1e-7)
        else:
            result.target.unlink()


@needs_oracle
def test_a_no_fix_gps_block_gives_no_clock_truth(tmp_path):
    """A Samsung Galaxy Nexus photo: a GPS block with the UTC time and no position (the phone's
    network time, kept). With the (0, 0) a receiver writes without a fix, a void status, or the
    date an unset receiver counts from, its time is not a fix's and must not set the clock."""
    (photo,) = copy(tmp_path, "exempi-exempi-tests-fdo83313.jpg")
    assert read_metadata(photo).gps_time == dt.datetime(2014, 8, 3, 10, 41, 47, tzinfo=dt.UTC)
    judge("-GPSLatitude=0", "-GPSLatitudeRef=N", "-GPSLongitude=0", "-GPSLongitudeRef=E", str(photo))
    metadata = read_metadata(photo)
    assert metadata.gps is None and metadata.gps_problem is None and metadata.gps_time is None
    judge("-GPSLatitude=45.5", "-GPSLongitude=7.25", "-GPSStatus#=V", str(photo))
    assert read_metadata(photo).gps_time is None
    judge("-GPSStatus#=A", str(photo))
    assert read_metadata(photo).gps_time == dt.datetime(2014, 8, 3, 10, 41, 47, tzinfo=dt.UTC)
    judge("-GPSDateStamp=1980:01:06", str(photo))  # the GPS epoch: an unset receiver's clock
    assert read_metadata(photo).gps_time is None


CAMERA_FILES = ["exiftool-KyoceraRaw.raw", "exiftool-Sony.pmp", "exiftool-Lytro.lfp", "exiftool-Pentax.avi"]


def test_every_camera_still_is_a_photo_and_a_cameras_avi_is_a_video(tmp_path):
    """Kyocera's RAW, Sony's PMP and Lytro's light field (read by ExifTool: exiv2 cannot open them)
    are photos that get a sidecar. A compact camera's AVI (Pentax's) was left alone with a line in
    the scan's problems and no row of the report; it is a video now, its time the camera's clock
    (RIFF:DateTimeOriginal), placed like the camera's photos and written into a sidecar; an MXF is
    still counted and left alone, and so now is an SD camcorder's MOD."""
    paths = copy(tmp_path, *CAMERA_FILES)
    (tmp_path / "C0001.MXF").write_bytes(b"\x06\x0e\x2b\x34")
    (tmp_path / "MOV001.MOD").write_bytes(b"\x00\x00\x01\xba")  # an SD camcorder's MPEG-2 (JVC Everio, Panasonic)
    for suffix in (".gpr", ".dcr", ".3fr", ".kdc", ".k25", ".fff", ".raw", ".ori", ".arq"):
        assert is_photo(Path(f"x{suffix.upper()}")) and needs_sidecar(Path(f"x{suffix}"))
    problems: list[str] = []
    found = [entry.relpath.decode() for entry in scan_photos(tmp_path, problems) if entry.skipped is None]
    assert found == sorted(CAMERA_FILES)
    assert len(problems) == 1 and "1 MOD, 1 MXF" in problems[0] and "left alone" in problems[0]
    metadata, _ = read_media(paths[3])
    assert (metadata.taken_at, metadata.utc_offset, metadata.time_source) == (dt.datetime(2009, 10, 27, 12, 14), None, "RIFF:DateTimeOriginal")
    assert metadata.camera.endswith("(video clock)") and needs_sidecar(paths[3])
    expected = {"exiftool-KyoceraRaw.raw": ("KYOCERA N DIGITAL", dt.datetime(2005, 7, 16, 18, 14, 30)),
                "exiftool-Sony.pmp": ("Sony DSC-F1", dt.datetime(1998, 9, 1, 20, 19, 57)),
                "exiftool-Lytro.lfp": ("Lytro, Inc. F01", dt.datetime(2012, 4, 12, 14, 10, 55))}
    for path in paths[:3]:
        metadata = read_metadata(path)
        assert (metadata.camera, metadata.taken_at) == expected[path.name]
    assert read_metadata(paths[2]).utc_offset == dt.timedelta(0)  # Lytro's time says Z


@needs_oracle
def test_a_png_whose_xmp_exiv2_rejects_keeps_its_capture_time(tmp_path):
    """DxO Optics Pro 9.5's XMP packet (in a Nikon D300S JPEG): exiv2 rejects it whole, ExifTool
    reads its exif:DateTimeOriginal. In a real PNG (ExifTool's own, which has no time of its own)
    the photo was 'no time'; it is read by ExifTool instead."""
    packet = subprocess.run([oracle.EXIFTOOL, "-b", "-XMP", str(CORPUS / "exiv2-exiv2-bug1026.jpg")], capture_output=True,
                            check=True).stdout
    assert b"<exif:DateTimeOriginal>2014:12:20 11:57:54<" in packet and b"DxO Optics Pro" in packet
    (xmp,) = [tmp_path / "dxo.xmp"]
    xmp.write_bytes(packet)
    (png,) = copy(tmp_path, "exiftool-PNG.png")
    assert read_metadata(png).taken_at is None
    judge(f"-XMP<={xmp}", str(png))
    metadata = read_metadata(png)
    assert metadata.taken_at == dt.datetime(2014, 12, 20, 11, 57, 54) and metadata.time_source == "XMP exif:DateTimeOriginal"


#: Real files whose XMP packet has no x:xmptk: a Canon SX240 HS's, Windows' keywords (Canon A710), darktable's (Pentax *ist DL).
UNSIGNED_XMP = ["exiv2-exiv2-bug1231a.jpg", "jhead-normal-digicams-canon-bigend.jpg", "exiv2-exiv2-bug884a.jpg"]


@needs_oracle
def test_an_existing_xmp_packet_is_not_signed_by_exiftool(tmp_path):
    photos = copy(tmp_path, *UNSIGNED_XMP)
    before = oracle.dump_many(photos)
    with PhotoWriter(tmp_path) as writer:
        for photo in photos:
            writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635, None, "Reykjavík", country_code="IS")))
    after = oracle.dump_many(photos)
    for photo in photos:
        assert oracle.values(after[photo], "XMP-photoshop:City") == ["Reykjavík"], photo.name
        assert "XMP-x:XMPToolkit" not in after[photo], photo.name
        assert oracle.damage(before[photo], after[photo]) == [], photo.name
    # and the rewrite check refuses a signature added to an existing packet (ExifTool's default)
    (tmp_path / "signed").mkdir()
    (signed,) = copy(tmp_path / "signed", UNSIGNED_XMP[0])
    with ExifToolSession() as session:
        old = session.read(signed)
        judge("-XMP-photoshop:City=Reykjavík", str(signed))
        changes = unexpected_changes(old, session.read(signed), {"XMP-photoshop:City"})
    assert [c for c in changes if c.startswith("XMP-x:XMPToolkit (absent) -> ")] == changes and changes


@needs_oracle
def test_a_name_that_is_not_ascii_stays_out_of_an_undeclared_legacy_iptc_record(tmp_path):
    """A Canon EOS 350D's IPTC in Latin-1 with no CodedCharacterSet ('Göteborg'): declaring UTF-8
    would turn its text into mojibake, writing 'Reykjavík' undeclared would be read differently by
    different programs; so the record is left as it was but for an ASCII code, the names are in
    XMP, and with --overwrite the old city is removed, not left beside the new position, and so is
    its sub-location (Kålltorp, a district of Göteborg)."""
    (photo,) = copy(tmp_path, "exiv2-exiv2-bug501.jpg")
    before = oracle.dump(photo)
    assert oracle.values(before, "IPTC:City") == ["Göteborg"] and "IPTC:CodedCharacterSet" not in before
    place = Location(64.146582, -21.942635, None, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=place, overwrite=True))
    after = oracle.dump(photo)
    assert "IPTC:CodedCharacterSet" not in after and oracle.values(after, "IPTC:City") == []
    assert oracle.values(after, "IPTC:Country-PrimaryLocationCode") == ["ISL"] and oracle.values(after, "XMP-photoshop:City") == ["Reykjavík"]
    assert {note.split(":")[0] for note in result.notes} >= {"IPTC City left out", "IPTC Province-State left out"}
    assert oracle.values(before, "IPTC:Sub-location") and oracle.values(after, "IPTC:Sub-location") == []
    unchanged = {key: values for key, values in before.items()
                 if key.startswith("IPTC:") and key not in oracle.LOCATION_FIELDS and key != "IPTC:Sub-location"}
    assert unchanged and all(after.get(key) == values for key, values in unchanged.items())


@needs_oracle
def test_a_refusal_does_not_depend_on_what_the_exiftool_process_read_before(tmp_path):
    """A Nikon E5700 photo ExifTool finds faults in: validating it in a fresh ExifTool process
    names its maker note 'MakerNotes', and once the process has written it 'MakerNoteNikon', so
    the same warning looked new after the write in a fresh process and not in one that had written
    another Nikon before: refused in one run, written in the next. Now both are written alike."""
    name, other = "exiv2-exiv2-bug444.jpg", "exiftool-NikonD70.jpg"
    outcomes = []
    for warm in (False, True):
        folder = tmp_path / ("warm" if warm else "fresh")
        folder.mkdir()
        (photo,) = copy(folder, name)
        before = oracle.dump(photo)
        with PhotoWriter(folder) as writer:
            if warm:
                (first,) = copy(folder, other)
                writer.write(WriteRequest(photo=first, location=Location(64.146582, -21.942635)))
            result = writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635)))
        outcomes.append(result.target.name)
        assert oracle.damage(before, oracle.dump(photo)) == []
    assert outcomes == [name, name]


@needs_oracle
@pytest.mark.parametrize("name, before_write, after_write", [
    # a tag ExifTool does not know: 'Unknown IFD0 tag 0x92d6' until the process has written a file holding it, then
    # 'Non-standard IFD0 tag 0x92d6 Exif_0x92d6' (the name it gave it); the first such photo of each process was refused
    ("mde-HP_PhotoSmart_C812.jpg", "[minor] Unknown IFD0 tag 0x92d6", "[minor] Non-standard IFD0 tag 0x92d6 Exif_0x92d6"),
    # repeats folded into one text, one fewer after a rewrite that puts one entry in order: nothing new
    ("mde-Panasonic_DMC-LC40.jpg", "Entries in IFD1 are out of order [x6]", "Entries in IFD1 are out of order [x5]"),
])
def test_a_warning_spelled_otherwise_after_the_write_is_not_new(tmp_path, name, before_write, after_write):
    """Two real files of metadata-extractor-images that issue 25's check refused as 'new warning',
    whatever the first process had read before or not: the warning was the photo's own, spelled
    otherwise. Both are written, and the independent ExifTool finds nothing else changed."""
    shutil.copy2(MORE / name, tmp_path / name)
    photo = tmp_path / name
    before = oracle.dump(photo)
    with ExifToolSession() as session:  # the two spellings, as Geo-R's own ExifTool gives them in one process
        assert before_write in [v for k, v in session.read(photo, validate=True).entries if k == "ExifTool:Warning"]
        copy_path = tmp_path / f"copy-{name}"
        session.run(["-GPSLatitude=10", "-GPSLatitudeRef=N", "-o", str(copy_path), str(photo)])
        assert after_write in [v for k, v in session.read(copy_path, validate=True).entries if k == "ExifTool:Warning"]
    copy_path.unlink()
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635)))
    assert result.target == photo
    assert oracle.damage(before, oracle.dump(photo)) == []
    assert oracle.gps(photo)[:2] == pytest.approx((64.146582, -21.942635), abs=1e-7)


@needs_oracle
def test_a_maker_note_exiftool_cannot_parse_is_written_alike_whatever_the_process_wrote_before(tmp_path):
    """A photo whose maker note ExifTool does not recognise (exif-samples' PaintTool sample): a fresh
    process warns "[minor] Unrecognized MakerNotes", and once it has written such a photo
    "[minor] Unrecognized MakerNoteUnknown" (the directory's name), so the second photo of the kind in
    one job was refused as having a new warning. Now both are written, nothing else changed."""
    name = "exs-PaintTool_sample.jpg"
    with ExifToolSession() as session:  # the two spellings, as Geo-R's own ExifTool gives them in one process
        fresh = [v for k, v in session.read(MORE / name, validate=True).entries if k == "ExifTool:Warning"]
        session.run(["-GPSLatitude=10", "-GPSLatitudeRef=N", "-o", str(tmp_path / "probe.jpg"), str(MORE / name)])
        warm = [v for k, v in session.read(MORE / name, validate=True).entries if k == "ExifTool:Warning"]
    assert "[minor] Unrecognized MakerNotes" in fresh and "[minor] Unrecognized MakerNoteUnknown" in warm
    photos = []
    for n in range(2):
        photo = tmp_path / f"{n}-{name}"
        shutil.copy2(MORE / name, photo)
        photos.append((photo, oracle.dump(photo)))
    with PhotoWriter(tmp_path) as writer:
        for photo, _ in photos:
            assert writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635))).target == photo
    for photo, before in photos:
        assert oracle.damage(before, oracle.dump(photo)) == []
        assert oracle.gps(photo)[:2] == pytest.approx((64.146582, -21.942635), abs=1e-7)


@needs_oracle
@pytest.mark.parametrize("name, old_fix", [
    ("jhead-strange-jpegs-with_xmp.jpg", {"GPS:GPSSatellites"}),  # and an XMP copy of the position (Photoshop's)
    ("exiftool-Ricoh2.jpg", {"GPS:GPSDOP", "GPS:GPSSatellites", "GPS:GPSStatus", "GPS:GPSMeasureMode"}),
    ("exiv2-FurnaceCreekInn.jpg", {"GPS:GPSProcessingMethod"}),  # HYBRID-FIX: how a phone found the old position
    ("mde-Issue_508.jpg", {"GPS:GPSHPositioningError"}),  # an iPhone XR's 4.8 m
    ("mde-Issue_473.webp", {"GPS:GPSHPositioningError"}),  # an iPhone X's 65 m, in a WebP
])
def test_a_replaced_position_leaves_nothing_of_the_old_fix(tmp_path, name, old_fix):
    """--overwrite replaced EXIF's position and left the XMP copy a photo manager keeps beside it
    (the file held two positions, the old one where XMP readers look first), and the old fix's
    account of itself: a Ricoh's dilution of precision and satellites, a phone's "HYBRID-FIX" (and
    an iPhone's "65 m", a Xiaomi's "CELLID") stood beside a position placed from a track. Now the
    XMP copy holds the new position too, the old fix's precision, method and satellites are gone,
    nothing else changed; undo gives back the bytes."""
    source = (MORE if name.startswith("mde-") else CORPUS) / name
    photo = tmp_path / name
    shutil.copy2(source, photo)
    before = oracle.dump(photo)
    assert old_fix <= set(before)
    new = Location(64.146582, -21.942635)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=new, overwrite=True))
    after = oracle.dump(photo)
    assert result.target == photo and oracle.damage(before, after) == []
    assert oracle.gps(photo)[:2] == pytest.approx((new.lat, new.lon), abs=1e-7)
    assert not old_fix & set(after)
    positions = subprocess.run([oracle.EXIFTOOL, "-j", "-n", "-G1", "-GPS:GPSLatitude", "-XMP-exif:GPSLatitude", "-XMP-exif:GPSLongitude",
                                str(photo)], capture_output=True, text=True, check=True).stdout
    for key, value in json.loads(positions)[0].items():
        if key.endswith(("GPSLatitude", "GPSLongitude")):
            assert value == pytest.approx(new.lat if key.endswith("Latitude") else new.lon, abs=1e-6), key
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == source.read_bytes()


@needs_oracle
def test_a_position_whose_xmp_copy_cannot_be_replaced_is_not_written_beside_it(tmp_path):
    """A Nikon D5000 photo saved by Adobe Bridge CS5 keeps its position in XMP too, in a packet with
    Adobe's old prefixes (xap:, xapMM:), which ExifTool renames when it writes into the packet. With
    --overwrite the position went into EXIF and the XMP copy stayed (two positions, 15,000 km apart);
    writing the copy renames the prefixes, which the rewrite check refuses. So the photo is not
    written, and the reason says why; the file is untouched and gets no sidecar of a third position."""
    message = refusal(tmp_path, "mde-Nikon_D5000.jpg", overwrite=True)
    assert "its XMP keeps a copy of the position it had" in message and "xap" in message
    assert "EXIF's alone would leave the file with two positions" in message


@needs_oracle
def test_place_names_that_cannot_be_replaced_are_named_in_the_report(tmp_path):
    """A Canon EOS 7D photo from Lightroom names its place (Fotostudio HS, Mainz) in XMP with Adobe's
    old prefixes and in IPTC, whose digest is current (so IPTC changes only with XMP): with
    --overwrite no way of writing the new names leaves the packet's prefixes alone. The position is
    written; the report says the names were not, and which place the photo still names."""
    shutil.copy2(MORE / "mde-Canon_EOS_7D.jpg", tmp_path / "photo.jpg")
    photo = tmp_path / "photo.jpg"
    before = oracle.dump(photo)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635, city="Reykjavík", country="Iceland",
                                                                          country_code="IS", country_code3="ISL"), overwrite=True))
    assert result.target == photo and oracle.damage(before, oracle.dump(photo)) == []
    assert oracle.gps(photo)[:2] == pytest.approx((64.146582, -21.942635), abs=1e-7)
    assert any("place names not written" in note and "it still names the place it had (Fotostudio HS, Mainz" in note for note in result.notes)


@needs_oracle
def test_replaced_place_names_leave_no_name_of_the_old_place(tmp_path):
    """--overwrite replaced city and country and left the rest of the old place: its state where the
    new position names none, the sub-location (IPTC's and XMP's), and the IPTC Extension's place the
    photo was taken in, so a photo of Reykjavík still said "Eiffel Tower, Île-de-France". Now those go;
    what the photo shows (LocationShown) stays; nothing else changes. (A real Nikon photo named as a
    photo manager names it, by the independent ExifTool.)"""
    photo = named_in_paris(tmp_path)
    before = oracle.dump(photo)
    reykjavik = Location(64.146582, -21.942635, city="Reykjavík", country="Iceland", country_code="IS", country_code3="ISL")
    with PhotoWriter(tmp_path) as writer:
        kept = writer.write(WriteRequest(photo=photo, location=reykjavik))  # without --overwrite: the names stay as they are
        assert "place names kept" in " ".join(kept.notes) and oracle.damage(before, oracle.dump(photo)) == []
        restore_original(photo, kept.sha256, kept.restore, kept.original_sha256)
        result = writer.write(WriteRequest(photo=photo, location=reykjavik, overwrite=True))
    after = oracle.dump(photo)
    assert result.target == photo and oracle.damage(before, after) == []
    held = {key: sorted(values) for key, values in after.items() if key.startswith(("IPTC:", "XMP-photoshop:", "XMP-iptc"))}
    assert held.get("XMP-photoshop:City") == [json.dumps("Reykjavík")] and held.get("IPTC:Country-PrimaryLocationName") == ['"Iceland"']
    gone = ("IPTC:Province-State", "XMP-photoshop:State", "IPTC:Sub-location", "XMP-iptcCore:Location", "XMP-iptcExt:LocationCreatedCity",
            "XMP-iptcExt:LocationCreatedSublocation")
    assert not [key for key in gone if key in held], held
    assert held.get("XMP-iptcExt:LocationShownCity") == ['"Paris"']
    restore_original(photo, result.sha256, result.restore, result.original_sha256)


@needs_oracle
def test_a_replaced_position_without_names_takes_the_old_places_names_away(tmp_path):
    """A new position the region pack names nothing at (out at sea) left every name of the old place
    with --overwrite; now they go, and the report says so."""
    photo = named_in_paris(tmp_path)
    before = oracle.dump(photo)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(63.5, -24.0), overwrite=True))
    after = oracle.dump(photo)
    assert oracle.damage(before, after) == [] and "old place names removed: the new position has none" in result.notes
    names = [key for key in after if key.startswith(("IPTC:City", "IPTC:Province", "IPTC:Sub", "IPTC:Country-Primary", "XMP-photoshop:",
                                                      "XMP-iptcCore:Location", "XMP-iptcExt:LocationCreated"))]
    assert names == [] and "XMP-iptcExt:LocationShownCity" in after


def named_in_paris(tmp_path: Path) -> Path:
    """A real Nikon photo given the names of a place as a photo manager gives them (by the independent ExifTool)."""
    (photo,) = copy(tmp_path, "exiftool-Nikon.jpg")
    judge("-IPTC:City=Paris", "-IPTC:Province-State=Ile-de-France", "-IPTC:Sub-location=Eiffel Tower", "-IPTC:Country-PrimaryLocationName=France",
          "-XMP-photoshop:City=Paris", "-XMP-photoshop:State=Île-de-France", "-XMP-photoshop:Country=France", "-XMP-iptcCore:Location=Eiffel Tower",
          "-XMP-iptcExt:LocationCreatedCity=Paris", "-XMP-iptcExt:LocationCreatedSublocation=Eiffel Tower",
          "-XMP-iptcExt:LocationShownCity=Paris", str(photo))
    return photo


@needs_oracle
def test_a_refusal_does_not_depend_on_the_non_standard_xmp_properties_a_process_met_before(tmp_path):
    """ExifTool warns about a non-standard XMP property (exiv2's bug1026 JPEG has 17, exif:Make
    among them) only the first time a process meets it, and a rewrite that leaves the XMP alone (a
    position without names) does not meet it: the reading after such a rewrite warns in a process
    that never read the photo and not in one that did. Both readings are taken by the process that
    rewrites the photo, the first just before, so it is written alike in a fresh process and in one
    that wrote a copy of it before (a reading taken ahead by another process refused it)."""
    name = "exiv2-exiv2-bug1026.jpg"
    outcomes = []
    for warm in (False, True):
        folder = tmp_path / ("warm" if warm else "fresh")
        (folder / "first").mkdir(parents=True)
        (photo,) = copy(folder, name)
        before = oracle.dump(photo)
        with PhotoWriter(folder) as writer:
            if warm:
                (first,) = copy(folder / "first", name)
                writer.write(WriteRequest(photo=first, location=Location(64.146582, -21.942635)))
            result = writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635)))
        outcomes.append(result.target.name)
        assert oracle.damage(before, oracle.dump(photo)) == []
    assert outcomes == [name, name]


@needs_oracle
def test_an_embedded_image_that_is_no_pointer_pair_is_compared_by_its_bytes(tmp_path):
    """ExifTool's own JPEG carries a FlashPix preview (5,777 bytes in APP2 segments): not a
    Start/Length pair, like a Sony maker note's PreviewImage (0x2001), which a rewrite left
    unreadable unnoticed. One byte of it changed, same size and place: the rewrite check sees it."""
    (photo,) = copy(tmp_path, "exiftool-ExifTool.jpg")
    preview = subprocess.run([oracle.EXIFTOOL, "-b", "-FlashPix:PreviewImage", str(photo)], capture_output=True, check=True).stdout
    original = photo.read_bytes()
    assert len(preview) == 5777 and original.count(preview[100:200]) == 1
    damaged = bytearray(original)
    damaged[original.find(preview[100:200]) + 50] ^= 0xFF
    other = tmp_path / "damaged.jpg"
    other.write_bytes(bytes(damaged))
    with ExifToolSession() as session:
        before, after = session.read(photo, binary=True), session.read(other, binary=True)
    assert embedded_data_changes(before, after, original, bytes(damaged)) == []  # (what the pointer pairs cannot see)
    assert unexpected_changes(before, after, set()) == ["FlashPix:ScreenNail 5,917 bytes -> 5,917 bytes (different bytes)"]  # (the preview's stream)


@needs_oracle
def test_a_stale_canon_original_decision_data_offset_is_not_cleared(tmp_path):
    """A Canon EOS-1D Mark III JPEG keeps its OriginalDecisionData (image verification) at an
    absolute file offset; an editor that puts a JFIF header in front leaves the offset stale.
    ExifTool's rewrite then sets it to 0, which the rewrite check, ignoring offsets, let through:
    now an offset cleared is a change, and the photo is left untouched with the reason."""
    source = (CORPUS / "exiftool-Canon1DmkIII.jpg").read_bytes()
    photo = tmp_path / "edited.jpg"
    photo.write_bytes(source[:2] + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + source[2:])
    assert oracle.values(oracle.dump(photo), "Canon:OriginalDecisionDataOffset") == [3326]
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError, match=r"Canon:OriginalDecisionDataOffset 3326 -> 0"):
        writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635)))
    assert oracle.values(oracle.dump(photo), "Canon:OriginalDecisionDataOffset") == [3326]
    (fresh,) = copy(tmp_path, "exiftool-Canon1DmkIII.jpg")  # where the offset is right, the data moves with it
    with PhotoWriter(tmp_path) as writer:
        writer.write(WriteRequest(photo=fresh, location=Location(64.146582, -21.942635)))
    assert subprocess.run([oracle.EXIFTOOL, "-b", "-OriginalDecisionData", str(fresh)], capture_output=True).stdout == subprocess.run(
        [oracle.EXIFTOOL, "-b", "-OriginalDecisionData", str(CORPUS / "exiftool-Canon1DmkIII.jpg")], capture_output=True).stdout != b""


@needs_oracle
def test_validation_warnings_are_compared_on_every_file(tmp_path):
    """Pillow's exif_gps.jpg (written by piexif) reads without a warning, but ExifTool's validation
    finds 31 faults, among them a GPS block whose version is older than its tags. Geo-R validated
    only files whose reading warned, and wrote a GPSLatitudeRef the block's version does not allow
    (a new fault) into it; now every file is validated before and after, and it is refused."""
    (photo,) = copy(tmp_path, "pillow-exif_gps.jpg")
    with ExifToolSession() as session:
        assert "ExifTool:Warning" not in session.read(photo) and "ExifTool:Warning" in session.read(photo, validate=True)
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError, match="new warning: GPS tag 0x0001 GPSLatitudeRef requires GPSVersionID"):
        writer.write(WriteRequest(photo=photo, location=Location(64.146582, -21.942635)))
    assert photo.read_bytes() == (CORPUS / "pillow-exif_gps.jpg").read_bytes()


def _write_kyoto_judged(folder: Path, photo: Path) -> tuple[object, bytes, bytes]:
    """Write Kyoto into ``photo``; the independent reader must find nothing else changed. (result,
    the original bytes, the thumbnail ExifTool extracts afterwards)."""
    original, before = photo.read_bytes(), oracle.dump(photo)
    with PhotoWriter(folder) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(35.0116, 135.7681, city="Kyoto", country="Japan",
                                                                          country_code="JP", country_code3="JPN")))
    assert oracle.damage(before, oracle.dump(photo)) == []
    now = subprocess.run([oracle.EXIFTOOL, "-b", "-ThumbnailImage", str(photo)], capture_output=True, check=True).stdout
    return result, original, now


@needs_oracle
def test_a_thumbnail_length_past_its_block_is_corrected_and_the_photo_written(tmp_path):
    """A Canon EOS 350D JPEG (digicam_corpus, more_files/SOURCES.md): its ThumbnailLength counts 8
    bytes past the EXIF segment, bytes of the segment after it. ExifTool's rewrite keeps the
    thumbnail within its segment and corrects the length; the check refused every 350D photo (and
    an HP Photosmart's) as a thumbnail changed. The thumbnail is the same bytes to its end marker:
    now written, with a note, nothing else changed to the independent reader, undo byte for byte."""
    photo = tmp_path / "350d.jpg"
    shutil.copy2(MORE / "dcc-Canon_EOS_350D__MG_9382.JPG", photo)
    thumbnail = subprocess.run([oracle.EXIFTOOL, "-b", "-ThumbnailImage", str(photo)], capture_output=True, check=True).stdout
    end = thumbnail.rfind(b"\xff\xd9") + 2
    assert len(thumbnail) == 6905 and end < len(thumbnail) - 8  # its image ends before the block the length names
    result, original, now = _write_kyoto_judged(tmp_path, photo)
    assert any("thumbnail's length corrected" in note and "8 bytes" in note for note in result.notes)
    assert oracle.values(oracle.dump(photo), "IFD1:ThumbnailLength") == [6897]
    assert now[:end] == thumbnail[:end] and thumbnail.startswith(now)
    assert oracle.gps(photo)[:2] == pytest.approx((35.0116, 135.7681), abs=1e-7)
    from geor.engine.photos.writer import restore_original

    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


#: The 350D's IFD1 JPEGInterchangeFormatLength entry (Intel order): 6905 bytes, 8 past the EXIF segment.
THUMBNAIL_LENGTH_ENTRY = b"\x02\x02\x04\x00\x01\x00\x00\x00" + (6905).to_bytes(4, "little")


def _cut_short_350d(folder: Path, length: int) -> tuple[Path, int, int]:
    """The 350D photo with its thumbnail cut short as a camera may leave it (its end marker and what
    followed it within the segment zeros) and its length tag set to ``length``: (file, where the
    thumbnail starts, its length within the segment)."""
    source = (MORE / "dcc-Canon_EOS_350D__MG_9382.JPG").read_bytes()
    thumbnail = subprocess.run([oracle.EXIFTOOL, "-b", "-ThumbnailImage", str(MORE / "dcc-Canon_EOS_350D__MG_9382.JPG")],
                               capture_output=True, check=True).stdout
    at, end, within = source.index(thumbnail), thumbnail.rfind(b"\xff\xd9"), len(thumbnail) - 8
    data = source[:at + end] + bytes(within - end) + source[at + within:]
    assert data.count(THUMBNAIL_LENGTH_ENTRY) == 1
    photo = folder / f"350d-cut-{length}.jpg"
    photo.write_bytes(data.replace(THUMBNAIL_LENGTH_ENTRY, THUMBNAIL_LENGTH_ENTRY[:8] + length.to_bytes(4, "little")))
    return photo, at, within


@needs_oracle
def test_a_thumbnail_the_camera_cut_short_whose_length_runs_past_its_block_is_corrected_too(tmp_path):
    """A photo in PhotoPrism's test data (out-of-range-500.jpg, held out) has a thumbnail the camera
    had already cut short, without its end marker, whose length counts 1 byte past the EXIF segment:
    the marker of the segment after it. It was refused, since the rule above wanted the thumbnail
    whole to its end marker; a byte of the next segment's marker was never the thumbnail's. The
    350D photo with its thumbnail cut short so, 1 byte past, makes the same case: written, the
    thumbnail the same bytes within its segment and the same pixels as far as its data goes, undo
    byte for byte."""
    photo, at, within = _cut_short_350d(tmp_path, 6898)
    result, original, now = _write_kyoto_judged(tmp_path, photo)
    assert any("thumbnail's length corrected" in note and "1 byte " in note for note in result.notes)
    assert oracle.values(oracle.dump(photo), "IFD1:ThumbnailLength") == [within]
    assert b"\xff\xd9" not in now[-16:] and now == original[at:at + within]
    from geor.engine.photos.writer import restore_original

    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


@needs_oracle
@pytest.mark.parametrize(("cut_short", "length"), [(True, 6905), (False, 7400)])
def test_a_thumbnail_past_its_block_is_refused_where_the_cut_could_drop_its_own_bytes(tmp_path, cut_short, length):
    """Where the bytes dropped could be the image's, the photo is refused as before: a thumbnail cut
    short whose length runs 8 bytes past its segment (into the next segment's data, not only its
    marker and length: which of them are the thumbnail's cannot be told), and a whole one whose
    length runs past the next segment too."""
    if cut_short:
        photo, _, _ = _cut_short_350d(tmp_path, length)
    else:
        photo = tmp_path / "350d-long.jpg"
        photo.write_bytes((MORE / "dcc-Canon_EOS_350D__MG_9382.JPG").read_bytes().replace(
            THUMBNAIL_LENGTH_ENTRY, THUMBNAIL_LENGTH_ENTRY[:8] + length.to_bytes(4, "little")))
    original = photo.read_bytes()
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError, match="ThumbnailLength"):
        writer.write(WriteRequest(photo=photo, location=Location(35.0116, 135.7681)))
    assert photo.read_bytes() == original


@needs_oracle
def test_a_thumbnail_cut_within_its_block_is_still_refused(tmp_path):
    """The rules above hold only for the bytes past the thumbnail's segment: one shortened into its
    image data, within the segment, is a changed thumbnail, as before."""
    from geor.engine.photos.rewrite_check import cut_at_their_end, length_tags

    photo = tmp_path / "350d.jpg"
    shutil.copy2(MORE / "dcc-Canon_EOS_350D__MG_9382.JPG", photo)
    original = photo.read_bytes()
    for length in (6897, 4000):
        assert original.count(THUMBNAIL_LENGTH_ENTRY) == 1
        other = tmp_path / f"cut-{length}.jpg"  # the same thumbnail offset, only its length changed (ExifTool protects the tag)
        other.write_bytes(original.replace(THUMBNAIL_LENGTH_ENTRY, THUMBNAIL_LENGTH_ENTRY[:8] + length.to_bytes(4, "little")))
        with ExifToolSession() as session:
            before, after = session.read(photo, binary=True), session.read(other, binary=True)
        written = other.read_bytes()
        cut = cut_at_their_end(before, after, original, written)
        changes = embedded_data_changes(before, after, original, written, cut) + unexpected_changes(before, after, length_tags(cut))
        assert (cut, changes) == (({"IFD1:ThumbnailOffset#0": 8}, []) if length == 6897 else ({}, changes))
        if length == 4000:
            assert "IFD1:ThumbnailLength 6905 -> 4000" in changes and any(c.startswith("IFD1:ThumbnailOffset#0 data") for c in changes)


@needs_oracle
def test_a_position_the_rewrite_cannot_hold_is_refused_saying_so(tmp_path):
    """exif-samples' Gran Turismo 5 screenshot (more_files/SOURCES.md): its IFD0 points to a GPS
    block with a count of zero. ExifTool writes it only with -m, and then without the position.
    The photo stays untouched, and the reason says that the position did not hold, where it said
    'the rewrite would also change other metadata'."""
    message = refusal(tmp_path, "exs-45-gps_ifd.jpg")
    assert message.startswith("not written: ExifTool's rewrite does not hold the position (GPS:GPSLatitude reads back as None")
    assert "with its minor error ignored: [minor] IFD0 entry 13 has zero count" in message and "other metadata" not in message


@needs_oracle
@pytest.mark.parametrize("motion", [False, True], ids=["ultra-hdr", "motion-photo"])
def test_a_pixel_photo_keeps_its_gain_map_and_its_motion_photo_video(tmp_path, motion):
    """A Pixel 8 Pro photo (ente's motion_photos assets, more_files/SOURCES.md): an Ultra HDR JPEG
    whose gain map follows the image, found by its MPF entry and its XMP container directory. As a
    motion photo (the Pixel's MVIMG form: the video appended, its offset from the end in XMP; here
    a real Android video), the video follows the gain map. Written in place: the same pixels, the
    gain map and the video the same bytes at the same distance from the end, nothing else changed,
    and undo gives back every byte."""
    photo = tmp_path / "PXL_20231101_141117.jpg"
    video = (Path(__file__).parent / "videos" / "mde-android6-gps.mp4").read_bytes()
    if motion:
        subprocess.run([oracle.EXIFTOOL, "-q", "-o", str(photo), "-XMP-GCamera:MicroVideo=1", "-XMP-GCamera:MicroVideoVersion=1",
                        f"-XMP-GCamera:MicroVideoOffset={len(video)}", "-XMP-GCamera:MicroVideoPresentationTimestampUs=0",
                        str(MORE / "ente-pixel_8.jpg")], check=True)
        photo.write_bytes(photo.read_bytes() + video)
    else:
        shutil.copy2(MORE / "ente-pixel_8.jpg", photo)
    original, before, pixels = photo.read_bytes(), oracle.dump(photo), oracle.pixels(photo)
    gain_map = subprocess.run([oracle.EXIFTOOL, "-b", "-MPImage2", str(photo)], capture_output=True, check=True).stdout
    assert len(gain_map) == 9554 and original.find(gain_map) > 0
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(35.0116, 135.7681)))
    written = photo.read_bytes()
    assert oracle.damage(before, oracle.dump(photo)) == [] and (oracle.pixels(photo) == pixels).all()
    assert oracle.gps(photo)[:2] == pytest.approx((35.0116, 135.7681), abs=1e-7)
    assert subprocess.run([oracle.EXIFTOOL, "-b", "-MPImage2", str(photo)], capture_output=True, check=True).stdout == gain_map
    tail = gain_map + video if motion else gain_map  # (what a player seeks from the end)
    assert written.endswith(tail) and original.endswith(tail)
    if motion:
        assert oracle.values(oracle.dump(photo), "XMP-GCamera:MicroVideoOffset") == [len(video)]
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


@needs_oracle
def test_names_go_into_xmp_alone_where_iptc_would_leave_a_digest_stale(tmp_path):
    """A Casio QV-4000 photo saved by Photoshop 7.0 as TIFF (metadata-extractor-images, more_files/
    SOURCES.md) has no IPTC record but an IPTCDigest of zeros. Any IPTC name makes that digest stale
    (a new warning: 'IPTCDigest is not current'), so every choice with IPTC was refused and the photo
    got its position without place names. Now the names go into XMP alone, IPTC and the digest as
    they were; nothing else changed."""
    photo = tmp_path / "casio.tif"
    shutil.copy2(MORE / "mde-ImageTestSuite-434cb1e9.tif", photo)
    before = oracle.dump(photo)
    assert oracle.values(before, "Photoshop:IPTCDigest") == ["00000000000000000000000000000000"]
    assert not [k for k in before if k.startswith("IPTC:")]
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(35.0116, 135.7681, None, "Kyoto", "Kyoto", "Japan", "JP",
                                                                          "JPN")))
    assert result.notes == ("place names in XMP only: writing them into IPTC too would have changed other metadata of this photo",)
    after = oracle.dump(photo)
    assert oracle.values(after, "XMP-photoshop:City") == ["Kyoto"] and oracle.values(after, "XMP-iptcCore:CountryCode") == ["JP"]
    assert oracle.damage(before, after) == [] and not [k for k in after if k.startswith("IPTC:")]


@needs_oracle
def test_a_capture_time_kept_only_in_iptc_is_read(tmp_path):
    """News agencies' and picture desks' software sends photos with EXIF and XMP stripped and the
    capture time in IPTC IIM's Date Created and Time Created (exifr's test files hold a Reuters
    photo so): such a photo was 'no time in its metadata'. A real IPTC record (Photo Mechanic's, in
    ExifTool's test photo) with EXIF and XMP stripped by the independent ExifTool: its time is read,
    its zone not (software copying a zoneless camera time adds its own computer's), by exiv2 and by
    ExifTool (for files exiv2 cannot open) alike; a Time Created of midnight sharp is "unknown"."""
    (photo,) = copy(tmp_path, "exiftool-PhotoMechanic.jpg")
    judge("-EXIF:all=", "-XMP:all=", str(photo))
    dump = oracle.dump(photo)
    assert oracle.values(dump, "IPTC:TimeCreated") == ["06:27:51-05:00"] and not [k for k in dump if k.startswith(("XMP", "IFD0", "ExifIFD"))]
    metadata = read_metadata(photo)
    assert (metadata.taken_at, metadata.utc_offset, metadata.time_source) == (dt.datetime(2006, 10, 29, 6, 27, 51), None, "IPTC DateCreated")
    assert metadata_from(*read_with_exiftool(photo, PhotoReadError("exiv2"))).taken_at == metadata.taken_at
    judge("-IPTC:TimeCreated=00:00:00+00:00", str(photo))
    assert read_metadata(photo).taken_at is None


@needs_oracle
def test_a_jpeg_2000_photo_gets_a_row_and_its_position_beside_it(tmp_path):
    """JPEG 2000 (archives' digitisation masters; exifr's test files hold a Nikon D2X's) had no row
    in the report and no line among the files left alone. A real one (exiv2's Nikon D1X JP2) is read
    and placed, its position goes into a sidecar and its bytes stay; one with no metadata (ExifTool's
    test JP2) gets its row saying so."""
    for name in ("exiv2-Reagan.jp2", "exiftool-Jpeg2000.jp2"):
        shutil.copy2(MORE / name, tmp_path / name)
    gpx = write_gpx(tmp_path.parent / f"{tmp_path.name}.gpx", [(35.0116, 135.7681, 40, dt.datetime(2004, 6, 21, 23, 30)),
                                                                (35.0116, 135.7681, 40, dt.datetime(2004, 6, 21, 23, 45))])
    _, summary = tag_job(tmp_path, gpx=[gpx], tz=dt.timedelta(0))
    rows = {Path(r["path"]).name: r for r in csv.DictReader(summary.report_csv.open())}
    assert set(rows) == {"exiv2-Reagan.jp2", "exiftool-Jpeg2000.jp2"}
    assert rows["exiv2-Reagan.jp2"]["stage"] == "written" and rows["exiftool-Jpeg2000.jp2"]["message"] == "no time in its metadata"
    for name in rows:
        assert (tmp_path / name).read_bytes() == (MORE / name).read_bytes()
    assert oracle.gps(tmp_path / "exiv2-Reagan.xmp")[:2] == pytest.approx((35.0116, 135.7681), abs=1e-7)


def test_text_tags_a_writer_stored_as_bytes_are_read_as_text():
    """Android's Ultra HDR sample (libultrahdr's test photo, an emulator's) stores Make and Model
    with the type UNDEFINED instead of ASCII; exiv2 spells them as the bytes' decimal values, and the
    camera was "71 111 111 103 108 101 67 117 ..." in the report and the clocks. They read as text,
    and so would a capture time stored so."""
    photo = MORE / "uhdr-jpeg_image.jpg"
    handle = open_exiv2(photo)
    try:
        assert handle.read_exif()["Exif.Image.Make"] == "71 111 111 103 108 101"  # (the file's own oddity, as exiv2 reads it)
        assert read_all(handle)[0]["Exif.Image.Make"] == "Google"
    finally:
        handle.close()
    assert read_metadata(photo).camera == "Google Cuttlefish GMS x86_64"
    when = " ".join(str(b) for b in b"2022:11:22 23:05:32\0")
    assert capture_time(text_stored_as_bytes({"Exif.Photo.DateTimeOriginal": when}), {})[0] == dt.datetime(2022, 11, 22, 23, 5, 32)


@needs_oracle
def test_an_xmp_packets_namespace_prefixes_are_kept(tmp_path):
    """libvips' Ultra HDR test photo declares Google's container namespace (the gain map's directory)
    as ``Container:``, as Android writes it. ExifTool 13 re-serialises a packet it writes names into
    with its own prefix, ``GContainer:``: the same properties to a reader that goes by namespace,
    the directory gone to one that goes by prefix, as the independent ExifTool 12.57 reads it. That
    packet (more_files, libvips-ultra-hdr.xmp) in a real camera JPEG: the names go into IPTC alone,
    the XMP stays as it was, and nothing changed by the judge's reading."""
    (photo,) = copy(tmp_path, "exiftool-Canon.jpg")
    judge(f"-XMP<={MORE / 'libvips-ultra-hdr.xmp'}", str(photo))
    before = oracle.dump(photo)
    assert sorted(oracle.values(before, "XMP-Container:DirectoryItemSemantic")) == ["GainMap", "Primary"]
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=Location(35.0116, 135.7681, None, "Kyoto", "Kyoto", "Japan", "JP",
                                                                          "JPN")))
    assert result.notes == ("place names in IPTC only: the photo's XMP is left exactly as it was",)
    after = oracle.dump(photo)
    assert oracle.damage(before, after) == [] and oracle.values(after, "IPTC:City") == ["Kyoto"]


@needs_oracle
def test_a_rewrite_no_decoder_can_prove_is_refused_as_unproven(tmp_path):
    """TwelveMonkeys' planar YCbCr 4:1:0 TIFF (more_files/SOURCES.md): ExifTool rewrites it only with
    its minor error ignored (StripByteCounts undersized by a reckoning that leaves out the
    subsampling), and then the pixels must prove the rewrite; Pillow cannot decode planar YCbCr.
    The photo stays untouched, and the reason says the rewrite is unproven, where it said 'the rewrite
    would also change other metadata', which nothing showed."""
    message = refusal(tmp_path, "tm-planar-yuv410.tif")
    assert message.startswith("not written: ExifTool rewrites it only with a fault it calls minor ignored ([minor] Undersized IFD0 StripByteCounts")
    assert "the pixels cannot be compared (" in message and message.split("; original")[0].endswith("the rewrite is not proven")
    assert "other metadata" not in message


def test_gps_coordinates_that_are_all_undefined_are_no_position():
    """What receivers without a fix write, as exiv2 reads it from real files: a Samsung Galaxy S10's
    and S24 Ultra's HEIC (metadata-extractor-images, pillow-heif), a Leica T's JPEG (its status V), a
    Nothing Phone's (Ashampoo/kim): every rational 0/0, EXIF's "unknown". A Nikon D5000's position in
    degrees and decimal minutes, its seconds 0/0, is a position, spelled oddly: still malformed, kept."""
    from geor.engine.photos.gps_tags import GpsTagError, parse_exif_gps, void_coordinates

    samsung = {"Exif.GPSInfo.GPSLatitudeRef": "", "Exif.GPSInfo.GPSLatitude": "0/0 0/0 0/0", "Exif.GPSInfo.GPSLongitudeRef": "",
               "Exif.GPSInfo.GPSLongitude": "0/0 0/0 0/0"}
    leica = {**samsung, "Exif.GPSInfo.GPSAltitude": "0/0", "Exif.GPSInfo.GPSStatus": "V", "Exif.GPSInfo.GPSTimeStamp": "0/0 0/0 0/0"}
    nikon = {"Exif.GPSInfo.GPSLatitude": "48/1 5332358/100000 0/0", "Exif.GPSInfo.GPSLatitudeRef": "N",
             "Exif.GPSInfo.GPSLongitude": "21/1 259507/100000 0/0", "Exif.GPSInfo.GPSLongitudeRef": "E"}
    for exif in (samsung, leica):
        assert void_coordinates(exif) and parse_exif_gps(exif) is None
        metadata = metadata_from({**exif, "Exif.Photo.DateTimeOriginal": "2020:06:30 11:27:59",
                                  "Exif.GPSInfo.GPSDateStamp": "2020:06:30", "Exif.GPSInfo.GPSTimeStamp": "9/1 27/1 59/1"}, {})
        assert metadata.gps is None and metadata.gps_problem is None and metadata.gps_time is None  # (a void block's clock is no fix's)
    assert not void_coordinates(nikon) and not void_coordinates({})
    with pytest.raises(GpsTagError, match="zero denominator"):
        parse_exif_gps(nikon)
    assert not void_coordinates({"Exif.GPSInfo.GPSLatitude": "0/0 0/0 0/0", "Exif.GPSInfo.GPSLongitude": "2/1 0/1 0/1"})


@needs_oracle
def test_a_gps_block_without_a_fix_is_written_without_overwrite_and_its_void_status_goes(tmp_path):
    """An InfiRay thermal camera's GPS block with every coordinate undefined (ExifTool reads "") and
    an undefined altitude; a Leica T's also says "measurement void" (GPSStatus V) and its mode. Such
    photos went to review as "a malformed GPS block: not replaced without --overwrite" (a Galaxy
    phone's every photo taken without a fix). Now they are written like photos without GPS; the
    void status and the undefined altitude go with the void coordinates (a status of V beside the new
    position would void it for readers that heed it); nothing else changes; undo gives back the bytes.
    The Nikon D5000's position, its seconds undefined, is still its own: not replaced without --overwrite."""
    (photo,) = copy(tmp_path, "exiftool-InfiRay.jpg")
    judge("-GPSStatus#=V", "-GPSMeasureMode#=2", str(photo))
    original = photo.read_bytes()
    metadata = read_metadata(photo)
    assert metadata.gps is None and metadata.gps_problem is None and metadata.taken_at is not None
    before = oracle.dump(photo)
    assert before["GPS:GPSLatitude"] == before["GPS:GPSLongitude"] == {'""': 1} and "GPS:GPSStatus" in before
    new = Location(64.146582, -21.942635)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=new))
    after = oracle.dump(photo)
    assert result.target == photo and oracle.damage(before, after) == []
    assert oracle.gps(photo)[:2] == pytest.approx((new.lat, new.lon), abs=1e-7)
    assert not {"GPS:GPSStatus", "GPS:GPSMeasureMode", "GPS:GPSAltitude"} & set(after)
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original
    (tmp_path / "nikon").mkdir()
    assert "already has a GPS position" in refusal(tmp_path / "nikon", "mde-Nikon_D5000.jpg")


@needs_oracle
def test_a_second_images_position_is_not_left_beside_a_replaced_one(tmp_path):
    """pillow-heif's empty_icc.heic holds two iPhone XS photos, each with its own EXIF and position.
    ExifTool writes the primary image's alone, so --overwrite left the second image's old position
    (and its 65 m) in the file beside the new one. Now the rewrite is refused, saying so; the photo
    is untouched and gets no sidecar (it holds positions of its own)."""
    (photo,) = copy(tmp_path, "pillow-heif-heif_other-empty_icc.heic")
    original = photo.read_bytes()
    with PhotoWriter(tmp_path) as writer, pytest.raises(PhotoWriteError) as refused:
        writer.write(WriteRequest(photo=photo, location=Location(34.9778, 135.8556), overwrite=True))
    message = str(refused.value)
    assert message.startswith("not written: a second EXIF block in the file keeps a position of its own (46.75")
    assert "(a second image's, or a copy in another place): the file would hold two positions; original untouched" in message
    assert photo.read_bytes() == original and len(list(tmp_path.iterdir())) == 1


@needs_oracle
def test_a_gps_block_at_null_island_is_no_position_and_is_written_without_overwrite(tmp_path):
    """A Samsung Galaxy S (GT-I9000) wrote (0, 0) and an altitude of 0 m: its receiver had no fix.
    The photo waited for review, "not replaced without --overwrite", so a folder's untagged phone
    photos could be written only with --overwrite, which would also replace the real positions of
    the others. (0, 0) is no position: written without it, the 0 m gone with it, nothing else changed."""
    name = "mde-Samsung_GT-I9000.jpg"
    photo = tmp_path / name
    shutil.copy2(MORE / name, photo)
    metadata = read_metadata(photo)
    assert metadata.gps is None and metadata.gps_problem is None and metadata.gps_time is None and metadata.taken_at is not None
    before = oracle.dump(photo)
    assert oracle.gps(photo) == (0, 0, 0)
    new = Location(64.146582, -21.942635)
    with PhotoWriter(tmp_path) as writer:
        result = writer.write(WriteRequest(photo=photo, location=new))
    after = oracle.dump(photo)
    assert result.target == photo and oracle.damage(before, after) == []
    assert oracle.gps(photo) == pytest.approx((new.lat, new.lon, None), abs=1e-7)
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == (MORE / name).read_bytes()
