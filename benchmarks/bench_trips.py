"""Trips from several devices: how many camera photos each approach places, how well, and how the
tagging time grows with the folder.

Part 1, accuracy. Synthetic trips written by this script (small real JPEGs with EXIF written by
exiv2): a phone with GPS, its clock on the local zone with OffsetTimeOriginal and GPS times; one or
two cameras without GPS whose clocks are right, minutes off, on home time and minutes off, or
changed by an hour mid-trip (DST); the phone shooting sparsely or densely at the same stops as the
cameras, which also shoot a few photos on the move. Side by side on identical copies:

- **Geo-R** (``geor tag``, no options: clocks inferred);
- **same-camera propagation** (what Geo-R did before: neighbours of the same camera only, which a
  camera without GPS never has; Geo-R with clock inference off and no --tz behaves the same);
- **the manual workflow**: the phone photos' positions and GPS times exported with exiftool into a
  GPX, then ``exiftool -geotag`` on the camera folders with the camera's offset typed in by hand
  (``-geotime<${DateTimeOriginal}+HH:MM`` and ``-geosync`` for the seconds): correctly, and off by
  one hour (the camera taken to be on the phone's local time).

Reported per scenario: camera photos written within 50 m / 200 m / 1 km of the truth and written
more than 1 km off (shares of all camera photos), photos proposed for review, and Geo-R's clock
strength and median error per camera (per seed).

Part 2, the generated trip family of the clock tests (several zones, skews of minutes to hours,
stops of 10-60 min, walking and driving, sparse and dense phones): clocks by strength, their error
and stated spread, and the shares written, right, beyond their radius and in review, per shape.

Part 3, scaling: tagging 1,000 / 10,000 / 50,000 photos (metadata only: the job store filled as
the read stage leaves it, then clocks, decisions, checks and reports), each size in a fresh
process so its peak memory is its own; time per photo must stay flat.

Run: .venv/bin/python benchmarks/bench_trips.py [--quick]   (needs exiftool on the PATH)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geor.engine.pipeline import TagOptions, open_job_store, plan_job, run_tag_job  # noqa: E402
from geor.engine.pipeline.jobstore import Reading  # noqa: E402
from geor.engine.placement.clock_offsets import format_offset  # noqa: E402
from geor.engine.placement.policy import distance_m  # noqa: E402

if TYPE_CHECKING:
    from tests.helpers.trip_family import Trip

ZONE_S = 2 * 3600  # the trip's local zone (the phone's clock)
START = dt.datetime(2024, 10, 24, 6, 0, tzinfo=dt.UTC)


@dataclasses.dataclass
class Camera:
    name: str
    offset_s: float  # the clock minus UTC
    jump_on_day: int | None = None  # the clock set one hour later from this day on (a DST change)
    shots: int = 5


@dataclasses.dataclass
class Scenario:
    name: str
    cameras: list[Camera]
    phone_shots: int = 3
    days: int = 4
    stops: int = 6


SCENARIOS = [
    Scenario("clock right (local zone)", [Camera("NIKON Z 6", ZONE_S)]),
    Scenario("minutes off", [Camera("NIKON Z 6", ZONE_S + 192)]),
    Scenario("home time + minutes", [Camera("NIKON Z 6", 3600 + 253)]),
    Scenario("DST change mid-trip", [Camera("NIKON Z 6", 3600 + 253, jump_on_day=2)]),
    Scenario("sparse phone (1 per stop)", [Camera("NIKON Z 6", 3600 + 253)], phone_shots=1),
    Scenario("dense phone (8 per stop)", [Camera("NIKON Z 6", 3600 + 253)], phone_shots=8),
    Scenario("two cameras", [Camera("NIKON Z 6", 3600 + 253), Camera("Canon EOS R6", ZONE_S - 125)]),
]


@dataclasses.dataclass
class Shot:
    device: str
    utc: dt.datetime
    lat: float
    lon: float


def plan_trip(scenario: Scenario, seed: int) -> list[Shot]:
    """Stops 15-40 min long, 30-90 min apart, 1-15 km apart (walked or driven); the phone on
    arriving and at random, the cameras at random within each stop and a few on the way."""
    rng = np.random.default_rng(seed)
    shots: list[Shot] = []
    lat, lon = 41.9 + rng.uniform(-0.5, 0.5), 12.5 + rng.uniform(-0.5, 0.5)
    for day in range(scenario.days):
        at = START + dt.timedelta(days=day, minutes=float(rng.uniform(0, 60)))
        for _ in range(scenario.stops):
            length = float(rng.uniform(15, 40)) * 60
            moments = [float(rng.uniform(0, 180))] + list(rng.uniform(0, length, scenario.phone_shots - 1))
            for m in moments[: scenario.phone_shots]:
                shots.append(Shot("phone", at + dt.timedelta(seconds=m), lat + rng.normal(0, 5e-5), lon + rng.normal(0, 5e-5)))
            for camera in scenario.cameras:
                for m in rng.uniform(0, length, camera.shots):
                    shots.append(Shot(camera.name, at + dt.timedelta(seconds=float(m)), lat + rng.normal(0, 1e-4), lon + rng.normal(0, 1e-4)))
            travel = float(rng.uniform(30, 90)) * 60
            km = float(rng.uniform(1, 15))
            bearing = float(rng.uniform(0, 2 * math.pi))
            to_lat = lat + km / 111.2 * math.cos(bearing)
            to_lon = lon + km / (111.2 * math.cos(math.radians(lat))) * math.sin(bearing)
            for camera in scenario.cameras:  # one photo out of the window, on the way
                f = float(rng.uniform(0.1, 0.9))
                shots.append(Shot(camera.name, at + dt.timedelta(seconds=length + f * travel), lat + f * (to_lat - lat), lon + f * (to_lon - lon)))
            at += dt.timedelta(seconds=length + travel)
            lat, lon = to_lat, to_lon
    return shots


def camera_clock(camera: Camera, utc: dt.datetime) -> float:
    jumped = camera.jump_on_day is not None and utc >= START + dt.timedelta(days=camera.jump_on_day)
    return camera.offset_s + (3600 if jumped else 0)


def write_trip(folder: Path, scenario: Scenario, shots: list[Shot]) -> dict[str, tuple[float, float, float]]:
    """Photos on disk; returns camera file -> (lat, lon, true clock offset)."""
    import pyexiv2
    from PIL import Image

    sys.path.insert(0, str(ROOT))
    from tests.helpers.exiv2_gps import exif_gps_tags

    blank = folder / ".blank.jpg"
    folder.mkdir(parents=True)
    Image.new("RGB", (32, 24), (90, 120, 150)).save(blank, quality=80)
    truth = {}
    cameras = {c.name: c for c in scenario.cameras}
    for i, shot in enumerate(sorted(shots, key=lambda s: s.utc)):
        if shot.device == "phone":
            path = folder / "phone" / f"IMG_{i:05d}.jpg"
            local = shot.utc + dt.timedelta(seconds=ZONE_S)
            tags = {"Exif.Image.Make": "Apple", "Exif.Image.Model": "iPhone 15", "Exif.Photo.OffsetTimeOriginal": "+02:00",
                    "Exif.GPSInfo.GPSDateStamp": shot.utc.strftime("%Y:%m:%d"),
                    "Exif.GPSInfo.GPSTimeStamp": f"{shot.utc.hour}/1 {shot.utc.minute}/1 {shot.utc.second}/1",
                    **exif_gps_tags(shot.lat, shot.lon)}
        else:
            camera = cameras[shot.device]
            path = folder / shot.device.replace(" ", "_") / f"DSC_{i:05d}.jpg"
            offset = camera_clock(camera, shot.utc)
            local = shot.utc + dt.timedelta(seconds=offset)
            make, model = shot.device.split(" ", 1)
            tags = {"Exif.Image.Make": make, "Exif.Image.Model": model}
            truth[path.name] = (shot.lat, shot.lon, offset)
        path.parent.mkdir(exist_ok=True)
        shutil.copy(blank, path)
        tags["Exif.Photo.DateTimeOriginal"] = local.strftime("%Y:%m:%d %H:%M:%S")
        with pyexiv2.Image(str(path)) as handle:
            handle.modify_exif(tags)
    blank.unlink()
    return truth


def run_geor(folder: Path, infer: bool) -> tuple[dict[str, tuple[str, float | None, float | None]], list]:
    """(file -> (stage, lat, lon)) of a dry run, and the clocks."""
    options = TagOptions(dry_run=True, infer_clocks=infer)
    plan = plan_job(options)
    store, _ = open_job_store(folder, options, new_job=True)
    summary = run_tag_job(store, options, plan.sources, None, None, plan.track)
    found = {Path(store.path_of(r)).name: (r.stage, r.lat, r.lon) for r in store.photos()}
    store.close()
    return found, summary.clocks


def run_manual(folder: Path, exiftool: str, typed: dict[str, float]) -> dict[str, tuple[str, float | None, float | None]]:
    """The phone photos' positions exported as GPX, then exiftool -geotag on each camera's folder
    with that camera's offset typed in (``typed``: folder name -> offset)."""
    gpx = folder / "phone.gpx"
    points = json.loads(subprocess.run([exiftool, "-j", "-n", "-GPSLatitude", "-GPSLongitude", "-GPSDateTime", "-r", str(folder / "phone")],
                                       capture_output=True, text=True, check=True).stdout)
    body = "".join(f'<trkpt lat="{p["GPSLatitude"]}" lon="{p["GPSLongitude"]}"><time>{_iso(p["GPSDateTime"])}</time></trkpt>'
                   for p in sorted(points, key=lambda p: p["GPSDateTime"]))
    gpx.write_text(f'<?xml version="1.0"?><gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}'
                   "</trkseg></trk></gpx>")
    cameras = [d for d in folder.iterdir() if d.is_dir() and d.name != "phone"]
    for camera in cameras:
        geotag(exiftool, gpx, camera, typed[camera.name])
    read = json.loads(subprocess.run([exiftool, "-j", "-n", "-GPSLatitude", "-GPSLongitude", *map(str, cameras)],
                                     capture_output=True, text=True, check=True).stdout or "[]")
    return {Path(r["SourceFile"]).name: ("written" if "GPSLatitude" in r else "unplaced", r.get("GPSLatitude"), r.get("GPSLongitude"))
            for r in read}


