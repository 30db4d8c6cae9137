"""The pack built from the synthetic world of tests.helpers.synthetic_world, and its geocoder."""

from pathlib import Path

import pytest

from geor.engine.geo.geocoder import Geocoder, build_pack
from geor.engine.geo.geocoder.gadm import read_gadm

from ....helpers.synthetic_world import CITIES, write_gadm_levels


@pytest.fixture(scope="session")
def gadm_levels_file(tmp_path_factory) -> Path:
    return write_gadm_levels(tmp_path_factory.mktemp("gadm") / "gadm_410-levels.gpkg")


@pytest.fixture(scope="session")
def synthetic_pack(gadm_levels_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "synthetic.georpack"
    build_pack(out, read_gadm(gadm_levels_file), CITIES, {"source": "synthetic GADM-style test data"}, grid_rows=256)
    return out


@pytest.fixture(scope="session")
def synthetic(synthetic_pack) -> Geocoder:
    return Geocoder(synthetic_pack)
