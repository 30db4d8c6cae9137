"""Tag jobs run as ``geor tag`` runs them, for the pipeline tests (and the reference time they use)."""

import dataclasses
import datetime as dt
from pathlib import Path

from geor.engine.pipeline import TagOptions, open_job_store, plan_job, run_tag_job
from geor.engine.placement.clock_offsets import format_offset

from .photo_files import make_photo

T0 = dt.datetime(2024, 7, 14, 10, 0, 0)
#: The album's two GPS photos (Biei, Hokkaido), the photos between them placed from both.
A = (43.452002, 142.615358)
D = (43.4628, 142.615358)  # 1.2 km north, 6 min later: a walk or a slow drive, so the photos between take the way


def run(folder: Path, options: TagOptions | None = None, gpx: list[Path] | None = None, tz: dt.timedelta | None = None,
        extra_sources=(), place_names=None):
    """A job as geor tag runs it (plan_job, the same store lookup), with test sources first."""
    options = options or TagOptions()
    if gpx:
        options = dataclasses.replace(options, tracks=tuple(str(p) for p in gpx))
    if tz is not None:
        options = dataclasses.replace(options, tz=format_offset(tz.total_seconds()))
    plan = plan_job(options)
    store, _ = open_job_store(folder, options)
    summary = run_tag_job(store, options, [*extra_sources, *plan.sources], place_names, track=plan.track)
    return store, summary


def album(folder, n_between=2):
    folder.mkdir(exist_ok=True)
    make_photo(folder / "a.jpg", T0, gps=A)
    for i in range(n_between):
        make_photo(folder / f"b{i}.jpg", T0 + dt.timedelta(minutes=2 * (i + 1)))
    make_photo(folder / "d.jpg", T0 + dt.timedelta(minutes=2 * (n_between + 1)), gps=D)
    make_photo(folder / "lonely.jpg", T0 + dt.timedelta(hours=5))
    return folder


def names(positions):
    return [{"city": "Biei", "state": "Hokkaido", "country": "Japan", "country_code": "JP", "country_code3": "JPN"} for _ in positions]


def write_gpx(path, points):
    body = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><ele>{ele}</ele><time>{t.strftime("%Y-%m-%dT%H:%M:%SZ")}</time></trkpt>'
        for lat, lon, ele, t in points
    )
    path.write_text(f'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>')
    return path
