"""Scenes: who the model is asked about (grouping by camera, time and look; the most distinct
representatives), on hashes of known distances and on image files, real and written here."""

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from geor.engine.placement.scenes import ALIKE_BITS, MAX_SPAN, fingerprint, group_scenes, hamming, most_distinct
from geor.engine.placement.sources import PhotoRecord

from ...helpers.photo_files import make_photo, scene_pixels
from ...helpers.tag_jobs import T0

CORPUS = Path(__file__).parents[1] / "photos" / "corpus"
WINDOW = dt.timedelta(minutes=10)


def record(photo_id: int, minutes: float | None, camera: str = "cam A") -> PhotoRecord:
    taken = T0 + dt.timedelta(minutes=minutes) if minutes is not None else None
    return PhotoRecord(id=photo_id, path=Path(f"{photo_id}.jpg"), taken_at=taken, utc_offset=None, camera=camera, gps=None)


def flipped(code: int, bits: int, offset: int = 0) -> int:
    """``code`` with ``bits`` of its 64 bits flipped, starting at bit ``offset``."""
    return code ^ (((1 << bits) - 1) << offset)


BASE = 0x0F0F_3C3C_5A5A_9696


def test_a_burst_of_alike_photos_is_one_scene_asked_about_three_times():
    photos = [record(i, i * 0.5) for i in range(24)]
    hashes = {i: flipped(BASE, i % 6, 10) for i in range(24)}  # at most 5 + 5 bits apart
    scenes = group_scenes(photos, hashes, WINDOW, 3)
    assert len(scenes) == 1
    assert scenes[0].members == tuple(range(24)) and len(scenes[0].asked) == 3
    assert set(scenes[0].asked) <= set(scenes[0].members)


def test_an_unlike_photo_in_a_burst_is_asked_about_on_its_own():
    photos = [record(i, i) for i in range(6)]
    hashes = {i: BASE for i in range(6)} | {3: flipped(BASE, 32)}  # a photo of a menu in the middle of a landscape
    scenes = {s.members: s.asked for s in group_scenes(photos, hashes, WINDOW, 3)}
    assert scenes[(3,)] == (3,)
    assert scenes[(0, 1, 2, 4, 5)] == (0,)  # identical photos: one question is enough


def test_alike_is_linked_photo_to_photo_up_to_the_threshold():
    half = ALIKE_BITS // 2 + 1
    a = BASE
    b = flipped(a, half)
    c = flipped(b, half, half)  # a-b and b-c alike, a-c not
    assert hamming(np.array([a], dtype=np.uint64), np.array(c, dtype=np.uint64))[0] > ALIKE_BITS
    scenes = group_scenes([record(0, 0), record(1, 1), record(2, 2)], {0: a, 1: b, 2: c}, WINDOW, 3)
    assert [s.members for s in scenes] == [(0, 1, 2)]
    one_more_bit = group_scenes([record(0, 0), record(1, 1)], {0: a, 1: flipped(BASE, ALIKE_BITS + 1)}, WINDOW, 3)
    assert len(one_more_bit) == 2


