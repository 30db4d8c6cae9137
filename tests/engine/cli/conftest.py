"""Fixtures of the command-line tests."""

import os

import pytest


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A private data directory that shares the (already built) default region pack."""
    from geor.engine.geo.geocoder.default_location import default_pack_path

    pack = default_pack_path()
    home = tmp_path_factory.mktemp("geor-home")
    (home / "regionpacks").mkdir()
    (home / "regionpacks" / pack.name).symlink_to(pack)
    return os.environ | {"GEOR_DATA_DIR": str(home)}
