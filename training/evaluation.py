"""``geor-train eval CONFIG``: run any model the engine can load (checkpoint, GGUF, ONNX) over an
evaluation set and report how well it places the photos.

Writes into the evaluation folder:

- ``predictions.csv``: one row per photo, written as it goes; an interrupted run resumes from it.
  Under ``accelerate launch`` (several processes) the photos are split between the processes
  (accelerate's ``split_between_processes``), each writes ``predictions.part-R.csv`` as it goes
  (resumable the same way), and the main process merges them into ``predictions.csv`` in the
  evaluation set's order, the file a single process would have written;
- ``report.json`` and ``report.md``: accuracy at 1/25/200/750/2,500 km, median and mean error
  (the same code as ``geor evaluate``: :func:`geor.engine.geo.evaluate`), per-level region accuracy
  against the truth's Chain of Region, the parse-failure rate and its reasons, seconds per photo;
- ``errors.png``: a world map of the errors.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geor.engine.errors import BadInput
from geor.engine.geo import evaluate, haversine_km
from geor.engine.inference.agreement import same_name

from .checkpoints import FINAL, write_json
from .config import TrainConfig
from .data import open_geocoder
from .rewards import paper_distance_reward
from .samples import read_sources
from .splits import split_samples
from .supervision import Supervised, supervise

COLUMNS = ("id", "image", "lat", "lon", "country", "state", "city", "status", "pred_lat", "pred_lon",
           "pred_country", "pred_state", "pred_city", "failure", "seconds", "output")
LEVELS = ("country", "state", "city")


@dataclass(frozen=True)
class EvalResult:
    folder: Path
    report: dict[str, Any]


def eval_rows(config: TrainConfig, geocoder: Any) -> list[Supervised]:
    """The evaluation set: ``data.eval`` when given, else the same held-out split training used."""
    settings = config.data
    if settings.eval:
        samples, _ = read_sources(settings.eval)
    else:
        if not settings.train:
            raise BadInput(f"{config.path}: no data.eval and no data.train to hold samples out of")
        train, _ = read_sources(settings.train)
        samples = split_samples(train, settings.eval_fraction, settings.seed).eval
    limit = config.evaluation.max_samples
    if limit is not None:
        samples = samples[:limit]
    rows, _ = supervise(samples, geocoder, settings.city_km)
    if not rows:
        raise BadInput(f"{config.path}: the evaluation set is empty")
    return rows


def run_eval(config: TrainConfig, model: str | None = None, out: Path | None = None, restart: bool = False) -> EvalResult:
    from geor.engine.inference.loader import open_backend, resolve
    from geor.engine.inference.predictor import PredictOptions, Predictor

    settings = config.evaluation
    if model is None and settings.model is not None:  # relative to the config, else a registry name
        local = config.resolve(settings.model)
        model = str(local) if local.exists() else settings.model
    model = model or str(config.output_dir / FINAL)
    folder = Path(out) if out is not None else config.resolve(config.output_dir) / settings.out
    folder.mkdir(parents=True, exist_ok=True)
    geocoder = open_geocoder(config)
    rows = eval_rows(config, geocoder)
    spec = resolve(model)
    manifest = spec.manifest
    options = PredictOptions(
        samples=settings.samples, max_new_tokens=settings.max_new_tokens,
        prompt_version=manifest.prompt_version if manifest else config.prompt_version,
        max_pixels=(manifest.image_max_pixels if manifest and manifest.image_max_pixels else config.image_max_pixels),
    )
    predictions = folder / "predictions.csv"
    processes = _Processes()
    if processes.main:
        if restart:
            for stale in [predictions, *folder.glob(PART_GLOB)]:
                stale.unlink(missing_ok=True)
        _merge_parts(predictions, rows)  # the shares of an interrupted run of several processes
    processes.wait()
    done = _read_done(predictions) if processes.main else _read_rows(predictions)
    todo = processes.share([row for row in rows if row.sample.id not in done])
    if done and processes.main:
        print(f"resuming: {len(done):,} photos already evaluated in {predictions}")
    mine = predictions if processes.count == 1 else folder / f"predictions.part-{processes.index}.csv"
    mine_done = bool(done) if processes.count == 1 else False
    device = processes.device(settings.device)
    threads = settings.threads if settings.threads is not None or processes.count == 1 else processes.threads()
    backend = open_backend(spec, device=device, threads=threads)
    predictor = Predictor(backend, geocoder, options)
    try:
        with mine.open("a" if mine_done else "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            if not mine_done:
                writer.writeheader()
            for n, row in enumerate(todo, 1):
                started = time.perf_counter()
                prediction = predictor.predict_path(row.sample.image)
                record = _record(row, prediction, time.perf_counter() - started)
                writer.writerow(record)
                handle.flush()
                done[row.sample.id] = record
                if n % 50 == 0 or n == len(todo):
                    print(f"evaluated {n:,} / {len(todo):,}" + (f" (process {processes.index})" if processes.count > 1 else ""))
    finally:
        backend.close()
    if processes.count > 1:
        processes.wait()
        if processes.main:
            _merge_parts(predictions, rows)
        processes.wait()
        done = _read_rows(predictions)
        if not processes.main:
            processes.wait()  # the main process writes the report
            return EvalResult(folder, json.loads((folder / "report.json").read_text(encoding="utf-8")))
    records = [done[row.sample.id] for row in rows if row.sample.id in done]
    report = summarise(records, model)
    write_json(folder / "report.json", report)
    (folder / "report.md").write_text(format_report(report), encoding="utf-8")
    from .error_map import draw_error_map

    draw_error_map(
        folder / "errors.png", geocoder,
        [float(r["lat"]) for r in records], [float(r["lon"]) for r in records],
        [_number(r["pred_lat"]) for r in records], [_number(r["pred_lon"]) for r in records],
        title=f"{Path(model).name}: {len(records):,} photos, median error {report['metrics']['median_km']:,.0f} km",
    )
    if processes.count > 1:
        processes.wait()
    return EvalResult(folder, report)


class _Processes:
    """This process's place among those ``accelerate launch`` (or torchrun) started: one process
    when it was started alone. Several share the photos, each on its own GPU where there are GPUs,
    else on its share of the CPU cores."""

    def __init__(self) -> None:
        self.count = int(os.environ.get("WORLD_SIZE", "1"))
        self.state: Any = None
        if self.count > 1:
            import torch
            from accelerate import PartialState

            self.state = PartialState(cpu=not torch.cuda.is_available())
            self.count = self.state.num_processes
        self.index = self.state.process_index if self.state else 0
        self.main = self.index == 0

    def share(self, items: list[Any]) -> list[Any]:
        if self.state is None:
            return items
        with self.state.split_between_processes(items) as part:
            return list(part)

    def wait(self) -> None:
        if self.state is not None:
            self.state.wait_for_everyone()

    def device(self, wanted: str) -> str:
        if self.state is not None and self.state.device.type == "cuda" and wanted in ("auto", "cuda"):
            return str(self.state.device)
        return wanted

    def threads(self) -> int:
        return max(1, (os.cpu_count() or 1) // self.count)


def _record(row: Supervised, prediction: Any, seconds: float) -> dict[str, Any]:
    sample = prediction.samples[0] if prediction.samples else None
    if prediction.status == "ok":
        failure = ""
    elif prediction.status == "unparsed" and sample is not None and sample.failure:
        failure = sample.failure  # e.g. "malformed_coordinates"
    else:
        failure = prediction.reason or prediction.status
    return {
        "id": row.sample.id, "image": str(row.sample.image), "lat": row.sample.lat, "lon": row.sample.lon,
        "country": row.country or "", "state": row.state or "", "city": row.city or "", "status": prediction.status,
        "pred_lat": "" if prediction.lat is None else prediction.lat, "pred_lon": "" if prediction.lon is None else prediction.lon,
        "pred_country": prediction.country or "", "pred_state": prediction.state or "", "pred_city": prediction.city or "",
        "failure": failure, "seconds": round(seconds, 4), "output": sample.text if sample else "",
    }


PART_GLOB = "predictions.part-*.csv"


def _read_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The complete rows of a predictions file (none when it is missing or not one), by photo id."""
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            return {}
        return {r["id"]: r for r in reader if None not in r.values() and r.get("seconds")}


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    from geor.engine.atomic import atomic_text_writer

    with atomic_text_writer(path) as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _merge_parts(predictions: Path, rows: list[Supervised]) -> None:
    """Fold the processes' share files into ``predictions.csv``, in the evaluation set's order."""
    parts = sorted(predictions.parent.glob(PART_GLOB))
    if not parts:
        return
    done = _read_rows(predictions)
    for part in parts:
        done |= _read_rows(part)
    _write_rows(predictions, [done[row.sample.id] for row in rows if row.sample.id in done])
    for part in parts:
        part.unlink()


