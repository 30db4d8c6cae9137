"""A job's report: ``report.csv`` and ``report.geojson``, one row / feature per photo of the job,
skipped entries (links that loop, dangle or leave the folder) and failures included with their
reason; a feature without a position has a null geometry (RFC 7946, 3.2). Each camera's clock, with
its evidence, is in the GeoJSON's ``clocks`` member."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from geor.engine.atomic import atomic_text_writer
from geor.engine.paths import printable

from .jobstore import JobStore

#: evidence: why this position, in words; message: what happened to the photo (written, left for
#: review and why, why nothing placed it); radius_m: how far off the position may be; clock: the
#: camera clock's offset from UTC and its strength; utc: the photo's moment on the job's timeline.
COLUMNS = ("path", "stage", "source", "lat", "lon", "radius_m", "confidence", "evidence", "city", "state", "country", "message",
           "camera", "clock", "utc", "time_source")


def write_reports(store: JobStore) -> tuple[Path, Path]:
    folder = store.path.parent
    csv_path, geojson_path = folder / f"{store.id}-report.csv", folder / f"{store.id}-report.geojson"
    rows = store.photos()
    with atomic_text_writer(csv_path) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([printable(store.path_of(row)), *(getattr(row, c) for c in COLUMNS[1:])])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]} if row.lat is not None else None,
            "properties": {"path": printable(store.path_of(row)), **{c: getattr(row, c) for c in COLUMNS[1:] if c not in ("lat", "lon")}},
        }
        for row in rows
    ]
    with atomic_text_writer(geojson_path) as out:
        clocks = json.loads(store.get("clocks") or "[]")
        # indented for a person to read, compact for a machine when the job is big
        json.dump({"type": "FeatureCollection", "clocks": clocks, "features": features}, out, ensure_ascii=False,
                  indent=1 if len(features) <= 5000 else None)
    return csv_path, geojson_path
