"""Side-by-side throughput of Geo-R's distance kernels against what a user would otherwise write.

Peers, measured in the same run on the same inputs:
  * NumPy vectorised: the textbook haversine with broadcasting (geor.engine.geo.reference), chunked
    + argpartition for nearest-k;
  * scikit-learn: sklearn.metrics.pairwise.haversine_distances (radians in, unit-sphere out), the
    same chunked argpartition for nearest-k.
JIT compilation happens before any timing (and is cached on disk by numba's cache=True).

Run: .venv/bin/python benchmarks/bench_haversine.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from sklearn.metrics.pairwise import haversine_distances

from geor.engine.geo import EARTH_RADIUS_KM, haversine_km, nearest_k, pairwise_km, reference

sys.path.insert(0, str(Path(__file__).parent))
from roofline import best_seconds  # noqa: E402


def random_points(n: int, rng: np.random.Generator) -> np.ndarray:
    return np.column_stack([np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)])


def sklearn_pairwise_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return haversine_distances(np.radians(a), np.radians(b)) * EARTH_RADIUS_KM


def chunked_nearest(distance: Callable[[np.ndarray, np.ndarray], np.ndarray], queries: np.ndarray, gallery: np.ndarray, k: int, chunk: int = 512) -> np.ndarray:
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        d = distance(queries[start:start + chunk], gallery)
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1)
        out[start:start + chunk] = np.take_along_axis(part, order, axis=1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a smoke run)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    rng = np.random.default_rng(42)
    n_elem = int(5_000_000 * scale)
    n_a, n_b = int(2_000 * scale), int(20_000 * scale)
    n_q, n_g, k = int(2_000 * scale), int(100_000 * scale), 5
    repeats = 3

    lat1, lon1 = random_points(n_elem, rng).T
    lat2, lon2 = random_points(n_elem, rng).T
    a, b = random_points(n_a, rng), random_points(n_b, rng)
    queries, gallery = random_points(n_q, rng), random_points(n_g, rng)

    # compile (or load from the on-disk cache) outside the timings
    compile_start = time.perf_counter()
    haversine_km(lat1[:10], lon1[:10], lat2[:10], lon2[:10])
    pairwise_km(a[:3], b[:3])
    nearest_k(queries[:3], gallery[:10], k)
    warmup_s = time.perf_counter() - compile_start

    rows: list[tuple[str, str, float, dict[str, float]]] = []

    def measure(task: str, size: str, pairs: float, ours: Callable[[], object], peers: dict[str, Callable[[], object]]) -> None:
        ours_s = best_seconds(ours, repeats, warm=False)
        peer_s = {name: best_seconds(fn, repeats if name != "slow" else 1, warm=False) for name, fn in peers.items()}
        rows.append((task, size, pairs / ours_s, {name: s / ours_s for name, s in peer_s.items()} | {"_ours_s": ours_s, **{f"_{n}_s": s for n, s in peer_s.items()}}))

    measure(
        "element-wise", f"{n_elem:,} pairs", n_elem,
        lambda: haversine_km(lat1, lon1, lat2, lon2),
        {"NumPy": lambda: reference.haversine_km(lat1, lon1, lat2, lon2)},
    )
    measure(
        "pairwise N x M", f"{n_a:,} x {n_b:,}", n_a * n_b,
        lambda: pairwise_km(a, b),
        {"NumPy": lambda: reference.pairwise_km(a, b), "sklearn": lambda: sklearn_pairwise_km(a, b)},
    )
    measure(
        f"nearest-{k}", f"{n_q:,} x {n_g:,}", n_q * n_g,
        lambda: nearest_k(queries, gallery, k),
        {
            "NumPy": lambda: chunked_nearest(reference.pairwise_km, queries, gallery, k),
            "sklearn": lambda: chunked_nearest(sklearn_pairwise_km, queries, gallery, k),
        },
    )

    # sanity: the timed results agree
    np.testing.assert_allclose(pairwise_km(a[:100], b), sklearn_pairwise_km(a[:100], b), rtol=1e-9, atol=1e-6)
    ours_idx, _ = nearest_k(queries[:200], gallery, k)
    assert (ours_idx == chunked_nearest(reference.pairwise_km, queries[:200], gallery, k)).mean() > 0.999

    print(f"# Haversine kernels: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads), NumPy {np.__version__}, best of {repeats}")
    print(f"# JIT warm-up (cache load or compile) before timing: {warmup_s:.2f} s")
    print()
    print("| task | size | Geo-R (M pairs/s) | Geo-R time | vs NumPy | vs sklearn |")
    print("|---|---|---:|---:|---:|---:|")
    for task, size, throughput, ratios in rows:
        sk = f"{ratios['sklearn']:.1f}x faster" if "sklearn" in ratios else "n/a"
        print(f"| {task} | {size} | {throughput / 1e6:,.1f} | {ratios['_ours_s'] * 1e3:,.0f} ms | {ratios['NumPy']:.1f}x faster | {sk} |")

    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    if exe:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([exe, "distance", "46.2", "6.1", "48.9", "2.4"], check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([exe, "--version"], check=True, capture_output=True)
        version_s = time.perf_counter() - start
        print(f"\nCLI start-up: `geor distance ...` {min(runs):.2f} s (cached JIT), `geor --version` {version_s:.2f} s")


if __name__ == "__main__":
    main()
