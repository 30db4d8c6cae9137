"""``geor tag`` / ``geor undo`` / ``geor jobs`` as processes, including a SIGKILL mid-job."""

import datetime as dt
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geor.engine.photos import read_metadata

from ...helpers.cli_runs import geor
from ...helpers.photo_files import EXIFTOOL, exiftool_gps, make_photo

T0 = dt.datetime(2024, 7, 14, 10, 0, 0)
CORPUS = Path(__file__).parents[2] / "engine" / "photos" / "corpus"


def test_tag_and_undo(tmp_path, cli_env):
    folder = tmp_path / "biei"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=(43.452002, 142.615358))
    make_photo(folder / "b.jpg", T0 + dt.timedelta(minutes=1))
    result = geor(cli_env, "tag", str(folder))
    assert result.returncode == 0, result.stderr
    assert "tagged by interpolated" in result.stdout and "report:" in result.stdout
    job = result.stdout.split("geor undo ")[1].split()[0]
    assert read_metadata(folder / "b.jpg").gps is not None
    if EXIFTOOL:
        assert exiftool_gps(folder / "b.jpg") == pytest.approx((43.452002, 142.615358), abs=1e-6)
        city = subprocess.run([EXIFTOOL, "-s3", "-XMP-photoshop:State", str(folder / "b.jpg")], capture_output=True, text=True).stdout
        assert city.strip() == "Hokkaido"
    assert job in geor(cli_env, "jobs").stdout
    undone = geor(cli_env, "undo", job)
    assert undone.returncode == 0 and "restored 1 files" in undone.stdout
    assert read_metadata(folder / "b.jpg").gps is None


def test_exit_status_says_whether_every_photo_was_handled(tmp_path, cli_env):
    """A real truncated JPEG (jhead's) among photos that are tagged: the job runs to the end, names
    it, and exits with the documented status 3, not 0; `geor tag --help` documents the statuses."""
    folder = tmp_path / "trip"
    folder.mkdir()
    make_photo(folder / "a.jpg", T0, gps=(43.452002, 142.615358))
    make_photo(folder / "b.jpg", T0 + dt.timedelta(minutes=1))
    shutil.copy2(CORPUS / "jhead-strange-jpegs-truncated.jpg", folder / "c.jpg")
    result = geor(cli_env, "tag", str(folder))
    assert result.returncode == 3, result.stderr
    assert "c.jpg" in result.stderr and "not a readable image" in result.stderr and "1 not handled" in result.stderr and "tagged by interpolated" in result.stdout
    (folder / "c.jpg").unlink()
    assert geor(cli_env, "tag", str(folder)).returncode == 0  # resumed: every photo handled now
    assert "exit status: 0 when every photo was handled" in " ".join(geor(cli_env, "tag", "--help").stdout.split())


def test_a_photo_given_instead_of_its_folder_is_named_as_a_file(cli_env, tmp_path):
    photo = tmp_path / "trip" / "IMG_0001.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8\xff\xd9")
    result = geor(cli_env, "tag", str(photo), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{photo}: a file, not a folder" in result.stderr and f"its folder: {photo.parent}" in result.stderr
    assert photo.read_bytes() == b"\xff\xd8\xff\xd9"


def test_a_track_file_in_the_folder_is_used_and_named(cli_env, tmp_path):
    """A trip's folder holds its log: a Garmin Edge 200's FIT (Brussels, 2 May 2012, 06:31:48 to
    06:35:11 UTC) beside a photo taken at 08:33 local (+02:00) is used with no --track, and said so;
    the same file (or a copy) named by --track too is read once; a CSV, which may be anything, only when named."""
    tracks = Path(__file__).parents[1] / "placement" / "tracks" / "data"
    folder = tmp_path / "ride"
    folder.mkdir()
    make_photo(folder / "IMG_0001.jpg", dt.datetime(2012, 5, 2, 8, 33, 0))
    shutil.copy(tracks / "gpsbabel-garmin-edge-200.fit", folder / "edge.fit")
    shutil.copy(tracks / "korita-zbevnica.csv", folder / "notes.csv")  # a walk in Croatia in 2011: would place nothing here anyway
    shutil.copy(tracks / "gpsbabel-garmin-edge-200.fit", tmp_path / "edge-copy.fit")
    for named in (folder / "edge.fit", tmp_path / "edge-copy.fit"):  # the file, or a copy of it, named by --track: read once, as that
        result = geor(cli_env, "tag", str(folder), "--tz", "+02:00", "--track", str(named), "--new-job", "--overwrite")
        assert result.returncode == 0, result.stderr
        assert "a track file in the folder" not in result.stderr and "tagged by track" in result.stdout
    result = geor(cli_env, "tag", str(folder), "--tz", "+02:00", "--new-job", "--overwrite")
    assert result.returncode == 0, result.stderr
    assert f"{folder / 'edge.fit'}: a track file in the folder, used (22 timed positions)" in result.stderr
    assert "notes.csv" not in result.stderr and "tagged by track" in result.stdout
    lat, lon = read_metadata(folder / "IMG_0001.jpg").gps[:2]
    assert (lat, lon) == pytest.approx((50.8772, 4.3644), abs=2e-4)  # the ride at 06:33:00 UTC


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("tag", "/no/such/folder"), "no such folder"),
        (("tag", ".", "--tz", "nine"), "--tz 'nine'"),
        (("tag", ".", "--gpx", "/no/track.gpx"), "no such track file"),
        (("tag", ".", "--clock", "NIKON"), "expected CAMERA=OFFSET"),
        (("tag", ".", "--privacy-zone", "1,2"), "expected LAT,LON,RADIUS_M"),
        (("tag", ".", "--max-speed-kmh", "0"), "max speed kmh must be a number above 0"),
        (("undo", "20990101-000000-abcdef"), "no job"),
    ],
)
def test_errors(cli_env, tmp_path, args, needle):
    result = geor(cli_env, *args, cwd=tmp_path)
    assert result.returncode != 0 and needle in result.stderr and len(result.stderr.strip().splitlines()) <= 2


