"""Rebuild the camera-file corpus (this folder) from the public source archives it comes from.

    python tests/engine/photos/corpus/assemble.py [--cache DIR]

Every file is a real camera's, phone's or editor's file as its project ships it in its test data:
ExifTool's t/images (trimmed by Phil Harvey to the metadata and a tiny image), exiv2's test/data,
Pillow's and pillow-heif's test images, jhead's test photos and Exempi's samples. The archives are
taken from the package registries (Debian's source pool, PyPI) and checked against the SHA-256
pinned below; the files are copied unchanged (SHA-256 in SOURCES.md) under the name
``<project>-<path inside its image folder>``. SOURCES.md is written from ExifTool's reading of
each file (make, model, what it holds) and names each project's licence.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import tarfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEBIAN = "http://deb.debian.org/debian/pool/main"
PYPI = "https://pypi.org/packages"

#: project -> (archive URL, SHA-256, folder inside the archive that holds the images, licence)
ARCHIVES = {
    "exiftool": (f"{DEBIAN}/libi/libimage-exiftool-perl/libimage-exiftool-perl_12.57+dfsg.orig.tar.xz",
                 "9de7ccd6ed6adf92038c8d943b1960d087b58c00b3924d19f61a1d774b7610fc", "Image-ExifTool-12.57/t/images/",
                 "ExifTool 12.57 test images: same terms as Perl itself (Artistic License or GPL-1.0-or-later)"),
    "exiv2": (f"{DEBIAN}/e/exiv2/exiv2_0.27.6.orig.tar.gz",
              "f16ee5ff08b6994c66106109417857f13e711fca100ac43c6a403d4f02b59602", "exiv2-0.27.6/test/data/",
              "exiv2 0.27.6 test data: GPL-2.0-or-later"),
    "pillow": (f"{PYPI}/packages/ce/a4/9cc30690a394a8305e8be4c9036aa16d0dfddadd09079860b582f562496d/pillow-13.0.0.tar.gz",
               "cdcd1ba258178f7356d74170c9a81ba4eab6a5d55748bc402a5a2a6fe6be3510", "pillow-13.0.0/Tests/images/",
               "Pillow 13.0.0 test images: MIT-CMU (HPND), Pillow's LICENSE"),
    "pillow-heif": (f"{PYPI}/packages/44/c1/82145984920ca055675af2c2795bd30da6f7461215c41f3c1eacb3d66353/pillow_heif-1.8.1.tar.gz",
                    "521ebffb8a181d56c3904e5a61f20903edee0d9d3275967b8fb345f866215c06", "pillow_heif-1.8.1/tests/images/",
                    "pillow-heif 1.8.1 test images: BSD-3-Clause"),
    "jhead": (f"{DEBIAN}/j/jhead/jhead_3.06.0.1.orig.tar.gz",
              "5c5258c3d7a840bf831e22174e4a24cb1de3baf442f7cb73d5ab31b4ae0b0058", "jhead-3.06.0.1/tests/",
              "jhead 3.06.0.1 test photos: public domain (jhead's readme)"),
    "exempi": (f"{DEBIAN}/e/exempi/exempi_2.6.3.orig.tar.xz",
               "80b3aa0b7f54978c6a49cc5f5f1d3b6e9524b59de74ef92b3bf0abeba4c28fb1", "exempi-2.6.3/",
               "Exempi 2.6.3 samples (Adobe XMP Toolkit SDK): BSD-3-Clause"),
}

#: (project, path inside its image folder, why it is here)
FILES = [
    ("exiftool", p, why) for p, why in [
        ("Apple.jpg", "iPhone 7 maker notes"), ("Canon.jpg", "Canon maker notes, thumbnail"),
        ("Canon1DmkIII.jpg", "Canon custom functions"), ("CanonRaw.cr2", "RAW: sidecar"), ("CanonRaw.cr3", "RAW (exiv2 cannot open it)"),
        ("CanonRaw.crw", "RAW: sidecar"), ("Casio.jpg", "Casio maker notes"), ("Casio2.jpg", "Casio preview"),
        ("CasioQVCI.jpg", "Casio QVCI"), ("DNG.dng", "DNG: sidecar"),
        ("ExifTool.jpg", "MPF, IPTC in three records, AFCP trailer, Photoshop IRB, a current IPTCDigest"),
        ("ExifTool.tif", "TIFF with IPTC and XMP"), ("ExtendedXMP.jpg", "extended XMP across APP1 segments"),
        ("FLIR.jpg", "FLIR thermal maker notes"), ("FotoStation.jpg", "FotoStation trailer"), ("FujiFilm.jpg", "Fujifilm maker notes"),
        ("FujiFilm.raf", "RAW: sidecar"), ("GE.jpg", "GE maker notes"), ("GPS.jpg", "already has GPS: never replaced"),
        ("GoPro.jpg", "GoPro"), ("IPTC.jpg", "IPTC with both records"), ("InfiRay.jpg", "InfiRay thermal"),
        ("JVC.jpg", "JVC maker notes"), ("JVC2.jpg", "JVC"), ("Kodak.jpg", "Kodak maker notes"), ("MWG.jpg", "MWG regions and keywords"),
        ("Minolta.jpg", "Minolta maker-note preview"), ("Minolta.mrw", "RAW: sidecar"), ("Motorola.jpg", "Motorola phone"),
        ("Nikon.jpg", "Nikon E775"), ("Nikon.nef", "RAW: sidecar"), ("NikonD2Hs.jpg", "Nikon preview IFD"),
        ("NikonD70.jpg", "Nikon D70 preview"), ("Olympus.jpg", "Olympus"), ("Olympus2.jpg", "Olympus preview"),
        ("OlympusE1.jpg", "Olympus E-1 lens and serial numbers"), ("PNG.png", "PNG with text chunks"),
        ("Panasonic.jpg", "Panasonic"), ("Panasonic.rw2", "RAW: sidecar"), ("Pentax.jpg", "Pentax K10D preview"),
        ("PhaseOne.iiq", "RAW: sidecar"), ("PhotoMechanic.jpg", "Photo Mechanic XMP and IPTC"), ("QuickTime.heic", "HEIF: sidecar"),
        ("RIFF.webp", "WebP with XMP"), ("Ricoh.jpg", "Ricoh"), ("Ricoh2.jpg", "Ricoh"), ("Sanyo.jpg", "Sanyo maker notes"),
        ("Sigma.jpg", "Sigma"), ("SigmaDP2.x3f", "RAW exiv2 cannot open: read by ExifTool"), ("Sony.jpg", "Sony DSC-F828"),
        ("Unknown.jpg", "Rollei (maker notes ExifTool does not decode)"), ("Writer.jpg", "Windows XP tags"), ("XMP.jpg", "rich XMP"),
        ("KyoceraRaw.raw", "Kyocera RAW (exiv2 cannot open it): sidecar"), ("Sony.pmp", "Sony DSC-F1 PMP (read by ExifTool): sidecar"),
        ("Lytro.lfp", "Lytro light field (read by ExifTool): sidecar"), ("Pentax.avi", "a camera's AVI video (RIFF DateTimeOriginal): sidecar"),
    ]
] + [
    ("exiv2", p, why) for p, why in [
        ("Canon-R6-pruned.CR3", "RAW: sidecar"), ("DSC_3079.jpg", "Sony Xperia phone, XMP and IPTC"),
        ("FurnaceCreekInn.jpg", "Canon S5 IS with XMP and IPTC"), ("IMG_1361.dng", "iPhone 12 Pro DNG: sidecar"),
        ("IMG_3578.heic", "iPhone XR HEIC: sidecar"), ("Reagan.jpg", "Nikon D1X with XMP and IPTC"),
        ("Reagan.tiff", "Nikon D1X TIFF, IPTC By-line over its 32-byte limit"), ("ReaganSmallPng.png", "PNG with EXIF in two places"),
        ("Sony.HIF", "Sony HEIF: sidecar"), ("Stonehenge.heic", "HEIC with XMP GPS"), ("avif_exif_xmp.avif", "AVIF: sidecar"),
        ("exiv2-bug1026.jpg", "Nikon D300S maker notes"), ("exiv2-bug1062.jpg", "Nikon D5300 with XMP and IPTC"),
        ("exiv2-bug1114.jpg", "Nikon D7000 preview"), ("exiv2-bug1199.webp", "Nikon D5300 WebP with EXIF and XMP"),
        ("exiv2-bug1202.jpg", "Canon 300D preview"), ("exiv2-bug1231a.jpg", "Canon SX240 HS"), ("exiv2-bug443.jpg", "Kodak DX3600"),
        ("exiv2-bug444.jpg", "Nikon E5700, IPTC in Latin-1"), ("exiv2-bug445.jpg", "Canon S40"), ("exiv2-bug447.jpg", "Nikon E3200"),
        ("exiv2-bug495.jpg", "Nikon D70, Latin-1 EXIF text"), ("exiv2-bug501.jpg", "Canon 350D, Latin-1 IPTC"),
        ("exiv2-bug528.jpg", "Canon 40D"), ("exiv2-bug876.jpg", "Canon 6D"), ("exiv2-bug884a.jpg", "Pentax *ist DL preview and XMP"),
        ("exiv2-bug922.png", "Nikon D70 PNG"), ("exiv2-canon-eos-20d.jpg", "Canon 20D"), ("exiv2-canon-eos-d30.jpg", "Canon D30"),
        ("exiv2-canon-powershot-a520.jpg", "Canon A520"), ("exiv2-fujifilm-finepix-s2pro.jpg", "Fujifilm S2 Pro"),
        ("exiv2-gc.jpg", "DC-4300"), ("exiv2-kodak-dc210.jpg", "Kodak DC210 (no thumbnail)"), ("exiv2-nikon-d70.jpg", "Nikon D70"),
        ("exiv2-nikon-e950.jpg", "Nikon E950"), ("exiv2-nikon-e990.jpg", "Nikon E990"), ("exiv2-olympus-c8080wz.jpg", "Olympus C8080WZ"),
        ("exiv2-panasonic-dmc-fz5.jpg", "Panasonic FZ5"), ("exiv2-sigma-d10.jpg", "Sigma SD10"), ("exiv2-sony-dsc-w7.jpg", "Sony W7"),
        ("iptc-psAPP13-wIPTC1-psAPP13-wIPTC2.jpg", "two Photoshop APP13 segments with IPTC"), ("smiley1.jpg", "IPTC with a Latin-1 ©"),
        ("test.tiff", "Sony DSC-S600 TIFF with XMP"),
    ]
] + [
    ("pillow", p, why) for p, why in [
        ("broken_exif_dpi.jpg", "Nikon D800"), ("empty_gps_ifd.jpg", "Xiaomi Redmi Note 9S, an empty GPS IFD"),
        ("flower.jpg", "Canon S40"), ("flower.webp", "Canon S40 WebP with EXIF"), ("flower2.webp", "WebP with EXIF and XMP"),
        ("frame_size.mpo", "iPhone 14 Pro Max MPF (HDR gain map)"), ("frozenpond.mpo", "Nintendo 3DS MPO"),
        ("ignore_frame_size.mpo", "Samsung NX1000 MPO"), ("iptc.jpg", "Nokia N70 IPTC"), ("sugarshack.mpo", "Nintendo 3DS MPO"),
        ("ultrahdr.jpg", "Google Pixel 6 Ultra HDR (MPF, container XMP, extended XMP)"), ("avif/exif.avif", "AVIF: sidecar"),
        ("pport_g4.tif", "HP Photosmart TIFF, Latin-1 EXIF text"), ("truncated_jpeg.jpg", "a truncated JPEG: flagged, not rewritten"),
        ("exif_gps.jpg", "faults only ExifTool's validation sees (a GPS block older than its tags): refused"),
    ]
] + [
    ("pillow-heif", p, why) for p, why in [
        ("heif_other/L_exif_xmp_iptc.heic", "Sony HEIC with EXIF, XMP and IPTC: sidecar"),
        ("heif_other/empty_icc.heic", "iPhone XS HEIC: sidecar"), ("heif_other/arrow.heic", "iPhone 8 Plus HEIC: sidecar"),
        ("heif_special/xiaomi.heic", "Xiaomi HEIC whose media data ExifTool's rewrite would shrink: why HEIF gets sidecars"),
    ]
] + [
    ("jhead", p, why) for p, why in [
        ("normal-digicams/sony.jpg", "Sony Cyber-shot"), ("normal-digicams/hp.jpg", "HP PhotoSmart 620"),
        ("normal-digicams/canon-bigend.jpg", "Canon A710 big-endian maker notes"), ("normal-digicams/minolta-dimage-e223.jpg", "Minolta E223"),
        ("normal-digicams/35mmequiv-tag.jpg", "Nikon D100 preview IFD"), ("normal-digicams/gps-many-digits.jpg", "Nikon D1X with GPS"),
        ("normal-digicams/olympus.jpg", "Olympus C830L"), ("normal-digicams/dx6340.jpg", "Kodak DX6340"),
        ("normal-digicams/powershot_g2.jpg", "Canon G2"), ("normal-digicams/two-orientation.jpg", "Konica Minolta A2, two Orientation tags"),
        ("strange-jpegs/iptc-utf8.jpg", "IPTC in UTF-8"), ("strange-jpegs/iptc-sections.jpg", "IPTC in several sections, Latin-1 ©"),
        ("strange-jpegs/iptc_sigfunny.jpg", "Nikon D700, IPTC in Latin-1"), ("strange-jpegs/iptc1.jpg", "Olympus, Latin-1 EXIF text"),
        ("strange-jpegs/verizon.jpg", "LG VX-9700 phone"), ("strange-jpegs/pentax-optio-230.jpg", "Pentax Optio 230"),
        ("strange-jpegs/picasa.jpg", "Canon IXUS edited in Picasa"), ("strange-jpegs/xp-mess.jpg", "Fujifilm A202 with Windows XP tags"),
        ("strange-jpegs/with_xmp.jpg", "Canon A95 with XMP GPS"), ("strange-jpegs/thumbnail-place-error.jpg", "Canon 20D, misplaced thumbnail"),
        ("strange-jpegs/truncated.jpg", "a truncated JPEG"),
    ]
] + [
    ("exempi", p, why) for p, why in [
        ("samples/testfiles/BlueSquare.jpg", "Adobe XMP sample"), ("samples/testfiles/BlueSquare.png", "Adobe XMP sample"),
        ("samples/testfiles/BlueSquare.webp", "Adobe XMP sample"), ("exempi/tests/fdo83313.jpg", "Samsung Galaxy Nexus"),
    ]
]


def corpus_name(project: str, path: str) -> str:
    return f"{project}-{path.replace('/', '-')}"


def archive(project: str, cache: Path) -> tarfile.TarFile:
    url, sha256, _, _ = ARCHIVES[project]
    cached = cache / url.rsplit("/", 1)[1]
    if not cached.is_file() or hashlib.sha256(cached.read_bytes()).hexdigest() != sha256:
        print(f"downloading {url}", flush=True)
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise SystemExit(f"{url}: checksum mismatch")
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    return tarfile.open(fileobj=io.BytesIO(cached.read_bytes()))


def describe(paths: list[Path]) -> dict[str, dict[str, object]]:
    from geor.engine.photos.exiftool import find_exiftool

    out = subprocess.run([os.fspath(find_exiftool()), "-j", "-a", "-G1", *map(os.fspath, paths)], capture_output=True, check=False).stdout
    rows = {}
    for row in json.loads(out):
        keys = set(row)
        groups = {key.split(":")[0] for key in keys}
        holds = [label for label, found in (
            ("maker notes", any(g not in ("ExifTool", "System", "File", "IFD0", "IFD1", "ExifIFD", "GPS", "InteropIFD", "Composite",
                                          "JFIF", "ICC_Profile", "ICC-header", "ICC-meas", "ICC-view", "Photoshop", "APP14",
                                          "MPF0", "QuickTime", "PNG", "RIFF", "SubIFD")
                                and not g.startswith(("XMP", "IPTC", "MPImage", "ICC", "Track", "PNG", "FlashPix"))
                                for g in groups)),
            ("thumbnail", any(k.endswith(":ThumbnailImage") for k in keys)),
            ("preview", any(k.endswith(("PreviewImage", "JpgFromRaw")) for k in keys)),
            ("MPF", "MPF0" in groups), ("XMP", any(g.startswith("XMP") for g in groups)),
            ("IPTC", any(g.startswith("IPTC") for g in groups)), ("GPS", "GPS:GPSLatitude" in keys),
        ) if found]
        make = str(row.get("IFD0:Make") or row.get("ExifIFD:Make") or "").strip()
        model = str(row.get("IFD0:Model") or "").strip()
        rows[Path(row["SourceFile"]).name] = {"type": row.get("File:FileType", "?"), "camera": f"{make} {model}".strip(), "holds": holds}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "geor" / "corpus-sources")
    args = parser.parse_args()
    written = []
    for project in ARCHIVES:
        wanted = {path: why for p, path, why in FILES if p == project}
        root = ARCHIVES[project][2]
        with archive(project, args.cache) as tar:
            for path in wanted:
                member = tar.extractfile(root + path)
                if member is None:
                    raise SystemExit(f"{project}: {path} is not in the archive")
                target = HERE / corpus_name(project, path)
                target.write_bytes(member.read())
                written.append((project, path, target))
    info = describe([target for _, _, target in written])
    why = {(p, path): reason for p, path, reason in FILES}
    lines = [
        "# Real cameras' files for the write tests",
        "",
        "Rebuilt by `python tests/engine/photos/corpus/assemble.py` from the archives below (package registries,",
        "checksums pinned there); each file copied unchanged. Used by tests/engine/photos/test_camera_corpus.py",
        "and benchmarks/bench_writes.py.",
        "",
        "| project | archive | licence |",
        "| --- | --- | --- |",
        *[f"| {p} | {url} | {licence} |" for p, (url, _, _, licence) in ARCHIVES.items()],
        "",
        f"{len(written)} files, {sum(t.stat().st_size for _, _, t in written) / 2**20:.1f} MiB.",
        "",
        "| file | from | type | camera | holds | why it is here | SHA-256 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for project, path, target in written:
        row = info[target.name]
        sha = hashlib.sha256(target.read_bytes()).hexdigest()
        lines.append(f"| {target.name} | {project}: {ARCHIVES[project][2].split('/', 1)[1]}{path} | {row['type']} | {row['camera'] or '-'} "
                     f"| {', '.join(row['holds']) or '-'} | {why[(project, path)]} | {sha[:16]} |")
    (HERE / "SOURCES.md").write_text("\n".join(lines) + "\n")
    print(f"{len(written)} files in {HERE}")


if __name__ == "__main__":
    main()
