"""GPX 1.0/1.1 (gpxpy): track points, route points and waypoints that carry a time. A point whose
``<fix>`` says ``none`` (the receiver had no fix: GPS loggers keep writing their last position with a
new time, as GPSBabel's MTK and Columbus readers pass on) is not a position and is left out, counted.
So is a geocache listing (a waypoint whose symbol or type says Geocache, as geocaching.com's and
GPSBabel's files write it): its time is the day the cache was hidden, not a visit, and a trip folder
may well hold such a file."""

from __future__ import annotations

from pathlib import Path

from .track import Fix, TrackError, checked_fix


def read_gpx(path: Path) -> tuple[list[Fix], list[str]]:
    import gpxpy
    import gpxpy.gpx

    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            gpx = gpxpy.parse(handle)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        raise TrackError(f"{path}: not a GPX file ({_first_line(exc)})") from None
    except gpxpy.gpx.GPXException as exc:
        raise TrackError(f"{path}: a GPX file gpxpy cannot read ({_first_line(exc)})") from None
    points: list[gpxpy.gpx.GPXTrackPoint | gpxpy.gpx.GPXRoutePoint | gpxpy.gpx.GPXWaypoint]
    points = [p for track in gpx.tracks for segment in track.segments for p in segment.points]
    points += [p for route in gpx.routes for p in route.points] + list(gpx.waypoints)
    fixes = []
    no_fix = caches = 0
    for point in points:
        if point.time is None:
            continue
        if isinstance(point, gpxpy.gpx.GPXWaypoint) and any((word or "").strip().lower().startswith("geocache") for word in (point.symbol, point.type)):
            caches += 1
            continue
        if (point.type_of_gpx_fix or "").strip().lower() == "none":
            no_fix += 1
            continue
        accuracy = point.horizontal_dilution * 5.0 if point.horizontal_dilution else None  # HDOP x a typical 5 m UERE
        fix = checked_fix(point.time, point.latitude, point.longitude, point.elevation, accuracy, path.name)
        if fix is not None:
            fixes.append(fix)
    skipped = [f"{path}: {no_fix} point{'s' if no_fix != 1 else ''} whose <fix> says none (the receiver had no fix): not used"] if no_fix else []
    if caches:
        skipped.append(f"{path}: {caches} geocache listing{'s' if caches != 1 else ''} (the time of one is the day the cache was hidden, "
                       "not a visit): not used")
    return fixes, skipped


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
