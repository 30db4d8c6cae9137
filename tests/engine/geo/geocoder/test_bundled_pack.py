"""An installed bundle ships the default pack read-only; the engine uses it before building one."""

from geor.engine.geo.geocoder.default_location import default_pack_path, pack_name


def test_the_bundled_pack_comes_first(geor_home, tmp_path, monkeypatch):
    user_pack = default_pack_path()
    bundled = tmp_path / "bundle" / "geor-data"
    (bundled / "regionpacks").mkdir(parents=True)
    (bundled / "regionpacks" / pack_name()).symlink_to(user_pack.resolve())
    monkeypatch.setenv("GEOR_BUNDLED_DATA_DIR", str(bundled))
    assert default_pack_path() == bundled / "regionpacks" / pack_name()


def test_a_damaged_bundled_pack_falls_back_to_the_users(geor_home, tmp_path, monkeypatch):
    bundled = tmp_path / "bundle" / "geor-data"
    (bundled / "regionpacks").mkdir(parents=True)
    (bundled / "regionpacks" / pack_name()).write_bytes(b"GEORPAK1 but nothing else")
    monkeypatch.setenv("GEOR_BUNDLED_DATA_DIR", str(bundled))
    said = []
    path = default_pack_path(progress=said.append)
    assert path.parent == geor_home / "regionpacks" and "unusable" in said[0]


def test_a_pack_of_another_release_is_not_taken_for_this_ones(geor_home, tmp_path, monkeypatch, synthetic_pack):
    """A pack under this release's file name but built from other data (a copied or older file)
    is stale: the engine says so and uses (or builds) the right one."""
    bundled = tmp_path / "bundle" / "geor-data"
    (bundled / "regionpacks").mkdir(parents=True)
    (bundled / "regionpacks" / pack_name()).symlink_to(synthetic_pack)  # the synthetic test world: data_version differs
    monkeypatch.setenv("GEOR_BUNDLED_DATA_DIR", str(bundled))
    said = []
    path = default_pack_path(progress=said.append)
    assert path.parent == geor_home / "regionpacks" and "unusable" in said[0] and "not this release's" in said[0]
