"""A trip folder as users drop it: ``phone/`` (a real iPhone's JPEG, GPS on, its clock on local
time with OffsetTimeOriginal) and ``camera/`` (a real Nikon's JPEG, no GPS, its clock on home
time and a few minutes off), both shooting at the same stops. The files are copies of real
cameras' photos from the corpus (maker notes and all) whose times and positions are set by
ExifTool, one process for the whole folder."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).parent.parent / "engine" / "photos" / "corpus"
PHONE_FILE, CAMERA_FILE = CORPUS / "exiftool-Apple.jpg", CORPUS / "exiftool-NikonD70.jpg"
PHONE_NAME, CAMERA_NAME = "Apple iPhone 7", "NIKON CORPORATION NIKON D70"


@dataclass
class Trip:
    root: Path
    camera_offset_s: float
    truth: dict[str, tuple[float, float]] = field(default_factory=dict)  # camera file -> where it was taken


def _exif_time(when: dt.datetime) -> str:
    return when.strftime("%Y:%m:%d %H:%M:%S")


def make_trip(root: Path, exiftool: str, *, stops: int = 6, phone_shots: int = 2, camera_shots: int = 4, seed: int = 0,
              zone_h: float = 2.0, camera_offset_s: float = 3600 + 4 * 60 + 13, start: dt.datetime | None = None) -> Trip:
    """Stops an hour or more apart along a walk through Ljubljana (UTC+2 in summer)."""
    rng = np.random.default_rng(seed)
    start = start or dt.datetime(2024, 7, 14, 7, 30, tzinfo=dt.UTC)
    phone_dir, camera_dir = root / "phone", root / "camera"
    phone_dir.mkdir(parents=True)
    camera_dir.mkdir()
    trip = Trip(root, camera_offset_s)
    args: list[str] = []
    at = start
    for stop in range(stops):
        lat = 46.0500 + 0.004 * stop + rng.normal(0, 0.0003)
        lon = 14.5050 + 0.006 * stop * math.cos(stop) + rng.normal(0, 0.0003)
        length = rng.uniform(15, 30) * 60
        # the phone on arriving and before leaving (and between), the camera at any moment of the stop
        moments = [rng.uniform(0, 120), rng.uniform(length - 120, length), *rng.uniform(0, length, max(phone_shots - 2, 0))]
        for k, moment in enumerate(sorted(moments[:max(phone_shots, 1)])):
            when = at + dt.timedelta(seconds=float(moment))
            path = phone_dir / f"IMG_{stop:02d}{k}.JPG"
            shutil.copy(PHONE_FILE, path)
            local = when + dt.timedelta(hours=zone_h)
            args += ["-overwrite_original", f"-DateTimeOriginal={_exif_time(local)}", f"-CreateDate={_exif_time(local)}",
                     "-OffsetTimeOriginal=+02:00", f"-GPSLatitude={lat + rng.normal(0, 0.00005)}", "-GPSLatitudeRef=N",
                     f"-GPSLongitude={lon + rng.normal(0, 0.00005)}", "-GPSLongitudeRef=E",
                     f"-GPSDateStamp={when:%Y:%m:%d}", f"-GPSTimeStamp={(when - dt.timedelta(seconds=3)):%H:%M:%S}",
                     "-GPSHPositioningError=8", str(path), "-execute"]
        for k, moment in enumerate(sorted(rng.uniform(120, length - 120, camera_shots))):
            when = at + dt.timedelta(seconds=float(moment))
            path = camera_dir / f"DSC_{stop:02d}{k}.JPG"
            shutil.copy(CAMERA_FILE, path)
            clock = when.replace(tzinfo=None) + dt.timedelta(seconds=camera_offset_s)
            args += ["-overwrite_original", f"-DateTimeOriginal={_exif_time(clock)}", f"-CreateDate={_exif_time(clock)}",
                     str(path), "-execute"]
            trip.truth[path.name] = (lat, lon)
        at += dt.timedelta(seconds=length + rng.uniform(45, 90) * 60)
    argfile = root / "args.txt"
    argfile.write_text("\n".join(args) + "\n")
    subprocess.run([exiftool, "-q", "-@", str(argfile)], check=True, capture_output=True)
    argfile.unlink()
    return trip
