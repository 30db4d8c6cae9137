"""Geotagging a folder from a GPX track, side by side on identical copies of the same photos:
``geor tag --gpx`` vs ``exiftool -geotag`` (the tool photographers use for this job).

Both read every photo's time, match it to the track, and write GPS into each file in place. Geo-R
also names the place (offline geocoder), journals every change for undo, and verifies each file
before replacing it. Photos: 2,000 JPEGs of 1024x768 written by Pillow, EXIF by exiv2.

Run: .venv/bin/python benchmarks/bench_tagging.py [--photos 2000]   (needs exiftool on the PATH)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

T0 = dt.datetime(2024, 7, 14, 8, 0, 0)
TZ = "+09:00"


def make_photos(folder: Path, n: int) -> None:
    import pyexiv2

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:768, 0:1024]
    base = np.stack([x % 256, y % 256, (x + y) % 256], axis=-1).astype(np.float32)
    for i in range(n):
        pixels = np.clip(base + rng.normal(0, 8, base.shape), 0, 255).astype(np.uint8)
        path = folder / f"IMG_{i:05d}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        with pyexiv2.Image(str(path)) as handle:
            handle.modify_exif({"Exif.Image.Make": "Bench", "Exif.Image.Model": "Cam",
                                "Exif.Photo.DateTimeOriginal": (T0 + dt.timedelta(seconds=10 * i)).strftime("%Y:%m:%d %H:%M:%S")})


def make_gpx(path: Path, n: int) -> None:
    start = T0 - dt.timedelta(hours=9) - dt.timedelta(minutes=5)
    points = []
    for k in range(n // 3 + 20):  # a fix every 30 s along a line through Hokkaido
        t = start + dt.timedelta(seconds=30 * k)
        points.append(f'<trkpt lat="{43.4 + k * 1e-4:.6f}" lon="{142.5 + k * 1e-4:.6f}"><ele>{200 + k % 50}</ele>'
                      f'<time>{t.strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>')
    path.write_text('<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
                    + "".join(points) + "</trkseg></trk></gpx>")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr[-2000:]}")
    return time.perf_counter() - started


def positions(folder: Path) -> np.ndarray:
    out = subprocess.run(["exiftool", "-n", "-T", "-GPSLatitude", "-GPSLongitude", "-ext", "jpg", str(folder)],
                         capture_output=True, text=True, check=True).stdout
    return np.array([[float(v) for v in line.split("\t")] for line in out.splitlines() if "-" not in line.split("\t")[0]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("exiftool"):
        sys.exit("exiftool is not installed (Debian: apt-get install libimage-exiftool-perl)")
    geor = shutil.which("geor", path=str(Path(sys.executable).parent))
    if geor is None:
        sys.exit("no geor command beside this Python (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "source"
        source.mkdir()
        print(f"writing {args.photos} photos ...", file=sys.stderr)
        make_photos(source, args.photos)
        gpx = tmp_path / "track.gpx"
        make_gpx(gpx, args.photos)
        size_mb = sum(p.stat().st_size for p in source.iterdir()) / 1e6
        for name in ("geor", "exiftool"):
            shutil.copytree(source, tmp_path / name)
        env = os.environ | {"GEOR_DATA_DIR": str(tmp_path / "geor-data")}
        # the geocoder's default pack is built once per machine; share it so that is not timed
        from geor.engine.geo.geocoder.default_location import default_pack_path

        pack = default_pack_path(progress=lambda m: print(m, file=sys.stderr))
        (tmp_path / "geor-data" / "regionpacks").mkdir(parents=True)
        (tmp_path / "geor-data" / "regionpacks" / pack.name).symlink_to(pack)
        seconds = {
            "geor": timed([geor, "tag", str(tmp_path / "geor"), "--gpx", str(gpx), "--tz", TZ], env),
            "exiftool": timed(["exiftool", "-q", "-geotag", str(gpx), f"-geotime<${{DateTimeOriginal}}{TZ}", "-overwrite_original",
                               "-ext", "jpg", str(tmp_path / "exiftool")], env),
        }
        ours, theirs = positions(tmp_path / "geor"), positions(tmp_path / "exiftool")
    n = args.photos
    print(f"# GPX geotagging of {n:,} JPEGs (1024x768, {size_mb:,.0f} MB in all), in place, 2 cores")
    print()
    print("| tool | wall time | photos/s | tagged |")
    print("|---|---:|---:|---:|")
    print(f"| geor tag --gpx (+ place names, undo journal, verified atomic writes) | {seconds['geor']:.1f} s | {n / seconds['geor']:,.0f} | {len(ours):,} |")
    print(f"| exiftool -geotag -overwrite_original | {seconds['exiftool']:.1f} s | {n / seconds['exiftool']:,.0f} | {len(theirs):,} |")
    print()
    print(f"Geo-R: {seconds['exiftool'] / seconds['geor']:.1f}x exiftool's speed on the same job.")
    if len(ours) == len(theirs) and len(ours):
        print(f"Largest difference between the two tools' positions: {np.abs(ours - theirs).max():.2e} degrees.")


if __name__ == "__main__":
    main()
