"""The safe writer on photos the tests make (every case of the policy, bad inputs); the real
cameras' files are in test_camera_corpus.py."""

import errno
import hashlib
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from geor.engine.photos import FileState, Location, PhotoWriteError, PhotoWriter, WriteRequest, read_metadata, restore_original
from geor.engine.photos.exiftool import ExifToolMissing, ExifToolSession

from ...helpers import exiftool_oracle as oracle
from ...helpers.photo_files import make_photo, pixels

BIEI = Location(43.452002, 142.615358, 250.5, "Biei", "Hokkaido", "Japan", "JP", "JPN")
REYKJAVIK = Location(64.146582, -21.942635, 12.5, "Reykjavík", "Höfuðborgarsvæðið", "Ísland", "IS", "ISL")

needs_oracle = pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge the writes")


def write(photo, location=BIEI, **options):
    with PhotoWriter(photo.parent) as writer:
        return writer.write(WriteRequest(photo=photo, location=location, **options))


def iptc_and_xmp(path):
    with ExifToolSession() as session:
        dump = session.read(path)
    return dump


@pytest.mark.parametrize("suffix", [".jpg", ".tif", ".png", ".webp"])
def test_embedded_write_changes_only_the_location(tmp_path, when, suffix):
    photo = make_photo(tmp_path / f"p{suffix}", when)
    os.chmod(photo, 0o640)
    os.utime(photo, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    original = photo.read_bytes()
    before_pixels, before_stat = pixels(photo), os.stat(photo)
    before = oracle.dump(photo) if oracle.EXIFTOOL else None
    result = write(photo, expect=FileState.of(photo))
    assert result.target == photo and not result.created and result.original_sha256 == hashlib.sha256(original).hexdigest()
    np.testing.assert_array_equal(pixels(photo), before_pixels)
    after = os.stat(photo)
    assert stat.S_IMODE(after.st_mode) == 0o640 and after.st_mtime_ns == before_stat.st_mtime_ns
    lat, lon, alt = read_metadata(photo).gps
    assert (lat, lon) == pytest.approx((43.452002, 142.615358), abs=1e-7) and alt == pytest.approx(250.5)
    if before is not None:
        assert oracle.damage(before, oracle.dump(photo)) == []
        assert oracle.gps(photo)[:2] == pytest.approx((43.452002, 142.615358), abs=1e-7)
    assert not list(tmp_path.glob(".geor-tmp-*"))
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original and os.stat(photo).st_mtime_ns == before_stat.st_mtime_ns


def test_names_go_to_iptc_and_xmp_in_utf8(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    write(photo, REYKJAVIK)
    dump = iptc_and_xmp(photo)
    assert dump.get("XMP-photoshop:City") == "Reykjavík" and dump.get("XMP-iptcCore:CountryCode") == "IS"
    assert "%G" in dump.get("IPTC:CodedCharacterSet")  # ESC % G: UTF-8 declared
    assert dump.get("IPTC:City") == "Reykjavík" and dump.get("IPTC:Country-PrimaryLocationCode") == "ISL"
    assert dump.get("XMP-dc:Subject") == ["holiday", "mountains"] and dump.get("XMP-xmp:Rating") == 4  # the existing packet merged
    if oracle.EXIFTOOL:
        tags = oracle.dump(photo)
        assert oracle.values(tags, "IPTC:Province-State") == ["Höfuðborgarsvæðið"]


def test_iim_lengths_are_kept_and_the_full_name_is_in_xmp(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    long_name = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
    result = write(photo, Location(53.22, -4.2, None, long_name, "Wales", "United Kingdom", "GB", "GBR"))
    dump = iptc_and_xmp(photo)
    assert dump.get("IPTC:City") == long_name[:32] and dump.get("XMP-photoshop:City") == long_name
    assert any("cut to 32 bytes" in note for note in result.notes)
    cut = write(make_photo(tmp_path / "q.jpg", when), Location(35.0, 135.0, None, "京都市東山区清水一丁目", "京都府", "日本", "JP", "JPN"))
    city = iptc_and_xmp(cut.target).get("IPTC:City")
    assert len(city.encode()) <= 32 and "京都市東山区清水一丁目".startswith(city)  # cut on a character boundary


def test_legacy_latin1_iptc_is_never_reinterpreted(tmp_path, when):
    """An IPTC block with Latin-1 text and no declared character set (old cameras and editors):
    no CodedCharacterSet is added (it would turn 'Straße' into mojibake), and a name that is not
    ASCII is not written there undeclared either (programs would read it differently): it is in
    XMP; ASCII names (the country code) go to IPTC."""
    photo = make_photo(tmp_path / "p.jpg", when)
    with ExifToolSession() as session:
        session.run(["-charset", "iptc=Latin", "-IPTC:By-line=Jürgen Straße", "-overwrite_original", os.fsencode(photo)])
    result = write(photo, REYKJAVIK)
    dump = iptc_and_xmp(photo)
    assert dump.get("IPTC:CodedCharacterSet") is None and dump.get("IPTC:By-line") == "Jürgen Straße"
    assert dump.get("IPTC:City") is None and dump.get("XMP-photoshop:City") == "Reykjavík" and dump.get("IPTC:Country-PrimaryLocationCode") == "ISL"
    assert any(note.startswith("IPTC City left out") for note in result.notes)
    other = make_photo(tmp_path / "q.jpg", when)
    with ExifToolSession() as session:
        session.run(["-charset", "iptc=Latin", "-IPTC:By-line=Jürgen", "-overwrite_original", os.fsencode(other)])
    result = write(other, Location(35.0, 135.0, None, "Kyoto", "京都府", "日本", "JP", "JPN"))
    dump = iptc_and_xmp(other)
    assert dump.get("IPTC:City") == "Kyoto" and dump.get("IPTC:Province-State") is None and dump.get("IPTC:Country-PrimaryLocationCode") == "JPN"
    assert dump.get("XMP-photoshop:State") == "京都府" and any("does not declare" in note for note in result.notes)


def test_names_a_person_entered_are_kept_unless_overwrite(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    with ExifToolSession() as session:
        session.run(["-IPTC:City=Montmartre", "-XMP-photoshop:City=Montmartre", "-overwrite_original", os.fsencode(photo)])
    result = write(photo, BIEI)
    dump = iptc_and_xmp(photo)
    assert dump.get("IPTC:City") == "Montmartre" and dump.get("XMP-photoshop:City") == "Montmartre"
    assert dump.get("IPTC:Country-PrimaryLocationName") is None and any("names kept" in note for note in result.notes)
    assert read_metadata(photo).gps is not None
    other = make_photo(tmp_path / "q.jpg", when)
    with ExifToolSession() as session:
        session.run(["-IPTC:City=Montmartre", "-overwrite_original", os.fsencode(other)])
    write(other, BIEI, overwrite=True)
    assert iptc_and_xmp(other).get("IPTC:City") == "Biei"


def test_a_current_iptc_digest_is_renewed(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    with ExifToolSession() as session:
        session.run(["-IPTC:By-line=A. Photographer", "-Photoshop:IPTCDigest=new", "-overwrite_original", os.fsencode(photo)])
    write(photo, BIEI)
    dump = iptc_and_xmp(photo)
    assert dump.get("IPTC:City") == "Biei" and dump.get("XMP-photoshop:City") == "Biei"
    assert dump.get("Photoshop:IPTCDigest") == dump.get("File:CurrentIPTCDigest")
    assert not any("IPTCDigest" in str(v) for k, v in dump.entries if k == "ExifTool:Warning")


def test_a_position_is_never_replaced_without_overwrite(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when, gps=(10.0, 20.0))
    data = photo.read_bytes()
    with pytest.raises(PhotoWriteError, match="already has a GPS position"):
        write(photo, BIEI)
    assert photo.read_bytes() == data
    write(photo, Location(-33.9, 151.2), overwrite=True)  # no altitude: the old one must not stay beside the new position
    lat, lon, alt = read_metadata(photo).gps
    assert (lat, lon, alt) == (pytest.approx(-33.9, abs=1e-7), pytest.approx(151.2, abs=1e-7), None)


@pytest.mark.parametrize("position", [(-22.951916, -43.210487, -3.0), (0.0, 180.0, 0.0), (0.0, -180.0, None), (-90.0, 0.0, 2835.0),
                                      (89.999999, -0.000001, None)])
def test_hemispheres_equator_and_antimeridian(tmp_path, when, position):
    photo = make_photo(tmp_path / "p.jpg", when)
    write(photo, Location(*position))
    lat, lon, alt = read_metadata(photo).gps
    assert (lat, lon) == pytest.approx(position[:2], abs=1e-8) and alt == (pytest.approx(position[2]) if position[2] is not None else None)
    if oracle.EXIFTOOL:
        assert oracle.gps(photo)[:2] == pytest.approx(position[:2], abs=1e-8)


def test_raw_gets_a_sidecar_and_stays_byte_identical(tmp_path, when):
    photo = tmp_path / "IMG_1.cr2"
    photo.write_bytes(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(range(256)) * 40)  # RAW bytes we must never touch
    original = photo.read_bytes()
    result = write(photo, BIEI)
    assert result.target == tmp_path / "IMG_1.xmp" and result.created and result.restore is None
    assert photo.read_bytes() == original
    dump = iptc_and_xmp(result.target)
    assert dump.get("XMP-exif:GPSLatitude") == pytest.approx(43.452002, abs=1e-7) and dump.get("XMP-photoshop:City") == "Biei"


def test_heic_is_written_in_place_when_proven_and_undone_byte_for_byte(tmp_path, when):
    """A HEIC whose rewrite keeps its image data and every unreferenced byte is written in place
    (Apple Photos and Google Photos do not read sidecars); its undo gives back every byte."""
    photo = make_photo(tmp_path / "IMG_1.heic", when)
    original = photo.read_bytes()
    result = write(photo, BIEI)
    assert result.target == photo and not result.created and not any("sidecar" in n for n in result.notes)
    assert not (tmp_path / "IMG_1.xmp").exists()
    assert read_metadata(photo).gps[:2] == pytest.approx((43.452002, 142.615358), abs=1e-7)
    if oracle.EXIFTOOL:
        assert oracle.gps(photo)[:2] == pytest.approx((43.452002, 142.615358), abs=1e-7)
    restore_original(photo, result.sha256, result.restore, result.original_sha256)
    assert photo.read_bytes() == original


def test_one_sidecar_per_photo(tmp_path, when):
    """IMG_1.CR2 beside IMG_1.CR3 (or a DNG beside its raw) would share IMG_1.xmp: each gets
    IMG_1.<ext>.xmp instead, as darktable and digiKam name them; an existing one is used."""
    raw = b"II*\x00\x10\x00\x00\x00" + bytes(64)
    (tmp_path / "IMG_1.CR2").write_bytes(raw)
    (tmp_path / "IMG_1.CR3").write_bytes(raw)
    (tmp_path / "IMG_2.NEF").write_bytes(raw)
    with PhotoWriter(tmp_path) as writer:
        targets = [writer.write(WriteRequest(photo=tmp_path / name, location=BIEI)).target.name for name in ("IMG_1.CR2", "IMG_1.CR3")]
    assert targets == ["IMG_1.CR2.xmp", "IMG_1.CR3.xmp"]
    with ExifToolSession() as session:  # darktable's own sidecar, with its edit history, already there
        session.run(["-XMP-xmp:Rating=3", "-XMP-dc:Subject=edited", "-o", os.fsencode(tmp_path / "IMG_2.NEF.xmp")])
    result = write(tmp_path / "IMG_2.NEF", BIEI)
    dump = iptc_and_xmp(result.target)
    assert result.target.name == "IMG_2.NEF.xmp" and not result.created and not (tmp_path / "IMG_2.xmp").exists()
    assert dump.get("XMP-xmp:Rating") == 3 and dump.get("XMP-dc:Subject") == "edited" and dump.get("XMP-photoshop:City") == "Biei"


@pytest.mark.parametrize("names", [False, True])
def test_a_sidecar_another_program_signed_keeps_its_signature(tmp_path, names):
    """photoprism's example DNG came with a sidecar signed by ExifTool 10.80 and holding its place
    names: the position alone went in (names kept), ExifTool signed the packet anew, and the rewrite
    check refused the sidecar. The packet of a sidecar another program made keeps its signature
    whether the names go in or not (darktable's and Lightroom's sidecars are signed too)."""
    (tmp_path / "IMG_3.NEF").write_bytes(b"II*\x00\x10\x00\x00\x00" + bytes(64))
    sidecar = tmp_path / "IMG_3.NEF.xmp"
    given = ["-XMP-photoshop:City=Biei", "-XMP-photoshop:Country=Japan"] if names else ["-XMP-xmp:Rating=2"]
    with ExifToolSession() as session:
        session.run(["-XMP-x:XMPToolkit=XMP Core 4.4.0-Exiv2", *given, "-o", os.fsencode(sidecar)])
    result = write(tmp_path / "IMG_3.NEF", BIEI)
    dump = iptc_and_xmp(sidecar)
    assert result.target == sidecar and dump.get("XMP-x:XMPToolkit") == "XMP Core 4.4.0-Exiv2"
    assert dump.get("XMP-exif:GPSLatitude") == pytest.approx(43.452002, abs=1e-7) and dump.get("XMP-photoshop:City") == "Biei"


def test_read_only_changed_and_missing_files_are_left_alone(tmp_path, when):
    locked = make_photo(tmp_path / "locked.jpg", when)
    os.chmod(locked, 0o444)
    data = locked.read_bytes()
    with pytest.raises(PhotoWriteError, match="read-only"):
        write(locked)
    assert locked.read_bytes() == data
    changed = make_photo(tmp_path / "changed.jpg", when)
    state = FileState.of(changed)
    with changed.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(PhotoWriteError, match="changed since"):
        write(changed, expect=state)
    with pytest.raises(PhotoWriteError, match="disappeared"):
        write(tmp_path / "gone.jpg")


def test_symlinks(tmp_path, when):
    outside = make_photo(tmp_path / "outside.jpg", when)
    folder = tmp_path / "album"
    folder.mkdir()
    (folder / "link.jpg").symlink_to(outside)
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "nowhere.jpg")
    real = make_photo(folder / "real.jpg", when)
    (folder / "inside.jpg").symlink_to(real)
    data = outside.read_bytes()
    with PhotoWriter(folder) as writer:
        with pytest.raises(PhotoWriteError, match="outside the folder"):
            writer.write(WriteRequest(photo=folder / "link.jpg", location=BIEI))
        for name in ("loop.jpg", "dangling.jpg"):
            with pytest.raises(PhotoWriteError, match="broken or looping symlink"):
                writer.write(WriteRequest(photo=folder / name, location=BIEI))
        writer.write(WriteRequest(photo=folder / "inside.jpg", location=BIEI))
    assert outside.read_bytes() == data
    assert (folder / "inside.jpg").is_symlink() and read_metadata(real).gps is not None


def test_odd_names_long_names_and_newlines(tmp_path, when):
    long_name = tmp_path / ("y" * 250 + ".jpg")  # the temporary copy's name must fit beside it
    make_photo(long_name, when)
    newline = tmp_path / "two\nlines.jpg"  # ExifTool's argument protocol is line-based
    make_photo(newline, when)
    latin1 = tmp_path / os.fsdecode(b"caf\xe9.jpg")  # not UTF-8
    make_photo(tmp_path / "plain.jpg", when).rename(latin1)
    with PhotoWriter(tmp_path) as writer:
        for photo in (long_name, newline, latin1):
            writer.write(WriteRequest(photo=photo, location=BIEI))
            assert read_metadata(photo).gps is not None
    assert not list(tmp_path.glob(".geor-tmp-*"))


def test_not_an_image_and_a_truncated_jpeg(tmp_path, when):
    fake = tmp_path / "fake.jpg"
    fake.write_text("this is a text file, not a JPEG")
    with pytest.raises(PhotoWriteError, match="not a file ExifTool can read|will not rewrite"):
        write(fake)
    assert fake.read_text() == "this is a text file, not a JPEG"
    whole = make_photo(tmp_path / "whole.jpg", when, size=(640, 480)).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(PhotoWriteError, match="truncated"):
        write(cut)
    assert cut.read_bytes() == whole[: len(whole) * 2 // 3]


def test_a_rewrite_that_would_touch_the_image_data_is_refused(tmp_path, when, monkeypatch):
    """ExifTool copies a JPEG's image data as it is; were a rewrite to change one byte of it (a
    fault injected after ExifTool's real write), the photo is left untouched and the job says why.
    The validated readings are of copies whose image data is zeros, so only this check sees it."""
    from geor.engine.photos.jpeg_end import first_scan

    photo = make_photo(tmp_path / "p.jpg", when, size=(640, 480))
    original = photo.read_bytes()
    real_run = ExifToolSession.run

    def flip_a_byte_of_the_image(session, args):
        answer = real_run(session, args)
        if "-o" in args:
            written = Path(os.fsdecode(args[args.index("-o") + 1]))
            data = bytearray(written.read_bytes())
            start, end = first_scan(bytes(data))
            data[(start + end) // 2] ^= 0x10
            written.write_bytes(bytes(data))
        return answer

    monkeypatch.setattr(ExifToolSession, "run", flip_a_byte_of_the_image)
    with pytest.raises(PhotoWriteError, match="image data would change"):
        write(photo)
    monkeypatch.undo()
    assert photo.read_bytes() == original and not list(tmp_path.glob(".geor-tmp-*"))
    write(photo)  # without the fault, the same photo is written
    assert read_metadata(photo).gps is not None


def test_full_disk_leaves_the_original_and_no_temporary_file(tmp_path, when, monkeypatch):
    """ENOSPC while the new file is flushed (a real full disk needs a mount the tests cannot make)."""
    import geor.engine.photos.writer as writer

    photo = make_photo(tmp_path / "p.jpg", when)
    data = photo.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer.os, "fsync", full)
    with pytest.raises(PhotoWriteError, match="no space left"):
        write(photo)
    monkeypatch.undo()
    assert photo.read_bytes() == data and not list(tmp_path.glob(".geor-tmp-*"))


def test_many_photos_in_parallel_keep_their_order_and_journal_before_each_rename(tmp_path, when):
    photos = [make_photo(tmp_path / f"p{i}.jpg", when, seed=i) for i in range(6)]
    (tmp_path / "p3.jpg").chmod(0o444)
    journal = []

    def before_replace(request, result):
        assert hashlib.sha256(request.photo.read_bytes()).hexdigest() == result.original_sha256  # not renamed yet
        journal.append(request.photo.name)

    with PhotoWriter(tmp_path, workers=3) as writer:
        outcomes = [(r.photo.name, type(o).__name__) for r, o in writer.write_many(
            [WriteRequest(photo=p, location=BIEI) for p in photos], before_replace)]
    assert [name for name, _ in outcomes] == [p.name for p in photos]
    assert dict(outcomes)["p3.jpg"] == "PhotoWriteError" and journal == ["p0.jpg", "p1.jpg", "p2.jpg", "p4.jpg", "p5.jpg"]


def test_undo_refuses_a_file_changed_since(tmp_path, when):
    photo = make_photo(tmp_path / "p.jpg", when)
    result = write(photo)
    with photo.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(PhotoWriteError, match="changed since"):
        restore_original(photo, result.sha256, result.restore, result.original_sha256)


def test_undeclared_utf8_iptc_stays_undeclared(tmp_path, when):
    """Some programs write UTF-8 into IPTC without CodedCharacterSet: the block is not declared
    (that would change how readers show the text already there) and a non-ASCII name stays out of it."""
    photo = make_photo(tmp_path / "p.jpg", when)
    with ExifToolSession() as session:
        session.run(["-charset", "iptc=UTF8", "-IPTC:By-line=Jürgen Straße", "-overwrite_original", os.fsencode(photo)])
    assert "Jürgen Straße".encode() in photo.read_bytes()
    write(photo, REYKJAVIK)
    dump = iptc_and_xmp(photo)
    assert "Jürgen Straße".encode() in photo.read_bytes() and dump.get("IPTC:CodedCharacterSet") is None
    assert dump.get("IPTC:City") is None and dump.get("XMP-photoshop:City") == "Reykjavík"


def test_a_started_writer_writes_what_one_started_by_its_first_write_does(tmp_path, when):
    """start(): the ExifTool processes start in the background and each warms up on a tiny JPEG of
    its own (a write and a validated reading); the photos come out byte for byte alike."""
    written = []
    for started in (False, True):
        folder = tmp_path / ("started" if started else "cold")
        folder.mkdir()
        photos = [make_photo(folder / f"p{i}.jpg", when, seed=i) for i in range(3)]
        with PhotoWriter(folder, workers=2) as writer:
            if started:
                writer.start()
            outcomes = [o for _, o in writer.write_many([WriteRequest(photo=p, location=REYKJAVIK) for p in photos])]
        assert not any(isinstance(o, PhotoWriteError) for o in outcomes)
        written.append([p.read_bytes() for p in photos])
    assert written[0] == written[1]


def test_a_writer_started_without_exiftool_says_so_at_its_first_write(tmp_path, when, monkeypatch):
    monkeypatch.setenv("GEOR_EXIFTOOL", str(tmp_path / "nowhere"))
    photo = make_photo(tmp_path / "p.jpg", when)
    with PhotoWriter(tmp_path, workers=2) as writer:
        writer.start()  # (the processes that could not start are not an error yet: a dry run writes nothing)
        with pytest.raises(ExifToolMissing, match="nowhere: no such file"):
            writer.write(WriteRequest(photo=photo, location=BIEI))



def test_private_folders_a_killed_writer_left_go_and_a_vanished_one_comes_back(tmp_path, when, monkeypatch):
    """The copies ExifTool reads and rewrites live in a private folder in the system's temporary
    folder, removed when the writer closes; a process killed with -9 leaves its own behind. A writer
    removes those untouched for a day (a writer at work adds and removes files in its own all the
    time), leaves younger ones alone, and makes its own again if the system's cleaner took it."""
    import shutil
    import tempfile

    import geor.engine.photos.writer as writer

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    old, young = tmp_path / "tmp" / f"{writer.SCRATCH_PREFIX}killed", tmp_path / "tmp" / f"{writer.SCRATCH_PREFIX}running"
    for folder in (old, young):
        folder.mkdir()
        (folder / "copy.jpg").write_bytes(b"x")
    os.utime(old, (os.path.getmtime(old) - 2 * 86400,) * 2)
    photos = [make_photo(tmp_path / f"p{i}.jpg", when, seed=i) for i in range(2)]
    with PhotoWriter() as photo_writer:
        photo_writer.write(WriteRequest(photo=photos[0], location=BIEI))
        assert not old.exists() and young.exists()
        own = [p for p in (tmp_path / "tmp").iterdir() if p not in (young,)]
        assert len(own) == 1
        shutil.rmtree(own[0])  # the system's cleaner
        photo_writer.write(WriteRequest(photo=photos[1], location=BIEI))
    assert all(read_metadata(p).gps is not None for p in photos)
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == [young.name]  # its own gone with it


def test_a_full_temporary_folder_fails_one_photo_and_the_writer_goes_on(tmp_path, when, monkeypatch):
    """The copy without image data goes to the system's temporary folder; when it cannot be written
    (that disk full) the photo is reported with the reason, untouched, and the ExifTool process it
    had taken serves the next photo (with one worker, a process lost there would hang the job)."""
    import geor.engine.photos.writer as writer

    photos = [make_photo(tmp_path / f"p{i}.jpg", when, seed=i) for i in range(2)]
    data = photos[0].read_bytes()
    real_copy = writer.write_quiet_copy

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    with PhotoWriter(workers=1) as photo_writer:
        monkeypatch.setattr(writer, "write_quiet_copy", full)
        with pytest.raises(PhotoWriteError, match="no space left"):
            photo_writer.write(WriteRequest(photo=photos[0], location=BIEI))
        monkeypatch.setattr(writer, "write_quiet_copy", real_copy)
        photo_writer.write(WriteRequest(photo=photos[1], location=BIEI))
    assert photos[0].read_bytes() == data and read_metadata(photos[1]).gps is not None


def test_when_the_rewrite_of_the_copy_is_not_as_expected_the_photo_itself_is_rewritten(tmp_path, when, monkeypatch):
    """A JPEG is rewritten as its copy without image data, the image data put back; were ExifTool's
    output for the copy ever other than the copy's empty image data and end marker (a fault
    injected after its real write), the photo is rewritten itself, and written: nothing refused for
    the copy's sake, and the image data still proven the same bytes."""
    from geor.engine.photos.jpeg_end import first_scan

    photo = make_photo(tmp_path / "p.jpg", when, size=(640, 480))
    original = photo.read_bytes()
    real_run = ExifToolSession.run
    outputs = []

    def spoil_the_first_output(session, args):
        answer = real_run(session, args)
        if "-o" in args and not outputs:
            written = Path(os.fsdecode(args[args.index("-o") + 1]))
            outputs.append(written)
            written.write_bytes(written.read_bytes() + b"spoilt")  # something after the end marker
        return answer

    monkeypatch.setattr(ExifToolSession, "run", spoil_the_first_output)
    write(photo)
    monkeypatch.undo()
    assert outputs and outputs[0].parent != photo.parent  # the first output was the copy's, in the private folder
    data = photo.read_bytes()
    start, end = first_scan(original)
    assert read_metadata(photo).gps is not None and original[start:end] in data and not data.endswith(b"spoilt")
