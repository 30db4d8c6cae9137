"""Checks on coordinate arrays shared by every public geo function.

NaN stands for "unknown" and flows through (NaN in, NaN out). Anything else that cannot be a
position raises :class:`CoordinateRangeError` naming the first offending index, so a caller with a
million rows learns which one is wrong.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geor.engine.errors import BadInput


class CoordinateRangeError(BadInput):
    """A latitude outside [-90, 90] or a non-finite (but not NaN) longitude."""

    def __init__(self, what: str, index: tuple[int, ...], value: float, rule: str) -> None:
        where = "" if not index else f" at index {index[0] if len(index) == 1 else index}"
        super().__init__(f"{what}{where} is {value!r}: {rule}")
        self.what = what
        self.index = index
        self.value = value


def as_float_array(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """``values`` as a float64 array, or a ValueError naming the argument."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{name}: expected numbers in degrees, got {values!r}") from exc


def check_lat_lon(lat: NDArray[np.float64], lon: NDArray[np.float64], prefix: str = "") -> None:
    """Raise :class:`CoordinateRangeError` for the first impossible latitude or longitude.

    NaN is allowed in either (it propagates); latitudes must lie in [-90, 90]; longitudes may take
    any finite value (they wrap) but not +-inf.
    """
    from . import _kernels  # numba loads only when coordinates are checked

    for values, find, what, rule in (
        (lat, _kernels.first_bad_latitude, "latitude", "latitudes must lie in [-90, 90] degrees"),
        (lon, _kernels.first_infinite, "longitude", "longitudes must be finite (NaN marks an unknown value)"),
    ):
        flat = values.reshape(-1)  # a view for contiguous arrays
        bad = int(find(flat))
        if bad >= 0:
            index = tuple(int(i) for i in np.unravel_index(bad, values.shape))
            raise CoordinateRangeError(f"{prefix}{what}", index, float(flat[bad]), rule)


def as_points(points: ArrayLike, name: str) -> NDArray[np.float64]:
    """A checked, C-contiguous (N, 2) array of (lat, lon) degrees."""
    array = as_float_array(points, name)
    if array.ndim == 1 and array.shape[0] == 2:
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise BadInput(f"{name}: expected an (N, 2) array of (lat, lon) degrees, got shape {array.shape}")
    array = np.ascontiguousarray(array)
    check_lat_lon(array[:, 0], array[:, 1], prefix=f"{name} ")
    return array
