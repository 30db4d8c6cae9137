"""Smoke-test the Linux bundle as a user gets it, from its .tar.gz (what CI runs after the build).

    python installer/smoke_test.py build/installer/dist/geor-desktop-*.tar.gz

Run with the development environment's Python (it writes the test photos with exiv2 and builds the
tiny taught model with torch; the bundle itself never sees torch). Each step prints one line; the
first failure exits non-zero:

1. unpack into a temporary folder; ``geor-desktop --version`` prints the version;
2. start to an interactive window, offscreen, with empty data and cache folders (so the bundled
   region pack must be found inside the bundle): the time until the app reports its window ready,
   cold (first start, numba's cache empty) and warm;
3. the bundled app processes a folder of generated photos with the tiny GGUF model
   (``--quit-when-done``) and exits 0 with the model's proposals in its summary; then again with the
   same model exported to ONNX (onnxruntime, the bundle's other runtime);
4. the bundle writes: a folder of real cameras' files (the test corpus) beside an anchor photo with
   GPS, processed with ``--write-confident`` and a PATH that holds only Perl (no system ExifTool to fall back on),
   must get its positions written by the bundled ExifTool, each file's other metadata unchanged
   as the system's ExifTool reads it (when installed);
5. ``install.sh`` into a temporary HOME: menu entry with "Open with" for folders, icon, command;
   ``uninstall.sh`` removes them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fail(message: str) -> NoReturn:
    print(f"[smoke] FAILED: {message}", flush=True)
    sys.exit(1)


def say(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def start_to_window(exe: Path, env: dict[str, str], folder: Path | None = None) -> float:
    """Seconds from launch to the app's "window ready" line (it prints it once the event loop runs)."""
    started = time.perf_counter()
    args = [str(exe), "--quit-when-done", str(folder)] if folder else [str(exe)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    ready = None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if ready is None and "window ready" in line:
            ready = time.perf_counter() - started
            if folder is None:
                process.terminate()
    process.wait(timeout=300)
    if ready is None:
        fail("the window never came up:\n" + "\n".join(lines[-30:]))
    return ready


def check_bundled_writer(exe: Path, env: dict[str, str], work: Path) -> None:
    """Real cameras' files placed from a neighbour's GPS and written by the bundle's own ExifTool."""
    import datetime as dt
    import shutil

    from geor.engine.photos import read_metadata
    from geor.engine.photos.exiftool import ExifToolSession
    from tests.helpers import exiftool_oracle as oracle

    corpus = ROOT / "tests" / "engine" / "photos" / "corpus"
    folder = work / "cameras"
    folder.mkdir()
    names = ["exiftool-Canon.jpg", "exiftool-OlympusE1.jpg", "exiv2-exiv2-bug1062.jpg", "pillow-frozenpond.mpo", "exiv2-Reagan.tiff"]
    with ExifToolSession() as session:  # the development environment's ExifTool makes the anchors
        for name in names:
            shutil.copy2(corpus / name, folder / name)
            taken = read_metadata(folder / name).taken_at
            if taken is None:
                fail(f"{name}: no capture time to place it by")
            anchor = folder / f"anchor-{name}"  # the same camera, a minute earlier, with GPS: its neighbour
            earlier = (taken - dt.timedelta(minutes=1)).strftime("%Y:%m:%d %H:%M:%S")
            session.run(["-EXIF:GPSLatitude#=64.146582", "-EXIF:GPSLatitudeRef=N", "-EXIF:GPSLongitude#=21.942635",
                         "-EXIF:GPSLongitudeRef=W", f"-ExifIFD:DateTimeOriginal={earlier}", "-o", str(anchor), str(folder / name)])
    before = oracle.dump_many([folder / n for n in names]) if oracle.EXIFTOOL else {}
    only_perl = work / "only-perl"  # a PATH with Perl on it but no ExifTool: the bundle must use its own
    only_perl.mkdir()
    (only_perl / "perl").symlink_to(shutil.which("perl") or "/usr/bin/perl")
    no_path = {**env, "PATH": str(only_perl)}
    run = subprocess.run([str(exe), str(folder), "--quit-when-done", "--write-confident"], env=no_path, capture_output=True, text=True,
                         timeout=600)
    written = [line for line in run.stdout.splitlines() if line.startswith(f"{folder}: written")]
    if run.returncode != 0 or not written:
        fail(f"writing with the bundled ExifTool: exit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    for name in names:
        gps = read_metadata(folder / name).gps
        if gps is None or abs(gps[0] - 64.146582) > 1e-6:
            fail(f"{name}: no position written ({written[0]})")
        if before:
            damage = oracle.damage(before[folder / name], oracle.dump(folder / name))
            if damage:
                fail(f"{name}: the write changed more than the location: {damage[:3]}")
    say(f"wrote real cameras' files with the bundled ExifTool (no ExifTool on the PATH): {written[0].split(': ', 1)[1]}"
        + (", nothing else changed (system ExifTool)" if before else ""))


def main() -> int:
    if len(sys.argv) != 2:
        fail("usage: smoke_test.py BUNDLE.tar.gz")
    work = Path(tempfile.mkdtemp(prefix="geor-smoke-"))
    try:
        check_bundle(Path(sys.argv[1]), work)
    except BaseException:  # a failure (or a bug in this script): its files stay for a look
        print(f"[smoke] its files are left in {work}", flush=True)
        raise
    shutil.rmtree(work, ignore_errors=True)  # the unpacked bundle, models and photos: about 1.1 GiB
    return 0


def check_bundle(archive: Path, work: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    bundle = work / "geor-desktop"
    exe = bundle / "geor-desktop"
    size_mib = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    free_gib = shutil.disk_usage(work).free / 2**30  # install.sh copies the bundle once more
    say(f"bundle: {archive.stat().st_size / 2**20:,.0f} MiB packed, {size_mib:,.0f} MiB unpacked; {free_gib:,.1f} GiB free")
    torch_files = [p for p in bundle.rglob("*") if p.name.split(".")[0] in ("torch", "transformers") or "libtorch" in p.name]
    if torch_files:
        fail(f"torch in the bundle: {torch_files[:3]}")

    from geor.engine import __version__

    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or out.stdout.strip() != f"geor-desktop {__version__}":
        fail(f"--version: exit {out.returncode}, {out.stdout!r} {out.stderr[-500:]!r}")
    say(f"--version: {out.stdout.strip()}")

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(work / "home"), "XDG_CONFIG_HOME": str(work / "home" / ".config"),
           "GEOR_DATA_DIR": str(work / "data"), "GEOR_CACHE_DIR": str(work / "cache"), "GEOR_REPORT_STARTUP": "1"}
    env.pop("GEOR_BUNDLED_DATA_DIR", None)
    cold = start_to_window(exe, env)
    warm = min(start_to_window(exe, env) for _ in range(3))
    say(f"start to an interactive window: cold {cold:.2f} s, warm {warm:.2f} s (target < 3 s)")

    from tests.helpers.desktop_photos import photo_folder
    from tests.helpers.tiny_vlm import build

    say("building the tiny taught model and a folder of photos")
    model = build(work / "model", taught=True).model
    folder = photo_folder(work / "photos", model_photos=4)
    started = time.perf_counter()
    run = subprocess.run([str(exe), str(folder), "--model", str(model), "--quit-when-done"], env=env, capture_output=True, text=True,
                         timeout=600)
    seconds = time.perf_counter() - started
    summary = [line for line in run.stdout.splitlines() if str(folder) in line]
    if run.returncode != 0 or not summary:
        fail(f"processing a folder: exit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    say(f"processed {folder.name} in {seconds:.1f} s: {summary[0]}")
    proposed = re.search(r"(\d+) proposed", summary[0])
    if "ready for review" not in summary[0] or proposed is None or int(proposed.group(1)) < 4 or "1 error" not in summary[0]:
        fail(f"unexpected summary: {summary[0]}")
    if (work / "data" / "regionpacks").exists():
        fail("the app built a region pack of its own instead of using the bundled one")

    # the other runtime in the bundle: the same taught model exported to ONNX, run by onnxruntime
    from geor.export.cli import main as geor_export

    onnx_model = work / "model-onnx"
    if geor_export([str(work / "model" / "checkpoint"), "--format", "onnx", "--quant", "fp32", "--out", str(onnx_model), "--no-verify"]) != 0:
        fail("geor-export could not make the ONNX model")
    onnx_folder = photo_folder(work / "photos-onnx", model_photos=2)
    run = subprocess.run([str(exe), str(onnx_folder), "--model", str(onnx_model), "--quit-when-done"], env=env, capture_output=True,
                         text=True, timeout=600)
    summary = [line for line in run.stdout.splitlines() if str(onnx_folder) in line]
    proposed = re.search(r"(\d+) proposed", summary[0]) if summary else None
    if run.returncode != 0 or proposed is None or int(proposed.group(1)) < 3:  # the two model photos and one from its neighbours
        fail(f"the ONNX model in the bundle: exit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    say(f"ONNX model through onnxruntime: {summary[0]}")

    check_bundled_writer(exe, env, work)

    home = work / "install-home"
    install_env = {**os.environ, "HOME": str(home)}
    install_env.pop("XDG_DATA_HOME", None)
    subprocess.run(["sh", str(bundle / "install.sh")], env=install_env, check=True, capture_output=True, text=True)
    entry = home / ".local/share/applications/geor-desktop.desktop"
    installed = home / ".local/share/geor-desktop/geor-desktop"
    text = entry.read_text() if entry.exists() else ""
    if f"Exec={installed} %F" not in text or "inode/directory" not in text:
        fail(f"install.sh: menu entry missing or wrong:\n{text}")
    if not (home / ".local/share/icons/hicolor/256x256/apps/geor-desktop.png").is_file():
        fail("install.sh: no icon")
    out = subprocess.run([str(home / ".local/bin/geor-desktop"), "--version"], capture_output=True, text=True, timeout=120)
    if out.stdout.strip() != f"geor-desktop {__version__}":
        fail(f"the installed command does not run: {out.stdout!r} {out.stderr[-500:]!r}")
    subprocess.run(["sh", str(home / ".local/share/geor-desktop/uninstall.sh")], env=install_env, check=True, capture_output=True)
    if entry.exists() or installed.exists() or (home / ".local/bin/geor-desktop").exists():
        fail("uninstall.sh left files behind")
    say("install.sh / uninstall.sh: menu entry, folder association, icon, command; all removed again")
    say("passed")


if __name__ == "__main__":
    sys.exit(main())
