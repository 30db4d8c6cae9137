"""The region pack's schema: what the build writes is what it declares, and a reader refuses a pack
that lacks an array or holds one of another dtype, naming it."""

import numpy as np
import pytest

from geor.engine.geo.geocoder import Geocoder
from geor.engine.geo.geocoder.pack_format import PackFormatError, read_pack, write_pack
from geor.engine.geo.geocoder.pack_schema import LEVEL_NAMES, check_region_pack, expected_arrays, read_region_pack


def rewritten(source, target, change):
    """A copy of the pack at ``source`` with ``change(arrays, meta)`` applied."""
    pack = read_pack(source)
    arrays, meta = {name: np.array(array) for name, array in pack.arrays.items()}, dict(pack.meta)
    change(arrays, meta)
    write_pack(target, arrays, meta)
    return target


def test_the_build_writes_exactly_the_declared_arrays_in_order(synthetic_pack):
    pack = read_region_pack(synthetic_pack)
    assert pack.meta["levels"] == list(LEVEL_NAMES)
    assert list(pack.arrays) == list(expected_arrays(len(LEVEL_NAMES)))
    check_region_pack(pack.arrays, pack.meta, synthetic_pack, writing=True)


def test_a_pack_missing_an_array_is_refused_naming_it(synthetic_pack, tmp_path):
    broken = rewritten(synthetic_pack, tmp_path / "no-parent.georpack", lambda arrays, meta: arrays.pop("L1_parent"))
    with pytest.raises(PackFormatError, match=r"no-parent\.georpack: array 'L1_parent' .* is missing"):
        Geocoder(broken)


def test_a_pack_with_an_array_of_another_dtype_is_refused_naming_it(synthetic_pack, tmp_path):
    def widen(arrays, meta):
        arrays["edge_lat"] = arrays["edge_lat"].astype(np.float64)

    broken = rewritten(synthetic_pack, tmp_path / "wide.georpack", widen)
    with pytest.raises(PackFormatError, match=r"wide\.georpack: array 'edge_lat' has dtype float64, a region pack holds it as float32"):
        read_region_pack(broken)


def test_a_pack_missing_metadata_is_refused_naming_it(synthetic_pack, tmp_path):
    broken = rewritten(synthetic_pack, tmp_path / "no-grid.georpack", lambda arrays, meta: meta.pop("cell_deg"))
    with pytest.raises(PackFormatError, match="metadata 'cell_deg'"):
        Geocoder(broken)


def test_packs_built_before_the_kind_column_still_open(synthetic_pack, tmp_path):
    def drop_kind(arrays, meta):
        for name in [n for n in arrays if "_kind_" in n]:
            del arrays[name]

    older = Geocoder(rewritten(synthetic_pack, tmp_path / "older.georpack", drop_kind))
    assert not older.has_column(2, "kind")
    assert older.lookup(45.0, 1.0).district == "West District"
    with pytest.raises(PackFormatError, match="'L0_kind_blob'"):  # but the build always writes it
        check_region_pack(older.pack.arrays, older.pack.meta, "older", writing=True)


def test_the_writer_refuses_undeclared_arrays(synthetic_pack):
    pack = read_pack(synthetic_pack)
    with pytest.raises(PackFormatError, match="'extra' not declared"):
        check_region_pack(pack.arrays | {"extra": np.zeros(1)}, pack.meta, "new", writing=True)
    check_region_pack(pack.arrays | {"extra": np.zeros(1)}, pack.meta, "new")  # a reader ignores what it does not know