def test_cameras_gaps_and_long_runs_split_scenes():
    photos = [record(i, i, "cam A") for i in range(5)] + [record(10 + i, i, "phone B") for i in range(5)]
    photos += [record(20, 4 + 11)]  # cam A again after an 11 min gap
    photos += [record(30 + i, 120 + 5 * i) for i in range(2 * int(MAX_SPAN.total_seconds() // 300))]  # every 5 min for 2 h
    hashes = {p.id: BASE for p in photos}
    scenes = group_scenes(photos, hashes, WINDOW, 3)
    members = [set(s.members) for s in scenes]
    assert set(range(5)) in members and set(range(10, 15)) in members and {20} in members
    long_walk = [s for s in scenes if s.members[0] >= 30]
    assert [len(s.members) for s in long_walk] == [13, 11]  # no scene spans more than an hour: 0, 5 ... 60 min


def test_photos_without_a_time_or_a_fingerprint_are_asked_about_alone():
    photos = [record(0, 0), record(1, None), record(2, 1), record(3, 2)]
    scenes = group_scenes(photos, {0: BASE, 1: BASE, 2: None, 3: BASE}, WINDOW, 3)
    assert sorted(s.members for s in scenes) == [(0, 3), (1,), (2,)]


def test_per_scene_zero_asks_about_every_photo():
    photos = [record(i, i * 0.1) for i in range(5)]
    scenes = group_scenes(photos, {i: BASE for i in range(5)}, WINDOW, per_scene=0)
    assert [s.asked for s in scenes] == [(i,) for i in range(5)]


def test_the_scenes_do_not_depend_on_the_order_photos_come_in():
    rng = random.Random(4)
    photos = [record(i, rng.uniform(0, 300), rng.choice(["cam A", "cam B"])) for i in range(200)]
    hashes = {p.id: flipped(BASE, rng.choice([0, 3, 30]), rng.randrange(30)) for p in photos}
    first = sorted((s.members, s.asked) for s in group_scenes(photos, hashes, WINDOW, 3))
    rng.shuffle(photos)
    assert sorted((s.members, s.asked) for s in group_scenes(photos, hashes, WINDOW, 3)) == first


def test_the_most_distinct_are_the_typical_one_and_the_outliers():
    typical = [flipped(BASE, 2, k) for k in range(6)]
    codes = np.array([*typical, flipped(BASE, 18, 0), flipped(BASE, 18, 40)], dtype=np.uint64)
    chosen = most_distinct(codes, 3)
    assert chosen[1:] == [6, 7] and chosen[0] in range(6)
    assert most_distinct(np.array([BASE] * 5, dtype=np.uint64), 3) == [0]  # duplicates: one is enough
    assert most_distinct(codes[:2], 3) == [0, 1]


def test_fingerprints_of_one_real_view_are_alike_and_of_different_photos_not(tmp_path):
    real = [CORPUS / "exiv2-FurnaceCreekInn.jpg", CORPUS / "exiftool-Canon.jpg", CORPUS / "exiv2-Stonehenge.heic"]
    codes = [fingerprint(p) for p in real]
    assert all(code is not None for code in codes)
    distances = hamming(np.array(codes, dtype=np.uint64)[:, None], np.array(codes, dtype=np.uint64)[None, :])
    assert distances[np.triu_indices(3, 1)].min() > ALIKE_BITS
    with Image.open(real[0]) as image:
        w, h = image.size
        image.convert("RGB").crop((w // 25, h // 25, w, h)).save(tmp_path / "cropped.jpg", quality=80)
        ImageEnhance.Brightness(image.convert("RGB")).enhance(1.2).save(tmp_path / "brighter.png")
    for variant in ("cropped.jpg", "brighter.png"):
        code = fingerprint(tmp_path / variant)
        assert code is not None and bin(code ^ codes[0]).count("1") <= ALIKE_BITS, variant


def test_a_fingerprint_is_taken_upright_and_none_for_what_cannot_be_read(tmp_path):
    pixels = scene_pixels(1, 0)
    upright = make_photo(tmp_path / "upright.jpg", T0, pixels=pixels)
    turned = make_photo(tmp_path / "turned.jpg", T0, pixels=np.ascontiguousarray(np.rot90(pixels, 1)),
                        extra_exif={"Exif.Image.Orientation": "6"})  # stored on its side, shown upright
    assert bin(fingerprint(upright) ^ fingerprint(turned)).count("1") <= 4
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    assert fingerprint(tmp_path / "broken.jpg") is None
    assert fingerprint(tmp_path / "missing.jpg") is None


@pytest.mark.parametrize("scene", range(4))
def test_the_generated_scenes_are_alike_within_and_unlike_between(scene):
    """The helper the model-stage tests write scenes with does what they assume."""
    import imagehash

    codes = [imagehash.phash(Image.fromarray(scene_pixels(scene, shot))) for shot in range(8)]
    others = [imagehash.phash(Image.fromarray(scene_pixels(other, 0))) for other in range(4) if other != scene]
    assert max(a - b for a in codes for b in codes) <= ALIKE_BITS
    assert min(codes[0] - o for o in others) > ALIKE_BITS
