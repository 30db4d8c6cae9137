"""Evaluation metrics of geolocation, in one place: accuracy at the standard distance thresholds,
mean and median error, and the GeoGuessr-style score.

A prediction that could not be parsed (NaN coordinates) is a failure at every threshold, scores 0,
and counts as the largest possible error (half the Earth's circumference) in the mean and median,
so a model cannot improve its numbers by refusing to answer. The same errors restricted to parsed
answers are reported beside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from geor.engine.errors import BadInput

from .constants import MAX_DISTANCE_KM
from .haversine import haversine_km

#: The community's thresholds (Im2GPS, YFCC4K, OSV-5M papers), in km, with their names.
THRESHOLDS_KM: dict[float, str] = {
    1.0: "street",
    25.0: "city",
    200.0: "region",
    750.0: "country",
    2500.0: "continent",
}

#: GeoGuessr-style score: 5000 * exp(-d / GEOSCORE_SCALE_KM), 5000 for a perfect answer.
GEOSCORE_MAX = 5000.0
GEOSCORE_SCALE_KM = 1492.7


@dataclass(frozen=True, kw_only=True)
class GeoMetrics:
    """Summary of a set of predictions against the truth."""

    count: int
    unparsed: int
    accuracy: dict[float, float]  # threshold km -> share of all predictions within it
    mean_km: float  # unparsed answers count as MAX_DISTANCE_KM
    median_km: float
    mean_km_parsed: float  # over parsed answers only (NaN if none)
    median_km_parsed: float
    geoscore: float  # mean GeoGuessr-style score, unparsed answers score 0

    def as_dict(self) -> dict[str, float | int]:
        row: dict[str, float | int] = {"count": self.count, "unparsed": self.unparsed}
        for threshold, share in self.accuracy.items():
            row[f"acc_{threshold:g}km"] = share
        row |= {
            "mean_km": self.mean_km,
            "median_km": self.median_km,
            "mean_km_parsed": self.mean_km_parsed,
            "median_km_parsed": self.median_km_parsed,
            "geoscore": self.geoscore,
        }
        return row

    def format_table(self) -> str:
        """A short human-readable table."""
        lines = [f"predictions      {self.count}", f"unparsed         {self.unparsed}"]
        for threshold, share in self.accuracy.items():
            label = f"{threshold:g} km ({THRESHOLDS_KM.get(threshold, '')})"
            lines.append(f"{label:<20} {100 * share:6.1f} %")
        lines += [
            f"median error     {self.median_km:,.1f} km (parsed only: {self.median_km_parsed:,.1f} km)",
            f"mean error       {self.mean_km:,.1f} km (parsed only: {self.mean_km_parsed:,.1f} km)",
            f"GeoScore         {self.geoscore:,.0f} / {GEOSCORE_MAX:,.0f}",
        ]
        return "\n".join(lines)


def geoscore(distance_km: ArrayLike) -> np.ndarray:
    """GeoGuessr-style score of each distance; NaN (no answer) scores 0."""
    d = np.asarray(distance_km, dtype=np.float64)
    return np.where(np.isnan(d), 0.0, GEOSCORE_MAX * np.exp(-d / GEOSCORE_SCALE_KM))


def evaluate(
    pred_lat: ArrayLike,
    pred_lon: ArrayLike,
    true_lat: ArrayLike,
    true_lon: ArrayLike,
    thresholds_km: tuple[float, ...] = tuple(THRESHOLDS_KM),
) -> GeoMetrics:
    """Metrics of predictions against the truth; NaN predictions are unparsed answers.

    The truth must be known (no NaN) for every row.
    """
    true_lat_a = np.asarray(true_lat, dtype=np.float64).ravel()
    true_lon_a = np.asarray(true_lon, dtype=np.float64).ravel()
    if np.isnan(true_lat_a).any() or np.isnan(true_lon_a).any():
        row = int(np.argmax(np.isnan(true_lat_a) | np.isnan(true_lon_a)))
        raise BadInput(f"true position at index {row} is missing: every row needs a known truth")
    d = np.asarray(haversine_km(pred_lat, pred_lon, true_lat_a, true_lon_a), dtype=np.float64).ravel()
    n = d.shape[0]
    parsed = ~np.isnan(d)
    d_all = np.where(parsed, d, MAX_DISTANCE_KM)
    nan = math.nan
    return GeoMetrics(
        count=n,
        unparsed=int(n - parsed.sum()),
        accuracy={t: (float(np.mean(parsed & (d_all <= t))) if n else nan) for t in thresholds_km},
        mean_km=float(d_all.mean()) if n else nan,
        median_km=float(np.median(d_all)) if n else nan,
        mean_km_parsed=float(d[parsed].mean()) if parsed.any() else nan,
        median_km_parsed=float(np.median(d[parsed])) if parsed.any() else nan,
        geoscore=float(geoscore(d).mean()) if n else nan,
    )
