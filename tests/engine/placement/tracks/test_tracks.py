"""Track files users bring, read from real recordings (data/SOURCES.md): every format gives the
same real positions at the same moments, and bad input is an error naming the file and the line
or record."""

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import gpxpy
import pytest

from geor.engine.placement.tracks import TrackError, read_track_file, read_tracks

DATA = Path(__file__).parent / "data"


def gpx_points(name):
    with open(DATA / name, encoding="utf-8") as handle:
        gpx = gpxpy.parse(handle)
    return [p for t in gpx.tracks for s in t.segments for p in s.points if p.time is not None]


def test_gpx_gives_every_timed_point_of_a_real_walk():
    fixes, skipped = read_track_file(DATA / "korita-zbevnica.gpx")
    points = gpx_points("korita-zbevnica.gpx")
    assert len(fixes) == len(points) == 513 and not skipped
    assert fixes[0].t == points[0].time.timestamp() and (fixes[0].lat, fixes[0].lon) == (points[0].latitude, points[0].longitude)
    assert fixes[0].ele == pytest.approx(points[0].elevation) and fixes[0].source == "korita-zbevnica.gpx"


def test_gpx_1_0_with_dilution_gives_an_accuracy():
    fixes, _ = read_track_file(DATA / "gpx1.0_with_all_fields.gpx")
    assert fixes and any(f.accuracy_m is not None and f.accuracy_m > 0 for f in fixes)


@pytest.mark.parametrize("name, every", [("korita-zbevnica.kml", 1), ("korita-zbevnica.csv", 5), ("korita-zbevnica.geojson", 5)])
def test_kml_csv_and_geojson_of_the_same_walk_agree_with_its_gpx(name, every):
    fixes, skipped = read_track_file(DATA / name)
    points = gpx_points("korita-zbevnica.gpx")[::every]
    assert not skipped and len(fixes) == len(points)
    for fix, point in zip(fixes, points, strict=True):
        assert fix.t == point.time.timestamp()
        assert (fix.lat, fix.lon) == pytest.approx((point.latitude, point.longitude), abs=1e-6)


def test_kml_placemarks_with_timestamps():
    fixes, _ = read_track_file(DATA / "cerknicko-jezero-points.kml")
    times = {p.time.timestamp(): (p.latitude, p.longitude) for p in gpx_points("cerknicko-jezero.gpx")}
    assert len(fixes) > 20 and all(f.t in times for f in fixes)
    assert all((f.lat, f.lon) == pytest.approx(times[f.t], abs=5e-5) for f in fixes)  # a waypoint at the start sits 1.4 m off


def test_kmz_is_read_through_its_kml(tmp_path):
    kmz = tmp_path / "walk.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.write(DATA / "korita-zbevnica.kml", "doc.kml")
    assert len(read_track_file(kmz)[0]) == 513


@pytest.mark.parametrize("name", ["Records.json", "2010_AUGUST.json", "Timeline.json", "location-history-ios.json"])
def test_google_location_history_in_all_its_shapes(name):
    fixes, skipped = read_track_file(DATA / name)
    truth = gpx_points("cerknicko-jezero.gpx")
    assert not skipped and len(fixes) >= 60
    walk = (truth[0].time.timestamp(), truth[-1].time.timestamp())
    on_the_walk = [f for f in fixes if walk[0] <= f.t <= walk[1] + 30]  # the visit before the walk is at another moment
    assert len(on_the_walk) >= 55
    within = 30 if "ios" in name else 0  # the iOS export counts whole minutes from the start
    for fix in on_the_walk:
        then = [p for p in truth if abs(p.time.timestamp() - fix.t) <= within]
        assert any((fix.lat, fix.lon) == pytest.approx((p.latitude, p.longitude), abs=1e-5) for p in then)


def test_records_json_accuracy_is_kept():
    fixes, _ = read_track_file(DATA / "Records.json")
    assert {f.accuracy_m for f in fixes} == {12.0}


