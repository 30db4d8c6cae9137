"""The ExifTool process: found, started, and stopped cleanly when it is missing, dies or hangs."""

import sys
import time

import pytest

import geor.engine.photos.exiftool as exiftool
from geor.engine.photos import Location, PhotoWriteError, PhotoWriter, WriteRequest
from geor.engine.photos.exiftool import ExifToolFailed, ExifToolMissing, ExifToolSession

from ...helpers.photo_files import make_photo

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