def geotag(exiftool: str, gpx: Path, folder: Path, offset: float) -> None:
    """``exiftool -geotag`` on a folder whose clock is ``offset`` seconds ahead of UTC, typed as a
    user would: the zone in -geotime, the seconds a zone cannot hold in -geosync."""
    zone = format_offset(offset)
    hours, minutes = zone[1:].split(":")[:2]
    tz = f"{zone[0]}{int(hours):02d}:{minutes}"
    rest = offset - (1 if zone[0] == "+" else -1) * (int(hours) * 3600 + int(minutes) * 60)
    args = [exiftool, "-q", "-q", "-overwrite_original", "-geotag", str(gpx), f"-geotime<${{DateTimeOriginal}}{tz}"]
    if rest:
        args.append(f"-geosync={-rest:+.0f}")
    subprocess.run([*args, str(folder)], capture_output=True, text=True)


def family_exiftool(trip: Trip, exiftool: str, folder: Path) -> dict[int, float | None]:
    """exiftool -geotag with the camera's true offset typed in, on one generated trip: the phone's
    positions and GPS times as a GPX, the camera's photos as small JPEGs with their clock readings;
    returns camera photo id -> error in metres (None: not written)."""
    from PIL import Image

    from tests.helpers.trip_family import PHONE

    folder.mkdir(parents=True)
    fixes = sorted((p.gps_time, *p.position) for p in trip.photos if p.camera == PHONE and p.gps_time is not None and p.position)
    gpx = folder / "phone.gpx"
    gpx.write_text('<?xml version="1.0"?><gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
                   + "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>{dt.datetime.fromtimestamp(t, dt.UTC):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
                             for t, lat, lon in fixes)
                   + "</trkseg></trk></gpx>")
    camera = folder / "camera"
    camera.mkdir()
    blank = folder / "blank.jpg"
    Image.new("RGB", (16, 12), (90, 120, 150)).save(blank)
    args = []
    for photo_id in trip.truth:
        photo = next(p for p in trip.photos if p.id == photo_id)
        path = camera / f"{photo_id}.jpg"
        shutil.copy(blank, path)
        args += ["-overwrite_original", f"-DateTimeOriginal={dt.datetime.fromtimestamp(photo.local, dt.UTC):%Y:%m:%d %H:%M:%S}", str(path),
                 "-execute"]
    (folder / "args.txt").write_text("\n".join(args) + "\n")
    subprocess.run([exiftool, "-q", "-@", str(folder / "args.txt")], check=True, capture_output=True)
    geotag(exiftool, gpx, camera, trip.shape.camera_offset_s)
    read = json.loads(subprocess.run([exiftool, "-j", "-n", "-GPSLatitude", "-GPSLongitude", str(camera)], capture_output=True, text=True,
                                     check=True).stdout or "[]")
    errors: dict[int, float | None] = {}
    for row in read:
        photo_id = int(Path(row["SourceFile"]).stem)
        truth = trip.truth[photo_id]
        errors[photo_id] = distance_m(row["GPSLatitude"], row["GPSLongitude"], truth.lat, truth.lon) if "GPSLatitude" in row else None
    return errors


