"""Scenes: the photos the model must place, grouped so that it is asked once per scene, not once
per photo (30 shots of one viewpoint taken within a minute are one question).

A scene is a run of one camera's photos, close in time and alike to look at:

- *close in time*: on the camera's own clock (the same clock for all its photos, whether or not its
  offset from UTC is known), each photo within ``window`` of another photo of the scene, and the
  whole scene within ``MAX_SPAN`` (a day's walk of alike photos is not one place);
- *alike*: their perceptual hashes (imagehash's DCT hash, 64 bits) differ in at most
  ``ALIKE_BITS`` bits, linked photo to photo. 20 bits keeps 0.2 % of unrelated real photos together
  (the camera samples in tests/engine/photos/corpus, pairwise) while 75 % of one photo's crops,
  exposure changes, small turns and shifts stay alike; a photo that looks unlike every other
  photo of its run is asked about on its own. A wrongly split scene costs one more question; a
  wrongly merged one would give a photo another place's answer, so the rule errs towards splitting.

Of each scene the model sees up to ``per_scene`` representatives, the most distinct ones: the
most typical photo (the medoid of the hash distances), then each time the photo farthest from
those already chosen. Everything here is deterministic, so a resumed job chooses the same
representatives and finds their answers in the job store.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .sources import PhotoRecord

ALIKE_BITS = 20
MAX_SPAN = dt.timedelta(hours=1)
HASH_THREADS = 4  # Pillow decodes without the GIL
FINGERPRINT_BATCH = 64  # photos decoded between two saves (and two chances to pause or cancel)
MEDOID_POOL = 256  # a scene bigger than this picks its representatives among this many photos spread over its time


@dataclass(frozen=True, kw_only=True)
class Scene:
    members: tuple[int, ...]  # photo ids, in time order
    asked: tuple[int, ...]  # the representatives the model sees, in time order

    @property
    def alone(self) -> bool:
        return len(self.members) == 1


def fingerprint(path: Path) -> int | None:
    """The photo's 64-bit perceptual hash (DCT), upright by its EXIF orientation; None when it
    cannot be decoded (that photo is asked about on its own and the model stage reports why)."""
    import imagehash
    from PIL import Image, ImageOps

    from geor.engine.inference.images import VIDEO_SUFFIXES, poster_frame, register_heif

    register_heif()
    try:
        if Path(path).suffix.lower() in VIDEO_SUFFIXES:
            image = poster_frame(path).convert("L")
        else:
            with Image.open(path) as opened:
                opened.draft("L", (128, 128))  # JPEG: decode at 1/8 scale, plenty for a 32 x 32 hash
                image = ImageOps.exif_transpose(opened).convert("L")
        bits = imagehash.phash(image).hash.flatten()
    except Exception:  # noqa: BLE001 - any decoder's failure (Pillow, libheif): the photo is asked about alone, never a crash
        return None
    return int(np.packbits(bits).view(">u8")[0])


class FingerprintStore(Protocol):
    def fingerprints(self) -> dict[int, int | None]: ...

    def save_fingerprints(self, found: dict[int, int | None]) -> None: ...


def stored_fingerprints(store: FingerprintStore | None, paths: dict[int, Path],
                        progress: Callable[[int, int], None] = lambda done, total: None) -> dict[int, int | None]:
    """The photos' fingerprints: from the job store where taken before, the rest decoded in
    batches of ``FINGERPRINT_BATCH``, each saved as it is done (an interrupted job resumes with the
    next batch); ``progress(done, total)`` between batches may raise to cancel."""
    known = store.fingerprints() if store is not None else {}
    hashes = {i: known[i] for i in paths if i in known}
    todo = [i for i in paths if i not in known]
    progress(len(hashes), len(paths))
    for start in range(0, len(todo), FINGERPRINT_BATCH):
        batch = fingerprints({i: paths[i] for i in todo[start:start + FINGERPRINT_BATCH]})
        if store is not None:
            store.save_fingerprints(batch)
        hashes.update(batch)
        progress(len(hashes), len(paths))
    return hashes


def fingerprints(paths: dict[int, Path]) -> dict[int, int | None]:
    """Photo id -> fingerprint, decoded on a few threads."""
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return dict(zip(paths, pool.map(fingerprint, paths.values()), strict=True))


FEATURELESS_BITS = 16  # a look with fewer bits set is a flat picture's (a lens cap, fog, a blank chart: 0 or 1 bit)


def telling(look: int | None) -> bool:
    """Whether a look tells one picture from another: the DCT hash sets the bits of the coefficients
    above their median, 32 of 64 for any real picture; a flat one ties them all and sets none, so
    every flat picture looks like every other (5 of the 121 real corpus files: 0 bits, 41: 1)."""
    return look is not None and int(look).bit_count() >= FEATURELESS_BITS


def hamming(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> NDArray[np.int64]:
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64)


def group_scenes(photos: Iterable[PhotoRecord], hashes: dict[int, int | None], window: dt.timedelta,
                 per_scene: int) -> list[Scene]:
    """The scenes of ``photos`` (module docstring), up to ``per_scene`` of each asked about (the
    job's option, tag_options.ModelRequest.per_scene); 0 makes every photo its own scene."""
    photos = list(photos)
    if per_scene <= 0:
        return [Scene(members=(p.id,), asked=(p.id,)) for p in photos]
    by_camera: dict[str, list[PhotoRecord]] = defaultdict(list)
    scenes = []
    for photo in photos:
        if photo.local_s is None or hashes.get(photo.id) is None:
            scenes.append(Scene(members=(photo.id,), asked=(photo.id,)))
        else:
            by_camera[photo.camera].append(photo)
    for members in by_camera.values():
        members.sort(key=lambda p: (p.local_s, p.id))
        for run in _time_runs(members, window.total_seconds()):
            scenes += _alike_scenes(run, hashes, window.total_seconds(), per_scene)
    return scenes


def _time_runs(photos: list[PhotoRecord], window_s: float) -> list[list[PhotoRecord]]:
    """Sorted photos cut where the gap exceeds ``window_s`` or the run would span more than MAX_SPAN."""
    runs: list[list[PhotoRecord]] = []
    for photo in photos:
        t = photo.local_s
        assert t is not None
        if runs and t - _seconds(runs[-1][-1]) <= window_s and t - _seconds(runs[-1][0]) <= MAX_SPAN.total_seconds():
            runs[-1].append(photo)
        else:
            runs.append([photo])
    return runs


def _seconds(photo: PhotoRecord) -> float:
    assert photo.local_s is not None
    return photo.local_s


def _alike_scenes(run: list[PhotoRecord], hashes: dict[int, int | None], window_s: float, per_scene: int) -> list[Scene]:
    """Single-linkage groups of one time run: photos within ``window_s`` of each other whose hashes
    differ in at most ALIKE_BITS bits are linked."""
    times = np.array([_seconds(p) for p in run])
    codes = np.array([hashes[p.id] for p in run], dtype=np.uint64)
    parent = list(range(len(run)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(run) - 1):
        end = int(np.searchsorted(times, times[i] + window_s, side="right"))
        for j in np.flatnonzero(hamming(codes[i + 1:end], codes[i]) <= ALIKE_BITS) + i + 1:
            parent[root(int(j))] = root(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(run)):
        groups[root(i)].append(i)
    scenes = []
    for indices in groups.values():
        chosen = most_distinct(codes[indices], per_scene)
        scenes.append(Scene(members=tuple(run[i].id for i in indices), asked=tuple(run[indices[k]].id for k in chosen)))
    return scenes


def most_distinct(codes: NDArray[np.uint64], k: int) -> list[int]:
    """Indices (ascending) of up to ``k`` of ``codes``: the medoid first, then each time the one
    farthest from those chosen (ties: the earliest)."""
    n = len(codes)
    if n <= k:
        return list(range(n))
    pool = np.unique(np.linspace(0, n - 1, min(n, MEDOID_POOL)).round().astype(np.int64))
    distances = hamming(codes[pool][:, None], codes[pool][None, :])
    chosen = [int(np.argmin(distances.sum(axis=1)))]
    nearest = distances[chosen[0]].copy()
    while len(chosen) < k:
        far = int(np.argmax(nearest))
        if nearest[far] == 0:
            break  # the rest are duplicates of those chosen
        chosen.append(far)
        nearest = np.minimum(nearest, distances[far])
    return sorted(int(pool[c]) for c in chosen)
