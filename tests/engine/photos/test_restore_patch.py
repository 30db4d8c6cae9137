"""The undo patch (restore_patch): the original's bytes back from the written file, on real
rewrites and on random edits; journals written in the first format still undo."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from backports import zstd

from geor.engine.photos.exiftool import ExifToolSession
from geor.engine.photos.restore_patch import SPLICE, PatchError, apply_patch, checked_patch, make_patch

CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", ["exiftool-Nikon.jpg", "exiftool-Sony.jpg", "exiv2-exiv2-bug1026.jpg", "exiftool-ExifTool.tif",
                                  "exempi-samples-testfiles-BlueSquare.png"])
def test_a_real_rewrite_undoes_with_a_patch_of_its_metadata_only(tmp_path, name):
    source = CORPUS / name
    written = tmp_path / f"written{source.suffix}"
    with ExifToolSession() as session:
        status, _, err = session.run(["-GPSLatitude#=10.5", "-GPSLatitudeRef#=N", "-XMP-photoshop:City=Reykjavík", "-o", str(written),
                                      str(source)])
    assert status == 0, err
    original, new = source.read_bytes(), written.read_bytes()
    patch = checked_patch(new, original)
    assert patch.startswith(SPLICE)
    assert apply_patch(new, patch) == original
    assert len(patch) < 4096 + len(original) // 20  # the metadata's difference, not the file


def test_random_edits_at_either_end_or_between_undo_exactly():
    rng = random.Random(25)
    for _ in range(400):
        base = rng.randbytes(rng.choice([0, 1, 7, 9, 300, 70_000, 140_000]))
        written, original = bytearray(base), bytearray(base)
        for target in (written, original):
            for _ in range(rng.randint(0, 3)):
                at = rng.randint(0, len(target))
                target[at:at + rng.randint(0, 40)] = rng.randbytes(rng.randint(0, 90))
        assert apply_patch(bytes(written), make_patch(bytes(written), bytes(original))) == bytes(original)


def test_a_patch_in_the_first_format_still_applies():
    """Journals written before the splice format: the original's size, then the original
    compressed with the whole written file as its prefix."""
    original = (CORPUS / "exiftool-Canon.jpg").read_bytes()
    written = original[:30] + b"GPS" * 40 + original[30:]
    options = {zstd.CompressionParameter.window_log: max(10, len(written).bit_length()),
               zstd.CompressionParameter.enable_long_distance_matching: 1, zstd.CompressionParameter.checksum_flag: 1}
    first = len(original).to_bytes(8, "little") + zstd.compress(original, options=options,
                                                                 zstd_dict=zstd.ZstdDict(written, is_raw=True).as_prefix)
    assert apply_patch(written, first) == original


def test_a_patch_that_cannot_fit_the_file_is_refused():
    original = (CORPUS / "exiftool-Canon.jpg").read_bytes()
    written = original[:30] + b"GPS" * 40 + original[30:]
    patch = make_patch(written, original)
    with pytest.raises(PatchError):
        apply_patch(written[:100], patch)
    with pytest.raises(PatchError):
        apply_patch(written, patch[:len(SPLICE) + 10])
    with pytest.raises(PatchError):
        apply_patch(written, b"")