def _iso(exif_time: str) -> str:
    return exif_time.replace(":", "-", 2).replace(" ", "T").rstrip("Z") + "Z"


def judge(found: dict[str, tuple[str, float | None, float | None]], truth: dict[str, tuple[float, float, float]]) -> dict[str, float]:
    within = {50: 0, 200: 0, 1000: 0}
    review = wrong = 0
    for name, (lat, lon, _) in truth.items():
        stage, got_lat, got_lon = found.get(name, ("unplaced", None, None))
        if stage == "review":
            review += 1
        if stage not in ("decided", "written") or got_lat is None or got_lon is None:
            continue
        error = distance_m(got_lat, got_lon, lat, lon)
        for bound in within:
            within[bound] += error <= bound
        wrong += error > 1000
    n = len(truth)
    return {"50 m": within[50] / n, "200 m": within[200] / n, "1 km": within[1000] / n, "wrong": wrong / n, "review": review / n}


def clock_error(clocks: list, scenario: Scenario, shots: list[Shot]) -> str:
    """Geo-R's offset against the truth, per camera (its segments weighted by photos)."""
    parts = []
    for camera in scenario.cameras:
        clock = next((c for c in clocks if c.camera.endswith(camera.name.split(" ", 1)[1])), None)
        if clock is None or not clock.segments:
            parts.append(f"{camera.name}: unknown")
            continue
        errors = []
        for shot in (s for s in shots if s.device == camera.name):
            true = camera_clock(camera, shot.utc)
            local = shot.utc.timestamp() + true
            guess = next((seg.offset_s for seg in clock.segments if seg.first <= local <= seg.last),
                         min(clock.segments, key=lambda seg: min(abs(seg.first - local), abs(seg.last - local))).offset_s)
            errors.append(abs(guess - true))
        parts.append(f"{clock.strength} {np.median(errors):,.0f} s")
    return "; ".join(parts)