def test_nmea_logs_of_real_receivers():
    telit, _ = read_track_file(DATA / "gpsd-telit-he910.nmea")
    assert len(telit) > 500
    assert all(50.8 < f.lat < 50.9 and 4.3 < f.lon < 4.4 for f in telit)  # Brussels
    assert dt.datetime.fromtimestamp(telit[0].t, dt.UTC).date() == dt.date(2019, 3, 12)
    ublox, _ = read_track_file(DATA / "gpsd-ublox-neo-m9n.nmea")
    assert len(ublox) > 100 and all(38.0 < f.lat < 38.2 and -122.7 < f.lon < -122.5 for f in ublox)


def test_several_files_merge_into_one_timeline():
    read = read_tracks([DATA / "korita-zbevnica.gpx", DATA / "Records.json"])
    assert len(read.track) == 513 + 60 and read.track.times == sorted(read.track.times)
    assert read.files == {str(DATA / "korita-zbevnica.gpx"): 513, str(DATA / "Records.json"): 60}


# -- bad input: the user is told which file, and where ---------------------------------------------

def test_a_receiver_that_never_had_a_fix_says_so():
    with pytest.raises(TrackError, match=r"gpsmap-76s-no-fix.nmea: 12 RMC sentences, none with a valid fix"):
        read_track_file(DATA / "gpsd-garmin-gpsmap-76s-no-fix.nmea")


def test_a_truncated_gpx(tmp_path):
    broken = tmp_path / "cut.gpx"
    broken.write_bytes((DATA / "korita-zbevnica.gpx").read_bytes()[:5000])
    with pytest.raises(TrackError, match=r"cut.gpx: not a GPX file"):
        read_track_file(broken)


def test_a_gpx_without_times(tmp_path):
    path = tmp_path / "planned.gpx"
    path.write_text(re.sub(r"<time>[^<]*</time>", "", (DATA / "cerknicko-jezero.gpx").read_text()))
    with pytest.raises(TrackError, match=r"planned.gpx: no timed positions in this GPX file"):
        read_track_file(path)


def test_a_csv_names_its_bad_lines_and_keeps_the_rest(tmp_path):
    lines = (DATA / "korita-zbevnica.csv").read_text().splitlines()
    lines[3] = "yesterday,45.4,14.0,700"
    lines[7] = lines[7].split(",")[0] + ",north,14.0,700"
    path = tmp_path / "walk.csv"
    path.write_text("\n".join(lines) + "\n")
    fixes, skipped = read_track_file(path)
    assert len(fixes) == len(lines) - 3
    assert skipped[0].startswith(f"{path}: line 4: 'yesterday' is not a time") and skipped[1].startswith(f"{path}: line 8:")


def gpx_fixes_by_time(name):
    """GPSBabel's own reading of a logger's download (its GPX of the same log), point by point, with
    the fix each point says it had."""
    with open(DATA / name, encoding="utf-8") as handle:
        gpx = gpxpy.parse(handle)
    return {p.time.timestamp(): p for t in gpx.tracks for s in t.segments for p in s.points}


@pytest.mark.parametrize("csv_name, gpx_name, rows, no_fix", [
    ("gpsbabel-mtk-logger.csv", "gpsbabel-mtk-logger.gpx", 149, 12),  # an MTK logger: N/S and E/W columns, 2008/01/27, "No fix" rows
    ("gpsbabel-columbus-v900.csv", "gpsbabel-columbus-v900.gpx", 21, 0),  # a Columbus V-900: 090204 063821, 31.769598N, NUL padding
])
def test_gps_loggers_csv_exports_read_as_gpsbabel_reads_the_same_log(csv_name, gpx_name, rows, no_fix):
    fixes, skipped = read_track_file(DATA / csv_name)
    points = gpx_fixes_by_time(gpx_name)
    assert len(fixes) == rows - no_fix and len(skipped) == no_fix
    assert all("the logger had no fix ('No fix')" in line for line in skipped)
    for fix in fixes:
        point = points[fix.t]  # the same moment (UTC), to the millisecond
        assert point.type_of_gpx_fix != "none"
        assert (fix.lat, fix.lon) == pytest.approx((point.latitude, point.longitude), abs=1e-6)
        assert fix.ele == pytest.approx(point.elevation, abs=1e-3)


