"""Rebuild the derived track files of this folder from the real GPX tracks beside them (see
SOURCES.md): the same real positions and times, written in the other formats users bring.

    python tests/engine/placement/tracks/data/assemble.py

The KML files come from gpsbabel 1.8.0 (the commands are in SOURCES.md); everything else here is
written by this script with the standard library, in each format's own documented shape.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import gpxpy

HERE = Path(__file__).parent
EVERY = 5  # every 5th point: files small enough to read, the real spacing of a walk kept


def points(name: str) -> list[gpxpy.gpx.GPXTrackPoint]:
    with open(HERE / name, encoding="utf-8") as handle:
        gpx = gpxpy.parse(handle)
    found = [p for t in gpx.tracks for s in t.segments for p in s.points if p.time is not None]
    return found[::EVERY]


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def e7(value: float) -> int:
    return round(value * 1e7)


def main() -> None:
    korita = points("korita-zbevnica.gpx")
    cerknica = points("cerknicko-jezero.gpx")

    with open(HERE / "korita-zbevnica.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["time", "latitude", "longitude", "elevation"])
        for p in korita:
            writer.writerow([iso(p.time), f"{p.latitude:.6f}", f"{p.longitude:.6f}", f"{p.elevation:.1f}"])

    # togeojson's shape (what Strava/Garmin GPX -> GeoJSON converters write): one LineString, coordTimes
    feature = {"type": "Feature", "properties": {"name": "Korita - Zbevnica", "coordTimes": [iso(p.time) for p in korita]},
               "geometry": {"type": "LineString", "coordinates": [[p.longitude, p.latitude, p.elevation] for p in korita]}}
    (HERE / "korita-zbevnica.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, indent=1))

    # Takeout's legacy Records.json: the older timestampMs and the newer timestamp spellings both occur
    locations = []
    for i, p in enumerate(cerknica):
        item: dict[str, object] = {"latitudeE7": e7(p.latitude), "longitudeE7": e7(p.longitude), "accuracy": 12, "source": "GPS",
                                   "deviceTag": 1978796627}
        if i % 2:
            item["timestamp"] = iso(p.time)
        else:
            item["timestampMs"] = str(int(p.time.timestamp() * 1000))
        locations.append(item)
    (HERE / "Records.json").write_text(json.dumps({"locations": locations}, indent=1))

    # Takeout's Semantic Location History (one month file): a visit at the start, then the walk
    start, end = cerknica[0], cerknica[-1]
    semantic = {"timelineObjects": [
        {"placeVisit": {"location": {"latitudeE7": e7(start.latitude), "longitudeE7": e7(start.longitude), "name": "Cerknica"},
                        "duration": {"startTimestamp": iso(start.time - dt.timedelta(minutes=40)), "endTimestamp": iso(start.time)}}},
        {"activitySegment": {"startLocation": {"latitudeE7": e7(start.latitude), "longitudeE7": e7(start.longitude)},
                             "endLocation": {"latitudeE7": e7(end.latitude), "longitudeE7": e7(end.longitude)},
                             "duration": {"startTimestamp": iso(start.time), "endTimestamp": iso(end.time)},
                             "activityType": "WALKING",
                             "simplifiedRawPath": {"points": [{"latE7": e7(p.latitude), "lngE7": e7(p.longitude), "accuracyMeters": 8,
                                                               "timestamp": iso(p.time)} for p in cerknica[1:-1]]}}},
    ]}
    (HERE / "2010_AUGUST.json").write_text(json.dumps(semantic, indent=1))

    # the on-device Timeline export (Android "Timeline.json"): semantic segments with local-time
    # offsets and "lat°, lon°" strings, and raw signals
    zone = dt.timezone(dt.timedelta(hours=2))
    timeline = {"semanticSegments": [
        {"startTime": start.time.astimezone(zone).isoformat(timespec="milliseconds"),
         "endTime": end.time.astimezone(zone).isoformat(timespec="milliseconds"),
         "timelinePath": [{"point": f"{p.latitude:.7f}°, {p.longitude:.7f}°", "time": p.time.astimezone(zone).isoformat(timespec="milliseconds")}
                          for p in cerknica[: len(cerknica) // 2]]},
    ], "rawSignals": [
        {"position": {"LatLng": f"{p.latitude:.7f}°, {p.longitude:.7f}°", "accuracyMeters": 9, "altitudeMeters": p.elevation,
                      "source": "GPS", "timestamp": p.time.astimezone(zone).isoformat(timespec="milliseconds")}}
        for p in cerknica[len(cerknica) // 2:]
    ]}
    (HERE / "Timeline.json").write_text(json.dumps(timeline, indent=1, ensure_ascii=False))

    # the iOS Timeline export: a list of segments, places as geo: URIs, path points as minutes from the start
    ios = [{"startTime": start.time.astimezone(zone).isoformat(), "endTime": end.time.astimezone(zone).isoformat(),
            "timelinePath": [{"point": f"geo:{p.latitude:.6f},{p.longitude:.6f}",
                              "durationMinutesOffsetFromStartTime": str(round((p.time - start.time).total_seconds() / 60))}
                             for p in cerknica]}]
    (HERE / "location-history-ios.json").write_text(json.dumps(ios, indent=1))


if __name__ == "__main__":
    main()