def accuracy(quick: bool, exiftool: str) -> None:
    seeds = (1,) if quick else (1, 2, 3)
    print(f"{'scenario':28} {'approach':37} {'50 m':>5} {'200 m':>5} {'1 km':>5} {'>1 km':>5} {'review':>6}  "
          "clock (Geo-R: strength, median error)")
    for scenario in SCENARIOS:
        totals: dict[str, list[dict[str, float]]] = {}
        clock_words = []
        for seed in seeds:
            shots = plan_trip(scenario, seed)
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / "trip"
                truth = write_trip(folder, scenario, shots)
                found, clocks = run_geor(folder, infer=True)
                totals.setdefault("Geo-R (no options)", []).append(judge(found, truth))
                clock_words.append(clock_error(clocks, scenario, shots))
                found, _ = run_geor(folder, infer=False)
                totals.setdefault("same-camera propagation", []).append(judge(found, truth))
                right = {c.name.replace(" ", "_"): c.offset_s for c in scenario.cameras}  # as at the start of the trip
                wrong = {name: offset + 3600 for name, offset in right.items()}
                for label, typed in (("exiftool -geotag, offset typed right", right), ("exiftool -geotag, off by 1 h", wrong)):
                    copy = Path(tmp) / label.replace(" ", "_")
                    shutil.copytree(folder, copy)
                    totals.setdefault(label, []).append(judge(run_manual(copy, exiftool, typed), truth))
        for k, (label, runs) in enumerate(totals.items()):
            mean = {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}
            print(f"{scenario.name if k == 0 else '':28} {label:37} {mean['50 m']:5.0%} {mean['200 m']:5.0%} {mean['1 km']:5.0%} "
                  f"{mean['wrong']:5.0%} {mean['review']:6.0%}  {' | '.join(clock_words) if k == 0 else ''}")


