"""The paper's hard-sample selection for reinforcement learning.

GRPO learns from the spread of rewards within a group of answers to one photo; photos the model
already places well give every answer the same high reward and no advantage to learn from. So,
from a model's predictions on a pool: keep the samples it gets wrong, then drop every one of those
within ``exclusion_km`` of a sample it gets right (its surroundings are known territory).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geor.engine.geo import haversine_km

from .samples import DatasetError, GeoSample
from .splits import drop_near

DEFAULT_CORRECT_KM = 25.0  # "right": within city level
DEFAULT_EXCLUSION_KM = 200.0


@dataclass(frozen=True)
class HardSelection:
    hard: list[GeoSample]
    right: int
    wrong: int
    dropped_near_right: int
    unpredicted: int  # pool samples without a prediction (left out)


def select_hard(pool: list[GeoSample], predicted: dict[str, tuple[float, float]], correct_km: float = DEFAULT_CORRECT_KM,
                exclusion_km: float = DEFAULT_EXCLUSION_KM) -> HardSelection:
    """``predicted`` maps a sample id to the model's (lat, lon); NaN for an answer that did not parse
    (which counts as wrong)."""
    known = [s for s in pool if s.id in predicted]
    if not known:
        return HardSelection([], 0, 0, 0, len(pool))
    guess = np.array([predicted[s.id] for s in known], dtype=np.float64)
    truth = np.array([(s.lat, s.lon) for s in known])
    distance = np.asarray(haversine_km(guess[:, 0], guess[:, 1], truth[:, 0], truth[:, 1]))
    right_mask = np.array([not math.isnan(d) and d <= correct_km for d in distance])
    right = [s for s, r in zip(known, right_mask, strict=True) if r]
    wrong = [s for s, r in zip(known, right_mask, strict=True) if not r]
    hard, dropped = drop_near(wrong, right, exclusion_km)
    return HardSelection(hard, len(right), len(wrong), dropped, len(pool) - len(known))


def write_hard_samples(predictions: Path, out: Path, correct_km: float = DEFAULT_CORRECT_KM,
                       exclusion_km: float = DEFAULT_EXCLUSION_KM) -> HardSelection:
    """Read ``geor-train eval``'s predictions.csv on a training pool; write the hard subset as an
    MP16-layout CSV whose IMG_ID holds each image's absolute path (any ``images:`` folder works)."""
    from geor.engine.atomic import atomic_text_writer
    from geor.engine.csv_files import CsvFileError, open_csv, parse_number

    try:
        handle, reader, header = open_csv(predictions)
    except CsvFileError as exc:
        raise DatasetError(str(exc)) from None
    with handle:
        missing = [c for c in ("id", "image", "lat", "lon", "pred_lat", "pred_lon") if c not in header]
        if missing:
            raise DatasetError(f"{predictions}: no column {missing[0]!r}; expected the predictions.csv of geor-train eval")
        pool, predicted = [], {}
        for row in reader:
            lat, lon = parse_number(row["lat"]), parse_number(row["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                continue
            sample = GeoSample(row["id"], Path(row["image"]).resolve(), lat, lon)
            pool.append(sample)
            predicted[sample.id] = (parse_number(row["pred_lat"]), parse_number(row["pred_lon"]))
    selection = select_hard(pool, predicted, correct_km, exclusion_km)
    with atomic_text_writer(out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["IMG_ID", "LAT", "LON"])
        writer.writerows((str(s.image), repr(s.lat), repr(s.lon)) for s in selection.hard)
    return selection
