import datetime as dt
from pathlib import Path

import pytest

from geor.engine.pipeline import GpxSource, JobStore, TagOptions, TimePropagation, run_tag_job
from geor.engine.pipeline.gpx import Track

from ..photos.conftest import make_photo  # noqa: F401  (re-exported for the tests here)

T0 = dt.datetime(2024, 7, 14, 10, 0, 0)


@pytest.fixture
def jobs_home(tmp_path, monkeypatch) -> Path:
    """A private data directory for job stores (the region pack is not needed by these tests)."""
    home = tmp_path / "geor-data"
    monkeypatch.setenv("GEOR_DATA_DIR", str(home))
    return home


def run(folder: Path, options: TagOptions | None = None, gpx: list[Path] | None = None, tz: dt.timedelta | None = None,
        extra_sources=(), place_names=None):
    options = options or TagOptions()
    sources = [*extra_sources]
    if gpx:
        sources.append(GpxSource(Track.read(gpx), tz))
    sources.append(TimePropagation(dt.timedelta(minutes=options.window_min)))
    store = JobStore.unfinished_for(folder, options.as_dict()) or JobStore.create(folder, options.as_dict())
    summary = run_tag_job(store, options, sources, place_names)
    return store, summary