def family(seeds: int, exiftool: str, exiftool_seeds: int) -> None:
    """The generated trip family of the clock tests (tests/helpers/trip_family.py), metadata only:
    per shape, the camera clocks by strength, their error against the truth and stated spread, and
    the shares of camera photos written, written within 200 m, written beyond their stated radius,
    and proposed for review."""
    from tests.helpers.trip_family import SHAPES, make_trip, placed

    print(f"\n{'trip shape':66} {'clocks s/b/w':>12} {'median error':>12} {'median spread':>13} "
          f"{'written':>7} {'<=200 m':>7} {'>radius':>7} {'>1 km':>6} {'review':>6}   exiftool right offset: {'written':>7} {'<=200 m':>7} {'>1 km':>6}"
          f"   Geo-R --clock right: {'written':>7} {'<=200 m':>7} {'>radius':>7}")
    for shape in SHAPES:
        manual = []
        with tempfile.TemporaryDirectory() as tmp:
            for seed in range(exiftool_seeds):
                manual += list(family_exiftool(make_trip(shape, seed), exiftool, Path(tmp) / str(seed)).values())
        strengths: dict[str, int] = {"strong": 0, "bounded": 0, "weak": 0}
        errors, spreads, written, right, beyond, wrong, review, total = [], [], 0, 0, 0, 0, 0, 0
        for seed in range(seeds):
            trip = make_trip(shape, seed)
            clock, found = placed(trip)
            strengths[clock.strength if clock.strength in strengths else "weak"] += 1
            if clock.offset_s is not None:
                errors.append(abs(clock.offset_s - shape.camera_offset_s))
                spreads.append(clock.uncertainty_s)
            total += len(trip.truth)
            for stage, error, radius in found.values():
                written += stage == "decided"
                right += stage == "decided" and error <= 200
                beyond += stage == "decided" and error > radius
                wrong += stage == "decided" and error > 1000
                review += stage == "review"
        typed = [0, 0, 0]  # written, within 200 m, beyond the radius: the placement rules' own reach, with the clock given
        for seed in range(seeds):
            for stage, error, radius in placed(make_trip(shape, seed), typed=True)[1].values():
                typed[0] += stage == "decided"
                typed[1] += stage == "decided" and error <= 200
                typed[2] += stage == "decided" and error > radius
        counts = "/".join(str(strengths[k]) for k in ("strong", "bounded", "weak"))
        done = [e for e in manual if e is not None]
        print(f"{shape.name:66} {counts:>12} {np.median(errors):10,.0f} s {np.median(spreads):11,.0f} s "
              f"{written / total:7.0%} {right / total:7.0%} {beyond / total:7.0%} {wrong / total:6.0%} {review / total:6.0%}   "
              f"{'':22}{len(done) / len(manual):7.0%} {sum(e <= 200 for e in done) / len(manual):7.0%} "
              f"{sum(e > 1000 for e in done) / len(manual):6.0%}   {'':20}{typed[0] / total:7.0%} {typed[1] / total:7.0%} {typed[2] / total:7.1%}")


def real_tracks(folders: list[Path], seeds: int) -> None:
    """Trips on tracks real loggers recorded (tests/helpers/trip_family.trip_on_track: their stops,
    and their real ways between them), for every track file in ``folders`` with 3 stops or more:
    per phone density, the camera photos written, within 200 m and beyond their stated radius, with
    the clock inferred and with the right offset typed."""
    from geor.engine.placement.tracks import read_track_file
    from geor.engine.placement.tracks.track import TrackError
    from tests.helpers.trip_family import REAL_SHAPES, placed, stops_of, trip_on_track

    tracks = []
    for path in sorted(p for folder in folders for p in folder.iterdir() if p.suffix.lower() in (".gpx", ".fit", ".kml", ".tcx")):
        try:
            fixes, _ = read_track_file(path)
        except TrackError:
            continue
        points = sorted((f.t, f.lat, f.lon) for f in fixes)
        if len(stops_of(points)) >= 3:
            tracks.append(points)
    print(f"\n{len(tracks)} real tracks with 3 stops or more, {seeds} seeds x {len(REAL_SHAPES)} camera clocks each")
    print(f"{'phone':8} {'clock':9} {'trips':>5} {'photos':>7} {'written':>7} {'<=200 m':>7} {'>radius':>8}")
    for phone in ("sparse", "dense"):
        for typed in (False, True):
            n = photos = written = right = beyond = 0
            for points in tracks:
                for seed in range(seeds):
                    for offset, zone_h, late in REAL_SHAPES:
                        trip = trip_on_track(points, seed, phone, offset, zone_h, late)
                        found = placed(trip, typed=typed)[1].values()
                        n += 1
                        photos += len(trip.truth)
                        written += sum(stage == "decided" for stage, _, _ in found)
                        right += sum(stage == "decided" and error <= 200 for stage, error, _ in found)
                        beyond += sum(stage == "decided" and error > radius for stage, error, radius in found)
            print(f"{phone:8} {'typed' if typed else 'inferred':9} {n:5} {photos:7,} {written / photos:7.0%} {right / photos:7.0%} {beyond:8,}")