def test_a_gpx_point_without_a_fix_is_not_a_position():
    """The same MTK log as GPSBabel writes it to GPX: the points whose <fix> is none repeat the last
    position with new times (the logger had lost the sky); they are counted, never used."""
    fixes, skipped = read_track_file(DATA / "gpsbabel-mtk-logger.gpx")
    points = gpx_fixes_by_time("gpsbabel-mtk-logger.gpx")
    blind = [t for t, p in points.items() if p.type_of_gpx_fix == "none"]
    assert len(blind) == 12 and len(fixes) == len(points) - 12
    assert not {f.t for f in fixes} & set(blind)
    assert skipped == [f"{DATA / 'gpsbabel-mtk-logger.gpx'}: 12 points whose <fix> says none (the receiver had no fix): not used"]


def test_a_geocache_listing_is_not_a_visit(tmp_path):
    """geocaching.com's GPX of a cache (GPSBabel's reference GC7FA4.gpx): its waypoint's time is the day
    the cache was hidden (2002-08-15), not when anyone was there. Alone it is no track, with the reason;
    beside a recorded track (a geocacher's trip folder) the track is read and the listing counted."""
    with pytest.raises(TrackError, match=r"no timed positions in this GPX file; .*1 geocache listing \(the time of one is the day the cache "
                                         r"was hidden, not a visit\): not used"):
        read_track_file(DATA / "gpsbabel-geocache-GC7FA4.gpx")
    listing = (DATA / "gpsbabel-geocache-GC7FA4.gpx").read_text(encoding="utf-8")
    walk = (DATA / "korita-zbevnica.gpx").read_text(encoding="utf-8")
    wpt = listing[listing.index("<wpt"):listing.index("</wpt>") + len("</wpt>")]
    both = tmp_path / "trip.gpx"
    both.write_text(walk.replace("<trk>", wpt.replace("<groundspeak:", "<x:").replace("</groundspeak:", "</x:")
                                 .replace('xmlns:groundspeak="http://www.groundspeak.com/cache/1/0"', 'xmlns:x="urn:x"') + "<trk>", 1),
                    encoding="utf-8")
    fixes, skipped = read_track_file(both)
    assert len(fixes) == len(gpx_points("korita-zbevnica.gpx")) and len(skipped) == 1 and "1 geocache listing" in skipped[0]


def test_an_opentracks_kml_with_pauses_reads_as_gpsbabel_reads_it(tmp_path):
    """OpenTracks (Android) marks each pause of a recording with an empty <gx:coord/> beside its
    <when>: the points between read as GPSBabel reads them, the pauses are counted, and an empty
    <when/> (a point of unknown time) goes the same way."""
    fixes, skipped = read_track_file(DATA / "gpsbabel-opentracks-pauses.kml")
    points = gpx_fixes_by_time("gpsbabel-opentracks-pauses.gpx")
    assert [f.t for f in fixes] == sorted(points) and len(fixes) == 2
    for fix in fixes:
        assert (fix.lat, fix.lon, fix.ele) == pytest.approx((points[fix.t].latitude, points[fix.t].longitude, points[fix.t].elevation),
                                                            abs=1e-3)
    assert skipped == [f"{DATA / 'gpsbabel-opentracks-pauses.kml'}: 2 track points with an empty <when/> or <gx:coord/> (a pause, or "
                       "a time not known): not used"]
    unknown = tmp_path / "unknown-time.kml"
    unknown.write_text((DATA / "gpsbabel-opentracks-pauses.kml").read_text().replace("<when>2021-03-02T09:30:41.890Z</when>", "<when/>"))
    fixes, skipped = read_track_file(unknown)
    assert len(fixes) == 1 and fixes[0].t == max(points) and skipped[0].endswith(": 3 track points with an empty <when/> or "
                                                                                 "<gx:coord/> (a pause, or a time not known): not used")


@pytest.mark.parametrize("namespace", ["http://www.opengis.net/kml/2.2", "http://www.opengis.net/kml/2.3"])
def test_a_kml_2_3_track_reads_as_gpsbabel_reads_it(tmp_path, namespace):
    """KML 2.3 (OGC) names Google's gx:Track <Track> and its points <coord>, in KML's own namespace."""
    path = tmp_path / "track.kml"
    path.write_text((DATA / "gpsbabel-kml-2.3-track.kml").read_text().replace("http://www.opengis.net/kml/2.2", namespace))
    fixes, skipped = read_track_file(path)
    points = gpx_fixes_by_time("gpsbabel-kml-2.3-track.gpx")
    assert [f.t for f in fixes] == sorted(points) and len(fixes) == 7 and not skipped
    for fix in fixes:
        assert (fix.lat, fix.lon, fix.ele) == pytest.approx((points[fix.t].latitude, points[fix.t].longitude, points[fix.t].elevation),
                                                            abs=1e-3)


