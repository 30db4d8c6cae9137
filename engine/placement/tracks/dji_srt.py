"""DJI drones' ``.SRT`` side files: a subtitle per frame or second with the drone's position and,
in most firmware, its date and time (parsed as subtitles by the ``srt`` library; the fields inside
are DJI's own, in the forms real files hold, tests/engine/placement/tracks/dji_srt/):

* ``2022-05-01 15:01:58,531,716`` then ``[latitude: 41.420684] [longitude: 2.162162] [altitude: 27.3]``
  (Air 2S, Mavic Air 2, Mavic 3: ``longtitude``, ``rel_alt``/``abs_alt`` in some);
* ``HOME(149.0251,-20.2532) 2017.08.05 14:11:51`` then ``GPS(149.0251,-20.2533,16)``: longitude first
  (Mavic Pro, Phantom 4);
* ``2022.06.21 16:06:17`` then ``GPS(36.6146,-6.1120,0.0M)``: latitude first, the altitude in metres
  with its unit (Matrice 300);
* ``GPS (-121.7458, 48.0771, 17)`` without any date (Mavic Mini, Phantom 4 Pro/RTK): times relative
  to the video only, so no track (the file is named with the reason).

The drone's clock is the paired phone's local time, without a zone: the zone is the one at the
track's first position (timezonefinder, the IANA rules with their daylight saving time), so
``2022-05-01 15:01:58`` over Barcelona is 13:01:58 UTC. One fix a second is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from .track import Fix, TrackError, checked_fix

_DATE = re.compile(r"(\d{4})[-.](\d{2})[-.](\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:[,.](\d{1,6}))?")
_LATITUDE = re.compile(r"\[\s*latitude\s*:\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_LONGITUDE = re.compile(r"\[\s*longt?itude\s*:\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_ALTITUDE = re.compile(r"\[\s*(?:altitude|rel_alt)\s*:\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_ABS_ALTITUDE = re.compile(r"abs_alt\s*:\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_GPS = re.compile(r"\bGPS\s*\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(-?\d+(?:\.\d+)?)\s*(M?))?\s*\)", re.IGNORECASE)


def _position(text: str) -> tuple[float, float, float | None] | None:
    lat, lon = _LATITUDE.search(text), _LONGITUDE.search(text)
    if lat and lon:
        altitude = _ABS_ALTITUDE.search(text) or _ALTITUDE.search(text)
        return float(lat.group(1)), float(lon.group(1)), float(altitude.group(1)) if altitude else None
    gps = _GPS.search(text)
    if not gps:
        return None
    first, second = float(gps.group(1)), float(gps.group(2))
    metres = float(gps.group(3)) if gps.group(3) else None
    latitude_first = bool(gps.group(4))  # the Matrice's form gives its altitude's unit, and latitude first
    if abs(first) > 90:
        latitude_first = False
    elif abs(second) > 90:
        latitude_first = True
    return (first, second, metres) if latitude_first else (second, first, metres)


def _local_time(text: str) -> dt.datetime | None:
    found = _DATE.search(text)
    if not found:
        return None
    year, month, day, hour, minute, second, fraction = found.groups()
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), int((fraction or "0").ljust(6, "0")[:6]))
    except ValueError:
        return None


def read_dji_srt(path: Path) -> tuple[list[Fix], list[str]]:
    """The timed fixes of a DJI SRT (one a second) and the subtitles skipped; TrackError when the
    file holds no subtitles, no position or no date."""
    import srt
    from timezonefinder import TimezoneFinder

    try:
        subtitles = list(srt.parse(Path(path).read_text(encoding="utf-8-sig", errors="replace"), ignore_errors=True))
    except (OSError, srt.SRTParseError) as exc:
        raise TrackError(f"{path}: not a subtitle file ({exc})") from None
    timed: list[tuple[dt.datetime, tuple[float, float, float | None]]] = []
    positions = dated = 0
    for subtitle in subtitles:
        position, when = _position(subtitle.content), _local_time(subtitle.content)
        positions += position is not None
        dated += when is not None
        if position is not None and when is not None:
            timed.append((when, position))
    if not subtitles:
        raise TrackError(f"{path}: no subtitles")
    if not positions:
        raise TrackError(f"{path}: a DJI SRT without positions")
    if not dated:
        raise TrackError(f"{path}: a DJI SRT whose positions have no date (only times into the video): not a track")
    first = next(((lat, lon) for _, (lat, lon, _) in timed if (lat, lon) != (0.0, 0.0)), None)
    try:
        zone_name = TimezoneFinder().timezone_at(lat=first[0], lng=first[1]) if first else None
    except Exception as exc:  # noqa: BLE001 - its data missing or damaged (a broken install): the file is named, the job goes on
        raise TrackError(f"{path}: the time zones cannot be looked up ({type(exc).__name__}: {exc})") from None
    if zone_name is None:
        raise TrackError(f"{path}: no time zone at its first position, so its local times cannot be placed on UTC")
    zone = ZoneInfo(zone_name)
    fixes: list[Fix] = []
    seconds: set[int] = set()
    for when, (lat, lon, altitude) in timed:
        utc = when.replace(tzinfo=zone).astimezone(dt.UTC)
        if int(utc.timestamp()) in seconds:
            continue
        fix = checked_fix(utc, lat, lon, altitude, source=Path(path).name)
        if fix is not None:
            seconds.add(int(utc.timestamp()))
            fixes.append(fix)
    skipped = [f"{path}: {len(subtitles) - len(timed)} subtitles without a position or a date"] if len(timed) < len(subtitles) else []
    return fixes, skipped
