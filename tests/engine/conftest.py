from pathlib import Path

import pytest


@pytest.fixture
def jobs_home(tmp_path, monkeypatch) -> Path:
    """A private data directory for job stores and a private config (no saved privacy zones)."""
    home = tmp_path / "geor-data"
    monkeypatch.setenv("GEOR_DATA_DIR", str(home))
    monkeypatch.setenv("GEOR_CONFIG_DIR", str(tmp_path / "geor-config"))
    return home
