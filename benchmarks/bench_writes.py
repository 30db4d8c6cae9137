"""Writing GPS into real cameras' files, side by side on identical copies of the test corpus
(tests/engine/photos/corpus: 35 makes, JPEG/MPO/TIFF/PNG/WebP):

- ``geor tag --gpx`` (Geo-R: ExifTool through its rewrite check, place names, undo journal),
- ``exiftool -geotag`` (what a photographer would otherwise run on the same folder and track), twice:
  the system's ExifTool (the PATH's, Debian's 12.57 here) and the very ExifTool Geo-R runs (its
  vendored release), so that the ratio of the two write paths is not a ratio of two ExifTool
  releases (newer releases parse more: 13.59 reads the corpus about a quarter slower than 12.57),
- the exiv2 writer Geo-R used before 0.2 (pyexiv2 ``modify_exif/xmp/iptc`` then ``get_bytes``, the
  same tags), the alternative the choice of ExifTool was measured against.

Every photo's capture time gets a track point of its own, so each tool can place every photo that
has a time. Damage is judged by one independent reader, the system's ExifTool (tests/helpers/
exiftool_oracle.py: every tag outside the location fields, embedded images and maker-note blobs
byte for byte, validation warnings) plus Pillow's pixels. ``cp -a`` of the same files is the
machine's floor for touching every byte once.

Where geor tag's time goes is measured on one more run of the same job, through the engine's own
entry point (assemble_tag_job, as the CLI and the desktop call it): when each of its steps reported
progress, the processor time of Python and of the ExifTool processes, and ExifTool's commands.

Then the same tools on the corpus's JPEGs at a camera's size (``--megapixels``, 12 by default): the
metadata of each file as its camera wrote it, in front of a photo-sized image, where reading and
copying the image data weigh what they weigh on a photographer's files.

Run: .venv/bin/python benchmarks/bench_writes.py [--repeat 3] [--megapixels 12]   (needs exiftool on the PATH)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import exiftool_oracle as oracle  # noqa: E402
from tests.helpers.exiv2_gps import exif_gps_tags  # noqa: E402

CORPUS = ROOT / "tests" / "engine" / "photos" / "corpus"
EMBEDDED = {".jpg", ".jpeg", ".mpo", ".tif", ".tiff", ".png", ".webp"}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def copies(folder: Path, repeat: int) -> list[Path]:
    folder.mkdir(parents=True)
    made = []
    for n in range(repeat):
        for source in sorted(CORPUS.iterdir()):
            if source.suffix.lower() in EMBEDDED:
                target = folder / f"{n}-{source.name}"
                shutil.copy2(source, target)
                made.append(target)
    return made


def camera_size(folder: Path, megapixels: float) -> list[Path]:
    """The corpus's JPEGs at a camera's size: each file's metadata segments (EXIF with its maker
    note, thumbnail and previews, XMP, ICC, IPTC, as the camera or program wrote them) in front of
    the image data of one photo-like picture of ``megapixels`` (smooth light and sensor noise,
    Pillow at quality 92), so that each file reads as its camera wrote it and weighs what its
    camera's would. Files that hold anything after their image (MPF images, trailers) are left
    out, since their offsets point past it."""
    from PIL import Image

    from geor.engine.photos.jpeg_end import first_scan, header_segments

    folder.mkdir(parents=True)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5) // 16 * 16
    height = width * 3 // 4
    rng = np.random.default_rng(25)
    y, x = np.mgrid[0:height, 0:width]
    light = np.stack([x * 200 // width + 30, y * 180 // height + 40, (x + y) * 120 // (width + height) + 60], -1)
    picture = np.clip(light + rng.normal(0, 6, (height, width, 3)), 0, 255).astype(np.uint8)
    encoded = folder / "picture.jpg"
    Image.fromarray(picture).save(encoded, quality=92)
    body = encoded.read_bytes()
    encoded.unlink()
    image_from = next(start for marker, start, _ in header_segments(body) or [] if not 0xE0 <= marker <= 0xEF)
    made = []
    for source in sorted(CORPUS.iterdir()):
        if source.suffix.lower() not in (".jpg", ".jpeg"):
            continue
        data = source.read_bytes()
        segments, scan = header_segments(data), first_scan(data)
        if segments is None or scan is None or scan[1] + 2 != len(data):
            continue
        metadata = b"".join(data[start:end] for marker, start, end in segments if 0xE0 <= marker <= 0xEF or marker == 0xFE)
        target = folder / f"0-{source.name}"
        target.write_bytes(data[:2] + metadata + body[image_from:])
        made.append(target)
    return made


def track(photos: list[Path], gpx: Path) -> dict[str, tuple[float, float]]:
    """A track point at every photo's capture time (UTC as the camera wrote it), spread over the
    globe; returns the position each photo should get."""
    from geor.engine.photos import PhotoReadError, read_metadata

    times: dict[dt.datetime, tuple[float, float]] = {}
    wanted = {}
    for photo in photos:
        try:
            metadata = read_metadata(photo)
        except PhotoReadError:
            continue
        if metadata.taken_at is None:
            continue
        taken = metadata.taken_at
        if taken not in times:
            k = len(times)
            times[taken] = (round(-60 + (k * 7.3) % 120, 6), round(-179.5 + (k * 13.7) % 359, 6))
        wanted[photo.name] = times[taken]
        if metadata.utc_offset:  # Geo-R takes the camera's own UTC offset where it recorded one; exiftool -geotag +00:00 here
            times.setdefault(taken - metadata.utc_offset, times[taken])
    points = "".join(f'<trkpt lat="{lat}" lon="{lon}"><ele>12.5</ele><time>{t.isoformat()}Z</time></trkpt>'
                     for t, (lat, lon) in sorted(times.items()))
    gpx.write_text(f'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}'
                   "</trkseg></trk></gpx>")
    return wanted


def exiv2_writer(photos: list[Path], wanted: dict[str, tuple[float, float]]) -> None:
    """Geo-R's writer before 0.2, reduced to what it did to a file: exiv2 rewrote the metadata in
    memory (EXIF GPS, XMP and IPTC place names) and the bytes replaced the file."""
    import pyexiv2

    pyexiv2.set_log_level(4)
    for photo in photos:
        if photo.name not in wanted:
            continue
        try:
            handle = pyexiv2.ImageData(photo.read_bytes())
            handle.modify_exif(exif_gps_tags(*wanted[photo.name]))
            handle.modify_xmp({"Xmp.photoshop.City": "Reykjavík", "Xmp.photoshop.Country": "Ísland"})
            if photo.suffix.lower() in (".jpg", ".jpeg", ".mpo", ".tif", ".tiff"):
                handle.modify_iptc({"Iptc.Application2.City": "Reykjavík", "Iptc.Application2.CountryName": "Ísland"})
            photo.write_bytes(handle.get_bytes())
            handle.close()
        except (RuntimeError, UnicodeDecodeError):
            continue  # the old writer reported these as failed


def judge(originals: dict[str, bytes], folder: Path, before: dict[str, dict], sources: Path | None = None,
          overwrite: bool = False) -> tuple[int, int, int, list[str]]:
    """(files written, files damaged, of those the ones that already had GPS, one line per damaged
    corpus file): written = the file has a position it did not have. ``sources``: the folder of
    the originals under the copies' names (default: the corpus, under the name after the copy number);
    ``overwrite``: the tool was asked to replace positions and place names (oracle.damage)."""
    paths = sorted(p for p in folder.iterdir() if p.name in originals)
    after = oracle.dump_many(paths)
    written = damaged = damaged_with_gps = 0
    examples: dict[str, str] = {}
    for path in paths:
        if path.read_bytes() == originals[path.name]:
            continue
        had = any(k.startswith("GPS:GPSLatitude") for k in before[path.name])
        has = any(k.startswith("GPS:GPSLatitude") for k in after[path])
        written += int(has and not had)
        problems = oracle.damage(before[path.name], after[path], overwrite)
        old_pixels = oracle.pixels(CORPUS / path.name.split("-", 1)[1] if sources is None else sources / path.name)
        new_pixels = oracle.pixels(path)
        if old_pixels is not None and (new_pixels is None or not np.array_equal(old_pixels, new_pixels)):
            problems.append("pixels differ")
        if problems:
            damaged += 1
            damaged_with_gps += int(had)
            examples.setdefault(path.name.split("-", 1)[1] if sources is None else path.name, f"{'(had GPS) ' if had else ''}{problems[0][:110]}")
    return written, damaged, damaged_with_gps, [f"{name}: {line}" for name, line in sorted(examples.items())]


#: One geor tag job, its steps timed by its progress ticks and its ExifTool commands counted (run in
#: a fresh interpreter, as the command is); prints one JSON line.
WHERE_THE_TIME_GOES = r"""
import json, resource, sys, time
from pathlib import Path
started = float(sys.argv[3])
from geor.engine.blas_threads import one_blas_thread
one_blas_thread()  # as `geor` does at its start, before numpy loads
import geor.engine.photos.exiftool as exiftool
commands = {}
run = exiftool.ExifToolSession.run
def counted(session, args):
    t = time.perf_counter()
    try:
        return run(session, args)
    finally:
        kind = "rewrite" if "-o" in args else "reading" if "-j" in args else "other"
        n, s = commands.get(kind, (0, 0.0))
        commands[kind] = (n + 1, s + time.perf_counter() - t)
