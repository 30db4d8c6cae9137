"""The ExifTool process: found, started, and stopped cleanly when it is missing, dies or hangs."""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import geor.engine.photos.exiftool as exiftool
from geor.engine.photos import Location, PhotoWriteError, PhotoWriter, WriteRequest
from geor.engine.photos.exiftool import ExifToolFailed, ExifToolMissing, ExifToolSession
from geor.engine.photos.rewrite_check import unexpected_changes

from ...helpers import exiftool_oracle as oracle
from ...helpers.photo_files import make_photo

MORE = Path(__file__).parent / "more_files"  # (SOURCES.md)

#: A stand-in that speaks ExifTool's -stay_open protocol, then misbehaves as told: after answering
#: ``ANSWERS`` commands it exits ("die") or stops answering ("hang").
FAKE = '''#!{python}
import sys, time
answered = 0
for line in sys.stdin:
    line = line.strip()
    if line.startswith("-execute"):
        if answered >= {answers}:
            if "{mode}" == "die":
                sys.exit(3)
            time.sleep(3600)
        mark = line[len("-execute"):]
        sys.stdout.write("{version}\\n{{ready" + mark + "}}\\n"); sys.stdout.flush()
        sys.stderr.write("=0=end" + mark + "\\n"); sys.stderr.flush()
        answered += 1
'''


def fake(tmp_path, mode="die", answers=1, version="13.59"):
    path = tmp_path / "exiftool"
    path.write_text(FAKE.format(python=sys.executable, mode=mode, answers=answers, version=version))
    path.chmod(0o755)
    return path


def test_no_exiftool_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_EXIFTOOL", str(tmp_path / "nowhere"))
    with pytest.raises(ExifToolMissing, match="nowhere: no such file"):
        ExifToolSession()
    not_a_program = tmp_path / "exiftool.txt"
    not_a_program.write_text("plain text")
    with pytest.raises(ExifToolMissing, match="does not start"):
        ExifToolSession(not_a_program)


def test_a_process_that_dies_at_once_or_mid_job_is_noticed_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(ExifToolMissing, match="does not start"):
        ExifToolSession(fake(tmp_path, answers=0))
    session = ExifToolSession(fake(tmp_path, answers=1))
    with pytest.raises(ExifToolFailed, match="ended unexpectedly"):
        session.run(["-ver"])
    assert not session.alive and time.monotonic() - started < 10  # no spinning on a closed pipe


def test_a_hung_process_is_stopped(tmp_path, monkeypatch):
    session = ExifToolSession(fake(tmp_path, mode="hang", answers=1))
    monkeypatch.setattr(exiftool, "COMMAND_TIMEOUT_S", 1.0)
    with pytest.raises(ExifToolFailed, match="no answer within"):
        session.run(["-ver"])
    assert not session.alive


def test_too_old_an_exiftool_is_refused(tmp_path):
    with pytest.raises(ExifToolMissing, match="is ExifTool 11.88; Geo-R needs 12.40"):
        ExifToolSession(fake(tmp_path, answers=5, version="11.88"))


def test_a_dying_exiftool_fails_one_photo_and_the_writer_goes_on(tmp_path, when):
    photos = [make_photo(tmp_path / f"p{i}.jpg", when, seed=i) for i in range(3)]
    data = [p.read_bytes() for p in photos]
    with PhotoWriter(tmp_path, program=fake(tmp_path, answers=2)) as writer:  # -ver, then one read, then it dies
        outcomes = [o for _, o in writer.write_many([WriteRequest(photo=p, location=Location(1, 2)) for p in photos])]
    assert all(isinstance(o, PhotoWriteError) for o in outcomes) and "ExifTool failed" in str(outcomes[0])
    assert [p.read_bytes() for p in photos] == data


def test_arguments_with_line_breaks_are_refused_not_split(tmp_path):
    with ExifToolSession() as session, pytest.raises(ValueError, match="line break"):
        session.run(["-XMP-dc:Title=two\nlines"])


def test_the_perl_script_runs_without_perl_on_the_path(monkeypatch):
    """A menu entry's environment may have a bare PATH: ExifTool's script is run by /usr/bin/perl."""
    monkeypatch.setenv("PATH", "")
    with ExifToolSession() as session:
        assert session.version >= exiftool.MIN_VERSION
    assert exiftool._launcher(session.program)[0].endswith("perl")


@pytest.mark.skipif(oracle.EXIFTOOL is None, reason="no system exiftool to judge (CI installs Debian's)")
def test_google_camera_blobs_are_read_as_their_bytes_and_still_compared(tmp_path):
    """A Pixel photo's HDR+ maker note (an XMP-GCamera blob every Pixel photo has): ExifTool 13
    decrypts and decodes it in Perl on every reading (75 of a reading's 90 ms), twice a photo for the
    rewrite check; Geo-R's configuration reads it as its bytes, the same bytes the independent
    ExifTool extracts, and a changed byte of it is still a change the rewrite check names. The
    configuration's file is gone once the process has started."""
    photo = tmp_path / "pixel.jpg"
    shutil.copy2(MORE / "ente-pixel_8.jpg", photo)
    blob = subprocess.run([oracle.EXIFTOOL, "-b", "-XMP-GCamera:HdrPlusMakernote", str(photo)], capture_output=True, check=True).stdout
    assert len(blob) > 10_000
    data = photo.read_bytes()
    changed = tmp_path / "changed.jpg"
    at = data.find(blob[5000:5100]) + 50
    changed.write_bytes(data[:at] + (b"A" if data[at:at + 1] != b"A" else b"B") + data[at + 1:])
    with ExifToolSession() as session:
        assert not list(Path(tempfile.gettempdir()).glob("geor-exiftool-*.config"))
        before, after = session.read(photo, binary=True), session.read(changed, binary=True)
    assert not [key for key, _ in before.entries if key.startswith("Google:") and key != "Google:GainMapImage"]  # (HDRPSoftware...)
    assert before.get("XMP-GCamera:HDRPlusMakerNote").encode() == blob
    assert [c for c in unexpected_changes(before, after, set()) if c.startswith("XMP-GCamera:HDRPlusMakerNote")]
