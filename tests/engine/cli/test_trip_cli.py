"""The trip a user drops: ``phone/`` (GPS, zoned clock) and ``camera/`` (no GPS, home time, a few
minutes off), real cameras' files. ``geor tag FOLDER`` with no options infers the camera's clock,
says so with its evidence and its spread, writes the camera photos that spread cannot move out of
their stops, leaves the others for review, and ExifTool reads the positions back."""

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from geor.engine.placement.policy import distance_m

from ...helpers.cli_runs import geor
from ...helpers.photo_files import EXIFTOOL
from ...helpers.trip import CAMERA_NAME, PHONE_NAME, make_trip

pytestmark = pytest.mark.skipif(not EXIFTOOL, reason="needs exiftool, the independent reader (.ci/run installs it)")


def exiftool_positions(folder):
    out = subprocess.run([EXIFTOOL, "-j", "-n", "-GPSLatitude", "-GPSLongitude", str(folder)], capture_output=True, text=True, check=True)
    return {os.path.basename(r["SourceFile"]): (r.get("GPSLatitude"), r.get("GPSLongitude")) for r in json.loads(out.stdout)}


def test_a_phone_and_a_camera_with_no_options(tmp_path, cli_env):
    trip = make_trip(tmp_path / "Slovenia 2024", EXIFTOOL, stops=8)
    env = cli_env | {"GEOR_CONFIG_DIR": str(tmp_path / "config")}
    result = geor(env, "tag", str(trip.root))
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith(CAMERA_NAME))
    assert "+1:04" in line or "+1:03" in line or "+1:05" in line, line  # the camera clock: home time (+1 h) and 4 min 13 s fast
    # the phone shoots on arriving and leaving, the camera between: any offset within minutes keeps the camera's
    # photos inside the stops, so the clock is bounded (a camera shooting late in its stops would look the same)
    assert "(bounded): from " in line and f"co-occurring bursts with {PHONE_NAME}" in line and "+- " in line
    assert f"{PHONE_NAME} (16 photos): +2:00 (exact): from its OffsetTime tags (+2:00), which the GPS time of 16" in result.stdout
    assert "16  already had GPS (exif)" in result.stdout
    tagged = int(result.stdout.split("  tagged by interpolated")[0].split()[-1])
    # between a phone photo on arriving and one on leaving the user may have walked away and back: a photo is written only
    # where that walk, and the clock's spread, stay within 1 km (7 of 32 here; 14 before radii allowed for it)
    assert tagged >= 6 and f"{32 - tagged}  left for review" in result.stdout, result.stdout

    written = {name: where for name, where in exiftool_positions(trip.root / "camera").items() if where[0] is not None}
    errors = [distance_m(*written[name], *trip.truth[name]) for name in written]
    assert len(errors) == tagged and max(errors) < 100, sorted(errors)[-3:]  # the phone's fixes scatter ~10 m around each stop

    job = result.stdout.split("geor undo ")[1].split()[0]
    with open(Path(env["GEOR_DATA_DIR"]) / "jobs" / f"{job}-report.csv", encoding="utf-8") as report:
        rows = list(csv.DictReader(report))
    camera_rows = [r for r in rows if os.path.basename(os.path.dirname(r["path"])) == "camera"]
    assert len(camera_rows) == 32
    assert all(r["clock"].endswith("bounded") and f"{CAMERA_NAME} clock +1:0" in r["evidence"] for r in camera_rows)
    for row in camera_rows:  # a photo written lies within its stated radius, which includes the clock's spread
        name = os.path.basename(row["path"])
        if name in written:
            assert "the same place" in row["evidence"] and distance_m(*written[name], *trip.truth[name]) <= float(row["radius_m"]) <= 1000
