"""A mixed trip folder (photos, phones' videos, a GoPro's telemetry, an AVCHD clip, a camera MOV:
tests/helpers/video_trip.py, real devices' videos) tagged two ways on identical copies:

- ``geor tag FOLDER --track walk.gpx``: videos as anchors, telemetry as a track, videos written
  in place (or beside, for AVCHD), every write proven;
- the manual ExifTool workflow a user would otherwise follow: extract the GoPro's telemetry to GPX
  with ExifTool's own ``gpx.fmt`` (``exiftool -ee -p gpx.fmt``), then ``exiftool -geotag`` with both
  tracks over the photos (``-geotime<DateTimeOriginal`` with its offset) and the videos
  (``-api QuickTimeUTC``, ``-geotime<CreateDate``): the phones' videos' own positions cannot be a
  track without more hand work, so it does not use them.

For each: files written, written more than 200 m from where they were (or written where nothing can
tell: the Pentax MOV's clock is unknown), damaged (a video whose demuxed packets changed, FFmpeg via
PyAV; a photo whose pixels changed), and the wall-clock time of the whole run (Geo-R's includes its
start: loading the geocoder, starting ExifTool). ``cp -a`` of the folder is the floor.

Run: .venv/bin/python benchmarks/bench_videos.py   (needs exiftool on the PATH, as the tests do)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def positions(folder: Path) -> dict[str, tuple[float, float] | None]:
    """Every file's position as the system's ExifTool reads it (a sidecar's for the file beside it)."""
    import json

    out = subprocess.run(["exiftool", "-j", "-n", "-r", "-GPSLatitude", "-GPSLongitude", str(folder)], capture_output=True, text=True)
    found: dict[str, tuple[float, float] | None] = {}
    for row in json.loads(out.stdout or "[]"):
        name = os.path.basename(row["SourceFile"])
        where = (row["GPSLatitude"], row["GPSLongitude"]) if "GPSLatitude" in row and "GPSLongitude" in row else None
        if name.lower().endswith(".xmp"):
            stem = name[:-4]
            owner = next((p.name for p in Path(row["SourceFile"]).parent.iterdir() if p.stem == stem and p.suffix.lower() != ".xmp"), name)
            found[owner] = where
        elif found.get(name) is None:
            found[name] = where
    return found


def fingerprints(folder: Path) -> dict[str, object]:
    """What must never change: every video's packets, every photo's pixels."""
    import numpy as np
    from PIL import Image

    from tests.helpers.video_files import packets_sha256

    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.upper() in (".MOV", ".MP4"):
            try:
                found[path.name] = packets_sha256(path)
            except Exception as exc:  # noqa: BLE001 - a file FFmpeg cannot demux at all: its error is its fingerprint
                found[path.name] = repr(exc)
        elif path.suffix.upper() == ".JPG":
            found[path.name] = np.asarray(Image.open(path)).tobytes()
    return found


def judge(folder: Path, before: dict[str, object]) -> tuple[int, int, int]:
    from geor.engine.placement.policy import distance_m
    from tests.helpers.video_trip import TRUTH

    found = positions(folder)
    written = wrong = 0
    for name, truth in TRUTH.items():
        where = found.get(name)
        if where is None:
            continue
        written += 1
        if truth is None or distance_m(*where, *truth) > 200:
            wrong += 1
    after = fingerprints(folder)
    damaged = sum(1 for name, value in before.items() if after.get(name) != value)
    return written, wrong, damaged


def run_geor(folder: Path, track: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "geor"), "tag", str(folder), "--track", str(track)], env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def run_exiftool(folder: Path, track: Path, fmt: Path) -> float:
    start = time.perf_counter()
    gopro = folder.parent / "gopro-telemetry.gpx"
    with open(gopro, "w") as out:
        subprocess.run(["exiftool", "-q", "-q", "-ee", "-p", str(fmt), str(folder / "gopro" / "GS010001.MP4")], stdout=out, check=True)
    tracks = ["-geotag", str(track), "-geotag", str(gopro)]
    subprocess.run(["exiftool", "-q", "-q", "-r", *tracks, "-geotime<${DateTimeOriginal}${OffsetTimeOriginal}", "-overwrite_original",
                    "-ext", "jpg", str(folder)], check=False)
    subprocess.run(["exiftool", "-q", "-q", "-r", "-api", "QuickTimeUTC", *tracks, "-geotime<CreateDate", "-overwrite_original",
                    "-ext", "mp4", "-ext", "mov", "-ext", "mts", str(folder)], check=False)
    return time.perf_counter() - start


def main() -> None:
    from geor.engine.geo.geocoder.default_location import default_pack_path
    from geor.engine.photos.exiftool import find_exiftool
    from tests.helpers.video_trip import make_folder, write_track

    if not shutil.which("exiftool"):
        sys.exit("needs exiftool on the PATH (Debian: apt install libimage-exiftool-perl)")
    fmt = find_exiftool().parent / "fmt_files" / "gpx.fmt"
    pack = default_pack_path()
    with tempfile.TemporaryDirectory(prefix="geor-bench-videos-") as tmp:
        base = Path(tmp)
        home = base / "home"
        (home / "regionpacks").mkdir(parents=True)
        (home / "regionpacks" / pack.name).symlink_to(pack)
        env = os.environ | {"GEOR_DATA_DIR": str(home), "GEOR_CONFIG_DIR": str(base / "config")}
        source = make_folder(base / "source" / "trip")
        track = base / "walk.gpx"
        write_track(track)
        before = fingerprints(source)
        results = {}
        start = time.perf_counter()
        shutil.copytree(source, base / "cp" / "trip", copy_function=shutil.copy2)
        floor = time.perf_counter() - start
        for name, run in (("geor", lambda folder: run_geor(folder, track, env)), ("exiftool", lambda folder: run_exiftool(folder, track, fmt))):
            folder = base / name / "trip"
            shutil.copytree(source, folder, copy_function=shutil.copy2)
            seconds = run(folder)
            results[name] = (*judge(folder, before), seconds)
    total = 7
    print(f"Mixed trip: 4 photos, 6 videos (iPhone, 2 Android, GoPro MAX, Sony AVCHD, Pentax MOV), 2 DJI SRT, a GPX walk; {total} files to place")
    print()
    print("| workflow | written | wrong (> 200 m, or unknowable) | damaged | seconds |")
    print("| --- | --- | --- | --- | --- |")
    labels = {"geor": "geor tag FOLDER --track walk.gpx", "exiftool": "exiftool -ee -p gpx.fmt, then exiftool -geotag (photos, videos)"}
    for name, (written, wrong, damaged, seconds) in results.items():
        print(f"| {labels[name]} | {written} of {total} | {wrong} | {damaged} | {seconds:.2f} |")
    print(f"| cp -a (the floor) | - | - | - | {floor:.2f} |")


if __name__ == "__main__":
    main()