def test_a_fit_file_reads_as_gpsbabel_reads_it():
    """Garmin's FIT (what watches and bike computers record): every record with a position, at the
    same moments and places as GPSBabel's GPX of the same file."""
    fixes, skipped = read_track_file(DATA / "gpsbabel-fit-sample.fit")
    points = gpx_points("gpsbabel-fit-sample.gpx")  # 533, three seconds of which hold two records
    assert len(fixes) == len(points) == 533 and not skipped
    for fix, point in zip(sorted(fixes, key=lambda f: (f.t, f.lat)), sorted(points, key=lambda p: (p.time, p.latitude)), strict=True):
        assert fix.t == point.time.timestamp()
        assert (fix.lat, fix.lon) == pytest.approx((point.latitude, point.longitude), abs=1e-7)
        assert fix.ele == pytest.approx(point.elevation, abs=1e-3)


def test_real_devices_fit_files_a_damaged_one_and_a_cameras():
    """A Garmin Edge 200 (Brussels); a Lezyne Super GPS's file that is damaged after 804 records in
    the southern hemisphere (GPSBabel stops at the same record: its last point 05:21:32 at
    -37.7206025, 144.9646952); a Garmin VIRB Ultra 30 action camera, whose records count the device's
    seconds and whose ten fixes a second carry their own UTC time (gps_metadata)."""
    edge, skipped = read_track_file(DATA / "gpsbabel-garmin-edge-200.fit")
    assert len(edge) == 22 and not skipped and edge[0].t == dt.datetime(2012, 5, 2, 6, 31, 48, tzinfo=dt.UTC).timestamp()
    assert (edge[0].lat, edge[0].lon) == pytest.approx((50.874994, 4.361335), abs=1e-6)
    lezyne, skipped = read_track_file(DATA / "gpsbabel-lezyne-damaged.fit")
    assert len(lezyne) == 804 and lezyne[-1].t == dt.datetime(2019, 8, 18, 5, 21, 32, tzinfo=dt.UTC).timestamp()
    assert (lezyne[-1].lat, lezyne[-1].lon) == pytest.approx((-37.720602499, 144.964695163), abs=1e-8)
    assert skipped == [f"{DATA / 'gpsbabel-lezyne-damaged.fit'}: damaged after its first 804 positions (ValueError: size); the rest not read"]
    virb, skipped = read_track_file(DATA / "gpsbabel-garmin-virb-ultra-30.fit")
    times = [f.t for f in virb]
    assert len(virb) == 1419 and not skipped and times == sorted(times)
    # each fix names its whole UTC second (02:34:12) and the device's time (68.609 s), which the file's
    # correlation (69.109 s = 02:34:13.000) puts at 02:34:12.500
    assert times[0] == pytest.approx(dt.datetime(2017, 6, 28, 2, 34, 12, 500000, tzinfo=dt.UTC).timestamp(), abs=1e-3)
    assert len(virb) / (times[-1] - times[0]) == pytest.approx(10, abs=0.2)  # about ten fixes a second over 2 min 23.5 s
    assert all(37.39 < f.lat < 37.41 and -122.15 < f.lon < -122.13 for f in virb)


def test_tcx_activities_are_read_and_courses_are_not(tmp_path):
    """A TCX activity (Kona, 2013; its times in UTC with Z) reads as recorded; a course (a route
    planned ahead, its times made up) is no record of where anyone was."""
    fixes, skipped = read_track_file(DATA / "gpsbabel-kona2013.tcx")
    assert len(fixes) == 5 and not skipped
    assert fixes[0].t == dt.datetime(2013, 10, 12, 18, 17, 26, tzinfo=dt.UTC).timestamp()
    assert (fixes[0].lat, fixes[0].lon, fixes[0].ele) == pytest.approx((19.640107546, -155.997018982, 16.4), abs=1e-6)
    with pytest.raises(TrackError, match="gpsbabel-course.tcx: no timed positions in this TCX file"):
        read_track_file(DATA / "gpsbabel-course.tcx")
    broken = tmp_path / "cut.tcx"
    broken.write_text((DATA / "gpsbabel-kona2013.tcx").read_text()[:3000])
    with pytest.raises(TrackError, match="cut.tcx: not a TCX file"):
        read_track_file(broken)