exiftool.ExifToolSession.run = counted
from geor.engine.pipeline.tag_options import TagOptions
from geor.engine.pipeline.tag_request import TagRequest, assemble_tag_job
marks = {}
def tick(step, done, total):
    now = time.time()
    marks.setdefault(str(step), [now, now])[1] = now
job = assemble_tag_job(TagRequest(folder=Path(sys.argv[1]), options=TagOptions(tracks=(sys.argv[2],), tz="+00:00"), new_job=True))
try:
    job.run(tick)
finally:
    job.close()
    job.store.close()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"started": started, "marks": marks, "ended": time.time(), "python_cpu": time.process_time(),
                  "exiftool_cpu": children.ru_utime + children.ru_stime, "commands": commands}))
import gc
gc.freeze()  # as `geor` does before its exit (engine/cli: main)
"""


def where_the_time_goes(folder: Path, gpx: Path, env: dict[str, str]) -> list[str]:
    """The table of one more geor tag job's steps (wall seconds), processor time and ExifTool commands."""
    import json

    started = time.time()
    done = subprocess.run([sys.executable, "-c", WHERE_THE_TIME_GOES, str(folder), str(gpx), repr(started)], env=env, capture_output=True,
                          text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    marks = found["marks"]
    edges = [("start-up: interpreter, imports, track, job store, region pack", started, marks["scan"][0]),
             ("scan and read (exiv2)", marks["scan"][0], marks["read"][1]),
             ("camera clocks", marks["read"][1], marks["clocks"][1]),
             ("decide", marks["clocks"][1], marks["decide"][1]),
             ("place names and checks, to the first write", marks["decide"][1], marks["write"][0]),
             ("write stage (ExifTool: reading, rewrite, reading; undo patch, journal, rename)", marks["write"][0], marks["write"][1]),
             ("reports, ExifTool stopped, exit", marks["write"][1], found["ended"]), ("(the interpreter's own exit)", found["ended"], time.time())]
    lines = ["| geor tag's step | wall time |", "|---|---:|"]
    lines += [f"| {label} | {end - start:.2f} s |" for label, start, end in edges]
    lines.append(f"| total | {time.time() - started:.2f} s |")
    commands = ", ".join(f"{n} {kind}s ({s:.2f} s of waiting for them)" for kind, (n, s) in sorted(found["commands"].items()))
    lines += ["", f"Processor time: Python {found['python_cpu']:.2f} s, ExifTool {found['exiftool_cpu']:.2f} s; ExifTool commands: {commands}."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="copies of the corpus per tool (for steadier timings)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool; the best counts")
    parser.add_argument("--megapixels", type=float, default=12.0,
                        help="also the corpus's JPEGs at this camera size (0: not)")
    args = parser.parse_args()
    if not oracle.EXIFTOOL:
        sys.exit("exiftool is not installed (Debian: apt-get install libimage-exiftool-perl)")
    geor = shutil.which("geor", path=str(Path(sys.executable).parent))
    if geor is None:
        sys.exit("no geor command beside this Python (pip install -e .)")
    from geor.engine.geo.geocoder.default_location import default_pack_path
    from geor.engine.photos.exiftool import _launcher, find_exiftool

    same_exiftool = _launcher(find_exiftool())
    exiftool_version = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True).stdout.strip()
    ours = subprocess.run([*same_exiftool, "-ver"], capture_output=True, text=True).stdout.strip()
    labels = {"geor": f"geor tag --gpx (ExifTool {ours} + rewrite check, names, journal)",
              "exiftool": f"exiftool -geotag -overwrite_original (the system's ExifTool {exiftool_version})",
              "exiftool-same": f"exiftool -geotag -overwrite_original (ExifTool {ours}, the one Geo-R runs)",
              "exiv2": "Geo-R's exiv2 writer before 0.2 (pyexiv2)"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = copies(tmp_path / "source", args.repeat)
        originals = {p.name: p.read_bytes() for p in source}
        gpx = tmp_path / "track.gpx"
        wanted = track(source, gpx)
        print(f"judging {len(source)} originals ...", file=sys.stderr)
        dumps = oracle.dump_many(source)
        before = {p.name: dumps[p] for p in source}
        env = os.environ | {"GEOR_DATA_DIR": str(tmp_path / "geor-data")}
        pack = default_pack_path(progress=lambda m: print(m, file=sys.stderr))
        (tmp_path / "geor-data" / "regionpacks").mkdir(parents=True)
        (tmp_path / "geor-data" / "regionpacks" / pack.name).symlink_to(pack)
        seconds: dict[str, float] = {}
        results: dict[str, tuple[int, int, int, list[str]]] = {}
        for run in range(args.runs):  # the best of a few runs: a shared machine's noise only ever slows a run down
            for tool in ("cp", "geor", "exiftool", "exiftool-same", "exiv2"):
                folder = tmp_path / f"{tool}-{run}"
                if tool != "cp":
                    shutil.copytree(tmp_path / "source", folder)
                started = time.perf_counter()
                if tool == "cp":
                    subprocess.run(["cp", "-a", str(tmp_path / "source"), str(folder)], check=True)
                elif tool in ("geor", "exiftool", "exiftool-same"):
                    run_tool(tool, folder, gpx, env, geor, same_exiftool)
                else:
                    exiv2_writer(sorted(folder.iterdir()), wanted)
                seconds[tool] = min(seconds.get(tool, float("inf")), time.perf_counter() - started)
                if tool != "cp" and run == 0:
                    print(f"judging {tool} ...", file=sys.stderr)
                    results[tool] = judge(originals, folder, before)
                    if tool == "geor":
                        reasons = not_written(env)
        undo_ok = undo_check(geor, env, tmp_path / "geor-0", originals)
        shutil.copytree(tmp_path / "source", tmp_path / "where")
        where = where_the_time_goes(tmp_path / "where", gpx, env)
        camera = camera_size_section(tmp_path, args.megapixels, args.runs, env, geor, same_exiftool, labels) if args.megapixels > 0 else []
    n = len(source)
    print(f"# Writing GPS into {n} real cameras' files ({args.repeat} copies of the corpus's {n // args.repeat} JPEG/MPO/TIFF/PNG/WebP"
          f" files, {len(wanted)} with a capture time), {os.cpu_count()} cores of {cpu_name()}")
    print()
    print(f"Damage judged by the system's ExifTool {exiftool_version}; Geo-R writes with ExifTool {ours}.")
    print()
    print("| tool | files written | files damaged (of them with GPS before) | wall time | photos/s | undo gives back every byte |")
    print("|---|---:|---:|---:|---:|---|")
    for tool in ("geor", "exiftool", "exiftool-same", "exiv2"):
        written, damaged, damaged_with_gps, _ = results[tool]
        undo = ("yes" if undo_ok else "NO") if tool == "geor" else "-"
        print(f"| {labels[tool]} | {written} | {damaged} ({damaged_with_gps}) | {seconds[tool]:.1f} s | {n / seconds[tool]:,.0f} | {undo} |")
    print(f"| cp -a (the floor: every byte read and written once) | - | - | {seconds['cp']:.2f} s | {n / seconds['cp']:,.0f} | - |")
    print()
    print(f"Geo-R: {seconds['exiftool-same'] / seconds['geor']:.2f}x the speed of exiftool -geotag on the same files with the same ExifTool "
          f"{ours}, {seconds['exiftool'] / seconds['geor']:.2f}x with the system's ExifTool {exiftool_version} (best of {args.runs} runs, "
          "all in this one run of the benchmark).")
    print()
    print("Where geor tag's time goes (one more run of the same job):")
    print()
    print("\n".join(where))
    print()
    print("Photos geor tag left alone, by reason (every copy of the corpus):", ", ".join(f"{label} {n}" for label, n in sorted(reasons.items())))
    print()
    print("Damaged corpus files (each copy alike), by tool; the first difference the judge found:")
    for tool in ("geor", "exiftool", "exiftool-same", "exiv2"):
        lines = results[tool][3]
        for example in lines[:12] if tool == "exiv2" else lines:
            print(f"- {tool}: {example}")
        if tool == "exiv2" and len(lines) > 12:
            print(f"- exiv2: ... and {len(lines) - 12} more corpus files")
    if camera:
        print()
        print("\n".join(camera))


def run_tool(tool: str, folder: Path, gpx: Path, env: dict[str, str], geor: str, same_exiftool: list[str]) -> None:
    """One tool over a folder: geor tag, or exiftool -geotag (the system's, or the one Geo-R runs)."""
    if tool == "geor":
        done = subprocess.run([geor, "tag", str(folder), "--gpx", str(gpx), "--tz", "+00:00", "--new-job"], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode not in (0, 3):  # 3: the job ran, some photos refused (the corpus holds such files on purpose)
            raise SystemExit(f"geor tag failed (exit {done.returncode}): {done.stderr[-2000:]}")
        return
    subprocess.run([*(["exiftool"] if tool == "exiftool" else same_exiftool), "-q", "-q", "-geotag", str(gpx),
                    "-geotime<${DateTimeOriginal}+00:00", "-overwrite_original", str(folder)], capture_output=True, check=False)


def camera_size_section(tmp_path: Path, megapixels: float, runs: int, env: dict[str, str], geor: str, same_exiftool: list[str],
                        labels: dict[str, str]) -> list[str]:
    """The same tools on the corpus's JPEGs at a camera's size (camera_size): the lines to print."""
    folder_of_originals = tmp_path / "camera-size" / "source"
    source = camera_size(folder_of_originals, megapixels)
    originals = {p.name: p.read_bytes() for p in source}
    gpx = tmp_path / "camera-size" / "track.gpx"
    track(source, gpx)
    dumps = oracle.dump_many(source)
    before = {p.name: dumps[p] for p in source}
    seconds: dict[str, float] = {}
    results = {}
    for run in range(runs):
        for tool in ("geor", "exiftool", "exiftool-same"):
            folder = tmp_path / "camera-size" / f"{tool}-{run}"
            shutil.copytree(folder_of_originals, folder)
            started = time.perf_counter()
            run_tool(tool, folder, gpx, env, geor, same_exiftool)
            seconds[tool] = min(seconds.get(tool, float("inf")), time.perf_counter() - started)
            if run == 0:
                print(f"judging {tool} on camera-size files ...", file=sys.stderr)
                results[tool] = judge(originals, folder, before, sources=folder_of_originals)
            if run > 0 or tool != "geor":
                shutil.rmtree(folder)
    undo_ok = undo_check(geor, env, tmp_path / "camera-size" / "geor-0", originals)
    size = sum(len(b) for b in originals.values()) / len(originals) / 1e6
    lines = [f"The corpus's {len(source)} JPEGs without trailers at a camera's size ({megapixels:g} megapixels, {size:.1f} MB a file: "
             "each file's own metadata segments in front of the image data of one photo-like picture):", "",
             "| tool | files written | files damaged (of them with GPS before) | wall time | photos/s | undo gives back every byte |",
             "|---|---:|---:|---:|---:|---|"]
    for tool in ("geor", "exiftool", "exiftool-same"):
        written, damaged, damaged_with_gps, _ = results[tool]
        undo = ("yes" if undo_ok else "NO") if tool == "geor" else "-"
        lines.append(f"| {labels[tool]} | {written} | {damaged} ({damaged_with_gps}) | {seconds[tool]:.1f} s | {len(source) / seconds[tool]:,.0f} | {undo} |")
    lines += ["", f"Geo-R on camera-size files: {seconds['exiftool-same'] / seconds['geor']:.2f}x exiftool -geotag with the same ExifTool, "
              f"{seconds['exiftool'] / seconds['geor']:.2f}x with the system's (best of {runs} runs)."]
    lines += [f"- {tool}: {line}" for tool in ("geor", "exiftool", "exiftool-same") for line in results[tool][3]]
    return lines


def not_written(env: dict[str, str]) -> dict[str, int]:
    """Why geor tag left photos alone, from its report: {reason: photos}."""
    import csv

    report = sorted((Path(env["GEOR_DATA_DIR"]) / "jobs").glob("*-report.csv"))[-1]
    reasons: dict[str, int] = {}
    for row in csv.DictReader(report.open()):
        if row["stage"] in ("written", "decided"):
            continue
        message = row["message"] or row["stage"]
        for key, label in (("already had GPS", "kept its own GPS"), ("ModifyDate", "only a ModifyDate time: left for review"),
                           ("review before writing", "its clock's uncertainty reaches beyond the limit: left for review"),
                           ("GPS block is malformed", "a malformed GPS block of its own: not replaced without --overwrite"),
                           ("cannot read", "not a readable image"),
                           ("no time", "no capture time"), ("truncated", "a truncated JPEG"), ("would also change", "the rewrite would change other metadata"),
                           ("will not rewrite", "ExifTool will not rewrite it (errors it reports)"), ("no GPS, no track", "no track point at its time")):
            if key in message or (key == "already had GPS" and row["stage"] == "kept"):
                message = label
                break
        reasons[message] = reasons.get(message, 0) + 1
    return reasons


def undo_check(geor: str, env: dict[str, str], folder: Path, originals: dict[str, bytes]) -> bool:
    jobs = sorted((Path(env["GEOR_DATA_DIR"]) / "jobs").glob("*.sqlite"))
    first = next(job for job in jobs if (job.with_name(f"{job.stem}-report.csv")).exists() and str(folder) in _root(job))
    subprocess.run([geor, "undo", first.stem], env=env, capture_output=True, check=True)
    return all(hashlib.sha256(p.read_bytes()).digest() == hashlib.sha256(originals[p.name]).digest() for p in folder.iterdir()
               if p.name in originals) and not [p for p in folder.iterdir() if p.name not in originals and not p.name.endswith(".xmp")]


def _root(job: Path) -> str:
    from geor.engine.pipeline import JobStore

    store = JobStore(job)
    try:
        return str(store.root)
    finally:
        store.close()


if __name__ == "__main__":
    main()
