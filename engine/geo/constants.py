"""Physical constants of the geo math, stated once.

Every distance in Geo-R is a great-circle distance on a sphere of radius ``EARTH_RADIUS_KM``, the
IUGG mean Earth radius. Inputs are (latitude, longitude) in degrees, outputs in kilometres.
"""

from __future__ import annotations

import math

#: IUGG mean Earth radius R1 = (2a + b) / 3 of WGS-84, in kilometres.
EARTH_RADIUS_KM: float = 6371.0088

#: Largest possible great-circle distance (half the circumference), in kilometres.
MAX_DISTANCE_KM: float = math.pi * EARTH_RADIUS_KM
