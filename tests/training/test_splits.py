from pathlib import Path

import numpy as np
import pytest

from geor.engine.geo import haversine_km
from geor.training.hard_samples import select_hard
from geor.training.samples import GeoSample
from geor.training.splits import split_samples


def samples(n, seed=0):
    rng = np.random.default_rng(seed)
    return [GeoSample(f"img{i}.jpg", Path(f"/x/img{i}.jpg"), float(rng.uniform(-60, 70)), float(rng.uniform(-180, 180))) for i in range(n)]


def test_split_is_deterministic_and_independent_of_order():
    pool = samples(2000)
    first = split_samples(pool, 0.1, seed=3)
    again = split_samples(list(reversed(pool)), 0.1, seed=3)
    assert {s.id for s in first.eval} == {s.id for s in again.eval}
    assert 150 < len(first.eval) < 250
    assert {s.id for s in first.train}.isdisjoint({s.id for s in first.eval})
    other = split_samples(pool, 0.1, seed=4)
    assert {s.id for s in other.eval} != {s.id for s in first.eval}
    grown = split_samples(pool + samples(500, seed=9)[:0], 0.1, seed=3)
    assert {s.id for s in grown.eval} == {s.id for s in first.eval}


def test_geographic_dedup_keeps_train_away_from_eval():
    pool = samples(3000)
    # near-duplicates: a second shot 300 m from each of the first 500 photos
    pool += [GeoSample(f"dup{i}.jpg", s.image, s.lat + 0.0027, s.lon) for i, s in enumerate(pool[:500])]
    plain = split_samples(pool, 0.2, seed=1)
    deduped = split_samples(pool, 0.2, seed=1, dedup_km=1.0)
    assert plain.dropped_near_eval == 0
    assert deduped.dropped_near_eval > 0
    train = np.array([(s.lat, s.lon) for s in deduped.train])
    for held in deduped.eval[:200]:
        assert haversine_km(train[:, 0], train[:, 1], held.lat, held.lon).min() > 1.0
    near = [s for s in plain.train if min(haversine_km(s.lat, s.lon, e.lat, e.lon) for e in plain.eval[:50]) <= 1.0]
    assert near, "the plain split does leak near-duplicates (else this test shows nothing)"
    with pytest.raises(ValueError):
        split_samples(pool, 1.0)


def test_hard_samples_keep_the_wrong_and_drop_near_the_right():
    paris = GeoSample("paris", Path("p"), 48.8566, 2.3522)
    versailles = GeoSample("versailles", Path("v"), 48.8049, 2.1204)  # 18 km from Paris: within 200 km
    lyon = GeoSample("lyon", Path("l"), 45.764, 4.8357)  # 392 km
    tokyo = GeoSample("tokyo", Path("t"), 35.6895, 139.6917)
    lost = GeoSample("lost", Path("x"), 10.0, 10.0)
    predicted = {
        "paris": (48.86, 2.35),              # right
        "versailles": (40.0, -3.0),          # wrong, but near Paris, which is known territory
        "lyon": (40.0, -3.0),                # wrong and far: hard
        "tokyo": (float("nan"), float("nan")),  # unparsed: wrong, hard
    }
    selection = select_hard([paris, versailles, lyon, tokyo, lost], predicted)
    assert [s.id for s in selection.hard] == ["lyon", "tokyo"]
    assert (selection.right, selection.wrong, selection.dropped_near_right, selection.unpredicted) == (1, 3, 1, 1)
    wide = select_hard([paris, versailles, lyon, tokyo], predicted, exclusion_km=500)
    assert [s.id for s in wide.hard] == ["tokyo"]