def _read_done(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of an earlier, interrupted run (a torn last line is dropped and rewritten)."""
    rows = _read_rows(path)
    if path.is_file():
        _write_rows(path, list(rows.values()))  # drop a torn last line before appending
    return rows


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def summarise(records: list[dict[str, Any]], model: str) -> dict[str, Any]:
    truth = np.array([(float(r["lat"]), float(r["lon"])) for r in records])
    guess = np.array([(_number(r["pred_lat"]), _number(r["pred_lon"])) for r in records])
    metrics = evaluate(guess[:, 0], guess[:, 1], truth[:, 0], truth[:, 1])
    distance = np.asarray(haversine_km(guess[:, 0], guess[:, 1], truth[:, 0], truth[:, 1]))
    levels = {}
    for level in LEVELS:
        known = [r for r in records if r[level]]
        right = sum(1 for r in known if r[f"pred_{level}"] and same_name(r[f"pred_{level}"], r[level]))
        levels[level] = {"accuracy": right / len(known) if known else math.nan, "photos": len(known)}
    failures = Counter(r["failure"] if r["status"] == "unparsed" else "error" for r in records if r["status"] != "ok")
    seconds = [float(r["seconds"]) for r in records if r.get("seconds")]
    return {
        "model": model, "photos": len(records), "metrics": metrics.as_dict(), "region_accuracy": levels,
        "parse_failure_rate": sum(1 for r in records if r["status"] == "unparsed") / len(records),
        "error_rate": sum(1 for r in records if r["status"] == "error") / len(records),
        "failures": dict(failures), "seconds_per_photo": float(np.mean(seconds)) if seconds else math.nan,
        # the GRPO coordinate reward of the answers (unparsed: 0), comparable with training's logs
        "coordinate_reward": float(paper_distance_reward(distance).mean()),
    }


def format_report(report: dict[str, Any]) -> str:
    m = report["metrics"]
    lines = [f"# Evaluation of {report['model']}", "", f"{report['photos']:,} photos, "
             f"{report['seconds_per_photo']:.2f} s per photo.", "", "| metric | value |", "|---|---:|"]
    for key, value in m.items():
        if key.startswith("acc_"):
            lines.append(f"| within {float(key[4:-2]):,g} km | {100 * value:.1f} % |")
    lines += [
        f"| median error | {m['median_km']:,.1f} km |", f"| mean error | {m['mean_km']:,.1f} km |",
        f"| GeoScore | {m['geoscore']:,.0f} |", f"| coordinate reward | {report['coordinate_reward']:.3f} |", f"| parse failures | {100 * report['parse_failure_rate']:.1f} % |",
    ]
    for level, value in report["region_accuracy"].items():
        lines.append(f"| {level} named right | {100 * value['accuracy']:.1f} % of {value['photos']:,} |")
    if report["failures"]:
        lines += ["", "Failures: " + ", ".join(f"{k} {v}" for k, v in sorted(report["failures"].items()))]
    lines += ["", "![errors](errors.png)", ""]
    return "\n".join(lines)