def fill_store(n: int, folder: Path) -> None:
    """A job store as the read stage leaves it for n photos: a phone (40 %) and two cameras."""
    rng = np.random.default_rng(n)
    options = TagOptions(dry_run=True)
    store, _ = open_job_store(folder, options, new_job=True)
    rows: list[tuple[bytes, Reading]] = []
    t = START.timestamp()
    lat, lon = 41.9, 12.5
    while len(rows) < n:
        length = float(rng.uniform(15, 40)) * 60
        for device, count, offset in (("Apple iPhone 15", 3, ZONE_S), ("NIKON Z 6", 3, 3600 + 253), ("Canon EOS R6", 2, ZONE_S - 125)):
            for m in rng.uniform(0, length, count):
                utc = t + float(m)
                local = dt.datetime.fromtimestamp(utc + offset, dt.UTC).replace(tzinfo=None)
                phone = device.startswith("Apple")
                reading = Reading(taken_at=local.isoformat(), utc_offset_s=ZONE_S if phone else None, time_source="DateTimeOriginal",
                                  camera=device, gps=(lat, lon, None) if phone else None, gps_problem=None,
                                  gps_time=dt.datetime.fromtimestamp(utc, dt.UTC).isoformat() if phone else None, gps_accuracy_m=None)
                rows.append((f"{device[:5]}/{len(rows):06d}.jpg".encode(), reading))
        t += length + float(rng.uniform(30, 90)) * 60
        if (t - START.timestamp()) % 86400 > 14 * 3600:
            t += 10 * 3600
        lat += float(rng.normal(0, 0.03))
        lon += float(rng.normal(0, 0.03))
    with store.transaction():
        for relpath, reading in rows[:n]:
            store.record_reading(store.add_found(relpath, 0, 0), reading)
    store.close()


def scale_one(n: int) -> None:
    """One size in this process: fill, then time the job over it; prints JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        os.environ["GEOR_DATA_DIR"] = str(Path(tmp) / "data")
        fill_store(n, folder)
        options = TagOptions(dry_run=True)
        plan = plan_job(options)
        store, resumed = open_job_store(folder, options)
        assert resumed
        start = time.perf_counter()
        summary = run_tag_job(store, options, plan.sources, None, None, plan.track)
        seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        placed = sum(v for k, v in summary.counts.items() if k.startswith("would tag"))
        print(json.dumps({"n": n, "seconds": seconds, "peak_mib": peak_mib, "placed": placed}))


def scaling(quick: bool) -> None:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 50_000)
    print(f"\n{'photos':>8} {'seconds':>9} {'ms/photo':>9} {'placed':>8} {'peak MiB':>9}")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--scale-one", str(n)], capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{n:8,} {row['seconds']:9.1f} {1000 * row['seconds'] / n:9.2f} {row['placed']:8,} {row['peak_mib']:9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed per scenario; 1,000 and 10,000 photos only")
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("accuracy", "family", "real", "scaling"))
    parser.add_argument("--tracks", type=Path, action="append", default=[],
                        help="a folder of more real track files for --only real (default: the tests' own)")
    parser.add_argument("--family-seeds", type=int, default=40, help="trips per shape of the generated family (default %(default)s)")
    args = parser.parse_args()
    if args.scale_one:
        scale_one(args.scale_one)
        return
    exiftool = shutil.which("exiftool")
    if not exiftool:
        sys.exit("needs exiftool on the PATH (the manual workflow it is compared with)")
    with tempfile.TemporaryDirectory() as home:
        os.environ.setdefault("GEOR_DATA_DIR", home)
        os.environ.setdefault("GEOR_CONFIG_DIR", home)
        version = subprocess.run([exiftool, "-ver"], capture_output=True, text=True).stdout.strip()
        print(f"exiftool {version}; {os.cpu_count()} cores\n")
        if args.only in (None, "accuracy"):
            accuracy(args.quick, exiftool)
        if args.only in (None, "family"):
            family(10 if args.quick else args.family_seeds, exiftool, 2 if args.quick else 5)
        if args.only in (None, "real"):
            real_tracks([ROOT / "tests" / "engine" / "placement" / "tracks" / "data", *args.tracks], 3 if args.quick else 5)
        if args.only in (None, "scaling"):
            scaling(args.quick)


if __name__ == "__main__":
    main()
