"""Map outlines from a region pack: every shared border kept once and classed by what it separates."""

import numpy as np
import pytest

from geor.engine.geo.geocoder.outlines import CLASSES, TOLERANCES_DEG, MapOutlines, land_mask, map_outlines


@pytest.fixture
def outlines(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_CACHE_DIR", str(tmp_path / "cache"))
    return map_outlines(synthetic.pack)


def vertices(outlines, line_class, tolerance=0.0):
    return np.asarray(outlines.at(line_class, tolerance).lonlat, dtype=np.float64)


def test_borders_are_classed_by_what_they_separate(outlines):
    country = vertices(outlines, "country")
    # Alphaland | Betaland at lon 10, and the enclave's square inside Alphaland
    on_border = np.isclose(country[:, 0], 10.0, atol=1e-3) & (country[:, 1] >= 40 - 1e-3) & (country[:, 1] <= 50 + 1e-3)
    in_enclave = (country[:, 0] >= 2.0 - 1e-3) & (country[:, 0] <= 2.02 + 1e-3) & (country[:, 1] >= 44 - 1e-3) & (country[:, 1] <= 44.02 + 1e-3)
    assert (on_border | in_enclave).all()
    assert on_border.sum() >= 2 and in_enclave.sum() >= 4
    division = vertices(outlines, "division")
    # North A | South A at lon 5, and the two districts of North A at lon 2.5
    assert (np.isclose(division[:, 0], 5.0, atol=1e-3) | np.isclose(division[:, 0], 2.5, atol=1e-3)).all()
    coast = vertices(outlines, "coast")
    assert not (np.isclose(coast[:, 0], 10.0, atol=1e-3) & (coast[:, 1] > 40.01) & (coast[:, 1] < 49.99)).any()
    assert np.isclose(coast[:, 0], 0.0, atol=1e-3).any()  # Alphaland's west coast


def test_each_border_is_drawn_once(outlines):
    lines = outlines.at("country", 0.0)
    border = [lines.line(i) for i in range(len(lines)) if np.allclose(lines.line(i)[:, 0], 10.0, atol=1e-3)]
    covered = sum(float(np.abs(np.diff(b[:, 1])).sum()) for b in border)
    assert covered == pytest.approx(10.0, abs=0.01)  # 40..50 once, not twice


def test_levels_of_detail_shrink_and_are_cached(outlines, synthetic, tmp_path):
    for line_class in CLASSES:
        sizes = [len(outlines.at(line_class, t).lonlat) for t in TOLERANCES_DEG]
        assert sizes == sorted(sizes, reverse=True)
    again = map_outlines(synthetic.pack)  # from the cache file
    for key, lines in outlines.lines.items():
        assert np.array_equal(lines.lonlat, again.lines[key].lonlat) and np.array_equal(lines.starts, again.lines[key].starts)
    assert list((tmp_path / "cache" / "map").glob("outlines-*.npz"))


def test_a_damaged_cache_is_rebuilt(outlines, synthetic, tmp_path):
    cache = next((tmp_path / "cache" / "map").glob("outlines-*.npz"))
    cache.write_bytes(b"not a zip")
    rebuilt = map_outlines(synthetic.pack)
    assert np.array_equal(rebuilt.at("country", 0.0).lonlat, outlines.at("country", 0.0).lonlat)


def test_tolerance_for_a_zoom():
    assert MapOutlines.tolerance_for(1.0) == max(TOLERANCES_DEG)
    assert MapOutlines.tolerance_for(0.02) == 0.01
    assert MapOutlines.tolerance_for(1e-6) == 0.0


def test_land_mask(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOR_CACHE_DIR", str(tmp_path / "cache"))
    mask = land_mask(synthetic.pack, 360, 180)

    def at(lat, lon):
        return mask[int(90 - lat), int(lon + 180)]

    assert at(45.5, 5.5) and at(45.5, 15.5) and at(-85.5, 0.5)
    assert not at(0.5, 0.5) and not at(45.5, 25.5)
    assert np.array_equal(land_mask(synthetic.pack, 360, 180), mask)  # cached
