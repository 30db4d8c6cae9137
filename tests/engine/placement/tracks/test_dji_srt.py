"""Real DJI drones' SRT files (dji_srt/SOURCES.md) read as tracks: each firmware's form, positions
in the right order, the drone's local times placed on UTC by the zone where it flew (daylight
saving time included), one fix a second; files that cannot be a track say why."""

import datetime as dt
from pathlib import Path

import pytest

from geor.engine.placement.tracks import TrackError, read_track_file

SAMPLES = Path(__file__).parent / "dji_srt"


@pytest.mark.parametrize(("name", "first_utc", "where", "fixes"), [
    ("air2s.srt", dt.datetime(2022, 8, 7, 11, 40, 40, 774000), (41.424724, 2.234156), 1),  # Barcelona, CEST
    ("mavic_air2.srt", dt.datetime(2022, 5, 1, 13, 1, 58, 531000), (41.420684, 2.162162), 1),
    ("mavic_pro.SRT", dt.datetime(2017, 8, 5, 4, 11, 51), (-20.2533, 149.0251), 400),  # Queensland: +10, no DST; longitude first
    ("matrice_300.srt", dt.datetime(2022, 6, 21, 14, 6, 17), (36.6146, -6.1120), 300),  # Cadiz, CEST; latitude first
])
def test_a_dji_srt_is_a_track_on_utc(name, first_utc, where, fixes):
    found, skipped = read_track_file(SAMPLES / name)
    assert len(found) >= fixes and skipped == []
    first = found[0]
    assert dt.datetime.fromtimestamp(first.t, dt.UTC).replace(tzinfo=None) == first_utc
    assert (first.lat, first.lon) == pytest.approx(where, abs=1e-4)
    assert first.source == name
    times = [f.t for f in found]
    assert times == sorted(times) and len({int(t) for t in times}) == len(times)  # one fix a second
    assert all(abs(f.lat - where[0]) < 0.05 and abs(f.lon - where[1]) < 0.05 for f in found)


@pytest.mark.parametrize(("name", "reason"), [("mavic_mini.SRT", "no date"), ("mavic_air.SRT", "without positions")])
def test_a_dji_srt_that_cannot_be_a_track_says_why(name, reason):
    with pytest.raises(TrackError, match=reason):
        read_track_file(SAMPLES / name)


def test_a_subtitle_file_that_is_not_dji_is_named(tmp_path):
    path = tmp_path / "film.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello there\n\n", encoding="utf-8")
    with pytest.raises(TrackError, match="without positions"):
        read_track_file(path)
    (tmp_path / "empty.srt").write_text("", encoding="utf-8")
    with pytest.raises(TrackError, match="no subtitles"):
        read_track_file(tmp_path / "empty.srt")