@pytest.mark.slow
def test_sigkill_mid_job_then_resume(tmp_path, cli_env):
    folder = tmp_path / "big"
    folder.mkdir()
    n = 600
    for i in range(n):
        gps = (45.0 + i * 1e-4, 7.0) if i % 50 == 0 else None
        make_photo(folder / f"p{i:04d}.jpg", T0 + dt.timedelta(seconds=5 * i), gps=gps, seed=i % 7)
    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    process = subprocess.Popen([exe, "tag", str(folder)], env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    jobs = Path(cli_env["GEOR_DATA_DIR"]) / "jobs"
    written_at_kill = 0
    deadline = time.time() + 120
    before = set(jobs.glob("*.sqlite")) if jobs.is_dir() else set()
    while time.time() < deadline and process.poll() is None:
        for db in set(jobs.glob("*.sqlite")) - before if jobs.is_dir() else ():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
                    written_at_kill = connection.execute("SELECT count(*) FROM changes WHERE state = 'done'").fetchone()[0]
            except sqlite3.Error:
                continue
        if written_at_kill >= 30:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the job finished before it could be killed"
    assert 30 <= written_at_kill < n - n // 50

    result = geor(cli_env, "tag", str(folder))
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stderr
    db = jobs / (result.stderr.split("resuming ")[1].split()[0] + ".sqlite")
    with sqlite3.connect(db) as connection:
        per_photo = connection.execute("SELECT photo_id, count(*) FROM changes WHERE state = 'done' GROUP BY photo_id").fetchall()
        stages = dict(connection.execute("SELECT stage, count(*) FROM photos GROUP BY stage").fetchall())
    assert all(count == 1 for _, count in per_photo)  # nothing written twice
    assert len(per_photo) == n - n // 50 and stages == {"written": n - n // 50, "kept": n // 50}
    assert not list(folder.glob(".*geor-tmp"))
    for i in range(0, n, 37):
        assert read_metadata(folder / f"p{i:04d}.jpg").gps is not None


def test_the_flags_are_the_options_declared_once():
    """geor tag's flags come from TagOptions' fields (and the policy's and privacy's inside it): no
    flag means the declared default, and each flag lands in its field."""
    import argparse

    from geor.engine.cli.tag import register, tag_request
    from geor.engine.pipeline.tag_options import TagOptions
    from geor.engine.placement.policy import PlacementPolicy
    from geor.engine.placement.privacy import PrivacyOptions

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    assert tag_request(parser.parse_args(["tag", "."])).options == TagOptions()
    options = tag_request(parser.parse_args([
        "tag", ".", "--max-radius-m", "250", "--same-place-m", "60", "--privacy-zone", "1,2,300", "--privacy", "omit", "--no-privacy-names",
        "--gpx", "a.gpx", "--track", "b.kml", "--no-clock-inference", "--clock", "NIKON Z 6=+01:00", "--overwrite"])).options
    assert options.policy == PlacementPolicy(max_radius_m=250, same_place_m=60)
    assert options.privacy == PrivacyOptions(zones=("1,2,300",), mode="omit", names=False)
    assert (options.tracks, options.infer_clocks, options.clocks, options.overwrite) == (("a.gpx", "b.kml"), False, ("NIKON Z 6=+01:00",), True)
    assert TagOptions.from_json(options.to_json()) == options  # the job store's round trip
