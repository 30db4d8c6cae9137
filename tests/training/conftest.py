import pytest


@pytest.fixture(scope="session")
def geocoder():
    from geor.engine.geo.geocoder import Geocoder
    from geor.engine.geo.geocoder.default_location import default_pack_path

    return Geocoder(default_pack_path())
