import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from geor.engine.pipeline import TagOptions, open_job_store, plan_job, run_tag_job
from geor.engine.pipeline.clock_offsets import format_offset

from ..photos.conftest import make_photo  # noqa: F401  (re-exported for the tests here)

T0 = dt.datetime(2024, 7, 14, 10, 0, 0)


@pytest.fixture
def jobs_home(tmp_path, monkeypatch) -> Path:
    """A private data directory for job stores and a private config (no saved privacy zones)."""
    home = tmp_path / "geor-data"
    monkeypatch.setenv("GEOR_DATA_DIR", str(home))
    monkeypatch.setenv("GEOR_CONFIG_DIR", str(tmp_path / "geor-config"))
    return home


def run(folder: Path, options: TagOptions | None = None, gpx: list[Path] | None = None, tz: dt.timedelta | None = None,
        extra_sources=(), place_names=None):
    """A job as geor tag runs it (plan_job, the same store lookup), with test sources first."""
    options = options or TagOptions()
    if gpx:
        options = dataclasses.replace(options, tracks=[str(p) for p in gpx])
    if tz is not None:
        options = dataclasses.replace(options, tz=format_offset(tz.total_seconds()))
    plan = plan_job(options)
    store, _ = open_job_store(folder, options)
    summary = run_tag_job(store, options, [*extra_sources, *plan.sources], place_names, track=plan.track)
    return store, summary
