"""Read a CSV of model predictions with the true positions and score it.

One row per photo: the truth (``lat``, ``lon`` columns by default) and either the model's raw text
(``output``, parsed with :mod:`geor.engine.cor`) or parsed coordinates (``pred_lat``, ``pred_lon``).
A row whose truth is missing or not a number is reported by line and left out; a prediction that
does not parse stays in and counts as a failure, as the metrics require.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cor import CorParseFailure, parse_answer
from .csv_files import CsvFileError, open_csv, parse_number
from .geo import GeoMetrics, evaluate


class PredictionsFileError(CsvFileError):
    """The file cannot be read as a predictions CSV at all (missing, not CSV, no such column)."""


@dataclass
class ScoredPredictions:
    metrics: GeoMetrics
    failures: Counter[str] = field(default_factory=Counter)  # parse failure reason -> count
    skipped_rows: list[str] = field(default_factory=list)  # "line 7: lat 'abc' is not a number"


def score_predictions_csv(
    path: Path,
    lat_column: str = "lat",
    lon_column: str = "lon",
    text_column: str = "output",
    pred_lat_column: str = "pred_lat",
    pred_lon_column: str = "pred_lon",
) -> ScoredPredictions:
    """Metrics of the predictions in ``path``; see the module docstring for the layout."""
    handle, reader, header = open_csv(path)
    with handle:
        missing = [c for c in (lat_column, lon_column) if c not in header]
        if missing:
            raise PredictionsFileError(f"{path}: no column {missing[0]!r} for the true position (columns: {', '.join(header) or 'none'})")
        use_text = text_column in header
        if not use_text and not (pred_lat_column in header and pred_lon_column in header):
            raise PredictionsFileError(
                f"{path}: needs a {text_column!r} column with the model's text or "
                f"{pred_lat_column!r} and {pred_lon_column!r} columns"
            )
        truth: list[tuple[float, float]] = []
        predicted: list[tuple[float, float]] = []
        scored = ScoredPredictions(metrics=evaluate([], [], [], []))
        try:
            for row in reader:
                line = reader.line_num
                true_lat, true_lon = parse_number(row.get(lat_column)), parse_number(row.get(lon_column))
                if not (-90 <= true_lat <= 90 and -180 <= true_lon <= 180):  # False for NaN
                    scored.skipped_rows.append(
                        f"line {line}: true position ({row.get(lat_column)!r}, {row.get(lon_column)!r}) is not a valid latitude/longitude"
                    )
                    continue
                if use_text:
                    result = parse_answer(row.get(text_column) or "")
                    if isinstance(result, CorParseFailure):
                        scored.failures[result.reason.value] += 1
                        guess = (math.nan, math.nan)
                    else:
                        guess = (result.lat, result.lon)
                else:
                    guess = (parse_number(row.get(pred_lat_column)), parse_number(row.get(pred_lon_column)))
                    if not (-90 <= guess[0] <= 90 and math.isfinite(guess[1])):
                        scored.failures["invalid_coordinates"] += 1
                        guess = (math.nan, math.nan)
                truth.append((true_lat, true_lon))
                predicted.append(guess)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise PredictionsFileError(f"{path}: line {reader.line_num}: not readable as UTF-8 CSV ({exc})") from None
    if not truth:
        raise PredictionsFileError(f"{path}: no rows with a valid true position")
    t, p = np.array(truth), np.array(predicted)
    scored.metrics = evaluate(p[:, 0], p[:, 1], t[:, 0], t[:, 1])
    return scored