def test_gpsbabels_unicsv_times_without_a_zone_are_refused():
    """GPSBabel's unicsv of the same Kona ride says 12:17:26 where the TCX says 18:17:26Z: it wrote the
    converting computer's local time, and nothing in the file says so. Taken as UTC, every position
    would be six hours off: its rows are refused, with the way on."""
    with pytest.raises(TrackError) as refused:
        read_track_file(DATA / "gpsbabel-kona2013-unicsv.csv")
    assert "line 2: '2013/10/12' '12:17:26': a time without a zone in GPSBabel's unicsv layout" in str(refused.value)
    assert "convert the log to GPX instead" in str(refused.value)


def test_a_hemisphere_column_or_letter_gives_the_sign(tmp_path):
    """South and west from a logger's N/S and E/W columns or its letters; a value with both a sign
    and a hemisphere, or a hemisphere that is not its axis's, is a bad line, never a guess."""
    north, _ = read_track_file(DATA / "gpsbabel-mtk-logger.csv")
    lines = (DATA / "gpsbabel-mtk-logger.csv").read_text().splitlines()
    south = tmp_path / "south-west.csv"
    south.write_text("\n".join([lines[0], *(line.replace(",N,", ",S,").replace(",E,", ",W,") for line in lines[1:])]) + "\n")
    fixes, _ = read_track_file(south)
    assert [(f.lat, f.lon) for f in fixes] == [(-f.lat, -f.lon) for f in north]
    v900 = (DATA / "gpsbabel-columbus-v900.csv").read_text().splitlines()
    odd = tmp_path / "odd.csv"
    odd.write_text("\n".join([v900[0], v900[1].replace("N,", "S,", 1), v900[2].replace("31.", "-31.", 1),
                              v900[3].replace("N,", "E,", 1)]) + "\n")
    fixes, skipped = read_track_file(odd)
    assert len(fixes) == 1 and fixes[0].lat == pytest.approx(-31.769598)
    assert "both a sign and a hemisphere" in skipped[0] and "not one hemisphere of N/S" in skipped[1]


def test_a_csv_without_the_columns_names_its_header(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,value\na,1\n")
    with pytest.raises(TrackError, match=r"other.csv: line 1: expected a header with a time, a latitude and a longitude column"):
        read_track_file(path)


def test_json_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "Records.json"
    path.write_text((DATA / "Records.json").read_text()[:700])
    with pytest.raises(TrackError, match=r"Records.json: not JSON \(line \d+, column \d+"):
        read_track_file(path)


def test_a_damaged_location_record_is_named_by_its_number(tmp_path):
    data = json.loads((DATA / "Records.json").read_text())
    data["locations"][4]["timestamp"] = "sometime"
    data["locations"][4].pop("timestampMs", None)
    path = tmp_path / "Records.json"
    path.write_text(json.dumps(data))
    fixes, skipped = read_track_file(path)
    assert len(fixes) == 59 and skipped == [f"{path}: location 5: 'sometime' is not a time (ISO 8601 or seconds since 1970)"]


def test_unknown_kinds_and_missing_files(tmp_path):
    with pytest.raises(TrackError, match="no such track file"):
        read_track_file(tmp_path / "nope.gpx")
    odd = tmp_path / "track.igc"
    shutil.copy(DATA / "korita-zbevnica.gpx", odd)
    with pytest.raises(TrackError, match=r"track.igc: not a track file Geo-R reads \(GPX, KML, KMZ, NMEA"):
        read_track_file(odd)
    named_fit = tmp_path / "track.fit"
    shutil.copy(DATA / "korita-zbevnica.gpx", named_fit)
    with pytest.raises(TrackError, match=r"track.fit: not a FIT file \(its header is not FIT's\)"):
        read_track_file(named_fit)
    not_kmz = tmp_path / "x.kmz"
    not_kmz.write_text("hello")
    with pytest.raises(TrackError, match="x.kmz: not a KMZ"):
        read_track_file(not_kmz)
