"""Garmin FIT files (fitdecode): what watches, bike computers and action cameras record. Each
``record`` message with a UTC timestamp and a position (semicircles), and the ``gps_metadata``
messages of cameras such as Garmin's VIRB, whose records carry only the device's running seconds:
their fixes carry the whole UTC second and the device's time to the millisecond, which the file's
``timestamp_correlation`` turns into UTC to the millisecond. A file damaged after its first positions
keeps those (the rest is named); a record without a position (indoors, no fix yet) says nothing."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .track import Fix, TrackError, checked_fix

SEMICIRCLE_DEGREES = 180 / 2**31


@dataclass(frozen=True)
class _CameraFix:
    utc_second: dt.datetime  # the fix's UTC time, to the whole second
    device_s: float | None  # the device's running seconds, to the millisecond
    lat: float
    lon: float
    ele: float | None


def read_fit(path: Path) -> tuple[list[Fix], list[str]]:
    import fitdecode

    fixes: list[Fix] = []
    camera: list[_CameraFix] = []
    offset: list[float] = []  # UTC minus the device's seconds, from a timestamp_correlation message
    skipped: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fitdecode warns about developer fields it cannot name; positions are standard fields
            with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as fit:
                for frame in fit:
                    if not isinstance(frame, fitdecode.FitDataMessage):
                        continue
                    if frame.name == "record":
                        fix = _record(frame, path.name)
                        if fix is not None:
                            fixes.append(fix)
                    elif frame.name == "gps_metadata":
                        found = _camera_fix(frame)
                        if found is not None:
                            camera.append(found)
                    elif frame.name == "timestamp_correlation" and not offset:
                        offset += _correlation(frame)
    except fitdecode.FitHeaderError:
        raise TrackError(f"{path}: not a FIT file (its header is not FIT's)") from None
    except (fitdecode.FitError, ValueError, EOFError, IndexError, KeyError, TypeError, OSError) as exc:  # a damaged or cut file
        if not fixes and not camera:
            raise TrackError(f"{path}: a FIT file fitdecode cannot read ({type(exc).__name__}: {exc})") from None
        skipped.append(f"{path}: damaged after its first {len(fixes) + len(camera):,} positions ({type(exc).__name__}: {exc}); "
                       "the rest not read")
    for item in camera:
        when = item.utc_second
        if offset and item.device_s is not None:
            precise = dt.datetime.fromtimestamp(item.device_s + offset[0], dt.UTC)
            if abs((precise - when).total_seconds() - 0.5) <= 1.0:  # within the whole second the fix names
                when = precise
        fix = checked_fix(when, item.lat, item.lon, item.ele, source=path.name)
        if fix is not None:
            fixes.append(fix)
    return fixes, skipped


def _value(frame: Any, name: str) -> Any:
    return frame.get_value(name, fallback=None) if frame.has_field(name) else None


def _altitude(frame: Any) -> float | None:
    altitude = _value(frame, "enhanced_altitude")
    if altitude is None:
        altitude = _value(frame, "altitude")
    return float(altitude) if isinstance(altitude, (int, float)) else None


def _record(frame: Any, source: str) -> Fix | None:
    """A record's timed position; None for a record without one, or one timed in the device's seconds."""
    when, lat, lon = _value(frame, "timestamp"), _value(frame, "position_lat"), _value(frame, "position_long")
    if not isinstance(when, dt.datetime) or not isinstance(lat, int) or not isinstance(lon, int):
        return None
    return checked_fix(when, lat * SEMICIRCLE_DEGREES, lon * SEMICIRCLE_DEGREES, _altitude(frame), source=source)


def _camera_fix(frame: Any) -> _CameraFix | None:
    when, lat, lon = _value(frame, "utc_timestamp"), _value(frame, "position_lat"), _value(frame, "position_long")
    if not isinstance(when, dt.datetime) or not isinstance(lat, int) or not isinstance(lon, int):
        return None
    seconds, milliseconds = _value(frame, "timestamp"), _value(frame, "timestamp_ms")
    device_s = seconds + (milliseconds or 0) / 1000 if isinstance(seconds, int) and not isinstance(seconds, bool) else None
    return _CameraFix(when, device_s, lat * SEMICIRCLE_DEGREES, lon * SEMICIRCLE_DEGREES, _altitude(frame))


def _correlation(frame: Any) -> list[float]:
    """[UTC minus the device's seconds] from a timestamp_correlation message, or []."""
    utc, device = _value(frame, "timestamp"), _value(frame, "system_timestamp")
    if not isinstance(utc, dt.datetime) or not isinstance(device, int):
        return []
    utc_s = utc.timestamp() + (_value(frame, "timestamp_ms") or 0) / 1000
    return [utc_s - (device + (_value(frame, "system_timestamp_ms") or 0) / 1000)]
