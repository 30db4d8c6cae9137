"""A GPS position in exiv2's spelling, for photos the tests and benchmarks write with pyexiv2."""

from __future__ import annotations


def exif_gps_tags(lat: float, lon: float) -> dict[str, str]:
    """A GPS position in exiv2's spelling (degrees, minutes, seconds as rationals), for test photos."""
    tags = {"Exif.GPSInfo.GPSVersionID": "2 3 0 0"}
    for axis, value, refs in (("Latitude", lat, "NS"), ("Longitude", lon, "EW")):
        total = round(abs(value) * 3600 * 10_000)
        degrees, rest = divmod(total, 36_000_000)
        minutes, seconds = divmod(rest, 600_000)
        tags[f"Exif.GPSInfo.GPS{axis}"] = f"{degrees}/1 {minutes}/1 {seconds}/10000"
        tags[f"Exif.GPSInfo.GPS{axis}Ref"] = refs[0] if value >= 0 else refs[1]
    return tags
