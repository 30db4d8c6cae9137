"""A world map of a model's errors (PNG): each photo's true place joined to the model's answer,
coloured by the distance. The land comes from the region pack the geocoder already has, so the
map needs no other data and no plotting library."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: (upper bound in km, colour, label) of the error classes, as the metrics' thresholds.
CLASSES = (
    (25.0, (26, 150, 65), "<= 25 km"),
    (200.0, (166, 217, 106), "<= 200 km"),
    (750.0, (253, 174, 97), "<= 750 km"),
    (2500.0, (244, 109, 67), "<= 2,500 km"),
    (float("inf"), (215, 25, 28), "> 2,500 km"),
)
UNPARSED = (120, 120, 120)
SEA, LAND = (223, 235, 246), (200, 200, 200)


def draw_error_map(path: Path, geocoder: Any, true_lat: Sequence[float], true_lon: Sequence[float],
                   pred_lat: Sequence[float], pred_lon: Sequence[float], title: str = "", width: int = 1440) -> Path:
    from PIL import Image, ImageDraw

    from geor.engine.geo.geocoder.outlines import land_mask

    height = width // 2
    pixels = np.where(land_mask(geocoder.pack, width, height)[..., None], np.array(LAND, np.uint8), np.array(SEA, np.uint8))
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (lon + 180.0) / 360.0 * width, (90.0 - lat) / 180.0 * height

    from geor.engine.geo import haversine_km

    distance = np.asarray(haversine_km(pred_lat, pred_lon, true_lat, true_lon), dtype=np.float64)
    order = np.argsort(np.nan_to_num(distance, nan=np.inf))[::-1]  # worst first, best on top
    for i in order:
        t = xy(true_lat[i], true_lon[i])
        if np.isnan(distance[i]):
            draw.ellipse([t[0] - 2, t[1] - 2, t[0] + 2, t[1] + 2], outline=UNPARSED)
            continue
        colour = next(c for bound, c, _ in CLASSES if distance[i] <= bound)
        p_lon = pred_lon[i]
        if p_lon - true_lon[i] > 180.0:  # the short way round crosses the antimeridian
            p_lon -= 360.0
        elif true_lon[i] - p_lon > 180.0:
            p_lon += 360.0
        p = xy(pred_lat[i], p_lon)
        for shift in (0.0, -width, width):
            draw.line([(t[0] + shift, t[1]), (p[0] + shift, p[1])], fill=colour, width=1)
        draw.ellipse([t[0] - 2, t[1] - 2, t[0] + 2, t[1] + 2], fill=colour)
    y = height - 16 * (len(CLASSES) + 2)
    for _bound, colour, label in CLASSES:
        draw.rectangle([10, y, 24, y + 10], fill=colour)
        draw.text((30, y - 1), label, fill=(0, 0, 0))
        y += 16
    draw.ellipse([10, y, 20, y + 10], outline=UNPARSED)
    draw.text((30, y - 1), "no usable answer", fill=(0, 0, 0))
    if title:
        draw.text((10, 8), title, fill=(0, 0, 0))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    image.save(tmp, format="PNG")
    tmp.replace(path)
    return path
